//! What the listing and download tasks of a run share (client, journal writer, links file,
//! progress bar, adaptive limit, patience, the journal's history, what to export) and the
//! tally of what they did, by kind of item.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use chrono::{DateTime, FixedOffset};
use indicatif::ProgressBar;
use zoho_crm::Client;

use crate::failure::Failure;
use crate::interrupt::Interrupt;
use crate::journal::Writer;
use crate::output::Output;
use crate::patience::Patience;
use crate::slots::Slots;

use super::filters::Filters;
use super::index::IndexFile;
use super::journal::{History, ItemKind};
use super::links::LinksFile;
use super::name_template::NameTemplate;
use super::selection::Selection;

/// The counts of one kind of item (attachments, photos or field files).
#[derive(Clone, Debug, Default)]
pub(super) struct KindTally {
    /// Files saved by this run.
    pub(super) files: usize,
    /// Of those, files the journal said were saved but were missing or of another size.
    pub(super) downloaded_again: usize,
    /// Bytes saved by this run.
    pub(super) bytes: u64,
    /// Files already saved by an earlier run.
    pub(super) already_done: usize,
    /// Files found in their folder under the name they would take, of the listing's size,
    /// that no journal line wrote: kept, not downloaded.
    pub(super) kept_existing: usize,
    /// Files that failed.
    pub(super) failed: usize,
    /// Calls sent: one per listing page, record read and download.
    pub(super) calls: u64,
    /// `--dry-run`: files that would be downloaded, and their listed bytes.
    pub(super) would_download: usize,
    pub(super) would_download_bytes: u64,
}

/// The counts of a run.
#[derive(Debug, Default)]
pub(super) struct Tally {
    /// Records worked on whose listing and record read went through.
    pub(super) records: usize,
    /// Records whose listing or record read failed.
    pub(super) records_failed: usize,
    /// Attachments.
    pub(super) attachments: KindTally,
    /// Photos.
    pub(super) photos: KindTally,
    /// Records without a photo (Zoho answered 204).
    pub(super) no_photo: usize,
    /// `--dry-run`: photos that would be asked for (whether the records have one is not known).
    pub(super) photos_to_check: usize,
    /// Records of modules that have no photos, by module: their photos were not asked for.
    pub(super) photo_unsupported: BTreeMap<String, usize>,
    /// Files of file-upload fields.
    pub(super) field_files: KindTally,
    /// Links written to links.csv by this run.
    pub(super) links: usize,
    /// Links already in links.csv.
    pub(super) links_already_done: usize,
    /// Attachments left out by `--since`.
    pub(super) older: usize,
    /// Files and links left out by the filters (`--include-name`, `--exclude-name`,
    /// `--min-size`, `--max-size`, `--type`).
    pub(super) filtered_out: usize,
    /// Temporary files of stopped downloads removed.
    pub(super) stale_removed: usize,
    /// Downloads abandoned in flight by a signal.
    pub(super) interrupted: usize,
    /// Records and files not started because a signal came.
    pub(super) not_started: usize,
    /// Records and files not started because Zoho refused every call for too long or the
    /// budget of credits was spent.
    pub(super) held_back: usize,
}

impl Tally {
    /// The counts of `kind`.
    pub(super) fn of(&mut self, kind: ItemKind) -> &mut KindTally {
        match kind {
            ItemKind::Attachment => &mut self.attachments,
            ItemKind::Photo => &mut self.photos,
            ItemKind::FieldFile => &mut self.field_files,
        }
    }

    /// The counts of every kind added up.
    pub(super) fn total(&self) -> KindTally {
        let kinds = [&self.attachments, &self.photos, &self.field_files];
        KindTally {
            files: kinds.iter().map(|k| k.files).sum(),
            downloaded_again: kinds.iter().map(|k| k.downloaded_again).sum(),
            bytes: kinds.iter().map(|k| k.bytes).sum(),
            already_done: kinds.iter().map(|k| k.already_done).sum(),
            kept_existing: kinds.iter().map(|k| k.kept_existing).sum(),
            failed: kinds.iter().map(|k| k.failed).sum(),
            calls: kinds.iter().map(|k| k.calls).sum(),
            would_download: kinds.iter().map(|k| k.would_download).sum(),
            would_download_bytes: kinds.iter().map(|k| k.would_download_bytes).sum(),
        }
    }
}

/// What the tasks share.
pub(super) struct Shared {
    pub(super) client: Client,
    /// `None` in a dry run, which writes nothing.
    pub(super) writer: Option<Writer>,
    /// `None` in a dry run.
    pub(super) links: Option<LinksFile>,
    /// `None` in a dry run.
    pub(super) index: Option<IndexFile>,
    pub(super) output: Output,
    pub(super) bar: ProgressBar,
    /// The records and files under way (the calls in flight are the client's adaptive limit).
    pub(super) slots: Slots,
    pub(super) patience: Patience,
    pub(super) interrupt: Interrupt,
    pub(super) history: History,
    pub(super) since: Option<DateTime<FixedOffset>>,
    /// What to export of each record.
    pub(super) selection: Selection,
    /// Which files and links to export.
    pub(super) filters: Filters,
    /// `--name-template`: the name a new file takes.
    pub(super) name_template: NameTemplate,
    /// `--output`.
    pub(super) dir: PathBuf,
    pub(super) tally: Mutex<Tally>,
    /// Set when the journal cannot be written: nothing more starts.
    pub(super) stop: AtomicBool,
    /// Files found to download so far, and those finished.
    pub(super) files_total: AtomicUsize,
    pub(super) files_finished: AtomicUsize,
}

impl Shared {
    pub(super) fn tally(&self) -> MutexGuard<'_, Tally> {
        self.tally.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The directory of a record's files.
    pub(super) fn record_dir(&self, module: &str, record_id: &str) -> PathBuf {
        self.dir.join(module).join(record_id)
    }

    /// Whether new work may start: no signal, the journal writable, calls not refused for too
    /// long.
    pub(super) fn may_start(&self) -> bool {
        self.interrupt.received().is_none()
            && !self.stop.load(Ordering::Relaxed)
            && !self.patience.exhausted()
    }

    /// Counts work that will not start (the reason is what stopped the run).
    pub(super) fn not_starting(&self, count: usize) {
        let mut tally = self.tally();
        if self.interrupt.received().is_some() || self.stop.load(Ordering::Relaxed) {
            tally.not_started += count;
        } else {
            tally.held_back += count;
        }
    }

    /// Adds files found to download to the progress bar.
    pub(super) fn add_files(&self, count: usize, bytes: u64) {
        let total = self.files_total.fetch_add(count, Ordering::Relaxed) + count;
        self.bar.inc_length(bytes);
        self.bar.set_message(format!(
            "{}/{total} files",
            self.files_finished.load(Ordering::Relaxed)
        ));
    }

    /// Counts a file finished (saved, failed or abandoned) on the progress bar.
    pub(super) fn file_finished(&self) {
        let finished = self.files_finished.fetch_add(1, Ordering::Relaxed) + 1;
        self.bar.set_message(format!(
            "{finished}/{} files",
            self.files_total.load(Ordering::Relaxed)
        ));
    }

    /// A call failed: when Zoho refused it with 429 (after the client's own retries) and that
    /// stops the run (a code documented as a spent quota, or refusals for longer than the
    /// patience), nothing more starts.
    pub(super) fn call_failed(&self, failure: &Failure) {
        if let Some(stop) = self.patience.failed(failure) {
            self.output.stderr(&format!(
                "error: {}; nothing more is started",
                stop.describe()
            ));
        }
    }

    /// A call was refused because the run's budget of credits is spent: nothing more starts.
    pub(super) fn budget_spent(&self) {
        let limit = self.client.usage().budget.unwrap_or_default();
        if let Some(stop) = self.patience.budget_spent(limit) {
            self.output.stderr(&format!(
                "error: {}; nothing more is started, what is under way finishes",
                stop.describe()
            ));
        }
    }

    /// The journal cannot be written: nothing more starts (what is saved stays safe).
    pub(super) fn journal_failed(&self, error: &std::io::Error) {
        if !self.stop.swap(true, Ordering::Relaxed) {
            self.output.stderr(&format!(
                "error: the journal cannot be written ({error}); nothing more is started"
            ));
        }
    }
}
