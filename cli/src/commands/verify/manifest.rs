//! `verify --manifest M.csv`: each line of an `upload-many` manifest, checked as
//! `upload-many` checks it (an invalid line is bad input: nothing is sent), looked for in
//! Zoho as `--skip-existing` looks: an attachment line is `=` when an attachment of its record
//! has the line's upload name and size (each record listed once, every page; an attachment
//! matches one line at most), a `field:` line when a file of that name and size is in the
//! record's field (each record read once, with the fields its lines name), `-` otherwise. A
//! photo line is `?`: Zoho gives a photo no name or size to compare.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use zoho_crm::Client;

use crate::args::VerifyArgs;
use crate::commands::upload_many::manifest::{self, Entry};
use crate::commands::upload_many::target::Target;
use crate::exit::Exit;
use crate::failure::Failure;
use crate::reconcile::{self, Candidate};
use crate::record_files;

use super::{Item, Mark, Report};

/// Checks the manifest at `path` against Zoho, printing a line for each of its lines (in
/// manifest order). `Err` when the manifest cannot be used (reported).
pub(super) async fn verify(
    client: &Client,
    report: &mut Report<'_>,
    path: &Path,
    args: &VerifyArgs,
) -> Result<(), Exit> {
    let output = report.output;
    let loaded = manifest::load(path, args.allow_outside)
        .await
        .map_err(|unusable| unusable.report(output, path))?;
    if !loaded.invalid.is_empty() {
        for invalid in &loaded.invalid {
            let place = match invalid.path.as_deref() {
                Some(file) => format!("line {} ({file})", invalid.line),
                None => format!("line {}", invalid.line),
            };
            output.stderr(&format!("error: {place}: {}", invalid.reason));
        }
        output.fail(
            &format!("the manifest {} cannot be used", path.display()),
            &Failure::invalid(format!(
                "{} line(s) are invalid; nothing was sent",
                loaded.invalid.len()
            )),
        );
        return Err(Exit::BadInput);
    }
    let (entries, duplicates) = manifest::number_copies(loaded.entries, args.allow_duplicates);
    for duplicate in &duplicates {
        output.note(format!(
            "line {} ({}) names the same file for the same record as line {}: looked for once, as upload-many uploads it once (--allow-duplicates looks for each copy)",
            duplicate.entry.line, duplicate.entry.path, duplicate.first_line
        ));
    }
    let mut items = Vec::with_capacity(entries.len());
    let (mut attachments, mut fields) = (Vec::new(), Vec::new());
    for entry in entries {
        match &entry.target {
            Target::Attachment => attachments.push(entry),
            Target::Field(_) => fields.push(entry),
            Target::Photo => items.push(item(
                &entry,
                Mark::NotChecked,
                None,
                Some("not checked: Zoho gives a photo no name or size".to_owned()),
            )),
        }
    }
    in_attachments(client, report, attachments, &mut items).await;
    in_fields(client, report, fields, &mut items).await;
    items.sort_by_key(|item| item.line);
    for item in &items {
        report.item(item);
    }
    Ok(())
}

/// The line of `entry` with `mark`.
fn item(entry: &Entry, mark: Mark, id: Option<String>, reason: Option<String>) -> Item {
    let module = entry.module.api_name();
    let shown = match &entry.target {
        Target::Field(field) => {
            format!("{module}/{}/fields/{field}/{}", entry.record_id, entry.name)
        }
        _ => format!("{module}/{}/{}", entry.record_id, entry.name),
    };
    Item {
        size: Some(entry.size),
        id,
        path: Some(entry.path.clone()),
        reason,
        line: Some(entry.line),
        shown,
        ..Item::new(mark, module, &entry.record_id, &entry.name)
    }
}

/// The attachment lines: each record listed once, every page (the listing `--skip-existing`
/// does, any age).
async fn in_attachments(
    client: &Client,
    report: &mut Report<'_>,
    entries: Vec<Entry>,
    items: &mut Vec<Item>,
) {
    let candidates: Vec<Candidate> = entries
        .iter()
        .map(|entry| Candidate {
            module: entry.module.clone(),
            record_id: entry.record_id.clone(),
            name: entry.name.clone(),
            size: entry.size,
            since: None,
            any_age: true,
        })
        .collect();
    let found = reconcile::find(client, &candidates, &HashSet::new()).await;
    let mut unreadable = HashSet::new();
    for (entry, result) in entries.iter().zip(found) {
        items.push(match result {
            Ok(Some(id)) => item(entry, Mark::Same, Some(id), None),
            Ok(None) => item(
                entry,
                Mark::Missing,
                None,
                Some("no attachment of the record has this name and size".to_owned()),
            ),
            Err(failure) => {
                let module = entry.module.api_name();
                if unreadable.insert((module, entry.record_id.clone())) {
                    report.unreadable(module, &entry.record_id, "attachments", &failure);
                }
                item(entry, Mark::Error, None, Some(failure.message))
            }
        });
    }
}

/// The `field:` lines: each record read once with the fields its lines name; a file of the
/// field matches one line at most.
async fn in_fields(
    client: &Client,
    report: &mut Report<'_>,
    entries: Vec<Entry>,
    items: &mut Vec<Item>,
) {
    let mut records: BTreeMap<(String, String), Vec<Entry>> = BTreeMap::new();
    for entry in entries {
        records
            .entry((entry.module.api_name().to_owned(), entry.record_id.clone()))
            .or_default()
            .push(entry);
    }
    for ((module, record_id), entries) in records {
        let Some(first) = entries.first() else {
            continue;
        };
        let names = Target::fields_of(entries.iter().map(|entry| &entry.target));
        let held = match record_files::read_fields(client, &first.module, &record_id, &names).await
        {
            Ok(held) => held,
            Err(failure) => {
                report.unreadable(&module, &record_id, "fields", &failure);
                for entry in &entries {
                    items.push(item(
                        entry,
                        Mark::Error,
                        None,
                        Some(failure.message.clone()),
                    ));
                }
                continue;
            }
        };
        let mut claimed: HashSet<String> = HashSet::new();
        for entry in &entries {
            let Target::Field(field) = &entry.target else {
                continue;
            };
            let matching = held
                .iter()
                .filter(|files| &files.field == field)
                .flat_map(|files| &files.entries)
                .filter_map(|file| Some((file.id.clone().or_else(|| file.file_id.clone())?, file)))
                .find(|(key, file)| {
                    file.file_name.as_deref() == Some(entry.name.as_str())
                        && file.size == Some(entry.size)
                        && !claimed.contains(key)
                });
            items.push(match matching {
                Some((key, _)) => {
                    claimed.insert(key.clone());
                    item(entry, Mark::Same, Some(key), None)
                }
                None => item(
                    entry,
                    Mark::Missing,
                    None,
                    Some(format!("no file of field {field} has this name and size")),
                ),
            });
        }
    }
}
