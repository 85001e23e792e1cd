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
use crate::recheck::Recheck;
use crate::stored::{Stored, stored};

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
    /// For a result that may have been stored: the command that shows whether it was.
    #[serde(skip_serializing_if = "Option::is_none")]
    check: Option<&'a str>,
    #[serde(flatten)]
    failure: Option<&'a Failure>,
}

/// The first words of a failed upload's message, and its JSON status: "may have been stored"
/// when the server may have stored it (the body was sent and the answer lost, or a 5xx), "not
/// uploaded" when it surely did not (a refusal, or nothing sent).
pub fn verdict(failure: &Failure) -> (&'static str, &'static str) {
    if failure.is_unknown() {
        ("may have been stored", "unknown")
    } else {
        ("not uploaded", "error")
    }
}

/// Runs `upload`.
pub async fn run(global: &Global, env: &Env, output: &Output, args: UploadArgs) -> Exit {
    let client = match client_or_exit(global, env, output, |b| b) {
        Ok(client) => client,
        Err(exit) => return exit,
    };
    let module = args.target.module;
    let record = args.target.record;
    let recheck = Recheck::new(global);
    let dry_run = args.dry_run;
    match args.url {
        Some(url) if dry_run => link_dry_run(output, &module, &record, &url),
        Some(url) => upload_link(&client, output, &recheck, module, &record, url, args.title).await,
        None => {
            let (inputs, _spooled) = match named_inputs(output, &args.files, args.name).await {
                Ok(inputs) => inputs,
                Err(exit) => return exit,
            };
            let run = Run {
                client: &client,
                output,
                recheck: &recheck,
                module: &module,
                record: &record,
                dry_run,
            };
            upload_files(&run, &inputs).await
        }
    }
}

/// A file to upload as the command line names it: its path, and the name to upload it under
/// when not its own (standard input's `--name`).
struct Input {
    path: PathBuf,
    name: Option<String>,
    /// How results name it: its path, or `-`.
    shown: PathBuf,
}

/// The files named, with standard input (`-`) spooled into a temporary file that must live
/// until the uploads end.
async fn named_inputs(
    output: &Output,
    files: &[PathBuf],
    name: Option<String>,
) -> Result<(Vec<Input>, Option<tempfile::NamedTempFile>), Exit> {
    let bad = |message: String| {
        output.fail("cannot upload", &Failure::invalid(message));
        Exit::BadInput
    };
    let is_stdin = |path: &PathBuf| path.as_os_str() == "-";
    match (files.iter().filter(|p| is_stdin(p)).count(), name) {
        (0, None) => Ok((
            files
                .iter()
                .map(|path| Input {
                    path: path.clone(),
                    name: None,
                    shown: path.clone(),
                })
                .collect(),
            None,
        )),
        (0, Some(_)) => Err(bad(
            "--name names standard input's file; give - as the file".into(),
        )),
        (1, None) => Err(bad(
            "standard input (-) needs --name, the file name to upload it under".into(),
        )),
        (1, Some(name)) => {
            let (spooled, _) = super::spool::stdin(LIMITS.max_file_bytes)
                .await
                .map_err(bad)?;
            let inputs = files
                .iter()
                .map(|path| Input {
                    path: if is_stdin(path) {
                        spooled.path().to_owned()
                    } else {
                        path.clone()
                    },
                    name: is_stdin(path).then(|| name.clone()),
                    shown: path.clone(),
                })
                .collect();
            Ok((inputs, Some(spooled)))
        }
        _ => Err(bad(
            "standard input (-) can be uploaded once per command".into()
        )),
    }
}

/// What an upload of files works with.
struct Run<'a> {
    client: &'a Client,
    output: &'a Output,
    recheck: &'a Recheck,
    module: &'a Module,
    record: &'a str,
    dry_run: bool,
}

/// `--dry-run` with a link: the link is checked and shown; nothing is sent.
fn link_dry_run(output: &Output, module: &Module, record: &str, url: &str) -> Exit {
    if let Err(error) = zoho_crm::check_link_url(url) {
        output.fail(
            "the link cannot be attached",
            &Failure::invalid(error.to_string()),
        );
        return Exit::BadInput;
    }
    output.text(format!(
        "would attach  {url}  to {} record {record} (dry run: nothing was sent)",
        module.api_name()
    ));
    output.json_line(&serde_json::json!({
        "ok": true, "status": "dry-run", "url": url,
        "module": module.api_name(), "record_id": record,
    }));
    Exit::Success
}

async fn upload_link(
    client: &Client,
    output: &Output,
    recheck: &Recheck,
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
        #[serde(skip_serializing_if = "Option::is_none")]
        check: Option<&'a str>,
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
                check: None,
                failure: None,
            });
            Exit::Success
        }
        Err(error) => {
            let failure = Failure::from_call(&error);
            let check = failure
                .is_unknown()
                .then(|| recheck.list(&module_name, record));
            print_failure(output, &url, &failure, check.as_deref());
            output.json_line(&LinkLine {
                ok: false,
                status: Some(verdict(&failure).1),
                url: &url,
                module: &module_name,
                record_id: record,
                id: None,
                check: check.as_deref(),
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
    /// How results name it: its path, or `-`.
    shown: PathBuf,
}

impl Checked {
    /// The file as the SDK reads it, under its name.
    fn source(&self) -> FileSource {
        FileSource::from_path_named(&self.path, self.name.clone())
    }
}

/// The source of a named input.
fn source(input: &Input) -> FileSource {
    match &input.name {
        Some(name) => FileSource::from_path_named(&input.path, name.clone()),
        None => FileSource::from_path(&input.path),
    }
}

async fn upload_files(run: &Run<'_>, files: &[Input]) -> Exit {
    let &Run {
        client,
        output,
        recheck,
        module,
        record,
        dry_run,
    } = run;
    // Check every file first: bad input means nothing is sent.
    let mut checked = Vec::new();
    let mut invalid = 0;
    for input in files {
        let path = &input.shown;
        match source(input).open(&LIMITS).await {
            Ok(opened) => checked.push(Checked {
                path: input.path.clone(),
                shown: input.shown.clone(),
                name: opened.name().to_owned(),
                size: opened.length(),
            }),
            Err(error) => {
                invalid += 1;
                let failure = Failure::invalid(error.to_string());
                let name = display_name(path);
                report_failure(output, recheck, module, record, path, &name, &failure);
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
    if dry_run {
        for file in &checked {
            output.text(format!(
                "would upload  {:<width$}  {} bytes to {} record {record}",
                file.name,
                file.size,
                module.api_name()
            ));
            output.json_line(&FileLine {
                ok: true,
                status: Some("dry-run"),
                file: &file.name,
                path: file.shown.display().to_string(),
                module: module.api_name(),
                record_id: record,
                id: None,
                bytes: Some(file.size),
                check: None,
                failure: None,
            });
        }
        output.note(format!(
            "dry run: {} file(s) checked, nothing was sent",
            checked.len()
        ));
        return Exit::Success;
    }
    let mut failures = Vec::new();
    for file in &checked {
        let bar = progress::bytes(output, &file.name, Some(file.size));
        let tracker = Tracker::new(bar.clone());
        let source = file.source().on_progress({
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
                    path: file.shown.display().to_string(),
                    module: module.api_name(),
                    record_id: record,
                    id: stored.id.as_deref(),
                    bytes: Some(file.size),
                    check: None,
                    failure: None,
                });
            }
            Err(error) => {
                let failure = Failure::from_call(&error);
                let path = &file.shown;
                report_failure(output, recheck, module, record, path, &file.name, &failure);
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

/// Prints a failed upload on standard error: the verdict first, then for one that may have
/// been stored the command that checks, then the cause.
pub fn print_failure(output: &Output, what: &str, failure: &Failure, check: Option<&str>) {
    let (words, _) = verdict(failure);
    match check {
        Some(check) => output.stderr(&format!(
            "error: {what}: {words}; before uploading it again, check with: {check}\n  cause: {}",
            failure.describe()
        )),
        None => output.stderr(&format!("error: {what}: {words}: {}", failure.describe())),
    }
}

fn report_failure(
    output: &Output,
    recheck: &Recheck,
    module: &Module,
    record: &str,
    path: &Path,
    name: &str,
    failure: &Failure,
) {
    let check = failure
        .is_unknown()
        .then(|| recheck.list(module.api_name(), record));
    print_failure(
        output,
        &path.display().to_string(),
        failure,
        check.as_deref(),
    );
    output.json_line(&FileLine {
        ok: false,
        status: Some(verdict(failure).1),
        file: name,
        path: path.display().to_string(),
        module: module.api_name(),
        record_id: record,
        id: None,
        bytes: None,
        check: check.as_deref(),
        failure: Some(failure),
    });
}
