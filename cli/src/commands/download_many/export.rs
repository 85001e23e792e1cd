//! The work of a run: each record listed (every page, under the shared limit), its plan made,
//! links written, stale temporary files removed, and its files downloaded under the same limit,
//! each journaled when its name is chosen and when it is saved. A signal abandons what is in
//! flight (a download's temporary file goes with it) and starts nothing more.

use std::path::PathBuf;
use std::sync::Arc;

use futures_util::StreamExt as _;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinSet;
use zoho_crm::operations::{DownloadAttachmentRequest, ListAttachmentsRequest};
use zoho_crm::types::Attachment;

use crate::failure::{Failure, Kind};
use crate::progress::Tracker;
use crate::slots::Slot;

use super::journal::{Record, Status};
use super::names::{Book, Ticket};
use super::plan::{self, Done, Fetch, RecordPlan};
use super::records::RecordLine;
use super::report::{ItemLine, record_failed};
use super::shared::Shared;

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

/// Lists a record's attachments, every page, holding one slot of the limit.
async fn list(shared: &Shared, record: &RecordLine) -> Result<Vec<Attachment>, Failure> {
    let request = ListAttachmentsRequest::new(record.module.clone(), record.record_id.clone())
        .fields(plan::LIST_FIELDS)
        .per_page(PER_PAGE);
    let mut items = Vec::new();
    let mut stream = std::pin::pin!(shared.client.list_attachments_stream(request));
    while let Some(item) = stream.next().await {
        items.push(item.map_err(|error| Failure::from_call(&error))?);
    }
    Ok(items)
}

/// Where a record's files go.
struct RecordAt {
    module: zoho_crm::Module,
    record_id: String,
    dir: PathBuf,
}

impl RecordAt {
    /// The module's API name.
    fn module(&self) -> &str {
        self.module.api_name()
    }
}

/// How a file gets its name.
enum Naming {
    /// The name an earlier run gave it (a file there is this one's, and is replaced).
    Known(String),
    /// A new name, from the download's answer, in its turn.
    New(Ticket),
}

/// Exports one record.
async fn export_record(shared: Arc<Shared>, record: RecordLine, _slot: OwnedSemaphorePermit) {
    let permit = tokio::select! {
        biased;
        _ = shared.interrupt.first() => {
            shared.not_starting(1);
            return;
        }
        permit = shared.slots.acquire() => permit,
    };
    if !shared.may_start() {
        shared.not_starting(1);
        return;
    }
    let listed = tokio::select! {
        biased;
        _ = shared.interrupt.first() => {
            shared.not_starting(1);
            return;
        }
        listed = list(&shared, &record) => listed,
    };
    drop(permit);
    let items = match listed {
        Ok(items) => {
            shared.patience.went_through();
            items
        }
        Err(failure) => {
            if failure.http_status == Some(429) {
                shared.call_refused();
            }
            record_failed(&shared.output, &record, &failure);
            shared.tally().records_failed += 1;
            return;
        }
    };
    shared.tally().records += 1;
    let at = Arc::new(RecordAt {
        module: record.module.clone(),
        record_id: record.record_id.clone(),
        dir: shared.record_dir(record.module.api_name(), &record.record_id),
    });
    let dir = at.dir.clone();
    let scanned = tokio::task::spawn_blocking(move || plan::scan(&dir))
        .await
        .map_err(std::io::Error::other)
        .and_then(|scan| scan);
    let scan = match scanned {
        Ok(scan) => scan,
        Err(e) => {
            let failure = Failure::io(format!("cannot read {}: {e}", at.dir.display()));
            record_failed(&shared.output, &record, &failure);
            shared.tally().records_failed += 1;
            return;
        }
    };
    let plan = RecordPlan::new(
        (at.module(), &at.record_id),
        items,
        &shared.history,
        shared.since,
        &scan,
    );
    let dry_run = shared.writer.is_none();
    if !dry_run {
        remove_stale(&shared, scan.stale).await;
    }
    report_done(&shared, &at, &plan.done);
    {
        let mut tally = shared.tally();
        tally.older += plan.older;
        tally.already_done += plan.done.len();
    }
    write_links(&shared, plan.links).await;
    if plan.fetch.is_empty() {
        return;
    }
    if dry_run {
        report_would_download(&shared, &at, &plan.fetch);
        return;
    }
    if let Err(e) = tokio::fs::create_dir_all(&at.dir).await {
        let failure = Failure::io(format!("cannot create {}: {e}", at.dir.display()));
        for fetch in &plan.fetch {
            report_file_failure(&shared, &at, fetch, None, &failure);
        }
        shared.tally().failed += plan.fetch.len();
        return;
    }
    let mut taken: Vec<&str> = scan.files.keys().map(String::as_str).collect();
    taken.extend(
        shared
            .history
            .names_in(at.module(), &at.record_id)
            .map(|(_, name)| name),
    );
    let book = Book::new(taken);
    download_files(&shared, &at, &book, plan.fetch).await;
}

/// Downloads a record's files, each under a slot of the limit, new ones taking their names in
/// listing order.
async fn download_files(
    shared: &Arc<Shared>,
    at: &Arc<RecordAt>,
    book: &Arc<Book>,
    fetch: Vec<Fetch>,
) {
    let bytes = fetch.iter().map(|f| f.size.unwrap_or(0)).sum();
    shared.add_files(fetch.len(), bytes);
    let mut tasks = JoinSet::new();
    let mut next_ticket = 0;
    let mut fetch = fetch.into_iter();
    while let Some(file) = fetch.next() {
        let permit = if shared.may_start() {
            tokio::select! {
                biased;
                _ = shared.interrupt.first() => None,
                permit = shared.slots.acquire() => Some(permit),
            }
        } else {
            None
        };
        let Some(permit) = permit.filter(|_| shared.may_start()) else {
            let rest: Vec<Fetch> = std::iter::once(file).chain(fetch).collect();
            for file in &rest {
                shared.bar.dec_length(file.size.unwrap_or(0));
                shared.file_finished();
            }
            shared.not_starting(rest.len());
            break;
        };
        if let Some(again) = &file.again {
            shared.output.warn(format!(
                "{}/{}/{}: saved by an earlier run, but {again}: downloading it again",
                at.module(),
                at.record_id,
                file.name.as_deref().unwrap_or_default()
            ));
        }
        let naming = match &file.name {
            Some(name) => Naming::Known(name.clone()),
            None => {
                next_ticket += 1;
                Naming::New(book.ticket(next_ticket - 1))
            }
        };
        tasks.spawn(download_one(
            Arc::clone(shared),
            Arc::clone(at),
            file,
            naming,
            permit,
        ));
    }
    while tasks.join_next().await.is_some() {}
}

/// A file saved.
struct Saved {
    name: String,
    path: PathBuf,
    bytes: u64,
}

/// A file not saved, and the name it was given, if it got that far.
struct Failed {
    failure: Failure,
    name: Option<String>,
}

/// Downloads one file, holding its slot of the limit until it is saved; journaled with its
/// result. A signal abandons it (nothing is left under its final name).
async fn download_one(
    shared: Arc<Shared>,
    at: Arc<RecordAt>,
    file: Fetch,
    naming: Naming,
    permit: Slot,
) {
    let tracker = Tracker::new(shared.bar.clone());
    let size = file.size.unwrap_or(0);
    let result = tokio::select! {
        biased;
        _ = shared.interrupt.first() => {
            drop(permit);
            tracker.withdraw(size);
            shared.tally().interrupted += 1;
            shared.file_finished();
            return;
        }
        result = fetch_and_save(&shared, &at, &file, naming, &tracker) => result,
    };
    drop(permit);
    match result {
        Ok(saved) => {
            shared.patience.went_through();
            tracker.update(saved.bytes);
            let mut record = Record::new(&file.id, at.module(), &at.record_id, Status::Ok);
            record.name = Some(saved.name.clone());
            record.bytes = Some(saved.bytes);
            if let Some(writer) = &shared.writer
                && let Err(e) = writer.append(&record, true).await
            {
                // The file is saved; a re-run saves it again under the same name.
                shared.journal_failed(&e);
            }
            {
                let mut tally = shared.tally();
                tally.files += 1;
                tally.bytes += saved.bytes;
                if file.again.is_some() {
                    tally.downloaded_again += 1;
                }
            }
            shared.output.text(format!(
                "saved    {} ({} bytes)",
                saved.path.display(),
                saved.bytes
            ));
            shared.output.json_line(&ItemLine {
                ok: true,
                status: "downloaded",
                module: Some(at.module()),
                record_id: Some(&at.record_id),
                id: Some(&file.id),
                name: Some(&saved.name),
                path: Some(saved.path.display().to_string()),
                bytes: Some(saved.bytes),
                downloaded_again: file.again.as_deref(),
                ..ItemLine::default()
            });
        }
        Err(Failed { failure, name }) => {
            tracker.withdraw(size);
            if failure.http_status == Some(429) {
                shared.call_refused();
            }
            let mut record = Record::new(&file.id, at.module(), &at.record_id, Status::Error);
            record.name = name.clone();
            record.code = Some(failure.code.clone());
            record.message = Some(failure.message.clone());
            if let Some(writer) = &shared.writer
                && let Err(e) = writer.append(&record, true).await
            {
                shared.journal_failed(&e);
            }
            report_file_failure(&shared, &at, &file, name.as_deref(), &failure);
            shared.tally().failed += 1;
        }
    }
    shared.file_finished();
}

/// The download itself: the answer's head, the name (known, or the next new one in turn,
/// journaled before any byte is saved), then the content through a temporary file.
async fn fetch_and_save(
    shared: &Shared,
    at: &RecordAt,
    file: &Fetch,
    naming: Naming,
    tracker: &Tracker,
) -> Result<Saved, Failed> {
    let failed = |failure, name: Option<&str>| Failed {
        failure,
        name: name.map(str::to_owned),
    };
    let request =
        DownloadAttachmentRequest::new(at.module.clone(), at.record_id.clone(), file.id.clone());
    let download = match shared.client.download_attachment(request).await {
        Ok(Some(download)) => download,
        Ok(None) => {
            let failure = Failure::new(
                Kind::Api,
                "NOT_FOUND",
                format!("Zoho has no content for attachment {}", file.id),
            )
            .with_resolution("it may have been deleted since it was listed; run the export again");
            return Err(failed(failure, None));
        }
        Err(error) => return Err(failed(Failure::from_call(&error), None)),
    };
    let (name, staged) = match naming {
        Naming::Known(name) => {
            let path = at.dir.join(&name);
            return match download
                .save(&path, true, |received| tracker.update(received))
                .await
            {
                Ok(bytes) => Ok(Saved { name, path, bytes }),
                Err(error) => Err(failed(Failure::download(&error), Some(&name))),
            };
        }
        Naming::New(ticket) => {
            let candidate = download
                .file_name()
                .map_or_else(|| fallback_name(&file.id), str::to_owned);
            // The content is read before the name is taken: names are handed out in listing
            // order, and an answer held open while an earlier file waits for its turn in the
            // client's concurrency limit could leave that file no place at all.
            let staged = match download
                .stage_in(&at.dir, |received| tracker.update(received))
                .await
            {
                Ok(staged) => staged,
                Err(error) => return Err(failed(Failure::download(&error), None)),
            };
            let name = ticket.claim(&candidate).await;
            let mut record = Record::new(&file.id, at.module(), &at.record_id, Status::Started);
            record.name = Some(name.clone());
            if let Some(writer) = &shared.writer
                && let Err(e) = writer.append(&record, false).await
            {
                shared.journal_failed(&e);
                let failure = Failure::new(
                    Kind::Local,
                    "JOURNAL_ERROR",
                    format!("not saved: the journal cannot be written: {e}"),
                );
                return Err(failed(failure, Some(&name)));
            }
            (name, staged)
        }
    };
    let path = at.dir.join(&name);
    match staged.persist(&path, false) {
        Ok(bytes) => Ok(Saved { name, path, bytes }),
        Err(error) => Err(failed(Failure::download(&error), Some(&name))),
    }
}

/// The name of a file whose download gives none: `attachment-ID`.
fn fallback_name(id: &str) -> String {
    if !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        format!("attachment-{id}")
    } else {
        "attachment".to_owned()
    }
}

/// Removes the temporary files downloads stopped by an earlier run left in a record's
/// directory.
async fn remove_stale(shared: &Shared, stale: Vec<PathBuf>) {
    for path in stale {
        match tokio::fs::remove_file(&path).await {
            Ok(()) => shared.tally().stale_removed += 1,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => shared.output.warn(format!(
                "cannot remove the stale temporary file {}: {e}",
                path.display()
            )),
        }
    }
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
            shared.tally().failed += count;
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

/// Files an earlier run saved: a JSON line each (quiet in text).
fn report_done(shared: &Shared, at: &RecordAt, done: &[Done]) {
    for file in done {
        shared.output.json_line(&ItemLine {
            ok: true,
            status: "already_done",
            module: Some(at.module()),
            record_id: Some(&at.record_id),
            id: Some(&file.id),
            name: Some(&file.name),
            path: Some(at.dir.join(&file.name).display().to_string()),
            bytes: Some(file.bytes),
            ..ItemLine::default()
        });
    }
}

/// `--dry-run`: the files that would be downloaded.
fn report_would_download(shared: &Shared, at: &RecordAt, fetch: &[Fetch]) {
    for file in fetch {
        let name = file
            .name
            .as_deref()
            .or(file.listed_name.as_deref())
            .unwrap_or_default();
        shared.output.text(format!(
            "would download  {}/{}/{name} (id {}, {} bytes)",
            at.module(),
            at.record_id,
            file.id,
            file.size.map_or_else(|| "?".to_owned(), |s| s.to_string())
        ));
        shared.output.json_line(&ItemLine {
            ok: true,
            status: "would_download",
            module: Some(at.module()),
            record_id: Some(&at.record_id),
            id: Some(&file.id),
            name: Some(name),
            bytes: file.size,
            downloaded_again: file.again.as_deref(),
            ..ItemLine::default()
        });
    }
    let mut tally = shared.tally();
    tally.would_download += fetch.len();
    tally.would_download_bytes += fetch.iter().map(|f| f.size.unwrap_or(0)).sum::<u64>();
}

/// A file that was not saved.
fn report_file_failure(
    shared: &Shared,
    at: &RecordAt,
    file: &Fetch,
    name: Option<&str>,
    failure: &Failure,
) {
    let shown = name.or(file.listed_name.as_deref()).unwrap_or_default();
    shared.output.stderr(&format!(
        "error: {}/{}/{shown} (attachment {}): not saved: {}",
        at.module(),
        at.record_id,
        file.id,
        failure.describe()
    ));
    shared.output.json_line(&ItemLine {
        status: "error",
        module: Some(at.module()),
        record_id: Some(&at.record_id),
        id: Some(&file.id),
        name: Some(shown),
        failure: Some(failure),
        ..ItemLine::default()
    });
}
