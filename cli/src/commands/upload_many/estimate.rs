//! `--dry-run`'s estimate of what a run will spend: calls and credits (a range: the least
//! without retries, the most when every call takes the retry policy's every attempt), bytes,
//! and the time at the chosen concurrency for an assumed round trip per call.
//!
//! Each pending line costs its target's calls: an attachment or a photo one upload, a field's
//! file three (the record read, the file store, the record update). A line to look for on its
//! record first costs one listing of that record (at least one page, shared by the lines of
//! the same record), then its upload when it is not there.

use std::collections::BTreeSet;
use std::time::Duration;

use serde::Serialize;
use zoho_crm::operations::{
    get_record, list_attachments, update_record, upload_attachment, upload_files, upload_photo,
};

use crate::estimate::Spend;

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
    /// The estimate of `plan` at `concurrency` for a round trip of `rtt` per call.
    pub(super) fn of(plan: &Plan, concurrency: usize, rtt: Duration) -> Self {
        let mut calls = Vec::new();
        let mut bytes = 0;
        let uploads = plan
            .pending
            .iter()
            .chain(plan.to_check.iter().map(|check| &check.entry));
        for entry in uploads {
            calls.extend(upload_calls(&entry.target));
            bytes += entry.size;
        }
        let listed: BTreeSet<(&str, &str)> = plan
            .to_check
            .iter()
            .map(|check| &check.entry)
            .filter(|entry| entry.target == Target::Attachment)
            .map(|entry: &Entry| (entry.module.api_name(), entry.record_id.as_str()))
            .collect();
        calls.extend(listed.iter().map(|_| list_attachments::OPERATION.credits));
        let credits: u64 = calls.iter().map(|c| u64::from(*c)).sum();
        let concurrency = concurrency.max(1);
        Estimate {
            spend: Spend::of(calls.len() as u64, credits, concurrency, rtt),
            bytes,
            concurrency,
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
        )
    }
}
