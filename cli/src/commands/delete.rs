//! `delete`: one attachment (`delete_attachment`), or several at once (`delete_attachments`,
//! one result line per id).

use serde::Serialize;
use zoho_crm::operations::{DeleteAttachmentRequest, DeleteAttachmentsRequest};

use super::client_or_exit;
use crate::args::{DeleteArgs, Global};
use crate::connect::Env;
use crate::exit::Exit;
use crate::failure::{Failure, Kind};
use crate::output::Output;

/// One id's result line in JSON.
#[derive(Serialize)]
struct Line<'a> {
    ok: bool,
    id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<&'a str>,
    #[serde(flatten)]
    failure: Option<&'a Failure>,
}

/// Runs `delete`.
pub async fn run(global: &Global, env: &Env, output: &Output, args: DeleteArgs) -> Exit {
    let client = match client_or_exit(global, env, output, |b| b) {
        Ok(client) => client,
        Err(exit) => return exit,
    };
    let module = args.target.module;
    let record = args.target.record;
    if let [id] = args.ids.as_slice() {
        let request = DeleteAttachmentRequest::new(module, record, id.clone());
        return match client.delete_attachment(request).await {
            Ok(response) => {
                deleted(output, id, &response.message);
                Exit::Success
            }
            Err(zoho_crm::Error::UnreadableSuccess(_)) => {
                deleted(
                    output,
                    id,
                    "Zoho answered SUCCESS; the rest of its answer could not be read",
                );
                Exit::Success
            }
            Err(error) => {
                let failure = Failure::from_call(&error);
                not_deleted(output, id, &failure);
                failure.exit()
            }
        };
    }
    let request = DeleteAttachmentsRequest::new(module, record, args.ids.clone());
    let results = match client.delete_attachments(request).await {
        Ok(results) => results,
        Err(error) => {
            let failure = Failure::from_call(&error);
            output.fail("cannot delete the attachments", &failure);
            return failure.exit();
        }
    };
    let mut failures = 0;
    for (index, id) in args.ids.iter().enumerate() {
        match results.get(index) {
            Some(Ok(response)) => deleted(output, id, &response.message),
            Some(Err(error)) => {
                failures += 1;
                not_deleted(output, id, &Failure::from_api(error));
            }
            None => {
                failures += 1;
                let failure = Failure::new(
                    Kind::Decode,
                    "NO_RESULT",
                    "Zoho's answer has no result for this id",
                )
                .with_resolution("list the record's attachments to see whether it is gone");
                not_deleted(output, id, &failure);
            }
        }
    }
    Exit::for_items(args.ids.len(), failures, Exit::Failed)
}

fn deleted(output: &Output, id: &str, message: &str) {
    output.text(format!("deleted  {id}  ({message})"));
    output.json_line(&Line {
        ok: true,
        id,
        message: Some(message),
        failure: None,
    });
}

fn not_deleted(output: &Output, id: &str, failure: &Failure) {
    output.stderr(&format!("error: {id}: not deleted: {}", failure.describe()));
    output.json_line(&Line {
        ok: false,
        id,
        message: None,
        failure: Some(failure),
    });
}
