//! Keeping a token file private. A file is refused, as ssh refuses such private keys, when it is
//! not a regular file, when another user than the process's effective user owns it, or when its
//! mode gives its group or others any access. New files are created with mode 0600.
//!
//! Owner and mode are checked on Unix only: elsewhere permissions are not Unix modes, and only the
//! file type is checked.

use std::fs::Metadata;
use std::io;
use std::path::Path;

/// Why a file may not hold tokens.
#[derive(Debug)]
pub(super) enum Refusal {
    /// It is not a regular file; says what it is instead.
    NotAFile(&'static str),
    /// Another user owns it.
    #[cfg(unix)]
    WrongOwner { owner: u32, user: u32 },
    /// Its group or others have some access; holds its permission bits.
    #[cfg(unix)]
    InsecureMode(u32),
    /// The process's effective user could not be found out.
    #[cfg(unix)]
    UnknownUser(io::Error),
}

/// What is at a path, when it is not a regular file. Check it before opening: opening a named
/// pipe would block.
pub(super) fn not_a_file(meta: &Metadata) -> Option<&'static str> {
    let kind = meta.file_type();
    if kind.is_file() {
        None
    } else if kind.is_dir() {
        Some("a directory")
    } else {
        Some(special_kind(&kind))
    }
}

#[cfg(unix)]
fn special_kind(kind: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt as _;
    if kind.is_fifo() {
        "a named pipe"
    } else if kind.is_socket() {
        "a socket"
    } else if kind.is_block_device() || kind.is_char_device() {
        "a device"
    } else {
        "a special file"
    }
}

#[cfg(not(unix))]
fn special_kind(_kind: &std::fs::FileType) -> &'static str {
    "a special file"
}

/// Refuses the file described by `meta` unless it is a regular file owned by the process's
/// effective user and private to it. `dir` is the file's directory (see [`effective_uid`]).
#[cfg(unix)]
pub(super) fn check(meta: &Metadata, dir: &Path) -> Result<(), Refusal> {
    use std::os::unix::fs::MetadataExt as _;
    if let Some(what) = not_a_file(meta) {
        return Err(Refusal::NotAFile(what));
    }
    // The owner first: if another user owns the file, `chmod` is not the fix.
    let user = effective_uid(dir).map_err(Refusal::UnknownUser)?;
    if meta.uid() != user {
        return Err(Refusal::WrongOwner {
            owner: meta.uid(),
            user,
        });
    }
    if meta.mode() & 0o077 != 0 {
        return Err(Refusal::InsecureMode(meta.mode() & 0o7777));
    }
    Ok(())
}

/// Refuses the file described by `meta` unless it is a regular file. Owner and mode are not
/// checked: they are not Unix modes here.
#[cfg(not(unix))]
pub(super) fn check(meta: &Metadata, _dir: &Path) -> Result<(), Refusal> {
    match not_a_file(meta) {
        Some(what) => Err(Refusal::NotAFile(what)),
        None => Ok(()),
    }
}

/// The process's effective uid, read as the owner of an anonymous file it has just created (in
/// the temporary directory, or in `dir` if that cannot be written). `libc::geteuid` would need
/// `unsafe` and a direct `libc` dependency, and neither `rustix` nor `nix` is a dependency of this
/// crate; `tempfile` is, and a new file is owned by exactly the user whose files the token file
/// is compared with (on Linux, the file-system uid, which follows the effective uid).
#[cfg(unix)]
fn effective_uid(dir: &Path) -> io::Result<u32> {
    use std::os::unix::fs::MetadataExt as _;
    let probe = tempfile::tempfile().or_else(|_| tempfile::tempfile_in(dir))?;
    Ok(probe.metadata()?.uid())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt as _;

    fn file_with_mode(dir: &Path, mode: u32) -> Metadata {
        let path = dir.join(format!("{mode:o}"));
        let made = std::fs::write(&path, b"{}")
            .and_then(|()| std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)))
            .and_then(|()| std::fs::metadata(&path));
        match made {
            Ok(meta) => meta,
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn only_modes_without_group_or_other_bits_pass() {
        let dir = match tempfile::tempdir() {
            Ok(dir) => dir,
            Err(e) => panic!("{e}"),
        };
        for mode in [0o600, 0o400, 0o700] {
            let result = check(&file_with_mode(dir.path(), mode), dir.path());
            assert!(result.is_ok(), "{mode:o}: {result:?}");
        }
        for mode in [0o640, 0o604, 0o620, 0o602, 0o610, 0o601, 0o644, 0o4660] {
            let result = check(&file_with_mode(dir.path(), mode), dir.path());
            assert!(
                matches!(result, Err(Refusal::InsecureMode(m)) if m == mode),
                "{mode:o}: {result:?}"
            );
        }
    }

    #[test]
    fn a_directory_is_not_a_file() {
        let dir = match tempfile::tempdir() {
            Ok(dir) => dir,
            Err(e) => panic!("{e}"),
        };
        let result = std::fs::metadata(dir.path()).map(|meta| check(&meta, dir.path()));
        assert!(
            matches!(result, Ok(Err(Refusal::NotAFile("a directory")))),
            "{result:?}"
        );
    }

    #[test]
    fn the_effective_uid_is_the_owner_of_new_files() {
        use std::os::unix::fs::MetadataExt as _;
        let dir = match tempfile::tempdir() {
            Ok(dir) => dir,
            Err(e) => panic!("{e}"),
        };
        let own = std::fs::metadata(dir.path()).map(|m| m.uid());
        assert_eq!(effective_uid(dir.path()).ok(), own.ok());
    }
}
