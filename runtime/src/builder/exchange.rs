//! Exchanging a single-use grant code for a refresh token, saved in the token store.

use secrecy::SecretString;

use super::ClientBuilder;
use super::credentials::{TokenEndpoint, token_store};
use crate::auth::StoredToken;
use crate::auth_error::AuthError;
use crate::client::Client;
use crate::error::ConfigError;

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

impl<C: From<Client>> ClientBuilder<C> {
    /// Exchanges a single-use grant code (from Zoho's API console, "self client") for a
    /// refresh token, and saves both it and the first access token in the token store (set
    /// one with [`Self::token_file`] to keep them). Needs a client id and secret, from
    /// [`Self::stored_refresh_token`] or the environment.
    pub async fn exchange_code(
        self,
        code: &str,
        redirect_uri: Option<&str>,
    ) -> Result<StoredToken, ExchangeError> {
        let Some((client_id, client_secret)) = self.credentials.client() else {
            return Err(ExchangeError::Config(ConfigError::IncompleteCredentials(
                "a code exchange needs the client id and secret",
            )));
        };
        let endpoints = self.endpoints()?;
        let accounts_url = self.checked_accounts_url(&endpoints)?;
        let http = self.http_settings().build()?;
        let oauth = TokenEndpoint {
            http: http.no_redirects,
            accounts_url: &accounts_url,
            oauth: self.profile.oauth,
            timeout: self.response_timeout,
        }
        .client(client_id, client_secret);
        let issued = oauth
            .exchange_code(&SecretString::from(code.to_owned()), redirect_uri)
            .await?;
        let token = StoredToken {
            expires_at: issued.expires_at(std::time::SystemTime::now()),
            access_token: issued.access_token,
            api_domain: issued.api_domain,
            refresh_token: issued.refresh_token,
        };
        let store = token_store(self.store, self.token_file);
        let _lock = store.lock().await.map_err(AuthError::from)?;
        store.save(&token).await.map_err(AuthError::from)?;
        Ok(token)
    }
}
