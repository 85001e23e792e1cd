//! The `upload-many` journal's records, written with the shared [`crate::journal::Writer`]:
//! `started` before an upload is sent; `ok`, `stored_unverified`, `error`, `unknown` or
//! `held_back` (not sent: the budget of credits was spent) when it ends, fsync'd before the result is reported. Replaying them gives each upload's last state.
//!
//! A record says what it is about by what the upload is, not by where the manifest mentions it:
//! module, record id, the file's resolved path, its size, its content's fingerprint (SHA-256
//! for small files, else the modification time, see [`super::fingerprint`]) and which copy of
//! it (see [`super::manifest::number_copies`]), hashed into a [`Key`]. So inserting, removing,
//! reordering or blanking manifest lines never makes a done upload look new, and a file changed
//! since is a new upload. The line number and the path as given are kept for people to read.
//!
//! Journals of earlier versions keyed records by line number; their records have no `file`.
//! They are matched by module, record id and the path as the manifest gives it (and the size,
//! when the record has it), whatever the line number, and apply to the first copy only.

use std::collections::{HashMap, HashSet};
use std::io::BufRead;
use std::path::Path;

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use super::key::{Key, KeyParts};
use super::manifest::Entry;
use crate::journal::{for_each_record, now, open_regular};

/// What happened to an upload.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// The upload was about to be sent.
    Started,
    /// It was attached (`id` says as what).
    Ok,
    /// Zoho said it was stored, but its answer could not be read (`id` when it gave one):
    /// done, and never uploaded again.
    #[serde(rename = "stored_unverified")]
    StoredUnverified,
    /// It failed and was not attached.
    Error,
    /// It failed in a way that may have attached it anyway.
    Unknown,
    /// Not sent: the run's budget of credits (`--max-credits`) was spent before it; a later
    /// run uploads it (it is no failure).
    #[serde(rename = "held_back")]
    HeldBack,
}

impl Status {
    /// Whether the file is attached, so a re-run leaves it alone.
    pub fn is_done(self) -> bool {
        matches!(self, Status::Ok | Status::StoredUnverified)
    }
}

/// One journal line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// The manifest line number (for people; not part of the identity).
    pub line: u64,
    /// The path as the manifest gives it.
    pub path: String,
    /// The module's API name.
    pub module: String,
    /// The record id.
    pub record_id: String,
    /// The file, resolved (absolute, symbolic links followed); absent in journals of earlier
    /// versions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// What happened.
    pub status: Status,
    /// When (RFC 3339, UTC).
    pub at: String,
    /// The attachment id (status `ok`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The name it was uploaded under.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Its size in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bytes: Option<u64>,
    /// Its modification time when checked (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified: Option<String>,
    /// The SHA-256 of its content, for files up to [`super::fingerprint::HASH_LIMIT`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// Which copy of the same file for the same record (written when above 1).
    #[serde(default = "first_copy", skip_serializing_if = "is_first_copy")]
    pub copy: u32,
    /// The error code (status `error` or `unknown`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// The error message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Where the file went (`photo`, `field:<API name>`); absent for an attachment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// Set when a later run found the file on the record instead of uploading it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub found_on_record: bool,
    /// Set when `--skip-existing` found the file in Zoho (of the same name and size, or the
    /// record's photo) instead of uploading it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub already_in_zoho: bool,
}

fn first_copy() -> u32 {
    1
}

fn is_first_copy(copy: &u32) -> bool {
    *copy == 1
}

impl Record {
    /// A record of `status` for a manifest line's upload, stamped now.
    pub fn new(entry: &Entry, status: Status) -> Self {
        Record {
            line: entry.line,
            path: entry.path.clone(),
            module: entry.module.api_name().to_owned(),
            record_id: entry.record_id.clone(),
            file: Some(entry.file.to_string_lossy().into_owned()),
            status,
            at: now(),
            id: None,
            name: Some(entry.name.clone()),
            bytes: Some(entry.size),
            modified: entry.facts.modified.clone(),
            sha256: entry.facts.sha256.clone(),
            copy: entry.copy,
            code: None,
            message: None,
            target: entry.target.label(),
            found_on_record: false,
            already_in_zoho: false,
        }
    }

    /// The upload it is about; `None` for a record of an earlier version (no `file`).
    fn key(&self) -> Option<Key> {
        let parts = KeyParts {
            module: &self.module,
            record_id: &self.record_id,
            file: self.file.as_deref()?,
            size: self.bytes?,
            sha256: self.sha256.as_deref(),
            modified: self.modified.as_deref(),
            copy: self.copy,
            target: self.target.as_deref(),
        };
        Some(parts.key())
    }

    /// How a record of an earlier version is matched.
    fn legacy_key(&self) -> LegacyKey {
        LegacyKey {
            module: self.module.clone(),
            record_id: self.record_id.clone(),
            path: self.path.clone(),
        }
    }
}

/// What identified a manifest line in journals of earlier versions, less the line number.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct LegacyKey {
    module: String,
    record_id: String,
    path: String,
}

/// The state of an upload according to the journal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Last {
    /// Its last record's status.
    pub status: Status,
    /// When its latest attempt started, if the journal says.
    pub started_at: Option<DateTime<FixedOffset>>,
    /// Its size, if the journal says.
    bytes: Option<u64>,
}

/// What earlier runs did.
#[derive(Debug, Default)]
pub struct History {
    /// The state of each upload the journal mentions.
    last: HashMap<Key, Last>,
    /// The state of each path records of an earlier version mention.
    legacy: HashMap<LegacyKey, Last>,
    /// Attachment ids the journal records as uploaded.
    pub attached_ids: HashSet<String>,
    /// Lines that are not journal records (e.g. cut short by a crash).
    pub unreadable_lines: usize,
    /// Records of an earlier version (matched by path, see the module's documentation).
    pub legacy_records: usize,
}

impl History {
    /// The state of a manifest line's upload: its own records, else (for a first copy) those
    /// an earlier version wrote for the same module, record and path, if the size agrees.
    pub fn last(&self, entry: &Entry) -> Option<&Last> {
        if let Some(last) = self.last.get(&entry.key()) {
            return Some(last);
        }
        // Journals of earlier versions knew only attachments.
        if entry.copy != 1 || entry.target != super::target::Target::Attachment {
            return None;
        }
        let legacy = LegacyKey {
            module: entry.module.api_name().to_owned(),
            record_id: entry.record_id.clone(),
            path: entry.path.clone(),
        };
        self.legacy
            .get(&legacy)
            .filter(|last| last.bytes.is_none_or(|bytes| bytes == entry.size))
    }
}

/// Reads the journal at `path` (none yet is an empty history), a line at a time: memory grows
/// with the number of uploads it mentions, not with its length. Only a regular file is read or
/// later opened for appending: a FIFO would block either.
pub fn load(path: &Path) -> std::io::Result<History> {
    match open_regular(path)? {
        Some(file) => replay(file),
        None => Ok(History::default()),
    }
}

/// Replays a journal: the last state of every upload it mentions (lines that are not whole
/// records, such as one cut off by a crash, or longer than the shared reader takes (1 MiB),
/// are counted and skipped).
pub fn replay(journal: impl BufRead) -> std::io::Result<History> {
    let mut history = History::default();
    history.unreadable_lines = for_each_record(journal, |record: Record| {
        if let (Status::Ok | Status::StoredUnverified, Some(id)) = (record.status, &record.id) {
            history.attached_ids.insert(id.clone());
        }
        match record.key() {
            Some(key) => update(&mut history.last, key, &record),
            None => {
                history.legacy_records += 1;
                update(&mut history.legacy, record.legacy_key(), &record);
            }
        }
    })?;
    Ok(history)
}

/// Makes `record` the last of `key`, keeping the start time and size of earlier ones when it
/// does not say.
fn update<K: std::hash::Hash + Eq>(last: &mut HashMap<K, Last>, key: K, record: &Record) {
    let earlier = last.get(&key);
    let started_at = match record.status {
        Status::Started => DateTime::parse_from_rfc3339(&record.at).ok(),
        _ => earlier.and_then(|last| last.started_at),
    };
    let bytes = record.bytes.or(earlier.and_then(|last| last.bytes));
    last.insert(
        key,
        Last {
            status: record.status,
            started_at,
            bytes,
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::upload_many::fingerprint::Facts;
    use crate::commands::upload_many::target::Target;
    use crate::journal::Writer;

    fn entry(line: u64, path: &str, sha256: &str) -> Entry {
        Entry {
            line,
            module: "Leads".parse().unwrap_or_else(|e| panic!("{e}")),
            record_id: "1".into(),
            path: path.into(),
            file: format!("/data/{path}").into(),
            name: path.into(),
            size: 3,
            facts: Facts {
                modified: Some("2024-01-01T00:00:00.000000000Z".into()),
                sha256: Some(sha256.into()),
            },
            copy: 1,
            target: Target::Attachment,
        }
    }

    #[tokio::test]
    async fn the_last_record_of_each_upload_counts_and_torn_lines_are_skipped() {
        let dir = match tempfile::tempdir() {
            Ok(dir) => dir,
            Err(e) => panic!("{e}"),
        };
        let path = dir.path().join("j");
        // A crash left half a line behind.
        assert!(std::fs::write(&path, "{\"line\":9,\"pa").is_ok());
        let writer = match Writer::open(&path) {
            Ok(writer) => writer,
            Err(e) => panic!("{e:?}"),
        };
        let a = entry(2, "a", "aa");
        let mut ok = Record::new(&a, Status::Ok);
        ok.id = Some("77".into());
        assert!(
            writer
                .append(&Record::new(&a, Status::Started), false)
                .await
                .is_ok()
        );
        assert!(writer.append(&ok, true).await.is_ok());
        let b = entry(3, "b", "bb");
        assert!(
            writer
                .append(&Record::new(&b, Status::Started), true)
                .await
                .is_ok()
        );
        let history = match load(&path) {
            Ok(history) => history,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(history.unreadable_lines, 1);
        // Found whatever line now names it.
        let moved = entry(40, "a", "aa");
        assert_eq!(history.last(&moved).map(|l| l.status), Some(Status::Ok));
        assert!(history.last(&moved).is_some_and(|l| l.started_at.is_some()));
        assert_eq!(history.last(&b).map(|l| l.status), Some(Status::Started));
        // Other content, or a second copy, is another upload.
        assert!(history.last(&entry(2, "a", "changed")).is_none());
        let second = Entry { copy: 2, ..moved };
        assert!(history.last(&second).is_none());
        assert!(history.attached_ids.contains("77"));
    }

    #[test]
    fn records_of_earlier_versions_are_matched_by_path_and_size_not_line() {
        let dir = match tempfile::tempdir() {
            Ok(dir) => dir,
            Err(e) => panic!("{e}"),
        };
        let path = dir.path().join("j");
        let old = [
            r#"{"line":2,"path":"a","module":"Leads","record_id":"1","status":"started","at":"2024-01-01T00:00:00.000Z","bytes":3}"#,
            r#"{"line":2,"path":"a","module":"Leads","record_id":"1","status":"ok","at":"2024-01-01T00:00:01.000Z","id":"5","bytes":3}"#,
            r#"{"line":3,"path":"b","module":"Leads","record_id":"1","status":"ok","at":"2024-01-01T00:00:01.000Z","id":"6","bytes":99}"#,
        ];
        assert!(std::fs::write(&path, old.join("\n")).is_ok());
        let history = match load(&path) {
            Ok(history) => history,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(history.legacy_records, 3);
        let a = entry(7, "a", "aa");
        assert_eq!(history.last(&a).map(|l| l.status), Some(Status::Ok));
        // b's size differs: it changed since, so it is not done.
        assert!(history.last(&entry(3, "b", "bb")).is_none());
        // Only the first copy, and only for an attachment.
        assert!(
            history
                .last(&Entry {
                    copy: 2,
                    ..a.clone()
                })
                .is_none()
        );
        assert!(
            history
                .last(&Entry {
                    target: Target::Photo,
                    ..a
                })
                .is_none()
        );
    }
}
