//! `zoho-crm delete`: one id, several ids with per-id results, and the failure paths.

mod common;

use common::{RECORD, against, run, server, tempdir, text};
use zoho_crm_testkit::{CannedReply, Fault};

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
async fn a_retry_the_budget_refuses_after_a_503_is_reported_as_maybe_deleted() {
    let server = server().await;
    let dir = tempdir();
    let id = server.insert_file("Leads", RECORD, "a.txt", b"a");
    // The server deletes it, then answers 503: the delete was carried out.
    server.push_fault(Fault::StatusAfterBody {
        status: 503,
        store: true,
    });
    let args = [
        "--json",
        "--max-credits",
        "1",
        "delete",
        "--module",
        "Leads",
        "--record",
        RECORD,
        "--id",
        &id,
    ];
    let run = run(against(&server, dir.path(), &args)).await;
    run.expect(4);
    let line = &run.json()[0];
    assert_eq!(line["status"], "unknown", "{line}");
    assert_eq!(line["code"], "BUDGET_SPENT", "{line}");
    assert_eq!(line["may_have_been_processed"], true, "{line}");
    assert!(
        text(line, "check").contains("list --module Leads"),
        "{line}"
    );
    assert!(
        run.stderr.contains("may have been deleted: BUDGET_SPENT"),
        "{}",
        run.stderr
    );
    assert_eq!(server.attachment_count(), 0);
    assert_eq!(server.request_count(), 1);
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

#[tokio::test]
async fn results_are_matched_by_id_whatever_their_order_missing_or_extra() {
    let server = server().await;
    let dir = tempdir();
    let (a, b, c, z) = ("1000001", "1000002", "1000003", "1000099");
    // Zoho answers for c (refused), a (deleted) and z (never asked), in that order; b is
    // missing from the answer.
    server.respond_next_with(CannedReply::json(
        200,
        serde_json::json!({"data": [
            {"code": "INVALID_DATA", "details": {"id": c}, "message": "the related id given seems to be invalid", "status": "error"},
            {"code": "SUCCESS", "details": {"id": a}, "message": "record deleted", "status": "success"},
            {"code": "SUCCESS", "details": {"id": z}, "message": "record deleted", "status": "success"},
        ]}),
    ));
    let args = [
        "--json", "delete", "--module", "Leads", "--record", RECORD, "--id", a, b, c,
    ];
    let run = run(against(&server, dir.path(), &args)).await;
    run.expect(3);
    let lines = run.json();
    let results: Vec<(&str, &str, bool, bool)> = lines
        .iter()
        .map(|v| {
            (
                text(v, "id"),
                text(v, "status"),
                v["ok"] == true,
                v["asked"] == true,
            )
        })
        .collect();
    assert_eq!(
        results,
        [
            (a, "deleted", true, true),
            (b, "unknown", false, true),
            (c, "error", false, true),
            (z, "deleted", false, false),
        ]
    );
    // The missing one is neither deleted nor failed for sure: it may have been deleted.
    assert_eq!(lines[1]["may_have_been_processed"], true);
    assert!(text(&lines[1], "check").starts_with("zoho-crm list --module Leads --record"));
    assert_eq!(text(&lines[2], "code"), "INVALID_DATA");
    assert!(
        run.stderr
            .contains(&format!("error: {b}: may have been deleted")),
        "{run:#?}"
    );
    assert!(
        run.stderr.contains(&format!(
            "warning: Zoho's answer has a result for id {z}, which was not asked: deleted"
        )),
        "{run:#?}"
    );
}
