//! Where the client talks to: the data centre and environment, or explicit URLs, the API
//! version, and the checks that keep a token off plain http and out of URLs.

use super::ClientBuilder;
use crate::client::{Client, is_loopback};
use crate::error::ConfigError;
use crate::profile::{DataCenterDef, Endpoints, EnvironmentDef};
use crate::redact::url_for_display;
use crate::version::Version;

/// How [`ConfigError::InvalidBaseUrl`] names the API base URL.
pub(super) const API_BASE_URL: &str = "the API base URL";
/// How [`ConfigError::InvalidBaseUrl`] names the accounts URL.
pub(super) const ACCOUNTS_URL: &str = "the accounts URL";

impl<C: From<Client>> ClientBuilder<C> {
    /// Talks to this data centre, a generated `DataCenter` (from a string with
    /// `"eu".parse::<DataCenter>()`): its accounts server and API domain. Explicit URLs take
    /// precedence.
    pub fn data_center(mut self, data_center: impl Into<&'static DataCenterDef>) -> Self {
        self.data_center = Some(data_center.into().id.to_owned());
        self
    }

    /// Talks to this environment, a generated `Environment` (from a string with
    /// `"sandbox".parse::<Environment>()`).
    pub fn environment(mut self, environment: impl Into<&'static EnvironmentDef>) -> Self {
        self.environment = Some(environment.into().id.to_owned());
        self
    }

    /// Overrides the API base URL. Plain `http://` is accepted only for loopback hosts, so a
    /// token never travels in clear text; a URL with a user name or password is refused.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Overrides the accounts server URL (same rule for `http://`).
    pub fn accounts_url(mut self, url: impl Into<String>) -> Self {
        self.accounts_url = Some(url.into());
        self
    }

    /// Sets the API version calls use unless a request sets its own: a generated `ApiVersion`
    /// (from a string with `"v8".parse::<ApiVersion>()`).
    pub fn api_version(mut self, version: impl Into<Version>) -> Self {
        self.version = Some(version.into());
        self
    }

    /// Whether to send calls to the API domain the accounts server names with each token.
    /// Default: yes, unless an API base URL or a non-default environment was configured.
    pub fn follow_api_domain(mut self, follow: bool) -> Self {
        self.follow_api_domain = Some(follow);
        self
    }

    /// The environment configured, else the profile's default.
    pub(super) fn environment_id(&self) -> &str {
        self.environment
            .as_deref()
            .unwrap_or(self.profile.default_environment)
    }

    /// The URLs of the configured data centre and environment (or the profile's defaults).
    pub(super) fn endpoints(&self) -> Result<Endpoints, ConfigError> {
        let data_center = self
            .data_center
            .as_deref()
            .unwrap_or(self.profile.default_data_center);
        self.profile.endpoints(data_center, self.environment_id())
    }

    /// The accounts URL, configured or from `endpoints`, checked.
    pub(super) fn checked_accounts_url(
        &self,
        endpoints: &Endpoints,
    ) -> Result<String, ConfigError> {
        checked_url(
            ACCOUNTS_URL,
            self.accounts_url
                .as_deref()
                .unwrap_or(&endpoints.accounts_url),
        )
    }
}

/// Checks a base URL that will receive tokens: https, or plain http to a loopback host only,
/// without credentials (which the error does not show either).
pub(super) fn checked_url(setting: &'static str, url: &str) -> Result<String, ConfigError> {
    let invalid = |reason: &str| ConfigError::InvalidBaseUrl {
        setting,
        url: url_for_display(url),
        reason: reason.to_owned(),
    };
    let parsed = reqwest::Url::parse(url).map_err(|e| invalid(&e.to_string()))?;
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(invalid("it must not have a query or fragment"));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(invalid(
            "it must not carry a user name or password; give credentials as tokens instead",
        ));
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
            assert!(checked_url(API_BASE_URL, good).is_ok(), "{good}");
        }
        assert_eq!(
            checked_url(API_BASE_URL, "https://www.zohoapis.com/")
                .ok()
                .as_deref(),
            Some("https://www.zohoapis.com")
        );
        for bad in [
            "http://www.zohoapis.com",
            "http://crm.example",
            "ftp://x.com",
            "www.zohoapis.com",
            "https://x.com/?a=b",
            "https://user:pw@x.com",
        ] {
            assert!(
                matches!(
                    checked_url(API_BASE_URL, bad),
                    Err(ConfigError::InvalidBaseUrl { .. })
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_url_with_a_password_is_refused_without_showing_it() {
        for url in [
            "https://user:hunter2@www.zohoapis.com",
            "http://user:hunter2@127.0.0.1:8080",
            "http://user:hunter2@bad host/",
        ] {
            let Err(error) = checked_url(ACCOUNTS_URL, url) else {
                panic!("accepted {url}");
            };
            let shown = format!("{error} {error:?}");
            assert!(!shown.contains("hunter2"), "{shown}");
            assert!(shown.starts_with("the accounts URL"), "{shown}");
        }
    }
}
