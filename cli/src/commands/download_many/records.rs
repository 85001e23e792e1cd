//! The `download-many` manifest: CSV with the header `module,record_id`, one record a line,
//! read and checked whole before anything is sent (see [`crate::csv_manifest`]). A line that
//! names a record an earlier line names is a duplicate: reported, and the record exported once.

use std::collections::HashMap;
use std::path::Path;

use zoho_crm::Module;

use crate::csv_manifest::{self, Columns, Invalid, Unusable};

/// The columns of a `download-many` manifest.
const COLUMNS: Columns = Columns {
    names: &["module", "record_id"],
    required: 2,
    describe: "module,record_id",
};

/// A record to export.
#[derive(Clone, Debug)]
pub(super) struct RecordLine {
    /// Its line number.
    pub(super) line: u64,
    /// The module.
    pub(super) module: Module,
    /// The record id.
    pub(super) record_id: String,
}

/// A line naming a record an earlier line names.
#[derive(Clone, Debug)]
pub(super) struct Duplicate {
    /// The later line.
    pub(super) line: u64,
    /// The record.
    pub(super) record: String,
    /// The line that named it first.
    pub(super) first_line: u64,
}

/// A checked manifest.
#[derive(Debug, Default)]
pub(super) struct Records {
    /// The records to export, in manifest order, each once.
    pub(super) records: Vec<RecordLine>,
    /// The invalid lines, in order.
    pub(super) invalid: Vec<Invalid>,
    /// The lines that repeat a record.
    pub(super) duplicates: Vec<Duplicate>,
}

/// Reads and checks the manifest at `path` (on the blocking pool: it is read whole).
pub(super) async fn load(path: &Path) -> Result<Records, Unusable> {
    let owned = path.to_owned();
    tokio::task::spawn_blocking(move || {
        let (rows, invalid) = csv_manifest::read(&owned, &COLUMNS)?;
        Ok(check(rows, invalid))
    })
    .await
    .map_err(|e| Unusable(format!("the manifest could not be read: {e}")))?
}

/// Checks each row and sets duplicates aside.
fn check(rows: Vec<csv_manifest::Row>, mut invalid: Vec<Invalid>) -> Records {
    let mut records = Records::default();
    let mut first_lines: HashMap<(String, String), u64> = HashMap::new();
    for row in rows {
        let mut problems = Vec::new();
        if let Some(count) = row.extra {
            problems.push(format!("the line has {count} fields, more than the header"));
        }
        let field = |index: usize| row.fields.get(index).cloned().flatten();
        let (module, record_id) = (field(0), field(1));
        let module = csv_manifest::module_field(module.as_deref(), &mut problems);
        csv_manifest::record_id_field(record_id.as_deref(), &mut problems);
        let (Some(module), Some(record_id), true) = (module, record_id, problems.is_empty()) else {
            invalid.push(Invalid {
                line: row.line,
                path: None,
                reason: problems.join("; "),
            });
            continue;
        };
        let key = (module.api_name().to_owned(), record_id.clone());
        match first_lines.get(&key) {
            Some(&first_line) => records.duplicates.push(Duplicate {
                line: row.line,
                record: format!("{} {}", key.0, key.1),
                first_line,
            }),
            None => {
                first_lines.insert(key, row.line);
                records.records.push(RecordLine {
                    line: row.line,
                    module,
                    record_id,
                });
            }
        }
    }
    invalid.sort_by_key(|bad| bad.line);
    records.invalid = invalid;
    records
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_lines_are_numbered_and_a_repeated_record_is_exported_once() {
        let text = "record_id,module\n1,Leads\n\nx,Le ads\n2,Deals,extra\n1,Leads\n3,Deals\n";
        let (rows, invalid) = match csv_manifest::parse(text.as_bytes(), &COLUMNS) {
            Ok(parsed) => parsed,
            Err(e) => panic!("{}", e.0),
        };
        let records = check(rows, invalid);
        let kept: Vec<(u64, &str, &str)> = records
            .records
            .iter()
            .map(|r| (r.line, r.module.api_name(), r.record_id.as_str()))
            .collect();
        assert_eq!(kept, [(2, "Leads", "1"), (7, "Deals", "3")]);
        let bad: Vec<u64> = records.invalid.iter().map(|i| i.line).collect();
        assert_eq!(bad, [4, 5]);
        assert!(
            records.invalid[0].reason.contains("record id"),
            "{:?}",
            records.invalid
        );
        assert!(records.invalid[1].reason.contains("more than the header"));
        assert_eq!(records.duplicates.len(), 1);
        assert_eq!(
            (records.duplicates[0].line, records.duplicates[0].first_line),
            (6, 2)
        );
    }
}
