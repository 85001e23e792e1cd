//! `cargo xtask bench`: the CLI against curl on the loopback server, in one run, alternating,
//! and `cargo xtask gen`; writes BENCHMARKS.md with the machine, the commands and the medians.
//!
//! This file holds the options and the order of the runs; each group of measurements has its
//! own module: `plain` (a)-(c) over plain HTTP, `tls` (e) over HTTPS, `cap` (f) on the
//! organisation's concurrency cap, `manifest` (g) a big manifest, `export` (h) the export
//! with `download-many` (its records' photos and field files seeded by `seed`), `pacing` (i)
//! `--rate` and `--bwlimit`; `spend` reads the dry runs' estimates of calls and credits and
//! the runs' accounts of (b), (f) and (h); `report` writes the file, `stats` reads the
//! server's counts and `files` makes the test files. `--only export` runs (h) alone and puts
//! its section (and its rows of calls and credits) into the BENCHMARKS.md there is.
//! `--baseline-cli PATH` runs (b) with another `zoho-crm` too, in turns with the current one.

mod cap;
mod export;
mod files;
mod manifest;
mod pacing;
mod plain;
mod report;
mod seed;
mod spend;
mod stats;
mod tls;

use std::ffi::OsStr;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::loopback::{Build, LoopbackProcess, build_cli_and_server};
use crate::measure::{measure, median};

/// The record the single-file benchmarks attach to.
const RECORD: &str = "3477061000005177002";
const MIB: usize = 1024 * 1024;
/// The token every benchmark server accepts.
const TOKEN: &str = "bench-token";

/// Options for a benchmark run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// Runs of each side of (a), (c) and (e), and of the dry runs and re-runs of (g).
    pub runs: usize,
    /// Runs of each side of (b).
    pub bulk_runs: usize,
    /// Files in (b).
    pub bulk_files: usize,
    /// Runs of each side of (f).
    pub cap_runs: usize,
    /// Files in (f).
    pub cap_files: usize,
    /// Lines of the big manifest in (g) (at least 10: its 10% manifest needs one).
    pub manifest_lines: usize,
    /// Runs of each side of (h)'s small export.
    pub export_runs: usize,
    /// Files of (h)'s small export (20 a record).
    pub export_files: usize,
    /// MiB of (h)'s big export (in 100 files).
    pub export_big_mib: usize,
    /// Run (h) alone (`--only export`) and update its section of BENCHMARKS.md.
    pub only_export: bool,
    /// Another `zoho-crm` binary (`--baseline-cli`) to run (b) with too, alternating with the
    /// current one: the CLI before the accounting, to measure what counting costs.
    pub baseline_cli: Option<PathBuf>,
    /// The commit that binary was built from (`--baseline-commit`), named in the report.
    pub baseline_commit: Option<String>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            runs: 5,
            bulk_runs: 3,
            bulk_files: 1000,
            cap_runs: 3,
            cap_files: 1000,
            manifest_lines: 100_000,
            export_runs: 3,
            export_files: 1000,
            export_big_mib: 1024,
            only_export: false,
            baseline_cli: None,
            baseline_commit: None,
        }
    }
}

impl Options {
    /// The usage line of `cargo xtask bench`.
    pub const USAGE: &'static str = "cargo xtask bench [--runs N] [--bulk-runs N] [--bulk-files N] [--cap-runs N] [--cap-files N] [--manifest-lines N] [--export-runs N] [--export-files N] [--export-big-mib N] [--only export] [--baseline-cli PATH [--baseline-commit REV]]";

    /// Parses the arguments after `bench`. `--bulk-runs` defaults to `--runs` but at most 3.
    /// `--baseline-commit` only names the binary of `--baseline-cli`, which measures (b), so
    /// it needs that option and cannot go with `--only export`.
    pub fn parse(args: &[&str]) -> Result<Options, String> {
        let mut options = Options::default();
        let mut bulk_runs = None;
        let mut args = args.iter();
        while let Some(flag) = args.next() {
            let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
            if *flag == "--only" {
                if *value != "export" {
                    return Err(format!("--only takes `export`, not `{value}`"));
                }
                options.only_export = true;
                continue;
            }
            if *flag == "--baseline-cli" {
                options.baseline_cli = Some(PathBuf::from(value));
                continue;
            }
            if *flag == "--baseline-commit" {
                options.baseline_commit = Some((*value).to_owned());
                continue;
            }
            let number = value
                .parse::<usize>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| format!("{flag} needs a positive whole number, not `{value}`"))?;
            match *flag {
                "--runs" => options.runs = number,
                "--bulk-runs" => bulk_runs = Some(number),
                "--bulk-files" => options.bulk_files = number,
                "--cap-runs" => options.cap_runs = number,
                "--cap-files" => options.cap_files = number,
                "--manifest-lines" if number < 10 => {
                    return Err("--manifest-lines needs at least 10 lines".into());
                }
                "--manifest-lines" => options.manifest_lines = number,
                "--export-runs" => options.export_runs = number,
                "--export-files" => options.export_files = number,
                "--export-big-mib" => options.export_big_mib = number,
                other => return Err(format!("unknown option `{other}`")),
            }
        }
        options.bulk_runs = bulk_runs.unwrap_or(options.runs.min(3));
        if options.baseline_commit.is_some() && options.baseline_cli.is_none() {
            return Err("--baseline-commit names the binary of --baseline-cli; give both".into());
        }
        if options.baseline_cli.is_some() && options.only_export {
            return Err("--baseline-cli measures (b), which --only export does not run".into());
        }
        Ok(options)
    }
}

/// The programs and the scratch folder every measurement uses.
struct Tools {
    /// The release `zoho-crm`.
    cli: PathBuf,
    /// curl, from the `PATH`.
    curl: PathBuf,
    /// The release `loopback-server`.
    server: PathBuf,
    /// A temporary folder, removed at the end.
    work: PathBuf,
    /// `--baseline-cli`: the other `zoho-crm`, run in (b) too.
    baseline: Option<BaselineCli>,
}

/// The binary of `--baseline-cli` and what the report calls it.
struct BaselineCli {
    /// The binary.
    cli: PathBuf,
    /// "commit abc1234" (from `--baseline-commit`) or its path.
    label: String,
}

impl BaselineCli {
    /// Checks that `cli` runs (`--version`) and names it by `commit`, resolved with git in
    /// `root` to a short hash, else by its path.
    fn new(root: &Path, cli: &Path, commit: Option<&str>) -> Result<BaselineCli, String> {
        let ran = Command::new(cli)
            .arg("--version")
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("cannot run --baseline-cli {}: {e}", cli.display()))?;
        if !ran.status.success() {
            return Err(format!(
                "--baseline-cli {} --version failed: {}",
                cli.display(),
                String::from_utf8_lossy(&ran.stderr).trim()
            ));
        }
        let label = match commit {
            None => format!("`{}`", cli.display()),
            Some(commit) => {
                let resolved = Command::new("git")
                    .current_dir(root)
                    .args(["rev-parse", "--short=7", "--verify", "--end-of-options"])
                    .arg(format!("{commit}^{{commit}}"))
                    .stdin(Stdio::null())
                    .output()
                    .map_err(|e| format!("cannot run git: {e}"))?;
                if !resolved.status.success() {
                    return Err(format!(
                        "--baseline-commit {commit}: git knows no such commit"
                    ));
                }
                format!(
                    "commit {}",
                    String::from_utf8_lossy(&resolved.stdout).trim()
                )
            }
        };
        Ok(BaselineCli {
            cli: cli.to_path_buf(),
            label,
        })
    }
}

/// The CLI's arguments for `server`: `--api-base URL --token T --quiet`, then `rest`.
fn cli_args(server: &LoopbackProcess, rest: &[&str]) -> Vec<String> {
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
}

/// The CLI's environment for `server`: `SSL_CERT_FILE` naming its certificate, if it has one.
fn cli_env(server: &LoopbackProcess) -> Vec<(&'static str, &OsStr)> {
    server
        .cert
        .iter()
        .map(|cert| ("SSL_CERT_FILE", cert.as_os_str()))
        .collect()
}

/// curl's arguments to trust `server`: `--cacert CERT`, if it has a certificate.
fn curl_trust(server: &LoopbackProcess) -> Vec<String> {
    server
        .cert
        .iter()
        .flat_map(|cert| ["--cacert".to_owned(), cert.to_string_lossy().into_owned()])
        .collect()
}

/// The `Authorization` header curl sends to `server`.
fn curl_auth(server: &LoopbackProcess) -> String {
    format!("Authorization: Zoho-oauthtoken {}", server.token)
}

/// The attachments collection of a Leads `record` on `server`.
fn collection(server: &LoopbackProcess, record: &str) -> String {
    format!("{}/crm/v2/Leads/{record}/Attachments", server.base_url)
}

/// Runs every benchmark and writes `BENCHMARKS.md` under `root`.
pub fn run(root: &Path, options: &Options) -> Result<(), String> {
    eprintln!("building the CLI and the loopback server (release)...");
    let release = build_cli_and_server(root, Build::Release)?;
    let work = tempfile::tempdir().map_err(|e| format!("cannot make a scratch folder: {e}"))?;
    let baseline = match &options.baseline_cli {
        Some(cli) => Some(BaselineCli::new(
            root,
            cli,
            options.baseline_commit.as_deref(),
        )?),
        None => None,
    };
    let tools = Tools {
        cli: release.join("zoho-crm"),
        curl: PathBuf::from("curl"),
        server: release.join("loopback-server"),
        work: work.path().to_path_buf(),
        baseline,
    };
    if options.only_export {
        return only_export(root, &tools, options);
    }
    let big = tools.work.join("upload-100MiB.bin");
    files::write_random(&big, 100 * MIB, 1)?;

    let plain = {
        let server = LoopbackProcess::start(&tools.server, TOKEN)?;
        plain::run(&tools, &server, &big, options)?
    };
    let tls = {
        let server = LoopbackProcess::start_with(&tools.server, TOKEN, &["--tls"])?;
        tls::run(&tools, &server, &big, options.runs)?
    };
    eprintln!("(e) done");
    let cap = {
        let server = LoopbackProcess::start_with(&tools.server, TOKEN, &cap::SERVER_FLAGS)?;
        cap::run(&tools, &server, options)?
    };
    eprintln!("(f) done");
    let manifest = {
        let server = LoopbackProcess::start(&tools.server, TOKEN)?;
        manifest::run(&tools, &server, options)?
    };
    eprintln!("(g) done");
    let export = {
        let server = LoopbackProcess::start_with(&tools.server, TOKEN, &seed::SERVER_FLAGS)?;
        export::run(&tools, &server, options)?
    };
    eprintln!("(h) done");
    let pacing = {
        let server = LoopbackProcess::start(&tools.server, TOKEN)?;
        pacing::run(&tools, &server)?
    };
    eprintln!("(i) done");

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

    let results = report::Results {
        plain,
        generation,
        tls,
        cap,
        manifest,
        export,
        pacing,
        baseline: tools.baseline.as_ref().map(|b| b.label.clone()),
    };
    let text = report::render(options, &results);
    write_report(root, &text)?;
    print!("{text}");
    Ok(())
}

/// `--only export`: runs (h) and replaces its section, its command and its rows of the table
/// of calls and credits in BENCHMARKS.md (or adds them, before `## Commands` and after the
/// command of (g)), leaving the rest as it is.
fn only_export(root: &Path, tools: &Tools, options: &Options) -> Result<(), String> {
    let export = {
        let server = LoopbackProcess::start_with(&tools.server, TOKEN, &seed::SERVER_FLAGS)?;
        export::run(tools, &server, options)?
    };
    eprintln!("(h) done");
    let path = root.join("BENCHMARKS.md");
    let existing = std::fs::read_to_string(&path).unwrap_or_default();
    let section = report::export_section(&export, true);
    let command = report::export_command(&export);
    let rows: Vec<&spend::SpendRow> = export.spend.iter().collect();
    let spend = report::spend_section(&rows);
    match report::splice_export(&existing, &section, &command)
        .and_then(|text| report::splice_spend(&text, &rows))
    {
        Some(text) => {
            write_report(root, &text)?;
            print!("{section}{spend}\n{command}\n");
            Ok(())
        }
        None => {
            print!("{section}{spend}\n{command}\n");
            Err(format!(
                "{} has no `## Commands` section to put (h) into; run the whole `cargo xtask bench` once (the results are above)",
                path.display()
            ))
        }
    }
}

/// Writes `text` to BENCHMARKS.md under `root`.
fn write_report(root: &Path, text: &str) -> Result<(), String> {
    let path = root.join("BENCHMARKS.md");
    std::fs::File::create(&path)
        .and_then(|mut file| file.write_all(text.as_bytes()))
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::Options;

    #[test]
    fn options_have_defaults_and_flags() {
        assert_eq!(Options::parse(&[]), Ok(Options::default()));
        let parsed = Options::parse(&[
            "--runs",
            "1",
            "--cap-files",
            "200",
            "--manifest-lines",
            "10000",
        ]);
        assert_eq!(
            parsed,
            Ok(Options {
                runs: 1,
                bulk_runs: 1,
                cap_files: 200,
                manifest_lines: 10_000,
                ..Options::default()
            })
        );
        assert!(Options::parse(&["--runs"]).is_err());
        assert!(Options::parse(&["--runs", "0"]).is_err());
        assert!(Options::parse(&["--manifest-lines", "9"]).is_err());
        assert!(Options::parse(&["--fast", "1"]).is_err());
        assert_eq!(
            Options::parse(&["--only", "export", "--export-big-mib", "64"]),
            Ok(Options {
                only_export: true,
                export_big_mib: 64,
                ..Options::default()
            })
        );
        assert!(Options::parse(&["--only", "tls"]).is_err());
        assert!(Options::parse(&["--only"]).is_err());
    }

    #[test]
    fn a_baseline_cli_is_a_path_and_its_commit_a_name() {
        assert_eq!(
            Options::parse(&["--baseline-cli", "/old/zoho-crm", "--bulk-runs", "5"]),
            Ok(Options {
                bulk_runs: 5,
                baseline_cli: Some(PathBuf::from("/old/zoho-crm")),
                ..Options::default()
            })
        );
        assert_eq!(
            Options::parse(&["--baseline-commit", "93ca0a1^", "--baseline-cli", "old cli"]),
            Ok(Options {
                baseline_cli: Some(PathBuf::from("old cli")),
                baseline_commit: Some("93ca0a1^".to_owned()),
                ..Options::default()
            })
        );
        assert!(Options::parse(&["--baseline-cli"]).is_err());
        assert!(Options::parse(&["--baseline-commit", "93ca0a1^"]).is_err());
        assert!(Options::parse(&["--baseline-cli", "/old/zoho-crm", "--only", "export"]).is_err());
    }
}
