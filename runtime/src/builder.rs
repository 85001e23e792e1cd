//! Building a [`Client`]: where it talks to (data centre and environment, or explicit URLs),
//! how it authenticates, and its timeouts, retries, concurrency, page limit and proxy.
//!
//! Every call ends within a bounded time whatever the server does. With the defaults below, a
//! server that drips its answer (one byte a second, say) ends a call after at most
//! [`DEFAULT_RESPONSE_TIMEOUT`] per attempt (4 attempts for a GET or DELETE, backoff between
//! them: about 4 minutes; 1 minute for an upload, which is not retried once sent), a download
//! whose content drips after [`DEFAULT_LOW_SPEED_TIME`], and nothing runs longer than
//! [`DEFAULT_TOTAL_TIMEOUT`].

use std::marker::PhantomData;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use secrecy::{ExposeSecret as _, SecretString};

use crate::auth::{
    AuthError, FileTokenStore, MemoryTokenStore, OAuthClient, RefreshTokenProvider,
    StaticTokenProvider, StoredToken, TokenProvider, TokenStore,
};
use crate::client::{Client, Inner, ThrottleListener, is_loopback};
use crate::env::EnvSettings;
use crate::error::ConfigError;
use crate::http::HttpSettings;
use crate::profile::ApiProfile;
use crate::redact::url_for_display;
use crate::retry::RetryPolicy;
use crate::timeouts::{LowSpeed, Timeouts};
use crate::token::AccessToken;
use crate::validate;

/// Connect timeout used unless configured: 10 seconds.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Longest gap between two reads from the server unless configured: 2 minutes. (A server that
/// drips bytes resets it; the response timeout and the low-speed rule catch that.)
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(120);
/// Longest wait, once a request has been sent, for its whole answer (the head, and the body of a
/// JSON answer) unless configured: 1 minute per attempt, however slowly the server sends it. For
/// the token endpoint it limits the whole request.
pub const DEFAULT_RESPONSE_TIMEOUT: Duration = Duration::from_secs(60);
/// Longest a whole call may take unless configured, retries, backoff, token refreshes and a
/// download's content included: 30 minutes (room for a 100 MB upload or download at about
/// 60 kB/s).
pub const DEFAULT_TOTAL_TIMEOUT: Duration = Duration::from_secs(30 * 60);
/// The low-speed rule's minimum speed unless configured: 1024 bytes per second. A transfer (an
/// upload's body, a download's content) that moves less than this on average over a window of
/// [`DEFAULT_LOW_SPEED_TIME`] is aborted, as with curl's `--speed-limit`.
pub const DEFAULT_LOW_SPEED_LIMIT: u64 = 1024;
/// The low-speed rule's window unless configured: 30 seconds (curl's `--speed-time`).
pub const DEFAULT_LOW_SPEED_TIME: Duration = Duration::from_secs(30);
/// The most pages one listing stream fetches unless configured: 500 (each page is one API
/// call, and API calls cost API credits).
pub const DEFAULT_MAX_PAGES: u32 = 500;

/// A grant-code exchange that failed.
#[derive(Debug, thiserror::Error)]
pub enum ExchangeError {
    /// The configuration is incomplete or invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The accounts server refused, or the store failed.
    #[error(transparent)]
    Auth(#[from] AuthError),
}

enum Credentials {
    None,
    AccessToken(SecretString),
    Refresh {
        client_id: String,
        client_secret: SecretString,
        refresh_token: Option<SecretString>,
    },
    Provider(Arc<dyn TokenProvider>),
}

/// Builds a [`Client`] (or the generated crate's wrapper `C`) from an [`ApiProfile`] and settings.
pub struct ClientBuilder<C = Client> {
    profile: ApiProfile,
    base_url: Option<String>,
    accounts_url: Option<String>,
    data_center: Option<String>,
    environment: Option<String>,
    version: Option<String>,
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
    retry: RetryPolicy,
    concurrency: Option<usize>,
    proxy: Option<String>,
    on_throttled: Option<ThrottleListener>,
    incomplete: Option<&'static str>,
    output: PhantomData<fn() -> C>,
}

impl<C> std::fmt::Debug for ClientBuilder<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let credentials = match &self.credentials {
            Credentials::None => "none",
            Credentials::AccessToken(_) => "access token [redacted]",
            Credentials::Refresh { .. } => "refresh token [redacted]",
            Credentials::Provider(_) => "custom provider",
        };
        f.debug_struct("ClientBuilder")
            .field("base_url", &self.base_url)
            .field("accounts_url", &self.accounts_url)
            .field("data_center", &self.data_center)
            .field("environment", &self.environment)
            .field("version", &self.version)
            .field("credentials", &credentials)
            .field("token_file", &self.token_file)
            .field("connect_timeout", &self.connect_timeout)
            .field("read_timeout", &self.read_timeout)
            .field("attempt_timeout", &self.attempt_timeout)
            .field("response_timeout", &self.response_timeout)
            .field("total_timeout", &self.total_timeout)
            .field("low_speed", &self.low_speed)
            .field("max_pages", &self.max_pages)
            .field("retry", &self.retry)
            .field("concurrency", &self.concurrency)
            .field("proxy", &self.proxy.as_ref().map(|_| "[set]"))
            .finish()
    }
}

impl<C: From<Client>> ClientBuilder<C> {
    /// A builder with the profile's defaults.
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
            retry: RetryPolicy::default(),
            concurrency: None,
            proxy: None,
            on_throttled: None,
            incomplete: None,
            output: PhantomData,
        }
    }

    /// Applies the `ZOHO_*` variables of the process environment (see [`EnvSettings`]).
    pub fn from_env(self) -> Self {
        self.env_settings(EnvSettings::from_env())
    }

    /// Applies settings read from the environment. Set values replace earlier ones; a refresh
    /// token with its client takes precedence over an access token.
    pub fn env_settings(mut self, settings: EnvSettings) -> Self {
        if let Some(dc) = settings.data_center {
            self.data_center = Some(dc);
        }
        if let Some(env) = settings.environment {
            self.environment = Some(env);
        }
        if let Some(base) = settings.api_base {
            self.base_url = Some(base);
        }
        if let Some(accounts) = settings.accounts_url {
            self.accounts_url = Some(accounts);
        }
        if let Some(file) = settings.token_file {
            self.token_file = Some(file);
        }
        match (
            settings.client_id,
            settings.client_secret,
            settings.refresh_token,
            settings.access_token,
        ) {
            (Some(client_id), Some(client_secret), refresh_token, _)
                if refresh_token.is_some() || self.token_file.is_some() =>
            {
                self.credentials = Credentials::Refresh {
                    client_id,
                    client_secret,
                    refresh_token,
                };
            }
            (_, _, _, Some(token)) => self.credentials = Credentials::AccessToken(token),
            (None, None, None, None) => {}
            (None, _, _, _) => {
                self.incomplete =
                    Some("ZOHO_CLIENT_ID is not set, but a client secret or refresh token is");
            }
            (_, None, _, _) => {
                self.incomplete =
                    Some("ZOHO_CLIENT_SECRET is not set, but a client id or refresh token is");
            }
            _ => {
                self.incomplete = Some(
                    "neither ZOHO_REFRESH_TOKEN nor ZOHO_TOKEN_FILE (holding a refresh token) nor ZOHO_ACCESS_TOKEN is set",
                );
            }
        }
        self
    }

    /// Talks to this data centre (e.g. `"eu"` or a generated `DataCenter`): its accounts server
    /// and API domain. Explicit URLs take precedence.
    pub fn data_center(mut self, id: impl AsRef<str>) -> Self {
        self.data_center = Some(id.as_ref().to_owned());
        self
    }

    /// Talks to this environment (e.g. `"sandbox"` or a generated `Environment`).
    pub fn environment(mut self, id: impl AsRef<str>) -> Self {
        self.environment = Some(id.as_ref().to_owned());
        self
    }

    /// Overrides the API base URL. Plain `http://` is accepted only for loopback hosts, so a
    /// token never travels in clear text; a URL with a user name or password is refused.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Overrides the accounts server URL (same rule for `http://`).
    pub fn accounts_url(mut self, url: impl Into<String>) -> Self {
        self.accounts_url = Some(url.into());
        self
    }

    /// Sets the API version, e.g. `v2`.
    pub fn api_version(mut self, version: impl Into<String>) -> Self {
        self.version = Some(version.into());
        self
    }

    /// Authenticates with a fixed access token (which cannot be refreshed when it expires).
    pub fn access_token(mut self, token: impl Into<String>) -> Self {
        self.credentials = Credentials::AccessToken(SecretString::from(token.into()));
        self
    }

    /// Authenticates with a refresh token, exchanged for access tokens as they expire.
    pub fn refresh_token(
        mut self,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
        refresh_token: impl Into<String>,
    ) -> Self {
        self.credentials = Credentials::Refresh {
            client_id: client_id.into(),
            client_secret: SecretString::from(client_secret.into()),
            refresh_token: Some(SecretString::from(refresh_token.into())),
        };
        self
    }

    /// Authenticates with the refresh token kept in the token store (see [`Self::token_file`]),
    /// e.g. one saved by a grant-code exchange.
    pub fn stored_refresh_token(
        mut self,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
    ) -> Self {
        self.credentials = Credentials::Refresh {
            client_id: client_id.into(),
            client_secret: SecretString::from(client_secret.into()),
            refresh_token: None,
        };
        self
    }

    /// Authenticates through any [`TokenProvider`].
    pub fn token_provider(mut self, provider: Arc<dyn TokenProvider>) -> Self {
        self.credentials = Credentials::Provider(provider);
        self
    }

    /// Keeps refreshed tokens in this store (default: in memory).
    pub fn token_store(mut self, store: Arc<dyn TokenStore>) -> Self {
        self.store = Some(store);
        self
    }

    /// Keeps refreshed tokens in this JSON file, shared safely between processes.
    pub fn token_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.token_file = Some(path.into());
        self
    }

    /// Whether to send calls to the API domain the accounts server names with each token.
    /// Default: yes, unless an API base URL or a non-default environment was configured.
    pub fn follow_api_domain(mut self, follow: bool) -> Self {
        self.follow_api_domain = Some(follow);
        self
    }

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
    /// [`crate::pagination::PaginationError::PageLimit`], so a server that never says "no more"
    /// cannot spend the organisation's API credits.
    pub fn max_pages(mut self, pages: u32) -> Self {
        self.max_pages = pages.max(1);
        self
    }

    /// Sets the retry policy.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Sets how many calls may be in flight at once (default from the spec). Zoho limits
    /// concurrent calls per app; excess calls wait here instead of failing there.
    pub fn max_concurrency(mut self, limit: usize) -> Self {
        self.concurrency = Some(limit);
        self
    }

    /// Sends every call through this proxy (an `http://` or `https://` URL; a user name and
    /// password in it go to the proxy and are never shown in errors or logs). Without it, the standard variables (`HTTPS_PROXY`,
    /// `HTTP_PROXY`, `ALL_PROXY`, `NO_PROXY`) apply. Either way, a plain-http request (only
    /// ever to a loopback API or accounts URL) goes through a proxy only when the proxy runs on
    /// that very host; any other proxy is bypassed and the request connects directly, so its
    /// token never reaches another host in clear text.
    pub fn proxy(mut self, url: impl Into<String>) -> Self {
        self.proxy = Some(url.into());
        self
    }

    /// Calls `listener` each time the server answers 429, before any retry (to lower a
    /// program's own concurrency, say).
    pub fn on_throttled(mut self, listener: impl Fn() + Send + Sync + 'static) -> Self {
        self.on_throttled = Some(Arc::new(listener));
        self
    }

    /// Exchanges a single-use grant code (from Zoho's API console, "self client") for a
    /// refresh token, and saves both it and the first access token in the token store (set
    /// one with [`Self::token_file`] to keep them). Needs a client id and secret, from
    /// [`Self::stored_refresh_token`] or the environment.
    pub async fn exchange_code(
        self,
        code: &str,
        redirect_uri: Option<&str>,
    ) -> Result<StoredToken, ExchangeError> {
        let (client_id, client_secret) = match &self.credentials {
            Credentials::Refresh {
                client_id,
                client_secret,
                ..
            } => (client_id.clone(), client_secret.clone()),
            _ => {
                return Err(ExchangeError::Config(ConfigError::IncompleteCredentials(
                    "a code exchange needs the client id and secret (ZOHO_CLIENT_ID, ZOHO_CLIENT_SECRET)",
                )));
            }
        };
        let data_center = self
            .data_center
            .as_deref()
            .unwrap_or(self.profile.default_data_center);
        let environment = self
            .environment
            .as_deref()
            .unwrap_or(self.profile.default_environment);
        let endpoints = self.profile.endpoints(data_center, environment)?;
        let accounts_url = checked_url(
            ACCOUNTS_URL,
            self.accounts_url
                .as_deref()
                .unwrap_or(&endpoints.accounts_url),
        )?;
        let http = self.http_settings().build()?;
        let oauth = OAuthClient::new(
            http.no_redirects,
            &accounts_url,
            self.profile.oauth,
            client_id,
            client_secret,
        )
        .with_timeout(self.response_timeout);
        let issued = oauth
            .exchange_code(&SecretString::from(code.to_owned()), redirect_uri)
            .await?;
        let token = StoredToken {
            expires_at: issued.expires_at(std::time::SystemTime::now()),
            access_token: issued.access_token,
            api_domain: issued.api_domain,
            refresh_token: issued.refresh_token,
        };
        let store: Arc<dyn TokenStore> = match (self.store, self.token_file) {
            (Some(store), _) => store,
            (None, Some(path)) => Arc::new(FileTokenStore::new(path)),
            (None, None) => Arc::new(MemoryTokenStore::new()),
        };
        let _lock = store.lock().await.map_err(AuthError::from)?;
        store.save(&token).await.map_err(AuthError::from)?;
        Ok(token)
    }

    /// Checks the configuration and builds the client.
    pub fn build(self) -> Result<C, ConfigError> {
        if let Some(reason) = self.incomplete {
            return Err(ConfigError::IncompleteCredentials(reason));
        }
        let profile = self.profile;
        let data_center = self
            .data_center
            .as_deref()
            .unwrap_or(profile.default_data_center);
        let environment = self
            .environment
            .as_deref()
            .unwrap_or(profile.default_environment);
        let endpoints = profile.endpoints(data_center, environment)?;
        let http = self.http_settings().build()?;
        let explicit_base = self.base_url.is_some();
        let base_url = checked_url(
            API_BASE_URL,
            self.base_url.as_deref().unwrap_or(&endpoints.api_base_url),
        )?;
        let accounts_url = checked_url(
            ACCOUNTS_URL,
            self.accounts_url
                .as_deref()
                .unwrap_or(&endpoints.accounts_url),
        )?;
        let follow_api_domain = self.follow_api_domain.unwrap_or(
            !explicit_base && profile.environment(environment)?.id == profile.default_environment,
        );
        let version = self
            .version
            .unwrap_or_else(|| profile.default_version.to_owned());
        validate::api_version(&version).map_err(ConfigError::InvalidVersion)?;
        let auth_header = reqwest::header::HeaderName::from_bytes(profile.auth_header.as_bytes())
            .map_err(|e| ConfigError::Http(e.to_string()))?;

        let store: Arc<dyn TokenStore> = match (self.store, &self.token_file) {
            (Some(store), _) => store,
            (None, Some(path)) => Arc::new(FileTokenStore::new(path)),
            (None, None) => Arc::new(MemoryTokenStore::new()),
        };
        let provider: Arc<dyn TokenProvider> = match self.credentials {
            Credentials::None => return Err(ConfigError::MissingToken),
            Credentials::AccessToken(token) => Arc::new(StaticTokenProvider::new(
                AccessToken::new(token.expose_secret())?,
            )),
            Credentials::Refresh {
                client_id,
                client_secret,
                refresh_token,
            } => {
                if client_id.trim().is_empty() {
                    return Err(ConfigError::IncompleteCredentials("the client id is empty"));
                }
                let oauth = OAuthClient::new(
                    http.no_redirects.clone(),
                    &accounts_url,
                    profile.oauth,
                    client_id,
                    client_secret,
                )
                .with_timeout(self.response_timeout);
                Arc::new(RefreshTokenProvider::new(oauth, refresh_token, store))
            }
            Credentials::Provider(provider) => provider,
        };
        let concurrency = self
            .concurrency
            .unwrap_or(profile.default_concurrency)
            .max(1);
        Ok(C::from(Client {
            inner: Arc::new(Inner {
                http,
                base_url,
                follow_api_domain,
                version,
                profile,
                auth_header,
                provider,
                retry: self.retry,
                limiter: Arc::new(tokio::sync::Semaphore::new(concurrency)),
                timeouts: Timeouts {
                    attempt: self.attempt_timeout,
                    response: self.response_timeout,
                    total: self.total_timeout,
                    low_speed: self.low_speed,
                },
                max_pages: self.max_pages,
                on_throttled: self.on_throttled,
            }),
        }))
    }

    /// What the HTTP clients are built from.
    fn http_settings(&self) -> HttpSettings {
        HttpSettings {
            connect_timeout: self.connect_timeout,
            read_timeout: self.read_timeout,
            proxy: self.proxy.clone(),
        }
    }
}

/// How [`ConfigError::InvalidBaseUrl`] names the API base URL.
const API_BASE_URL: &str = "the API base URL";
/// How [`ConfigError::InvalidBaseUrl`] names the accounts URL.
const ACCOUNTS_URL: &str = "the accounts URL";

/// Checks a base URL that will receive tokens: https, or plain http to a loopback host only,
/// without credentials (which the error does not show either).
fn checked_url(setting: &'static str, url: &str) -> Result<String, ConfigError> {
    let invalid = |reason: &str| ConfigError::InvalidBaseUrl {
        setting,
        url: url_for_display(url),
        reason: reason.to_owned(),
    };
    let parsed = reqwest::Url::parse(url).map_err(|e| invalid(&e.to_string()))?;
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(invalid("it must not have a query or fragment"));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(invalid(
            "it must not carry a user name or password; give credentials as tokens instead",
        ));
    }
    match parsed.scheme() {
        "https" => {}
        "http" if is_loopback(&parsed) => {}
        "http" => {
            return Err(invalid(
                "plain http is allowed only for loopback hosts; use https so the token is encrypted",
            ));
        }
        _ => return Err(invalid("the scheme must be https")),
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(invalid("it has no host"));
    }
    Ok(parsed.as_str().trim_end_matches('/').to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_must_be_https_or_loopback_http() {
        for good in [
            "https://www.zohoapis.com",
            "https://www.zohoapis.eu/",
            "http://127.0.0.1:8080",
            "http://localhost:1",
            "http://[::1]:3000",
        ] {
            assert!(checked_url(API_BASE_URL, good).is_ok(), "{good}");
        }
        assert_eq!(
            checked_url(API_BASE_URL, "https://www.zohoapis.com/")
                .ok()
                .as_deref(),
            Some("https://www.zohoapis.com")
        );
        for bad in [
            "http://www.zohoapis.com",
            "http://10.0.0.1",
            "ftp://x.com",
            "www.zohoapis.com",
            "https://x.com/?a=b",
            "https://user:pw@x.com",
        ] {
            assert!(
                matches!(
                    checked_url(API_BASE_URL, bad),
                    Err(ConfigError::InvalidBaseUrl { .. })
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_url_with_a_password_is_refused_without_showing_it() {
        for url in [
            "https://user:hunter2@www.zohoapis.com",
            "http://user:hunter2@127.0.0.1:8080",
            "http://user:hunter2@bad host/",
        ] {
            let Err(error) = checked_url(ACCOUNTS_URL, url) else {
                panic!("accepted {url}");
            };
            let shown = format!("{error} {error:?}");
            assert!(!shown.contains("hunter2"), "{shown}");
            assert!(shown.starts_with("the accounts URL"), "{shown}");
        }
    }
}
