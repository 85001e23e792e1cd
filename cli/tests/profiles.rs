//! `--profile` and `zoho-crm config list`: settings from config.toml in the configuration
//! folder, below the variables and options, never a secret.

mod common;

use std::path::Path;
use std::time::Duration;

use common::{RECORD, against, command, run, run_within, server, tempdir, text, write};

const CONFIG: &str = r#"
[profiles.acme]
dc = "eu"
client_id = "1000.ACME"
api_version = "v2.1"

[profiles.globex]
dc = "jp"
environment = "sandbox"
token_file = "globex/tokens.json"
"#;

/// Writes `config` as the configuration file of the CLI run with `HOME=home`.
fn configure(home: &Path, config: &str) {
    write(home, ".config/zoho-crm/config.toml", config.as_bytes());
}

#[tokio::test]
async fn config_list_shows_every_profile_and_the_one_in_use() {
    let dir = tempdir();
    configure(dir.path(), CONFIG);
    let listed = run(command(
        dir.path(),
        &["--json", "--profile", "globex", "config", "list"],
    ))
    .await;
    listed.expect(0);
    let lines = listed.json();
    let names: Vec<&str> = lines.iter().map(|l| text(l, "name")).collect();
    assert_eq!(names, ["acme", "globex"]);
    assert_eq!(lines[0]["active"], false);
    assert_eq!(lines[1]["active"], true);
    assert_eq!(text(&lines[0], "dc"), "eu");
    assert_eq!(text(&lines[0], "api_version"), "v2.1");
    assert!(
        text(&lines[0], "token_file").ends_with(".config/zoho-crm/tokens-acme.json"),
        "{lines:?}"
    );
    assert!(text(&lines[1], "token_file").ends_with(".config/zoho-crm/globex/tokens.json"));
}

#[tokio::test]
async fn a_profile_sets_the_data_centre_and_version_below_variables_and_options() {
    let server = server().await;
    let dir = tempdir();
    configure(dir.path(), CONFIG);
    let status = run(command(
        dir.path(),
        &["--json", "--profile", "acme", "auth", "status"],
    ))
    .await;
    let line = &status.json()[0];
    assert_eq!(text(line, "profile"), "acme");
    assert_eq!(text(line, "data_center"), "eu");
    assert_eq!(text(line, "client_id"), "1000.ACME");
    assert_eq!(text(line, "api_version"), "v2.1");
    let mut overridden = command(dir.path(), &["--json", "--token", "t", "auth", "status"]);
    overridden.env("ZOHO_PROFILE", "acme").env("ZOHO_DC", "in");
    let overridden = run(overridden).await;
    assert_eq!(text(&overridden.json()[0], "data_center"), "in");

    // The profile's version reaches the wire.
    let file = write(dir.path(), "a.txt", b"a");
    let file_arg = file.to_string_lossy();
    let args = [
        "--profile",
        "acme",
        "upload",
        "--module",
        "Leads",
        "--record",
        RECORD,
        &file_arg,
    ];
    run(against(&server, dir.path(), &args)).await.expect(0);
    let stored = server.attachments();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].version, "v2.1");
}

#[tokio::test]
async fn secrets_unknown_profiles_and_broken_files_are_refused_before_anything_is_sent() {
    let server = server().await;
    let dir = tempdir();
    let list = ["list", "--module", "Leads", "--record", RECORD];
    configure(dir.path(), "[profiles.a]\nclient_secret = \"hunter2\"\n");
    let secret = run(against(&server, dir.path(), &list)).await;
    secret.expect(2);
    assert!(
        secret.stderr.contains("ZOHO_CLIENT_SECRET"),
        "{}",
        secret.stderr
    );
    assert!(!secret.stderr.contains("hunter2"), "{}", secret.stderr);
    configure(dir.path(), CONFIG);
    let mut unknown = against(&server, dir.path(), &list);
    unknown.env("ZOHO_PROFILE", "initech");
    let unknown = run(unknown).await;
    unknown.expect(2);
    assert!(
        unknown.stderr.contains("acme, globex"),
        "{}",
        unknown.stderr
    );
    configure(dir.path(), "[profiles.a\n");
    run(against(&server, dir.path(), &list)).await.expect(2);
    assert_eq!(server.request_count(), 0);
}

#[tokio::test]
async fn a_config_that_is_a_fifo_or_huge_is_refused_without_waiting_or_reading_it_all() {
    let server = server().await;
    let dir = tempdir();
    let list = ["list", "--module", "Leads", "--record", RECORD];
    let folder = dir.path().join(".config/zoho-crm");
    assert!(std::fs::create_dir_all(&folder).is_ok());
    common::mkfifo(&folder.join("config.toml"));
    let fifo = run_within(against(&server, dir.path(), &list), Duration::from_secs(20)).await;
    fifo.expect(2);
    assert!(
        fifo.stderr.contains("not a regular file"),
        "{}",
        fifo.stderr
    );
    assert!(std::fs::remove_file(folder.join("config.toml")).is_ok());
    configure(dir.path(), &"#".repeat(1024 * 1024 + 1));
    let huge = run(against(&server, dir.path(), &list)).await;
    huge.expect(2);
    assert!(huge.stderr.contains("1048577 bytes"), "{}", huge.stderr);
    assert_eq!(server.request_count(), 0);
}
