//! How the client authenticates: a fixed access token, a refresh token with its client, or any
//! token provider, and where refreshed tokens are kept.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use secrecy::{ExposeSecret as _, SecretString};

use super::ClientBuilder;
use crate::auth::{
    MemoryTokenStore, OAuthClient, RefreshTokenProvider, StaticTokenProvider, TokenProvider,
    TokenStore,
};
use crate::client::Client;
use crate::error::ConfigError;
use crate::profile::OAuthProfile;
use crate::token::AccessToken;

/// The credentials configured so far.
pub(super) enum Credentials {
    /// None yet: building fails.
    None,
    /// A fixed access token.
    AccessToken(SecretString),
    /// A client and its refresh token (or the one in the token store).
    Refresh {
        client_id: String,
        client_secret: SecretString,
        refresh_token: Option<SecretString>,
    },
    /// A provider of the caller's own.
    Provider(Arc<dyn TokenProvider>),
}

/// Where the token endpoint is and how long its requests may take.
pub(super) struct TokenEndpoint<'a> {
    /// The client that follows no redirect.
    pub(super) http: reqwest::Client,
    /// The checked accounts URL.
    pub(super) accounts_url: &'a str,
    /// The profile's OAuth facts.
    pub(super) oauth: OAuthProfile,
    /// The response timeout of each token request.
    pub(super) timeout: Duration,
}

impl TokenEndpoint<'_> {
    /// A client of this endpoint for `client_id` and `client_secret`.
    pub(super) fn client(self, client_id: String, client_secret: SecretString) -> OAuthClient {
        OAuthClient::new(
            self.http,
            self.accounts_url,
            self.oauth,
            client_id,
            client_secret,
        )
        .with_timeout(self.timeout)
    }
}

impl Credentials {
    /// What kind they are, for `Debug`: never a secret.
    pub(super) fn kind(&self) -> &'static str {
        match self {
            Credentials::None => "none",
            Credentials::AccessToken(_) => "access token [redacted]",
            Credentials::Refresh { .. } => "refresh token [redacted]",
            Credentials::Provider(_) => "custom provider",
        }
    }

    /// The client id and secret, when a refresh token's client was configured.
    pub(super) fn client(&self) -> Option<(String, SecretString)> {
        match self {
            Credentials::Refresh {
                client_id,
                client_secret,
                ..
            } => Some((client_id.clone(), client_secret.clone())),
            _ => None,
        }
    }

    /// The token provider these credentials make, refreshing through `endpoint` into `store`.
    pub(super) fn into_provider(
        self,
        endpoint: TokenEndpoint<'_>,
        store: Arc<dyn TokenStore>,
    ) -> Result<Arc<dyn TokenProvider>, ConfigError> {
        Ok(match self {
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
                let oauth = endpoint.client(client_id, client_secret);
                Arc::new(RefreshTokenProvider::new(oauth, refresh_token, store))
            }
            Credentials::Provider(provider) => provider,
        })
    }
}

/// The token store configured: the one given, else the token file, else one in memory.
pub(super) fn token_store(
    store: Option<Arc<dyn TokenStore>>,
    token_file: Option<PathBuf>,
) -> Arc<dyn TokenStore> {
    match (store, token_file) {
        (Some(store), _) => store,
        #[cfg(feature = "config")]
        (None, Some(path)) => Arc::new(crate::auth::FileTokenStore::new(path)),
        _ => Arc::new(MemoryTokenStore::new()),
    }
}

impl<C: From<Client>> ClientBuilder<C> {
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

    /// Keeps refreshed tokens in this JSON file, shared safely between processes (feature
    /// `config`, on by default).
    #[cfg(feature = "config")]
    pub fn token_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.token_file = Some(path.into());
        self
    }
}
