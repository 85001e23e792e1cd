//! Running the loopback server binary from the test kit as a child process, for the demo and
//! the benchmarks, and stopping it when done.

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// A running loopback server; killed when dropped.
pub struct LoopbackProcess {
    child: Child,
    /// The API base URL.
    pub base_url: String,
    /// The access token it accepts.
    pub token: String,
}

impl LoopbackProcess {
    /// Starts `binary` on a free port with `token`, waiting for its "listening on" line.
    pub fn start(binary: &Path, token: &str) -> Result<Self, String> {
        let mut child = Command::new(binary)
            .args(["--port", "0", "--token", token])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
        let Some(stdout) = child.stdout.take() else {
            let _ = child.kill();
            return Err("the server's output is not readable".into());
        };
        let mut line = String::new();
        let read = BufReader::new(stdout).read_line(&mut line);
        let base_url = line.trim().strip_prefix("listening on ").map(str::to_owned);
        match (read, base_url) {
            (Ok(_), Some(base_url)) => Ok(LoopbackProcess {
                child,
                base_url,
                token: token.to_owned(),
            }),
            _ => {
                let _ = child.kill();
                Err(format!(
                    "the server did not say where it listens (got {line:?})"
                ))
            }
        }
    }
}

impl Drop for LoopbackProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Builds packages in release mode (quietly); the error says what failed.
/// How the CLI and the server are built for the demo and the benchmarks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Build {
    /// Optimised, as users run them (benchmarks always use it).
    Release,
    /// The dev profile, which a test run has mostly built already (CI's demo).
    Debug,
}

/// Builds the `zoho-crm` CLI and the test kit's `loopback-server`, and returns the folder that
/// holds both.
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
        Build::Release => (&["--release"], "target/release"),
        Build::Debug => (&[], "target/debug"),
    };
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .current_dir(root)
        .args(["build", "--quiet"])
        .args(flags)
        .args(args)
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if status.success() {
        Ok(root.join(folder))
    } else {
        Err(format!(
            "cargo build {} {} failed",
            flags.join(" "),
            args.join(" ")
        ))
    }
}
