//! (e) over HTTPS: a 100 MiB upload and a 100 MiB download against a loopback server with
//! `--tls`, each side alternating. The server offers HTTP/2 by ALPN, so curl with only
//! `--cacert` speaks HTTP/2 while the CLI's default is HTTP/1.1: each HTTP/1.1 side is measured
//! against `curl --http1.1`, and the HTTP/2 sides (the CLI with `--http-version 2`, curl as it
//! chooses) against each other. The upload: the CLI as users run it, the CLI with
//! `--http-version 2`, `curl --http1.1` and curl; the download: the CLI, `curl --http1.1` and
//! curl. The CLI trusts the certificate through `SSL_CERT_FILE`, curl through `--cacert`; the
//! protocol of every side is what the server counted. Every download, and one stored copy of
//! each upload side, is checked byte for byte.

use std::path::Path;

use super::files::same_file;
use super::plain::{Medians, first_listed_id};
use super::stats::{StatsReader, protocol};
use super::{Tools, cli_args, cli_env, collection, curl_auth, curl_trust};
use crate::loopback::LoopbackProcess;
use crate::measure::{Run, measure, measure_env, medians};

/// The records each upload side attaches to (so that each side's copies can be told apart).
const RECORD_CLI: &str = "3477061000005177003";
const RECORD_CLI_H2: &str = "3477061000005177004";
const RECORD_CURL_H1: &str = "3477061000005177005";
const RECORD_CURL_H2: &str = "3477061000005177006";

/// What (e) measured.
pub(super) struct TlsResults {
    /// The upload: the CLI as users run it, then `curl --http1.1`.
    pub upload: Medians,
    /// The upload with `--http-version 2`, then curl as it chooses (HTTP/2 by ALPN).
    pub upload_h2: Medians,
    /// The protocols the server saw uploading: the CLI's default, the CLI's with
    /// `--http-version 2`, `curl --http1.1`'s, curl's own choice.
    pub upload_protocols: [&'static str; 4],
    /// The download: the CLI, then `curl --http1.1`.
    pub download: Medians,
    /// The download by curl as it chooses (HTTP/2 by ALPN): median wall s, peak RSS KiB.
    pub download_curl_h2: (f64, f64),
    /// The protocols the server saw downloading: the CLI's, `curl --http1.1`'s, curl's own.
    pub download_protocols: [&'static str; 3],
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
    let upload_curl = |record: &str, version: &[&str]| -> Vec<String> {
        let collection = collection(server, record);
        trust
            .iter()
            .map(String::as_str)
            .chain(version.iter().copied())
            .chain([
                "-sS",
                "-o",
                "/dev/null",
                "-f",
                "-X",
                "POST",
                &collection,
                "-H",
                &auth,
                "-F",
            ])
            .map(str::to_owned)
            .chain([format!("file=@{big_arg}")])
            .collect()
    };
    let upload_curl_h1 = upload_curl(RECORD_CURL_H1, &["--http1.1"]);
    let upload_curl_h2 = upload_curl(RECORD_CURL_H2, &[]);

    let mut up_runs: [Vec<Run>; 4] = Default::default();
    let mut up_protocols = ["none"; 4];
    for _ in 0..runs {
        let sides = [
            (cli, &upload_default, env.as_slice()),
            (cli, &upload_h2, env.as_slice()),
            (curl, &upload_curl_h1, &[][..]),
            (curl, &upload_curl_h2, &[][..]),
        ];
        for (side, (program, args, env)) in sides.into_iter().enumerate() {
            let (run, seen) = stats.around(|| measure_env(program, args, work, env))?;
            up_runs[side].push(run.0);
            up_protocols[side] = protocol(&seen);
        }
    }
    eprintln!("(e) uploads done");

    // The download, of a copy the CLI stored; every run's copies checked.
    let id = stored_id(tools, server, RECORD_CLI)?;
    let out_cli = work.join("tls-cli.bin").to_string_lossy().into_owned();
    let out_curl_h1 = work.join("tls-curl-h1.bin").to_string_lossy().into_owned();
    let out_curl_h2 = work.join("tls-curl-h2.bin").to_string_lossy().into_owned();
    let download_cli = cli_args(
        server,
        &[
            "download", "--module", "Leads", "--record", RECORD_CLI, "--id", &id, "-o", &out_cli,
        ],
    );
    let item = format!("{}/{id}", collection(server, RECORD_CLI));
    let http11 = ["--http1.1".to_owned()];
    let download_curl_h1 = curl_get(&[&trust, &http11[..]].concat(), &auth, &item, &out_curl_h1);
    let download_curl_h2 = curl_get(&trust, &auth, &item, &out_curl_h2);
    let mut down_runs: [Vec<Run>; 3] = Default::default();
    let mut down_protocols = ["none"; 3];
    for _ in 0..runs {
        let _ = std::fs::remove_file(&out_cli);
        let sides = [
            (cli, &download_cli, env.as_slice()),
            (curl, &download_curl_h1, &[][..]),
            (curl, &download_curl_h2, &[][..]),
        ];
        for (side, (program, args, env)) in sides.into_iter().enumerate() {
            let (run, seen) = stats.around(|| measure_env(program, args, work, env))?;
            down_runs[side].push(run.0);
            down_protocols[side] = protocol(&seen);
        }
        for out in [&out_cli, &out_curl_h1, &out_curl_h2] {
            same_file(big, Path::new(out))?;
        }
    }

    // One stored copy of the other upload sides, fetched with curl.
    for record in [RECORD_CLI_H2, RECORD_CURL_H1, RECORD_CURL_H2] {
        let id = stored_id(tools, server, record)?;
        let item = format!("{}/{id}", collection(server, record));
        let out = work.join(format!("tls-check-{record}.bin"));
        let out_arg = out.to_string_lossy().into_owned();
        measure(curl, &curl_get(&trust, &auth, &item, &out_arg), work)?;
        same_file(big, &out)?;
        let _ = std::fs::remove_file(&out);
    }
    let [cli_up, cli_up_h2, curl_up_h1, curl_up_h2] = up_runs.map(|runs| medians(&runs));
    let [cli_down, curl_down_h1, curl_down_h2] = down_runs.map(|runs| medians(&runs));
    Ok(TlsResults {
        upload: (cli_up, curl_up_h1),
        upload_h2: (cli_up_h2, curl_up_h2),
        upload_protocols: up_protocols,
        download: (cli_down, curl_down_h1),
        download_curl_h2: curl_down_h2,
        download_protocols: down_protocols,
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
