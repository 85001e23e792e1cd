//! Redirects: which are followed and which are refused.
//!
//! The token endpoint follows none (a 307/308 would re-send the
//! client secret and the refresh token or grant code to wherever `Location` points). A request
//! with a body, such as an upload, follows none either (it would be re-sent elsewhere, or turned
//! into a body-less GET whose success would look like a stored upload). Other API requests (GET
//! and DELETE, which carry the access token) follow at most [`MAX_REDIRECTS`] redirects, and only
//! within the origin they were sent to (same scheme, host and port). A redirect that is not
//! followed is an error naming where it pointed: scheme, host, port and path, never the query or
//! any user name or password.

use reqwest::Url;
use reqwest::header::{HeaderMap, LOCATION};

/// The most redirects a GET or DELETE follows within its origin.
pub const MAX_REDIRECTS: usize = 5;

/// Why a redirect was not followed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RedirectReason {
    /// The request has a body (an upload) or is not a GET or DELETE: it follows no redirect.
    CarriesBody,
    /// The redirect points to another origin (scheme, host or port), which must not receive
    /// the access token.
    OtherOrigin,
    /// More than [`MAX_REDIRECTS`] redirects within the origin: a loop, most likely.
    TooManyRedirects,
}

impl std::fmt::Display for RedirectReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RedirectReason::CarriesBody => f.write_str(
                "a request with a body, such as an upload, follows no redirect, so nothing was sent there: check the API base URL and the data centre",
            ),
            RedirectReason::OtherOrigin => f.write_str(
                "the access token is sent only to the origin it was configured for, so a redirect to another scheme, host or port is not followed; check the API base URL and the data centre",
            ),
            RedirectReason::TooManyRedirects => write!(
                f,
                "more than {MAX_REDIRECTS} redirects within the same origin; the server seems to be in a redirect loop"
            ),
        }
    }
}

/// A redirect the client refused to follow. Nothing was sent to its target.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
#[error(
    "redirect not followed: the server answered HTTP {status} pointing to {location}; {reason}"
)]
pub struct RedirectError {
    /// The HTTP status (301, 302, 303, 307 or 308).
    pub status: u16,
    /// Where it pointed: scheme, host, port and path (no query, user name or password).
    pub location: String,
    /// Why it was not followed.
    pub reason: RedirectReason,
}

impl RedirectError {
    /// The error for a redirect answer to a request to `sent_to` (the first URL of the chain),
    /// answered from `answered_from`; `None` when the answer is not a redirect with a
    /// `Location`. `followable` says whether the request may follow same-origin redirects.
    pub(crate) fn from_answer(
        status: u16,
        headers: &HeaderMap,
        sent_to: &Url,
        answered_from: &Url,
        followable: bool,
    ) -> Option<Self> {
        let target = location(status, headers, answered_from)?;
        let reason = match &target {
            _ if !followable => RedirectReason::CarriesBody,
            Some(target) if same_origin(sent_to, target) => RedirectReason::TooManyRedirects,
            _ => RedirectReason::OtherOrigin,
        };
        Some(RedirectError {
            status,
            location: shown(target.as_ref()),
            reason,
        })
    }
}

/// Where a redirect answer points: `None` if it is not a redirect (a 3xx that clients follow,
/// with a `Location`); `Some(None)` if its `Location` cannot be read as a URL.
pub(crate) fn location(status: u16, headers: &HeaderMap, base: &Url) -> Option<Option<Url>> {
    if !matches!(status, 301 | 302 | 303 | 307 | 308) {
        return None;
    }
    let value = headers.get(LOCATION)?;
    Some(
        value
            .to_str()
            .ok()
            .and_then(|text| base.join(text.trim()).ok()),
    )
}

/// A redirect target as it may be shown: scheme, host, port and path only.
pub(crate) fn shown(target: Option<&Url>) -> String {
    let Some(url) = target else {
        return "an unreadable Location".to_owned();
    };
    match url.host_str() {
        Some(host) => {
            let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
            format!("{}://{host}{port}{}", url.scheme(), url.path())
        }
        None => format!("{}:", url.scheme()),
    }
}

/// Whether two URLs have the same scheme, host and port (default ports included).
pub(crate) fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str().map(str::to_ascii_lowercase) == b.host_str().map(str::to_ascii_lowercase)
        && a.port_or_known_default() == b.port_or_known_default()
}

/// The policy of the client for GET and DELETE: follow up to [`MAX_REDIRECTS`] redirects within
/// the first URL's origin, stop at any other (the redirect answer is then returned, and turned
/// into a [`RedirectError`]).
pub(crate) fn same_origin_policy() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let follow = attempt.previous().len() <= MAX_REDIRECTS
            && attempt
                .previous()
                .first()
                .is_some_and(|first| same_origin(first, attempt.url()));
        if follow {
            attempt.follow()
        } else {
            attempt.stop()
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn url(text: &str) -> Url {
        match Url::parse(text) {
            Ok(url) => url,
            Err(e) => panic!("{text}: {e}"),
        }
    }

    fn headers(location: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        if let Ok(value) = HeaderValue::from_str(location) {
            headers.insert(LOCATION, value);
        }
        headers
    }

    #[test]
    fn a_refused_redirect_names_its_target_without_query_or_credentials() {
        let sent = url("http://127.0.0.1:8080/crm/v2/Leads/1/Attachments");
        let error = RedirectError::from_answer(
            307,
            &headers("http://user:pw@127.0.0.2:9/steal?token=abc#f"),
            &sent,
            &sent,
            true,
        );
        let Some(error) = error else {
            panic!("not a redirect");
        };
        assert_eq!(error.location, "http://127.0.0.2:9/steal");
        assert_eq!(error.reason, RedirectReason::OtherOrigin);
        let text = error.to_string();
        assert!(text.starts_with("redirect not followed"), "{text}");
        assert!(!text.contains("abc") && !text.contains("pw"), "{text}");
    }

    #[test]
    fn the_reason_depends_on_the_request_and_the_target() {
        let sent = url("http://127.0.0.1:8080/a");
        let reason = |location: &str, followable: bool| {
            RedirectError::from_answer(302, &headers(location), &sent, &sent, followable)
                .map(|e| e.reason)
        };
        assert_eq!(reason("/b", false), Some(RedirectReason::CarriesBody));
        assert_eq!(reason("/b", true), Some(RedirectReason::TooManyRedirects));
        assert_eq!(
            reason("http://127.0.0.1:8081/a", true),
            Some(RedirectReason::OtherOrigin)
        );
        assert_eq!(
            reason("https://127.0.0.1:8080/a", true),
            Some(RedirectReason::OtherOrigin)
        );
        let no_location = RedirectError::from_answer(302, &HeaderMap::new(), &sent, &sent, true);
        assert_eq!(no_location, None);
        let not_a_redirect = RedirectError::from_answer(304, &headers("/b"), &sent, &sent, true);
        assert_eq!(not_a_redirect, None);
    }

    #[test]
    fn origins_compare_scheme_host_and_port() {
        assert!(same_origin(
            &url("https://www.zohoapis.com/a"),
            &url("https://WWW.zohoapis.com:443/b?c")
        ));
        assert!(!same_origin(
            &url("https://www.zohoapis.com/a"),
            &url("http://www.zohoapis.com/a")
        ));
        assert!(!same_origin(
            &url("http://127.0.0.1:1/a"),
            &url("http://127.0.0.2:1/a")
        ));
    }
}
