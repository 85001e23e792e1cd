//! Pacing a client's traffic, so that an organisation keeps room for its other integrations:
//! a limit on how many attempts start in any one second (as rclone's `--tpslimit`), and one
//! byte rate that every body sent and every download received share (rclone's `--bwlimit`).
//! A client and its clones share both; both only ever make a caller wait, on tokio's clock.

use std::collections::VecDeque;
use std::io;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use bytes::Bytes;
use futures_util::{Stream, StreamExt as _, stream};
use tokio::time::Instant;

/// The window the call rate is counted over.
const WINDOW: Duration = Duration::from_secs(1);

/// Added to the window between the oldest of the last `n` starts and the next one, so that the
/// gap still holds where the requests arrive, after the few milliseconds that can pass between
/// a start here and its first byte there.
pub(crate) const ARRIVAL_MARGIN: Duration = Duration::from_millis(50);

/// The largest piece a limited body or download passes at once: a big chunk is let through in
/// pieces, so that transfers sharing the rate take turns.
const MAX_PIECE_BYTES: u64 = 64 * 1024;

/// The smallest burst the byte rate allows after a pause (a quarter of a second's worth when
/// that is more).
const MIN_BURST_BYTES: u64 = 64 * 1024;

/// At most `max` starts in any one-second window. The start times of the last second are kept;
/// when `max` of them are, the next start waits until the oldest is a second (and
/// [`ARRIVAL_MARGIN`]) old. (A token bucket of `max` refilled `max` per second could let `2 ×
/// max` through in a second that straddles a refill.)
#[derive(Debug)]
pub(crate) struct CallPacer {
    max: usize,
    starts: Mutex<VecDeque<Instant>>,
}

impl CallPacer {
    /// A pacer allowing `max` starts a second (at least 1).
    pub(crate) fn new(max: u32) -> Self {
        CallPacer {
            max: usize::try_from(max.max(1)).unwrap_or(usize::MAX),
            starts: Mutex::new(VecDeque::new()),
        }
    }

    /// Waits until one more start keeps to the limit, and counts it as started now.
    pub(crate) async fn start(&self) {
        loop {
            let free_at = {
                let mut starts = lock(&self.starts);
                let now = Instant::now();
                let spacing = WINDOW + ARRIVAL_MARGIN;
                while starts
                    .front()
                    .is_some_and(|oldest| now.saturating_duration_since(*oldest) >= spacing)
                {
                    starts.pop_front();
                }
                match starts.front() {
                    Some(oldest) if starts.len() >= self.max => {
                        oldest.checked_add(spacing).unwrap_or(now)
                    }
                    _ => {
                        starts.push_back(now);
                        return;
                    }
                }
            };
            tokio::time::sleep_until(free_at).await;
        }
    }
}

/// A byte rate shared by transfers: a token bucket holding a small burst (a quarter of a
/// second's worth, at least 64 KiB), kept as the time its reserved bytes are paid off. Bytes
/// are reserved in turn, so a transfer waits behind those that asked before it.
#[derive(Debug)]
pub(crate) struct ByteRate {
    per_second: u64,
    burst: Duration,
    piece: u64,
    /// When every byte reserved so far is paid for at the rate.
    paid_until: Mutex<Instant>,
}

impl ByteRate {
    /// A rate of `per_second` bytes a second (at least 1).
    pub(crate) fn new(per_second: u64) -> Self {
        let per_second = per_second.max(1);
        let burst_bytes = (per_second / 4).max(MIN_BURST_BYTES);
        ByteRate {
            per_second,
            burst: time_for(burst_bytes, per_second),
            piece: (per_second / 16).clamp(1, MAX_PIECE_BYTES),
            paid_until: Mutex::new(Instant::now()),
        }
    }

    /// Waits until `bytes` more may pass, a piece at a time.
    pub(crate) async fn take(&self, bytes: u64) {
        let mut left = bytes;
        while left > 0 {
            let piece = left.min(self.piece);
            left -= piece;
            let at = self.reserve(piece);
            if at > Instant::now() {
                tokio::time::sleep_until(at).await;
            }
        }
    }

    /// Reserves `bytes` and says when they may pass.
    fn reserve(&self, bytes: u64) -> Instant {
        let now = Instant::now();
        let mut paid_until = lock(&self.paid_until);
        let from = (*paid_until).max(now);
        let until = from
            .checked_add(time_for(bytes, self.per_second))
            .unwrap_or(from);
        *paid_until = until;
        until.checked_sub(self.burst).unwrap_or(now)
    }

    /// `body` with each chunk cut into pieces that pass one by one at the rate.
    pub(crate) fn throttle<S>(
        self: Arc<Self>,
        body: S,
    ) -> impl Stream<Item = io::Result<Bytes>> + Send + 'static
    where
        S: Stream<Item = io::Result<Bytes>> + Send + 'static,
    {
        let piece = usize::try_from(self.piece).unwrap_or(usize::MAX);
        body.flat_map(move |chunk| stream::iter(pieces(chunk, piece)))
            .then(move |piece| {
                let rate = Arc::clone(&self);
                async move {
                    if let Ok(bytes) = &piece {
                        rate.take(bytes.len() as u64).await;
                    }
                    piece
                }
            })
    }
}

/// A chunk cut into pieces of at most `size` bytes (an error stays whole).
fn pieces(chunk: io::Result<Bytes>, size: usize) -> Vec<io::Result<Bytes>> {
    let Ok(mut rest) = chunk else {
        return vec![chunk];
    };
    let size = size.max(1);
    let mut out = Vec::with_capacity(rest.len() / size + 1);
    while rest.len() > size {
        out.push(Ok(rest.split_to(size)));
    }
    out.push(Ok(rest));
    out
}

/// How long `bytes` take at `per_second` bytes a second (`per_second` at least 1).
fn time_for(bytes: u64, per_second: u64) -> Duration {
    let nanos = u128::from(bytes).saturating_mul(1_000_000_000) / u128::from(per_second.max(1));
    Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX))
}

/// The lowest speed each of `calls` transfers in flight is sure of when they share
/// `per_second` bytes a second, with room to spare: half an even share (at least 1 byte a
/// second). The low-speed rule must not ask for more, or the client's own pacing would trip it.
pub(crate) fn assured_speed(per_second: u64, calls: usize) -> u64 {
    let calls = u64::try_from(calls.max(1)).unwrap_or(u64::MAX);
    (per_second / calls.saturating_mul(2)).max(1)
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The most of `times` that fall in any window of `window` starting at one of them.
    fn most_in_any_window(times: &[Instant], window: Duration) -> usize {
        let mut sorted = times.to_vec();
        sorted.sort();
        (0..sorted.len())
            .map(|i| {
                sorted[i..]
                    .iter()
                    .take_while(|t| t.duration_since(sorted[i]) < window)
                    .count()
            })
            .max()
            .unwrap_or(0)
    }

    #[tokio::test(start_paused = true)]
    async fn no_second_holds_more_than_the_limit_of_starts() {
        let pacer = Arc::new(CallPacer::new(5));
        let begin = Instant::now();
        let tasks: Vec<_> = (0..23)
            .map(|_| {
                let pacer = Arc::clone(&pacer);
                tokio::spawn(async move {
                    pacer.start().await;
                    Instant::now()
                })
            })
            .collect();
        let mut times = Vec::new();
        for task in tasks {
            match task.await {
                Ok(time) => times.push(time),
                Err(e) => panic!("a start failed: {e}"),
            }
        }
        assert_eq!(most_in_any_window(&times, WINDOW), 5);
        // Five at once, then five each 1.05 s: the 23rd starts in the fifth batch.
        let last = times.iter().max().map(|t| t.duration_since(begin));
        assert_eq!(last, Some((WINDOW + ARRIVAL_MARGIN) * 4));
    }

    #[tokio::test(start_paused = true)]
    async fn starts_spread_out_never_wait() {
        let pacer = CallPacer::new(2);
        let begin = Instant::now();
        for _ in 0..6 {
            pacer.start().await;
            tokio::time::sleep(Duration::from_millis(600)).await;
        }
        assert_eq!(begin.elapsed(), Duration::from_millis(3600));
        let zero = CallPacer::new(0);
        zero.start().await;
        zero.start().await;
        assert_eq!(
            begin.elapsed(),
            Duration::from_millis(3600) + WINDOW + ARRIVAL_MARGIN
        );
    }

    #[tokio::test(start_paused = true)]
    async fn bytes_pass_at_the_rate_after_a_small_burst() {
        let rate = ByteRate::new(512 * 1024);
        let begin = Instant::now();
        rate.take(128 * 1024).await;
        assert_eq!(begin.elapsed(), Duration::ZERO, "the burst passes at once");
        rate.take(2 * 1024 * 1024).await;
        assert_eq!(begin.elapsed(), Duration::from_secs(4));
        // After a pause, the burst is back, and no more than it.
        tokio::time::sleep(Duration::from_secs(10)).await;
        let after = Instant::now();
        rate.take(512 * 1024).await;
        assert_eq!(after.elapsed(), Duration::from_millis(750));
    }

    #[tokio::test(start_paused = true)]
    async fn transfers_sharing_the_rate_take_turns() {
        let rate = Arc::new(ByteRate::new(64 * 1024));
        // The burst (64 KiB, a second's worth here) is spent first.
        rate.take(64 * 1024).await;
        let begin = Instant::now();
        let tasks: Vec<_> = (0..4)
            .map(|_| {
                let rate = Arc::clone(&rate);
                tokio::spawn(async move {
                    rate.take(64 * 1024).await;
                    begin.elapsed()
                })
            })
            .collect();
        let mut ends = Vec::new();
        for task in tasks {
            match task.await {
                Ok(end) => ends.push(end),
                Err(e) => panic!("a transfer failed: {e}"),
            }
        }
        // 256 KiB at 64 KiB/s in 4 KiB turns: all end in the last quarter of the 4 s.
        for end in &ends {
            assert!(
                *end >= Duration::from_millis(3750) && *end <= Duration::from_secs(4),
                "{ends:?}"
            );
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_throttled_body_keeps_its_bytes_and_their_order() {
        let rate = Arc::new(ByteRate::new(100 * 1024));
        let data: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
        let chunks: Vec<io::Result<Bytes>> = data
            .chunks(128 * 1024)
            .map(|c| Ok(Bytes::copy_from_slice(c)))
            .collect();
        let begin = Instant::now();
        let mut body = Box::pin(Arc::clone(&rate).throttle(stream::iter(chunks)));
        let mut out = Vec::new();
        let mut largest = 0;
        while let Some(piece) = body.next().await {
            match piece {
                Ok(bytes) => {
                    largest = largest.max(bytes.len());
                    out.extend_from_slice(&bytes);
                }
                Err(e) => panic!("{e}"),
            }
        }
        assert_eq!(out, data);
        assert_eq!(largest, 100 * 1024 / 16);
        // 300 000 bytes at 102 400 a second, 65 536 of them at once.
        let expected = time_for(300_000 - 65_536, 100 * 1024);
        let took = begin.elapsed();
        assert!(
            took + Duration::from_millis(1) >= expected
                && took <= expected + Duration::from_millis(70),
            "{took:?}"
        );
    }

    #[test]
    fn the_assured_speed_is_half_an_even_share() {
        assert_eq!(assured_speed(512 * 1024, 8), 32 * 1024);
        assert_eq!(assured_speed(10, 8), 1);
        assert_eq!(assured_speed(u64::MAX, 0), u64::MAX / 2);
        assert_eq!(time_for(u64::MAX, 1), Duration::from_nanos(u64::MAX));
        assert_eq!(pieces(Ok(Bytes::from_static(b"abcde")), 2).len(), 3);
        assert_eq!(pieces(Ok(Bytes::new()), 2).len(), 1);
    }
}
