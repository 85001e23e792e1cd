//! Token providers: a fixed access token, or a refresh token that is exchanged for access tokens
//! as they expire. Refreshes are cached and single-flight: however many calls find the token
//! expired at once, one refresh happens and all of them use its result.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use secrecy::SecretString;

use crate::auth::future::BoxFuture;
use crate::auth::oauth::OAuthClient;
use crate::auth::store::{StoredToken, TokenStore};
use crate::auth_error::AuthError;
use crate::token::AccessToken;

/// An access token to use now, and the API domain it is for (if the accounts server said).
#[derive(Clone, Debug)]
pub struct Grant {
    /// The access token.
    pub token: AccessToken,
    /// The API domain, e.g. `https://www.zohoapis.eu`.
    pub api_domain: Option<String>,
}

/// Supplies access tokens to the client. Implement it to take tokens from elsewhere.
pub trait TokenProvider: Send + Sync + std::fmt::Debug {
    /// A token valid for a while yet.
    fn token(&self) -> BoxFuture<'_, Result<Grant, AuthError>>;
    /// A token to use after the server rejected `rejected` as invalid or expired: a fresh one,
    /// or [`AuthError::CannotRefresh`].
    fn refresh_after_rejection<'a>(
        &'a self,
        rejected: &'a AccessToken,
    ) -> BoxFuture<'a, Result<Grant, AuthError>>;
}

/// A fixed access token. A rejection cannot be repaired.
#[derive(Clone, Debug)]
pub struct StaticTokenProvider {
    grant: Grant,
}

impl StaticTokenProvider {
    /// Uses `token` for every call.
    pub fn new(token: AccessToken) -> Self {
        StaticTokenProvider {
            grant: Grant {
                token,
                api_domain: None,
            },
        }
    }
}

impl TokenProvider for StaticTokenProvider {
    fn token(&self) -> BoxFuture<'_, Result<Grant, AuthError>> {
        let grant = self.grant.clone();
        Box::pin(async move { Ok(grant) })
    }

    fn refresh_after_rejection<'a>(
        &'a self,
        _rejected: &'a AccessToken,
    ) -> BoxFuture<'a, Result<Grant, AuthError>> {
        Box::pin(async { Err(AuthError::CannotRefresh) })
    }
}

/// How long before its expiry a token is refreshed, by default.
pub const DEFAULT_REFRESH_MARGIN: Duration = Duration::from_secs(60);

/// Exchanges a refresh token for access tokens, keeping the current one in a [`TokenStore`].
pub struct RefreshTokenProvider {
    oauth: OAuthClient,
    refresh_token: Option<SecretString>,
    store: Arc<dyn TokenStore>,
    margin: Duration,
    current: tokio::sync::Mutex<Option<StoredToken>>,
    refreshes: AtomicU64,
}

impl std::fmt::Debug for RefreshTokenProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RefreshTokenProvider")
            .field("oauth", &self.oauth)
            .field("refresh_token", &"[redacted]")
            .field("store", &self.store)
            .field("margin", &self.margin)
            .finish_non_exhaustive()
    }
}

impl RefreshTokenProvider {
    /// A provider that refreshes with `refresh_token` and keeps tokens in `store`. With `None`,
    /// the refresh token is the one the store holds (e.g. saved by a grant-code exchange).
    pub fn new(
        oauth: OAuthClient,
        refresh_token: Option<SecretString>,
        store: Arc<dyn TokenStore>,
    ) -> Self {
        RefreshTokenProvider {
            oauth,
            refresh_token,
            store,
            margin: DEFAULT_REFRESH_MARGIN,
            current: tokio::sync::Mutex::new(None),
            refreshes: AtomicU64::new(0),
        }
    }

    /// Refresh this long before expiry (default one minute).
    pub fn with_margin(mut self, margin: Duration) -> Self {
        self.margin = margin;
        self
    }

    /// How many refreshes this provider has made.
    pub fn refresh_count(&self) -> u64 {
        self.refreshes.load(Ordering::Relaxed)
    }

    /// Under the in-process lock: the cached token if fresh, else the stored one if fresh and
    /// not `rejected`, else a new one from the accounts server (under the store's lock).
    async fn fresh(&self, rejected: Option<&AccessToken>) -> Result<Grant, AuthError> {
        let mut current = self.current.lock().await;
        let usable = |token: &StoredToken| {
            token.is_fresh(self.margin) && rejected.is_none_or(|r| *r != token.access_token)
        };
        if let Some(token) = current.as_ref().filter(|t| usable(t)) {
            return Ok(grant(token));
        }
        let _lock = self.store.lock().await?;
        let stored = self.store.load().await?;
        if let Some(token) = stored.as_ref().filter(|t| usable(t)) {
            let grant = grant(token);
            *current = stored;
            return Ok(grant);
        }
        let kept_refresh_token = stored.and_then(|t| t.refresh_token);
        let refresh_token = self
            .refresh_token
            .as_ref()
            .or(kept_refresh_token.as_ref())
            .ok_or(AuthError::MissingRefreshToken)?;
        let issued = self.oauth.refresh(refresh_token).await?;
        self.refreshes.fetch_add(1, Ordering::Relaxed);
        let token = StoredToken {
            expires_at: issued.expires_at(SystemTime::now()),
            access_token: issued.access_token,
            api_domain: issued.api_domain,
            refresh_token: kept_refresh_token,
        };
        self.store.save(&token).await?;
        let grant = grant(&token);
        *current = Some(token);
        Ok(grant)
    }
}

fn grant(token: &StoredToken) -> Grant {
    Grant {
        token: token.access_token.clone(),
        api_domain: token.api_domain.clone(),
    }
}

impl TokenProvider for RefreshTokenProvider {
    fn token(&self) -> BoxFuture<'_, Result<Grant, AuthError>> {
        Box::pin(self.fresh(None))
    }

    fn refresh_after_rejection<'a>(
        &'a self,
        rejected: &'a AccessToken,
    ) -> BoxFuture<'a, Result<Grant, AuthError>> {
        Box::pin(self.fresh(Some(rejected)))
    }
}
