//! What the upload tasks of a run share (client, journal writer, progress bar, adaptive limit,
//! stop flag) and the tally of what they did.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

use indicatif::ProgressBar;
use zoho_crm::{Client, Throttle};

use crate::failure::Failure;
use crate::interrupt::Interrupt;
use crate::journal::Writer;
use crate::output::Output;
use crate::patience::Patience;
use crate::recheck::Recheck;
use crate::slots::Slots;

use super::manifest::Entry;

/// The counts of a run.
#[derive(Debug, Default)]
pub(super) struct Tally {
    pub(super) uploaded: usize,
    pub(super) already_done: usize,
    pub(super) found_on_record: usize,
    /// Found in Zoho by `--skip-existing` (not uploaded).
    pub(super) already_in_zoho: usize,
    pub(super) failed: usize,
    pub(super) unknown: Vec<Entry>,
    /// In flight when a signal came: abandoned, left `started` in the journal.
    pub(super) interrupted: Vec<Entry>,
    /// Not started because a signal came.
    pub(super) not_started: usize,
    /// Not started because Zoho refused every call for longer than the patience, or refused
    /// (not sent) because the budget of credits was spent.
    pub(super) held_back: usize,
    pub(super) bytes: u64,
}

/// What the upload tasks share.
pub(super) struct Shared {
    pub(super) client: Client,
    pub(super) writer: Writer,
    pub(super) output: Output,
    pub(super) bar: ProgressBar,
    /// The items under way (the calls in flight are the client's adaptive limit).
    pub(super) slots: Slots,
    pub(super) recheck: Recheck,
    pub(super) interrupt: Interrupt,
    pub(super) tally: Mutex<Tally>,
    pub(super) stop: AtomicBool,
    pub(super) finished: AtomicUsize,
    pub(super) total: usize,
    /// How long Zoho may refuse every call before no further upload starts.
    pub(super) patience: Patience,
}

impl Shared {
    pub(super) fn tally(&self) -> std::sync::MutexGuard<'_, Tally> {
        self.tally.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(super) fn count_finished(&self) {
        let finished = self.finished.fetch_add(1, Ordering::Relaxed) + 1;
        self.bar
            .set_message(format!("{finished}/{} files", self.total));
    }

    /// An upload failed: when Zoho refused it with 429 (after the client's own retries) and
    /// that stops the run (a code documented as a spent quota, or refusals for longer than the
    /// patience), no further upload starts.
    pub(super) fn upload_failed(&self, failure: &Failure) {
        if let Some(stop) = self.patience.failed(failure) {
            self.output.stderr(&format!(
                "error: {}; no further uploads are started",
                stop.describe()
            ));
        }
    }

    /// Every attempt of an upload was refused with 429 (nothing was stored), and it would be
    /// sent again after a pause: counts the refusal toward the patience, and says whether the
    /// run goes on (else it stopped, and the upload is not sent again).
    pub(super) fn refused_for_now(&self, failure: &Failure) -> bool {
        let throttle = failure.throttle.unwrap_or(Throttle::Either);
        if let Some(stop) = self.patience.refused(throttle, &failure.code) {
            self.output.stderr(&format!(
                "error: {}; no further uploads are started",
                stop.describe()
            ));
        }
        !self.patience.exhausted()
    }

    /// A call was refused because the run's budget of credits is spent: no further upload
    /// starts.
    pub(super) fn budget_spent(&self) {
        let limit = self.client.usage().budget.unwrap_or_default();
        if let Some(stop) = self.patience.budget_spent(limit) {
            self.output.stderr(&format!(
                "error: {}; no further uploads are started, those under way finish",
                stop.describe()
            ));
        }
    }

    /// The journal cannot be written: stop starting uploads (what is done stays safe).
    pub(super) fn journal_failed(&self, error: &std::io::Error) {
        if !self.stop.swap(true, Ordering::Relaxed) {
            self.output.stderr(&format!(
                "error: the journal cannot be written ({error}); no further uploads are started"
            ));
        }
    }
}
