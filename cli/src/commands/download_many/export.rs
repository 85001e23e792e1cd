//! The work of a run, record by record: stale temporary files removed from its directory;
//! its attachments listed (every page, under the shared limit), their plan made, links
//! written and files downloaded (see [`super::fetch`]); then its photo ([`super::photo`]) and
//! its file fields' files ([`super::fields`]), as selected. A signal abandons what is in
//! flight (a download's temporary file goes with it) and starts nothing more.

use std::sync::Arc;

use futures_util::StreamExt as _;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinSet;
use zoho_crm::operations::ListAttachmentsRequest;
use zoho_crm::types::Attachment;

use crate::failure::{Failure, Kind};

use super::fetch::{self, Place};
use super::folder::{Part, may_start_part, remove_stale, scan_dir};
use super::journal::FIELDS_DIR;
use super::journal::{Folder, ItemKind};
use super::names::Book;
use super::plan::{self, DirScan, RecordPlan};
use super::records::RecordLine;
use super::report::{ItemLine, record_failed};
use super::shared::Shared;
use super::{fields, photo};

/// The most attachments per listing page.
const PER_PAGE: i64 = 200;

/// Exports every record, at most `open` records at a time between their listing and their
/// last download (which bounds what is held in memory), until a signal comes.
pub(super) async fn export_all(shared: &Arc<Shared>, records: Vec<RecordLine>, open: usize) {
    let open_records = Arc::new(Semaphore::new(open.max(1)));
    let mut tasks = JoinSet::new();
    let mut records = records.into_iter();
    while let Some(record) = records.next() {
        if !shared.may_start() {
            shared.not_starting(1 + records.len());
            break;
        }
        let slot = tokio::select! {
            biased;
            _ = shared.interrupt.first() => {
                shared.not_starting(1 + records.len());
                break;
            }
            slot = Arc::clone(&open_records).acquire_owned() => slot,
        };
        // The semaphore is never closed.
        let Ok(slot) = slot else { break };
        while tasks.try_join_next().is_some() {}
        tasks.spawn(export_record(Arc::clone(shared), record, slot));
    }
    while tasks.join_next().await.is_some() {}
}

/// Lists a record's attachments, every page, holding one slot of the limit. The calls are
/// counted from the items: one per page of [`PER_PAGE`] (at least one), one more for the
/// page that failed.
async fn list(shared: &Shared, record: &RecordLine) -> Result<Vec<Attachment>, Failure> {
    let request = ListAttachmentsRequest::new(record.module.clone(), record.record_id.clone())
        .fields(plan::LIST_FIELDS)
        .per_page(PER_PAGE);
    let mut items = Vec::new();
    let mut stream = std::pin::pin!(shared.client.list_attachments_stream(request));
    let pages = |items: usize| items.div_ceil(PER_PAGE as usize).max(1) as u64;
    while let Some(item) = stream.next().await {
        match item {
            Ok(item) => items.push(item),
            Err(error) => {
                if !matches!(
                    error,
                    zoho_crm::Error::Validation(_) | zoho_crm::Error::Budget(_)
                ) {
                    shared.tally().attachments.calls += pages(items.len() + 1);
                }
                return Err(Failure::from_call(&error));
            }
        }
    }
    shared.tally().attachments.calls += pages(items.len());
    Ok(items)
}

/// Exports one record: its attachments, photo and file fields, as selected.
async fn export_record(shared: Arc<Shared>, record: RecordLine, _slot: OwnedSemaphorePermit) {
    let at = Arc::new(Place {
        module: record.module.clone(),
        record_id: record.record_id.clone(),
        dir: shared.record_dir(record.module.api_name(), &record.record_id),
        kind: ItemKind::Attachment,
        field: None,
    });
    let mut scan = match scan_dir(&at.dir).await {
        Ok(scan) => scan,
        Err(failure) => {
            record_failed(
                &shared.output,
                &record,
                "its directory cannot be read",
                &failure,
            );
            shared.tally().records_failed += 1;
            return;
        }
    };
    if shared.writer.is_some() {
        remove_stale(&shared, std::mem::take(&mut scan.stale)).await;
    }
    let fields_wanted = !shared.selection.fields.is_empty();
    let mut taken: Vec<&str> = scan.files.keys().map(String::as_str).collect();
    taken.extend(
        shared
            .history
            .names_in(at.module(), &at.record_id, Folder::Record)
            .map(|(_, name)| name),
    );
    if fields_wanted {
        taken.push(FIELDS_DIR);
    }
    let book = Book::new(taken);
    let mut parts = Vec::new();
    if shared.selection.attachments {
        parts.push(export_attachments(&shared, &record, &at, &scan, &book).await);
    }
    if shared.selection.photo {
        parts.push(photo::export(&shared, &at, &scan, &book).await);
    }
    if fields_wanted {
        parts.push(fields::export(&shared, &record, &at).await);
    }
    let mut tally = shared.tally();
    if parts.contains(&Part::ReadFailed) {
        tally.records_failed += 1;
    } else if parts.contains(&Part::Done) {
        tally.records += 1;
    }
}

/// Exports a record's attachments: lists them, writes its links and downloads its files.
async fn export_attachments(
    shared: &Arc<Shared>,
    record: &RecordLine,
    at: &Arc<Place>,
    scan: &DirScan,
    book: &Arc<Book>,
) -> Part {
    let permit = tokio::select! {
        biased;
        _ = shared.interrupt.first() => {
            shared.not_starting(1);
            return Part::NotStarted;
        }
        permit = shared.slots.acquire() => permit,
    };
    if !may_start_part(shared) {
        return Part::NotStarted;
    }
    let listed = tokio::select! {
        biased;
        _ = shared.interrupt.first() => {
            shared.not_starting(1);
            return Part::NotStarted;
        }
        listed = list(shared, record) => listed,
    };
    drop(permit);
    let items = match listed {
        Ok(items) => {
            shared.patience.went_through();
            items
        }
        Err(failure) if failure.kind == Kind::Budget => {
            shared.budget_spent();
            shared.not_starting(1);
            return Part::NotStarted;
        }
        Err(failure) => {
            shared.call_failed(&failure);
            let what = if shared.selection.photo || !shared.selection.fields.is_empty() {
                "cannot list its attachments; they were not exported"
            } else {
                "cannot list its attachments; nothing of it was exported"
            };
            record_failed(&shared.output, record, what, &failure);
            return Part::ReadFailed;
        }
    };
    let plan = RecordPlan::new(
        (at.module(), &at.record_id),
        items,
        &shared.history,
        (shared.since, &shared.filters, &shared.name_template),
        scan,
    );
    fetch::report_done(shared, at, &plan.done);
    {
        let mut tally = shared.tally();
        tally.older += plan.older;
        tally.filtered_out += plan.filtered_out;
    }
    write_links(shared, plan.links).await;
    if plan.fetch.is_empty() {
        return Part::Done;
    }
    if shared.writer.is_none() {
        fetch::report_would_download(shared, at, &plan.fetch);
        return Part::Done;
    }
    fetch::download_files(shared, at, book, plan.fetch).await;
    Part::Done
}

/// Writes a record's links to links.csv (those not there already), or, in a dry run, says
/// what would be written.
async fn write_links(shared: &Shared, links: Vec<super::links::Link>) {
    if links.is_empty() {
        return;
    }
    let Some(file) = &shared.links else {
        for link in &links {
            report_link(shared, link, "would add link ", "would_add_link");
        }
        return;
    };
    let count = links.len();
    match file.append(links).await {
        Ok(written) => {
            for link in &written {
                report_link(shared, link, "link    ", "link");
            }
            let mut tally = shared.tally();
            tally.links += written.len();
            tally.links_already_done += count - written.len();
        }
        Err(e) => {
            shared.output.stderr(&format!(
                "error: cannot write to {}: {e}; {count} link(s) not recorded (a re-run writes them)",
                file.path().display()
            ));
            shared.tally().attachments.failed += count;
        }
    }
}

/// Prints a link written (or, in a dry run, to be written): a line led by `label`, or a JSON
/// line of `status`.
fn report_link(shared: &Shared, link: &super::links::Link, label: &str, status: &'static str) {
    shared.output.text(format!(
        "{label} {}/{}: {} <{}>",
        link.module, link.record_id, link.title, link.url
    ));
    shared.output.json_line(&ItemLine {
        ok: true,
        status,
        module: Some(&link.module),
        record_id: Some(&link.record_id),
        id: Some(&link.id),
        name: Some(&link.title),
        url: Some(&link.url),
        ..ItemLine::default()
    });
}
