//! The limits that make every call end whatever the server does, and the low-speed rule that
//! enforces one of them on transfers.
//!
//! A call is bounded four ways (the defaults are the constants here):
//! - connecting: the connect timeout;
//! - sending a body (an upload): the low-speed rule, as curl's `--speed-limit`/`--speed-time`:
//!   a window of `time` in which fewer than `bytes_per_second × time` bytes move ends the attempt;
//! - the answer: once the request is sent, its head and (for JSON answers) its whole body must
//!   arrive within the response timeout, however slowly the server drips them;
//! - a streamed download's content: the low-speed rule again, and the call's total timeout;
//! - the whole call, retries, backoff and token refreshes included: the total timeout.

use std::time::Duration;

use tokio::time::Instant;

/// Connect timeout used unless configured: 10 seconds.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Longest gap between two reads from the server unless configured: 2 minutes. (A server that
/// drips bytes resets it; the response timeout and the low-speed rule catch that.)
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(120);
/// Longest wait, once a request has been sent, for its whole answer (the head, and the body of a
/// JSON answer) unless configured: 1 minute per attempt, however slowly the server sends it. For
/// the token endpoint it limits the whole request.
pub const DEFAULT_RESPONSE_TIMEOUT: Duration = Duration::from_secs(60);
/// Longest a whole call may take unless configured, retries, backoff, token refreshes and a
/// download's content included: 30 minutes (room for a 100 MB upload or download at about
/// 60 kB/s).
pub const DEFAULT_TOTAL_TIMEOUT: Duration = Duration::from_secs(30 * 60);
/// The low-speed rule's minimum speed unless configured: 1024 bytes per second. A transfer (an
/// upload's body, a download's content) that moves less than this on average over a window of
/// [`DEFAULT_LOW_SPEED_TIME`] is aborted, as with curl's `--speed-limit`.
pub const DEFAULT_LOW_SPEED_LIMIT: u64 = 1024;
/// The low-speed rule's window unless configured: 30 seconds (curl's `--speed-time`).
pub const DEFAULT_LOW_SPEED_TIME: Duration = Duration::from_secs(30);

/// The low-speed rule: a transfer that moves fewer than `bytes_per_second × time` bytes in any
/// window of `time` is aborted. A rule with `bytes_per_second` 0 never aborts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct LowSpeed {
    pub(crate) bytes_per_second: u64,
    pub(crate) time: Duration,
}

impl LowSpeed {
    /// The fewest bytes a window must move.
    pub(crate) fn minimum(&self) -> u64 {
        let bytes = u128::from(self.bytes_per_second).saturating_mul(self.time.as_millis()) / 1000;
        u64::try_from(bytes).unwrap_or(u64::MAX)
    }

    /// Whether the rule never aborts (a minimum of 0 bytes).
    pub(crate) fn is_off(&self) -> bool {
        self.minimum() == 0
    }

    /// The length of a window (at least a millisecond, so a zero setting cannot spin).
    pub(crate) fn window(&self) -> Duration {
        self.time.max(Duration::from_millis(1))
    }
}

/// The limits of a client's calls.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Timeouts {
    /// Each attempt, from sending to the end of the answer (none unless configured).
    pub(crate) attempt: Option<Duration>,
    /// From the end of sending to the end of a JSON answer (or a download's head).
    pub(crate) response: Duration,
    /// The whole call.
    pub(crate) total: Duration,
    /// Sending a body, and receiving a download's content.
    pub(crate) low_speed: LowSpeed,
}

/// The instant `limit` from now (a year from now if that cannot be represented).
pub(crate) fn deadline_after(limit: Duration) -> Instant {
    let now = Instant::now();
    now.checked_add(limit)
        .or_else(|| now.checked_add(Duration::from_secs(365 * 24 * 3600)))
        .unwrap_or(now)
}

/// Counts a transfer's bytes per window of the low-speed rule.
#[derive(Debug)]
pub(crate) struct SpeedCheck {
    rule: LowSpeed,
    window_end: Instant,
    moved: u64,
}

impl SpeedCheck {
    /// A check whose first window starts now.
    pub(crate) fn start(rule: LowSpeed) -> Self {
        SpeedCheck {
            rule,
            window_end: deadline_after(rule.window()),
            moved: 0,
        }
    }

    /// When the current window ends: when the rule next needs a look (never, if it is off).
    pub(crate) fn window_end(&self) -> Option<Instant> {
        (!self.rule.is_off()).then_some(self.window_end)
    }

    /// Counts bytes moved.
    pub(crate) fn add(&mut self, bytes: u64) {
        self.moved = self.moved.saturating_add(bytes);
    }

    /// At `now`: if the window has ended, `Err(bytes moved in it)` when that is under the
    /// minimum, else a new window starts.
    pub(crate) fn check(&mut self, now: Instant) -> Result<(), u64> {
        if now < self.window_end {
            return Ok(());
        }
        if self.moved < self.rule.minimum() {
            return Err(self.moved);
        }
        self.moved = 0;
        self.window_end = now.checked_add(self.rule.window()).unwrap_or(now);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_minimum_scales_with_the_window() {
        let rule = LowSpeed {
            bytes_per_second: 1024,
            time: Duration::from_secs(30),
        };
        assert_eq!(rule.minimum(), 30 * 1024);
        let short = LowSpeed {
            bytes_per_second: 1000,
            time: Duration::from_millis(250),
        };
        assert_eq!(short.minimum(), 250);
        let huge = LowSpeed {
            bytes_per_second: u64::MAX,
            time: Duration::MAX,
        };
        assert_eq!(huge.minimum(), u64::MAX);
        let zero = LowSpeed {
            bytes_per_second: 0,
            time: Duration::ZERO,
        };
        assert_eq!(
            (zero.minimum(), zero.window()),
            (0, Duration::from_millis(1))
        );
    }

    #[test]
    fn a_window_under_the_minimum_fails_and_a_full_one_starts_another() {
        let rule = LowSpeed {
            bytes_per_second: 100,
            time: Duration::from_secs(1),
        };
        let mut check = SpeedCheck::start(rule);
        let Some(first_end) = check.window_end() else {
            panic!("the rule is on");
        };
        check.add(150);
        assert_eq!(check.check(first_end - Duration::from_millis(1)), Ok(()));
        assert_eq!(check.check(first_end), Ok(()));
        assert_eq!(check.window_end(), Some(first_end + Duration::from_secs(1)));
        check.add(99);
        assert_eq!(check.check(first_end + Duration::from_secs(1)), Err(99));
        let off = SpeedCheck::start(LowSpeed {
            bytes_per_second: 0,
            time: Duration::from_secs(1),
        });
        assert_eq!(off.window_end(), None);
    }

    #[test]
    fn a_deadline_too_far_to_represent_is_a_year_away() {
        let far = deadline_after(Duration::MAX);
        assert!(far > Instant::now() + Duration::from_secs(364 * 24 * 3600));
    }
}
