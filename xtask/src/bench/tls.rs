//! (e) over HTTPS: a 100 MiB upload (the CLI as users run it, the CLI with `--http-version 2`
//! and curl, alternating) and a 100 MiB download (the CLI and curl), against a loopback server
//! with `--tls`. The CLI trusts its certificate through `SSL_CERT_FILE`, curl through
//! `--cacert`. Every download, and one stored copy of each upload side, is checked byte for
//! byte.

use std::path::Path;

use super::files::same_file;
use super::plain::{Medians, first_listed_id};
use super::stats::{Stats, StatsReader};
use super::{Tools, cli_args, cli_env, collection, curl_auth, curl_trust};
use crate::loopback::LoopbackProcess;
use crate::measure::{Run, measure, measure_env, medians};

/// The records each upload side attaches to (so that each side's copies can be told apart).
const RECORD_CLI: &str = "3477061000005177003";
const RECORD_CLI_H2: &str = "3477061000005177004";
const RECORD_CURL: &str = "3477061000005177005";

/// What (e) measured.
pub(super) struct TlsResults {
    /// The upload: the CLI as users run it, then curl.
    pub upload: Medians,
    /// The upload with `--http-version 2`: median wall s, peak RSS KiB.
    pub upload_h2: (f64, f64),
    /// The protocols the server saw: the CLI's default, the CLI's with `--http-version 2`, curl's.
    pub upload_protocols: [&'static str; 3],
    /// The download: the CLI, then curl.
    pub download: Medians,
}

/// Runs (e) against the TLS `server`, uploading `big`.
pub(super) fn run(
    tools: &Tools,
    server: &LoopbackProcess,
    big: &Path,
    runs: usize,
) -> Result<TlsResults, String> {
    let (cli, curl, work) = (&tools.cli, &tools.curl, tools.work.as_path());
    let stats = StatsReader::new(server)?;
    let env = cli_env(server);
    let auth = curl_auth(server);
    let trust = curl_trust(server);
    let big_arg = big.to_string_lossy().into_owned();
    let upload_cli = |record: &str, version: &[&str]| {
        let mut rest = version.to_vec();
        rest.extend(["upload", "--module", "Leads", "--record", record, &big_arg]);
        cli_args(server, &rest)
    };
    let upload_default = upload_cli(RECORD_CLI, &[]);
    let upload_h2 = upload_cli(RECORD_CLI_H2, &["--http-version", "2"]);
    let curl_collection = collection(server, RECORD_CURL);
    let upload_curl: Vec<String> = trust
        .iter()
        .map(String::as_str)
        .chain([
            "-sS",
            "-o",
            "/dev/null",
            "-f",
            "-X",
            "POST",
            &curl_collection,
            "-H",
            &auth,
            "-F",
        ])
        .map(str::to_owned)
        .chain([format!("file=@{big_arg}")])
        .collect();

    let (mut default_runs, mut h2_runs, mut curl_runs) = (Vec::new(), Vec::new(), Vec::new());
    let mut protocols = ["none"; 3];
    for _ in 0..runs {
        let (run, seen) = stats.around(|| measure_env(cli, &upload_default, work, &env))?;
        default_runs.push(run.0);
        protocols[0] = protocol(&seen);
        let (run, seen) = stats.around(|| measure_env(cli, &upload_h2, work, &env))?;
        h2_runs.push(run.0);
        protocols[1] = protocol(&seen);
        let (run, seen) = stats.around(|| measure(curl, &upload_curl, work))?;
        curl_runs.push(run.0);
        protocols[2] = protocol(&seen);
    }
    eprintln!("(e) uploads done");

    // The download, of a copy the CLI stored; every run's copies checked.
    let id = stored_id(tools, server, RECORD_CLI)?;
    let out_cli = work.join("tls-cli.bin").to_string_lossy().into_owned();
    let out_curl = work.join("tls-curl.bin").to_string_lossy().into_owned();
    let download_cli = cli_args(
        server,
        &[
            "download", "--module", "Leads", "--record", RECORD_CLI, "--id", &id, "-o", &out_cli,
        ],
    );
    let item = format!("{}/{id}", collection(server, RECORD_CLI));
    let download_curl = curl_get(&trust, &auth, &item, &out_curl);
    let (mut cli_runs, mut curl_down_runs): (Vec<Run>, Vec<Run>) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        let _ = std::fs::remove_file(&out_cli);
        cli_runs.push(measure_env(cli, &download_cli, work, &env)?.0);
        curl_down_runs.push(measure(curl, &download_curl, work)?.0);
        same_file(big, Path::new(&out_cli))?;
        same_file(big, Path::new(&out_curl))?;
    }

    // One stored copy of the other upload sides, fetched with curl.
    for record in [RECORD_CLI_H2, RECORD_CURL] {
        let id = stored_id(tools, server, record)?;
        let item = format!("{}/{id}", collection(server, record));
        let out = work.join(format!("tls-check-{record}.bin"));
        let out_arg = out.to_string_lossy().into_owned();
        measure(curl, &curl_get(&trust, &auth, &item, &out_arg), work)?;
        same_file(big, &out)?;
        let _ = std::fs::remove_file(&out);
    }
    Ok(TlsResults {
        upload: (medians(&default_runs), medians(&curl_runs)),
        upload_h2: medians(&h2_runs),
        upload_protocols: protocols,
        download: (medians(&cli_runs), medians(&curl_down_runs)),
    })
}

/// curl's arguments to download `item` to `out`.
fn curl_get(trust: &[String], auth: &str, item: &str, out: &str) -> Vec<String> {
    trust
        .iter()
        .map(String::as_str)
        .chain(["-sS", "-f", "-o", out, "-H", auth, item])
        .map(str::to_owned)
        .collect()
}

/// The id of an attachment of `record`, listed by the CLI.
fn stored_id(tools: &Tools, server: &LoopbackProcess, record: &str) -> Result<String, String> {
    let args = cli_args(
        server,
        &[
            "--json", "list", "--module", "Leads", "--record", record, "--all",
        ],
    );
    let (_, listed) = measure_env(&tools.cli, &args, &tools.work, &cli_env(server))?;
    first_listed_id(&listed).ok_or_else(|| format!("the CLI listed no attachment of {record}"))
}

/// The HTTP version of the requests counted in `seen`.
pub(super) fn protocol(seen: &Stats) -> &'static str {
    match (seen.http1_requests > 0, seen.http2_requests > 0) {
        (true, false) => "HTTP/1.1",
        (false, true) => "HTTP/2",
        (true, true) => "HTTP/1.1 and HTTP/2",
        (false, false) => "none",
    }
}
