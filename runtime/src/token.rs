//! The OAuth access token, kept out of every Debug and Display output.

use std::time::{Duration, SystemTime};

use secrecy::SecretString;

use crate::error::ConfigError;

/// An OAuth access token. Its Debug output is redacted; the value is only ever written into the
/// Authorization header, which is marked sensitive.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessToken(String);

impl AccessToken {
    /// Wraps a token after checking that it is non-empty visible ASCII (so it cannot break or
    /// extend the Authorization header).
    pub fn new(token: impl Into<String>) -> Result<Self, ConfigError> {
        let token = token.into();
        if token.trim().is_empty() {
            return Err(ConfigError::InvalidToken("it is empty"));
        }
        if token.contains(['\r', '\n']) {
            return Err(ConfigError::InvalidToken(
                "it contains a line break (CR or LF)",
            ));
        }
        if !token.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(ConfigError::InvalidToken(
                "it contains spaces, control characters or non-ASCII characters",
            ));
        }
        Ok(AccessToken(token))
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AccessToken([redacted])")
    }
}

/// The longest lifetime a token response is believed: a longer (or absurd) `expires_in` is
/// capped here, so the token is refreshed at least daily.
pub const MAX_TOKEN_LIFETIME: Duration = Duration::from_secs(24 * 3600);

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_that_would_break_the_header_are_refused() {
        for bad in ["", "  ", "abc\r\nX-Evil: 1", "abc\n", "a b", "tök"] {
            assert!(
                matches!(AccessToken::new(bad), Err(ConfigError::InvalidToken(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn debug_output_hides_the_token() {
        let token = AccessToken::new("1000.secret.value");
        let shown = format!("{token:?}");
        assert!(!shown.contains("secret"), "{shown}");
        assert!(shown.contains("redacted"), "{shown}");
    }
}
