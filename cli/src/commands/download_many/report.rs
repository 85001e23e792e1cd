//! What is said about each record and file: a line of text (standard output for results,
//! standard error for problems) and, with `--json`, one JSON line each.

use serde::Serialize;

use crate::failure::Failure;
use crate::output::Output;

use super::records::{Duplicate, RecordLine};
use crate::csv_manifest::Invalid;

/// One result line in JSON: a file (an attachment, a photo or a field file), a link, a record
/// whose listing or read failed, or a manifest line.
#[derive(Serialize, Default)]
pub(super) struct ItemLine<'a> {
    pub(super) ok: bool,
    /// `downloaded`, `already_done`, `no_photo`, `link`, `error`, `interrupted`,
    /// `would_download`, `would_check_photo`, `would_add_link`, `duplicate` or `invalid`.
    pub(super) status: &'a str,
    /// `photo` or `field_file` (none for attachments).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) kind: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) line: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) module: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) record_id: Option<&'a str>,
    /// A field file's field (API name).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) field: Option<&'a str>,
    /// The attachment id, a photo's record id or a field file's entry id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) id: Option<&'a str>,
    /// The file's name in its record's directory (or the link's title).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) url: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) bytes: Option<u64>,
    /// A file downloaded: the SHA-256 of its bytes (as in the index).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) sha256: Option<&'a str>,
    /// Why a file an earlier run saved was downloaded again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) downloaded_again: Option<&'a str>,
    /// For a duplicate line: the line it repeats.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) duplicate_of: Option<u64>,
    #[serde(flatten)]
    pub(super) failure: Option<&'a Failure>,
}

/// A record whose listing or read failed (`what`: what was not done): those files are not
/// exported.
pub(super) fn record_failed(output: &Output, record: &RecordLine, what: &str, failure: &Failure) {
    let module = record.module.api_name();
    output.stderr(&format!(
        "error: line {} ({module} {}): {what}: {}",
        record.line,
        record.record_id,
        failure.describe()
    ));
    output.json_line(&ItemLine {
        status: "error",
        line: Some(record.line),
        module: Some(module),
        record_id: Some(&record.record_id),
        failure: Some(failure),
        ..ItemLine::default()
    });
}

/// A line of the manifest that names a record an earlier line names.
pub(super) fn duplicate(output: &Output, duplicate: &Duplicate) {
    output.stderr(&format!(
        "duplicate: line {} ({}): the same record as line {}, exported once",
        duplicate.line, duplicate.record, duplicate.first_line
    ));
    output.json_line(&ItemLine {
        ok: true,
        status: "duplicate",
        line: Some(duplicate.line),
        duplicate_of: Some(duplicate.first_line),
        ..ItemLine::default()
    });
}

/// An invalid line of the manifest.
pub(super) fn invalid(output: &Output, invalid: &Invalid, skipped: bool) {
    let verb = if skipped { "skipped" } else { "error" };
    output.stderr(&format!(
        "{verb}: line {}: {}",
        invalid.line, invalid.reason
    ));
    let failure = Failure::invalid(invalid.reason.clone());
    output.json_line(&ItemLine {
        status: "invalid",
        line: Some(invalid.line),
        failure: Some(&failure),
        ..ItemLine::default()
    });
}
