//! `cargo xtask bench`: the CLI against curl on the loopback server, in one run, alternating,
//! and `cargo xtask gen`; writes BENCHMARKS.md with the machine, the commands and the medians.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::loopback::{Build, LoopbackProcess, build_cli_and_server};
use crate::measure::{measure, median, medians};

const RECORD: &str = "3477061000005177002";
const MIB: usize = 1024 * 1024;

/// Options for a benchmark run.
pub struct Options {
    /// Runs of each side of (a) and (c).
    pub runs: usize,
    /// Runs of each side of (b).
    pub bulk_runs: usize,
    /// Files in (b).
    pub bulk_files: usize,
}

/// Runs every benchmark and writes `BENCHMARKS.md` under `root`.
pub fn run(root: &Path, options: &Options) -> Result<(), String> {
    eprintln!("building the CLI and the loopback server (release)...");
    let release = build_cli_and_server(root, Build::Release)?;
    let cli = release.join("zoho-crm");
    let curl = PathBuf::from("curl");
    let server = LoopbackProcess::start(&release.join("loopback-server"), "bench-token")?;
    let work = tempfile::tempdir().map_err(|e| e.to_string())?;
    let auth = format!("Authorization: Zoho-oauthtoken {}", server.token);
    let collection = format!("{}/crm/v2/Leads/{RECORD}/Attachments", server.base_url);
    let global = |rest: &[&str]| -> Vec<String> {
        [
            "--api-base",
            server.base_url.as_str(),
            "--token",
            server.token.as_str(),
            "--quiet",
        ]
        .iter()
        .chain(rest)
        .map(|s| (*s).to_owned())
        .collect()
    };

    // (a) 100 MiB upload.
    let big = work.path().join("upload-100MiB.bin");
    write_random(&big, 100 * MIB, 1)?;
    let big_arg = big.to_string_lossy().into_owned();
    let upload_cli = global(&["upload", "--module", "Leads", "--record", RECORD, &big_arg]);
    let upload_curl: Vec<String> = [
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
    for _ in 0..options.runs {
        cli_runs.push(measure(&cli, &upload_cli, work.path())?.0);
        curl_runs.push(measure(&curl, &upload_curl, work.path())?.0);
    }
    let upload = (medians(&cli_runs), medians(&curl_runs));
    eprintln!("(a) done");

    // (c) 100 MiB download of what (a) stored.
    let (_, listed) = measure(
        &cli,
        &global(&[
            "--json", "list", "--module", "Leads", "--record", RECORD, "--all",
        ]),
        work.path(),
    )?;
    let id = listed
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .find_map(|value| {
            value
                .get("id")
                .and_then(|id| id.as_str())
                .map(str::to_owned)
        })
        .ok_or("the CLI listed no attachment to download")?;
    let out_cli = work.path().join("cli.bin").to_string_lossy().into_owned();
    let out_curl = work.path().join("curl.bin").to_string_lossy().into_owned();
    let download_cli = global(&[
        "download", "--module", "Leads", "--record", RECORD, "--id", &id, "-o", &out_cli,
    ]);
    let item = format!("{collection}/{id}");
    let download_curl: Vec<String> = ["-sS", "-f", "-o", &out_curl, "-H", &auth, &item]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    let (mut cli_runs, mut curl_runs) = (Vec::new(), Vec::new());
    for _ in 0..options.runs {
        let _ = std::fs::remove_file(&out_cli);
        cli_runs.push(measure(&cli, &download_cli, work.path())?.0);
        curl_runs.push(measure(&curl, &download_curl, work.path())?.0);
        same_file(&big, Path::new(&out_cli))?;
        same_file(&big, Path::new(&out_curl))?;
    }
    let download = (medians(&cli_runs), medians(&curl_runs));
    eprintln!("(c) done");

    // (b) many small files.
    let small_dir = work.path().join("small");
    std::fs::create_dir(&small_dir).map_err(|e| e.to_string())?;
    let mut manifest = String::from("module,record_id,path\n");
    let mut list = String::new();
    for index in 0..options.bulk_files {
        let path = small_dir.join(format!("f{index:05}.bin"));
        write_random(&path, 10 * 1024, index as u64 + 2)?;
        let _ = writeln!(manifest, "Leads,{RECORD},{}", path.display());
        let _ = writeln!(list, "{}", path.display());
    }
    let manifest_path = work.path().join("manifest.csv");
    std::fs::write(&manifest_path, manifest).map_err(|e| e.to_string())?;
    let list_path = work.path().join("files.txt");
    std::fs::write(&list_path, list).map_err(|e| e.to_string())?;
    let xargs_script = format!(
        "xargs -P8 -I{{}} curl -sS -f -o /dev/null -X POST '{collection}' -H '{auth}' -F 'file=@{{}}' < '{}'",
        list_path.display()
    );
    let (mut cli_rates, mut curl_rates) = (Vec::new(), Vec::new());
    for run in 0..options.bulk_runs {
        let journal = work
            .path()
            .join(format!("journal-{run}.jsonl"))
            .to_string_lossy()
            .into_owned();
        let manifest_arg = manifest_path.to_string_lossy().into_owned();
        let args = global(&[
            "upload-many",
            "--manifest",
            &manifest_arg,
            "--concurrency",
            "8",
            "--journal",
            &journal,
        ]);
        let started = Instant::now();
        measure(&cli, &args, work.path())?;
        cli_rates.push(options.bulk_files as f64 / started.elapsed().as_secs_f64());
        let started = Instant::now();
        measure(
            Path::new("sh"),
            &["-c".to_owned(), xargs_script.clone()],
            work.path(),
        )?;
        curl_rates.push(options.bulk_files as f64 / started.elapsed().as_secs_f64());
    }
    let bulk = (median(cli_rates), median(curl_rates));
    eprintln!("(b) done");
    drop(server);

    // (d) generation, as a user runs it (cargo's up-to-date check included).
    let cargo = PathBuf::from(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    let gen_args: Vec<String> = ["xtask", "gen", "--check"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    let mut gen_times = Vec::new();
    for _ in 0..5 {
        gen_times.push(measure(&cargo, &gen_args, root)?.0.wall);
    }
    let generation = median(gen_times);

    let report = render(options, upload, download, bulk, generation);
    let path = root.join("BENCHMARKS.md");
    std::fs::File::create(&path)
        .and_then(|mut file| file.write_all(report.as_bytes()))
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    print!("{report}");
    Ok(())
}

type Medians = ((f64, f64), (f64, f64));

fn render(
    options: &Options,
    upload: Medians,
    download: Medians,
    bulk: (f64, f64),
    generation: f64,
) -> String {
    let verdict = |ok: bool| if ok { "met" } else { "NOT met" };
    let ((up_wall, up_rss), (curl_up_wall, curl_up_rss)) = upload;
    let ((down_wall, down_rss), (curl_down_wall, curl_down_rss)) = download;
    let (cli_rate, curl_rate) = bulk;
    let mut out = String::new();
    let _ = writeln!(out, "# Benchmarks\n");
    let _ = writeln!(
        out,
        "Written by `cargo xtask bench`: the `zoho-crm` CLI (release build) against curl, on one\nmachine in one run, alternating, against the test kit's loopback server on 127.0.0.1.\nMedians of {} runs per side for (a) and (c), {} for (b).\n",
        options.runs, options.bulk_runs
    );
    let _ = writeln!(out, "## Machine\n\n{}\n", machine());
    let _ = writeln!(out, "## Results\n");
    let _ = writeln!(out, "| benchmark | zoho-crm | curl | ratio | target |");
    let _ = writeln!(out, "|---|---|---|---|---|");
    let _ = writeln!(
        out,
        "| (a) 100 MiB upload, wall | {up_wall:.3} s | {curl_up_wall:.3} s | {:.2}x | <= 1.2x: {} |",
        up_wall / curl_up_wall,
        verdict(up_wall <= 1.2 * curl_up_wall)
    );
    let _ = writeln!(
        out,
        "| (a) 100 MiB upload, peak RSS | {:.1} MiB | {:.1} MiB | {:.2}x | <= 2x: {} |",
        up_rss / 1024.0,
        curl_up_rss / 1024.0,
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
    let _ = writeln!(
        out,
        "| (c) 100 MiB download, wall | {down_wall:.3} s | {curl_down_wall:.3} s | {:.2}x | <= 1.2x: {} |",
        down_wall / curl_down_wall,
        verdict(down_wall <= 1.2 * curl_down_wall)
    );
    let _ = writeln!(
        out,
        "| (c) 100 MiB download, peak RSS | {:.1} MiB | {:.1} MiB | {:.2}x | < 32 MiB: {} |",
        down_rss / 1024.0,
        curl_down_rss / 1024.0,
        down_rss / curl_down_rss,
        verdict(down_rss < 32.0 * 1024.0)
    );
    let _ = writeln!(
        out,
        "| (d) `cargo xtask gen --check` (both specs) | {:.0} ms | | | |",
        generation * 1000.0
    );
    let _ = writeln!(out, "\n## Commands\n");
    let _ = writeln!(
        out,
        "- (a) `zoho-crm --api-base URL --token T --quiet upload --module Leads --record ID FILE` vs `curl -sS -f -o /dev/null -X POST URL/crm/v2/Leads/ID/Attachments -H 'Authorization: Zoho-oauthtoken T' -F file=@FILE`"
    );
    let _ = writeln!(
        out,
        "- (b) `zoho-crm ... upload-many --manifest M.csv --concurrency 8 --journal J` vs `xargs -P8 -I{{}} curl -sS -f -o /dev/null -X POST URL -H ... -F file=@{{}} < files.txt`; a fresh journal each run"
    );
    let _ = writeln!(
        out,
        "- (c) `zoho-crm ... download --module Leads --record ID --id AID -o OUT` vs `curl -sS -f -o OUT -H ... URL/AID`; both copies checked byte for byte"
    );
    let _ = writeln!(
        out,
        "- (d) `cargo xtask gen --check`: cargo's up-to-date check, then load, validate and emit both specs and compare with the tree"
    );
    let _ = writeln!(
        out,
        "\nWall time is measured around each command; peak RSS comes from `/usr/bin/time -v`."
    );
    out
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

fn write_random(path: &Path, len: usize, seed: u64) -> Result<(), String> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).map_err(|e| e.to_string())?);
    let mut block = [0u8; 8192];
    let mut remaining = len;
    while remaining > 0 {
        for chunk in block.chunks_mut(8) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            chunk.copy_from_slice(&state.to_le_bytes()[..chunk.len()]);
        }
        let take = remaining.min(block.len());
        out.write_all(&block[..take]).map_err(|e| e.to_string())?;
        remaining -= take;
    }
    out.flush().map_err(|e| e.to_string())
}

fn same_file(a: &Path, b: &Path) -> Result<(), String> {
    let (left, right) = (std::fs::read(a), std::fs::read(b));
    match (left, right) {
        (Ok(left), Ok(right)) if left == right => Ok(()),
        _ => Err(format!("{} differs from {}", b.display(), a.display())),
    }
}
