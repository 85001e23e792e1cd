//! What is on the records already, looked up before uploading.
//!
//! - Lines left `started` by an interrupted run or with an unknown result: each attachment is
//!   looked for on its record before it is uploaded again. A photo is simply set again
//!   (harmless); a field's file cannot be told apart from another of the same name, so one
//!   left by a stopped run is kept as unknown unless `--retry-unknown`.
//! - With `--skip-existing`, every line to upload: an attachment of the same name and size on
//!   its record, a file of the same name and size in its field, or (for a photo line, unless
//!   `--replace`) any photo of the record means the line is already in Zoho; it is journaled as
//!   done and not uploaded. Each record is listed once (every page), the listing shared with
//!   the lines left `started`; the records with field lines are read once (the fields named),
//!   and those with photo lines asked for their photo once. Several lines of the same name and
//!   size match as many files, one each.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use zoho_crm::ValidationError;
use zoho_crm::operations::DownloadPhotoRequest;

use crate::failure::{Failure, Kind};
use crate::reconcile::{self, Candidate};
use crate::record_files;

use super::journal::{History, Record, Status};
use super::manifest::Entry;
use super::plan::Check;
use super::report::{ItemLine, report_failure};
use super::shared::Shared;
use super::target::Target;

/// What the options ask of the look-ups.
#[derive(Clone, Copy, Debug)]
pub(super) struct Lookups {
    /// `--retry-unknown`.
    pub(super) retry_unknown: bool,
    /// `--skip-existing`.
    pub(super) skip_existing: bool,
    /// `--replace`: photo lines are uploaded even when the record has a photo.
    pub(super) replace: bool,
}

/// Looks for the lines of `checks` on their records, and with `--skip-existing` for those of
/// `pending` too: found ones are journaled as done; the others are returned to upload, or to
/// keep as unknown when the record could not be listed (unless `--retry-unknown`). A signal
/// while looking counts the lines not yet decided as not started.
pub(super) async fn check_records(
    shared: &Arc<Shared>,
    checks: Vec<Check>,
    pending: Vec<Entry>,
    history: &History,
    lookups: Lookups,
) -> (Vec<Entry>, Vec<Entry>) {
    let (checks, others): (Vec<Check>, Vec<Check>) = checks
        .into_iter()
        .partition(|check| check.entry.target == Target::Attachment);
    let (mut retry, mut kept) = not_attachments(shared, others, lookups.retry_unknown);
    let mut pending = pending;
    if !lookups.skip_existing {
        retry.append(&mut pending);
    } else {
        pending.append(&mut retry);
    }
    let mut attachments = Vec::new();
    let mut fields = Vec::new();
    let mut photos = Vec::new();
    for entry in pending {
        match &entry.target {
            Target::Attachment => attachments.push(entry),
            Target::Field(_) => fields.push(entry),
            Target::Photo if !lookups.replace => photos.push(entry),
            Target::Photo => retry.push(entry),
        }
    }
    if !checks.is_empty() || !attachments.is_empty() {
        let Some(listed) = list_records(shared, checks, attachments, history, lookups).await else {
            shared.tally().not_started += fields.len() + photos.len();
            return (retry, kept);
        };
        retry.extend(listed.0);
        kept.extend(listed.1);
    }
    if !fields.is_empty() && !in_fields(shared, fields, history, &mut retry).await {
        shared.tally().not_started += photos.len();
        return (retry, kept);
    }
    if !photos.is_empty() {
        with_photo(shared, photos, &mut retry).await;
    }
    (retry, kept)
}

/// Lists the records of the attachments of `checks` and (with `--skip-existing`) of
/// `existing`, once each: the lines found are journaled as done, the others returned to
/// upload or to keep as unknown. `None` when a signal came (every line counted not started).
async fn list_records(
    shared: &Arc<Shared>,
    checks: Vec<Check>,
    existing: Vec<Entry>,
    history: &History,
    lookups: Lookups,
) -> Option<(Vec<Entry>, Vec<Entry>)> {
    let output = &shared.output;
    if !checks.is_empty() {
        output.note(format!(
            "checking whether {} upload(s) interrupted or of unknown result are on their records already",
            checks.len()
        ));
    }
    if !existing.is_empty() {
        output.note(format!(
            "--skip-existing: listing the attachments of the records of {} line(s)",
            existing.len()
        ));
    }
    let candidate = |entry: &Entry, since, any_age| Candidate {
        module: entry.module.clone(),
        record_id: entry.record_id.clone(),
        name: entry.name.clone(),
        size: entry.size,
        since,
        any_age,
    };
    // The lines left `started` first: they claim the attachments they may have made.
    let candidates: Vec<Candidate> = checks
        .iter()
        .map(|check| candidate(&check.entry, check.since, lookups.skip_existing))
        .chain(existing.iter().map(|entry| candidate(entry, None, true)))
        .collect();
    let finding = reconcile::find(&shared.client, &candidates, &history.attached_ids);
    let mut found = tokio::select! {
        biased;
        _ = shared.interrupt.first() => {
            // Left as they were in the journal, for the next run.
            shared.tally().not_started += checks.len() + existing.len();
            return None;
        }
        found = finding => found,
    }
    .into_iter();
    let (mut retry, mut kept) = (Vec::new(), Vec::new());
    for (check, result) in checks.into_iter().zip(found.by_ref()) {
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
            Err(failure) if check.interrupted && !lookups.retry_unknown => {
                let check = shared
                    .recheck
                    .list(entry.module.api_name(), &entry.record_id);
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
    for (entry, result) in existing.into_iter().zip(found) {
        match result {
            Ok(Some(id)) => already_in_zoho(shared, &entry, Some(&id), String::new()).await,
            Ok(None) => retry.push(entry),
            Err(failure) => not_looked_up(shared, &entry, &failure, "attachments"),
        }
    }
    Some((retry, kept))
}

/// `lines` grouped by their record, records in order of module and id.
fn by_record(lines: Vec<Entry>) -> Vec<Vec<Entry>> {
    let mut records: BTreeMap<(String, String), Vec<Entry>> = BTreeMap::new();
    for entry in lines {
        records
            .entry((entry.module.api_name().to_owned(), entry.record_id.clone()))
            .or_default()
            .push(entry);
    }
    records.into_values().collect()
}

/// `--skip-existing` for field lines: each record is read once with the fields its lines name,
/// and a line whose file name and size one of the field's files has (not yet matched, and not
/// one the journal records) is already in Zoho. The others go to `retry`. `false` when a
/// signal came (the lines not decided counted not started).
async fn in_fields(
    shared: &Arc<Shared>,
    lines: Vec<Entry>,
    history: &History,
    retry: &mut Vec<Entry>,
) -> bool {
    let mut records = by_record(lines).into_iter();
    while let Some(entries) = records.next() {
        let Some(first) = entries.first() else {
            continue;
        };
        let names = Target::fields_of(entries.iter().map(|entry| &entry.target));
        let reading =
            record_files::read_fields(&shared.client, &first.module, &first.record_id, &names);
        let read = tokio::select! {
            biased;
            _ = shared.interrupt.first() => {
                shared.tally().not_started += entries.len() + records.map(|e| e.len()).sum::<usize>();
                return false;
            }
            read = reading => read,
        };
        let held = match read {
            Ok(held) => held,
            Err(failure) => {
                for entry in &entries {
                    not_looked_up(shared, entry, &failure, "fields");
                }
                continue;
            }
        };
        let mut claimed: HashSet<String> = HashSet::new();
        for entry in entries {
            let Target::Field(field) = &entry.target else {
                continue;
            };
            let matching = held
                .iter()
                .filter(|files| &files.field == field)
                .flat_map(|files| &files.entries)
                .find(|file| {
                    let key = file.id.clone().or_else(|| file.file_id.clone());
                    file.file_name.as_deref() == Some(entry.name.as_str())
                        && file.size == Some(entry.size)
                        && key.is_some_and(|key| !claimed.contains(&key))
                        && file
                            .file_id
                            .as_ref()
                            .is_none_or(|id| !history.attached_ids.contains(id))
                });
            match matching.and_then(|file| file.id.clone().or_else(|| file.file_id.clone())) {
                Some(key) => {
                    claimed.insert(key);
                    let id = matching.and_then(|file| file.file_id.clone());
                    already_in_zoho(shared, &entry, id.as_deref(), format!(", in field {field}"))
                        .await;
                }
                None => retry.push(entry),
            }
        }
    }
    true
}

/// `--skip-existing` for photo lines (without `--replace`): each record's photo is asked for
/// once (a download whose answer's status says whether there is one; the image is not
/// read), and the lines of a record that has one are already in Zoho. The others go to
/// `retry`. A signal counts the lines not decided as not started.
async fn with_photo(shared: &Arc<Shared>, lines: Vec<Entry>, retry: &mut Vec<Entry>) {
    let mut records = by_record(lines).into_iter();
    while let Some(entries) = records.next() {
        let Some(first) = entries.first() else {
            continue;
        };
        let request = DownloadPhotoRequest::new(first.module.clone(), first.record_id.clone());
        let asking = shared.client.download_photo(request);
        let answer = tokio::select! {
            biased;
            _ = shared.interrupt.first() => {
                shared.tally().not_started += entries.len() + records.map(|e| e.len()).sum::<usize>();
                return;
            }
            answer = asking => answer,
        };
        match answer {
            // Dropped unread: only whether there is a photo matters.
            Ok(Some(_photo)) => {
                for entry in &entries {
                    already_in_zoho(shared, entry, None, ": the record has a photo".to_owned())
                        .await;
                }
            }
            Ok(None) => retry.extend(entries),
            Err(zoho_crm::Error::Validation(ValidationError::ModuleNotSupported { .. })) => {
                // Zoho sets photos of some modules (Deals) it gives no download for.
                shared.output.warn(format!(
                    "{} records' photos cannot be downloaded, so whether record {} has one cannot be told; its photo line(s) are uploaded",
                    first.module.api_name(),
                    first.record_id
                ));
                retry.extend(entries);
            }
            Err(error) => {
                let failure = Failure::from_call(&error);
                for entry in &entries {
                    not_looked_up(shared, entry, &failure, "photo");
                }
            }
        }
    }
}

/// A line `--skip-existing` found in Zoho: journaled as done (with the id of what matched,
/// when there is one), reported (`what` says where it was found) and counted.
async fn already_in_zoho(shared: &Shared, entry: &Entry, id: Option<&str>, what: String) {
    let mut record = Record::new(entry, Status::Ok);
    record.id = id.map(str::to_owned);
    record.already_in_zoho = true;
    if let Err(e) = shared.writer.append(&record, true).await {
        shared.journal_failed(&e);
    }
    shared.bar.dec_length(entry.size);
    shared.count_finished();
    shared.tally().already_in_zoho += 1;
    let id_text = id.map(|id| format!("  id {id}")).unwrap_or_default();
    shared.output.text(format!(
        "already  line {:>4}  {}{id_text} (already in Zoho{what})",
        entry.line, entry.path
    ));
    shared.output.json_line(&ItemLine {
        id,
        bytes: Some(entry.size),
        ..ItemLine::of(entry, "already_in_zoho")
    });
}

/// A line `--skip-existing` could not look up (`what`: the record's attachments, fields or
/// photo): refused for the budget, it is held back for a later run; otherwise it fails (it is
/// not uploaded blindly), and a refusal of Zoho's counts toward the patience.
fn not_looked_up(shared: &Shared, entry: &Entry, failure: &Failure, what: &str) {
    shared.bar.dec_length(entry.size);
    shared.count_finished();
    if failure.kind == Kind::Budget {
        shared.budget_spent();
        shared.output.json_line(&ItemLine {
            failure: Some(failure),
            ..ItemLine::of(entry, "held_back")
        });
        shared.tally().held_back += 1;
        return;
    }
    shared.upload_failed(failure);
    let failure = Failure {
        message: format!(
            "not uploaded: the record's {what} cannot be read for --skip-existing: {}",
            failure.message
        ),
        ..failure.clone()
    };
    report_failure(shared, entry, &failure);
    shared.tally().failed += 1;
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
