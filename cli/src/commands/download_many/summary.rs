//! The summary of a run: its JSON line, the text on standard error and the exit code.

use std::path::Path;
use std::time::Instant;

use indicatif::HumanBytes;
use serde::Serialize;

use crate::exit::Exit;
use crate::output::Output;
use zoho_crm::ConcurrencyStats;

use super::shared::Tally;

/// The run's summary line in JSON.
#[derive(Serialize)]
struct Summary<'a> {
    summary: bool,
    ok: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    dry_run: bool,
    records: usize,
    records_failed: usize,
    files: usize,
    bytes: u64,
    links: usize,
    already_done: usize,
    links_already_done: usize,
    downloaded_again: usize,
    /// Left out by `--since`.
    older: usize,
    failed: usize,
    invalid: usize,
    duplicates: usize,
    interrupted: usize,
    not_started: usize,
    held_back: usize,
    stale_removed: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    would_download: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    would_download_bytes: Option<u64>,
    seconds: f64,
    throttled: u64,
    concurrency: usize,
    lowest_concurrency: usize,
    final_concurrency: usize,
    output: &'a str,
    journal: &'a str,
}

/// What was left out of the manifest before anything was sent.
#[derive(Clone, Copy, Debug)]
pub(super) struct Lines {
    pub(super) invalid: usize,
    pub(super) duplicates: usize,
}

/// Prints the summary and gives the exit code: 4 when Zoho refused every call for longer
/// than the patience, 3 when something failed, else 0.
#[allow(clippy::too_many_arguments)]
pub(super) fn summarize(
    output: &Output,
    tally: &Tally,
    lines: Lines,
    stats: ConcurrencyStats,
    concurrency: usize,
    started: Instant,
    (dir, journal): (&Path, &Path),
    dry_run: bool,
) -> Exit {
    let seconds = started.elapsed().as_secs_f64();
    let problems = tally.records_failed + tally.failed + lines.invalid;
    let (dir_text, journal_text) = (dir.display().to_string(), journal.display().to_string());
    let summary = Summary {
        summary: true,
        ok: problems == 0
            && tally.interrupted == 0
            && tally.not_started == 0
            && tally.held_back == 0,
        dry_run,
        records: tally.records,
        records_failed: tally.records_failed,
        files: tally.files,
        bytes: tally.bytes,
        links: tally.links,
        already_done: tally.already_done,
        links_already_done: tally.links_already_done,
        downloaded_again: tally.downloaded_again,
        older: tally.older,
        failed: tally.failed,
        invalid: lines.invalid,
        duplicates: lines.duplicates,
        interrupted: tally.interrupted,
        not_started: tally.not_started,
        held_back: tally.held_back,
        stale_removed: tally.stale_removed,
        would_download: dry_run.then_some(tally.would_download),
        would_download_bytes: dry_run.then_some(tally.would_download_bytes),
        seconds: (seconds * 1000.0).round() / 1000.0,
        throttled: stats.throttled,
        concurrency,
        lowest_concurrency: stats.lowest,
        final_concurrency: stats.limit,
        output: &dir_text,
        journal: &journal_text,
    };
    output.json_line(&summary);
    if !output.json && (!output.quiet || !summary.ok) {
        if dry_run {
            output.stderr(&format!(
                "dry run: {} record(s) listed, {} failed; would download {} file(s) ({}); already done {}; left out by --since {}; nothing was downloaded or written",
                tally.records,
                tally.records_failed,
                tally.would_download,
                HumanBytes(tally.would_download_bytes),
                tally.already_done,
                tally.older
            ));
        } else {
            let rate = if seconds > 0.0 {
                format!(", {}/s", HumanBytes((tally.bytes as f64 / seconds) as u64))
            } else {
                String::new()
            };
            output.stderr(&format!(
                "records {} ({} failed); downloaded {} file(s) ({}) in {seconds:.1} s{rate}, {} of them again; links {} new ({} already in links.csv); already done {}; left out by --since {}; failed {}; invalid lines {}; duplicate lines {}",
                tally.records,
                tally.records_failed,
                tally.files,
                HumanBytes(tally.bytes),
                tally.downloaded_again,
                tally.links,
                tally.links_already_done,
                tally.already_done,
                tally.older,
                tally.failed,
                lines.invalid,
                lines.duplicates,
            ));
        }
        if tally.stale_removed > 0 {
            output.stderr(&format!(
                "removed {} temporary file(s) left by downloads an earlier run did not finish",
                tally.stale_removed
            ));
        }
        if tally.interrupted > 0 || tally.not_started > 0 {
            output.stderr(&format!(
                "stopped: {} download(s) in flight abandoned (nothing partial is left), {} record(s) or file(s) not started; run the same command again to finish",
                tally.interrupted, tally.not_started
            ));
        }
        if tally.held_back > 0 {
            output.stderr(&format!(
                "out of calls: {} record(s) or file(s) not started; Zoho refused every call for longer than --patience. The journal is consistent: run the same command later (when the day's API credits renew) to get the rest",
                tally.held_back
            ));
        }
        if stats.throttled > 0 {
            output.stderr(&format!(
                "throttled {} time(s) (HTTP 429): concurrency {concurrency}, lowered to {} at most, {} at the end",
                stats.throttled, stats.lowest, stats.limit
            ));
        }
        if !dry_run {
            output.stderr(&format!("saved in: {dir_text}; journal: {journal_text}"));
        }
    }
    if tally.held_back > 0 {
        Exit::OutOfCalls
    } else if problems == 0 {
        Exit::Success
    } else {
        Exit::Partial
    }
}
