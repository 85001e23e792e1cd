//! (a)-(c) over plain HTTP: a 100 MiB upload, many small files with `upload-many` against
//! `xargs -P8 curl`, and a 100 MiB download, each side alternating with curl. Both sides speak
//! HTTP/1.1 (curl is told so with `--http1.1`; the protocols of (a) and (c) are what the server
//! counted). (b) passes `--json` to read each run's account, after a dry run's estimate; with
//! `--baseline-cli` the other binary runs (b) too, in turns with the CLI.

use std::path::Path;
use std::time::Instant;

use super::files::{same_file, small_files};
use super::spend::{Estimate, SpendRow, Spent};
use super::stats::{StatsReader, protocol};
use super::{RECORD, Tools, cli_args, collection, curl_auth};
use crate::loopback::LoopbackProcess;
use crate::measure::{measure, median, medians};

/// Median (wall s, peak RSS KiB) of the CLI, then of curl.
pub(super) type Medians = ((f64, f64), (f64, f64));

/// What (a)-(c) measured.
pub(super) struct PlainResults {
    /// (a) the 100 MiB upload.
    pub upload: Medians,
    /// The protocols the server saw in (a): the CLI's, then curl's.
    pub upload_protocols: [&'static str; 2],
    /// (c) the 100 MiB download.
    pub download: Medians,
    /// The protocols the server saw in (c): the CLI's, then curl's.
    pub download_protocols: [&'static str; 2],
    /// (b) files per second of the CLI, then of `xargs -P8 curl`.
    pub bulk: (f64, f64),
    /// (b) the dry run's estimate and what the CLI's runs spent.
    pub bulk_spend: SpendRow,
    /// (b) with `--baseline-cli`: both binaries' rates.
    pub baseline: Option<Baseline>,
}

/// (b) run with the baseline binary too, in turns with the CLI.
pub(super) struct Baseline {
    /// Files per second of the baseline, each run.
    pub rates: Vec<f64>,
    /// Files per second of the CLI, each run (the same runs as [`PlainResults::bulk`]'s).
    pub cli_rates: Vec<f64>,
}

/// Runs (a), (c) and (b) against the plain `server`, uploading `big` (100 MiB).
pub(super) fn run(
    tools: &Tools,
    server: &LoopbackProcess,
    big: &Path,
    options: &super::Options,
) -> Result<PlainResults, String> {
    let (cli, curl, work) = (&tools.cli, &tools.curl, tools.work.as_path());
    let auth = curl_auth(server);
    let collection = collection(server, RECORD);
    let global = |rest: &[&str]| cli_args(server, rest);
    let stats = StatsReader::new(server)?;

    // (a) 100 MiB upload.
    let big_arg = big.to_string_lossy().into_owned();
    let upload_cli = global(&["upload", "--module", "Leads", "--record", RECORD, &big_arg]);
    let upload_curl: Vec<String> = [
        "--http1.1",
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
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .chain([format!("file=@{big_arg}")])
    .collect();
    let (mut cli_runs, mut curl_runs) = (Vec::new(), Vec::new());
    let mut upload_protocols = ["none"; 2];
    for _ in 0..options.runs {
        let (run, seen) = stats.around(|| measure(cli, &upload_cli, work))?;
        cli_runs.push(run.0);
        upload_protocols[0] = protocol(&seen);
        let (run, seen) = stats.around(|| measure(curl, &upload_curl, work))?;
        curl_runs.push(run.0);
        upload_protocols[1] = protocol(&seen);
    }
    let upload = (medians(&cli_runs), medians(&curl_runs));
    eprintln!("(a) done");

    // (c) 100 MiB download of what (a) stored.
    let (_, listed) = measure(
        cli,
        &global(&[
            "--json", "list", "--module", "Leads", "--record", RECORD, "--all",
        ]),
        work,
    )?;
    let id = first_listed_id(&listed).ok_or("the CLI listed no attachment to download")?;
    let out_cli = work.join("cli.bin").to_string_lossy().into_owned();
    let out_curl = work.join("curl.bin").to_string_lossy().into_owned();
    let download_cli = global(&[
        "download", "--module", "Leads", "--record", RECORD, "--id", &id, "-o", &out_cli,
    ]);
    let item = format!("{collection}/{id}");
    let download_curl: Vec<String> = [
        "--http1.1",
        "-sS",
        "-f",
        "-o",
        &out_curl,
        "-H",
        &auth,
        &item,
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    let (mut cli_runs, mut curl_runs) = (Vec::new(), Vec::new());
    let mut download_protocols = ["none"; 2];
    for _ in 0..options.runs {
        let _ = std::fs::remove_file(&out_cli);
        let (run, seen) = stats.around(|| measure(cli, &download_cli, work))?;
        cli_runs.push(run.0);
        download_protocols[0] = protocol(&seen);
        let (run, seen) = stats.around(|| measure(curl, &download_curl, work))?;
        curl_runs.push(run.0);
        download_protocols[1] = protocol(&seen);
        same_file(big, Path::new(&out_cli))?;
        same_file(big, Path::new(&out_curl))?;
    }
    let download = (medians(&cli_runs), medians(&curl_runs));
    eprintln!("(c) done");

    // (b) many small files: the dry run's estimate first, then the CLI (and, with
    // `--baseline-cli`, the other binary, in turns) and `xargs -P8 curl`, alternating.
    let small = small_files(&work.join("bulk"), options.bulk_files, 10 * 1024, 2, RECORD)?;
    let xargs_script = format!(
        "xargs -P8 -I{{}} curl --http1.1 -sS -f -o /dev/null -X POST '{collection}' -H '{auth}' -F 'file=@{{}}' < '{}'",
        small.list.display()
    );
    let manifest_arg = small.manifest.to_string_lossy().into_owned();
    let journal = |name: &str| work.join(name).to_string_lossy().into_owned();
    let bulk_args = |journal: &str, extra: &[&str]| {
        let mut rest = vec![
            "--json",
            "upload-many",
            "--manifest",
            &manifest_arg,
            "--concurrency",
            "8",
            "--journal",
            journal,
        ];
        rest.extend(extra);
        global(&rest)
    };
    let first_journal = journal("journal-0.jsonl");
    let ((_, dry), dry_seen) =
        stats.around(|| measure(cli, &bulk_args(&first_journal, &["--dry-run"]), work))?;
    let mut spend = SpendRow::new(
        format!("(b) upload-many of {} files", options.bulk_files),
        Estimate::parse(&dry, dry_seen.requests)?,
    );
    let (mut cli_rates, mut curl_rates, mut baseline_rates) = (Vec::new(), Vec::new(), Vec::new());
    for run in 0..options.bulk_runs {
        let args = bulk_args(&journal(&format!("journal-{run}.jsonl")), &[]);
        let mut turns = vec![(false, cli.as_path(), args)];
        if let Some(baseline) = &tools.baseline {
            let args = bulk_args(&journal(&format!("journal-baseline-{run}.jsonl")), &[]);
            // The first turn alternates, so that neither binary always goes first.
            turns.insert(run % 2, (true, baseline.cli.as_path(), args));
        }
        for (is_baseline, program, args) in turns {
            let ((rate, out), seen) = stats.around(|| {
                let started = Instant::now();
                let (_, out) = measure(program, &args, work)?;
                Ok((
                    options.bulk_files as f64 / started.elapsed().as_secs_f64(),
                    out,
                ))
            })?;
            if is_baseline {
                baseline_rates.push(rate);
            } else {
                cli_rates.push(rate);
                spend.runs.push(Spent::parse(&out, seen.requests));
            }
        }
        let started = Instant::now();
        measure(
            Path::new("sh"),
            &["-c".to_owned(), xargs_script.clone()],
            work,
        )?;
        curl_rates.push(options.bulk_files as f64 / started.elapsed().as_secs_f64());
    }
    let bulk = (median(cli_rates.clone()), median(curl_rates));
    let baseline = tools.baseline.as_ref().map(|_| Baseline {
        rates: baseline_rates,
        cli_rates,
    });
    eprintln!("(b) done");
    Ok(PlainResults {
        upload,
        upload_protocols,
        download,
        download_protocols,
        bulk,
        bulk_spend: spend,
        baseline,
    })
}

/// The id of the first attachment in the output of `zoho-crm --json list`.
pub(super) fn first_listed_id(listed: &str) -> Option<String> {
    listed
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .find_map(|value| {
            value
                .get("id")
                .and_then(|id| id.as_str())
                .map(str::to_owned)
        })
}
