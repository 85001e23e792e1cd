//! Where an uploaded file comes from (a path, an async reader, or bytes in memory), the checks a
//! file must pass before it is sent (its name as the server will read it, its size, and for
//! image uploads its format and pixel count from its header), and the chunked stream it is
//! sent as.

use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::{BufMut as _, Bytes, BytesMut};
use futures_util::Stream;
use tokio::io::AsyncRead;

use crate::encoded_word::{self, Reading};
use crate::error::ValidationError;
use crate::image_header::{self, ImageLimits, Inspection, MAX_HEADER_BYTES};
use crate::{media_type, validate};

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
    /// When set, only images of these formats and at most this many pixels are accepted,
    /// checked from the file's header before anything is sent.
    pub image: Option<ImageLimits>,
}

/// A file to upload. It is streamed when sent, never read into memory whole.
///
/// Its name is checked as the server will read it. Leading and trailing spaces and tabs are
/// dropped, since Java multipart parsers trim them: the name is **sent trimmed** (the name Zoho
/// CRM stores), and the name and extension checks apply to the trimmed name (`"evil.exe "` is
/// refused as `.exe`; a name of only spaces is refused as empty). A name holding an RFC 2047
/// encoded word (`=?UTF-8?Q?evil.exe?=`), which those parsers decode, is refused
/// ([`ValidationError::EncodedFileName`]).
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
    ///
    /// The checks, in order: the name (see the type's documentation), the size, and, when
    /// `limits.image` is set, the image's format and pixel count read from the first bytes
    /// (at most 1 MiB) without decoding it. A path's handle is rewound after that read; a
    /// reader's first bytes are kept and sent before the rest, so nothing read is lost.
    pub async fn open(&self, limits: &UploadLimits) -> Result<OpenedFile, ValidationError> {
        let (name, length, mut stream) = match &self.0 {
            Source::Path { path, name } => {
                let name = match name {
                    Some(name) => name.clone(),
                    None => name_of(path)?,
                };
                let name = check_name(&name, limits)?;
                let (file, length) = open_regular_file(path).await?;
                check_size(&name, length, limits)?;
                let file = match &limits.image {
                    Some(image) => inspect_file(path, &name, file, length, image).await?,
                    None => file,
                };
                (name, length, FileStream::file(file, length))
            }
            Source::Reader {
                name,
                length,
                reader,
            } => {
                let name = check_name(name, limits)?;
                check_size(&name, *length, limits)?;
                let taken = match reader.lock() {
                    Ok(mut slot) => slot.take(),
                    Err(poisoned) => poisoned.into_inner().take(),
                };
                let Some(mut reader) = taken else {
                    return Err(ValidationError::Unreadable {
                        path: PathBuf::from(name),
                        source: std::io::Error::other("a reader can be read only once"),
                    });
                };
                let head = match &limits.image {
                    Some(image) => inspect_reader(&name, &mut reader, *length, image).await?,
                    None => Bytes::new(),
                };
                (name, *length, FileStream::reader(head, reader, *length))
            }
            Source::Bytes { name, bytes } => {
                let name = check_name(name, limits)?;
                let length = bytes.len() as u64;
                check_size(&name, length, limits)?;
                if let Some(image) = &limits.image {
                    let head = bytes.get(..MAX_HEADER_BYTES).unwrap_or(bytes);
                    check_image(&name, image, image_header::inspect(head), true)?;
                }
                (name, length, FileStream::bytes(bytes.clone()))
            }
        };
        stream.progress = self.1.clone();
        Ok(OpenedFile {
            media_type: media_type::of_file_name(&name),
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

/// Checks a file name as the server will read it, and gives the name to send: without leading
/// and trailing spaces and tabs (which Java multipart parsers trim), holding no RFC 2047 encoded
/// word (which they decode), and passing the name and extension checks.
fn check_name(name: &str, limits: &UploadLimits) -> Result<String, ValidationError> {
    let trimmed = name.trim_matches([' ', '\t']);
    if trimmed.is_empty() {
        return Err(ValidationError::InvalidFileName {
            name: name.to_owned(),
            reason: "it is empty, or only spaces and tabs",
        });
    }
    validate::file_name(trimmed)?;
    validate::extension(trimmed, limits.forbidden_extensions)?;
    let read_as = match encoded_word::read(trimmed) {
        Reading::Plain => return Ok(trimmed.to_owned()),
        Reading::Decoded(read_as) => Some(read_as),
        Reading::Undecodable => None,
    };
    Err(ValidationError::EncodedFileName {
        name: trimmed.to_owned(),
        read_as,
    })
}

fn check_size(name: &str, length: u64, limits: &UploadLimits) -> Result<(), ValidationError> {
    if length > limits.max_file_bytes {
        return Err(ValidationError::FileTooLarge {
            name: name.to_owned(),
            size: length,
            limit: limits.max_file_bytes,
        });
    }
    Ok(())
}

/// Judges what a file's first bytes say against the image limits. `whole` says whether the
/// bytes inspected are all of the file (else they stopped at [`MAX_HEADER_BYTES`]).
fn check_image(
    name: &str,
    limits: &ImageLimits,
    inspection: Inspection,
    whole: bool,
) -> Result<(), ValidationError> {
    let not_an_image = |found| ValidationError::NotAnImage {
        name: name.to_owned(),
        allowed: limits.formats,
        found,
    };
    let unreadable = |reason| ValidationError::UnreadableImage {
        name: name.to_owned(),
        reason,
    };
    let (format, width, height) = match inspection {
        Inspection::Sized {
            format,
            width,
            height,
        } => (format, width, height),
        Inspection::Unknown | Inspection::Incomplete(None) => return Err(not_an_image(None)),
        Inspection::Incomplete(Some(format)) | Inspection::Corrupt(format, _)
            if !limits.formats.contains(&format) =>
        {
            return Err(not_an_image(None));
        }
        Inspection::Corrupt(_, reason) => return Err(unreadable(reason)),
        Inspection::Incomplete(Some(_)) if whole => {
            return Err(unreadable(
                "the file ends inside its header (is it truncated?)",
            ));
        }
        Inspection::Incomplete(Some(_)) => {
            return Err(unreadable("no image size was found in its first 1 MiB"));
        }
    };
    if !limits.formats.contains(&format) {
        return Err(not_an_image(Some(format)));
    }
    let pixels = u64::from(width).checked_mul(u64::from(height));
    match pixels {
        Some(pixels) if pixels <= limits.max_pixels => Ok(()),
        _ => Err(ValidationError::TooManyPixels {
            name: name.to_owned(),
            width,
            height,
            pixels: pixels.unwrap_or(u64::MAX),
            limit: limits.max_pixels,
        }),
    }
}

/// Checks an opened file's header against the image limits and rewinds the file, in one trip
/// to the blocking thread pool; gives the file back to be streamed from its start.
async fn inspect_file(
    path: &Path,
    name: &str,
    file: std::fs::File,
    length: u64,
    limits: &ImageLimits,
) -> Result<std::fs::File, ValidationError> {
    let read = tokio::task::spawn_blocking(move || {
        let mut file = file;
        let head = read_head_blocking(&mut file, length);
        (file, head)
    })
    .await;
    let unreadable = |source| ValidationError::Unreadable {
        path: path.to_owned(),
        source,
    };
    let (file, head) = read.map_err(|e| unreadable(std::io::Error::other(e)))?;
    let (inspection, whole) = head.map_err(unreadable)?;
    check_image(name, limits, inspection, whole)?;
    Ok(file)
}

/// Reads a file's first bytes until its header is read (at most [`MAX_HEADER_BYTES`], and no
/// more than `length`), then seeks back to its start. Gives the inspection, and whether the
/// bytes read were the whole file.
fn read_head_blocking(
    file: &mut std::fs::File,
    length: u64,
) -> std::io::Result<(Inspection, bool)> {
    use std::io::{Read as _, Seek as _};
    let limit = head_limit(length);
    let mut head = Vec::new();
    let (inspection, whole) = loop {
        let inspection = image_header::inspect(&head);
        if !matches!(inspection, Inspection::Incomplete(_)) || head.len() >= limit {
            break (inspection, head.len() as u64 >= length);
        }
        let filled = head.len();
        head.resize(next_head_size(filled, limit), 0);
        let read = loop {
            match file.read(&mut head[filled..]) {
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                read => break read,
            }
        };
        let read = read?;
        head.truncate(filled + read);
        if read == 0 {
            break (inspection, true);
        }
    };
    file.seek(std::io::SeekFrom::Start(0))?;
    Ok((inspection, whole))
}

/// Reads a reader's first bytes until its header is read (at most [`MAX_HEADER_BYTES`], and no
/// more than `length`), checks them against the image limits, and gives them back to be sent
/// before the rest.
async fn inspect_reader(
    name: &str,
    reader: &mut Pin<Box<dyn AsyncRead + Send + Sync>>,
    length: u64,
    limits: &ImageLimits,
) -> Result<Bytes, ValidationError> {
    use tokio::io::AsyncReadExt as _;
    let limit = head_limit(length);
    let mut head = Vec::new();
    let (inspection, whole) = loop {
        let inspection = image_header::inspect(&head);
        if !matches!(inspection, Inspection::Incomplete(_)) || head.len() >= limit {
            break (inspection, head.len() as u64 >= length);
        }
        let filled = head.len();
        head.resize(next_head_size(filled, limit), 0);
        let read = reader.read(&mut head[filled..]).await.map_err(|source| {
            ValidationError::Unreadable {
                path: PathBuf::from(name),
                source,
            }
        })?;
        head.truncate(filled + read);
        if read == 0 {
            break (inspection, true);
        }
    };
    check_image(name, limits, inspection, whole)?;
    Ok(Bytes::from(head))
}

/// How many of a file's first bytes may be read for its header.
fn head_limit(length: u64) -> usize {
    usize::try_from(length).map_or(MAX_HEADER_BYTES, |length| length.min(MAX_HEADER_BYTES))
}

/// The size the header buffer grows to next: 4 KiB first (enough for all but JPEGs with large
/// metadata), then doubling, never past `limit`.
fn next_head_size(filled: usize, limit: usize) -> usize {
    filled.saturating_mul(2).max(4096).min(limit)
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
    pub(crate) media_type: &'static str,
    pub(crate) length: u64,
    pub(crate) stream: FileStream,
}

impl OpenedFile {
    /// The name the file is uploaded under (without leading and trailing spaces and tabs).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The media type it is sent with, from its name's extension (`application/pdf` for
    /// `report.pdf`), or `application/octet-stream` when the extension is unknown.
    pub fn media_type(&self) -> &str {
        self.media_type
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
            .field("media_type", &self.media_type)
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
    /// A reader, and the first bytes already read from it (to check an image's header), which
    /// are sent first.
    Reader {
        head: Option<Bytes>,
        reader: Pin<Box<dyn AsyncRead + Send + Sync>>,
    },
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
    /// A reader's bytes: `head` (already read from it, empty if none), then the rest of the
    /// reader, `length` bytes in all.
    fn reader(head: Bytes, reader: Pin<Box<dyn AsyncRead + Send + Sync>>, length: u64) -> Self {
        FileStream {
            source: StreamSource::Reader {
                head: (!head.is_empty()).then_some(head),
                reader,
            },
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
            StreamSource::Reader { head, reader } => {
                if let Some(head) = head.take() {
                    // Never longer than the declared length: it was read up to it at most.
                    return Poll::Ready(Some(Ok(this.advance(head))));
                }
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
    use crate::image_header::ImageFormat;
    use crate::image_header::tests::png_header;
    use futures_util::StreamExt as _;

    const LIMITS: UploadLimits = UploadLimits {
        max_file_bytes: 10,
        forbidden_extensions: &["exe"],
        image: None,
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
        image: None,
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

    async fn open_bytes(
        name: &str,
        bytes: &[u8],
        limits: &UploadLimits,
    ) -> Result<OpenedFile, ValidationError> {
        FileSource::from_bytes(name, bytes.to_vec())
            .open(limits)
            .await
    }

    #[tokio::test]
    async fn names_are_sent_and_checked_without_leading_and_trailing_spaces_and_tabs() {
        let opened = open_bytes(" \treport.pdf \t ", b"%PDF", &LIMITS).await;
        assert_eq!(
            opened
                .map(|o| (o.name().to_owned(), o.media_type().to_owned()))
                .ok(),
            Some(("report.pdf".to_owned(), "application/pdf".to_owned()))
        );
        for name in ["evil.exe ", "\tevil.EXE\t", "  evil.exe  "] {
            let refused = open_bytes(name, b"MZ", &LIMITS).await;
            assert!(
                matches!(&refused, Err(ValidationError::ForbiddenExtension { name, extension }) if (name == "evil.exe" || name == "evil.EXE") && extension == "exe"),
                "{name:?}: {refused:?}"
            );
        }
        for name in ["   ", "\t", " \t "] {
            let refused = open_bytes(name, b"a", &LIMITS).await;
            assert!(
                matches!(refused, Err(ValidationError::InvalidFileName { .. })),
                "{name:?}: {refused:?}"
            );
        }
        // A tab inside the name is still a control character.
        let refused = open_bytes("a\tb.txt", b"a", &LIMITS).await;
        assert!(matches!(
            refused,
            Err(ValidationError::InvalidFileName { .. })
        ));
    }

    #[tokio::test]
    async fn names_with_encoded_words_are_refused_saying_what_they_would_be_stored_as() {
        for name in [
            "=?UTF-8?Q?evil.exe?=",
            "=?utf-8?q?evil.exe?=",
            "=?UTF-8?B?ZXZpbC5leGU=?=",
            " =?UTF-8?b?ZXZpbC5leGU=?= ",
        ] {
            let refused = open_bytes(name, b"MZ", &LIMITS).await;
            let message = refused
                .as_ref()
                .err()
                .map(ToString::to_string)
                .unwrap_or_default();
            assert!(
                matches!(&refused, Err(ValidationError::EncodedFileName { read_as: Some(read_as), .. }) if read_as == "evil.exe"),
                "{name:?}: {refused:?}"
            );
            assert!(
                message.contains("would be stored as \"evil.exe\"") && message.contains("rename"),
                "{message}"
            );
        }
        let refused = open_bytes("photo =?KOI8-R?B?8NLJ18XU?=.jpg", b"a", &LIMITS).await;
        let message = refused
            .as_ref()
            .err()
            .map(ToString::to_string)
            .unwrap_or_default();
        assert!(
            matches!(
                refused,
                Err(ValidationError::EncodedFileName { read_as: None, .. })
            ),
            "{message}"
        );
        assert!(message.contains("another name"), "{message}");
        // A plain `=?` that starts no encoded word is an ordinary name.
        let opened = open_bytes("what=?.txt", b"a", &LIMITS).await;
        assert_eq!(
            opened.map(|o| o.name().to_owned()).ok().as_deref(),
            Some("what=?.txt")
        );
    }

    #[tokio::test]
    async fn a_path_named_with_an_encoded_word_is_refused_before_it_is_opened() {
        let refused = FileSource::from_path_named("/no/such/file", "=?UTF-8?Q?a.txt?=")
            .open(&LIMITS)
            .await;
        assert!(
            matches!(refused, Err(ValidationError::EncodedFileName { .. })),
            "{refused:?}"
        );
    }

    #[tokio::test]
    async fn media_types_follow_the_sent_name() {
        for (name, expected) in [
            ("a.PNG", "image/png"),
            ("a.csv", "text/csv"),
            ("a.unknownext", "application/octet-stream"),
            ("README", "application/octet-stream"),
        ] {
            let opened = open_bytes(name, b"a", &LIMITS).await;
            assert_eq!(
                opened.map(|o| o.media_type().to_owned()).ok().as_deref(),
                Some(expected),
                "{name}"
            );
        }
    }

    const PHOTOS: UploadLimits = UploadLimits {
        max_file_bytes: 1 << 30,
        forbidden_extensions: &[],
        image: Some(ImageLimits {
            formats: &[ImageFormat::Png, ImageFormat::Jpeg],
            max_pixels: 10_000_000,
        }),
    };

    /// A PNG header of this size, then `length` bytes in all, each a function of its offset.
    fn png_file(width: u32, height: u32, length: usize) -> Vec<u8> {
        let mut bytes = png_header(width, height);
        bytes.extend((bytes.len()..length).map(|i| (i % 251) as u8));
        bytes
    }

    #[tokio::test]
    async fn images_are_checked_from_their_header() {
        let fine = open_bytes("a.png", &png_file(3000, 2000, 100), &PHOTOS).await;
        assert_eq!(fine.map(|o| o.length()).ok(), Some(100));

        let big = open_bytes("big.png", &png_file(4000, 2750, 100), &PHOTOS).await;
        let message = big
            .as_ref()
            .err()
            .map(ToString::to_string)
            .unwrap_or_default();
        assert!(
            matches!(
                big,
                Err(ValidationError::TooManyPixels {
                    width: 4000,
                    height: 2750,
                    pixels: 11_000_000,
                    limit: 10_000_000,
                    ..
                })
            ),
            "{message}"
        );
        assert!(
            message.contains("4000x2750") && message.contains("scale"),
            "{message}"
        );

        let text = open_bytes("notes.png", b"just some text, not a picture", &PHOTOS).await;
        let message = text
            .as_ref()
            .err()
            .map(ToString::to_string)
            .unwrap_or_default();
        assert!(
            matches!(text, Err(ValidationError::NotAnImage { found: None, .. })),
            "{message}"
        );
        assert!(message.contains("not a PNG or JPEG image"), "{message}");

        let gif = open_bytes("a.gif", b"GIF89a\x10\x00\x10\x00\x00\x00\x00", &PHOTOS).await;
        let message = gif
            .as_ref()
            .err()
            .map(ToString::to_string)
            .unwrap_or_default();
        assert!(
            matches!(
                gif,
                Err(ValidationError::NotAnImage {
                    found: Some(ImageFormat::Gif),
                    ..
                })
            ),
            "{message}"
        );
        assert!(message.contains("it is a GIF image"), "{message}");

        let truncated = open_bytes("cut.png", &png_header(10, 10)[..20], &PHOTOS).await;
        let message = truncated
            .as_ref()
            .err()
            .map(ToString::to_string)
            .unwrap_or_default();
        assert!(
            matches!(truncated, Err(ValidationError::UnreadableImage { .. })),
            "{message}"
        );
        assert!(message.contains("truncated"), "{message}");
    }

    #[tokio::test]
    async fn the_size_is_checked_before_the_image() {
        let limits = UploadLimits {
            max_file_bytes: 10,
            ..PHOTOS
        };
        let refused = open_bytes("notes.png", b"plain text, too long", &limits).await;
        assert!(
            matches!(refused, Err(ValidationError::FileTooLarge { .. })),
            "{refused:?}"
        );
        let (file, _) = patterned_file(20);
        let refused = FileSource::from_path_named(file.path(), "a.png")
            .open(&limits)
            .await;
        assert!(
            matches!(refused, Err(ValidationError::FileTooLarge { .. })),
            "{refused:?}"
        );
    }

    #[tokio::test]
    async fn a_checked_image_path_streams_the_whole_file_from_its_start() {
        let bytes = png_file(640, 480, 2 * CHUNK_BYTES + 1234);
        let file = match tempfile::NamedTempFile::new() {
            Ok(file) => file,
            Err(e) => panic!("{e}"),
        };
        assert!(std::fs::write(file.path(), &bytes).is_ok());
        let opened = match FileSource::from_path_named(file.path(), "photo.png")
            .open(&PHOTOS)
            .await
        {
            Ok(opened) => opened,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(opened.media_type(), "image/png");
        let sent = collect(opened).await.map_err(|e| e.to_string());
        assert!(
            sent.as_ref().is_ok_and(|sent| *sent == bytes),
            "{:?}",
            sent.map(|s| s.len())
        );

        let text = patterned_file(100).0;
        let refused = FileSource::from_path_named(text.path(), "a.png")
            .open(&PHOTOS)
            .await;
        assert!(
            matches!(refused, Err(ValidationError::NotAnImage { .. })),
            "{refused:?}"
        );
    }

    /// A JPEG whose frame header comes after `segments` APP1 segments of 65535 bytes.
    fn jpeg_after_segments(segments: usize) -> Vec<u8> {
        let mut bytes = vec![0xff, 0xd8];
        for _ in 0..segments {
            bytes.extend_from_slice(&[0xff, 0xe1, 0xff, 0xff]);
            bytes.extend(std::iter::repeat_n(0u8, 65533));
        }
        bytes.extend_from_slice(&[0xff, 0xc0, 0x00, 0x11, 0x08, 0x01, 0xe0, 0x02, 0x80]);
        bytes.extend_from_slice(&[3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
        bytes.extend((0..1000).map(|i| (i % 7) as u8));
        bytes
    }

    #[tokio::test]
    async fn a_checked_reader_sends_the_bytes_it_read_for_the_check_then_the_rest() {
        let bytes = jpeg_after_segments(3);
        let length = bytes.len() as u64;
        let reader = std::io::Cursor::new(bytes.clone());
        let opened = FileSource::from_reader("photo.jpg", length, reader)
            .open(&PHOTOS)
            .await;
        let sent = match opened {
            Ok(opened) => collect(opened).await.map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        assert!(
            sent.as_ref().is_ok_and(|sent| *sent == bytes),
            "{:?}",
            sent.map(|s| s.len())
        );

        // A reader holding more than its declared length is still read up to that length only.
        let mut longer = png_file(10, 10, 5000);
        let declared = longer.len() as u64;
        let sent_part = longer.clone();
        longer.extend_from_slice(b"trailing bytes past the declared length");
        let opened = FileSource::from_reader("photo.png", declared, std::io::Cursor::new(longer))
            .open(&PHOTOS)
            .await;
        let sent = match opened {
            Ok(opened) => collect(opened).await.map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        assert_eq!(sent, Ok(sent_part));
    }

    #[tokio::test]
    async fn a_header_not_found_in_the_first_mib_is_unreadable_from_a_path() {
        let bytes = jpeg_after_segments(17);
        assert!(bytes.len() > MAX_HEADER_BYTES);
        let file = match tempfile::NamedTempFile::new() {
            Ok(file) => file,
            Err(e) => panic!("{e}"),
        };
        assert!(std::fs::write(file.path(), &bytes).is_ok());
        let refused = FileSource::from_path_named(file.path(), "a.jpg")
            .open(&PHOTOS)
            .await;
        let message = refused
            .as_ref()
            .err()
            .map(ToString::to_string)
            .unwrap_or_default();
        assert!(
            matches!(refused, Err(ValidationError::UnreadableImage { .. })),
            "{message}"
        );
        assert!(message.contains("first 1 MiB"), "{message}");
        // Within the first MiB, the same layout is read.
        let bytes = jpeg_after_segments(15);
        assert!(std::fs::write(file.path(), &bytes).is_ok());
        let opened = FileSource::from_path_named(file.path(), "a.jpg")
            .open(&PHOTOS)
            .await;
        assert_eq!(opened.map(|o| o.length()).ok(), Some(bytes.len() as u64));
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
