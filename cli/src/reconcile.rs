//! Whether an upload whose result is unknown (or that a killed run left in flight) is on the
//! record after all: the record's attachments are listed and one with the same name and size,
//! created no earlier than the attempt started (less a clock-skew margin) and not already
//! claimed by another journal line, counts as it.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, FixedOffset, TimeDelta};
use futures_util::StreamExt as _;
use zoho_crm::operations::ListAttachmentsRequest;
use zoho_crm::{Client, Module};

use crate::failure::Failure;

/// How far the server's clock may be behind ours.
pub const CLOCK_SKEW_MINUTES: i64 = 10;

/// The fields asked for (from API v3 on some must be).
const FIELDS: [&str; 5] = ["id", "File_Name", "Size", "Created_Time", "$type"];

/// An upload to look for.
#[derive(Clone, Debug)]
pub struct Candidate {
    /// The module.
    pub module: Module,
    /// The record id.
    pub record_id: String,
    /// The name it was uploaded under.
    pub name: String,
    /// Its size in bytes.
    pub size: u64,
    /// When the attempt started, if known.
    pub since: Option<DateTime<FixedOffset>>,
}

/// For each candidate, the id of the attachment that is it (`None`: not on the record), or why
/// the record could not be listed. `attached` holds ids other lines already account for.
pub async fn find(
    client: &Client,
    candidates: &[Candidate],
    attached: &HashSet<String>,
) -> Vec<Result<Option<String>, Failure>> {
    let mut results: Vec<Result<Option<String>, Failure>> = vec![Ok(None); candidates.len()];
    let mut records: BTreeMap<(String, String), Vec<usize>> = BTreeMap::new();
    for (index, candidate) in candidates.iter().enumerate() {
        records
            .entry((
                candidate.module.api_name().to_owned(),
                candidate.record_id.clone(),
            ))
            .or_default()
            .push(index);
    }
    let mut claimed = attached.clone();
    for indexes in records.values() {
        let Some(&first) = indexes.first() else {
            continue;
        };
        let request = ListAttachmentsRequest::new(
            candidates[first].module.clone(),
            candidates[first].record_id.clone(),
        )
        .fields(FIELDS)
        .per_page(200);
        let mut listed = Vec::new();
        let mut failure = None;
        let mut stream = std::pin::pin!(client.list_attachments_stream(request));
        while let Some(item) = stream.next().await {
            match item {
                Ok(item) => listed.push(item),
                Err(error) => {
                    failure = Some(Failure::from_call(&error));
                    break;
                }
            }
        }
        for &index in indexes {
            if let Some(failure) = &failure {
                results[index] = Err(failure.clone());
                continue;
            }
            let candidate = &candidates[index];
            let earliest = candidate
                .since
                .map(|since| since - TimeDelta::minutes(CLOCK_SKEW_MINUTES));
            let found = listed.iter().find(|item| {
                !claimed.contains(&item.id)
                    && item.file_name.as_deref() == Some(candidate.name.as_str())
                    && item.size == Some(candidate.size)
                    && item.kind.as_deref() != Some("Link URL")
                    && match (earliest, item.created_time) {
                        (Some(earliest), Some(created)) => created >= earliest,
                        _ => true,
                    }
            });
            if let Some(item) = found {
                claimed.insert(item.id.clone());
                results[index] = Ok(Some(item.id.clone()));
            }
        }
    }
    results
}
