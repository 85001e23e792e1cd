//! The HTTP client: configuration, and executing a prepared request with a fresh token, within
//! the concurrency limit and the timeouts, retrying what is safe to retry.
//!
//! Each attempt races the request against a watcher that enforces the low-speed rule while the
//! body is sent and the response timeout once it is (module `timeouts`); a redirect the
//! request may not follow ends it with [`Error::Redirect`] (see [`crate::redirect`]); the
//! access token is redacted from every answer before it is decoded (module `redact`).

use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Instant, SystemTime};

use futures_util::StreamExt as _;
use serde::de::DeserializeOwned;
use tracing::Instrument as _;

use crate::auth::{Grant, TokenProvider};
use crate::body::RequestBody;
use crate::download::Download;
use crate::error::{Error, OperationError};
use crate::http::HttpClients;
use crate::multipart::MultipartBody;
use crate::profile::ApiProfile;
use crate::redact::Secrets;
use crate::redirect::RedirectError;
use crate::response::{self, ActionResponse, ActionResults, ListPage};
use crate::retry::{
    Outcome, RetryDecision, RetryPolicy, StopReason, parse_retry_after, random_jitter,
};
use crate::timeouts::{Timeouts, deadline_after};

/// A configured client. Cheap to clone; clones share the connection pool, the token provider
/// and the concurrency limit.
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) http: HttpClients,
    pub(crate) base_url: String,
    pub(crate) follow_api_domain: bool,
    pub(crate) version: String,
    pub(crate) profile: ApiProfile,
    pub(crate) auth_header: reqwest::header::HeaderName,
    pub(crate) provider: Arc<dyn TokenProvider>,
    pub(crate) retry: RetryPolicy,
    pub(crate) limiter: Arc<tokio::sync::Semaphore>,
    pub(crate) timeouts: Timeouts,
    pub(crate) max_pages: u32,
    pub(crate) on_throttled: Option<ThrottleListener>,
}

/// Called each time the server answers 429 (too many requests), before any retry: a place to
/// slow a whole program down, not just the call.
pub type ThrottleListener = Arc<dyn Fn() + Send + Sync>;

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url)
            .field("version", &self.inner.version)
            .field("provider", &self.inner.provider)
            .field("retry", &self.inner.retry)
            .finish_non_exhaustive()
    }
}

/// A request ready to send.
#[derive(Debug)]
pub struct PreparedRequest {
    /// The HTTP method.
    pub method: reqwest::Method,
    /// The path below the base URL, starting with `/`, with validated segments.
    pub path: String,
    /// The path template from the spec, for logs (it holds no ids).
    pub path_template: &'static str,
    /// The body, if the operation has one.
    pub body: Option<RequestBody>,
    /// Whether repeating the request is harmless (then it is retried even after it may have
    /// been processed).
    pub idempotent: bool,
}

/// A response: read whole (within the size bound), or, for a streamed success, still open
/// with its concurrency permit.
struct RawResponse {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: Vec<u8>,
    stream: Option<(reqwest::Response, tokio::sync::OwnedSemaphorePermit)>,
    /// When the attempt timeout ends, if one is set: a streamed body must arrive before.
    attempt_deadline: Option<tokio::time::Instant>,
}

/// How far one attempt got.
struct Progress {
    bytes_sent: AtomicU64,
    body_complete: AtomicBool,
    /// Notified once, when the last byte of the body has been handed over.
    sent: tokio::sync::Notify,
}

impl Progress {
    /// Progress of a request with a body, or of one without (which is sent as it starts).
    fn new(has_body: bool) -> Self {
        Progress {
            bytes_sent: AtomicU64::new(0),
            body_complete: AtomicBool::new(!has_body),
            sent: tokio::sync::Notify::new(),
        }
    }
}

enum AttemptFailure {
    Transport(reqwest::Error),
    /// The attempt timeout.
    TimedOut,
    /// The low-speed rule, while sending: the bytes handed over in the last window.
    SendingTooSlow(u64),
    /// The response timeout, after the request was sent.
    NoAnswer,
    Redirected(RedirectError),
    Unsendable(&'static str),
}

impl Client {
    /// The configured API base URL, without a trailing slash (the token's API domain may take
    /// its place; see [`ClientBuilder::follow_api_domain`]).
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// The API version calls use, e.g. `v2`.
    pub fn api_version(&self) -> &str {
        &self.inner.version
    }

    /// The token provider.
    pub fn token_provider(&self) -> &Arc<dyn TokenProvider> {
        &self.inner.provider
    }

    /// The most pages a listing's stream fetches (see [`ClientBuilder::max_pages`]).
    ///
    /// [`ClientBuilder::max_pages`]: crate::ClientBuilder::max_pages
    pub fn max_pages(&self) -> u32 {
        self.inner.max_pages
    }

    /// Sends a request whose answer is a `data[]` list of action results, and decodes its first
    /// item (or the operation's typed error).
    pub async fn execute_action<T: DeserializeOwned, E: OperationError>(
        &self,
        request: PreparedRequest,
        success_status: &[u16],
    ) -> Result<ActionResponse<T>, Error<E>> {
        let response = self.execute(request, &[]).await?;
        response::decode_action(response.status, &response.body, success_status)
    }

    /// Sends a request whose answer is a `data[]` list with one result per item, each a success
    /// or the operation's typed error.
    pub async fn execute_action_list<T: DeserializeOwned, E: OperationError>(
        &self,
        request: PreparedRequest,
        success_status: &[u16],
    ) -> Result<ActionResults<T, E>, Error<E>> {
        let response = self.execute(request, &[]).await?;
        response::decode_action_list(response.status, &response.body, success_status)
    }

    /// Sends a request whose answer is a page of a listing (`empty_status`: an empty page).
    pub async fn execute_list<T: DeserializeOwned, I: DeserializeOwned, E: OperationError>(
        &self,
        request: PreparedRequest,
        success_status: &[u16],
        empty_status: &[u16],
    ) -> Result<ListPage<T, I>, Error<E>> {
        let response = self.execute(request, &[]).await?;
        response::decode_list(
            response.status,
            &response.body,
            success_status,
            empty_status,
        )
    }

    /// Sends a request whose successful answer is content to stream (a file): `None` for an
    /// `empty_status` (no such item). The body is not read here; the [`Download`] streams it.
    pub async fn execute_binary<E: OperationError>(
        &self,
        request: PreparedRequest,
        success_status: &[u16],
        empty_status: &[u16],
    ) -> Result<Option<Download>, Error<E>> {
        // The content streams after this returns, still within the call's total timeout.
        let deadline = deadline_after(self.inner.timeouts.total);
        let response = self.execute(request, success_status).await?;
        if empty_status.contains(&response.status) {
            return Ok(None);
        }
        match response.stream {
            Some((stream, permit)) => {
                let timeouts = &self.inner.timeouts;
                let (deadline, limit) = match (response.attempt_deadline, timeouts.attempt) {
                    (Some(end), Some(limit)) if end < deadline => (end, limit),
                    _ => (deadline, timeouts.total),
                };
                Ok(Some(Download::new(
                    stream,
                    permit,
                    deadline,
                    limit,
                    timeouts.low_speed,
                )))
            }
            None => Err(response::decode_error(response.status, &response.body)),
        }
    }

    async fn execute<E: std::error::Error>(
        &self,
        request: PreparedRequest,
        stream_statuses: &[u16],
    ) -> Result<RawResponse, Error<E>> {
        // Build the body once up front: bad files are refused before anything is sent.
        let first_body = match &request.body {
            Some(body) => Some(body.build().await?),
            None => None,
        };
        let sent_whole = AtomicBool::new(false);
        let run = self.run_attempts(&request, first_body, &sent_whole, stream_statuses);
        let limit = self.inner.timeouts.total;
        match tokio::time::timeout(limit, run).await {
            Ok(result) => result,
            Err(_) => Err(Error::Timeout {
                message: format!("the call took longer than its total timeout of {limit:?}"),
                may_have_been_processed: sent_whole.load(Ordering::Relaxed),
            }),
        }
    }

    async fn run_attempts<E: std::error::Error>(
        &self,
        request: &PreparedRequest,
        first_body: Option<MultipartBody>,
        sent_whole: &AtomicBool,
        stream_statuses: &[u16],
    ) -> Result<RawResponse, Error<E>> {
        let replayable = request.body.as_ref().is_none_or(RequestBody::is_replayable);
        let mut body = first_body;
        let mut grant = self.inner.provider.token().await?;
        let mut refreshed = false;
        let mut attempt = 1u32;
        loop {
            let progress = Arc::new(Progress::new(body.is_some()));
            let result = self
                .attempt(
                    request,
                    body.take(),
                    &grant,
                    attempt,
                    &progress,
                    stream_statuses,
                )
                .await;
            let complete = progress.body_complete.load(Ordering::Relaxed);
            if complete {
                sent_whole.store(true, Ordering::Relaxed);
            }
            let (outcome, failure) = match result {
                Ok(response) => {
                    if response.status == 401
                        && !refreshed
                        && replayable
                        && response::error_code(&response.body).is_some_and(|code| {
                            self.inner.profile.refresh_on.contains(&code.as_str())
                        })
                    {
                        tracing::debug!("access token rejected; refreshing once and retrying");
                        grant = match self
                            .inner
                            .provider
                            .refresh_after_rejection(&grant.token)
                            .await
                        {
                            Ok(grant) => grant,
                            // A fixed token: the rejection itself is the most useful error.
                            Err(crate::auth::AuthError::CannotRefresh) => return Ok(response),
                            Err(e) => return Err(e.into()),
                        };
                        refreshed = true;
                        body = rebuild(request).await?;
                        continue;
                    }
                    match response.status {
                        429 => {
                            if let Some(listener) = &self.inner.on_throttled {
                                listener();
                            }
                            let retry_after = response
                                .headers
                                .get(reqwest::header::RETRY_AFTER)
                                .and_then(|v| v.to_str().ok())
                                .and_then(|v| parse_retry_after(v, SystemTime::now()));
                            (Outcome::Throttled { retry_after }, Ok(response))
                        }
                        status @ 500..=599 => (Outcome::ServerError(status), Ok(response)),
                        _ => return Ok(response),
                    }
                }
                Err(AttemptFailure::Transport(e)) => {
                    let outcome = if e.is_connect() {
                        Outcome::ConnectFailed
                    } else if !complete {
                        Outcome::LostBeforeBodySent
                    } else if e.is_timeout() {
                        Outcome::TimedOutAfterSend
                    } else {
                        Outcome::LostAfterSend
                    };
                    let may = outcome.may_have_been_processed();
                    (outcome, Err(Error::from_reqwest(e, may)))
                }
                Err(AttemptFailure::Unsendable(message)) => {
                    return Err(Error::Transport {
                        message: message.to_owned(),
                        may_have_been_processed: false,
                        source: None,
                    });
                }
                Err(AttemptFailure::Redirected(redirect)) => {
                    tracing::warn!(
                        status = redirect.status,
                        location = %redirect.location,
                        "redirect not followed"
                    );
                    return Err(Error::Redirect(redirect));
                }
                Err(AttemptFailure::SendingTooSlow(moved)) => {
                    let rule = self.inner.timeouts.low_speed;
                    (
                        Outcome::LostBeforeBodySent,
                        Err(Error::Timeout {
                            message: format!(
                                "attempt {attempt} sent only {moved} bytes of the request in {:?}, under the minimum of {} bytes per second (the low-speed rule): the server is not reading it, so it cannot have processed it",
                                rule.window(),
                                rule.bytes_per_second
                            ),
                            may_have_been_processed: false,
                        }),
                    )
                }
                Err(AttemptFailure::NoAnswer) => {
                    let limit = self.inner.timeouts.response;
                    (
                        Outcome::TimedOutAfterSend,
                        Err(Error::Timeout {
                            message: format!(
                                "attempt {attempt} got no complete answer within {limit:?} of sending the request (the response timeout)"
                            ),
                            may_have_been_processed: true,
                        }),
                    )
                }
                Err(AttemptFailure::TimedOut) => {
                    let outcome = if complete {
                        Outcome::TimedOutAfterSend
                    } else {
                        Outcome::LostBeforeBodySent
                    };
                    let limit = self.inner.timeouts.attempt.unwrap_or_default();
                    (
                        outcome,
                        Err(Error::Timeout {
                            message: format!("attempt {attempt} took longer than {limit:?}"),
                            may_have_been_processed: complete,
                        }),
                    )
                }
            };
            let decision = if replayable {
                self.inner
                    .retry
                    .decide(attempt, outcome, request.idempotent, random_jitter())
            } else {
                RetryDecision::Stop(StopReason::OutOfAttempts)
            };
            match decision {
                RetryDecision::RetryAfter(wait) => {
                    tracing::info!(attempt, ?outcome, ?wait, "retrying");
                    tokio::time::sleep(wait).await;
                    body = rebuild(request).await?;
                    attempt += 1;
                }
                RetryDecision::Stop(reason) => {
                    tracing::debug!(attempt, ?outcome, ?reason, "not retrying");
                    return failure;
                }
            }
        }
    }

    async fn attempt(
        &self,
        request: &PreparedRequest,
        body: Option<MultipartBody>,
        grant: &Grant,
        attempt: u32,
        progress: &Arc<Progress>,
        stream_statuses: &[u16],
    ) -> Result<RawResponse, AttemptFailure> {
        let span = tracing::info_span!(
            "zoho_crm.attempt",
            method = %request.method,
            path = request.path_template,
            attempt,
            status = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
            bytes_sent = tracing::field::Empty,
        );
        let started = Instant::now();
        let attempt_deadline = self.inner.timeouts.attempt.map(deadline_after);
        let result = async {
            let permit = Arc::clone(&self.inner.limiter)
                .acquire_owned()
                .await
                .map_err(|_| {
                    AttemptFailure::Unsendable("the client's concurrency limiter was closed")
                })?;
            let send = self.send(request, body, grant, progress, permit, stream_statuses);
            let watched = async {
                tokio::select! {
                    biased;
                    result = send => result,
                    failure = watch(progress, &self.inner.timeouts) => Err(failure),
                }
            };
            match self.inner.timeouts.attempt {
                None => watched.await,
                Some(limit) => tokio::time::timeout(limit, watched)
                    .await
                    .unwrap_or(Err(AttemptFailure::TimedOut)),
            }
        }
        .instrument(span.clone())
        .await;
        span.record("duration_ms", started.elapsed().as_millis() as u64);
        span.record("bytes_sent", progress.bytes_sent.load(Ordering::Relaxed));
        if let Ok(response) = &result {
            span.record("status", response.status);
        }
        result.map(|response| RawResponse {
            attempt_deadline,
            ..response
        })
    }

    async fn send(
        &self,
        request: &PreparedRequest,
        body: Option<MultipartBody>,
        grant: &Grant,
        progress: &Arc<Progress>,
        permit: tokio::sync::OwnedSemaphorePermit,
        stream_statuses: &[u16],
    ) -> Result<RawResponse, AttemptFailure> {
        let base = grant
            .api_domain
            .as_deref()
            .filter(|domain| self.inner.follow_api_domain && is_safe_base(domain))
            .unwrap_or(&self.inner.base_url);
        let url = reqwest::Url::parse(&format!("{}{}", base.trim_end_matches('/'), request.path))
            .map_err(|_| AttemptFailure::Unsendable("the request URL is invalid"))?;
        // Only a body-less GET or DELETE may follow a redirect, and only within its origin.
        let followable = body.is_none()
            && (request.method == reqwest::Method::GET
                || request.method == reqwest::Method::DELETE);
        let http = if followable {
            &self.inner.http.same_origin
        } else {
            &self.inner.http.no_redirects
        };
        let mut auth = reqwest::header::HeaderValue::from_str(&format!(
            "{} {}",
            self.inner.profile.auth_scheme,
            grant.token.expose()
        ))
        .map_err(|_| AttemptFailure::Unsendable("the access token cannot be sent in a header"))?;
        auth.set_sensitive(true);
        let mut builder = http
            .request(request.method.clone(), url.clone())
            .header(self.inner.auth_header.clone(), auth);
        // A body-less request counts as sent from the start (see `Progress::new`).
        if let Some(body) = body {
            let content_type = body.content_type();
            let (length, stream) = body.into_stream();
            let tracker = Arc::clone(progress);
            // The body counts as sent once its last byte is handed over: from then on the
            // server may have all of it, so a lost answer must not be retried blindly.
            let counted = stream.map(move |chunk| {
                if let Ok(bytes) = &chunk {
                    let sent = tracker
                        .bytes_sent
                        .fetch_add(bytes.len() as u64, Ordering::Relaxed)
                        .saturating_add(bytes.len() as u64);
                    if sent >= length && !tracker.body_complete.swap(true, Ordering::Relaxed) {
                        tracker.sent.notify_one();
                    }
                }
                chunk
            });
            builder = builder
                .header(reqwest::header::CONTENT_TYPE, content_type)
                .header(reqwest::header::CONTENT_LENGTH, length)
                .body(reqwest::Body::wrap_stream(counted));
        }
        let response = builder.send().await.map_err(AttemptFailure::Transport)?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        if let Some(redirect) =
            RedirectError::from_answer(status, &headers, &url, response.url(), followable)
        {
            return Err(AttemptFailure::Redirected(redirect));
        }
        if stream_statuses.contains(&status) {
            return Ok(RawResponse {
                status,
                headers,
                body: Vec::new(),
                stream: Some((response, permit)),
                attempt_deadline: None,
            });
        }
        let body = response::read_bounded_raw(response)
            .await
            .map_err(AttemptFailure::Transport)?;
        drop(permit);
        // A gateway may echo the request: the token must not reach an error or a log.
        let body = Secrets::new().with(grant.token.expose()).bytes(body);
        Ok(RawResponse {
            status,
            headers,
            body,
            stream: None,
            attempt_deadline: None,
        })
    }
}

/// Resolves when an attempt breaks a limit: the low-speed rule while its body is sent, then the
/// response timeout. Raced against the attempt, so it ends when the attempt does; while sending,
/// each window that does not fail moved at least the rule's minimum, so a body of a given
/// length takes a bounded number of windows.
async fn watch(progress: &Progress, timeouts: &Timeouts) -> AttemptFailure {
    let rule = timeouts.low_speed;
    let mut check = crate::timeouts::SpeedCheck::start(rule);
    let mut counted = 0u64;
    while !progress.body_complete.load(Ordering::Relaxed) {
        let Some(window_end) = check.window_end() else {
            // The rule is off: only the end of sending matters.
            progress.sent.notified().await;
            continue;
        };
        tokio::select! {
            () = progress.sent.notified() => {}
            () = tokio::time::sleep_until(window_end) => {
                let sent = progress.bytes_sent.load(Ordering::Relaxed);
                check.add(sent.saturating_sub(counted));
                counted = sent;
                if let Err(moved) = check.check(tokio::time::Instant::now()) {
                    return AttemptFailure::SendingTooSlow(moved);
                }
            }
        }
    }
    tokio::time::sleep(timeouts.response).await;
    AttemptFailure::NoAnswer
}

async fn rebuild<E: std::error::Error>(
    request: &PreparedRequest,
) -> Result<Option<MultipartBody>, Error<E>> {
    match &request.body {
        Some(body) => Ok(Some(body.build().await?)),
        None => Ok(None),
    }
}

/// Whether a URL may receive a token: https, or plain http to a loopback host.
pub(crate) fn is_safe_base(url: &str) -> bool {
    let Ok(parsed) = reqwest::Url::parse(url) else {
        return false;
    };
    match parsed.scheme() {
        "https" => parsed.host().is_some(),
        "http" => is_loopback(&parsed),
        _ => false,
    }
}

pub(crate) fn is_loopback(url: &reqwest::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}
