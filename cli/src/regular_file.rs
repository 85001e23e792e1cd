//! Opening only regular files (a FIFO would block the open or the read until a writer appears, a
//! device might never end), for the manifest, the configuration and the journal; reading a
//! small one whole, never more than a limit, even when it grows between the check and the read;
//! and hashing one (an export's files).

use std::io::Read as _;
use std::path::Path;

/// Why a file was not read.
#[derive(Debug)]
pub enum Refused {
    /// It is a directory, a FIFO, a device or a socket.
    NotRegular,
    /// It holds more than the limit (its length, or at least the limit + 1 when it grew).
    TooBig(u64),
    /// It could not be read.
    Io(std::io::Error),
}

/// The regular file `path`, opened for reading, with its length when opened.
pub fn open(path: &Path) -> Result<(std::fs::File, u64), Refused> {
    if !std::fs::metadata(path).map_err(Refused::Io)?.is_file() {
        return Err(Refused::NotRegular);
    }
    let file = std::fs::File::open(path).map_err(Refused::Io)?;
    // Checked again on the handle, in case the path was replaced meanwhile.
    let meta = file.metadata().map_err(Refused::Io)?;
    if !meta.is_file() {
        return Err(Refused::NotRegular);
    }
    Ok((file, meta.len()))
}

/// The length and SHA-256 (lowercase hex) of the regular file `path`, read in blocks of 64
/// KiB, so memory does not grow with the file. A symbolic link is refused as not regular, so
/// that what is hashed is the file at that very path (a backup's own file, not one elsewhere).
pub fn sha256(path: &Path) -> Result<(u64, String), Refused> {
    use sha2::{Digest as _, Sha256};
    if std::fs::symlink_metadata(path)
        .map_err(Refused::Io)?
        .file_type()
        .is_symlink()
    {
        return Err(Refused::NotRegular);
    }
    let (mut file, _) = open(path)?;
    let mut hasher = Sha256::new();
    let mut block = vec![0_u8; 64 * 1024];
    let mut size: u64 = 0;
    loop {
        match file.read(&mut block) {
            Ok(0) => break,
            Ok(read) => {
                hasher.update(&block[..read]);
                size = size.saturating_add(u64::try_from(read).unwrap_or(u64::MAX));
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(Refused::Io(e)),
        }
    }
    let sha256 = hasher
        .finalize()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    Ok((size, sha256))
}

/// The bytes of the regular file `path`, at most `max` of them.
pub fn read(path: &Path, max: u64) -> Result<Vec<u8>, Refused> {
    let (file, length) = open(path)?;
    if length > max {
        return Err(Refused::TooBig(length));
    }
    let mut bytes = Vec::new();
    file.take(max.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(Refused::Io)?;
    let read = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    if read > max {
        return Err(Refused::TooBig(read));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_regular_files_within_the_limit_are_read() {
        let Ok(dir) = tempfile::tempdir() else {
            panic!("no temporary directory");
        };
        let path = dir.path().join("a.txt");
        assert!(std::fs::write(&path, b"12345").is_ok());
        assert_eq!(read(&path, 5).ok().as_deref(), Some(&b"12345"[..]));
        assert!(matches!(read(&path, 4), Err(Refused::TooBig(5))));
        assert!(matches!(read(dir.path(), 5), Err(Refused::NotRegular)));
        assert!(matches!(
            read(&dir.path().join("none"), 5),
            Err(Refused::Io(_))
        ));
    }
}
