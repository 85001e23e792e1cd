//! What the CLI tests share: running the real `zoho-crm` binary with a clean environment (no
//! `ZOHO_*` variable of the test process leaks in; `HOME` is a fresh directory) while the test
//! kit's server keeps serving, and reading its output.

// Each test file uses the part it needs.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use zoho_crm_testkit::{Server, StoredContent};

/// A record id the server accepts.
pub const RECORD: &str = "3477061000005177002";

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_zoho-crm");

/// A manifest (`DIR/manifest.csv`) of `files` small attachments of [`RECORD`] in Leads, the
/// files written under `DIR/files/` (`file 0`, `file 1`...).
pub fn attachments_manifest(dir: &Path, files: usize) -> PathBuf {
    let mut csv = String::from("module,record_id,path\n");
    for index in 0..files {
        write(
            dir,
            &format!("files/f{index}.txt"),
            format!("file {index}").as_bytes(),
        );
        csv.push_str(&format!("Leads,{RECORD},files/f{index}.txt\n"));
    }
    write(dir, "manifest.csv", csv.as_bytes())
}

/// A temporary directory, or the test fails.
pub fn tempdir() -> tempfile::TempDir {
    match tempfile::tempdir() {
        Ok(dir) => dir,
        Err(e) => panic!("cannot create a temporary directory: {e}"),
    }
}

/// Writes `bytes` at `dir/name` (creating parent directories) and returns the path.
pub fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    if let Some(parent) = path.parent()
        && let Err(e) = std::fs::create_dir_all(parent)
    {
        panic!("cannot create {}: {e}", parent.display());
    }
    if let Err(e) = std::fs::write(&path, bytes) {
        panic!("cannot write {}: {e}", path.display());
    }
    path
}

/// The binary with `args`, `HOME` set to `home`, and no `ZOHO_*` variable inherited.
pub fn command(home: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(BIN);
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("ZOHO_") {
            command.env_remove(name);
        }
    }
    // The configuration folder follows HOME (~/.config on Linux) unless XDG_CONFIG_HOME says.
    command
        .env_remove("XDG_CONFIG_HOME")
        .env("HOME", home)
        .args(args);
    command
}

/// The binary talking to `server` with its token, plus `args`.
pub fn against(server: &Server, home: &Path, args: &[&str]) -> Command {
    let mut command = command(
        home,
        &["--api-base", &server.base_url(), "--token", server.token()],
    );
    command.args(args);
    command
}

/// What a finished run printed and how it exited.
#[derive(Debug)]
pub struct Run {
    /// The exit code (`None`: killed by a signal).
    pub code: Option<i32>,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Run {
    /// Every standard output line that is a JSON object.
    pub fn json(&self) -> Vec<Value> {
        self.stdout
            .lines()
            .filter_map(|line| serde_json::from_str::<Value>(line).ok())
            .filter(Value::is_object)
            .collect()
    }

    /// The JSON summary line of `upload-many`.
    pub fn summary(&self) -> Value {
        match self.json().into_iter().find(|v| v["summary"] == true) {
            Some(summary) => summary,
            None => panic!("no summary line in {self:#?}"),
        }
    }

    /// Asserts the exit code, showing the output when it differs.
    pub fn expect(&self, code: i32) -> &Self {
        assert_eq!(self.code, Some(code), "unexpected exit code: {self:#?}");
        self
    }
}

/// Runs `command` to the end on a blocking thread, so the server in this runtime keeps
/// serving meanwhile.
pub async fn run(mut command: Command) -> Run {
    let output = tokio::task::spawn_blocking(move || command.output()).await;
    match output {
        Ok(Ok(output)) => Run {
            code: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        },
        Ok(Err(e)) => panic!("cannot run {BIN}: {e}"),
        Err(e) => panic!("the runner thread failed: {e}"),
    }
}

/// Runs `command` like [`run`], but kills it and fails the test if it has not ended within
/// `limit` (for runs that used to hang).
pub async fn run_within(mut command: Command, limit: Duration) -> Run {
    command.stdout(Stdio::piped()).stderr(Stdio::piped());
    let child = match command.spawn() {
        Ok(child) => child,
        Err(e) => panic!("cannot run {BIN}: {e}"),
    };
    let pid = child.id();
    let waiting = tokio::task::spawn_blocking(move || child.wait_with_output());
    match tokio::time::timeout(limit, waiting).await {
        Ok(Ok(Ok(output))) => Run {
            code: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        },
        Ok(Ok(Err(e))) => panic!("cannot wait for {BIN}: {e}"),
        Ok(Err(e)) => panic!("the runner thread failed: {e}"),
        Err(_) => {
            send_signal(pid, "KILL");
            panic!("{BIN} did not end within {limit:?} (killed)");
        }
    }
}

/// Sends the signal `name` (`INT`, `TERM`, `KILL`) to the process `pid` with kill(1).
pub fn send_signal(pid: u32, name: &str) {
    let sent = Command::new("kill")
        .arg(format!("-{name}"))
        .arg(pid.to_string())
        .status();
    assert!(
        sent.is_ok_and(|status| status.success()),
        "kill -{name} {pid} failed"
    );
}

/// Waits (polling, at most `limit`) until `ready` says yes; fails the test otherwise.
pub async fn wait_until(limit: Duration, what: &str, mut ready: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !ready() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Makes a FIFO (named pipe) at `path` with mkfifo(1).
pub fn mkfifo(path: &Path) {
    let made = Command::new("mkfifo").arg(path).status();
    assert!(
        made.is_ok_and(|status| status.success()),
        "mkfifo {} failed",
        path.display()
    );
}

/// Starts the test kit's API server.
pub async fn server() -> Server {
    match Server::start().await {
        Ok(server) => server,
        Err(e) => panic!("cannot start the loopback server: {e}"),
    }
}

/// The file names of the stored file attachments, in upload order.
pub fn stored_names(server: &Server) -> Vec<String> {
    server
        .attachments()
        .into_iter()
        .filter_map(|a| match a.content {
            StoredContent::File { file_name, .. } => Some(file_name),
            StoredContent::Link { .. } => None,
        })
        .collect()
}

/// A string field of a JSON value, or "".
pub fn text<'a>(value: &'a Value, field: &str) -> &'a str {
    value[field].as_str().unwrap_or("")
}
