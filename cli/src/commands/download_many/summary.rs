//! The summary of a run: its JSON line, the text on standard error and the exit code. The
//! top-level counts of files add up every kind; each kind exported also has its own counts and
//! the calls it cost; notes say what was left out on purpose (photos of modules without
//! photos, file fields when none was named).

use std::path::Path;
use std::time::Instant;

use indicatif::HumanBytes;
use serde::Serialize;

use crate::account::Account;
use crate::exit::Exit;
use crate::output::Output;
use crate::patience::{Patience, Refusals};
use zoho_crm::ConcurrencyStats;

use super::estimate::Estimate;
use super::selection::Selection;
use super::shared::{KindTally, Tally};

/// The counts of one kind in JSON.
#[derive(Serialize)]
struct KindSummary {
    files: usize,
    bytes: u64,
    already_done: usize,
    /// Found on disk under their names with the listing's size, not written by the journal:
    /// kept, not downloaded.
    kept_existing: usize,
    downloaded_again: usize,
    failed: usize,
    /// Calls sent for this kind: listing pages, record reads and downloads.
    calls: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    would_download: Option<usize>,
    /// Photos only: records without a photo.
    #[serde(skip_serializing_if = "Option::is_none")]
    no_photo: Option<usize>,
    /// Photos in a dry run: records whose photo would be asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    would_check: Option<usize>,
}

impl KindSummary {
    fn new(kind: &KindTally, dry_run: bool) -> Self {
        KindSummary {
            files: kind.files,
            bytes: kind.bytes,
            already_done: kind.already_done,
            kept_existing: kind.kept_existing,
            downloaded_again: kind.downloaded_again,
            failed: kind.failed,
            calls: kind.calls,
            would_download: dry_run.then_some(kind.would_download),
            no_photo: None,
            would_check: None,
        }
    }

    /// A line of text: `label: ...`.
    fn text(&self, label: &str) -> String {
        let mut text = format!(
            "{label}: downloaded {} ({}), already done {}, kept as found {}, failed {}",
            self.files,
            HumanBytes(self.bytes),
            self.already_done,
            self.kept_existing,
            self.failed
        );
        if let Some(none) = self.no_photo {
            text.push_str(&format!(", without a photo {none}"));
        }
        if let Some(would) = self.would_download {
            text.push_str(&format!(", would download {would}"));
        }
        if let Some(check) = self.would_check {
            text.push_str(&format!(", would ask for {check} photo(s)"));
        }
        text.push_str(&format!(", {} call(s)", self.calls));
        text
    }
}

/// What was left out on purpose, one note each.
fn notes(tally: &Tally, selection: &Selection) -> Vec<String> {
    let mut notes = Vec::new();
    if !tally.photo_unsupported.is_empty() {
        let modules: Vec<String> = tally
            .photo_unsupported
            .iter()
            .map(|(module, records)| format!("{module} ({records} record(s))"))
            .collect();
        notes.push(format!(
            "photos are not supported for module(s) {}: no photo was asked for",
            modules.join(", ")
        ));
    }
    if selection.fields_unnamed() {
        notes.push(
            "file fields were not exported: none was named (Zoho's field metadata is not read); name them with --field API_NAME or --fields A,B"
                .to_owned(),
        );
    }
    notes
}

/// The run's summary line in JSON.
#[derive(Serialize)]
struct Summary<'a> {
    summary: bool,
    ok: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    dry_run: bool,
    records: usize,
    records_failed: usize,
    /// Files of every kind.
    files: usize,
    bytes: u64,
    links: usize,
    already_done: usize,
    links_already_done: usize,
    /// Files found on disk under their names with the listing's size, that the journal did
    /// not write: kept, not downloaded.
    kept_existing: usize,
    downloaded_again: usize,
    /// Left out by `--since`.
    older: usize,
    /// Left out by the filters.
    filtered_out: usize,
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
    /// Calls of every kind.
    calls: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    attachments: Option<KindSummary>,
    #[serde(skip_serializing_if = "Option::is_none")]
    photos: Option<KindSummary>,
    #[serde(skip_serializing_if = "Option::is_none")]
    field_files: Option<KindSummary>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    notes: Vec<String>,
    seconds: f64,
    throttled: u64,
    concurrency: usize,
    lowest_concurrency: usize,
    final_concurrency: usize,
    output: &'a str,
    journal: &'a str,
    /// The budget of credits, when it stopped the run.
    #[serde(skip_serializing_if = "Option::is_none")]
    budget_spent: Option<u64>,
    /// What stopped the run, and which of Zoho's limits refused its calls.
    #[serde(flatten)]
    refusals: Refusals,
    /// What the run spent.
    account: Account,
    /// A dry run's estimate of the run.
    #[serde(skip_serializing_if = "Option::is_none")]
    estimate: Option<Estimate>,
}

/// What was left out of the manifest before anything was sent, what stopped the run early
/// and what it spent.
#[derive(Clone, Copy, Debug)]
pub(super) struct Lines<'a> {
    pub(super) invalid: usize,
    pub(super) duplicates: usize,
    pub(super) patience: &'a Patience,
    pub(super) account: Account,
    /// A dry run's estimate of the run.
    pub(super) estimate: Option<Estimate>,
}

/// Prints the summary and gives the exit code: the stop's when the run stopped (4 its own
/// budget of credits, 5 Zoho's credits, 6 Zoho's concurrency cap), 3 when something failed,
/// else 0.
#[allow(clippy::too_many_arguments)]
pub(super) fn summarize(
    output: &Output,
    tally: &Tally,
    lines: Lines<'_>,
    stats: ConcurrencyStats,
    concurrency: usize,
    started: Instant,
    (dir, journal): (&Path, &Path),
    selection: &Selection,
    dry_run: bool,
) -> Exit {
    let seconds = started.elapsed().as_secs_f64();
    let total = tally.total();
    let problems = tally.records_failed + total.failed + lines.invalid;
    let mut photos = KindSummary::new(&tally.photos, dry_run);
    photos.no_photo = Some(tally.no_photo);
    photos.would_check = dry_run.then_some(tally.photos_to_check);
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
        files: total.files,
        bytes: total.bytes,
        links: tally.links,
        already_done: total.already_done,
        links_already_done: tally.links_already_done,
        kept_existing: total.kept_existing,
        downloaded_again: total.downloaded_again,
        older: tally.older,
        filtered_out: tally.filtered_out,
        failed: total.failed,
        invalid: lines.invalid,
        duplicates: lines.duplicates,
        interrupted: tally.interrupted,
        not_started: tally.not_started,
        held_back: tally.held_back,
        stale_removed: tally.stale_removed,
        would_download: dry_run.then_some(total.would_download),
        would_download_bytes: dry_run.then_some(total.would_download_bytes),
        calls: total.calls,
        attachments: selection
            .attachments
            .then(|| KindSummary::new(&tally.attachments, dry_run)),
        photos: selection.photo.then_some(photos),
        field_files: selection
            .fields_included
            .then(|| KindSummary::new(&tally.field_files, dry_run)),
        notes: notes(tally, selection),
        seconds: (seconds * 1000.0).round() / 1000.0,
        throttled: stats.throttled,
        concurrency,
        lowest_concurrency: stats.lowest,
        final_concurrency: stats.limit,
        output: &dir_text,
        journal: &journal_text,
        budget_spent: lines.patience.spent_budget(),
        refusals: lines.patience.refusals(),
        account: lines.account,
        estimate: lines.estimate,
    };
    output.json_line(&summary);
    if !output.json && (!output.quiet || !summary.ok) {
        if dry_run {
            output.stderr(&format!(
                "dry run: {} record(s) listed, {} failed; would download {} file(s) ({}); already done {}; left out by --since {}; nothing was downloaded or written",
                tally.records,
                tally.records_failed,
                total.would_download,
                HumanBytes(total.would_download_bytes),
                total.already_done,
                tally.older
            ));
        } else {
            let rate = if seconds > 0.0 {
                format!(", {}/s", HumanBytes((total.bytes as f64 / seconds) as u64))
            } else {
                String::new()
            };
            output.stderr(&format!(
                "records {} ({} failed); downloaded {} file(s) ({}) in {seconds:.1} s{rate}, {} of them again; links {} new ({} already in links.csv); already done {}; kept as found on disk {}; left out by --since {}; failed {}; invalid lines {}; duplicate lines {}",
                tally.records,
                tally.records_failed,
                total.files,
                HumanBytes(total.bytes),
                total.downloaded_again,
                tally.links,
                tally.links_already_done,
                total.already_done,
                total.kept_existing,
                tally.older,
                total.failed,
                lines.invalid,
                lines.duplicates,
            ));
        }
        // Only attachments: the summary is as it was before photos and fields.
        let only_attachments =
            selection.attachments && !selection.photo && !selection.fields_included;
        if !only_attachments {
            let kinds = [
                (summary.attachments.as_ref(), "attachments"),
                (summary.photos.as_ref(), "photos"),
                (summary.field_files.as_ref(), "field files"),
            ];
            for (kind, label) in kinds {
                if let Some(kind) = kind {
                    output.stderr(&kind.text(label));
                }
            }
        }
        if tally.filtered_out > 0 {
            output.stderr(&format!(
                "filtered out {} file(s) or link(s) (not journaled: a run without the filters exports them)",
                tally.filtered_out
            ));
        }
        for note in &summary.notes {
            output.stderr(&format!("note: {note}"));
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
        if let Some(note) =
            lines
                .patience
                .stop_note(tally.held_back, total.failed, "record(s) or file(s)")
        {
            output.stderr(&note);
        }
        if let Some(note) = lines.patience.refusals_note() {
            output.stderr(&note);
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
        if let Some(estimate) = &lines.estimate {
            output.stderr(&estimate.describe());
        }
        output.stderr(&lines.account.describe());
    }
    lines.patience.exit(problems)
}
