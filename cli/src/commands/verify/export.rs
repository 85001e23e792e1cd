//! `verify --export DIR`: a backup made by `download-many`, checked against its index and
//! against Zoho. `DIR/index.csv` (`module,record_id,kind,id,name,size,sha256,path,
//! created_time,modified_time`, `path` relative to DIR) names the records; for each, Zoho's
//! file attachments (links are not files) are listed, and the files of the fields the index
//! has rows of (`<module>/<record>/fields/<field>/...`) read; items are matched to rows by
//! id. A row's file on disk is hashed and compared with the row's size and SHA-256.
//!
//! Photos are not asked of Zoho (it gives a photo no name, size or id of its own to compare):
//! a photo row's file is checked on disk only, and marked `?` when intact.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Component, Path, PathBuf};

use zoho_crm::{Client, Module};

use crate::commands::download_many::{FIELDS_DIR, INDEX_FILE, INDEX_HEADER};
use crate::csv_manifest::{self, Columns, Invalid, Row};
use crate::exit::Exit;
use crate::failure::Failure;
use crate::reconcile;
use crate::record_files;

use super::hash::{OnDisk, hash_all};
use super::{Item, Mark, Report};

/// The index's columns: the times are not needed.
const INDEX_COLUMNS: Columns = Columns {
    names: &INDEX_HEADER,
    required: 8,
    describe: "module,record_id,kind,id,name,size,sha256,path,created_time,modified_time (download-many's index)",
};

/// What an index row is a file of.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Kind {
    Attachment,
    Photo,
    /// A file of this field.
    Field(String),
}

/// A row of the index, checked.
#[derive(Clone, Debug)]
struct IndexRow {
    module: Module,
    record_id: String,
    kind: Kind,
    id: String,
    name: String,
    size: u64,
    /// Lowercase hex, or empty when the index has none.
    sha256: String,
    /// Relative to DIR, `/`-separated.
    path: String,
}

/// Checks the export in `dir` against its index and Zoho, printing a line per file. `Err`
/// when the index is missing or not download-many's (reported).
pub(super) async fn verify(
    client: &Client,
    report: &mut Report<'_>,
    dir: &Path,
) -> Result<(), Exit> {
    let output = report.output;
    let index = dir.join(INDEX_FILE);
    let owned = index.clone();
    let read = tokio::task::spawn_blocking(move || csv_manifest::read(&owned, &INDEX_COLUMNS))
        .await
        .map_err(|e| csv_manifest::Unusable(format!("the index could not be read: {e}")))
        .and_then(|read| read);
    let context = format!(
        "the index {} cannot be used (is this a download-many output directory?)",
        index.display()
    );
    let (rows, mut invalid) = read.map_err(|unusable| {
        output.fail(&context, &Failure::invalid(unusable.0));
        Exit::BadInput
    })?;
    let mut records: BTreeMap<(String, String), Vec<IndexRow>> = BTreeMap::new();
    let mut first_lines: HashMap<(String, String, Kind, String), u64> = HashMap::new();
    for row in rows {
        let line = row.line;
        match check_row(row) {
            Ok(row) => {
                let module = row.module.api_name().to_owned();
                let key = (
                    module.clone(),
                    row.record_id.clone(),
                    row.kind.clone(),
                    row.id.clone(),
                );
                if let Some(first) = first_lines.get(&key) {
                    invalid.push(Invalid {
                        line,
                        path: Some(row.path),
                        reason: format!("line {first} has the same file (its kind and id)"),
                    });
                    continue;
                }
                first_lines.insert(key, line);
                records
                    .entry((module, row.record_id.clone()))
                    .or_default()
                    .push(row);
            }
            Err(bad) => invalid.push(bad),
        }
    }
    if !invalid.is_empty() {
        invalid.sort_by_key(|bad| bad.line);
        for bad in &invalid {
            output.stderr(&format!("error: line {}: {}", bad.line, bad.reason));
        }
        output.fail(
            &context,
            &Failure::invalid(format!(
                "{} line(s) are invalid; nothing was sent",
                invalid.len()
            )),
        );
        return Err(Exit::BadInput);
    }
    for rows in records.into_values() {
        verify_record(client, report, dir, rows).await;
    }
    Ok(())
}

/// Checks one row of the index.
fn check_row(row: Row) -> Result<IndexRow, Invalid> {
    let mut problems = Vec::new();
    let field = |index: usize| row.fields.get(index).cloned().flatten().unwrap_or_default();
    if let Some(count) = row.extra {
        problems.push(format!("the line has {count} fields, more than the header"));
    }
    let module = csv_manifest::module_field(Some(&field(0)), &mut problems);
    let record_id = field(1);
    csv_manifest::record_id_field(Some(&record_id), &mut problems);
    let (id, name, path) = (field(3), field(4), field(7));
    if id.is_empty() {
        problems.push("the id is empty".to_owned());
    }
    let size = field(5).parse::<u64>().unwrap_or_else(|_| {
        problems.push(format!("the size {:?} is not a number of bytes", field(5)));
        0
    });
    let sha256 = field(6).to_ascii_lowercase();
    if !sha256.is_empty() && (sha256.len() != 64 || !sha256.chars().all(|c| c.is_ascii_hexdigit()))
    {
        problems.push(format!("the sha256 {sha256:?} is not 64 hex digits"));
    }
    let inside = !path.is_empty()
        && !path.contains('\\')
        && Path::new(&path)
            .components()
            .all(|part| matches!(part, Component::Normal(_)));
    if !inside {
        problems.push(format!(
            "the path {path:?} is not a path inside the export directory"
        ));
    }
    let kind = match field(2).as_str() {
        "attachment" => Some(Kind::Attachment),
        "photo" => Some(Kind::Photo),
        "field_file" => {
            // <module>/<record>/fields/<field>/<name>
            let parts: Vec<&str> = path.split('/').collect();
            match parts.as_slice() {
                [_, _, FIELDS_DIR, field, _, ..] if !field.is_empty() => {
                    Some(Kind::Field((*field).to_owned()))
                }
                _ => {
                    problems.push(format!(
                        "the path {path:?} of a field_file is not <module>/<record>/{FIELDS_DIR}/<field>/<name>"
                    ));
                    None
                }
            }
        }
        other => {
            problems.push(format!(
                "the kind {other:?} is none of attachment, photo or field_file"
            ));
            None
        }
    };
    match (module, kind) {
        (Some(module), Some(kind)) if problems.is_empty() => Ok(IndexRow {
            module,
            record_id,
            kind,
            id,
            name,
            size,
            sha256,
            path,
        }),
        _ => Err(Invalid {
            line: row.line,
            path: (!path.is_empty()).then_some(path),
            reason: problems.join("; "),
        }),
    }
}

/// What Zoho lists of a record: an id, a name and a size.
struct Listed {
    id: String,
    name: String,
    size: Option<u64>,
    /// `Some(field)` for a field's file.
    field: Option<String>,
}

/// A row to compare with its file on disk, and with what Zoho lists when it does.
struct Pending {
    row: IndexRow,
    /// Zoho's size, when Zoho lists it (`None` inside: Zoho gave none).
    zoho: Option<Option<u64>>,
}

/// Checks the files of one record (`rows`, all of the same record).
async fn verify_record(client: &Client, report: &mut Report<'_>, dir: &Path, rows: Vec<IndexRow>) {
    let Some(first) = rows.first() else {
        return;
    };
    let (module, record_id) = (first.module.clone(), first.record_id.clone());
    let module_name = module.api_name().to_owned();
    let indexed: HashSet<String> = rows.iter().map(|row| row.path.clone()).collect();
    let mut fields: Vec<String> = rows
        .iter()
        .filter_map(|row| match &row.kind {
            Kind::Field(field) => Some(field.clone()),
            _ => None,
        })
        .collect();
    fields.sort();
    fields.dedup();
    let mut listed: Vec<Listed> = Vec::new();
    let mut unreadable: Vec<(Option<String>, String)> = Vec::new();
    match reconcile::list(client, &module, &record_id).await {
        Ok(attachments) => listed.extend(
            attachments
                .into_iter()
                .filter(|item| item.kind.as_deref() != Some("Link URL"))
                .map(|item| Listed {
                    name: item.file_name.clone().unwrap_or_default(),
                    id: item.id,
                    size: item.size,
                    field: None,
                }),
        ),
        Err(failure) => {
            report.unreadable(&module_name, &record_id, "attachments", &failure);
            unreadable.push((None, failure.message));
        }
    }
    if !fields.is_empty() {
        match record_files::read_fields(client, &module, &record_id, &fields).await {
            Ok(held) => {
                for files in held {
                    for entry in files.entries {
                        let Some(id) = entry.id.clone() else {
                            continue;
                        };
                        listed.push(Listed {
                            id,
                            name: entry.file_name.clone().unwrap_or_default(),
                            size: entry.size,
                            field: Some(files.field.clone()),
                        });
                    }
                }
            }
            Err(failure) => {
                report.unreadable(&module_name, &record_id, "file fields", &failure);
                for field in &fields {
                    unreadable.push((Some(field.clone()), failure.message.clone()));
                }
            }
        }
    }
    // The rows by what they are of and their id (each once: the index was checked).
    let mut by_id: HashMap<(Option<String>, String), IndexRow> = HashMap::new();
    let mut photos = Vec::new();
    let mut not_read = Vec::new();
    for row in rows {
        let of = match &row.kind {
            Kind::Photo => {
                photos.push(row);
                continue;
            }
            Kind::Attachment => None,
            Kind::Field(field) => Some(field.clone()),
        };
        if let Some((_, why)) = unreadable.iter().find(|(which, _)| *which == of) {
            not_read.push((row, why.clone()));
            continue;
        }
        by_id.insert((of, row.id.clone()), row);
    }
    let mut pending = Vec::new();
    for item in listed {
        match by_id.remove(&(item.field.clone(), item.id.clone())) {
            Some(row) => pending.push(Pending {
                row,
                zoho: Some(item.size),
            }),
            None => {
                let shown = match &item.field {
                    Some(field) => format!(
                        "{module_name}/{record_id}/{FIELDS_DIR}/{field}/{}",
                        item.name
                    ),
                    None => format!("{module_name}/{record_id}/{}", item.name),
                };
                report.item(&Item {
                    size: item.size,
                    id: Some(item.id),
                    shown,
                    reason: Some("Zoho lists it; the index has no row for it".to_owned()),
                    ..Item::new(Mark::Missing, &module_name, &record_id, &item.name)
                });
            }
        }
    }
    for (row, why) in not_read {
        report.item(&Item {
            reason: Some(format!("not checked: the record cannot be read ({why})")),
            ..row_item(Mark::Error, &row, row.size)
        });
    }
    let mut unlisted: Vec<IndexRow> = by_id.into_values().collect();
    unlisted.sort_by(|a, b| a.path.cmp(&b.path));
    for row in unlisted {
        report.item(&Item {
            reason: Some("in the index, but Zoho no longer lists it".to_owned()),
            ..row_item(Mark::Extra, &row, row.size)
        });
    }
    let folder = format!("{module_name}/{record_id}");
    for (path, size) in strays(dir, &folder, &indexed) {
        let name = path.rsplit('/').next().unwrap_or_default().to_owned();
        report.item(&Item {
            size: Some(size),
            path: Some(path.clone()),
            reason: Some("on disk, but not in the index".to_owned()),
            shown: path,
            ..Item::new(Mark::Extra, &module_name, &record_id, &name)
        });
    }
    pending.extend(photos.into_iter().map(|row| Pending { row, zoho: None }));
    let paths: Vec<PathBuf> = pending.iter().map(|p| dir.join(&p.row.path)).collect();
    let on_disk = hash_all(paths).await;
    for (pending, disk) in pending.iter().zip(on_disk) {
        if let OnDisk::Read { size, .. } = &disk {
            report.hashed(*size);
        }
        report.item(&compare(pending, &disk));
    }
}

/// The files in the record's folder `folder` (relative to the export `dir`) and in its
/// fields' folders that no row of the index names (`indexed`), with their sizes, as paths
/// relative to `dir`, sorted. Hidden files (a run's temporary ones) are not counted; a folder
/// that cannot be read has none.
fn strays(dir: &Path, folder: &str, indexed: &HashSet<String>) -> Vec<(String, u64)> {
    let files = |relative: &str| -> Vec<(String, u64)> {
        let Ok(entries) = std::fs::read_dir(dir.join(relative)) else {
            return Vec::new();
        };
        entries
            .filter_map(Result::ok)
            .filter_map(|entry| {
                let name = entry.file_name().to_str()?.to_owned();
                let meta = entry.metadata().ok()?;
                (meta.is_file() && !name.starts_with('.'))
                    .then(|| (format!("{relative}/{name}"), meta.len()))
            })
            .collect()
    };
    let mut found = files(folder);
    let fields = format!("{folder}/{FIELDS_DIR}");
    if let Ok(entries) = std::fs::read_dir(dir.join(&fields)) {
        for entry in entries.filter_map(Result::ok) {
            if let Some(field) = entry.file_name().to_str()
                && entry.file_type().is_ok_and(|kind| kind.is_dir())
            {
                found.extend(files(&format!("{fields}/{field}")));
            }
        }
    }
    found.retain(|(path, _)| !indexed.contains(path));
    found.sort();
    found
}

/// The line of a row.
fn row_item(mark: Mark, row: &IndexRow, size: u64) -> Item {
    Item {
        size: Some(size),
        id: Some(row.id.clone()),
        path: Some(row.path.clone()),
        shown: row.path.clone(),
        ..Item::new(mark, row.module.api_name(), &row.record_id, &row.name)
    }
}

/// The line of a row whose file is `disk`, and which Zoho lists unless a photo.
fn compare(pending: &Pending, disk: &OnDisk) -> Item {
    let row = &pending.row;
    let photo = row.kind == Kind::Photo;
    let size = pending.zoho.flatten().unwrap_or(row.size);
    let (mark, reason) = match disk {
        OnDisk::Missing => (Mark::Missing, "missing on disk".to_owned()),
        OnDisk::Unreadable(why) => (Mark::Differs, format!("cannot be read on disk: {why}")),
        OnDisk::Read { size: on_disk, .. } if *on_disk != row.size => (
            Mark::Differs,
            format!("{on_disk} bytes on disk, the index says {}", row.size),
        ),
        OnDisk::Read { sha256, .. } if !row.sha256.is_empty() && *sha256 != row.sha256 => (
            Mark::Differs,
            "the SHA-256 on disk is not the index's".to_owned(),
        ),
        OnDisk::Read { .. } => match pending.zoho.flatten() {
            Some(zoho) if zoho != row.size => (
                Mark::Differs,
                format!("Zoho's size is {zoho} bytes, the index's {}", row.size),
            ),
            _ if photo => (
                Mark::NotChecked,
                "a photo is not compared with Zoho (Zoho gives it no name or size); the file on disk is as the index says".to_owned(),
            ),
            _ if row.sha256.is_empty() => (
                Mark::Same,
                "the index has no SHA-256 (an older download-many): sizes compared".to_owned(),
            ),
            _ => (Mark::Same, String::new()),
        },
    };
    let reason = match (mark, photo) {
        (Mark::Missing | Mark::Differs, true) => {
            Some(format!("{reason} (a photo: not compared with Zoho)"))
        }
        _ => (!reason.is_empty()).then_some(reason),
    };
    Item {
        reason,
        ..row_item(mark, row, size)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(cells: [&str; 8]) -> Result<IndexRow, Invalid> {
        check_row(Row {
            line: 2,
            fields: cells.iter().map(|cell| Some((*cell).to_owned())).collect(),
            extra: None,
        })
    }

    #[test]
    fn rows_are_checked_and_a_field_file_names_its_field_in_its_path() {
        let sha = "ab".repeat(32);
        let field = row([
            "Leads",
            "1",
            "field_file",
            "7",
            "d.txt",
            "1",
            &sha,
            "Leads/1/fields/Docs/d.txt",
        ]);
        assert!(field.is_ok_and(|row| row.kind == Kind::Field("Docs".into())));
        let older = row(["Leads", "1", "attachment", "2", "a", "3", "", "Leads/1/a"]);
        assert!(older.is_ok_and(|row| row.sha256.is_empty() && row.size == 3));
        for bad in [
            ["Leads", "1", "attachment", "2", "a", "3", "", "../a"],
            ["Leads", "1", "attachment", "2", "a", "3", "", "/etc/passwd"],
            ["Leads", "1", "attachment", "", "a", "3", "", "Leads/1/a"],
            ["Leads", "1", "attachment", "2", "a", "x", "", "Leads/1/a"],
            ["Leads", "1", "attachment", "2", "a", "3", "zz", "Leads/1/a"],
            ["Leads", "1", "link", "2", "a", "3", "", "Leads/1/a"],
            ["Leads", "1", "field_file", "2", "a", "3", "", "Leads/1/a"],
        ] {
            assert!(row(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_file_is_compared_by_size_then_hash_then_zohos_size() {
        let sha = "ab".repeat(32);
        let pending = |zoho: Option<Option<u64>>, kind: Kind| Pending {
            row: IndexRow {
                module: Module::Leads,
                record_id: "1".into(),
                kind,
                id: "2".into(),
                name: "a".into(),
                size: 3,
                sha256: sha.clone(),
                path: "Leads/1/a".into(),
            },
            zoho,
        };
        let read = |size: u64, sha256: &str| OnDisk::Read {
            size,
            sha256: sha256.into(),
        };
        let attachment = pending(Some(Some(3)), Kind::Attachment);
        assert_eq!(compare(&attachment, &read(3, &sha)).mark, Mark::Same);
        assert_eq!(compare(&attachment, &read(2, &sha)).mark, Mark::Differs);
        assert_eq!(compare(&attachment, &read(3, "00")).mark, Mark::Differs);
        assert_eq!(compare(&attachment, &OnDisk::Missing).mark, Mark::Missing);
        let grown = pending(Some(Some(4)), Kind::Attachment);
        assert_eq!(compare(&grown, &read(3, &sha)).mark, Mark::Differs);
        let photo = pending(None, Kind::Photo);
        assert_eq!(compare(&photo, &read(3, &sha)).mark, Mark::NotChecked);
        assert_eq!(compare(&photo, &read(1, &sha)).mark, Mark::Differs);
    }
}
