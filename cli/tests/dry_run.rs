//! `--dry-run` on `upload`, `delete` and `upload-many`: everything is checked and what would be
//! sent is printed, but the server sees no request and no journal is written.

mod common;

use common::{RECORD, against, run, server, tempdir, text, write};

#[tokio::test]
async fn an_upload_dry_run_checks_the_files_and_sends_nothing() {
    let server = server().await;
    let dir = tempdir();
    let file = write(dir.path(), "report.pdf", b"12345");
    let file_arg = file.to_string_lossy();
    let args = [
        "--json",
        "upload",
        "--dry-run",
        "--module",
        "Leads",
        "--record",
        RECORD,
        &file_arg,
    ];
    let dry = run(against(&server, dir.path(), &args)).await;
    dry.expect(0);
    let line = &dry.json()[0];
    assert_eq!(text(line, "status"), "dry-run");
    assert_eq!(text(line, "file"), "report.pdf");
    assert_eq!(line["bytes"], 5);
    assert_eq!(server.request_count(), 0);

    // A file that would be refused is refused in a dry run too.
    let exe = write(dir.path(), "tool.exe", b"MZ");
    let exe_arg = exe.to_string_lossy();
    let args = [
        "upload",
        "--dry-run",
        "--module",
        "Leads",
        "--record",
        RECORD,
        &exe_arg,
    ];
    run(against(&server, dir.path(), &args)).await.expect(2);
    let args = [
        "upload",
        "--dry-run",
        "--module",
        "Leads",
        "--record",
        RECORD,
        "--url",
        "ftp://example.invalid/x",
    ];
    run(against(&server, dir.path(), &args)).await.expect(2);
    assert_eq!(server.request_count(), 0);
}

#[tokio::test]
async fn a_delete_dry_run_lists_the_ids_and_deletes_nothing() {
    let server = server().await;
    let dir = tempdir();
    let id = server.insert_file("Leads", RECORD, "a.txt", b"a");
    let args = [
        "--json",
        "delete",
        "--dry-run",
        "--module",
        "Leads",
        "--record",
        RECORD,
        "--id",
        &id,
        "--id",
        "42",
    ];
    let dry = run(against(&server, dir.path(), &args)).await;
    dry.expect(0);
    let lines = dry.json();
    let ids: Vec<&str> = lines.iter().map(|l| text(l, "id")).collect();
    assert_eq!(ids, [id.as_str(), "42"]);
    assert_eq!(server.request_count(), 0);
    assert_eq!(server.attachments().len(), 1);
    let args = [
        "delete",
        "--dry-run",
        "--module",
        "Leads",
        "--record",
        RECORD,
        "--id",
        "x1",
    ];
    run(against(&server, dir.path(), &args)).await.expect(2);
}

#[tokio::test]
async fn an_upload_many_dry_run_reports_the_plan_and_writes_no_journal() {
    let server = server().await;
    let dir = tempdir();
    write(dir.path(), "files/a.txt", b"aaa");
    write(dir.path(), "files/b.txt", b"bb");
    let manifest = write(
        dir.path(),
        "manifest.csv",
        format!("module,record_id,path\nLeads,{RECORD},files/a.txt\nDeals,{RECORD},files/b.txt\n")
            .as_bytes(),
    );
    let manifest_arg = manifest.to_string_lossy();
    let args = [
        "--json",
        "upload-many",
        "--dry-run",
        "--manifest",
        &manifest_arg,
    ];
    let dry = run(against(&server, dir.path(), &args)).await;
    dry.expect(0);
    let summary = dry.summary();
    assert_eq!(summary["dry_run"], true);
    assert_eq!(summary["would_upload"], 2);
    assert_eq!(summary["bytes"], 5);
    assert_eq!(server.request_count(), 0);
    assert!(!dir.path().join("manifest.csv.journal").exists());
}
