//! Timing a command: wall time from the clock, peak RSS from `/usr/bin/time -v`, and medians.

use std::ffi::OsStr;
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

/// A measured command that ran to its end, successfully or not.
#[derive(Debug)]
pub struct Finished {
    /// Its wall time and peak RSS.
    pub run: Run,
    /// Its exit code (`None` if a signal ended it).
    pub code: Option<i32>,
    /// Its standard output.
    pub stdout: String,
    /// The end of its standard error (at most [`STDERR_TAIL`] characters).
    pub stderr_tail: String,
}

impl Finished {
    /// Whether it exited with 0.
    pub fn success(&self) -> bool {
        self.code == Some(0)
    }
}

/// How much of a failed command's standard error an error message quotes.
pub const STDERR_TAIL: usize = 4000;

/// Runs `program args` under `/usr/bin/time -v`; fails if it exits non-zero.
pub fn measure(program: &Path, args: &[String], cwd: &Path) -> Result<(Run, String), String> {
    measure_env(program, args, cwd, &[])
}

/// As [`measure`], with extra environment variables.
pub fn measure_env(
    program: &Path,
    args: &[String],
    cwd: &Path,
    env: &[(&str, &OsStr)],
) -> Result<(Run, String), String> {
    let finished = run_measured(program, args, cwd, env)?;
    if !finished.success() {
        return Err(format!(
            "{} {} failed ({}): {}",
            program.display(),
            args.join(" "),
            exit_text(finished.code),
            finished.stderr_tail
        ));
    }
    Ok((finished.run, finished.stdout))
}

/// Runs `program args` under `/usr/bin/time -v` with extra environment variables and returns
/// how it ended, whatever its exit code; fails only if it cannot be run or measured. Its
/// configuration folder is `cwd/.config` (`XDG_CONFIG_HOME`), so that neither the CLI's credit
/// ledger nor a curlrc of the user's touches or shapes a run.
pub fn run_measured(
    program: &Path,
    args: &[String],
    cwd: &Path,
    env: &[(&str, &OsStr)],
) -> Result<Finished, String> {
    let time_file = tempfile::NamedTempFile::new().map_err(|e| e.to_string())?;
    let started = Instant::now();
    let output = Command::new("/usr/bin/time")
        .arg("-v")
        .arg("-o")
        .arg(time_file.path())
        .arg(program)
        .args(args)
        .env("XDG_CONFIG_HOME", cwd.join(".config"))
        .envs(env.iter().copied())
        .current_dir(cwd)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run /usr/bin/time (install the `time` package): {e}"))?;
    let wall = started.elapsed().as_secs_f64();
    let report = std::fs::read_to_string(time_file.path()).map_err(|e| e.to_string())?;
    let rss_kib = report
        .lines()
        .find_map(|line| {
            line.trim()
                .strip_prefix("Maximum resident set size (kbytes): ")
        })
        .and_then(|value| value.trim().parse().ok())
        .ok_or_else(|| {
            format!(
                "no peak RSS in /usr/bin/time's report for {} ({})",
                program.display(),
                exit_text(output.status.code())
            )
        })?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    let skip = stderr.chars().count().saturating_sub(STDERR_TAIL);
    Ok(Finished {
        run: Run { wall, rss_kib },
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr_tail: stderr.chars().skip(skip).collect(),
    })
}

/// "exit N" or "ended by a signal".
pub fn exit_text(code: Option<i32>) -> String {
    code.map_or_else(
        || "ended by a signal".to_owned(),
        |code| format!("exit {code}"),
    )
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
