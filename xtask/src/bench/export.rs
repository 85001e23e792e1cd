//! (h) the export, `zoho-crm download-many`, against a plain loopback server: many small
//! files from many records against a shell loop (curl lists each record, `jq` or a
//! grep/cut pipeline takes the ids, `xargs -P8 curl` downloads them), alternating; the same
//! records exported with their photos and file-upload fields too (seeded by [`super::seed`]),
//! against the attachments-only export of the same run; then the peak RSS of exporting about
//! 1 GiB in 100 files (and a fifth of it, to see whether it grows with the bytes), against
//! curl's for one of those files.
//! Every run's files are counted and measured, and the CLI's `--json` summary checked. Each
//! CLI side's dry run, before the runs, gives the calls and credits its runs' accounts (and
//! the server's count around each run) are compared with.

use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

use super::files::{count_files, write, write_random};
use super::manifest::FIRST_RECORD;
use super::plain::first_listed_id;
use super::seed::{self, FIELDS};
use super::spend::{Estimate, SpendRow, Spent, summary_of, tail};
use super::stats::StatsReader;
use super::{MIB, Tools, cli_args, collection, curl_auth};
use crate::loopback::LoopbackProcess;
use crate::measure::{Finished, exit_text, measure, median, run_measured};

/// Files per record of the small export (one page of a listing: the server pages at 200).
pub(super) const PER_RECORD: usize = 20;
const _: () = assert!(PER_RECORD <= 200);
/// The size of each small file.
pub(super) const SMALL_SIZE: usize = 10 * 1024;
/// The concurrency of every export, and the `-P` of the shell loop.
pub(super) const CONCURRENCY: usize = 8;
/// Files of the big export.
pub(super) const BIG_FILES: usize = 100;
/// Records of the big export (files spread evenly).
pub(super) const BIG_RECORDS: usize = 10;
/// Records of the big export's partial run, to see whether the peak RSS grows with the bytes.
pub(super) const PART_RECORDS: usize = 2;
const _: () = assert!(PART_RECORDS <= BIG_RECORDS);
/// The big export's records are [`FIRST_RECORD`] plus this plus 0, 1...
const BIG_RECORD_OFFSET: u64 = 100_000;
/// Runs of the big export.
pub(super) const BIG_RUNS: usize = 2;
/// The big export's target: its peak RSS under this many MiB.
pub(super) const RSS_LIMIT_MIB: f64 = 64.0;
/// Disk kept free beyond what the big export needs.
const DISK_MARGIN: u64 = 512 * MIB as u64;

/// What (h) measured.
pub(super) struct ExportResults {
    /// Files of the small export.
    pub files: usize,
    /// Records they belong to.
    pub records: usize,
    /// Runs of each side.
    pub runs: usize,
    /// Median files per second of the CLI, then of the shell loop.
    pub rates: (f64, f64),
    /// The export of the same records with their photos and field files.
    pub full: FullResults,
    /// Median peak RSS of the CLI in the small export, KiB.
    pub small_rss_kib: f64,
    /// What took the ids out of the listings: `jq` or a grep/cut pipeline.
    pub extractor: &'static str,
    /// The big export.
    pub big: BigResults,
    /// What the checks found wrong (empty: every run saved every file, complete).
    pub problems: Vec<String>,
    /// The dry run's estimate and what each run spent: attachments only, then with photos
    /// and field files.
    pub spend: [SpendRow; 2],
    /// `verify --export` of each attachments-only export against `sha256sum -c` of its files.
    pub verify: VerifyResults,
}

/// What checking the small export measured: `zoho-crm verify --export`, then `sha256sum -c`
/// of a list made from its index.
pub(super) struct VerifyResults {
    /// Median wall time, seconds.
    pub walls: (f64, f64),
    /// Median peak RSS, KiB.
    pub rss_kib: (f64, f64),
    /// The calls one verify made (its listings).
    pub calls: i64,
}

/// What the export with photos and field files measured, against the attachments-only
/// export of the same runs.
pub(super) struct FullResults {
    /// Files it saves: the attachments, a photo and the field files of each record.
    pub files: usize,
    /// Median wall time, seconds, of the attachments-only export, then of this one.
    pub walls: (f64, f64),
    /// Median files per second of this one.
    pub rate: f64,
}

/// What the big export measured.
pub(super) struct BigResults {
    /// Files.
    pub files: usize,
    /// Bytes of each file.
    pub file_size: u64,
    /// Median wall time, seconds.
    pub wall: f64,
    /// Median peak RSS, KiB.
    pub rss_kib: f64,
    /// Files of the partial export (the first [`PART_RECORDS`] records).
    pub part_files: usize,
    /// Its median peak RSS, KiB.
    pub part_rss_kib: f64,
    /// curl's peak RSS downloading one of the files, KiB.
    pub curl_rss_kib: f64,
}

impl BigResults {
    /// Bytes exported per run.
    pub fn bytes(&self) -> u64 {
        self.file_size * self.files as u64
    }
}

/// Runs (h) against the plain `server`.
pub(super) fn run(
    tools: &Tools,
    server: &LoopbackProcess,
    options: &super::Options,
) -> Result<ExportResults, String> {
    let dir = tools.work.join("export");
    make_dir(&dir)?;
    let mut problems = Vec::new();

    // The small export: upload, then alternate the CLI and the shell loop.
    let files = options.export_files;
    let records: Vec<u64> = (0..files.div_ceil(PER_RECORD) as u64)
        .map(|i| FIRST_RECORD + i)
        .collect();
    eprintln!(
        "(h) uploading {files} files of {SMALL_SIZE} bytes to {} records...",
        records.len()
    );
    let source = dir.join("small-source");
    make_dir(&source)?;
    let mut upload = String::from("module,record_id,path\n");
    for index in 0..files {
        let path = source.join(format!("f{index:05}.bin"));
        write_random(&path, SMALL_SIZE, 200_000 + index as u64)?;
        let record = records[index / PER_RECORD];
        let _ = writeln!(upload, "Leads,{record},{}", path.display());
    }
    upload_all(tools, server, &dir.join("small-upload.csv"), &upload, files)?;
    remove_dir(&source);
    eprintln!(
        "(h) seeding {} records with a photo and {} field files each...",
        records.len(),
        seed::files_per_record() - 1
    );
    seed::seed(server, &dir.join("seed"), &records, SMALL_SIZE)?;
    let full_files = files + records.len() * seed::files_per_record();
    let manifest = dir.join("records.csv");
    write_records(&manifest, &records)?;

    let extractor = if has_jq() { "jq" } else { "grep/cut" };
    let listed: Vec<String> = records.iter().map(u64::to_string).collect();
    let script = shell_loop(
        &collection(server, "$r"),
        &curl_auth(server),
        &listed.join(" "),
        extractor == "jq",
    );
    let (mut cli_rates, mut shell_rates, mut cli_rss) = (Vec::new(), Vec::new(), Vec::new());
    let (mut cli_walls, mut full_walls, mut full_rates) = (Vec::new(), Vec::new(), Vec::new());
    let mut verify_runs: Vec<[f64; 5]> = Vec::new();
    let field_names: Vec<&str> = FIELDS.iter().map(|(name, _)| *name).collect();
    let full_args = ["--fields", &field_names.join(",")];
    let stats = StatsReader::new(server)?;
    // Each CLI side's dry run (which spends its listings), with the first run's paths.
    let mut spend = [
        dry_run(
            (tools, server, &stats),
            (&manifest, &dir, "cli"),
            &ATTACHMENTS_ONLY,
            format!(
                "(h) download-many of {} records, attachments only",
                records.len()
            ),
        )?,
        dry_run(
            (tools, server, &stats),
            (&manifest, &dir, "full"),
            &full_args,
            format!(
                "(h) the same with photos and {} field files each",
                seed::files_per_record() - 1
            ),
        )?,
    ];
    for run in 0..options.export_runs {
        let out = dir.join(format!("cli-{run}"));
        let journal = dir.join(format!("cli-{run}.journal"));
        let (finished, seen) = stats.around(|| {
            export(
                tools,
                server,
                (&manifest, &out, &journal),
                &ATTACHMENTS_ONLY,
            )
        })?;
        spend[0]
            .runs
            .push(Spent::parse(&finished.stdout, seen.requests));
        cli_rates.push(files as f64 / finished.run.wall);
        cli_walls.push(finished.run.wall);
        cli_rss.push(finished.run.rss_kib as f64);
        let expected = (files, SMALL_SIZE as u64);
        check_cli(
            &finished,
            &out,
            expected,
            &format!("CLI run {}", run + 1),
            &mut problems,
        );
        let checked = verify(tools, server, &out, files, run, &mut problems)?;
        verify_runs.push(checked);
        remove_dir(&out);
        let _ = std::fs::remove_file(&journal);

        let out = dir.join(format!("full-{run}"));
        let journal = dir.join(format!("full-{run}.journal"));
        let (finished, seen) =
            stats.around(|| export(tools, server, (&manifest, &out, &journal), &full_args))?;
        spend[1]
            .runs
            .push(Spent::parse(&finished.stdout, seen.requests));
        full_rates.push(full_files as f64 / finished.run.wall);
        full_walls.push(finished.run.wall);
        check_cli(
            &finished,
            &out,
            (full_files, SMALL_SIZE as u64),
            &format!("CLI run {} with photos and fields", run + 1),
            &mut problems,
        );
        remove_dir(&out);
        let _ = std::fs::remove_file(&journal);

        let out = dir.join(format!("shell-{run}"));
        let args = [
            "-c".to_owned(),
            script.clone(),
            "sh".to_owned(),
            out.to_string_lossy().into_owned(),
        ];
        let finished = run_measured(Path::new("sh"), &args, &tools.work, &[])?;
        shell_rates.push(files as f64 / finished.run.wall);
        let what = format!("shell run {}", run + 1);
        if !finished.success() {
            problems.push(format!(
                "{what} failed ({}): {}",
                exit_text(finished.code),
                tail(&finished.stderr_tail)
            ));
        }
        check_files(&out, expected, &what, &mut problems);
        remove_dir(&out);
        eprintln!("(h) run {} of {} done", run + 1, options.export_runs);
    }

    let big = big_export(tools, server, &dir, options.export_big_mib, &mut problems)?;
    remove_dir(&dir);
    Ok(ExportResults {
        files,
        records: records.len(),
        runs: options.export_runs,
        rates: (median(cli_rates), median(shell_rates)),
        full: FullResults {
            files: full_files,
            walls: (median(cli_walls), median(full_walls)),
            rate: median(full_rates),
        },
        small_rss_kib: median(cli_rss),
        extractor,
        big,
        problems,
        spend,
        verify: VerifyResults {
            walls: (
                median(verify_runs.iter().map(|v| v[0]).collect()),
                median(verify_runs.iter().map(|v| v[1]).collect()),
            ),
            rss_kib: (
                median(verify_runs.iter().map(|v| v[2]).collect()),
                median(verify_runs.iter().map(|v| v[3]).collect()),
            ),
            calls: verify_runs.first().map_or(0, |v| v[4] as i64),
        },
    })
}

/// Checks the export `out` of `files` files twice, in turns by `run`: `zoho-crm verify
/// --export` (which lists every record) and `sha256sum -c --quiet` of a list made from the
/// export's index. Returns both walls, both peak RSS (KiB) and the calls verify made; what
/// failed goes to `problems`.
fn verify(
    tools: &Tools,
    server: &LoopbackProcess,
    out: &Path,
    files: usize,
    run: usize,
    problems: &mut Vec<String>,
) -> Result<[f64; 5], String> {
    let index = std::fs::read_to_string(out.join("index.csv"))
        .map_err(|e| format!("(h) no index.csv in {}: {e}", out.display()))?;
    let mut sums = String::new();
    for line in index.lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        // sha256 and path; the bench's names need no CSV quoting.
        if let (Some(sha), Some(path)) = (cells.get(6), cells.get(7)) {
            let _ = writeln!(sums, "{sha}  {path}");
        }
    }
    let list = out.join("SHA256SUMS");
    std::fs::write(&list, sums).map_err(|e| e.to_string())?;
    let verify_args = cli_args(
        server,
        &["--json", "verify", "--export", &out.to_string_lossy()],
    );
    let sha_args = [
        "-c".to_owned(),
        "--quiet".to_owned(),
        "SHA256SUMS".to_owned(),
    ];
    let measure_verify = || run_measured(&tools.cli, &verify_args, &tools.work, &[]);
    let measure_sha = || run_measured(Path::new("sha256sum"), &sha_args, out, &[]);
    let (verified, summed) = if run.is_multiple_of(2) {
        let v = measure_verify()?;
        (v, measure_sha()?)
    } else {
        let s = measure_sha()?;
        (measure_verify()?, s)
    };
    let summary = verified
        .stdout
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .find(|line| line.get("summary").is_some());
    let equal = number(summary.as_ref(), "equal");
    if !verified.success() || equal != Some(files as i64) {
        problems.push(format!(
            "verify of run {} said {} equal of {files} ({})",
            run + 1,
            equal.unwrap_or(-1),
            exit_text(verified.code)
        ));
    }
    if !summed.success() {
        problems.push(format!(
            "sha256sum -c of run {} failed ({}): {}",
            run + 1,
            exit_text(summed.code),
            tail(&summed.stderr_tail)
        ));
    }
    Ok([
        verified.run.wall,
        summed.run.wall,
        verified.run.rss_kib as f64,
        summed.run.rss_kib as f64,
        number(summary.as_ref(), "calls").unwrap_or(0) as f64,
    ])
}

/// The big export: [`BIG_FILES`] files making `mib` MiB in all, over [`BIG_RECORDS`]
/// records, exported [`BIG_RUNS`] times, alternating with an export of its first
/// [`PART_RECORDS`] records; and curl downloading one of the files.
fn big_export(
    tools: &Tools,
    server: &LoopbackProcess,
    dir: &Path,
    mib: usize,
    problems: &mut Vec<String>,
) -> Result<BigResults, String> {
    let file_size = (mib * MIB / BIG_FILES) as u64;
    let total = file_size * BIG_FILES as u64;
    // The server's copies (under TMPDIR) and one export's (under the scratch folder).
    let needed = 2 * total + DISK_MARGIN;
    for path in [tools.work.clone(), std::env::temp_dir()] {
        let free = free_bytes(&path)?;
        if free < needed {
            return Err(format!(
                "(h) needs {} MiB free in {} for the {mib} MiB export, only {} MiB are (try a smaller --export-big-mib)",
                needed / MIB as u64,
                path.display(),
                free / MIB as u64
            ));
        }
    }
    eprintln!("(h) uploading {BIG_FILES} files of {file_size} bytes ({mib} MiB)...");
    let source = dir.join("big-source");
    make_dir(&source)?;
    // One file's content, hard-linked under every name: the upload reads 1 GiB from 10 MiB.
    let content = source.join("content.bin");
    write_random(&content, file_size as usize, 300_000)?;
    let records: Vec<u64> = (0..BIG_RECORDS as u64)
        .map(|i| FIRST_RECORD + BIG_RECORD_OFFSET + i)
        .collect();
    let mut upload = String::from("module,record_id,path\n");
    for index in 0..BIG_FILES {
        let path = source.join(format!("big-{index:03}.bin"));
        std::fs::hard_link(&content, &path)
            .map_err(|e| format!("cannot link {}: {e}", path.display()))?;
        let record = records[index % BIG_RECORDS];
        let _ = writeln!(upload, "Leads,{record},{}", path.display());
    }
    upload_all(
        tools,
        server,
        &dir.join("big-upload.csv"),
        &upload,
        BIG_FILES,
    )?;
    remove_dir(&source);

    // curl's peak RSS for one file, as a reference.
    let record = records[0].to_string();
    let listed = measure(
        &tools.cli,
        &cli_args(
            server,
            &[
                "--json", "list", "--module", "Leads", "--record", &record, "--all",
            ],
        ),
        &tools.work,
    )?
    .1;
    let id = first_listed_id(&listed).ok_or("(h) the CLI listed no big attachment")?;
    let one = dir.join("curl-one.bin");
    let curl_args: Vec<String> = [
        "-sS".to_owned(),
        "-f".to_owned(),
        "-o".to_owned(),
        one.to_string_lossy().into_owned(),
        "-H".to_owned(),
        curl_auth(server),
        format!("{}/{id}", collection(server, &record)),
    ]
    .into();
    let curl_rss_kib = measure(&tools.curl, &curl_args, &tools.work)?.0.rss_kib as f64;
    let got = std::fs::metadata(&one).map_or(0, |m| m.len());
    if got != file_size {
        problems.push(format!(
            "curl's copy of one big file has {got} bytes, not {file_size}"
        ));
    }
    let _ = std::fs::remove_file(&one);

    // Every record, then the first [`PART_RECORDS`] (a fifth of the bytes), alternating.
    let manifest = dir.join("big-records.csv");
    write_records(&manifest, &records)?;
    let part = dir.join("big-records-part.csv");
    write_records(&part, &records[..PART_RECORDS])?;
    let part_files = BIG_FILES / BIG_RECORDS * PART_RECORDS;
    let (mut walls, mut rss, mut part_rss) = (Vec::new(), Vec::new(), Vec::new());
    for run in 0..BIG_RUNS {
        for (manifest, files, name) in [(&manifest, BIG_FILES, "big"), (&part, part_files, "part")]
        {
            let out = dir.join(format!("{name}-{run}"));
            let journal = dir.join(format!("{name}-{run}.journal"));
            let finished = export(tools, server, (manifest, &out, &journal), &ATTACHMENTS_ONLY)?;
            if files == BIG_FILES {
                walls.push(finished.run.wall);
                rss.push(finished.run.rss_kib as f64);
            } else {
                part_rss.push(finished.run.rss_kib as f64);
            }
            let what = format!("{name} CLI run {}", run + 1);
            check_cli(&finished, &out, (files, file_size), &what, problems);
            remove_dir(&out);
            let _ = std::fs::remove_file(&journal);
        }
        eprintln!("(h) big run {} of {BIG_RUNS} done", run + 1);
    }
    Ok(BigResults {
        files: BIG_FILES,
        file_size,
        wall: median(walls),
        rss_kib: median(rss),
        part_files,
        part_rss_kib: median(part_rss),
        curl_rss_kib,
    })
}

/// The dry run of an export with `extra` options, with the paths of the first run named
/// `name` in `dir`: the estimate of the row `row`.
fn dry_run(
    (tools, server, stats): (&Tools, &LoopbackProcess, &StatsReader),
    (manifest, dir, name): (&Path, &Path, &str),
    extra: &[&str],
    row: String,
) -> Result<SpendRow, String> {
    let (out, journal) = (
        dir.join(format!("{name}-0")),
        dir.join(format!("{name}-0.journal")),
    );
    let mut args = extra.to_vec();
    args.push("--dry-run");
    let (finished, seen) =
        stats.around(|| export(tools, server, (manifest, &out, &journal), &args))?;
    if !finished.success() {
        return Err(format!(
            "(h) the dry run for `{row}` failed ({}): {}",
            exit_text(finished.code),
            tail(&finished.stderr_tail)
        ));
    }
    Ok(SpendRow::new(
        row,
        Estimate::parse(&finished.stdout, seen.requests)?,
    ))
}

/// The options of an export of attachments only (the records have photos and field files).
const ATTACHMENTS_ONLY: [&str; 2] = ["--include", "attachments"];

/// `zoho-crm ... --json download-many` of `manifest` into the new folder `out`, with
/// `extra` options, measured.
fn export(
    tools: &Tools,
    server: &LoopbackProcess,
    (manifest, out, journal): (&Path, &Path, &Path),
    extra: &[&str],
) -> Result<Finished, String> {
    let (manifest, out, journal) = (
        manifest.to_string_lossy(),
        out.to_string_lossy(),
        journal.to_string_lossy(),
    );
    let concurrency = CONCURRENCY.to_string();
    let mut args = cli_args(
        server,
        &[
            "--json",
            "download-many",
            "--manifest",
            &manifest,
            "--output",
            &out,
            "--concurrency",
            &concurrency,
            "--journal",
            &journal,
        ],
    );
    args.extend(extra.iter().map(|arg| (*arg).to_owned()));
    run_measured(&tools.cli, &args, &tools.work, &[])
}

/// The shell loop: for each record, curl lists it, the ids are taken out (with `jq` or
/// grep/cut), and each id becomes a line `OUT/RECORD/ID URL` for `xargs -P8 -n2 curl -o`,
/// all in one pipeline. `collection` is a record's attachments URL with `$r` for the record;
/// `records` the records, separated by spaces; `$1` is the output folder.
pub(super) fn shell_loop(collection: &str, auth: &str, records: &str, jq: bool) -> String {
    let ids = if jq {
        "jq -r '.data[].id'"
    } else {
        r#"grep -o '"id":"[^"]*"' | cut -d'"' -f4"#
    };
    format!(
        "for r in {records}; do curl -sS -f -H '{auth}' \"{collection}?fields=id,File_Name&per_page=200\" | {ids} | while read -r id; do echo \"$1/$r/$id {collection}/$id\"; done; done | xargs -P{CONCURRENCY} -n2 curl -sS -f --create-dirs -H '{auth}' -o",
    )
}

/// Uploads with `upload-many` the manifest `text` (written to `path`), which has `files`
/// lines, and fails unless the summary says all were uploaded.
fn upload_all(
    tools: &Tools,
    server: &LoopbackProcess,
    path: &Path,
    text: &str,
    files: usize,
) -> Result<(), String> {
    write(path, text.as_bytes())?;
    let manifest = path.to_string_lossy();
    let journal = path.with_extension("journal");
    let journal = journal.to_string_lossy();
    let concurrency = CONCURRENCY.to_string();
    let args = cli_args(
        server,
        &[
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
    let (_, out) = measure(&tools.cli, &args, &tools.work)?;
    let summary = summary_of(&out);
    if number(summary.as_ref(), "uploaded") != Some(files as i64) {
        return Err(format!(
            "(h) uploading {files} files: upload-many said {}",
            summary.map_or_else(|| tail(&out), |s| s.to_string())
        ));
    }
    Ok(())
}

/// Writes the export manifest: `module,record_id`, one Leads record a line.
fn write_records(path: &Path, records: &[u64]) -> Result<(), String> {
    let mut text = String::from("module,record_id\n");
    for record in records {
        let _ = writeln!(text, "Leads,{record}");
    }
    write(path, text.as_bytes())
}

/// Checks a CLI run: it exited 0, its summary says `files` files and nothing failed, and
/// `out/Leads` holds that many files of `size` bytes.
fn check_cli(
    finished: &Finished,
    out: &Path,
    (files, size): (usize, u64),
    what: &str,
    problems: &mut Vec<String>,
) {
    if !finished.success() {
        problems.push(format!(
            "{what} failed ({}): {}",
            exit_text(finished.code),
            tail(&finished.stderr_tail)
        ));
    }
    let summary = summary_of(&finished.stdout);
    let said = |name: &str| number(summary.as_ref(), name);
    if said("files") != Some(files as i64)
        || said("failed") != Some(0)
        || said("records_failed") != Some(0)
    {
        problems.push(format!(
            "{what}: the summary should say {files} files and 0 failed; it said {}",
            summary.map_or_else(|| tail(&finished.stdout), |s| s.to_string())
        ));
    }
    check_files(&out.join("Leads"), (files, size), what, problems);
}

/// Checks that `dir` holds `files` files of `size` bytes each.
fn check_files(dir: &Path, (files, size): (usize, u64), what: &str, problems: &mut Vec<String>) {
    match count_files(dir) {
        Ok((count, bytes)) if count == files && bytes == files as u64 * size => {}
        Ok((count, bytes)) => problems.push(format!(
            "{what} saved {count} files of {bytes} bytes in all, not {files} of {size} bytes"
        )),
        Err(e) => problems.push(format!("{what}: {e}")),
    }
}

/// A whole number in a summary.
fn number(summary: Option<&serde_json::Value>, name: &str) -> Option<i64> {
    summary
        .and_then(|s| s.get(name))
        .and_then(serde_json::Value::as_i64)
}

/// Whether `jq` runs.
fn has_jq() -> bool {
    Command::new("jq")
        .arg("--version")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

/// Bytes free for an ordinary user on the file system holding `path`, from `df -Pk`.
fn free_bytes(path: &Path) -> Result<u64, String> {
    let output = Command::new("df")
        .arg("-Pk")
        .arg(path)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run df: {e}"))?;
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .nth(1)
        .and_then(|line| line.split_whitespace().nth(3))
        .and_then(|kib| kib.parse::<u64>().ok())
        .map(|kib| kib * 1024)
        .ok_or_else(|| format!("cannot read df's free space for {}", path.display()))
}

fn make_dir(path: &Path) -> Result<(), String> {
    std::fs::create_dir_all(path).map_err(|e| format!("cannot make {}: {e}", path.display()))
}

/// Removes a folder and what it holds, ignoring errors (the scratch folder goes at the end).
fn remove_dir(path: &Path) {
    let _ = std::fs::remove_dir_all(path);
}

#[cfg(test)]
mod tests {
    use super::shell_loop;

    #[test]
    fn the_shell_loop_lists_each_record_and_downloads_each_id() {
        let collection = "http://127.0.0.1:1/crm/v2/Leads/$r/Attachments";
        let script = shell_loop(collection, "Authorization: Zoho-oauthtoken t", "1 2", true);
        assert!(script.starts_with("for r in 1 2; do curl -sS -f -H 'Authorization: Zoho-oauthtoken t' \"http://127.0.0.1:1/crm/v2/Leads/$r/Attachments?fields=id,File_Name&per_page=200\" | jq -r '.data[].id' |"));
        assert!(
            script
                .contains("echo \"$1/$r/$id http://127.0.0.1:1/crm/v2/Leads/$r/Attachments/$id\"")
        );
        assert!(script.ends_with(
            "| xargs -P8 -n2 curl -sS -f --create-dirs -H 'Authorization: Zoho-oauthtoken t' -o"
        ));
        let script = shell_loop(collection, "A: b", "1", false);
        assert!(script.contains(r#"| grep -o '"id":"[^"]*"' | cut -d'"' -f4 |"#));
    }
}
