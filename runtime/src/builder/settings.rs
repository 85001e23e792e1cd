//! The builder's defaults, and the settings that shape every call: timeouts, the low-speed
//! rule, the page limit, retries, concurrency, the proxy and the throttling callback.

use std::sync::Arc;
use std::time::Duration;

use super::ClientBuilder;
use crate::client::Client;
use crate::http::HttpSettings;
use crate::http_version::HttpVersion;
use crate::retry::RetryPolicy;
use crate::timeouts::LowSpeed;
pub use crate::timeouts::{
    DEFAULT_CONNECT_TIMEOUT, DEFAULT_LOW_SPEED_LIMIT, DEFAULT_LOW_SPEED_TIME, DEFAULT_READ_TIMEOUT,
    DEFAULT_RESPONSE_TIMEOUT, DEFAULT_TOTAL_TIMEOUT,
};

/// The most pages one listing stream fetches unless configured: 500 (each page is one API
/// call, and API calls cost API credits).
pub const DEFAULT_MAX_PAGES: u32 = 500;

impl<C: From<Client>> ClientBuilder<C> {
    /// Sets how long establishing a connection may take (default
    /// [`DEFAULT_CONNECT_TIMEOUT`], 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Sets how long the gap between two reads from the server may be (default
    /// [`DEFAULT_READ_TIMEOUT`], 2 min).
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.read_timeout = timeout;
        self
    }

    /// Limits each attempt, from sending to the end of the response (default: no limit of its
    /// own; the response timeout, the low-speed rule and the total timeout apply).
    pub fn attempt_timeout(mut self, timeout: Duration) -> Self {
        self.attempt_timeout = Some(timeout);
        self
    }

    /// Sets how long, once a request has been sent, its whole answer may take: the head, and
    /// the body of a JSON answer, however slowly the server drips them (default
    /// [`DEFAULT_RESPONSE_TIMEOUT`], 1 min, per attempt). A download's content is not bound by
    /// it but by the low-speed rule. Also limits each request to the token endpoint.
    pub fn response_timeout(mut self, timeout: Duration) -> Self {
        self.response_timeout = timeout;
        self
    }

    /// Limits a whole call, retries, backoff, token refreshes and a download's content included
    /// (default [`DEFAULT_TOTAL_TIMEOUT`], 30 min).
    pub fn total_timeout(mut self, timeout: Duration) -> Self {
        self.total_timeout = timeout;
        self
    }

    /// Sets the low-speed rule: a transfer (an upload's body, a download's content) that moves
    /// fewer than `bytes_per_second × time` bytes in any window of `time` is aborted, as with
    /// curl's `--speed-limit` and `--speed-time` (default [`DEFAULT_LOW_SPEED_LIMIT`], 1024
    /// bytes per second, over [`DEFAULT_LOW_SPEED_TIME`], 30 s). A `bytes_per_second` of 0 turns
    /// the rule off (the total timeout still applies).
    pub fn low_speed_limit(mut self, bytes_per_second: u64, time: Duration) -> Self {
        self.low_speed = LowSpeed {
            bytes_per_second,
            time,
        };
        self
    }

    /// Sets the most pages a listing's stream fetches (default [`DEFAULT_MAX_PAGES`], 500; at
    /// least 1). A stream that reaches it while the server says more follow ends with
    /// [`crate::PaginationError::PageLimit`], so a server that never says "no more"
    /// cannot spend the organisation's API credits.
    pub fn max_pages(mut self, pages: u32) -> Self {
        self.max_pages = pages.max(1);
        self
    }

    /// Sets a budget of API credits for this client and its clones: no call (no attempt,
    /// retries included) starts that would take the credits spent past `credits`; such a call
    /// ends with [`crate::Error::Budget`] before anything is sent. Calls already sent finish.
    /// [`crate::Client::usage`] says what is spent. No budget by default.
    pub fn max_credits(mut self, credits: u64) -> Self {
        self.max_credits = Some(credits);
        self
    }

    /// Sets how many attempts (calls, retries included) may start in any one-second window,
    /// across all the calls of this client and its clones, as rclone's `--tpslimit`: an
    /// attempt that would be one too many waits, after its place in the concurrency limit and
    /// just before it is sent, until the oldest of the last `calls` is a second old (and 50 ms
    /// more, so the gap holds where the requests arrive). The wait counts toward the call's
    /// total timeout. At least 1; no limit by default.
    pub fn max_calls_per_second(mut self, calls: u32) -> Self {
        self.max_calls_per_second = Some(calls.max(1));
        self
    }

    /// Sets how many bytes a second all request bodies sent and all downloads received share,
    /// as rclone's `--bwlimit`: each chunk waits its turn before it is passed on, after a small
    /// burst (a quarter of a second's worth, at least 64 KiB). The waits count toward the
    /// call's total timeout. At least 1; no limit by default.
    ///
    /// So that this pacing never trips the low-speed rule ([`ClientBuilder::low_speed_limit`]),
    /// the client lowers the rule's minimum speed to half an even share of `bytes_per_second`
    /// among the calls that may be in flight ([`ClientBuilder::max_concurrency`]) when it asks
    /// for more: with 512 KiB/s and 8 calls, to 32 KiB/s (the default 1 KiB/s is kept); with
    /// 8 KiB/s and 8 calls, to 512 bytes/s.
    pub fn max_bytes_per_second(mut self, bytes_per_second: u64) -> Self {
        self.max_bytes_per_second = Some(bytes_per_second.max(1));
        self
    }

    /// Sets the retry policy.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Sets how many calls may be in flight at once (default from the spec): the most the
    /// client's adaptive limit allows. The server limits concurrent calls too; excess calls
    /// wait here instead of failing there, and each 429 burst halves the limit (successes raise
    /// it again): see [`Client::concurrency`].
    pub fn max_concurrency(mut self, limit: usize) -> Self {
        self.concurrency = Some(limit);
        self
    }

    /// Trusts the certificates of this PEM text (one or more `BEGIN CERTIFICATE` blocks) as
    /// roots, besides the platform's: for a proxy that intercepts TLS, say. Certificates in the
    /// file `SSL_CERT_FILE` names are added the same way. A bad certificate is
    /// [`ConfigError::InvalidCertificate`] when the client is built.
    ///
    /// [`ConfigError::InvalidCertificate`]: crate::ConfigError::InvalidCertificate
    pub fn add_root_certificate(mut self, pem: impl AsRef<[u8]>) -> Self {
        self.root_certificates.push(pem.as_ref().to_vec());
        self
    }

    /// Sends every call through this proxy (an `http://`, `https://`, `socks5://`,
    /// `socks5h://` or `socks4://` URL; a user name and password in it go to the proxy and are
    /// never shown in errors or logs). Without it, the standard variables (`HTTPS_PROXY`,
    /// `HTTP_PROXY`, `ALL_PROXY`, `NO_PROXY`) apply. Either way, a plain-http request (only
    /// ever to a loopback API or accounts URL) goes through a proxy only when the proxy runs on
    /// that very host; any other proxy is bypassed and the request connects directly, so its
    /// token never reaches another host in clear text.
    pub fn proxy(mut self, url: impl Into<String>) -> Self {
        self.proxy = Some(url.into());
        self
    }

    /// Sets which HTTP versions are offered to the server (default [`HttpVersion::Http1`]).
    pub fn http_version(mut self, version: HttpVersion) -> Self {
        self.http_version = version;
        self
    }

    /// Calls `listener` each time the server answers 429, before any retry (to lower a
    /// program's own concurrency, say).
    pub fn on_throttled(mut self, listener: impl Fn() + Send + Sync + 'static) -> Self {
        self.on_throttled = Some(Arc::new(listener));
        self
    }

    /// What the HTTP clients are built from.
    pub(super) fn http_settings(&self) -> HttpSettings {
        HttpSettings {
            connect_timeout: self.connect_timeout,
            read_timeout: self.read_timeout,
            proxy: self.proxy.clone(),
            root_certificates: self.root_certificates.clone(),
            http_version: self.http_version,
        }
    }
}
