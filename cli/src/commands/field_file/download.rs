//! `field-file download`: each file of a field (or the one entry asked) saved into a
//! directory under its name, made safe by the runtime and unique here; a file is never left
//! partial under its name, and an existing file is never replaced.

use serde::Serialize;
use zoho_crm::operations::DownloadFieldFileRequest;
use zoho_crm::types::FileFieldValue;

use super::names::Taken;
use crate::account::Opening;
use crate::args::{FieldFileDownloadArgs, Global};
use crate::commands::client_or_exit;
use crate::connect::Env;
use crate::exit::Exit;
use crate::failure::{Failure, Kind};
use crate::output::Output;
use crate::progress;
use crate::record_files::read_fields;

/// One file's result line in JSON.
#[derive(Serialize)]
struct Line<'a> {
    ok: bool,
    field: &'a str,
    id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    file_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    bytes: Option<u64>,
    #[serde(flatten)]
    failure: Option<&'a Failure>,
}

/// Runs `field-file download`.
pub async fn run(global: &Global, env: &Env, output: &Output, args: FieldFileDownloadArgs) -> Exit {
    let context = "cannot download the field's files";
    if args.output.exists() && !args.output.is_dir() {
        let failure = Failure::invalid(format!(
            "{} exists and is not a directory",
            args.output.display()
        ));
        output.fail(context, &failure);
        return Exit::BadInput;
    }
    let client = match client_or_exit(global, env, output, |b| b) {
        Ok(client) => client,
        Err(exit) => return exit,
    };
    let opening = Opening::of(&client);
    let target = &args.target;
    let fields = std::slice::from_ref(&args.field);
    let entries = match read_fields(&client, &target.module, &target.record, fields).await {
        Ok(mut read) => read.pop().map(|files| files.entries).unwrap_or_default(),
        Err(failure) => {
            output.fail(context, &failure);
            return failure.exit();
        }
    };
    let entries: Vec<(String, FileFieldValue)> = entries
        .into_iter()
        .filter_map(|entry| Some((entry.id.clone()?, entry)))
        .filter(|(id, _)| args.id.as_ref().is_none_or(|wanted| wanted == id))
        .collect();
    if let (Some(wanted), true) = (&args.id, entries.is_empty()) {
        let failure = Failure::new(
            Kind::Api,
            "NOT_FOUND",
            format!("field {} has no entry {wanted}", args.field),
        )
        .with_resolution("check the entry id with `zoho-crm field-file list`");
        output.fail(context, &failure);
        return failure.exit();
    }
    if let Err(e) = std::fs::create_dir_all(&args.output) {
        let failure = Failure::io(format!("cannot make {}: {e}", args.output.display()));
        output.fail(context, &failure);
        return failure.exit();
    }
    let mut taken = Taken::in_dir(&args.output);
    let mut failures = 0;
    let mut held_back = 0;
    for (index, (id, entry)) in entries.iter().enumerate() {
        let request = DownloadFieldFileRequest::new(target.module.clone(), &target.record, id);
        let result = match client.download_field_file(request).await {
            Ok(Some(download)) => {
                let candidate = download
                    .file_name()
                    .map_or_else(|| format!("field-file-{id}"), str::to_owned);
                let path = args.output.join(taken.claim(&candidate));
                let bar = progress::bytes(output, &candidate, download.content_length());
                let saved = download
                    .save(&path, false, |received| bar.set_position(received))
                    .await;
                bar.finish_and_clear();
                saved
                    .map(|bytes| (path, bytes))
                    .map_err(|error| Failure::download(&error))
            }
            Ok(None) => Err(Failure::new(
                Kind::Api,
                "NOT_FOUND",
                format!("Zoho has no file for entry {id} (removed meanwhile?)"),
            )),
            Err(error) => Err(Failure::from_call(&error)),
        };
        let mut line = Line {
            ok: true,
            field: &args.field,
            id,
            file_name: entry.file_name.as_deref(),
            path: None,
            bytes: None,
            failure: None,
        };
        match &result {
            Ok((path, bytes)) => {
                output.text(format!("saved {} ({bytes} bytes)", path.display()));
                line.path = Some(path.display().to_string());
                line.bytes = Some(*bytes);
            }
            Err(failure) if failure.kind == Kind::Budget => {
                // Not sent: this entry and the rest are held back, for a later run.
                held_back = entries.len() - index;
                output.stderr(&format!(
                    "error: the budget of {} credits is spent (--max-credits): {held_back} file(s) not downloaded, from entry {id} on; run the command again later (or with a larger --max-credits) for them",
                    client.usage().budget.unwrap_or_default()
                ));
                output.json_line(&Line {
                    ok: false,
                    failure: Some(failure),
                    ..line
                });
                break;
            }
            Err(failure) => {
                failures += 1;
                output.stderr(&format!(
                    "error: entry {id}: not downloaded: {}",
                    failure.describe()
                ));
                line.ok = false;
                line.failure = Some(failure);
            }
        }
        output.json_line(&line);
    }
    output.note(format!(
        "{} of {} file(s) of field {} saved in {}",
        entries.len() - failures - held_back,
        entries.len(),
        args.field,
        args.output.display()
    ));
    output.note(opening.close(&client).describe());
    if held_back > 0 {
        return Exit::BudgetSpent;
    }
    Exit::for_items(entries.len(), failures, Exit::Failed)
}
