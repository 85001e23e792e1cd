//! The `upload-many` manifest: a CSV file with the header `module,record_id,path` and
//! optionally `title` (the name to upload the file under), in any order. Every line is checked
//! before anything is sent, with the SDK's own checks: the module name, the record id, and the
//! file (it exists, is a regular readable file, is within the size limit, has an allowed
//! extension and a usable name). Problems are reported with their line numbers (the header is
//! line 1).

use std::path::{Path, PathBuf};

use zoho_crm::operations::upload_attachment::LIMITS;
use zoho_crm::{FileSource, Module};

/// The columns, in the order the documentation gives them.
pub const COLUMNS: [&str; 4] = ["module", "record_id", "path", "title"];

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
    /// The file: `path` below the manifest's directory.
    pub file: PathBuf,
    /// The name the file is uploaded under (the title, or the file's name).
    pub name: String,
    /// Whether `name` comes from the `title` column.
    pub titled: bool,
    /// The file's size in bytes when checked.
    pub size: u64,
}

/// A line that cannot be uploaded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invalid {
    /// Its line number (1 for the header).
    pub line: u64,
    /// The path column, when there is one.
    pub path: Option<String>,
    /// What is wrong, every problem of the line.
    pub reason: String,
}

/// A checked manifest.
#[derive(Debug, Default)]
pub struct Manifest {
    /// The valid lines, in order.
    pub entries: Vec<Entry>,
    /// The invalid lines, in order.
    pub invalid: Vec<Invalid>,
}

/// A manifest that cannot be used at all (unreadable, or a bad header).
#[derive(Debug)]
pub struct Unusable(pub String);

/// A row as read, before its checks.
struct Row {
    line: u64,
    fields: Vec<Option<String>>,
    extra: Option<usize>,
}

/// Reads and checks the manifest at `path`.
pub async fn load(path: &Path) -> Result<Manifest, Unusable> {
    let owned = path.to_owned();
    let (rows, mut invalid) = tokio::task::spawn_blocking(move || read(&owned))
        .await
        .map_err(|e| Unusable(format!("the manifest could not be read: {e}")))??;
    let base = path.parent().map(Path::to_owned).unwrap_or_default();
    let mut manifest = Manifest::default();
    for row in rows {
        match check(&base, row).await {
            Ok(entry) => manifest.entries.push(entry),
            Err(bad) => invalid.push(bad),
        }
    }
    invalid.sort_by_key(|bad| bad.line);
    manifest.invalid = invalid;
    Ok(manifest)
}

/// Parses the CSV: the header's column positions, then each row's fields (CSV errors become
/// invalid lines).
fn read(path: &Path) -> Result<(Vec<Row>, Vec<Invalid>), Unusable> {
    let bytes = std::fs::read(path)
        .map_err(|e| Unusable(format!("cannot read {}: {e}", path.display())))?;
    let lines = Lines::new(&bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(bytes.as_slice());
    let header = reader
        .headers()
        .map_err(|e| Unusable(format!("line 1: {}", csv_reason(&e))))?
        .clone();
    let mut positions = [None; 4];
    for (index, name) in header.iter().enumerate() {
        let Some(column) = COLUMNS.iter().position(|c| c.eq_ignore_ascii_case(name)) else {
            return Err(Unusable(format!(
                "line 1: unknown column {name:?}; the header must be module,record_id,path and optionally title"
            )));
        };
        if positions[column].replace(index).is_some() {
            return Err(Unusable(format!("line 1: column {name:?} appears twice")));
        }
    }
    let missing: Vec<&str> = COLUMNS[..3]
        .iter()
        .zip(&positions)
        .filter(|(_, position)| position.is_none())
        .map(|(name, _)| *name)
        .collect();
    if !missing.is_empty() {
        return Err(Unusable(format!(
            "line 1: the header lacks the column(s) {}; it must be module,record_id,path and optionally title",
            missing.join(", ")
        )));
    }
    let mut rows = Vec::new();
    let mut invalid = Vec::new();
    let mut last_line = 1;
    for record in reader.records() {
        match record {
            Ok(record) => {
                let line = record
                    .position()
                    .map_or(last_line + 1, |p| lines.of(p.byte()));
                last_line = line;
                if record.iter().all(str::is_empty) {
                    continue; // a blank line
                }
                let fields = positions
                    .iter()
                    .map(|position| position.and_then(|i| record.get(i)).map(str::to_owned))
                    .collect();
                let extra = (record.len() > header.len()).then_some(record.len());
                rows.push(Row {
                    line,
                    fields,
                    extra,
                });
            }
            Err(error) => {
                let line = error
                    .position()
                    .map_or(last_line + 1, |position| lines.of(position.byte()));
                last_line = line;
                invalid.push(Invalid {
                    line,
                    path: None,
                    reason: csv_reason(&error),
                });
                if matches!(error.kind(), csv::ErrorKind::Io(_)) {
                    break;
                }
            }
        }
    }
    Ok((rows, invalid))
}

/// Line numbers from byte offsets. (The csv crate's own line numbers miscount blank lines
/// and CRLF line ends; its byte offsets point at the start of a record or at the line ends
/// and blank lines skipped before it.)
struct Lines<'a> {
    bytes: &'a [u8],
    newlines: Vec<usize>,
}

impl<'a> Lines<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        let newlines = bytes
            .iter()
            .enumerate()
            .filter(|(_, b)| **b == b'\n')
            .map(|(i, _)| i)
            .collect();
        Lines { bytes, newlines }
    }

    /// The 1-based line of the first character at or after `offset` that is not a line end.
    fn of(&self, offset: u64) -> u64 {
        let mut at = usize::try_from(offset)
            .unwrap_or(usize::MAX)
            .min(self.bytes.len());
        while at < self.bytes.len() && matches!(self.bytes[at], b'\r' | b'\n') {
            at += 1;
        }
        1 + self.newlines.partition_point(|&newline| newline < at) as u64
    }
}

fn csv_reason(error: &csv::Error) -> String {
    match error.kind() {
        csv::ErrorKind::Utf8 { .. } => "the line is not valid UTF-8".to_owned(),
        csv::ErrorKind::Io(e) => format!("cannot read the manifest: {e}"),
        _ => format!("not valid CSV: {error}"),
    }
}

/// Checks one row; every problem is reported, not just the first.
async fn check(base: &Path, row: Row) -> Result<Entry, Invalid> {
    let mut problems = Vec::new();
    let field = |index: usize| row.fields.get(index).cloned().flatten();
    let (module, record_id, path, title) = (field(0), field(1), field(2), field(3));
    if let Some(count) = row.extra {
        problems.push(format!("the line has {count} fields, more than the header"));
    }
    let module = match module.as_deref() {
        None => {
            problems.push("the module column is missing".to_owned());
            None
        }
        Some("") => {
            problems.push("the module is empty".to_owned());
            None
        }
        Some(name) => match name.parse::<Module>() {
            Ok(module) => Some(module),
            Err(e) => {
                problems.push(e.to_string());
                None
            }
        },
    };
    match record_id.as_deref() {
        None => problems.push("the record_id column is missing".to_owned()),
        Some("") => problems.push("the record id is empty".to_owned()),
        Some(id) => {
            if let Err(e) = zoho_crm::runtime::validate::record_id(id) {
                problems.push(e.to_string());
            }
        }
    }
    let title = title.filter(|t| !t.is_empty());
    let mut checked = None;
    match path.as_deref() {
        None => problems.push("the path column is missing".to_owned()),
        Some("") => problems.push("the path is empty".to_owned()),
        Some(given) => {
            let file = base.join(given);
            let source = match &title {
                Some(title) => FileSource::from_path_named(&file, title.clone()),
                None => FileSource::from_path(&file),
            };
            match source.open(&LIMITS).await {
                Ok(opened) => checked = Some((file, opened.name().to_owned(), opened.length())),
                Err(e) => problems.push(e.to_string()),
            }
        }
    }
    match (module, record_id, path, checked) {
        (Some(module), Some(record_id), Some(path), Some((file, name, size)))
            if problems.is_empty() =>
        {
            Ok(Entry {
                line: row.line,
                module,
                record_id,
                path,
                file,
                name,
                titled: title.is_some(),
                size,
            })
        }
        (_, _, path, _) => Err(Invalid {
            line: row.line,
            path: path.filter(|p| !p.is_empty()),
            reason: problems.join("; "),
        }),
    }
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
        let loaded = match load(&manifest).await {
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

    #[test]
    fn line_numbers_count_blank_lines_and_crlf() {
        for text in ["h\r\n1\r\n\r\n3\r\n", "h\n1\n\n3\n"] {
            let lines = Lines::new(text.as_bytes());
            let mut reader = csv::Reader::from_reader(text.as_bytes());
            let found: Vec<u64> = reader
                .records()
                .filter_map(Result::ok)
                .filter_map(|r| r.position().map(|p| lines.of(p.byte())))
                .collect();
            assert_eq!(found, [2, 4], "{text:?}");
        }
    }

    #[tokio::test]
    async fn a_header_without_the_required_columns_is_unusable() {
        let dir = match tempfile::tempdir() {
            Ok(dir) => dir,
            Err(e) => panic!("{e}"),
        };
        let manifest = write(dir.path(), "m.csv", "module,path\nLeads,a.txt\n");
        let error = load(&manifest).await.err().map(|e| e.0);
        assert!(error.is_some_and(|e| e.starts_with("line 1:") && e.contains("record_id")));
    }
}
