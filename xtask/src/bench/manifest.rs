//! (g) a big manifest: tiny files in folders of 1,000 and two manifests, of 10% and of all
//! the lines, against a plain loopback server. `upload-many --dry-run` of each (alternating,
//! to see whether checking grows linearly), one real upload of every line, then re-runs with
//! the same journal, which must find everything done and upload nothing.

use std::fmt::Write as _;
use std::path::Path;

use super::files::write;
use super::stats::StatsReader;
use super::{Tools, cli_args};
use crate::loopback::LoopbackProcess;
use crate::measure::{Run, measure, medians};

/// The first record id; line `i` attaches to this plus `i`.
pub(super) const FIRST_RECORD: u64 = 3_477_061_000_005_177_002;
/// Files per folder.
const FOLDER: usize = 1000;
/// The concurrency of the real upload.
pub(super) const CONCURRENCY: usize = 16;

/// What (g) measured.
pub(super) struct ManifestResults {
    /// Lines of the whole manifest.
    pub lines: usize,
    /// Lines of the 10% manifest.
    pub small_lines: usize,
    /// Median (wall s, peak RSS KiB) of the dry run of the 10% manifest.
    pub dry_small: (f64, f64),
    /// The same for the whole manifest.
    pub dry_full: (f64, f64),
    /// The real upload of every line.
    pub upload: Run,
    /// Attachments the server stored during it.
    pub stored: i64,
    /// Median (wall s, peak RSS KiB) of the re-runs with the same journal.
    pub rerun: (f64, f64),
    /// Whether every re-run's summary said all lines were already done and none uploaded,
    /// and the server saw no request.
    pub rerun_all_done: bool,
    /// What the re-runs said, when that is not so.
    pub rerun_detail: String,
}

/// Runs (g) against the plain `server`.
pub(super) fn run(
    tools: &Tools,
    server: &LoopbackProcess,
    options: &super::Options,
) -> Result<ManifestResults, String> {
    let lines = options.manifest_lines;
    let small_lines = lines / 10;
    let dir = tools.work.join("big-manifest");
    eprintln!("(g) writing {lines} files...");
    let (small, full) = write_files(&dir, lines, small_lines)?;
    let stats = StatsReader::new(server)?;
    let upload_many = |manifest: &Path, journal: &str, extra: &[&str]| {
        let manifest = manifest.to_string_lossy().into_owned();
        let mut rest = vec!["--json", "upload-many", "--manifest", &manifest];
        rest.extend(["--journal", journal]);
        rest.extend(extra);
        cli_args(server, &rest)
    };

    // Dry runs, alternating; the journal named does not exist (a dry run writes none).
    let (mut small_runs, mut full_runs) = (Vec::new(), Vec::new());
    for _ in 0..options.runs {
        for (manifest, count, runs) in [
            (&small, small_lines, &mut small_runs),
            (&full, lines, &mut full_runs),
        ] {
            let args = upload_many(manifest, "dry-run.journal", &["--dry-run"]);
            let (run, out) = measure(&tools.cli, &args, &dir)?;
            let summary = summary_of(&out)?;
            if number(&summary, "would_upload") != Some(count as i64) {
                return Err(format!(
                    "the dry run of {} should upload {count} files; it said {summary}",
                    manifest.display()
                ));
            }
            runs.push(run);
        }
    }
    eprintln!("(g) dry runs done");

    // The real upload.
    let concurrency = CONCURRENCY.to_string();
    let args = upload_many(&full, "upload.journal", &["--concurrency", &concurrency]);
    let ((upload, out), seen) = stats.around(|| measure(&tools.cli, &args, &dir))?;
    let summary = summary_of(&out)?;
    if number(&summary, "uploaded") != Some(lines as i64) {
        return Err(format!(
            "the upload of {lines} lines should upload them all; it said {summary}"
        ));
    }
    eprintln!("(g) upload done");

    // Re-runs with the same journal.
    let mut rerun_runs = Vec::new();
    let mut detail = String::new();
    for run in 0..options.runs {
        let ((measured, out), again) = stats.around(|| measure(&tools.cli, &args, &dir))?;
        let summary = summary_of(&out)?;
        let done = number(&summary, "already_done") == Some(lines as i64)
            && number(&summary, "uploaded") == Some(0)
            && again.requests == 0;
        if !done {
            let _ = write!(
                detail,
                "re-run {}: {} requests reached the server; the summary: {summary}. ",
                run + 1,
                again.requests
            );
        }
        rerun_runs.push(measured);
    }
    Ok(ManifestResults {
        lines,
        small_lines,
        dry_small: medians(&small_runs),
        dry_full: medians(&full_runs),
        upload,
        stored: seen.attachments,
        rerun: medians(&rerun_runs),
        rerun_all_done: detail.is_empty(),
        rerun_detail: detail,
    })
}

/// Writes `lines` tiny files in folders of [`FOLDER`] under `dir`, and two manifests of
/// relative paths: the first `small_lines` lines, and all of them.
fn write_files(
    dir: &Path,
    lines: usize,
    small_lines: usize,
) -> Result<(std::path::PathBuf, std::path::PathBuf), String> {
    let mut manifest = String::from("module,record_id,path\n");
    let mut small = String::new();
    for index in 0..lines {
        let folder = format!("d{:03}", index / FOLDER);
        if index % FOLDER == 0 {
            let path = dir.join(&folder);
            std::fs::create_dir_all(&path)
                .map_err(|e| format!("cannot make {}: {e}", path.display()))?;
        }
        let relative = format!("{folder}/f{index:06}.txt");
        write(&dir.join(&relative), format!("{index}\n").as_bytes())?;
        if index == small_lines {
            small.clone_from(&manifest);
        }
        let _ = writeln!(manifest, "Leads,{},{relative}", FIRST_RECORD + index as u64);
    }
    if small_lines >= lines {
        small.clone_from(&manifest);
    }
    let (small_path, full_path) = (dir.join("manifest-10.csv"), dir.join("manifest-100.csv"));
    write(&small_path, small.as_bytes())?;
    write(&full_path, manifest.as_bytes())?;
    Ok((small_path, full_path))
}

/// The JSON summary: the last line of `upload-many --json`.
fn summary_of(out: &str) -> Result<serde_json::Value, String> {
    out.lines()
        .rev()
        .find(|line| !line.trim().is_empty())
        .and_then(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|value| value.get("summary").is_some())
        .ok_or_else(|| {
            let skip = out.chars().count().saturating_sub(600);
            format!(
                "upload-many --json printed no summary: ...{}",
                out.chars().skip(skip).collect::<String>()
            )
        })
}

/// A whole number in the summary.
fn number(summary: &serde_json::Value, name: &str) -> Option<i64> {
    summary.get(name).and_then(serde_json::Value::as_i64)
}
