//! What the server records (requests, stored attachments) and what tests can queue
//! (canned replies and other [`Fault`]s), plus the shared state behind a running server.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::header::{
    AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue,
    TRANSFER_ENCODING,
};
use axum::http::{StatusCode, request};
use axum::response::Response;

use crate::storage::Storage;
use crate::tokens::TokenRegistry;

/// One HTTP request as it reached the server, recorded on arrival (before any check).
#[derive(Clone, Debug)]
pub struct ReceivedRequest {
    /// The request method, e.g. `"POST"`.
    pub method: String,
    /// The request path as sent (still percent-encoded), without the query.
    pub path: String,
    /// The query string without the leading `?`, if the URL had one.
    pub query: Option<String>,
    /// The `Authorization` header (non-UTF-8 bytes replaced with U+FFFD).
    pub authorization: Option<String>,
    /// The `Content-Type` header.
    pub content_type: Option<String>,
    /// The `Content-Length` header, if present and a valid number.
    pub content_length: Option<u64>,
    /// The `Transfer-Encoding` header (e.g. `"chunked"`).
    pub transfer_encoding: Option<String>,
    /// The HTTP version it came with: `"HTTP/1.1"`, `"HTTP/2.0"` (or `"HTTP/1.0"`).
    pub http_version: String,
    /// When its head arrived (on the server's clock), to check how requests were paced.
    pub received_at: Instant,
}

impl ReceivedRequest {
    /// Records the method, URI and the headers of interest from a request's head.
    pub fn from_parts(parts: &request::Parts) -> Self {
        let headers = &parts.headers;
        Self {
            method: parts.method.as_str().to_owned(),
            path: parts.uri.path().to_owned(),
            query: parts.uri.query().map(str::to_owned),
            authorization: header_string(headers, &AUTHORIZATION),
            content_type: header_string(headers, &CONTENT_TYPE),
            content_length: header_string(headers, &CONTENT_LENGTH)
                .and_then(|value| value.trim().parse().ok()),
            transfer_encoding: header_string(headers, &TRANSFER_ENCODING),
            http_version: format!("{:?}", parts.version),
            received_at: Instant::now(),
        }
    }
}

fn header_string(headers: &HeaderMap, name: &HeaderName) -> Option<String> {
    headers
        .get(name)
        .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
}

/// An attachment the server accepted and stored.
#[derive(Clone, Debug)]
pub struct StoredAttachment {
    /// The attachment id returned in the success reply (an 18-digit string).
    pub id: String,
    /// The API version segment of the URL, e.g. `"v2"`.
    pub version: String,
    /// The module API name from the URL (percent-decoded), e.g. `"Leads"`.
    pub module: String,
    /// The record id from the URL (percent-decoded).
    pub record_id: String,
    /// The uploaded file or link.
    pub content: StoredContent,
    /// When it was stored, as Zoho writes times (`2021-05-05T05:33:33+00:00`): the
    /// `Created_Time` and `Modified_Time` of the upload reply and of list items.
    pub created_time: String,
    /// A link's title (the `title` form field or query parameter), if one was sent. Always
    /// `None` for files.
    pub title: Option<String>,
    /// File or link (the same as [`StoredAttachment::content`]'s variant).
    pub kind: AttachmentKind,
}

/// Whether an attachment is a file or a link.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttachmentKind {
    /// An uploaded file ([`StoredContent::File`]).
    File,
    /// A link ([`StoredContent::Link`]).
    Link,
}

impl AttachmentKind {
    /// The kind of `content`.
    pub fn of(content: &StoredContent) -> Self {
        match content {
            StoredContent::File { .. } => Self::File,
            StoredContent::Link { .. } => Self::Link,
        }
    }

    /// The value of `$type` in list items: `"File"` or `"Link URL"`.
    pub fn zoho_type(self) -> &'static str {
        match self {
            Self::File => "File",
            Self::Link => "Link URL",
        }
    }
}

/// How the server answers a list request with no attachment on the requested page (set
/// with [`crate::LoopbackServer::set_empty_list_style`]). Zoho has been seen doing both.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum EmptyList {
    /// HTTP 204 with no body (the default).
    #[default]
    NoContent,
    /// HTTP 200 with `{"data":[],"info":{..,"count":0,..,"more_records":false}}`.
    EmptyData,
}

/// Which form of `Content-Disposition` downloads carry (set with
/// [`crate::LoopbackServer::set_disposition_style`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Disposition {
    /// [`Disposition::Rfc5987`] when the file name has non-ASCII characters, else
    /// [`Disposition::Quoted`] (the default).
    #[default]
    Auto,
    /// `attachment; filename="name"`, with `"` and `\` backslash-escaped, control
    /// characters replaced by `_` and non-ASCII characters sent as raw UTF-8.
    Quoted,
    /// `attachment; filename*=UTF-8''name` with the name percent-encoded (RFC 5987: every
    /// byte but letters, digits and ``!#$&+-.^_`|~`` as `%XX`).
    Rfc5987,
    /// `attachment; filename="fallback"; filename*=UTF-8''name`, where the fallback is the
    /// quoted form of the name with every non-ASCII character replaced by `_` (so a client
    /// that ignores `filename*` gets a different name for non-ASCII names).
    Both,
}

/// What was attached: a file (`file` form field) or a link (`attachmentUrl` form field).
#[derive(Clone, Debug)]
pub enum StoredContent {
    /// An uploaded file.
    File {
        /// The file name exactly as multer returned it from the part's `Content-Disposition`.
        file_name: String,
        /// The part's `Content-Type`, if it had one.
        content_type: Option<String>,
        /// The number of content bytes received.
        size: u64,
        /// The SHA-256 of the content.
        sha256: [u8; 32],
        /// The full content, kept only when `size` is at most the server's keep-bytes limit
        /// ([`crate::KEEP_BYTES_LIMIT`] unless changed).
        bytes: Option<Vec<u8>>,
    },
    /// A link attachment.
    Link {
        /// The `attachmentUrl` value as sent.
        url: String,
    },
}

/// A reply a test queues with [`crate::LoopbackServer::respond_next_with`], served instead
/// of normal handling.
#[derive(Clone, Debug)]
pub struct CannedReply {
    /// The HTTP status code. A value `http` can't represent (outside 100..=999) is served
    /// as 500.
    pub status: u16,
    /// The `Content-Type` header, if any. A value that isn't a valid header is left out.
    pub content_type: Option<String>,
    /// The response body.
    pub body: Vec<u8>,
}

impl CannedReply {
    /// A reply with a JSON body and `Content-Type: application/json`.
    pub fn json(status: u16, body: serde_json::Value) -> Self {
        Self {
            status,
            content_type: Some("application/json".to_owned()),
            body: body.to_string().into_bytes(),
        }
    }

    /// A reply with any body and an optional `Content-Type`.
    pub fn raw(status: u16, content_type: Option<&str>, body: impl Into<Vec<u8>>) -> Self {
        Self {
            status,
            content_type: content_type.map(str::to_owned),
            body: body.into(),
        }
    }

    /// Turns the reply into an HTTP response.
    pub fn into_response(self) -> Response {
        let mut response = Response::new(Body::from(self.body));
        *response.status_mut() =
            StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        if let Some(value) = self
            .content_type
            .and_then(|ct| HeaderValue::from_str(&ct).ok())
        {
            response.headers_mut().insert(CONTENT_TYPE, value);
        }
        response
    }
}

/// A fault a test queues with [`crate::LoopbackServer::push_fault`] to exercise a client's
/// retries and error handling.
///
/// Faults are served first queued, first served, one per request: the next request that
/// reaches the server (any method and path; it is recorded in
/// [`crate::LoopbackServer::requests`] first) takes the oldest fault and is handled as it
/// says. "Normal handling" below means the usual checks and storing.
#[derive(Clone, Debug)]
pub enum Fault {
    /// Read the request body to the end, then send this reply instead of normal handling
    /// (what [`crate::LoopbackServer::respond_next_with`] queues).
    Reply(CannedReply),
    /// Read the request body to the end, then answer 429
    /// `{"code":"TOO_MANY_REQUESTS","details":{},"message":"too many requests","status":"error"}`,
    /// with a `Retry-After` header carrying exactly `retry_after` if it is `Some` (e.g. `"1"`
    /// or an HTTP date; a value that isn't a valid header value is left out).
    TooManyRequests {
        /// The `Retry-After` header value, if any.
        retry_after: Option<String>,
    },
    /// Expire every token in the server's [`TokenRegistry`]
    /// ([`TokenRegistry::expire_all`]), then handle the request normally (so it gets 401
    /// `INVALID_TOKEN`, unless it is rejected for another reason first).
    ExpireTokensFirst,
    /// Close the TCP connection right after the request head, reading none of the body and
    /// sending no HTTP response at all. The server shuts its write side first, so the client
    /// reads end of file; if the client is still sending, it may also see a reset.
    DropBeforeBody,
    /// Read the whole request, then close the connection with no HTTP response.
    /// With `store: true` the request is handled normally first (a valid upload is stored,
    /// as by a server that stored it and then lost the connection); with `store: false` the
    /// body is only read and discarded.
    DropAfterBody {
        /// Whether to handle (and so store) the upload normally before dropping.
        store: bool,
    },
    /// Read the whole request, then answer `status` (500 if not a valid status code) with
    /// `{"code":"INTERNAL_ERROR","details":{},"message":"Internal Server Error","status":"error"}`.
    /// With `store: true` the request is handled normally first (a valid upload is stored)
    /// and its reply replaced; with `store: false` the body is only read and discarded.
    StatusAfterBody {
        /// The HTTP status to answer with.
        status: u16,
        /// Whether to handle (and so store) the upload normally first.
        store: bool,
    },
    /// Handle the request normally, then send the reply's head with the full
    /// `Content-Length` but only the first `after_bytes` bytes of its body, then close the
    /// connection (a client must notice the short body). Meant for downloads (the file is
    /// read from disk only up to that point), but applies to any reply with a body longer
    /// than `after_bytes`; a shorter body is sent whole, normally. The server lets the sent
    /// bytes drain (about 100 ms) before closing, so a client that keeps reading gets
    /// exactly `after_bytes` bytes.
    TruncateBody {
        /// How many body bytes to send before closing.
        after_bytes: u64,
    },
    /// Handle the request normally; if it is a successful download, its
    /// `Content-Disposition` header is exactly this value instead of the computed one (to
    /// test path traversal, e.g. `attachment; filename="../../etc/passwd"`, or malformed
    /// values). A value that isn't a valid header value (control characters) leaves the
    /// header out. On any other request the fault has no effect (it is still used up).
    Disposition(String),
    /// Wait `duration`, then handle the request normally: before reading the body
    /// (`before_body: true`; with `Expect: 100-continue` the `100 Continue` is delayed too),
    /// or after normal handling has read (and stored) it, just before answering.
    Stall {
        /// Whether the wait comes before the body is read (else just before the answer).
        before_body: bool,
        /// How long to wait.
        duration: Duration,
    },
    /// Read the request body to the end, then answer `status` (302 if not a valid status code)
    /// with `Location: location` (exactly as given, e.g. `http://127.0.0.2:PORT/steal` for
    /// "another host", or a path on this server) and an empty body, instead of normal handling:
    /// nothing is stored. A `location` that isn't a valid header value leaves the header out.
    Redirect {
        /// The HTTP status, e.g. 301, 302, 303, 307 or 308.
        status: u16,
        /// The `Location` header value.
        location: String,
    },
    /// Handle the request normally, then send the reply's head at once (with the body's full
    /// `Content-Length` when it is known) and its body one byte every `interval` (a
    /// `Duration::from_secs(1)` interval drips one byte a second). The server stops when the
    /// client goes away.
    Drip {
        /// The wait before each byte.
        interval: Duration,
    },
    /// Handle the request normally, then send the reply's body encoded with `coding` (with
    /// `Content-Encoding` and the encoded `Content-Length`). A body of unknown length or over
    /// [`crate::hostile::MAX_ENCODED_BODY`] bytes is sent unencoded.
    Encode(crate::hostile::Coding),
    /// Read the request body to the end, then answer `status` (502 if not a valid status code)
    /// with a `text/plain` body echoing the request line and every header as received,
    /// `Authorization` included, as a misconfigured gateway does. Nothing is stored.
    Echo {
        /// The HTTP status.
        status: u16,
    },
}

/// How list answers page (set with [`crate::LoopbackServer::set_paging`]): honestly, or in one
/// of the ways a confused server loops a client that trusts it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Paging {
    /// `more_records` is true exactly when records follow the page (the default).
    #[default]
    Honest,
    /// Every answer says `more_records: true`, past the last record too (with a
    /// `next_page_token` from v8 on), so pages past the end are empty (a 200 with `data: []`,
    /// whatever [`EmptyList`] says) but claim more.
    Endless,
    /// From v8: an answer to a request that sent a `page_token` gives that same token as
    /// `next_page_token`, with `more_records: true`. (The first page, asked without a token,
    /// pages honestly.)
    RepeatToken,
    /// `page` and `page_token` are ignored: every answer is the first page, with
    /// `more_records: true`.
    IgnorePage,
}

/// The first attachment id handed out; later ones count up from it.
pub const FIRST_ATTACHMENT_ID: u64 = 738_964_000_002_118_002;

/// One stored attachment and the file holding its content, if it is on disk.
#[derive(Debug)]
struct Entry {
    attachment: StoredAttachment,
    file: Option<PathBuf>,
}

impl Entry {
    fn belongs_to(&self, module: &str, record_id: &str) -> bool {
        self.attachment.module == module && self.attachment.record_id == record_id
    }
}

/// What a list item shows of an attachment (no file bytes).
#[derive(Clone, Debug)]
pub(crate) struct Summary {
    pub(crate) id: String,
    pub(crate) module: String,
    pub(crate) record_id: String,
    pub(crate) kind: AttachmentKind,
    /// The file name; for a link its title, or its URL if it has none.
    pub(crate) file_name: String,
    /// The file size; 0 for links.
    pub(crate) size: u64,
    pub(crate) created_time: String,
    /// The URL of a link.
    pub(crate) link_url: Option<String>,
}

/// What a download finds.
#[derive(Debug)]
pub(crate) enum Found {
    /// A link: nothing to download.
    Link,
    /// A file.
    File {
        file_name: String,
        content_type: Option<String>,
        size: u64,
        /// Where the content is on disk.
        path: Option<PathBuf>,
        /// The content, only when it is not on disk.
        bytes: Option<Vec<u8>>,
    },
}

/// What the `details` of an upload's success answer hold (set with
/// [`crate::LoopbackServer::set_upload_details`]). Zoho's OpenAPI description gives both.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum UploadDetails {
    /// The id, created and modified time and user, as the seed page's sample (the default).
    #[default]
    Full,
    /// `{"id": "..."}` alone.
    IdOnly,
}

/// The switchable answer styles.
#[derive(Clone, Copy, Debug, Default)]
struct Styles {
    empty_list: EmptyList,
    disposition: Disposition,
    upload_details: UploadDetails,
    paging: Paging,
}

/// State shared between a [`crate::LoopbackServer`] handle and its request handlers.
#[derive(Debug)]
pub struct Shared {
    /// The access tokens accepted in `Authorization: Zoho-oauthtoken <token>`.
    pub tokens: TokenRegistry,
    /// The accepted custom module API names.
    pub custom_modules: Vec<String>,
    /// Files up to this many bytes keep their content.
    pub keep_bytes_limit: AtomicU64,
    pub(crate) storage: Storage,
    next_id: AtomicU64,
    requests: Mutex<Vec<ReceivedRequest>>,
    entries: Mutex<Vec<Entry>>,
    faults: Mutex<VecDeque<Fault>>,
    connections: AtomicUsize,
    styles: Mutex<Styles>,
    /// The latency, concurrency cap and credits imposed on every call.
    pub(crate) gate: std::sync::Arc<crate::conditions::Gate>,
    /// The stats endpoint's switch and the TLS fronts it reports.
    pub(crate) stats: crate::stats::StatsSources,
    /// Record photos, the file store and file-upload fields.
    pub(crate) files: crate::file_state::FileState,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Shared {
    /// New, empty state for a server accepting the static `token` (in a registry of its
    /// own) and `custom_modules`.
    pub fn new(token: &str, custom_modules: Vec<String>) -> Self {
        let tokens = TokenRegistry::new();
        tokens.add_static(token);
        Self::with_tokens(tokens, custom_modules)
    }

    /// New, empty state for a server accepting the tokens valid in `tokens` and
    /// `custom_modules`. The directory for uploaded files is created on first use.
    pub fn with_tokens(tokens: TokenRegistry, custom_modules: Vec<String>) -> Self {
        Self {
            tokens,
            custom_modules,
            keep_bytes_limit: AtomicU64::new(crate::KEEP_BYTES_LIMIT),
            storage: Storage::default(),
            next_id: AtomicU64::new(0),
            requests: Mutex::new(Vec::new()),
            entries: Mutex::new(Vec::new()),
            faults: Mutex::new(VecDeque::new()),
            connections: AtomicUsize::new(0),
            styles: Mutex::new(Styles::default()),
            gate: std::sync::Arc::default(),
            stats: crate::stats::StatsSources::default(),
            files: crate::file_state::FileState::default(),
        }
    }

    /// Whether an `Authorization` header value is `Zoho-oauthtoken <token>` with a token
    /// that is valid in [`Shared::tokens`].
    pub fn is_authorized(&self, authorization: Option<&HeaderValue>) -> bool {
        authorization
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Zoho-oauthtoken "))
            .is_some_and(|token| self.tokens.is_valid(token))
    }

    /// Whether `module` is one of the 17 named modules, one of [`crate::LATER_MODULES`] in a
    /// version that has it, or a configured custom module.
    pub fn is_supported_module(&self, module: &str, version: &str) -> bool {
        let position = |v: &str| {
            crate::SUPPORTED_VERSIONS
                .iter()
                .position(|known| *known == v)
        };
        let later = crate::LATER_MODULES
            .iter()
            .any(|(name, since)| *name == module && position(version) >= position(since));
        crate::SUPPORTED_MODULES.contains(&module)
            || later
            || self.custom_modules.iter().any(|m| m == module)
    }

    /// Appends a received request.
    pub fn record_request(&self, request: ReceivedRequest) {
        lock(&self.requests).push(request);
    }

    /// A copy of all received requests, in arrival order.
    pub fn requests(&self) -> Vec<ReceivedRequest> {
        lock(&self.requests).clone()
    }

    /// How many requests were received.
    pub fn request_count(&self) -> usize {
        lock(&self.requests).len()
    }

    /// How many requests were received, and how many of them over HTTP/2 (one reading).
    pub(crate) fn request_counts(&self) -> (usize, usize) {
        let requests = lock(&self.requests);
        let http2 = requests
            .iter()
            .filter(|request| request.http_version == "HTTP/2.0")
            .count();
        (requests.len(), http2)
    }

    /// Appends a stored attachment as it is (its id is not changed; its content is not on
    /// disk, so a download serves [`StoredContent::File::bytes`], or nothing if they were
    /// not kept).
    pub fn store_attachment(&self, attachment: StoredAttachment) {
        lock(&self.entries).push(Entry {
            attachment,
            file: None,
        });
    }

    /// Stores `attachment` under the next attachment id (replacing its `id`), with its
    /// content in `file` if given, and returns the id. Ids are handed out under the same
    /// lock as the list is appended to, so list order is id order.
    pub(crate) fn add(&self, mut attachment: StoredAttachment, file: Option<PathBuf>) -> String {
        let mut entries = lock(&self.entries);
        let id = self.next_attachment_id();
        attachment.id.clone_from(&id);
        entries.push(Entry { attachment, file });
        id
    }

    /// A copy of all stored attachments, in order.
    pub fn attachments(&self) -> Vec<StoredAttachment> {
        lock(&self.entries)
            .iter()
            .map(|entry| entry.attachment.clone())
            .collect()
    }

    /// How many attachments are stored.
    pub fn attachment_count(&self) -> usize {
        lock(&self.entries).len()
    }

    /// The attachments of one record, oldest first.
    pub(crate) fn summaries(&self, module: &str, record_id: &str) -> Vec<Summary> {
        lock(&self.entries)
            .iter()
            .filter(|entry| entry.belongs_to(module, record_id))
            .map(|entry| {
                let attachment = &entry.attachment;
                let (file_name, size, link_url) = match &attachment.content {
                    StoredContent::File {
                        file_name, size, ..
                    } => (file_name.clone(), *size, None),
                    StoredContent::Link { url } => (
                        attachment.title.clone().unwrap_or_else(|| url.clone()),
                        0,
                        Some(url.clone()),
                    ),
                };
                Summary {
                    id: attachment.id.clone(),
                    module: attachment.module.clone(),
                    record_id: attachment.record_id.clone(),
                    kind: attachment.kind,
                    file_name,
                    size,
                    created_time: attachment.created_time.clone(),
                    link_url,
                }
            })
            .collect()
    }

    /// The attachment `id` of one record, for a download.
    pub(crate) fn find(&self, module: &str, record_id: &str, id: &str) -> Option<Found> {
        let entries = lock(&self.entries);
        let entry = entries
            .iter()
            .find(|entry| entry.attachment.id == id && entry.belongs_to(module, record_id))?;
        Some(match &entry.attachment.content {
            StoredContent::Link { .. } => Found::Link,
            StoredContent::File {
                file_name,
                content_type,
                size,
                bytes,
                ..
            } => Found::File {
                file_name: file_name.clone(),
                content_type: content_type.clone(),
                size: *size,
                path: entry.file.clone(),
                bytes: if entry.file.is_some() {
                    None
                } else {
                    bytes.clone()
                },
            },
        })
    }

    /// Removes the attachment `id` of one record; `Some(file)` if it was there, with the
    /// path of its content (the caller removes the file).
    pub(crate) fn remove(
        &self,
        module: &str,
        record_id: &str,
        id: &str,
    ) -> Option<Option<PathBuf>> {
        let mut entries = lock(&self.entries);
        let at = entries
            .iter()
            .position(|entry| entry.attachment.id == id && entry.belongs_to(module, record_id))?;
        Some(entries.remove(at).file)
    }

    /// The stored content of the file attachment `id`: from disk if it is there, else the
    /// kept bytes. `None` for links and unknown ids.
    pub fn file_bytes(&self, id: &str) -> Option<Vec<u8>> {
        let (path, bytes) = {
            let entries = lock(&self.entries);
            let entry = entries.iter().find(|entry| entry.attachment.id == id)?;
            match &entry.attachment.content {
                StoredContent::Link { .. } => return None,
                StoredContent::File { bytes, .. } => match &entry.file {
                    Some(path) => (Some(path.clone()), None),
                    None => (None, bytes.clone()),
                },
            }
        };
        match path {
            Some(path) => std::fs::read(path).ok(),
            None => bytes,
        }
    }

    /// Queues a canned reply (as [`Fault::Reply`]).
    pub fn push_canned(&self, reply: CannedReply) {
        self.push_fault(Fault::Reply(reply));
    }

    /// Queues a fault.
    pub fn push_fault(&self, fault: Fault) {
        lock(&self.faults).push_back(fault);
    }

    /// Takes the oldest queued fault, if any.
    pub fn pop_fault(&self) -> Option<Fault> {
        lock(&self.faults).pop_front()
    }

    /// How many faults are queued.
    pub fn pending_faults(&self) -> usize {
        lock(&self.faults).len()
    }

    /// Counts an accepted TCP connection.
    pub fn count_connection(&self) {
        self.connections.fetch_add(1, Ordering::Relaxed);
    }

    /// How many TCP connections were accepted.
    pub fn connection_count(&self) -> usize {
        self.connections.load(Ordering::Relaxed)
    }

    /// Hands out the next attachment id (18 digits).
    pub fn next_attachment_id(&self) -> String {
        let n = self.next_id.fetch_add(1, Ordering::Relaxed);
        FIRST_ATTACHMENT_ID.wrapping_add(n).to_string()
    }

    /// The current keep-bytes limit.
    pub fn keep_bytes_limit(&self) -> u64 {
        self.keep_bytes_limit.load(Ordering::Relaxed)
    }

    /// How list requests with nothing on the page are answered.
    pub fn empty_list_style(&self) -> EmptyList {
        lock(&self.styles).empty_list
    }

    /// Sets how list requests with nothing on the page are answered.
    pub fn set_empty_list_style(&self, style: EmptyList) {
        lock(&self.styles).empty_list = style;
    }

    /// How list answers page.
    pub fn paging(&self) -> Paging {
        lock(&self.styles).paging
    }

    /// Sets how list answers page.
    pub fn set_paging(&self, paging: Paging) {
        lock(&self.styles).paging = paging;
    }

    /// What upload answers' `details` hold.
    pub fn upload_details(&self) -> UploadDetails {
        lock(&self.styles).upload_details
    }

    /// Sets what upload answers' `details` hold.
    pub fn set_upload_details(&self, style: UploadDetails) {
        lock(&self.styles).upload_details = style;
    }

    /// The `Content-Disposition` form of downloads.
    pub fn disposition_style(&self) -> Disposition {
        lock(&self.styles).disposition
    }

    /// Sets the `Content-Disposition` form of downloads.
    pub fn set_disposition_style(&self, style: Disposition) {
        lock(&self.styles).disposition = style;
    }
}
