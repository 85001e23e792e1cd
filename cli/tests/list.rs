//! `zoho-crm list`: a page, every page, the fields from v3 on, and the failure paths.

mod common;

use common::{RECORD, against, command, run, server, tempdir, text};

#[tokio::test]
async fn a_page_lists_items_and_its_paging_info_as_json() {
    let server = server().await;
    let dir = tempdir();
    let first = server.insert_file("Leads", RECORD, "a.pdf", b"12345");
    server.insert_file("Leads", RECORD, "b.pdf", b"1");
    let args = [
        "--json",
        "list",
        "--module",
        "Leads",
        "--record",
        RECORD,
        "--page",
        "1",
        "--per-page",
        "1",
    ];
    let run = run(against(&server, dir.path(), &args)).await;
    run.expect(0);
    let lines = run.json();
    assert_eq!(lines.len(), 2, "{run:#?}");
    assert_eq!(text(&lines[0], "id"), first);
    assert_eq!(text(&lines[0], "File_Name"), "a.pdf");
    assert_eq!(lines[0]["Size"], "5");
    assert_eq!(text(&lines[0], "$type"), "File");
    assert_eq!(lines[1]["info"]["more_records"], true);
    assert_eq!(lines[1]["info"]["page"], 1);
}

#[tokio::test]
async fn all_follows_every_page() {
    let server = server().await;
    let dir = tempdir();
    let ids: Vec<String> = (0..5)
        .map(|i| server.insert_file("Deals", RECORD, &format!("f{i}.txt"), b"x"))
        .collect();
    let args = [
        "--json",
        "list",
        "--module",
        "Deals",
        "--record",
        RECORD,
        "--all",
        "--per-page",
        "2",
    ];
    let run = run(against(&server, dir.path(), &args)).await;
    run.expect(0);
    let listed: Vec<String> = run
        .json()
        .iter()
        .map(|v| text(v, "id").to_owned())
        .collect();
    assert_eq!(listed, ids);
    assert_eq!(server.request_count(), 3);
}

#[tokio::test]
async fn the_table_is_aligned_and_v3_gets_the_default_fields() {
    let server = server().await;
    let dir = tempdir();
    server.insert_file("Leads", RECORD, "quarterly report.pdf", &[0u8; 2048]);
    server.insert_link("Leads", RECORD, "https://www.zohocorp.com", Some("Zoho"));
    let args = [
        "--api-version",
        "v8",
        "list",
        "--module",
        "Leads",
        "--record",
        RECORD,
    ];
    let run = run(against(&server, dir.path(), &args)).await;
    run.expect(0);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{run:#?}");
    assert!(
        lines[0].starts_with("ID") && lines[0].contains("NAME"),
        "{lines:?}"
    );
    assert!(lines[1].contains("2.00 KiB") && lines[1].contains("quarterly report.pdf"));
    assert!(lines[2].contains("Link URL") && lines[2].contains("Zoho <https://www.zohocorp.com>"));
    let name_column = lines[0].find("NAME");
    assert_eq!(lines[1].find("quarterly"), name_column, "{lines:?}");
    let query = server.requests()[0].query.clone().unwrap_or_default();
    assert!(
        query.contains("fields=id%2CFile_Name") || query.contains("fields=id,File_Name"),
        "{query}"
    );
}

#[tokio::test]
async fn an_empty_record_lists_nothing_and_succeeds() {
    let server = server().await;
    let dir = tempdir();
    let args = ["list", "--module", "Leads", "--record", RECORD];
    let run = run(against(&server, dir.path(), &args)).await;
    run.expect(0);
    assert!(run.stdout.is_empty());
    assert!(run.stderr.contains("no attachments"), "{run:#?}");
}

#[tokio::test]
async fn bad_paging_exits_2_and_api_errors_exit_1() {
    let server = server().await;
    let dir = tempdir();
    let zero = [
        "list",
        "--module",
        "Leads",
        "--record",
        RECORD,
        "--per-page",
        "0",
    ];
    let run_zero = run(against(&server, dir.path(), &zero)).await;
    run_zero.expect(2);
    assert!(run_zero.stderr.contains("per_page"), "{run_zero:#?}");
    let both = [
        "list", "--module", "Leads", "--record", RECORD, "--page", "2", "--all",
    ];
    run(against(&server, dir.path(), &both)).await.expect(2);
    assert_eq!(server.request_count(), 0);
    let base = server.base_url();
    let wrong_token = [
        "--json",
        "--api-base",
        &base,
        "--token",
        "nope",
        "list",
        "--module",
        "Leads",
        "--record",
        RECORD,
    ];
    let denied = run(command(dir.path(), &wrong_token)).await;
    denied.expect(1);
    let lines = denied.json();
    assert_eq!(lines[0]["ok"], false);
    assert_eq!(text(&lines[0], "code"), "INVALID_TOKEN");
    assert_eq!(lines[0]["http_status"], 401);
}

#[tokio::test]
async fn a_dripping_server_is_cut_off_by_the_response_timeout_option() {
    let server = server().await;
    let dir = tempdir();
    server.insert_file("Leads", RECORD, "a.pdf", b"12345");
    for _ in 0..4 {
        server.push_fault(zoho_crm_testkit::Fault::Drip {
            interval: std::time::Duration::from_millis(400),
        });
    }
    let args = [
        "--json",
        "--response-timeout",
        "1",
        "list",
        "--module",
        "Leads",
        "--record",
        RECORD,
    ];
    let started = std::time::Instant::now();
    let run = run(against(&server, dir.path(), &args)).await;
    let took = started.elapsed();
    run.expect(1);
    assert_eq!(text(&run.json()[0], "code"), "TIMEOUT", "{run:#?}");
    // Four attempts of one second each, and the backoff between them.
    assert!(took < std::time::Duration::from_secs(10), "took {took:?}");
}

#[tokio::test]
async fn a_listing_that_never_ends_stops_at_the_page_cap() {
    let server = server().await;
    let dir = tempdir();
    for index in 0..5 {
        server.insert_file("Leads", RECORD, &format!("f{index}.pdf"), b"12345");
    }
    server.set_paging(zoho_crm_testkit::Paging::Endless);
    let args = [
        "--json",
        "--max-pages",
        "3",
        "list",
        "--module",
        "Leads",
        "--record",
        RECORD,
        "--all",
        "--per-page",
        "1",
    ];
    let run = run(against(&server, dir.path(), &args)).await;
    run.expect(1);
    let lines = run.json();
    let failure = lines.iter().find(|line| line.get("code").is_some());
    assert!(
        failure
            .is_some_and(|f| text(f, "code") == "PAGINATION_STOPPED"
                && text(f, "message").contains("3 pages")),
        "{run:#?}"
    );
    // The three pages' items were printed, and no fourth page was asked for.
    assert_eq!(
        lines.iter().filter(|l| l.get("id").is_some()).count(),
        3,
        "{run:#?}"
    );
    assert_eq!(server.request_count(), 3);
}
