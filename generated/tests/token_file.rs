//! The token file: refused when its group or others may access it or another user owns it (on
//! Unix, like ssh with a private key), written through a symbolic link instead of replacing it,
//! and read into a typed error, never a panic or an echo of its secrets, whatever it holds.

use std::path::Path;
use std::time::{Duration, SystemTime};

use secrecy::SecretString;
use zoho_crm::AccessToken;
use zoho_crm::TokenStore as _;
use zoho_crm::{FileTokenStore, StoreError, StoreErrorKind, StoredToken};

const SECRET: &str = "1000.refreshsecretvalue";

fn dir() -> tempfile::TempDir {
    match tempfile::tempdir() {
        Ok(dir) => dir,
        Err(e) => panic!("{e}"),
    }
}

fn token(value: &str) -> StoredToken {
    StoredToken {
        access_token: match AccessToken::new(value) {
            Ok(token) => token,
            Err(e) => panic!("{e}"),
        },
        expires_at: SystemTime::UNIX_EPOCH + Duration::from_secs(4_000_000_000),
        api_domain: Some("https://www.zohoapis.eu".into()),
        refresh_token: Some(SecretString::from(SECRET)),
    }
}

/// A token file as the store writes it, holding `access`.
fn contents(access: &str) -> String {
    format!(
        r#"{{"access_token":"{access}","expires_at_unix":4000000000,"refresh_token":"{SECRET}"}}"#
    )
}

/// Writes `text` to `path` with permission bits `mode` (on Unix; elsewhere the mode is ignored).
fn write(path: &Path, text: &str, mode: u32) {
    let written = std::fs::write(path, text).and_then(|()| set_mode(path, mode));
    assert!(written.is_ok(), "{written:?}");
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(_path: &Path, _mode: u32) -> std::io::Result<()> {
    Ok(())
}

#[cfg(unix)]
fn mode(path: &Path) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::metadata(path)
        .ok()
        .map(|m| m.permissions().mode() & 0o7777)
}

/// The access token in the file at `path`, read as JSON.
#[cfg(unix)]
fn access_token_in(path: &Path) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    json["access_token"].as_str().map(str::to_owned)
}

async fn load_error(store: &FileTokenStore) -> StoreError {
    match store.load().await {
        Ok(loaded) => panic!("loaded {loaded:?}"),
        Err(e) => e,
    }
}

async fn save_error(store: &FileTokenStore) -> StoreError {
    match store.save(&token("1000.new")).await {
        Ok(()) => panic!("saved"),
        Err(e) => e,
    }
}

/// Neither the message nor the Debug output quotes the secret.
fn assert_quotes_no_secret(error: &StoreError) {
    let shown = format!("{error} {error:?}");
    assert!(!shown.contains("refreshsecretvalue"), "{shown}");
}

#[cfg(unix)]
#[tokio::test]
async fn a_group_readable_token_file_is_refused_with_the_chmod_that_fixes_it() {
    let dir = dir();
    let path = dir.path().join("tokens.json");
    write(&path, &contents("1000.old"), 0o640);
    let store = FileTokenStore::new(&path);

    let error = load_error(&store).await;
    assert_eq!(error.kind, StoreErrorKind::InsecureMode { mode: 0o640 });
    assert_eq!(
        error.to_string(),
        format!(
            "token store {0}: refused: it has mode 0640, so its group can access it, and a token \
             file must be private to its owner; run `chmod 600 {0}`",
            path.display()
        )
    );
    assert_quotes_no_secret(&error);

    let error = save_error(&store).await;
    assert_eq!(error.kind, StoreErrorKind::InsecureMode { mode: 0o640 });
    assert_eq!(access_token_in(&path).as_deref(), Some("1000.old"));
    assert_eq!(mode(&path), Some(0o640));
}

#[cfg(unix)]
#[tokio::test]
async fn a_world_readable_token_file_is_refused() {
    let dir = dir();
    let path = dir.path().join("tokens.json");
    write(&path, &contents("1000.old"), 0o604);
    let store = FileTokenStore::new(&path);

    let error = load_error(&store).await;
    assert_eq!(error.kind, StoreErrorKind::InsecureMode { mode: 0o604 });
    assert_eq!(
        error.message,
        format!(
            "refused: it has mode 0604, so others can access it, and a token file must be \
             private to its owner; run `chmod 600 {}`",
            path.display()
        )
    );
    assert!(matches!(
        save_error(&store).await.kind,
        StoreErrorKind::InsecureMode { mode: 0o604 }
    ));
    assert_eq!(access_token_in(&path).as_deref(), Some("1000.old"));
}

#[cfg(unix)]
#[tokio::test]
async fn a_private_token_file_is_read_and_replaced_privately() {
    let dir = dir();
    let path = dir.path().join("tokens.json");
    write(&path, &contents("1000.old"), 0o600);
    let store = FileTokenStore::new(&path);

    let loaded = store.load().await;
    assert!(
        matches!(&loaded, Ok(Some(t)) if t.access_token == token("1000.old").access_token),
        "{loaded:?}"
    );
    let saved = store.save(&token("1000.new")).await;
    assert!(saved.is_ok(), "{saved:?}");
    assert_eq!(access_token_in(&path).as_deref(), Some("1000.new"));
    assert_eq!(mode(&path), Some(0o600));
}

#[cfg(unix)]
#[tokio::test]
async fn a_symlink_to_a_private_file_is_written_through() {
    let dir = dir();
    let real = dir.path().join("secrets");
    assert!(std::fs::create_dir(&real).is_ok());
    let target = real.join("zoho.json");
    write(&target, &contents("1000.old"), 0o600);
    let link = dir.path().join("tokens.json");
    assert!(std::os::unix::fs::symlink("secrets/zoho.json", &link).is_ok());
    let store = FileTokenStore::new(&link);

    let saved = store.save(&token("1000.new")).await;
    assert!(saved.is_ok(), "{saved:?}");
    let link_meta = std::fs::symlink_metadata(&link);
    assert!(link_meta.is_ok_and(|m| m.file_type().is_symlink()));
    assert_eq!(
        std::fs::read_link(&link).ok(),
        Some(Path::new("secrets/zoho.json").to_owned())
    );
    assert_eq!(access_token_in(&target).as_deref(), Some("1000.new"));
    assert_eq!(mode(&target), Some(0o600));
    let loaded = store.load().await;
    assert!(
        matches!(&loaded, Ok(Some(t)) if t.access_token == token("1000.new").access_token),
        "{loaded:?}"
    );
    for place in [dir.path(), real.as_path()] {
        let leftovers: Vec<String> = std::fs::read_dir(place)
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|name| name.ends_with(".tmp"))
                    .collect()
            })
            .unwrap_or_default();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }
}

#[cfg(unix)]
#[tokio::test]
async fn a_symlink_to_a_world_readable_target_is_refused_naming_the_target() {
    let dir = dir();
    let target = dir.path().join("shared.json");
    write(&target, &contents("1000.old"), 0o644);
    let link = dir.path().join("tokens.json");
    assert!(std::os::unix::fs::symlink(&target, &link).is_ok());
    let store = FileTokenStore::new(&link);

    let error = load_error(&store).await;
    assert_eq!(error.kind, StoreErrorKind::InsecureMode { mode: 0o644 });
    assert_eq!(error.location, link.display().to_string());
    assert_eq!(
        error.message,
        format!(
            "refused: its target {0} has mode 0644, so its group and others can access it, and \
             a token file must be private to its owner; run `chmod 600 {0}`",
            target.display()
        )
    );
    assert!(matches!(
        save_error(&store).await.kind,
        StoreErrorKind::InsecureMode { mode: 0o644 }
    ));
    assert_eq!(access_token_in(&target).as_deref(), Some("1000.old"));
    assert!(std::fs::symlink_metadata(&link).is_ok_and(|m| m.file_type().is_symlink()));
}

#[cfg(unix)]
#[tokio::test]
async fn a_dangling_symlink_gets_its_target_created_private() {
    let dir = dir();
    let target = dir.path().join("not-yet.json");
    let link = dir.path().join("tokens.json");
    assert!(std::os::unix::fs::symlink("not-yet.json", &link).is_ok());
    let store = FileTokenStore::new(&link);

    assert!(matches!(store.load().await, Ok(None)));
    let saved = store.save(&token("1000.new")).await;
    assert!(saved.is_ok(), "{saved:?}");
    assert!(std::fs::symlink_metadata(&link).is_ok_and(|m| m.file_type().is_symlink()));
    assert_eq!(access_token_in(&target).as_deref(), Some("1000.new"));
    assert_eq!(mode(&target), Some(0o600));
}

#[cfg(unix)]
#[tokio::test]
async fn a_dangling_symlink_into_a_missing_directory_is_a_clear_error() {
    let dir = dir();
    let target = dir.path().join("gone/tokens.json");
    let link = dir.path().join("tokens.json");
    assert!(std::os::unix::fs::symlink(&target, &link).is_ok());
    let store = FileTokenStore::new(&link);

    assert!(matches!(store.load().await, Ok(None)));
    let error = save_error(&store).await;
    assert_eq!(error.kind, StoreErrorKind::DanglingLink);
    assert_eq!(
        error.message,
        format!(
            "it is a symbolic link to {}, but the directory {} does not exist; create that \
             directory or point the link elsewhere",
            target.display(),
            dir.path().join("gone").display()
        )
    );
    let locked = store.lock().await;
    assert!(matches!(locked, Err(e) if e.kind == StoreErrorKind::DanglingLink));
    assert!(std::fs::symlink_metadata(&link).is_ok_and(|m| m.file_type().is_symlink()));
    assert!(!dir.path().join("gone").exists());
}

#[tokio::test]
async fn a_directory_at_the_path_is_refused() {
    let dir = dir();
    let path = dir.path().join("tokens.json");
    assert!(std::fs::create_dir(&path).is_ok());
    let store = FileTokenStore::new(&path);

    let expected = "refused: it is a directory, not a token file; remove it or choose another \
                    path for the token file";
    let error = load_error(&store).await;
    assert_eq!(error.kind, StoreErrorKind::NotAFile);
    assert_eq!(error.message, expected);
    let error = save_error(&store).await;
    assert_eq!(error.kind, StoreErrorKind::NotAFile);
    assert_eq!(error.message, expected);
    assert!(path.is_dir());
}

#[tokio::test]
async fn garbage_contents_are_typed_errors_that_quote_nothing() {
    let dir = dir();
    let path = dir.path().join("tokens.json");
    let store = FileTokenStore::new(&path);
    let cases: [(&[u8], &str); 6] = [
        (b"", "it is empty"),
        (
            br#"{"access_token":"1000.a","refresh_token":"1000.refreshsecretv"#,
            "its JSON stops short at line 1, column 61 (the file was cut off)",
        ),
        (
            br#"{"access_token":"1000.a","expires_at_unix":"1000.refreshsecretvalue"}"#,
            "its `expires_at_unix` is a string, not a number",
        ),
        (
            br#"["1000.refreshsecretvalue"]"#,
            "it holds an array where a JSON object was expected",
        ),
        (
            b"\x7fELF\x02\x01\x01\x00\xff\xfe1000.refreshsecretvalue",
            "it is not valid JSON (the first error is at line 1, column 1)",
        ),
        (
            br#"{"access_token":"1000.a","expires_at_unix":99999999999999999999}"#,
            "its `expires_at_unix` is not a whole number of seconds since 1970",
        ),
    ];
    for (bytes, reason) in cases {
        let written = std::fs::write(&path, bytes).and_then(|()| set_mode(&path, 0o600));
        assert!(written.is_ok(), "{written:?}");
        let error = load_error(&store).await;
        assert_eq!(error.kind, StoreErrorKind::Malformed, "{reason}");
        assert_eq!(
            error.message,
            format!("it is not a token file: {reason}; delete it to start afresh")
        );
        assert_quotes_no_secret(&error);
    }
}

#[tokio::test]
async fn an_oversized_file_is_refused_and_a_file_at_the_limit_is_read() {
    let dir = dir();
    let path = dir.path().join("tokens.json");
    let store = FileTokenStore::new(&path);
    let token = contents("1000.padded");
    let at_limit = format!("{token}{}", " ".repeat(64 * 1024 - token.len()));
    write(&path, &at_limit, 0o600);
    let loaded = store.load().await;
    assert!(matches!(loaded, Ok(Some(_))), "{loaded:?}");

    write(&path, &format!("{at_limit} "), 0o600);
    let error = load_error(&store).await;
    assert_eq!(error.kind, StoreErrorKind::TooLarge { bytes: 65_537 });
    assert_eq!(
        error.message,
        "refused: it holds 65537 bytes, more than a token file can (65536 bytes), so it is not a \
         token file; delete it to start afresh"
    );
}

/// Whether this test runs as root: the owner of a file it has just created.
#[cfg(unix)]
fn own_uid(dir: &Path) -> u32 {
    use std::os::unix::fs::MetadataExt as _;
    let probe = dir.join("probe");
    write(&probe, "", 0o600);
    match std::fs::metadata(&probe) {
        Ok(meta) => meta.uid(),
        Err(e) => panic!("{e}"),
    }
}

/// As root, a private file handed to `nobody` (65534) is refused on load and before a save.
/// Otherwise no file of another user can be made, so a link to `/etc/passwd`, which root owns,
/// is loaded instead (and never saved to).
#[cfg(unix)]
#[tokio::test]
async fn a_token_file_owned_by_another_user_is_refused_with_the_chown_that_fixes_it() {
    let dir = dir();
    let user = own_uid(dir.path());
    let path = dir.path().join("tokens.json");
    if user == 0 {
        write(&path, &contents("1000.old"), 0o600);
        assert!(std::os::unix::fs::chown(&path, Some(65_534), None).is_ok());
        let store = FileTokenStore::new(&path);

        let error = load_error(&store).await;
        assert_eq!(
            error.kind,
            StoreErrorKind::WrongOwner {
                owner: 65_534,
                user: 0
            }
        );
        assert_eq!(
            error.message,
            format!(
                "refused: it is owned by uid 65534, not by this process's user (uid 0), so \
                 another user controls these tokens; run `sudo chown 0 {}`, or delete it and \
                 store new tokens",
                path.display()
            )
        );
        assert_quotes_no_secret(&error);
        let error = save_error(&store).await;
        assert_eq!(
            error.kind,
            StoreErrorKind::WrongOwner {
                owner: 65_534,
                user: 0
            }
        );
        assert_eq!(access_token_in(&path).as_deref(), Some("1000.old"));
    } else {
        assert!(std::os::unix::fs::symlink("/etc/passwd", &path).is_ok());
        let error = load_error(&FileTokenStore::new(&path)).await;
        assert_eq!(error.kind, StoreErrorKind::WrongOwner { owner: 0, user });
        assert!(
            error
                .message
                .contains(&format!("run `sudo chown {user} /etc/passwd`")),
            "{}",
            error.message
        );
    }
}
