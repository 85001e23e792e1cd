//! What is said about each manifest line: the text on standard error and the JSON result
//! line of a failed, interrupted, duplicate or invalid line.

use serde::Serialize;

use crate::commands::upload::{print_failure, verdict};
use crate::csv_manifest::Invalid;
use crate::failure::Failure;
use crate::interrupt::Signal;
use crate::output::Output;

use super::manifest::{Duplicate, Entry};
use super::shared::Shared;

/// One manifest line's result line in JSON.
#[derive(Serialize)]
pub(super) struct ItemLine<'a> {
    pub(super) ok: bool,
    pub(super) status: &'static str,
    pub(super) line: u64,
    pub(super) path: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) file: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) module: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) record_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) bytes: Option<u64>,
    /// For a duplicate: the line it repeats.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) duplicate_of: Option<u64>,
    /// For an upload that may have been stored: the command that shows whether it was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) check: Option<&'a str>,
    #[serde(flatten)]
    pub(super) failure: Option<&'a Failure>,
}

impl<'a> ItemLine<'a> {
    pub(super) fn of(entry: &'a Entry, status: &'static str) -> Self {
        ItemLine {
            ok: matches!(
                status,
                "ok" | "stored-unverified" | "found_on_record" | "already_in_zoho" | "duplicate"
            ),
            status,
            line: entry.line,
            path: &entry.path,
            file: Some(&entry.name),
            module: Some(entry.module.api_name()),
            record_id: Some(&entry.record_id),
            id: None,
            bytes: None,
            duplicate_of: None,
            check: None,
            failure: None,
        }
    }
}

pub(super) fn report_failure(shared: &Shared, entry: &Entry, failure: &Failure) {
    let output = &shared.output;
    let check = failure.is_unknown().then(|| {
        shared
            .recheck
            .list(entry.module.api_name(), &entry.record_id)
    });
    let what = format!("line {} ({})", entry.line, entry.path);
    print_failure(output, &what, failure, check.as_deref());
    if check.is_some() {
        output.stderr(
            "  or re-run with --retry-unknown, which uploads it only if it is not on the record",
        );
    }
    output.json_line(&ItemLine {
        check: check.as_deref(),
        failure: Some(failure),
        ..ItemLine::of(entry, verdict(failure).1)
    });
}

/// An upload abandoned in flight by a signal: the body may have reached the server.
pub(super) fn report_interrupted(shared: &Shared, entry: &Entry, signal: Signal) {
    let check = shared
        .recheck
        .list(entry.module.api_name(), &entry.record_id);
    shared.output.stderr(&format!(
        "error: line {} ({}): may have been stored: {} stopped it in flight; the next run checks the record before sending it again (or check with: {check})",
        entry.line,
        entry.path,
        signal.name()
    ));
    shared.output.json_line(&ItemLine {
        check: Some(&check),
        ..ItemLine::of(entry, "interrupted")
    });
}

pub(super) fn report_duplicate(output: &Output, duplicate: &Duplicate) {
    let entry = &duplicate.entry;
    output.stderr(&format!(
        "duplicate: line {} ({}): the same file for the same record as line {}, uploaded once (pass --allow-duplicates to upload it again)",
        entry.line, entry.path, duplicate.first_line
    ));
    output.json_line(&ItemLine {
        duplicate_of: Some(duplicate.first_line),
        ..ItemLine::of(entry, "duplicate")
    });
}

pub(super) fn report_invalid(output: &Output, invalid: &Invalid, skipped: bool) {
    let path = invalid.path.as_deref().unwrap_or("");
    let place = if path.is_empty() {
        format!("line {}", invalid.line)
    } else {
        format!("line {} ({path})", invalid.line)
    };
    let verb = if skipped { "skipped" } else { "error" };
    output.stderr(&format!("{verb}: {place}: {}", invalid.reason));
    let failure = Failure::invalid(invalid.reason.clone());
    output.json_line(&ItemLine {
        ok: false,
        status: "invalid",
        line: invalid.line,
        path,
        file: None,
        module: None,
        record_id: None,
        id: None,
        bytes: None,
        duplicate_of: None,
        check: None,
        failure: Some(&failure),
    });
}
