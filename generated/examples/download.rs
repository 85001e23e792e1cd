//! Download a Zoho CRM attachment to a file, streamed (never held in memory).
//!
//! ```text
//! cargo run -p zcrm-attachments --example download -- --module Leads --record ID --id ATTACHMENT_ID -o ./downloads/
//! ```
//!
//! `-o` names a file, or a directory to save under the server's (sanitised) file name; the
//! default is the current directory. A cut-off download leaves no file behind.

mod common;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use zoho_crm::operations::DownloadAttachmentRequest;

/// Download an attachment.
#[derive(Parser)]
struct Args {
    #[command(flatten)]
    target: common::Target,
    /// The attachment's id.
    #[arg(long)]
    id: String,
    /// A file path, or a directory (default: the current directory).
    #[arg(short = 'o', long, default_value = ".")]
    output: PathBuf,
}

fn main() -> ExitCode {
    common::run(download(Args::parse()))
}

async fn download(args: Args) -> ExitCode {
    let (client, module) = match common::connect(&args.target) {
        Ok(connected) => connected,
        Err(code) => return code,
    };
    let fallback = format!("attachment-{}", args.id);
    let request = DownloadAttachmentRequest::new(module, args.target.record, args.id);
    let download = match client.download_attachment(request).await {
        Ok(Some(download)) => download,
        Ok(None) => {
            eprintln!("error: Zoho CRM has no such attachment on this record");
            return ExitCode::FAILURE;
        }
        Err(error) => return common::report("download the attachment", &error),
    };
    let saved = if args.output.is_dir() {
        download.save_in_dir(&args.output, &fallback).await
    } else {
        let path = args.output.clone();
        download.save_to(&path).await.map(|_| path)
    };
    match saved {
        Ok(path) => {
            println!("{}", path.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
