//! `zoho-crm download-many`'s index (`DIR/index.csv`: one line per file saved, with its size
//! and SHA-256, kept whole across re-runs and a run killed with SIGKILL) and its filters
//! (`--include-name`, `--exclude-name`, `--min-size`, `--max-size`, `--type`), each tried on a
//! record with a mix of files and links.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use common::{against, run, tempdir, write};
use serde_json::Value;
use sha2::{Digest as _, Sha256};
use zoho_crm_testkit::{Fault, Server};

const R1: &str = "3477061000005177002";
const R2: &str = "3477061000005177003";

const HEADER: &str = "module,record_id,kind,id,name,size,sha256,path,created_time,modified_time";

fn sha(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

/// Content that differs for each `seed`, `len` bytes.
fn content(seed: u8, len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

/// A PNG header followed by `len` bytes of `seed`'s content.
fn png(seed: u8, len: usize) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0\0\x02\0\0\0\x03\x08\x02\0\0\0".to_vec();
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

/// `zoho-crm --json download-many --manifest RECORDS --output OUT` against `server`, then
/// `extra`.
fn export(server: &Server, home: &Path, records: &Path, out: &Path, extra: &[&str]) -> Command {
    let mut command = against(server, home, &["--json", "download-many", "--manifest"]);
    command.arg(records).arg("--output").arg(out).args(extra);
    command
}

/// One line of the index, by column name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Row {
    module: String,
    record_id: String,
    kind: String,
    id: String,
    name: String,
    size: u64,
    sha256: String,
    path: String,
    created_time: String,
    modified_time: String,
}

/// The index of `out`: its header is checked; every line must be whole.
fn index(out: &Path) -> Vec<Row> {
    let text = match std::fs::read_to_string(out.join("index.csv")) {
        Ok(text) => text,
        Err(e) => panic!("no index.csv in {}: {e}", out.display()),
    };
    assert!(text.starts_with(&format!("{HEADER}\n")), "{text}");
    assert!(text.ends_with('\n'), "{text:?}");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(record) => record,
            Err(e) => panic!("a line of the index is not whole CSV: {e}\n{text}"),
        };
        assert_eq!(record.len(), 10, "{record:?}");
        let field = |i: usize| record.get(i).unwrap_or_default().to_owned();
        rows.push(Row {
            module: field(0),
            record_id: field(1),
            kind: field(2),
            id: field(3),
            name: field(4),
            size: field(5).parse().unwrap_or(u64::MAX),
            sha256: field(6),
            path: field(7),
            created_time: field(8),
            modified_time: field(9),
        });
    }
    rows.sort();
    rows
}

/// Asserts that each row names a file in `out` of its size and SHA-256, and no item twice.
fn assert_rows_match_files(out: &Path, rows: &[Row]) {
    let mut items = BTreeSet::new();
    for row in rows {
        let bytes = match std::fs::read(out.join(&row.path)) {
            Ok(bytes) => bytes,
            Err(e) => panic!("{} of the index: {e}", row.path),
        };
        assert_eq!(row.size, bytes.len() as u64, "{row:?}");
        assert_eq!(row.sha256, sha(&bytes), "{row:?}");
        assert!(
            items.insert((row.kind.clone(), row.id.clone())),
            "twice: {row:?}"
        );
    }
}

#[tokio::test]
async fn the_index_has_a_line_per_file_saved_and_a_rerun_adds_none() {
    let server = common::server().await;
    let dir = tempdir();
    let report = content(1, 3000);
    let odd = content(2, 10);
    let other = content(3, 700);
    let photo = png(4, 900);
    let scan = content(5, 50);
    let report_id = server.insert_file("Leads", R1, "report.pdf", &report);
    let odd_id = server.insert_file("Leads", R1, "a, \"quoted\" name.txt", &odd);
    server.insert_link("Leads", R1, "https://example.com/a", Some("a link"));
    server.insert_photo("Leads", R1, &photo);
    let scan_id = server.insert_field_file("Leads", R1, "Docs", "scan.txt", &scan);
    let other_id = server.insert_file("Leads", R2, "other.bin", &other);
    let records = manifest(dir.path(), &[("Leads", R1), ("Leads", R2)]);
    let out = dir.path().join("out");
    let extra: &[&str] = &["--field", "Docs"];

    // A dry run writes no index.
    let dry = run(export(&server, dir.path(), &records, &out, &["--dry-run"])).await;
    dry.expect(0);
    assert!(!out.join("index.csv").exists());

    let first = run(export(&server, dir.path(), &records, &out, extra)).await;
    first.expect(0);
    assert_eq!(first.summary()["files"], 5, "{}", first.summary());
    let rows = index(&out);
    assert_rows_match_files(&out, &rows);
    // Each file's JSON line gives the SHA-256 the index has.
    let downloaded: Vec<Value> = first
        .json()
        .into_iter()
        .filter(|line| line["status"] == "downloaded")
        .collect();
    assert_eq!(downloaded.len(), rows.len());
    for line in &downloaded {
        let id = line["id"].as_str().unwrap_or_default();
        assert!(
            rows.iter()
                .any(|r| r.id == id && line["sha256"] == r.sha256.as_str()),
            "{line}"
        );
    }
    let described: Vec<(&str, &str, &str, &str, &str)> = rows
        .iter()
        .map(|r| {
            (
                r.record_id.as_str(),
                r.kind.as_str(),
                r.id.as_str(),
                r.name.as_str(),
                r.path.as_str(),
            )
        })
        .collect();
    let path = |record: &str, name: &str| format!("Leads/{record}/{name}");
    let mut expected = vec![
        (
            R1,
            "attachment",
            report_id.as_str(),
            "report.pdf",
            path(R1, "report.pdf"),
        ),
        (
            R1,
            "attachment",
            odd_id.as_str(),
            "a, \"quoted\" name.txt",
            path(R1, "a, \"quoted\" name.txt"),
        ),
        (R1, "photo", R1, "", path(R1, "photo.png")),
        (
            R1,
            "field_file",
            scan_id.as_str(),
            "scan.txt",
            path(R1, "fields/Docs/scan.txt"),
        ),
        (
            R2,
            "attachment",
            other_id.as_str(),
            "other.bin",
            path(R2, "other.bin"),
        ),
    ];
    expected.sort();
    let mut described: Vec<(&str, &str, &str, &str, String)> = described
        .into_iter()
        .map(|(a, b, c, d, e)| (a, b, c, d, e.to_owned()))
        .collect();
    described.sort();
    assert_eq!(described, expected);
    for row in &rows {
        assert_eq!(row.module, "Leads");
        if row.kind == "attachment" {
            assert!(!row.created_time.is_empty(), "{row:?}");
            assert!(!row.modified_time.is_empty(), "{row:?}");
        }
    }
    // The name with a comma and quotes is quoted in the file.
    let text = std::fs::read_to_string(out.join("index.csv")).unwrap_or_default();
    assert!(text.contains("\"a, \"\"quoted\"\" name.txt\""), "{text}");
    // The journal holds what a line needs.
    let journal = std::fs::read_to_string(out.join(".zoho-crm-export.journal")).unwrap_or_default();
    assert!(
        journal.contains(&format!("\"sha256\":\"{}\"", sha(&report))),
        "{journal}"
    );

    // A re-run downloads nothing and adds no line; a file added meanwhile gets one.
    let added = content(6, 40);
    let added_id = server.insert_file("Leads", R2, "added.txt", &added);
    let second = run(export(&server, dir.path(), &records, &out, extra)).await;
    second.expect(0);
    assert_eq!(second.summary()["files"], 1, "{}", second.summary());
    let again = index(&out);
    assert_rows_match_files(&out, &again);
    assert_eq!(again.len(), rows.len() + 1);
    assert!(
        again
            .iter()
            .any(|r| r.id == added_id && r.sha256 == sha(&added))
    );

    // A file deleted from disk leaves the index until it is saved again, once.
    assert!(std::fs::remove_file(out.join(path(R2, "other.bin"))).is_ok());
    let third = run(export(&server, dir.path(), &records, &out, extra)).await;
    third.expect(0);
    assert_eq!(
        third.summary()["downloaded_again"],
        1,
        "{}",
        third.summary()
    );
    assert_eq!(index(&out), again);
}

#[tokio::test]
async fn a_run_killed_part_way_and_resumed_leaves_a_whole_index() {
    let server = common::server().await;
    let dir = tempdir();
    let a = content(1, 100);
    let b = content(2, 200);
    server.insert_file("Leads", R1, "a.txt", &a);
    server.insert_file("Leads", R1, "b, \"c\".txt", &b);
    let records = manifest(dir.path(), &[("Leads", R1)]);
    let out = dir.path().join("out");
    let extra: &[&str] = &["--include", "attachments"];
    run(export(&server, dir.path(), &records, &out, extra))
        .await
        .expect(0);
    assert_eq!(index(&out).len(), 2);

    // A new file drips in (a byte every 200 ms) and the run is killed while it does. Faults
    // apply to the next request: the listing's is one with no effect on a listing.
    let big = content(3, 4096);
    server.insert_file("Leads", R1, "big.bin", &big);
    server.push_fault(Fault::Disposition(
        "attachment; filename=\"big.bin\"".to_owned(),
    ));
    server.push_fault(Fault::Drip {
        interval: Duration::from_millis(200),
    });
    let record_dir = out.join("Leads").join(R1);
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
        || {
            std::fs::read_dir(&record_dir).is_ok_and(|entries| {
                entries.filter_map(Result::ok).any(|e| {
                    e.file_name()
                        .to_string_lossy()
                        .starts_with(".zoho-crm-download-")
                })
            })
        },
    )
    .await;
    common::send_signal(pid, "KILL");
    let waited = tokio::time::timeout(
        Duration::from_secs(10),
        tokio::task::spawn_blocking(move || child.wait_with_output()),
    )
    .await;
    let Ok(Ok(Ok(output))) = waited else {
        common::send_signal(pid, "KILL");
        panic!("the CLI did not end after SIGKILL");
    };
    assert_eq!(output.status.code(), None);
    // What the killed run left is whole (written anew from the journal at its start).
    let left = index(&out);
    assert_eq!(left.len(), 2);
    assert_rows_match_files(&out, &left);
    // A line cut short, as a kill in the middle of an append would leave it.
    let mut text = std::fs::read_to_string(out.join("index.csv")).unwrap_or_default();
    text.push_str(&format!("Leads,{R1},attachment,99,\"cut sh"));
    assert!(std::fs::write(out.join("index.csv"), &text).is_ok());

    let resumed = run(export(&server, dir.path(), &records, &out, extra)).await;
    resumed.expect(0);
    assert_eq!(resumed.summary()["files"], 1, "{}", resumed.summary());
    let rows = index(&out);
    assert_eq!(rows.len(), 3, "{rows:#?}");
    assert_rows_match_files(&out, &rows);
    assert!(
        rows.iter()
            .any(|r| r.name == "big.bin" && r.sha256 == sha(&big))
    );
    assert!(
        rows.iter()
            .any(|r| r.name == "b, \"c\".txt" && r.sha256 == sha(&b))
    );
}

/// Leads R1: files `a.pdf` (100 bytes), `b.txt` (2000), `draft.pdf` (5000) and a link
/// titled `spec.pdf`; Leads R2: a link titled `home`.
async fn mixed_server() -> Server {
    let server = common::server().await;
    server.insert_file("Leads", R1, "a.pdf", &content(1, 100));
    server.insert_file("Leads", R1, "b.txt", &content(2, 2000));
    server.insert_file("Leads", R1, "draft.pdf", &content(3, 5000));
    server.insert_link("Leads", R1, "https://example.com/spec", Some("spec.pdf"));
    server.insert_link("Leads", R2, "https://example.com/", Some("home"));
    server
}

/// The files saved under Leads/R1 and the link titles in links.csv.
fn exported(out: &Path) -> (Vec<String>, Vec<String>) {
    let mut files: Vec<String> = std::fs::read_dir(out.join("Leads").join(R1))
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    let text = std::fs::read_to_string(out.join("links.csv")).unwrap_or_default();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let mut titles: Vec<String> = reader
        .records()
        .filter_map(Result::ok)
        .filter_map(|r| r.get(3).map(str::to_owned))
        .collect();
    titles.sort();
    (files, titles)
}

/// A filter case: the options, the files saved, the links written, the items filtered out.
type Case = (
    &'static [&'static str],
    &'static [&'static str],
    &'static [&'static str],
    u64,
);

#[tokio::test]
async fn filters_choose_files_and_links_and_what_they_leave_out_is_exported_later() {
    let server = mixed_server().await;
    let dir = tempdir();
    let records = manifest(dir.path(), &[("Leads", R1), ("Leads", R2)]);
    let cases: [Case; 7] = [
        (
            &["--include-name", "*.pdf"],
            &["a.pdf", "draft.pdf"],
            &["spec.pdf"],
            2,
        ),
        (&["--exclude-name", "*.pdf"], &["b.txt"], &["home"], 3),
        (
            &[
                "--include-name",
                "*.pdf",
                "--include-name",
                "b*",
                "--exclude-name",
                "draft*",
            ],
            &["a.pdf", "b.txt"],
            &["spec.pdf"],
            2,
        ),
        (
            &["--min-size", "1K"],
            &["b.txt", "draft.pdf"],
            &["home", "spec.pdf"],
            1,
        ),
        (
            &["--max-size", "2000", "--min-size", "0.09K"],
            &["a.pdf", "b.txt"],
            &["home", "spec.pdf"],
            1,
        ),
        (
            &["--type", "file"],
            &["a.pdf", "b.txt", "draft.pdf"],
            &[],
            2,
        ),
        (&["--type", "link"], &[], &["home", "spec.pdf"], 3),
    ];
    for (i, (filters, files, links, filtered)) in cases.into_iter().enumerate() {
        let out = dir.path().join(format!("out{i}"));
        let mut extra = vec!["--include", "attachments"];
        extra.extend_from_slice(filters);
        let filtered_run = run(export(&server, dir.path(), &records, &out, &extra)).await;
        filtered_run.expect(0);
        let summary: Value = filtered_run.summary();
        assert_eq!(summary["filtered_out"], filtered, "{filters:?}: {summary}");
        let (saved, titles) = exported(&out);
        assert_eq!(saved, files, "{filters:?}");
        assert_eq!(titles, links, "{filters:?}");
        let rows = index(&out);
        let mut names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
        names.sort_unstable();
        assert_eq!(names, files, "{filters:?}");
    }

    // Nothing filtered out was journaled: a run without the filters exports it.
    let out = dir.path().join("out0");
    let whole = run(export(
        &server,
        dir.path(),
        &records,
        &out,
        &["--include", "attachments"],
    ))
    .await;
    whole.expect(0);
    let summary = whole.summary();
    assert_eq!(summary["files"], 1, "{summary}");
    assert_eq!(summary["already_done"], 2, "{summary}");
    assert_eq!(summary["links"], 1, "{summary}");
    assert_eq!(summary["filtered_out"], 0, "{summary}");
    let (saved, titles) = exported(&out);
    assert_eq!(saved, ["a.pdf", "b.txt", "draft.pdf"]);
    assert_eq!(titles, ["home", "spec.pdf"]);
    assert_rows_match_files(&out, &index(&out));
    assert_eq!(index(&out).len(), 3);
}

#[tokio::test]
async fn field_files_are_filtered_by_name_and_size_and_bad_filters_send_nothing() {
    let server = common::server().await;
    let dir = tempdir();
    server.insert_field_file("Leads", R1, "Docs", "keep.txt", &content(1, 10));
    server.insert_field_file("Leads", R1, "Docs", "skip.log", &content(2, 10));
    server.insert_field_file("Leads", R1, "Docs", "huge.txt", &content(3, 3000));
    let records = manifest(dir.path(), &[("Leads", R1)]);
    let out = dir.path().join("out");
    let extra: &[&str] = &[
        "--include",
        "fields",
        "--field",
        "Docs",
        "--exclude-name",
        "*.log",
        "--max-size",
        "1K",
    ];
    let filtered = run(export(&server, dir.path(), &records, &out, extra)).await;
    filtered.expect(0);
    assert_eq!(filtered.summary()["filtered_out"], 2);
    let rows = index(&out);
    let names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["keep.txt"]);

    for bad in [
        &["--include-name", "a["][..],
        &["--min-size", "2K", "--max-size", "1K"],
        &["--min-size", "lots"],
        &["--type", "folder"],
    ] {
        let before = server.requests().len();
        let refused = run(export(&server, dir.path(), &records, &out, bad)).await;
        refused.expect(2);
        assert_eq!(server.requests().len(), before, "{bad:?}");
    }
}
