//! Where a refreshed access token is kept between calls and between runs: in memory, in a JSON
//! file ([`FileTokenStore`]: written atomically, private to its owner, with a lock so two
//! processes refresh one at a time; with the default feature `config`), or in any store a user
//! plugs in through [`TokenStore`].

#[cfg(feature = "config")]
mod file;
#[cfg(feature = "config")]
mod format;
#[cfg(feature = "config")]
mod link;
#[cfg(feature = "config")]
mod private;

/// Reads the contents of a token file as [`FileTokenStore`] does, or says why they are not one
/// (never quoting a value); for fuzzing and property tests.
#[cfg(feature = "config")]
#[doc(hidden)]
pub fn parse_token_file(bytes: &[u8]) -> Result<StoredToken, String> {
    format::decode(bytes)
}

use std::time::{Duration, SystemTime};

use secrecy::SecretString;

use crate::auth::future::BoxFuture;
use crate::auth_error::StoreError;
use crate::token::AccessToken;

#[cfg(feature = "config")]
pub use file::FileTokenStore;

/// A token set as stored.
#[derive(Clone, Debug)]
pub struct StoredToken {
    /// The access token.
    pub access_token: AccessToken,
    /// When it stops being valid.
    pub expires_at: SystemTime,
    /// The API domain it is for, if known.
    pub api_domain: Option<String>,
    /// A refresh token, when the store also keeps that (e.g. after a grant-code exchange).
    pub refresh_token: Option<SecretString>,
}

impl StoredToken {
    /// Whether the token is still valid `margin` from now.
    pub fn is_fresh(&self, margin: Duration) -> bool {
        SystemTime::now()
            .checked_add(margin)
            .is_some_and(|then| then < self.expires_at)
    }
}

/// Held while a refresh is under way; dropping it lets other processes refresh.
pub struct StoreLock(#[allow(dead_code)] Option<Box<dyn Send + Sync>>);

impl StoreLock {
    /// A lock that excludes nothing (for stores only one process uses).
    pub fn none() -> Self {
        StoreLock(None)
    }
}

impl std::fmt::Debug for StoreLock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StoreLock")
    }
}

/// Keeps the current token set. Implement it to keep tokens elsewhere (a database, a vault).
pub trait TokenStore: Send + Sync + std::fmt::Debug {
    /// The stored token set, if any.
    fn load(&self) -> BoxFuture<'_, Result<Option<StoredToken>, StoreError>>;
    /// Replaces the stored token set.
    fn save<'a>(&'a self, token: &'a StoredToken) -> BoxFuture<'a, Result<(), StoreError>>;
    /// Excludes other processes from refreshing until the lock is dropped. The default excludes
    /// nothing.
    fn lock(&self) -> BoxFuture<'_, Result<StoreLock, StoreError>> {
        Box::pin(async { Ok(StoreLock::none()) })
    }
}

/// A store in memory, for one process.
#[derive(Debug, Default)]
pub struct MemoryTokenStore {
    token: std::sync::Mutex<Option<StoredToken>>,
}

impl MemoryTokenStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }
}

impl TokenStore for MemoryTokenStore {
    fn load(&self) -> BoxFuture<'_, Result<Option<StoredToken>, StoreError>> {
        let token = self
            .token
            .lock()
            .map(|t| t.clone())
            .unwrap_or_else(|p| p.into_inner().clone());
        Box::pin(async move { Ok(token) })
    }

    fn save<'a>(&'a self, token: &'a StoredToken) -> BoxFuture<'a, Result<(), StoreError>> {
        match self.token.lock() {
            Ok(mut slot) => *slot = Some(token.clone()),
            Err(poisoned) => *poisoned.into_inner() = Some(token.clone()),
        }
        Box::pin(async { Ok(()) })
    }
}
