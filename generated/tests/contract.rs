//! Contract tests against what Zoho publishes: every example response of its CRM v8 attachments
//! API (`zoho/crm-oas`, `v8.0/attachments/`), rewritten with our own values in
//! `contract/fixtures.rs`, is served by the test kit over real HTTP and decoded by the real
//! client, per operation of ours:
//!
//! | Zoho              | ours                                                                 |
//! |-------------------|----------------------------------------------------------------------|
//! | uploadAttachment  | `upload_attachment`; `upload_link_attachment` at the default version and at v8 |
//! | getAttachments    | `list_attachments`                                                   |
//! | getAttachmentById | `download_attachment` (its success is the file itself)               |
//! | deleteAttachment  | `delete_attachment`, `delete_attachments` (per-item results)         |
//!
//! A success decodes to its value with the example's fields (those the spec names typed, the
//! others kept in `extra`, nulls read as absent); an error decodes to the operation's typed
//! variant with status, message, details and its documented case. A 429 is retried by every
//! operation and the retry reaches the test kit's normal handling; a 5xx is retried by reads and
//! deletes, never by uploads (the file may have been stored); other 4xx are never retried.
//!
//! One test runs every row, collects the failures (each named by operation and case), prints a
//! tally per operation and fails with the list.
//!
//! Record photos, the file store and the record operations of file fields
//! (`v8.0/record_photo/record_photo.yaml`, `v8.0/files/files.yaml`,
//! `v8.0/record/operations/{getRecord,updateRecord}/examples`): `contract/files.rs` runs their
//! rows (`contract/files_fixtures.rs`) through `upload_photo`, `download_photo`, `delete_photo`,
//! `upload_files`, `download_file`, `get_record` and `update_record`.

#[path = "contract/files.rs"]
mod files;
#[path = "contract/files_fixtures.rs"]
mod files_fixtures;
#[path = "contract/fixtures.rs"]
mod fixtures;
mod support;

use std::time::Duration;

use fixtures::{Example, Expect, Reply, Source};
use serde_json::{Map, Value, json};
use support::RECORD;
use zoho_crm::operations::{
    DeleteAttachmentError, DeleteAttachmentRequest, DeleteAttachmentResponse,
    DeleteAttachmentsError, DeleteAttachmentsRequest, DownloadAttachmentError,
    DownloadAttachmentRequest, ListAttachmentsError, ListAttachmentsRequest,
    ListAttachmentsResponse, UploadAttachmentError, UploadAttachmentRequest,
    UploadAttachmentResponse, UploadLinkAttachmentError, UploadLinkAttachmentRequest,
};
use zoho_crm::types::{Attachment, User};
use zoho_crm::{
    ApiVersion, Client, DocumentedError, Error, FileSource, Module, OperationError, RetryPolicy,
    UnreadableSuccess,
};
use zoho_crm_testkit::{CannedReply, LoopbackServer, StoredContent};

// ---- Checks that report instead of panicking, so every case runs and each failure is named ----

macro_rules! ensure {
    ($cond:expr, $($message:tt)+) => {
        if !$cond {
            return Err(format!($($message)+));
        }
    };
}

macro_rules! ensure_eq {
    ($got:expr, $expected:expr, $what:expr) => {{
        let (got, expected) = (&$got, &$expected);
        if got != expected {
            return Err(format!("{}: got {:?}, expected {:?}", $what, got, expected));
        }
    }};
}

// ---- The operations ---------------------------------------------------------------------

/// One of our operations, as run by these tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    UploadFile,
    /// A link upload at the client's default version (the link goes in the query string).
    UploadLink,
    /// A link upload at v8 (the link and title go in the multipart form).
    UploadLinkV8,
    List,
    Download,
    Delete,
    DeleteMany,
}

impl Op {
    const ALL: [Op; 7] = [
        Op::UploadFile,
        Op::UploadLink,
        Op::UploadLinkV8,
        Op::List,
        Op::Download,
        Op::Delete,
        Op::DeleteMany,
    ];

    fn name(self) -> &'static str {
        match self {
            Op::UploadFile => "upload_attachment",
            Op::UploadLink => "upload_link_attachment (default version)",
            Op::UploadLinkV8 => "upload_link_attachment (v8)",
            Op::List => "list_attachments",
            Op::Download => "download_attachment",
            Op::Delete => "delete_attachment",
            Op::DeleteMany => "delete_attachments",
        }
    }

    /// Zoho's operation, whose examples the op is run against.
    fn zoho(self) -> &'static str {
        match self {
            Op::UploadFile | Op::UploadLink | Op::UploadLinkV8 => "uploadAttachment",
            Op::List => "getAttachments",
            Op::Download => "getAttachmentById",
            Op::Delete | Op::DeleteMany => "deleteAttachment",
        }
    }

    fn examples(self) -> Vec<Example> {
        match self {
            Op::UploadFile | Op::UploadLink | Op::UploadLinkV8 => fixtures::upload_attachment(),
            Op::List => fixtures::get_attachments(),
            Op::Download => fixtures::get_attachment_by_id(),
            Op::Delete => fixtures::delete_attachment(),
            Op::DeleteMany => fixtures::delete_attachments(),
        }
    }

    fn is_upload(self) -> bool {
        matches!(self, Op::UploadFile | Op::UploadLink | Op::UploadLinkV8)
    }

    /// The API version in the request's path.
    fn version(self) -> &'static str {
        match self {
            Op::UploadFile | Op::UploadLink => zoho_crm::DEFAULT_API_VERSION.as_str(),
            _ => ApiVersion::V8.as_str(),
        }
    }

    /// The scope an `OAUTH_SCOPE_MISMATCH` resolution must name, and those it must not.
    fn scope(self) -> (&'static str, &'static [&'static str]) {
        match self {
            Op::UploadFile | Op::UploadLink | Op::UploadLinkV8 => (
                "attachments.CREATE",
                &["attachments.READ", "attachments.DELETE"],
            ),
            Op::List | Op::Download => (
                "attachments.READ",
                &["attachments.CREATE", "attachments.DELETE"],
            ),
            Op::Delete | Op::DeleteMany => ("attachments.DELETE", &["attachments.CREATE"]),
        }
    }

    /// Whether the client retries an answer with this status (with a retrying policy).
    fn retries(self, status: u16) -> bool {
        match status {
            429 => true,
            500..=599 => !self.is_upload(),
            _ => false,
        }
    }
}

// ---- What a call gave, the same shape for every operation ---------------------------------

/// An API error as the operation's typed error presents it.
#[derive(Clone, Debug, PartialEq)]
struct ApiFailure {
    /// The codes whose `is_*()` predicate says yes (exactly one for a typed variant, none for
    /// `Unknown`).
    typed_as: Vec<&'static str>,
    /// The codes whose predicate was asked (a variant the spec adds later is typed even before
    /// its predicate is added to the list in [`summarize!`]).
    asked: Vec<&'static str>,
    /// Whether it is the `Unknown` variant (a code the spec does not list for the operation).
    unknown: bool,
    code: String,
    message: String,
    status: u16,
    details: Map<String, Value>,
    documented: Option<DocumentedError>,
    resolution: Option<&'static str>,
    shown: String,
}

/// Summarises an operation's error enum through its own accessors and `is_*()` predicates.
trait Summarize {
    fn summarize(&self) -> ApiFailure;
}

macro_rules! summarize {
    ($error:ident { $($code:literal => $is:ident),* $(,)? }) => {
        impl Summarize for $error {
            fn summarize(&self) -> ApiFailure {
                let predicates = [
                    ("INVALID_MODULE", self.is_invalid_module()),
                    ("INVALID_URL_PATTERN", self.is_invalid_url_pattern()),
                    ("OAUTH_SCOPE_MISMATCH", self.is_oauth_scope_mismatch()),
                    ("NO_PERMISSION", self.is_no_permission()),
                    ("INTERNAL_ERROR", self.is_internal_error()),
                    ("INVALID_REQUEST_METHOD", self.is_invalid_request_method()),
                    ("AUTHORIZATION_FAILED", self.is_authorization_failed()),
                    ("INVALID_DATA", self.is_invalid_data()),
                    ("REQUIRED_PARAM_MISSING", self.is_required_param_missing()),
                    ("MANDATORY_NOT_FOUND", self.is_mandatory_not_found()),
                    ("INVALID_TOKEN", self.is_invalid_token()),
                    ("INVALID_OAUTHTOKEN", self.is_invalid_oauthtoken()),
                    ("AUTHENTICATION_FAILURE", self.is_authentication_failure()),
                    ("TOO_MANY_REQUESTS", self.is_too_many_requests()),
                    ("RATE_LIMIT_EXCEEDED", self.is_rate_limit_exceeded()),
                    ("SERVICE_UNAVAILABLE", self.is_service_unavailable()),
                    ("NOT_ALLOWED", self.is_not_allowed()),
                    ("INVALID_REQUEST", self.is_invalid_request()),
                    $(($code, self.$is()),)*
                ];
                ApiFailure {
                    typed_as: predicates
                        .iter()
                        .filter(|(_, yes)| *yes)
                        .map(|(code, _)| *code)
                        .collect(),
                    asked: predicates.iter().map(|(code, _)| *code).collect(),
                    unknown: matches!(self, $error::Unknown(_)),
                    code: self.code().to_owned(),
                    message: self.message().to_owned(),
                    status: self.http_status(),
                    details: self.details().clone(),
                    documented: self.documented().copied(),
                    resolution: self.resolution(),
                    shown: self.to_string(),
                }
            }
        }
    };
}

summarize!(UploadAttachmentError {
    "FILE_SIZE_MORE_THAN_ALLOWED_SIZE" => is_file_size_more_than_allowed_size,
    "BODY_SIZE_REACHED" => is_body_size_reached,
    "LIMIT_REACHED" => is_limit_reached,
});
summarize!(UploadLinkAttachmentError {
    "FILE_SIZE_MORE_THAN_ALLOWED_SIZE" => is_file_size_more_than_allowed_size,
    "BODY_SIZE_REACHED" => is_body_size_reached,
    "LIMIT_REACHED" => is_limit_reached,
});
summarize!(ListAttachmentsError {});
summarize!(DownloadAttachmentError {
    "DOWNLOAD_NOT_ALLOWED" => is_download_not_allowed,
});
summarize!(DeleteAttachmentError {});
summarize!(DeleteAttachmentsError {});

/// How a call failed.
#[derive(Debug)]
enum Failure {
    Api {
        error: ApiFailure,
        may_have_been_processed: bool,
        shown: String,
    },
    UnreadableSuccess {
        error: UnreadableSuccess,
        may_have_been_processed: bool,
        succeeded: bool,
        shown: String,
    },
    /// Anything else (validation, transport, decoding), as Debug text.
    Other(String),
}

fn failure<E: OperationError + Summarize>(error: Error<E>) -> Failure {
    let may_have_been_processed = error.may_have_been_processed();
    let succeeded = error.succeeded();
    let shown = error.to_string();
    match error {
        Error::Api(api) => Failure::Api {
            error: api.summarize(),
            may_have_been_processed,
            shown,
        },
        Error::UnreadableSuccess(unreadable) => Failure::UnreadableSuccess {
            error: unreadable,
            may_have_been_processed,
            succeeded,
            shown,
        },
        other => Failure::Other(format!("{other:?}")),
    }
}

/// A call's result, for failure messages.
fn describe(got: &Result<Got, Failure>) -> String {
    match got {
        Err(Failure::Other(text)) => format!("another error: {text}"),
        other => format!("{other:?}"),
    }
}

/// A downloaded file.
#[derive(Debug)]
struct Fetched {
    file_name: Option<String>,
    content_type: Option<String>,
    bytes: Vec<u8>,
}

/// What a call gave.
#[derive(Debug)]
enum Got {
    Uploaded(UploadAttachmentResponse),
    Page(ListAttachmentsResponse),
    File(Option<Fetched>),
    Deleted(DeleteAttachmentResponse),
    DeletedEach(Vec<Result<DeleteAttachmentResponse, Box<ApiFailure>>>),
}

// ---- Calling the client ---------------------------------------------------------------------

/// An attachment every case's server holds before the call: what downloads and deletes target,
/// and what a listing that reaches the normal server finds.
const SEED_NAME: &str = "planning-minutes-2026-01.txt";
const SEED_BYTES: &[u8] = b"Minutes of the January planning meeting: three visits booked.\n";
/// What the file upload sends.
const UPLOAD_NAME: &str = "quote-request-8812.csv";
const UPLOAD_BYTES: &[u8] = b"item,quantity\noak shelf,4\nbrass hinge,16\n";
/// What the link uploads send.
const LINK_URL: &str = "https://docs.example.com/proposals/q1-2026";
const LINK_TITLE: &str = "Q1 proposal";
/// The fields a v8 listing asks for (mandatory from v3).
const LIST_FIELDS: [&str; 8] = [
    "File_Name",
    "Size",
    "$type",
    "$link_url",
    "Created_Time",
    "Owner",
    "Parent_Id",
    "$file_id",
];

/// Fast retries, so the retried cases cost milliseconds.
fn fast_retries() -> RetryPolicy {
    RetryPolicy::default()
        .with_max_attempts(3)
        .with_initial_backoff(Duration::from_millis(1))
        .with_max_backoff(Duration::from_millis(5))
        .with_max_retry_after(Duration::from_secs(1))
        .with_retry_unsafe_after_send(false)
}

fn client(server: &LoopbackServer, policy: RetryPolicy) -> Result<Client, String> {
    Client::builder()
        .base_url(server.base_url())
        .access_token(server.token())
        .retry_policy(policy)
        .total_timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| format!("cannot build the client: {e}"))
}

async fn call(op: Op, client: &Client, seeded: &str) -> Result<Got, Failure> {
    match op {
        Op::UploadFile => client
            .upload_attachment(UploadAttachmentRequest::new(
                Module::Leads,
                RECORD,
                FileSource::from_bytes(UPLOAD_NAME, UPLOAD_BYTES),
            ))
            .await
            .map(Got::Uploaded)
            .map_err(failure),
        Op::UploadLink => client
            .upload_link_attachment(UploadLinkAttachmentRequest::new(
                Module::Leads,
                RECORD,
                LINK_URL,
            ))
            .await
            .map(Got::Uploaded)
            .map_err(failure),
        Op::UploadLinkV8 => client
            .upload_link_attachment(
                UploadLinkAttachmentRequest::new(Module::Leads, RECORD, LINK_URL)
                    .title(LINK_TITLE)
                    .version(ApiVersion::V8),
            )
            .await
            .map(Got::Uploaded)
            .map_err(failure),
        Op::List => client
            .list_attachments(
                ListAttachmentsRequest::new(Module::Leads, RECORD)
                    .fields(LIST_FIELDS)
                    .version(ApiVersion::V8),
            )
            .await
            .map(Got::Page)
            .map_err(failure),
        Op::Download => {
            let request = DownloadAttachmentRequest::new(Module::Leads, RECORD, seeded)
                .version(ApiVersion::V8);
            let Some(download) = client.download_attachment(request).await.map_err(failure)? else {
                return Ok(Got::File(None));
            };
            let file_name = download.file_name().map(str::to_owned);
            let content_type = download.content_type().map(str::to_owned);
            let mut bytes = Vec::new();
            download
                .write_to(&mut bytes)
                .await
                .map_err(|e| Failure::Other(format!("reading the download: {e}")))?;
            Ok(Got::File(Some(Fetched {
                file_name,
                content_type,
                bytes,
            })))
        }
        Op::Delete => client
            .delete_attachment(
                DeleteAttachmentRequest::new(Module::Leads, RECORD, seeded).version(ApiVersion::V8),
            )
            .await
            .map(Got::Deleted)
            .map_err(failure),
        Op::DeleteMany => client
            .delete_attachments(
                DeleteAttachmentsRequest::new(Module::Leads, RECORD, [seeded])
                    .version(ApiVersion::V8),
            )
            .await
            .map(|results| {
                Got::DeletedEach(
                    results
                        .into_iter()
                        .map(|item| item.map_err(|e| Box::new(e.summarize())))
                        .collect(),
                )
            })
            .map_err(failure),
    }
}

/// Checks that each request the call sent went where the operation goes, at its version, and
/// that a link travelled in the query string up to v7 and in the form from v8 on.
fn check_requests(
    op: Op,
    requests: &[zoho_crm_testkit::ReceivedRequest],
    seeded: &str,
) -> Result<(), String> {
    let collection = format!("/crm/{}/Leads/{RECORD}/Attachments", op.version());
    for request in requests {
        let (method, path) = match op {
            Op::UploadFile | Op::UploadLink | Op::UploadLinkV8 => ("POST", collection.clone()),
            Op::List => ("GET", collection.clone()),
            Op::DeleteMany => ("DELETE", collection.clone()),
            Op::Download => ("GET", format!("{collection}/{seeded}")),
            Op::Delete => ("DELETE", format!("{collection}/{seeded}")),
        };
        ensure_eq!(request.method.as_str(), method, "request method");
        ensure_eq!(request.path, path, "request path");
        let query = request.query.as_deref().unwrap_or_default();
        let multipart = request
            .content_type
            .as_deref()
            .is_some_and(|ct| ct.starts_with("multipart/form-data"));
        match op {
            Op::UploadFile => ensure!(multipart, "the file upload was not multipart: {request:?}"),
            Op::UploadLink => ensure!(
                query.contains("attachmentUrl=") && !multipart,
                "a link up to v7 goes in the query string with no form: {request:?}"
            ),
            Op::UploadLinkV8 => ensure!(
                !query.contains("attachmentUrl") && multipart,
                "a link at v8 goes in the multipart form: {request:?}"
            ),
            Op::List => ensure!(query.contains("fields="), "no fields: {request:?}"),
            Op::DeleteMany => ensure!(
                query.contains(&format!("ids={seeded}")),
                "no ids: {request:?}"
            ),
            Op::Download | Op::Delete => {}
        }
    }
    Ok(())
}

// ---- Running one row --------------------------------------------------------------------

async fn run_case(op: Op, example: Example) -> Result<(), String> {
    let server = LoopbackServer::start()
        .await
        .map_err(|e| format!("cannot start the test kit: {e}"))?;
    let seeded = server.insert_file("Leads", RECORD, SEED_NAME, SEED_BYTES);
    let canned = || match &example.reply {
        Reply::Json(body) => CannedReply::json(example.status, body.clone()),
        Reply::Binary {
            content_type,
            bytes,
        } => CannedReply::raw(example.status, Some(content_type), bytes.to_vec()),
        Reply::Empty => CannedReply::raw(example.status, None, Vec::new()),
    };
    let retrying = client(&server, fast_retries())?;

    if example.expect != Expect::Error {
        server.respond_next_with(canned());
        let got = call(op, &retrying, &seeded).await;
        ensure_eq!(server.request_count(), 1, "requests sent");
        check_requests(op, &server.requests(), &seeded)?;
        ensure_eq!(
            server.attachment_count(),
            1,
            "stored attachments (a canned answer stores and deletes nothing)"
        );
        return check_success(op, &example, got);
    }

    // The typed error, as a client that never retries sees it.
    let Reply::Json(body) = &example.reply else {
        return Err("an error row needs a JSON body".into());
    };
    let never = client(&server, RetryPolicy::never())?;
    server.respond_next_with(canned());
    let got = call(op, &never, &seeded).await;
    ensure_eq!(server.request_count(), 1, "requests sent without retries");
    let first = check_error(op, &example, body, got)?;

    // The same answer to a client that retries.
    server.respond_next_with(canned());
    let stored_before = server.attachment_count();
    let got = call(op, &retrying, &seeded).await;
    let requests = server.requests();
    check_requests(op, &requests, &seeded)?;
    ensure_eq!(server.pending_faults(), 0, "canned answers left unused");
    if op.retries(example.status) {
        ensure_eq!(
            requests.len() - 1,
            2,
            "requests sent with retries (the answer, then the normal server)"
        );
        check_served_normally(op, got, &server, &seeded, stored_before)
    } else {
        ensure_eq!(
            requests.len() - 1,
            1,
            "requests sent with retries (this answer is never retried)"
        );
        ensure_eq!(
            server.attachment_count(),
            stored_before,
            "stored attachments"
        );
        match got {
            Err(Failure::Api {
                error,
                may_have_been_processed,
                ..
            }) => {
                ensure_eq!(error, first, "the error a retrying client returns");
                ensure_eq!(
                    may_have_been_processed,
                    example.status >= 500,
                    "may_have_been_processed() with retries"
                );
                Ok(())
            }
            other => Err(format!("a retrying client got {}", describe(&other))),
        }
    }
}

/// Checks an error row's typed error; returns it for comparison with the retrying client's.
fn check_error(
    op: Op,
    example: &Example,
    body: &Value,
    got: Result<Got, Failure>,
) -> Result<ApiFailure, String> {
    let Err(Failure::Api {
        error,
        may_have_been_processed,
        shown,
    }) = got
    else {
        return Err(format!("expected an API error, got {}", describe(&got)));
    };
    let item = match body.get("data").and_then(|data| data.get(0)) {
        Some(item) => item,
        None => body,
    };
    let text = |key: &str| item.get(key).and_then(Value::as_str).unwrap_or_default();
    let code = text("code");
    check_api_failure(op, &error, code, text("message"), example.status, item)?;
    ensure_eq!(
        may_have_been_processed,
        example.status >= 500,
        "may_have_been_processed()"
    );
    ensure!(
        shown.contains(code) && shown.contains(text("message")),
        "the error's text does not name its code and message: {shown}"
    );
    Ok(error)
}

/// Checks a typed error against the code, message, status and details Zoho sent.
fn check_api_failure(
    op: Op,
    error: &ApiFailure,
    code: &str,
    message: &str,
    status: u16,
    item: &Value,
) -> Result<(), String> {
    ensure!(
        !error.unknown,
        "decoded as the Unknown variant, not a typed one: the spec does not list {code} for this \
         operation (is_*() predicates that hold: {:?})",
        error.typed_as
    );
    let expected: &[&str] = if error.asked.contains(&code) {
        &[code]
    } else {
        &[]
    };
    ensure!(
        error.typed_as == expected,
        "the is_*() predicates that hold are {:?}, expected {expected:?}",
        error.typed_as
    );
    ensure_eq!(error.code, code, "code()");
    ensure_eq!(error.message, message, "message()");
    ensure_eq!(error.status, status, "http_status()");
    let details = item.get("details").cloned().unwrap_or_default();
    ensure_eq!(Value::Object(error.details.clone()), details, "details()");
    let Some(case) = error.documented else {
        return Err(format!(
            "documented() is None for {code} {status} {message:?}: the spec has no case it matches"
        ));
    };
    ensure_eq!(case.code, code, "documented().code");
    if let Some(documented_message) = case.message {
        ensure!(
            documented_message
                .trim()
                .eq_ignore_ascii_case(message.trim()),
            "documented() is the case {documented_message:?}, not {message:?}"
        );
    }
    ensure_eq!(error.resolution, Some(case.resolution), "resolution()");
    ensure!(!case.resolution.trim().is_empty(), "an empty resolution");
    if code == "OAUTH_SCOPE_MISMATCH" {
        let (names, never) = op.scope();
        ensure!(
            case.resolution.contains(names),
            "the scope resolution does not name {names}: {}",
            case.resolution
        );
        for other in never {
            ensure!(
                !case.resolution.contains(other),
                "the scope resolution names {other}: {}",
                case.resolution
            );
        }
    }
    ensure!(
        error.shown.contains(code) && error.shown.contains(message),
        "Display does not show code and message: {}",
        error.shown
    );
    Ok(())
}

/// After a retried answer: the call ends with the normal server's result.
fn check_served_normally(
    op: Op,
    got: Result<Got, Failure>,
    server: &LoopbackServer,
    seeded: &str,
    stored_before: usize,
) -> Result<(), String> {
    match (op, got) {
        (Op::UploadFile | Op::UploadLink | Op::UploadLinkV8, Ok(Got::Uploaded(uploaded))) => {
            ensure_eq!(uploaded.code, "SUCCESS", "code of the retried upload");
            ensure_eq!(
                server.attachment_count(),
                stored_before + 1,
                "stored attachments after the retried upload"
            );
            let stored = server.attachments();
            let new: Vec<_> = stored.iter().filter(|a| a.id != seeded).collect();
            ensure_eq!(new.len(), 1, "uploads stored (exactly once)");
            ensure_eq!(new[0].id, uploaded.details.id, "the stored upload's id");
            match (&new[0].content, op) {
                (
                    StoredContent::File {
                        file_name, bytes, ..
                    },
                    Op::UploadFile,
                ) => {
                    ensure_eq!(file_name.as_str(), UPLOAD_NAME, "stored file name");
                    ensure_eq!(bytes.as_deref(), Some(UPLOAD_BYTES), "stored bytes");
                }
                (StoredContent::Link { url }, Op::UploadLink | Op::UploadLinkV8) => {
                    ensure_eq!(url.as_str(), LINK_URL, "stored link");
                    let title = (op == Op::UploadLinkV8).then_some(LINK_TITLE);
                    ensure_eq!(new[0].title.as_deref(), title, "stored title");
                }
                (content, _) => return Err(format!("stored the wrong kind: {content:?}")),
            }
            Ok(())
        }
        (Op::List, Ok(Got::Page(page))) => {
            ensure_eq!(page.data.len(), 1, "listed attachments");
            let item = &page.data[0];
            ensure_eq!(item.id.as_str(), seeded, "listed id");
            ensure_eq!(item.file_name.as_deref(), Some(SEED_NAME), "listed name");
            ensure_eq!(item.size, Some(SEED_BYTES.len() as u64), "listed size");
            ensure_eq!(item.kind.as_deref(), Some("File"), "listed $type");
            Ok(())
        }
        (Op::Download, Ok(Got::File(Some(file)))) => {
            ensure_eq!(file.bytes.as_slice(), SEED_BYTES, "downloaded bytes");
            ensure_eq!(
                file.file_name.as_deref(),
                Some(SEED_NAME),
                "downloaded name"
            );
            Ok(())
        }
        (Op::Delete, Ok(Got::Deleted(deleted))) => {
            ensure_eq!(deleted.details.id.as_str(), seeded, "deleted id");
            ensure_eq!(server.attachment_count(), 0, "attachments left");
            Ok(())
        }
        (Op::DeleteMany, Ok(Got::DeletedEach(results))) => {
            let ids: Vec<_> = results
                .iter()
                .map(|r| r.as_ref().map(|d| d.details.id.as_str()))
                .collect();
            ensure_eq!(ids, vec![Ok(seeded)], "per-item results");
            ensure_eq!(server.attachment_count(), 0, "attachments left");
            Ok(())
        }
        (_, got) => Err(format!(
            "the retry should have ended with the normal server's result, got {}",
            describe(&got)
        )),
    }
}

/// Checks a success row (and the unreadable-success rows).
fn check_success(op: Op, example: &Example, got: Result<Got, Failure>) -> Result<(), String> {
    match (example.expect, got) {
        (Expect::UploadedFull, Ok(Got::Uploaded(uploaded))) => {
            check_action(&uploaded, "attachment uploaded successfully")?;
            let details = &uploaded.details;
            ensure_eq!(details.id.as_str(), fixtures::UPLOADED_ID, "details.id");
            let time = Some(time(fixtures::UPLOADED_TIME)?);
            ensure_eq!(details.created_time, time, "details.Created_Time");
            ensure_eq!(details.modified_time, time, "details.Modified_Time");
            let uploader = json!({"name": fixtures::UPLOADER.0, "id": fixtures::UPLOADER.1});
            check_user(
                details.created_by.as_ref(),
                fixtures::UPLOADER,
                &uploader,
                "Created_By",
            )?;
            check_user(
                details.modified_by.as_ref(),
                fixtures::UPLOADER,
                &uploader,
                "Modified_By",
            )?;
            ensure!(
                details.extra.is_empty(),
                "details.extra: {:?}",
                details.extra
            );
            Ok(())
        }
        (Expect::UploadedIdOnly, Ok(Got::Uploaded(uploaded))) => {
            check_action(&uploaded, "attachment uploaded successfully")?;
            let details = &uploaded.details;
            ensure_eq!(details.id.as_str(), fixtures::UPLOADED_ID, "details.id");
            ensure!(
                details.created_time.is_none()
                    && details.modified_time.is_none()
                    && details.created_by.is_none()
                    && details.modified_by.is_none()
                    && details.extra.is_empty(),
                "the fields Zoho left out are not None: {details:?}"
            );
            Ok(())
        }
        (
            Expect::UnreadableSuccess,
            Err(Failure::UnreadableSuccess {
                error,
                may_have_been_processed,
                succeeded,
                shown,
            }),
        ) => {
            ensure!(
                shown.starts_with("succeeded"),
                "the error's text must start with \"succeeded\": {shown}"
            );
            ensure!(
                error.to_string().starts_with("succeeded"),
                "UnreadableSuccess's text must start with \"succeeded\": {error}"
            );
            let lower = shown.to_lowercase();
            ensure!(
                !lower.contains("not uploaded") && !lower.contains("not sent"),
                "an unreadable success must not read as a failure: {shown}"
            );
            ensure!(
                may_have_been_processed,
                "may_have_been_processed() is false"
            );
            ensure!(succeeded, "succeeded() is false");
            ensure_eq!(error.status, example.status, "UnreadableSuccess.status");
            Ok(())
        }
        (Expect::ListedFileAndLink, Ok(Got::Page(page))) => check_file_and_link(&page),
        (Expect::ListedNothing, Ok(Got::Page(page))) => {
            ensure!(
                page.data.is_empty(),
                "items on an empty page: {:?}",
                page.data
            );
            let Some(info) = &page.info else {
                return Err("info is missing".into());
            };
            ensure_eq!(info.count, Some(0), "info.count");
            ensure_eq!(info.per_page, Some(200), "info.per_page");
            ensure_eq!(info.page, Some(1), "info.page");
            ensure_eq!(info.more_records, Some(false), "info.more_records");
            ensure!(
                info.next_page_token.is_none()
                    && info.previous_page_token.is_none()
                    && info.page_token_expiry.is_none(),
                "null page tokens must decode to None: {info:?}"
            );
            ensure!(page.extra.is_empty(), "page.extra: {:?}", page.extra);
            Ok(())
        }
        (Expect::ListedWithPageTokens, Ok(Got::Page(page))) => {
            ensure_eq!(page.data.len(), 1, "items");
            check_item(&page.data[0], &fixtures::FILE_ITEM)?;
            let Some(info) = &page.info else {
                return Err("info is missing".into());
            };
            ensure_eq!(
                info.next_page_token.as_deref(),
                Some(fixtures::NEXT_PAGE_TOKEN),
                "info.next_page_token"
            );
            ensure_eq!(
                info.previous_page_token.as_deref(),
                Some(fixtures::PREVIOUS_PAGE_TOKEN),
                "info.previous_page_token"
            );
            ensure_eq!(
                info.page_token_expiry,
                Some(time(fixtures::PAGE_TOKEN_EXPIRY)?),
                "info.page_token_expiry"
            );
            ensure_eq!(info.more_records, Some(true), "info.more_records");
            ensure_eq!(info.per_page, Some(1), "info.per_page");
            Ok(())
        }
        (Expect::Downloaded, Ok(Got::File(Some(file)))) => {
            let Reply::Binary {
                content_type,
                bytes,
            } = &example.reply
            else {
                return Err("a download row needs a binary reply".into());
            };
            ensure_eq!(file.bytes.as_slice(), *bytes, "downloaded bytes");
            ensure_eq!(
                file.content_type.as_deref(),
                Some(*content_type),
                "content type"
            );
            ensure_eq!(
                file.file_name,
                None,
                "file name (the answer has no Content-Disposition)"
            );
            Ok(())
        }
        (Expect::NothingToDownload, Ok(Got::File(None))) => Ok(()),
        (Expect::Deleted, Ok(Got::Deleted(deleted))) if op == Op::Delete => {
            check_action(&deleted, "record deleted")?;
            ensure_eq!(
                deleted.details.id.as_str(),
                fixtures::DELETED_ID,
                "details.id"
            );
            ensure!(
                deleted.details.extra.is_empty(),
                "details.extra: {:?}",
                deleted.details.extra
            );
            Ok(())
        }
        (Expect::Deleted, Ok(Got::DeletedEach(results))) if op == Op::DeleteMany => {
            ensure_eq!(results.len(), 1, "per-item results");
            let Ok(deleted) = &results[0] else {
                return Err(format!("the item failed: {:?}", results[0]));
            };
            check_action(deleted, "record deleted")?;
            ensure_eq!(
                deleted.details.id.as_str(),
                fixtures::DELETED_ID,
                "details.id"
            );
            Ok(())
        }
        (Expect::DeletedOneOfTwo, Ok(Got::DeletedEach(results))) if op == Op::DeleteMany => {
            ensure_eq!(results.len(), 2, "per-item results");
            let Ok(deleted) = &results[0] else {
                return Err(format!("the first item failed: {:?}", results[0]));
            };
            check_action(deleted, "record deleted")?;
            ensure_eq!(
                deleted.details.id.as_str(),
                fixtures::DELETED_ID,
                "data[0].details.id"
            );
            let Err(refused) = &results[1] else {
                return Err(format!("the second item succeeded: {:?}", results[1]));
            };
            let Reply::Json(body) = &example.reply else {
                return Err("a JSON row".into());
            };
            let item = body
                .get("data")
                .and_then(|data| data.get(1))
                .cloned()
                .unwrap_or_default();
            check_api_failure(
                op,
                refused,
                "INVALID_DATA",
                "record not deleted",
                example.status,
                &item,
            )
            .map_err(|e| format!("data[1]: {e}"))?;
            ensure_eq!(
                refused.details.get("id"),
                Some(&Value::from(fixtures::NOT_DELETED_ID)),
                "data[1].details.id"
            );
            Ok(())
        }
        (expect, got) => Err(format!("expected {expect:?}, got {}", describe(&got))),
    }
}

fn check_action<T>(action: &zoho_crm::ActionResponse<T>, message: &str) -> Result<(), String> {
    ensure_eq!(action.code.as_str(), "SUCCESS", "code");
    ensure_eq!(action.message.as_str(), message, "message");
    ensure_eq!(action.status.as_str(), "success", "status");
    ensure!(action.extra.is_empty(), "extra: {:?}", action.extra);
    Ok(())
}

fn time(text: &str) -> Result<chrono::DateTime<chrono::FixedOffset>, String> {
    chrono::DateTime::parse_from_rfc3339(text).map_err(|e| format!("fixture time {text}: {e}"))
}

fn check_user(
    user: Option<&User>,
    (name, id): (&str, &str),
    sent: &Value,
    what: &str,
) -> Result<(), String> {
    let Some(user) = user else {
        return Err(format!("{what} is missing"));
    };
    ensure_eq!(user.name.as_deref(), Some(name), format!("{what}.name"));
    ensure_eq!(user.id.as_deref(), Some(id), format!("{what}.id"));
    check_kept(what, user, &user.extra, sent, &json!({}), |u: &User| {
        &u.extra
    })
}

/// Whether two wire values are the same: equal, or the same instant written as RFC 3339.
fn same_value(a: &Value, b: &Value) -> bool {
    if a == b {
        return true;
    }
    match (a.as_str(), b.as_str()) {
        (Some(a), Some(b)) => matches!(
            (
                chrono::DateTime::parse_from_rfc3339(a),
                chrono::DateTime::parse_from_rfc3339(b),
            ),
            (Ok(a), Ok(b)) if a == b && a.offset() == b.offset()
        ),
        _ => false,
    }
}

/// Checks that `decoded` keeps every field of `sent` (a JSON object), nulls included: a field
/// the spec does not name is in `extra` with the value sent; a field the spec names is typed
/// (it is not in `extra`, and serialises back to the value sent; a null reads as absent).
/// Whether the spec names a field is asked of the type itself: a `probe` object with the field
/// added is decoded, and the field is named when it does not land in that value's `extra`.
/// Nested objects (users, the parent) are compared by their own checks. Nothing the server did
/// not send may appear.
fn check_kept<T: serde::Serialize + serde::de::DeserializeOwned>(
    what: &str,
    decoded: &T,
    extra: &Map<String, Value>,
    sent: &Value,
    probe: &Value,
    extra_of: fn(&T) -> &Map<String, Value>,
) -> Result<(), String> {
    let Value::Object(sent) = sent else {
        return Err(format!("{what}: the fixture is not an object"));
    };
    let back = serde_json::to_value(decoded).map_err(|e| format!("{what}: serialise: {e}"))?;
    for (key, value) in sent {
        let mut probed = probe.clone();
        probed[key.as_str()] = value.clone();
        let probed: T = serde_json::from_value(probed)
            .map_err(|e| format!("{what}.{key}: {value} alone does not decode: {e}"))?;
        let named = !extra_of(&probed).contains_key(key);
        if !named {
            ensure_eq!(
                extra.get(key),
                Some(value),
                format!("{what}.{key}, a field the spec does not name, kept in extra")
            );
            continue;
        }
        ensure!(
            !extra.contains_key(key),
            "{what}.{key} is typed and also in extra"
        );
        if value.is_object() {
            ensure!(
                back.get(key).is_some_and(Value::is_object),
                "{what}.{key} was dropped"
            );
            continue;
        }
        let typed = back.get(key).unwrap_or(&Value::Null);
        ensure!(
            same_value(typed, value),
            "{what}.{key} (typed) reads back as {typed}, but {value} was sent"
        );
    }
    if let Value::Object(back) = &back {
        for key in back.keys() {
            ensure!(
                sent.contains_key(key),
                "{what}.{key} appeared, but was not sent"
            );
        }
    }
    Ok(())
}

/// One v8 listing item against the fixture it came from: the known fields typed (Size as a
/// number), the others kept with their values (nulls included), nothing dropped.
fn check_item(item: &Attachment, expected: &fixtures::Item) -> Result<(), String> {
    let id = expected.id;
    ensure_eq!(item.id.as_str(), id, "id");
    ensure_eq!(
        item.file_name.as_deref(),
        Some(expected.file_name),
        format!("{id} File_Name")
    );
    ensure_eq!(
        item.size,
        Some(expected.size),
        format!("{id} Size, read as a number")
    );
    ensure_eq!(
        item.kind.as_deref(),
        Some(expected.kind),
        format!("{id} $type")
    );
    ensure_eq!(
        item.link_url.as_deref(),
        expected.link_url,
        format!("{id} $link_url")
    );
    ensure_eq!(
        item.file_id.as_deref(),
        expected.file_id,
        format!("{id} $file_id")
    );
    ensure_eq!(
        item.se_module.as_deref(),
        Some(expected.se_module),
        format!("{id} $se_module")
    );
    ensure_eq!(item.state.as_deref(), Some("save"), format!("{id} $state"));
    ensure_eq!(item.editable, Some(true), format!("{id} $editable"));
    ensure_eq!(
        item.sharing_permission,
        None,
        format!("{id} $sharing_permission (not sent)")
    );
    let time = Some(time(expected.time)?);
    ensure_eq!(item.created_time, time, format!("{id} Created_Time"));
    ensure_eq!(item.modified_time, time, format!("{id} Modified_Time"));

    let sent = fixtures::list_item(expected);
    check_kept(
        &format!("item {id}"),
        item,
        &item.extra,
        &sent,
        &json!({"id": "1"}),
        |a: &Attachment| &a.extra,
    )?;
    // The fields Zoho's v8 listing adds, by value, wherever they are kept.
    let back = serde_json::to_value(item).map_err(|e| format!("serialise: {e}"))?;
    for (key, value) in [
        ("$attachment_type", Value::from(expected.attachment_type)),
        (
            "Attachment_Source__s",
            Value::from(expected.attachment_source),
        ),
        (
            "File_Id__s",
            expected.file_id_s.map_or(Value::Null, Value::from),
        ),
        ("Record_Status__s", Value::from(expected.record_status)),
        ("$field_states", Value::Null),
    ] {
        let kept = item.extra.get(key).or_else(|| back.get(key));
        ensure!(
            kept.unwrap_or(&Value::Null) == &value,
            "{id} {key}: sent {value}, kept {kept:?}"
        );
    }

    let user = (expected.user.0, expected.user.1);
    for (what, value) in [
        ("Owner", &item.owner),
        ("Created_By", &item.created_by),
        ("Modified_By", &item.modified_by),
    ] {
        check_user(
            value.as_ref(),
            user,
            &sent[what],
            &format!("item {id} {what}"),
        )?;
        ensure_eq!(
            serde_json::to_value(value)
                .ok()
                .and_then(|u| u.get("email").cloned()),
            Some(Value::from(expected.user.2)),
            format!("item {id} {what}.email")
        );
    }
    let Some(parent) = &item.parent else {
        return Err(format!("{id} Parent_Id is missing"));
    };
    ensure_eq!(
        parent.name.as_deref(),
        Some(expected.parent.0),
        format!("{id} Parent_Id.name")
    );
    ensure_eq!(
        parent.id.as_deref(),
        Some(expected.parent.1),
        format!("{id} Parent_Id.id")
    );
    check_kept(
        &format!("item {id} Parent_Id"),
        parent,
        &parent.extra,
        &sent["Parent_Id"],
        &json!({}),
        |p: &zoho_crm::types::Parent| &p.extra,
    )
}

fn check_file_and_link(page: &ListAttachmentsResponse) -> Result<(), String> {
    ensure_eq!(page.data.len(), 2, "items");
    check_item(&page.data[0], &fixtures::FILE_ITEM)?;
    check_item(&page.data[1], &fixtures::LINK_ITEM)?;
    let Some(info) = &page.info else {
        return Err("info is missing".into());
    };
    ensure_eq!(info.per_page, Some(200), "info.per_page");
    ensure_eq!(info.count, Some(2), "info.count");
    ensure_eq!(info.page, Some(1), "info.page");
    ensure_eq!(info.more_records, Some(false), "info.more_records");
    ensure!(
        info.next_page_token.is_none()
            && info.previous_page_token.is_none()
            && info.page_token_expiry.is_none(),
        "null page tokens must decode to None: {info:?}"
    );
    ensure!(info.extra.is_empty(), "info.extra: {:?}", info.extra);
    ensure!(page.extra.is_empty(), "page.extra: {:?}", page.extra);
    Ok(())
}

// ---- The tests --------------------------------------------------------------------------------

/// Passed and run rows of one source.
#[derive(Default)]
struct Count {
    passed: usize,
    run: usize,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn zoho_examples_decode_as_documented_through_every_operation() {
    let mut failures = Vec::new();
    let mut tallies = Vec::new();
    for op in Op::ALL {
        let runs: Vec<_> = op
            .examples()
            .into_iter()
            .map(|example| {
                let label = (example.source, example.name, example.status);
                (label, tokio::spawn(run_case(op, example)))
            })
            .collect();
        let (mut published, mut added) = (Count::default(), Count::default());
        for ((source, name, status), run) in runs {
            let result = match run.await {
                Ok(result) => result,
                Err(e) => Err(format!("the case panicked: {e}")),
            };
            let count = match source {
                Source::Published => &mut published,
                Source::Added => &mut added,
            };
            count.run += 1;
            match result {
                Ok(()) => count.passed += 1,
                Err(why) => failures.push(format!(
                    "{} <- {} {status} {name:?}: {why}",
                    op.name(),
                    op.zoho()
                )),
            }
        }
        tallies.push(format!(
            "contract: {} {}/{} {} examples and {}/{} added cases decoded as documented",
            op.name(),
            published.passed,
            published.run,
            op.zoho(),
            added.passed,
            added.run
        ));
    }
    for tally in &tallies {
        println!("{tally}");
    }
    assert!(
        failures.is_empty(),
        "{} case(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The table holds every example Zoho publishes per operation (the fullest lists, in
/// `v8.0/attachments/mds/examples/`), in Zoho's shapes, and none of Zoho's own values.
#[test]
fn the_table_holds_zohos_examples_in_its_shapes_with_our_values() {
    let published = |rows: Vec<Example>| -> Vec<(u16, &'static str)> {
        rows.into_iter()
            .filter(|row| row.source == Source::Published)
            .map(|row| (row.status, row.name))
            .collect()
    };
    let common = [
        (400, "InvalidUrl"),
        (400, "MandatoryNotFound"),
        (400, "InvalidData"),
        (400, "RequiredParamMissing"),
        (400, "InvalidRecordId"),
        (400, "InvalidModule"),
        (401, "InvalidToken"),
        (403, "InsufficientScope"),
        (404, "RecordNotFound"),
        (404, "AttachmentNotFound"),
    ];
    let throttled = [
        (429, "RateLimitExceeded"),
        (500, "ServerError"),
        (503, "Maintenance"),
    ];
    let mut upload = vec![(200, "SuccessfulUpload")];
    upload.extend(common);
    upload.push((413, "FileSizeExceeded"));
    upload.extend(throttled);
    assert_eq!(published(fixtures::upload_attachment()), upload);
    let mut list = vec![(200, "MultipleAttachments"), (200, "EmptyList")];
    list.extend(common);
    list.extend(throttled);
    assert_eq!(published(fixtures::get_attachments()), list);
    let mut download = vec![
        (400, "LinkAttachmentError"),
        (400, "InvalidRecordId"),
        (400, "InvalidModule"),
        (401, "InvalidToken"),
        (403, "InsufficientScope"),
        (404, "RecordNotFound"),
        (404, "AttachmentNotFound"),
    ];
    download.extend(throttled);
    assert_eq!(published(fixtures::get_attachment_by_id()), download);
    let delete = vec![
        (200, "SuccessfulDeletion"),
        (400, "InvalidData"),
        (400, "InvalidAttachmentId"),
        (400, "AlreadyDeleted"),
        (400, "InvalidModule"),
    ];
    assert_eq!(published(fixtures::delete_attachment()), delete);

    let all: Vec<Example> = [
        fixtures::upload_attachment(),
        fixtures::get_attachments(),
        fixtures::get_attachment_by_id(),
        fixtures::delete_attachments(),
    ]
    .into_iter()
    .flatten()
    .collect();
    for row in &all {
        let Reply::Json(body) = &row.reply else {
            continue;
        };
        // Error rows have exactly Zoho's four keys, status "error" and an object as details.
        if row.expect == Expect::Error {
            let Value::Object(map) = body else {
                panic!("{}: not an object", row.name);
            };
            let mut keys: Vec<&str> = map.keys().map(String::as_str).collect();
            keys.sort_unstable();
            assert_eq!(
                keys,
                ["code", "details", "message", "status"],
                "{}",
                row.name
            );
            assert_eq!(body["status"], "error", "{}", row.name);
            assert!(body["details"].is_object(), "{}", row.name);
        }
        // Our values, not Zoho's.
        let text = body.to_string();
        for theirs in [
            "2876819",
            "zohocorp",
            "John",
            "Jane",
            "Admin User",
            "Q4_Report",
            "google",
            "file123",
            "2025-12-",
        ] {
            assert!(
                !text.contains(theirs),
                "{}: holds Zoho's value {theirs}",
                row.name
            );
        }
    }
}
