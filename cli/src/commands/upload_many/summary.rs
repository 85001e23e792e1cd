//! The summary of a run: its JSON line, the text on standard error and the exit code.

use std::path::Path;
use std::time::Instant;

use indicatif::HumanBytes;
use serde::Serialize;

use crate::account::Account;
use crate::exit::Exit;
use crate::output::Output;
use crate::patience::{Patience, Refusals};
use crate::recheck::Recheck;
use zoho_crm::ConcurrencyStats;

use super::manifest::Entry;
use super::shared::Tally;

/// The run's summary line in JSON.
#[derive(Serialize)]
struct Summary<'a> {
    summary: bool,
    ok: bool,
    uploaded: usize,
    already_done: usize,
    found_on_record: usize,
    /// Found in Zoho by `--skip-existing`, not uploaded.
    already_in_zoho: usize,
    failed: usize,
    unknown: usize,
    invalid: usize,
    duplicates: usize,
    interrupted: usize,
    not_started: usize,
    /// Not started because Zoho refused every call for longer than the patience, or because
    /// the budget of credits was spent.
    held_back: usize,
    /// The budget of credits, when it stopped the run.
    #[serde(skip_serializing_if = "Option::is_none")]
    budget_spent: Option<u64>,
    /// What stopped the run, and which of Zoho's limits refused its calls.
    #[serde(flatten)]
    refusals: Refusals,
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
    /// What the run spent.
    account: Account,
}

/// Lines left out before uploading, what stopped the run early and what it spent.
#[derive(Clone, Copy, Debug)]
pub(super) struct Counts<'a> {
    pub(super) invalid: usize,
    pub(super) duplicates: usize,
    pub(super) patience: &'a Patience,
    pub(super) account: Account,
}

const UNKNOWN_SUMMARY_HINT: &str = "check the records with the commands given, or re-run with --retry-unknown, which uploads only those not found on their record";

#[allow(clippy::too_many_arguments)]
pub(super) fn summarize(
    output: &Output,
    recheck: &Recheck,
    tally: &Tally,
    counts: Counts<'_>,
    stats: ConcurrencyStats,
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
        ok: problems == 0
            && tally.interrupted.is_empty()
            && tally.not_started == 0
            && tally.held_back == 0,
        uploaded: tally.uploaded,
        already_done: tally.already_done,
        found_on_record: tally.found_on_record,
        already_in_zoho: tally.already_in_zoho,
        failed: tally.failed,
        unknown: tally.unknown.len(),
        invalid: counts.invalid,
        duplicates: counts.duplicates,
        interrupted: tally.interrupted.len(),
        not_started: tally.not_started,
        held_back: tally.held_back,
        budget_spent: counts.patience.spent_budget(),
        refusals: counts.patience.refusals(),
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
        account: counts.account,
    };
    output.json_line(&summary);
    if !output.json && (!output.quiet || !summary.ok) {
        let rate = if seconds > 0.0 {
            format!(", {}/s", HumanBytes((tally.bytes as f64 / seconds) as u64))
        } else {
            String::new()
        };
        output.stderr(&format!(
            "uploaded {} ({}) in {seconds:.1} s{rate}; already done {} ({} found on the record); already in Zoho {}; failed {}; may have been stored {}; invalid {}; duplicates {}",
            tally.uploaded,
            HumanBytes(tally.bytes),
            tally.already_done + tally.found_on_record,
            tally.found_on_record,
            tally.already_in_zoho,
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
        if let Some(note) = counts
            .patience
            .stop_note(tally.held_back, tally.failed, "file(s)")
        {
            output.stderr(&note);
        }
        if let Some(note) = counts.patience.refusals_note() {
            output.stderr(&note);
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
        output.stderr(&counts.account.describe());
    }
    counts.patience.exit(problems)
}
