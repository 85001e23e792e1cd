//! Where a single download goes (`-o`): standard output, into a directory, or to a file,
//! decided before anything is sent so that a path that cannot work is refused first.

use std::path::{Path, PathBuf};

use crate::failure::Failure;

/// Where a download goes.
pub enum Destination {
    /// To standard output (`-o -`).
    Stdout,
    /// Into this directory, under a name the command chooses.
    Dir(PathBuf),
    /// To this file.
    File(PathBuf),
}

/// Decides between standard output, a directory and a file, refusing what cannot work: a
/// directory (a path ending in `/`) or a file's parent directory that does not exist.
pub fn destination(output: &Path) -> Result<Destination, Failure> {
    if output == Path::new("-") {
        return Ok(Destination::Stdout);
    }
    if output.is_dir() {
        return Ok(Destination::Dir(output.to_owned()));
    }
    let text = output.as_os_str().to_string_lossy();
    if text.ends_with('/') || text.ends_with(std::path::MAIN_SEPARATOR) {
        return Err(Failure::invalid(format!(
            "directory {} does not exist",
            output.display()
        )));
    }
    match output.parent() {
        Some(parent) if !parent.as_os_str().is_empty() && !parent.is_dir() => Err(
            Failure::invalid(format!("directory {} does not exist", parent.display())),
        ),
        _ => Ok(Destination::File(output.to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_parent_directory_is_refused_before_sending() {
        let missing = Path::new("/nonexistent-zoho-crm-dir/photo.png");
        assert!(
            matches!(destination(missing), Err(f) if f.kind == crate::failure::Kind::InvalidInput)
        );
        assert!(matches!(
            destination(Path::new("-")),
            Ok(Destination::Stdout)
        ));
        assert!(destination(Path::new("/nonexistent-zoho-crm-dir/")).is_err());
    }
}
