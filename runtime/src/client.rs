//! The HTTP client: configuration, the Authorization header, and executing a prepared request.

use std::marker::PhantomData;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use serde::de::DeserializeOwned;

use crate::error::{ConfigError, Error, OperationError};
use crate::multipart::MultipartBody;
use crate::response::{self, ActionResponse};
use crate::token::AccessToken;
use crate::validate;

/// The API-wide facts a client needs, generated from the spec.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ApiProfile {
    /// The API base URL used when none is configured.
    pub default_base_url: &'static str,
    /// The API version used when none is configured.
    pub default_version: &'static str,
    /// The header that carries the access token.
    pub auth_header: &'static str,
    /// The scheme word before the token in that header.
    pub auth_scheme: &'static str,
}

/// Connect timeout used unless configured.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Longest wait for any single read from the server unless configured; a stalled server fails
/// the call instead of hanging it.
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(120);

/// A configured client. Cheap to clone; clones share one connection pool.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    base_url: String,
    version: String,
    auth_header: reqwest::header::HeaderName,
    auth_value: reqwest::header::HeaderValue,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url)
            .field("version", &self.inner.version)
            .field("access_token", &"[redacted]")
            .finish()
    }
}

/// A request ready to send: method, path (with validated segments) and an optional body.
#[derive(Debug)]
pub struct PreparedRequest {
    /// The HTTP method.
    pub method: reqwest::Method,
    /// The path below the base URL, starting with `/`.
    pub path: String,
    /// A multipart body, if the operation has one.
    pub body: Option<MultipartBody>,
}

impl Client {
    /// The API base URL, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// The API version calls use, e.g. `v2`.
    pub fn api_version(&self) -> &str {
        &self.inner.version
    }

    /// Sends a request whose answer is a `data[]` list of action results, and decodes its first
    /// item (or the operation's typed error).
    pub async fn execute_action<T: DeserializeOwned, E: OperationError>(
        &self,
        request: PreparedRequest,
        success_status: &[u16],
    ) -> Result<ActionResponse<T>, Error<E>> {
        let response = self.send(request).await?;
        let (status, body) = response::read_bounded(response).await?;
        response::decode_action(status, &body, success_status)
    }

    async fn send<E: std::error::Error>(
        &self,
        request: PreparedRequest,
    ) -> Result<reqwest::Response, Error<E>> {
        let url = format!("{}{}", self.inner.base_url, request.path);
        let mut builder = self.inner.http.request(request.method, url).header(
            self.inner.auth_header.clone(),
            self.inner.auth_value.clone(),
        );
        if let Some(body) = request.body {
            let content_type = body.content_type();
            let (length, stream) = body.into_stream();
            builder = builder
                .header(reqwest::header::CONTENT_TYPE, content_type)
                .header(reqwest::header::CONTENT_LENGTH, length)
                .body(reqwest::Body::wrap_stream(stream));
        }
        builder.send().await.map_err(Error::from_reqwest)
    }
}

/// Builds a [`Client`] (or the generated crate's wrapper `C`) from an [`ApiProfile`] and settings.
pub struct ClientBuilder<C = Client> {
    profile: ApiProfile,
    base_url: Option<String>,
    version: Option<String>,
    token: Option<String>,
    connect_timeout: Duration,
    read_timeout: Duration,
    request_timeout: Option<Duration>,
    output: PhantomData<fn() -> C>,
}

impl<C> std::fmt::Debug for ClientBuilder<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &self.base_url)
            .field("version", &self.version)
            .field("access_token", &self.token.as_ref().map(|_| "[redacted]"))
            .field("connect_timeout", &self.connect_timeout)
            .field("read_timeout", &self.read_timeout)
            .field("request_timeout", &self.request_timeout)
            .finish()
    }
}

impl<C: From<Client>> ClientBuilder<C> {
    /// A builder with the profile's defaults.
    pub fn new(profile: ApiProfile) -> Self {
        ClientBuilder {
            profile,
            base_url: None,
            version: None,
            token: None,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            read_timeout: DEFAULT_READ_TIMEOUT,
            request_timeout: None,
            output: PhantomData,
        }
    }

    /// Overrides the API base URL. Plain `http://` is accepted only for loopback hosts, so a
    /// token never travels in clear text.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Sets the API version, e.g. `v2`.
    pub fn api_version(mut self, version: impl Into<String>) -> Self {
        self.version = Some(version.into());
        self
    }

    /// Sets the OAuth access token.
    pub fn access_token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// Sets how long establishing a connection may take.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Sets how long any single read from the server may wait.
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.read_timeout = timeout;
        self
    }

    /// Sets a limit on a whole request, from sending to the end of the response. None by
    /// default, since a large upload on a slow link may legitimately take long.
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = Some(timeout);
        self
    }

    /// Checks the configuration and builds the client.
    pub fn build(self) -> Result<C, ConfigError> {
        let token = AccessToken::new(self.token.ok_or(ConfigError::MissingToken)?)?;
        let base_url = checked_base_url(
            self.base_url
                .as_deref()
                .unwrap_or(self.profile.default_base_url),
        )?;
        let version = self
            .version
            .unwrap_or_else(|| self.profile.default_version.to_owned());
        validate::api_version(&version).map_err(ConfigError::InvalidVersion)?;
        let auth_header =
            reqwest::header::HeaderName::from_bytes(self.profile.auth_header.as_bytes())
                .map_err(|e| ConfigError::Http(e.to_string()))?;
        let mut auth_value = reqwest::header::HeaderValue::from_str(&format!(
            "{} {}",
            self.profile.auth_scheme,
            token.expose()
        ))
        .map_err(|_| ConfigError::InvalidToken("it cannot be sent in a header"))?;
        auth_value.set_sensitive(true);
        let mut http = reqwest::Client::builder()
            .connect_timeout(self.connect_timeout)
            .read_timeout(self.read_timeout)
            .user_agent(concat!("zoho-crm-rs/", env!("CARGO_PKG_VERSION")));
        if let Some(timeout) = self.request_timeout {
            http = http.timeout(timeout);
        }
        let http = http
            .build()
            .map_err(|e| ConfigError::Http(crate::error::error_chain(&e)))?;
        Ok(C::from(Client {
            inner: Arc::new(Inner {
                http,
                base_url,
                version,
                auth_header,
                auth_value,
            }),
        }))
    }
}

fn checked_base_url(url: &str) -> Result<String, ConfigError> {
    let invalid = |reason: &str| ConfigError::InvalidBaseUrl {
        url: url.to_owned(),
        reason: reason.to_owned(),
    };
    let parsed = reqwest::Url::parse(url).map_err(|e| invalid(&e.to_string()))?;
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(invalid("it must not have a query or fragment"));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(invalid("it must not carry credentials"));
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

fn is_loopback(url: &reqwest::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
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
            assert!(checked_base_url(good).is_ok(), "{good}");
        }
        assert_eq!(
            checked_base_url("https://www.zohoapis.com/")
                .ok()
                .as_deref(),
            Some("https://www.zohoapis.com")
        );
        for bad in [
            "http://www.zohoapis.com",
            "http://10.0.0.1",
            "ftp://x.com",
            "www.zohoapis.com",
            "https://x.com/?a=b",
            "https://user:pw@x.com",
        ] {
            assert!(
                matches!(
                    checked_base_url(bad),
                    Err(ConfigError::InvalidBaseUrl { .. })
                ),
                "{bad}"
            );
        }
    }
}
