//! Sums over the ledger: what counts as spent (finished runs, settlements, and the
//! reservations of runs not settled yet), over a window of time, in total or by a key.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;

use super::entry::{Entry, Kind};

/// The window Zoho's daily credits roll over.
pub const WINDOW: TimeDelta = TimeDelta::hours(24);

/// What a set of runs spent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    /// Runs (each finished run, settlement or open reservation counts once).
    pub runs: u64,
    /// API calls.
    pub calls: u64,
    /// API credits spent by finished runs.
    pub credits: u64,
    /// API credits reserved by runs that have not settled (still going, or crashed).
    pub reserved: u64,
    /// When the oldest of them was written.
    #[serde(skip)]
    pub oldest: Option<DateTime<Utc>>,
}

impl Totals {
    /// Credits spent and reserved: what a daily budget counts.
    pub fn counted(&self) -> u64 {
        self.credits.saturating_add(self.reserved)
    }

    fn add(&mut self, entry: &Entry) {
        self.runs += 1;
        self.calls = self.calls.saturating_add(entry.calls);
        match entry.kind {
            Kind::Reserve => self.reserved = self.reserved.saturating_add(entry.credits),
            Kind::Run | Kind::Settle => self.credits = self.credits.saturating_add(entry.credits),
        }
        self.oldest = Some(self.oldest.map_or(entry.time, |t| t.min(entry.time)));
    }
}

/// The entries that count as spending: every `run` and `settle` line, and each `reserve`
/// line no `settle` line of the same run follows.
pub fn spends(entries: &[Entry]) -> Vec<&Entry> {
    let settled: HashSet<&str> = entries
        .iter()
        .filter(|e| e.kind == Kind::Settle)
        .filter_map(|e| e.run.as_deref())
        .collect();
    entries
        .iter()
        .filter(|e| match e.kind {
            Kind::Run | Kind::Settle => true,
            Kind::Reserve => e.run.as_deref().is_none_or(|run| !settled.contains(run)),
        })
        .collect()
}

/// How far in the future a spend's time may be (another machine's clock running ahead) and
/// still count; a line dated later (a hand-edited year 9999, say) would never leave the window
/// and would hold a daily budget forever, so it is not counted.
const CLOCK_SKEW: TimeDelta = TimeDelta::minutes(5);

/// Whether `entry` was written after `since` and not in the future.
fn within(entry: &Entry, since: DateTime<Utc>) -> bool {
    entry.time > since && entry.time <= Utc::now() + CLOCK_SKEW
}

/// The totals of the spends written after `since`.
pub fn totals(spends: &[&Entry], since: DateTime<Utc>) -> Totals {
    let mut totals = Totals::default();
    for entry in spends.iter().filter(|e| within(e, since)) {
        totals.add(entry);
    }
    totals
}

/// The totals of the spends written after `since`, by `key`.
pub fn by<K: Ord>(
    spends: &[&Entry],
    since: DateTime<Utc>,
    key: impl Fn(&Entry) -> K,
) -> BTreeMap<K, Totals> {
    let mut groups: BTreeMap<K, Totals> = BTreeMap::new();
    for entry in spends.iter().filter(|e| within(e, since)) {
        groups.entry(key(entry)).or_default().add(entry);
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(hours_ago: i64, kind: Kind, run: Option<&str>, credits: u64) -> Entry {
        let mut entry = Entry::new(Utc::now() - TimeDelta::hours(hours_ago), kind, "upload");
        entry.run = run.map(str::to_owned);
        entry.credits = credits;
        entry.calls = credits;
        entry
    }

    #[test]
    fn a_spend_dated_in_the_future_does_not_count() {
        let mut future = entry(0, Kind::Run, None, 7);
        future.time = Utc::now() + TimeDelta::days(365);
        let spends = [&future];
        assert_eq!(totals(&spends, Utc::now() - WINDOW).credits, 0);
        assert!(by(&spends, Utc::now() - WINDOW, |e| e.credits).is_empty());
    }

    #[test]
    fn a_settlement_replaces_its_reservation_and_old_spends_leave_the_window() {
        let entries = vec![
            entry(30, Kind::Run, None, 100),
            entry(5, Kind::Run, None, 2),
            entry(4, Kind::Reserve, Some("a"), 10),
            entry(3, Kind::Settle, Some("a"), 4),
            entry(1, Kind::Reserve, Some("b"), 7),
        ];
        let spends = spends(&entries);
        assert_eq!(spends.len(), 4);
        let day = totals(&spends, Utc::now() - WINDOW);
        assert_eq!((day.runs, day.credits, day.reserved), (3, 6, 7));
        assert_eq!(day.counted(), 13);
        assert_eq!(day.oldest, Some(entries[1].time));
        let week = totals(&spends, Utc::now() - TimeDelta::days(7));
        assert_eq!(week.credits, 106);
        let by_kind = by(&spends, Utc::now() - WINDOW, |e| e.kind == Kind::Reserve);
        assert_eq!(by_kind.get(&true).map(|t| t.reserved), Some(7));
    }
}
