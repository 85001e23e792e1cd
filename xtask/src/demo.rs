//! `cargo xtask demo`: starts the loopback server on 127.0.0.1 and walks a newcomer through
//! upload, list, download and delete, then a record's photo and a file-upload field, with the
//! real `zoho-crm` binary, printing each command and its output. No Zoho account needed.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::loopback::{Build, LoopbackProcess, build_cli_and_server};

/// Runs the demo from the workspace `root`, with the CLI and server built as `build` says.
pub fn run(root: &Path, build: Build) -> Result<(), String> {
    println!("Building the zoho-crm CLI and the loopback server ({build:?})...");
    let release = build_cli_and_server(root, build)?;
    let server = LoopbackProcess::start_with(
        &release.join("loopback-server"),
        "demo-token",
        &["--file-field", "Deals:PO"],
    )?;
    let work =
        tempfile::tempdir().map_err(|e| format!("cannot make a temporary directory: {e}"))?;
    let report = work.path().join("quarterly report.txt");
    std::fs::write(&report, "Revenue is up.\n").map_err(|e| e.to_string())?;
    // A PNG's signature and header (3 x 2 pixels): what the photo checks read.
    let photo = work.path().join("face.png");
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0\0\x03\0\0\0\x02\x08\x02\0\0\0";
    std::fs::write(&photo, png).map_err(|e| e.to_string())?;
    let order = work.path().join("PO-4711.txt");
    std::fs::write(&order, "12 widgets.\n").map_err(|e| e.to_string())?;
    let downloads = work.path().join("downloads");
    std::fs::create_dir(&downloads).map_err(|e| e.to_string())?;

    println!(
        "\nA Zoho-compatible server is listening on {}.",
        server.base_url
    );
    println!("Every command below talks to it through the real `zoho-crm` binary.\n");
    let cli = DemoCli {
        binary: release.join("zoho-crm"),
        config: work.path().join("config"),
    };
    let common = [
        "--api-base",
        server.base_url.as_str(),
        "--token",
        server.token.as_str(),
    ];
    let record = ["--module", "Leads", "--record", "3477061000005177002"];
    let report_path = report.to_string_lossy().into_owned();
    let uploaded = step(
        &cli,
        "Upload a file to a lead",
        &[
            &common[..],
            &["--json", "upload"],
            &record[..],
            &[report_path.as_str()],
        ]
        .concat(),
    )?;
    let id = uploaded
        .lines()
        .find_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .and_then(|value| {
            value
                .get("id")
                .and_then(|id| id.as_str())
                .map(str::to_owned)
        })
        .ok_or("the upload printed no attachment id")?;
    step(
        &cli,
        "Attach a link too, with a title (API v2.1 and later)",
        &[
            &common[..],
            &["--api-version", "v2.1", "upload"],
            &record[..],
            &["--url", "https://www.zohocorp.com", "--title", "Zoho"],
        ]
        .concat(),
    )?;
    step(
        &cli,
        "List the lead's attachments",
        &[&common[..], &["list"], &record[..], &["--all"]].concat(),
    )?;
    let downloads_path = downloads.to_string_lossy().into_owned();
    step(
        &cli,
        "Download the file",
        &[
            &common[..],
            &["download"],
            &record[..],
            &["--id", id.as_str(), "-o", downloads_path.as_str()],
        ]
        .concat(),
    )?;
    step(
        &cli,
        "Delete it",
        &[
            &common[..],
            &["delete"],
            &record[..],
            &["--id", id.as_str()],
        ]
        .concat(),
    )?;
    step(
        &cli,
        "List again",
        &[&common[..], &["list"], &record[..], &["--all"]].concat(),
    )?;
    let contact = ["--module", "Contacts", "--record", "3477061000005177002"];
    let photo_path = photo.to_string_lossy().into_owned();
    step(
        &cli,
        "Set a contact's photo (checked as an image before it is sent)",
        &[
            &common[..],
            &["photo", "upload"],
            &contact[..],
            &[photo_path.as_str()],
        ]
        .concat(),
    )?;
    step(
        &cli,
        "Download it (the answer names no file: photo.<ext> from its media type)",
        &[
            &common[..],
            &["photo", "download"],
            &contact[..],
            &["-o", downloads_path.as_str()],
        ]
        .concat(),
    )?;
    let deal = ["--module", "Deals", "--record", "3477061000005177002"];
    let order_path = order.to_string_lossy().into_owned();
    step(
        &cli,
        "Put a purchase order into the deal's file field PO (file store, then the record)",
        &[
            &common[..],
            &["field-file", "upload"],
            &deal[..],
            &["--field", "PO", order_path.as_str()],
        ]
        .concat(),
    )?;
    step(
        &cli,
        "List the field's files",
        &[
            &common[..],
            &["field-file", "list"],
            &deal[..],
            &["--field", "PO"],
        ]
        .concat(),
    )?;
    step(
        &cli,
        "The scopes to request for all four operations",
        &[
            "scopes",
            "--ops",
            "upload,list,download,delete",
            "--module",
            "Leads",
        ],
    )?;
    println!("Done. Point the same commands at Zoho with ZOHO_* credentials (see the README).");
    Ok(())
}

/// The CLI the demo runs, and the configuration folder it gives it (a scratch one, so that
/// the demo's runs leave no credit ledger of the loopback server's made-up organisation in the
/// user's own).
struct DemoCli {
    binary: PathBuf,
    config: PathBuf,
}

/// Prints a command, runs it, prints its output; returns its standard output.
fn step(cli: &DemoCli, title: &str, args: &[&str]) -> Result<String, String> {
    println!("# {title}");
    println!(
        "$ zoho-crm {}",
        args.iter()
            .map(|a| shell_quote(a))
            .collect::<Vec<_>>()
            .join(" ")
    );
    let output = Command::new(&cli.binary)
        .args(args)
        .env("XDG_CONFIG_HOME", &cli.config)
        .env_remove("ZOHO_ACCESS_TOKEN")
        .env_remove("ZOHO_REFRESH_TOKEN")
        .output()
        .map_err(|e| format!("cannot run {}: {e}", cli.binary.display()))?;
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    print!("{stdout}");
    eprint!("{}", String::from_utf8_lossy(&output.stderr));
    println!();
    if output.status.success() {
        Ok(stdout)
    } else {
        Err(format!("`{title}` failed with {}", output.status))
    }
}

fn shell_quote(arg: &str) -> String {
    if arg
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_./:=,".contains(c))
    {
        arg.to_owned()
    } else {
        format!("'{}'", arg.replace('\'', "'\\''"))
    }
}
