//! The build step: checks the whole configuration and assembles the [`Client`].

use std::sync::Arc;

use super::ClientBuilder;
use super::credentials::{TokenEndpoint, token_store};
use super::endpoints::{API_BASE_URL, checked_url};
use crate::client::{Client, Inner};
use crate::concurrency::AdaptiveLimit;
use crate::error::ConfigError;
use crate::pacing::{ByteRate, CallPacer, assured_speed};
use crate::timeouts::Timeouts;
use crate::usage::Meter;

impl<C: From<Client>> ClientBuilder<C> {
    /// Checks the configuration and builds the client.
    pub fn build(self) -> Result<C, ConfigError> {
        if let Some(reason) = self.incomplete {
            return Err(ConfigError::IncompleteCredentials(reason));
        }
        let profile = self.profile;
        let endpoints = self.endpoints()?;
        let http = self.http_settings().build()?;
        let base_url = checked_url(
            API_BASE_URL,
            self.base_url.as_deref().unwrap_or(&endpoints.api_base_url),
        )?;
        let accounts_url = self.checked_accounts_url(&endpoints)?;
        let follow_api_domain = self.follow_api_domain.unwrap_or(
            self.base_url.is_none()
                && profile.environment(self.environment_id())?.id == profile.default_environment,
        );
        let version = self.version.unwrap_or(profile.default_version);
        let auth_header = reqwest::header::HeaderName::from_bytes(profile.auth_header.as_bytes())
            .map_err(|e| ConfigError::Http(e.to_string()))?;

        let store = token_store(self.store, self.token_file);
        let provider = self.credentials.into_provider(
            TokenEndpoint {
                http: http.no_redirects.clone(),
                accounts_url: &accounts_url,
                oauth: profile.oauth,
                timeout: self.response_timeout,
            },
            store,
        )?;
        let concurrency = self
            .concurrency
            .unwrap_or(profile.default_concurrency)
            .max(1);
        let mut low_speed = self.low_speed;
        if let Some(rate) = self.max_bytes_per_second {
            let assured = assured_speed(rate, concurrency);
            if low_speed.bytes_per_second > assured {
                tracing::debug!(
                    from = low_speed.bytes_per_second,
                    to = assured,
                    "the low-speed rule's minimum lowered to what the bandwidth limit assures each call"
                );
                low_speed.bytes_per_second = assured;
            }
        }
        Ok(C::from(Client {
            inner: Arc::new(Inner {
                http,
                base_url,
                follow_api_domain,
                version,
                profile,
                auth_header,
                provider,
                retry: self.retry,
                limiter: AdaptiveLimit::new(concurrency),
                timeouts: Timeouts {
                    attempt: self.attempt_timeout,
                    response: self.response_timeout,
                    total: self.total_timeout,
                    low_speed,
                },
                max_pages: self.max_pages,
                on_throttled: self.on_throttled,
                meter: Arc::new(Meter::new(self.max_credits)),
                pacer: self.max_calls_per_second.map(CallPacer::new),
                bandwidth: self
                    .max_bytes_per_second
                    .map(|rate| Arc::new(ByteRate::new(rate))),
            }),
        }))
    }
}
