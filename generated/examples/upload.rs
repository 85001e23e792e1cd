//! Upload a file (or attach a link) to a Zoho CRM record from the command line.
//!
//! ```text
//! cargo run -p zoho-crm --example upload -- --token TOKEN --module Leads --record 3477061000005177002 report.pdf
//! cargo run -p zoho-crm --example upload -- --module Leads --record 3477061000005177002 --url https://www.zohocorp.com
//! ```
//!
//! Credentials come from `--token` or the environment: `ZOHO_ACCESS_TOKEN`, or a refresh token
//! (`ZOHO_REFRESH_TOKEN` with `ZOHO_CLIENT_ID` and `ZOHO_CLIENT_SECRET`); `ZOHO_DC`,
//! `ZOHO_ENVIRONMENT`, `ZOHO_API_BASE`, `ZOHO_ACCOUNTS_URL` and `ZOHO_TOKEN_FILE` are honoured
//! too. On success the response is printed as JSON and the exit code is 0; on failure the typed
//! error (code, message, resolution) is printed and the exit code is 2 for bad input (nothing
//! was sent) or 1 for an API, auth or transport error.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use zoho_crm::operations::{UploadAttachmentBody, UploadAttachmentError, UploadAttachmentRequest};
use zoho_crm::{Client, Error, FileSource, Module};

/// Upload a file or a link to a Zoho CRM record.
#[derive(Parser)]
struct Args {
    /// API base URL (default: that of the data centre and environment).
    #[arg(long)]
    api_base: Option<String>,
    /// OAuth access token (default: from the ZOHO_* environment variables).
    #[arg(long)]
    token: Option<String>,
    /// Module API name, e.g. Leads, Price_Books or a custom module's API name.
    #[arg(long)]
    module: String,
    /// Record id.
    #[arg(long)]
    record: String,
    /// Attach this link instead of a file.
    #[arg(long, conflicts_with = "path", required_unless_present = "path")]
    url: Option<String>,
    /// The file to upload.
    path: Option<PathBuf>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build();
    match runtime {
        Ok(runtime) => runtime.block_on(run(args)),
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> ExitCode {
    let mut builder = Client::builder().from_env();
    if let Some(token) = args.token {
        builder = builder.access_token(token);
    }
    if let Some(base) = args.api_base {
        builder = builder.base_url(base);
    }
    let client = match builder.build() {
        Ok(client) => client,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let module: Module = match args.module.parse() {
        Ok(module) => module,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let body = match (args.url, args.path) {
        (Some(url), _) => UploadAttachmentBody::Link(url),
        (None, Some(path)) => UploadAttachmentBody::File(FileSource::from_path(path)),
        (None, None) => {
            eprintln!("error: give a file to upload or --url LINK");
            return ExitCode::from(2);
        }
    };
    let request = UploadAttachmentRequest::new(module, args.record, body);
    match client.upload_attachment(request).await {
        Ok(response) => match serde_json::to_string_pretty(&response) {
            Ok(json) => {
                println!("{json}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: the response could not be printed: {e}");
                ExitCode::FAILURE
            }
        },
        Err(error) => report(&error),
    }
}

fn report(error: &Error<UploadAttachmentError>) -> ExitCode {
    match error {
        Error::Api(api) => {
            eprintln!("error: Zoho CRM refused the upload");
            eprintln!("  code:       {}", api.code());
            eprintln!("  HTTP:       {}", api.http_status());
            eprintln!("  message:    {}", api.message());
            if !api.details().is_empty() {
                eprintln!(
                    "  details:    {}",
                    serde_json::Value::Object(api.details().clone())
                );
            }
            if let Some(resolution) = api.resolution() {
                eprintln!("  resolution: {resolution}");
            }
            ExitCode::FAILURE
        }
        Error::Validation(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
        other => {
            eprintln!("error: {other}");
            ExitCode::FAILURE
        }
    }
}
