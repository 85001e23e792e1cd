//! What a client has spent: calls (every attempt, retries included), API credits, retries,
//! throttled answers (HTTP 429) and bytes each way, counted as they happen, and an optional
//! budget of credits that no call may start beyond.
//!
//! The budget is reserved before an attempt is sent, atomically, so that concurrent calls
//! sharing one client can never together pass it; a reservation is never given back (an
//! attempt that fails after it was sent may have been charged).

use std::sync::atomic::{AtomicU64, Ordering};

/// What a client (and its clones) has spent so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Usage {
    /// Requests started to the API: every attempt, retries included (token refreshes, which go
    /// to the accounts server, are not API calls).
    pub calls: u64,
    /// The API credits those calls cost, as the spec prices each operation.
    pub credits: u64,
    /// The attempts that repeated an earlier one (a retry after a failure or a refreshed token).
    pub retries: u64,
    /// Answers that were HTTP 429 (too many requests).
    pub throttled: u64,
    /// Request bytes handed to the connection (bodies only).
    pub bytes_sent: u64,
    /// Answer bytes received (bodies only, downloads included).
    pub bytes_received: u64,
    /// The budget of credits, when one is set.
    pub budget: Option<u64>,
}

impl Usage {
    /// The credits left in the budget, when one is set.
    pub fn credits_left(&self) -> Option<u64> {
        self.budget
            .map(|budget| budget.saturating_sub(self.credits))
    }
}

/// An attempt that was not sent because it would have taken the client past its budget of
/// credits: the call's first attempt (nothing of the call was sent), or a retry, after an
/// attempt that failed and may have been processed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "{}the budget of {limit} API credits is spent ({spent} spent, this call needs {needed}); raise the budget or go on later{}",
    if *retry { "a retry was not sent: " } else { "not sent: " },
    if *may_have_been_processed { "; the attempt before it may have been processed (its whole request was sent and its answer lost, or it was a 5xx): check before repeating the call" } else { "" }
)]
pub struct BudgetSpent {
    /// The budget.
    pub limit: u64,
    /// The credits spent (reserved) when the call was refused.
    pub spent: u64,
    /// The credits the call needed.
    pub needed: u64,
    /// Whether the attempt refused was a retry (an earlier attempt of the call was sent).
    pub retry: bool,
    /// Whether an earlier attempt of the call may have been processed by the server.
    pub may_have_been_processed: bool,
}

/// The counters behind [`Usage`], shared by a client's clones.
#[derive(Debug, Default)]
pub(crate) struct Meter {
    calls: AtomicU64,
    credits: AtomicU64,
    retries: AtomicU64,
    throttled: AtomicU64,
    bytes_sent: AtomicU64,
    bytes_received: AtomicU64,
    budget: Option<u64>,
}

impl Meter {
    /// A meter with an optional budget of credits.
    pub(crate) fn new(budget: Option<u64>) -> Self {
        Meter {
            budget,
            ..Meter::default()
        }
    }

    /// Counts an attempt about to be sent and reserves its credits; refuses it, counting
    /// nothing, when the credits would pass the budget.
    pub(crate) fn start_attempt(&self, credits: u32, retry: bool) -> Result<(), BudgetSpent> {
        let needed = u64::from(credits);
        if let Some(limit) = self.budget {
            let reserved = self
                .credits
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |spent| {
                    spent.checked_add(needed).filter(|total| *total <= limit)
                });
            if let Err(spent) = reserved {
                return Err(BudgetSpent {
                    limit,
                    spent,
                    needed,
                    retry,
                    may_have_been_processed: false,
                });
            }
        } else {
            self.credits.fetch_add(needed, Ordering::Relaxed);
        }
        self.calls.fetch_add(1, Ordering::Relaxed);
        if retry {
            self.retries.fetch_add(1, Ordering::Relaxed);
        }
        Ok(())
    }

    /// Counts an answer of HTTP 429.
    pub(crate) fn throttled(&self) {
        self.throttled.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts request body bytes sent.
    pub(crate) fn sent(&self, bytes: u64) {
        self.bytes_sent.fetch_add(bytes, Ordering::Relaxed);
    }

    /// Counts answer body bytes received.
    pub(crate) fn received(&self, bytes: u64) {
        self.bytes_received.fetch_add(bytes, Ordering::Relaxed);
    }

    /// The counts now.
    pub(crate) fn usage(&self) -> Usage {
        Usage {
            calls: self.calls.load(Ordering::Relaxed),
            credits: self.credits.load(Ordering::SeqCst),
            retries: self.retries.load(Ordering::Relaxed),
            throttled: self.throttled.load(Ordering::Relaxed),
            bytes_sent: self.bytes_sent.load(Ordering::Relaxed),
            bytes_received: self.bytes_received.load(Ordering::Relaxed),
            budget: self.budget,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attempts_are_counted_and_priced_and_retries_told_apart() {
        let meter = Meter::new(None);
        assert_eq!(meter.start_attempt(1, false), Ok(()));
        assert_eq!(meter.start_attempt(2, true), Ok(()));
        meter.throttled();
        meter.sent(10);
        meter.received(7);
        let usage = meter.usage();
        assert_eq!(
            (usage.calls, usage.credits, usage.retries, usage.throttled),
            (2, 3, 1, 1)
        );
        assert_eq!((usage.bytes_sent, usage.bytes_received), (10, 7));
        assert_eq!(usage.credits_left(), None);
    }

    #[test]
    fn no_attempt_starts_past_the_budget_and_a_refusal_counts_nothing() {
        let meter = Meter::new(Some(3));
        assert_eq!(meter.start_attempt(2, false), Ok(()));
        assert_eq!(
            meter.start_attempt(2, false),
            Err(BudgetSpent {
                limit: 3,
                spent: 2,
                needed: 2,
                retry: false,
                may_have_been_processed: false,
            })
        );
        assert_eq!(meter.start_attempt(1, true), Ok(()));
        assert!(meter.start_attempt(1, false).is_err());
        let usage = meter.usage();
        assert_eq!((usage.calls, usage.credits, usage.retries), (2, 3, 1));
        assert_eq!(usage.credits_left(), Some(0));
    }

    #[test]
    fn concurrent_reservations_never_pass_the_budget_together() {
        let meter = std::sync::Arc::new(Meter::new(Some(100)));
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let meter = std::sync::Arc::clone(&meter);
                std::thread::spawn(move || {
                    (0..50)
                        .filter(|_| meter.start_attempt(1, false).is_ok())
                        .count()
                })
            })
            .collect();
        let started: usize = threads.into_iter().filter_map(|t| t.join().ok()).sum();
        assert_eq!(started, 100);
        assert_eq!(meter.usage().credits, 100);
    }
}
