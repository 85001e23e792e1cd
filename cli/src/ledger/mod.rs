//! The ledger: what this machine's runs spent of one organisation's daily API credits, in a
//! small file beside the token file (`ledger-<key>.jsonl`, the key a hash of the data centre,
//! environment, URLs and client id or token file, so it holds no secret). One JSON line per
//! event: a finished run's spend (`run`), a budget a run reserved when it started
//! (`reserve`), and what a run that reserved actually spent (`settle`). Lines are appended under
//! a lock file; lines older than a week are dropped when the file is rewritten (atomically,
//! under the lock). [`Session`] is the one place a run reserves and records its spend.

mod entry;
mod session;
mod store;
mod tally;

use std::path::{Path, PathBuf};

use sha2::{Digest as _, Sha256};

pub use session::{Session, warn_skipped};
pub use store::read;
pub use tally::{Totals, WINDOW, by, spends, totals};

/// Where one organisation's ledger is kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Place {
    /// The ledger file.
    pub file: PathBuf,
    /// The lock file that guards it (never replaced, unlike the ledger).
    lock: PathBuf,
}

impl Place {
    /// The ledger in `folder` for the organisation `organisation` describes (the text is
    /// hashed, never stored).
    pub fn new(folder: &Path, organisation: &str) -> Self {
        let digest = Sha256::digest(organisation.as_bytes());
        let key: String = digest
            .iter()
            .take(8)
            .map(|byte| format!("{byte:02x}"))
            .collect();
        Place {
            file: folder.join(format!("ledger-{key}.jsonl")),
            lock: folder.join(format!("ledger-{key}.lock")),
        }
    }

    /// The folder the ledger is in.
    fn folder(&self) -> &Path {
        self.file.parent().unwrap_or(Path::new("."))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_organisation_has_its_own_file_named_by_a_hash() {
        let a = Place::new(Path::new("/c"), "dc=eu;client=1000.A");
        let b = Place::new(Path::new("/c"), "dc=eu;client=1000.B");
        assert_ne!(a.file, b.file);
        assert_eq!(a, Place::new(Path::new("/c"), "dc=eu;client=1000.A"));
        let name = a.file.to_string_lossy().into_owned();
        assert!(
            name.starts_with("/c/ledger-") && name.ends_with(".jsonl"),
            "{name}"
        );
        assert!(!name.contains("1000.A"), "{name}");
        assert_eq!(a.folder(), Path::new("/c"));
    }
}
