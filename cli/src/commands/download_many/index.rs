//! `DIR/index.csv`: one CSV line per file the export holds
//! (`module,record_id,kind,id,name,size,sha256,path,created_time,modified_time`; `path`
//! relative to DIR, `name` Zoho's file name, times as Zoho gave them, empty when unknown), so
//! that a backup can be checked, searched and re-imported without Zoho. Links are not files:
//! they are in links.csv.
//!
//! The journal is what the index comes from: at the start of each run, the index is written
//! anew from the journal's saved files that are on disk with the size saved (into a temporary
//! file in DIR, fsync'd, renamed over the old one), so a run stopped in any way (even by
//! SIGKILL, which can cut a line short) leaves nothing that the next run does not put right;
//! then a line is appended, whole with one write, as each file is saved and journaled. An
//! item is never written twice in a run.

use std::collections::HashSet;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use super::folder::FIELDS_DIR;
use super::journal::{History, ItemKey, ItemKind, Known};

/// The index's name in the output directory.
pub(super) const INDEX_FILE: &str = "index.csv";

/// The prefix of the temporary file the index is rebuilt in (one left by a run stopped while
/// rebuilding is removed by the next).
const TEMP_PREFIX: &str = ".zoho-crm-index-";

/// The header of the file.
pub(super) const HEADER: [&str; 10] = [
    "module",
    "record_id",
    "kind",
    "id",
    "name",
    "size",
    "sha256",
    "path",
    "created_time",
    "modified_time",
];

/// One line of the index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Row {
    pub(super) key: ItemKey,
    /// Zoho's file name (empty when unknown, as for a photo).
    pub(super) name: String,
    pub(super) size: u64,
    /// Empty for a file saved by a version that did not compute it.
    pub(super) sha256: String,
    /// Relative to DIR, `/`-separated.
    pub(super) path: String,
    pub(super) created_time: String,
    pub(super) modified_time: String,
}

/// The path relative to DIR of the file named `name` of item `key`.
pub(super) fn relative_path(key: &ItemKey, name: &str) -> String {
    match (&key.kind, &key.field) {
        (ItemKind::FieldFile, Some(field)) => format!(
            "{}/{}/{FIELDS_DIR}/{field}/{name}",
            key.module, key.record_id
        ),
        _ => format!("{}/{}/{name}", key.module, key.record_id),
    }
}

impl Row {
    /// The row of a file the journal says was saved.
    fn of_known(key: &ItemKey, known: &Known) -> Option<Row> {
        let name = known.name.as_deref()?;
        let size = known.done_bytes?;
        let saved = known.saved.clone().unwrap_or_default();
        Some(Row {
            key: key.clone(),
            name: saved.file_name.unwrap_or_default(),
            size,
            sha256: saved.sha256.unwrap_or_default(),
            path: relative_path(key, name),
            created_time: saved.created_time.unwrap_or_default(),
            modified_time: saved.modified_time.unwrap_or_default(),
        })
    }

    /// The CSV line, quoted where needed, ended by `\n`.
    fn line(&self) -> std::io::Result<Vec<u8>> {
        let size = self.size.to_string();
        csv_line(&[
            &self.key.module,
            &self.key.record_id,
            self.key.kind.as_str(),
            &self.key.id,
            &self.name,
            &size,
            &self.sha256,
            &self.path,
            &self.created_time,
            &self.modified_time,
        ])
    }
}

/// One CSV line, quoted where needed, ended by `\n`.
fn csv_line(fields: &[&str]) -> std::io::Result<Vec<u8>> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    writer.write_record(fields).map_err(std::io::Error::other)?;
    writer
        .into_inner()
        .map_err(|e| std::io::Error::other(e.to_string()))
}

/// The index, open for appending.
#[derive(Debug)]
pub(super) struct IndexFile {
    path: PathBuf,
    state: Arc<Mutex<State>>,
    /// Set once a line could not be written (said once; the next run rebuilds the index).
    failed: AtomicBool,
}

#[derive(Debug)]
struct State {
    file: std::fs::File,
    /// The items in the file.
    keys: HashSet<ItemKey>,
}

/// Whether the journal's file of `row` is in DIR with the size saved.
fn on_disk(dir: &Path, row: &Row) -> bool {
    std::fs::symlink_metadata(dir.join(&row.path))
        .is_ok_and(|meta| meta.is_file() && meta.len() == row.size)
}

/// Removes the temporary files of a rebuild that was stopped.
fn remove_stale(dir: &Path) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_name().to_string_lossy().starts_with(TEMP_PREFIX) {
            std::fs::remove_file(entry.path())?;
        }
    }
    Ok(())
}

impl IndexFile {
    /// Writes `dir`'s index anew from the files `history` says were saved (those on disk with
    /// the size saved), through a temporary file renamed into place, and opens it for
    /// appending. Blocking.
    pub(super) fn rebuild(dir: &Path, history: &History) -> std::io::Result<IndexFile> {
        remove_stale(dir)?;
        let mut rows: Vec<Row> = history
            .completed()
            .filter_map(|(key, known)| Row::of_known(key, known))
            .filter(|row| on_disk(dir, row))
            .collect();
        rows.sort_by(|a, b| {
            (&a.key.module, &a.key.record_id, &a.path).cmp(&(
                &b.key.module,
                &b.key.record_id,
                &b.path,
            ))
        });
        let mut temp = tempfile::Builder::new()
            .prefix(TEMP_PREFIX)
            .tempfile_in(dir)?;
        {
            let mut out = std::io::BufWriter::new(temp.as_file_mut());
            out.write_all(&csv_line(&HEADER)?)?;
            for row in &rows {
                out.write_all(&row.line()?)?;
            }
            out.flush()?;
        }
        temp.as_file().sync_all()?;
        let path = dir.join(INDEX_FILE);
        temp.persist(&path).map_err(|e| e.error)?;
        // The rename is made durable too (a directory that cannot be opened is no reason to
        // stop: the index is rebuilt by every run).
        if let Ok(handle) = std::fs::File::open(dir) {
            handle.sync_all()?;
        }
        let file = std::fs::OpenOptions::new().append(true).open(&path)?;
        Ok(IndexFile {
            path,
            state: Arc::new(Mutex::new(State {
                file,
                keys: rows.into_iter().map(|row| row.key).collect(),
            })),
            failed: AtomicBool::new(false),
        })
    }

    /// Where the file is.
    pub(super) fn path(&self) -> &Path {
        &self.path
    }

    /// Appends the line of a file saved (on the blocking pool), unless its item is there
    /// already. An error is not one of the run's failures: the file is saved and journaled,
    /// and the next run rebuilds the index.
    pub(super) async fn append(&self, row: Row) -> std::io::Result<()> {
        let state = Arc::clone(&self.state);
        tokio::task::spawn_blocking(move || {
            let mut state = state.lock().unwrap_or_else(PoisonError::into_inner);
            if state.keys.contains(&row.key) {
                return Ok(());
            }
            let line = row.line()?;
            state.file.write_all(&line)?;
            state.keys.insert(row.key);
            Ok(())
        })
        .await
        .map_err(std::io::Error::other)?
    }

    /// Whether this is the first line that could not be written (to say so once).
    pub(super) fn first_failure(&self) -> bool {
        !self.failed.swap(true, Ordering::Relaxed)
    }
}
