//! The client's limit on calls in flight, adaptive: halved (down to 1) when the server answers
//! 429, at most once per cool-down so that one burst of 429s counts once, and raised by one
//! after a run of successes, up to the configured maximum. Every attempt holds a slot while it
//! is sent and answered (a download's until its content has been read), so every program that
//! shares a client shares one limit.

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

/// The adaptive limit on calls in flight.
#[derive(Debug)]
pub(crate) struct AdaptiveLimit {
    max: usize,
    state: Mutex<State>,
    changed: Notify,
}

/// What the limit went through: see [`crate::Client::concurrency`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ConcurrencyStats {
    /// The configured maximum.
    pub max: usize,
    /// The limit now.
    pub limit: usize,
    /// The lowest it went.
    pub lowest: usize,
    /// How many 429 answers there were.
    pub throttled: u64,
    /// Calls in flight now.
    pub in_flight: usize,
}

/// A slot in flight; dropping it frees the slot.
#[derive(Debug)]
pub(crate) struct Slot(Arc<AdaptiveLimit>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.lock().in_flight -= 1;
        self.0.changed.notify_waiters();
    }
}

impl AdaptiveLimit {
    /// A limit starting (and capped) at `max` (at least 1).
    pub(crate) fn new(max: usize) -> Arc<Self> {
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
    pub(crate) async fn acquire(self: &Arc<Self>) -> Slot {
        loop {
            let changed = self.changed.notified();
            let mut changed = std::pin::pin!(changed);
            changed.as_mut().enable();
            {
                let mut state = self.lock();
                if state.in_flight < state.limit {
                    state.in_flight += 1;
                    return Slot(Arc::clone(self));
                }
            }
            changed.await;
        }
    }

    /// The server answered 429: halve the limit (unless a cut just happened).
    pub(crate) fn throttled(&self) {
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

    /// A call succeeded: after enough in a row, raise the limit by one.
    pub(crate) fn succeeded(&self) {
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
    pub(crate) fn stats(&self) -> ConcurrencyStats {
        let state = self.lock();
        ConcurrencyStats {
            max: self.max,
            limit: state.limit,
            lowest: state.lowest,
            throttled: state.throttled,
            in_flight: state.in_flight,
        }
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
        let stats = limit.stats();
        assert_eq!((stats.limit, stats.lowest, stats.throttled), (4, 4, 3));
        for _ in 0..RAISE_AFTER_SUCCESSES {
            limit.succeeded();
        }
        assert_eq!(limit.stats().limit, 5);
        assert_eq!(limit.stats().max, 8);
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
        assert_eq!(limit.stats().in_flight, 1);
        let waiter = tokio::spawn({
            let limit = Arc::clone(&limit);
            async move {
                let _slot = limit.acquire().await;
            }
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(!waiter.is_finished());
        drop(first);
        let done = tokio::time::timeout(Duration::from_secs(5), waiter).await;
        assert!(matches!(done, Ok(Ok(()))));
        assert_eq!(limit.stats().in_flight, 0);
    }
}
