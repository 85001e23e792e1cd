//! `cargo xtask man`: the `zoho-crm` man pages (clap_mangen, through the CLI's hidden `man`
//! command, so the pages always match the binary) under `target/man`.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Writes `zoho-crm.1` and one page per subcommand into `target/man` of `root`, and returns
/// that folder.
pub fn run(root: &Path) -> Result<PathBuf, String> {
    let out_dir = root.join("target/man");
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .current_dir(root)
        .args([
            "run",
            "--quiet",
            "-p",
            "zcrm-attachments-cli",
            "--bin",
            "zoho-crm",
            "--",
            "man",
            "--out-dir",
        ])
        .arg(&out_dir)
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if status.success() {
        Ok(out_dir)
    } else {
        Err(format!(
            "zoho-crm man --out-dir {} failed",
            out_dir.display()
        ))
    }
}
