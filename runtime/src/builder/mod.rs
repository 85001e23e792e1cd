//! Building a [`Client`]: where it talks to (data centre and environment, or explicit URLs),
//! how it authenticates, and its timeouts, retries, concurrency, page limit and proxy.
//!
//! Every call ends within a bounded time whatever the server does. With the defaults below, a
//! server that drips its answer (one byte a second, say) ends a call after at most
//! [`DEFAULT_RESPONSE_TIMEOUT`] per attempt (4 attempts for a GET or DELETE, backoff between
//! them: about 4 minutes; 1 minute for an upload, which is not retried once sent), a download
//! whose content drips after [`DEFAULT_LOW_SPEED_TIME`], and nothing runs longer than
//! [`DEFAULT_TOTAL_TIMEOUT`].
//!
//! The builder's parts: `settings` (the defaults, and timeouts, retries, limits and proxy),
//! `credentials` (how it authenticates), `endpoints` (where it talks to, and the checks on
//! those URLs), `from_env` (the `ZOHO_*` variables), `build` (the client from all of them) and
//! `exchange` (a grant code for a refresh token).

mod build;
mod credentials;
mod endpoints;
mod exchange;
#[cfg(feature = "config")]
mod from_env;
mod settings;

use std::marker::PhantomData;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::auth::TokenStore;
use crate::client::{Client, ThrottleListener};
use crate::http_version::HttpVersion;
use crate::profile::ApiProfile;
use crate::retry::RetryPolicy;
use crate::timeouts::LowSpeed;
use crate::version::Version;
use credentials::Credentials;

pub use exchange::ExchangeError;
pub use settings::{
    DEFAULT_CONNECT_TIMEOUT, DEFAULT_LOW_SPEED_LIMIT, DEFAULT_LOW_SPEED_TIME, DEFAULT_MAX_PAGES,
    DEFAULT_READ_TIMEOUT, DEFAULT_RESPONSE_TIMEOUT, DEFAULT_TOTAL_TIMEOUT,
};

/// Builds a [`Client`] (or the generated crate's wrapper `C`) from an [`ApiProfile`] and settings.
pub struct ClientBuilder<C = Client> {
    profile: ApiProfile,
    base_url: Option<String>,
    accounts_url: Option<String>,
    data_center: Option<String>,
    environment: Option<String>,
    version: Option<Version>,
    credentials: Credentials,
    store: Option<Arc<dyn TokenStore>>,
    token_file: Option<PathBuf>,
    follow_api_domain: Option<bool>,
    connect_timeout: Duration,
    read_timeout: Duration,
    attempt_timeout: Option<Duration>,
    response_timeout: Duration,
    total_timeout: Duration,
    low_speed: LowSpeed,
    max_pages: u32,
    max_credits: Option<u64>,
    max_calls_per_second: Option<u32>,
    max_bytes_per_second: Option<u64>,
    retry: RetryPolicy,
    concurrency: Option<usize>,
    proxy: Option<String>,
    root_certificates: Vec<Vec<u8>>,
    http_version: HttpVersion,
    on_throttled: Option<ThrottleListener>,
    incomplete: Option<&'static str>,
    output: PhantomData<fn() -> C>,
}

impl<C> std::fmt::Debug for ClientBuilder<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &self.base_url)
            .field("accounts_url", &self.accounts_url)
            .field("data_center", &self.data_center)
            .field("environment", &self.environment)
            .field("version", &self.version)
            .field("credentials", &self.credentials.kind())
            .field("token_file", &self.token_file)
            .field("connect_timeout", &self.connect_timeout)
            .field("read_timeout", &self.read_timeout)
            .field("attempt_timeout", &self.attempt_timeout)
            .field("response_timeout", &self.response_timeout)
            .field("total_timeout", &self.total_timeout)
            .field("low_speed", &self.low_speed)
            .field("max_pages", &self.max_pages)
            .field("max_credits", &self.max_credits)
            .field("max_calls_per_second", &self.max_calls_per_second)
            .field("max_bytes_per_second", &self.max_bytes_per_second)
            .field("retry", &self.retry)
            .field("concurrency", &self.concurrency)
            .field("proxy", &self.proxy.as_ref().map(|_| "[set]"))
            .field("root_certificates", &self.root_certificates.len())
            .field("http_version", &self.http_version)
            .finish()
    }
}

impl<C: From<Client>> ClientBuilder<C> {
    /// A builder with the profile's defaults; the generated `Client::builder` calls it.
    #[doc(hidden)]
    pub fn new(profile: ApiProfile) -> Self {
        ClientBuilder {
            profile,
            base_url: None,
            accounts_url: None,
            data_center: None,
            environment: None,
            version: None,
            credentials: Credentials::None,
            store: None,
            token_file: None,
            follow_api_domain: None,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            read_timeout: DEFAULT_READ_TIMEOUT,
            attempt_timeout: None,
            response_timeout: DEFAULT_RESPONSE_TIMEOUT,
            total_timeout: DEFAULT_TOTAL_TIMEOUT,
            low_speed: LowSpeed {
                bytes_per_second: DEFAULT_LOW_SPEED_LIMIT,
                time: DEFAULT_LOW_SPEED_TIME,
            },
            max_pages: DEFAULT_MAX_PAGES,
            max_credits: None,
            max_calls_per_second: None,
            max_bytes_per_second: None,
            retry: RetryPolicy::default(),
            concurrency: None,
            proxy: None,
            root_certificates: Vec::new(),
            http_version: HttpVersion::default(),
            on_throttled: None,
            incomplete: None,
            output: PhantomData,
        }
    }
}
