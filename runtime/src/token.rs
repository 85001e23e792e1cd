//! The OAuth access token, kept out of every Debug and Display output.

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
