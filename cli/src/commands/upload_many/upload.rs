//! The uploads: all pending lines under the adaptive limit, and each one journaled before it
//! is sent and when it ends.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use zoho_crm::operations::{UploadAttachmentRequest, UploadPhotoRequest};
use zoho_crm::{Error, FileSource};

use crate::commands::upload::warn_unverified;
use crate::failure::{Failure, Kind};
use crate::progress::Tracker;
use crate::record_files;
use crate::slots::Slot;
use crate::stored::{Stored, stored};

use super::journal::{Record, Status};
use super::manifest::Entry;
use super::report::{ItemLine, report_failure, report_interrupted};
use super::shared::Shared;
use super::target::Target;

/// The pauses before an upload Zoho refused on every attempt (HTTP 429) is sent again, while
/// the run goes on: one each time, then it fails (a re-run sends it).
const PAUSES_AFTER_429: [Duration; 3] = [
    Duration::from_secs(1),
    Duration::from_secs(2),
    Duration::from_secs(4),
];

/// Uploads `pending` with the adaptive limit, until a signal comes.
pub(super) async fn upload_all(shared: &Arc<Shared>, pending: Vec<Entry>) {
    let mut tasks = tokio::task::JoinSet::new();
    let mut pending = pending.into_iter();
    while let Some(entry) = pending.next() {
        if shared.patience.exhausted() {
            shared.tally().held_back += 1 + pending.len();
            break;
        }
        if shared.stop.load(Ordering::Relaxed) {
            let failure = Failure::new(
                Kind::Local,
                "JOURNAL_ERROR",
                "not attempted: the journal cannot be written",
            );
            report_failure(shared, &entry, &failure);
            shared.tally().failed += 1;
            continue;
        }
        let permit = tokio::select! {
            biased;
            _ = shared.interrupt.first() => {
                shared.tally().not_started += 1 + pending.len();
                break;
            }
            permit = shared.slots.acquire() => permit,
        };
        while tasks.try_join_next().is_some() {}
        tasks.spawn(upload_one(Arc::clone(shared), entry, permit));
    }
    while tasks.join_next().await.is_some() {}
}

/// Uploads one line: journaled as `started` before it is sent, then with its result. A signal
/// abandons it while in flight, leaving it `started`; a result that arrived is journaled.
pub(super) async fn upload_one(shared: Arc<Shared>, entry: Entry, permit: Slot) {
    if shared.interrupt.received().is_some() {
        shared.bar.dec_length(entry.size);
        shared.tally().not_started += 1;
        return;
    }
    if shared.patience.exhausted() {
        shared.bar.dec_length(entry.size);
        shared.tally().held_back += 1;
        return;
    }
    let record = Record::new(&entry, Status::Started);
    if let Err(e) = shared.writer.append(&record, false).await {
        shared.journal_failed(&e);
        let failure = Failure::new(
            Kind::Local,
            "JOURNAL_ERROR",
            format!("not attempted: the journal cannot be written: {e}"),
        );
        shared.bar.dec_length(entry.size);
        report_failure(&shared, &entry, &failure);
        shared.tally().failed += 1;
        shared.count_finished();
        return;
    }
    let tracker = Tracker::new(shared.bar.clone());
    let mut permit = permit;
    let mut pauses = PAUSES_AFTER_429.iter();
    let result = loop {
        let source = FileSource::from_path_named(&entry.file, entry.name.clone()).on_progress({
            let tracker = tracker.clone();
            move |sent| tracker.update(sent)
        });
        let result = tokio::select! {
            biased;
            result = send(&shared, &entry, source) => result,
            signal = shared.interrupt.first() => {
                drop(permit);
                tracker.withdraw(entry.size);
                report_interrupted(&shared, &entry, signal);
                shared.tally().interrupted.push(entry);
                shared.count_finished();
                return;
            }
        };
        // Every attempt refused with 429 (nothing stored): while the run goes on, that is most
        // likely the concurrency cap, which clears in seconds. Send it again after a pause,
        // leaving its place to other uploads meanwhile.
        let again = match &result {
            Err(failure) if failure.http_status == Some(429) && !failure.is_unknown() => pauses
                .next()
                .copied()
                .filter(|_| shared.refused_for_now(failure)),
            _ => None,
        };
        let Some(pause) = again else {
            break result;
        };
        shared.patience.resending();
        drop(permit);
        tracker.update(0);
        permit = tokio::select! {
            biased;
            signal = shared.interrupt.first() => {
                // Refused, so not stored: the journal's `started` makes the next run check.
                tracker.withdraw(entry.size);
                report_interrupted(&shared, &entry, signal);
                shared.tally().interrupted.push(entry);
                shared.count_finished();
                return;
            }
            permit = async {
                tokio::time::sleep(pause).await;
                shared.slots.acquire().await
            } => permit,
        };
        if shared.patience.exhausted() {
            break result;
        }
    };
    if let Err(failure) = &result {
        // Before the slot frees, so that no upload starts after a refusal that stops the run.
        if failure.kind == Kind::Budget {
            shared.budget_spent();
        } else {
            shared.upload_failed(failure);
        }
    }
    drop(permit);
    match result {
        Ok(stored) => {
            shared.patience.went_through();
            tracker.complete(entry.size);
            let status = if stored.unverified.is_some() {
                Status::StoredUnverified
            } else {
                Status::Ok
            };
            let mut record = Record::new(&entry, status);
            record.id = stored.id.clone();
            record.message = stored.unverified.clone();
            if let Err(e) = shared.writer.append(&record, true).await {
                // The upload is done; a re-run finds it on the record (it is `started` there).
                shared.journal_failed(&e);
            }
            {
                let mut tally = shared.tally();
                tally.uploaded += 1;
                tally.bytes += entry.size;
            }
            shared.output.text(format!(
                "ok       line {:>4}  {}  id {}",
                entry.line,
                entry.path,
                stored.id_text()
            ));
            warn_unverified(&shared.output, &stored);
            shared.output.json_line(&ItemLine {
                id: stored.id.as_deref(),
                bytes: Some(entry.size),
                ..ItemLine::of(&entry, stored.status())
            });
        }
        Err(failure) if failure.kind == Kind::Budget => {
            // Not sent: held back for a later run, which uploads it (no failure).
            tracker.withdraw(entry.size);
            if let Err(e) = shared
                .writer
                .append(&Record::new(&entry, Status::HeldBack), true)
                .await
            {
                shared.journal_failed(&e);
            }
            shared.output.json_line(&ItemLine {
                failure: Some(&failure),
                ..ItemLine::of(&entry, "held_back")
            });
            shared.tally().held_back += 1;
        }
        Err(failure) => {
            tracker.withdraw(entry.size);
            let status = if failure.is_unknown() {
                Status::Unknown
            } else {
                Status::Error
            };
            let mut record = Record::new(&entry, status);
            record.code = Some(failure.code.clone());
            record.message = Some(failure.message.clone());
            if let Err(e) = shared.writer.append(&record, true).await {
                shared.journal_failed(&e);
            }
            report_failure(&shared, &entry, &failure);
            let mut tally = shared.tally();
            if status == Status::Unknown {
                tally.unknown.push(entry);
            } else {
                tally.failed += 1;
            }
        }
    }
    shared.count_finished();
}

/// Sends a line's file to its target: an attachment; the record's photo (an answer that says
/// SUCCESS but cannot be read is stored); or the file store and then the field, whose id is
/// the file-store id (the field is read first, so an unknown field stores nothing).
async fn send(shared: &Shared, entry: &Entry, source: FileSource) -> Result<Stored, Failure> {
    let client = &shared.client;
    let (module, record) = (&entry.module, entry.record_id.as_str());
    match &entry.target {
        Target::Attachment => {
            let request = UploadAttachmentRequest::new(module.clone(), record, source);
            stored(client.upload_attachment(request).await).map_err(|e| Failure::from_call(&e))
        }
        Target::Photo => {
            let request = UploadPhotoRequest::new(module.clone(), record, source);
            match client.upload_photo(request).await {
                Ok(_) => Ok(Stored {
                    id: None,
                    unverified: None,
                }),
                Err(Error::UnreadableSuccess(unreadable)) => Ok(Stored {
                    id: None,
                    unverified: Some(unreadable.to_string()),
                }),
                Err(error) => Err(Failure::from_call(&error)),
            }
        }
        Target::Field(field) => {
            record_files::read_fields(client, module, record, std::slice::from_ref(field)).await?;
            let mut stored = record_files::store(client, vec![source], |_| {}).await;
            let id = stored.pop().unwrap_or_else(|| {
                Err(Failure::new(
                    Kind::Decode,
                    "NO_RESULT",
                    "the file store gave no result",
                ))
            })?;
            record_files::attach(
                client,
                module,
                record,
                field,
                std::slice::from_ref(&id),
                &[],
            )
            .await
            .map_err(|failure| Failure {
                message: format!(
                    "the file is in Zoho's file store (id {id}) but NOT in field {field}: {}",
                    failure.message
                ),
                ..failure
            })?;
            Ok(Stored {
                id: Some(id),
                unverified: None,
            })
        }
    }
}
