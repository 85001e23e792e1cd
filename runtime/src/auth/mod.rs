//! OAuth: where access tokens come from (a fixed token, or a refresh token exchanged at the
//! accounts server), where they are kept between runs, and the errors of the token endpoint.

mod future;
pub mod oauth;
pub mod provider;
pub mod store;

pub use future::BoxFuture;
pub use oauth::OAuthClient;
pub use provider::{
    DEFAULT_REFRESH_MARGIN, Grant, RefreshTokenProvider, StaticTokenProvider, TokenProvider,
};
#[cfg(feature = "config")]
pub use store::{FileTokenStore, parse_token_file};
pub use store::{MemoryTokenStore, StoreLock, StoredToken, TokenStore};
