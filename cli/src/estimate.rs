//! The spend a dry run foresees from the calls it counted: a range of calls and credits (the
//! least without retries, the most if every call took all the retry policy's attempts) and
//! the time at a concurrency for an assumed round trip per call.

use std::time::Duration;

use serde::Serialize;
use zoho_crm::RetryPolicy;

/// Calls, credits and time, as the dry run's JSON `estimate` holds them (flattened).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Spend {
    /// Calls without any retry.
    pub calls_min: u64,
    /// Calls if every call took all the retry policy's attempts.
    pub calls_max: u64,
    /// Credits without any retry.
    pub credits_min: u64,
    /// Credits if every call took all its attempts.
    pub credits_max: u64,
    /// The time without retries at the concurrency, for the assumed round trip per call
    /// (transfer time not included), in seconds to the millisecond.
    pub seconds: f64,
    /// The assumed round trip per call, in milliseconds (`--assume-rtt`).
    pub assumed_rtt_ms: u64,
}

impl Spend {
    /// The spend of `calls` calls costing `credits` in all, made `concurrency` at a time, each
    /// taking `rtt`.
    pub fn of(calls: u64, credits: u64, concurrency: usize, rtt: Duration) -> Self {
        let attempts = u64::from(RetryPolicy::default().max_attempts());
        let rounds = calls.div_ceil(concurrency.max(1) as u64);
        let seconds = rtt.as_secs_f64() * rounds as f64;
        Spend {
            calls_min: calls,
            calls_max: calls.saturating_mul(attempts),
            credits_min: credits,
            credits_max: credits.saturating_mul(attempts),
            seconds: (seconds * 1000.0).round() / 1000.0,
            assumed_rtt_ms: u64::try_from(rtt.as_millis()).unwrap_or(u64::MAX),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_are_rounds_of_the_concurrency_and_the_most_takes_every_attempt() {
        let attempts = u64::from(RetryPolicy::default().max_attempts());
        let spend = Spend::of(7, 9, 2, Duration::from_millis(100));
        assert_eq!((spend.calls_min, spend.credits_min), (7, 9));
        assert_eq!(
            (spend.calls_max, spend.credits_max),
            (7 * attempts, 9 * attempts)
        );
        assert_eq!(spend.seconds, 0.4);
        assert_eq!(spend.assumed_rtt_ms, 100);
        assert_eq!(Spend::of(3, 3, 0, Duration::from_secs(1)).seconds, 3.0);
    }
}
