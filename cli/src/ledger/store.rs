//! Reading and writing the ledger file: reading skips (and reports) lines that are not
//! entries; writing happens under an exclusive lock on a separate lock file, appends one
//! line, and first rewrites the file (a temporary file renamed over it) when it holds lines
//! older than a week, unreadable lines, or more than 1 MiB.

use std::fs::{File, OpenOptions};
use std::io::Write as _;

use chrono::{DateTime, TimeDelta, Utc};

use super::Place;
use super::entry::Entry;
use super::tally::WINDOW;
use crate::regular_file::{self, Refused};

/// How long lines are kept.
const KEEP: TimeDelta = TimeDelta::days(7);
/// The size past which the file is rewritten (keeping only the last 24 hours if a week's
/// lines are still more).
const MAX_BYTES: usize = 1024 * 1024;
/// The most bytes read (a file this big was not written by this program).
const MAX_READ: u64 = 16 * 1024 * 1024;

/// The ledger's entries, and the numbers of the lines that were not entries.
#[derive(Debug, Default)]
pub struct Parsed {
    /// The entries, in file order.
    pub entries: Vec<Entry>,
    /// The 1-based numbers of the lines skipped.
    pub skipped: Vec<usize>,
    /// The file's length in bytes.
    length: usize,
    /// Whether the file's last line is unfinished (no newline).
    unfinished: bool,
}

/// Reads the ledger; a missing file is an empty ledger.
pub fn read(place: &Place) -> Result<Parsed, String> {
    let bytes = match regular_file::read(&place.file, MAX_READ) {
        Ok(bytes) => bytes,
        Err(Refused::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(Parsed::default());
        }
        Err(Refused::Io(e)) => return Err(format!("cannot read {}: {e}", place.file.display())),
        Err(Refused::NotRegular) => {
            return Err(format!("{} is not a regular file", place.file.display()));
        }
        Err(Refused::TooBig(length)) => {
            return Err(format!(
                "{} is {length} bytes, more than a ledger ever holds (move it away)",
                place.file.display()
            ));
        }
    };
    let text = String::from_utf8_lossy(&bytes);
    let mut parsed = Parsed {
        length: bytes.len(),
        unfinished: !bytes.is_empty() && !bytes.ends_with(b"\n"),
        ..Parsed::default()
    };
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Entry>(line) {
            Ok(entry) => parsed.entries.push(entry),
            Err(_) => parsed.skipped.push(index + 1),
        }
    }
    Ok(parsed)
}

/// Under the ledger's lock: reads it, lets `decide` answer from its entries and say what to
/// append, and appends that. Gives `decide`'s answer and the numbers of the lines skipped
/// (dropped, when the file was rewritten).
pub fn update<T>(
    place: &Place,
    now: DateTime<Utc>,
    decide: impl FnOnce(&[Entry]) -> (T, Option<Entry>),
) -> Result<(T, Vec<usize>), String> {
    let folder = place.folder();
    // The token file's folder: private, as `auth exchange` makes it.
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt as _;
        builder.mode(0o700);
    }
    builder
        .create(folder)
        .map_err(|e| format!("cannot create {}: {e}", folder.display()))?;
    let lock = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&place.lock)
        .map_err(|e| format!("cannot open {}: {e}", place.lock.display()))?;
    lock.lock()
        .map_err(|e| format!("cannot lock {}: {e}", place.lock.display()))?;
    let parsed = read(place)?;
    let (answer, new) = decide(&parsed.entries);
    if let Some(new) = new {
        let stale = parsed.entries.iter().any(|e| e.time < now - KEEP);
        if stale || !parsed.skipped.is_empty() || parsed.length > MAX_BYTES {
            rewrite(place, now, &parsed.entries, &new)?;
        } else {
            append(place, &new, parsed.unfinished)?;
        }
    }
    drop(lock);
    Ok((answer, parsed.skipped))
}

fn line(entry: &Entry) -> Result<String, String> {
    serde_json::to_string(entry)
        .map(|line| line + "\n")
        .map_err(|e| format!("cannot write a ledger line: {e}"))
}

/// Appends one line (after ending an unfinished last line, so the two never merge).
fn append(place: &Place, entry: &Entry, unfinished: bool) -> Result<(), String> {
    let mut text = if unfinished {
        "\n".to_owned()
    } else {
        String::new()
    };
    text.push_str(&line(entry)?);
    let mut file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(&place.file)
        .map_err(|e| format!("cannot open {}: {e}", place.file.display()))?;
    file.write_all(text.as_bytes())
        .map_err(|e| format!("cannot append to {}: {e}", place.file.display()))
}

/// Writes the week's entries and `new` into a temporary file and renames it over the ledger.
fn rewrite(
    place: &Place,
    now: DateTime<Utc>,
    entries: &[Entry],
    new: &Entry,
) -> Result<(), String> {
    let mut text = keep(entries, now - KEEP)?;
    if text.len() > MAX_BYTES {
        text = keep(entries, now - WINDOW)?;
    }
    text.push_str(&line(new)?);
    let folder = place.folder();
    let mut temporary = tempfile::NamedTempFile::new_in(folder)
        .map_err(|e| format!("cannot create a file in {}: {e}", folder.display()))?;
    temporary
        .write_all(text.as_bytes())
        .and_then(|()| temporary.as_file().sync_all())
        .map_err(|e| format!("cannot write {}: {e}", temporary.path().display()))?;
    temporary
        .persist(&place.file)
        .map(|_: File| ())
        .map_err(|e| format!("cannot replace {}: {e}", place.file.display()))
}

/// The lines of the entries written after `since`.
fn keep(entries: &[Entry], since: DateTime<Utc>) -> Result<String, String> {
    let mut text = String::new();
    for entry in entries.iter().filter(|e| e.time > since) {
        text.push_str(&line(entry)?);
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::entry::Kind;

    fn place(dir: &tempfile::TempDir) -> Place {
        Place::new(&dir.path().join("sub"), "org")
    }

    fn run(time: DateTime<Utc>, credits: u64) -> Entry {
        let mut entry = Entry::new(time, Kind::Run, "list");
        entry.credits = credits;
        entry
    }

    #[test]
    fn lines_are_appended_and_a_rewrite_drops_old_and_unreadable_ones() {
        let Ok(dir) = tempfile::tempdir() else {
            panic!("no temporary directory");
        };
        let place = place(&dir);
        // Times are kept to the millisecond.
        let now = chrono::SubsecRound::trunc_subsecs(Utc::now(), 3);
        let Ok(((), skipped)) = update(&place, now, |entries| {
            assert!(entries.is_empty());
            ((), Some(run(now - TimeDelta::days(8), 9)))
        }) else {
            panic!("the first append failed");
        };
        assert!(skipped.is_empty());
        let Ok((seen, _)) = update(&place, now, |entries| (entries.len(), Some(run(now, 1))))
        else {
            panic!("the second update failed");
        };
        assert_eq!(seen, 1);
        // The old line went when the file was rewritten for the new one.
        let Ok(parsed) = read(&place) else {
            panic!("unreadable");
        };
        assert_eq!(parsed.entries, vec![run(now, 1)]);
        // A line cut short is ended, skipped when read, and dropped at the next write.
        let cut = OpenOptions::new().append(true).open(&place.file);
        assert!(cut.and_then(|mut f| f.write_all(b"{\"time\":")).is_ok());
        let Ok(((), skipped)) = update(&place, now, |_| ((), Some(run(now, 2)))) else {
            panic!("the third update failed");
        };
        assert_eq!(skipped, vec![2]);
        let Ok(parsed) = read(&place) else {
            panic!("unreadable");
        };
        assert_eq!(parsed.entries, vec![run(now, 1), run(now, 2)]);
        assert!(parsed.skipped.is_empty());
    }
}
