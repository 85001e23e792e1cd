//! What identifies an `upload-many` upload across runs and manifest edits: the SHA-256 of its
//! module, record id, resolved file, size, content fingerprint and copy number.

use sha2::{Digest as _, Sha256};

/// What identifies an upload across runs and manifest edits, as its parts (borrowed from a
/// manifest line or a journal record).
#[derive(Clone, Copy, Debug)]
pub struct KeyParts<'a> {
    /// The module's API name.
    pub module: &'a str,
    /// The record id.
    pub record_id: &'a str,
    /// The file, resolved.
    pub file: &'a str,
    /// Its size in bytes.
    pub size: u64,
    /// Its content's SHA-256, when known (see [`super::fingerprint`]).
    pub sha256: Option<&'a str>,
    /// Its modification time: the fingerprint when the hash is not known.
    pub modified: Option<&'a str>,
    /// Which copy of the same file for the same record.
    pub copy: u32,
    /// Where it goes, unless an attachment (see [`super::target::Target::label`]).
    pub target: Option<&'a str>,
}

/// An upload's identity: the SHA-256 of its [`KeyParts`], the fingerprint being the content's
/// hash when known, else the modification time, else none. A digest rather than the parts, so
/// the history of 100,000 uploads holds 32 bytes for each instead of four strings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Key([u8; 32]);

impl KeyParts<'_> {
    /// The key of these parts.
    pub fn key(&self) -> Key {
        let mut digest = Sha256::new();
        // Each text is preceded by its length, so no two sets of parts read the same.
        add_text(&mut digest, self.module);
        add_text(&mut digest, self.record_id);
        add_text(&mut digest, self.file);
        match (self.sha256, self.modified) {
            (Some(hash), _) => {
                add_text(&mut digest, "sha256");
                add_text(&mut digest, hash);
            }
            (None, Some(time)) => {
                add_text(&mut digest, "modified");
                add_text(&mut digest, time);
            }
            (None, None) => add_text(&mut digest, "size only"),
        }
        digest.update(self.size.to_le_bytes());
        digest.update(self.copy.to_le_bytes());
        // Absent for an attachment: keys from before targets existed stay the same.
        if let Some(target) = self.target {
            add_text(&mut digest, "target");
            add_text(&mut digest, target);
        }
        Key(digest.finalize().into())
    }
}

/// Adds a text, preceded by its length, to `digest`.
fn add_text(digest: &mut Sha256, value: &str) {
    digest.update((value.len() as u64).to_le_bytes());
    digest.update(value.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_every_part_and_the_hash_wins_over_the_modification_time() {
        let parts = KeyParts {
            module: "Leads",
            record_id: "1",
            file: "/data/a",
            size: 3,
            sha256: Some("ab"),
            modified: Some("t1"),
            copy: 1,
            target: None,
        };
        let key = parts.key();
        assert_eq!(
            key,
            KeyParts {
                modified: Some("t2"),
                ..parts
            }
            .key()
        );
        let by_time = KeyParts {
            sha256: None,
            ..parts
        };
        assert_ne!(
            by_time.key(),
            KeyParts {
                modified: Some("t2"),
                ..by_time
            }
            .key()
        );
        assert_ne!(
            by_time.key(),
            KeyParts {
                modified: None,
                ..by_time
            }
            .key()
        );
        for other in [
            KeyParts {
                module: "Contacts",
                ..parts
            },
            KeyParts {
                record_id: "2",
                ..parts
            },
            KeyParts {
                file: "/data/b",
                ..parts
            },
            KeyParts { size: 4, ..parts },
            KeyParts {
                sha256: Some("ac"),
                ..parts
            },
            KeyParts { copy: 2, ..parts },
            KeyParts {
                target: Some("photo"),
                ..parts
            },
            // The same text split differently is another key.
            KeyParts {
                module: "Leads1",
                record_id: "",
                ..parts
            },
        ] {
            assert_ne!(key, other.key(), "{other:?}");
        }
    }
}
