//! Where a refreshed access token is kept between calls and between runs: in memory, in a JSON
//! file (written atomically, mode 0600, with a lock so two processes refresh one at a time), or
//! in any store a user plugs in through [`TokenStore`].

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use secrecy::{ExposeSecret as _, SecretString};

use crate::auth::provider::BoxFuture;
use crate::token::AccessToken;

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

/// A failure of a token store.
#[derive(Debug, thiserror::Error)]
#[error("token store {location}: {message}")]
pub struct StoreError {
    /// Which store (a path, or a name).
    pub location: String,
    /// What went wrong.
    pub message: String,
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

/// A store in a JSON file. Writes go to a temporary file in the same directory that is then
/// renamed over the old one, so a reader never sees half a file; on Unix the file is created
/// with mode 0600. `lock` takes an exclusive lock on `<file>.lock`, so processes sharing the
/// file refresh one at a time.
#[derive(Clone, Debug)]
pub struct FileTokenStore {
    path: PathBuf,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct TokenFile {
    access_token: String,
    expires_at_unix: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    api_domain: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    refresh_token: Option<String>,
}

impl FileTokenStore {
    /// A store at `path` (created on first save).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        FileTokenStore { path: path.into() }
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn error(&self, message: impl std::fmt::Display) -> StoreError {
        StoreError {
            location: self.path.display().to_string(),
            message: message.to_string(),
        }
    }

    fn read(&self) -> Result<Option<StoredToken>, StoreError> {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(self.error(e)),
        };
        let file: TokenFile = serde_json::from_str(&text).map_err(|e| {
            self.error(format!("not a token file ({e}); delete it to start afresh"))
        })?;
        let access_token = AccessToken::new(file.access_token)
            .map_err(|e| self.error(format!("the stored access token is unusable: {e}")))?;
        Ok(Some(StoredToken {
            access_token,
            expires_at: SystemTime::UNIX_EPOCH + Duration::from_secs(file.expires_at_unix),
            api_domain: file.api_domain,
            refresh_token: file.refresh_token.map(SecretString::from),
        }))
    }

    fn write(&self, token: &StoredToken) -> Result<(), StoreError> {
        let file = TokenFile {
            access_token: token.access_token.expose().to_owned(),
            expires_at_unix: token
                .expires_at
                .duration_since(SystemTime::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs()),
            api_domain: token.api_domain.clone(),
            refresh_token: token
                .refresh_token
                .as_ref()
                .map(|t| t.expose_secret().to_owned()),
        };
        let json = serde_json::to_vec_pretty(&file).map_err(|e| self.error(e))?;
        let dir = match self.path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir.to_owned(),
            _ => PathBuf::from("."),
        };
        let name = self
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "tokens".into());
        let temp = dir.join(format!(
            ".{name}.{}.{}.tmp",
            std::process::id(),
            unique_suffix()
        ));
        let result = write_private(&temp, &json).and_then(|()| std::fs::rename(&temp, &self.path));
        if result.is_err() {
            let _ = std::fs::remove_file(&temp);
        }
        result.map_err(|e| self.error(e))
    }
}

fn unique_suffix() -> u64 {
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// Creates `path` (which must not exist) readable by its owner only, writes and syncs it.
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

impl TokenStore for FileTokenStore {
    fn load(&self) -> BoxFuture<'_, Result<Option<StoredToken>, StoreError>> {
        let store = self.clone();
        Box::pin(async move {
            tokio::task::spawn_blocking(move || store.read())
                .await
                .map_err(|e| StoreError {
                    location: String::new(),
                    message: e.to_string(),
                })?
        })
    }

    fn save<'a>(&'a self, token: &'a StoredToken) -> BoxFuture<'a, Result<(), StoreError>> {
        let store = self.clone();
        let token = token.clone();
        Box::pin(async move {
            tokio::task::spawn_blocking(move || store.write(&token))
                .await
                .map_err(|e| StoreError {
                    location: String::new(),
                    message: e.to_string(),
                })?
        })
    }

    fn lock(&self) -> BoxFuture<'_, Result<StoreLock, StoreError>> {
        let store = self.clone();
        Box::pin(async move {
            tokio::task::spawn_blocking(move || {
                let mut lock_path = store.path.clone().into_os_string();
                lock_path.push(".lock");
                let mut options = std::fs::OpenOptions::new();
                options.write(true).create(true).truncate(false);
                #[cfg(unix)]
                {
                    use std::os::unix::fs::OpenOptionsExt as _;
                    options.mode(0o600);
                }
                let file = options.open(&lock_path).map_err(|e| store.error(e))?;
                file.lock().map_err(|e| store.error(e))?;
                Ok(StoreLock(Some(Box::new(file))))
            })
            .await
            .map_err(|e| StoreError {
                location: String::new(),
                message: e.to_string(),
            })?
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(value: &str) -> StoredToken {
        StoredToken {
            access_token: match AccessToken::new(value) {
                Ok(t) => t,
                Err(e) => panic!("{e}"),
            },
            expires_at: SystemTime::UNIX_EPOCH + Duration::from_secs(4_000_000_000),
            api_domain: Some("https://www.zohoapis.eu".into()),
            refresh_token: Some(SecretString::from("1000.refresh")),
        }
    }

    #[tokio::test]
    async fn the_file_store_round_trips_with_owner_only_permissions() {
        let dir = match tempfile::tempdir() {
            Ok(dir) => dir,
            Err(e) => panic!("{e}"),
        };
        let store = FileTokenStore::new(dir.path().join("tokens.json"));
        assert!(matches!(store.load().await, Ok(None)));
        assert!(store.save(&token("1000.first")).await.is_ok());
        assert!(store.save(&token("1000.second")).await.is_ok());
        let loaded = store.load().await.ok().flatten();
        assert_eq!(
            loaded.as_ref().map(|t| t.access_token.expose().to_owned()),
            Some("1000.second".to_owned())
        );
        assert_eq!(
            loaded
                .and_then(|t| t.refresh_token)
                .map(|t| t.expose_secret().to_owned()),
            Some("1000.refresh".to_owned())
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(store.path()).map(|m| m.permissions().mode() & 0o777);
            assert_eq!(mode.ok(), Some(0o600));
        }
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|n| n.ends_with(".tmp"))
                    .collect()
            })
            .unwrap_or_default();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }

    #[tokio::test]
    async fn a_corrupt_file_is_an_error_that_says_what_to_do() {
        let dir = match tempfile::tempdir() {
            Ok(dir) => dir,
            Err(e) => panic!("{e}"),
        };
        let path = dir.path().join("tokens.json");
        assert!(std::fs::write(&path, "{not json").is_ok());
        let error = FileTokenStore::new(&path)
            .load()
            .await
            .err()
            .map(|e| e.to_string());
        assert!(error.is_some_and(|e| e.contains("delete it")));
    }
}
