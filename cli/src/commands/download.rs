//! `download`: one attachment, streamed to a file (replaced only once complete) or into a
//! directory under the server's sanitised file name (replacing a file there only with
//! `--clobber`; `--skip-existing` leaves it and succeeds).

use serde::Serialize;
use zoho_crm::operations::DownloadAttachmentRequest;

use super::client_or_exit;
use crate::args::{DownloadArgs, Global};
use crate::connect::Env;
use crate::destination::{Destination, destination};
use crate::exit::Exit;
use crate::failure::{Failure, Kind};
use crate::output::Output;
use crate::progress;

/// Runs `download`.
pub async fn run(global: &Global, env: &Env, output: &Output, args: DownloadArgs) -> Exit {
    let target = match destination(&args.output) {
        Ok(target) => target,
        Err(failure) => return fail(output, &failure),
    };
    if let Destination::File(path) = &target
        && args.skip_existing
        && path.exists()
    {
        return left_as_it_is(output, &args.id, path);
    }
    let client = match client_or_exit(global, env, output, |b| b) {
        Ok(client) => client,
        Err(exit) => return exit,
    };
    let request =
        DownloadAttachmentRequest::new(args.target.module, args.target.record, args.id.clone());
    let download = match client.download_attachment(request).await {
        Ok(Some(download)) => download,
        Ok(None) => {
            let failure = Failure::new(
                Kind::Api,
                "NOT_FOUND",
                format!("the record has no attachment {}", args.id),
            )
            .with_resolution("check the id with `zoho-crm list`");
            return fail(output, &failure);
        }
        Err(error) => return fail(output, &Failure::from_call(&error)),
    };
    let server_name = download.file_name().map(str::to_owned);
    let (path, overwrite) = match target {
        Destination::Stdout => return to_stdout(output, download, &args.id).await,
        Destination::File(path) => (path, true),
        Destination::Dir(dir) => {
            let name = server_name
                .clone()
                .unwrap_or_else(|| format!("attachment-{}", args.id));
            (dir.join(name), args.clobber)
        }
    };
    if !overwrite && path.exists() {
        if args.skip_existing {
            return left_as_it_is(output, &args.id, &path);
        }
        let failure = Failure::new(
            Kind::Local,
            "FILE_EXISTS",
            format!("{} exists already; nothing was written", path.display()),
        )
        .with_resolution(
            "add --clobber to replace it or --skip-existing to keep it, or give -o a file path or another directory",
        );
        return fail(output, &failure);
    }
    let label = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let bar = progress::bytes(output, &label, download.content_length());
    let saved = download
        .save(&path, overwrite, |received| bar.set_position(received))
        .await;
    bar.finish_and_clear();
    match saved {
        Ok(bytes) => {
            #[derive(Serialize)]
            struct Line<'a> {
                ok: bool,
                id: &'a str,
                path: String,
                #[serde(skip_serializing_if = "Option::is_none")]
                file_name: Option<&'a str>,
                bytes: u64,
            }
            output.text(format!("saved {} ({bytes} bytes)", path.display()));
            output.json_line(&Line {
                ok: true,
                id: &args.id,
                path: path.display().to_string(),
                file_name: server_name.as_deref(),
                bytes,
            });
            Exit::Success
        }
        Err(error) => fail(output, &Failure::download(&error)),
    }
}

/// `--skip-existing` found `path` there: it stays as it is, and the command succeeds.
fn left_as_it_is(output: &Output, id: &str, path: &std::path::Path) -> Exit {
    output.text(format!(
        "skipped {}: it exists already (--skip-existing)",
        path.display()
    ));
    output.json_line(&serde_json::json!({
        "ok": true,
        "id": id,
        "path": path.display().to_string(),
        "status": "exists",
    }));
    Exit::Success
}

/// Streams the content to standard output; what is said about it goes to standard error.
/// Bytes already written cannot be taken back, so a download cut short says so.
async fn to_stdout(output: &Output, download: zoho_crm::Download, id: &str) -> Exit {
    let mut stdout = tokio::io::stdout();
    let written = download.write_to(&mut stdout).await;
    let flushed = tokio::io::AsyncWriteExt::flush(&mut stdout).await;
    match (written, flushed) {
        (Ok(bytes), Ok(())) => {
            output.note(format!(
                "wrote attachment {id} to standard output ({bytes} bytes)"
            ));
            Exit::Success
        }
        (Err(error), _) => {
            output.fail(
                "the attachment written to standard output is incomplete",
                &Failure::download(&error),
            );
            Exit::Failed
        }
        (Ok(_), Err(error)) => {
            output.stderr(&format!(
                "error: the attachment written to standard output is incomplete: {error}"
            ));
            Exit::Failed
        }
    }
}

fn fail(output: &Output, failure: &Failure) -> Exit {
    output.fail("cannot download the attachment", failure);
    failure.exit()
}
