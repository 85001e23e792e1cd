//! The loopback server: binding, request routing and the Zoho checks, in Zoho's order.
//!
//! Every request goes to one handler, which records it, applies a queued [`Fault`] if
//! there is one (see there), and otherwise checks, in this order: the token (401
//! `INVALID_TOKEN`), the URL (404 `INVALID_URL_PATTERN`), the method (400
//! `INVALID_REQUEST_METHOD`), the module (400 `INVALID_MODULE`), the record id (400
//! `INVALID_DATA`), then the multipart body (see [`crate::multipart`]).
//!
//! When a request is rejected before its body is read, the body is drained first (so a
//! client still sending gets the reply rather than a reset connection), except when the
//! request has `Expect: 100-continue`: then the reply goes out at once and the client
//! never sends the body, as HTTP intends.
//!
//! Connections are served by hyper directly (see `serve.rs`), which lets a fault close a
//! connection without any response.

use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE, EXPECT, RETRY_AFTER};
use axum::http::{HeaderValue, Method, StatusCode, request};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use tokio::net::TcpListener;

use crate::multipart::{self, DRAIN_LIMIT};
use crate::responses::{self, ApiError};
use crate::serve::{DropConnection, Running};
use crate::state::{CannedReply, Fault, ReceivedRequest, Shared, StoredAttachment};
use crate::tokens::TokenRegistry;

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
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            token: crate::DEFAULT_TOKEN.to_owned(),
            custom_modules: vec!["CustomModule1".to_owned()],
            bind: SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0),
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
        let shared = Arc::new(Shared::with_tokens(tokens, config.custom_modules));
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

    /// How many HTTP requests reached the handler.
    pub fn request_count(&self) -> usize {
        self.shared.request_count()
    }

    /// How many TCP connections the server accepted.
    pub fn connection_count(&self) -> usize {
        self.shared.connection_count()
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
    /// none). Applies to uploads that start after the call.
    pub fn set_keep_bytes_limit(&self, limit: u64) {
        self.shared.keep_bytes_limit.store(limit, Ordering::Relaxed);
    }
}

/// Reads and discards a request body, up to [`DRAIN_LIMIT`] bytes or the first error.
async fn drain_body(body: Body) {
    let mut stream = body.into_data_stream();
    let mut total: u64 = 0;
    while let Some(Ok(chunk)) = stream.next().await {
        total = total.saturating_add(chunk.len() as u64);
        if total > DRAIN_LIMIT {
            break;
        }
    }
}

/// Answers a request rejected before its body was read; see the module docs.
async fn reject(parts: &request::Parts, body: Body, error: ApiError) -> Response {
    let expects_continue = parts
        .headers
        .get(EXPECT)
        .is_some_and(|value| value.as_bytes().eq_ignore_ascii_case(b"100-continue"));
    if !expects_continue {
        drain_body(body).await;
    }
    error.into_response()
}

/// The URL of an upload: `/crm/{version}/{module}/{record_id}/Attachments`.
struct Target {
    version: String,
    module: String,
    record_id: String,
}

/// Matches `/crm/{version}/{module}/{record_id}/Attachments` with a supported version and
/// non-empty segments; the module and record id are percent-decoded.
fn parse_path(path: &str) -> Option<Target> {
    let rest = path.strip_prefix('/')?;
    let mut segments = rest.split('/');
    let (Some("crm"), Some(version), Some(module), Some(record_id), Some("Attachments"), None) = (
        segments.next(),
        segments.next(),
        segments.next(),
        segments.next(),
        segments.next(),
        segments.next(),
    ) else {
        return None;
    };
    if !crate::SUPPORTED_VERSIONS.contains(&version) || module.is_empty() || record_id.is_empty() {
        return None;
    }
    Some(Target {
        version: version.to_owned(),
        module: percent_decode(module),
        record_id: percent_decode(record_id),
    })
}

/// Decodes `%XX` escapes (invalid escapes are kept as they are; invalid UTF-8 becomes U+FFFD).
pub(crate) fn percent_decode(segment: &str) -> String {
    fn hex(byte: u8) -> Option<u8> {
        match byte {
            b'0'..=b'9' => Some(byte - b'0'),
            b'a'..=b'f' => Some(byte - b'a' + 10),
            b'A'..=b'F' => Some(byte - b'A' + 10),
            _ => None,
        }
    }
    if !segment.contains('%') {
        return segment.to_owned();
    }
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let decoded = match bytes.get(i..i + 3) {
            Some([b'%', hi, lo]) => hex(*hi).zip(hex(*lo)).map(|(hi, lo)| hi << 4 | lo),
            _ => None,
        };
        match decoded {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Whether a record id looks like a Zoho id: ASCII digits, not starting with 0.
fn is_valid_record_id(record_id: &str) -> bool {
    !record_id.is_empty()
        && !record_id.starts_with('0')
        && record_id.bytes().all(|b| b.is_ascii_digit())
}

/// The single handler behind every route: records the request, applies a queued fault,
/// and otherwise handles it normally.
async fn handle(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    shared.record_request(ReceivedRequest::from_parts(&parts));

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
    }
}

/// The Zoho checks in order, then reading and storing the upload.
async fn handle_normally(shared: &Shared, parts: request::Parts, body: Body) -> Response {
    if !shared.is_authorized(parts.headers.get(AUTHORIZATION)) {
        return reject(&parts, body, ApiError::invalid_token()).await;
    }
    let Some(target) = parse_path(parts.uri.path()) else {
        return reject(&parts, body, ApiError::invalid_url_pattern()).await;
    };
    if parts.method != Method::POST {
        return reject(&parts, body, ApiError::invalid_request_method()).await;
    }
    if !shared.is_supported_module(&target.module) {
        return reject(&parts, body, ApiError::invalid_module()).await;
    }
    if !is_valid_record_id(&target.record_id) {
        let error = ApiError::invalid_record_id(&target.record_id);
        return reject(&parts, body, error).await;
    }
    let boundary = match multipart::boundary(parts.headers.get(CONTENT_TYPE)) {
        Ok(boundary) => boundary,
        Err(error) => return reject(&parts, body, error).await,
    };

    match multipart::read_upload(body, boundary, shared.keep_bytes_limit()).await {
        Ok(content) => {
            let id = shared.next_attachment_id();
            let time = responses::zoho_now();
            let response = responses::upload_success(&id, &time);
            shared.store_attachment(StoredAttachment {
                id,
                version: target.version,
                module: target.module,
                record_id: target.record_id,
                content,
            });
            response
        }
        Err(error) => error.into_response(),
    }
}

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn paths() {
        let target = parse_path("/crm/v2.1/Price_Books/123/Attachments");
        assert!(target.is_some_and(|t| t.version == "v2.1" && t.module == "Price_Books"));
        assert!(parse_path("/crm/v9/Leads/1/Attachments").is_none());
        assert!(parse_path("/crm/v2/Leads/1/Attachments/").is_none());
        assert!(parse_path("/crm/v2/Leads/1/attachments").is_none());
        assert!(parse_path("/crm/v2//1/Attachments").is_none());
        assert!(parse_path("/crm/v2/Leads/1/Attachments/5").is_none());
        assert_eq!(percent_decode("a%20b%zz%4"), "a b%zz%4");
        assert!(is_valid_record_id("1000000231009"));
        assert!(!is_valid_record_id("0123"));
        assert!(!is_valid_record_id("12a"));
        assert!(!is_valid_record_id("１２"));
    }
}
