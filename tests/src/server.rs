//! The loopback server: binding, request routing and the Zoho checks, in Zoho's order.
//!
//! Every request goes to one handler, which records it, applies a queued [`Fault`] if
//! there is one (see there), and otherwise checks, in this order: the token (401
//! `INVALID_TOKEN`), the URL (404 `INVALID_URL_PATTERN`), the method (400
//! `INVALID_REQUEST_METHOD`), the module (400 `INVALID_MODULE`), the record id (400
//! `INVALID_DATA`), then what the operation needs.
//!
//! # Routes
//!
//! Record photos, the file store and file-upload fields have routes of their own (see
//! `routes.rs`, [`crate::photos`], [`crate::file_store`] and [`crate::file_fields`]) and go
//! through the same checks (the file store, naming no module or record, skips those two),
//! faults and conditions. The attachment routes:
//!
//! Paths are `/crm/{version}/{module}/{record_id}/Attachments` (the collection) and
//! `/crm/{version}/{module}/{record_id}/Attachments/{attachment_id}` (an item), with a
//! version from [`crate::SUPPORTED_VERSIONS`]. Attachments belong to one module and
//! record; the version they were uploaded with does not matter.
//!
//! - `POST` collection: upload. A multipart body with `file`, or `attachmentUrl` (plus
//!   `title` from v2.1; on v2 a `title` is 400 `INVALID_DATA`), see [`crate::multipart`];
//!   or, as Zoho's v8 SDK sends links, no (or an empty) body and the query parameters
//!   `attachmentUrl` (and `title`). Both store the same. A non-empty body with the query
//!   parameter `attachmentUrl`, or a query `title` without it, is 400 `INVALID_DATA`
//!   (data envelope, `param_name`). Success: Zoho's sample reply.
//! - `GET` collection: list, see [`crate::operations`]. Query `fields` (a comma list;
//!   required from v3: missing is 400 `REQUIRED_PARAM_MISSING`), `page` (from 1),
//!   `per_page` (1 to 200, default 200), `ids` (a comma list to filter by), `page_token`
//!   (v8 only). 200 `{"data":[..],"info":{"per_page","count","page","more_records"}}`
//!   (v8 adds `next_page_token`, `previous_page_token`, `page_token_expiry`, `null` when
//!   there is none); an empty page is a 204 or a 200 with `data: []`
//!   ([`crate::EmptyList`]).
//! - `GET` item: download. 200 with the file's bytes (streamed from disk),
//!   `Content-Type` (the uploaded part's, else `application/octet-stream`),
//!   `Content-Length` and `Content-Disposition` ([`crate::Disposition`]). A link: 400
//!   `DOWNLOAD_NOT_ALLOWED`. Unknown, or another record's: 204, no body.
//! - `DELETE` item: 200 `{"data":[{"code":"SUCCESS","details":{"id":..},"message":"record
//!   deleted","status":"success"}]}`; unknown (or another record's): 400 `INVALID_DATA`
//!   "the related id given seems to be invalid", details `{"id":..}` (data envelope).
//! - `DELETE` collection with `ids=a,b,c`: 200 with one such item per id, in order.
//!   Missing or empty `ids`: 400 `REQUIRED_PARAM_MISSING`; more than
//!   [`crate::operations::MAX_DELETE_IDS`]: 400 `INVALID_DATA`.
//!
//! Query parameter errors of list and delete-many are top-level errors with details
//! `{"param_name": ..}`; a parameter sent twice is one of them.
//!
//! When a request is answered before its body is read, the body is drained first (so a
//! client still sending gets the reply rather than a reset connection), except when the
//! request has `Expect: 100-continue`: then the reply goes out at once and the client
//! never sends the body, as HTTP intends.
//!
//! Connections are served by hyper directly (see `serve.rs`), HTTP/1.1 and HTTP/2 (with
//! prior knowledge, or `h2` negotiated by a [`crate::TlsFront`] in front) on the same port,
//! which lets a fault close a connection without any response (over HTTP/2: reset the
//! request's stream).
//!
//! Outside `/crm`, [`LoopbackServer::serve_stats`] turns on the kit's own `GET
//! /testkit/stats` (see [`crate::stats`]), answered before everything above: no token, no
//! recording, no conditions, no faults.

use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::header::{
    AUTHORIZATION, CONTENT_DISPOSITION, CONTENT_LENGTH, CONTENT_TYPE, RETRY_AFTER,
};
use axum::http::{HeaderValue, Method, StatusCode, request};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use futures_util::StreamExt;
use tokio::net::TcpListener;

use crate::bodies::{answer, drain_body, expects_continue, reject};
use crate::hostile;
use crate::multipart::{self, DRAIN_LIMIT, UploadOptions};
use crate::operations::{self, IsDownload};
use crate::query::{self, Query};
use crate::responses::{self, ApiError};
use crate::routes::{Resource, Route, Target, is_valid_record_id, parse_path};
use crate::serve::{DropConnection, Running};
use crate::state::{
    AttachmentKind, CannedReply, Disposition, EmptyList, Fault, Paging, ReceivedRequest, Shared,
    StoredAttachment, StoredContent, UploadDetails,
};
use crate::stats::Stats;
use crate::tls_front::TlsFront;
use crate::tokens::TokenRegistry;
use crate::{file_fields, file_store, photos};

/// How to start a [`LoopbackServer`].
#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// The access token accepted in `Authorization: Zoho-oauthtoken <token>`.
    /// Default [`crate::DEFAULT_TOKEN`]. [`LoopbackServer::start_with`] adds it to the
    /// server's [`TokenRegistry`] as a static token; [`LoopbackServer::start_with_tokens`]
    /// does not (the given registry alone decides).
    pub token: String,
    /// Custom module API names accepted besides [`crate::SUPPORTED_MODULES`].
    /// Default `["CustomModule1"]`.
    pub custom_modules: Vec<String>,
    /// The address to bind. Default `127.0.0.1:0` (any free port).
    pub bind: SocketAddr,
    /// Latency, a cap on calls in flight, a budget of credits. Default: none.
    pub conditions: crate::Conditions,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            token: crate::DEFAULT_TOKEN.to_owned(),
            custom_modules: vec!["CustomModule1".to_owned()],
            bind: SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0),
            conditions: crate::Conditions::default(),
        }
    }
}

/// A running loopback Zoho CRM attachment server. Dropping it shuts the server down and
/// closes its open connections.
#[derive(Debug)]
pub struct LoopbackServer {
    addr: SocketAddr,
    token: String,
    shared: Arc<Shared>,
    _running: Running,
}

impl LoopbackServer {
    /// Starts a server on `127.0.0.1` with a free port and the default token
    /// ([`crate::DEFAULT_TOKEN`]). Must be called inside a Tokio runtime.
    pub async fn start() -> io::Result<Self> {
        Self::start_with(ServerConfig::default()).await
    }

    /// Starts a server with the given configuration: it accepts `config.token` (a static
    /// token in a registry of its own, see [`LoopbackServer::tokens`]). Must be called
    /// inside a Tokio runtime.
    pub async fn start_with(config: ServerConfig) -> io::Result<Self> {
        let tokens = TokenRegistry::new();
        tokens.add_static(&config.token);
        Self::start_with_tokens(config, tokens).await
    }

    /// Starts a server that accepts exactly the tokens valid in `tokens` (share the
    /// registry with an [`crate::AccountsServer`] to accept the tokens it issues).
    /// `config.token` is not added to the registry; it is only what
    /// [`LoopbackServer::token`] returns. Must be called inside a Tokio runtime.
    pub async fn start_with_tokens(
        config: ServerConfig,
        tokens: TokenRegistry,
    ) -> io::Result<Self> {
        let listener = TcpListener::bind(config.bind).await?;
        let addr = listener.local_addr()?;
        let mut shared = Shared::with_tokens(tokens, config.custom_modules);
        shared.gate = Arc::new(crate::conditions::Gate::new(config.conditions));
        let shared = Arc::new(shared);
        // Create the file store now, so a failure shows here rather than on the first upload.
        shared.storage.dir()?;
        let app = Router::new()
            .fallback(handle)
            .with_state(Arc::clone(&shared))
            .layer(DefaultBodyLimit::disable());
        let counter = Arc::clone(&shared);
        let running = Running::spawn(listener, app, move || counter.count_connection());
        Ok(Self {
            addr,
            token: config.token,
            shared,
            _running: running,
        })
    }

    /// The state shared with the server's handlers.
    pub(crate) fn shared(&self) -> &Shared {
        &self.shared
    }

    /// The server's base URL, `http://127.0.0.1:PORT`, without a trailing slash.
    /// (An unspecified bind address is reported as the loopback address.)
    pub fn base_url(&self) -> String {
        let mut addr = self.addr;
        if addr.ip().is_unspecified() {
            addr.set_ip(match addr.ip() {
                IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::LOCALHOST),
                IpAddr::V6(_) => IpAddr::V6(std::net::Ipv6Addr::LOCALHOST),
            });
        }
        format!("http://{addr}")
    }

    /// The address the server is bound to.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The configured access token ([`ServerConfig::token`]). Servers started with
    /// [`LoopbackServer::start`] or [`LoopbackServer::start_with`] accept it (until
    /// [`TokenRegistry::expire_all`]); with [`LoopbackServer::start_with_tokens`] only if
    /// the registry holds it.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// The registry of accepted tokens (a handle sharing the server's registry).
    pub fn tokens(&self) -> TokenRegistry {
        self.shared.tokens.clone()
    }

    /// Every HTTP request that reached the handler, in arrival order, rejected ones included.
    pub fn requests(&self) -> Vec<ReceivedRequest> {
        self.shared.requests()
    }

    /// The most calls that were in flight at once (of those the conditions admitted).
    pub fn peak_in_flight(&self) -> usize {
        self.shared.gate.peak_in_flight()
    }

    /// How many calls the conditions refused (over the cap, or with the credits spent).
    pub fn refused_count(&self) -> u64 {
        self.shared.gate.refused()
    }

    /// Adds `credits` to a budget of credits (a new day's, say): refused calls go through again.
    pub fn grant_credits(&self, credits: u64) {
        self.shared.gate.grant(credits);
    }

    /// How many credits calls have spent (counted only with a budget of credits).
    pub fn credits_spent(&self) -> u64 {
        self.shared.gate.spent()
    }

    /// How many HTTP requests reached the handler.
    pub fn request_count(&self) -> usize {
        self.shared.request_count()
    }

    /// How many TCP connections the server accepted.
    pub fn connection_count(&self) -> usize {
        self.shared.connection_count()
    }

    /// What the server counted so far: requests (by HTTP version), connections, the
    /// conditions' peak and refusals, stored attachments, and the handshakes of the
    /// [`TlsFront`]s included with [`LoopbackServer::include_tls_front`].
    pub fn stats(&self) -> Stats {
        stats_of(&self.shared)
    }

    /// From now on, answers `GET /testkit/stats` ([`crate::stats::STATS_PATH`]) from a
    /// client on this host (`127.0.0.1` or `::1`) with [`LoopbackServer::stats`] as JSON (see [`crate::stats`]): for a
    /// process outside the test, such as a benchmark driving the `loopback-server` binary.
    /// Off by default, so that the server answers every path as Zoho does.
    pub fn serve_stats(&self) {
        self.shared.stats.serve();
    }

    /// Counts `front`'s TLS handshakes in [`LoopbackServer::stats`] (summed with those of
    /// other fronts included before), for a front started in front of this server.
    pub fn include_tls_front(&self, front: &TlsFront) {
        self.shared.stats.include(front);
    }

    /// The successfully stored uploads, in order.
    pub fn attachments(&self) -> Vec<StoredAttachment> {
        self.shared.attachments()
    }

    /// Queues `reply` for the next request (any method and path), which gets it instead of
    /// normal handling once its body has been read to the end. Replies are used once each,
    /// first queued first served. Same as `push_fault(Fault::Reply(reply))`: replies and
    /// other faults share one queue.
    pub fn respond_next_with(&self, reply: CannedReply) {
        self.shared.push_canned(reply);
    }

    /// Queues `fault` for the next request (any method and path; see [`Fault`]). Faults are
    /// used once each, first queued first served.
    pub fn push_fault(&self, fault: Fault) {
        self.shared.push_fault(fault);
    }

    /// How many queued faults (canned replies included) are still unused.
    pub fn pending_faults(&self) -> usize {
        self.shared.pending_faults()
    }

    /// Sets the size up to which uploaded files keep their bytes in
    /// [`crate::StoredContent::File::bytes`] (default [`crate::KEEP_BYTES_LIMIT`]; 0 keeps
    /// none). Applies to uploads that start after the call. Every stored file is on disk
    /// regardless (see [`LoopbackServer::storage_dir`]).
    pub fn set_keep_bytes_limit(&self, limit: u64) {
        self.shared.keep_bytes_limit.store(limit, Ordering::Relaxed);
    }

    /// How many attachments are stored (uploaded or inserted, and not deleted).
    pub fn attachment_count(&self) -> usize {
        self.shared.attachment_count()
    }

    /// The stored content of the file attachment `id`, read from disk. `None` for links,
    /// unknown or deleted ids, and files that can't be read.
    pub fn stored_file_bytes(&self, id: &str) -> Option<Vec<u8>> {
        self.shared.file_bytes(id)
    }

    /// The directory holding the stored files: a temporary directory the server owns,
    /// under the system's temporary directory (`TMPDIR` on Unix), removed with its files
    /// when the server is dropped. One file per stored file attachment.
    pub fn storage_dir(&self) -> Option<PathBuf> {
        self.shared.storage.existing_dir().map(PathBuf::from)
    }

    /// Stores a link attachment on `module`'s record `record_id` without a request (as if
    /// uploaded now; neither is checked) and returns its id. Its
    /// [`StoredAttachment::version`] is empty.
    pub fn insert_link(
        &self,
        module: &str,
        record_id: &str,
        url: &str,
        title: Option<&str>,
    ) -> String {
        let content = StoredContent::Link {
            url: url.to_owned(),
        };
        self.shared.add(
            new_attachment(module, record_id, "", content, title.map(str::to_owned)),
            None,
        )
    }

    /// Stores a file attachment named `name` with content `bytes` on `module`'s record
    /// `record_id` without a request (as if uploaded now, without a content type; nothing
    /// is checked) and returns its id. The content goes to disk like an upload's (it stays
    /// in memory only if writing fails) and is kept in
    /// [`crate::StoredContent::File::bytes`] up to the keep-bytes limit. Its
    /// [`StoredAttachment::version`] is empty.
    pub fn insert_file(&self, module: &str, record_id: &str, name: &str, bytes: &[u8]) -> String {
        let size = bytes.len() as u64;
        let file = self.shared.storage.write_now(bytes).ok();
        let kept = file.is_none() || size <= self.shared.keep_bytes_limit();
        let content = StoredContent::File {
            file_name: name.to_owned(),
            content_type: None,
            size,
            sha256: <sha2::Sha256 as sha2::Digest>::digest(bytes).into(),
            bytes: kept.then(|| bytes.to_vec()),
        };
        self.shared
            .add(new_attachment(module, record_id, "", content, None), file)
    }

    /// Sets how a list with nothing on the requested page is answered (default
    /// [`EmptyList::NoContent`]).
    pub fn set_empty_list_style(&self, style: EmptyList) {
        self.shared.set_empty_list_style(style);
    }

    /// Sets how list answers page (default [`Paging::Honest`]; the others loop a client that
    /// trusts them).
    pub fn set_paging(&self, paging: Paging) {
        self.shared.set_paging(paging);
    }

    /// Sets what the `details` of upload answers hold: the full object (the default) or the
    /// id alone, as Zoho's OpenAPI description allows.
    pub fn set_upload_details(&self, style: UploadDetails) {
        self.shared.set_upload_details(style);
    }

    /// Sets the `Content-Disposition` form of downloads (default [`Disposition::Auto`]).
    pub fn set_disposition_style(&self, style: Disposition) {
        self.shared.set_disposition_style(style);
    }
}

/// An attachment to store (its id is assigned by [`Shared::add`]), created now.
fn new_attachment(
    module: &str,
    record_id: &str,
    version: &str,
    content: StoredContent,
    title: Option<String>,
) -> StoredAttachment {
    StoredAttachment {
        id: String::new(),
        version: version.to_owned(),
        module: module.to_owned(),
        record_id: record_id.to_owned(),
        kind: AttachmentKind::of(&content),
        content,
        created_time: responses::zoho_now(),
        title,
    }
}

/// The single handler behind every route: records the request, applies a queued fault,
/// and otherwise handles it normally.
async fn handle(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    if shared.stats.is_for_stats(&parts) {
        return answer(&parts, body, stats_response(&shared)).await;
    }
    shared.record_request(ReceivedRequest::from_parts(&parts));
    let _slot = match shared.gate.enter() {
        Ok(slot) => slot,
        Err(_) => {
            drain_body(body).await;
            return ApiError::too_many_requests().into_response();
        }
    };
    let response = handle_with_faults(&shared, parts, body).await;
    let latency = shared.gate.latency();
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    response
}

/// [`LoopbackServer::stats`] of the server whose state is `shared`.
fn stats_of(shared: &Shared) -> Stats {
    let wide = |n: usize| u64::try_from(n).unwrap_or(u64::MAX);
    let (requests, http2_requests) = shared.request_counts();
    Stats {
        requests: wide(requests),
        http1_requests: wide(requests - http2_requests),
        http2_requests: wide(http2_requests),
        connections: wide(shared.connection_count()),
        peak_in_flight: wide(shared.gate.peak_in_flight()),
        refused: shared.gate.refused(),
        credits_spent: shared.gate.spent(),
        attachments: wide(shared.attachment_count()),
        tls_handshakes: shared.stats.handshakes(),
    }
}

/// The stats endpoint's answer: [`LoopbackServer::stats`] as JSON.
fn stats_response(shared: &Shared) -> Response {
    axum::Json(stats_of(shared)).into_response()
}

/// Applies a queued fault, or handles the request normally.
async fn handle_with_faults(shared: &Arc<Shared>, parts: request::Parts, body: Body) -> Response {
    let shared = Arc::clone(shared);
    let Some(fault) = shared.pop_fault() else {
        return handle_normally(&shared, parts, body).await;
    };
    match fault {
        Fault::Reply(reply) => {
            drain_body(body).await;
            reply.into_response()
        }
        Fault::TooManyRequests { retry_after } => {
            drain_body(body).await;
            let mut response = ApiError::too_many_requests().into_response();
            if let Some(value) = retry_after.and_then(|value| HeaderValue::from_str(&value).ok()) {
                response.headers_mut().insert(RETRY_AFTER, value);
            }
            response
        }
        Fault::ExpireTokensFirst => {
            shared.tokens.expire_all();
            handle_normally(&shared, parts, body).await
        }
        Fault::DropBeforeBody => {
            drop(body);
            DropConnection::response()
        }
        Fault::DropAfterBody { store } => {
            if store {
                drop(handle_normally(&shared, parts, body).await);
            } else {
                drain_body(body).await;
            }
            DropConnection::response()
        }
        Fault::StatusAfterBody { status, store } => {
            if store {
                drop(handle_normally(&shared, parts, body).await);
            } else {
                drain_body(body).await;
            }
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            ApiError::internal_error(status).into_response()
        }
        Fault::Stall {
            before_body: true,
            duration,
        } => {
            tokio::time::sleep(duration).await;
            handle_normally(&shared, parts, body).await
        }
        Fault::Stall {
            before_body: false,
            duration,
        } => {
            let response = handle_normally(&shared, parts, body).await;
            tokio::time::sleep(duration).await;
            response
        }
        Fault::TruncateBody { after_bytes } => {
            truncate(handle_normally(&shared, parts, body).await, after_bytes)
        }
        Fault::Redirect { status, location } => {
            drain_body(body).await;
            hostile::redirect(status, &location)
        }
        Fault::Drip { interval } => {
            hostile::drip(handle_normally(&shared, parts, body).await, interval)
        }
        Fault::Encode(coding) => {
            hostile::encode(handle_normally(&shared, parts, body).await, coding).await
        }
        Fault::Echo { status } => {
            drain_body(body).await;
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
            hostile::echo(status, hostile::request_text(&parts))
        }
        Fault::Disposition(value) => {
            let mut response = handle_normally(&shared, parts, body).await;
            if response.extensions().get::<IsDownload>().is_some() {
                let headers = response.headers_mut();
                match HeaderValue::from_bytes(value.as_bytes()) {
                    Ok(value) => headers.insert(CONTENT_DISPOSITION, value),
                    Err(_) => headers.remove(CONTENT_DISPOSITION),
                };
            }
            response
        }
    }
}

/// How long a truncated body waits before the connection is closed, so hyper flushes
/// the bytes sent so far (it drops unflushed bytes when a body fails).
const TRUNCATE_GRACE: Duration = Duration::from_millis(100);

/// [`Fault::TruncateBody`]: declares the full length, sends `after_bytes` of the body, then
/// fails the body, which makes the connection close.
fn truncate(response: Response, after_bytes: u64) -> Response {
    let (mut parts, body) = response.into_parts();
    if !parts.headers.contains_key(CONTENT_LENGTH)
        && let Some(len) = axum::body::HttpBody::size_hint(&body).exact()
    {
        parts.headers.insert(CONTENT_LENGTH, HeaderValue::from(len));
    }
    let declared = parts
        .headers
        .get(CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if declared.is_some_and(|len| len <= after_bytes) {
        return Response::from_parts(parts, body);
    }
    struct Cut {
        inner: axum::body::BodyDataStream,
        left: u64,
        done: bool,
    }
    let start = Cut {
        inner: body.into_data_stream(),
        left: after_bytes,
        done: false,
    };
    let stream = futures_util::stream::unfold(start, |mut cut| async move {
        if cut.done {
            return None;
        }
        if cut.left == 0 {
            tokio::time::sleep(TRUNCATE_GRACE).await;
            cut.done = true;
            let error = io::Error::new(io::ErrorKind::ConnectionAborted, "body cut on purpose");
            return Some((Err(error), cut));
        }
        match cut.inner.next().await {
            Some(Ok(chunk)) => {
                let len = chunk.len() as u64;
                let chunk: Bytes = if len <= cut.left {
                    cut.left -= len;
                    chunk
                } else {
                    let keep = usize::try_from(cut.left).unwrap_or(usize::MAX);
                    cut.left = 0;
                    chunk.slice(..keep)
                };
                Some((Ok(chunk), cut))
            }
            Some(Err(error)) => {
                cut.done = true;
                Some((Err(io::Error::other(error)), cut))
            }
            None => None,
        }
    });
    Response::from_parts(parts, Body::from_stream(stream))
}

/// The Zoho checks in order, then the operation.
async fn handle_normally(shared: &Shared, parts: request::Parts, body: Body) -> Response {
    if !shared.is_authorized(parts.headers.get(AUTHORIZATION)) {
        return reject(&parts, body, ApiError::invalid_token()).await;
    }
    let Some(route) = parse_path(parts.uri.path()) else {
        return reject(&parts, body, ApiError::invalid_url_pattern()).await;
    };
    if !route.allows(&parts.method) {
        return reject(&parts, body, ApiError::invalid_request_method()).await;
    }
    let query = Query::parse(parts.uri.query());
    let target = match route {
        Route::Files => return file_store::handle(shared, &parts, body, &query).await,
        Route::Record(target) => target,
    };
    if !shared.is_supported_module(&target.module, &target.version) {
        return reject(&parts, body, ApiError::invalid_module()).await;
    }
    if !is_valid_record_id(&target.record_id) {
        let error = ApiError::invalid_record_id(&target.record_id);
        return reject(&parts, body, error).await;
    }
    let record = target.record();
    let is_get = parts.method == Method::GET;
    match &target.resource {
        Resource::Photo => photos::handle(shared, &parts, body, &record).await,
        Resource::Record => file_fields::record(shared, &parts, body, &record, &query).await,
        Resource::FieldDownload => {
            file_fields::download(shared, &parts, body, &record, &query).await
        }
        Resource::Attachments(None) if parts.method == Method::POST => {
            upload(shared, &parts, body, &target, &query).await
        }
        Resource::Attachments(None) if is_get => {
            let response = operations::list(shared, &record, &query);
            answer(&parts, body, response).await
        }
        Resource::Attachments(None) => {
            let response = operations::delete_many(shared, &record, &query).await;
            answer(&parts, body, response).await
        }
        Resource::Attachments(Some(id)) if is_get => {
            // The (unexpected) body is drained before the download starts.
            if !expects_continue(&parts) {
                drain_body(body).await;
            }
            operations::download(shared, &record, id).await
        }
        Resource::Attachments(Some(id)) => {
            let response = operations::delete_one(shared, &record, id).await;
            answer(&parts, body, response).await
        }
    }
}

/// `POST` on the collection: a link from the query, or a multipart upload.
async fn upload(
    shared: &Shared,
    parts: &request::Parts,
    body: Body,
    target: &Target,
    query: &Query,
) -> Response {
    if query.contains(multipart::URL_FIELD) {
        return link_from_query(shared, parts, body, target, query).await;
    }
    if query.contains(multipart::TITLE_FIELD) {
        let error = ApiError::invalid_field(
            multipart::TITLE_FIELD,
            "the query parameter `title` needs the query parameter `attachmentUrl`",
        );
        return reject(parts, body, error).await;
    }
    let boundary = match multipart::boundary(parts.headers.get(CONTENT_TYPE)) {
        Ok(boundary) => boundary,
        Err(error) => return reject(parts, body, error).await,
    };
    let options = UploadOptions {
        keep_limit: shared.keep_bytes_limit(),
        allow_title: query::title_allowed(&target.version),
        storage: Some(&shared.storage),
    };
    match multipart::read_form(body, boundary, &options).await {
        Ok(upload) => {
            let attachment = new_attachment(
                &target.module,
                &target.record_id,
                &target.version,
                upload.content,
                upload.title,
            );
            let time = attachment.created_time.clone();
            let file = upload.file.and_then(|guard| guard.keep());
            let id = shared.add(attachment, file);
            responses::upload_success(&id, &time, shared.upload_details())
        }
        Err(error) => error.into_response(),
    }
}

/// Reads a body and tells whether it had no bytes (up to [`DRAIN_LIMIT`] are read).
async fn body_is_empty(body: Body) -> bool {
    let mut stream = body.into_data_stream();
    let mut total: u64 = 0;
    while let Some(chunk) = stream.next().await {
        match chunk {
            Ok(chunk) => total = total.saturating_add(chunk.len() as u64),
            Err(_) => return total == 0,
        }
        if total > DRAIN_LIMIT {
            break;
        }
    }
    total == 0
}

/// A link upload in the query (`attachmentUrl`, `title`) with an empty body.
async fn link_from_query(
    shared: &Shared,
    parts: &request::Parts,
    body: Body,
    target: &Target,
    query: &Query,
) -> Response {
    let empty = if expects_continue(parts) {
        // Don't ask for a body that must be empty anyway.
        parts
            .headers
            .get(CONTENT_LENGTH)
            .is_some_and(|len| len.as_bytes() == b"0")
    } else {
        body_is_empty(body).await
    };
    if !empty {
        return ApiError::invalid_field(
            multipart::URL_FIELD,
            "with the query parameter `attachmentUrl` the body must be empty; send a link either as query parameters or as form fields",
        )
        .into_response();
    }
    let url = match query.get(multipart::URL_FIELD) {
        Ok(url) => url.unwrap_or_default(),
        Err(_) => {
            return ApiError::invalid_field(
                multipart::URL_FIELD,
                "the query parameter `attachmentUrl` was sent more than once; send exactly one link",
            )
            .into_response();
        }
    };
    let title = match query.get(multipart::TITLE_FIELD) {
        Ok(title) => title,
        Err(_) => {
            return ApiError::invalid_field(
                multipart::TITLE_FIELD,
                "the query parameter `title` was sent more than once",
            )
            .into_response();
        }
    };
    if title.is_some() && !query::title_allowed(&target.version) {
        return multipart::title_before_v2_1().into_response();
    }
    if title.is_some_and(|title| title.len() > multipart::MAX_URL_LEN) {
        return multipart::invalid_title().into_response();
    }
    if url.len() > multipart::MAX_URL_LEN || !multipart::is_valid_url(url) {
        return ApiError::invalid_url().into_response();
    }
    let attachment = new_attachment(
        &target.module,
        &target.record_id,
        &target.version,
        StoredContent::Link {
            url: url.to_owned(),
        },
        title.map(str::to_owned),
    );
    let time = attachment.created_time.clone();
    let id = shared.add(attachment, None);
    responses::upload_success(&id, &time, shared.upload_details())
}
