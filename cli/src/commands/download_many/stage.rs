//! A download's content streamed into a temporary file beside its final name (a
//! `.zoho-crm-download-*` file, which a later run removes if this one is stopped), its SHA-256
//! computed from the same bytes as they are written (the file is not read again), then put
//! under its name with one rename: nothing partial is ever left under a final name.

use std::path::Path;
use std::pin::Pin;
use std::task::{Context, Poll};

use sha2::{Digest as _, Sha256};
use tokio::io::AsyncWrite;
use zoho_crm::{Download, DownloadError};

use super::names::TEMP_PREFIX;

/// The buffer between the content and the file: each write to a tokio file is a trip to the
/// blocking pool, so writes are large.
const WRITE_BUFFER_BYTES: usize = 256 * 1024;

/// A writer that hashes what it passes on.
struct Hashing<W> {
    inner: W,
    hasher: Sha256,
}

impl<W: AsyncWrite + Unpin> AsyncWrite for Hashing<W> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let this = &mut *self;
        let written = Pin::new(&mut this.inner).poll_write(cx, buf);
        if let Poll::Ready(Ok(count)) = &written {
            this.hasher.update(&buf[..*count]);
        }
        written
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// A download's whole content in a temporary file, not yet under its name. Dropping it
/// removes the file.
#[derive(Debug)]
pub(super) struct Staged {
    temp: tempfile::TempPath,
    /// The bytes received.
    pub(super) bytes: u64,
    /// Their SHA-256, in lowercase hex.
    pub(super) sha256: String,
}

/// Reads the whole content of `download` into a temporary file in `dir`, hashing it on the
/// way, calling `progress` with the running total.
pub(super) async fn stage(
    download: Download,
    dir: &Path,
    progress: impl FnMut(u64),
) -> Result<Staged, DownloadError> {
    let io = |source| DownloadError::Io {
        path: dir.to_owned(),
        source,
    };
    let temp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .tempfile_in(dir)
        .map_err(io)?;
    let (file, temp) = temp.into_parts();
    let mut writer = Hashing {
        inner: tokio::io::BufWriter::with_capacity(
            WRITE_BUFFER_BYTES,
            tokio::fs::File::from_std(file),
        ),
        hasher: Sha256::new(),
    };
    let bytes = match download.write_with_progress(&mut writer, progress).await {
        Ok(bytes) => bytes,
        Err(DownloadError::Io { source, .. }) => return Err(io(source)),
        Err(e) => return Err(e),
    };
    let digest = writer.hasher.finalize();
    let sha256 = digest.iter().map(|byte| format!("{byte:02x}")).collect();
    Ok(Staged {
        temp,
        bytes,
        sha256,
    })
}

/// The length and SHA-256 (lowercase hex) of the regular file at `path`, read in pieces
/// (constant memory) on a blocking thread; a FIFO, a device or a symbolic link is refused.
pub(super) async fn hash_file(path: &Path) -> std::io::Result<(u64, String)> {
    let owned = path.to_owned();
    tokio::task::spawn_blocking(move || crate::regular_file::sha256(&owned))
        .await
        .map_err(std::io::Error::other)?
        .map_err(|refused| match refused {
            crate::regular_file::Refused::Io(e) => e,
            crate::regular_file::Refused::NotRegular => std::io::Error::other(
                "not a regular file (a directory, a FIFO, a device or a symbolic link)",
            ),
            crate::regular_file::Refused::TooBig(length) => {
                std::io::Error::other(format!("{length} bytes, over a limit"))
            }
        })
}

impl Staged {
    /// Puts the content at `path` (in the directory it was staged in, for an atomic rename).
    /// With `overwrite` false, a file there makes it fail instead (and the staged file goes).
    pub(super) fn persist(self, path: &Path, overwrite: bool) -> Result<(), DownloadError> {
        let io = |source| DownloadError::Io {
            path: path.to_owned(),
            source,
        };
        if overwrite {
            self.temp.persist(path).map_err(|e| io(e.error))
        } else {
            self.temp.persist_noclobber(path).map_err(|e| {
                if e.error.kind() == std::io::ErrorKind::AlreadyExists {
                    DownloadError::Exists {
                        path: path.to_owned(),
                    }
                } else {
                    io(e.error)
                }
            })
        }
    }
}
