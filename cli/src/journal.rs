//! The `upload-many` journal: one JSON line per event of a manifest line, appended as it
//! happens. `started` is written before an upload is sent; `ok`, `stored_unverified`, `error` or
//! `unknown` when it ends, flushed and fsync'd before the result is reported, so a killed run loses nothing that
//! completed and knows which uploads were in flight. A re-run reads the last record of each
//! manifest line, matched by line number, module, record id and path together.
//!
//! Records are written by one thread that takes every record waiting and writes them with a
//! single write and a single fsync (group commit), so concurrent uploads do not queue behind
//! one fsync each. The journal file is locked while a run uses it.

use std::collections::{HashMap, HashSet};
use std::io::{Read as _, Seek as _, SeekFrom, Write as _};
use std::path::Path;

use chrono::{DateTime, FixedOffset, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use tokio::sync::oneshot;

/// What happened to a manifest line.
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
}

impl Status {
    /// Whether the line's file is attached, so a re-run leaves it alone.
    pub fn is_done(self) -> bool {
        matches!(self, Status::Ok | Status::StoredUnverified)
    }
}

/// One journal line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// The manifest line number.
    pub line: u64,
    /// The path as the manifest gives it.
    pub path: String,
    /// The module's API name.
    pub module: String,
    /// The record id.
    pub record_id: String,
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
    /// The error code (status `error` or `unknown`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// The error message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Set when a later run found the file on the record instead of uploading it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub found_on_record: bool,
}

impl Record {
    /// A record of `status` for a manifest line, stamped now.
    pub fn new(key: &Key, status: Status) -> Self {
        Record {
            line: key.line,
            path: key.path.clone(),
            module: key.module.clone(),
            record_id: key.record_id.clone(),
            status,
            at: now(),
            id: None,
            name: None,
            bytes: None,
            code: None,
            message: None,
            found_on_record: false,
        }
    }

    /// The manifest line it is about.
    pub fn key(&self) -> Key {
        Key {
            line: self.line,
            module: self.module.clone(),
            record_id: self.record_id.clone(),
            path: self.path.clone(),
        }
    }
}

/// The current time as the journal writes it.
pub fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// What identifies a manifest line across runs.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Key {
    /// The line number.
    pub line: u64,
    /// The module's API name.
    pub module: String,
    /// The record id.
    pub record_id: String,
    /// The path as the manifest gives it.
    pub path: String,
}

/// The state of a manifest line according to the journal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Last {
    /// Its last record's status.
    pub status: Status,
    /// When its latest attempt started, if the journal says.
    pub started_at: Option<DateTime<FixedOffset>>,
}

/// What earlier runs did.
#[derive(Debug, Default)]
pub struct History {
    /// The state of each manifest line the journal mentions.
    pub last: HashMap<Key, Last>,
    /// Attachment ids the journal records as uploaded.
    pub attached_ids: HashSet<String>,
    /// Lines that are not journal records (e.g. cut short by a crash).
    pub unreadable_lines: usize,
}

/// Reads the journal at `path` (none yet is an empty history).
pub fn load(path: &Path) -> std::io::Result<History> {
    let text = match std::fs::read(path) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(History::default()),
        Err(e) => return Err(e),
    };
    let mut history = History::default();
    for line in text.lines().filter(|line| !line.trim().is_empty()) {
        let Ok(record) = serde_json::from_str::<Record>(line) else {
            history.unreadable_lines += 1;
            continue;
        };
        if let (Status::Ok | Status::StoredUnverified, Some(id)) = (record.status, &record.id) {
            history.attached_ids.insert(id.clone());
        }
        let started_at = match record.status {
            Status::Started => DateTime::parse_from_rfc3339(&record.at).ok(),
            _ => history
                .last
                .get(&record.key())
                .and_then(|last| last.started_at),
        };
        history.last.insert(
            record.key(),
            Last {
                status: record.status,
                started_at,
            },
        );
    }
    Ok(history)
}

type Job = (Vec<u8>, bool, oneshot::Sender<std::io::Result<()>>);

/// Appends records; cheap to clone.
#[derive(Clone, Debug)]
pub struct Writer {
    jobs: std::sync::mpsc::Sender<Job>,
}

/// Why the journal cannot be opened for writing.
#[derive(Debug)]
pub enum OpenError {
    /// Another run holds its lock.
    Locked,
    /// An I/O error.
    Io(std::io::Error),
}

impl Writer {
    /// Opens (creating) the journal for appending and locks it against other runs.
    pub fn open(path: &Path) -> Result<Writer, OpenError> {
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(path)
            .map_err(OpenError::Io)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => return Err(OpenError::Locked),
            Err(std::fs::TryLockError::Error(e)) => return Err(OpenError::Io(e)),
        }
        // A line cut short by a crash must not swallow the next record.
        let length = file.metadata().map_err(OpenError::Io)?.len();
        if length > 0 {
            let mut last = [0u8; 1];
            file.seek(SeekFrom::Start(length - 1))
                .and_then(|_| file.read_exact(&mut last))
                .map_err(OpenError::Io)?;
            if last[0] != b'\n' {
                file.write_all(b"\n").map_err(OpenError::Io)?;
            }
        }
        let (jobs, queue) = std::sync::mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("journal".to_owned())
            .spawn(move || write_loop(file, &queue))
            .map_err(OpenError::Io)?;
        Ok(Writer { jobs })
    }

    /// Appends `record`; with `sync`, returns only once it is on disk (fsync'd), else once it
    /// is written to the file (which a killed process does not lose).
    pub async fn append(&self, record: &Record, sync: bool) -> std::io::Result<()> {
        let mut line = serde_json::to_vec(record).map_err(std::io::Error::other)?;
        line.push(b'\n');
        let (done, result) = oneshot::channel();
        self.jobs
            .send((line, sync, done))
            .map_err(|_| std::io::Error::other("the journal writer has stopped"))?;
        result
            .await
            .map_err(|_| std::io::Error::other("the journal writer has stopped"))?
    }
}

fn write_loop(mut file: std::fs::File, queue: &std::sync::mpsc::Receiver<Job>) {
    while let Ok(first) = queue.recv() {
        let mut batch = vec![first];
        batch.extend(queue.try_iter());
        let mut bytes = Vec::new();
        let mut sync = false;
        for (line, needs_sync, _) in &batch {
            bytes.extend_from_slice(line);
            sync |= *needs_sync;
        }
        let result = file
            .write_all(&bytes)
            .and_then(|()| file.flush())
            .and_then(|()| if sync { file.sync_data() } else { Ok(()) });
        for (_, _, done) in batch {
            let _ = done.send(match &result {
                Ok(()) => Ok(()),
                Err(e) => Err(std::io::Error::new(e.kind(), e.to_string())),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(line: u64, path: &str) -> Key {
        Key {
            line,
            module: "Leads".into(),
            record_id: "1".into(),
            path: path.into(),
        }
    }

    #[tokio::test]
    async fn the_last_record_of_each_line_counts_and_torn_lines_are_skipped() {
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
        assert!(matches!(Writer::open(&path), Err(OpenError::Locked)));
        let started = Record::new(&key(2, "a"), Status::Started);
        let mut ok = Record::new(&key(2, "a"), Status::Ok);
        ok.id = Some("77".into());
        assert!(writer.append(&started, false).await.is_ok());
        assert!(writer.append(&ok, true).await.is_ok());
        assert!(
            writer
                .append(&Record::new(&key(3, "b"), Status::Started), true)
                .await
                .is_ok()
        );
        let history = match load(&path) {
            Ok(history) => history,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(history.unreadable_lines, 1);
        assert_eq!(
            history.last.get(&key(2, "a")).map(|l| l.status),
            Some(Status::Ok)
        );
        assert!(
            history
                .last
                .get(&key(2, "a"))
                .is_some_and(|l| l.started_at.is_some())
        );
        assert_eq!(
            history.last.get(&key(3, "b")).map(|l| l.status),
            Some(Status::Started)
        );
        // Another path on the same line is another item.
        assert!(!history.last.contains_key(&key(2, "other")));
        assert!(history.attached_ids.contains("77"));
    }
}
