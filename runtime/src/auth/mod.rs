//! OAuth: where access tokens come from (a fixed token, or a refresh token exchanged at the
//! accounts server), where they are kept between runs, and the errors of the token endpoint.

pub mod oauth;
pub mod provider;
pub mod store;

pub use oauth::{AuthError, IssuedToken, OAuthClient, OAuthProfile, TokenErrorDoc, TokenErrorKind};
pub use provider::{BoxFuture, Grant, RefreshTokenProvider, StaticTokenProvider, TokenProvider};
pub use store::{
    FileTokenStore, MemoryTokenStore, StoreError, StoreErrorKind, StoreLock, StoredToken,
    TokenStore,
};
