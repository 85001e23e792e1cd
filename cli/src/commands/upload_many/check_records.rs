//! Reconciliation of lines left `started` by an interrupted run or with an unknown result:
//! each attachment is looked for on its record before it is uploaded again. A photo is simply
//! set again (harmless); a field's file cannot be told apart from another of the same name, so
//! one left by a stopped run is kept as unknown unless `--retry-unknown`.

use std::sync::Arc;

use crate::failure::Kind;
use crate::reconcile::{self, Candidate};

use super::journal::{History, Record, Status};
use super::manifest::Entry;
use super::plan::Check;
use super::report::ItemLine;
use super::shared::Shared;
use super::target::Target;

/// Looks for the lines of `checks` on their records: found ones are journaled as done; the
/// others are returned to upload, or to keep as unknown when the record could not be listed
/// (unless `--retry-unknown`). A signal while listing leaves them all as they were.
pub(super) async fn check_records(
    shared: &Arc<Shared>,
    checks: Vec<Check>,
    history: &History,
    retry_unknown: bool,
) -> (Vec<Entry>, Vec<Entry>) {
    let (checks, others): (Vec<Check>, Vec<Check>) = checks
        .into_iter()
        .partition(|check| check.entry.target == Target::Attachment);
    let (mut retry, mut kept) = not_attachments(shared, others, retry_unknown);
    if checks.is_empty() {
        return (retry, kept);
    }
    let output = &shared.output;
    output.note(format!(
        "checking whether {} upload(s) interrupted or of unknown result are on their records already",
        checks.len()
    ));
    let candidates: Vec<Candidate> = checks
        .iter()
        .map(|check| Candidate {
            module: check.entry.module.clone(),
            record_id: check.entry.record_id.clone(),
            name: check.entry.name.clone(),
            size: check.entry.size,
            since: check.since,
        })
        .collect();
    let recheck = &shared.recheck;
    let finding = reconcile::find(&shared.client, &candidates, &history.attached_ids);
    let found = tokio::select! {
        biased;
        _ = shared.interrupt.first() => {
            // Left as they were in the journal, for the next run.
            shared.tally().not_started += checks.len();
            return (retry, kept);
        }
        found = finding => found,
    };
    for (check, result) in checks.into_iter().zip(found) {
        let entry = check.entry;
        match result {
            Ok(Some(id)) => {
                let mut record = Record::new(&entry, Status::Ok);
                record.id = Some(id.clone());
                record.found_on_record = true;
                if let Err(e) = shared.writer.append(&record, true).await {
                    shared.journal_failed(&e);
                }
                shared.bar.dec_length(entry.size);
                shared.count_finished();
                shared.tally().found_on_record += 1;
                output.text(format!(
                    "found    line {:>4}  {}  id {id} (already on the record)",
                    entry.line, entry.path
                ));
                output.json_line(&ItemLine {
                    id: Some(&id),
                    bytes: Some(entry.size),
                    ..ItemLine::of(&entry, "found_on_record")
                });
            }
            Ok(None) => retry.push(entry),
            Err(failure) if failure.kind == Kind::Budget => {
                // Not looked for: left as the journal has it, for a later run.
                shared.budget_spent();
                shared.bar.dec_length(entry.size);
                shared.count_finished();
                shared.tally().held_back += 1;
            }
            Err(failure) if check.interrupted && !retry_unknown => {
                let check = recheck.list(entry.module.api_name(), &entry.record_id);
                output.stderr(&format!(
                    "error: line {} ({}): may have been stored by a run that was stopped while uploading it, and the record cannot be checked; before uploading it again, check with: {check}\n  cause: {}",
                    entry.line,
                    entry.path,
                    failure.describe()
                ));
                shared.bar.dec_length(entry.size);
                shared.count_finished();
                kept.push(entry);
            }
            Err(failure) => {
                output.warn(format!(
                    "line {} ({}): the record cannot be checked ({}); uploading again as --retry-unknown asks",
                    entry.line, entry.path, failure.code
                ));
                retry.push(entry);
            }
        }
    }
    (retry, kept)
}

/// The lines to check that are no attachments: photos to set again, and files of fields to
/// store again only with `--retry-unknown` (else kept as unknown, with the command that
/// shows the field).
fn not_attachments(
    shared: &Shared,
    checks: Vec<Check>,
    retry_unknown: bool,
) -> (Vec<Entry>, Vec<Entry>) {
    let mut retry = Vec::new();
    let mut kept = Vec::new();
    for check in checks {
        let entry = check.entry;
        match &entry.target {
            Target::Field(field) if check.interrupted && !retry_unknown => {
                shared.output.stderr(&format!(
                    "error: line {} ({}): may have been put in field {field} by a run that was stopped while uploading it; check with: zoho-crm field-file list --module {} --record {} --field {field} (--retry-unknown uploads it again)",
                    entry.line,
                    entry.path,
                    entry.module.api_name(),
                    entry.record_id
                ));
                shared.bar.dec_length(entry.size);
                shared.count_finished();
                kept.push(entry);
            }
            _ => retry.push(entry),
        }
    }
    (retry, kept)
}
