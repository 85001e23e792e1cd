//! The credit ledger: every run that made API calls appends one line beside the token file;
//! `credits` sums it; `--max-credits-per-day` makes this machine's runs share one daily budget
//! by reserving it in the ledger, so concurrent runs never spend more than it together.

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{TimeDelta, Utc};
use common::{RECORD, against, run, run_within, server, tempdir, wait_until, write};
use serde_json::Value;
use zoho_crm_testkit::{Conditions, LoopbackServer, ServerConfig};

const LIMIT: Duration = Duration::from_secs(60);

/// The ledger files in `home`'s configuration folder.
fn ledgers(home: &Path) -> Vec<PathBuf> {
    let folder = home.join(".config/zoho-crm");
    let Ok(entries) = std::fs::read_dir(&folder) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "jsonl"))
        .collect();
    files.sort();
    files
}

/// The one ledger in `home`.
fn ledger(home: &Path) -> PathBuf {
    match ledgers(home).as_slice() {
        [one] => one.clone(),
        other => panic!("expected one ledger, found {other:?}"),
    }
}

/// The ledger's lines as JSON.
fn lines(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .filter_map(|line| serde_json::from_str(line).ok())
        .collect()
}

fn append(path: &Path, line: &str) {
    let mut text = std::fs::read_to_string(path).unwrap_or_default();
    text.push_str(line);
    text.push('\n');
    if let Err(e) = std::fs::write(path, text) {
        panic!("cannot write {}: {e}", path.display());
    }
}

#[tokio::test]
async fn a_run_appends_one_line_with_its_calls_and_credits_and_no_secret() {
    let server = server().await;
    let home = tempdir();
    let file = write(home.path(), "a.txt", b"hello ledger");
    let file_arg = file.to_string_lossy();
    let upload = ["upload", "--module", "Leads", "--record", RECORD, &file_arg];
    run(against(&server, home.path(), &upload)).await.expect(0);
    let path = ledger(home.path());
    let first = lines(&path);
    assert_eq!(first.len(), 1, "{first:?}");
    let line = &first[0];
    assert_eq!(line["kind"], "run");
    assert_eq!(line["command"], "upload");
    assert_eq!(line["calls"], 1);
    assert_eq!(line["credits"], 1);
    assert_eq!(line["retries"], 0);
    assert_eq!(line["throttled"], 0);
    assert!(line["bytes_sent"].as_u64().unwrap_or(0) >= 12, "{line}");
    assert!(line["bytes_received"].as_u64().unwrap_or(0) > 0, "{line}");
    let time = line["time"].as_str().unwrap_or("");
    assert!(time.ends_with('Z'), "{time}");
    // A run that sends nothing adds nothing; the next one that does adds its own line.
    run(against(&server, home.path(), &["scopes", "--ops", "list"]))
        .await
        .expect(0);
    assert_eq!(lines(&path).len(), 1);
    let list = ["list", "--module", "Leads", "--record", RECORD];
    run(against(&server, home.path(), &list)).await.expect(0);
    let both = lines(&path);
    assert_eq!(both.len(), 2);
    assert_eq!(both[1]["command"], "list");
    assert_eq!(both[1]["calls"], 1);
    // The ledger never holds the token.
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(!text.contains(server.token()), "{text}");
    // Another organisation (API base) has a ledger of its own.
    let other = server_with(Conditions::default()).await;
    run(against(&other, home.path(), &list)).await.expect(0);
    assert_eq!(ledgers(home.path()).len(), 2);
}

#[tokio::test]
async fn credits_sums_the_last_24_hours_and_skips_old_and_corrupt_lines() {
    let server = server().await;
    let home = tempdir();
    let list = ["list", "--module", "Leads", "--record", RECORD];
    run(against(&server, home.path(), &list)).await.expect(0);
    let path = ledger(home.path());
    let old = (Utc::now() - TimeDelta::hours(30)).to_rfc3339();
    append(
        &path,
        &format!(
            r#"{{"time":"{old}","kind":"run","command":"upload-many","calls":100,"credits":100}}"#
        ),
    );
    append(&path, "this is not a ledger line");
    let report = run(against(&server, home.path(), &["--json", "credits"])).await;
    report.expect(0);
    assert!(
        report
            .stderr
            .contains("line 3 is not a ledger entry; skipped"),
        "{}",
        report.stderr
    );
    let Some(json) = report.json().into_iter().next() else {
        panic!("no JSON: {report:#?}");
    };
    assert_eq!(json["last_24_hours"]["calls"], 1, "{json}");
    assert_eq!(json["last_24_hours"]["credits"], 1, "{json}");
    assert_eq!(json["last_24_hours"]["runs"], 1, "{json}");
    let commands: Vec<(&str, u64)> = json["by_command"]
        .as_array()
        .map(|rows| {
            rows.iter()
                .map(|r| {
                    (
                        r["command"].as_str().unwrap_or(""),
                        r["credits"].as_u64().unwrap_or(0),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(commands, vec![("list", 1), ("upload-many", 100)]);
    assert_eq!(json["by_day"].as_array().map(Vec::len), Some(2), "{json}");
    assert_eq!(json["ledger"], path.to_string_lossy().as_ref());
    // The text table says the same.
    let text = run(against(&server, home.path(), &["credits"])).await;
    text.expect(0);
    assert!(
        text.stdout
            .contains("last 24 hours: 1 calls, 1 credits in 1 runs"),
        "{}",
        text.stdout
    );
    // A missing ledger is nothing spent.
    let empty = tempdir();
    let none = run(against(&server, empty.path(), &["--json", "credits"])).await;
    none.expect(0);
    assert_eq!(none.json()[0]["last_24_hours"]["credits"], 0);
    assert!(ledgers(empty.path()).is_empty());
}

async fn server_with(conditions: Conditions) -> LoopbackServer {
    let config = ServerConfig {
        conditions,
        ..ServerConfig::default()
    };
    match LoopbackServer::start_with(config).await {
        Ok(server) => server,
        Err(e) => panic!("cannot start the server: {e}"),
    }
}

/// A manifest of `count` files in `dir`.
fn manifest(dir: &Path, count: usize) -> String {
    let mut csv = String::from("module,record_id,path\n");
    for index in 0..count {
        write(dir, &format!("f{index}.txt"), format!("{index}").as_bytes());
        csv.push_str(&format!("Leads,{RECORD},f{index}.txt\n"));
    }
    write(dir, "manifest.csv", csv.as_bytes())
        .to_string_lossy()
        .into_owned()
}

fn upload_many(server: &LoopbackServer, home: &Path, manifest: &str) -> std::process::Command {
    against(
        server,
        home,
        &[
            "--max-credits-per-day",
            "5",
            "upload-many",
            "--manifest",
            manifest,
            "--concurrency",
            "1",
        ],
    )
}

#[tokio::test]
async fn a_daily_budget_is_shared_by_concurrent_runs_through_their_reservations() {
    let server = server_with(Conditions {
        latency: Duration::from_millis(150),
        ..Conditions::default()
    })
    .await;
    let home = tempdir();
    let (a, b) = (tempdir(), tempdir());
    let (manifest_a, manifest_b) = (manifest(a.path(), 5), manifest(b.path(), 5));
    let first = tokio::spawn(run_within(
        upload_many(&server, home.path(), &manifest_a),
        LIMIT,
    ));
    let home_path = home.path().to_path_buf();
    wait_until(LIMIT, "the first run reserves its budget", || {
        ledgers(&home_path)
            .first()
            .is_some_and(|path| lines(path).iter().any(|l| l["kind"] == "reserve"))
    })
    .await;
    let second = run_within(upload_many(&server, home.path(), &manifest_b), LIMIT).await;
    second.expect(4);
    assert!(
        second
            .stderr
            .contains("the day's budget of 5 API credits is spent")
            && second.stderr.contains("0 spent and 5 reserved"),
        "{}",
        second.stderr
    );
    assert!(
        second.stderr.contains("leaves the 24-hour window at"),
        "{}",
        second.stderr
    );
    let first = match first.await {
        Ok(run) => run,
        Err(e) => panic!("the first run's task failed: {e}"),
    };
    first.expect(0);
    assert_eq!(server.request_count(), 5);
    // The reservation was settled with what was spent.
    let path = ledger(home.path());
    let kinds: Vec<(String, u64)> = lines(&path)
        .iter()
        .map(|l| {
            (
                l["kind"].as_str().unwrap_or("").to_owned(),
                l["credits"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        vec![("reserve".to_owned(), 5), ("settle".to_owned(), 5)]
    );
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(!text.contains(server.token()), "{text}");
    // The next run finds the day spent, and sends nothing.
    let third = run_within(upload_many(&server, home.path(), &manifest_b), LIMIT).await;
    third.expect(4);
    assert!(
        third.stderr.contains("5 spent and 0 reserved"),
        "{}",
        third.stderr
    );
    assert_eq!(server.request_count(), 5);
    // `auth status` makes no API call: a spent day does not stop it, and it adds no line.
    let before = lines(&path).len();
    let status = against(
        &server,
        home.path(),
        &["--max-credits-per-day", "5", "auth", "status"],
    );
    let status = run_within(status, LIMIT).await;
    status.expect(0);
    assert_eq!(lines(&path).len(), before);
}

#[tokio::test]
async fn two_runs_started_together_spend_at_most_the_daily_budget() {
    let server = server().await;
    let home = tempdir();
    let (a, b) = (tempdir(), tempdir());
    let (manifest_a, manifest_b) = (manifest(a.path(), 5), manifest(b.path(), 5));
    let (first, second) = tokio::join!(
        run_within(upload_many(&server, home.path(), &manifest_a), LIMIT),
        run_within(upload_many(&server, home.path(), &manifest_b), LIMIT),
    );
    let mut codes = vec![first.code, second.code];
    codes.sort();
    assert_eq!(codes, vec![Some(0), Some(4)], "{first:#?} {second:#?}");
    assert_eq!(server.request_count(), 5);
    let budget = run(against(
        &server,
        home.path(),
        &["--json", "--max-credits-per-day", "5", "credits"],
    ))
    .await;
    budget.expect(0);
    let json = &budget.json()[0];
    assert_eq!(json["last_24_hours"]["credits"], 5, "{json}");
    assert_eq!(json["left_today"], 0, "{json}");
}
