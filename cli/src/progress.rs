//! Progress bars (indicatif) on standard error: bytes for one upload or download, files and
//! bytes with throughput and ETA for a bulk upload. They are hidden when standard error is not
//! a terminal and with `--quiet` (see [`crate::output::Output::new`]).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use indicatif::{ProgressBar, ProgressStyle};

use crate::output::Output;

const BYTES_TEMPLATE: &str =
    "{msg:20!} [{bar:30}] {binary_bytes}/{binary_total_bytes} {binary_bytes_per_sec} ETA {eta}";
const UNKNOWN_LENGTH_TEMPLATE: &str = "{spinner} {msg:20!} {binary_bytes} {binary_bytes_per_sec}";
const BULK_TEMPLATE: &str = "[{elapsed_precise}] [{bar:30}] {binary_bytes}/{binary_total_bytes} {binary_bytes_per_sec} ETA {eta} {msg}";

fn style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ")
}

/// A bar for moving one file of `length` bytes (a spinner when the length is unknown).
pub fn bytes(output: &Output, name: &str, length: Option<u64>) -> ProgressBar {
    let bar = match length {
        Some(length) => ProgressBar::new(length).with_style(style(BYTES_TEMPLATE)),
        None => ProgressBar::no_length().with_style(style(UNKNOWN_LENGTH_TEMPLATE)),
    };
    output.bars().add(bar.with_message(name.to_owned()))
}

/// The bar of a bulk upload: bytes as position, files in the message.
pub fn bulk(output: &Output, total_bytes: u64, total_files: usize) -> ProgressBar {
    let bar = ProgressBar::new(total_bytes).with_style(style(BULK_TEMPLATE));
    bar.set_message(format!("0/{total_files} files"));
    output.bars().add(bar)
}

/// Follows one upload's progress callbacks (bytes sent in the current attempt, from 0 again
/// on a retry) on a shared bar.
#[derive(Clone, Debug)]
pub struct Tracker {
    bar: ProgressBar,
    sent: Arc<AtomicU64>,
}

impl Tracker {
    /// A tracker adding to `bar`.
    pub fn new(bar: ProgressBar) -> Self {
        Tracker {
            bar,
            sent: Arc::new(AtomicU64::new(0)),
        }
    }

    /// Records that `sent` bytes of the current attempt are out.
    pub fn update(&self, sent: u64) {
        let before = self.sent.swap(sent, Ordering::Relaxed);
        if sent >= before {
            self.bar.inc(sent - before);
        } else {
            self.bar.dec(before - sent);
        }
    }

    /// Takes back what this upload added, and its `length` from the total (it failed).
    pub fn withdraw(&self, length: u64) {
        self.bar.dec(self.sent.swap(0, Ordering::Relaxed));
        self.bar.dec_length(length);
    }

    /// Makes sure all `length` bytes are counted (it succeeded).
    pub fn complete(&self, length: u64) {
        self.update(length);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_and_failures_keep_the_count_right() {
        let bar = ProgressBar::hidden();
        bar.set_length(100);
        let tracker = Tracker::new(bar.clone());
        tracker.update(40);
        tracker.update(10); // a retry starts over
        assert_eq!(bar.position(), 10);
        tracker.withdraw(60);
        assert_eq!((bar.position(), bar.length()), (0, Some(40)));
        let other = Tracker::new(bar.clone());
        other.complete(40);
        assert_eq!(bar.position(), 40);
    }
}
