//! Where uploaded file content lives: one file per attachment in a temporary directory the
//! server owns ([`tempfile::TempDir`], removed with everything in it when the server's
//! state is dropped).
//!
//! Uploads are written while they stream in, to a file guarded by [`FileGuard`], which
//! removes it again unless the upload is stored ([`FileGuard::keep`]). So a failed, rejected
//! or abandoned upload leaves nothing behind, and a 100 MiB file costs disk, not memory.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use tempfile::TempDir;
use tokio::io::BufWriter;

/// The write buffer of an upload being stored (fewer, larger blocking writes).
const WRITE_BUFFER: usize = 256 * 1024;

/// The server's file store: a temporary directory created on first use (or eagerly with
/// [`Storage::dir`]).
#[derive(Debug, Default)]
pub(crate) struct Storage {
    dir: OnceLock<TempDir>,
    next: AtomicU64,
}

impl Storage {
    /// The directory, created on the first call.
    pub(crate) fn dir(&self) -> io::Result<&Path> {
        if let Some(dir) = self.dir.get() {
            return Ok(dir.path());
        }
        let created = tempfile::Builder::new()
            .prefix("zoho-loopback-")
            .tempdir()?;
        // Losing a race drops (and so removes) the directory created here.
        let _ = self.dir.set(created);
        self.dir
            .get()
            .map(TempDir::path)
            .ok_or_else(|| io::Error::other("the storage directory could not be set"))
    }

    /// The directory if it was created.
    pub(crate) fn existing_dir(&self) -> Option<&Path> {
        self.dir.get().map(TempDir::path)
    }

    /// A fresh path in the directory (not yet created).
    fn fresh_path(&self) -> io::Result<PathBuf> {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        Ok(self.dir()?.join(format!("file-{n:08}")))
    }

    /// Creates a new, empty file for an upload to stream into.
    pub(crate) async fn create(&self) -> io::Result<DiskWriter> {
        let path = self.fresh_path()?;
        let file = tokio::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .await?;
        Ok(DiskWriter {
            writer: BufWriter::with_capacity(WRITE_BUFFER, file),
            guard: FileGuard { path: Some(path) },
        })
    }

    /// Writes `bytes` to a new file at once (blocking) and returns its path.
    pub(crate) fn write_now(&self, bytes: &[u8]) -> io::Result<PathBuf> {
        let path = self.fresh_path()?;
        let guard = FileGuard {
            path: Some(path.clone()),
        };
        std::fs::write(&path, bytes)?;
        Ok(guard.keep().unwrap_or(path))
    }
}

/// An upload being written to disk.
#[derive(Debug)]
pub(crate) struct DiskWriter {
    /// The buffered file.
    pub(crate) writer: BufWriter<tokio::fs::File>,
    /// Removes the file unless kept.
    pub(crate) guard: FileGuard,
}

/// Removes its file when dropped, unless [`FileGuard::keep`] was called.
#[derive(Debug)]
pub(crate) struct FileGuard {
    path: Option<PathBuf>,
}

impl FileGuard {
    /// Disarms the guard and returns the file's path.
    pub(crate) fn keep(mut self) -> Option<PathBuf> {
        self.path.take()
    }
}

impl Drop for FileGuard {
    fn drop(&mut self) {
        if let Some(path) = self.path.take() {
            let _ = std::fs::remove_file(path);
        }
    }
}

#[cfg(test)]
mod unit {
    use super::*;
    use tokio::io::AsyncWriteExt;

    #[tokio::test]
    async fn guarded_files_are_removed_unless_kept() {
        let storage = Storage::default();
        assert!(storage.existing_dir().is_none());
        let dir = storage.dir().map(Path::to_path_buf).expect("dir");
        assert_eq!(storage.existing_dir(), Some(dir.as_path()));

        let mut dropped = storage.create().await.expect("create");
        dropped.writer.write_all(b"gone").await.expect("write");
        dropped.writer.flush().await.expect("flush");
        drop(dropped);

        let mut kept = storage.create().await.expect("create");
        kept.writer.write_all(b"kept").await.expect("write");
        kept.writer.flush().await.expect("flush");
        let path = kept.guard.keep().expect("path");
        assert_eq!(std::fs::read(&path).expect("read"), b"kept");

        let now = storage.write_now(b"now").expect("write_now");
        assert_eq!(std::fs::read(&now).expect("read"), b"now");
        assert_eq!(std::fs::read_dir(&dir).expect("list").count(), 2);

        drop(storage);
        assert!(!dir.exists());
    }
}
