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
use zoho_crm::RetryPolicy;
use zoho_crm::operations::{
    get_record, list_attachments, update_record, upload_attachment, upload_files, upload_photo,
};

use super::manifest::Entry;
use super::plan::Plan;
use super::target::Target;

/// The estimate, as the dry run's JSON `estimate` object.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub(super) struct Estimate {
    /// Calls without any retry.
    pub(super) calls_min: u64,
    /// Calls if every call took all the retry policy's attempts.
    pub(super) calls_max: u64,
    /// Credits without any retry.
    pub(super) credits_min: u64,
    /// Credits if every call took all its attempts.
    pub(super) credits_max: u64,
    /// The bytes of the files to send.
    pub(super) bytes: u64,
    /// The time without retries at the concurrency, for the assumed round trip per call
    /// (transfer time not included).
    pub(super) seconds: f64,
    /// The assumed round trip per call, in milliseconds (`--assume-rtt`).
    pub(super) assumed_rtt_ms: u64,
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
        let attempts = u64::from(RetryPolicy::default().max_attempts());
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
        let calls_min = calls.len() as u64;
        let credits_min: u64 = calls.iter().map(|c| u64::from(*c)).sum();
        let concurrency = concurrency.max(1);
        let rounds = calls_min.div_ceil(concurrency as u64);
        let seconds = rtt.as_secs_f64() * rounds as f64;
        Estimate {
            calls_min,
            calls_max: calls_min * attempts,
            credits_min,
            credits_max: credits_min * attempts,
            bytes,
            seconds: (seconds * 1000.0).round() / 1000.0,
            assumed_rtt_ms: u64::try_from(rtt.as_millis()).unwrap_or(u64::MAX),
            concurrency,
        }
    }

    /// The estimate as text.
    pub(super) fn describe(&self) -> String {
        format!(
            "estimate: {}-{} call(s), {}-{} credit(s) (the most if every call took all its attempts), {} bytes to send, about {:.1} s at concurrency {} assuming {} ms per round trip (an assumption: --assume-rtt; transfer time not included)",
            self.calls_min,
            self.calls_max,
            self.credits_min,
            self.credits_max,
            self.bytes,
            self.seconds,
            self.concurrency,
            self.assumed_rtt_ms
        )
    }
}
