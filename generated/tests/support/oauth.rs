//! A pair of loopback servers, accounts and API, sharing one token registry, and clients that
//! authenticate against them with a refresh token.

use std::time::Duration;

use zoho_crm::{Client, ClientBuilder, RetryPolicy};
use zoho_crm_testkit::{
    AccountsConfig, AccountsServer, LoopbackServer, ServerConfig, TokenRegistry,
};

/// An API server and an accounts server that issues tokens the API server accepts.
pub struct Zoho {
    /// The API server.
    pub api: LoopbackServer,
    /// The accounts server.
    pub accounts: AccountsServer,
}

impl Zoho {
    /// Starts both servers.
    pub async fn start() -> Zoho {
        let tokens = TokenRegistry::new();
        let api = LoopbackServer::start_with_tokens(ServerConfig::default(), tokens.clone()).await;
        let accounts = AccountsServer::start(tokens, AccountsConfig::default()).await;
        match (api, accounts) {
            (Ok(api), Ok(accounts)) => Zoho { api, accounts },
            (api, accounts) => panic!(
                "cannot start the servers: {:?} {:?}",
                api.err(),
                accounts.err()
            ),
        }
    }

    /// A builder authenticating with the accounts server's refresh token, with fast retries.
    pub fn builder(&self) -> ClientBuilder {
        let config = self.accounts.config();
        Client::builder()
            .base_url(self.api.base_url())
            .accounts_url(self.accounts.base_url())
            .refresh_token(
                &config.client_id,
                &config.client_secret,
                &config.refresh_token,
            )
            .retry_policy(fast_retries())
    }

    /// A client from [`Zoho::builder`].
    pub fn client(&self) -> Client {
        build(self.builder())
    }
}

/// Retries with short backoffs, so tests stay fast.
pub fn fast_retries() -> RetryPolicy {
    RetryPolicy::default()
        .with_max_attempts(4)
        .with_initial_backoff(Duration::from_millis(20))
        .with_max_backoff(Duration::from_millis(200))
        .with_max_retry_after(Duration::from_secs(5))
        .with_retry_unsafe_after_send(false)
}

/// Builds or fails the test.
pub fn build(builder: ClientBuilder) -> Client {
    match builder.build() {
        Ok(client) => client,
        Err(e) => panic!("client: {e}"),
    }
}
