//! [`AccountsServer`]: a loopback double of Zoho's OAuth token endpoint,
//! `POST {accounts_domain}/oauth/v2/token`, issuing access tokens into a [`TokenRegistry`]
//! shared with a [`crate::LoopbackServer`].
//!
//! Parameters are read from an `application/x-www-form-urlencoded` body only (a body of
//! another type counts as no parameters). Checks, in this order:
//!
//! 1. A path other than `/oauth/v2/token`: HTTP 404, empty body. (The configured delay,
//!    [`AccountsServer::set_delay`], applies to the token path only, from here on.)
//! 2. A body longer than [`MAX_FORM_BYTES`] (or one that could not be read): HTTP 413,
//!    empty body.
//! 3. A method other than `POST`: HTTP 405 with `Allow: POST`, empty body.
//! 4. `client_id`, `client_secret`, `refresh_token` or `code` in the query string: HTTP 400
//!    `{"error":"secrets_in_query"}` (real Zoho accepts them there, but secrets in URLs end
//!    up in logs, so a client under test must not send them that way).
//! 5. A failure queued with [`AccountsServer::fail_next_with`] (see [`TokenFailure`]).
//! 6. `grant_type=refresh_token`: wrong `client_id` or `client_secret`: HTTP 200
//!    `{"error":"invalid_client"}`; wrong `refresh_token`: HTTP 200 `{"error":"invalid_code"}`;
//!    else HTTP 200 with a new access token.
//! 7. `grant_type=authorization_code`: wrong client: `invalid_client`; `redirect_uri` not
//!    the configured one: `{"error":"invalid_redirect_uri"}`; a `code` that is unknown,
//!    used or older than [`GRANT_CODE_LIFETIME`]: `invalid_code`; else HTTP 200 with a new
//!    access token and the configured refresh token. A code is used up by any exchange
//!    that gets as far as checking it.
//! 8. Any other or no `grant_type`: HTTP 200 `{"error":"unsupported_grant_type"}`.
//!
//! A success looks like Zoho's:
//! `{"access_token":"1000.…","api_domain":"…","token_type":"Bearer","expires_in":3600}`
//! (`refresh_token` after `access_token` for code exchanges; `api_domain` only if set), or
//! in the legacy form ([`AccountsServer::set_legacy_expiry`]) with `"expires_in_sec":3600`
//! and `"expires_in":3600000` (milliseconds).

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::{ALLOW, CONTENT_TYPE};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use serde::Serialize;
use serde_json::json;
use tokio::net::TcpListener;

use crate::hostile;
use crate::query::percent_decode;
use crate::serve::Running;
use crate::tokens::TokenRegistry;

/// The token endpoint's path.
pub const TOKEN_PATH: &str = "/oauth/v2/token";

/// How long a code from [`AccountsServer::issue_grant_code`] can be exchanged.
pub const GRANT_CODE_LIFETIME: Duration = Duration::from_secs(120);

/// Request bodies longer than this (64 KiB) are answered with HTTP 413.
pub const MAX_FORM_BYTES: usize = 64 * 1024;

/// The body served for [`TokenFailure::AccessDenied`], as Zoho answers throttled clients.
pub const ACCESS_DENIED_BODY: &str = "Access Denied\nYou have made too many requests continuously. Please try again after some time.";

/// The query parameters that make a request fail with `secrets_in_query`.
pub const SECRET_PARAMS: [&str; 4] = ["client_id", "client_secret", "refresh_token", "code"];

/// The client credentials and token settings of an [`AccountsServer`].
#[derive(Clone, Debug)]
pub struct AccountsConfig {
    /// The accepted `client_id`. Default `1000.LOOPBACKTESTCLIENT0000000000000`.
    pub client_id: String,
    /// The accepted `client_secret`. Default `loopback-test-client-secret-0123456789abcdef`.
    pub client_secret: String,
    /// The accepted `refresh_token`, also handed out by code exchanges.
    /// Default `1000.loopbacktestrefreshtoken.0123456789abcdef0123456789abcdef`.
    pub refresh_token: String,
    /// The `redirect_uri` code exchanges must send. Default `http://127.0.0.1/oauth/callback`.
    pub redirect_uri: String,
    /// The lifetime of issued access tokens. Default one hour, like Zoho's.
    pub token_lifetime: Duration,
    /// The `api_domain` value in token responses; `None` leaves the key out. Default `None`
    /// (so a client that prefers `api_domain` is never sent to the real Zoho); set it to a
    /// [`crate::LoopbackServer::base_url`] to test switching domains.
    pub api_domain: Option<String>,
}

impl Default for AccountsConfig {
    fn default() -> Self {
        Self {
            client_id: "1000.LOOPBACKTESTCLIENT0000000000000".to_owned(),
            client_secret: "loopback-test-client-secret-0123456789abcdef".to_owned(),
            refresh_token: "1000.loopbacktestrefreshtoken.0123456789abcdef0123456789abcdef"
                .to_owned(),
            redirect_uri: "http://127.0.0.1/oauth/callback".to_owned(),
            token_lifetime: Duration::from_secs(3600),
            api_domain: None,
        }
    }
}

/// One request to an [`AccountsServer`], recorded after its body was read (before any check).
#[derive(Clone, Debug)]
pub struct TokenRequest {
    /// The request method, e.g. `"POST"`.
    pub method: String,
    /// The request path (normally [`TOKEN_PATH`]).
    pub path: String,
    /// The query string without the leading `?`, if the URL had one.
    pub query: Option<String>,
    /// The `Content-Type` header.
    pub content_type: Option<String>,
    /// The decoded body parameters (the first value of a repeated name). Empty unless the
    /// body is `application/x-www-form-urlencoded`.
    pub form: BTreeMap<String, String>,
}

/// A failure queued with [`AccountsServer::fail_next_with`] for the next request to the
/// token endpoint that passes the method and query checks, whatever its grant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TokenFailure {
    /// HTTP 200 `{"error":"invalid_client"}`.
    InvalidClient,
    /// HTTP 200 `{"error":"invalid_code"}`.
    InvalidCode,
    /// HTTP 200, `Content-Type: text/html`, body [`ACCESS_DENIED_BODY`] (how Zoho answers
    /// throttled clients).
    AccessDenied,
    /// This HTTP status (500 if not a valid status code) with an empty body.
    Status(u16),
    /// This status (302 if not a valid status code) with `Location: location` (exactly as
    /// given, e.g. `http://127.0.0.2:PORT/oauth/v2/token`) and an empty body, as a
    /// misconfigured proxy in front of the accounts server might answer. Nothing is issued.
    Redirect {
        /// The HTTP status, e.g. 307 or 308 (which ask a client to re-send the form there).
        status: u16,
        /// The `Location` header value.
        location: String,
    },
    /// This status (500 if not a valid status code) with a `text/plain` body repeating the
    /// request's form body exactly as received (client secret and refresh token or code
    /// included), as a debugging proxy might. Nothing is issued.
    EchoForm {
        /// The HTTP status.
        status: u16,
    },
    /// HTTP 200 `{"error": "<the form body as received>"}`: an OAuth error whose text echoes
    /// the secrets. Nothing is issued.
    EchoFormAsError,
    /// Handle the request normally (a token may be issued), then send the answer's head at once
    /// and its body one byte every `interval`.
    Drip {
        /// The wait before each byte.
        interval: Duration,
    },
}

/// Raw `expires_in` / `expires_in_sec` values for token answers (set with
/// [`AccountsServer::set_raw_expiry`]), to test what a client makes of absurd lifetimes: any
/// JSON value, e.g. `u64::MAX`, `-1`, `1e308`, `"3600"` or `null`.
#[derive(Clone, Debug, PartialEq)]
pub struct RawExpiry {
    /// The `expires_in` value.
    pub expires_in: serde_json::Value,
    /// The `expires_in_sec` value; `None` leaves the key out.
    pub expires_in_sec: Option<serde_json::Value>,
}

/// Settings tests can change while the server runs.
#[derive(Debug)]
struct Settings {
    lifetime: Duration,
    legacy: bool,
    api_domain: Option<String>,
    delay: Duration,
    raw_expiry: Option<RawExpiry>,
}

/// State shared between an [`AccountsServer`] handle and its handler.
#[derive(Debug)]
struct AccountsState {
    tokens: TokenRegistry,
    config: AccountsConfig,
    settings: Mutex<Settings>,
    failures: Mutex<VecDeque<TokenFailure>>,
    /// Unused grant codes and when they were issued.
    codes: Mutex<HashMap<String, Instant>>,
    requests: Mutex<Vec<TokenRequest>>,
    refreshes: AtomicUsize,
    exchanges: AtomicUsize,
    connections: AtomicUsize,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A running loopback Zoho accounts server (the OAuth token endpoint) on `127.0.0.1`.
/// Dropping it shuts the server down.
#[derive(Debug)]
pub struct AccountsServer {
    addr: SocketAddr,
    state: Arc<AccountsState>,
    _running: Running,
}

impl AccountsServer {
    /// Starts a server on `127.0.0.1` with a free port, issuing access tokens into
    /// `tokens`. Must be called inside a Tokio runtime.
    pub async fn start(tokens: TokenRegistry, config: AccountsConfig) -> io::Result<Self> {
        let listener =
            TcpListener::bind(SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0)).await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(AccountsState {
            tokens,
            settings: Mutex::new(Settings {
                lifetime: config.token_lifetime,
                legacy: false,
                api_domain: config.api_domain.clone(),
                delay: Duration::ZERO,
                raw_expiry: None,
            }),
            config,
            failures: Mutex::new(VecDeque::new()),
            codes: Mutex::new(HashMap::new()),
            requests: Mutex::new(Vec::new()),
            refreshes: AtomicUsize::new(0),
            exchanges: AtomicUsize::new(0),
            connections: AtomicUsize::new(0),
        });
        let app = Router::new()
            .fallback(handle)
            .with_state(Arc::clone(&state));
        let counter = Arc::clone(&state);
        let running = Running::spawn(listener, app, move || {
            counter.connections.fetch_add(1, Ordering::Relaxed);
        });
        Ok(Self {
            addr,
            state,
            _running: running,
        })
    }

    /// The server's base URL (the accounts domain), `http://127.0.0.1:PORT`, without a
    /// trailing slash. The token endpoint is `POST {base_url}/oauth/v2/token`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The address the server is bound to (`127.0.0.1:PORT`).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The configuration the server was started with. Changes made with the `set_*`
    /// methods are not reflected here.
    pub fn config(&self) -> &AccountsConfig {
        &self.state.config
    }

    /// The registry the server issues tokens into (a handle sharing it).
    pub fn tokens(&self) -> TokenRegistry {
        self.state.tokens.clone()
    }

    /// How many `refresh_token` grants got an access token.
    pub fn refresh_count(&self) -> usize {
        self.state.refreshes.load(Ordering::Relaxed)
    }

    /// How many `authorization_code` grants got tokens.
    pub fn code_exchange_count(&self) -> usize {
        self.state.exchanges.load(Ordering::Relaxed)
    }

    /// Every request that reached the server, in arrival order.
    pub fn requests(&self) -> Vec<TokenRequest> {
        lock(&self.state.requests).clone()
    }

    /// How many TCP connections the server accepted.
    pub fn connection_count(&self) -> usize {
        self.state.connections.load(Ordering::Relaxed)
    }

    /// Issues a grant code that can be exchanged once, within [`GRANT_CODE_LIFETIME`].
    pub fn issue_grant_code(&self) -> String {
        let code = self.state.tokens.unique_string("1000.");
        lock(&self.state.codes).insert(code.clone(), Instant::now());
        code
    }

    /// Sets the lifetime of access tokens issued from now on.
    pub fn set_token_lifetime(&self, lifetime: Duration) {
        lock(&self.state.settings).lifetime = lifetime;
    }

    /// Switches to (or from) Zoho's legacy expiry form: `"expires_in"` in milliseconds plus
    /// `"expires_in_sec"` in seconds.
    pub fn set_legacy_expiry(&self, legacy: bool) {
        lock(&self.state.settings).legacy = legacy;
    }

    /// Makes later token answers carry these raw expiry values instead of the configured
    /// lifetime (the tokens themselves still live [`AccountsConfig::token_lifetime`] in the
    /// registry); `None` goes back to normal answers.
    pub fn set_raw_expiry(&self, expiry: Option<RawExpiry>) {
        lock(&self.state.settings).raw_expiry = expiry;
    }

    /// Sets the `api_domain` value of later responses (`None` leaves it out).
    pub fn set_api_domain(&self, domain: Option<String>) {
        lock(&self.state.settings).api_domain = domain;
    }

    /// Makes the server wait `delay` before answering each later request to the token
    /// endpoint (to widen race windows in single-flight tests). `Duration::ZERO` turns it off.
    pub fn set_delay(&self, delay: Duration) {
        lock(&self.state.settings).delay = delay;
    }

    /// Queues a failure for a later request (see [`TokenFailure`]). Failures are used once
    /// each, first queued first served.
    pub fn fail_next_with(&self, failure: TokenFailure) {
        lock(&self.state.failures).push_back(failure);
    }

    /// How many queued failures are still unused.
    pub fn pending_failures(&self) -> usize {
        lock(&self.state.failures).len()
    }
}

/// A token endpoint success body, keys in the order Zoho sends them.
#[derive(Serialize)]
struct TokenReply<'a> {
    access_token: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    refresh_token: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expires_in_sec: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    api_domain: Option<&'a str>,
    token_type: &'static str,
    expires_in: u64,
}

/// HTTP 200 `{"error": code}`, Zoho's way of reporting OAuth errors.
fn oauth_error(code: &str) -> Response {
    Json(json!({ "error": code })).into_response()
}

fn empty(status: StatusCode) -> Response {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = status;
    response
}

/// The answer for a queued failure; `raw_form` is the request body as received, `normal` the
/// answer normal handling would give.
fn failure_response(
    failure: TokenFailure,
    raw_form: &str,
    normal: impl FnOnce() -> Response,
) -> Response {
    match failure {
        TokenFailure::InvalidClient => oauth_error("invalid_client"),
        TokenFailure::InvalidCode => oauth_error("invalid_code"),
        TokenFailure::AccessDenied => {
            let mut response = Response::new(Body::from(ACCESS_DENIED_BODY));
            response
                .headers_mut()
                .insert(CONTENT_TYPE, HeaderValue::from_static("text/html"));
            response
        }
        TokenFailure::Status(status) => {
            empty(StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
        }
        TokenFailure::Redirect { status, location } => hostile::redirect(status, &location),
        TokenFailure::EchoForm { status } => hostile::echo(
            StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            raw_form.to_owned(),
        ),
        TokenFailure::EchoFormAsError => oauth_error(raw_form),
        TokenFailure::Drip { interval } => hostile::drip(normal(), interval),
    }
}

/// Parses `application/x-www-form-urlencoded` text (`+` is a space; the first value of a
/// repeated name wins; invalid escapes are kept as they are).
pub(crate) fn parse_form(input: &str) -> BTreeMap<String, String> {
    let decode = |text: &str| percent_decode(&text.replace('+', " "));
    let mut form = BTreeMap::new();
    for pair in input.split('&').filter(|pair| !pair.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        form.entry(decode(name)).or_insert_with(|| decode(value));
    }
    form
}

fn is_form_content_type(content_type: Option<&str>) -> bool {
    content_type
        .and_then(|value| value.split(';').next())
        .is_some_and(|media| {
            media
                .trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        })
}

impl AccountsState {
    /// A success reply with a freshly issued access token.
    fn issue(&self, refresh_token: Option<&str>) -> Response {
        let (lifetime, legacy, api_domain, raw_expiry) = {
            let settings = lock(&self.settings);
            (
                settings.lifetime,
                settings.legacy,
                settings.api_domain.clone(),
                settings.raw_expiry.clone(),
            )
        };
        let access_token = self.tokens.issue(lifetime);
        let seconds = lifetime.as_secs();
        let reply = TokenReply {
            access_token: &access_token,
            refresh_token,
            expires_in_sec: legacy.then_some(seconds),
            api_domain: api_domain.as_deref(),
            token_type: "Bearer",
            expires_in: if legacy {
                seconds.saturating_mul(1000)
            } else {
                seconds
            },
        };
        let Some(raw) = raw_expiry else {
            return Json(reply).into_response();
        };
        let mut value = json!(reply);
        if let Some(map) = value.as_object_mut() {
            map.remove("expires_in_sec");
            map.insert("expires_in".to_owned(), raw.expires_in);
            if let Some(seconds) = raw.expires_in_sec {
                map.insert("expires_in_sec".to_owned(), seconds);
            }
        }
        Json(value).into_response()
    }

    fn client_matches(&self, form: &BTreeMap<String, String>) -> bool {
        form.get("client_id") == Some(&self.config.client_id)
            && form.get("client_secret") == Some(&self.config.client_secret)
    }

    fn refresh(&self, form: &BTreeMap<String, String>) -> Response {
        if !self.client_matches(form) {
            return oauth_error("invalid_client");
        }
        if form.get("refresh_token") != Some(&self.config.refresh_token) {
            return oauth_error("invalid_code");
        }
        let response = self.issue(None);
        self.refreshes.fetch_add(1, Ordering::Relaxed);
        response
    }

    fn exchange(&self, form: &BTreeMap<String, String>) -> Response {
        if !self.client_matches(form) {
            return oauth_error("invalid_client");
        }
        if form.get("redirect_uri") != Some(&self.config.redirect_uri) {
            return oauth_error("invalid_redirect_uri");
        }
        let issued = form
            .get("code")
            .and_then(|code| lock(&self.codes).remove(code));
        let fresh = matches!(issued, Some(issued) if issued.elapsed() <= GRANT_CODE_LIFETIME);
        if !fresh {
            return oauth_error("invalid_code");
        }
        let response = self.issue(Some(&self.config.refresh_token));
        self.exchanges.fetch_add(1, Ordering::Relaxed);
        response
    }
}

/// The single handler behind every route; see the module docs for the order of checks.
async fn handle(State(state): State<Arc<AccountsState>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let content_type = parts
        .headers
        .get(CONTENT_TYPE)
        .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned());
    let body = axum::body::to_bytes(body, MAX_FORM_BYTES).await;
    let form = match &body {
        Ok(bytes) if is_form_content_type(content_type.as_deref()) => {
            parse_form(&String::from_utf8_lossy(bytes))
        }
        _ => BTreeMap::new(),
    };
    lock(&state.requests).push(TokenRequest {
        method: parts.method.as_str().to_owned(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().map(str::to_owned),
        content_type,
        form: form.clone(),
    });

    if parts.uri.path() != TOKEN_PATH {
        return empty(StatusCode::NOT_FOUND);
    }
    let delay = lock(&state.settings).delay;
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    if body.is_err() {
        return empty(StatusCode::PAYLOAD_TOO_LARGE);
    }
    if parts.method != Method::POST {
        let mut response = empty(StatusCode::METHOD_NOT_ALLOWED);
        response
            .headers_mut()
            .insert(ALLOW, HeaderValue::from_static("POST"));
        return response;
    }
    if let Some(query) = parts.uri.query() {
        let query = parse_form(query);
        if SECRET_PARAMS.iter().any(|name| query.contains_key(*name)) {
            let body = Json(json!({ "error": "secrets_in_query" }));
            return (StatusCode::BAD_REQUEST, body).into_response();
        }
    }
    let raw_form = || match &body {
        Ok(bytes) => String::from_utf8_lossy(bytes).into_owned(),
        Err(_) => String::new(),
    };
    let failure = lock(&state.failures).pop_front();
    match failure {
        None => grant(&state, &form),
        Some(failure) => failure_response(failure, &raw_form(), || grant(&state, &form)),
    }
}

/// Normal handling of a token request, by its grant type.
fn grant(state: &AccountsState, form: &BTreeMap<String, String>) -> Response {
    match form.get("grant_type").map(String::as_str) {
        Some("refresh_token") => state.refresh(form),
        Some("authorization_code") => state.exchange(form),
        _ => oauth_error("unsupported_grant_type"),
    }
}

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn form_parsing() {
        let form = parse_form("a=1&b=x+y%2Bz&a=2&&c&d=%zz&%65=e");
        assert_eq!(form.get("a").map(String::as_str), Some("1"));
        assert_eq!(form.get("b").map(String::as_str), Some("x y+z"));
        assert_eq!(form.get("c").map(String::as_str), Some(""));
        assert_eq!(form.get("d").map(String::as_str), Some("%zz"));
        assert_eq!(form.get("e").map(String::as_str), Some("e"));
        assert_eq!(form.len(), 5);
        assert!(is_form_content_type(Some(
            "Application/X-WWW-Form-Urlencoded; charset=UTF-8"
        )));
        assert!(!is_form_content_type(Some("application/json")));
        assert!(!is_form_content_type(None));
    }
}
