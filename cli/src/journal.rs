//! The `upload-many` journal: one JSON line per event of a manifest line, appended as it
//! happens. Its writer ([`Writer`], any serialisable record) and line reader
//! ([`for_each_record`]) also serve `download-many`'s journal. `started` is written before an
//! upload is sent; `ok`, `stored_unverified`, `error` or `unknown` when it ends, flushed and
//! fsync'd before the result is reported, so a killed run loses nothing that completed and
//! knows which uploads were in flight.
//!
//! A record says what it is about by what the upload is, not by where the manifest mentions it:
//! module, record id, the file's resolved path, its size, its content's fingerprint (SHA-256
//! for small files, else the modification time, see [`crate::fingerprint`]) and which copy of
//! it (see [`crate::manifest::number_copies`]). So inserting, removing, reordering or blanking
//! manifest lines never makes a done upload look new, and a file changed since is a new upload.
//! The line number and the path as given are kept for people to read.
//!
//! Journals of earlier versions keyed records by line number; their records have no `file`.
//! They are matched by module, record id and the path as the manifest gives it (and the size,
//! when the record has it), whatever the line number, and apply to the first copy only.
//!
//! Records are written by one thread that takes every record waiting and writes them with a
//! single write; a second thread makes them durable with one fsync for all those waiting
//! (group commit), so concurrent uploads do not queue behind one fsync each, and a `started`
//! record (which need not reach the disk before the upload) never waits for an fsync. The journal file is locked while a run uses it.

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, Read as _, Seek as _, SeekFrom, Write as _};
use std::path::Path;

use chrono::{DateTime, FixedOffset, SecondsFormat, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use tokio::sync::oneshot;

use crate::exit::Exit;
use crate::failure::Failure;
use crate::manifest::Entry;
use crate::output::Output;
use crate::regular_file::{self, Refused};

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
    /// The SHA-256 of its content, for files up to [`crate::fingerprint::HASH_LIMIT`].
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
    /// Set when a later run found the file on the record instead of uploading it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub found_on_record: bool,
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
            found_on_record: false,
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

/// Reads the journal at `path` with `load`; when it cannot be used, says so and gives the exit
/// code that ends the run (nothing was sent). Lines that are not records (`unreadable` of the
/// history counts them) are warned about and ignored.
pub fn load_or_report<H>(
    output: &Output,
    path: &Path,
    load: impl FnOnce(&Path) -> std::io::Result<H>,
    unreadable: impl FnOnce(&H) -> usize,
) -> Result<H, Exit> {
    let history = load(path).map_err(|e| {
        let failure = Failure::invalid(format!("cannot read the journal {}: {e}", path.display()));
        output.fail("the journal cannot be used", &failure);
        Exit::BadInput
    })?;
    let lines = unreadable(&history);
    if lines > 0 {
        output.warn(format!(
            "{lines} line(s) of the journal {} are not records (cut short by a crash?) and are ignored",
            path.display()
        ));
    }
    Ok(history)
}

/// The current time as the journal writes it.
pub fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)
}

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
    /// Its content's SHA-256, when known (see [`crate::fingerprint`]).
    pub sha256: Option<&'a str>,
    /// Its modification time: the fingerprint when the hash is not known.
    pub modified: Option<&'a str>,
    /// Which copy of the same file for the same record.
    pub copy: u32,
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
        let mut text = |value: &str| {
            digest.update((value.len() as u64).to_le_bytes());
            digest.update(value.as_bytes());
        };
        text(self.module);
        text(self.record_id);
        text(self.file);
        match (self.sha256, self.modified) {
            (Some(hash), _) => {
                text("sha256");
                text(hash);
            }
            (None, Some(time)) => {
                text("modified");
                text(time);
            }
            (None, None) => text("size only"),
        }
        digest.update(self.size.to_le_bytes());
        digest.update(self.copy.to_le_bytes());
        Key(digest.finalize().into())
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
        if entry.copy != 1 {
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

/// The longest journal line read as a record; a longer one (no record is near it) is counted
/// unreadable and skipped without being held whole.
pub const MAX_RECORD_BYTES: usize = 1024 * 1024;

/// Reads the journal at `path` (none yet is an empty history), a line at a time: memory grows
/// with the number of uploads it mentions, not with its length. Only a regular file is read or
/// later opened for appending: a FIFO would block either.
pub fn load(path: &Path) -> std::io::Result<History> {
    match open_regular(path)? {
        Some(file) => replay(file),
        None => Ok(History::default()),
    }
}

/// The journal at `path` for reading, or `None` when there is none yet. Only a regular file
/// is opened: a FIFO would block the read (and later the append).
pub fn open_regular(path: &Path) -> std::io::Result<Option<std::io::BufReader<std::fs::File>>> {
    match regular_file::open(path) {
        Ok((file, _)) => Ok(Some(std::io::BufReader::new(file))),
        Err(Refused::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(Refused::Io(e)) => Err(e),
        Err(Refused::NotRegular | Refused::TooBig(_)) => Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "it is not a regular file (a directory, a FIFO or a device); give --journal the path of a file",
        )),
    }
}

/// Replays a journal: the last state of every upload it mentions (lines that are not whole
/// records, such as one cut off by a crash, or longer than [`MAX_RECORD_BYTES`], are counted
/// and skipped).
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

/// Reads a journal of JSON lines a line at a time, handing each record of type `T` to
/// `apply`; returns how many lines were not such records (cut off by a crash, say, or longer
/// than [`MAX_RECORD_BYTES`], which are skipped without being held whole). Blank lines are
/// skipped.
pub fn for_each_record<T: DeserializeOwned>(
    mut journal: impl BufRead,
    mut apply: impl FnMut(T),
) -> std::io::Result<usize> {
    let mut unreadable = 0;
    let mut line = Vec::new();
    loop {
        line.clear();
        let (read, whole) = read_line(&mut journal, &mut line)?;
        if read == 0 {
            return Ok(unreadable);
        }
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let record = match whole {
            true => serde_json::from_slice::<T>(&line).ok(),
            false => None,
        };
        match record {
            Some(record) => apply(record),
            None => unreadable += 1,
        }
    }
}

/// Reads one line (without its end) into `line`, keeping at most [`MAX_RECORD_BYTES`] of it:
/// the bytes consumed (0 at the end) and whether the line fitted.
fn read_line(journal: &mut impl BufRead, line: &mut Vec<u8>) -> std::io::Result<(usize, bool)> {
    let mut consumed = 0;
    loop {
        let available = match journal.fill_buf() {
            Ok(available) => available,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            return Ok((consumed, line.len() <= MAX_RECORD_BYTES));
        }
        let (chunk, ends) = match available.iter().position(|&b| b == b'\n') {
            Some(end) => (&available[..end], Some(end + 1)),
            None => (available, None),
        };
        let room = (MAX_RECORD_BYTES + 1).saturating_sub(line.len());
        line.extend_from_slice(&chunk[..chunk.len().min(room)]);
        let used = ends.unwrap_or(available.len());
        journal.consume(used);
        consumed += used;
        if ends.is_some() {
            return Ok((consumed, line.len() <= MAX_RECORD_BYTES));
        }
    }
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

/// Where a record's outcome is told.
type Done = oneshot::Sender<std::io::Result<()>>;
/// A record's line, whether it must reach the disk, and where its outcome is told.
type Job = (Vec<u8>, bool, Done);

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
        let syncing = file.try_clone().map_err(OpenError::Io)?;
        let (to_sync, sync_queue) = std::sync::mpsc::channel::<Done>();
        std::thread::Builder::new()
            .name("journal-sync".to_owned())
            .spawn(move || sync_loop(&syncing, &sync_queue))
            .map_err(OpenError::Io)?;
        let (jobs, queue) = std::sync::mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("journal".to_owned())
            .spawn(move || write_loop(file, &queue, &to_sync))
            .map_err(OpenError::Io)?;
        Ok(Writer { jobs })
    }

    /// Appends `record` as one JSON line; with `sync`, returns only once it is on disk
    /// (fsync'd), else once it is written to the file (which a killed process does not lose).
    pub async fn append(&self, record: &impl Serialize, sync: bool) -> std::io::Result<()> {
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

/// Writes every record waiting with one write. Those that need not be on disk are answered at
/// once; the others go to [`sync_loop`], so a record waiting to be written never waits for an
/// fsync of records before it (an upload journaled as `started` starts without waiting for
/// others' results to reach the disk).
fn write_loop(
    mut file: std::fs::File,
    queue: &std::sync::mpsc::Receiver<Job>,
    to_sync: &std::sync::mpsc::Sender<Done>,
) {
    while let Ok(first) = queue.recv() {
        let mut batch = vec![first];
        batch.extend(queue.try_iter());
        let mut bytes = Vec::new();
        for (line, _, _) in &batch {
            bytes.extend_from_slice(line);
        }
        let written = file.write_all(&bytes).and_then(|()| file.flush());
        for (_, needs_sync, done) in batch {
            match &written {
                Ok(()) if needs_sync => {
                    if let Err(unsent) = to_sync.send(done) {
                        let _ = unsent.0.send(Err(std::io::Error::other(
                            "the journal's fsync thread has stopped",
                        )));
                    }
                }
                Ok(()) => {
                    let _ = done.send(Ok(()));
                }
                Err(e) => {
                    let _ = done.send(Err(std::io::Error::new(e.kind(), e.to_string())));
                }
            }
        }
    }
}

/// Makes written records durable: one fsync for every record waiting (group commit), each
/// written before the fsync starts, then answers them.
fn sync_loop(file: &std::fs::File, queue: &std::sync::mpsc::Receiver<Done>) {
    while let Ok(first) = queue.recv() {
        let mut batch = vec![first];
        batch.extend(queue.try_iter());
        let synced = file.sync_data();
        for done in batch {
            let _ = done.send(match &synced {
                Ok(()) => Ok(()),
                Err(e) => Err(std::io::Error::new(e.kind(), e.to_string())),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fingerprint::Facts;

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
        assert!(matches!(Writer::open(&path), Err(OpenError::Locked)));
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
    fn a_key_is_every_part_and_the_hash_wins_over_the_modification_time() {
        let parts = KeyParts {
            module: "Leads",
            record_id: "1",
            file: "/data/a",
            size: 3,
            sha256: Some("ab"),
            modified: Some("t1"),
            copy: 1,
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

    #[test]
    fn an_overlong_line_is_skipped_unread_and_the_records_around_it_count() {
        let a = entry(2, "a", "aa");
        let b = entry(3, "b", "bb");
        let record =
            |entry: &Entry, status| match serde_json::to_string(&Record::new(entry, status)) {
                Ok(json) => json,
                Err(e) => panic!("{e}"),
            };
        // A line of 3 MiB that would be a record but for its length, then two whole ones, the
        // last without its end of line; blank lines are not records.
        let long = format!(
            "{{\"line\":9,\"path\":\"{}\"}}",
            "x".repeat(3 * MAX_RECORD_BYTES)
        );
        let text = [
            record(&a, Status::Started),
            long,
            String::new(),
            record(&a, Status::Ok),
            record(&b, Status::Started),
        ]
        .join("\n");
        // A reader that hands out a few bytes at a time, as a pipe might.
        let reader = std::io::BufReader::with_capacity(7, text.as_bytes());
        let history = match replay(reader) {
            Ok(history) => history,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(history.unreadable_lines, 1);
        assert_eq!(history.last(&a).map(|l| l.status), Some(Status::Ok));
        assert_eq!(history.last(&b).map(|l| l.status), Some(Status::Started));
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
        // Only the first copy.
        assert!(history.last(&Entry { copy: 2, ..a }).is_none());
    }
}
