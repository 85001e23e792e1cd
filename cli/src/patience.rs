//! [`Patience`]: how long a bulk run goes on while Zoho refuses every call (429, after the
//! client's own retries). The calls in flight are the client's adaptive limit
//! (`Client::concurrency`); the bulk commands bound only the items they have under way
//! ([`crate::slots`]).

use std::sync::Mutex;
use std::sync::PoisonError;
use std::sync::atomic::{AtomicBool, Ordering};
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
}

impl Patience {
    /// Patience for `patience`.
    pub fn new(patience: Duration) -> Self {
        Patience {
            patience,
            refused_since: Mutex::new(None),
            exhausted: AtomicBool::new(false),
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

    /// Whether the refusals have outlasted the patience.
    pub fn exhausted(&self) -> bool {
        self.exhausted.load(Ordering::Relaxed)
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
}
