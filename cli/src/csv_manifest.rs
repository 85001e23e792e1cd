//! What the CSV manifests of `upload-many` and `download-many` share: reading the file (a
//! regular file, at most [`MAX_MANIFEST_BYTES`]), a header that names its columns in any order
//! (some required, some optional, nothing else), and rows numbered by their line in the file
//! (the header is line 1; blank lines are skipped but counted; CSV errors become invalid lines).

use std::path::Path;

use zoho_crm::Module;

use crate::exit::Exit;
use crate::failure::Failure;
use crate::output::Output;
use crate::regular_file::{self, Refused};

/// The columns a manifest may have.
#[derive(Clone, Copy, Debug)]
pub struct Columns {
    /// Every column name, the required ones first.
    pub names: &'static [&'static str],
    /// How many of `names` (from the first) a header must have.
    pub required: usize,
    /// What the header must be, for error messages (e.g. `module,record_id,path and
    /// optionally title`).
    pub describe: &'static str,
}

/// A row as read, before its checks.
#[derive(Debug)]
pub struct Row {
    /// Its line number.
    pub line: u64,
    /// Its fields, one per expected column (in the order the columns were given), where the
    /// header has them.
    pub fields: Vec<Option<String>>,
    /// How many fields it has, when that is more than the header's.
    pub extra: Option<usize>,
}

/// A line that cannot be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invalid {
    /// Its line number (1 for the header).
    pub line: u64,
    /// The path column, when the manifest has one and the line gives it.
    pub path: Option<String>,
    /// What is wrong, every problem of the line.
    pub reason: String,
}

/// A manifest that cannot be used at all (unreadable, or a bad header).
#[derive(Debug)]
pub struct Unusable(pub String);

impl Unusable {
    /// Says that the manifest at `path` cannot be used, and why; the run ends with the exit
    /// code this gives (nothing was sent).
    pub fn report(&self, output: &Output, path: &Path) -> Exit {
        output.fail(
            &format!("the manifest {} cannot be used", path.display()),
            &Failure::invalid(self.0.clone()),
        );
        Exit::BadInput
    }
}

/// The largest manifest read: about two million lines of 100 bytes. It is read whole, so that
/// every problem can be reported with its line number before anything is sent.
pub const MAX_MANIFEST_BYTES: u64 = 256 * 1024 * 1024;

/// Reads the manifest file at `path` and parses it. Only a regular file is read: a FIFO would
/// block the read until a writer appears, a device might never end.
pub fn read(path: &Path, columns: &Columns) -> Result<(Vec<Row>, Vec<Invalid>), Unusable> {
    let bytes = regular_file::read(path, MAX_MANIFEST_BYTES).map_err(|refused| {
        Unusable(match refused {
            Refused::NotRegular => format!(
                "{} is not a regular file (a directory, a FIFO or a device); give the path of a CSV file",
                path.display()
            ),
            Refused::TooBig(length) => format!(
                "{} is {length} bytes, over the {MAX_MANIFEST_BYTES} bytes a manifest may have; split it into several manifests",
                path.display()
            ),
            Refused::Io(e) => format!("cannot read {}: {e}", path.display()),
        })
    })?;
    parse(&bytes, columns)
}

/// Parses a manifest's CSV: the header's column positions, then each row's fields, by line
/// number (CSV errors become invalid lines; blank lines are skipped).
pub fn parse(bytes: &[u8], columns: &Columns) -> Result<(Vec<Row>, Vec<Invalid>), Unusable> {
    let lines = Lines::new(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let header = reader
        .headers()
        .map_err(|e| Unusable(format!("line 1: {}", csv_reason(&e))))?
        .clone();
    let mut positions = vec![None; columns.names.len()];
    for (index, name) in header.iter().enumerate() {
        let Some(column) = columns
            .names
            .iter()
            .position(|c| c.eq_ignore_ascii_case(name))
        else {
            return Err(Unusable(format!(
                "line 1: unknown column {name:?}; the header must be {}",
                columns.describe
            )));
        };
        if positions[column].replace(index).is_some() {
            return Err(Unusable(format!("line 1: column {name:?} appears twice")));
        }
    }
    let missing: Vec<&str> = columns.names[..columns.required.min(columns.names.len())]
        .iter()
        .zip(&positions)
        .filter(|(_, position)| position.is_none())
        .map(|(name, _)| *name)
        .collect();
    if !missing.is_empty() {
        return Err(Unusable(format!(
            "line 1: the header lacks the column(s) {}; it must be {}",
            missing.join(", "),
            columns.describe
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
    /// Line ends are `\n`, `\r\n` and a lone `\r`, as the CSV reader takes them (a manifest
    /// saved with old Mac line ends has no `\n` at all).
    fn new(bytes: &'a [u8]) -> Self {
        let newlines = bytes
            .iter()
            .enumerate()
            .filter(|&(i, b)| *b == b'\n' || (*b == b'\r' && bytes.get(i + 1) != Some(&b'\n')))
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

/// Checks a `module` field: the module, or `None` with the problem added to `problems`.
pub fn module_field(value: Option<&str>, problems: &mut Vec<String>) -> Option<Module> {
    match value {
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
    }
}

/// Checks a `record_id` field (a positive integer), adding any problem to `problems`.
pub fn record_id_field(value: Option<&str>, problems: &mut Vec<String>) {
    match value {
        None => problems.push("the record_id column is missing".to_owned()),
        Some("") => problems.push("the record id is empty".to_owned()),
        Some(id) => {
            if let Err(e) = zoho_crm::check_record_id(id) {
                problems.push(e.to_string());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TWO: Columns = Columns {
        names: &["a", "b", "c"],
        required: 2,
        describe: "a,b and optionally c",
    };

    #[test]
    fn line_numbers_count_blank_lines_and_crlf() {
        for text in ["h\r\n1\r\n\r\n3\r\n", "h\n1\n\n3\n", "h\r1\r\r3\r"] {
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

    #[test]
    fn columns_come_in_any_order_and_the_optional_one_may_be_missing() {
        let Ok((rows, invalid)) = parse(b"B,a\n2,1\n\n4,3,9\n", &TWO) else {
            panic!("the header is usable");
        };
        assert!(invalid.is_empty());
        let got: Vec<(u64, Vec<Option<String>>, Option<usize>)> = rows
            .into_iter()
            .map(|row| (row.line, row.fields, row.extra))
            .collect();
        let some = |s: &str| Some(s.to_owned());
        assert_eq!(
            got,
            [
                (2, vec![some("1"), some("2"), None], None),
                (4, vec![some("3"), some("4"), None], Some(3)),
            ]
        );
    }

    #[test]
    fn unknown_repeated_or_missing_columns_make_the_manifest_unusable() {
        for (text, expected) in [
            (
                "a,b,d\n",
                "unknown column \"d\"; the header must be a,b and optionally c",
            ),
            ("a,b,A\n", "column \"A\" appears twice"),
            ("a,c\n", "lacks the column(s) b"),
        ] {
            let error = parse(text.as_bytes(), &TWO).err().map(|e| e.0);
            assert!(
                error
                    .as_deref()
                    .is_some_and(|e| e.starts_with("line 1: ") && e.contains(expected)),
                "{text:?}: {error:?}"
            );
        }
    }
}
