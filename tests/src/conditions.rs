//! The conditions of a real Zoho organisation that a server of the kit can impose, as options
//! ([`Conditions`], in [`crate::ServerConfig`]): distance (every answer waits), the
//! organisation's cap on concurrent calls (a call beyond it is refused at once) and its
//! budget of API credits (once spent, every call is refused). Zoho refuses both with
//! HTTP 429 `TOO_MANY_REQUESTS` (its limits page documents nothing more specific).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

/// Real-world conditions; the default imposes none.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Conditions {
    /// How long every answer waits before it is sent (a stand-in for distance).
    pub latency: Duration,
    /// The most calls in flight at once; one more is refused with 429 at once.
    pub max_in_flight: Option<usize>,
    /// The calls the organisation may make; once they are spent, every call is refused
    /// with 429.
    pub credits: Option<u64>,
}

/// Why a call was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// Over the cap on calls in flight.
    Concurrency,
    /// The credits are spent.
    Credits,
}

/// Applies the conditions to each call, and counts what they did.
#[derive(Debug, Default)]
pub(crate) struct Gate {
    conditions: Conditions,
    /// Credits granted after the start (as a new day would).
    granted: AtomicU64,
    in_flight: AtomicUsize,
    peak: AtomicUsize,
    spent: AtomicU64,
    refused: AtomicU64,
}

/// A call admitted through the gate; its slot frees when it is dropped.
#[derive(Debug)]
pub(crate) struct Slot {
    gate: Arc<Gate>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.gate.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Gate {
    pub(crate) fn new(conditions: Conditions) -> Self {
        Gate {
            conditions,
            ..Gate::default()
        }
    }

    /// Admits a call, or says why not. An admitted call spends one credit.
    pub(crate) fn enter(self: &Arc<Self>) -> Result<Slot, Refusal> {
        let in_flight = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        let slot = Slot {
            gate: Arc::clone(self),
        };
        if self
            .conditions
            .max_in_flight
            .is_some_and(|max| in_flight > max)
        {
            self.refused.fetch_add(1, Ordering::SeqCst);
            return Err(Refusal::Concurrency);
        }
        if let Some(credits) = self.conditions.credits {
            let budget = credits.saturating_add(self.granted.load(Ordering::SeqCst));
            let spent = self.spent.fetch_add(1, Ordering::SeqCst);
            if spent >= budget {
                self.spent.fetch_sub(1, Ordering::SeqCst);
                self.refused.fetch_add(1, Ordering::SeqCst);
                return Err(Refusal::Credits);
            }
        }
        self.peak.fetch_max(in_flight, Ordering::SeqCst);
        Ok(slot)
    }

    /// Adds `credits` to the budget (a new day's credits, say).
    pub(crate) fn grant(&self, credits: u64) {
        self.granted.fetch_add(credits, Ordering::SeqCst);
    }

    /// How long an answer waits.
    pub(crate) fn latency(&self) -> Duration {
        self.conditions.latency
    }

    /// The most calls that were in flight at once (admitted ones).
    pub(crate) fn peak_in_flight(&self) -> usize {
        self.peak.load(Ordering::SeqCst)
    }

    /// How many calls were refused by the cap or for want of credits.
    pub(crate) fn refused(&self) -> u64 {
        self.refused.load(Ordering::SeqCst)
    }

    /// How many credits were spent.
    pub(crate) fn spent(&self) -> u64 {
        self.spent.load(Ordering::SeqCst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cap_refuses_one_call_too_many_and_frees_a_slot_when_a_call_ends() {
        let gate = Arc::new(Gate::new(Conditions {
            max_in_flight: Some(2),
            ..Conditions::default()
        }));
        let first = gate.enter();
        let second = gate.enter();
        assert!(first.is_ok() && second.is_ok());
        assert_eq!(gate.enter().err(), Some(Refusal::Concurrency));
        drop(first);
        assert!(gate.enter().is_ok());
        assert_eq!(gate.peak_in_flight(), 2);
        assert_eq!(gate.refused(), 1);
    }

    #[test]
    fn spent_credits_refuse_every_later_call() {
        let gate = Arc::new(Gate::new(Conditions {
            credits: Some(2),
            ..Conditions::default()
        }));
        assert!(gate.enter().is_ok());
        assert!(gate.enter().is_ok());
        for _ in 0..3 {
            assert_eq!(gate.enter().err(), Some(Refusal::Credits));
        }
        assert_eq!(gate.spent(), 2);
        assert_eq!(gate.refused(), 3);
    }
}
