//! Reading a small file whole, for the manifest and the configuration: only a regular file (a
//! FIFO would block the read until a writer appears, a device might never end), and never more
//! than a limit, even when the file grows between the check and the read.

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

/// The bytes of the regular file `path`, at most `max` of them.
pub fn read(path: &Path, max: u64) -> Result<Vec<u8>, Refused> {
    let meta = std::fs::metadata(path).map_err(Refused::Io)?;
    if !meta.is_file() {
        return Err(Refused::NotRegular);
    }
    if meta.len() > max {
        return Err(Refused::TooBig(meta.len()));
    }
    let file = std::fs::File::open(path).map_err(Refused::Io)?;
    // Checked again on the handle, in case the path was replaced meanwhile.
    if !file.metadata().map_err(Refused::Io)?.is_file() {
        return Err(Refused::NotRegular);
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
