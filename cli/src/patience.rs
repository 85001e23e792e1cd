//! [`Patience`]: how long a bulk run goes on while Zoho refuses every call (429, after the
//! client's own retries), which of Zoho's limits the refusals came from, and the stop when the
//! run's own budget of credits (`--max-credits`) refuses a call. Once stopped, the run starts no
//! new item and holds the rest back for a later run. The calls in flight are the client's
//! adaptive limit (`Client::concurrency`); the bulk commands bound only the items they have
//! under way ([`crate::slots`]).
//!
//! Zoho answers 429 for its concurrency cap, which clears in seconds, and for the day's API
//! credits, which do not come back for hours. Where the spec documents a code as one or the
//! other ([`Throttle`]), the code tells; otherwise the time the refusals last does: refusals
//! that a success ends were the cap, refusals that outlast `--patience` the credits.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use serde::Serialize;
use zoho_crm::Throttle;

use crate::exit::Exit;
use crate::failure::Failure;

/// Which of Zoho's limits refused a run's calls (HTTP 429), as far as the run can tell.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ZohoLimit {
    /// The concurrency cap or a rate limit, which clears within seconds: Zoho's code said so,
    /// or a later call went through.
    Concurrency,
    /// The organisation's API credits for the day: Zoho's code said so, or every call was
    /// refused for longer than `--patience`.
    Credits,
    /// Not told apart: the run ended while its calls were refused, before `--patience` ran out.
    Unclear,
}

/// Why a bulk run stopped starting items.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stop {
    /// The run's own budget of this many credits is spent (`--max-credits`, or what
    /// `--max-credits-per-day` left).
    Budget(u64),
    /// Zoho refused every call: which limit, and how that was told.
    Zoho {
        /// The limit.
        limit: ZohoLimit,
        /// What told it: Zoho's code, or how long the refusals lasted.
        evidence: String,
    },
}

impl Stop {
    /// What stopped the run, as a sentence's main clause.
    pub fn describe(&self) -> String {
        match self {
            Stop::Budget(limit) => {
                format!("the budget of {limit} credits is spent (--max-credits)")
            }
            Stop::Zoho {
                limit: ZohoLimit::Concurrency,
                evidence,
            } => format!(
                "Zoho's concurrency cap refused every call ({evidence}): the organisation's other integrations are using its calls in flight"
            ),
            Stop::Zoho { evidence, .. } => format!(
                "the organisation's API credits for the day are spent ({evidence}; Zoho's concurrency cap clears in seconds)"
            ),
        }
    }

    /// The exit code of a run that stopped like this.
    pub fn exit(&self) -> Exit {
        match self {
            Stop::Budget(_) => Exit::BudgetSpent,
            Stop::Zoho {
                limit: ZohoLimit::Concurrency,
                ..
            } => Exit::ZohoConcurrency,
            Stop::Zoho { .. } => Exit::ZohoCredits,
        }
    }

    /// When to run the same command again, for the summary.
    pub fn when_to_resume(&self) -> &'static str {
        match self {
            Stop::Budget(_) => "later, or with a larger --max-credits",
            Stop::Zoho {
                limit: ZohoLimit::Concurrency,
                ..
            } => "in a few minutes, or with a lower --concurrency",
            Stop::Zoho { .. } => "when the day's API credits renew (they come back over 24 hours)",
        }
    }
}

/// What a bulk run's JSON summary says of its stop and of Zoho's refusals (flattened into it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Refusals {
    /// What stopped the run: `budget` (its own), `zoho_credits` or `zoho_concurrency`; absent
    /// when nothing did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stopped_by: Option<&'static str>,
    /// Items that ended refused with HTTP 429, after the client's own retries.
    pub refused_items: u64,
    /// Times an item refused on every attempt was sent again after a pause.
    pub resent_after_429: u64,
    /// Which of Zoho's limits refused them: `concurrency`, `credits` or `unclear`; absent when
    /// Zoho refused none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zoho_limit: Option<ZohoLimit>,
}

/// The refusals since the last call that went through.
#[derive(Debug, Default)]
struct Streak {
    /// When the first of them came.
    since: Option<Instant>,
    /// Whether Zoho's code called each of them a rate limit.
    all_rate: bool,
}

/// How long Zoho may refuse every call (429, after the client's own retries) before a bulk run
/// starts nothing more, and which limit the refusals came from.
#[derive(Debug)]
pub struct Patience {
    patience: Duration,
    streak: Mutex<Streak>,
    /// Items that ended refused with 429.
    refused_items: AtomicU64,
    /// Times an item refused on every attempt was sent again after a pause.
    resent: AtomicU64,
    /// Why the run stopped, once it did.
    stop: OnceLock<Stop>,
}

impl Patience {
    /// Patience for `patience`.
    pub fn new(patience: Duration) -> Self {
        Patience {
            patience,
            streak: Mutex::new(Streak::default()),
            refused_items: AtomicU64::new(0),
            resent: AtomicU64::new(0),
            stop: OnceLock::new(),
        }
    }

    fn streak(&self) -> std::sync::MutexGuard<'_, Streak> {
        self.streak.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A call went through: the run of refusals, if any, is over (they were the cap).
    pub fn went_through(&self) {
        self.streak().since = None;
    }

    /// A call ended refused with HTTP 429 (after the client's own retries), `throttle` being
    /// what the spec documents of `code`. Returns why the run stops when this refusal stopped
    /// it (once; from then on [`Patience::exhausted`]): a code documented as a quota stops it
    /// at once, other refusals once every call has been refused for longer than the patience.
    pub fn refused(&self, throttle: Throttle, code: &str) -> Option<Stop> {
        if throttle == Throttle::Quota {
            return self.stop_with(Stop::Zoho {
                limit: ZohoLimit::Credits,
                evidence: format!("HTTP 429 {code}, which Zoho documents as a spent quota"),
            });
        }
        let now = Instant::now();
        let (refused_for, all_rate) = {
            let mut streak = self.streak();
            if streak.since.is_none() {
                streak.since = Some(now);
                streak.all_rate = true;
            }
            streak.all_rate &= throttle == Throttle::Rate;
            let since = streak.since.unwrap_or(now);
            (now.duration_since(since), streak.all_rate)
        };
        if refused_for < self.patience {
            return None;
        }
        let seconds = refused_for.as_secs();
        let patience = self.patience.as_secs();
        let (limit, evidence) = if all_rate {
            (
                ZohoLimit::Concurrency,
                format!(
                    "HTTP 429 {code}, a rate limit, for {seconds} s, longer than --patience {patience}"
                ),
            )
        } else {
            (
                ZohoLimit::Credits,
                format!(
                    "HTTP 429 {code} for {seconds} s without a success, longer than --patience {patience}"
                ),
            )
        };
        self.stop_with(Stop::Zoho { limit, evidence })
    }

    /// An item ended with `failure`: when Zoho refused it with HTTP 429, it is counted, and
    /// see [`Patience::refused`] (a 429 that was not Zoho's JSON could be either limit).
    pub fn failed(&self, failure: &Failure) -> Option<Stop> {
        if failure.http_status != Some(429) {
            return None;
        }
        self.refused_items.fetch_add(1, Ordering::Relaxed);
        self.refused(failure.throttle.unwrap_or(Throttle::Either), &failure.code)
    }

    /// An item whose every attempt was refused with 429 is sent again after a pause.
    pub fn resending(&self) {
        self.resent.fetch_add(1, Ordering::Relaxed);
    }

    /// A call was refused because the budget of `limit` credits is spent: why the run stops,
    /// when this is the first such refusal (from then on [`Patience::exhausted`]).
    pub fn budget_spent(&self, limit: u64) -> Option<Stop> {
        self.stop_with(Stop::Budget(limit))
    }

    fn stop_with(&self, stop: Stop) -> Option<Stop> {
        self.stop.set(stop.clone()).is_ok().then_some(stop)
    }

    /// The budget of credits, when a call was refused for it.
    pub fn spent_budget(&self) -> Option<u64> {
        match self.stop.get() {
            Some(Stop::Budget(limit)) => Some(*limit),
            _ => None,
        }
    }

    /// Whether no new item may start: the run stopped.
    pub fn exhausted(&self) -> bool {
        self.stop.get().is_some()
    }

    /// Items that ended refused with 429.
    pub fn refused_items(&self) -> u64 {
        self.refused_items.load(Ordering::Relaxed)
    }

    /// Which of Zoho's limits refused the run's items, if any was: what stopped the run; else
    /// the cap when Zoho's code says a rate limit or a later call went through; else unclear
    /// (the run ended refused, before the patience ran out).
    pub fn zoho_limit(&self) -> Option<ZohoLimit> {
        if let Some(Stop::Zoho { limit, .. }) = self.stop.get() {
            return Some(*limit);
        }
        let resent = self.resent.load(Ordering::Relaxed);
        if self.refused_items() == 0 && resent == 0 {
            return None;
        }
        let streak = self.streak();
        Some(if streak.since.is_none() || streak.all_rate {
            ZohoLimit::Concurrency
        } else {
            ZohoLimit::Unclear
        })
    }

    /// What the summary says of the stop and the refusals.
    pub fn refusals(&self) -> Refusals {
        Refusals {
            stopped_by: self.stop.get().map(|stop| match stop {
                Stop::Budget(_) => "budget",
                Stop::Zoho {
                    limit: ZohoLimit::Concurrency,
                    ..
                } => "zoho_concurrency",
                Stop::Zoho { .. } => "zoho_credits",
            }),
            refused_items: self.refused_items(),
            resent_after_429: self.resent.load(Ordering::Relaxed),
            zoho_limit: self.zoho_limit(),
        }
    }

    /// The exit code of a run that made `problems` failures: the stop's, when it stopped;
    /// else 0 or 3 ([`Exit::Partial`]).
    pub fn exit(&self, problems: usize) -> Exit {
        match self.stop.get() {
            Some(stop) => stop.exit(),
            None if problems == 0 => Exit::Success,
            None => Exit::Partial,
        }
    }

    /// The summary's line on what stopped the run, with `held_back` items not started and
    /// `failed` failures, and when to run it again; `noun` names the items.
    pub fn stop_note(&self, held_back: usize, failed: usize, noun: &str) -> Option<String> {
        let stop = self.stop.get()?;
        Some(format!(
            "out of calls: {held_back} {noun} not started, {failed} failed; {}. The journal is consistent: run the same command {} to finish",
            stop.describe(),
            stop.when_to_resume()
        ))
    }

    /// The summary's line on items Zoho refused without stopping the run, if any were.
    pub fn refusals_note(&self) -> Option<String> {
        if self.stop.get().is_some() {
            return None;
        }
        let items = self.refused_items();
        let resent = self.resent.load(Ordering::Relaxed);
        match self.zoho_limit()? {
            ZohoLimit::Concurrency if items == 0 => Some(format!(
                "Zoho's concurrency cap refused every attempt of an item {resent} time(s) (HTTP 429 that cleared); each was sent again after a pause"
            )),
            ZohoLimit::Concurrency => Some(format!(
                "{items} item(s) refused by Zoho's concurrency cap (HTTP 429 that cleared: later calls went through, or Zoho's code says a rate limit), {resent} time(s) sent again before; run the same command again to finish them"
            )),
            ZohoLimit::Unclear => Some(format!(
                "{items} item(s) refused by Zoho with HTTP 429 up to the end of the run, for less than --patience: the concurrency cap or the day's API credits, which cannot be told apart yet; run the same command again later"
            )),
            ZohoLimit::Credits => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_that_outlast_the_patience_are_the_credits_and_stop_once() {
        let patience = Patience::new(Duration::ZERO);
        patience.went_through();
        assert!(!patience.exhausted());
        let stop = patience.refused(Throttle::Either, "TOO_MANY_REQUESTS");
        assert_eq!(patience.refused_items(), 0);
        assert!(matches!(
            stop,
            Some(Stop::Zoho {
                limit: ZohoLimit::Credits,
                ..
            })
        ));
        assert!(
            patience
                .refused(Throttle::Either, "TOO_MANY_REQUESTS")
                .is_none()
        );
        assert!(patience.exhausted());
        assert_eq!(patience.zoho_limit(), Some(ZohoLimit::Credits));
        assert_eq!(patience.exit(0), Exit::ZohoCredits);
        assert_eq!(patience.refusals().stopped_by, Some("zoho_credits"));
        let long = Patience::new(Duration::from_secs(3600));
        assert!(
            long.refused(Throttle::Either, "TOO_MANY_REQUESTS")
                .is_none()
        );
        assert!(!long.exhausted());
    }

    #[test]
    fn a_rate_limit_that_outlasts_the_patience_is_the_cap() {
        let patience = Patience::new(Duration::ZERO);
        let stop = patience.refused(Throttle::Rate, "RATE_LIMIT_EXCEEDED");
        let Some(stop) = stop else {
            panic!("no stop");
        };
        assert_eq!(stop.exit(), Exit::ZohoConcurrency);
        assert!(stop.describe().contains("concurrency cap"), "{stop:?}");
        assert!(stop.describe().contains("RATE_LIMIT_EXCEEDED"), "{stop:?}");
    }

    #[test]
    fn a_quota_code_stops_at_once_whatever_the_patience() {
        let patience = Patience::new(Duration::from_secs(3600));
        let stop = patience.refused(Throttle::Quota, "CREDITS_GONE");
        assert_eq!(stop.as_ref().map(Stop::exit), Some(Exit::ZohoCredits));
        assert!(patience.exhausted());
    }

    #[test]
    fn refusals_a_success_ends_were_the_cap_and_those_at_the_end_are_unclear() {
        let patience = Patience::new(Duration::from_secs(3600));
        assert_eq!(patience.zoho_limit(), None);
        let refused = Failure {
            http_status: Some(429),
            throttle: Some(Throttle::Either),
            ..Failure::new(crate::failure::Kind::Api, "TOO_MANY_REQUESTS", "m")
        };
        assert!(patience.failed(&refused).is_none());
        assert_eq!(patience.zoho_limit(), Some(ZohoLimit::Unclear));
        patience.went_through();
        assert_eq!(patience.zoho_limit(), Some(ZohoLimit::Concurrency));
        assert_eq!(patience.refused_items(), 1);
        assert_eq!(patience.exit(1), Exit::Partial);
        assert!(
            patience
                .refusals_note()
                .is_some_and(|note| note.contains("concurrency cap"))
        );
        assert!(!patience.exhausted());
    }

    #[test]
    fn a_spent_budget_stops_at_once_and_is_told_once() {
        let patience = Patience::new(Duration::from_secs(3600));
        assert_eq!(patience.spent_budget(), None);
        assert_eq!(patience.budget_spent(5), Some(Stop::Budget(5)));
        assert_eq!(patience.budget_spent(5), None);
        assert!(patience.exhausted());
        assert_eq!(patience.spent_budget(), Some(5));
        let note = patience.stop_note(3, 1, "file(s)").unwrap_or_default();
        assert!(note.contains("the budget of 5 credits is spent"), "{note}");
        assert!(note.contains("3 file(s) not started, 1 failed"), "{note}");
        assert_eq!(patience.exit(0), Exit::BudgetSpent);
    }
}
