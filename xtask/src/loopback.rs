//! Running the loopback server binary from the test kit as a child process, for the demo and
//! the benchmarks, and stopping it when done.

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A running loopback server; stopped when dropped (SIGTERM, so that it removes its stored
/// files and its certificate, then SIGKILL if it has not ended within a few seconds).
pub struct LoopbackProcess {
    child: Child,
    /// The API base URL.
    pub base_url: String,
    /// The access token it accepts.
    pub token: String,
    /// With `--tls`, the file holding its self-signed certificate (PEM).
    pub cert: Option<PathBuf>,
}

impl LoopbackProcess {
    /// Starts `binary` on a free port with `token`, waiting for its "listening on" line.
    pub fn start(binary: &Path, token: &str) -> Result<Self, String> {
        Self::start_with(binary, token, &[])
    }

    /// Starts `binary` on a free port with `token` and the `extra` flags (`--tls`,
    /// `--latency-ms N`, ...), waiting for its "listening on" line and, with `--tls`, its
    /// "certificate at" line.
    pub fn start_with(binary: &Path, token: &str, extra: &[&str]) -> Result<Self, String> {
        let mut child = Command::new(binary)
            .args(["--port", "0", "--token", token])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
        let Some(stdout) = child.stdout.take() else {
            stop(&mut child);
            return Err("the server's output is not readable".into());
        };
        let mut stdout = BufReader::new(stdout);
        let mut line = String::new();
        let read = stdout.read_line(&mut line);
        let base_url = line.trim().strip_prefix("listening on ").map(str::to_owned);
        let Some(base_url) = read.ok().and(base_url) else {
            stop(&mut child);
            return Err(format!(
                "the server did not say where it listens (got {line:?})"
            ));
        };
        let cert = if extra.contains(&"--tls") {
            let mut line = String::new();
            let read = stdout.read_line(&mut line);
            let path = line
                .trim()
                .strip_prefix("certificate at ")
                .map(PathBuf::from);
            let Some(path) = read.ok().and(path) else {
                stop(&mut child);
                return Err(format!(
                    "the server did not say where its certificate is (got {line:?})"
                ));
            };
            Some(path)
        } else {
            None
        };
        Ok(LoopbackProcess {
            child,
            base_url,
            token: token.to_owned(),
            cert,
        })
    }
}

impl Drop for LoopbackProcess {
    fn drop(&mut self) {
        stop(&mut self.child);
    }
}

/// Ends `child`: SIGTERM (through `kill`, the server's clean exit), a bounded wait, then
/// SIGKILL if it is still running.
fn stop(child: &mut Child) {
    let asked = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    if asked {
        // At most 30 s in steps of 50 ms (removing many stored files takes a while).
        for _ in 0..600 {
            if matches!(child.try_wait(), Ok(Some(_)) | Err(_)) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// How the CLI and the server are built for the demo and the benchmarks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Build {
    /// Optimised, as users run them (benchmarks always use it).
    Release,
    /// The dev profile, which a test run has mostly built already (CI's demo).
    Debug,
}

/// Builds the `zoho-crm` CLI and the test kit's `loopback-server`, and returns the folder that
/// holds both (under `CARGO_TARGET_DIR` when it is set).
pub fn build_cli_and_server(root: &Path, build: Build) -> Result<PathBuf, String> {
    let args = [
        "-p",
        "zcrm-attachments-cli",
        "-p",
        "zcrm-attachments-testkit",
        "--bin",
        "loopback-server",
        "--bin",
        "zoho-crm",
    ];
    let (flags, folder): (&[&str], &str) = match build {
        Build::Release => (&["--release"], "release"),
        Build::Debug => (&[], "debug"),
    };
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .current_dir(root)
        .args(["build", "--quiet"])
        .args(flags)
        .args(args)
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if status.success() {
        // Where cargo put them: `CARGO_TARGET_DIR` (relative to the root, if relative) or
        // `target`.
        let target = std::env::var_os("CARGO_TARGET_DIR")
            .filter(|dir| !dir.is_empty())
            .map_or_else(|| root.join("target"), |dir| root.join(dir));
        Ok(target.join(folder))
    } else {
        Err(format!(
            "cargo build {} {} failed",
            flags.join(" "),
            args.join(" ")
        ))
    }
}
