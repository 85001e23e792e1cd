//! [`FileTokenStore`]: tokens in a JSON file that must be private to the process's user.

use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};

use super::private::{self, Refusal};
use super::{StoreLock, StoredToken, TokenStore, format, link};
use crate::auth::future::BoxFuture;
use crate::auth_error::{StoreError, StoreErrorKind};

/// A store in a JSON file.
///
/// Writes go to a temporary file in the same directory that is then renamed over the old one,
/// so a reader never sees half a file; the file is created with mode 0600 on Unix. If the path
/// is a symbolic link, the file it points to is written (and created, if its directory exists),
/// and the link stays. `lock` takes an exclusive lock on `<file>.lock` beside that file, so
/// processes sharing it refresh one at a time.
///
/// On Unix, like ssh with a private key, the store refuses (on load and before a save) a file
/// whose mode gives its group or others any access, or that another user than the process's
/// effective user owns; the error says which `chmod` or `chown` fixes it. On other platforms
/// the file's permissions are not checked. Anything but a regular file is refused everywhere,
/// as is a file over 64 KiB or one that does not hold a token set.
#[derive(Clone, Debug)]
pub struct FileTokenStore {
    path: PathBuf,
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

    fn fail(&self, kind: StoreErrorKind, message: String) -> StoreError {
        StoreError {
            location: self.path.display().to_string(),
            message,
            kind,
        }
    }

    /// `doing` (e.g. "read") failed on `file` (the path, or the file it links to).
    fn io_fail(&self, doing: &str, file: &Path, e: &std::io::Error) -> StoreError {
        self.fail(
            StoreErrorKind::Io(e.kind()),
            format!("cannot {doing} {}: {e}", self.name(file)),
        )
    }

    /// How messages name `file`: "it" when it is the store's path, else as the link's target.
    fn name(&self, file: &Path) -> String {
        if file == self.path {
            "it".to_owned()
        } else {
            format!("its target {}", file.display())
        }
    }

    fn refuse(&self, file: &Path, refusal: Refusal) -> StoreError {
        let name = self.name(file);
        match refusal {
            Refusal::NotAFile(what) => self.fail(
                StoreErrorKind::NotAFile,
                format!(
                    "refused: {name} is {what}, not a token file; remove it or choose another \
                     path for the token file"
                ),
            ),
            #[cfg(unix)]
            Refusal::WrongOwner { owner, user } => self.fail(
                StoreErrorKind::WrongOwner { owner, user },
                format!(
                    "refused: {name} is owned by uid {owner}, not by this process's user (uid \
                     {user}), so another user controls these tokens; run `sudo chown {user} {}`, \
                     or delete it and store new tokens",
                    shell_word(file)
                ),
            ),
            #[cfg(unix)]
            Refusal::InsecureMode(mode) => self.fail(
                StoreErrorKind::InsecureMode { mode },
                format!(
                    "refused: {name} has mode {mode:04o}, so {} can access it, and a token file \
                     must be private to its owner; run `chmod 600 {}`",
                    match (mode & 0o070 != 0, mode & 0o007 != 0) {
                        (true, true) => "its group and others",
                        (true, false) => "its group",
                        _ => "others",
                    },
                    shell_word(file)
                ),
            ),
            #[cfg(unix)]
            Refusal::UnknownUser(e) => self.fail(
                StoreErrorKind::Io(e.kind()),
                format!(
                    "cannot check who owns {name}: creating a file to learn this process's user \
                     failed in the temporary directory and in {} ({e}); set TMPDIR to a \
                     writable directory",
                    link::parent_dir(file).display()
                ),
            ),
        }
    }

    /// The file to write: the path, or the file its links lead to, whose directory must exist.
    fn target_for_writing(&self) -> Result<PathBuf, StoreError> {
        let target =
            link::resolve(&self.path).map_err(|e| self.io_fail("follow", &self.path, &e))?;
        let dir = link::parent_dir(&target);
        if target != self.path && !dir.is_dir() {
            return Err(self.fail(
                StoreErrorKind::DanglingLink,
                format!(
                    "it is a symbolic link to {}, but the directory {} does not exist; create \
                     that directory or point the link elsewhere",
                    target.display(),
                    dir.display()
                ),
            ));
        }
        Ok(target)
    }

    fn read(&self) -> Result<Option<StoredToken>, StoreError> {
        let target =
            link::resolve(&self.path).map_err(|e| self.io_fail("follow", &self.path, &e))?;
        let not_found = |e: &std::io::Error| e.kind() == std::io::ErrorKind::NotFound;
        match std::fs::metadata(&target) {
            Ok(meta) => {
                if let Some(what) = private::not_a_file(&meta) {
                    return Err(self.refuse(&target, Refusal::NotAFile(what)));
                }
            }
            Err(e) if not_found(&e) => return Ok(None),
            Err(e) => return Err(self.io_fail("read", &target, &e)),
        }
        let file = match std::fs::File::open(&target) {
            Ok(file) => file,
            Err(e) if not_found(&e) => return Ok(None),
            Err(e) => return Err(self.io_fail("read", &target, &e)),
        };
        // Checked on the open file, so what is read is what was checked.
        let meta = file
            .metadata()
            .map_err(|e| self.io_fail("read", &target, &e))?;
        private::check(&meta, &link::parent_dir(&target)).map_err(|r| self.refuse(&target, r))?;
        let too_large = |bytes: u64| {
            self.fail(
                StoreErrorKind::TooLarge { bytes },
                format!(
                    "refused: {} holds {bytes} bytes, more than a token file can ({} bytes), so \
                     it is not a token file; delete it to start afresh",
                    self.name(&target),
                    format::MAX_BYTES
                ),
            )
        };
        if meta.len() > format::MAX_BYTES {
            return Err(too_large(meta.len()));
        }
        let mut bytes = Vec::new();
        file.take(format::MAX_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| self.io_fail("read", &target, &e))?;
        if bytes.len() as u64 > format::MAX_BYTES {
            return Err(too_large(bytes.len() as u64));
        }
        format::decode(&bytes).map(Some).map_err(|reason| {
            self.fail(
                StoreErrorKind::Malformed,
                format!(
                    "{} is not a token file: {reason}; delete it to start afresh",
                    self.name(&target)
                ),
            )
        })
    }

    fn write(&self, token: &StoredToken) -> Result<(), StoreError> {
        let json = format::encode(token).map_err(|e| {
            self.fail(
                StoreErrorKind::Other,
                format!("cannot encode the token set: {e}"),
            )
        })?;
        let target = self.target_for_writing()?;
        let dir = link::parent_dir(&target);
        match std::fs::metadata(&target) {
            Ok(meta) => private::check(&meta, &dir).map_err(|r| self.refuse(&target, r))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(self.io_fail("inspect", &target, &e)),
        }
        let name = target
            .file_name()
            .map(|n| format!(".{}.", n.to_string_lossy()))
            .unwrap_or_else(|| ".tokens.".into());
        // Created with mode 0600 on Unix, removed if anything below fails.
        let mut temp = tempfile::Builder::new()
            .prefix(&name)
            .suffix(".tmp")
            .tempfile_in(&dir)
            .map_err(|e| self.io_fail("write", &target, &e))?;
        temp.write_all(&json)
            .and_then(|()| temp.as_file().sync_all())
            .map_err(|e| self.io_fail("write", &target, &e))?;
        temp.persist(&target)
            .map(drop)
            .map_err(|e| self.io_fail("write", &target, &e.error))
    }

    fn lock_blocking(&self) -> Result<StoreLock, StoreError> {
        let mut lock_path = self.target_for_writing()?.into_os_string();
        lock_path.push(".lock");
        let lock_path = PathBuf::from(lock_path);
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(false);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt as _;
            options.mode(0o600);
        }
        let fail = |e: std::io::Error| {
            self.fail(
                StoreErrorKind::Io(e.kind()),
                format!("cannot lock {}: {e}", lock_path.display()),
            )
        };
        let file = options.open(&lock_path).map_err(fail)?;
        file.lock().map_err(fail)?;
        Ok(StoreLock(Some(Box::new(file))))
    }

    /// Runs `work` on a blocking thread.
    async fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce(FileTokenStore) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let store = self.clone();
        tokio::task::spawn_blocking(move || work(store))
            .await
            .map_err(|e| {
                self.fail(
                    StoreErrorKind::Other,
                    format!("the file task did not finish: {e}"),
                )
            })?
    }
}

/// `path` as one word for a POSIX shell: as it is when that is safe, else in single quotes.
#[cfg(unix)]
fn shell_word(path: &Path) -> String {
    let text = path.to_string_lossy();
    let plain = |c: char| c.is_ascii_alphanumeric() || "/._-+,:@%=".contains(c);
    if !text.is_empty() && text.chars().all(plain) {
        text.into_owned()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

impl TokenStore for FileTokenStore {
    fn load(&self) -> BoxFuture<'_, Result<Option<StoredToken>, StoreError>> {
        Box::pin(self.blocking(|store| store.read()))
    }

    fn save<'a>(&'a self, token: &'a StoredToken) -> BoxFuture<'a, Result<(), StoreError>> {
        let token = token.clone();
        Box::pin(self.blocking(move |store| store.write(&token)))
    }

    fn lock(&self) -> BoxFuture<'_, Result<StoreLock, StoreError>> {
        Box::pin(self.blocking(|store| store.lock_blocking()))
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, SystemTime};

    use secrecy::{ExposeSecret as _, SecretString};

    use super::*;
    use crate::token::AccessToken;

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

    fn dir() -> tempfile::TempDir {
        match tempfile::tempdir() {
            Ok(dir) => dir,
            Err(e) => panic!("{e}"),
        }
    }

    #[tokio::test]
    async fn the_file_store_round_trips_with_owner_only_permissions() {
        let dir = dir();
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
        let dir = dir();
        let path = dir.path().join("tokens.json");
        let store = FileTokenStore::new(&path);
        // Saved first, so the file is private; `write` keeps its mode.
        assert!(store.save(&token("1000.first")).await.is_ok());
        assert!(std::fs::write(&path, b"{not json").is_ok());
        let error = store.load().await.err();
        assert_eq!(
            error.as_ref().map(|e| e.kind),
            Some(StoreErrorKind::Malformed)
        );
        assert_eq!(
            error.map(|e| e.message),
            Some(
                "it is not a token file: it is not valid JSON (the first error is at line 1, \
                 column 2); delete it to start afresh"
                    .to_owned()
            )
        );
    }

    #[cfg(unix)]
    #[test]
    fn fix_commands_quote_paths_the_shell_would_split() {
        assert_eq!(shell_word(Path::new("/home/u/t.json")), "/home/u/t.json");
        assert_eq!(shell_word(Path::new("/a b/t.json")), "'/a b/t.json'");
        assert_eq!(shell_word(Path::new("/it's/t")), r"'/it'\''s/t'");
        assert_eq!(shell_word(Path::new("/$HOME/t")), "'/$HOME/t'");
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn a_named_pipe_is_refused_without_blocking() {
        let dir = dir();
        let path = dir.path().join("tokens.json");
        let made = std::process::Command::new("mkfifo").arg(&path).status();
        assert!(made.is_ok_and(|s| s.success()), "mkfifo failed");
        let store = FileTokenStore::new(&path);
        let loaded = tokio::time::timeout(Duration::from_secs(5), store.load()).await;
        if loaded.is_err() {
            // Let the blocked reader go, so that the failure is reported instead of a hang.
            let _ = std::fs::OpenOptions::new().write(true).open(&path);
        }
        let error = loaded.ok().and_then(Result::err);
        assert_eq!(
            error.as_ref().map(|e| e.kind),
            Some(StoreErrorKind::NotAFile)
        );
        assert_eq!(
            error.map(|e| e.message),
            Some(
                "refused: it is a named pipe, not a token file; remove it or choose another path \
                 for the token file"
                    .to_owned()
            )
        );
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn the_lock_of_a_linked_file_sits_beside_the_target() {
        let dir = dir();
        assert!(std::fs::create_dir(dir.path().join("real")).is_ok());
        let link = dir.path().join("tokens.json");
        assert!(std::os::unix::fs::symlink("real/tokens.json", &link).is_ok());
        let lock = FileTokenStore::new(&link).lock().await;
        assert!(lock.is_ok(), "{:?}", lock.err());
        assert!(dir.path().join("real/tokens.json.lock").is_file());
        assert!(!dir.path().join("tokens.json.lock").exists());
    }
}
