//! The accounts server's token endpoint: refreshing an access token and exchanging a grant code,
//! with secrets only ever in the form body, and every failure form turned into a typed error.
//!
//! The endpoint is never redirected (Zoho's does not redirect, and following a 307 or 308 would
//! send the secrets to wherever `Location` points): a redirect answer is
//! [`AuthError::Redirected`]. A request must be answered within its timeout, and the secrets it
//! sent are redacted from any text of the answer that an error quotes. No value in the answer
//! can make the client panic: lifetimes are read leniently and capped at
//! [`MAX_TOKEN_LIFETIME`].

use std::time::{Duration, SystemTime};

use secrecy::{ExposeSecret as _, SecretString};

use crate::error::error_chain;
use crate::redact::Secrets;
use crate::token::AccessToken;

/// The longest lifetime a token response is believed: a longer (or absurd) `expires_in` is
/// capped here, so the token is refreshed at least daily.
pub const MAX_TOKEN_LIFETIME: Duration = Duration::from_secs(24 * 3600);

/// What the spec says about the OAuth token endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OAuthProfile {
    /// The token endpoint's path below the accounts URL.
    pub token_path: &'static str,
    /// Known token-endpoint errors and what to do about them.
    pub errors: &'static [TokenErrorDoc],
    /// Lifetime assumed when a token response gives none.
    pub default_lifetime: Duration,
}

/// One documented token-endpoint error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TokenErrorDoc {
    /// The `error` value, or a text the body contains (for non-JSON answers).
    pub error: &'static str,
    /// What kind of failure it is.
    pub kind: TokenErrorKind,
    /// What to do about it.
    pub resolution: &'static str,
}

/// Kinds of token-endpoint failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenErrorKind {
    /// The client id or secret is wrong, or belongs to another data centre.
    InvalidClient,
    /// The refresh token or grant code is invalid, expired or already used.
    InvalidGrant,
    /// The request was malformed (e.g. a redirect URI that does not match).
    InvalidRequest,
    /// Too many token requests: wait before trying again.
    Throttled,
    /// An error the spec does not describe.
    Other,
}

/// A token the endpoint issued.
#[derive(Clone, Debug)]
pub struct IssuedToken {
    /// The access token.
    pub access_token: AccessToken,
    /// How long it lives from now.
    pub expires_in: Duration,
    /// The API domain the token is for, when the endpoint says.
    pub api_domain: Option<String>,
    /// A refresh token (only from a grant-code exchange).
    pub refresh_token: Option<SecretString>,
}

impl IssuedToken {
    /// When the token expires, for a token received at `now`.
    pub fn expires_at(&self, now: SystemTime) -> SystemTime {
        now.checked_add(self.expires_in).unwrap_or(now)
    }
}

/// A failure to get an access token. Never contains a secret.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// The token endpoint refused the request.
    #[error("the accounts server refused the token request ({error}): {resolution}")]
    Rejected {
        /// What kind of refusal.
        kind: TokenErrorKind,
        /// The endpoint's error text.
        error: String,
        /// What to do about it.
        resolution: &'static str,
    },
    /// The endpoint answered with an unexpected HTTP status.
    #[error("the accounts server answered HTTP {status}: {snippet:?}")]
    Http {
        /// The status.
        status: u16,
        /// The start of the body.
        snippet: String,
    },
    /// The endpoint could not be reached.
    #[error("the accounts server could not be reached: {0}")]
    Transport(String),
    /// The endpoint answered with a redirect, which is never followed.
    #[error(
        "the accounts server answered HTTP {status} redirecting the token request to {location}; not followed, so the client secret and the refresh token or grant code were not sent there: check the accounts URL (ZOHO_ACCOUNTS_URL) and the data centre"
    )]
    Redirected {
        /// The status.
        status: u16,
        /// Where it pointed: scheme, host, port and path (no query, user name or password).
        location: String,
    },
    /// The endpoint did not answer in time.
    #[error("the accounts server did not answer the token request within {0:?}; try again later")]
    TimedOut(Duration),
    /// The endpoint's answer could not be understood.
    #[error("the accounts server's answer could not be understood: {0}")]
    Decode(String),
    /// The client has a fixed access token, which cannot be refreshed.
    #[error(
        "the access token was rejected and cannot be refreshed: configure a refresh token (ZOHO_REFRESH_TOKEN with ZOHO_CLIENT_ID and ZOHO_CLIENT_SECRET) or a new access token"
    )]
    CannotRefresh,
    /// No refresh token was configured or stored.
    #[error(
        "no refresh token: set ZOHO_REFRESH_TOKEN, or exchange a grant code into the token store first"
    )]
    MissingRefreshToken,
    /// The token store failed.
    #[error(transparent)]
    Store(#[from] crate::auth::store::StoreError),
}

impl AuthError {
    /// The kind of refusal, when the endpoint refused.
    pub fn kind(&self) -> Option<TokenErrorKind> {
        match self {
            AuthError::Rejected { kind, .. } => Some(*kind),
            _ => None,
        }
    }
}

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
    /// out after [`crate::builder::DEFAULT_RESPONSE_TIMEOUT`] unless [`Self::with_timeout`]
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
            timeout: crate::builder::DEFAULT_RESPONSE_TIMEOUT,
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

/// `application/x-www-form-urlencoded` encoding of one key or value.
pub(crate) fn form_encode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// Interprets a token endpoint answer. Success bodies hold secrets, so they are never quoted in
/// errors; refusals are, with `secrets` (what the request sent) redacted, since a server may
/// echo the form.
pub(crate) fn parse_token_response(
    status: u16,
    body: &[u8],
    profile: &OAuthProfile,
    secrets: &Secrets,
) -> Result<IssuedToken, AuthError> {
    let json: Option<serde_json::Value> = serde_json::from_slice(body).ok();
    let quoted = || crate::response::snippet(&secrets.bytes(body.to_vec()));
    let Some(json) = json.filter(serde_json::Value::is_object) else {
        let text = String::from_utf8_lossy(body);
        if let Some(doc) = profile.errors.iter().find(|doc| text.contains(doc.error)) {
            return Err(rejected(doc.error, profile, secrets));
        }
        return Err(AuthError::Http {
            status,
            snippet: quoted(),
        });
    };
    if let Some(error) = json.get("error").and_then(serde_json::Value::as_str) {
        return Err(rejected(error, profile, secrets));
    }
    if status != 200 {
        return Err(AuthError::Http {
            status,
            snippet: quoted(),
        });
    }
    let Some(token) = json.get("access_token").and_then(serde_json::Value::as_str) else {
        return Err(AuthError::Decode(
            "the answer has neither access_token nor error".into(),
        ));
    };
    let access_token = AccessToken::new(token)
        .map_err(|_| AuthError::Decode("the access_token is not a usable header value".into()))?;
    let seconds = |key: &str| json.get(key).and_then(lifetime_seconds);
    // Older answers give `expires_in` in milliseconds beside `expires_in_sec` in seconds.
    let expires_in = match (seconds("expires_in_sec"), seconds("expires_in")) {
        (Some(secs), _) | (None, Some(secs)) => Duration::from_secs(secs),
        (None, None) => profile.default_lifetime,
    }
    .min(MAX_TOKEN_LIFETIME);
    let text = |key: &str| {
        json.get(key)
            .and_then(serde_json::Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    Ok(IssuedToken {
        access_token,
        expires_in,
        api_domain: text("api_domain"),
        refresh_token: text("refresh_token").map(SecretString::from),
    })
}

/// A lifetime in whole seconds: a non-negative number (a fraction is cut, a huge one saturates)
/// or such a number in a string; anything else (negative, text, null) is no lifetime.
fn lifetime_seconds(value: &serde_json::Value) -> Option<u64> {
    match value {
        serde_json::Value::Number(n) => n.as_u64().or_else(|| {
            n.as_f64()
                .filter(|f| f.is_finite() && *f >= 0.0)
                // `as` saturates at u64::MAX.
                .map(|f| f as u64)
        }),
        serde_json::Value::String(s) => s
            .trim()
            .parse::<serde_json::Number>()
            .ok()
            .and_then(|n| lifetime_seconds(&serde_json::Value::Number(n))),
        _ => None,
    }
}

fn rejected(error: &str, profile: &OAuthProfile, secrets: &Secrets) -> AuthError {
    let doc = profile.errors.iter().find(|doc| doc.error == error);
    AuthError::Rejected {
        kind: doc.map_or(TokenErrorKind::Other, |d| d.kind),
        error: secrets.text(error).chars().take(100).collect(),
        resolution: doc.map_or(
            "the accounts server gave an error this SDK does not know; check the client id, secret and data centre",
            |d| d.resolution,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROFILE: OAuthProfile = OAuthProfile {
        token_path: "/oauth/v2/token",
        errors: &[
            TokenErrorDoc {
                error: "invalid_client",
                kind: TokenErrorKind::InvalidClient,
                resolution: "check the client",
            },
            TokenErrorDoc {
                error: "Access Denied",
                kind: TokenErrorKind::Throttled,
                resolution: "wait",
            },
        ],
        default_lifetime: Duration::from_secs(3600),
    };

    #[test]
    fn expiry_comes_in_seconds_or_legacy_milliseconds() {
        for body in [
            r#"{"access_token":"1000.a","expires_in":3600,"api_domain":"https://www.zohoapis.eu"}"#,
            r#"{"access_token":"1000.a","expires_in":3600000,"expires_in_sec":3600}"#,
        ] {
            let issued = parse_token_response(200, body.as_bytes(), &PROFILE, &Secrets::new());
            assert_eq!(
                issued.map(|i| i.expires_in).ok(),
                Some(Duration::from_secs(3600)),
                "{body}"
            );
        }
    }

    #[test]
    fn refusals_in_200_answers_are_typed() {
        let refused = parse_token_response(
            200,
            br#"{"error":"invalid_client"}"#,
            &PROFILE,
            &Secrets::new(),
        );
        assert_eq!(
            refused.err().and_then(|e| e.kind()),
            Some(TokenErrorKind::InvalidClient)
        );
        let throttled = parse_token_response(
            200,
            b"<html>Access Denied</html>",
            &PROFILE,
            &Secrets::new(),
        );
        assert_eq!(
            throttled.err().and_then(|e| e.kind()),
            Some(TokenErrorKind::Throttled)
        );
        let unknown =
            parse_token_response(200, br#"{"error":"new_thing"}"#, &PROFILE, &Secrets::new());
        assert_eq!(
            unknown.err().and_then(|e| e.kind()),
            Some(TokenErrorKind::Other)
        );
        let missing = parse_token_response(
            200,
            br#"{"token_type":"Bearer"}"#,
            &PROFILE,
            &Secrets::new(),
        );
        assert!(matches!(missing, Err(AuthError::Decode(_))));
    }

    #[test]
    fn no_lifetime_a_server_sends_can_panic_and_huge_ones_are_capped() {
        let lifetime = |body: &str| {
            parse_token_response(200, body.as_bytes(), &PROFILE, &Secrets::new())
                .map(|issued| (issued.expires_in, issued.expires_at(SystemTime::now())))
        };
        let max = u64::MAX;
        for body in [
            format!(r#"{{"access_token":"1000.a","expires_in":{max}}}"#),
            format!(r#"{{"access_token":"1000.a","expires_in_sec":{max},"expires_in":{max}}}"#),
            r#"{"access_token":"1000.a","expires_in":1e308}"#.to_owned(),
            r#"{"access_token":"1000.a","expires_in":"99999999999999999999"}"#.to_owned(),
            format!(r#"{{"access_token":"1000.a","expires_in_sec":"{max}"}}"#),
        ] {
            let Ok((expires_in, expires_at)) = lifetime(&body) else {
                panic!("refused: {body}");
            };
            assert_eq!(expires_in, MAX_TOKEN_LIFETIME, "{body}");
            assert!(expires_at > SystemTime::now(), "{body}");
        }
        for body in [
            r#"{"access_token":"1000.a","expires_in":-1}"#,
            r#"{"access_token":"1000.a","expires_in":-1e308}"#,
            r#"{"access_token":"1000.a","expires_in":"soon"}"#,
            r#"{"access_token":"1000.a","expires_in":null,"expires_in_sec":[1]}"#,
            r#"{"access_token":"1000.a","expires_in":{"s":1}}"#,
        ] {
            let got = lifetime(body).map(|(expires_in, _)| expires_in).ok();
            assert_eq!(got, Some(PROFILE.default_lifetime), "{body}");
        }
        let fraction = lifetime(r#"{"access_token":"1000.a","expires_in":59.9}"#);
        assert_eq!(fraction.ok().map(|(e, _)| e), Some(Duration::from_secs(59)));
        let issued = IssuedToken {
            access_token: AccessToken::new("1000.a").unwrap_or_else(|e| panic!("{e}")),
            expires_in: Duration::MAX,
            api_domain: None,
            refresh_token: None,
        };
        let now = SystemTime::now();
        assert_eq!(issued.expires_at(now), now);
    }

    #[test]
    fn an_echoed_form_is_redacted_from_refusals() {
        let secrets = Secrets::new()
            .with("client-s3cret")
            .with("1000.refresh/token");
        let echo = "grant_type=refresh_token&client_secret=client-s3cret&refresh_token=1000.refresh%2Ftoken";
        let http = parse_token_response(502, echo.as_bytes(), &PROFILE, &secrets);
        let json = parse_token_response(
            200,
            br#"{"error":"bad client-s3cret for 1000.refresh\/token"}"#,
            &PROFILE,
            &secrets,
        );
        for error in [http.err(), json.err()] {
            let Some(error) = error else {
                panic!("accepted");
            };
            let shown = format!("{error} {error:?}");
            assert!(!shown.contains("s3cret"), "{shown}");
            assert!(!shown.contains("refresh/token"), "{shown}");
            assert!(!shown.contains("refresh%2Ftoken"), "{shown}");
            assert!(shown.contains("[redacted]"), "{shown}");
        }
    }

    #[test]
    fn form_values_are_encoded() {
        assert_eq!(form_encode("a b&c=d/é"), "a+b%26c%3Dd%2F%C3%A9");
        assert_eq!(form_encode("AZaz09*-._"), "AZaz09*-._");
        assert_eq!(form_encode("~+%'\n"), "%7E%2B%25%27%0A");
    }
}
