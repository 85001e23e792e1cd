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
mod tests;
