//! The files of a record's file-upload fields, named by `--field`/`--fields` (Zoho's field
//! metadata is not read): the record is read once with those fields (one call), and each
//! entry of each field is saved in `fields/<field API name>/` of the record's directory under
//! a safe name unique in that folder, journaled as an item of its own kind (keyed by its entry
//! id, naming its field). An empty field is nothing to do; a value that is not a list of files
//! is a failure of that field.

use std::sync::Arc;

use serde_json::Value;
use zoho_crm::operations::GetRecordRequest;
use zoho_crm::types::FileFieldValue;

use crate::failure::{Failure, Kind};

use super::fetch::{self, Missed, Place, counted};
use super::folder::{Part, may_start_part, remove_stale, scan_dir};
use super::journal::FIELDS_DIR;
use super::journal::{Folder, ItemKind};
use super::name_template::NameFields;
use super::names::Book;
use super::plan::{self, Decision, Fetch};
use super::records::RecordLine;
use super::report::record_failed;
use super::shared::Shared;

/// Exports the file fields of the record whose attachments' folder is `record`.
pub(super) async fn export(shared: &Arc<Shared>, line: &RecordLine, record: &Place) -> Part {
    let permit = tokio::select! {
        biased;
        _ = shared.interrupt.first() => {
            shared.not_starting(1);
            return Part::NotStarted;
        }
        permit = shared.slots.acquire() => permit,
    };
    if !may_start_part(shared) {
        return Part::NotStarted;
    }
    let request = GetRecordRequest::new(record.module.clone(), record.record_id.clone())
        .fields(shared.selection.fields.iter().cloned());
    let read = tokio::select! {
        biased;
        _ = shared.interrupt.first() => {
            shared.not_starting(1);
            return Part::NotStarted;
        }
        read = shared.client.get_record(request) => read,
    };
    drop(permit);
    let page = match counted(shared, ItemKind::FieldFile, read) {
        Ok(page) => {
            shared.patience.went_through();
            page
        }
        Err(missed) => {
            let failure = match missed {
                Missed::Failed(failure, _) => *failure,
                Missed::NoPhoto | Missed::Unsupported => {
                    Failure::invalid("the record cannot be read in this module")
                }
            };
            if failure.kind == Kind::Budget {
                shared.budget_spent();
                shared.not_starting(1);
                return Part::NotStarted;
            }
            shared.call_failed(&failure);
            let what = "cannot read its file fields; they were not exported";
            record_failed(&shared.output, line, what, &failure);
            return Part::ReadFailed;
        }
    };
    // No record (HTTP 204, or an empty list): no field has a file.
    let Some(read) = page.data.into_iter().next() else {
        return Part::Done;
    };
    for field in &shared.selection.fields {
        let dir = record.dir.join(FIELDS_DIR).join(field);
        let at = Arc::new(record.of(ItemKind::FieldFile, Some(field), dir));
        match read.extra.get(field) {
            None | Some(Value::Null) => {}
            Some(Value::Array(entries)) => export_field(shared, &at, entries).await,
            Some(other) => {
                let failure = Failure::invalid(format!(
                    "field {field} is not a file-upload field: its value is {}, not a list of files",
                    kind_of(other)
                ))
                .with_resolution("name only file-upload and image-upload fields with --field");
                field_failed(shared, &at, &failure, 1);
            }
        }
    }
    Part::Done
}

/// Saves the files of one field, listed as `entries`.
async fn export_field(shared: &Arc<Shared>, at: &Arc<Place>, entries: &[Value]) {
    let mut files = Vec::new();
    for entry in entries {
        match serde_json::from_value::<FileFieldValue>(entry.clone()) {
            Ok(FileFieldValue {
                id: Some(id),
                file_name,
                size,
                ..
            }) if !id.is_empty() => files.push((id, file_name, size)),
            Ok(_) | Err(_) => {
                let failure = Failure::invalid(format!(
                    "an entry of field {} is not a file with an id: {}",
                    at.field.as_deref().unwrap_or_default(),
                    snippet(entry)
                ));
                field_failed(shared, at, &failure, 1);
            }
        }
    }
    if files.is_empty() {
        return;
    }
    let mut scan = match scan_dir(&at.dir).await {
        Ok(scan) => scan,
        Err(failure) => {
            field_failed(shared, at, &failure, files.len());
            return;
        }
    };
    let dry_run = shared.writer.is_none();
    if !dry_run {
        remove_stale(shared, std::mem::take(&mut scan.stale)).await;
    }
    let (mut done, mut fetch): (Vec<_>, Vec<Fetch>) = (Vec::new(), Vec::new());
    for (id, name, size) in files {
        if !shared.filters.keeps(name.as_deref(), size) {
            shared.tally().filtered_out += 1;
            continue;
        }
        let would_be = name.as_deref().map(|name| {
            shared.name_template.render(&NameFields {
                name,
                id: &id,
                created: None,
                modified: None,
            })
        });
        match plan::decide(&shared.history, &at.key(&id), (name, size, would_be), &scan) {
            Decision::Done(file) => done.push(file),
            Decision::Fetch(file) => fetch.push(file),
        }
    }
    fetch::report_done(shared, at, &done);
    if fetch.is_empty() {
        return;
    }
    if dry_run {
        fetch::report_would_download(shared, at, &fetch);
        return;
    }
    let field = at.field.as_deref().unwrap_or_default();
    let mut taken: Vec<&str> = scan.files.keys().map(String::as_str).collect();
    taken.extend(
        shared
            .history
            .names_in(at.module(), &at.record_id, Folder::Field(field))
            .map(|(_, name)| name),
    );
    let book = Book::new(taken);
    fetch::download_files(shared, at, &book, fetch).await;
}

/// A field whose `count` files cannot be exported.
fn field_failed(shared: &Shared, at: &Place, failure: &Failure, count: usize) {
    let field = at.field.as_deref().unwrap_or_default();
    shared.output.stderr(&format!(
        "error: {} (field {field}): not saved: {}",
        at.shown(""),
        failure.describe()
    ));
    shared.output.json_line(&super::report::ItemLine {
        id: None,
        failure: Some(failure),
        ..at.line("error", "")
    });
    shared.tally().field_files.failed += count;
}

/// What a JSON value is, for a message.
fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// The start of a value's JSON, for a message.
fn snippet(value: &Value) -> String {
    let text = value.to_string();
    match text.char_indices().nth(120) {
        Some((end, _)) => format!("{}...", &text[..end]),
        None => text,
    }
}
