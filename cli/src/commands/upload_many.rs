//! `upload-many`: every file a CSV manifest names, uploaded with bounded, adaptive
//! concurrency and a journal that makes re-runs safe.
//!
//! 1. The whole manifest is checked first; an invalid line means nothing is sent (exit 2)
//!    unless `--skip-invalid`, which skips and counts it.
//! 2. The journal says what earlier runs did: a line whose last record is `ok` is skipped; one
//!    whose result was `unknown` is left alone (reported) unless `--retry-unknown`; one left
//!    `started` by a killed run, and an unknown one being retried, is first looked for on its
//!    record, so a file the server stored is not attached twice.
//! 3. Uploads run with at most `--concurrency` in flight, halved on each burst of 429s and
//!    raised again after successes; each is journaled before it is sent and when it ends.
//! 4. A summary follows (standard error, or a JSON line with `--json`).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use indicatif::{HumanBytes, ProgressBar};
use serde::Serialize;
use zoho_crm::operations::UploadAttachmentRequest;
use zoho_crm::{Client, FileSource};

use super::client_or_exit;
use super::upload::{UNKNOWN_HINT, warn_unverified};
use crate::args::{Global, UploadManyArgs};
use crate::connect::Env;
use crate::exit::Exit;
use crate::failure::{Failure, Kind};
use crate::journal::{self, History, Key, Record, Status, Writer};
use crate::manifest::{self, Entry, Invalid};
use crate::output::Output;
use crate::progress::{self, Tracker};
use crate::reconcile::{self, Candidate};
use crate::stored::stored;
use crate::throttle::{AdaptiveLimit, Permit, Stats};

/// The journal's path unless `--journal` gives one: the manifest's path + `.journal`.
pub fn default_journal(manifest: &Path) -> PathBuf {
    let mut path = manifest.as_os_str().to_owned();
    path.push(".journal");
    PathBuf::from(path)
}

fn key_of(entry: &Entry) -> Key {
    Key {
        line: entry.line,
        module: entry.module.api_name().to_owned(),
        record_id: entry.record_id.clone(),
        path: entry.path.clone(),
    }
}

/// One manifest line's result line in JSON.
#[derive(Serialize)]
struct ItemLine<'a> {
    ok: bool,
    status: &'static str,
    line: u64,
    path: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    file: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    module: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    record_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    bytes: Option<u64>,
    #[serde(flatten)]
    failure: Option<&'a Failure>,
}

impl<'a> ItemLine<'a> {
    fn of(entry: &'a Entry, status: &'static str) -> Self {
        ItemLine {
            ok: matches!(status, "ok" | "stored-unverified" | "found_on_record"),
            status,
            line: entry.line,
            path: &entry.path,
            file: Some(&entry.name),
            module: Some(entry.module.api_name()),
            record_id: Some(&entry.record_id),
            id: None,
            bytes: None,
            failure: None,
        }
    }
}

/// The counts of a run.
#[derive(Debug, Default)]
struct Tally {
    uploaded: usize,
    already_done: usize,
    found_on_record: usize,
    failed: usize,
    unknown: Vec<Entry>,
    bytes: u64,
}

/// What the upload tasks share.
struct Shared {
    client: Client,
    writer: Writer,
    output: Output,
    bar: ProgressBar,
    limit: Arc<AdaptiveLimit>,
    tally: Mutex<Tally>,
    stop: AtomicBool,
    finished: AtomicUsize,
    total: usize,
}

impl Shared {
    fn tally(&self) -> std::sync::MutexGuard<'_, Tally> {
        self.tally.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn count_finished(&self) {
        let finished = self.finished.fetch_add(1, Ordering::Relaxed) + 1;
        self.bar
            .set_message(format!("{finished}/{} files", self.total));
    }

    /// The journal cannot be written: stop starting uploads (what is done stays safe).
    fn journal_failed(&self, error: &std::io::Error) {
        if !self.stop.swap(true, Ordering::Relaxed) {
            self.output.stderr(&format!(
                "error: the journal cannot be written ({error}); no further uploads are started"
            ));
        }
    }
}

/// Runs `upload-many`.
pub async fn run(global: &Global, env: &Env, output: &Output, args: UploadManyArgs) -> Exit {
    let started = Instant::now();
    let manifest = match manifest::load(&args.manifest).await {
        Ok(manifest) => manifest,
        Err(unusable) => {
            output.fail(
                &format!("the manifest {} cannot be used", args.manifest.display()),
                &Failure::invalid(unusable.0),
            );
            return Exit::BadInput;
        }
    };
    for invalid in &manifest.invalid {
        report_invalid(output, invalid, args.skip_invalid);
    }
    if !manifest.invalid.is_empty() && !args.skip_invalid {
        output.stderr(&format!(
            "error: {} of {} lines of the manifest are invalid; nothing was sent (fix them, or pass --skip-invalid to upload the valid lines)",
            manifest.invalid.len(),
            manifest.invalid.len() + manifest.entries.len()
        ));
        return Exit::BadInput;
    }
    let journal_path = args
        .journal
        .clone()
        .unwrap_or_else(|| default_journal(&args.manifest));
    let history = match journal::load(&journal_path) {
        Ok(history) => history,
        Err(e) => {
            let failure = Failure::invalid(format!(
                "cannot read the journal {}: {e}",
                journal_path.display()
            ));
            output.fail("the journal cannot be used", &failure);
            return Exit::BadInput;
        }
    };
    if history.unreadable_lines > 0 {
        output.warn(format!(
            "{} line(s) of the journal {} are not records (cut short by a crash?) and are ignored",
            history.unreadable_lines,
            journal_path.display()
        ));
    }
    let plan = Plan::new(manifest.entries, &history, args.retry_unknown);
    let concurrency = usize::from(args.concurrency);
    let limit = AdaptiveLimit::new(concurrency);
    let client = match client_or_exit(global, env, output, |builder| {
        let limit = Arc::clone(&limit);
        builder
            .max_concurrency(concurrency)
            .on_throttled(move || limit.throttled())
    }) {
        Ok(client) => client,
        Err(exit) => return exit,
    };
    let writer = match Writer::open(&journal_path) {
        Ok(writer) => writer,
        Err(journal::OpenError::Locked) => {
            let failure = Failure::invalid(format!(
                "another upload-many run is using the journal {}",
                journal_path.display()
            ))
            .with_resolution("wait for it to finish, or give this run another --journal");
            output.fail("the journal cannot be used", &failure);
            return Exit::BadInput;
        }
        Err(journal::OpenError::Io(e)) => {
            let failure = Failure::invalid(format!(
                "cannot open the journal {}: {e}",
                journal_path.display()
            ));
            output.fail("the journal cannot be used", &failure);
            return Exit::BadInput;
        }
    };
    let Plan {
        mut pending,
        already_done,
        mut unknown,
        to_check,
    } = plan;
    if !pending.is_empty() || !to_check.is_empty() {
        // One token up front: a credential problem stops the run before anything is sent.
        if let Err(error) = client.runtime().token_provider().token().await {
            let failure = Failure::auth(&error);
            output.fail("no access token could be had; nothing was sent", &failure);
            return failure.exit();
        }
    }
    let total_bytes = pending.iter().map(|e| e.size).sum::<u64>()
        + to_check.iter().map(|c| c.entry.size).sum::<u64>();
    let files = pending.len() + to_check.len();
    let shared = Arc::new(Shared {
        client,
        writer,
        output: output.clone(),
        bar: progress::bulk(output, total_bytes, files),
        limit: Arc::clone(&limit),
        tally: Mutex::new(Tally {
            already_done,
            ..Tally::default()
        }),
        stop: AtomicBool::new(false),
        finished: AtomicUsize::new(0),
        total: files,
    });
    let (retry, kept) = check_records(&shared, to_check, &history, args.retry_unknown).await;
    pending.extend(retry);
    unknown.extend(kept);
    pending.sort_by_key(|entry| entry.line);
    upload_all(&shared, pending).await;
    shared.bar.finish_and_clear();
    let stats = limit.stats();
    let mut tally = std::mem::take(&mut *shared.tally());
    tally.unknown.extend(unknown);
    tally.unknown.sort_by_key(|entry| entry.line);
    summarize(
        output,
        &tally,
        manifest.invalid.len(),
        stats,
        concurrency,
        started,
        &journal_path,
    )
}

/// What to do with each valid line, from the journal.
struct Plan {
    /// To upload.
    pending: Vec<Entry>,
    /// Already uploaded by an earlier run.
    already_done: usize,
    /// Result unknown, left alone.
    unknown: Vec<Entry>,
    /// To look for on the record first.
    to_check: Vec<Check>,
}

/// A line to look for on its record before uploading.
struct Check {
    entry: Entry,
    since: Option<chrono::DateTime<chrono::FixedOffset>>,
    /// Left `started` by a killed run (else: an unknown result being retried).
    interrupted: bool,
}

impl Plan {
    fn new(entries: Vec<Entry>, history: &History, retry_unknown: bool) -> Self {
        let mut plan = Plan {
            pending: Vec::new(),
            already_done: 0,
            unknown: Vec::new(),
            to_check: Vec::new(),
        };
        for entry in entries {
            match history.last.get(&key_of(&entry)) {
                Some(last) if last.status.is_done() => plan.already_done += 1,
                Some(last) if last.status == Status::Unknown && !retry_unknown => {
                    plan.unknown.push(entry);
                }
                Some(last) if matches!(last.status, Status::Unknown | Status::Started) => {
                    plan.to_check.push(Check {
                        entry,
                        since: last.started_at,
                        interrupted: last.status == Status::Started,
                    });
                }
                _ => plan.pending.push(entry),
            }
        }
        plan
    }
}

/// Looks for the lines of `checks` on their records: found ones are journaled as done; the
/// others are returned to upload, or to keep as unknown when the record could not be listed
/// (unless `--retry-unknown`).
async fn check_records(
    shared: &Arc<Shared>,
    checks: Vec<Check>,
    history: &History,
    retry_unknown: bool,
) -> (Vec<Entry>, Vec<Entry>) {
    if checks.is_empty() {
        return (Vec::new(), Vec::new());
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
    let found = reconcile::find(&shared.client, &candidates, &history.attached_ids).await;
    let mut retry = Vec::new();
    let mut kept = Vec::new();
    for (check, result) in checks.into_iter().zip(found) {
        let entry = check.entry;
        match result {
            Ok(Some(id)) => {
                let mut record = Record::new(&key_of(&entry), Status::Ok);
                record.id = Some(id.clone());
                record.name = Some(entry.name.clone());
                record.bytes = Some(entry.size);
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
            Err(failure) if check.interrupted && !retry_unknown => {
                output.stderr(&format!(
                    "error: line {} ({}): a killed run left it in flight and the record cannot be checked: {}",
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

/// Uploads `pending` with the adaptive limit.
async fn upload_all(shared: &Arc<Shared>, pending: Vec<Entry>) {
    let mut tasks = tokio::task::JoinSet::new();
    for entry in pending {
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
        let permit = shared.limit.acquire().await;
        while tasks.try_join_next().is_some() {}
        tasks.spawn(upload_one(Arc::clone(shared), entry, permit));
    }
    while tasks.join_next().await.is_some() {}
}

/// Uploads one line: journaled as `started` before it is sent, then with its result.
async fn upload_one(shared: Arc<Shared>, entry: Entry, permit: Permit) {
    let key = key_of(&entry);
    let mut record = Record::new(&key, Status::Started);
    record.name = Some(entry.name.clone());
    record.bytes = Some(entry.size);
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
    let source = if entry.titled {
        FileSource::from_path_named(&entry.file, entry.name.clone())
    } else {
        FileSource::from_path(&entry.file)
    }
    .on_progress({
        let tracker = tracker.clone();
        move |sent| tracker.update(sent)
    });
    let request =
        UploadAttachmentRequest::new(entry.module.clone(), entry.record_id.clone(), source);
    let result = stored(shared.client.upload_attachment(request).await);
    drop(permit);
    match result {
        Ok(stored) => {
            shared.limit.succeeded();
            tracker.complete(entry.size);
            let status = if stored.unverified.is_some() {
                Status::StoredUnverified
            } else {
                Status::Ok
            };
            let mut record = Record::new(&key, status);
            record.id = stored.id.clone();
            record.message = stored.unverified.clone();
            record.name = Some(entry.name.clone());
            record.bytes = Some(entry.size);
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
            let mut record = Record::new(&key, status);
            record.name = Some(entry.name.clone());
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

fn report_failure(shared: &Shared, entry: &Entry, failure: &Failure) {
    let output = &shared.output;
    let (what, status) = if failure.is_unknown() {
        ("result unknown", "unknown")
    } else {
        ("not uploaded", "error")
    };
    output.stderr(&format!(
        "error: line {} ({}): {what}: {}",
        entry.line,
        entry.path,
        failure.describe()
    ));
    if failure.is_unknown() {
        output.stderr(&format!("  note: {UNKNOWN_HINT}"));
    }
    output.json_line(&ItemLine {
        failure: Some(failure),
        ..ItemLine::of(entry, status)
    });
}

fn report_invalid(output: &Output, invalid: &Invalid, skipped: bool) {
    let path = invalid.path.as_deref().unwrap_or("");
    let place = if path.is_empty() {
        format!("line {}", invalid.line)
    } else {
        format!("line {} ({path})", invalid.line)
    };
    let verb = if skipped { "skipped" } else { "error" };
    output.stderr(&format!("{verb}: {place}: {}", invalid.reason));
    let failure = Failure::invalid(invalid.reason.clone());
    output.json_line(&ItemLine {
        ok: false,
        status: "invalid",
        line: invalid.line,
        path,
        file: None,
        module: None,
        record_id: None,
        id: None,
        bytes: None,
        failure: Some(&failure),
    });
}

/// The run's summary line in JSON.
#[derive(Serialize)]
struct Summary<'a> {
    summary: bool,
    ok: bool,
    uploaded: usize,
    already_done: usize,
    found_on_record: usize,
    failed: usize,
    unknown: usize,
    invalid: usize,
    bytes: u64,
    seconds: f64,
    throttled: u64,
    concurrency: usize,
    lowest_concurrency: usize,
    final_concurrency: usize,
    journal: String,
    unknown_lines: Vec<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    hint: Option<&'a str>,
}

const UNKNOWN_SUMMARY_HINT: &str = "the file(s) may be attached already: check the records (zoho-crm list --module M --record ID), then re-run with --retry-unknown, which uploads only those not found on their record";

fn summarize(
    output: &Output,
    tally: &Tally,
    invalid: usize,
    stats: Stats,
    concurrency: usize,
    started: Instant,
    journal: &Path,
) -> Exit {
    let seconds = started.elapsed().as_secs_f64();
    let problems = tally.failed + tally.unknown.len() + invalid;
    let summary = Summary {
        summary: true,
        ok: problems == 0,
        uploaded: tally.uploaded,
        already_done: tally.already_done,
        found_on_record: tally.found_on_record,
        failed: tally.failed,
        unknown: tally.unknown.len(),
        invalid,
        bytes: tally.bytes,
        seconds: (seconds * 1000.0).round() / 1000.0,
        throttled: stats.throttled,
        concurrency,
        lowest_concurrency: stats.lowest,
        final_concurrency: stats.limit,
        journal: journal.display().to_string(),
        unknown_lines: tally.unknown.iter().map(|entry| entry.line).collect(),
        hint: (!tally.unknown.is_empty()).then_some(UNKNOWN_SUMMARY_HINT),
    };
    output.json_line(&summary);
    if !output.json && (!output.quiet || problems > 0) {
        let rate = if seconds > 0.0 {
            format!(", {}/s", HumanBytes((tally.bytes as f64 / seconds) as u64))
        } else {
            String::new()
        };
        output.stderr(&format!(
            "uploaded {} ({}) in {seconds:.1} s{rate}; already done {} ({} found on the record); failed {}; unknown {}; invalid {}",
            tally.uploaded,
            HumanBytes(tally.bytes),
            tally.already_done + tally.found_on_record,
            tally.found_on_record,
            tally.failed,
            tally.unknown.len(),
            invalid,
        ));
        if stats.throttled > 0 {
            output.stderr(&format!(
                "throttled {} time(s) (HTTP 429): concurrency {concurrency}, lowered to {} at most, {} at the end",
                stats.throttled, stats.lowest, stats.limit
            ));
        }
        if !tally.unknown.is_empty() {
            output.stderr(&format!(
                "{} upload(s) have an unknown result: {UNKNOWN_SUMMARY_HINT}",
                tally.unknown.len()
            ));
            for entry in &tally.unknown {
                output.stderr(&format!(
                    "  line {} ({}) -> {}/{}",
                    entry.line,
                    entry.path,
                    entry.module.api_name(),
                    entry.record_id
                ));
            }
        }
        output.stderr(&format!("journal: {}", journal.display()));
    }
    if problems == 0 {
        Exit::Success
    } else {
        Exit::Partial
    }
}
