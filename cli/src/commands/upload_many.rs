//! `upload-many`: every file a CSV manifest names, uploaded with bounded, adaptive
//! concurrency and a journal that makes re-runs safe.
//!
//! 1. The whole manifest is checked first; an invalid line means nothing is sent (exit 2)
//!    unless `--skip-invalid`, which skips and counts it. A line naming the same file for the
//!    same record as an earlier one is reported and left out, unless `--allow-duplicates`.
//! 2. The journal says what earlier runs did with each upload (see [`crate::journal`] for how
//!    uploads are identified): one whose last record is `ok` is skipped; one whose result was
//!    `unknown` is left alone (reported) unless `--retry-unknown`; one left `started` by a
//!    killed or interrupted run, and an unknown one being retried, is first looked for on its
//!    record, so a file the server stored is not attached twice.
//! 3. Uploads run with at most `--concurrency` in flight, halved on each burst of 429s and
//!    raised again after successes; each is journaled before it is sent and when it ends.
//! 4. On SIGINT or SIGTERM no further upload starts and those in flight are abandoned (left
//!    `started` in the journal, so the next run checks their records first); results that
//!    arrived are journaled whole; the summary follows and the exit code is 130 or 143.
//! 5. A summary follows (standard error, or a JSON line with `--json`).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use indicatif::{HumanBytes, ProgressBar};
use serde::Serialize;
use zoho_crm::operations::UploadAttachmentRequest;
use zoho_crm::{Client, FileSource};

use super::client_or_exit;
use super::upload::{print_failure, verdict, warn_unverified};
use crate::args::{Global, UploadManyArgs};
use crate::connect::Env;
use crate::exit::Exit;
use crate::failure::{Failure, Kind};
use crate::interrupt::{Interrupt, Signal};
use crate::journal::{self, History, Record, Status, Writer};
use crate::manifest::{self, Duplicate, Entry, Invalid};
use crate::output::Output;
use crate::progress::{self, Tracker};
use crate::recheck::Recheck;
use crate::reconcile::{self, Candidate};
use crate::stored::stored;
use crate::throttle::{AdaptiveLimit, Permit, Stats};

/// The journal's path unless `--journal` gives one: the manifest's path + `.journal`.
pub fn default_journal(manifest: &Path) -> PathBuf {
    let mut path = manifest.as_os_str().to_owned();
    path.push(".journal");
    PathBuf::from(path)
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
    /// For a duplicate: the line it repeats.
    #[serde(skip_serializing_if = "Option::is_none")]
    duplicate_of: Option<u64>,
    /// For an upload that may have been stored: the command that shows whether it was.
    #[serde(skip_serializing_if = "Option::is_none")]
    check: Option<&'a str>,
    #[serde(flatten)]
    failure: Option<&'a Failure>,
}

impl<'a> ItemLine<'a> {
    fn of(entry: &'a Entry, status: &'static str) -> Self {
        ItemLine {
            ok: matches!(
                status,
                "ok" | "stored-unverified" | "found_on_record" | "duplicate"
            ),
            status,
            line: entry.line,
            path: &entry.path,
            file: Some(&entry.name),
            module: Some(entry.module.api_name()),
            record_id: Some(&entry.record_id),
            id: None,
            bytes: None,
            duplicate_of: None,
            check: None,
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
    /// In flight when a signal came: abandoned, left `started` in the journal.
    interrupted: Vec<Entry>,
    /// Not started because a signal came.
    not_started: usize,
    bytes: u64,
}

/// What the upload tasks share.
struct Shared {
    client: Client,
    writer: Writer,
    output: Output,
    bar: ProgressBar,
    limit: Arc<AdaptiveLimit>,
    recheck: Recheck,
    interrupt: Interrupt,
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

/// Runs `upload-many`; a signal stops it cleanly (see the module's documentation).
pub async fn run(
    global: &Global,
    env: &Env,
    output: &Output,
    args: UploadManyArgs,
    interrupt: &Interrupt,
) -> Exit {
    let started = Instant::now();
    let loaded = tokio::select! {
        biased;
        loaded = manifest::load(&args.manifest, args.allow_outside) => loaded,
        signal = interrupt.first() => {
            output.stderr(&format!(
                "error: interrupted ({}) while checking the manifest; nothing was sent",
                signal.name()
            ));
            return Exit::Stopped(signal);
        }
    };
    let manifest = match loaded {
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
    if history.legacy_records > 0 {
        output.note(format!(
            "note: the journal {} has {} record(s) of an earlier version; they are matched by module, record id and path (whatever their line number), and new records identify each file by its content",
            journal_path.display(),
            history.legacy_records
        ));
    }
    let (entries, duplicates) = manifest::number_copies(manifest.entries, args.allow_duplicates);
    for duplicate in &duplicates {
        report_duplicate(output, duplicate);
    }
    let plan = Plan::new(entries, &history, args.retry_unknown);
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
        recheck: Recheck::new(global),
        interrupt: interrupt.clone(),
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
    tally.interrupted.sort_by_key(|entry| entry.line);
    let counts = Counts {
        invalid: manifest.invalid.len(),
        duplicates: duplicates.len(),
    };
    let exit = summarize(
        output,
        &shared.recheck,
        &tally,
        counts,
        stats,
        concurrency,
        started,
        &journal_path,
    );
    match interrupt.received() {
        Some(signal) => Exit::Stopped(signal),
        None => exit,
    }
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
            match history.last(&entry) {
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
/// (unless `--retry-unknown`). A signal while listing leaves them all as they were.
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
    let recheck = &shared.recheck;
    let finding = reconcile::find(&shared.client, &candidates, &history.attached_ids);
    let found = tokio::select! {
        biased;
        _ = shared.interrupt.first() => {
            // Left as they were in the journal, for the next run.
            shared.tally().not_started += checks.len();
            return (Vec::new(), Vec::new());
        }
        found = finding => found,
    };
    let mut retry = Vec::new();
    let mut kept = Vec::new();
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

/// Uploads `pending` with the adaptive limit, until a signal comes.
async fn upload_all(shared: &Arc<Shared>, pending: Vec<Entry>) {
    let mut tasks = tokio::task::JoinSet::new();
    let mut pending = pending.into_iter();
    while let Some(entry) = pending.next() {
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
            permit = shared.limit.acquire() => permit,
        };
        while tasks.try_join_next().is_some() {}
        tasks.spawn(upload_one(Arc::clone(shared), entry, permit));
    }
    while tasks.join_next().await.is_some() {}
}

/// Uploads one line: journaled as `started` before it is sent, then with its result. A signal
/// abandons it while in flight, leaving it `started`; a result that arrived is journaled.
async fn upload_one(shared: Arc<Shared>, entry: Entry, permit: Permit) {
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
            shared.limit.succeeded();
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
    let check = failure.is_unknown().then(|| {
        shared
            .recheck
            .list(entry.module.api_name(), &entry.record_id)
    });
    let what = format!("line {} ({})", entry.line, entry.path);
    print_failure(output, &what, failure, check.as_deref());
    if check.is_some() {
        output.stderr(
            "  or re-run with --retry-unknown, which uploads it only if it is not on the record",
        );
    }
    output.json_line(&ItemLine {
        check: check.as_deref(),
        failure: Some(failure),
        ..ItemLine::of(entry, verdict(failure).1)
    });
}

/// An upload abandoned in flight by a signal: the body may have reached the server.
fn report_interrupted(shared: &Shared, entry: &Entry, signal: Signal) {
    let check = shared
        .recheck
        .list(entry.module.api_name(), &entry.record_id);
    shared.output.stderr(&format!(
        "error: line {} ({}): may have been stored: {} stopped it in flight; the next run checks the record before sending it again (or check with: {check})",
        entry.line,
        entry.path,
        signal.name()
    ));
    shared.output.json_line(&ItemLine {
        check: Some(&check),
        ..ItemLine::of(entry, "interrupted")
    });
}

fn report_duplicate(output: &Output, duplicate: &Duplicate) {
    let entry = &duplicate.entry;
    output.stderr(&format!(
        "duplicate: line {} ({}): the same file for the same record as line {}, uploaded once (pass --allow-duplicates to upload it again)",
        entry.line, entry.path, duplicate.first_line
    ));
    output.json_line(&ItemLine {
        duplicate_of: Some(duplicate.first_line),
        ..ItemLine::of(entry, "duplicate")
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
        duplicate_of: None,
        check: None,
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
    duplicates: usize,
    interrupted: usize,
    not_started: usize,
    bytes: u64,
    seconds: f64,
    throttled: u64,
    concurrency: usize,
    lowest_concurrency: usize,
    final_concurrency: usize,
    journal: String,
    unknown_lines: Vec<u64>,
    /// For each upload that may have been stored, the command that checks its record.
    checks: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    hint: Option<&'a str>,
}

/// Lines left out before uploading.
#[derive(Clone, Copy, Debug)]
struct Counts {
    invalid: usize,
    duplicates: usize,
}

const UNKNOWN_SUMMARY_HINT: &str = "check the records with the commands given, or re-run with --retry-unknown, which uploads only those not found on their record";

#[allow(clippy::too_many_arguments)]
fn summarize(
    output: &Output,
    recheck: &Recheck,
    tally: &Tally,
    counts: Counts,
    stats: Stats,
    concurrency: usize,
    started: Instant,
    journal: &Path,
) -> Exit {
    let seconds = started.elapsed().as_secs_f64();
    let problems = tally.failed + tally.unknown.len() + counts.invalid;
    let check_of = |entry: &Entry| recheck.list(entry.module.api_name(), &entry.record_id);
    let mut checks: Vec<String> = tally.unknown.iter().map(check_of).collect();
    checks.dedup();
    let summary = Summary {
        summary: true,
        ok: problems == 0 && tally.interrupted.is_empty() && tally.not_started == 0,
        uploaded: tally.uploaded,
        already_done: tally.already_done,
        found_on_record: tally.found_on_record,
        failed: tally.failed,
        unknown: tally.unknown.len(),
        invalid: counts.invalid,
        duplicates: counts.duplicates,
        interrupted: tally.interrupted.len(),
        not_started: tally.not_started,
        bytes: tally.bytes,
        seconds: (seconds * 1000.0).round() / 1000.0,
        throttled: stats.throttled,
        concurrency,
        lowest_concurrency: stats.lowest,
        final_concurrency: stats.limit,
        journal: journal.display().to_string(),
        unknown_lines: tally.unknown.iter().map(|entry| entry.line).collect(),
        checks,
        hint: (!tally.unknown.is_empty()).then_some(UNKNOWN_SUMMARY_HINT),
    };
    output.json_line(&summary);
    if !output.json && (!output.quiet || !summary.ok) {
        let rate = if seconds > 0.0 {
            format!(", {}/s", HumanBytes((tally.bytes as f64 / seconds) as u64))
        } else {
            String::new()
        };
        output.stderr(&format!(
            "uploaded {} ({}) in {seconds:.1} s{rate}; already done {} ({} found on the record); failed {}; may have been stored {}; invalid {}; duplicates {}",
            tally.uploaded,
            HumanBytes(tally.bytes),
            tally.already_done + tally.found_on_record,
            tally.found_on_record,
            tally.failed,
            tally.unknown.len(),
            counts.invalid,
            counts.duplicates,
        ));
        if !tally.interrupted.is_empty() || tally.not_started > 0 {
            output.stderr(&format!(
                "stopped by a signal: {} in flight abandoned (the next run checks their records first), {} not started; run the same command again to finish",
                tally.interrupted.len(),
                tally.not_started
            ));
        }
        if stats.throttled > 0 {
            output.stderr(&format!(
                "throttled {} time(s) (HTTP 429): concurrency {concurrency}, lowered to {} at most, {} at the end",
                stats.throttled, stats.lowest, stats.limit
            ));
        }
        if !tally.unknown.is_empty() {
            output.stderr(&format!(
                "{} upload(s) may have been stored: {UNKNOWN_SUMMARY_HINT}",
                tally.unknown.len()
            ));
            for entry in &tally.unknown {
                output.stderr(&format!(
                    "  line {} ({}): {}",
                    entry.line,
                    entry.path,
                    check_of(entry)
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
