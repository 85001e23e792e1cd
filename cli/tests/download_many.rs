//! `zoho-crm download-many`: every attachment of the records a manifest names, saved under
//! safe names unique within each record's directory (the same on re-runs), links listed once
//! in links.csv, a journal that makes re-runs (and runs killed half way) download only what
//! is missing, failures of one record counted without stopping the run, 429s absorbed, and
//! `--since`. These are attachment exports (`--include attachments`); photos and file fields
//! have their own tests in download_many_files.rs.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{against, run, run_within, tempdir, text, write};
use serde_json::Value;
use sha2::{Digest as _, Sha256};
use zoho_crm_testkit::{CannedReply, Conditions, Fault, LoopbackServer, Server, ServerConfig};

const R1: &str = "3477061000005177002";
const R2: &str = "3477061000005177003";
const R3: &str = "3477061000005177004";

async fn server_with(conditions: Conditions) -> Server {
    let config = ServerConfig {
        conditions,
        ..ServerConfig::default()
    };
    match LoopbackServer::start_with(config).await {
        Ok(server) => server,
        Err(e) => panic!("cannot start the loopback server: {e}"),
    }
}

fn sha(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

fn sha_of(path: &Path) -> String {
    match std::fs::read(path) {
        Ok(bytes) => sha(&bytes),
        Err(e) => panic!("cannot read {}: {e}", path.display()),
    }
}

/// Content that differs for each `seed`, `len` bytes.
fn content(seed: u8, len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

fn manifest(dir: &Path, lines: &[(&str, &str)]) -> PathBuf {
    let mut csv = String::from("module,record_id\n");
    for (module, record) in lines {
        csv.push_str(&format!("{module},{record}\n"));
    }
    write(dir, "records.csv", csv.as_bytes())
}

fn journal_records(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|line| serde_json::from_str(line).ok())
        .collect()
}

/// `zoho-crm --json download-many --manifest RECORDS --output OUT --include attachments`
/// against `server`, then `extra`.
fn export(server: &Server, home: &Path, records: &Path, out: &Path, extra: &[&str]) -> Command {
    let mut command = against(server, home, &["--json", "download-many", "--manifest"]);
    command
        .arg(records)
        .arg("--output")
        .arg(out)
        .args(["--include", "attachments"])
        .args(extra);
    command
}

/// The GET requests that downloaded each attachment id.
fn downloads_by_id(server: &Server) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for request in server.requests() {
        if request.method != "GET" {
            continue;
        }
        let Some((_, id)) = request.path.rsplit_once("/Attachments/") else {
            continue;
        };
        *counts.entry(id.to_owned()).or_insert(0) += 1;
    }
    counts
}

/// How many listing calls (GET .../Attachments) the server has had.
fn listings(server: &Server) -> usize {
    server
        .requests()
        .iter()
        .filter(|r| r.method == "GET" && r.path.ends_with("/Attachments"))
        .count()
}

/// Files of a record's directory (not temporary ones) with their SHA-256.
fn files_in(dir: &Path) -> BTreeMap<String, String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return BTreeMap::new();
    };
    entries
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| !name.starts_with(".zoho-crm-download-"))
        .map(|name| {
            let hash = sha_of(&dir.join(&name));
            (name, hash)
        })
        .collect()
}

fn temp_files_in(dir: &Path) -> usize {
    std::fs::read_dir(dir).map_or(0, |entries| {
        entries
            .filter_map(Result::ok)
            .filter(|e| {
                e.file_name()
                    .to_string_lossy()
                    .starts_with(".zoho-crm-download-")
            })
            .count()
    })
}

/// The header, then the other lines sorted (records are listed concurrently, so their links
/// come in the order the listings end).
fn sorted_lines(text: &str) -> (String, Vec<String>) {
    assert!(text.ends_with('\n'), "{text:?}");
    let mut lines = text.lines().map(str::to_owned);
    let header = lines.next().unwrap_or_default();
    let mut rest: Vec<String> = lines.collect();
    rest.sort();
    (header, rest)
}

fn expected(pairs: &[(&str, &[u8])]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(name, bytes)| ((*name).to_owned(), sha(bytes)))
        .collect()
}

#[tokio::test]
async fn every_file_is_saved_under_a_unique_name_links_are_listed_once_and_a_rerun_only_lists() {
    let server = server_with(Conditions::default()).await;
    let dir = tempdir();
    let out = dir.path().join("export");
    let first_report = content(1, 3000);
    let second_report = content(2, 5000);
    let notes = b"notes".to_vec();
    let big = content(3, 300_000);
    server.insert_file("Leads", R1, "report.pdf", &first_report);
    server.insert_file("Leads", R1, "REPORT.pdf", &second_report);
    server.insert_file("Leads", R1, "../../notes.txt", &notes);
    let link_1 = server.insert_link(
        "Leads",
        R1,
        "https://example.com/a?b=1,2",
        Some("Say \"hi\", then"),
    );
    server.insert_file("Deals", R2, "big.bin", &big);
    let link_2 = server.insert_link("Deals", R2, "https://example.com/c", None);
    let records = manifest(dir.path(), &[("Leads", R1), ("Deals", R2), ("Leads", R1)]);
    // Attachments only: the re-run below counts its calls (photos and fields have their own
    // tests in download_many_files.rs).
    let extra: &[&str] = &["--concurrency", "3"];
    let first = run(export(&server, dir.path(), &records, &out, extra)).await;
    first.expect(0);
    let summary = first.summary();
    assert_eq!(
        (
            &summary["records"],
            &summary["files"],
            &summary["links"],
            &summary["duplicates"],
            &summary["failed"]
        ),
        (
            &Value::from(2),
            &Value::from(4),
            &Value::from(2),
            &Value::from(1),
            &Value::from(0)
        ),
        "{summary}"
    );
    let bytes = (first_report.len() + second_report.len() + notes.len() + big.len()) as u64;
    assert_eq!(summary["bytes"].as_u64(), Some(bytes));
    let leads = out.join("Leads").join(R1);
    let deals = out.join("Deals").join(R2);
    assert_eq!(
        files_in(&leads),
        expected(&[
            ("report.pdf", &first_report),
            ("REPORT (2).pdf", &second_report),
            ("notes.txt", &notes)
        ])
    );
    assert_eq!(files_in(&deals), expected(&[("big.bin", &big)]));
    let links_csv = format!(
        "module,record_id,attachment_id,title,url\n\
         Leads,{R1},{link_1},\"Say \"\"hi\"\", then\",\"https://example.com/a?b=1,2\"\n\
         Deals,{R2},{link_2},https://example.com/c,https://example.com/c\n"
    );
    let links_path = out.join("links.csv");
    let links_written = std::fs::read_to_string(&links_path).unwrap_or_default();
    assert_eq!(sorted_lines(&links_written), sorted_lines(&links_csv));
    let journal = out.join(".zoho-crm-export.journal");
    let ok: Vec<Value> = journal_records(&journal)
        .into_iter()
        .filter(|r| r["status"] == "ok")
        .collect();
    assert_eq!(ok.len(), 4);
    assert!(ok.iter().any(|r| text(r, "name") == "REPORT (2).pdf"));

    // A re-run finds everything done: it only lists the two records.
    let (requests, lists) = (server.request_count(), listings(&server));
    let again = run(export(&server, dir.path(), &records, &out, extra)).await;
    again.expect(0);
    assert_eq!(server.request_count() - requests, 2);
    assert_eq!(listings(&server) - lists, 2);
    let summary = again.summary();
    assert_eq!(summary["already_done"], 4, "{summary}");
    assert_eq!(summary["links_already_done"], 2, "{summary}");
    assert_eq!(
        (&summary["files"], &summary["links"]),
        (&Value::from(0), &Value::from(0))
    );
    assert_eq!(
        std::fs::read_to_string(&links_path).unwrap_or_default(),
        links_written
    );

    // A file removed, another changed, a temporary file left behind: the two are downloaded
    // again under their names, the temporary file removed.
    assert!(std::fs::remove_file(leads.join("notes.txt")).is_ok());
    write(&leads, "REPORT (2).pdf", b"changed");
    write(&leads, ".zoho-crm-download-stale1", b"partial");
    // Without --json this time: the warnings go to standard error.
    let mut command = against(&server, dir.path(), &["download-many", "--manifest"]);
    command
        .arg(&records)
        .arg("--output")
        .arg(&out)
        .args(["--include", "attachments"])
        .args(extra);
    let fixed = run(command).await;
    fixed.expect(0);
    assert!(
        fixed
            .stderr
            .contains("REPORT (2).pdf: saved by an earlier run, but it is 7 bytes on disk")
            && fixed
                .stderr
                .contains("notes.txt: saved by an earlier run, but it is missing"),
        "{fixed:#?}"
    );
    assert!(
        fixed.stderr.contains("removed 1 temporary file(s)"),
        "{fixed:#?}"
    );
    assert_eq!(
        files_in(&leads),
        expected(&[
            ("report.pdf", &first_report),
            ("REPORT (2).pdf", &second_report),
            ("notes.txt", &notes)
        ])
    );
    assert_eq!(temp_files_in(&leads), 0);
}

#[tokio::test]
async fn a_run_killed_half_way_resumes_and_downloads_only_what_is_missing() {
    const PER_RECORD: usize = 5;
    let server = server_with(Conditions {
        latency: Duration::from_millis(150),
        ..Conditions::default()
    })
    .await;
    let dir = tempdir();
    let out = dir.path().join("export");
    let mut contents: BTreeMap<String, (PathBuf, Vec<u8>)> = BTreeMap::new();
    for (index, record) in [R1, R2, R3].iter().enumerate() {
        for file in 0..PER_RECORD {
            let bytes = content((index * PER_RECORD + file) as u8, 40_000 + file * 1000);
            let name = format!("f{file}.dat");
            let id = server.insert_file("Leads", record, &name, &bytes);
            contents.insert(id, (out.join("Leads").join(record).join(name), bytes));
        }
    }
    let total = contents.len();
    let records = manifest(dir.path(), &[("Leads", R1), ("Leads", R2), ("Leads", R3)]);
    let extra: &[&str] = &["--concurrency", "2"];
    let journal = out.join(".zoho-crm-export.journal");
    let mut command = export(&server, dir.path(), &records, &out, extra);
    command.stdout(Stdio::null()).stderr(Stdio::null());
    let mut child = match command.spawn() {
        Ok(child) => child,
        Err(e) => panic!("cannot start the CLI: {e}"),
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let done = journal_records(&journal)
            .iter()
            .filter(|r| r["status"] == "ok")
            .count();
        if done >= 4 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the run journaled nothing in time"
        );
        assert!(matches!(child.try_wait(), Ok(None)), "the run ended early");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(child.kill().is_ok());
    let waited = tokio::task::spawn_blocking(move || child.wait()).await;
    assert!(matches!(waited, Ok(Ok(status)) if !status.success()));
    let done_before: Vec<String> = journal_records(&journal)
        .into_iter()
        .filter(|r| r["status"] == "ok")
        .map(|r| text(&r, "id").to_owned())
        .collect();
    assert!(
        done_before.len() < total,
        "the run finished before it was killed"
    );
    // Nothing partial under a final name: each file there is whole.
    let mut whole_at_kill = 0;
    for (path, bytes) in contents.values() {
        if path.exists() {
            assert_eq!(sha_of(path), sha(bytes), "{} is partial", path.display());
            whole_at_kill += 1;
        }
    }
    let gets_before = downloads_by_id(&server);

    let resumed = run_within(
        export(&server, dir.path(), &records, &out, extra),
        Duration::from_secs(60),
    )
    .await;
    resumed.expect(0);
    let summary = resumed.summary();
    let gets = downloads_by_id(&server);
    println!(
        "killed after {} journaled downloads ({whole_at_kill} whole files on disk, {} GETs sent); resumed: downloaded {}, already done {}, stale temporary files removed {}; GETs per id: {:?}",
        done_before.len(),
        gets_before.values().sum::<usize>(),
        summary["files"],
        summary["already_done"],
        summary["stale_removed"],
        gets.values().collect::<Vec<_>>()
    );
    assert_eq!(
        summary["already_done"].as_u64(),
        Some(done_before.len() as u64)
    );
    assert_eq!(
        summary["files"].as_u64(),
        Some((total - done_before.len()) as u64),
        "{summary}"
    );
    for (id, (path, bytes)) in &contents {
        assert_eq!(sha_of(path), sha(bytes), "{}", path.display());
        let before = gets_before.get(id).copied().unwrap_or(0);
        let after = gets.get(id).copied().unwrap_or(0);
        if done_before.contains(id) {
            // Saved before the kill: never asked for again.
            assert_eq!((before, after), (1, 1), "attachment {id}");
        } else {
            // Asked for once by the resumed run (and at most once before the kill).
            assert!(
                before <= 1 && after == before + 1,
                "attachment {id}: {before} then {after}"
            );
        }
    }
    for record in [R1, R2, R3] {
        let record_dir = out.join("Leads").join(record);
        assert_eq!(temp_files_in(&record_dir), 0);
        assert_eq!(files_in(&record_dir).len(), PER_RECORD);
    }
}

#[tokio::test]
async fn a_record_whose_listing_fails_is_counted_and_the_others_are_exported() {
    let server = server_with(Conditions::default()).await;
    let dir = tempdir();
    let out = dir.path().join("export");
    let records = [
        ("Leads", R1, content(8, 1000)),
        ("Deals", R2, content(9, 1000)),
    ];
    for (module, record, bytes) in &records {
        server.insert_file(module, record, "a.txt", bytes);
    }
    // The first call is refused as Zoho refuses a record id that does not exist. Records are
    // listed concurrently, so which listing comes first is not fixed: the refused one must be
    // counted and the other exported, whichever it is.
    server.push_fault(Fault::Reply(CannedReply::json(
        400,
        serde_json::json!({
            "code": "INVALID_DATA",
            "details": {},
            "message": "the related id given seems to be invalid",
            "status": "error"
        }),
    )));
    let manifest_lines: Vec<(&str, &str)> = records.iter().map(|(m, r, _)| (*m, *r)).collect();
    let manifest = manifest(dir.path(), &manifest_lines);
    let extra: &[&str] = &["--concurrency", "1"];
    let ran = run(export(&server, dir.path(), &manifest, &out, extra)).await;
    ran.expect(3);
    let summary = ran.summary();
    assert_eq!(
        (
            &summary["records"],
            &summary["records_failed"],
            &summary["files"],
            &summary["ok"]
        ),
        (
            &Value::from(1),
            &Value::from(1),
            &Value::from(1),
            &Value::from(false)
        ),
        "{summary}"
    );
    let failed = ran.json().into_iter().find(|v| v["status"] == "error");
    let Some(failed) = failed else {
        panic!("no failed record: {ran:#?}");
    };
    assert_eq!(failed["code"], "INVALID_DATA", "{failed}");
    // Manifest lines 2 and 3 name the records, in order.
    let index = records
        .iter()
        .position(|(_, record, _)| failed["record_id"] == *record);
    let Some(index) = index else {
        panic!("the failure names no record of the manifest: {failed}");
    };
    assert_eq!(failed["line"], index + 2, "{failed}");
    let (module, record, bytes) = &records[1 - index];
    assert_eq!(
        files_in(&out.join(module).join(record)),
        expected(&[("a.txt", bytes)])
    );
    let (module, record, _) = &records[index];
    assert!(files_in(&out.join(module).join(record)).is_empty());
}

#[tokio::test]
async fn a_storm_of_429s_lowers_the_concurrency_and_every_file_still_arrives() {
    let server = server_with(Conditions {
        latency: Duration::from_millis(40),
        max_in_flight: Some(2),
        ..Conditions::default()
    })
    .await;
    let dir = tempdir();
    let out = dir.path().join("export");
    let mut wanted = Vec::new();
    for (index, record) in [R1, R2, R3].iter().enumerate() {
        let mut files = Vec::new();
        for file in 0..4 {
            let bytes = content((index * 4 + file) as u8, 2000 + file);
            let name = format!("g{file}.dat");
            server.insert_file("Contacts", record, &name, &bytes);
            files.push((name, bytes));
        }
        wanted.push((*record, files));
    }
    let records = manifest(
        dir.path(),
        &[("Contacts", R1), ("Contacts", R2), ("Contacts", R3)],
    );
    let extra: &[&str] = &["--concurrency", "8"];
    let ran = run_within(
        export(&server, dir.path(), &records, &out, extra),
        Duration::from_secs(120),
    )
    .await;
    ran.expect(0);
    let summary = ran.summary();
    assert!(server.refused_count() > 0, "no 429 was sent");
    assert!(summary["throttled"].as_u64().unwrap_or(0) >= 1, "{summary}");
    assert!(
        summary["lowest_concurrency"].as_u64().unwrap_or(8) < 8,
        "{summary}"
    );
    assert_eq!(summary["files"], 12, "{summary}");
    for (record, files) in &wanted {
        let pairs: Vec<(&str, &[u8])> = files
            .iter()
            .map(|(name, bytes)| (name.as_str(), bytes.as_slice()))
            .collect();
        assert_eq!(
            files_in(&out.join("Contacts").join(record)),
            expected(&pairs)
        );
    }
}

#[tokio::test]
async fn since_leaves_out_attachments_older_than_the_time_given() {
    let server = server_with(Conditions::default()).await;
    let dir = tempdir();
    server.insert_file("Leads", R1, "old.txt", b"old");
    let old_time = server
        .attachments()
        .first()
        .map(|a| a.created_time.clone())
        .unwrap_or_default();
    let since = match chrono::DateTime::parse_from_rfc3339(&old_time) {
        Ok(time) => time + chrono::TimeDelta::seconds(1),
        Err(e) => panic!("{old_time}: {e}"),
    };
    // Wait for the second after the old attachment's, then add new ones.
    let deadline = Instant::now() + Duration::from_secs(5);
    while chrono::Utc::now() < since {
        assert!(Instant::now() < deadline);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    server.insert_file("Leads", R1, "new.txt", b"new");
    let link = server.insert_link("Leads", R1, "https://example.com/new", Some("new link"));
    let records = manifest(dir.path(), &[("Leads", R1)]);
    let since_arg = since.to_rfc3339();
    for (output, since, files, older) in [
        ("recent", since_arg.as_str(), 1, 1),
        ("all", "2000-01-01", 2, 0),
        ("none", "2999-01-01", 0, 3),
    ] {
        let out = dir.path().join(output);
        let extra = ["--since", since];
        let ran = run(export(&server, dir.path(), &records, &out, &extra)).await;
        ran.expect(0);
        let summary = ran.summary();
        assert_eq!(summary["files"], files, "{since}: {summary}");
        assert_eq!(summary["older"], older, "{since}: {summary}");
        let links = std::fs::read_to_string(out.join("links.csv")).unwrap_or_default();
        assert_eq!(links.contains(&link), older < 3, "{since}: {links}");
    }
    assert_eq!(
        files_in(&dir.path().join("recent").join("Leads").join(R1)),
        expected(&[("new.txt", b"new")])
    );
}

#[tokio::test]
async fn a_bad_manifest_is_reported_by_line_and_nothing_is_sent() {
    let server = server_with(Conditions::default()).await;
    let dir = tempdir();
    let out = dir.path().join("export");
    let csv = format!("record_id,module\n{R1},Leads\n\nx1,Leads\n{R2},Le ads\n");
    let records = write(dir.path(), "records.csv", csv.as_bytes());
    // Without --json: the lines' errors go to standard error.
    let plain = |manifest: &Path| {
        let mut command = against(&server, dir.path(), &["download-many", "--manifest"]);
        command.arg(manifest).arg("--output").arg(&out);
        command
    };
    let ran = run(plain(&records)).await;
    ran.expect(2);
    assert!(
        ran.stderr.contains("error: line 4: ") && ran.stderr.contains("error: line 5: "),
        "{ran:#?}"
    );
    assert!(
        ran.stderr
            .contains("2 of 3 lines of the manifest are invalid"),
        "{ran:#?}"
    );
    assert_eq!(server.request_count(), 0);
    assert!(!out.exists());
    let header = write(dir.path(), "bad.csv", b"module,record\nLeads,1\n");
    let ran = run(plain(&header)).await;
    ran.expect(2);
    assert!(ran.stderr.contains("unknown column \"record\""), "{ran:#?}");

    // --skip-invalid exports the valid line; the invalid ones count as failures.
    server.insert_file("Leads", R1, "a.txt", b"a");
    let ran = run(export(
        &server,
        dir.path(),
        &records,
        &out,
        &["--skip-invalid"],
    ))
    .await;
    ran.expect(3);
    assert_eq!(ran.summary()["invalid"], 2);
    assert_eq!(ran.summary()["files"], 1);
}

#[tokio::test]
async fn a_dry_run_lists_and_writes_nothing() {
    let server = server_with(Conditions::default()).await;
    let dir = tempdir();
    let out = dir.path().join("export");
    server.insert_file("Leads", R1, "a.txt", b"aaa");
    server.insert_link("Leads", R1, "https://example.com", None);
    let records = manifest(dir.path(), &[("Leads", R1)]);
    let extra: &[&str] = &["--dry-run"];
    let ran = run(export(&server, dir.path(), &records, &out, extra)).await;
    ran.expect(0);
    let summary = ran.summary();
    assert_eq!(
        (
            &summary["dry_run"],
            &summary["would_download"],
            &summary["would_download_bytes"]
        ),
        (&Value::from(true), &Value::from(1), &Value::from(3)),
        "{summary}"
    );
    assert!(ran.json().iter().any(|v| v["status"] == "would_add_link"));
    assert_eq!(listings(&server), 1);
    assert_eq!(server.request_count(), 1);
    assert!(!out.exists());
}

#[tokio::test]
async fn a_run_out_of_credits_stops_with_exit_5_and_a_later_run_finishes() {
    let server = server_with(Conditions {
        credits: Some(3),
        ..Conditions::default()
    })
    .await;
    let dir = tempdir();
    let out = dir.path().join("export");
    for file in 0..4 {
        server.insert_file(
            "Leads",
            R1,
            &format!("c{file}.txt"),
            format!("{file}").as_bytes(),
        );
    }
    let records = manifest(dir.path(), &[("Leads", R1), ("Leads", R2)]);
    let extra: &[&str] = &["--concurrency", "1", "--patience", "1"];
    let limit = Duration::from_secs(60);
    let first = run_within(export(&server, dir.path(), &records, &out, extra), limit).await;
    first.expect(5);
    let summary = first.summary();
    assert_eq!(summary["stopped_by"], "zoho_credits", "{summary}");
    // Three calls went through: the two listings and one download (in whichever order).
    let saved = summary["files"].as_u64().unwrap_or(0);
    assert!((1..4).contains(&saved), "{summary}");
    assert!(summary["held_back"].as_u64().unwrap_or(0) >= 1, "{summary}");
    assert!(
        first
            .stderr
            .contains("resume later with: zoho-crm download-many --manifest"),
        "{}",
        first.stderr
    );
    server.grant_credits(100);
    let second = run_within(export(&server, dir.path(), &records, &out, extra), limit).await;
    second.expect(0);
    let summary = second.summary();
    assert_eq!(summary["already_done"].as_u64(), Some(saved), "{summary}");
    assert_eq!(summary["files"].as_u64(), Some(4 - saved), "{summary}");
    let files = files_in(&out.join("Leads").join(R1));
    let wanted: Vec<(String, Vec<u8>)> = (0..4)
        .map(|file| (format!("c{file}.txt"), format!("{file}").into_bytes()))
        .collect();
    let pairs: Vec<(&str, &[u8])> = wanted
        .iter()
        .map(|(name, bytes)| (name.as_str(), bytes.as_slice()))
        .collect();
    assert_eq!(files, expected(&pairs));
}

#[tokio::test]
async fn a_download_cut_mid_body_is_never_left_under_its_name_and_a_rerun_cleans_up() {
    let server = server_with(Conditions::default()).await;
    let dir = tempdir();
    let bytes = content(9, 4096);
    server.insert_file("Leads", R1, "big.bin", &bytes);
    let records = manifest(dir.path(), &[("Leads", R1)]);
    let out = dir.path().join("out");
    let record_dir = out.join("Leads").join(R1);
    let extra: &[&str] = &[];
    // SIGINT, then SIGKILL, each while the body drips in (a byte every 200 ms). Faults apply
    // to the next request: the listing's is one with no effect on a listing.
    for signal in ["INT", "KILL"] {
        server.push_fault(Fault::Disposition(
            "attachment; filename=\"big.bin\"".to_owned(),
        ));
        server.push_fault(Fault::Drip {
            interval: Duration::from_millis(200),
        });
        let mut command = export(&server, dir.path(), &records, &out, extra);
        command.stdout(Stdio::null()).stderr(Stdio::null());
        let child = match command.spawn() {
            Ok(child) => child,
            Err(e) => panic!("cannot start the CLI: {e}"),
        };
        let pid = child.id();
        common::wait_until(
            Duration::from_secs(20),
            "the download writes its temporary file",
            || temp_files_in(&record_dir) == 1,
        )
        .await;
        common::send_signal(pid, signal);
        let waited = tokio::time::timeout(
            Duration::from_secs(10),
            tokio::task::spawn_blocking(move || child.wait_with_output()),
        )
        .await;
        let Ok(Ok(Ok(output))) = waited else {
            common::send_signal(pid, "KILL");
            panic!("the CLI did not end after SIG{signal}");
        };
        assert!(!record_dir.join("big.bin").exists(), "SIG{signal}");
        if signal == "INT" {
            assert_eq!(output.status.code(), Some(130));
            // Abandoned in the process: its temporary file is gone with it.
            assert_eq!(temp_files_in(&record_dir), 0);
        } else {
            // Killed: the temporary file stays behind, under no final name.
            assert_eq!(temp_files_in(&record_dir), 1);
        }
    }
    let rerun = run(export(&server, dir.path(), &records, &out, extra)).await;
    rerun.expect(0);
    let summary = rerun.summary();
    assert_eq!(summary["files"], 1, "{summary}");
    assert_eq!(summary["stale_removed"], 1, "{summary}");
    assert_eq!(temp_files_in(&record_dir), 0);
    assert_eq!(sha_of(&record_dir.join("big.bin")), sha(&bytes));
}

#[tokio::test]
async fn a_file_already_there_with_zohos_size_is_kept_and_another_is_saved_beside_it() {
    let server = server_with(Conditions::default()).await;
    let dir = tempdir();
    let out = dir.path().join("export");
    let same = server.insert_file("Leads", R1, "same.txt", b"abc");
    let other = server.insert_file("Leads", R1, "other.txt", b"zoho's");
    // Files no journal wrote: one of the size Zoho lists, one not.
    let record_dir = out.join("Leads").join(R1);
    write(&record_dir, "same.txt", b"xyz");
    write(&record_dir, "other.txt", b"mine");
    let records = manifest(dir.path(), &[("Leads", R1)]);
    let dry = run(export(&server, dir.path(), &records, &out, &["--dry-run"])).await;
    dry.expect(0);
    let statuses: BTreeMap<String, String> = dry
        .json()
        .iter()
        .filter(|line| line.get("summary").is_none())
        .map(|line| (text(line, "id").to_owned(), text(line, "status").to_owned()))
        .collect();
    assert_eq!(statuses.get(&same).map(String::as_str), Some("would_keep"));
    assert_eq!(
        statuses.get(&other).map(String::as_str),
        Some("would_download")
    );

    let ran = run(export(&server, dir.path(), &records, &out, &[])).await;
    ran.expect(0);
    let summary = ran.summary();
    assert_eq!(summary["kept_existing"], 1, "{summary}");
    assert_eq!(summary["files"], 1, "{summary}");
    let kept = ran
        .json()
        .into_iter()
        .find(|line| line["id"] == same.as_str())
        .unwrap_or_default();
    assert_eq!(kept["status"], "kept_existing", "{kept}");
    assert_eq!(kept["sha256"], sha(b"xyz"), "{kept}");
    assert!(
        ran.stderr
            .contains("other.txt is there already, 4 bytes, not Zoho's 6"),
        "{}",
        ran.stderr
    );
    // Only the other file was downloaded; the local ones are as they were.
    let downloads = downloads_by_id(&server);
    assert_eq!(downloads.get(&same), None);
    assert_eq!(downloads.get(&other), Some(&1));
    let files = files_in(&record_dir);
    assert_eq!(files.get("same.txt"), Some(&sha(b"xyz")));
    assert_eq!(files.get("other.txt"), Some(&sha(b"mine")));
    assert_eq!(files.get("other (2).txt"), Some(&sha(b"zoho's")));
    let index = std::fs::read_to_string(out.join("index.csv")).unwrap_or_default();
    assert!(
        index.contains(&format!(",{same},same.txt,3,{},", sha(b"xyz"))),
        "{index}"
    );

    let again = run(export(&server, dir.path(), &records, &out, &[])).await;
    again.expect(0);
    assert_eq!(again.summary()["already_done"], 2, "{}", again.stdout);
    assert_eq!(downloads_by_id(&server).get(&other), Some(&1));
}

#[tokio::test]
async fn a_name_template_names_new_files_by_their_fields_and_a_bad_one_sends_nothing() {
    let server = server_with(Conditions::default()).await;
    let dir = tempdir();
    let out = dir.path().join("export");
    let first = server.insert_file("Leads", R1, "a.txt", b"one");
    let second = server.insert_file("Leads", R1, "a.txt", b"two");
    let records = manifest(dir.path(), &[("Leads", R1)]);
    let template = ["--name-template", "{created:%Y}_{id}_{stem}.{ext}"];
    let ran = run(export(&server, dir.path(), &records, &out, &template)).await;
    ran.expect(0);
    let files = files_in(&out.join("Leads").join(R1));
    let names: Vec<&String> = files.keys().collect();
    assert_eq!(names.len(), 2, "{names:?}");
    for (id, bytes) in [(&first, b"one"), (&second, b"two")] {
        let (name, hash) = files
            .iter()
            .find(|(name, _)| name.ends_with(&format!("_{id}_a.txt")))
            .unwrap_or_else(|| panic!("no file for {id} in {names:?}"));
        let year = name.split('_').next().unwrap_or_default();
        assert!(
            year.len() == 4 && year.bytes().all(|b| b.is_ascii_digit()),
            "{name}"
        );
        assert_eq!(hash, &sha(bytes));
    }
    // A re-run keeps the names the journal gave.
    let again = run(export(&server, dir.path(), &records, &out, &[])).await;
    again.expect(0);
    assert_eq!(again.summary()["already_done"], 2, "{}", again.stdout);

    let before = server.request_count();
    let bad = run(export(
        &server,
        dir.path(),
        &records,
        &dir.path().join("other"),
        &["--name-template", "{nme}"],
    ))
    .await;
    bad.expect(2);
    assert!(bad.stderr.contains("unknown field {nme}"), "{}", bad.stderr);
    assert_eq!(server.request_count(), before);
}
