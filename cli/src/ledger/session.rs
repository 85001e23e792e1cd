//! The run's side of the ledger: the clients the run built (their usage summed when it ends),
//! the daily budget it reserved when it built its first client, and the one line it appends
//! at the end (`settle` after a reservation, else `run` when it made calls).

use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, SecondsFormat, Utc};
use zoho_crm::{Client, Usage};

use super::entry::{Entry, Kind};
use super::tally::{WINDOW, spends, totals};
use super::{Place, store};
use crate::failure::{Failure, Kind as FailureKind};
use crate::output::Output;

/// The run's ledger: cheap to clone, shared by everything that builds a client. The default
/// keeps no ledger.
#[derive(Clone, Debug, Default)]
pub struct Session {
    shared: Option<Arc<Shared>>,
}

#[derive(Debug)]
struct Shared {
    place: Option<Place>,
    per_day: Option<u64>,
    command: String,
    output: Output,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    clients: Vec<Client>,
    /// The run id and the credits reserved, once reserved.
    reserved: Option<(String, u64)>,
}

impl Session {
    /// The session of a run of `command` keeping its ledger at `place` (none: no ledger, and
    /// a daily budget cannot be kept), with a daily budget of `per_day` credits for this
    /// machine's runs.
    pub fn new(place: Option<Place>, per_day: Option<u64>, command: &str, output: Output) -> Self {
        Session {
            shared: Some(Arc::new(Shared {
                place,
                per_day,
                command: command.to_owned(),
                output,
                state: Mutex::new(State::default()),
            })),
        }
    }

    /// Where the ledger is, if there is one.
    pub fn place(&self) -> Option<&Place> {
        self.shared.as_ref().and_then(|s| s.place.as_ref())
    }

    /// The daily budget of credits, if one is set.
    pub fn per_day(&self) -> Option<u64> {
        self.shared.as_ref().and_then(|s| s.per_day)
    }

    /// The budget of credits for a new client, given `--max-credits`: without a daily budget,
    /// `max_credits`; with one, the smaller of `max_credits` and what the day has left, the
    /// first time reserved in the ledger (later clients share the reservation). Nothing left
    /// is a budget failure (exit 4) before anything is sent.
    pub fn budget(&self, max_credits: Option<u64>) -> Result<Option<u64>, Failure> {
        let (Some(shared), Some(per_day)) = (&self.shared, self.per_day()) else {
            return Ok(max_credits);
        };
        let Some(place) = &shared.place else {
            return Err(Failure::new(
                FailureKind::Config,
                "CONFIG_ERROR",
                "--max-credits-per-day needs the ledger in the configuration folder, and this platform has none; nothing was sent",
            ));
        };
        let mut state = shared.state.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((_, reserved)) = &state.reserved {
            let spent = sum(&state.clients).credits;
            let left = reserved.saturating_sub(spent);
            return Ok(Some(max_credits.map_or(left, |max| max.min(left))));
        }
        let now = Utc::now();
        let run = format!("{}-{}", now.format("%Y%m%dT%H%M%S%.6f"), std::process::id());
        let result = store::update(place, now, |entries| {
            let day = totals(&spends(entries), now - WINDOW);
            let left = per_day.saturating_sub(day.counted());
            let budget = max_credits.map_or(left, |max| max.min(left));
            if budget == 0 {
                return (
                    Err(spent(per_day, day.credits, day.reserved, day.oldest)),
                    None,
                );
            }
            let mut reserve = Entry::new(now, Kind::Reserve, &shared.command);
            reserve.run = Some(run.clone());
            reserve.credits = budget;
            (Ok(budget), Some(reserve))
        });
        match result {
            Ok((answer, skipped)) => {
                warn_skipped(&shared.output, place, &skipped);
                let budget = answer?;
                state.reserved = Some((run, budget));
                Ok(Some(budget))
            }
            Err(e) => Err(Failure::new(
                FailureKind::Config,
                "LEDGER_ERROR",
                format!("the day's budget cannot be reserved in the ledger: {e}; nothing was sent"),
            )
            .with_resolution(
                "fix the ledger file or its folder, or run without --max-credits-per-day",
            )),
        }
    }

    /// Counts `client` (and its clones) in the run's spend.
    pub fn register(&self, client: &Client) {
        if let Some(shared) = &self.shared {
            let mut state = shared.state.lock().unwrap_or_else(PoisonError::into_inner);
            state.clients.push(client.clone());
        }
    }

    /// Ends the run: appends what its clients spent (`settle` after a reservation,
    /// else `run` if it made calls). A ledger that cannot be written is a warning.
    pub fn close(&self) {
        let Some(shared) = &self.shared else {
            return;
        };
        let Some(place) = &shared.place else {
            return;
        };
        let state = shared.state.lock().unwrap_or_else(PoisonError::into_inner);
        let usage = sum(&state.clients);
        let run = state.reserved.as_ref().map(|(run, _)| run.clone());
        if run.is_none() && usage.calls == 0 {
            return;
        }
        let now = Utc::now();
        let kind = if run.is_some() {
            Kind::Settle
        } else {
            Kind::Run
        };
        let mut entry = Entry::new(now, kind, &shared.command);
        entry.run = run;
        entry.calls = usage.calls;
        entry.credits = usage.credits;
        entry.retries = usage.retries;
        entry.throttled = usage.throttled;
        entry.bytes_sent = usage.bytes_sent;
        entry.bytes_received = usage.bytes_received;
        match store::update(place, now, |_| ((), Some(entry))) {
            Ok(((), skipped)) => warn_skipped(&shared.output, place, &skipped),
            Err(e) => shared.output.warn(format!(
                "this run's spend ({} calls, {} credits) is not in the ledger: {e}",
                usage.calls, usage.credits
            )),
        }
    }
}

/// The usage of all the clients together.
fn sum(clients: &[Client]) -> Usage {
    let mut total = Usage::default();
    for usage in clients.iter().map(Client::usage) {
        total.calls = total.calls.saturating_add(usage.calls);
        total.credits = total.credits.saturating_add(usage.credits);
        total.retries = total.retries.saturating_add(usage.retries);
        total.throttled = total.throttled.saturating_add(usage.throttled);
        total.bytes_sent = total.bytes_sent.saturating_add(usage.bytes_sent);
        total.bytes_received = total.bytes_received.saturating_add(usage.bytes_received);
    }
    total
}

/// The failure of a run that finds the day's budget spent.
fn spent(per_day: u64, credits: u64, reserved: u64, oldest: Option<DateTime<Utc>>) -> Failure {
    let frees = oldest.map_or_else(
        || "now".to_owned(),
        |time| (time + WINDOW).to_rfc3339_opts(SecondsFormat::Secs, true),
    );
    Failure::new(
        FailureKind::Budget,
        "BUDGET_SPENT",
        format!(
            "not sent: the day's budget of {per_day} API credits is spent on this machine ({credits} spent and {reserved} reserved by runs still going, in the last 24 hours); the oldest spend leaves the 24-hour window at {frees}"
        ),
    )
    .with_resolution(format!(
        "run it again after {frees}, or raise --max-credits-per-day (see `zoho-crm credits`)"
    ))
}

/// Warns about ledger lines that were not entries.
pub fn warn_skipped(output: &Output, place: &Place, skipped: &[usize]) {
    if !skipped.is_empty() {
        let lines: Vec<String> = skipped.iter().map(usize::to_string).collect();
        output.warn(format!(
            "{}: line {} is not a ledger entry; skipped",
            place.file.display(),
            lines.join(", ")
        ));
    }
}
