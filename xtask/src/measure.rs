//! Timing a command: wall time from the clock, peak RSS from `/usr/bin/time -v`, and medians.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

/// One measured run.
#[derive(Clone, Copy, Debug)]
pub struct Run {
    /// Wall time in seconds.
    pub wall: f64,
    /// Peak resident set size in KiB.
    pub rss_kib: u64,
}

/// Runs `program args` under `/usr/bin/time -v`; fails if it exits non-zero.
pub fn measure(program: &Path, args: &[String], cwd: &Path) -> Result<(Run, String), String> {
    let time_file = tempfile::NamedTempFile::new().map_err(|e| e.to_string())?;
    let started = Instant::now();
    let output = Command::new("/usr/bin/time")
        .arg("-v")
        .arg("-o")
        .arg(time_file.path())
        .arg(program)
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run /usr/bin/time (install the `time` package): {e}"))?;
    let wall = started.elapsed().as_secs_f64();
    if !output.status.success() {
        return Err(format!(
            "{} {} failed: {}",
            program.display(),
            args.join(" "),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let report = std::fs::read_to_string(time_file.path()).map_err(|e| e.to_string())?;
    let rss_kib = report
        .lines()
        .find_map(|line| {
            line.trim()
                .strip_prefix("Maximum resident set size (kbytes): ")
        })
        .and_then(|value| value.trim().parse().ok())
        .ok_or("no peak RSS in /usr/bin/time's report")?;
    Ok((
        Run { wall, rss_kib },
        String::from_utf8_lossy(&output.stdout).into_owned(),
    ))
}

/// The median of some numbers (0 for none).
pub fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    match values.len() {
        0 => 0.0,
        n if n % 2 == 1 => values[n / 2],
        n => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

/// Median wall time and median peak RSS of runs.
pub fn medians(runs: &[Run]) -> (f64, f64) {
    (
        median(runs.iter().map(|r| r.wall).collect()),
        median(runs.iter().map(|r| r.rss_kib as f64).collect()),
    )
}
