//! `zoho-crm upload`: files and links, success and every failure path with its exit code.

mod common;

use std::time::Duration;

use common::{
    RECORD, against, command, mkfifo, run, run_within, send_signal, server, stored_names, tempdir,
    text, wait_until, write,
};
use zoho_crm_testkit::{CannedReply, Fault, UploadDetails};

#[tokio::test]
async fn one_file_is_uploaded_and_reported_as_json() {
    let server = server().await;
    let dir = tempdir();
    let file = write(dir.path(), "report.pdf", b"%PDF-1.4 hello");
    let path = file.to_string_lossy().into_owned();
    let args = [
        "--json", "upload", "--module", "Leads", "--record", RECORD, &path,
    ];
    let run = run(against(&server, dir.path(), &args)).await;
    run.expect(0);
    let lines = run.json();
    assert_eq!(lines.len(), 1, "{run:#?}");
    let stored = server.attachments();
    assert_eq!(stored.len(), 1);
    assert_eq!(lines[0]["ok"], true);
    assert_eq!(text(&lines[0], "file"), "report.pdf");
    assert_eq!(text(&lines[0], "id"), stored[0].id);
    assert_eq!(text(&lines[0], "module"), "Leads");
    assert_eq!(lines[0]["bytes"], 14);
    // Standard error is not a terminal here: no progress bar was drawn.
    assert!(
        !run.stderr.contains('\r') && !run.stderr.contains("\x1b["),
        "{run:#?}"
    );
}

#[tokio::test]
async fn several_files_give_one_line_each_in_aligned_text() {
    let server = server().await;
    let dir = tempdir();
    let a = write(dir.path(), "a.txt", b"a");
    let b = write(dir.path(), "longer-name.txt", b"bb");
    let (a, b) = (a.to_string_lossy(), b.to_string_lossy());
    let args = ["upload", "--module", "Deals", "--record", RECORD, &a, &b];
    let run = run(against(&server, dir.path(), &args)).await;
    run.expect(0);
    assert_eq!(stored_names(&server), ["a.txt", "longer-name.txt"]);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{run:#?}");
    // The ids start in the same column.
    let columns: Vec<Option<usize>> = lines.iter().map(|l| l.find(" id ")).collect();
    assert_eq!(columns[0], columns[1], "{lines:?}");
}

#[tokio::test]
async fn an_invalid_file_among_several_means_nothing_is_sent() {
    let server = server().await;
    let dir = tempdir();
    let good = write(dir.path(), "good.txt", b"x");
    let exe = write(dir.path(), "setup.EXE", b"MZ");
    let (good, exe) = (good.to_string_lossy(), exe.to_string_lossy());
    let missing = dir.path().join("missing.txt");
    let missing = missing.to_string_lossy();
    let args = [
        "--json", "upload", "--module", "Leads", "--record", RECORD, &good, &exe, &missing,
    ];
    let run = run(against(&server, dir.path(), &args)).await;
    run.expect(2);
    assert_eq!(server.request_count(), 0);
    let failed: Vec<String> = run
        .json()
        .iter()
        .filter(|v| v["ok"] == false)
        .map(|v| text(v, "file").to_owned())
        .collect();
    assert_eq!(failed, ["setup.EXE", "missing.txt"]);
    assert!(run.stderr.contains("nothing was sent"), "{run:#?}");
}

#[tokio::test]
async fn one_refused_file_of_several_is_a_partial_failure_with_zohos_resolution() {
    let server = server().await;
    let dir = tempdir();
    let a = write(dir.path(), "a.txt", b"a");
    let b = write(dir.path(), "b.txt", b"b");
    let (a, b) = (a.to_string_lossy(), b.to_string_lossy());
    server.respond_next_with(CannedReply::json(
        403,
        serde_json::json!({"code": "NO_PERMISSION", "details": {}, "message": "Permission denied to upload attachment", "status": "error"}),
    ));
    let args = [
        "--json", "upload", "--module", "Leads", "--record", RECORD, &a, &b,
    ];
    let run = run(against(&server, dir.path(), &args)).await;
    run.expect(3);
    let lines = run.json();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["ok"], false);
    assert_eq!(text(&lines[0], "code"), "NO_PERMISSION");
    assert_eq!(lines[0]["http_status"], 403);
    assert!(
        text(&lines[0], "resolution").contains("permission"),
        "{lines:?}"
    );
    assert_eq!(lines[1]["ok"], true);
    assert!(run.stderr.contains("resolution:"), "{run:#?}");
    assert_eq!(stored_names(&server), ["b.txt"]);
}

#[tokio::test]
async fn an_api_error_for_one_file_exits_1_with_code_message_and_resolution() {
    let server = server().await;
    let dir = tempdir();
    let file = write(dir.path(), "a.txt", b"a");
    let path = file.to_string_lossy();
    // A custom module the server does not have: Zoho's INVALID_MODULE.
    let args = ["upload", "--module", "Widgets", "--record", RECORD, &path];
    let run = run(against(&server, dir.path(), &args)).await;
    run.expect(1);
    assert!(run.stderr.contains("INVALID_MODULE (HTTP 400)"), "{run:#?}");
    assert!(
        run.stderr
            .contains("resolution: You have specified an invalid module name"),
        "{run:#?}"
    );
}

/// Runs a check command the CLI printed (it leaves the token out: a secret) with the token
/// and returns what it printed.
async fn run_check(
    server: &zoho_crm_testkit::Server,
    home: &std::path::Path,
    check: &str,
) -> String {
    let words: Vec<&str> = check.split_whitespace().collect();
    assert_eq!(words.first(), Some(&"zoho-crm"), "{check}");
    let mut args = vec!["--token", server.token()];
    args.extend_from_slice(&words[1..]);
    let listed = run(command(home, &args)).await;
    listed.expect(0);
    listed.stdout
}

#[tokio::test]
async fn a_lost_answer_after_the_upload_says_may_have_been_stored_and_how_to_check() {
    let server = server().await;
    let dir = tempdir();
    let file = write(dir.path(), "a.txt", b"a");
    let path = file.to_string_lossy();
    server.push_fault(Fault::DropAfterBody { store: true });
    let args = [
        "--api-version",
        "v2.1",
        "upload",
        "--module",
        "Leads",
        "--record",
        RECORD,
        &path,
    ];
    let run_text = run(against(&server, dir.path(), &args)).await;
    run_text.expect(1);
    let check = format!(
        "zoho-crm list --module Leads --record {RECORD} --api-base {} --api-version v2.1",
        server.base_url()
    );
    let first = run_text.stderr.lines().next().unwrap_or_default();
    assert_eq!(
        first,
        format!(
            "error: {path}: may have been stored; before uploading it again, check with: {check}"
        ),
        "{run_text:#?}"
    );
    assert!(!run_text.stderr.contains("not uploaded"), "{run_text:#?}");
    // Not retried: one copy, which the command printed shows.
    assert_eq!(server.attachments().len(), 1);
    assert!(
        run_check(&server, dir.path(), &check)
            .await
            .contains("a.txt")
    );

    // In JSON: the status, the flag and the same command.
    server.push_fault(Fault::DropAfterBody { store: true });
    let json_args: Vec<&str> = ["--json"].iter().chain(args.iter()).copied().collect();
    let run_json = run(against(&server, dir.path(), &json_args)).await;
    run_json.expect(1);
    let line = &run_json.json()[0];
    assert_eq!(line["may_have_been_processed"], true, "{line}");
    assert_eq!(text(line, "status"), "unknown");
    assert_eq!(text(line, "check"), check);
}

#[tokio::test]
async fn a_server_error_after_the_body_says_may_have_been_stored_and_a_refusal_not_uploaded() {
    let server = server().await;
    let dir = tempdir();
    let a = write(dir.path(), "a.txt", b"a");
    let b = write(dir.path(), "b.txt", b"b");
    let (a, b) = (a.to_string_lossy(), b.to_string_lossy());
    server.push_fault(Fault::StatusAfterBody {
        status: 500,
        store: true,
    });
    server.respond_next_with(CannedReply::json(
        403,
        serde_json::json!({"code": "NO_PERMISSION", "details": {}, "message": "Permission denied to upload attachment", "status": "error"}),
    ));
    let args = ["upload", "--module", "Leads", "--record", RECORD, &a, &b];
    let run = run(against(&server, dir.path(), &args)).await;
    run.expect(3);
    let errors: Vec<&str> = run
        .stderr
        .lines()
        .filter(|line| line.starts_with("error: "))
        .collect();
    assert_eq!(errors.len(), 2, "{run:#?}");
    assert!(
        errors[0].starts_with(&format!("error: {a}: may have been stored; before uploading it again, check with: zoho-crm list --module Leads --record {RECORD}")),
        "{run:#?}"
    );
    assert!(
        errors[1].starts_with(&format!("error: {b}: not uploaded: NO_PERMISSION")),
        "{run:#?}"
    );
    assert_eq!(stored_names(&server), ["a.txt"]);
}

#[tokio::test]
async fn a_link_whose_answer_is_lost_may_have_been_stored() {
    let server = server().await;
    let dir = tempdir();
    server.push_fault(Fault::DropAfterBody { store: true });
    let args = [
        "--json",
        "upload",
        "--module",
        "Leads",
        "--record",
        RECORD,
        "--url",
        "https://www.zohocorp.com",
    ];
    let run = run(against(&server, dir.path(), &args)).await;
    run.expect(1);
    assert!(
        run.stderr.starts_with("error: https://www.zohocorp.com: may have been stored; before uploading it again, check with: zoho-crm list --module Leads"),
        "{run:#?}"
    );
    let line = &run.json()[0];
    assert_eq!(text(line, "status"), "unknown");
    assert!(text(line, "check").starts_with("zoho-crm list --module Leads"));
    assert_eq!(server.attachments().len(), 1);
}

#[cfg(unix)]
#[tokio::test]
async fn a_fifo_is_refused_at_once_with_exit_2() {
    let server = server().await;
    let dir = tempdir();
    let fifo = dir.path().join("pipe.txt");
    mkfifo(&fifo);
    let good = write(dir.path(), "good.txt", b"x");
    let (fifo_arg, good) = (fifo.to_string_lossy(), good.to_string_lossy());
    let args = [
        "upload", "--module", "Leads", "--record", RECORD, &good, &fifo_arg,
    ];
    let run = run_within(against(&server, dir.path(), &args), Duration::from_secs(20)).await;
    run.expect(2);
    assert!(
        run.stderr.contains("FIFO (named pipe), not a regular file"),
        "{run:#?}"
    );
    assert!(run.stderr.contains("nothing was sent"), "{run:#?}");
    assert_eq!(server.request_count(), 0);
}

#[tokio::test]
async fn a_link_with_a_title_is_attached() {
    let server = server().await;
    let dir = tempdir();
    let args = [
        "--json",
        "--api-version",
        "v2.1",
        "upload",
        "--module",
        "Leads",
        "--record",
        RECORD,
        "--url",
        "https://www.zohocorp.com",
        "--title",
        "Zoho",
    ];
    let run = run(against(&server, dir.path(), &args)).await;
    run.expect(0);
    let stored = server.attachments();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].title.as_deref(), Some("Zoho"));
    assert_eq!(text(&run.json()[0], "id"), stored[0].id);
}

#[tokio::test]
async fn a_bad_link_bad_record_or_missing_credentials_exit_2_before_sending() {
    let server = server().await;
    let dir = tempdir();
    let bad_link = [
        "upload", "--module", "Leads", "--record", RECORD, "--url", "ftp://x",
    ];
    run(against(&server, dir.path(), &bad_link)).await.expect(2);
    let bad_record = [
        "upload",
        "--module",
        "Leads",
        "--record",
        "12x",
        "--url",
        "https://a.b",
    ];
    run(against(&server, dir.path(), &bad_record))
        .await
        .expect(2);
    let neither = ["upload", "--module", "Leads", "--record", RECORD];
    run(against(&server, dir.path(), &neither)).await.expect(2);
    let base = server.base_url();
    let no_token = [
        "--api-base",
        &base,
        "upload",
        "--module",
        "Leads",
        "--record",
        RECORD,
        "--url",
        "https://a.b",
    ];
    let run = run(command(dir.path(), &no_token)).await;
    run.expect(2);
    assert!(run.stderr.contains("no credentials"), "{run:#?}");
    // The SDK says what is missing; the CLI says where to give it.
    assert!(
        run.stderr.contains("pass --token, set ZOHO_ACCESS_TOKEN"),
        "{run:#?}"
    );
    assert_eq!(server.request_count(), 0);
}

#[tokio::test]
async fn a_rejected_token_exits_1() {
    let server = server().await;
    let dir = tempdir();
    let base = server.base_url();
    let args = [
        "--api-base",
        &base,
        "--token",
        "wrong",
        "upload",
        "--module",
        "Leads",
        "--record",
        RECORD,
        "--url",
        "https://a.b",
    ];
    let run = run(command(dir.path(), &args)).await;
    run.expect(1);
    assert!(run.stderr.contains("INVALID_TOKEN"), "{run:#?}");
}

#[tokio::test]
async fn an_answer_with_the_id_alone_is_a_stored_upload() {
    let server = server().await;
    server.set_upload_details(UploadDetails::IdOnly);
    let dir = tempdir();
    let file = write(dir.path(), "minutes.txt", b"minutes");
    let path = file.to_string_lossy().into_owned();
    let args = [
        "--json", "upload", "--module", "Calls", "--record", RECORD, &path,
    ];
    let versioned = ["--api-version", "v2.1"];
    let all: Vec<&str> = versioned.iter().chain(args.iter()).copied().collect();
    let run = run(against(&server, dir.path(), &all)).await;
    run.expect(0);
    let lines = run.json();
    let stored = server.attachments();
    assert_eq!(stored.len(), 1, "{run:#?}");
    assert_eq!(stored[0].module, "Calls");
    assert_eq!(lines[0]["ok"], true);
    assert_eq!(text(&lines[0], "status"), "ok");
    assert_eq!(text(&lines[0], "id"), stored[0].id);
}

#[tokio::test]
async fn a_success_answer_that_cannot_be_read_says_stored_and_exits_0() {
    let server = server().await;
    let dir = tempdir();
    let file = write(dir.path(), "plan.txt", b"plan");
    let path = file.to_string_lossy().into_owned();
    server.respond_next_with(CannedReply::json(
        200,
        serde_json::json!({"data": [{"code": "SUCCESS", "details": {"id": "7770001", "Modified_By": "someone"}, "status": "success"}]}),
    ));
    let args = ["upload", "--module", "Leads", "--record", RECORD, &path];
    let run = run(against(&server, dir.path(), &args)).await;
    run.expect(0);
    assert!(
        run.stdout.contains("uploaded") && run.stdout.contains("7770001"),
        "{run:#?}"
    );
    assert!(run.stderr.contains("warning: stored"), "{run:#?}");
    assert!(run.stderr.contains("do not upload it again"), "{run:#?}");
    assert!(!run.stderr.contains("not uploaded"), "{run:#?}");
}

#[tokio::test]
async fn an_upload_stopped_by_sigint_may_have_been_stored_and_exits_130() {
    let server = server().await;
    let dir = tempdir();
    let file = write(dir.path(), "a.txt", b"a");
    let path = file.to_string_lossy();
    // Stored, then the answer stalls.
    server.push_fault(Fault::Stall {
        before_body: false,
        duration: Duration::from_secs(60),
    });
    let args = ["upload", "--module", "Leads", "--record", RECORD, &path];
    let mut upload = against(&server, dir.path(), &args);
    upload
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let child = match upload.spawn() {
        Ok(child) => child,
        Err(e) => panic!("cannot start the CLI: {e}"),
    };
    let pid = child.id();
    wait_until(
        Duration::from_secs(20),
        "the server stores the file",
        || server.attachment_count() == 1,
    )
    .await;
    send_signal(pid, "INT");
    let waited = tokio::time::timeout(
        Duration::from_secs(10),
        tokio::task::spawn_blocking(move || child.wait_with_output()),
    )
    .await;
    let Ok(Ok(Ok(output))) = waited else {
        send_signal(pid, "KILL");
        panic!("the CLI did not end after SIGINT");
    };
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    assert!(
        stderr.starts_with(&format!(
            "error: interrupted (SIGINT): an upload in flight may have been stored; before uploading it again, check with: zoho-crm list --module Leads --record {RECORD} --api-base {}",
            server.base_url()
        )),
        "{stderr}"
    );
}
