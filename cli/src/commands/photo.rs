//! `photo upload`, `photo download` and `photo delete`: a record's one photo. The image is
//! checked (with the SDK's limits for photos) before anything is sent; a download is never
//! left half-written under its name, and a record without a photo is not an error.

use std::path::Path;

use serde::Serialize;
use zoho_crm::operations::upload_photo::LIMITS;
use zoho_crm::operations::{DeletePhotoRequest, DownloadPhotoRequest, UploadPhotoRequest};
use zoho_crm::{Download, Error, FileSource};

use super::client_or_exit;
use crate::args::{
    Global, PhotoCommand, PhotoDeleteArgs, PhotoDownloadArgs, PhotoUploadArgs, RecordArgs,
};
use crate::connect::Env;
use crate::destination::{Destination, destination};
use crate::exit::Exit;
use crate::failure::Failure;
use crate::output::Output;
use crate::progress::{self, Tracker};

/// One result line in JSON.
#[derive(Serialize)]
struct Line<'a> {
    ok: bool,
    /// `uploaded`, `stored-unverified`, `downloaded`, `no-photo`, `deleted` or `dry-run`.
    status: &'static str,
    module: &'a str,
    record_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    bytes: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    content_type: Option<&'a str>,
}

impl<'a> Line<'a> {
    fn of(target: &'a RecordArgs, status: &'static str) -> Self {
        Line {
            ok: true,
            status,
            module: target.module.api_name(),
            record_id: &target.record,
            path: None,
            bytes: None,
            content_type: None,
        }
    }
}

/// Runs a `photo` subcommand.
pub async fn run(global: &Global, env: &Env, output: &Output, command: PhotoCommand) -> Exit {
    match command {
        PhotoCommand::Upload(args) => upload(global, env, output, args).await,
        PhotoCommand::Download(args) => download(global, env, output, args).await,
        PhotoCommand::Delete(args) => delete(global, env, output, args).await,
    }
}

async fn upload(global: &Global, env: &Env, output: &Output, args: PhotoUploadArgs) -> Exit {
    let client = match client_or_exit(global, env, output, |b| b) {
        Ok(client) => client,
        Err(exit) => return exit,
    };
    let opened = match FileSource::from_path(&args.file).open(&LIMITS).await {
        Ok(opened) => opened,
        Err(error) => {
            let failure = Failure::invalid(error.to_string());
            output.fail(
                &format!("{}: not uploaded; nothing was sent", args.file.display()),
                &failure,
            );
            return Exit::BadInput;
        }
    };
    let (name, size) = (opened.name().to_owned(), opened.length());
    drop(opened);
    let target = &args.target;
    let mut line = Line {
        path: Some(args.file.display().to_string()),
        bytes: Some(size),
        ..Line::of(target, "dry-run")
    };
    if args.dry_run {
        output.text(format!(
            "would set  {name}  ({size} bytes) as the photo of {} record {} (dry run: nothing was sent)",
            target.module.api_name(),
            target.record
        ));
        output.json_line(&line);
        return Exit::Success;
    }
    let bar = progress::bytes(output, &name, Some(size));
    let tracker = Tracker::new(bar.clone());
    let source = FileSource::from_path(&args.file).on_progress(move |sent| tracker.update(sent));
    let request = UploadPhotoRequest::new(target.module.clone(), target.record.clone(), source);
    let result = client.upload_photo(request).await;
    bar.finish_and_clear();
    output.bars().remove(&bar);
    match result {
        Ok(_) => line.status = "uploaded",
        Err(Error::UnreadableSuccess(unreadable)) => {
            output.warn(format!(
                "stored, but Zoho's answer could not be read in full ({unreadable})"
            ));
            line.status = "stored-unverified";
        }
        Err(error) => {
            // Setting the same photo again is harmless, so the advice is simply to retry.
            let failure = Failure::from_call(&error);
            let what = if failure.is_unknown() {
                "may have been set (setting it again is harmless)"
            } else {
                "not set"
            };
            output.fail(&format!("{name}: the photo {what}"), &failure);
            return failure.exit();
        }
    }
    output.text(format!(
        "uploaded  {name}  as the photo of {} record {}",
        target.module.api_name(),
        target.record
    ));
    output.json_line(&line);
    Exit::Success
}

async fn download(global: &Global, env: &Env, output: &Output, args: PhotoDownloadArgs) -> Exit {
    let context = "cannot download the photo";
    let place = match destination(&args.output) {
        Ok(place) => place,
        Err(failure) => {
            output.fail(context, &failure);
            return failure.exit();
        }
    };
    let client = match client_or_exit(global, env, output, |b| b) {
        Ok(client) => client,
        Err(exit) => return exit,
    };
    let target = &args.target;
    let request = DownloadPhotoRequest::new(target.module.clone(), target.record.clone());
    let download = match client.download_photo(request).await {
        Ok(Some(download)) => download,
        Ok(None) => {
            output.note(format!(
                "note: {} record {} has no photo; nothing was written",
                target.module.api_name(),
                target.record
            ));
            output.json_line(&Line::of(target, "no-photo"));
            return Exit::Success;
        }
        Err(error) => {
            let failure = Failure::from_call(&error);
            output.fail(context, &failure);
            return failure.exit();
        }
    };
    let content_type = download.content_type().map(str::to_owned);
    // The answer names no file: its media type gives the extension (`bin` when unknown).
    let extension = crate::record_files::photo_extension(download.extension());
    let (path, overwrite) = match place {
        Destination::Stdout => return to_stdout(output, download).await,
        Destination::File(path) => (path, true),
        Destination::Dir(dir) => (dir.join(format!("photo.{extension}")), false),
    };
    match save(output, download, &path, overwrite).await {
        Ok(bytes) => {
            output.text(format!("saved {} ({bytes} bytes)", path.display()));
            output.json_line(&Line {
                path: Some(path.display().to_string()),
                bytes: Some(bytes),
                content_type: content_type.as_deref(),
                ..Line::of(target, "downloaded")
            });
            Exit::Success
        }
        Err(failure) => {
            output.fail(context, &failure);
            failure.exit()
        }
    }
}

/// Saves through a temporary file beside `path`, put in place only once complete.
async fn save(
    output: &Output,
    download: Download,
    path: &Path,
    overwrite: bool,
) -> Result<u64, Failure> {
    let label = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let bar = progress::bytes(output, &label, download.content_length());
    let saved = download
        .save(path, overwrite, |received| bar.set_position(received))
        .await;
    bar.finish_and_clear();
    saved.map_err(|error| Failure::download(&error))
}

/// Streams the photo to standard output; what is said about it goes to standard error.
async fn to_stdout(output: &Output, download: Download) -> Exit {
    let mut stdout = tokio::io::stdout();
    let written = download.write_to(&mut stdout).await;
    let flushed = tokio::io::AsyncWriteExt::flush(&mut stdout).await;
    match (written, flushed) {
        (Ok(bytes), Ok(())) => {
            output.note(format!(
                "wrote the photo to standard output ({bytes} bytes)"
            ));
            Exit::Success
        }
        (Err(error), _) => {
            output.fail(
                "the photo written to standard output is incomplete",
                &Failure::download(&error),
            );
            Exit::Failed
        }
        (Ok(_), Err(error)) => {
            output.fail(
                "the photo written to standard output is incomplete",
                &Failure::io(error.to_string()),
            );
            Exit::Failed
        }
    }
}

async fn delete(global: &Global, env: &Env, output: &Output, args: PhotoDeleteArgs) -> Exit {
    let client = match client_or_exit(global, env, output, |b| b) {
        Ok(client) => client,
        Err(exit) => return exit,
    };
    let target = &args.target;
    let (module, record) = (target.module.api_name(), &target.record);
    if args.dry_run {
        output.text(format!(
            "would delete the photo of {module} record {record} (dry run: nothing was sent)"
        ));
        output.json_line(&Line::of(target, "dry-run"));
        return Exit::Success;
    }
    let request = DeletePhotoRequest::new(target.module.clone(), record.clone());
    match client.delete_photo(request).await {
        Ok(_) | Err(Error::UnreadableSuccess(_)) => {
            output.text(format!("deleted the photo of {module} record {record}"));
            output.json_line(&Line::of(target, "deleted"));
            Exit::Success
        }
        Err(error) => {
            let failure = Failure::from_call(&error);
            let context = if failure.is_unknown() {
                "the photo may have been deleted"
            } else {
                "the photo was not deleted"
            };
            output.fail(context, &failure);
            failure.exit()
        }
    }
}
