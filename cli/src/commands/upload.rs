//! `upload`: attach files to one record (every file is checked before the first is sent; one
//! result line per file), or attach a link.

use std::path::{Path, PathBuf};

use serde::Serialize;
use zoho_crm::operations::upload_attachment::LIMITS;
use zoho_crm::operations::{UploadAttachmentRequest, UploadLinkAttachmentRequest};
use zoho_crm::{Client, FileSource, Module};

use super::client_or_exit;
use crate::args::{Global, UploadArgs};
use crate::connect::Env;
use crate::exit::Exit;
use crate::failure::Failure;
use crate::output::Output;
use crate::progress::{self, Tracker};
use crate::stored::{Stored, stored};

/// What the hint for an upload with an unknown result says.
pub const UNKNOWN_HINT: &str = "the server may have attached the file although the call failed: list the record's attachments before uploading it again";

/// One file's result line in JSON.
#[derive(Serialize)]
struct FileLine<'a> {
    ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<&'static str>,
    file: &'a str,
    path: String,
    module: &'a str,
    record_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    bytes: Option<u64>,
    #[serde(flatten)]
    failure: Option<&'a Failure>,
}

/// Runs `upload`.
pub async fn run(global: &Global, env: &Env, output: &Output, args: UploadArgs) -> Exit {
    let client = match client_or_exit(global, env, output, |b| b) {
        Ok(client) => client,
        Err(exit) => return exit,
    };
    let module = args.target.module;
    let record = args.target.record;
    match args.url {
        Some(url) => upload_link(&client, output, module, &record, url, args.title).await,
        None => upload_files(&client, output, &module, &record, &args.files).await,
    }
}

async fn upload_link(
    client: &Client,
    output: &Output,
    module: Module,
    record: &str,
    url: String,
    title: Option<String>,
) -> Exit {
    let module_name = module.api_name().to_owned();
    let mut request = UploadLinkAttachmentRequest::new(module, record, url.clone());
    if let Some(title) = title {
        request = request.title(title);
    }
    #[derive(Serialize)]
    struct LinkLine<'a> {
        ok: bool,
        #[serde(skip_serializing_if = "Option::is_none")]
        status: Option<&'static str>,
        url: &'a str,
        module: &'a str,
        record_id: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        id: Option<&'a str>,
        #[serde(flatten)]
        failure: Option<&'a Failure>,
    }
    match stored(client.upload_link_attachment(request).await) {
        Ok(stored) => {
            output.text(format!("attached  {url}  id {}", stored.id_text()));
            warn_unverified(output, &stored);
            output.json_line(&LinkLine {
                ok: true,
                status: Some(stored.status()),
                url: &url,
                module: &module_name,
                record_id: record,
                id: stored.id.as_deref(),
                failure: None,
            });
            Exit::Success
        }
        Err(error) => {
            let failure = Failure::from_call(&error);
            output.stderr(&format!(
                "error: {url}: not attached: {}",
                failure.describe()
            ));
            if failure.is_unknown() {
                output.stderr(&format!("  note: {UNKNOWN_HINT}"));
            }
            output.json_line(&LinkLine {
                ok: false,
                status: None,
                url: &url,
                module: &module_name,
                record_id: record,
                id: None,
                failure: Some(&failure),
            });
            failure.exit()
        }
    }
}

/// A file to upload: its path, its name on the record and its size.
struct Checked {
    path: PathBuf,
    name: String,
    size: u64,
}

async fn upload_files(
    client: &Client,
    output: &Output,
    module: &Module,
    record: &str,
    files: &[PathBuf],
) -> Exit {
    // Check every file first: bad input means nothing is sent.
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
                report_failure(output, module, record, path, &display_name(path), &failure);
            }
        }
    }
    if invalid > 0 {
        output.stderr(&format!(
            "error: {invalid} of {} files cannot be uploaded; nothing was sent",
            files.len()
        ));
        return Exit::BadInput;
    }
    let width = checked
        .iter()
        .map(|c| c.name.chars().count())
        .max()
        .unwrap_or(0);
    let mut failures = Vec::new();
    for file in &checked {
        let bar = progress::bytes(output, &file.name, Some(file.size));
        let tracker = Tracker::new(bar.clone());
        let source = FileSource::from_path(&file.path).on_progress({
            let tracker = tracker.clone();
            move |sent| tracker.update(sent)
        });
        let request = UploadAttachmentRequest::new(module.clone(), record, source);
        let result = client.upload_attachment(request).await;
        bar.finish_and_clear();
        output.bars().remove(&bar);
        match stored(result) {
            Ok(stored) => {
                let id = stored.id_text();
                output.text(format!("uploaded  {:<width$}  id {id}", file.name));
                warn_unverified(output, &stored);
                output.json_line(&FileLine {
                    ok: true,
                    status: Some(stored.status()),
                    file: &file.name,
                    path: file.path.display().to_string(),
                    module: module.api_name(),
                    record_id: record,
                    id: stored.id.as_deref(),
                    bytes: Some(file.size),
                    failure: None,
                });
            }
            Err(error) => {
                let failure = Failure::from_call(&error);
                report_failure(output, module, record, &file.path, &file.name, &failure);
                failures.push(failure);
            }
        }
    }
    let single = failures.first().map_or(Exit::Failed, Failure::exit);
    Exit::for_items(checked.len(), failures.len(), single)
}

/// Tells the user that an upload was stored although Zoho's answer could not be read.
pub fn warn_unverified(output: &Output, stored: &Stored) {
    if let Some(reason) = &stored.unverified {
        output.stderr(&format!(
            "  warning: stored, but Zoho's answer could not be read in full; do not upload it again ({reason})"
        ));
    }
}

fn display_name(path: &Path) -> String {
    path.file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

fn report_failure(
    output: &Output,
    module: &Module,
    record: &str,
    path: &Path,
    name: &str,
    failure: &Failure,
) {
    output.stderr(&format!(
        "error: {}: not uploaded: {}",
        path.display(),
        failure.describe()
    ));
    if failure.is_unknown() {
        output.stderr(&format!("  note: {UNKNOWN_HINT}"));
    }
    output.json_line(&FileLine {
        ok: false,
        status: None,
        file: name,
        path: path.display().to_string(),
        module: module.api_name(),
        record_id: record,
        id: None,
        bytes: None,
        failure: Some(failure),
    });
}
