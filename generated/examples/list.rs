//! List a Zoho CRM record's attachments, one page or all of them.
//!
//! ```text
//! cargo run -p zcrm-attachments --example list -- --module Leads --record 3477061000005177002 --all
//! cargo run -p zcrm-attachments --example list -- --module Leads --record ID --api-version v8 --page 2 --per-page 50
//! ```
//!
//! Prints the page (or every attachment, with `--all`) as JSON. From API v3 on, `--fields` is
//! required; it defaults to the usual columns.

mod common;

use std::process::ExitCode;

use clap::Parser;
use futures_util::StreamExt as _;
use zoho_crm::operations::ListAttachmentsRequest;

/// List a record's attachments.
#[derive(Parser)]
struct Args {
    #[command(flatten)]
    target: common::Target,
    /// Fields to return, comma-separated.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "id,File_Name,Size,Created_Time,$type,$link_url"
    )]
    fields: Vec<String>,
    /// Page number, from 1.
    #[arg(long, conflicts_with = "all")]
    page: Option<i64>,
    /// Records per page, 1 to 200.
    #[arg(long)]
    per_page: Option<i64>,
    /// Every attachment, following the pages to the end.
    #[arg(long)]
    all: bool,
}

fn main() -> ExitCode {
    common::run(list(Args::parse()))
}

async fn list(args: Args) -> ExitCode {
    let (client, module) = match common::connect(&args.target) {
        Ok(connected) => connected,
        Err(code) => return code,
    };
    let mut request = ListAttachmentsRequest::new(module, args.target.record).fields(args.fields);
    if let Some(per_page) = args.per_page {
        request = request.per_page(per_page);
    }
    if args.all {
        let mut all = Vec::new();
        let mut stream = std::pin::pin!(client.list_attachments_stream(request));
        while let Some(item) = stream.next().await {
            match item {
                Ok(attachment) => all.push(attachment),
                Err(error) => return common::report("list the attachments", &error),
            }
        }
        return common::print_json(&all);
    }
    if let Some(page) = args.page {
        request = request.page(page);
    }
    match client.list_attachments(request).await {
        Ok(page) => common::print_json(&page),
        Err(error) => common::report("list the attachments", &error),
    }
}
