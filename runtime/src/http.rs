//! The reqwest clients behind a [`crate::Client`]: one that follows no redirect (for the token
//! endpoint and for requests with a body) and one that follows redirects within the same origin
//! only (for GET and DELETE; see [`crate::redirect`]). Both have the connect and read timeouts,
//! decode gzip and deflate answers, and apply the proxy rules below.
//!
//! # Proxies
//!
//! A proxy set with [`crate::ClientBuilder::proxy`] is used for every request it may see;
//! without one, the standard variables are read when the client is built, as curl reads them:
//! `HTTPS_PROXY` for https requests, `HTTP_PROXY` for plain-http ones, `ALL_PROXY` for either
//! (upper case first, then lower case; a value without a scheme means `http://`), with
//! `NO_PROXY` listing hosts to reach directly (names, which match their subdomains too, IP
//! addresses, `address/prefix` ranges, or `*`). When `REQUEST_METHOD` is set (a CGI program,
//! where a proxy variable may come from a request header) the variables are ignored.
//!
//! Plain http is only ever used with loopback hosts (the builder refuses it for others), and
//! such a request carries the access token (or the client secret and refresh token) in clear
//! text. So **a plain-http request goes through a proxy only when the proxy runs on the very
//! host the request is for** (the same loopback address or name): any other proxy, explicit or
//! from the environment, is bypassed and the request connects directly, so the secrets never
//! reach another host, even one on this machine (tests use 127.0.0.2 to stand for another
//! host). https requests use the proxy as configured. A proxy URL may carry a user name and
//! password (sent to the proxy as basic authentication, as curl does); they are never shown:
//! errors and `Debug` output print the URL with its credentials replaced by `[redacted]`.

use std::time::Duration;

use reqwest::Url;

use crate::error::{ConfigError, error_chain};
use crate::http_version::HttpVersion;
use crate::redact::url_for_display;

/// What the clients are built from.
#[derive(Clone, Debug)]
pub(crate) struct HttpSettings {
    pub(crate) connect_timeout: Duration,
    pub(crate) read_timeout: Duration,
    /// The proxy of [`crate::ClientBuilder::proxy`], if set.
    pub(crate) proxy: Option<String>,
    /// PEM texts of [`crate::ClientBuilder::add_root_certificate`].
    pub(crate) root_certificates: Vec<Vec<u8>>,
    /// The HTTP versions offered.
    pub(crate) http_version: HttpVersion,
}

/// The most bytes of the file `SSL_CERT_FILE` names that are read.
const MAX_CERT_FILE_BYTES: u64 = 16 * 1024 * 1024;

#[cfg(not(any(
    feature = "rustls-aws-lc",
    feature = "rustls-ring",
    feature = "native-tls"
)))]
compile_error!(
    "choose a TLS backend: the feature rustls-aws-lc (the default), rustls-ring or native-tls"
);

/// The two clients; they share nothing but their settings.
#[derive(Clone, Debug)]
pub(crate) struct HttpClients {
    /// Follows no redirect: the token endpoint and requests with a body.
    pub(crate) no_redirects: reqwest::Client,
    /// Follows redirects within the first URL's origin: GET and DELETE.
    pub(crate) same_origin: reqwest::Client,
}

impl HttpSettings {
    /// Builds both clients, reading proxy variables from the process environment.
    pub(crate) fn build(&self) -> Result<HttpClients, ConfigError> {
        self.build_with_env(|name| std::env::var(name).ok())
    }

    /// Builds both clients, reading proxy variables through `lookup`.
    pub(crate) fn build_with_env(
        &self,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<HttpClients, ConfigError> {
        let proxies = match &self.proxy {
            Some(url) => Proxies::explicit(url)?,
            None => Proxies::from_env(&lookup)?,
        };
        let roots = self.root_certificates(&lookup)?;
        let client = |policy: reqwest::redirect::Policy| {
            let builder = tls_builder()
                .connect_timeout(self.connect_timeout)
                .read_timeout(self.read_timeout)
                .user_agent(concat!("zoho-crm-rs/", env!("CARGO_PKG_VERSION")))
                .redirect(policy);
            let builder = self.http_version.apply(builder);
            // Only when there are extra roots: merging makes the platform verifier load the
            // system's roots when the client is built instead of at the first https call.
            let builder = if roots.is_empty() {
                builder
            } else {
                builder.tls_certs_merge(roots.clone())
            };
            proxies
                .apply(builder)?
                .build()
                .map_err(|e| ConfigError::Http(error_chain(&e)))
        };
        Ok(HttpClients {
            no_redirects: client(reqwest::redirect::Policy::none())?,
            same_origin: client(crate::redirect::same_origin_policy())?,
        })
    }
}

impl HttpSettings {
    /// The extra roots: those added to the builder, then those of `SSL_CERT_FILE`.
    fn root_certificates(
        &self,
        lookup: &impl Fn(&str) -> Option<String>,
    ) -> Result<Vec<reqwest::Certificate>, ConfigError> {
        let mut roots = Vec::new();
        for pem in &self.root_certificates {
            roots.extend(parse_pem("ClientBuilder::add_root_certificate", pem)?);
        }
        if let Some(path) = lookup("SSL_CERT_FILE").filter(|p| !p.trim().is_empty()) {
            let source = format!("SSL_CERT_FILE={path}");
            let invalid = |reason: String| ConfigError::InvalidCertificate {
                source_name: source.clone(),
                reason,
            };
            let too_big_or_special = || {
                invalid(format!(
                    "it must be a regular file of at most {MAX_CERT_FILE_BYTES} bytes"
                ))
            };
            // A FIFO would block the read and a device might never end: only a regular file
            // is opened, and no more than the limit is read even if it grows meanwhile.
            let meta = std::fs::metadata(&path).map_err(|e| invalid(e.to_string()))?;
            if !meta.is_file() || meta.len() > MAX_CERT_FILE_BYTES {
                return Err(too_big_or_special());
            }
            let file = std::fs::File::open(&path).map_err(|e| invalid(e.to_string()))?;
            let mut pem = Vec::new();
            std::io::Read::read_to_end(
                &mut std::io::Read::take(file, MAX_CERT_FILE_BYTES + 1),
                &mut pem,
            )
            .map_err(|e| invalid(e.to_string()))?;
            if u64::try_from(pem.len()).unwrap_or(u64::MAX) > MAX_CERT_FILE_BYTES {
                return Err(too_big_or_special());
            }
            roots.extend(parse_pem(&source, &pem)?);
        }
        Ok(roots)
    }
}

/// A reqwest builder with the TLS backend the features chose: native-tls when enabled, else
/// rustls (with ring installed as the process's default provider under `rustls-ring`; one the
/// program installed before is kept).
fn tls_builder() -> reqwest::ClientBuilder {
    #[cfg(feature = "rustls-ring")]
    {
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
    let builder = reqwest::Client::builder();
    #[cfg(feature = "native-tls")]
    let builder = builder.tls_backend_native();
    builder
}

/// The certificates of a PEM text, each checked by the TLS backend; none, or one it cannot
/// use, is an error that names where the text came from.
fn parse_pem(source: &str, pem: &[u8]) -> Result<Vec<reqwest::Certificate>, ConfigError> {
    let invalid = |reason: String| ConfigError::InvalidCertificate {
        source_name: source.to_owned(),
        reason,
    };
    let certificates =
        reqwest::Certificate::from_pem_bundle(pem).map_err(|e| invalid(error_chain(&e)))?;
    if certificates.is_empty() {
        return Err(invalid("it holds no PEM certificate".to_owned()));
    }
    for certificate in &certificates {
        tls_builder()
            .tls_certs_only([certificate.clone()])
            .build()
            .map_err(|e| invalid(error_chain(&e)))?;
    }
    Ok(certificates)
}

/// The proxies to use, decided when the client is built.
#[derive(Clone, Default, PartialEq, Eq)]
struct Proxies {
    /// From [`crate::ClientBuilder::proxy`].
    explicit: Option<Url>,
    /// From the environment, for https requests.
    https: Option<Url>,
    /// From the environment, for plain-http requests to the proxy's own host.
    http: Option<Url>,
    /// `NO_PROXY`.
    no_proxy: Option<String>,
}

impl std::fmt::Debug for Proxies {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let shown = |url: &Option<Url>| url.as_ref().map(|url| url_for_display(url.as_str()));
        f.debug_struct("Proxies")
            .field("explicit", &shown(&self.explicit))
            .field("https", &shown(&self.https))
            .field("http", &shown(&self.http))
            .field("no_proxy", &self.no_proxy)
            .finish()
    }
}

impl Proxies {
    fn explicit(url: &str) -> Result<Self, ConfigError> {
        Ok(Proxies {
            explicit: Some(proxy_url("ClientBuilder::proxy", url)?),
            ..Proxies::default()
        })
    }

    fn from_env(lookup: &impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        if lookup("REQUEST_METHOD").is_some() {
            return Ok(Proxies::default());
        }
        let first = |names: [&'static str; 2]| {
            names
                .into_iter()
                .find_map(|name| lookup(name).map(|value| (name, value)))
                .filter(|(_, value)| !value.trim().is_empty())
        };
        let parse = |found: Option<(&'static str, String)>| match found {
            Some((name, value)) => proxy_url(name, value.trim()).map(Some),
            None => Ok(None),
        };
        let all = parse(first(["ALL_PROXY", "all_proxy"]))?;
        let https = parse(first(["HTTPS_PROXY", "https_proxy"]))?.or_else(|| all.clone());
        let http = parse(first(["HTTP_PROXY", "http_proxy"]))?.or(all);
        Ok(Proxies {
            explicit: None,
            https,
            http,
            no_proxy: first(["NO_PROXY", "no_proxy"]).map(|(_, value)| value),
        })
    }

    /// Configures `builder` with these proxies only (no automatic system proxy), a plain-http
    /// request reaching one only if it runs on the request's host.
    fn apply(
        &self,
        builder: reqwest::ClientBuilder,
    ) -> Result<reqwest::ClientBuilder, ConfigError> {
        let mut builder = builder.no_proxy();
        if let Some(proxy) = self.explicit.clone() {
            builder = builder.proxy(reqwest::Proxy::custom(move |target| {
                (target.scheme() != "http" || same_host(&proxy, target)).then(|| proxy.clone())
            }));
        }
        if let Some(proxy) = self.http.clone() {
            let bypass = self.no_proxy.clone().unwrap_or_default();
            builder = builder.proxy(reqwest::Proxy::custom(move |target| {
                (target.scheme() == "http"
                    && same_host(&proxy, target)
                    && !no_proxy_matches(&bypass, target))
                .then(|| proxy.clone())
            }));
        }
        let no_proxy = || {
            self.no_proxy
                .as_deref()
                .and_then(reqwest::NoProxy::from_string)
        };
        let invalid =
            |setting: &'static str, url: &Url, e: reqwest::Error| ConfigError::InvalidProxy {
                setting,
                url: url_for_display(url.as_str()),
                reason: error_chain(&e),
            };
        if let Some(proxy) = &self.https {
            let https = reqwest::Proxy::https(proxy.as_str())
                .map_err(|e| invalid("HTTPS_PROXY or ALL_PROXY", proxy, e))?;
            builder = builder.proxy(https.no_proxy(no_proxy()));
        }
        Ok(builder)
    }
}

/// Whether a proxy runs on the host a request is for (the same address, or the same name).
fn same_host(proxy: &Url, target: &Url) -> bool {
    match (proxy.host(), target.host()) {
        (Some(url::Host::Domain(a)), Some(url::Host::Domain(b))) => a.eq_ignore_ascii_case(b),
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}

/// Whether `NO_PROXY` (comma-separated names, addresses, `address/prefix` ranges or `*`) lists
/// the target's host. A name matches itself and its subdomains, with or without a leading dot.
fn no_proxy_matches(list: &str, target: &Url) -> bool {
    let host = target.host_str().unwrap_or_default();
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let ip: Option<std::net::IpAddr> = host.parse().ok();
    list.split(',').map(str::trim).any(|entry| {
        if entry == "*" {
            return true;
        }
        if let (Some(ip), Some((network, prefix))) = (ip, entry.split_once('/')) {
            return in_range(ip, network, prefix);
        }
        if let Ok(listed) = entry.parse::<std::net::IpAddr>() {
            return ip == Some(listed);
        }
        let name = entry.trim_start_matches('.');
        !name.is_empty()
            && (host.eq_ignore_ascii_case(name)
                || host
                    .to_ascii_lowercase()
                    .ends_with(&format!(".{}", name.to_ascii_lowercase())))
    })
}

/// Whether `ip` lies in `network/prefix` (both of the same family; anything unreadable is not).
fn in_range(ip: std::net::IpAddr, network: &str, prefix: &str) -> bool {
    use std::net::IpAddr;
    let (Ok(network), Ok(prefix)) = (network.parse::<IpAddr>(), prefix.parse::<u32>()) else {
        return false;
    };
    let (ip, network, bits) = match (ip, network) {
        (IpAddr::V4(ip), IpAddr::V4(net)) => {
            (u128::from(u32::from(ip)), u128::from(u32::from(net)), 32u32)
        }
        (IpAddr::V6(ip), IpAddr::V6(net)) => (u128::from(ip), u128::from(net), 128),
        _ => return false,
    };
    if prefix > bits {
        return false;
    }
    let shift = bits - prefix;
    ip.checked_shr(shift).unwrap_or(0) == network.checked_shr(shift).unwrap_or(0)
}

/// Parses a proxy URL (`http://` assumed without a scheme); credentials in it are kept for the
/// proxy and never shown.
fn proxy_url(setting: &'static str, url: &str) -> Result<Url, ConfigError> {
    let invalid = |reason: &str| ConfigError::InvalidProxy {
        setting,
        url: url_for_display(url),
        reason: reason.to_owned(),
    };
    let with_scheme = if url.contains("://") {
        url.to_owned()
    } else {
        format!("http://{url}")
    };
    let parsed = Url::parse(&with_scheme).map_err(|e| invalid(&e.to_string()))?;
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(invalid("it has no host"));
    }
    if !matches!(
        parsed.scheme(),
        "http" | "https" | "socks4" | "socks4a" | "socks5" | "socks5h"
    ) {
        return Err(invalid(
            "the scheme must be http, https, socks4, socks4a, socks5 or socks5h",
        ));
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proxies(vars: &[(&str, &str)]) -> Result<Proxies, ConfigError> {
        Proxies::from_env(&|name: &str| {
            vars.iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| (*value).to_owned())
        })
    }

    fn host(url: &Option<Url>) -> Option<String> {
        url.as_ref().and_then(|u| u.host_str().map(str::to_owned))
    }

    fn url(text: &str) -> Url {
        Url::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    #[test]
    fn the_environment_gives_a_proxy_per_scheme() {
        let Ok(found) = proxies(&[
            ("ALL_PROXY", "proxy.example:3128"),
            ("HTTP_PROXY", "http://127.0.0.2:3128"),
        ]) else {
            panic!("refused");
        };
        assert_eq!(host(&found.https), Some("proxy.example".to_owned()));
        assert_eq!(host(&found.http), Some("127.0.0.2".to_owned()));
        let Ok(found) = proxies(&[("https_proxy", "http://[::1]:8080")]) else {
            panic!("refused");
        };
        assert_eq!(host(&found.https), Some("[::1]".to_owned()));
        assert_eq!(found.http, None);
    }

    #[test]
    fn a_plain_http_request_reaches_only_a_proxy_on_its_own_host() {
        let target = url("http://127.0.0.1:8080/crm");
        assert!(same_host(&url("http://127.0.0.1:3128"), &target));
        assert!(!same_host(&url("http://127.0.0.2:3128"), &target));
        assert!(!same_host(&url("http://localhost:3128"), &target));
        assert!(same_host(
            &url("http://LOCALHOST:1"),
            &url("http://localhost:2/")
        ));
        assert!(!same_host(&url("http://proxy.example"), &target));
    }

    #[test]
    fn no_proxy_lists_names_addresses_and_ranges() {
        let matches = |list: &str, target: &str| no_proxy_matches(list, &url(target));
        assert!(matches("*", "http://127.0.0.1/"));
        assert!(matches("example.com, 127.0.0.1", "http://127.0.0.1:9/"));
        assert!(matches("127.0.0.0/8", "http://127.3.2.1/"));
        assert!(!matches("127.0.0.0/8", "http://[::1]/"));
        assert!(matches("::1", "http://[::1]:8/"));
        assert!(matches("::/0", "http://[::1]:8/"));
        assert!(matches(".zoho.eu", "https://www.zoho.eu/"));
        assert!(matches("Zoho.EU", "https://zoho.eu/"));
        assert!(!matches("zoho.eu", "https://notzoho.eu/"));
        assert!(!matches(
            "localhost, 127.0.0.0/33, x/y, ,",
            "http://127.0.0.1/"
        ));
        assert!(!matches("", "http://127.0.0.1/"));
    }

    #[test]
    fn upper_case_variables_win_and_cgi_programs_ignore_them() {
        let Ok(found) = proxies(&[
            ("HTTPS_PROXY", "http://upper.example"),
            ("https_proxy", "http://lower.example"),
            ("NO_PROXY", "zoho.eu"),
        ]) else {
            panic!("refused");
        };
        assert_eq!(host(&found.https), Some("upper.example".to_owned()));
        assert_eq!(found.no_proxy.as_deref(), Some("zoho.eu"));
        let cgi = proxies(&[("REQUEST_METHOD", "GET"), ("HTTPS_PROXY", "http://p")]);
        assert_eq!(cgi.ok(), Some(Proxies::default()));
    }

    #[test]
    fn proxy_credentials_are_kept_for_the_proxy_but_never_shown() {
        for found in [
            proxies(&[("HTTPS_PROXY", "http://user:hunter2@proxy.example:3128")]),
            Proxies::explicit("http://user:hunter2@127.0.0.1:3128"),
        ] {
            let Ok(found) = found else {
                panic!("credentials refused: {found:?}");
            };
            let url = found.explicit.as_ref().or(found.https.as_ref());
            assert_eq!(url.and_then(Url::password), Some("hunter2"));
            let shown = format!("{found:?}");
            assert!(!shown.contains("hunter2"), "{shown}");
            assert!(shown.contains("[redacted]@"), "{shown}");
        }
        let broken = proxies(&[("HTTPS_PROXY", "http://user:hunter2@[::1")]);
        let Err(error) = broken else {
            panic!("a broken proxy URL was accepted");
        };
        let shown = format!("{error} {error:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
    }

    #[test]
    fn the_clients_build_with_every_kind_of_proxy() {
        let settings = |proxy: Option<&str>| HttpSettings {
            connect_timeout: Duration::from_secs(1),
            read_timeout: Duration::from_secs(1),
            proxy: proxy.map(str::to_owned),
            root_certificates: Vec::new(),
            http_version: HttpVersion::default(),
        };
        for proxy in [
            None,
            Some("http://127.0.0.1:3128"),
            Some("http://proxy.example"),
            Some("socks5h://127.0.0.1:1080"),
            Some("socks5://user:pw@proxy.example:1080"),
        ] {
            let built = settings(proxy).build_with_env(|name| match name {
                "HTTPS_PROXY" => Some("http://proxy.example:3128".to_owned()),
                "HTTP_PROXY" => Some("http://localhost:3128".to_owned()),
                _ => None,
            });
            assert!(built.is_ok(), "{proxy:?}: {:?}", built.err());
        }
        let ftp = settings(Some("ftp://proxy.example")).build_with_env(|_| None);
        assert!(
            matches!(ftp, Err(ConfigError::InvalidProxy { .. })),
            "{ftp:?}"
        );
    }

    #[test]
    fn bad_root_certificates_are_refused_with_where_they_came_from() {
        let settings = |pem: &[u8]| HttpSettings {
            connect_timeout: Duration::from_secs(1),
            read_timeout: Duration::from_secs(1),
            proxy: None,
            root_certificates: vec![pem.to_vec()],
            http_version: HttpVersion::default(),
        };
        let garbage = b"-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n";
        for pem in [&b"no certificate here"[..], &garbage[..]] {
            let built = settings(pem).build_with_env(|_| None);
            let Err(ConfigError::InvalidCertificate { source_name, .. }) = built else {
                panic!("accepted {pem:?}: {built:?}");
            };
            assert_eq!(source_name, "ClientBuilder::add_root_certificate");
        }
        let no_roots = HttpSettings {
            root_certificates: Vec::new(),
            ..settings(b"")
        };
        for path in ["/nonexistent/ca.pem", "/"] {
            let built =
                no_roots.build_with_env(|name| (name == "SSL_CERT_FILE").then(|| path.to_owned()));
            let Err(ConfigError::InvalidCertificate { source_name, .. }) = built else {
                panic!("accepted SSL_CERT_FILE={path}: {built:?}");
            };
            assert_eq!(source_name, format!("SSL_CERT_FILE={path}"));
        }
    }
}
