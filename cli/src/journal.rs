//! The journals of the bulk commands: one JSON line per event, appended as it happens, so a
//! killed run loses nothing that completed and knows what was in flight. This is what
//! `upload-many` and `download-many` share: the [`Writer`] (any serialisable record), the line
//! reader [`for_each_record`], opening a journal to read it, and reporting one that cannot be
//! used. Each command's records, and what replaying them means, live beside the command.
//!
//! Records are written by one thread that takes every record waiting and writes them with a
//! single write; a second thread makes them durable with one fsync for all those waiting
//! (group commit), so concurrent transfers do not queue behind one fsync each, and a record
//! that need not reach the disk (`started`, say) never waits for an fsync. The journal file is
//! locked while a run uses it.

use std::io::{BufRead, Read as _, Seek as _, SeekFrom, Write as _};
use std::path::Path;

use chrono::{SecondsFormat, Utc};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::sync::oneshot;

use crate::exit::Exit;
use crate::failure::Failure;
use crate::output::Output;
use crate::regular_file::{self, Refused};

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

/// The longest journal line read as a record; a longer one (no record is near it) is counted
/// unreadable and skipped without being held whole.
pub const MAX_RECORD_BYTES: usize = 1024 * 1024;

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

    /// A record of the tests' own.
    #[derive(Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
    struct Line {
        n: u32,
    }

    fn replay(text: &[u8]) -> (Vec<u32>, usize) {
        let mut seen = Vec::new();
        // A reader that hands out a few bytes at a time, as a pipe might.
        let reader = std::io::BufReader::with_capacity(7, text);
        match for_each_record(reader, |line: Line| seen.push(line.n)) {
            Ok(unreadable) => (seen, unreadable),
            Err(e) => panic!("{e}"),
        }
    }

    #[tokio::test]
    async fn a_line_cut_short_is_ended_before_the_next_record_and_a_second_run_is_locked_out() {
        let dir = match tempfile::tempdir() {
            Ok(dir) => dir,
            Err(e) => panic!("{e}"),
        };
        let path = dir.path().join("j");
        // A crash left half a line behind.
        assert!(std::fs::write(&path, "{\"n\":1}\n{\"n").is_ok());
        let writer = match Writer::open(&path) {
            Ok(writer) => writer,
            Err(e) => panic!("{e:?}"),
        };
        assert!(matches!(Writer::open(&path), Err(OpenError::Locked)));
        assert!(writer.append(&Line { n: 2 }, false).await.is_ok());
        assert!(writer.append(&Line { n: 3 }, true).await.is_ok());
        let text = match std::fs::read(&path) {
            Ok(text) => text,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(replay(&text), (vec![1, 2, 3], 1));
    }

    #[test]
    fn an_overlong_line_is_skipped_unread_and_the_records_around_it_count() {
        // A record, a line of 3 MiB that would be one but for its length, then two whole ones,
        // the last without its end of line; blank lines are not records.
        let long = format!(
            "{{\"n\":9,\"pad\":\"{}\"}}",
            "x".repeat(3 * MAX_RECORD_BYTES)
        );
        let text = [
            "{\"n\":1}".to_owned(),
            long,
            String::new(),
            "  ".to_owned(),
            "{\"n\":2}".to_owned(),
            "{\"n\":3}".to_owned(),
        ]
        .join("\n");
        assert_eq!(replay(text.as_bytes()), (vec![1, 2, 3], 1));
    }
}
