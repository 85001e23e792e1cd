//! `list`: a record's attachments, one page or all of them, as a table or JSON lines.

use futures_util::StreamExt as _;
use indicatif::HumanBytes;
use serde::Serialize;
use zoho_crm::operations::ListAttachmentsRequest;
use zoho_crm::types::{Attachment, ListInfo};

use super::client_or_exit;
use crate::account::Opening;
use crate::args::{Global, ListArgs};
use crate::connect::Env;
use crate::exit::Exit;
use crate::failure::{Failure, Kind};
use crate::output::{Output, table};

/// Runs `list`.
pub async fn run(global: &Global, env: &Env, output: &Output, args: ListArgs) -> Exit {
    let client = match client_or_exit(global, env, output, |b| b) {
        Ok(client) => client,
        Err(exit) => return exit,
    };
    let mut request =
        ListAttachmentsRequest::new(args.target.module, args.target.record).fields(args.fields);
    if let Some(per_page) = args.per_page {
        request = request.per_page(per_page);
    }
    let opening = Opening::of(&client);
    let (items, info) = if args.all {
        let mut items = Vec::new();
        let mut stream = std::pin::pin!(client.list_attachments_stream(request));
        while let Some(item) = stream.next().await {
            match item {
                Ok(attachment) => items.push(attachment),
                Err(error) => {
                    // What arrived before the failure is shown, then the failure.
                    print(output, &items, None);
                    let failure = Failure::from_call(&error);
                    if let (Kind::Budget, Some(limit)) = (failure.kind, client.usage().budget) {
                        output.stderr(&format!(
                            "error: the budget of {limit} credits is spent (--max-credits): {} attachment(s) listed, the rest not",
                            items.len()
                        ));
                    }
                    output.note(opening.close(&client).describe());
                    return fail(output, &failure);
                }
            }
        }
        (items, None)
    } else {
        if let Some(page) = args.page {
            request = request.page(page);
        }
        match client.list_attachments(request).await {
            Ok(page) => (page.data, page.info),
            Err(error) => return fail(output, &Failure::from_call(&error)),
        }
    };
    print(output, &items, info.as_ref());
    if args.all {
        output.note(opening.close(&client).describe());
    }
    Exit::Success
}

fn fail(output: &Output, failure: &Failure) -> Exit {
    output.fail("cannot list the attachments", failure);
    failure.exit()
}

fn print(output: &Output, items: &[Attachment], info: Option<&ListInfo>) {
    for item in items {
        output.json_line(item);
    }
    if let Some(info) = info {
        #[derive(Serialize)]
        struct InfoLine<'a> {
            info: &'a ListInfo,
        }
        output.json_line(&InfoLine { info });
    }
    if output.json {
        return;
    }
    if items.is_empty() {
        output.note("no attachments");
    } else {
        let mut rows = vec![vec![
            "ID".to_owned(),
            "TYPE".to_owned(),
            "SIZE".to_owned(),
            "CREATED".to_owned(),
            "NAME".to_owned(),
        ]];
        rows.extend(items.iter().map(row));
        for line in table(&rows) {
            output.text(line);
        }
    }
    if let Some(info) = info {
        let page = info.page.unwrap_or(1);
        if info.more_records == Some(true) {
            output.note(format!(
                "page {page}: {} attachment(s); more on page {} (or use --all)",
                items.len(),
                page + 1
            ));
        } else if page > 1 {
            output.note(format!(
                "page {page}: {} attachment(s); the last page",
                items.len()
            ));
        }
    }
}

fn row(item: &Attachment) -> Vec<String> {
    let name = match (&item.file_name, &item.link_url) {
        (Some(name), Some(url)) if name != url => format!("{name} <{url}>"),
        (Some(name), _) => name.clone(),
        (None, Some(url)) => url.clone(),
        (None, None) => String::new(),
    };
    vec![
        item.id.clone(),
        item.kind.clone().unwrap_or_default(),
        item.size
            .map(|size| HumanBytes(size).to_string())
            .unwrap_or_default(),
        item.created_time
            .map(|time| time.format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_default(),
        name,
    ]
}
