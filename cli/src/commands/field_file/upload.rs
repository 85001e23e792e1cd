//! `field-file upload`: every file is checked before anything is sent, and the field is read
//! (it must be a file-upload field) before the files are stored. The field is updated only
//! when every file was stored, in one call that also removes the old entries with
//! `--replace`; files stored but not put in the field are reported as such, with their ids.

use std::path::PathBuf;

use serde::Serialize;
use zoho_crm::FileSource;
use zoho_crm::operations::upload_files::LIMITS;

use crate::args::{FieldFileUploadArgs, Global};
use crate::commands::client_or_exit;
use crate::connect::Env;
use crate::exit::Exit;
use crate::failure::{Failure, Kind};
use crate::output::Output;
use crate::progress::{self, Tracker};
use crate::record_files::{attach, read_fields, store};

/// One file's result line in JSON.
#[derive(Serialize)]
struct Line<'a> {
    ok: bool,
    /// `attached`, `dry-run`, `stored` (in the file store, not in the field), `not-stored`
    /// or `invalid`.
    status: &'static str,
    file: &'a str,
    path: String,
    module: &'a str,
    record_id: &'a str,
    field: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    bytes: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    file_id: Option<&'a str>,
    #[serde(flatten)]
    failure: Option<&'a Failure>,
}

/// A file checked for the file store.
struct Checked {
    path: PathBuf,
    name: String,
    size: u64,
}

/// What the run works on, for its result lines.
struct Place<'a> {
    module: &'a str,
    record_id: &'a str,
    field: &'a str,
}

impl Place<'_> {
    fn line<'a>(&'a self, file: &'a Checked, status: &'static str) -> Line<'a> {
        Line {
            ok: true,
            status,
            file: &file.name,
            path: file.path.display().to_string(),
            module: self.module,
            record_id: self.record_id,
            field: self.field,
            bytes: Some(file.size),
            file_id: None,
            failure: None,
        }
    }
}

/// Checks every file with the file store's limits; reports each bad one.
async fn check_files(
    output: &Output,
    place: &Place<'_>,
    files: &[PathBuf],
) -> Option<Vec<Checked>> {
    let mut checked = Vec::new();
    let mut invalid = 0;
    for path in files {
        match FileSource::from_path(path).open(&LIMITS).await {
            Ok(opened) => checked.push(Checked {
                path: path.clone(),
                name: opened.name().to_owned(),
                size: opened.length(),
            }),
            Err(error) => {
                invalid += 1;
                let failure = Failure::invalid(error.to_string());
                output.stderr(&format!(
                    "error: {}: cannot be uploaded: {}",
                    path.display(),
                    failure.describe()
                ));
                output.json_line(&Line {
                    ok: false,
                    status: "invalid",
                    file: &path.display().to_string(),
                    path: path.display().to_string(),
                    module: place.module,
                    record_id: place.record_id,
                    field: place.field,
                    bytes: None,
                    file_id: None,
                    failure: Some(&failure),
                });
            }
        }
    }
    if invalid > 0 {
        output.stderr(&format!(
            "error: {invalid} of {} files cannot be uploaded; nothing was sent",
            files.len()
        ));
        return None;
    }
    Some(checked)
}

/// Runs `field-file upload`.
pub async fn run(global: &Global, env: &Env, output: &Output, args: FieldFileUploadArgs) -> Exit {
    let client = match client_or_exit(global, env, output, |b| b) {
        Ok(client) => client,
        Err(exit) => return exit,
    };
    let target = &args.target;
    let place = Place {
        module: target.module.api_name(),
        record_id: &target.record,
        field: &args.field,
    };
    let Some(files) = check_files(output, &place, &args.files).await else {
        return Exit::BadInput;
    };
    let fields = std::slice::from_ref(&args.field);
    let existing = match read_fields(&client, &target.module, &target.record, fields).await {
        Ok(mut read) => read.pop().map(|files| files.entries).unwrap_or_default(),
        Err(failure) => {
            output.fail("cannot read the field; nothing was uploaded", &failure);
            return failure.exit();
        }
    };
    let remove = if args.replace { existing } else { Vec::new() };
    if args.dry_run {
        for file in &files {
            output.text(format!(
                "would add  {}  ({} bytes) to field {} of {} record {}",
                file.name, file.size, place.field, place.module, place.record_id
            ));
            output.json_line(&place.line(file, "dry-run"));
        }
        output.note(format!(
            "dry run: {} file(s) checked, {} existing file(s) would be removed; nothing was sent",
            files.len(),
            remove.len()
        ));
        return Exit::Success;
    }
    let total: u64 = files.iter().map(|file| file.size).sum();
    let bar = progress::bulk(output, total, files.len());
    let sources = files.iter().map(|file| {
        let tracker = Tracker::new(bar.clone());
        FileSource::from_path(&file.path).on_progress(move |sent| tracker.update(sent))
    });
    let count = files.len();
    let stored = store(&client, sources.collect(), |done| {
        bar.set_message(format!("{done}/{count} files"));
    })
    .await;
    bar.finish_and_clear();
    output.bars().remove(&bar);
    let ids: Vec<String> = stored
        .iter()
        .filter_map(|r| r.as_ref().ok().cloned())
        .collect();
    if ids.len() < files.len() {
        return not_all_stored(output, &place, &files, &stored);
    }
    match attach(
        &client,
        &target.module,
        &target.record,
        &args.field,
        &ids,
        &remove,
    )
    .await
    {
        Ok(()) => {
            for (file, id) in files.iter().zip(&ids) {
                output.text(format!("attached  {}  file id {id}", file.name));
                output.json_line(&Line {
                    file_id: Some(id),
                    ..place.line(file, "attached")
                });
            }
            output.note(format!(
                "field {} of {} record {}: {} file(s) added, {} removed",
                place.field,
                place.module,
                place.record_id,
                ids.len(),
                remove.len()
            ));
            Exit::Success
        }
        Err(failure) => {
            for (file, id) in files.iter().zip(&ids) {
                output.json_line(&Line {
                    ok: false,
                    file_id: Some(id),
                    failure: Some(&failure),
                    ..place.line(file, "stored")
                });
            }
            output.stderr(&format!(
                "error: the files were stored in Zoho's file store (ids {}) but are NOT in field {} of {} record {}: the record update failed: {}",
                ids.join(", "),
                place.field,
                place.module,
                place.record_id,
                failure.describe()
            ));
            if failure.kind == Kind::Budget {
                Exit::BudgetSpent
            } else {
                Exit::Failed
            }
        }
    }
}

/// Some files could not be stored: the field is left as it is, and each file's fate is told.
fn not_all_stored(
    output: &Output,
    place: &Place<'_>,
    files: &[Checked],
    stored: &[Result<String, Failure>],
) -> Exit {
    let mut kept = Vec::new();
    for (file, result) in files.iter().zip(stored) {
        match result {
            Ok(id) => {
                kept.push(id.as_str());
                output.json_line(&Line {
                    ok: false,
                    file_id: Some(id),
                    ..place.line(file, "stored")
                });
            }
            Err(failure) => {
                let words = if failure.is_unknown() {
                    "may have been stored in the file store"
                } else {
                    "not stored"
                };
                output.stderr(&format!(
                    "error: {}: {words}: {}",
                    file.path.display(),
                    failure.describe()
                ));
                output.json_line(&Line {
                    ok: false,
                    failure: Some(failure),
                    ..place.line(file, "not-stored")
                });
            }
        }
    }
    let stored_note = if kept.is_empty() {
        String::new()
    } else {
        format!(
            "; the files stored (ids {}) are in Zoho's file store only",
            kept.join(", ")
        )
    };
    output.stderr(&format!(
        "error: field {} of {} record {} was NOT updated: {} of {} files could not be stored{stored_note}",
        place.field,
        place.module,
        place.record_id,
        files.len() - kept.len(),
        files.len()
    ));
    // Files refused for the budget were not sent: the run can be made again later.
    let budget = stored
        .iter()
        .any(|result| result.as_ref().is_err_and(|f| f.kind == Kind::Budget));
    if budget {
        Exit::BudgetSpent
    } else {
        Exit::Failed
    }
}
