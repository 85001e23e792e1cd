//! (f) on the organisation's concurrency cap: small files against a TLS server that answers
//! after 100 ms and refuses (429) a call beyond 10 in flight, so that no client can upload
//! more than 10 / 0.1 s = 100 files per second. Sides, alternating within each run:
//! `upload-many --concurrency 10` over HTTP/1.1, the same over HTTP/2, and `xargs -P10 curl`.
//! The server's stats give the refusals, the attachments stored and the TLS handshakes; each
//! CLI side's dry run, before the runs, gives the calls and credits its runs' accounts are
//! compared with. After the runs, one more upload at twice the cap's concurrency, which the
//! server answers with 429s, checks the estimate against a run with retries (it is not one of
//! the sides).

use std::fmt::Write as _;
use std::path::Path;

use super::files::small_files;
use super::spend::{Estimate, SpendRow, Spent, summary_of};
use super::stats::StatsReader;
use super::stats::protocol;
use super::{RECORD, Tools, cli_args, cli_env, collection, curl_auth, curl_trust};
use crate::loopback::LoopbackProcess;
use crate::measure::{Finished, exit_text, median, run_measured};

/// The server's answer delay.
const LATENCY_MS: u64 = 100;
/// The server's cap on calls in flight, and the concurrency of every side.
pub(super) const MAX_IN_FLIGHT: usize = 10;
/// The server's flags for (f).
pub(super) const SERVER_FLAGS: [&str; 5] =
    ["--tls", "--latency-ms", "100", "--max-in-flight", "10"];
/// The CLI's share of the ceiling it should reach.
pub(super) const TARGET_SHARE: f64 = 0.9;

/// Files per second no client can exceed: the cap over the latency.
pub(super) fn ceiling() -> f64 {
    MAX_IN_FLIGHT as f64 * 1000.0 / LATENCY_MS as f64
}

/// What one side of (f) did over all runs.
pub(super) struct Side {
    /// How it is called, for the table.
    pub name: &'static str,
    /// Whether it is the CLI (the targets apply to the CLI).
    pub is_cli: bool,
    /// Files per second, per run.
    pub rates: Vec<f64>,
    /// Runs that exited non-zero.
    pub failed_runs: usize,
    /// Calls the server refused (429), all runs.
    pub refused: i64,
    /// Attachments stored beyond the files, all runs.
    pub extra: i64,
    /// Files not stored, all runs.
    pub missing: i64,
    /// Completed TLS handshakes per 1,000 files, per run.
    pub handshakes: Vec<f64>,
    /// Of those, resumed ones per 1,000 files, per run.
    pub resumed: Vec<f64>,
    /// Failed TLS handshakes, all runs.
    pub failed_handshakes: i64,
    /// The HTTP version the server saw (last run).
    pub protocol: &'static str,
    /// The CLI's own account (its `--json` summary): calls it saw throttled, all runs.
    pub throttled: i64,
    /// The CLI's own account: the lowest concurrency it went down to, all runs.
    pub lowest_concurrency: Option<i64>,
    /// The CLI's dry run's estimate and what each run spent (`None` for curl).
    pub spend: Option<SpendRow>,
}

impl Side {
    fn new(name: &'static str, is_cli: bool) -> Side {
        Side {
            name,
            is_cli,
            rates: Vec::new(),
            failed_runs: 0,
            refused: 0,
            extra: 0,
            missing: 0,
            handshakes: Vec::new(),
            resumed: Vec::new(),
            failed_handshakes: 0,
            protocol: "none",
            throttled: 0,
            lowest_concurrency: None,
            spend: None,
        }
    }

    /// The median rate.
    pub fn rate(&self) -> f64 {
        median(self.rates.clone())
    }
}

/// What (f) measured.
pub(super) struct CapResults {
    /// The CLI over HTTP/1.1, over HTTP/2, then curl.
    pub sides: Vec<Side>,
    /// The CLI over HTTP/1.1 at twice the cap's concurrency, once, so that the server
    /// refuses calls: its dry run's estimate and what it spent.
    pub over_cap: SpendRow,
}

/// Runs (f) against `server` (started with [`SERVER_FLAGS`]).
pub(super) fn run(
    tools: &Tools,
    server: &LoopbackProcess,
    options: &super::Options,
) -> Result<CapResults, String> {
    let files = options.cap_files;
    let dir = tools.work.join("cap");
    let small = small_files(&dir, files, 10 * 1024, 100_000, RECORD)?;
    let stats = StatsReader::new(server)?;
    let env = cli_env(server);
    let trust = curl_trust(server).join(" ");
    let concurrency = MAX_IN_FLIGHT.to_string();
    let manifest = small.manifest.to_string_lossy().into_owned();
    let xargs_script = format!(
        "xargs -P{concurrency} -I{{}} curl {trust} -sS -f -o /dev/null -X POST '{}' -H '{}' -F 'file=@{{}}' < '{}'",
        collection(server, RECORD),
        curl_auth(server),
        small.list.display()
    );
    let mut sides = vec![
        Side::new("zoho-crm --http-version 1.1", true),
        Side::new("zoho-crm --http-version 2", true),
        Side::new("xargs -P10 curl", false),
    ];
    let version = |index: usize| if index == 0 { "1.1" } else { "2" };
    let cli_run = |index: usize, concurrency: &str, journal: &str, extra: &[&str]| {
        let mut rest = vec![
            "--http-version",
            version(index),
            "--json",
            "upload-many",
            "--manifest",
            &manifest,
            "--concurrency",
            concurrency,
            "--journal",
            journal,
        ];
        rest.extend(extra);
        let args = cli_args(server, &rest);
        stats.around(|| run_measured(&tools.cli, &args, &tools.work, &env))
    };
    let journal = |run: usize, index: usize| {
        dir.join(format!("journal-{run}-{index}.jsonl"))
            .to_string_lossy()
            .into_owned()
    };
    // Each CLI side's dry run, with the first run's journal (which does not exist yet).
    for (index, side) in sides.iter_mut().enumerate().filter(|(_, side)| side.is_cli) {
        let (finished, seen) = cli_run(index, &concurrency, &journal(0, index), &["--dry-run"])?;
        if !finished.success() {
            return Err(format!(
                "(f) the dry run of {} failed ({}): {}",
                side.name,
                exit_text(finished.code),
                finished.stderr_tail
            ));
        }
        side.spend = Some(SpendRow::new(
            format!("(f) {}", side.name),
            Estimate::parse(&finished.stdout, seen.requests)?,
        ));
    }
    for run in 0..options.cap_runs {
        for (index, side) in sides.iter_mut().enumerate() {
            let (finished, seen) = match index {
                0 | 1 => cli_run(index, &concurrency, &journal(run, index), &[])?,
                _ => stats.around(|| {
                    run_measured(
                        Path::new("sh"),
                        &["-c".to_owned(), xargs_script.clone()],
                        &tools.work,
                        &[],
                    )
                })?,
            };
            if let Some(spend) = &mut side.spend {
                spend
                    .runs
                    .push(Spent::parse(&finished.stdout, seen.requests));
            }
            record(side, &finished, files);
            let per_1000 = |count: i64| count as f64 * 1000.0 / files as f64;
            side.refused += seen.refused;
            side.extra += (seen.attachments - files as i64).max(0);
            side.missing += (files as i64 - seen.attachments).max(0);
            side.handshakes.push(per_1000(seen.handshakes));
            side.resumed.push(per_1000(seen.resumed));
            side.failed_handshakes += seen.failed_handshakes;
            side.protocol = protocol(&seen);
        }
        eprintln!("(f) run {} of {} done", run + 1, options.cap_runs);
    }

    // Over the cap, for the table of calls and credits only: its dry run, then one run.
    let over = (2 * MAX_IN_FLIGHT).to_string();
    let journal = dir
        .join("journal-over.jsonl")
        .to_string_lossy()
        .into_owned();
    let (dry, dry_seen) = cli_run(0, &over, &journal, &["--dry-run"])?;
    let mut over_cap = SpendRow::new(
        format!(
            "(f) zoho-crm --http-version 1.1 --concurrency {over}: over the cap (one run, not in (f)'s table)"
        ),
        Estimate::parse(&dry.stdout, dry_seen.requests)?,
    );
    let (finished, seen) = cli_run(0, &over, &journal, &[])?;
    if !finished.success() {
        let failed = summary_of(&finished.stdout)
            .and_then(|summary| summary.get("failed").and_then(serde_json::Value::as_i64))
            .map_or_else(|| "?".to_owned(), |failed| failed.to_string());
        let _ = write!(
            over_cap.name,
            "; {} ({failed} files failed)",
            exit_text(finished.code)
        );
    }
    over_cap
        .runs
        .push(Spent::parse(&finished.stdout, seen.requests));
    eprintln!("(f) over the cap done");
    Ok(CapResults { sides, over_cap })
}

/// Adds a run's rate and outcome (and, for the CLI, its summary) to `side`.
fn record(side: &mut Side, finished: &Finished, files: usize) {
    side.rates.push(files as f64 / finished.run.wall);
    if !finished.success() {
        side.failed_runs += 1;
        let tail: String = {
            let skip = finished.stderr_tail.chars().count().saturating_sub(600);
            finished.stderr_tail.chars().skip(skip).collect()
        };
        eprintln!(
            "(f) {} failed ({}): ...{tail}",
            side.name,
            exit_text(finished.code)
        );
    }
    if !side.is_cli {
        return;
    }
    let summary = finished
        .stdout
        .lines()
        .rev()
        .find_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|value| value.get("summary").is_some());
    let number = |name: &str| {
        summary
            .as_ref()
            .and_then(|value| value.get(name))
            .and_then(serde_json::Value::as_i64)
    };
    side.throttled += number("throttled").unwrap_or(0);
    if let Some(lowest) = number("lowest_concurrency") {
        side.lowest_concurrency = Some(side.lowest_concurrency.map_or(lowest, |l| l.min(lowest)));
    }
}

#[cfg(test)]
mod tests {
    use super::{LATENCY_MS, MAX_IN_FLIGHT, SERVER_FLAGS};

    #[test]
    fn the_server_flags_match_the_ceiling() {
        let latency = LATENCY_MS.to_string();
        let cap = MAX_IN_FLIGHT.to_string();
        assert_eq!(
            SERVER_FLAGS,
            ["--tls", "--latency-ms", &latency, "--max-in-flight", &cap]
        );
        assert!((super::ceiling() - 100.0).abs() < 1e-9);
    }
}
