//! When to try a request again: a plain function of the attempt number and what happened, with
//! exponential backoff, jitter and a cap. An upload whose body reached the server is never
//! retried by default, because the server may have stored it: a retry could attach it twice.

use std::time::{Duration, SystemTime};

/// What one attempt ended in, as far as retrying is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// HTTP 429: the server refused the request for now; nothing was processed.
    Throttled {
        /// The server's Retry-After, if it sent one.
        retry_after: Option<Duration>,
    },
    /// The connection could not be established; nothing was sent.
    ConnectFailed,
    /// The connection was lost before the whole body was sent, so the server cannot have
    /// processed the request.
    LostBeforeBodySent,
    /// The connection was lost after the whole request was sent, before a response arrived.
    LostAfterSend,
    /// The attempt timed out after the whole request was sent.
    TimedOutAfterSend,
    /// The server answered with this 5xx status.
    ServerError(u16),
}

impl Outcome {
    /// Whether the server may have processed the request (so that repeating a non-idempotent
    /// request could duplicate its effect).
    pub fn may_have_been_processed(self) -> bool {
        matches!(
            self,
            Outcome::LostAfterSend | Outcome::TimedOutAfterSend | Outcome::ServerError(_)
        )
    }
}

/// The decision for one outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RetryDecision {
    /// Wait this long, then try again.
    RetryAfter(Duration),
    /// Stop, for this reason.
    Stop(StopReason),
}

/// Why a request is not retried.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopReason {
    /// The attempt limit is reached.
    OutOfAttempts,
    /// The request is not idempotent and may have been processed.
    MayHaveBeenProcessed,
    /// The server asked to wait longer than the policy allows.
    RetryAfterTooLong,
}

/// Retry settings: start from [`RetryPolicy::default`] (or [`RetryPolicy::never`]) and change
/// them with the `with_*` methods. [`RetryPolicy::decide`] is a pure function of them, so it can
/// be tested (and reasoned about) without a server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    max_retry_after: Duration,
    retry_unsafe_after_send: bool,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(20),
            max_retry_after: Duration::from_secs(120),
            retry_unsafe_after_send: false,
        }
    }
}

impl RetryPolicy {
    /// Attempts in all, the first included (1 disables retries). Default 4.
    pub fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The backoff before the second attempt; it doubles after each attempt. Default 500 ms.
    pub fn with_initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// The longest backoff. Default 20 s.
    pub fn with_max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }

    /// The longest Retry-After honoured; a longer one stops retrying. Default 2 minutes.
    pub fn with_max_retry_after(mut self, wait: Duration) -> Self {
        self.max_retry_after = wait;
        self
    }

    /// Whether to retry non-idempotent requests (uploads) after they may have been processed.
    /// Off by default: turning it on risks duplicate attachments.
    pub fn with_retry_unsafe_after_send(mut self, retry: bool) -> Self {
        self.retry_unsafe_after_send = retry;
        self
    }

    /// Attempts in all, the first included.
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The backoff before the second attempt.
    pub fn initial_backoff(&self) -> Duration {
        self.initial_backoff
    }

    /// The longest backoff.
    pub fn max_backoff(&self) -> Duration {
        self.max_backoff
    }

    /// The longest Retry-After honoured.
    pub fn max_retry_after(&self) -> Duration {
        self.max_retry_after
    }

    /// Whether requests that may have been processed are retried even when not idempotent.
    pub fn retry_unsafe_after_send(&self) -> bool {
        self.retry_unsafe_after_send
    }

    /// A policy that never retries.
    pub fn never() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// Decides whether attempt number `attempt` (1-based), which ended in `outcome`, is
    /// followed by another. `idempotent` says whether repeating the request is harmless;
    /// `jitter` in `[0, 1)` spreads the backoff (the client draws it at random).
    pub fn decide(
        &self,
        attempt: u32,
        outcome: Outcome,
        idempotent: bool,
        jitter: f64,
    ) -> RetryDecision {
        if outcome.may_have_been_processed() && !idempotent && !self.retry_unsafe_after_send {
            return RetryDecision::Stop(StopReason::MayHaveBeenProcessed);
        }
        if attempt >= self.max_attempts {
            return RetryDecision::Stop(StopReason::OutOfAttempts);
        }
        if let Outcome::Throttled {
            retry_after: Some(wait),
        } = outcome
        {
            return if wait > self.max_retry_after {
                RetryDecision::Stop(StopReason::RetryAfterTooLong)
            } else {
                RetryDecision::RetryAfter(wait)
            };
        }
        RetryDecision::RetryAfter(self.backoff(attempt, jitter))
    }

    /// The backoff after attempt `attempt`: `initial * 2^(attempt-1)`, capped, then scaled into
    /// `[50%, 100%]` by `jitter` so that many clients do not retry in step.
    pub fn backoff(&self, attempt: u32, jitter: f64) -> Duration {
        let exponent = attempt.saturating_sub(1).min(30);
        let full = self
            .initial_backoff
            .saturating_mul(1u32 << exponent)
            .min(self.max_backoff);
        full.mul_f64(0.5 + jitter.clamp(0.0, 1.0) / 2.0)
    }
}

/// Parses a Retry-After header: delay-seconds or an HTTP date (a date in the past means now).
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

/// A number in `[0, 1)` from the OS random source, for jitter (0.5 when it is unavailable).
pub fn random_jitter() -> f64 {
    let mut bytes = [0u8; 8];
    match getrandom::fill(&mut bytes) {
        Ok(()) => (u64::from_le_bytes(bytes) >> 11) as f64 / (1u64 << 53) as f64,
        Err(_) => 0.5,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: RetryPolicy = RetryPolicy {
        max_attempts: 4,
        initial_backoff: Duration::from_millis(100),
        max_backoff: Duration::from_millis(350),
        max_retry_after: Duration::from_secs(5),
        retry_unsafe_after_send: false,
    };

    #[test]
    fn backoff_doubles_is_capped_and_jittered() {
        assert_eq!(POLICY.backoff(1, 1.0), Duration::from_millis(100));
        assert_eq!(POLICY.backoff(2, 1.0), Duration::from_millis(200));
        assert_eq!(POLICY.backoff(3, 1.0), Duration::from_millis(350));
        assert_eq!(POLICY.backoff(30, 1.0), Duration::from_millis(350));
        assert_eq!(POLICY.backoff(2, 0.0), Duration::from_millis(100));
    }

    #[test]
    fn throttling_is_retried_honouring_retry_after() {
        let throttled = Outcome::Throttled {
            retry_after: Some(Duration::from_secs(2)),
        };
        assert_eq!(
            POLICY.decide(1, throttled, false, 0.3),
            RetryDecision::RetryAfter(Duration::from_secs(2))
        );
        let unannounced = Outcome::Throttled { retry_after: None };
        assert_eq!(
            POLICY.decide(2, unannounced, false, 1.0),
            RetryDecision::RetryAfter(Duration::from_millis(200))
        );
        let too_long = Outcome::Throttled {
            retry_after: Some(Duration::from_secs(6)),
        };
        assert_eq!(
            POLICY.decide(1, too_long, false, 0.3),
            RetryDecision::Stop(StopReason::RetryAfterTooLong)
        );
        assert_eq!(
            POLICY.decide(4, unannounced, false, 0.3),
            RetryDecision::Stop(StopReason::OutOfAttempts)
        );
    }

    #[test]
    fn uploads_that_may_have_been_stored_are_not_retried() {
        for outcome in [
            Outcome::LostAfterSend,
            Outcome::TimedOutAfterSend,
            Outcome::ServerError(500),
        ] {
            assert_eq!(
                POLICY.decide(1, outcome, false, 0.5),
                RetryDecision::Stop(StopReason::MayHaveBeenProcessed),
                "{outcome:?}"
            );
            assert!(matches!(
                POLICY.decide(1, outcome, true, 0.5),
                RetryDecision::RetryAfter(_)
            ));
        }
        for outcome in [Outcome::ConnectFailed, Outcome::LostBeforeBodySent] {
            assert!(matches!(
                POLICY.decide(1, outcome, false, 0.5),
                RetryDecision::RetryAfter(_)
            ));
        }
    }

    #[test]
    fn retry_after_takes_seconds_or_a_date() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(parse_retry_after(" 3 ", now), Some(Duration::from_secs(3)));
        let later = httpdate::fmt_http_date(now + Duration::from_secs(10));
        assert_eq!(
            parse_retry_after(&later, now),
            Some(Duration::from_secs(10))
        );
        let earlier = httpdate::fmt_http_date(now - Duration::from_secs(10));
        assert_eq!(parse_retry_after(&earlier, now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now), None);
    }

    #[test]
    fn jitter_is_in_range() {
        for _ in 0..100 {
            let j = random_jitter();
            assert!((0.0..1.0).contains(&j), "{j}");
        }
    }
}
