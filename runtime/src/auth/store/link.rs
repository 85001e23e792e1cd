//! Following a token file path's symbolic links to the file they name, even when that file does
//! not exist yet, so that a write goes through a link instead of replacing it.

use std::io;
use std::path::{Path, PathBuf};

/// How many links are followed before giving up (Linux's own limit).
const MAX_LINKS: usize = 40;

/// The file `path` names: `path` itself unless it is a symbolic link, else the target of its
/// last link, which may not exist. Links in the directories above are left to the kernel.
pub(super) fn resolve(path: &Path) -> io::Result<PathBuf> {
    let mut current = path.to_owned();
    for _ in 0..MAX_LINKS {
        match std::fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let target = std::fs::read_link(&current)?;
                // A relative target is relative to the link's directory. The join is not
                // normalised, so the kernel resolves any `..` against the real directory.
                current = parent_dir(&current).join(target);
            }
            Ok(_) => return Ok(current),
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(current),
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::other(format!(
        "more than {MAX_LINKS} symbolic links in a row (a loop?)"
    )))
}

/// The directory holding `path`: `.` for a bare file name.
pub(super) fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_owned(),
        _ => PathBuf::from("."),
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn dir() -> tempfile::TempDir {
        match tempfile::tempdir() {
            Ok(dir) => dir,
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn a_plain_or_missing_path_is_its_own_target() {
        let dir = dir();
        let missing = dir.path().join("t.json");
        assert_eq!(resolve(&missing).ok(), Some(missing.clone()));
        assert!(std::fs::write(&missing, "x").is_ok());
        assert_eq!(resolve(&missing).ok(), Some(missing));
    }

    #[test]
    fn chains_of_relative_and_absolute_links_are_followed_to_a_missing_target() {
        let dir = dir();
        assert!(std::fs::create_dir(dir.path().join("sub")).is_ok());
        let first = dir.path().join("first");
        let second = dir.path().join("sub/second");
        assert!(std::os::unix::fs::symlink("sub/second", &first).is_ok());
        assert!(std::os::unix::fs::symlink(dir.path().join("t.json"), &second).is_ok());
        assert_eq!(resolve(&first).ok(), Some(dir.path().join("t.json")));
        assert!(std::fs::remove_file(&second).is_ok());
        assert!(std::os::unix::fs::symlink("../t.json", &second).is_ok());
        assert_eq!(resolve(&first).ok(), Some(dir.path().join("sub/../t.json")));
    }

    #[test]
    fn a_loop_of_links_is_an_error_not_a_hang() {
        let dir = dir();
        let a = dir.path().join("a");
        assert!(std::os::unix::fs::symlink("b", &a).is_ok());
        assert!(std::os::unix::fs::symlink("a", dir.path().join("b")).is_ok());
        let error = resolve(&a).err().map(|e| e.to_string());
        assert_eq!(
            error.as_deref(),
            Some("more than 40 symbolic links in a row (a loop?)")
        );
    }

    #[test]
    fn a_bare_name_lives_in_the_current_directory() {
        assert_eq!(parent_dir(Path::new("t.json")), PathBuf::from("."));
        assert_eq!(parent_dir(Path::new("/a/t.json")), PathBuf::from("/a"));
    }
}
