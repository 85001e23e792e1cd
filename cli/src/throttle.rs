//! An adaptive limit on calls in flight: halved (down to 1) when Zoho answers 429, at most
//! once per cool-down so one burst of 429s counts once, and raised by one after a run of
//! successes, up to the configured maximum. And [`Patience`]: how long a bulk run goes on while
//! Zoho refuses every call.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use tokio::sync::Notify;

/// Successes in a row after which the limit goes up by one.
pub const RAISE_AFTER_SUCCESSES: u32 = 10;
/// After a cut, further 429s within this time do not cut again (they belong to the same burst).
pub const CUT_COOL_DOWN: Duration = Duration::from_secs(1);

#[derive(Debug)]
struct State {
    limit: usize,
    in_flight: usize,
    streak: u32,
    throttled: u64,
    lowest: usize,
    last_cut: Option<Instant>,
}

/// The limit and its statistics.
#[derive(Debug)]
pub struct AdaptiveLimit {
    max: usize,
    state: Mutex<State>,
    changed: Notify,
}

/// What the limit went through.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stats {
    /// The limit now.
    pub limit: usize,
    /// The lowest it went.
    pub lowest: usize,
    /// How many 429 answers there were.
    pub throttled: u64,
}

/// A slot in flight; dropping it frees the slot.
#[derive(Debug)]
pub struct Permit(Arc<AdaptiveLimit>);

impl Drop for Permit {
    fn drop(&mut self) {
        self.0.lock().in_flight -= 1;
        self.0.changed.notify_waiters();
    }
}

impl AdaptiveLimit {
    /// A limit starting (and capped) at `max` (at least 1).
    pub fn new(max: usize) -> Arc<Self> {
        let max = max.max(1);
        Arc::new(AdaptiveLimit {
            max,
            state: Mutex::new(State {
                limit: max,
                in_flight: 0,
                streak: 0,
                throttled: 0,
                lowest: max,
                last_cut: None,
            }),
            changed: Notify::new(),
        })
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits for a free slot under the current limit.
    pub async fn acquire(self: &Arc<Self>) -> Permit {
        loop {
            let changed = self.changed.notified();
            let mut changed = std::pin::pin!(changed);
            changed.as_mut().enable();
            {
                let mut state = self.lock();
                if state.in_flight < state.limit {
                    state.in_flight += 1;
                    return Permit(Arc::clone(self));
                }
            }
            changed.await;
        }
    }

    /// Zoho answered 429: halve the limit (unless a cut just happened).
    pub fn throttled(&self) {
        let mut state = self.lock();
        state.throttled += 1;
        state.streak = 0;
        let now = Instant::now();
        if state
            .last_cut
            .is_some_and(|last| now.duration_since(last) < CUT_COOL_DOWN)
        {
            return;
        }
        state.last_cut = Some(now);
        state.limit = (state.limit / 2).max(1);
        state.lowest = state.lowest.min(state.limit);
    }

    /// An upload succeeded: after enough in a row, raise the limit by one.
    pub fn succeeded(&self) {
        let raised = {
            let mut state = self.lock();
            state.streak += 1;
            if state.streak >= RAISE_AFTER_SUCCESSES && state.limit < self.max {
                state.streak = 0;
                state.limit += 1;
                true
            } else {
                false
            }
        };
        if raised {
            self.changed.notify_waiters();
        }
    }

    /// The statistics so far.
    pub fn stats(&self) -> Stats {
        let state = self.lock();
        Stats {
            limit: state.limit,
            lowest: state.lowest,
            throttled: state.throttled,
        }
    }
}

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
    fn a_burst_of_429s_halves_once_and_successes_raise_it_again() {
        let limit = AdaptiveLimit::new(8);
        limit.throttled();
        limit.throttled();
        limit.throttled();
        assert_eq!(
            limit.stats(),
            Stats {
                limit: 4,
                lowest: 4,
                throttled: 3
            }
        );
        for _ in 0..RAISE_AFTER_SUCCESSES {
            limit.succeeded();
        }
        assert_eq!(limit.stats().limit, 5);
    }

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
    fn the_limit_never_goes_below_one() {
        let limit = AdaptiveLimit::new(1);
        limit.throttled();
        assert_eq!(limit.stats().limit, 1);
    }

    #[tokio::test]
    async fn waiters_get_a_slot_when_one_is_freed() {
        let limit = AdaptiveLimit::new(1);
        let first = limit.acquire().await;
        let waiter = tokio::spawn({
            let limit = Arc::clone(&limit);
            async move {
                let _permit = limit.acquire().await;
            }
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(!waiter.is_finished());
        drop(first);
        let done = tokio::time::timeout(Duration::from_secs(5), waiter).await;
        assert!(matches!(done, Ok(Ok(()))));
    }
}
