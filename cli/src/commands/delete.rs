//! `delete`: one attachment (`delete_attachment`), or several at once (`delete_attachments`,
//! one result line per id). Zoho's per-id results are matched to the ids asked by the id each
//! names (`details.id`), never by position: an asked id without a result is reported as one
//! that may have been deleted, and a result for an id not asked is reported too.

use std::collections::HashSet;

use serde::Serialize;
use zoho_crm::operations::{
    DeleteAttachmentRequest, DeleteAttachmentsRequest, DeleteAttachmentsResponse,
};
#[cfg(test)]
use zoho_crm::{ActionResponse, types::DeletedAttachment};

use super::client_or_exit;
use crate::args::{DeleteArgs, Global};
use crate::connect::Env;
use crate::exit::Exit;
use crate::failure::{Failure, Kind};
use crate::output::Output;
use crate::recheck::Recheck;

/// One id's result line in JSON.
#[derive(Serialize)]
struct Line<'a> {
    ok: bool,
    /// The id the result is about (`null` for a result that names none).
    id: Option<&'a str>,
    /// `deleted`, `error` (not deleted), or `unknown` (Zoho's answer said nothing of it).
    status: &'static str,
    /// Whether the id was asked (a result for another id is reported with `false`).
    asked: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<&'a str>,
    /// For an unknown result: the command that shows whether the attachment is gone.
    #[serde(skip_serializing_if = "Option::is_none")]
    check: Option<&'a str>,
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
    let ids = unique(&args.ids);
    if args.dry_run {
        for id in &ids {
            output.text(format!(
                "would delete  {id}  of {} record {record}",
                module.api_name()
            ));
            output.json_line(&serde_json::json!({
                "ok": true, "id": id, "status": "dry-run", "asked": true,
                "module": module.api_name(), "record_id": record,
            }));
        }
        output.note(format!(
            "dry run: {} attachment(s) checked, nothing was sent",
            ids.len()
        ));
        return Exit::Success;
    }
    let recheck = Recheck::new(global);
    let check = recheck.list(module.api_name(), &record);
    if let [id] = ids.as_slice() {
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
                if failure.is_unknown() {
                    maybe_deleted(output, id, &failure, &check);
                } else {
                    not_deleted(output, id, &failure);
                }
                failure.exit()
            }
        };
    }
    let request = DeleteAttachmentsRequest::new(module, record, ids.clone());
    let results = match client.delete_attachments(request).await {
        Ok(results) => results,
        Err(error) => {
            let failure = Failure::from_call(&error);
            if failure.is_unknown() {
                for id in &ids {
                    maybe_deleted(output, id, &failure, &check);
                }
            } else {
                output.fail("cannot delete the attachments", &failure);
            }
            return failure.exit();
        }
    };
    let matched = match_results(&ids, results);
    let mut problems = 0;
    for (id, result) in ids.iter().zip(matched.asked) {
        match result {
            Some(Ok(message)) => deleted(output, id, &message),
            Some(Err(failure)) => {
                problems += 1;
                not_deleted(output, id, &failure);
            }
            None => {
                problems += 1;
                unanswered(output, id, &check);
            }
        }
    }
    for (id, result) in &matched.unasked {
        problems += 1;
        unasked(output, id.as_deref(), result);
    }
    Exit::for_items(ids.len() + matched.unasked.len(), problems, Exit::Failed)
}

/// The ids in the order given, each once.
fn unique(ids: &[String]) -> Vec<String> {
    let mut seen = HashSet::new();
    ids.iter()
        .filter(|id| seen.insert(id.as_str()))
        .cloned()
        .collect()
}

/// One id's result: deleted (Zoho's message), or not (why).
type IdResult = Result<String, Failure>;

/// Zoho's per-id results matched to the ids asked, by the id each result names
/// (`details.id`), never by position.
#[derive(Debug)]
struct Matched {
    /// A result per asked id, in the order asked; `None` when Zoho's answer had none for it.
    asked: Vec<Option<IdResult>>,
    /// Results for ids not asked (or naming no id at all), in the order received.
    unasked: Vec<(Option<String>, IdResult)>,
}

fn match_results(ids: &[String], results: DeleteAttachmentsResponse) -> Matched {
    let mut asked: Vec<Option<IdResult>> = vec![None; ids.len()];
    let mut unasked = Vec::new();
    for result in results {
        let (id, result) = match result {
            Ok(response) => (Some(response.details.id), Ok(response.message)),
            Err(error) => (
                details_id(&error.info().details),
                Err(Failure::from_api(&error)),
            ),
        };
        let slot = id
            .as_deref()
            .and_then(|id| ids.iter().position(|asked| asked == id))
            .and_then(|index| asked.get_mut(index))
            .filter(|slot| slot.is_none());
        match slot {
            Some(slot) => *slot = Some(result),
            None => unasked.push((id, result)),
        }
    }
    Matched { asked, unasked }
}

/// The id an error item names in its `details`, as text.
fn details_id(details: &serde_json::Map<String, serde_json::Value>) -> Option<String> {
    match details.get("id")? {
        serde_json::Value::String(id) => Some(id.clone()),
        serde_json::Value::Number(id) => Some(id.to_string()),
        _ => None,
    }
}

fn deleted(output: &Output, id: &str, message: &str) {
    output.text(format!("deleted  {id}  ({message})"));
    output.json_line(&Line {
        ok: true,
        id: Some(id),
        status: "deleted",
        asked: true,
        message: Some(message),
        check: None,
        failure: None,
    });
}

fn not_deleted(output: &Output, id: &str, failure: &Failure) {
    output.stderr(&format!("error: {id}: not deleted: {}", failure.describe()));
    output.json_line(&Line {
        ok: false,
        id: Some(id),
        status: "error",
        asked: true,
        message: None,
        check: None,
        failure: Some(failure),
    });
}

/// An id whose call failed after it may have been carried out (a lost answer, a 5xx, or a
/// retry the budget refused after one): it may or may not be gone.
fn maybe_deleted(output: &Output, id: &str, failure: &Failure, check: &str) {
    output.stderr(&format!(
        "error: {id}: may have been deleted: {}\n  check with: {check}",
        failure.describe()
    ));
    output.json_line(&Line {
        ok: false,
        id: Some(id),
        status: "unknown",
        asked: true,
        message: None,
        check: Some(check),
        failure: Some(failure),
    });
}

/// An asked id Zoho's answer says nothing about: it may or may not be gone.
fn unanswered(output: &Output, id: &str, check: &str) {
    let failure = Failure {
        may_have_been_processed: true,
        ..Failure::new(
            Kind::Decode,
            "NO_RESULT",
            "Zoho's answer has no result for this id",
        )
    };
    maybe_deleted(output, id, &failure, check);
}

/// A result for an id that was not asked (or that names none).
fn unasked(output: &Output, id: Option<&str>, result: &IdResult) {
    let who = id.map_or_else(
        || "an attachment it does not name".to_owned(),
        |id| format!("id {id}"),
    );
    let (what, status) = match result {
        Ok(message) => (format!("deleted ({message})"), "deleted"),
        Err(failure) => (format!("not deleted: {}", failure.describe()), "error"),
    };
    output.stderr(&format!(
        "warning: Zoho's answer has a result for {who}, which was not asked: {what}"
    ));
    output.json_line(&Line {
        ok: false,
        id,
        status,
        asked: false,
        message: result.as_ref().ok().map(String::as_str),
        check: None,
        failure: result.as_ref().err(),
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use zoho_crm::operations::DeleteAttachmentsError;
    use zoho_crm::{ApiErrorInfo, OperationError as _};

    fn deleted(id: &str) -> Result<ActionResponse<DeletedAttachment>, DeleteAttachmentsError> {
        let item = serde_json::json!({"code": "SUCCESS", "details": {"id": id}, "message": "record deleted", "status": "success"});
        serde_json::from_value(item).map_err(|e| panic!("{e}"))
    }

    fn refused(
        id: serde_json::Value,
    ) -> Result<ActionResponse<DeletedAttachment>, DeleteAttachmentsError> {
        let mut details = serde_json::Map::new();
        details.insert("id".to_owned(), id);
        Err(DeleteAttachmentsError::from_api(
            ApiErrorInfo::new(
                400,
                "INVALID_DATA",
                "the related id given seems to be invalid",
            )
            .with_details(details),
        ))
    }

    #[test]
    fn results_are_matched_by_id_not_by_position() {
        let ids: Vec<String> = ["1", "2", "3"].map(str::to_owned).to_vec();
        // Another order, 2 missing, 9 not asked, 1 twice, a numeric id.
        let results = vec![
            deleted("9"),
            refused(serde_json::json!(3)),
            deleted("1"),
            deleted("1"),
        ];
        let matched = match_results(&ids, results);
        assert!(matches!(&matched.asked[0], Some(Ok(m)) if m == "record deleted"));
        assert!(matched.asked[1].is_none());
        assert!(matches!(&matched.asked[2], Some(Err(f)) if f.code == "INVALID_DATA"));
        let unasked: Vec<Option<&str>> = matched
            .unasked
            .iter()
            .map(|(id, _)| id.as_deref())
            .collect();
        assert_eq!(unasked, [Some("9"), Some("1")]);
    }

    #[test]
    fn ids_asked_twice_are_sent_once() {
        let ids: Vec<String> = ["5", "6", "5"].map(str::to_owned).to_vec();
        assert_eq!(unique(&ids), ["5", "6"]);
    }
}
