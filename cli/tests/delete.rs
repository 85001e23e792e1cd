//! `zoho-crm delete`: one id, several ids with per-id results, and the failure paths.

mod common;

use common::{RECORD, against, run, server, tempdir, text};

#[tokio::test]
async fn one_id_is_deleted() {
    let server = server().await;
    let dir = tempdir();
    let id = server.insert_file("Leads", RECORD, "a.txt", b"a");
    let args = [
        "--json", "delete", "--module", "Leads", "--record", RECORD, "--id", &id,
    ];
    let run = run(against(&server, dir.path(), &args)).await;
    run.expect(0);
    let line = &run.json()[0];
    assert_eq!(line["ok"], true);
    assert_eq!(text(line, "id"), id);
    assert_eq!(server.attachment_count(), 0);
    // One id: the single-item endpoint.
    assert!(server.requests()[0].path.ends_with(&id));
}

#[tokio::test]
async fn an_unknown_single_id_exits_1_with_zohos_error() {
    let server = server().await;
    let dir = tempdir();
    let args = [
        "delete",
        "--module",
        "Leads",
        "--record",
        RECORD,
        "--id",
        "123456789",
    ];
    let run = run(against(&server, dir.path(), &args)).await;
    run.expect(1);
    assert!(run.stderr.contains("INVALID_DATA"), "{run:#?}");
    assert!(run.stderr.contains("resolution:"), "{run:#?}");
}

#[tokio::test]
async fn several_ids_give_per_id_results_and_a_partial_failure() {
    let server = server().await;
    let dir = tempdir();
    let a = server.insert_file("Leads", RECORD, "a.txt", b"a");
    let b = server.insert_file("Leads", RECORD, "b.txt", b"b");
    let ids = format!("{a},123456789");
    let args = [
        "--json", "delete", "--module", "Leads", "--record", RECORD, "--id", &ids, "--id", &b,
    ];
    let run = run(against(&server, dir.path(), &args)).await;
    run.expect(3);
    let lines = run.json();
    let results: Vec<(String, bool)> = lines
        .iter()
        .map(|v| (text(v, "id").to_owned(), v["ok"] == true))
        .collect();
    assert_eq!(
        results,
        [(a, true), ("123456789".to_owned(), false), (b, true)]
    );
    assert_eq!(text(&lines[1], "code"), "INVALID_DATA");
    assert_eq!(server.attachment_count(), 0);
    // Several ids: one call.
    assert_eq!(server.request_count(), 1);
}

#[tokio::test]
async fn all_deleted_exits_0_and_bad_ids_exit_2_before_sending() {
    let server = server().await;
    let dir = tempdir();
    let a = server.insert_file("Leads", RECORD, "a.txt", b"a");
    let b = server.insert_file("Leads", RECORD, "b.txt", b"b");
    let args = [
        "delete", "--module", "Leads", "--record", RECORD, "--id", &a, &b,
    ];
    let run_ok = run(against(&server, dir.path(), &args)).await;
    run_ok.expect(0);
    assert_eq!(run_ok.stdout.lines().count(), 2);
    let before = server.request_count();
    let bad = [
        "delete", "--module", "Leads", "--record", RECORD, "--id", "1", "x",
    ];
    run(against(&server, dir.path(), &bad)).await.expect(2);
    let none = ["delete", "--module", "Leads", "--record", RECORD];
    run(against(&server, dir.path(), &none)).await.expect(2);
    assert_eq!(server.request_count(), before);
}
