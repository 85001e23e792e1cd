//! What the parts of a record's export (its attachments, photo and file fields) share: how a
//! part ended, whether it may start, what is in a folder, and the removal of the temporary
//! files that downloads an earlier run did not finish left in it.

use std::path::PathBuf;

use crate::failure::Failure;

use super::plan::{self, DirScan};
use super::shared::Shared;

/// How a part of a record's export ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Part {
    /// Done (some files may have failed, each counted).
    Done,
    /// Its listing or record read failed: the record is counted as failed.
    ReadFailed,
    /// Not started: a signal came or calls are held back (counted).
    NotStarted,
}

/// What is in a folder (on the blocking pool).
pub(super) async fn scan_dir(dir: &std::path::Path) -> Result<DirScan, Failure> {
    let owned = dir.to_owned();
    tokio::task::spawn_blocking(move || plan::scan(&owned))
        .await
        .map_err(std::io::Error::other)
        .and_then(|scan| scan)
        .map_err(|e| Failure::io(format!("cannot read {}: {e}", dir.display())))
}

/// Whether a part may start; when it may not, it is counted as not started.
pub(super) fn may_start_part(shared: &Shared) -> bool {
    let may = shared.may_start();
    if !may {
        shared.not_starting(1);
    }
    may
}

/// Removes the temporary files downloads stopped by an earlier run left in a record's
/// directory.
pub(super) async fn remove_stale(shared: &Shared, stale: Vec<PathBuf>) {
    for path in stale {
        match tokio::fs::remove_file(&path).await {
            Ok(()) => shared.tally().stale_removed += 1,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => shared.output.warn(format!(
                "cannot remove the stale temporary file {}: {e}",
                path.display()
            )),
        }
    }
}
