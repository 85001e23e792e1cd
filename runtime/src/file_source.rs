//! Where an uploaded file comes from (a path, an async reader, or bytes in memory), the checks a
//! file must pass before it is sent, and the chunked stream it is sent as.

use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::{BufMut as _, Bytes, BytesMut};
use futures_util::Stream;
use tokio::io::AsyncRead;

use crate::error::ValidationError;
use crate::validate;

/// How many bytes a file stream reads at a time. Small enough that the chunks alive at once
/// (one being read ahead, and the few hyper queues before it writes: up to about 400 KiB)
/// cost well under a MiB; large enough that the trips to the blocking thread pool (800 for a
/// 100 MiB file) cost little. Measured on a 100 MiB upload over loopback: with 1 MiB chunks
/// the peak RSS was about 2 MiB higher, with 256 KiB 0.3 MiB higher, and 64 KiB chunks took
/// a quarter more CPU time.
const CHUNK_BYTES: usize = 128 * 1024;

/// The limits an operation puts on uploaded files, from the spec.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UploadLimits {
    /// The largest file accepted, in bytes.
    pub max_file_bytes: u64,
    /// Extensions (lower case, without the dot) that are refused.
    pub forbidden_extensions: &'static [&'static str],
}

/// A file to upload. It is streamed when sent, never read into memory whole.
pub struct FileSource(Source, Option<Progress>);

/// Called with the bytes of the file sent so far in the current attempt.
pub type Progress = std::sync::Arc<dyn Fn(u64) + Send + Sync>;

enum Source {
    Path {
        path: PathBuf,
        name: Option<String>,
    },
    Reader {
        name: String,
        length: u64,
        reader: std::sync::Mutex<Option<Pin<Box<dyn AsyncRead + Send + Sync>>>>,
    },
    Bytes {
        name: String,
        bytes: Bytes,
    },
}

impl FileSource {
    /// A file on disk; its name on the record is the path's last component.
    pub fn from_path(path: impl Into<PathBuf>) -> Self {
        FileSource(
            Source::Path {
                path: path.into(),
                name: None,
            },
            None,
        )
    }

    /// A file on disk, uploaded under another name.
    pub fn from_path_named(path: impl Into<PathBuf>, name: impl Into<String>) -> Self {
        FileSource(
            Source::Path {
                path: path.into(),
                name: Some(name.into()),
            },
            None,
        )
    }

    /// Any async reader that yields exactly `length` bytes. A reader cannot be rewound, so an
    /// upload from a reader is never retried.
    pub fn from_reader(
        name: impl Into<String>,
        length: u64,
        reader: impl AsyncRead + Send + Sync + 'static,
    ) -> Self {
        FileSource(
            Source::Reader {
                name: name.into(),
                length,
                reader: std::sync::Mutex::new(Some(Box::pin(reader))),
            },
            None,
        )
    }

    /// Bytes already in memory.
    pub fn from_bytes(name: impl Into<String>, bytes: impl Into<Bytes>) -> Self {
        FileSource(
            Source::Bytes {
                name: name.into(),
                bytes: bytes.into(),
            },
            None,
        )
    }

    /// Calls `progress` with the bytes sent so far as the file streams out (from 0 again if
    /// the upload is retried), e.g. to drive a progress bar.
    pub fn on_progress(mut self, progress: impl Fn(u64) + Send + Sync + 'static) -> Self {
        self.1 = Some(std::sync::Arc::new(progress));
        self
    }

    /// Whether the source can be opened again for a retry: a path is reopened and bytes are
    /// shared, but a reader can be read only once.
    pub fn is_replayable(&self) -> bool {
        !matches!(self.0, Source::Reader { .. })
    }

    /// Checks the file against `limits` and opens it. A path is opened here and streamed from
    /// the same handle, so the file checked is the file sent; each call opens it afresh.
    pub async fn open(&self, limits: &UploadLimits) -> Result<OpenedFile, ValidationError> {
        let (name, length, stream): (String, u64, FileStream) = match &self.0 {
            Source::Path { path, name } => {
                let name = match name {
                    Some(name) => name.clone(),
                    None => name_of(path)?,
                };
                check_name(&name, limits)?;
                let (file, length) = open_regular_file(path).await?;
                (name, length, FileStream::file(file, length))
            }
            Source::Reader {
                name,
                length,
                reader,
            } => {
                check_name(name, limits)?;
                let taken = match reader.lock() {
                    Ok(mut slot) => slot.take(),
                    Err(poisoned) => poisoned.into_inner().take(),
                };
                let Some(reader) = taken else {
                    return Err(ValidationError::Unreadable {
                        path: PathBuf::from(name),
                        source: std::io::Error::other("a reader can be read only once"),
                    });
                };
                (name.clone(), *length, FileStream::reader(reader, *length))
            }
            Source::Bytes { name, bytes } => {
                check_name(name, limits)?;
                let length = bytes.len() as u64;
                (name.clone(), length, FileStream::bytes(bytes.clone()))
            }
        };
        if length > limits.max_file_bytes {
            return Err(ValidationError::FileTooLarge {
                name,
                size: length,
                limit: limits.max_file_bytes,
            });
        }
        let mut stream = stream;
        stream.progress = self.1.clone();
        Ok(OpenedFile {
            name,
            length,
            stream,
        })
    }
}

impl std::fmt::Debug for FileSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            Source::Path { path, name } => f
                .debug_struct("FileSource::Path")
                .field("path", path)
                .field("name", name)
                .finish(),
            Source::Reader { name, length, .. } => f
                .debug_struct("FileSource::Reader")
                .field("name", name)
                .field("length", length)
                .finish_non_exhaustive(),
            Source::Bytes { name, bytes } => f
                .debug_struct("FileSource::Bytes")
                .field("name", name)
                .field("length", &bytes.len())
                .finish(),
        }
    }
}

fn name_of(path: &Path) -> Result<String, ValidationError> {
    let Some(name) = path.file_name() else {
        return Err(ValidationError::InvalidFileName {
            name: path.to_string_lossy().into_owned(),
            reason: "the path does not end in a file name",
        });
    };
    name.to_str()
        .map(str::to_owned)
        .ok_or_else(|| ValidationError::InvalidFileName {
            name: name.to_string_lossy().into_owned(),
            reason: "it is not valid UTF-8",
        })
}

fn check_name(name: &str, limits: &UploadLimits) -> Result<(), ValidationError> {
    validate::file_name(name)?;
    validate::extension(name, limits.forbidden_extensions)
}

/// Opens a regular file and gives its length, in one trip to the blocking thread pool (each
/// trip is a thread handoff; with many small files they are most of the time an open takes).
async fn open_regular_file(path: &Path) -> Result<(std::fs::File, u64), ValidationError> {
    let owned = path.to_owned();
    let opened = tokio::task::spawn_blocking(move || open_regular_file_blocking(&owned)).await;
    match opened {
        Ok(Ok((file, length))) => Ok((file, length)),
        Ok(Err(refused)) => Err(refused),
        Err(e) => Err(ValidationError::Unreadable {
            path: path.to_owned(),
            source: std::io::Error::other(e),
        }),
    }
}

fn open_regular_file_blocking(path: &Path) -> Result<(std::fs::File, u64), ValidationError> {
    let unreadable = |source| ValidationError::Unreadable {
        path: path.to_owned(),
        source,
    };
    let metadata = match std::fs::metadata(path) {
        Ok(metadata) => metadata,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(ValidationError::FileNotFound {
                path: path.to_owned(),
            });
        }
        Err(e) => return Err(unreadable(e)),
    };
    if metadata.is_dir() {
        return Err(ValidationError::IsDirectory {
            path: path.to_owned(),
        });
    }
    // Refused before `open`: opening a FIFO blocks until a writer appears, and a device or
    // a socket has no length to declare.
    if !metadata.is_file() {
        return Err(not_regular(path, &metadata.file_type()));
    }
    // The type is checked again on the handle, in case the path was replaced meanwhile. A
    // path replaced by a FIFO between `metadata` and `open` can still block the `open` (until
    // a writer appears): closing that gap needs `O_NONBLOCK`, which std does not offer
    // portably; the window is a few system calls wide.
    let file = std::fs::File::open(path).map_err(unreadable)?;
    let metadata = file.metadata().map_err(unreadable)?;
    if !metadata.is_file() {
        return Err(not_regular(path, &metadata.file_type()));
    }
    Ok((file, metadata.len()))
}

/// The refusal of a path that is not a regular file (a symlink to one is followed and fine).
fn not_regular(path: &Path, file_type: &std::fs::FileType) -> ValidationError {
    ValidationError::NotRegularFile {
        path: path.to_owned(),
        kind: file_kind(file_type),
    }
}

/// What a file that is neither a regular file nor a directory is, in words.
#[cfg(unix)]
fn file_kind(file_type: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt as _;
    if file_type.is_fifo() {
        "a FIFO (named pipe)"
    } else if file_type.is_socket() {
        "a socket"
    } else if file_type.is_block_device() {
        "a block device"
    } else if file_type.is_char_device() {
        "a character device"
    } else {
        "a special file"
    }
}

/// What a file that is neither a regular file nor a directory is, in words.
#[cfg(not(unix))]
fn file_kind(_file_type: &std::fs::FileType) -> &'static str {
    "a special file"
}

/// A checked file, ready to be streamed.
pub struct OpenedFile {
    pub(crate) name: String,
    pub(crate) length: u64,
    pub(crate) stream: FileStream,
}

impl OpenedFile {
    /// The name the file is uploaded under.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its length in bytes.
    pub fn length(&self) -> u64 {
        self.length
    }
}

impl std::fmt::Debug for OpenedFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenedFile")
            .field("name", &self.name)
            .field("length", &self.length)
            .finish_non_exhaustive()
    }
}

/// The file's bytes as a stream of chunks. A reader that ends before its declared length is an
/// error, so the request can never claim a Content-Length it does not send.
pub(crate) struct FileStream {
    source: StreamSource,
    remaining: u64,
    sent: u64,
    buffer: BytesMut,
    progress: Option<Progress>,
}

enum StreamSource {
    Reader(Pin<Box<dyn AsyncRead + Send + Sync>>),
    File(FileReader),
    Bytes(Option<Bytes>),
}

/// A file on disk, read chunk by chunk on the blocking thread pool straight into the buffer
/// that is sent (`tokio::fs::File` would read into a buffer of its own and copy), one chunk
/// ahead of the one being sent.
struct FileReader {
    /// The file, while no read is in flight.
    file: Option<std::fs::File>,
    /// The read in flight: it gives the file back with the chunk.
    reading: Option<tokio::task::JoinHandle<(std::fs::File, std::io::Result<Bytes>)>>,
    /// The bytes left to ask for (the stream's `remaining` counts those handed out).
    unread: u64,
}

impl FileReader {
    /// Starts reading the next chunk, if there is one and no read is in flight.
    fn read_ahead(&mut self) {
        if self.reading.is_some() || self.unread == 0 {
            return;
        }
        let Some(file) = self.file.take() else {
            return;
        };
        let want = usize::try_from(self.unread)
            .unwrap_or(CHUNK_BYTES)
            .min(CHUNK_BYTES);
        self.unread -= want as u64;
        // Allocated here rather than on the blocking thread, so that the chunks come from
        // (and, once sent, go back to) this thread's allocator arena instead of one more arena
        // per blocking thread.
        let buffer = vec![0u8; want];
        self.reading = Some(tokio::task::spawn_blocking(move || {
            let mut file = file;
            let chunk = read_chunk(&mut file, buffer);
            (file, chunk)
        }));
    }

    /// The next chunk (empty at the end of the file).
    fn poll_chunk(&mut self, cx: &mut Context<'_>) -> Poll<std::io::Result<Bytes>> {
        self.read_ahead();
        let Some(reading) = &mut self.reading else {
            return Poll::Ready(Ok(Bytes::new()));
        };
        let (file, chunk) = match std::task::ready!(Pin::new(reading).poll(cx)) {
            Ok(done) => done,
            Err(e) => {
                self.reading = None;
                return Poll::Ready(Err(std::io::Error::other(e)));
            }
        };
        self.reading = None;
        self.file = Some(file);
        if chunk.as_ref().is_ok_and(|chunk| !chunk.is_empty()) {
            // The next chunk is read while this one is sent.
            self.read_ahead();
        }
        Poll::Ready(chunk)
    }
}

/// Fills `buffer` from the file (not all of it only at the end of the file).
fn read_chunk(file: &mut std::fs::File, mut buffer: Vec<u8>) -> std::io::Result<Bytes> {
    use std::io::Read as _;
    let mut filled = 0;
    while filled < buffer.len() {
        match file.read(&mut buffer[filled..]) {
            Ok(0) => break,
            Ok(read) => filled += read,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    buffer.truncate(filled);
    Ok(Bytes::from(buffer))
}

impl FileStream {
    fn reader(reader: Pin<Box<dyn AsyncRead + Send + Sync>>, length: u64) -> Self {
        FileStream {
            source: StreamSource::Reader(reader),
            remaining: length,
            sent: 0,
            buffer: BytesMut::new(),
            progress: None,
        }
    }

    fn file(file: std::fs::File, length: u64) -> Self {
        FileStream {
            source: StreamSource::File(FileReader {
                file: Some(file),
                reading: None,
                unread: length,
            }),
            remaining: length,
            sent: 0,
            buffer: BytesMut::new(),
            progress: None,
        }
    }

    fn bytes(bytes: Bytes) -> Self {
        FileStream {
            remaining: bytes.len() as u64,
            source: StreamSource::Bytes(Some(bytes)),
            sent: 0,
            buffer: BytesMut::new(),
            progress: None,
        }
    }
}

impl Stream for FileStream {
    type Item = std::io::Result<Bytes>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.remaining == 0 {
            return Poll::Ready(None);
        }
        match &mut this.source {
            StreamSource::Bytes(bytes) => {
                this.sent += this.remaining;
                this.remaining = 0;
                if let Some(progress) = &this.progress {
                    progress(this.sent);
                }
                Poll::Ready(bytes.take().map(Ok))
            }
            StreamSource::File(file) => match std::task::ready!(file.poll_chunk(cx)) {
                Err(e) => Poll::Ready(Some(Err(e))),
                Ok(chunk) if chunk.is_empty() => Poll::Ready(Some(Err(this.ended_early()))),
                // Never more than `remaining`: the reads ask for the declared length in all,
                // so a file that grew is sent as long as it was when it was checked.
                Ok(chunk) => Poll::Ready(Some(Ok(this.advance(chunk)))),
            },
            StreamSource::Reader(reader) => {
                let want = usize::try_from(this.remaining)
                    .unwrap_or(CHUNK_BYTES)
                    .min(CHUNK_BYTES);
                if this.buffer.capacity() < want {
                    this.buffer.reserve(want);
                }
                let mut limited = (&mut this.buffer).limit(want);
                match tokio_util::io::poll_read_buf(reader.as_mut(), cx, &mut limited) {
                    Poll::Pending => Poll::Pending,
                    Poll::Ready(Err(e)) => Poll::Ready(Some(Err(e))),
                    Poll::Ready(Ok(0)) => Poll::Ready(Some(Err(this.ended_early()))),
                    Poll::Ready(Ok(_)) => {
                        let chunk = this.buffer.split().freeze();
                        Poll::Ready(Some(Ok(this.advance(chunk))))
                    }
                }
            }
        }
    }
}

impl FileStream {
    /// Counts a chunk as sent and reports the progress.
    fn advance(&mut self, chunk: Bytes) -> Bytes {
        self.remaining -= chunk.len() as u64;
        self.sent += chunk.len() as u64;
        if let Some(progress) = &self.progress {
            progress(self.sent);
        }
        chunk
    }

    /// The error of a source that ended before its declared length (the stream ends with it).
    fn ended_early(&mut self) -> std::io::Error {
        let missing = self.remaining;
        self.remaining = 0;
        std::io::Error::new(
            std::io::ErrorKind::UnexpectedEof,
            format!(
                "the file ended {missing} bytes before its declared length; was it changed during the upload?"
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::StreamExt as _;

    const LIMITS: UploadLimits = UploadLimits {
        max_file_bytes: 10,
        forbidden_extensions: &["exe"],
    };

    async fn collect(mut opened: OpenedFile) -> std::io::Result<Vec<u8>> {
        let mut out = Vec::new();
        while let Some(chunk) = opened.stream.next().await {
            out.extend_from_slice(&chunk?);
        }
        Ok(out)
    }

    #[tokio::test]
    async fn a_short_reader_is_an_error_not_a_short_body() {
        let opened = FileSource::from_reader("a.txt", 8, &b"abc"[..])
            .open(&LIMITS)
            .await
            .map_err(|e| e.to_string());
        let Ok(opened) = opened else {
            panic!("open failed: {opened:?}");
        };
        let err = collect(opened).await.err().map(|e| e.kind());
        assert_eq!(err, Some(std::io::ErrorKind::UnexpectedEof));
    }

    #[tokio::test]
    async fn a_reader_is_read_up_to_its_declared_length() {
        let opened = FileSource::from_reader("a.txt", 3, &b"abcdef"[..])
            .open(&LIMITS)
            .await;
        let bytes = match opened {
            Ok(opened) => collect(opened).await.map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        assert_eq!(bytes, Ok(b"abc".to_vec()));
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn a_fifo_is_refused_before_it_is_opened_and_a_symlink_to_a_file_is_fine() {
        let dir = match tempfile::tempdir() {
            Ok(dir) => dir,
            Err(e) => panic!("{e}"),
        };
        let fifo = dir.path().join("pipe.txt");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.is_ok_and(|status| status.success()), "mkfifo failed");
        let opened = tokio::time::timeout(
            std::time::Duration::from_secs(5),
            FileSource::from_path(&fifo).open(&LIMITS),
        )
        .await;
        let Ok(result) = opened else {
            // Unblock the stuck `open` (a FIFO opens once both ends are open), then fail.
            let _ = std::fs::OpenOptions::new().write(true).open(&fifo);
            panic!("opening a FIFO blocked");
        };
        let error = result.err();
        let message = error.as_ref().map(ToString::to_string).unwrap_or_default();
        assert!(
            matches!(error, Some(ValidationError::NotRegularFile { .. })),
            "{error:?}"
        );
        assert!(
            message.contains("FIFO") && message.contains("not a regular file"),
            "{message}"
        );
        assert!(!message.contains("permissions"), "{message}");
        let file = dir.path().join("real.txt");
        assert!(std::fs::write(&file, b"abc").is_ok());
        let link = dir.path().join("link.txt");
        assert!(std::os::unix::fs::symlink(&file, &link).is_ok());
        let opened = FileSource::from_path(&link).open(&LIMITS).await;
        assert_eq!(
            opened.map(|o| (o.name().to_owned(), o.length())).ok(),
            Some(("link.txt".to_owned(), 3))
        );
    }

    /// A file of `length` bytes, each byte a function of its offset.
    fn patterned_file(length: usize) -> (tempfile::NamedTempFile, Vec<u8>) {
        let bytes: Vec<u8> = (0..length).map(|i| (i % 251) as u8).collect();
        let file = match tempfile::NamedTempFile::new() {
            Ok(file) => file,
            Err(e) => panic!("{e}"),
        };
        assert!(std::fs::write(file.path(), &bytes).is_ok());
        (file, bytes)
    }

    const LARGE: UploadLimits = UploadLimits {
        max_file_bytes: 1 << 30,
        forbidden_extensions: &[],
    };

    #[tokio::test]
    async fn a_file_of_several_chunks_is_sent_whole_with_its_progress() {
        let (file, bytes) = patterned_file(2 * CHUNK_BYTES + CHUNK_BYTES / 2 + 7);
        let reported = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let source = FileSource::from_path(file.path()).on_progress({
            let reported = std::sync::Arc::clone(&reported);
            move |sent| {
                if let Ok(mut reported) = reported.lock() {
                    reported.push(sent);
                }
            }
        });
        let opened = match source.open(&LARGE).await {
            Ok(opened) => opened,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(opened.length(), bytes.len() as u64);
        let sent = collect(opened).await.map_err(|e| e.to_string());
        assert!(
            sent.as_ref().is_ok_and(|sent| *sent == bytes),
            "{:?}",
            sent.map(|s| s.len())
        );
        let reported = reported.lock().map(|r| r.clone()).unwrap_or_default();
        let expected = vec![
            CHUNK_BYTES as u64,
            2 * CHUNK_BYTES as u64,
            bytes.len() as u64,
        ];
        assert_eq!(reported, expected);
    }

    #[tokio::test]
    async fn a_file_cut_short_after_the_check_is_an_error_and_one_that_grew_is_sent_as_checked() {
        let length = CHUNK_BYTES + 100;
        let (file, bytes) = patterned_file(length);
        let opened = match FileSource::from_path(file.path()).open(&LARGE).await {
            Ok(opened) => opened,
            Err(e) => panic!("{e}"),
        };
        let cut = std::fs::OpenOptions::new()
            .write(true)
            .open(file.path())
            .and_then(|f| f.set_len(10));
        assert!(cut.is_ok());
        let err = collect(opened).await.err().map(|e| e.kind());
        assert_eq!(err, Some(std::io::ErrorKind::UnexpectedEof));

        assert!(std::fs::write(file.path(), &bytes).is_ok());
        let opened = match FileSource::from_path(file.path()).open(&LARGE).await {
            Ok(opened) => opened,
            Err(e) => panic!("{e}"),
        };
        let grown = std::fs::OpenOptions::new()
            .append(true)
            .open(file.path())
            .and_then(|mut f| std::io::Write::write_all(&mut f, b"more"));
        assert!(grown.is_ok());
        let sent = collect(opened).await.map_err(|e| e.to_string());
        assert_eq!(sent, Ok(bytes));
    }

    #[tokio::test]
    async fn bytes_over_the_limit_are_refused() {
        let err = FileSource::from_bytes("a.txt", vec![0u8; 11])
            .open(&LIMITS)
            .await;
        assert!(matches!(
            err,
            Err(ValidationError::FileTooLarge {
                size: 11,
                limit: 10,
                ..
            })
        ));
    }
}
