//! One attempt of a call: sending the request with its token and body, counting the bytes
//! handed over, and racing it against the watcher of the low-speed rule and the response
//! timeout.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Instant;

use futures_util::StreamExt as _;
use tracing::Instrument as _;

use super::{Client, PreparedRequest, is_safe_base};
use crate::auth::Grant;
use crate::body::BuiltBody;
use crate::concurrency::Slot;
use crate::redact::Secrets;
use crate::redirect::RedirectError;
use crate::response;
use crate::timeouts::{Timeouts, deadline_after};

/// A response: read whole (within the size bound), or, for a streamed success, still open
/// with its concurrency permit.
pub(super) struct RawResponse {
    /// The HTTP status.
    pub(super) status: u16,
    /// The response headers.
    pub(super) headers: reqwest::header::HeaderMap,
    /// The body read whole, as the server sent it (empty for a streamed answer): results and
    /// errors are decoded from it, and the secrets taken out of what an error quotes.
    pub(super) body: Vec<u8>,
    /// The call's access token, to keep out of the text errors quote from the body.
    pub(super) secrets: Secrets,
    /// A streamed answer, still open, with the permit it holds.
    pub(super) stream: Option<(reqwest::Response, Slot)>,
    /// When the attempt timeout ends, if one is set: a streamed body must arrive before.
    pub(super) attempt_deadline: Option<tokio::time::Instant>,
}

/// How far one attempt got.
pub(super) struct Progress {
    /// The bytes of the body handed over so far.
    pub(super) bytes_sent: AtomicU64,
    /// Whether the whole body has been handed over (the server may have all of it).
    pub(super) body_complete: AtomicBool,
    /// Notified once, when the last byte of the body has been handed over.
    sent: tokio::sync::Notify,
}

impl Progress {
    /// Progress of a request with a body, or of one without (which is sent as it starts).
    pub(super) fn new(has_body: bool) -> Self {
        Progress {
            bytes_sent: AtomicU64::new(0),
            body_complete: AtomicBool::new(!has_body),
            sent: tokio::sync::Notify::new(),
        }
    }
}

/// Why an attempt got no answer (or one it may not use).
pub(super) enum AttemptFailure {
    /// The connection failed, or reading or sending failed.
    Transport(reqwest::Error),
    /// The attempt timeout.
    TimedOut,
    /// The low-speed rule, while sending: the bytes handed over in the last window.
    SendingTooSlow(u64),
    /// The response timeout, after the request was sent.
    NoAnswer,
    /// A redirect the request may not follow.
    Redirected(RedirectError),
    /// The request could not be put together; nothing was sent.
    Unsendable(&'static str),
}

impl Client {
    /// One attempt: waits for a concurrency permit and its turn under the call rate, then sends the request with `grant`,
    /// raced against the watcher of its limits and the attempt timeout, in a tracing span.
    pub(super) async fn attempt(
        &self,
        request: &PreparedRequest,
        body: Option<BuiltBody>,
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
            let permit = self.inner.limiter.acquire().await;
            // Paced after the permit, so the attempt is sent as soon as it is counted.
            if let Some(pacer) = &self.inner.pacer {
                pacer.start().await;
            }
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

    /// Sends the request and reads its answer (or, for a `stream_statuses` answer, keeps it
    /// open with its permit), counting the body's bytes into `progress`.
    async fn send(
        &self,
        request: &PreparedRequest,
        body: Option<BuiltBody>,
        grant: &Grant,
        progress: &Arc<Progress>,
        permit: Slot,
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
            let stream = match &self.inner.bandwidth {
                Some(rate) => Arc::clone(rate).throttle(stream).boxed(),
                None => stream,
            };
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
                secrets: Secrets::new(),
                stream: Some((response, permit)),
                attempt_deadline: None,
            });
        }
        let body = response::read_bounded_raw(response)
            .await
            .map_err(AttemptFailure::Transport)?;
        drop(permit);
        Ok(RawResponse {
            status,
            headers,
            body,
            secrets: Secrets::new().with(grant.token.expose()),
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
