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

use super::journal::{FIELDS_DIR, History, ItemKey, ItemKind, Known};
use super::links::csv_line;

/// The index's name in the output directory.
pub(crate) const INDEX_FILE: &str = "index.csv";

/// The prefix of the temporary file the index is rebuilt in (one left by a run stopped while
/// rebuilding is removed by the next).
const TEMP_PREFIX: &str = ".zoho-crm-index-";

/// The header of the file.
pub(crate) const HEADER: [&str; 10] = [
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journal::for_each_record;

    #[tokio::test]
    async fn the_index_is_written_anew_from_the_saved_files_on_disk_then_appended_once() {
        let dir = match tempfile::tempdir() {
            Ok(dir) => dir,
            Err(e) => panic!("{e}"),
        };
        let record = dir.path().join("Leads").join("1");
        assert!(std::fs::create_dir_all(record.join("fields").join("Docs")).is_ok());
        for (name, bytes) in [
            ("old.txt", &b"old"[..]),
            ("a, \"b\".txt", b"ab"),
            ("photo.png", b"png"),
            ("fields/Docs/d.txt", b"d"),
            ("short.txt", b"s"),
        ] {
            assert!(std::fs::write(record.join(name), bytes).is_ok());
        }
        // A temporary file of a rebuild that was stopped, and an index cut short.
        assert!(std::fs::write(dir.path().join(".zoho-crm-index-x"), "x").is_ok());
        assert!(std::fs::write(dir.path().join(INDEX_FILE), "module,rec").is_ok());
        let journal = [
            // Written before the index: no sha256, file name or times.
            r#"{"id":"1","module":"Leads","record_id":"1","status":"ok","at":"t","name":"old.txt","bytes":3}"#,
            r#"{"id":"2","module":"Leads","record_id":"1","status":"ok","at":"t","name":"a, \"b\".txt","bytes":2,"sha256":"fb8e","file_name":"a, \"b\".txt","created_time":"2024-05-01T10:00:00+05:30","modified_time":"2024-05-02T10:00:00+05:30"}"#,
            r#"{"kind":"photo","id":"1","module":"Leads","record_id":"1","status":"ok","at":"t","name":"photo.png","bytes":3,"sha256":"aa"}"#,
            r#"{"kind":"field_file","id":"7","field":"Docs","module":"Leads","record_id":"1","status":"ok","at":"t","name":"d.txt","bytes":1,"sha256":"bb","file_name":"d.txt"}"#,
            // Saved, but of another size on disk; missing on disk; not saved.
            r#"{"id":"3","module":"Leads","record_id":"1","status":"ok","at":"t","name":"short.txt","bytes":5,"sha256":"cc"}"#,
            r#"{"id":"4","module":"Leads","record_id":"1","status":"ok","at":"t","name":"gone.txt","bytes":1,"sha256":"dd"}"#,
            r#"{"id":"5","module":"Leads","record_id":"1","status":"started","at":"t","name":"e.txt"}"#,
        ]
        .join("\n");
        let mut history = History::default();
        let read = for_each_record(journal.as_bytes(), |record| history.apply(record));
        assert_eq!(read.ok(), Some(0));
        let index = match IndexFile::rebuild(dir.path(), &history) {
            Ok(index) => index,
            Err(e) => panic!("{e}"),
        };
        assert!(!dir.path().join(".zoho-crm-index-x").exists());
        let key = |id: &str| ItemKey {
            kind: ItemKind::Attachment,
            module: "Leads".into(),
            record_id: "1".into(),
            field: None,
            id: id.into(),
        };
        let row = |id: &str, name: &str| Row {
            key: key(id),
            name: name.into(),
            size: 5,
            sha256: "ee".into(),
            path: relative_path(&key(id), name),
            created_time: String::new(),
            modified_time: String::new(),
        };
        // One already there is not written again; a new one is, once.
        assert!(index.append(row("2", "x")).await.is_ok());
        assert!(index.append(row("3", "short.txt")).await.is_ok());
        assert!(index.append(row("3", "short.txt")).await.is_ok());
        assert_eq!(
            std::fs::read_to_string(dir.path().join(INDEX_FILE)).unwrap_or_default(),
            "module,record_id,kind,id,name,size,sha256,path,created_time,modified_time\n\
             Leads,1,attachment,2,\"a, \"\"b\"\".txt\",2,fb8e,\"Leads/1/a, \"\"b\"\".txt\",2024-05-01T10:00:00+05:30,2024-05-02T10:00:00+05:30\n\
             Leads,1,field_file,7,d.txt,1,bb,Leads/1/fields/Docs/d.txt,,\n\
             Leads,1,attachment,1,,3,,Leads/1/old.txt,,\n\
             Leads,1,photo,1,,3,aa,Leads/1/photo.png,,\n\
             Leads,1,attachment,3,short.txt,5,ee,Leads/1/short.txt,,\n"
        );
    }
}
