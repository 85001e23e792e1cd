//! [`HttpVersion`]: which HTTP versions a client may speak.

use std::fmt;
use std::str::FromStr;

/// Which HTTP versions the client offers a server. Zoho's hosts are https, where the version is
/// agreed in the TLS handshake (ALPN); a plain-http (loopback) server gets HTTP/1.1 unless
/// [`HttpVersion::Http2`] says it speaks HTTP/2 without being asked.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HttpVersion {
    /// HTTP/1.1 only: one call per connection at a time, several connections for concurrent
    /// calls. The default: as fast as HTTP/2 at Zoho's concurrency caps, and a large upload is
    /// not held back by HTTP/2's flow-control windows (see BENCHMARKS.md).
    #[default]
    Http1,
    /// HTTP/2 when the server offers it in the TLS handshake, else HTTP/1.1: concurrent calls
    /// share one connection (one handshake).
    Negotiate,
    /// HTTP/2 only (offered alone in the TLS handshake; spoken at once on plain http): a server
    /// without it fails the call.
    Http2,
}

impl HttpVersion {
    /// The name [`FromStr`] reads: `1.1`, `auto` or `2`.
    pub fn as_str(self) -> &'static str {
        match self {
            HttpVersion::Http1 => "1.1",
            HttpVersion::Negotiate => "auto",
            HttpVersion::Http2 => "2",
        }
    }

    /// Applies the choice to a reqwest builder.
    pub(crate) fn apply(self, builder: reqwest::ClientBuilder) -> reqwest::ClientBuilder {
        match self {
            HttpVersion::Http1 => builder.http1_only(),
            HttpVersion::Negotiate => builder,
            HttpVersion::Http2 => builder.http2_prior_knowledge(),
        }
    }
}

impl fmt::Display for HttpVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A name that is not an HTTP version choice.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown HTTP version `{0}`: use 1.1, 2 or auto")]
pub struct UnknownHttpVersion(String);

impl FromStr for HttpVersion {
    type Err = UnknownHttpVersion;

    /// Reads `1.1` (or `1`, `http1`), `2` (or `http2`) or `auto` (or `negotiate`), any case.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim().to_ascii_lowercase().as_str() {
            "1.1" | "1" | "http1" | "http/1.1" => Ok(HttpVersion::Http1),
            "2" | "http2" | "h2" => Ok(HttpVersion::Http2),
            "auto" | "negotiate" => Ok(HttpVersion::Negotiate),
            _ => Err(UnknownHttpVersion(text.to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_read_back_and_unknown_names_say_what_is_allowed() {
        for version in [
            HttpVersion::Http1,
            HttpVersion::Negotiate,
            HttpVersion::Http2,
        ] {
            assert_eq!(version.as_str().parse::<HttpVersion>(), Ok(version));
        }
        assert_eq!(" HTTP2 ".parse::<HttpVersion>(), Ok(HttpVersion::Http2));
        let error = "3".parse::<HttpVersion>().unwrap_err();
        assert_eq!(
            error.to_string(),
            "unknown HTTP version `3`: use 1.1, 2 or auto"
        );
    }
}
