//! Building a [`Client`]: where it talks to (data centre and environment, or explicit URLs),
//! how it authenticates, and its timeouts, retries, concurrency and proxy.

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
use crate::profile::ApiProfile;
use crate::retry::RetryPolicy;
use crate::token::AccessToken;
use crate::validate;

/// Connect timeout used unless configured.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Longest wait for any single read from the server unless configured; a stalled server fails
/// the attempt instead of hanging it.
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(120);

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
    total_timeout: Option<Duration>,
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
            .field("total_timeout", &self.total_timeout)
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
            total_timeout: None,
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
    /// token never travels in clear text.
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

    /// Sets how long establishing a connection may take.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Sets how long any single read from the server may wait.
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.read_timeout = timeout;
        self
    }

    /// Limits each attempt, from sending to the end of the response.
    pub fn attempt_timeout(mut self, timeout: Duration) -> Self {
        self.attempt_timeout = Some(timeout);
        self
    }

    /// Limits a whole call, retries and backoff included.
    pub fn total_timeout(mut self, timeout: Duration) -> Self {
        self.total_timeout = Some(timeout);
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

    /// Sends every call through this proxy (`http://`, `https://` or `socks5://` URL). Without
    /// it, the standard proxy variables (`HTTPS_PROXY`, `ALL_PROXY`, `NO_PROXY`) apply.
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
            self.accounts_url
                .as_deref()
                .unwrap_or(&endpoints.accounts_url),
        )?;
        let http = reqwest::Client::builder()
            .connect_timeout(self.connect_timeout)
            .read_timeout(self.read_timeout)
            .build()
            .map_err(|e| ConfigError::Http(crate::error::error_chain(&e)))?;
        let oauth = OAuthClient::new(
            http,
            &accounts_url,
            self.profile.oauth,
            client_id,
            client_secret,
        );
        let issued = oauth
            .exchange_code(&SecretString::from(code.to_owned()), redirect_uri)
            .await?;
        let token = StoredToken {
            access_token: issued.access_token,
            expires_at: std::time::SystemTime::now() + issued.expires_in,
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
        let explicit_base = self.base_url.is_some();
        let base_url = checked_url(self.base_url.as_deref().unwrap_or(&endpoints.api_base_url))?;
        let accounts_url = checked_url(
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

        let mut http = reqwest::Client::builder()
            .connect_timeout(self.connect_timeout)
            .read_timeout(self.read_timeout)
            .user_agent(concat!("zoho-crm-rs/", env!("CARGO_PKG_VERSION")));
        if let Some(proxy) = &self.proxy {
            let proxy = reqwest::Proxy::all(proxy.as_str())
                .map_err(|e| ConfigError::Http(format!("invalid proxy URL: {e}")))?;
            http = http.proxy(proxy);
        }
        let http = http
            .build()
            .map_err(|e| ConfigError::Http(crate::error::error_chain(&e)))?;

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
                    http.clone(),
                    &accounts_url,
                    profile.oauth,
                    client_id,
                    client_secret,
                );
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
                attempt_timeout: self.attempt_timeout,
                total_timeout: self.total_timeout,
                on_throttled: self.on_throttled,
            }),
        }))
    }
}

/// Checks a base URL that will receive tokens: https, or plain http to a loopback host only.
fn checked_url(url: &str) -> Result<String, ConfigError> {
    let invalid = |reason: &str| ConfigError::InvalidBaseUrl {
        url: url.to_owned(),
        reason: reason.to_owned(),
    };
    let parsed = reqwest::Url::parse(url).map_err(|e| invalid(&e.to_string()))?;
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(invalid("it must not have a query or fragment"));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(invalid("it must not carry credentials"));
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
            assert!(checked_url(good).is_ok(), "{good}");
        }
        assert_eq!(
            checked_url("https://www.zohoapis.com/").ok().as_deref(),
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
                matches!(checked_url(bad), Err(ConfigError::InvalidBaseUrl { .. })),
                "{bad}"
            );
        }
    }
}
