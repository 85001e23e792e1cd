//! Reading the `file` parts of a photo or file-store upload: each is hashed and counted
//! while it streams in and written to the server's storage, up to a number of files and a
//! size per file; past either limit the rest is only read (so the client gets its answer)
//! and nothing past the limit is kept. The caller decides what a violation means; dropping
//! what was read removes its files from disk, so a refused request stores nothing.
//! Parts with another name are read and ignored.

use axum::body::Body;
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use crate::multipart::{DRAIN_LIMIT, FILE_FIELD};
use crate::responses::ApiError;
use crate::storage::{DiskWriter, FileGuard, Storage};

/// How many bytes of each file are kept for its header (an image's size).
pub(crate) const HEAD_BYTES: usize = 1 << 20;

/// The limits of one upload.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limits {
    /// The most `file` parts stored.
    pub(crate) max_files: usize,
    /// The most bytes of one file.
    pub(crate) max_size: u64,
}

/// One `file` part within the limits, on disk.
#[derive(Debug)]
pub(crate) struct ReceivedFile {
    /// The part's file name (empty if it had none).
    pub(crate) file_name: String,
    /// Its length.
    pub(crate) size: u64,
    /// The SHA-256 of its bytes.
    pub(crate) sha256: [u8; 32],
    /// Its first [`HEAD_BYTES`] bytes.
    pub(crate) head: Vec<u8>,
    /// The file on disk (removed unless kept).
    pub(crate) file: FileGuard,
}

/// What an upload held.
#[derive(Debug, Default)]
pub(crate) struct Received {
    /// The `file` parts within the limits, in order.
    pub(crate) files: Vec<ReceivedFile>,
    /// How many `file` parts there were.
    pub(crate) file_parts: usize,
    /// The size of the first file over [`Limits::max_size`], if one was.
    pub(crate) oversize: Option<u64>,
    /// Whether a `file` part had no file name or no content.
    pub(crate) empty: bool,
}

/// Reads a multipart body of `file` parts. A body multer can't parse is a top-level
/// `INVALID_DATA` with multer's message; a file that can't be written to disk, a 500.
pub(crate) async fn read_files(
    body: Body,
    boundary: String,
    storage: &Storage,
    limits: Limits,
) -> Result<Received, ApiError> {
    let mut multipart = multer::Multipart::new(body.into_data_stream(), boundary);
    let mut received = Received::default();
    let mut disk_failed = false;
    let multer_error = |error: multer::Error| ApiError::invalid_multipart(error.to_string());
    while let Some(mut field) = multipart.next_field().await.map_err(multer_error)? {
        if field.name() != Some(FILE_FIELD) {
            if drain(&mut field).await.map_err(multer_error)? > DRAIN_LIMIT {
                break;
            }
            continue;
        }
        received.file_parts += 1;
        let file_name = field.file_name().unwrap_or_default().to_owned();
        let within = received.file_parts <= limits.max_files && received.oversize.is_none();
        if !within {
            if drain(&mut field).await.map_err(multer_error)? > DRAIN_LIMIT {
                break;
            }
            continue;
        }
        let writer = match storage.create().await {
            Ok(writer) => writer,
            Err(_) => {
                disk_failed = true;
                drain(&mut field).await.map_err(multer_error)?;
                continue;
            }
        };
        match read_one(&mut field, writer, limits.max_size)
            .await
            .map_err(multer_error)?
        {
            One::Kept {
                size,
                sha256,
                head,
                file,
            } => {
                received.empty |= file_name.is_empty() || size == 0;
                received.files.push(ReceivedFile {
                    file_name,
                    size,
                    sha256,
                    head,
                    file,
                });
            }
            One::TooLarge(size) => {
                received.oversize = Some(size);
                if size > DRAIN_LIMIT {
                    break;
                }
            }
            One::DiskFailed => disk_failed = true,
        }
    }
    if disk_failed {
        return Err(ApiError::internal_error(
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
        ));
    }
    Ok(received)
}

/// What reading one file part gave.
enum One {
    Kept {
        size: u64,
        sha256: [u8; 32],
        head: Vec<u8>,
        file: FileGuard,
    },
    /// Over the size limit (its size as far as it was read); nothing kept.
    TooLarge(u64),
    /// Writing failed; nothing kept.
    DiskFailed,
}

/// Streams one part to `writer`, hashing it and keeping its head.
async fn read_one(
    field: &mut multer::Field<'_>,
    writer: DiskWriter,
    max_size: u64,
) -> multer::Result<One> {
    let mut hasher = Sha256::new();
    let mut head = Vec::new();
    let mut size: u64 = 0;
    let mut writer = Some(writer);
    let mut failed = false;
    while let Some(chunk) = field.chunk().await? {
        size = size.saturating_add(chunk.len() as u64);
        if size > max_size {
            // Dropping the writer removes the partial file.
            drop(writer.take());
            let rest = drain(field).await?;
            return Ok(One::TooLarge(size.saturating_add(rest)));
        }
        hasher.update(&chunk);
        if head.len() < HEAD_BYTES {
            let take = (HEAD_BYTES - head.len()).min(chunk.len());
            head.extend_from_slice(&chunk[..take]);
        }
        if let Some(open) = writer.as_mut()
            && open.writer.write_all(&chunk).await.is_err()
        {
            failed = true;
            writer = None;
        }
    }
    let Some(mut open) = writer.filter(|_| !failed) else {
        return Ok(One::DiskFailed);
    };
    if open.writer.flush().await.is_err() {
        return Ok(One::DiskFailed);
    }
    Ok(One::Kept {
        size,
        sha256: hasher.finalize().into(),
        head,
        file: open.guard,
    })
}

/// Reads and discards the rest of a part, up to just past [`DRAIN_LIMIT`] bytes; returns
/// how many bytes it read.
async fn drain(field: &mut multer::Field<'_>) -> multer::Result<u64> {
    let mut size: u64 = 0;
    while let Some(chunk) = field.chunk().await? {
        size = size.saturating_add(chunk.len() as u64);
        if size > DRAIN_LIMIT {
            break;
        }
    }
    Ok(size)
}
