//! Files on disk hashed for `verify --export`: each streamed through SHA-256 in blocks of
//! [`BLOCK`] bytes (memory does not grow with the file), [`AT_ONCE`] files at once on tokio's
//! blocking threads. Only regular files are opened (a FIFO would block the read).

use std::io::Read as _;
use std::path::{Path, PathBuf};

use futures_util::StreamExt as _;
use sha2::{Digest as _, Sha256};

use crate::regular_file::{self, Refused};

/// How many files are read at once.
const AT_ONCE: usize = 4;

/// The block each read fills.
const BLOCK: usize = 64 * 1024;

/// What is on disk at a path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum OnDisk {
    /// Nothing.
    Missing,
    /// Something that cannot be read as a file (why).
    Unreadable(String),
    /// A file of this size and SHA-256 (lowercase hex).
    Read {
        /// Its size in bytes.
        size: u64,
        /// Its SHA-256.
        sha256: String,
    },
}

/// Reads the file at `path` through SHA-256.
fn hash_blocking(path: &Path) -> OnDisk {
    let mut file = match regular_file::open(path) {
        Ok((file, _)) => file,
        Err(Refused::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => return OnDisk::Missing,
        Err(Refused::NotRegular) => {
            return OnDisk::Unreadable("not a regular file".to_owned());
        }
        Err(Refused::Io(e)) => return OnDisk::Unreadable(e.to_string()),
        Err(Refused::TooBig(length)) => {
            return OnDisk::Unreadable(format!("{length} bytes, over a limit"));
        }
    };
    let mut hasher = Sha256::new();
    let mut block = vec![0_u8; BLOCK];
    let mut size: u64 = 0;
    loop {
        match file.read(&mut block) {
            Ok(0) => break,
            Ok(read) => {
                hasher.update(&block[..read]);
                size += u64::try_from(read).unwrap_or(u64::MAX);
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return OnDisk::Unreadable(e.to_string()),
        }
    }
    let sha256 = hasher
        .finalize()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    OnDisk::Read { size, sha256 }
}

/// What is on disk at each of `paths`, in their order.
pub(super) async fn hash_all(paths: Vec<PathBuf>) -> Vec<OnDisk> {
    futures_util::stream::iter(paths)
        .map(|path| async move {
            tokio::task::spawn_blocking(move || hash_blocking(&path))
                .await
                .unwrap_or_else(|e| OnDisk::Unreadable(format!("the read failed: {e}")))
        })
        .buffered(AT_ONCE)
        .collect()
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn files_are_hashed_in_order_and_missing_ones_said() {
        let Ok(dir) = tempfile::tempdir() else {
            panic!("no temporary directory");
        };
        let big = dir.path().join("big");
        // Over two blocks, so that the blocks are joined right.
        assert!(std::fs::write(&big, vec![b'a'; 2 * BLOCK + 1]).is_ok());
        let empty = dir.path().join("empty");
        assert!(std::fs::write(&empty, b"").is_ok());
        let found = hash_all(vec![
            big,
            dir.path().join("none"),
            empty,
            dir.path().to_owned(),
        ])
        .await;
        let expected_big: String = Sha256::digest(vec![b'a'; 2 * BLOCK + 1])
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect();
        assert_eq!(
            found[0],
            OnDisk::Read {
                size: 2 * BLOCK as u64 + 1,
                sha256: expected_big
            }
        );
        assert_eq!(found[1], OnDisk::Missing);
        assert_eq!(
            found[2],
            OnDisk::Read {
                size: 0,
                sha256: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855".into()
            }
        );
        assert!(matches!(found[3], OnDisk::Unreadable(_)));
    }
}
