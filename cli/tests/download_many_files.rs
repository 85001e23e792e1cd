//! `zoho-crm download-many` beyond attachments: each record's photo saved as
//! `<module>/<record>/photo.<ext>` and the files of the file-upload fields named with
//! `--field`/`--fields` under `<module>/<record>/fields/<field>/`, byte for byte, with safe
//! unique names; `--include` choosing the kinds; a record without a photo and a module
//! without photos counted, not failed; file fields skipped with one note when none is named;
//! the journal making a resumed run fetch only what is missing; per-kind counts and calls in
//! the summary.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{against, run, run_within, tempdir, text, write};
use serde_json::Value;
use sha2::{Digest as _, Sha256};
use zoho_crm_testkit::{Conditions, LoopbackServer, Server, ServerConfig};

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

/// Content that differs for each `seed`, `len` bytes.
fn content(seed: u8, len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

/// A PNG header of a 2x3 image followed by `len` bytes of `seed`'s content.
fn png(seed: u8, len: usize) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0\0\x02\0\0\0\x03\x08\x02\0\0\0".to_vec();
    bytes.extend(content(seed, len));
    bytes
}

/// A GIF header of a 4x4 image followed by `len` bytes of `seed`'s content.
fn gif(seed: u8, len: usize) -> Vec<u8> {
    let mut bytes = b"GIF89a\x04\0\x04\0\0\0\0".to_vec();
    bytes.extend(content(seed, len));
    bytes
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

/// `zoho-crm --json download-many --manifest RECORDS --output OUT` against `server`, then
/// `extra`.
fn export(server: &Server, home: &Path, records: &Path, out: &Path, extra: &[&str]) -> Command {
    let mut command = against(server, home, &["--json", "download-many", "--manifest"]);
    command.arg(records).arg("--output").arg(out).args(extra);
    command
}

/// Every file under `dir` (temporary ones included), by path relative to it, with its
/// SHA-256.
fn tree(dir: &Path) -> BTreeMap<String, String> {
    fn walk(root: &Path, dir: &Path, found: &mut BTreeMap<String, String>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.filter_map(Result::ok) {
            let path = entry.path();
            if path.is_dir() {
                walk(root, &path, found);
            } else {
                let relative = path.strip_prefix(root).unwrap_or(&path);
                let bytes = std::fs::read(&path).unwrap_or_default();
                found.insert(relative.to_string_lossy().into_owned(), sha(&bytes));
            }
        }
    }
    let mut found = BTreeMap::new();
    walk(dir, dir, &mut found);
    found
}

/// The exported files under `out`: [`tree`] less the journal, links.csv and index.csv
/// (asserted there; the index has tests of its own in export_index.rs).
fn exported(out: &Path) -> BTreeMap<String, String> {
    let mut found = tree(out);
    assert!(found.remove(".zoho-crm-export.journal").is_some());
    assert!(found.remove("links.csv").is_some());
    assert!(found.remove("index.csv").is_some());
    found
}

fn expected(pairs: &[(String, &[u8])]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(path, bytes)| (path.clone(), sha(bytes)))
        .collect()
}

/// The GET requests of each kind: (attachment downloads, photo downloads, record reads,
/// field file downloads, listings).
fn gets(server: &Server) -> [usize; 5] {
    let mut counts = [0; 5];
    for request in server.requests() {
        if request.method != "GET" {
            continue;
        }
        let path = &request.path;
        let index = if path.contains("/Attachments/") {
            0
        } else if path.ends_with("/photo") {
            1
        } else if path.ends_with("/download_fields_attachment") {
            3
        } else if path.ends_with("/Attachments") {
            4
        } else {
            2
        };
        counts[index] += 1;
    }
    counts
}

fn number(value: &Value, path: &[&str]) -> u64 {
    let mut value = value;
    for key in path {
        value = &value[*key];
    }
    value
        .as_u64()
        .unwrap_or_else(|| panic!("{path:?} is not a count"))
}

/// What a seeded server holds: a file's path under the output folder and its content.
struct Seeded {
    files: Vec<(String, Vec<u8>)>,
}

/// Leads R1: two attachments (one named `photo.png`), a PNG photo, two files in `Docs` (of
/// the same name, one with a path in it) and one in `Scans`; Leads R2: one attachment, no
/// photo, one file in `Docs`; Deals R3 (a module without photos): one attachment, empty
/// fields.
fn seed(server: &Server) -> Seeded {
    for module in ["Leads", "Deals"] {
        server.add_file_field(module, "Docs", 5);
        server.add_file_field(module, "Scans", 5);
    }
    let mut files = Vec::new();
    let mut add = |path: String, bytes: Vec<u8>| files.push((path, bytes));
    let report = content(1, 3000);
    server.insert_file("Leads", R1, "report.pdf", &report);
    add(format!("Leads/{R1}/report.pdf"), report);
    let not_the_photo = content(2, 100);
    server.insert_file("Leads", R1, "photo.png", &not_the_photo);
    add(format!("Leads/{R1}/photo.png"), not_the_photo);
    let photo = png(3, 5000);
    server.insert_photo("Leads", R1, &photo);
    add(format!("Leads/{R1}/photo (2).png"), photo);
    let first = content(4, 2000);
    server.insert_field_file("Leads", R1, "Docs", "a.txt", &first);
    add(format!("Leads/{R1}/fields/Docs/a.txt"), first);
    let second = content(5, 2500);
    server.insert_field_file("Leads", R1, "Docs", "../../a.txt", &second);
    add(format!("Leads/{R1}/fields/Docs/a (2).txt"), second);
    let scan = gif(6, 7000);
    server.insert_field_file("Leads", R1, "Scans", "scan.gif", &scan);
    add(format!("Leads/{R1}/fields/Scans/scan.gif"), scan);
    let notes = content(7, 10);
    server.insert_file("Leads", R2, "notes.txt", &notes);
    add(format!("Leads/{R2}/notes.txt"), notes);
    let contract = content(8, 40_000);
    server.insert_field_file("Leads", R2, "Docs", "contract.pdf", &contract);
    add(format!("Leads/{R2}/fields/Docs/contract.pdf"), contract);
    let deal = content(9, 64);
    server.insert_file("Deals", R3, "deal.txt", &deal);
    add(format!("Deals/{R3}/deal.txt"), deal);
    Seeded { files }
}

#[tokio::test]
async fn attachments_the_photo_and_file_fields_are_saved_byte_identical_and_a_rerun_fetches_nothing()
 {
    let server = server_with(Conditions::default()).await;
    let seeded = seed(&server);
    let dir = tempdir();
    let out = dir.path().join("export");
    let records = manifest(dir.path(), &[("Leads", R1), ("Leads", R2), ("Deals", R3)]);
    let extra: &[&str] = &["--concurrency", "3", "--field", "Docs", "--fields", "Scans"];
    let first = run(export(&server, dir.path(), &records, &out, extra)).await;
    first.expect(0);
    let summary = first.summary();
    let pairs: Vec<(String, &[u8])> = seeded
        .files
        .iter()
        .map(|(path, bytes)| (path.clone(), bytes.as_slice()))
        .collect();
    let on_disk = exported(&out);
    assert_eq!(on_disk, expected(&pairs), "{summary}");

    // Per kind: what was saved, and the calls it cost.
    let kind = |name: &str, key: &str| number(&summary, &[name, key]);
    assert_eq!(
        (
            kind("attachments", "files"),
            kind("attachments", "calls"),
            kind("attachments", "failed")
        ),
        (4, 3 + 4, 0),
        "{summary}"
    );
    assert_eq!(
        (
            kind("photos", "files"),
            kind("photos", "no_photo"),
            kind("photos", "calls"),
            kind("photos", "bytes")
        ),
        (1, 1, 2, 29 + 5000),
        "{summary}"
    );
    assert_eq!(
        (
            kind("field_files", "files"),
            kind("field_files", "calls"),
            kind("field_files", "bytes")
        ),
        (4, 3 + 4, 2000 + 2500 + 13 + 7000 + 40_000),
        "{summary}"
    );
    let bytes: usize = seeded.files.iter().map(|(_, bytes)| bytes.len()).sum();
    assert_eq!(
        (
            number(&summary, &["files"]),
            number(&summary, &["bytes"]),
            number(&summary, &["calls"]),
            number(&summary, &["records"]),
            number(&summary, &["failed"])
        ),
        (9, bytes as u64, 16, 3, 0),
        "{summary}"
    );
    assert_eq!(server.request_count(), 16);
    // Deals has no photos: one note, no failure, nothing sent for it.
    assert_eq!(
        summary["notes"],
        serde_json::json!([
            "photos are not supported for module(s) Deals (1 record(s)): no photo was asked for"
        ])
    );
    let lines = first.json();
    let photo_line = lines
        .iter()
        .find(|v| v["status"] == "downloaded" && v["kind"] == "photo");
    assert!(
        photo_line.is_some_and(|v| v["name"] == "photo (2).png" && v["record_id"] == R1),
        "{lines:#?}"
    );
    assert!(
        lines
            .iter()
            .any(|v| v["status"] == "no_photo" && v["record_id"] == R2),
        "{lines:#?}"
    );
    let journal = journal_records(&out.join(".zoho-crm-export.journal"));
    let ok_kinds: Vec<&str> = journal
        .iter()
        .filter(|r| r["status"] == "ok")
        .map(|r| r["kind"].as_str().unwrap_or("attachment"))
        .collect();
    assert_eq!(ok_kinds.len(), 9);
    assert_eq!(ok_kinds.iter().filter(|k| **k == "photo").count(), 1);
    assert_eq!(ok_kinds.iter().filter(|k| **k == "field_file").count(), 4);

    // A re-run lists and reads each record and asks again for the photo R2 did not have;
    // nothing is downloaded again.
    let before = gets(&server);
    let again = run(export(&server, dir.path(), &records, &out, extra)).await;
    again.expect(0);
    let summary = again.summary();
    let after = gets(&server);
    let sent: Vec<usize> = after.iter().zip(before).map(|(a, b)| a - b).collect();
    assert_eq!(sent, [0, 1, 3, 0, 3], "{summary}");
    assert_eq!(
        (
            number(&summary, &["files"]),
            number(&summary, &["already_done"]),
            number(&summary, &["photos", "already_done"]),
            number(&summary, &["field_files", "already_done"]),
            number(&summary, &["calls"])
        ),
        (0, 9, 1, 4, 7),
        "{summary}"
    );
}

#[tokio::test]
async fn include_attachments_exports_no_photo_and_no_fields_and_fields_unnamed_is_one_note() {
    let server = server_with(Conditions::default()).await;
    let seeded = seed(&server);
    let dir = tempdir();
    let records = manifest(dir.path(), &[("Leads", R1), ("Leads", R2)]);

    // Fields named but left out of --include: a usage error before anything is sent.
    let out = dir.path().join("refused");
    let extra: &[&str] = &["--include", "attachments", "--field", "Docs"];
    let refused = run(export(&server, dir.path(), &records, &out, extra)).await;
    refused.expect(2);
    assert!(
        refused.stderr.contains("leaves `fields` out"),
        "{refused:#?}"
    );
    let twice = run(export(
        &server,
        dir.path(),
        &records,
        &out,
        &["--include", "photo,photo"],
    ))
    .await;
    twice.expect(2);
    assert_eq!(server.request_count(), 0);

    // Attachments only: as before photos and fields.
    let out = dir.path().join("attachments");
    let only = run(export(
        &server,
        dir.path(),
        &records,
        &out,
        &["--include", "attachments"],
    ))
    .await;
    only.expect(0);
    let summary = only.summary();
    let on_disk = exported(&out);
    let wanted: Vec<(String, &[u8])> = seeded
        .files
        .iter()
        .filter(|(path, _)| {
            path.starts_with("Leads/")
                && !path.contains("/fields/")
                && !path.ends_with("photo (2).png")
        })
        .map(|(path, bytes)| (path.clone(), bytes.as_slice()))
        .collect();
    assert_eq!(wanted.len(), 3);
    assert_eq!(on_disk, expected(&wanted));
    assert_eq!(gets(&server), [3, 0, 0, 0, 2]);
    assert!(
        summary.get("photos").is_none()
            && summary.get("field_files").is_none()
            && summary.get("notes").is_none(),
        "{summary}"
    );
    assert_eq!(number(&summary, &["attachments", "calls"]), 5, "{summary}");

    // Everything by default, but no field named: photos are exported, fields skipped with
    // one note, and no record is read.
    let out = dir.path().join("default");
    let before = gets(&server);
    let mut command = against(&server, dir.path(), &["download-many", "--manifest"]);
    command.arg(&records).arg("--output").arg(&out);
    let plain = run(command).await;
    plain.expect(0);
    let sent: Vec<usize> = gets(&server)
        .iter()
        .zip(before)
        .map(|(a, b)| a - b)
        .collect();
    assert_eq!(sent, [3, 2, 0, 0, 2]);
    assert_eq!(
        plain.stderr.matches("note: ").count(),
        1,
        "{}",
        plain.stderr
    );
    assert!(
        plain
            .stderr
            .contains("note: file fields were not exported: none was named"),
        "{}",
        plain.stderr
    );
    assert!(
        plain.stderr.contains("photos: downloaded 1 (")
            && plain.stderr.contains("without a photo 1, 2 call(s)"),
        "{}",
        plain.stderr
    );
    assert!(out.join("Leads").join(R1).join("photo (2).png").is_file());
    assert!(!out.join("Leads").join(R1).join("fields").exists());
    // R2 has no photo: no file, and no failure.
    assert!(!out.join("Leads").join(R2).join("photo.png").exists());
}

#[tokio::test]
async fn a_run_killed_half_way_resumes_photos_and_field_files_without_fetching_saved_ones_again() {
    let server = server_with(Conditions {
        latency: Duration::from_millis(150),
        ..Conditions::default()
    })
    .await;
    let dir = tempdir();
    let out = dir.path().join("export");
    // Per record: two attachments, a photo, two files of `Docs`: five files each.
    let mut wanted: Vec<(String, Vec<u8>)> = Vec::new();
    for (index, record) in [R1, R2, R3].iter().enumerate() {
        let seed = (index * 10) as u8;
        for file in 0..2u8 {
            let bytes = content(seed + file, 30_000);
            let name = format!("a{file}.dat");
            server.insert_file("Contacts", record, &name, &bytes);
            wanted.push((format!("Contacts/{record}/{name}"), bytes));
        }
        let photo = gif(seed + 5, 20_000);
        server.insert_photo("Contacts", record, &photo);
        wanted.push((format!("Contacts/{record}/photo.gif"), photo));
        for file in 0..2u8 {
            let bytes = content(seed + 7 + file, 25_000);
            let name = format!("d{file}.bin");
            server.insert_field_file("Contacts", record, "Docs", &name, &bytes);
            wanted.push((format!("Contacts/{record}/fields/Docs/{name}"), bytes));
        }
    }
    let records = manifest(
        dir.path(),
        &[("Contacts", R1), ("Contacts", R2), ("Contacts", R3)],
    );
    let extra: &[&str] = &["--concurrency", "2", "--field", "Docs"];
    let journal = out.join(".zoho-crm-export.journal");
    let mut command = export(&server, dir.path(), &records, &out, extra);
    command.stdout(Stdio::null()).stderr(Stdio::null());
    let mut child = match command.spawn() {
        Ok(child) => child,
        Err(e) => panic!("cannot start the CLI: {e}"),
    };
    // Killed once a photo or a field file is saved, and some attachments.
    let deadline = Instant::now() + Duration::from_secs(40);
    loop {
        let ok: Vec<Value> = journal_records(&journal)
            .into_iter()
            .filter(|r| r["status"] == "ok")
            .collect();
        if ok.len() >= 4 && ok.iter().any(|r| r.get("kind").is_some()) {
            break;
        }
        assert!(Instant::now() < deadline, "the run journaled too little");
        assert!(matches!(child.try_wait(), Ok(None)), "the run ended early");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(child.kill().is_ok());
    let waited = tokio::task::spawn_blocking(move || child.wait()).await;
    assert!(matches!(waited, Ok(Ok(status)) if !status.success()));
    let done_before: Vec<(String, String)> = journal_records(&journal)
        .into_iter()
        .filter(|r| r["status"] == "ok")
        .map(|r| {
            let kind = r["kind"].as_str().unwrap_or("attachment").to_owned();
            (kind, text(&r, "id").to_owned())
        })
        .collect();
    assert!(done_before.len() < wanted.len(), "finished before the kill");
    // A request the killed run sent just before dying can still be on its way into the server
    // (a busy machine schedules its handler late): count once nothing more arrives.
    let mut before = gets(&server);
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let now = gets(&server);
        if now == before {
            break;
        }
        before = now;
    }

    let resumed = run_within(
        export(&server, dir.path(), &records, &out, extra),
        Duration::from_secs(60),
    )
    .await;
    resumed.expect(0);
    let summary = resumed.summary();
    let sent: Vec<usize> = gets(&server)
        .iter()
        .zip(before)
        .map(|(a, b)| a - b)
        .collect();
    println!(
        "killed after {} journaled files ({done_before:?}); resumed: {summary}; GETs by kind since: {sent:?}",
        done_before.len()
    );
    assert_eq!(
        number(&summary, &["already_done"]),
        done_before.len() as u64,
        "{summary}"
    );
    assert_eq!(
        number(&summary, &["files"]),
        (wanted.len() - done_before.len()) as u64,
        "{summary}"
    );
    // The resumed run downloads each file not saved before exactly once, and nothing else.
    let saved_of = |kind: &str| done_before.iter().filter(|(k, _)| k == kind).count();
    assert_eq!(sent[0], 6 - saved_of("attachment"), "{sent:?}");
    assert_eq!(sent[1], 3 - saved_of("photo"), "{sent:?}");
    assert_eq!(sent[3], 6 - saved_of("field_file"), "{sent:?}");
    assert_eq!((sent[2], sent[4]), (3, 3), "{sent:?}");
    let on_disk = exported(&out);
    let pairs: Vec<(String, &[u8])> = wanted
        .iter()
        .map(|(path, bytes)| (path.clone(), bytes.as_slice()))
        .collect();
    // Every file whole in its place, no temporary file left behind.
    assert_eq!(on_disk, expected(&pairs));
}
