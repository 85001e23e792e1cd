//! The accounts server's token endpoint: refreshing an access token and exchanging a grant code,
//! with secrets only ever in the form body, and every failure form turned into a typed error.
//!
//! The endpoint is never redirected (Zoho's does not redirect, and following a 307 or 308 would
//! send the secrets to wherever `Location` points): a redirect answer is
//! [`AuthError::Redirected`]. A request must be answered within its timeout, and the secrets it
//! sent are redacted from any text of the answer that an error quotes. No value in the answer
//! can make the client panic: lifetimes are read leniently and capped at
//! [`crate::MAX_TOKEN_LIFETIME`] (how Zoho's answers read is in `crate::zoho`).

use std::time::Duration;

use secrecy::{ExposeSecret as _, SecretString};

use crate::auth_error::AuthError;
use crate::error::error_chain;
use crate::profile::OAuthProfile;
use crate::redact::Secrets;
use crate::token::IssuedToken;
use crate::zoho::parse_token_response;

/// A client of the token endpoint, for one OAuth client (id and secret).
#[derive(Clone)]
pub struct OAuthClient {
    http: reqwest::Client,
    token_url: String,
    client_id: String,
    client_secret: SecretString,
    profile: OAuthProfile,
    timeout: Duration,
}

impl std::fmt::Debug for OAuthClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuthClient")
            .field("token_url", &self.token_url)
            .field("client_id", &self.client_id)
            .field("client_secret", &"[redacted]")
            .finish()
    }
}

impl OAuthClient {
    /// A client of `{accounts_url}{profile.token_path}`; the URL must already be checked.
    /// `http` must follow no redirect (`reqwest::redirect::Policy::none()`): a client that
    /// follows them would re-send the secrets before this one sees the redirect. Requests time
    /// out after [`crate::timeouts::DEFAULT_RESPONSE_TIMEOUT`] unless [`Self::with_timeout`]
    /// says otherwise.
    pub fn new(
        http: reqwest::Client,
        accounts_url: &str,
        profile: OAuthProfile,
        client_id: impl Into<String>,
        client_secret: SecretString,
    ) -> Self {
        OAuthClient {
            http,
            token_url: format!(
                "{}{}",
                accounts_url.trim_end_matches('/'),
                profile.token_path
            ),
            client_id: client_id.into(),
            client_secret,
            profile,
            timeout: crate::timeouts::DEFAULT_RESPONSE_TIMEOUT,
        }
    }

    /// Limits each token request, from connecting to the end of the answer.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The token endpoint URL.
    pub fn token_url(&self) -> &str {
        &self.token_url
    }

    /// Exchanges a refresh token for a new access token.
    pub async fn refresh(&self, refresh_token: &SecretString) -> Result<IssuedToken, AuthError> {
        self.request(
            &[
                ("grant_type", "refresh_token"),
                ("client_id", &self.client_id),
                ("client_secret", self.client_secret.expose_secret()),
                ("refresh_token", refresh_token.expose_secret()),
            ],
            refresh_token,
        )
        .await
    }

    /// Exchanges a single-use grant code (e.g. from a self client) for a refresh token and an
    /// access token.
    pub async fn exchange_code(
        &self,
        code: &SecretString,
        redirect_uri: Option<&str>,
    ) -> Result<IssuedToken, AuthError> {
        let mut form = vec![
            ("grant_type", "authorization_code"),
            ("client_id", self.client_id.as_str()),
            ("client_secret", self.client_secret.expose_secret()),
            ("code", code.expose_secret()),
        ];
        if let Some(uri) = redirect_uri {
            form.push(("redirect_uri", uri));
        }
        let issued = self.request(&form, code).await?;
        if issued.refresh_token.is_none() {
            return Err(AuthError::Decode(
                "the code exchange returned no refresh_token (was the code generated with access_type=offline?)".into(),
            ));
        }
        Ok(issued)
    }

    /// Posts `form`, which holds the client secret and `grant` (a refresh token or a code).
    async fn request(
        &self,
        form: &[(&str, &str)],
        grant: &SecretString,
    ) -> Result<IssuedToken, AuthError> {
        let secrets = Secrets::new()
            .with(self.client_secret.expose_secret())
            .with(grant.expose_secret());
        match tokio::time::timeout(self.timeout, self.post(form, &secrets)).await {
            Ok(result) => result,
            Err(_) => Err(AuthError::TimedOut(self.timeout)),
        }
    }

    async fn post(
        &self,
        form: &[(&str, &str)],
        secrets: &Secrets,
    ) -> Result<IssuedToken, AuthError> {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        let response = self
            .http
            .post(&self.token_url)
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(body)
            .send()
            .await
            .map_err(|e| AuthError::Transport(error_chain(&e)))?;
        let status = response.status().as_u16();
        if let Some(target) = crate::redirect::location(status, response.headers(), response.url())
        {
            return Err(AuthError::Redirected {
                status,
                location: crate::redirect::shown(target.as_ref()),
            });
        }
        let bytes = crate::response::read_bounded_raw(response)
            .await
            .map_err(|e| AuthError::Transport(error_chain(&e)))?;
        parse_token_response(status, &bytes, &self.profile, secrets)
    }
}
