//! `zoho-crm upload-many`: a manifest checked whole before anything is sent, a journal that
//! makes re-runs (and runs killed half way) attach each file exactly once, lower concurrency
//! under 429s, and uploads of unknown result left alone unless asked.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::{
    RECORD, against, mkfifo, run, run_within, send_signal, server, stored_names, tempdir, text,
    wait_until, write,
};
use serde_json::Value;
use zoho_crm_testkit::{CannedReply, Fault, Server, UploadDetails};

/// Writes `count` small files `dir/files/f00.txt`... and a manifest naming them (relative
/// paths); returns the manifest's path.
fn manifest_of(dir: &Path, count: usize) -> PathBuf {
    let mut csv = String::from("module,record_id,path\n");
    for index in 0..count {
        let name = format!("f{index:02}.txt");
        write(
            dir,
            &format!("files/{name}"),
            format!("file {index}").as_bytes(),
        );
        csv.push_str(&format!("Leads,{RECORD},files/{name}\n"));
    }
    write(dir, "manifest.csv", csv.as_bytes())
}

fn journal_records(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|line| serde_json::from_str(line).ok())
        .collect()
}

/// How many times each file name is stored.
fn copies(server: &Server) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for name in stored_names(server) {
        *counts.entry(name).or_insert(0) += 1;
    }
    counts
}

#[tokio::test]
async fn a_manifest_is_uploaded_journaled_and_a_rerun_sends_nothing() {
    let server = server().await;
    let dir = tempdir();
    write(dir.path(), "docs/a.pdf", b"aaa");
    write(dir.path(), "docs/b.pdf", b"bbbb");
    let csv = format!(
        "module,record_id,path,title\nLeads,{RECORD},docs/a.pdf,\nDeals,{RECORD},docs/b.pdf,Contract 2024.pdf\n"
    );
    let manifest = write(dir.path(), "batch.csv", csv.as_bytes());
    let manifest_arg = manifest.to_string_lossy();
    let args = ["--json", "upload-many", "--manifest", &manifest_arg];
    let first = run(against(&server, dir.path(), &args)).await;
    first.expect(0);
    let summary = first.summary();
    assert_eq!(summary["uploaded"], 2);
    assert_eq!(summary["bytes"], 7);
    assert_eq!(summary["failed"], 0);
    assert_eq!(summary["throttled"], 0);
    let items: Vec<Value> = first
        .json()
        .into_iter()
        .filter(|v| v.get("line").is_some())
        .collect();
    assert_eq!(items.len(), 2);
    let stored = server.attachments();
    for item in &items {
        assert_eq!(item["ok"], true);
        assert!(stored.iter().any(|a| a.id == text(item, "id")), "{item}");
    }
    assert_eq!(copies(&server).get("Contract 2024.pdf"), Some(&1));
    assert_eq!(stored.iter().filter(|a| a.module == "Deals").count(), 1);

    // The journal beside the manifest: started, then ok with the id, per line.
    let journal = dir.path().join("batch.csv.journal");
    let records = journal_records(&journal);
    let ok: Vec<&Value> = records.iter().filter(|r| r["status"] == "ok").collect();
    assert_eq!(ok.len(), 2);
    assert_eq!(
        records.iter().filter(|r| r["status"] == "started").count(),
        2
    );
    let line_2 = ok.iter().find(|r| r["line"] == 2);
    assert!(line_2.is_some_and(|r| text(r, "path") == "docs/a.pdf"
        && text(r, "module") == "Leads"
        && text(r, "record_id") == RECORD));

    // Again: all done, nothing sent.
    let requests = server.request_count();
    let second = run(against(&server, dir.path(), &args)).await;
    second.expect(0);
    assert_eq!(second.summary()["already_done"], 2);
    assert_eq!(second.summary()["uploaded"], 0);
    assert_eq!(server.request_count(), requests);

    // An edited manifest: line 2 now names another file, which is uploaded.
    write(dir.path(), "docs/c.pdf", b"c");
    let csv = format!(
        "module,record_id,path,title\nLeads,{RECORD},docs/c.pdf,\nDeals,{RECORD},docs/b.pdf,Contract 2024.pdf\n"
    );
    write(dir.path(), "batch.csv", csv.as_bytes());
    let third = run(against(&server, dir.path(), &args)).await;
    third.expect(0);
    assert_eq!(third.summary()["uploaded"], 1);
    assert_eq!(third.summary()["already_done"], 1);
    assert_eq!(copies(&server).get("c.pdf"), Some(&1));
}

#[tokio::test]
async fn every_kind_of_bad_line_is_reported_with_its_number_and_nothing_is_sent() {
    let server = server().await;
    let dir = tempdir();
    write(dir.path(), "ok.txt", b"fine");
    write(dir.path(), "setup.exe", b"MZ");
    assert!(std::fs::create_dir(dir.path().join("a-directory")).is_ok());
    let big = write(dir.path(), "big.bin", b"");
    let sparse = std::fs::OpenOptions::new().write(true).open(&big);
    assert!(sparse.and_then(|f| f.set_len(104_857_601)).is_ok());
    let csv = format!(
        "module,record_id,path\n\
         Leads,{RECORD},ok.txt\n\
         Leads,{RECORD},missing.txt\n\
         Leads,{RECORD},a-directory\n\
         Leads,{RECORD},setup.exe\n\
         Leads,{RECORD},big.bin\n\
         Bad Module,{RECORD},ok.txt\n\
         Leads,00123,ok.txt\n\
         Leads,{RECORD}\n\
         Leads,{RECORD},\n"
    );
    let manifest = write(dir.path(), "m.csv", csv.as_bytes());
    let manifest_arg = manifest.to_string_lossy();
    let args = ["upload-many", "--manifest", &manifest_arg];
    let refused = run(against(&server, dir.path(), &args)).await;
    refused.expect(2);
    assert_eq!(server.request_count(), 0);
    for (line, reason) in [
        (3, "does not exist"),
        (4, "is a directory"),
        (5, ".exe"),
        (6, "over the limit"),
        (7, "module API name"),
        (8, "record id"),
        (9, "path column is missing"),
        (10, "path is empty"),
    ] {
        let found = refused
            .stderr
            .lines()
            .any(|l| l.contains(&format!("line {line}")) && l.contains(reason));
        assert!(found, "line {line} ({reason}) not reported: {refused:#?}");
    }
    assert!(!refused.stderr.contains("line 2"), "{refused:#?}");
    assert!(refused.stderr.contains("nothing was sent"), "{refused:#?}");
    assert!(!dir.path().join("m.csv.journal").exists());

    // As JSON: one line per invalid line, with its number.
    let json_args = ["--json", "upload-many", "--manifest", &manifest_arg];
    let json = run(against(&server, dir.path(), &json_args)).await;
    json.expect(2);
    let lines: Vec<u64> = json
        .json()
        .iter()
        .filter(|v| v["status"] == "invalid")
        .filter_map(|v| v["line"].as_u64())
        .collect();
    assert_eq!(lines, [3, 4, 5, 6, 7, 8, 9, 10]);

    // --skip-invalid: the valid line goes, the others count as failures.
    let skip = [
        "--json",
        "upload-many",
        "--manifest",
        &manifest_arg,
        "--skip-invalid",
    ];
    let skipped = run(against(&server, dir.path(), &skip)).await;
    skipped.expect(3);
    assert_eq!(skipped.summary()["uploaded"], 1);
    assert_eq!(skipped.summary()["invalid"], 8);
    assert_eq!(stored_names(&server), ["ok.txt"]);
}

#[tokio::test]
async fn a_bad_header_or_concurrency_is_refused() {
    let server = server().await;
    let dir = tempdir();
    let manifest = write(dir.path(), "m.csv", b"module,record,path\nLeads,1,a.txt\n");
    let manifest_arg = manifest.to_string_lossy();
    let run_header = run(against(
        &server,
        dir.path(),
        &["upload-many", "--manifest", &manifest_arg],
    ))
    .await;
    run_header.expect(2);
    assert!(run_header.stderr.contains("line 1"), "{run_header:#?}");
    for concurrency in ["0", "26", "x"] {
        let args = [
            "upload-many",
            "--manifest",
            &manifest_arg,
            "--concurrency",
            concurrency,
        ];
        run(against(&server, dir.path(), &args)).await.expect(2);
    }
    let missing = dir.path().join("none.csv");
    let missing_arg = missing.to_string_lossy();
    run(against(
        &server,
        dir.path(),
        &["upload-many", "--manifest", &missing_arg],
    ))
    .await
    .expect(2);
    assert_eq!(server.request_count(), 0);
}

/// Starts an upload-many of `FILES` files against a server that stalls every upload 300 ms
/// (before reading its body, or after storing it, before answering), kills it (SIGKILL) once a
/// few uploads are journaled, resumes it with the same journal, and checks that every file is
/// on the server exactly once. Returns the resumed run's summary.
async fn kill_and_resume(before_body: bool) -> Value {
    const FILES: usize = 12;
    let server = server().await;
    let dir = tempdir();
    let manifest = manifest_of(dir.path(), FILES);
    let manifest_arg = manifest.to_string_lossy().into_owned();
    let journal = dir.path().join("run.journal");
    let journal_arg = journal.to_string_lossy().into_owned();
    for _ in 0..FILES {
        server.push_fault(Fault::Stall {
            before_body,
            duration: Duration::from_millis(300),
        });
    }
    let args = [
        "upload-many",
        "--manifest",
        &manifest_arg,
        "--journal",
        &journal_arg,
        "--concurrency",
        "2",
    ];
    let mut command = against(&server, dir.path(), &args);
    command.stdout(Stdio::null()).stderr(Stdio::null());
    let mut child = match command.spawn() {
        Ok(child) => child,
        Err(e) => panic!("cannot start the CLI: {e}"),
    };
    // Wait until some uploads are journaled as done (and, when the server stalls after
    // storing, until it has just stored a file whose answer is still stalled, so the journal
    // cannot know of it by the kill), then kill -9.
    let deadline = Instant::now() + Duration::from_secs(30);
    let (mut stored, mut stored_at) = (0, Instant::now());
    loop {
        let done = journal_records(&journal)
            .iter()
            .filter(|r| r["status"] == "ok")
            .count();
        let now_stored = server.attachments().len();
        if now_stored > stored {
            (stored, stored_at) = (now_stored, Instant::now());
        }
        let just_stored = stored > done && stored_at.elapsed() < Duration::from_millis(100);
        if done >= 3 && (before_body || just_stored) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the run journaled nothing in time"
        );
        assert!(matches!(child.try_wait(), Ok(None)), "the run ended early");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(child.kill().is_ok());
    let waited = tokio::task::spawn_blocking(move || child.wait()).await;
    assert!(matches!(waited, Ok(Ok(status)) if !status.success()));
    let records = journal_records(&journal);
    let ok_before = records.iter().filter(|r| r["status"] == "ok").count();
    assert!(ok_before < FILES, "the run finished before it was killed");
    // Let the server finish what the killed run had in flight.
    tokio::time::sleep(Duration::from_millis(800)).await;
    let stored_at_kill = server.attachments().len();

    let resume = [
        "--json",
        "upload-many",
        "--manifest",
        &manifest_arg,
        "--journal",
        &journal_arg,
    ];
    let resumed = run(against(&server, dir.path(), &resume)).await;
    resumed.expect(0);
    let summary = resumed.summary();
    let counts = copies(&server);
    let duplicates: usize = counts.values().map(|n| n.saturating_sub(1)).sum();
    println!(
        "stall before_body={before_body}: killed after {ok_before} journaled uploads ({stored_at_kill} stored by then); resumed: uploaded {}, already done {}, found on the record {}; duplicates: {duplicates}",
        summary["uploaded"], summary["already_done"], summary["found_on_record"]
    );
    assert_eq!(duplicates, 0, "{counts:?}");
    assert_eq!(counts.len(), FILES, "{counts:?}");
    let accounted = summary["uploaded"].as_u64().unwrap_or(0)
        + summary["already_done"].as_u64().unwrap_or(0)
        + summary["found_on_record"].as_u64().unwrap_or(0);
    assert_eq!(accounted, FILES as u64, "{summary}");
    assert_eq!(summary["already_done"].as_u64(), Some(ok_before as u64));
    // Whatever the server stored without the journal knowing was found, not sent again.
    assert_eq!(
        summary["found_on_record"].as_u64(),
        Some((stored_at_kill - ok_before) as u64),
        "{summary}"
    );
    summary
}

#[tokio::test]
async fn a_run_killed_half_way_and_resumed_attaches_every_file_exactly_once() {
    kill_and_resume(true).await;
}

#[tokio::test]
async fn a_run_killed_after_the_server_stored_in_flight_files_does_not_send_them_again() {
    let summary = kill_and_resume(false).await;
    // Killed while the server held stored uploads unanswered: those were found on the record.
    assert!(
        summary["found_on_record"].as_u64().unwrap_or(0) >= 1,
        "{summary}"
    );
}

#[tokio::test]
async fn interrupted_uploads_found_on_the_record_are_not_sent_again() {
    let server = server().await;
    let dir = tempdir();
    let manifest = manifest_of(dir.path(), 2);
    let manifest_arg = manifest.to_string_lossy();
    // A killed run left lines 2 and 3 in flight. The server stored line 2's file after that
    // attempt started; a file named like line 3's is older than its attempt, so not it.
    let id = server.insert_file("Leads", RECORD, "f00.txt", b"file 0");
    server.insert_file("Leads", RECORD, "f01.txt", b"file 1");
    let line_2 = serde_json::json!({
        "line": 2, "path": "files/f00.txt", "module": "Leads", "record_id": RECORD,
        "status": "started", "at": "2020-01-01T00:00:00.000Z",
    });
    let later = (chrono::Utc::now() + chrono::TimeDelta::hours(1)).to_rfc3339();
    let line_3 = serde_json::json!({
        "line": 3, "path": "files/f01.txt", "module": "Leads", "record_id": RECORD,
        "status": "started", "at": later,
    });
    let journal = dir.path().join("manifest.csv.journal");
    write(
        dir.path(),
        "manifest.csv.journal",
        format!("{line_2}\n{line_3}\n").as_bytes(),
    );
    let args = ["--json", "upload-many", "--manifest", &manifest_arg];
    let first = run(against(&server, dir.path(), &args)).await;
    first.expect(0);
    assert_eq!(first.summary()["found_on_record"], 1);
    assert_eq!(first.summary()["uploaded"], 1);
    let found = first
        .json()
        .into_iter()
        .find(|v| v["status"] == "found_on_record");
    assert!(found.is_some_and(|v| text(&v, "id") == id && v["line"] == 2));
    assert_eq!(copies(&server).get("f00.txt"), Some(&1));
    assert_eq!(copies(&server).get("f01.txt"), Some(&2));
    let last = journal_records(&journal)
        .into_iter()
        .rfind(|r| r["line"] == 2);
    assert!(last.is_some_and(|r| r["status"] == "ok" && r["found_on_record"] == true));
}

#[tokio::test]
async fn throttling_lowers_the_concurrency_and_everything_still_arrives_once() {
    let server = server().await;
    let dir = tempdir();
    let manifest = manifest_of(dir.path(), 8);
    let manifest_arg = manifest.to_string_lossy();
    for _ in 0..3 {
        server.push_fault(Fault::TooManyRequests {
            retry_after: Some("0".to_owned()),
        });
    }
    let args = [
        "--json",
        "upload-many",
        "--manifest",
        &manifest_arg,
        "--concurrency",
        "4",
    ];
    let json = run(against(&server, dir.path(), &args)).await;
    json.expect(0);
    let summary = json.summary();
    assert!(summary["throttled"].as_u64().unwrap_or(0) >= 1, "{summary}");
    assert!(
        summary["lowest_concurrency"].as_u64().unwrap_or(4) < 4,
        "{summary}"
    );
    assert_eq!(summary["concurrency"], 4);
    assert_eq!(summary["uploaded"], 8);
    let counts = copies(&server);
    assert!(
        counts.len() == 8 && counts.values().all(|n| *n == 1),
        "{counts:?}"
    );

    // In text, the summary says so on standard error.
    let again = manifest_of(&dir.path().join("again"), 2);
    let again_arg = again.to_string_lossy();
    server.push_fault(Fault::TooManyRequests {
        retry_after: Some("0".to_owned()),
    });
    let text_args = ["upload-many", "--manifest", &again_arg];
    let human = run(against(&server, dir.path(), &text_args)).await;
    human.expect(0);
    assert!(human.stderr.contains("throttled 1 time(s)"), "{human:#?}");
}

#[tokio::test]
async fn an_unknown_result_is_not_retried_unless_asked_and_then_not_duplicated() {
    let server = server().await;
    let dir = tempdir();
    let manifest = manifest_of(dir.path(), 3);
    let manifest_arg = manifest.to_string_lossy();
    // The first upload is stored, but its answer is lost.
    server.push_fault(Fault::DropAfterBody { store: true });
    let args = [
        "--json",
        "upload-many",
        "--manifest",
        &manifest_arg,
        "--concurrency",
        "1",
    ];
    let first = run(against(&server, dir.path(), &args)).await;
    first.expect(3);
    assert!(
        first.stderr.contains(
            "error: line 2 (files/f00.txt): may have been stored; before uploading it again, check with: zoho-crm list --module Leads"
        ),
        "{first:#?}"
    );
    assert!(!first.stderr.contains("not uploaded"), "{first:#?}");
    let summary = first.summary();
    assert_eq!(summary["unknown"], 1);
    assert_eq!(summary["uploaded"], 2);
    assert_eq!(summary["unknown_lines"], serde_json::json!([2]));
    assert!(
        text(&summary, "hint").contains("--retry-unknown"),
        "{summary}"
    );
    let journal = dir.path().join("manifest.csv.journal");
    assert!(
        journal_records(&journal)
            .iter()
            .any(|r| r["status"] == "unknown" && r["line"] == 2)
    );

    // Re-run: left alone, still reported.
    let second = run(against(&server, dir.path(), &args)).await;
    second.expect(3);
    assert_eq!(second.summary()["unknown"], 1);
    assert_eq!(second.summary()["already_done"], 2);
    let human = run(against(
        &server,
        dir.path(),
        &["upload-many", "--manifest", &manifest_arg],
    ))
    .await;
    human.expect(3);
    let check = format!(
        "zoho-crm list --module Leads --record {RECORD} --api-base {}",
        server.base_url()
    );
    assert!(
        human.stderr.contains(
            "1 upload(s) may have been stored: check the records with the commands given"
        ) && human
            .stderr
            .contains(&format!("  line 2 (files/f00.txt): {check}")),
        "{human:#?}"
    );
    assert_eq!(second.summary()["checks"], serde_json::json!([check]));
    assert_eq!(copies(&server).get("f00.txt"), Some(&1));

    // --retry-unknown: found on the record, so not sent again.
    let retry = [
        "--json",
        "upload-many",
        "--manifest",
        &manifest_arg,
        "--retry-unknown",
    ];
    let third = run(against(&server, dir.path(), &retry)).await;
    third.expect(0);
    assert_eq!(third.summary()["found_on_record"], 1);
    assert_eq!(third.summary()["uploaded"], 0);
    assert_eq!(copies(&server).get("f00.txt"), Some(&1));
}

#[tokio::test]
async fn retrying_an_unknown_upload_that_was_not_stored_sends_it() {
    let server = server().await;
    let dir = tempdir();
    let manifest = manifest_of(dir.path(), 1);
    let manifest_arg = manifest.to_string_lossy();
    server.push_fault(Fault::DropAfterBody { store: false });
    let args = ["--json", "upload-many", "--manifest", &manifest_arg];
    run(against(&server, dir.path(), &args)).await.expect(3);
    assert_eq!(server.attachment_count(), 0);
    let retry = [
        "--json",
        "upload-many",
        "--manifest",
        &manifest_arg,
        "--retry-unknown",
    ];
    let retried = run(against(&server, dir.path(), &retry)).await;
    retried.expect(0);
    assert_eq!(retried.summary()["uploaded"], 1);
    assert_eq!(copies(&server).get("f00.txt"), Some(&1));
}

#[tokio::test]
async fn a_refused_upload_fails_the_run_and_is_retried_by_the_next() {
    let server = server().await;
    let dir = tempdir();
    let manifest = manifest_of(dir.path(), 2);
    let manifest_arg = manifest.to_string_lossy();
    server.respond_next_with(CannedReply::json(
        403,
        serde_json::json!({"code": "NO_PERMISSION", "details": {}, "message": "Permission denied to upload attachment", "status": "error"}),
    ));
    let args = [
        "--json",
        "upload-many",
        "--manifest",
        &manifest_arg,
        "--concurrency",
        "1",
    ];
    let first = run(against(&server, dir.path(), &args)).await;
    first.expect(3);
    let failed = first.json().into_iter().find(|v| v["status"] == "error");
    assert!(failed.is_some_and(|v| text(&v, "code") == "NO_PERMISSION"
        && v["line"] == 2
        && !text(&v, "resolution").is_empty()));
    assert_eq!(first.summary()["failed"], 1);
    let second = run(against(&server, dir.path(), &args)).await;
    second.expect(0);
    assert_eq!(second.summary()["uploaded"], 1);
    assert_eq!(second.summary()["already_done"], 1);
    let counts = copies(&server);
    assert!(
        counts.len() == 2 && counts.values().all(|n| *n == 1),
        "{counts:?}"
    );
}

#[tokio::test]
async fn answers_with_the_id_alone_are_journaled_as_done() {
    let server = server().await;
    server.set_upload_details(UploadDetails::IdOnly);
    let dir = tempdir();
    let manifest = manifest_of(dir.path(), 3);
    let manifest_arg = manifest.to_string_lossy();
    let args = ["--json", "upload-many", "--manifest", &manifest_arg];
    let first = run(against(&server, dir.path(), &args)).await;
    first.expect(0);
    assert_eq!(first.summary()["uploaded"], 3);
    assert_eq!(first.summary()["unknown"], 0);
    let journal = dir.path().join("manifest.csv.journal");
    let ok: Vec<Value> = journal_records(&journal)
        .into_iter()
        .filter(|r| r["status"] == "ok")
        .collect();
    assert_eq!(ok.len(), 3);
    let stored = server.attachments();
    assert!(
        ok.iter()
            .all(|r| stored.iter().any(|a| a.id == text(r, "id")))
    );
}

#[tokio::test]
async fn a_success_answer_that_cannot_be_read_is_stored_and_never_sent_again() {
    let server = server().await;
    let dir = tempdir();
    let manifest = manifest_of(dir.path(), 2);
    let manifest_arg = manifest.to_string_lossy();
    // The first upload's answer says SUCCESS with an id, but a field of the wrong shape.
    server.respond_next_with(CannedReply::json(
        200,
        serde_json::json!({"data": [{"code": "SUCCESS", "details": {"id": "5550001", "Created_Time": "yesterday"}, "message": "attachment uploaded successfully", "status": "success"}]}),
    ));
    let args = [
        "--json",
        "upload-many",
        "--manifest",
        &manifest_arg,
        "--concurrency",
        "1",
    ];
    let first = run(against(&server, dir.path(), &args)).await;
    first.expect(0);
    assert_eq!(first.summary()["uploaded"], 2);
    assert_eq!(first.summary()["unknown"], 0);
    let unverified = first
        .json()
        .into_iter()
        .find(|v| v["status"] == "stored-unverified");
    assert!(
        unverified.is_some_and(|v| v["ok"] == true && text(&v, "id") == "5550001"),
        "{first:#?}"
    );
    assert!(first.stderr.contains("stored"), "{first:#?}");
    assert!(!first.stderr.contains("not uploaded"), "{first:#?}");
    let journal = dir.path().join("manifest.csv.journal");
    let records = journal_records(&journal);
    assert!(
        records
            .iter()
            .any(|r| r["status"] == "stored_unverified" && text(r, "id") == "5550001"),
        "{records:?}"
    );
    let requests = server.request_count();
    let second = run(against(&server, dir.path(), &args)).await;
    second.expect(0);
    assert_eq!(second.summary()["already_done"], 2);
    assert_eq!(second.summary()["uploaded"], 0);
    assert_eq!(server.request_count(), requests);
}

/// The item lines (not the summary) of a JSON run with `status`.
fn items_with(run: &common::Run, status: &str) -> Vec<Value> {
    run.json()
        .into_iter()
        .filter(|v| v["status"] == status)
        .collect()
}

#[tokio::test]
async fn inserted_reordered_and_blank_lines_never_resend_done_files() {
    let server = server().await;
    let dir = tempdir();
    let manifest = manifest_of(dir.path(), 3);
    let manifest_arg = manifest.to_string_lossy();
    let args = ["--json", "upload-many", "--manifest", &manifest_arg];
    run(against(&server, dir.path(), &args)).await.expect(0);
    assert_eq!(server.attachment_count(), 3);
    // A new line at the top, blank lines, the old lines in another order and another spelling
    // of one path: only the new file goes.
    write(dir.path(), "files/new.txt", b"new");
    let csv = format!(
        "module,record_id,path\nLeads,{RECORD},files/new.txt\n\n\nLeads,{RECORD},files/f02.txt\nLeads,{RECORD},./files/f00.txt\n\nLeads,{RECORD},files/../files/f01.txt\n"
    );
    write(dir.path(), "manifest.csv", csv.as_bytes());
    let second = run(against(&server, dir.path(), &args)).await;
    second.expect(0);
    assert_eq!(second.summary()["uploaded"], 1, "{second:#?}");
    assert_eq!(second.summary()["already_done"], 3);
    let counts = copies(&server);
    assert!(
        counts.len() == 4 && counts.values().all(|n| *n == 1),
        "{counts:?}"
    );
}

#[tokio::test]
async fn a_duplicate_line_is_reported_and_uploaded_once_unless_allowed() {
    let server = server().await;
    let dir = tempdir();
    write(dir.path(), "a.txt", b"aaa");
    let csv = format!(
        "module,record_id,path\nLeads,{RECORD},a.txt\nLeads,{RECORD},a.txt\nLeads,{RECORD},./a.txt\nDeals,{RECORD},a.txt\n"
    );
    let manifest = write(dir.path(), "m.csv", csv.as_bytes());
    let manifest_arg = manifest.to_string_lossy();
    let args = ["--json", "upload-many", "--manifest", &manifest_arg];
    let first = run(against(&server, dir.path(), &args)).await;
    first.expect(0);
    assert_eq!(first.summary()["uploaded"], 2, "{first:#?}");
    assert_eq!(first.summary()["duplicates"], 2);
    let duplicates: Vec<(u64, u64)> = items_with(&first, "duplicate")
        .iter()
        .map(|v| {
            (
                v["line"].as_u64().unwrap_or(0),
                v["duplicate_of"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(duplicates, [(3, 2), (4, 2)]);
    assert_eq!(copies(&server).get("a.txt"), Some(&2)); // one on Leads, one on Deals
    let text_run = run(against(
        &server,
        dir.path(),
        &["upload-many", "--manifest", &manifest_arg],
    ))
    .await;
    text_run.expect(0);
    assert!(
        text_run.stderr.contains("duplicate: line 3 (a.txt): the same file for the same record as line 2, uploaded once (pass --allow-duplicates to upload it again)"),
        "{text_run:#?}"
    );
    // Asked for: each further line is one more copy, once, and a re-run sends nothing.
    let allow = [
        "--json",
        "upload-many",
        "--manifest",
        &manifest_arg,
        "--allow-duplicates",
    ];
    let allowed = run(against(&server, dir.path(), &allow)).await;
    allowed.expect(0);
    assert_eq!(allowed.summary()["uploaded"], 2, "{allowed:#?}");
    assert_eq!(allowed.summary()["already_done"], 2);
    let again = run(against(&server, dir.path(), &allow)).await;
    again.expect(0);
    assert_eq!(again.summary()["uploaded"], 0);
    let on_leads = server
        .attachments()
        .iter()
        .filter(|a| a.module == "Leads")
        .count();
    assert_eq!(on_leads, 3);
}

#[tokio::test]
async fn a_changed_file_is_a_new_upload_but_a_touched_one_is_not() {
    let server = server().await;
    let dir = tempdir();
    let manifest = manifest_of(dir.path(), 2);
    let manifest_arg = manifest.to_string_lossy();
    let args = ["--json", "upload-many", "--manifest", &manifest_arg];
    run(against(&server, dir.path(), &args)).await.expect(0);
    // f00: same size, other content. f01: same content, a new modification time.
    write(dir.path(), "files/f00.txt", b"FILE 0");
    let touched = std::fs::File::options()
        .write(true)
        .open(dir.path().join("files/f01.txt"))
        .and_then(|f| f.set_modified(std::time::SystemTime::now() + Duration::from_secs(60)));
    assert!(touched.is_ok());
    let second = run(against(&server, dir.path(), &args)).await;
    second.expect(0);
    assert_eq!(second.summary()["uploaded"], 1);
    assert_eq!(second.summary()["already_done"], 1);
    assert_eq!(copies(&server).get("f00.txt"), Some(&2));
    assert_eq!(copies(&server).get("f01.txt"), Some(&1));
}

#[tokio::test]
async fn a_journal_keyed_by_line_numbers_is_matched_by_path_whatever_the_line() {
    let server = server().await;
    let dir = tempdir();
    let manifest = manifest_of(dir.path(), 3);
    let manifest_arg = manifest.to_string_lossy();
    // An earlier version's journal: f00 and f01 done, recorded at lines that now hold other
    // files; f02 recorded with another size (changed since).
    let old = [
        serde_json::json!({"line": 4, "path": "files/f00.txt", "module": "Leads", "record_id": RECORD, "status": "ok", "at": "2024-01-01T00:00:00.000Z", "id": "9001", "bytes": 6}),
        serde_json::json!({"line": 2, "path": "files/f01.txt", "module": "Leads", "record_id": RECORD, "status": "ok", "at": "2024-01-01T00:00:00.000Z", "id": "9002"}),
        serde_json::json!({"line": 3, "path": "files/f02.txt", "module": "Leads", "record_id": RECORD, "status": "ok", "at": "2024-01-01T00:00:00.000Z", "id": "9003", "bytes": 1}),
    ];
    let text_lines: Vec<String> = old.iter().map(|v| v.to_string()).collect();
    write(
        dir.path(),
        "manifest.csv.journal",
        format!("{}\n", text_lines.join("\n")).as_bytes(),
    );
    let args = ["--json", "upload-many", "--manifest", &manifest_arg];
    let run = run(against(&server, dir.path(), &args)).await;
    run.expect(0);
    assert_eq!(run.summary()["already_done"], 2, "{run:#?}");
    assert_eq!(run.summary()["uploaded"], 1);
    assert_eq!(stored_names(&server), ["f02.txt"]);
    assert!(run.stderr.contains("of an earlier version"), "{run:#?}");
}

#[tokio::test]
async fn an_older_attachment_of_the_same_name_and_size_is_not_taken_for_an_interrupted_upload() {
    let server = server().await;
    let dir = tempdir();
    let manifest = manifest_of(dir.path(), 1);
    let manifest_arg = manifest.to_string_lossy();
    // On the record before the run: a file of the same name and size.
    let older = server.insert_file("Leads", RECORD, "f00.txt", b"file 0");
    // Zoho's times have whole seconds: the attempt starts in a later second.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let started = serde_json::json!({
        "line": 2, "path": "files/f00.txt", "module": "Leads", "record_id": RECORD,
        "status": "started", "at": chrono::Utc::now().to_rfc3339(),
    });
    write(
        dir.path(),
        "manifest.csv.journal",
        format!("{started}\n").as_bytes(),
    );
    let args = ["--json", "upload-many", "--manifest", &manifest_arg];
    let run = run(against(&server, dir.path(), &args)).await;
    run.expect(0);
    assert_eq!(run.summary()["found_on_record"], 0, "{run:#?}");
    assert_eq!(run.summary()["uploaded"], 1);
    let ids: Vec<String> = server.attachments().into_iter().map(|a| a.id).collect();
    assert_eq!(ids.len(), 2);
    assert_eq!(ids[0], older);
}

#[cfg(unix)]
#[tokio::test]
async fn paths_outside_the_manifests_directory_are_refused_unless_allowed() {
    let server = server().await;
    let dir = tempdir();
    let outside = write(dir.path(), "outside.txt", b"secret");
    write(dir.path(), "batch/inside.txt", b"fine");
    write(dir.path(), "batch/data/target.txt", b"linked");
    assert!(std::os::unix::fs::symlink(&outside, dir.path().join("batch/escape.txt")).is_ok());
    assert!(
        std::os::unix::fs::symlink("data/target.txt", dir.path().join("batch/link.txt")).is_ok()
    );
    let csv = format!(
        "module,record_id,path\nLeads,{RECORD},inside.txt\nLeads,{RECORD},../outside.txt\nLeads,{RECORD},{}\nLeads,{RECORD},escape.txt\nLeads,{RECORD},link.txt\n",
        outside.display()
    );
    let manifest = write(dir.path(), "batch/m.csv", csv.as_bytes());
    let manifest_arg = manifest.to_string_lossy();
    let args = ["upload-many", "--manifest", &manifest_arg];
    let refused = run(against(&server, dir.path(), &args)).await;
    refused.expect(2);
    for line in [3, 4, 5] {
        let reported = refused.stderr.lines().any(|l| {
            l.starts_with(&format!("error: line {line} "))
                && l.contains("outside the manifest's directory")
                && l.contains("--allow-outside")
        });
        assert!(reported, "line {line}: {refused:#?}");
    }
    assert!(!refused.stderr.contains("line 2 "), "{refused:#?}");
    assert!(!refused.stderr.contains("line 6 "), "{refused:#?}");
    assert_eq!(server.request_count(), 0);
    // --allow-outside: all of them; the link is uploaded under its own name.
    let allow = [
        "--json",
        "upload-many",
        "--manifest",
        &manifest_arg,
        "--allow-outside",
    ];
    let allowed = run(against(&server, dir.path(), &allow)).await;
    allowed.expect(0);
    // outside.txt three ways is one file for one record: once, and two duplicates.
    assert_eq!(allowed.summary()["uploaded"], 3, "{allowed:#?}");
    assert_eq!(allowed.summary()["duplicates"], 2);
    let mut names = stored_names(&server);
    names.sort();
    assert_eq!(names, ["inside.txt", "link.txt", "outside.txt"]);
}

#[cfg(unix)]
#[tokio::test]
async fn a_fifo_in_a_manifest_is_refused_at_once_with_exit_2() {
    let server = server().await;
    let dir = tempdir();
    mkfifo(&dir.path().join("pipe.txt"));
    write(dir.path(), "ok.txt", b"fine");
    let csv = format!("module,record_id,path\nLeads,{RECORD},ok.txt\nLeads,{RECORD},pipe.txt\n");
    let manifest = write(dir.path(), "m.csv", csv.as_bytes());
    let manifest_arg = manifest.to_string_lossy();
    let args = ["upload-many", "--manifest", &manifest_arg];
    let run = run_within(against(&server, dir.path(), &args), Duration::from_secs(20)).await;
    run.expect(2);
    let reported = run
        .stderr
        .lines()
        .any(|l| l.starts_with("error: line 3 (pipe.txt)") && l.contains("FIFO (named pipe)"));
    assert!(reported, "{run:#?}");
    assert_eq!(server.request_count(), 0);
}

#[tokio::test]
async fn a_signal_stops_the_run_with_a_whole_journal_and_the_next_run_finishes_it() {
    let server = server().await;
    let dir = tempdir();
    let manifest = manifest_of(dir.path(), 3);
    let manifest_arg = manifest.to_string_lossy().into_owned();
    // The first upload is stored, then its answer stalls.
    server.push_fault(Fault::Stall {
        before_body: false,
        duration: Duration::from_secs(60),
    });
    let args = [
        "--json",
        "upload-many",
        "--manifest",
        &manifest_arg,
        "--concurrency",
        "1",
    ];
    let mut command = against(&server, dir.path(), &args);
    command.stdout(Stdio::piped()).stderr(Stdio::piped());
    let child = match command.spawn() {
        Ok(child) => child,
        Err(e) => panic!("cannot start the CLI: {e}"),
    };
    let pid = child.id();
    wait_until(
        Duration::from_secs(20),
        "the server stores the first file",
        || server.attachment_count() == 1,
    )
    .await;
    send_signal(pid, "TERM");
    let waited = tokio::time::timeout(
        Duration::from_secs(10),
        tokio::task::spawn_blocking(move || child.wait_with_output()),
    )
    .await;
    let Ok(Ok(Ok(output))) = waited else {
        send_signal(pid, "KILL");
        panic!("the run did not end after SIGTERM");
    };
    let stopped = common::Run {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    };
    stopped.expect(143);
    let summary = stopped.summary();
    assert_eq!(
        (
            &summary["interrupted"],
            &summary["not_started"],
            &summary["uploaded"]
        ),
        (
            &serde_json::json!(1),
            &serde_json::json!(2),
            &serde_json::json!(0)
        ),
        "{stopped:#?}"
    );
    let abandoned = items_with(&stopped, "interrupted");
    assert!(
        abandoned.len() == 1 && abandoned[0]["line"] == 2,
        "{stopped:#?}"
    );
    assert!(
        stopped.stderr.contains(
            "error: line 2 (files/f00.txt): may have been stored: SIGTERM stopped it in flight"
        ),
        "{stopped:#?}"
    );
    // Every journal line is a whole record; the abandoned upload is left `started`.
    let journal = dir.path().join("manifest.csv.journal");
    let text = std::fs::read_to_string(&journal).unwrap_or_default();
    assert!(text.ends_with('\n'), "{text}");
    let records = journal_records(&journal);
    assert_eq!(records.len(), text.lines().count(), "{text}");
    let statuses: Vec<&str> = records
        .iter()
        .map(|r| r["status"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(statuses, ["started"]);

    // The next run finds the stored file on the record and uploads the other two.
    let resumed = run(against(&server, dir.path(), &args)).await;
    resumed.expect(0);
    assert_eq!(resumed.summary()["found_on_record"], 1, "{resumed:#?}");
    assert_eq!(resumed.summary()["uploaded"], 2);
    let counts = copies(&server);
    assert!(
        counts.len() == 3 && counts.values().all(|n| *n == 1),
        "{counts:?}"
    );
}

#[tokio::test]
async fn a_fifo_as_the_manifest_or_the_journal_is_refused_at_once() {
    let server = server().await;
    let dir = tempdir();
    let fifo = dir.path().join("pipe.csv");
    mkfifo(&fifo);
    let fifo_arg = fifo.to_string_lossy().into_owned();
    let args = ["upload-many", "--manifest", &fifo_arg];
    let run = run_within(against(&server, dir.path(), &args), Duration::from_secs(20)).await;
    run.expect(2);
    assert!(run.stderr.contains("not a regular file"), "{run:#?}");

    let manifest = manifest_of(dir.path(), 1);
    let manifest_arg = manifest.to_string_lossy().into_owned();
    let args = [
        "upload-many",
        "--manifest",
        &manifest_arg,
        "--journal",
        &fifo_arg,
    ];
    let run = run_within(against(&server, dir.path(), &args), Duration::from_secs(20)).await;
    run.expect(2);
    assert!(run.stderr.contains("not a regular file"), "{run:#?}");
    assert_eq!(server.request_count(), 0);
}
