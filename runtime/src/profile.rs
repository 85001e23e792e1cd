//! The API-wide facts a client needs (data centres, environments, the auth header, the token
//! endpoint and its documented errors, limits), as generated from the spec, and resolving a data centre and environment
//! into URLs.

use std::time::Duration;

use crate::auth_error::TokenErrorKind;
use crate::error::ConfigError;
use crate::version::Version;

/// API-wide facts, generated from the spec.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ApiProfile {
    /// The data centres.
    pub data_centers: &'static [DataCenterDef],
    /// The environments.
    pub environments: &'static [EnvironmentDef],
    /// The data centre used unless another is configured.
    pub default_data_center: &'static str,
    /// The environment used unless another is configured.
    pub default_environment: &'static str,
    /// The API version used unless another is configured.
    pub default_version: Version,
    /// The header that carries the access token.
    pub auth_header: &'static str,
    /// The scheme word before the token in that header.
    pub auth_scheme: &'static str,
    /// Error codes that mean "this access token is invalid or expired": one refresh and retry.
    pub refresh_on: &'static [&'static str],
    /// The OAuth token endpoint.
    pub oauth: OAuthProfile,
    /// How many calls a client runs at once unless configured.
    pub default_concurrency: usize,
}

/// A data centre: where its accounts server and API live.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DataCenterDef {
    /// Its short id, e.g. `eu`.
    pub id: &'static str,
    /// Its name.
    pub name: &'static str,
    /// The accounts server URL.
    pub accounts_url: &'static str,
    /// The API domain without the environment's host prefix, e.g. `zohoapis.eu`.
    pub api_domain: &'static str,
}

/// An environment (production, sandbox, ...): which host of the API domain serves it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EnvironmentDef {
    /// Its id, e.g. `sandbox`.
    pub id: &'static str,
    /// The first label of the API host, e.g. `sandbox` in `sandbox.zohoapis.com`.
    pub host_prefix: &'static str,
}

/// The URLs a client talks to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoints {
    /// The API base URL, e.g. `https://www.zohoapis.eu`.
    pub api_base_url: String,
    /// The accounts server URL, e.g. `https://accounts.zoho.eu`.
    pub accounts_url: String,
}

impl ApiProfile {
    /// The data centre with this id (case-insensitive).
    pub fn data_center(&self, id: &str) -> Result<&'static DataCenterDef, ConfigError> {
        find_by_id(self.data_centers, id, |dc| dc.id).map_err(|known| {
            ConfigError::UnknownDataCenter {
                given: id.to_owned(),
                known,
            }
        })
    }

    /// The environment with this id (case-insensitive).
    pub fn environment(&self, id: &str) -> Result<&'static EnvironmentDef, ConfigError> {
        find_by_id(self.environments, id, |env| env.id).map_err(|known| {
            ConfigError::UnknownEnvironment {
                given: id.to_owned(),
                known,
            }
        })
    }

    /// The URLs of a data centre's environment.
    pub fn endpoints(
        &self,
        data_center: &str,
        environment: &str,
    ) -> Result<Endpoints, ConfigError> {
        let dc = self.data_center(data_center)?;
        let env = self.environment(environment)?;
        Ok(Endpoints {
            api_base_url: format!("https://{}.{}", env.host_prefix, dc.api_domain),
            accounts_url: dc.accounts_url.to_owned(),
        })
    }
}
/// The item whose id is `id` (case-insensitive), else the known ids, comma-separated.
fn find_by_id<T>(
    items: &'static [T],
    id: &str,
    id_of: fn(&T) -> &'static str,
) -> Result<&'static T, String> {
    items
        .iter()
        .find(|item| id_of(item).eq_ignore_ascii_case(id.trim()))
        .ok_or_else(|| items.iter().map(id_of).collect::<Vec<_>>().join(", "))
}

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
