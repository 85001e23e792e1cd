//! What tells one version of a file from another across `upload-many` runs: the SHA-256 of its
//! content for files up to [`HASH_LIMIT`] bytes (hashing reads the file once more, which is
//! cheap for small files), otherwise its modification time. Together with the module, the
//! record id, the resolved path and the size it identifies an upload in the journal.

use std::io::Read as _;
use std::path::Path;

use chrono::{DateTime, SecondsFormat, Utc};
use sha2::{Digest as _, Sha256};

/// Files up to this size (8 MiB) are identified by their SHA-256; larger ones by their size
/// and modification time (so touching a large file makes it a new one to upload).
pub const HASH_LIMIT: u64 = 8 * 1024 * 1024;

/// What was read of a file: its modification time and, for a small one, its hash.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Facts {
    /// The modification time, when the platform gives one.
    pub modified: Option<String>,
    /// The SHA-256, for a file of at most [`HASH_LIMIT`] bytes.
    pub sha256: Option<String>,
}

/// Reads the facts of the regular file `path` of `size` bytes (as checked before), on the
/// calling thread (a blocking one). An error says what went wrong, e.g. that the file changed
/// while it was read.
pub fn read_blocking(path: &Path, size: u64) -> Result<Facts, String> {
    let cannot = |e: std::io::Error| format!("cannot read {}: {e}", path.display());
    let metadata = std::fs::metadata(path).map_err(cannot)?;
    let modified = metadata
        .modified()
        .ok()
        .map(|time| DateTime::<Utc>::from(time).to_rfc3339_opts(SecondsFormat::Nanos, true));
    if size > HASH_LIMIT {
        return Ok(Facts {
            modified,
            sha256: None,
        });
    }
    // The SDK checked just before that this is a regular file (a FIFO would block `open`); a
    // path swapped for one in between is the race `FileSource::open` documents.
    let file = std::fs::File::open(path).map_err(cannot)?;
    let mut hasher = Sha256::new();
    let buffer_size =
        usize::try_from(size.saturating_add(1)).map_or(64 * 1024, |n| n.min(64 * 1024));
    let mut buffer = vec![0u8; buffer_size];
    let mut read = 0u64;
    // At most HASH_LIMIT + 1 bytes are read, whatever the file does meanwhile.
    let mut limited = file.take(HASH_LIMIT + 1);
    loop {
        let count = limited.read(&mut buffer).map_err(cannot)?;
        if count == 0 {
            break;
        }
        hasher.update(&buffer[..count]);
        read += count as u64;
    }
    if read != size {
        return Err(format!(
            "{} changed while it was checked ({size} bytes, then {read}); check it again once nothing writes to it",
            path.display()
        ));
    }
    let sha256 = hasher
        .finalize()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    Ok(Facts {
        modified,
        sha256: Some(sha256),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_files_are_hashed_and_a_changed_size_is_noticed() {
        let dir = match tempfile::tempdir() {
            Ok(dir) => dir,
            Err(e) => panic!("{e}"),
        };
        let path = dir.path().join("a.txt");
        assert!(std::fs::write(&path, b"abc").is_ok());
        let facts = read_blocking(&path, 3);
        assert_eq!(
            facts.as_ref().ok().and_then(|f| f.sha256.as_deref()),
            Some("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        );
        assert!(facts.is_ok_and(|f| f.modified.is_some()));
        let changed = read_blocking(&path, 4);
        assert!(changed.is_err_and(|e| e.contains("changed while it was checked")));
    }
}
