//! (i) pacing, the CLI's global `--rate` and `--bwlimit`, each once against a plain loopback
//! server of its own. `upload-many` of [`RATE_FILES`] tiny files at `--rate` [`RATE`]: its
//! wall time (the limit makes it at least (files - rate) / rate seconds), its calls per
//! second over the wall, and the most calls that arrived at the server in any one second,
//! from the server's request count (`GET /testkit/stats`) read every [`SAMPLE_EVERY`] while
//! it runs. Then an upload of [`BW_BYTES`] bytes and its download at `--bwlimit 1M`: bytes
//! per second against 1 MiB/s. Each takes about 10 s.

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::files::{same_file, small_files, write_random};
use super::plain::first_listed_id;
use super::spend::{Spent, tail};
use super::{MIB, RECORD, Tools, cli_args};
use crate::loopback::LoopbackProcess;
use crate::measure::{exit_text, measure, run_measured};

/// `--rate`: calls a second.
pub(super) const RATE: u32 = 20;
/// Files of the paced `upload-many`.
pub(super) const RATE_FILES: usize = 200;
/// Bytes of each of them.
pub(super) const RATE_FILE_SIZE: usize = 1024;
/// The concurrency of the paced `upload-many`, as (b)'s.
pub(super) const RATE_CONCURRENCY: usize = 8;
/// `--bwlimit`, and the same in bytes a second.
pub(super) const BWLIMIT: (&str, f64) = ("1M", MIB as f64);
/// Bytes of the file uploaded and downloaded at `--bwlimit`.
pub(super) const BW_BYTES: usize = 10 * MIB;
/// The record the file goes to (one of its own, so that listing it finds that file).
const BW_RECORD: &str = "3477061000005177007";
/// How often the server's request count is read while the paced run goes on.
pub(super) const SAMPLE_EVERY: Duration = Duration::from_millis(10);
/// The most readings taken (ten minutes' worth), whatever happens.
const MAX_SAMPLES: usize = 60_000;

/// What (i) measured.
pub(super) struct PacingResults {
    /// The paced `upload-many`'s wall time, seconds.
    pub rate_wall: f64,
    /// What it spent by its account (`None`: no account in its summary).
    pub rate_spent: Option<Spent>,
    /// The most requests the server counted between two readings at most 1 s apart.
    pub busiest_second: i64,
    /// The median time between two readings, seconds.
    pub sample_gap: f64,
    /// Wall time of the paced upload, then of the paced download, seconds.
    pub bw_walls: (f64, f64),
}

/// Runs (i) against the plain `server`.
pub(super) fn run(tools: &Tools, server: &LoopbackProcess) -> Result<PacingResults, String> {
    let dir = tools.work.join("pacing");
    let small = small_files(&dir, RATE_FILES, RATE_FILE_SIZE, 400_000, RECORD)?;
    let address = server
        .base_url
        .strip_prefix("http://")
        .ok_or_else(|| format!("(i) needs a plain server, not {}", server.base_url))?
        .to_owned();

    // --rate: the run, with the server's count read all along.
    let manifest = small.manifest.to_string_lossy().into_owned();
    let journal = dir.join("journal.jsonl").to_string_lossy().into_owned();
    let rate = RATE.to_string();
    let concurrency = RATE_CONCURRENCY.to_string();
    let args = cli_args(
        server,
        &[
            "--rate",
            &rate,
            "--json",
            "upload-many",
            "--manifest",
            &manifest,
            "--concurrency",
            &concurrency,
            "--journal",
            &journal,
        ],
    );
    let stop = Arc::new(AtomicBool::new(false));
    let sampler = {
        let (stop, address) = (Arc::clone(&stop), address.clone());
        std::thread::spawn(move || sample(&address, &stop))
    };
    let finished = run_measured(&tools.cli, &args, &tools.work, &[]);
    stop.store(true, Ordering::Relaxed);
    let samples = sampler
        .join()
        .map_err(|_| "(i) the thread reading the server's count panicked".to_owned())??;
    let finished = finished?;
    if !finished.success() {
        return Err(format!(
            "(i) upload-many --rate {RATE} failed ({}): {}",
            exit_text(finished.code),
            tail(&finished.stderr_tail)
        ));
    }
    let server_count = match (samples.first(), samples.last()) {
        (Some(first), Some(last)) => last.1 - first.1,
        _ => 0,
    };
    let rate_spent = Spent::parse(&finished.stdout, server_count);
    let mut gaps: Vec<f64> = samples.windows(2).map(|w| w[1].0 - w[0].0).collect();
    gaps.sort_by(f64::total_cmp);
    let sample_gap = gaps.get(gaps.len() / 2).copied().unwrap_or(0.0);
    eprintln!("(i) --rate done");

    // --bwlimit: an upload, then its download.
    let big = dir.join("paced.bin");
    write_random(&big, BW_BYTES, 500_000)?;
    let big_arg = big.to_string_lossy().into_owned();
    let paced = |rest: &[&str]| {
        let mut all = vec!["--bwlimit", BWLIMIT.0];
        all.extend(rest);
        cli_args(server, &all)
    };
    let upload = paced(&[
        "upload", "--module", "Leads", "--record", BW_RECORD, &big_arg,
    ]);
    let (upload_run, _) = measure(&tools.cli, &upload, &tools.work)?;
    let listed = measure(
        &tools.cli,
        &cli_args(
            server,
            &[
                "--json", "list", "--module", "Leads", "--record", BW_RECORD, "--all",
            ],
        ),
        &tools.work,
    )?
    .1;
    let id = first_listed_id(&listed).ok_or("(i) the CLI listed no paced upload")?;
    let out = dir.join("paced-copy.bin");
    let out_arg = out.to_string_lossy().into_owned();
    let download = paced(&[
        "download", "--module", "Leads", "--record", BW_RECORD, "--id", &id, "-o", &out_arg,
    ]);
    let (download_run, _) = measure(&tools.cli, &download, &tools.work)?;
    same_file(&big, Path::new(&out))?;
    let _ = std::fs::remove_dir_all(&dir);
    eprintln!("(i) --bwlimit done");
    Ok(PacingResults {
        rate_wall: finished.run.wall,
        rate_spent,
        busiest_second: busiest_second(&samples),
        sample_gap,
        bw_walls: (upload_run.wall, download_run.wall),
    })
}

/// Reads the server's request count at `address` every [`SAMPLE_EVERY`] until `stop` is set
/// (once more after that): (seconds since the first reading, count), in order.
fn sample(address: &str, stop: &AtomicBool) -> Result<Vec<(f64, i64)>, String> {
    let started = Instant::now();
    let mut samples = Vec::new();
    for _ in 0..MAX_SAMPLES {
        let last = stop.load(Ordering::Relaxed);
        let count = requests(address)?;
        samples.push((started.elapsed().as_secs_f64(), count));
        if last {
            break;
        }
        std::thread::sleep(SAMPLE_EVERY);
    }
    Ok(samples)
}

/// The `requests` of `GET /testkit/stats` on the plain server at `address` (`HOST:PORT`),
/// over a connection of its own (the endpoint's requests are not counted in it).
fn requests(address: &str) -> Result<i64, String> {
    let failed = |e: std::io::Error| format!("(i) reading {address}/testkit/stats: {e}");
    let mut stream = TcpStream::connect(address).map_err(failed)?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .map_err(failed)?;
    write!(
        stream,
        "GET /testkit/stats HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .map_err(failed)?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer).map_err(failed)?;
    answer
        .split_once("\r\n\r\n")
        .filter(|(head, _)| head.starts_with("HTTP/1.1 200"))
        .and_then(|(_, body)| serde_json::from_str::<serde_json::Value>(body).ok())
        .and_then(|stats| stats.get("requests").and_then(serde_json::Value::as_i64))
        .ok_or_else(|| format!("(i) the stats at {address} are not as expected: {answer:?}"))
}

/// The most the count grew between two readings at most one second apart (`samples` in
/// order of time): the busiest second the readings can tell, counting no arrival outside it.
fn busiest_second(samples: &[(f64, i64)]) -> i64 {
    let mut most = 0;
    let mut end = 0;
    for (start, &(at, count)) in samples.iter().enumerate() {
        end = end.max(start);
        while end + 1 < samples.len() && samples[end + 1].0 - at <= 1.0 {
            end += 1;
        }
        most = most.max(samples[end].1 - count);
    }
    most
}

#[cfg(test)]
mod tests {
    use super::busiest_second;

    #[test]
    fn the_busiest_second_counts_within_readings_one_second_apart() {
        // 20 at 0.05 s, 20 at 1.10 s, 5 at 1.5 s: no second holds more than 25.
        let samples: Vec<(f64, i64)> = (0..=30)
            .map(|i| {
                let at = f64::from(i) * 0.1;
                let count = match at {
                    t if t < 0.05 => 0,
                    t if t < 1.1 - 1e-9 => 20,
                    t if t < 1.5 - 1e-9 => 40,
                    _ => 45,
                };
                (at, count)
            })
            .collect();
        assert_eq!(busiest_second(&samples), 25);
        assert_eq!(busiest_second(&[(0.0, 3)]), 0);
        assert_eq!(busiest_second(&[]), 0);
        assert_eq!(busiest_second(&[(0.0, 0), (0.5, 7), (2.0, 9)]), 7);
    }
}
