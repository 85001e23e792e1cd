//! Where a refreshed access token is kept between calls and between runs: in memory, in a JSON
//! file ([`FileTokenStore`]: written atomically, private to its owner, with a lock so two
//! processes refresh one at a time), or in any store a user plugs in through [`TokenStore`].

mod file;
mod format;
mod link;
mod private;

/// Reads the contents of a token file as [`FileTokenStore`] does, or says why they are not one
/// (never quoting a value); for fuzzing and property tests.
#[doc(hidden)]
pub fn parse_token_file(bytes: &[u8]) -> Result<StoredToken, String> {
    format::decode(bytes)
}

use std::time::{Duration, SystemTime};

use secrecy::SecretString;

use crate::auth::future::BoxFuture;
use crate::token::AccessToken;

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

/// A failure of a token store. Its message names what was wrong and what to do; it never quotes
/// the contents of a token file.
#[derive(Debug, thiserror::Error)]
#[error("token store {location}: {message}")]
#[non_exhaustive]
pub struct StoreError {
    /// Which store (a path, or a name).
    pub location: String,
    /// What went wrong, and what to do about it.
    pub message: String,
    /// What kind of failure it was, for code that reacts to it.
    pub kind: StoreErrorKind,
}

impl StoreError {
    /// A failure of the store at `location` (a path, or a name) of kind [`StoreErrorKind::Other`]:
    /// for stores a user plugs in.
    pub fn new(location: impl Into<String>, message: impl Into<String>) -> Self {
        StoreError {
            location: location.into(),
            message: message.into(),
            kind: StoreErrorKind::Other,
        }
    }
}

/// What kind of failure a [`StoreError`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum StoreErrorKind {
    /// The token file's mode gives its group or others some access (Unix only). `mode` holds its
    /// permission bits, e.g. `0o640`; `chmod 600` fixes it.
    InsecureMode {
        /// The file's permission bits (`mode & 0o7777`).
        mode: u32,
    },
    /// The token file is owned by another user than the process's effective user (Unix only).
    WrongOwner {
        /// The uid that owns the file.
        owner: u32,
        /// The process's effective uid.
        user: u32,
    },
    /// Something other than a regular file is at the path: a directory, a pipe, a socket, a
    /// device.
    NotAFile,
    /// The path is a symbolic link into a directory that does not exist.
    DanglingLink,
    /// The file is larger than a token file can be.
    TooLarge {
        /// The file's size in bytes.
        bytes: u64,
    },
    /// The file's contents are not a token set: empty, not JSON, or missing or mistyped fields.
    Malformed,
    /// Reading, writing or locking failed with this I/O error.
    Io(std::io::ErrorKind),
    /// Any other failure, e.g. of a store a user plugged in.
    Other,
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
