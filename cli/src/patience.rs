//! [`Patience`]: how long a bulk run goes on while Zoho refuses every call (429, after the
//! client's own retries), and the stop when the run's own budget of credits (`--max-credits`)
//! refuses a call. Either way the run starts no new item and holds the rest back for a later
//! run. The calls in flight are the client's adaptive limit (`Client::concurrency`); the bulk
//! commands bound only the items they have under way ([`crate::slots`]).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

/// How long Zoho may refuse every call (429, after the client's own retries) before a bulk run
/// starts nothing more: the organisation's API credits are probably spent.
#[derive(Debug)]
pub struct Patience {
    patience: Duration,
    /// Since when every call ended refused, if the last one did.
    refused_since: Mutex<Option<Instant>>,
    /// Set once the refusals outlast the patience.
    exhausted: AtomicBool,
    /// The budget of credits, once a call was refused for it.
    budget_spent: OnceLock<u64>,
}

impl Patience {
    /// Patience for `patience`.
    pub fn new(patience: Duration) -> Self {
        Patience {
            patience,
            refused_since: Mutex::new(None),
            exhausted: AtomicBool::new(false),
            budget_spent: OnceLock::new(),
        }
    }

    /// A call went through: the run of refusals, if any, is over.
    pub fn went_through(&self) {
        *self
            .refused_since
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = None;
    }

    /// A call ended refused: the time every call has been refused for, when that has just
    /// outlasted the patience (once; from then on [`Patience::exhausted`]).
    pub fn refused(&self) -> Option<Duration> {
        let now = Instant::now();
        let since = *self
            .refused_since
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get_or_insert(now);
        let refused_for = now.duration_since(since);
        (refused_for >= self.patience && !self.exhausted.swap(true, Ordering::Relaxed))
            .then_some(refused_for)
    }

    /// A call was refused because the budget of `limit` credits is spent: whether this is the
    /// first such refusal (from then on [`Patience::exhausted`]).
    pub fn budget_spent(&self, limit: u64) -> bool {
        self.budget_spent.set(limit).is_ok()
    }

    /// The budget of credits, when a call was refused for it.
    pub fn spent_budget(&self) -> Option<u64> {
        self.budget_spent.get().copied()
    }

    /// Whether no new item may start: the refusals have outlasted the patience, or the budget
    /// of credits is spent.
    pub fn exhausted(&self) -> bool {
        self.exhausted.load(Ordering::Relaxed) || self.budget_spent.get().is_some()
    }

    /// Why the items held back were not started, for the summary.
    pub fn held_back_reason(&self) -> String {
        match self.spent_budget() {
            Some(limit) => format!(
                "the budget of {limit} credits is spent (--max-credits); nothing more was started"
            ),
            None => "Zoho refused every call for longer than --patience (the organisation's API credits are probably spent)".to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patience_runs_out_once_after_refusals_without_a_success() {
        let patience = Patience::new(Duration::ZERO);
        patience.went_through();
        assert!(!patience.exhausted());
        assert!(patience.refused().is_some());
        assert!(patience.refused().is_none());
        assert!(patience.exhausted());
        let long = Patience::new(Duration::from_secs(3600));
        assert!(long.refused().is_none());
        assert!(!long.exhausted());
    }

    #[test]
    fn a_spent_budget_stops_at_once_and_is_told_once() {
        let patience = Patience::new(Duration::from_secs(3600));
        assert_eq!(patience.spent_budget(), None);
        assert!(patience.budget_spent(5));
        assert!(!patience.budget_spent(5));
        assert!(patience.exhausted());
        assert_eq!(patience.spent_budget(), Some(5));
        assert!(
            patience
                .held_back_reason()
                .contains("the budget of 5 credits is spent")
        );
    }
}
