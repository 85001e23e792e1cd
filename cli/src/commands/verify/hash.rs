//! Files on disk hashed for `verify --export`: each streamed through SHA-256
//! ([`regular_file::sha256`]: memory does not grow with the file), [`AT_ONCE`] files at once on
//! tokio's blocking threads. Only regular files are read (a FIFO would block the read, a
//! symbolic link would hash a file outside the export).

use std::path::{Path, PathBuf};

use futures_util::StreamExt as _;

use crate::regular_file::{self, Refused};

/// How many files are read at once.
const AT_ONCE: usize = 4;

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
    match regular_file::sha256(path) {
        Ok((size, sha256)) => OnDisk::Read { size, sha256 },
        Err(Refused::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => OnDisk::Missing,
        Err(Refused::NotRegular) => OnDisk::Unreadable(
            "not a regular file (a directory, a FIFO, a device or a symbolic link)".to_owned(),
        ),
        Err(Refused::Io(e)) => OnDisk::Unreadable(e.to_string()),
        Err(Refused::TooBig(length)) => OnDisk::Unreadable(format!("{length} bytes, over a limit")),
    }
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
    use sha2::{Digest as _, Sha256};

    /// More than the block [`regular_file::sha256`] reads at once.
    const BLOCK: usize = 64 * 1024;

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

    #[cfg(unix)]
    #[tokio::test]
    async fn a_symbolic_link_is_not_hashed_as_the_file_it_names() {
        let Ok(dir) = tempfile::tempdir() else {
            panic!("no temporary directory");
        };
        let outside = dir.path().join("outside.txt");
        assert!(std::fs::write(&outside, b"secret").is_ok());
        let link = dir.path().join("link.txt");
        assert!(std::os::unix::fs::symlink(&outside, &link).is_ok());
        let found = hash_all(vec![link]).await;
        assert!(
            matches!(&found[0], OnDisk::Unreadable(why) if why.contains("symbolic link")),
            "{found:?}"
        );
    }
}
