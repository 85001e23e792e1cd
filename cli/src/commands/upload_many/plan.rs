//! The plan of a run: what to do with each valid manifest line, from what the journal says
//! earlier runs did with it.

use super::journal::{History, Status};
use super::manifest::Entry;

/// What to do with each valid line, from the journal.
pub(super) struct Plan {
    /// To upload.
    pub(super) pending: Vec<Entry>,
    /// Already uploaded by an earlier run.
    pub(super) already_done: usize,
    /// Result unknown, left alone.
    pub(super) unknown: Vec<Entry>,
    /// To look for on the record first.
    pub(super) to_check: Vec<Check>,
}

/// A line to look for on its record before uploading.
pub(super) struct Check {
    pub(super) entry: Entry,
    pub(super) since: Option<chrono::DateTime<chrono::FixedOffset>>,
    /// Left `started` by a killed run (else: an unknown result being retried).
    pub(super) interrupted: bool,
}

impl Plan {
    pub(super) fn new(mut entries: Vec<Entry>, history: &History, retry_unknown: bool) -> Self {
        let mut plan = Plan {
            pending: Vec::new(),
            already_done: 0,
            unknown: Vec::new(),
            to_check: Vec::new(),
        };
        // The lines to upload stay where they are; only the others are taken out (so the list
        // is not copied).
        let decided = entries.extract_if(.., |entry| {
            history.last(entry).is_some_and(|last| {
                last.status.is_done() || matches!(last.status, Status::Unknown | Status::Started)
            })
        });
        for entry in decided {
            match history.last(&entry) {
                Some(last) if last.status.is_done() => plan.already_done += 1,
                Some(last) if last.status == Status::Unknown && !retry_unknown => {
                    plan.unknown.push(entry);
                }
                Some(last) => plan.to_check.push(Check {
                    entry,
                    since: last.started_at,
                    interrupted: last.status == Status::Started,
                }),
                None => plan.pending.push(entry),
            }
        }
        plan.pending.append(&mut entries);
        plan.pending.sort_by_key(|entry| entry.line);
        plan
    }
}
