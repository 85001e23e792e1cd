//! A record's photo, saved as `photo.<ext>` in the record's directory (the extension from its
//! media type; a ` (2)` added when an attachment took the name), journaled as an item of its
//! own kind keyed by the record id. A record without a photo (HTTP 204) is counted as such; a
//! module without photos is refused by the SDK before anything is sent, and counted once per
//! module in the summary, not as failures.

use std::sync::Arc;

use super::fetch::{self, Place};
use super::folder::{Part, may_start_part};
use super::journal::ItemKind;
use super::names::Book;
use super::plan::{self, Decision, DirScan};
use super::report::ItemLine;
use super::shared::Shared;

/// What the listing of a photo shows as its name before its download names it.
const LISTED_NAME: &str = "photo";

/// Exports the photo of the record whose attachments' folder is `record` (its files are
/// `scan`, its names `book`).
pub(super) async fn export(
    shared: &Arc<Shared>,
    record: &Place,
    scan: &DirScan,
    book: &Arc<Book>,
) -> Part {
    if !may_start_part(shared) {
        return Part::NotStarted;
    }
    let at = Arc::new(record.of(ItemKind::Photo, None, record.dir.clone()));
    let key = at.key(&at.record_id);
    let fetch = match plan::decide(
        &shared.history,
        &key,
        (Some(LISTED_NAME.to_owned()), None, None),
        scan,
    ) {
        Decision::Done(done) => {
            fetch::report_done(shared, &at, &[done]);
            return Part::Done;
        }
        Decision::Fetch(fetch) => vec![fetch],
    };
    if shared.writer.is_none() {
        // A dry run sends no download, so whether the record has a photo is not known: it is
        // counted apart from the files that would be downloaded.
        shared.output.text(format!(
            "would check      {} (its photo, if it has one)",
            at.shown("photo")
        ));
        shared.output.json_line(&ItemLine {
            ok: true,
            ..at.line("would_check_photo", &at.record_id)
        });
        shared.tally().photos_to_check += 1;
        return Part::Done;
    }
    fetch::download_files(shared, &at, book, fetch).await;
    Part::Done
}
