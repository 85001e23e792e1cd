//! Upload a file (or attach a link) to a Zoho CRM record from the command line.
//!
//! ```text
//! cargo run -p zcrm-attachments --example upload -- --token TOKEN --module Leads --record 3477061000005177002 report.pdf
//! cargo run -p zcrm-attachments --example upload -- --module Leads --record 3477061000005177002 --url https://www.zohocorp.com
//! ```
//!
//! Credentials come from `--token` or the environment: `ZOHO_ACCESS_TOKEN`, or a refresh token
//! (`ZOHO_REFRESH_TOKEN` with `ZOHO_CLIENT_ID` and `ZOHO_CLIENT_SECRET`); `ZOHO_DC`,
//! `ZOHO_ENVIRONMENT`, `ZOHO_API_BASE`, `ZOHO_ACCOUNTS_URL` and `ZOHO_TOKEN_FILE` are honoured
//! too. On success the response is printed as JSON and the exit code is 0; on failure the typed
//! error (code, message, resolution) is printed and the exit code is 2 for bad input (nothing
//! was sent) or 1 for an API, auth or transport error.

mod common;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use zoho_crm::FileSource;
use zoho_crm::operations::{UploadAttachmentRequest, UploadLinkAttachmentRequest};

/// Upload a file or a link to a Zoho CRM record.
#[derive(Parser)]
struct Args {
    #[command(flatten)]
    target: common::Target,
    /// Attach this link instead of a file.
    #[arg(long, conflicts_with = "path", required_unless_present = "path")]
    url: Option<String>,
    /// The link's title (API v2.1 and later).
    #[arg(long, requires = "url")]
    title: Option<String>,
    /// The file to upload.
    path: Option<PathBuf>,
}

fn main() -> ExitCode {
    common::run(upload(Args::parse()))
}

async fn upload(args: Args) -> ExitCode {
    let (client, module) = match common::connect(&args.target) {
        Ok(connected) => connected,
        Err(code) => return code,
    };
    let record = args.target.record;
    match (args.url, args.path) {
        (Some(url), _) => {
            let mut request = UploadLinkAttachmentRequest::new(module, record, url);
            if let Some(title) = args.title {
                request = request.title(title);
            }
            match client.upload_link_attachment(request).await {
                Ok(response) => common::print_json(&response),
                Err(error) => common::report("attach the link", &error),
            }
        }
        (None, Some(path)) => {
            let request = UploadAttachmentRequest::new(module, record, FileSource::from_path(path));
            match client.upload_attachment(request).await {
                Ok(response) => common::print_json(&response),
                Err(error) => common::report("upload the file", &error),
            }
        }
        (None, None) => {
            eprintln!("error: give a file to upload or --url LINK");
            ExitCode::from(2)
        }
    }
}
