//! The estimate of what a run will spend. Without the listings (`--dry-run --no-listing`)
//! only a lower bound is known: per record, at least one listing page for its attachments,
//! one photo download and one record read when fields are named; the downloads of
//! attachments and field files depend on what the listings find. With them (`--dry-run`,
//! which spends the listing calls and the record reads) the whole run is known: those calls,
//! plus one download per file to get and one per photo to check.

use std::time::Duration;

use serde::Serialize;
use zoho_crm::operations::{
    download_attachment, download_field_file, download_photo, get_record, list_attachments,
};

use crate::account::Account;
use crate::estimate::Spend;

use super::selection::Selection;
use super::shared::Tally;

/// The estimate, as the dry run's JSON `estimate` object.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub(super) struct Estimate {
    /// Whether the listings were made, so every call is counted (else a lower bound).
    pub(super) listed: bool,
    /// The calls of the listings and record reads (spent by the dry run when `listed`).
    pub(super) listing_calls: u64,
    /// The downloads: files to get and photos to check (without listings: photos only).
    pub(super) download_calls: u64,
    /// Calls, credits and time (without listings: the calls and credits at least).
    #[serde(flatten)]
    pub(super) spend: Spend,
    /// The listed bytes of the files to download (0 without listings).
    pub(super) bytes: u64,
}

/// Calls with their credits, before they are turned into an [`Estimate`].
#[derive(Default)]
struct Calls {
    listing: (u64, u64),
    downloads: (u64, u64),
}

impl Calls {
    fn estimate(self, listed: bool, bytes: u64, concurrency: usize, rtt: Duration) -> Estimate {
        let calls = self.listing.0 + self.downloads.0;
        let credits = self.listing.1 + self.downloads.1;
        Estimate {
            listed,
            listing_calls: self.listing.0,
            download_calls: self.downloads.0,
            spend: Spend::of(calls, credits, concurrency, rtt),
            bytes,
        }
    }
}

/// `n` calls of an operation that costs `credits` each.
fn priced(n: u64, credits: u32) -> (u64, u64) {
    (n, n * u64::from(credits))
}

fn add(a: (u64, u64), b: (u64, u64)) -> (u64, u64) {
    (a.0 + b.0, a.1 + b.1)
}

impl Estimate {
    /// The lower bound for `records` records without listing them.
    pub(super) fn unlisted(
        records: usize,
        selection: &Selection,
        concurrency: usize,
        rtt: Duration,
    ) -> Self {
        let records = records as u64;
        let mut calls = Calls::default();
        if selection.attachments {
            calls.listing = priced(records, list_attachments::OPERATION.credits);
        }
        if !selection.fields.is_empty() {
            calls.listing = add(
                calls.listing,
                priced(records, get_record::OPERATION.credits),
            );
        }
        if selection.photo {
            calls.downloads = priced(records, download_photo::OPERATION.credits);
        }
        calls.estimate(false, 0, concurrency, rtt)
    }

    /// The whole run, from a dry run's listings (`spent`) and what it found.
    pub(super) fn listed(
        spent: &Account,
        tally: &Tally,
        concurrency: usize,
        rtt: Duration,
    ) -> Self {
        let downloads = [
            priced(
                tally.attachments.would_download as u64,
                download_attachment::OPERATION.credits,
            ),
            priced(
                tally.field_files.would_download as u64,
                download_field_file::OPERATION.credits,
            ),
            priced(
                (tally.photos.would_download + tally.photos_to_check) as u64,
                download_photo::OPERATION.credits,
            ),
        ];
        let calls = Calls {
            listing: (spent.calls, spent.credits),
            downloads: downloads.into_iter().fold((0, 0), add),
        };
        let bytes = tally.total().would_download_bytes;
        calls.estimate(true, bytes, concurrency, rtt)
    }

    /// The estimate as text.
    pub(super) fn describe(&self) -> String {
        let when = format!(
            "about {:.1} s at the concurrency assuming {} ms per round trip (an assumption: --assume-rtt; transfer time not included)",
            self.spend.seconds, self.spend.assumed_rtt_ms
        );
        if self.listed {
            format!(
                "estimate: {}-{} call(s), {}-{} credit(s) (the most if every call took all its attempts): {} listing call(s) and record read(s), spent by this dry run, and {} download(s) of {} bytes; {when}",
                self.spend.calls_min,
                self.spend.calls_max,
                self.spend.credits_min,
                self.spend.credits_max,
                self.listing_calls,
                self.download_calls,
                self.bytes
            )
        } else {
            format!(
                "estimate without listings: at least {} call(s) and {} credit(s): {} listing call(s) and record read(s) (what the listings themselves cost, one page a record at least), {} photo download(s); plus one download per attachment and field file, which only the listings tell (--dry-run without --no-listing spends the listing calls and gives the whole estimate); {when}",
                self.spend.calls_min,
                self.spend.credits_min,
                self.listing_calls,
                self.download_calls
            )
        }
    }
}
