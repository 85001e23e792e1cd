//! Applying settings read from the process environment (the `ZOHO_*` variables) to a builder.

use super::ClientBuilder;
use super::credentials::Credentials;
use crate::client::Client;
use crate::env::EnvSettings;

impl<C: From<Client>> ClientBuilder<C> {
    /// Applies the `ZOHO_*` variables of the process environment (see [`EnvSettings`]).
    pub fn from_env(self) -> Self {
        self.env_settings(EnvSettings::from_env())
    }

    /// Applies settings read from the environment. Set values replace earlier ones; a refresh
    /// token with its client takes precedence over an access token.
    pub fn env_settings(mut self, settings: EnvSettings) -> Self {
        if let Some(dc) = settings.data_center {
            self.data_center = Some(dc);
        }
        if let Some(env) = settings.environment {
            self.environment = Some(env);
        }
        if let Some(base) = settings.api_base {
            self.base_url = Some(base);
        }
        if let Some(accounts) = settings.accounts_url {
            self.accounts_url = Some(accounts);
        }
        if let Some(file) = settings.token_file {
            self.token_file = Some(file);
        }
        match (
            settings.client_id,
            settings.client_secret,
            settings.refresh_token,
            settings.access_token,
        ) {
            (Some(client_id), Some(client_secret), refresh_token, _)
                if refresh_token.is_some() || self.token_file.is_some() =>
            {
                self.credentials = Credentials::Refresh {
                    client_id,
                    client_secret,
                    refresh_token,
                };
            }
            (_, _, _, Some(token)) => self.credentials = Credentials::AccessToken(token),
            (None, None, None, None) => {}
            (None, _, _, _) => {
                self.incomplete =
                    Some("ZOHO_CLIENT_ID is not set, but a client secret or refresh token is");
            }
            (_, None, _, _) => {
                self.incomplete =
                    Some("ZOHO_CLIENT_SECRET is not set, but a client id or refresh token is");
            }
            _ => {
                self.incomplete = Some(
                    "neither ZOHO_REFRESH_TOKEN nor ZOHO_TOKEN_FILE (holding a refresh token) nor ZOHO_ACCESS_TOKEN is set",
                );
            }
        }
        self
    }
}
