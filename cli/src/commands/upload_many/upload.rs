//! The uploads: all pending lines under the adaptive limit, and each one journaled before it
//! is sent and when it ends.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use zoho_crm::FileSource;
use zoho_crm::operations::UploadAttachmentRequest;

use crate::commands::upload::warn_unverified;
use crate::failure::{Failure, Kind};
use crate::progress::Tracker;
use crate::slots::Slot;
use crate::stored::stored;

use super::journal::{Record, Status};
use super::manifest::Entry;
use super::report::{ItemLine, report_failure, report_interrupted};
use super::shared::Shared;

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
    let source = FileSource::from_path_named(&entry.file, entry.name.clone()).on_progress({
        let tracker = tracker.clone();
        move |sent| tracker.update(sent)
    });
    let request =
        UploadAttachmentRequest::new(entry.module.clone(), entry.record_id.clone(), source);
    let result = tokio::select! {
        biased;
        result = shared.client.upload_attachment(request) => stored(result),
        signal = shared.interrupt.first() => {
            drop(permit);
            tracker.withdraw(entry.size);
            report_interrupted(&shared, &entry, signal);
            shared.tally().interrupted.push(entry);
            shared.count_finished();
            return;
        }
    };
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
        Err(error) => {
            tracker.withdraw(entry.size);
            let failure = Failure::from_call(&error);
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
            // HTTP 429, whatever code Zoho gives it (the cap and spent credits alike).
            if failure.http_status == Some(429) {
                shared.call_refused();
            }
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
