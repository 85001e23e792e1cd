//! `upload-many`: every file a CSV manifest names, uploaded with bounded, adaptive
//! concurrency and a journal that makes re-runs safe.
//!
//! 1. The whole manifest is checked first; an invalid line means nothing is sent (exit 2)
//!    unless `--skip-invalid`, which skips and counts it. A line naming the same file for the
//!    same record as an earlier one is reported and left out, unless `--allow-duplicates`.
//! 2. The journal says what earlier runs did with each upload (see [`journal`] for how
//!    uploads are identified): one whose last record is `ok` is skipped; one whose result was
//!    `unknown` is left alone (reported) unless `--retry-unknown`; one left `started` by a
//!    killed or interrupted run, and an unknown one being retried, is first looked for on its
//!    record, so a file the server stored is not attached twice.
//!    With `--skip-existing`, every line to upload is first looked for in Zoho (see
//!    [`check_records`]): one already there is journaled as done and not uploaded.
//! 3. Uploads run with at most `--concurrency` in flight, halved on each burst of 429s and
//!    raised again after successes; each is journaled before it is sent and when it ends.
//! 4. On SIGINT or SIGTERM no further upload starts and those in flight are abandoned (left
//!    `started` in the journal, so the next run checks their records first); results that
//!    arrived are journaled whole; the summary follows and the exit code is 130 or 143.
//! 5. A summary follows (standard error, or a JSON line with `--json`).

mod check_records;
mod estimate;
mod fingerprint;
// The crate root re-exports their parsers for the fuzz targets and property tests.
pub(crate) mod journal;
mod key;
pub(crate) mod manifest;
mod plan;
mod report;
mod shared;
mod summary;
// `verify` reads the same manifests.
pub(crate) mod target;
mod upload;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use crate::account::Opening;
use crate::args::{Global, UploadManyArgs};
use crate::commands::client_or_exit;
use crate::connect::Env;
use crate::exit::Exit;
use crate::failure::Failure;
use crate::interrupt::Interrupt;
use crate::journal::{OpenError, Writer};
use crate::output::Output;
use crate::patience::Patience;
use crate::progress;
use crate::recheck::Recheck;
use crate::slots::Slots;

use self::check_records::{Lookups, check_records};
use self::estimate::Estimate;
use self::manifest::Entry;
use self::plan::Plan;
use self::report::{report_duplicate, report_invalid};
use self::shared::{Shared, Tally};
use self::summary::{Counts, summarize};
use self::upload::upload_all;

/// `--dry-run`: what a run would do with each line, from the checked manifest and the journal,
/// and what it would spend; nothing is sent and the journal is not touched.
fn dry_run(
    output: &Output,
    plan: &Plan,
    (invalid, duplicates): (usize, usize),
    estimate: &Estimate,
    skip_existing: bool,
) -> Exit {
    let describe = |entry: &Entry| {
        format!(
            "line {}: {} ({} bytes) to {} record {}{}",
            entry.line,
            entry.name,
            entry.size,
            entry.module.api_name(),
            entry.record_id,
            entry
                .target
                .label()
                .map(|label| format!(" as {label}"))
                .unwrap_or_default()
        )
    };
    let upload = if skip_existing {
        "would upload unless already in Zoho"
    } else {
        "would upload"
    };
    for entry in &plan.pending {
        output.text(format!("{upload}  {}", describe(entry)));
    }
    for check in &plan.to_check {
        output.text(format!(
            "would look for it on its record, and upload it if missing  {}",
            describe(&check.entry)
        ));
    }
    for entry in &plan.unknown {
        output.text(format!(
            "would leave alone (result unknown; --retry-unknown retries it)  {}",
            describe(entry)
        ));
    }
    let bytes: u64 = plan.pending.iter().map(|e| e.size).sum::<u64>()
        + plan.to_check.iter().map(|c| c.entry.size).sum::<u64>();
    output.note(format!(
        "dry run: {} to upload ({bytes} bytes), {} to look for first, {} already done, {} unknown left alone, {invalid} invalid, {duplicates} duplicate(s); nothing was sent",
        plan.pending.len(),
        plan.to_check.len(),
        plan.already_done,
        plan.unknown.len(),
    ));
    output.note(estimate.describe());
    output.json_line(&serde_json::json!({
        "summary": true,
        "dry_run": true,
        "ok": true,
        "would_upload": plan.pending.len(),
        "would_check": plan.to_check.len(),
        "already_done": plan.already_done,
        "unknown": plan.unknown.len(),
        "invalid": invalid,
        "duplicates": duplicates,
        "bytes": bytes,
        "estimate": estimate,
    }));
    Exit::Success
}

/// The journal's path unless `--journal` gives one: the manifest's path + `.journal`.
pub fn default_journal(manifest: &Path) -> PathBuf {
    let mut path = manifest.as_os_str().to_owned();
    path.push(".journal");
    PathBuf::from(path)
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
        Err(unusable) => return unusable.report(output, &args.manifest),
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
    let history =
        match crate::journal::load_or_report(output, &journal_path, journal::load, |history| {
            history.unreadable_lines
        }) {
            Ok(history) => history,
            Err(exit) => return exit,
        };
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
    let client = match client_or_exit(global, env, output, |builder| {
        builder.max_concurrency(concurrency)
    }) {
        Ok(client) => client,
        Err(exit) => return exit,
    };
    let lookups = Lookups {
        retry_unknown: args.retry_unknown,
        skip_existing: args.skip_existing,
        replace: args.replace,
    };
    if args.dry_run {
        let rtt = std::time::Duration::from_millis(args.assume_rtt);
        let estimate = Estimate::of(&plan, lookups, concurrency, rtt);
        let counts = (manifest.invalid.len(), duplicates.len());
        return dry_run(output, &plan, counts, &estimate, args.skip_existing);
    }
    let opening = Opening::of(&client);
    let writer = match Writer::open(&journal_path) {
        Ok(writer) => writer,
        Err(OpenError::Locked) => {
            let failure = Failure::invalid(format!(
                "another upload-many run is using the journal {}",
                journal_path.display()
            ))
            .with_resolution("wait for it to finish, or give this run another --journal");
            output.fail("the journal cannot be used", &failure);
            return Exit::BadInput;
        }
        Err(OpenError::Io(e)) => {
            let failure = Failure::invalid(format!(
                "cannot open the journal {}: {e}",
                journal_path.display()
            ));
            output.fail("the journal cannot be used", &failure);
            return Exit::BadInput;
        }
    };
    let Plan {
        pending,
        already_done,
        mut unknown,
        to_check,
    } = plan;
    if !pending.is_empty() || !to_check.is_empty() {
        // One token up front: a credential problem stops the run before anything is sent.
        if let Err(error) = client.token_provider().token().await {
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
        slots: Slots::new(concurrency),
        recheck: Recheck::new(global),
        interrupt: interrupt.clone(),
        tally: Mutex::new(Tally {
            already_done,
            ..Tally::default()
        }),
        stop: AtomicBool::new(false),
        finished: AtomicUsize::new(0),
        total: files,
        patience: Patience::new(std::time::Duration::from_secs(args.patience)),
    });
    let (mut pending, kept) = check_records(&shared, to_check, pending, &history, lookups).await;
    unknown.extend(kept);
    pending.sort_by_key(|entry| entry.line);
    upload_all(&shared, pending).await;
    shared.bar.finish_and_clear();
    let stats = shared.client.concurrency();
    let mut tally = std::mem::take(&mut *shared.tally());
    tally.unknown.extend(unknown);
    tally.unknown.sort_by_key(|entry| entry.line);
    tally.interrupted.sort_by_key(|entry| entry.line);
    let counts = Counts {
        invalid: manifest.invalid.len(),
        duplicates: duplicates.len(),
        patience: &shared.patience,
        account: opening.close(&shared.client),
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
    if exit.is_out_of_calls() {
        let mut resume = shared.recheck.upload_many(&args.manifest, &journal_path);
        // A resumed run looks in Zoho again for the lines this one could not look up.
        for (on, flag) in [
            (args.skip_existing, " --skip-existing"),
            (args.replace, " --replace"),
        ] {
            if on {
                resume.push_str(flag);
            }
        }
        output.stderr(&format!("resume later with: {resume}"));
    }
    match interrupt.received() {
        Some(signal) => Exit::Stopped(signal),
        None => exit,
    }
}
