//! Whether an upload whose result is unknown (or that a killed run left in flight) is on the
//! record after all: the record's attachments are listed and one with the same name and size,
//! created no earlier than the second the attempt started in and not already claimed by
//! another journal record, counts as it.
//!
//! There is no allowance for clock skew: an attachment created before the attempt started
//! (by our clock) is never taken for it, so an older file of the same name and size cannot
//! make a run skip a file it never sent. Zoho's `Created_Time` has second precision, so the
//! comparison is at the second: anything created in the second the attempt started, or later,
//! counts. (If Zoho's clock were behind ours, a stored upload could be missed and sent again:
//! a duplicate, which the user can see and delete, rather than a file silently never sent.)

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, FixedOffset, SubsecRound as _};
use futures_util::StreamExt as _;
use zoho_crm::operations::ListAttachmentsRequest;
use zoho_crm::types::Attachment;
use zoho_crm::{Client, Module};

use crate::failure::{Failure, Kind};

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
    /// When the attempt started, if the journal says.
    pub since: Option<DateTime<FixedOffset>>,
    /// Any attachment of the same name and size counts, whatever its age (`since` is not
    /// looked at).
    pub any_age: bool,
}

/// Whether a listed attachment is the upload a candidate describes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Verdict {
    /// The same name, size and kind, created since the attempt started.
    Same,
    /// Not it.
    Other,
    /// The same name, size and kind, but whether it is as new cannot be told.
    Undecidable,
}

fn verdict(item: &Attachment, candidate: &Candidate) -> Verdict {
    let alike = item.file_name.as_deref() == Some(candidate.name.as_str())
        && item.size == Some(candidate.size)
        && item.kind.as_deref() != Some("Link URL");
    if !alike {
        return Verdict::Other;
    }
    if candidate.any_age {
        return Verdict::Same;
    }
    match (candidate.since, item.created_time) {
        (Some(since), Some(created)) if created >= since.trunc_subsecs(0) => Verdict::Same,
        (Some(_), Some(_)) => Verdict::Other,
        _ => Verdict::Undecidable,
    }
}

/// For each candidate, the id of the attachment that is it (`None`: not on the record), or why
/// that cannot be said (the record cannot be listed; a look-alike has no creation time, or the
/// journal no start time). `attached` holds ids other records already account for.
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
        let candidate = &candidates[first];
        let listed = match list(client, &candidate.module, &candidate.record_id).await {
            Ok(listed) => listed,
            Err(failure) => {
                for &index in indexes {
                    results[index] = Err(failure.clone());
                }
                continue;
            }
        };
        for &index in indexes {
            let candidate = &candidates[index];
            let unclaimed = || listed.iter().filter(|item| !claimed.contains(&item.id));
            if let Some(item) = unclaimed().find(|item| verdict(item, candidate) == Verdict::Same) {
                claimed.insert(item.id.clone());
                results[index] = Ok(Some(item.id.clone()));
            } else if unclaimed().any(|item| verdict(item, candidate) == Verdict::Undecidable) {
                results[index] = Err(Failure::new(
                    Kind::Decode,
                    "CANNOT_TELL",
                    format!(
                        "the record has an attachment named {} of {} bytes, but whether it is this upload cannot be told (no creation time, or no start time in the journal)",
                        candidate.name, candidate.size
                    ),
                ));
            }
        }
    }
    results
}

/// Every attachment of `module`'s record `record_id` (links too), every page, 200 a call.
pub async fn list(
    client: &Client,
    module: &Module,
    record_id: &str,
) -> Result<Vec<Attachment>, Failure> {
    let request = ListAttachmentsRequest::new(module.clone(), record_id.to_owned())
        .fields(FIELDS)
        .per_page(200);
    let mut listed = Vec::new();
    let mut stream = std::pin::pin!(client.list_attachments_stream(request));
    while let Some(item) = stream.next().await {
        listed.push(item.map_err(|error| Failure::from_call(&error))?);
    }
    Ok(listed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(name: &str, size: u64, created: Option<&str>) -> Attachment {
        let mut value = serde_json::json!({"id": "1", "File_Name": name, "Size": size.to_string(), "$type": "File"});
        if let Some(created) = created {
            value["Created_Time"] = serde_json::json!(created);
        }
        match serde_json::from_value(value) {
            Ok(item) => item,
            Err(e) => panic!("{e}"),
        }
    }

    fn candidate(since: Option<&str>) -> Candidate {
        Candidate {
            module: Module::Leads,
            record_id: "1".into(),
            name: "a.txt".into(),
            size: 3,
            since: since.and_then(|s| DateTime::parse_from_rfc3339(s).ok()),
            any_age: false,
        }
    }

    #[test]
    fn only_attachments_from_the_second_the_attempt_started_on_count() {
        let started = candidate(Some("2024-05-05T05:33:33.900Z"));
        // Created in the same second (Zoho drops the fraction): it.
        let same_second = item("a.txt", 3, Some("2024-05-05T05:33:33+00:00"));
        assert_eq!(verdict(&same_second, &started), Verdict::Same);
        // In another zone, later.
        let later = item("a.txt", 3, Some("2024-05-05T11:03:40+05:30"));
        assert_eq!(verdict(&later, &started), Verdict::Same);
        // One second before: an older file, never taken for this upload.
        let older = item("a.txt", 3, Some("2024-05-05T05:33:32+00:00"));
        assert_eq!(verdict(&older, &started), Verdict::Other);
        // Another name or size: not it.
        let other = item("a.txt", 4, Some("2024-05-05T05:33:40+00:00"));
        assert_eq!(verdict(&other, &started), Verdict::Other);
        // No time on either side: cannot tell.
        let untimed = item("a.txt", 3, None);
        assert_eq!(verdict(&untimed, &started), Verdict::Undecidable);
        assert_eq!(verdict(&later, &candidate(None)), Verdict::Undecidable);
    }

    #[test]
    fn any_age_takes_every_attachment_of_the_same_name_and_size() {
        let existing = Candidate {
            any_age: true,
            ..candidate(Some("2024-05-05T05:33:33Z"))
        };
        let older = item("a.txt", 3, Some("2020-01-01T00:00:00+00:00"));
        assert_eq!(verdict(&older, &existing), Verdict::Same);
        assert_eq!(verdict(&item("a.txt", 3, None), &existing), Verdict::Same);
        assert_eq!(verdict(&item("a.txt", 4, None), &existing), Verdict::Other);
        assert_eq!(verdict(&item("b.txt", 3, None), &existing), Verdict::Other);
    }
}
