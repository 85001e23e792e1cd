//! Configuration from the environment: the `ZOHO_*` variables, read in one place.

use std::path::PathBuf;

use secrecy::SecretString;

/// Settings read from `ZOHO_*` variables; empty variables count as unset.
#[derive(Clone, Debug, Default)]
pub struct EnvSettings {
    /// `ZOHO_CLIENT_ID`.
    pub client_id: Option<String>,
    /// `ZOHO_CLIENT_SECRET`.
    pub client_secret: Option<SecretString>,
    /// `ZOHO_REFRESH_TOKEN`.
    pub refresh_token: Option<SecretString>,
    /// `ZOHO_ACCESS_TOKEN`.
    pub access_token: Option<SecretString>,
    /// `ZOHO_DC`, e.g. `eu`.
    pub data_center: Option<String>,
    /// `ZOHO_ENVIRONMENT`, e.g. `sandbox`.
    pub environment: Option<String>,
    /// `ZOHO_API_BASE`.
    pub api_base: Option<String>,
    /// `ZOHO_ACCOUNTS_URL`.
    pub accounts_url: Option<String>,
    /// `ZOHO_TOKEN_FILE`.
    pub token_file: Option<PathBuf>,
}

impl EnvSettings {
    /// The variables read, in the order they are documented.
    pub const VARIABLES: &[&str] = &[
        "ZOHO_CLIENT_ID",
        "ZOHO_CLIENT_SECRET",
        "ZOHO_REFRESH_TOKEN",
        "ZOHO_ACCESS_TOKEN",
        "ZOHO_DC",
        "ZOHO_ENVIRONMENT",
        "ZOHO_API_BASE",
        "ZOHO_ACCOUNTS_URL",
        "ZOHO_TOKEN_FILE",
    ];

    /// Reads the process environment.
    pub fn from_env() -> Self {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads through `lookup` (for tests, or another source of variables).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Self {
        let get = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let secret = |name: &str| get(name).map(SecretString::from);
        EnvSettings {
            client_id: get("ZOHO_CLIENT_ID"),
            client_secret: secret("ZOHO_CLIENT_SECRET"),
            refresh_token: secret("ZOHO_REFRESH_TOKEN"),
            access_token: secret("ZOHO_ACCESS_TOKEN"),
            data_center: get("ZOHO_DC"),
            environment: get("ZOHO_ENVIRONMENT"),
            api_base: get("ZOHO_API_BASE"),
            accounts_url: get("ZOHO_ACCOUNTS_URL"),
            token_file: get("ZOHO_TOKEN_FILE").map(PathBuf::from),
        }
    }
}
