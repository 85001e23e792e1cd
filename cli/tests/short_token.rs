//! Redaction never changes data: with a token as short as `t` (too short to be a real
//! credential, so it is redacted only where it stands as a whole token), listings and results
//! are printed from the body as received, and a body that cannot be decoded is an error, not
//! whatever its redacted copy happens to decode to.

mod common;

use common::{RECORD, command, run, tempdir, text};
use zoho_crm_testkit::{CannedReply, Server, ServerConfig};

/// A server that accepts the access token `t`.
async fn server_with_token_t() -> Server {
    let config = ServerConfig {
        token: "t".to_owned(),
        ..ServerConfig::default()
    };
    match Server::start_with(config).await {
        Ok(server) => server,
        Err(e) => panic!("cannot start the loopback server: {e}"),
    }
}

fn with_token_t(server: &Server, home: &std::path::Path, args: &[&str]) -> std::process::Command {
    let mut command = command(home, &["--api-base", &server.base_url(), "--token", "t"]);
    command.args(args);
    command
}

#[tokio::test]
async fn a_listing_prints_its_fields_as_received() {
    let server = server_with_token_t().await;
    let dir = tempdir();
    let id = server.insert_file("Leads", RECORD, "contract.txt", b"12345");
    let args = [
        "--json", "list", "--module", "Leads", "--record", RECORD, "--page", "1",
    ];
    let run = run(with_token_t(&server, dir.path(), &args)).await;
    run.expect(0);
    assert!(!run.stdout.contains("redacted"), "{run:#?}");
    let lines = run.json();
    assert_eq!(lines.len(), 2, "{run:#?}");
    assert_eq!(text(&lines[0], "id"), id);
    assert_eq!(text(&lines[0], "File_Name"), "contract.txt");
    assert_eq!(lines[1]["info"]["count"], 1, "{run:#?}");
    assert_eq!(lines[1]["info"]["more_records"], false, "{run:#?}");
}

#[tokio::test]
async fn a_listing_that_cannot_be_decoded_fails_instead_of_listing_nothing() {
    let server = server_with_token_t().await;
    let dir = tempdir();
    // `data` must be a list; its redacted copy (`da[redacted]a`) would read as an empty page.
    server.respond_next_with(CannedReply::json(
        200,
        serde_json::json!({"data": "not a list", "info": {"more_records": false}}),
    ));
    let args = [
        "list", "--module", "Leads", "--record", RECORD, "--page", "1",
    ];
    let run = run(with_token_t(&server, dir.path(), &args)).await;
    run.expect(1);
    assert!(run.stderr.contains("DECODE_ERROR"), "{run:#?}");
    assert!(!run.stdout.contains("no attachments"), "{run:#?}");
}

#[tokio::test]
async fn a_bulk_delete_with_mixed_results_reports_each_result() {
    let server = server_with_token_t().await;
    let dir = tempdir();
    server.respond_next_with(CannedReply::json(
        200,
        serde_json::json!({"data": [
            {"code": "SUCCESS", "details": {"id": "111"}, "message": "attachment deleted", "status": "success"},
            {"code": "INVALID_DATA", "details": {"id": "222"}, "message": "the related id given seems to be invalid", "status": "error"},
        ]}),
    ));
    let args = [
        "--json", "delete", "--module", "Leads", "--record", RECORD, "--id", "111", "--id", "222",
    ];
    let run = run(with_token_t(&server, dir.path(), &args)).await;
    run.expect(3);
    let lines = run.json();
    let deleted: Vec<&serde_json::Value> = lines.iter().filter(|l| l["id"] == "111").collect();
    let refused: Vec<&serde_json::Value> = lines.iter().filter(|l| l["id"] == "222").collect();
    assert_eq!(deleted.len(), 1, "{run:#?}");
    assert_eq!(deleted[0]["status"], "deleted", "{run:#?}");
    assert_eq!(deleted[0]["message"], "attachment deleted", "{run:#?}");
    assert_eq!(refused.len(), 1, "{run:#?}");
    assert_eq!(refused[0]["status"], "error", "{run:#?}");
    assert_eq!(refused[0]["code"], "INVALID_DATA", "{run:#?}");
    assert!(!run.stdout.contains("DECODE_ERROR"), "{run:#?}");
}
