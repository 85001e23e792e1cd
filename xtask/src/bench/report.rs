//! BENCHMARKS.md: the machine, one table per group of measurements with each target and
//! whether it was met, and the commands measured.

use std::fmt::Write as _;

use super::Options;
use super::cap::{self, CapResults};
use super::export::{self, ExportResults};
use super::manifest::{self, ManifestResults};
use super::pacing::{self, PacingResults};
use super::plain::PlainResults;
use super::seed;
use super::spend::SpendRow;
use super::tls::TlsResults;
use crate::measure::median;

/// Everything one `cargo xtask bench` measured.
pub(super) struct Results {
    /// (a)-(c).
    pub plain: PlainResults,
    /// (d): the median wall time of `cargo xtask gen --check`, in seconds.
    pub generation: f64,
    /// (e).
    pub tls: TlsResults,
    /// (f).
    pub cap: CapResults,
    /// (g).
    pub manifest: ManifestResults,
    /// (h).
    pub export: ExportResults,
    /// (i).
    pub pacing: PacingResults,
    /// What `--baseline-cli` is called ("commit abc1234"), when given.
    pub baseline: Option<String>,
}

fn verdict(ok: bool) -> &'static str {
    if ok { "met" } else { "NOT met" }
}

fn mib(kib: f64) -> f64 {
    kib / 1024.0
}

/// The whole file.
pub(super) fn render(options: &Options, results: &Results) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Benchmarks\n");
    let _ = writeln!(
        out,
        "Written by `cargo xtask bench`: the `zoho-crm` CLI (release build) against curl, on one\nmachine in one run, alternating, against the test kit's loopback server on 127.0.0.1.\nMedians of {} runs per side for (a), (c) and (e), {} for (b), {} for (f); (g) and (h) as they say; (i) once.\n",
        options.runs, options.bulk_runs, options.cap_runs
    );
    let _ = writeln!(out, "## Machine\n\n{}\n", machine());
    let _ = writeln!(out, "## Results\n");
    main_table(&mut out, options, results);
    cap_table(&mut out, options, &results.cap);
    manifest_table(&mut out, &results.manifest);
    out.push_str(&export_section(&results.export, false));
    let mut rows: Vec<&SpendRow> = vec![&results.plain.bulk_spend];
    rows.extend(
        results
            .cap
            .sides
            .iter()
            .filter_map(|side| side.spend.as_ref()),
    );
    rows.push(&results.cap.over_cap);
    rows.extend(&results.export.spend);
    out.push_str(&spend_section(&rows));
    pacing_table(&mut out, &results.pacing);
    commands(&mut out, options, results);
    out
}

/// (a)-(e): the CLI against curl, one row per figure.
fn main_table(out: &mut String, options: &Options, results: &Results) {
    let plain = &results.plain;
    let ((up_wall, up_rss), (curl_up_wall, curl_up_rss)) = plain.upload;
    let ((down_wall, down_rss), (curl_down_wall, curl_down_rss)) = plain.download;
    let (cli_rate, curl_rate) = plain.bulk;
    let _ = writeln!(out, "| benchmark | zoho-crm | curl | ratio | target |");
    let _ = writeln!(out, "|---|---|---|---|---|");
    let [cli_protocol, curl_protocol] = plain.upload_protocols;
    wall_row(
        out,
        &format!("(a) 100 MiB upload, wall ({cli_protocol} vs `curl --http1.1`, {curl_protocol})"),
        (up_wall, curl_up_wall),
        1.2,
    );
    let _ = writeln!(
        out,
        "| (a) 100 MiB upload, peak RSS | {:.1} MiB | {:.1} MiB | {:.2}x | <= 2x: {} |",
        mib(up_rss),
        mib(curl_up_rss),
        up_rss / curl_up_rss,
        verdict(up_rss <= 2.0 * curl_up_rss)
    );
    let _ = writeln!(
        out,
        "| (b) {} files of 10 KiB, files per second | {cli_rate:.0} | {curl_rate:.0} (xargs -P8 curl) | {:.2}x | >= 3x: {} |",
        options.bulk_files,
        cli_rate / curl_rate,
        verdict(cli_rate >= 3.0 * curl_rate)
    );
    if let (Some(baseline), Some(label)) = (&plain.baseline, &results.baseline) {
        // Each run's two sides ran one after the other: the ratio of each run, then their
        // median, is steadier than the ratio of the medians on a machine whose load changes.
        let ratios: Vec<f64> = baseline
            .cli_rates
            .iter()
            .zip(&baseline.rates)
            .map(|(cli, before)| cli / before)
            .collect();
        let each = ratios
            .iter()
            .map(|ratio| format!("{ratio:.2}"))
            .collect::<Vec<_>>()
            .join(", ");
        let _ = writeln!(
            out,
            "| (b) counting overhead: zoho-crm vs the CLI before the accounting ({label}), files per second | {cli_rate:.0} | {:.0} (the CLI before the accounting) | {:.2}x (the median of each run's ratio: {each}) | none (about 1x: counting costs little) |",
            median(baseline.rates.clone()),
            median(ratios.clone())
        );
    }
    let [cli_protocol, curl_protocol] = plain.download_protocols;
    wall_row(
        out,
        &format!(
            "(c) 100 MiB download, wall ({cli_protocol} vs `curl --http1.1`, {curl_protocol})"
        ),
        (down_wall, curl_down_wall),
        1.2,
    );
    download_rss_row(
        out,
        "(c) 100 MiB download, peak RSS",
        down_rss,
        curl_down_rss,
    );
    let _ = writeln!(
        out,
        "| (d) `cargo xtask gen --check` (both specs) | {:.0} ms | | | |",
        results.generation * 1000.0
    );

    let tls = &results.tls;
    let [
        cli_protocol,
        h2_protocol,
        curl_h1_protocol,
        curl_h2_protocol,
    ] = tls.upload_protocols;
    let ((up_wall, up_rss), (curl_up_wall, curl_up_rss)) = tls.upload;
    let ((h2_wall, h2_rss), (curl_h2_wall, curl_h2_rss)) = tls.upload_h2;
    wall_row(
        out,
        &format!(
            "(e) TLS: 100 MiB upload, wall ({cli_protocol} vs `curl --http1.1`, {curl_h1_protocol})"
        ),
        (up_wall, curl_up_wall),
        1.2,
    );
    let _ = writeln!(
        out,
        "| (e) TLS: 100 MiB upload, peak RSS (vs `curl --http1.1`) | {:.1} MiB | {:.1} MiB | {:.2}x | <= 1.0x: {} |",
        mib(up_rss),
        mib(curl_up_rss),
        up_rss / curl_up_rss,
        verdict(up_rss <= curl_up_rss)
    );
    let _ = writeln!(
        out,
        "| (e) TLS: 100 MiB upload with `--http-version 2` ({h2_protocol}) vs curl's own choice ({curl_h2_protocol}), wall | {h2_wall:.3} s | {curl_h2_wall:.3} s | {:.2}x | none (informs the default) |",
        h2_wall / curl_h2_wall
    );
    let _ = writeln!(
        out,
        "| (e) TLS: 100 MiB upload with `--http-version 2` vs curl's own choice, peak RSS | {:.1} MiB | {:.1} MiB | {:.2}x | none (informs the default) |",
        mib(h2_rss),
        mib(curl_h2_rss),
        h2_rss / curl_h2_rss
    );
    let [cli_protocol, curl_h1_protocol, curl_h2_protocol] = tls.download_protocols;
    let ((down_wall, down_rss), (curl_down_wall, curl_down_rss)) = tls.download;
    let (curl_h2_wall, curl_h2_rss) = tls.download_curl_h2;
    wall_row(
        out,
        &format!(
            "(e) TLS: 100 MiB download, wall ({cli_protocol} vs `curl --http1.1`, {curl_h1_protocol})"
        ),
        (down_wall, curl_down_wall),
        1.2,
    );
    download_rss_row(
        out,
        "(e) TLS: 100 MiB download, peak RSS (vs `curl --http1.1`)",
        down_rss,
        curl_down_rss,
    );
    let _ = writeln!(
        out,
        "| (e) TLS: 100 MiB download vs curl's own choice ({curl_h2_protocol}), wall | {down_wall:.3} s | {curl_h2_wall:.3} s | {:.2}x | none (another protocol) |",
        down_wall / curl_h2_wall
    );
    let _ = writeln!(
        out,
        "| (e) TLS: 100 MiB download vs curl's own choice, peak RSS | {:.1} MiB | {:.1} MiB | {:.2}x | none (another protocol) |",
        mib(down_rss),
        mib(curl_h2_rss),
        down_rss / curl_h2_rss
    );
}

/// A wall-time row with the target "at most `limit` times curl's".
fn wall_row(out: &mut String, name: &str, (cli, curl): (f64, f64), limit: f64) {
    let _ = writeln!(
        out,
        "| {name} | {cli:.3} s | {curl:.3} s | {:.2}x | <= {limit}x: {} |",
        cli / curl,
        verdict(cli <= limit * curl)
    );
}

/// A download's peak RSS row, with the target "under 32 MiB".
fn download_rss_row(out: &mut String, name: &str, cli: f64, curl: f64) {
    let _ = writeln!(
        out,
        "| {name} | {:.1} MiB | {:.1} MiB | {:.2}x | < 32 MiB: {} |",
        mib(cli),
        mib(curl),
        cli / curl,
        verdict(cli < 32.0 * 1024.0)
    );
}

/// (f): one row per side.
fn cap_table(out: &mut String, options: &Options, results: &CapResults) {
    let ceiling = cap::ceiling();
    let _ = writeln!(
        out,
        "\n### (f) On the cap: {} files of 10 KiB over TLS, 100 ms latency, at most 10 calls in flight (ceiling {ceiling:.0} files/s)\n",
        options.cap_files
    );
    let _ = writeln!(
        out,
        "Medians of {} runs per side for rates and handshakes; failures and duplicates are totals over the runs.\n",
        options.cap_runs
    );
    let _ = writeln!(
        out,
        "| side | HTTP | files/s | % of ceiling | vs curl | failures: non-zero exits, 429s refused | duplicates: extra (missing) | TLS handshakes per 1,000 files (resumed) | target |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|---|---|---|");
    let curl_rate = results
        .sides
        .iter()
        .find(|side| !side.is_cli)
        .map_or(0.0, cap::Side::rate);
    for side in &results.sides {
        let rate = side.rate();
        let share = rate / ceiling;
        let mut handshakes = format!(
            "{:.0} ({:.0})",
            median(side.handshakes.clone()),
            median(side.resumed.clone())
        );
        if side.failed_handshakes > 0 {
            let _ = write!(handshakes, "; {} failed", side.failed_handshakes);
        }
        let mut failures = format!("{}, {}", side.failed_runs, side.refused);
        if side.throttled > 0
            || side
                .lowest_concurrency
                .is_some_and(|c| c < cap::MAX_IN_FLIGHT as i64)
        {
            let _ = write!(
                failures,
                " (the CLI saw {} throttled, lowest concurrency {})",
                side.throttled,
                side.lowest_concurrency
                    .map_or_else(|| "?".to_owned(), |c| c.to_string())
            );
        }
        let target = if side.is_cli {
            format!(
                ">= {:.0}%: {}; failures 0: {}; duplicates 0: {}",
                cap::TARGET_SHARE * 100.0,
                verdict(share >= cap::TARGET_SHARE),
                verdict(side.failed_runs == 0 && side.refused == 0),
                verdict(side.extra == 0 && side.missing == 0)
            )
        } else {
            "baseline".to_owned()
        };
        let _ = writeln!(
            out,
            "| {} | {} | {rate:.1} | {:.1}% | {:.2}x | {failures} | {} ({}) | {handshakes} | {target} |",
            side.name,
            side.protocol,
            share * 100.0,
            rate / curl_rate,
            side.extra,
            side.missing
        );
    }
}

/// (g): one row per step.
fn manifest_table(out: &mut String, results: &ManifestResults) {
    let per_10k = |wall: f64, lines: usize| wall * 10_000.0 / lines as f64;
    let _ = writeln!(
        out,
        "\n### (g) A big manifest: {} tiny files in folders of 1,000, plain HTTP\n",
        results.lines
    );
    let _ = writeln!(
        out,
        "| step | lines | wall | peak RSS | per 10,000 lines | target |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|");
    let dry_row = |out: &mut String, name: &str, (wall, rss): (f64, f64), lines: usize| {
        let each = per_10k(wall, lines);
        let _ = writeln!(
            out,
            "| {name} | {lines} | {wall:.3} s | {:.1} MiB | {each:.3} s | < 1 s: {} |",
            mib(rss),
            verdict(each < 1.0)
        );
    };
    dry_row(
        out,
        "`--dry-run`, 10% manifest",
        results.dry_small,
        results.small_lines,
    );
    dry_row(
        out,
        "`--dry-run`, whole manifest",
        results.dry_full,
        results.lines,
    );
    let linearity = results.dry_full.0
        / results.dry_small.0
        / (results.lines as f64 / results.small_lines as f64);
    let _ = writeln!(
        out,
        "| linearity: time(100%) / time(10%) / {:.0} | | | | {linearity:.2} | about 1 = linear |",
        results.lines as f64 / results.small_lines as f64
    );
    let upload = results.upload;
    let _ = writeln!(
        out,
        "| upload of every line, `--concurrency {}` | {} | {:.1} s | {:.1} MiB | {:.0} files/s ({} stored) | none |",
        manifest::CONCURRENCY,
        results.lines,
        upload.wall,
        upload.rss_kib as f64 / 1024.0,
        results.lines as f64 / upload.wall,
        results.stored
    );
    dry_row(
        out,
        "re-run with the same journal",
        results.rerun,
        results.lines,
    );
    let said = if results.rerun_all_done {
        format!(
            "all {} already done, none uploaded, no request",
            results.lines
        )
    } else {
        results.rerun_detail.trim().to_owned()
    };
    let _ = writeln!(
        out,
        "| re-run finds everything done | {} | | | {said} | all done: {} |",
        results.lines,
        verdict(results.rerun_all_done)
    );
}

/// The heading of the table of calls and credits.
const SPEND_HEADING: &str =
    "### API calls and credits: the dry run's estimate against the runs' accounts";

/// The table of calls and credits, from its heading to a last `\n`.
pub(super) fn spend_section(rows: &[&SpendRow]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "\n{SPEND_HEADING}\n");
    let _ = writeln!(
        out,
        "Before the measured runs of each row, one dry run with the same manifest and options (`--dry-run --json`) gives the estimate: `calls_min..calls_max` and `credits_min..credits_max` (the most if every call took all its attempts). Each measured run's `--json` summary gives its `account` (calls, retries included, credits, retries, 429 answers); the server counts the requests that reached it, refused ones included (`GET /testkit/stats` before and after each run); a 429 not followed by a retry is a call whose every attempt was refused. `upload-many`'s dry run sends nothing; `download-many`'s makes the listings (and record reads) it counts, which the estimate includes. The measured columns give each run's figure in order, or one figure when all runs agree. (h)'s rows come from the same run as the (h) section.\n"
    );
    let _ = writeln!(
        out,
        "| row | estimate: calls | estimate: credits | the dry run's own calls: account (server) | measured calls | measured credits | retries | 429s | server-counted calls | measured within the estimate |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|---|---|---|---|");
    for row in rows {
        out.push_str(&spend_row(row));
    }
    out
}

/// One row of the table of calls and credits, with its `\n`.
fn spend_row(row: &SpendRow) -> String {
    let estimate = &row.estimate;
    let figure = |get: fn(&super::spend::Spent) -> String| {
        let figures: Vec<String> = row
            .runs
            .iter()
            .map(|run| run.as_ref().map_or_else(|| "no account".to_owned(), get))
            .collect();
        match figures.first() {
            Some(first) if figures.iter().all(|f| f == first) => first.clone(),
            _ => figures.join(", "),
        }
    };
    let outside = row
        .runs
        .iter()
        .filter(|run| !run.is_some_and(|run| run.within(estimate)))
        .count();
    let within = if outside == 0 {
        format!("yes ({} of {} runs)", row.runs.len(), row.runs.len())
    } else {
        format!("NO: {outside} of {} runs outside", row.runs.len())
    };
    format!(
        "| {} | {}..{} | {}..{} | {} ({}) | {} | {} | {} | {} | {} | {within} |\n",
        row.name,
        estimate.calls.0,
        estimate.calls.1,
        estimate.credits.0,
        estimate.credits.1,
        estimate.own_calls,
        estimate.own_server,
        figure(|run| run.calls.to_string()),
        figure(|run| run.credits.to_string()),
        figure(|run| run.retries.to_string()),
        figure(|run| run.throttled.to_string()),
        figure(|run| run.server.to_string()),
    )
}

/// `existing` (BENCHMARKS.md) with `rows` (the table's rows of (h)) in place of the table's
/// rows of (h), after its other rows; without the table, the table of those rows alone
/// before `## Commands`. `None` if it has no `## Commands`.
pub(super) fn splice_spend(existing: &str, rows: &[&SpendRow]) -> Option<String> {
    let commands = existing.find("\n## Commands")?;
    let Some(start) = existing.find(&format!("\n{SPEND_HEADING}\n")) else {
        return Some(format!(
            "{}{}{}",
            &existing[..commands],
            spend_section(rows),
            &existing[commands..]
        ));
    };
    let end = existing[start + 1..]
        .find("\n#")
        .map_or(existing.len(), |at| start + 1 + at);
    let mut lines: Vec<String> = existing[start..end]
        .lines()
        .filter(|line| !line.starts_with("| (h) "))
        .map(str::to_owned)
        .collect();
    let last = lines.iter().rposition(|line| line.starts_with('|'))?;
    for (index, row) in rows.iter().enumerate() {
        lines.insert(last + 1 + index, spend_row(row).trim_end().to_owned());
    }
    Some(format!(
        "{}{}\n{}",
        &existing[..start],
        lines.join("\n"),
        &existing[end..]
    ))
}

/// (i): the paced runs against what the limits allow.
fn pacing_table(out: &mut String, results: &PacingResults) {
    let rate = f64::from(pacing::RATE);
    let files = pacing::RATE_FILES as f64;
    let least_wall = (files - rate) / rate;
    let _ = writeln!(
        out,
        "\n### (i) Pacing: `--rate` and `--bwlimit`, plain HTTP, one run each\n"
    );
    let _ = writeln!(out, "| benchmark | measured | expected | ratio | target |");
    let _ = writeln!(out, "|---|---|---|---|---|");
    let name = format!(
        "(i) `--rate {}`: `upload-many` of {} files of {} bytes, `--concurrency {}`",
        pacing::RATE,
        pacing::RATE_FILES,
        pacing::RATE_FILE_SIZE,
        pacing::RATE_CONCURRENCY
    );
    let wall = results.rate_wall;
    let _ = writeln!(
        out,
        "| {name}, wall | {wall:.2} s | >= {least_wall:.2} s (({} - {}) / {}) | {:.2}x | >= 1x: {} |",
        pacing::RATE_FILES,
        pacing::RATE,
        pacing::RATE,
        wall / least_wall,
        verdict(wall >= least_wall)
    );
    match &results.rate_spent {
        Some(spent) => {
            let per_second = spent.calls as f64 / wall;
            let most = spent.calls as f64 / least_wall;
            let _ = writeln!(
                out,
                "| (i) the same, calls per second over the wall ({} calls by its account, {} by the server's count) | {per_second:.1} | <= {most:.1} ({} calls in the least wall the limit allows) | {:.2}x | <= 1x: {} |",
                spent.calls,
                spent.server,
                spent.calls,
                per_second / most,
                verdict(per_second <= most)
            );
        }
        None => {
            let _ = writeln!(
                out,
                "| (i) the same, calls per second over the wall | its summary had no account | | | |"
            );
        }
    }
    let _ = writeln!(
        out,
        "| (i) the same, the most calls arriving at the server in any one second | {} | <= {} | {:.2}x | <= 1x: {} |",
        results.busiest_second,
        pacing::RATE,
        results.busiest_second as f64 / rate,
        verdict(results.busiest_second <= i64::from(pacing::RATE))
    );
    let (limit, per_second) = pacing::BWLIMIT;
    let bytes = pacing::BW_BYTES as f64;
    for (what, wall) in [
        ("upload", results.bw_walls.0),
        ("download", results.bw_walls.1),
    ] {
        let measured = bytes / wall;
        let ratio = measured / per_second;
        let _ = writeln!(
            out,
            "| (i) `--bwlimit {limit}`: {what} of {:.0} MiB, bytes per second ({wall:.2} s) | {:.3} MiB/s | {:.3} MiB/s | {ratio:.3}x | within 10%: {} |",
            bytes / (1024.0 * 1024.0),
            measured / (1024.0 * 1024.0),
            per_second / (1024.0 * 1024.0),
            verdict((0.9..=1.1).contains(&ratio))
        );
    }
    let _ = writeln!(
        out,
        "\n`--rate N` lets at most N calls start in any one second (the next waits until the oldest of the last N is 1.05 s old), so {} calls take at least ({} - {}) / {} s and their rate over the wall may exceed {}. The server's request count is read every {} ms (the median gap was {:.1} ms), each time over a new connection; the busiest second is the most it grew between two readings at most 1 s apart. `--bwlimit` lets a burst of a quarter of a second's bytes through at once, so a transfer of {:.0} MiB may end 0.25 s early (a ratio up to about {:.3}x); the walls include the process's start and the connection.",
        pacing::RATE_FILES,
        pacing::RATE_FILES,
        pacing::RATE,
        pacing::RATE,
        pacing::RATE,
        pacing::SAMPLE_EVERY.as_millis(),
        results.sample_gap * 1000.0,
        bytes / (1024.0 * 1024.0),
        bytes / (bytes - per_second / 4.0)
    );
}

/// What each row ran.
fn commands(out: &mut String, options: &Options, results: &Results) {
    let _ = writeln!(out, "\n## Commands\n");
    let _ = writeln!(
        out,
        "- (a) `zoho-crm --api-base URL --token T --quiet upload --module Leads --record ID FILE` vs `curl --http1.1 -sS -f -o /dev/null -X POST URL/crm/v2/Leads/ID/Attachments -H 'Authorization: Zoho-oauthtoken T' -F file=@FILE` (plain http is HTTP/1.1 for both; `--http1.1` says so, and the protocols in (a) and (c) are what the server counted)"
    );
    let _ = writeln!(
        out,
        "- (b) `zoho-crm ... --json upload-many --manifest M.csv --concurrency 8 --journal J` vs `xargs -P8 -I{{}} curl --http1.1 -sS -f -o /dev/null -X POST URL -H ... -F file=@{{}} < files.txt`; a fresh journal each run; first, once, the same command with `--dry-run` for the estimate of calls and credits{}",
        results.baseline.as_ref().map_or_else(String::new, |label| format!(
            "; with `--baseline-cli PATH` ({label}), the same command with that binary in each run too, in turns with the CLI (that binary goes first in the first, third... runs), both before curl"
        ))
    );
    let _ = writeln!(
        out,
        "- (c) `zoho-crm ... download --module Leads --record ID --id AID -o OUT` vs `curl --http1.1 -sS -f -o OUT -H ... URL/AID`; both copies checked byte for byte"
    );
    let _ = writeln!(
        out,
        "- (d) `cargo xtask gen --check`: cargo's up-to-date check, then load, validate and emit both specs and compare with the tree"
    );
    let _ = writeln!(
        out,
        "- (e) a second server with `loopback-server --tls` (a self-signed certificate for 127.0.0.1, offering HTTP/2 and HTTP/1.1 by ALPN): `SSL_CERT_FILE=CERT zoho-crm ... upload ...` (the default `--http-version`, which the server saw as {}), the same with `--http-version 2` ({}), `curl --http1.1 --cacert CERT ...` ({}) and `curl --cacert CERT ...` (curl's own choice, {}), alternating; then `SSL_CERT_FILE=CERT zoho-crm ... download ...` ({}) vs `curl --http1.1 --cacert CERT ... -o OUT` ({}) and `curl --cacert CERT ... -o OUT` ({}); the CLI's HTTP/1.1 rows are compared with `curl --http1.1`, its HTTP/2 upload with curl's own choice; protocols are what the server counted (`GET /testkit/stats` before and after each run); every download, and one stored copy of each upload side, checked byte for byte",
        results.tls.upload_protocols[0],
        results.tls.upload_protocols[1],
        results.tls.upload_protocols[2],
        results.tls.upload_protocols[3],
        results.tls.download_protocols[0],
        results.tls.download_protocols[1],
        results.tls.download_protocols[2]
    );
    let _ = writeln!(
        out,
        "- (f) a third server with `loopback-server --tls --latency-ms 100 --max-in-flight 10`: `SSL_CERT_FILE=CERT zoho-crm ... --http-version 1.1|2 --json upload-many --manifest M.csv --concurrency 10 --journal J` (a fresh journal each run) vs `xargs -P10 -I{{}} curl --cacert CERT -sS -f -o /dev/null -X POST URL -H ... -F file=@{{}} < files.txt`, alternating, after one dry run of each CLI side (the same command with `--dry-run`, for the estimate of calls and credits), and after the runs, for the table of calls and credits only, a dry run and one run of `--http-version 1.1 ... --concurrency {}` (twice the cap); failures are runs that exited non-zero and the calls the server refused with 429; duplicates compare the attachments the server stored with the files; handshakes are the server's completed TLS handshakes (and how many resumed a session) per 1,000 files; all from `GET /testkit/stats` read with curl before and after each run, less what reading the stats adds",
        2 * cap::MAX_IN_FLIGHT
    );
    let _ = writeln!(
        out,
        "- (g) a fourth server, plain: {} files of a few bytes in folders of 1,000, a manifest of all of them and one of the first 10% (`Leads`, record ids {} + line); `zoho-crm ... --json upload-many --manifest M.csv --journal J --dry-run` of each, alternating, {} runs each; then `... --concurrency {} --journal J` of the whole manifest once; then the same command again {} times, with the same journal",
        options.manifest_lines,
        manifest::FIRST_RECORD,
        options.runs,
        manifest::CONCURRENCY,
        options.runs
    );
    let _ = writeln!(out, "{}", export_command(&results.export));
    let _ = writeln!(
        out,
        "- (i) a sixth server, plain: `zoho-crm ... --rate {} --json upload-many --manifest M.csv --concurrency {} --journal J` of {} files of {} bytes, while a thread reads `GET /testkit/stats` every {} ms; then `zoho-crm ... --bwlimit {} upload --module Leads --record ID FILE` of a {} MiB file and `zoho-crm ... --bwlimit {} download --module Leads --record ID --id AID -o OUT` of it (checked byte for byte)",
        pacing::RATE,
        pacing::RATE_CONCURRENCY,
        pacing::RATE_FILES,
        pacing::RATE_FILE_SIZE,
        pacing::SAMPLE_EVERY.as_millis(),
        pacing::BWLIMIT.0,
        pacing::BW_BYTES / (1024 * 1024),
        pacing::BWLIMIT.0
    );
    let _ = writeln!(
        out,
        "\nWall time is measured around each command; peak RSS comes from `/usr/bin/time -v`."
    );
}

/// (h): its heading, its table and what the checks found, from `\n### (h)` to a last `\n`;
/// `separate` when it comes from `--only export`, a run of its own.
pub(super) fn export_section(results: &ExportResults, separate: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\n### (h) Export with `download-many`: plain HTTP, `--concurrency {}`\n",
        export::CONCURRENCY
    );
    if separate {
        let _ = writeln!(
            out,
            "From `cargo xtask bench --only export`, a run of its own on this machine (the tables above may come from another run).\n"
        );
    }
    let big = &results.big;
    let _ = writeln!(
        out,
        "Medians of {} per side for the small export, of {} of the big one; a fresh folder and journal each run.\n",
        runs(results.runs),
        runs(export::BIG_RUNS)
    );
    let checked = if results.problems.is_empty() {
        ""
    } else {
        " (a check failed: below)"
    };
    let _ = writeln!(
        out,
        "| benchmark | zoho-crm | shell loop / curl | ratio | target |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|");
    let (cli_rate, shell_rate) = results.rates;
    let small = format!(
        "{} files of {} KiB from {} records",
        results.files,
        export::SMALL_SIZE / 1024,
        results.records
    );
    let _ = writeln!(
        out,
        "| (h) {small}, files per second | {cli_rate:.0} | {shell_rate:.0} (curl list, {}, xargs -P{} curl) | {:.2}x | >= 1x the shell loop: {}{checked} |",
        results.extractor,
        export::CONCURRENCY,
        cli_rate / shell_rate,
        verdict(cli_rate >= shell_rate)
    );
    let full = &results.full;
    let (attachments_wall, full_wall) = full.walls;
    let _ = writeln!(
        out,
        "| (h) the same records with a photo and {} field files each too ({} files), files per second | {:.0} | {cli_rate:.0} (zoho-crm, attachments only, same run) | {:.2}x | none (each record costs a photo download and a record read more){checked} |",
        seed::files_per_record() - 1,
        full.files,
        full.rate,
        full.rate / cli_rate
    );
    let _ = writeln!(
        out,
        "| (h) the same, wall | {full_wall:.2} s | {attachments_wall:.2} s (attachments only) | {:.2}x for {:.2}x the files | none |",
        full_wall / attachments_wall,
        full.files as f64 / results.files as f64
    );
    let _ = writeln!(
        out,
        "| (h) {small}, peak RSS | {:.1} MiB | | | none (compare the big export's) |",
        mib(results.small_rss_kib)
    );
    let verify = &results.verify;
    let _ = writeln!(
        out,
        "| (h) checking that export: `zoho-crm verify --export DIR` ({} listing calls, every file hashed), wall | {:.3} s | {:.3} s (`sha256sum -c`, no call) | {:.2}x | none (verify also asks Zoho what each record holds) |",
        verify.calls,
        verify.walls.0,
        verify.walls.1,
        verify.walls.0 / verify.walls.1
    );
    let _ = writeln!(
        out,
        "| (h) the same, peak RSS | {:.1} MiB | {:.1} MiB (`sha256sum -c`) | {:.2}x | none |",
        mib(verify.rss_kib.0),
        mib(verify.rss_kib.1),
        verify.rss_kib.0 / verify.rss_kib.1
    );
    let bytes = big.bytes() as f64;
    let file_mib = big.file_size as f64 / (1024.0 * 1024.0);
    let name = format!(
        "{:.0} MiB in {} files of {file_mib:.1} MiB from {} records",
        bytes / (1024.0 * 1024.0),
        big.files,
        export::BIG_RECORDS
    );
    let _ = writeln!(
        out,
        "| (h) {name}, wall | {:.2} s ({:.0} MiB/s) | | | none |",
        big.wall,
        bytes / (1024.0 * 1024.0) / big.wall
    );
    let _ = writeln!(
        out,
        "| (h) {name}, peak RSS | {:.1} MiB | {:.1} MiB (curl, one {file_mib:.1} MiB file) | {:.2}x | < {:.0} MiB: {}{checked} |",
        mib(big.rss_kib),
        mib(big.curl_rss_kib),
        big.rss_kib / big.curl_rss_kib,
        export::RSS_LIMIT_MIB,
        verdict(mib(big.rss_kib) < export::RSS_LIMIT_MIB)
    );
    let part_bytes = big.file_size as f64 * big.part_files as f64;
    let _ = writeln!(
        out,
        "| (h) the same, {} of the {} records ({:.0} MiB in {} files), peak RSS | {:.1} MiB | | {:.2}x for {:.1}x the bytes | none (about 1x: bounded, not growing with the bytes) |",
        export::PART_RECORDS,
        export::BIG_RECORDS,
        part_bytes / (1024.0 * 1024.0),
        big.part_files,
        mib(big.part_rss_kib),
        big.rss_kib / big.part_rss_kib,
        bytes / part_bytes
    );
    if results.problems.is_empty() {
        let _ = writeln!(
            out,
            "\nChecks: every run of each side saved every file, each of its size; every `--json` summary of the CLI said all the files and 0 failed."
        );
    } else {
        let _ = writeln!(out, "\nChecks that failed:\n");
        for problem in &results.problems {
            let _ = writeln!(out, "- {}", problem.replace('\n', " "));
        }
    }
    out
}

/// "1 run", "3 runs".
fn runs(count: usize) -> String {
    if count == 1 {
        "1 run".to_owned()
    } else {
        format!("{count} runs")
    }
}

/// (h)'s line under `## Commands`.
pub(super) fn export_command(results: &ExportResults) -> String {
    let script = export::shell_loop(
        "URL/crm/v2/Leads/$r/Attachments",
        "Authorization: Zoho-oauthtoken T",
        "RECORDS",
        results.extractor == "jq",
    );
    format!(
        "- (h) a fifth server, plain, started with `{}`: {} files of {} KiB uploaded with `upload-many` to {} records, {} each (`Leads`, record ids {} + 0, 1...), each record also given a PNG photo (`curl -F file=@photo.png .../photo`) and {} files of the same size in its file-upload fields (`POST /crm/v8/files`, then `PUT` the record with their ids), and `records.csv` (`module,record_id`) naming the records; `zoho-crm ... --json download-many --manifest records.csv --output DIR --concurrency {} --journal J --include attachments`, the same with `--fields {}` (attachments, photos and field files) and `sh -c SCRIPT sh DIR`, SCRIPT being `{script}` ({}), alternating, a fresh DIR and journal each run, each attachments-only DIR then checked by `zoho-crm ... --json verify --export DIR` and `sha256sum -c --quiet SHA256SUMS` (a list made from DIR/index.csv), in turns, after one dry run of each CLI side (the same command with `--dry-run`, which makes the listings), the server's count read with curl before and after each CLI run; then {} files of {} bytes to {} other records, the same `download-many` {} times, alternating with the same for the first {} of those records, and `curl -sS -f -o OUT -H ... URL/AID` of one of those files; each run's files are counted and sized, and the CLI's summary read",
        seed::SERVER_FLAGS.join(" "),
        results.files,
        export::SMALL_SIZE / 1024,
        results.records,
        export::PER_RECORD,
        manifest::FIRST_RECORD,
        seed::files_per_record() - 1,
        export::CONCURRENCY,
        seed::FIELDS
            .iter()
            .map(|(name, _)| *name)
            .collect::<Vec<_>>()
            .join(","),
        if results.extractor == "jq" {
            "`jq` takes the ids"
        } else {
            "no `jq` here: grep and cut take the ids"
        },
        results.big.files,
        results.big.file_size,
        export::BIG_RECORDS,
        export::BIG_RUNS,
        export::PART_RECORDS,
    )
}

/// `existing` (BENCHMARKS.md) with (h)'s `section` in place of the one it has (which ends at
/// the next heading), else before `## Commands`, and `command` in place of its line for (h), else after the one for (g);
/// `None` if it has no `## Commands` (or no line for (g) nor (h)).
pub(super) fn splice_export(existing: &str, section: &str, command: &str) -> Option<String> {
    let commands = existing.find("\n## Commands")?;
    let (start, end) = match existing
        .find("\n### (h) ")
        .filter(|start| *start < commands)
    {
        Some(start) => (
            start,
            existing[start + 1..]
                .find("\n#")
                .map_or(commands, |at| start + 1 + at),
        ),
        None => (commands, commands),
    };
    let text = format!("{}{section}{}", &existing[..start], &existing[end..]);
    let mut lines: Vec<&str> = text.lines().collect();
    if let Some(index) = lines.iter().position(|line| line.starts_with("- (h) ")) {
        lines[index] = command;
    } else {
        let index = lines.iter().position(|line| line.starts_with("- (g) "))?;
        lines.insert(index + 1, command);
    }
    Some(lines.join("\n") + "\n")
}

fn machine() -> String {
    let read = |path: &str| std::fs::read_to_string(path).unwrap_or_default();
    let cpu = read("/proc/cpuinfo")
        .lines()
        .find_map(|l| {
            l.strip_prefix("model name")
                .map(|v| v.trim_start_matches([' ', '\t', ':']).to_owned())
        })
        .unwrap_or_else(|| "unknown".into());
    let memory = read("/proc/meminfo")
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:").map(|v| v.trim().to_owned()))
        .unwrap_or_else(|| "unknown".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let version = |program: &str, arg: &str| {
        std::process::Command::new(program)
            .arg(arg)
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .and_then(|s| s.lines().next().map(str::to_owned))
            .unwrap_or_else(|| "unknown".into())
    };
    format!(
        "- CPU: {cpu}, {cores} cores available\n- Memory: {memory}\n- OS: {}\n- {}\n- {}",
        version("uname", "-sr"),
        version("rustc", "--version"),
        version("curl", "--version")
    )
}

#[cfg(test)]
mod tests {
    use super::super::spend::{Estimate, SpendRow, Spent};
    use super::{spend_row, spend_section, splice_export, splice_spend};

    #[test]
    fn the_export_section_is_added_then_replaced() {
        let file =
            "# B\n\n| a |\n\n### (g) G\n\n| g |\n\n## Commands\n\n- (a) A\n- (g) G\n\nWall.\n";
        let once = splice_export(file, "\n### (h) H\n\n| h1 |\n", "- (h) H1");
        assert_eq!(
            once.as_deref(),
            Some(
                "# B\n\n| a |\n\n### (g) G\n\n| g |\n\n### (h) H\n\n| h1 |\n\n## Commands\n\n- (a) A\n- (g) G\n- (h) H1\n\nWall.\n"
            )
        );
        let twice =
            once.and_then(|once| splice_export(&once, "\n### (h) H\n\n| h2 |\n", "- (h) H2"));
        assert_eq!(
            twice.as_deref(),
            Some(
                "# B\n\n| a |\n\n### (g) G\n\n| g |\n\n### (h) H\n\n| h2 |\n\n## Commands\n\n- (a) A\n- (g) G\n- (h) H2\n\nWall.\n"
            )
        );
        assert_eq!(splice_export("# B\n", "x", "y"), None);
        // A section after (h) stays.
        let with_more = "# B\n\n### (h) H\n\n| h1 |\n\n### (i) I\n\n| i |\n\n## Commands\n\n- (g) G\n- (h) H1\n";
        assert_eq!(
            splice_export(with_more, "\n### (h) H\n\n| h2 |\n", "- (h) H2").as_deref(),
            Some(
                "# B\n\n### (h) H\n\n| h2 |\n\n### (i) I\n\n| i |\n\n## Commands\n\n- (g) G\n- (h) H2\n"
            )
        );
    }

    #[test]
    fn the_rows_of_h_replace_theirs_in_the_table_of_calls() {
        let row = |name: &str, calls: u64| SpendRow {
            name: name.to_owned(),
            estimate: Estimate {
                calls: (calls, calls * 4),
                credits: (calls, calls * 4),
                own_calls: 0,
                own_server: 0,
            },
            runs: vec![
                Some(Spent {
                    calls,
                    credits: calls,
                    retries: 0,
                    throttled: 0,
                    server: calls as i64,
                }),
                None,
            ],
        };
        let (b, h_old, h_new) = (row("(b) B", 10), row("(h) old", 5), row("(h) new", 7));
        assert_eq!(
            spend_row(&h_new),
            "| (h) new | 7..28 | 7..28 | 0 (0) | 7, no account | 7, no account | 0, no account | 0, no account | 7, no account | NO: 1 of 2 runs outside |\n"
        );
        let full = format!(
            "# B\n{}\n### (i) I\n\n## Commands\n\n- (h) H\n",
            spend_section(&[&b, &h_old])
        );
        let spliced = splice_spend(&full, &[&h_new]);
        let expected = format!(
            "# B\n{}\n### (i) I\n\n## Commands\n\n- (h) H\n",
            spend_section(&[&b, &h_new])
        );
        assert_eq!(spliced, Some(expected));
        // Without the table: the table of (h)'s rows, before `## Commands`.
        assert_eq!(
            splice_spend("# B\n\n## Commands\n", &[&h_new]),
            Some(format!("# B\n{}\n## Commands\n", spend_section(&[&h_new])))
        );
        assert_eq!(splice_spend("# B\n", &[&h_new]), None);
    }
}
