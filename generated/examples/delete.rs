//! Delete one or several attachments of a Zoho CRM record.
//!
//! ```text
//! cargo run -p zcrm-attachments --example delete -- --module Leads --record ID --id A1 --id A2
//! ```
//!
//! With several ids, prints one result per id (deleted, or Zoho's error) and exits 1 if any
//! failed.

mod common;

use std::process::ExitCode;

use clap::Parser;
use zoho_crm::operations::{DeleteAttachmentRequest, DeleteAttachmentsRequest};

/// Delete attachments.
#[derive(Parser)]
struct Args {
    #[command(flatten)]
    target: common::Target,
    /// The attachment ids.
    #[arg(long = "id", required = true)]
    ids: Vec<String>,
}

fn main() -> ExitCode {
    common::run(delete(Args::parse()))
}

async fn delete(args: Args) -> ExitCode {
    let (client, module) = match common::connect(&args.target) {
        Ok(connected) => connected,
        Err(code) => return code,
    };
    let record = args.target.record;
    if let [id] = args.ids.as_slice() {
        let request = DeleteAttachmentRequest::new(module, record, id.clone());
        return match client.delete_attachment(request).await {
            Ok(response) => common::print_json(&response),
            Err(error) => common::report("delete the attachment", &error),
        };
    }
    let request = DeleteAttachmentsRequest::new(module, record, args.ids.clone());
    let results = match client.delete_attachments(request).await {
        Ok(results) => results,
        Err(error) => return common::report("delete the attachments", &error),
    };
    let mut failed = false;
    for (id, result) in args.ids.iter().zip(&results) {
        match result {
            Ok(deleted) => println!("{id}: {}", deleted.message),
            Err(error) => {
                failed = true;
                eprintln!("{id}: not deleted");
                common::print_api_error(error);
            }
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
