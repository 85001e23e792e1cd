//! OAuth: where access tokens come from (a fixed token, or a refresh token exchanged at the
//! accounts server), where they are kept between runs, and the errors of the token endpoint.

mod future;
pub mod oauth;
pub mod provider;
pub mod store;

pub use future::BoxFuture;
pub use oauth::{
    AuthError, IssuedToken, MAX_TOKEN_LIFETIME, OAuthClient, OAuthProfile, TokenErrorDoc,
    TokenErrorKind,
};
pub use provider::{
    DEFAULT_REFRESH_MARGIN, Grant, RefreshTokenProvider, StaticTokenProvider, TokenProvider,
};
pub use store::{
    FileTokenStore, MemoryTokenStore, StoreError, StoreErrorKind, StoreLock, StoredToken,
    TokenStore, parse_token_file,
};
