//! `--dry-run`'s estimate of what a run will spend: calls and credits (a range: the least
//! without retries, the most when every call takes the retry policy's every attempt), bytes,
//! and the time at the chosen concurrency for an assumed round trip per call.
//!
//! Each pending line costs its target's calls: an attachment or a photo one upload, a field's
//! file three (the record read, the file store, the record update). A line to look for on its
//! record first costs one listing of that record (at least one page, shared by the lines of
//! the same record), then its upload when it is not there. With `--skip-existing`, each
//! record with attachment lines costs one listing (at least), each with field lines one
//! record read, each with photo lines one photo download (none with `--replace`, nor for
//! Deals, whose photos cannot be downloaded); the uploads are counted as if none of the files
//! were in Zoho. A listing takes a call per 200 attachments, which the dry run cannot know:
//! the look-ups are a lower bound.

use std::collections::BTreeSet;
use std::time::Duration;

use serde::Serialize;
use zoho_crm::Module;
use zoho_crm::operations::{
    download_photo, get_record, list_attachments, update_record, upload_attachment, upload_files,
    upload_photo,
};

use crate::estimate::Spend;

use super::check_records::Lookups;
use super::manifest::Entry;
use super::plan::Plan;
use super::target::Target;

/// The estimate, as the dry run's JSON `estimate` object.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub(super) struct Estimate {
    /// Calls, credits and time.
    #[serde(flatten)]
    pub(super) spend: Spend,
    /// The bytes of the files to send.
    pub(super) bytes: u64,
    /// The concurrency assumed.
    pub(super) concurrency: usize,
    /// The calls (included above) that look at what the records hold before uploading: the
    /// listings of lines to look for and, with `--skip-existing`, one listing, record read or
    /// photo download a record. A lower bound: a listing takes a call per 200 attachments.
    pub(super) lookup_calls: u64,
}

/// The record a line is for, as (module, record id).
fn record(entry: &Entry) -> (&str, &str) {
    (entry.module.api_name(), entry.record_id.as_str())
}

/// Whether a record's photo can be asked for: the photo download takes fewer built-in modules
/// than the upload (not Deals), and `--skip-existing` uploads the photo lines of the others
/// without asking.
fn photo_downloadable(module: &Module) -> bool {
    let supported = download_photo::OPERATION
        .params
        .iter()
        .map(|param| param.modules)
        .find(|modules| !modules.is_empty());
    matches!(module, Module::Custom(_))
        || supported.is_none_or(|modules| modules.contains(&module.api_name()))
}

/// The calls one upload of `target` makes, each with its credits.
fn upload_calls(target: &Target) -> Vec<u32> {
    match target {
        Target::Attachment => vec![upload_attachment::OPERATION.credits],
        Target::Photo => vec![upload_photo::OPERATION.credits],
        Target::Field(_) => vec![
            get_record::OPERATION.credits,
            upload_files::OPERATION.credits,
            update_record::OPERATION.credits,
        ],
    }
}

impl Estimate {
    /// The estimate of `plan` with the look-ups `lookups` asks, at `concurrency` for a round
    /// trip of `rtt` per call.
    pub(super) fn of(plan: &Plan, lookups: Lookups, concurrency: usize, rtt: Duration) -> Self {
        let mut calls = Vec::new();
        let mut bytes = 0;
        let uploads = || {
            plan.pending
                .iter()
                .chain(plan.to_check.iter().map(|check| &check.entry))
        };
        for entry in uploads() {
            calls.extend(upload_calls(&entry.target));
            bytes += entry.size;
        }
        let mut listed: BTreeSet<(&str, &str)> = plan
            .to_check
            .iter()
            .map(|check| &check.entry)
            .filter(|entry| entry.target == Target::Attachment)
            .map(record)
            .collect();
        let (mut read, mut photos) = (BTreeSet::new(), BTreeSet::new());
        if lookups.skip_existing {
            for entry in uploads() {
                match &entry.target {
                    Target::Attachment => listed.insert(record(entry)),
                    Target::Field(_) => read.insert(record(entry)),
                    Target::Photo if !lookups.replace && photo_downloadable(&entry.module) => {
                        photos.insert(record(entry))
                    }
                    Target::Photo => false,
                };
            }
        }
        let lookup_calls = listed.len() + read.len() + photos.len();
        calls.extend(listed.iter().map(|_| list_attachments::OPERATION.credits));
        calls.extend(read.iter().map(|_| get_record::OPERATION.credits));
        calls.extend(photos.iter().map(|_| download_photo::OPERATION.credits));
        let credits: u64 = calls.iter().map(|c| u64::from(*c)).sum();
        let concurrency = concurrency.max(1);
        Estimate {
            spend: Spend::of(calls.len() as u64, credits, concurrency, rtt),
            bytes,
            concurrency,
            lookup_calls: lookup_calls as u64,
        }
    }

    /// The estimate as text.
    pub(super) fn describe(&self) -> String {
        format!(
            "estimate: {}-{} call(s), {}-{} credit(s) (the most if every call took all its attempts), {} bytes to send, about {:.1} s at concurrency {} assuming {} ms per round trip (an assumption: --assume-rtt; transfer time not included)",
            self.spend.calls_min,
            self.spend.calls_max,
            self.spend.credits_min,
            self.spend.credits_max,
            self.bytes,
            self.spend.seconds,
            self.concurrency,
            self.spend.assumed_rtt_ms
        ) + &self.lookups_note()
    }

    /// What the text says of the look-ups, when there are any.
    fn lookups_note(&self) -> String {
        if self.lookup_calls == 0 {
            return String::new();
        }
        format!(
            "; of the calls, {} look at what the records hold before uploading (one a record: a lower bound, as a listing takes a call per 200 attachments), and every upload is counted as if its file were not in Zoho",
            self.lookup_calls
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_photos_of_deals_cannot_be_asked_for() {
        assert!(photo_downloadable(&Module::Leads));
        assert!(photo_downloadable(&Module::Contacts));
        assert!(!photo_downloadable(&Module::Deals));
    }
}
