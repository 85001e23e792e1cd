//! The HTTP client: configuration, and executing a prepared request with a fresh token, within
//! the concurrency limit and the timeouts, retrying what is safe to retry.
//!
//! Each attempt races the request against a watcher that enforces the low-speed rule while the
//! body is sent and the response timeout once it is (module `timeouts`); a redirect the
//! request may not follow ends it with [`Error::Redirect`] (see [`crate::redirect`]). An answer
//! is decoded once, from its body as received; the access token is taken out of the text an
//! error quotes (module `redact`), never out of a result.
//!
//! The parts: this module holds the client and its calls; `retry_loop` runs the attempts of a
//! call (refreshing a rejected token once, retrying what the policy allows) and `attempt` sends
//! one.

mod attempt;
mod retry_loop;

use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::de::DeserializeOwned;

use crate::auth::TokenProvider;
use crate::body::RequestBody;
use crate::concurrency::{AdaptiveLimit, ConcurrencyStats};
use crate::download::Download;
use crate::error::{Error, OperationError};
use crate::http::HttpClients;
use crate::pacing::{ByteRate, CallPacer};
use crate::profile::ApiProfile;
use crate::retry::RetryPolicy;
use crate::timeouts::{Timeouts, deadline_after};
use crate::usage::{Meter, Usage};
use crate::version::Version;
use crate::zoho::{self, ActionResponse, ActionResults, ListPage};
use attempt::RawResponse;

/// A configured client. Cheap to clone; clones share the connection pool, the token provider,
/// the concurrency limit and the pacing (calls and bytes per second).
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) http: HttpClients,
    pub(crate) base_url: String,
    pub(crate) follow_api_domain: bool,
    pub(crate) version: Version,
    pub(crate) profile: ApiProfile,
    pub(crate) auth_header: reqwest::header::HeaderName,
    pub(crate) provider: Arc<dyn TokenProvider>,
    pub(crate) retry: RetryPolicy,
    pub(crate) limiter: Arc<AdaptiveLimit>,
    pub(crate) timeouts: Timeouts,
    pub(crate) max_pages: u32,
    pub(crate) on_throttled: Option<ThrottleListener>,
    pub(crate) meter: Arc<Meter>,
    /// The limit on attempts started per second, if one is set.
    pub(crate) pacer: Option<CallPacer>,
    /// The byte rate bodies and downloads share, if one is set.
    pub(crate) bandwidth: Option<Arc<ByteRate>>,
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
    /// The API credits each attempt costs.
    pub credits: u32,
}

impl Client {
    /// The configured API base URL, without a trailing slash (the token's API domain may take
    /// its place; see [`crate::ClientBuilder::follow_api_domain`]).
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// The API version calls use unless a request sets its own.
    pub fn api_version(&self) -> Version {
        self.inner.version
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

    /// The concurrency limit now and what it went through: each burst of 429 answers halves
    /// it (down to 1), a run of successes raises it by one (up to
    /// [`crate::ClientBuilder::max_concurrency`]). Clones share one limit.
    pub fn concurrency(&self) -> ConcurrencyStats {
        self.inner.limiter.stats()
    }

    /// What this client (and its clones) has spent so far: calls (every attempt, retries
    /// included), API credits, retries, 429 answers and bytes each way, and the budget of
    /// credits when one is set ([`crate::ClientBuilder::max_credits`]).
    pub fn usage(&self) -> Usage {
        self.inner.meter.usage()
    }

    /// Sends a request whose answer is a `data[]` list of action results, and decodes its first
    /// item (or the operation's typed error).
    pub(crate) async fn execute_action<T: DeserializeOwned, E: OperationError>(
        &self,
        request: PreparedRequest,
        success_status: &[u16],
    ) -> Result<ActionResponse<T>, Error<E>> {
        let response = self.execute(request, &[]).await?;
        zoho::decode_action(response.status, &response.body, success_status)
            .map_err(|e| response.secrets.error(e))
    }

    /// Sends a request whose answer is a `data[]` list with one result per item, each a success
    /// or the operation's typed error.
    pub(crate) async fn execute_action_list<T: DeserializeOwned, E: OperationError>(
        &self,
        request: PreparedRequest,
        success_status: &[u16],
    ) -> Result<ActionResults<T, E>, Error<E>> {
        let response = self.execute(request, &[]).await?;
        let results = zoho::decode_action_list(response.status, &response.body, success_status)
            .map_err(|e| response.secrets.error(e))?;
        // Items that are errors quote the server's text: the secrets are taken out of it.
        Ok(results
            .into_iter()
            .map(|item| item.map_err(|e| response.secrets.api_error(e)))
            .collect())
    }

    /// Sends a request whose answer is a page of a listing (`empty_status`: an empty page).
    pub(crate) async fn execute_list<
        T: DeserializeOwned,
        I: DeserializeOwned,
        E: OperationError,
    >(
        &self,
        request: PreparedRequest,
        success_status: &[u16],
        empty_status: &[u16],
    ) -> Result<ListPage<T, I>, Error<E>> {
        let response = self.execute(request, &[]).await?;
        zoho::decode_list(
            response.status,
            &response.body,
            success_status,
            empty_status,
        )
        .map_err(|e| response.secrets.error(e))
    }

    /// Sends a request whose successful answer is content to stream (a file): `None` for an
    /// `empty_status` (no such item). The body is not read here; the [`Download`] streams it.
    pub(crate) async fn execute_binary<E: OperationError>(
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
                    Arc::clone(&self.inner.meter),
                    self.inner.bandwidth.clone(),
                )))
            }
            None => Err(response
                .secrets
                .error(zoho::decode_error(response.status, &response.body))),
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
                source: None,
            }),
        }
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
