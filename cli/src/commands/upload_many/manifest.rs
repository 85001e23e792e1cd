//! The `upload-many` manifest: a CSV file with the header `module,record_id,path` and
//! optionally `title` (the name to upload the file under) and `target` (where the file goes:
//! `attachment`, the default, `photo` or `field:<API name>`, see [`super::target`]), in any
//! order. Every line is checked
//! before anything is sent, with the SDK's own checks: the module name, the record id, and the
//! file (it exists, is a regular readable file, is within the size limit, has an allowed
//! extension and a usable name). Problems are reported with their line numbers (the header is
//! line 1).
//!
//! Paths are relative to the manifest's directory, and the file they lead to, with symbolic
//! links resolved, must be inside that directory (also resolved): an absolute path, a `..`
//! that climbs out or a symbolic link that points out is refused unless `--allow-outside`. A
//! manifest from elsewhere cannot make a run upload, say, `~/.ssh/id_rsa`.
//!
//! Lines that name the same file (resolved path, size and content) for the same record are
//! duplicates: the first is uploaded, the others reported, unless `--allow-duplicates`, which
//! numbers them as copies 2, 3... of the file, each uploaded once.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use futures_util::StreamExt as _;
use zoho_crm::{FileSource, Module};

use super::fingerprint;
use super::key::{Key, KeyParts};
use super::target::Target;
use crate::csv_manifest::{self, Columns, Invalid, Row, Unusable};

/// The columns, in the order the documentation gives them.
pub const COLUMNS: [&str; 5] = ["module", "record_id", "path", "title", "target"];

/// A line to upload.
#[derive(Clone, Debug)]
pub struct Entry {
    /// Its line number.
    pub line: u64,
    /// The module.
    pub module: Module,
    /// The record id.
    pub record_id: String,
    /// The path as the manifest gives it.
    pub path: String,
    /// The file: `path` below the manifest's directory, resolved (absolute, symbolic links
    /// followed). This is the file uploaded.
    pub file: PathBuf,
    /// The name the file is uploaded under (the title, or the last component of `path`).
    pub name: String,
    /// The file's size in bytes when checked.
    pub size: u64,
    /// Its modification time and, when small, its hash, when checked.
    pub facts: fingerprint::Facts,
    /// Which copy of the same file for the same record this line is: 1, or 2, 3... for
    /// duplicates kept with `--allow-duplicates`.
    pub copy: u32,
    /// Where the file goes.
    pub target: Target,
}

impl Entry {
    /// What identifies this line's upload in the journal.
    pub fn key(&self) -> Key {
        self.key_as_copy(self.copy)
    }

    /// The key of copy number `copy` of this line's file for its record.
    fn key_as_copy(&self, copy: u32) -> Key {
        KeyParts {
            module: self.module.api_name(),
            record_id: &self.record_id,
            file: &self.file.to_string_lossy(),
            size: self.size,
            sha256: self.facts.sha256.as_deref(),
            modified: self.facts.modified.as_deref(),
            copy,
            target: self.target.label().as_deref(),
        }
        .key()
    }
}

/// A line that names the same file for the same record as an earlier line.
#[derive(Clone, Debug)]
pub struct Duplicate {
    /// The later line.
    pub entry: Entry,
    /// The line it repeats.
    pub first_line: u64,
}

/// Numbers the copies of each file for each record in manifest order. With `allow`, every line
/// is kept (the 2nd, 3rd... are copies 2, 3...); without, only the first of each is, and the
/// others are returned as duplicates.
pub fn number_copies(mut entries: Vec<Entry>, allow: bool) -> (Vec<Entry>, Vec<Duplicate>) {
    // Counted on the key every copy shares (copy 0), then numbered in place: the list is
    // not copied.
    let numbered = {
        let mut seen: HashMap<Key, (u32, u64)> = HashMap::with_capacity(entries.len());
        let mut numbered = Vec::with_capacity(entries.len());
        for entry in &entries {
            let (count, first_line) = seen.entry(entry.key_as_copy(0)).or_insert((0, entry.line));
            *count += 1;
            numbered.push((*count, *first_line));
        }
        numbered
    };
    for (entry, (copy, _)) in entries.iter_mut().zip(&numbered) {
        entry.copy = *copy;
    }
    if allow {
        return (entries, Vec::new());
    }
    let mut numbered = numbered.into_iter();
    let mut first_lines = Vec::new();
    let removed: Vec<Entry> = entries
        .extract_if(.., |entry| {
            let first_line = numbered.next().map_or(entry.line, |(_, line)| line);
            let duplicate = entry.copy > 1;
            if duplicate {
                first_lines.push(first_line);
            }
            duplicate
        })
        .collect();
    let duplicates = removed
        .into_iter()
        .zip(first_lines)
        .map(|(entry, first_line)| Duplicate { entry, first_line })
        .collect();
    (entries, duplicates)
}

/// A checked manifest.
#[derive(Debug, Default)]
pub struct Manifest {
    /// The valid lines, in order.
    pub entries: Vec<Entry>,
    /// The invalid lines, in order.
    pub invalid: Vec<Invalid>,
}

/// Where the files of a manifest may be.
#[derive(Clone, Debug)]
struct Base {
    /// The manifest's directory, as given (relative paths are joined to it).
    dir: PathBuf,
    /// The same, resolved.
    resolved: PathBuf,
    /// `--allow-outside`: files may be anywhere.
    allow_outside: bool,
}

/// Reads and checks the manifest at `path`; with `allow_outside`, files may be outside its
/// directory.
pub async fn load(path: &Path, allow_outside: bool) -> Result<Manifest, Unusable> {
    let owned = path.to_owned();
    let (rows, mut invalid) =
        tokio::task::spawn_blocking(move || csv_manifest::read(&owned, &MANIFEST_COLUMNS))
            .await
            .map_err(|e| Unusable(format!("the manifest could not be read: {e}")))??;
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_owned(),
        _ => PathBuf::from("."),
    };
    let resolved = tokio::fs::canonicalize(&dir).await.map_err(|e| {
        Unusable(format!(
            "the manifest's directory {} cannot be resolved: {e}",
            dir.display()
        ))
    })?;
    let base = Base {
        dir,
        resolved,
        allow_outside,
    };
    let mut manifest = Manifest::default();
    // Lines are checked a few at a time (each check waits on the file system), in order.
    let mut checked = futures_util::stream::iter(rows)
        .map(|row| check(&base, row))
        .buffered(CHECK_CONCURRENCY);
    while let Some(result) = checked.next().await {
        match result {
            Ok(entry) => manifest.entries.push(entry),
            Err(bad) => invalid.push(bad),
        }
    }
    invalid.sort_by_key(|bad| bad.line);
    manifest.invalid = invalid;
    Ok(manifest)
}

/// How many manifest lines are checked at once.
const CHECK_CONCURRENCY: usize = 16;

/// The columns of an `upload-many` manifest.
const MANIFEST_COLUMNS: Columns = Columns {
    names: &COLUMNS,
    required: 3,
    describe: "module,record_id,path and optionally title and target",
};

/// Parses a manifest's CSV: the header's column positions, then each row's `module`,
/// `record_id`, `path`, `title` and `target` fields, by line number (CSV errors become invalid lines;
/// blank lines are skipped).
pub fn parse(bytes: &[u8]) -> Result<(Vec<Row>, Vec<Invalid>), Unusable> {
    csv_manifest::parse(bytes, &MANIFEST_COLUMNS)
}

/// Checks one row; every problem is reported, not just the first.
async fn check(base: &Base, row: Row) -> Result<Entry, Invalid> {
    let mut problems = Vec::new();
    let field = |index: usize| row.fields.get(index).cloned().flatten();
    let (module, record_id, path, title) = (field(0), field(1), field(2), field(3));
    let target = match Target::parse(field(4).as_deref().unwrap_or_default()) {
        Ok(target) => target,
        Err(problem) => {
            problems.push(problem);
            Target::Attachment
        }
    };
    if let Some(count) = row.extra {
        problems.push(format!("the line has {count} fields, more than the header"));
    }
    let module = csv_manifest::module_field(module.as_deref(), &mut problems);
    csv_manifest::record_id_field(record_id.as_deref(), &mut problems);
    let title = title.filter(|t| !t.is_empty());
    let checked = match path.as_deref() {
        None => {
            problems.push("the path column is missing".to_owned());
            None
        }
        Some("") => {
            problems.push("the path is empty".to_owned());
            None
        }
        Some(given) => match check_file(base, given, title, target.limits()).await {
            Ok(checked) => Some(checked),
            Err(problem) => {
                problems.push(problem);
                None
            }
        },
    };
    match (module, record_id, path, checked) {
        (Some(module), Some(record_id), Some(path), Some(file)) if problems.is_empty() => {
            Ok(Entry {
                line: row.line,
                module,
                record_id,
                path,
                file: file.resolved,
                name: file.name,
                size: file.size,
                facts: file.facts,
                copy: 1,
                target,
            })
        }
        (_, _, path, _) => Err(Invalid {
            line: row.line,
            path: path.filter(|p| !p.is_empty()),
            reason: problems.join("; "),
        }),
    }
}

/// A file a line names, checked.
struct CheckedFile {
    resolved: PathBuf,
    name: String,
    size: u64,
    facts: fingerprint::Facts,
}

/// Checks the file at `given` (below the manifest's directory): the SDK's checks (which
/// refuse FIFOs, devices and sockets before opening them), then, in one trip to the blocking
/// pool, where it really is (inside the directory unless `--allow-outside`) and its facts.
async fn check_file(
    base: &Base,
    given: &str,
    title: Option<String>,
    limits: &zoho_crm::UploadLimits,
) -> Result<CheckedFile, String> {
    let file = base.dir.join(given);
    let source = match title {
        Some(title) => FileSource::from_path_named(&file, title),
        None => FileSource::from_path(&file),
    };
    let opened = source.open(limits).await.map_err(|e| e.to_string())?;
    let (name, size) = (opened.name().to_owned(), opened.length());
    drop(opened);
    let (inside, allow_outside) = (base.resolved.clone(), base.allow_outside);
    let located = tokio::task::spawn_blocking(move || {
        let resolved = std::fs::canonicalize(&file)
            .map_err(|e| format!("{} cannot be resolved: {e}", file.display()))?;
        if !allow_outside && !resolved.starts_with(&inside) {
            return Err(format!(
                "the file is outside the manifest's directory {} (it is {}); paths are relative to that directory and may not leave it (no absolute paths, `..` or symbolic links out of it): move the file there, or pass --allow-outside",
                inside.display(),
                resolved.display()
            ));
        }
        let facts = fingerprint::read_blocking(&resolved, size)?;
        Ok((resolved, facts))
    })
    .await
    .map_err(|e| format!("the file could not be checked: {e}"))?;
    let (resolved, facts) = located?;
    Ok(CheckedFile {
        resolved,
        name,
        size,
        facts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        if let Err(e) = std::fs::write(&path, text) {
            panic!("{e}");
        }
        path
    }

    #[tokio::test]
    async fn lines_are_numbered_from_the_header_and_every_problem_is_named() {
        let dir = match tempfile::tempdir() {
            Ok(dir) => dir,
            Err(e) => panic!("{e}"),
        };
        write(dir.path(), "a.txt", "a");
        let manifest = write(
            dir.path(),
            "m.csv",
            "path,module,record_id,title\r\na.txt,Leads,1,\r\n\r\nb.txt,Le ads,x,\r\n  ,  ,  \r\na.txt,Leads,1,evil.exe\na.txt,Deals\n",
        );
        let loaded = match load(&manifest, false).await {
            Ok(loaded) => loaded,
            Err(e) => panic!("{}", e.0),
        };
        assert_eq!(loaded.entries.len(), 1);
        assert_eq!(loaded.entries[0].line, 2);
        assert_eq!(loaded.entries[0].size, 1);
        let lines: Vec<u64> = loaded.invalid.iter().map(|bad| bad.line).collect();
        assert_eq!(lines, [4, 6, 7]);
        let reason = &loaded.invalid[0].reason;
        assert!(
            reason.contains("does not exist") && reason.contains("record id"),
            "{reason}"
        );
        assert!(loaded.invalid[1].reason.contains(".exe"));
        assert!(
            loaded.invalid[2]
                .reason
                .contains("record_id column is missing")
        );
    }

    /// Found by the `manifest` fuzz target: a header ended by a lone `\r` put the next row on
    /// "line 1", the header's line.
    #[test]
    fn a_lone_carriage_return_ends_a_line() {
        let bytes =
            b"module,record_id,path\r\0itle\nLea\n\0rd_id,path,title\nLea\n\0le,reTleul47\nntvacoc";
        let Ok((rows, invalid)) = parse(bytes) else {
            panic!("the header is usable");
        };
        let lines: Vec<u64> = rows.iter().map(|row| row.line).collect();
        assert_eq!(lines, [2, 3, 4, 5, 6, 7], "{invalid:?}");
    }

    #[tokio::test]
    async fn a_header_without_the_required_columns_is_unusable() {
        let dir = match tempfile::tempdir() {
            Ok(dir) => dir,
            Err(e) => panic!("{e}"),
        };
        let manifest = write(dir.path(), "m.csv", "module,path\nLeads,a.txt\n");
        let error = load(&manifest, false).await.err().map(|e| e.0);
        assert!(error.is_some_and(|e| e.starts_with("line 1:") && e.contains("record_id")));
    }
}
