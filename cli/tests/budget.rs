//! The budget of API credits (`--max-credits`) in the bulk commands: no call past it reaches
//! the server, what was not sent is held back (exit 4) and a later run finishes it without
//! duplicates; every summary ends with the run's account; `upload-many --dry-run` estimates
//! exactly what the run then spends.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::{
    RECORD, against, attachments_manifest, run, server, stored_names, tempdir, text, write,
};
use serde_json::Value;
use zoho_crm_testkit::image::png_header;
use zoho_crm_testkit::{Fault, Server};

fn arg(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

fn number(value: &Value, field: &str) -> u64 {
    value[field].as_u64().unwrap_or(u64::MAX)
}

#[tokio::test]
async fn a_budget_of_5_sends_5_uploads_holds_back_the_rest_and_a_resumed_run_finishes_once() {
    let server = server().await;
    let dir = tempdir();
    let manifest = arg(&attachments_manifest(dir.path(), 20));
    let budgeted = [
        "--json",
        "--max-credits",
        "5",
        "upload-many",
        "--manifest",
        &manifest,
        "--concurrency",
        "4",
    ];
    let first = run(against(&server, dir.path(), &budgeted)).await;
    first.expect(4);
    assert!(server.requests().len() <= 5, "{:?}", server.requests());
    let summary = first.summary();
    assert_eq!(number(&summary, "uploaded"), 5, "{summary}");
    assert_eq!(number(&summary, "held_back"), 15, "{summary}");
    assert_eq!(number(&summary, "failed"), 0, "{summary}");
    assert_eq!(number(&summary, "budget_spent"), 5, "{summary}");
    let account = &summary["account"];
    assert_eq!(
        (number(account, "calls"), number(account, "credits")),
        (5, 5),
        "{account}"
    );
    assert_eq!(number(account, "max_credits"), 5);
    assert!(
        first.stderr.contains("the budget of 5 credits is spent"),
        "{}",
        first.stderr
    );
    assert!(
        first
            .stderr
            .contains("resume later with: zoho-crm upload-many --manifest"),
        "{}",
        first.stderr
    );
    // The journal marks nothing failed.
    let journal = std::fs::read_to_string(format!("{manifest}.journal")).unwrap_or_default();
    assert!(!journal.contains("\"status\":\"error\""), "{journal}");

    let resumed = ["--json", "upload-many", "--manifest", &manifest];
    let second = run(against(&server, dir.path(), &resumed)).await;
    second.expect(0);
    let summary = second.summary();
    assert_eq!(number(&summary, "already_done"), 5, "{summary}");
    assert_eq!(number(&summary, "uploaded"), 15, "{summary}");
    let mut names = stored_names(&server);
    names.sort();
    let mut expected: Vec<String> = (0..20).map(|i| format!("f{i}.txt")).collect();
    expected.sort();
    assert_eq!(names, expected, "every file exactly once");
}

/// The downloads (GET .../Attachments/{id}) per attachment id.
fn downloads_by_id(server: &Server) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for request in server.requests() {
        if let Some((_, id)) = request.path.rsplit_once("/Attachments/") {
            *counts.entry(id.to_owned()).or_insert(0) += 1;
        }
    }
    counts
}

#[tokio::test]
async fn download_many_under_a_budget_stops_and_a_resumed_run_gets_the_rest_once() {
    let server = server().await;
    let dir = tempdir();
    let (r1, r2) = ("3477061000005177002", "3477061000005177003");
    let mut ids = Vec::new();
    for (record, name) in [
        (r1, "a"),
        (r1, "b"),
        (r1, "c"),
        (r2, "d"),
        (r2, "e"),
        (r2, "f"),
    ] {
        ids.push(server.insert_file("Leads", record, &format!("{name}.txt"), name.as_bytes()));
    }
    let records = write(
        dir.path(),
        "records.csv",
        format!("module,record_id\nLeads,{r1}\nLeads,{r2}\n").as_bytes(),
    );
    let out = dir.path().join("export");
    let export = |budget: Option<&str>| {
        let mut args = vec!["--json".to_owned()];
        if let Some(budget) = budget {
            args.extend(["--max-credits".to_owned(), budget.to_owned()]);
        }
        args.extend(
            [
                "download-many",
                "--manifest",
                &arg(&records),
                "--output",
                &arg(&out),
            ]
            .map(str::to_owned),
        );
        args.extend(["--include", "attachments", "--concurrency", "1"].map(str::to_owned));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        against(&server, dir.path(), &args)
    };
    let first = run(export(Some("4"))).await;
    first.expect(4);
    assert!(server.requests().len() <= 4, "{:?}", server.requests());
    let summary = first.summary();
    assert!(number(&summary, "held_back") >= 1, "{summary}");
    assert_eq!(number(&summary, "failed"), 0, "{summary}");
    assert_eq!(number(&summary["account"], "credits"), 4, "{summary}");
    assert!(
        first.stderr.contains("the budget of 4 credits is spent"),
        "{}",
        first.stderr
    );
    assert!(
        first
            .stderr
            .contains("resume later with: zoho-crm download-many --manifest"),
        "{}",
        first.stderr
    );

    let second = run(export(None)).await;
    second.expect(0);
    let downloads = downloads_by_id(&server);
    for id in &ids {
        assert_eq!(downloads.get(id), Some(&1), "{id} in {downloads:?}");
    }
    for (record, names) in [(r1, ["a", "b", "c"]), (r2, ["d", "e", "f"])] {
        for name in names {
            let saved = std::fs::read(out.join("Leads").join(record).join(format!("{name}.txt")));
            assert_eq!(saved.ok().as_deref(), Some(name.as_bytes()));
        }
    }
}

#[tokio::test]
async fn a_storm_of_429s_shows_as_retries_and_throttled_answers_in_the_account() {
    let server = server().await;
    let dir = tempdir();
    let manifest = arg(&attachments_manifest(dir.path(), 4));
    for _ in 0..3 {
        server.push_fault(Fault::TooManyRequests {
            retry_after: Some("0".to_owned()),
        });
    }
    let args = [
        "--json",
        "upload-many",
        "--manifest",
        &manifest,
        "--concurrency",
        "1",
    ];
    let run = run(against(&server, dir.path(), &args)).await;
    run.expect(0);
    let summary = run.summary();
    assert_eq!(number(&summary, "uploaded"), 4, "{summary}");
    let account = &summary["account"];
    assert_eq!(number(account, "throttled"), 3, "{account}");
    assert_eq!(number(account, "retries"), 3, "{account}");
    assert_eq!(number(account, "calls"), 7, "{account}");
    assert_eq!(number(account, "credits"), 7, "{account}");
    assert_eq!(server.requests().len(), 7);
    assert!(number(account, "bytes_sent") > 0, "{account}");
    assert!(number(account, "bytes_received") > 0, "{account}");
    assert!(account["seconds"].as_f64().is_some(), "{account}");
}

#[tokio::test]
async fn the_upload_many_estimate_is_what_the_run_then_spends() {
    let server = server().await;
    server.add_file_field("Contacts", "PO", 5);
    let dir = tempdir();
    let mut image = png_header(32, 32);
    image.extend_from_slice(b"IDAT and the rest of a picture");
    write(dir.path(), "me.png", &image);
    write(dir.path(), "po.txt", b"purchase order");
    let mut csv = format!(
        "module,record_id,path,target\nContacts,{RECORD},me.png,photo\nContacts,{RECORD},po.txt,field:PO\n"
    );
    for index in 0..3 {
        write(
            dir.path(),
            &format!("a{index}.txt"),
            format!("attachment {index}").as_bytes(),
        );
        csv.push_str(&format!("Contacts,{RECORD},a{index}.txt,\n"));
    }
    let manifest = arg(&write(dir.path(), "m.csv", csv.as_bytes()));
    let dry = [
        "--json",
        "upload-many",
        "--manifest",
        &manifest,
        "--dry-run",
        "--concurrency",
        "2",
        "--assume-rtt",
        "100",
    ];
    let estimate = run(against(&server, dir.path(), &dry)).await;
    estimate.expect(0);
    assert!(server.requests().is_empty());
    let estimate = estimate.summary()["estimate"].clone();
    // Photo 1, field 3 (record read, file store, record update), attachments 1 each.
    assert_eq!(number(&estimate, "calls_min"), 7, "{estimate}");
    assert_eq!(number(&estimate, "credits_min"), 7, "{estimate}");
    assert_eq!(number(&estimate, "calls_max"), 28, "{estimate}");
    let bytes = (image.len() + "purchase order".len() + 3 * "attachment 0".len()) as u64;
    assert_eq!(number(&estimate, "bytes"), bytes, "{estimate}");
    // 7 calls, 2 at a time: 4 round trips of 100 ms.
    assert_eq!(estimate["seconds"].as_f64(), Some(0.4), "{estimate}");
    assert_eq!(number(&estimate, "assumed_rtt_ms"), 100);

    let real = [
        "--json",
        "upload-many",
        "--manifest",
        &manifest,
        "--concurrency",
        "2",
    ];
    let measured = run(against(&server, dir.path(), &real)).await;
    measured.expect(0);
    let account = measured.summary()["account"].clone();
    assert_eq!(
        number(&account, "calls"),
        number(&estimate, "calls_min"),
        "{account}"
    );
    assert_eq!(
        number(&account, "credits"),
        number(&estimate, "credits_min"),
        "{account}"
    );
    assert_eq!(
        server.requests().len() as u64,
        number(&estimate, "calls_min")
    );
}

#[tokio::test]
async fn deleting_3_ids_is_one_call_within_a_budget_of_2() {
    let server = server().await;
    let dir = tempdir();
    let ids: Vec<String> = ["a", "b", "c"]
        .iter()
        .map(|name| server.insert_file("Leads", RECORD, &format!("{name}.txt"), b"x"))
        .collect();
    let mut args = vec![
        "--json",
        "--max-credits",
        "2",
        "delete",
        "--module",
        "Leads",
        "--record",
        RECORD,
    ];
    for id in &ids {
        args.extend(["--id", id.as_str()]);
    }
    let deleted = run(against(&server, dir.path(), &args)).await;
    deleted.expect(0);
    assert_eq!(server.requests().len(), 1);
    assert_eq!(server.attachment_count(), 0);
    let lines = deleted.json();
    assert_eq!(
        lines
            .iter()
            .filter(|l| text(l, "status") == "deleted")
            .count(),
        3
    );
}

#[tokio::test]
async fn download_many_estimates_without_listings_and_with_them() {
    let server = server().await;
    let dir = tempdir();
    let (r1, r2) = ("3477061000005177002", "3477061000005177003");
    server.insert_file("Leads", r1, "a.txt", b"aaaa");
    server.insert_file("Leads", r1, "b.txt", b"bb");
    server.insert_file("Leads", r2, "c.txt", b"c");
    let records = arg(&write(
        dir.path(),
        "records.csv",
        format!("module,record_id\nLeads,{r1}\nLeads,{r2}\n").as_bytes(),
    ));
    let out = arg(&dir.path().join("export"));
    let base = [
        "--json",
        "download-many",
        "--manifest",
        &records,
        "--output",
        &out,
    ];
    let unlisted = [&base[..], &["--dry-run", "--no-listing"]].concat();
    let first = run(against(&server, dir.path(), &unlisted)).await;
    first.expect(0);
    assert!(server.requests().is_empty());
    let estimate = first.summary()["estimate"].clone();
    // Two records: a listing and a photo each (no field named).
    assert_eq!(number(&estimate, "listing_calls"), 2, "{estimate}");
    assert_eq!(number(&estimate, "download_calls"), 2, "{estimate}");
    assert_eq!(estimate["listed"], false);

    let listed = [&base[..], &["--dry-run", "--include", "attachments"]].concat();
    let second = run(against(&server, dir.path(), &listed)).await;
    second.expect(0);
    let estimate = second.summary()["estimate"].clone();
    assert_eq!(estimate["listed"], true);
    assert_eq!(number(&estimate, "listing_calls"), 2, "{estimate}");
    assert_eq!(number(&estimate, "download_calls"), 3, "{estimate}");
    assert_eq!(number(&estimate, "bytes"), 7, "{estimate}");
    assert_eq!(server.requests().len(), 2);

    let before = server.requests().len() as u64;
    let real = [&base[..], &["--include", "attachments"]].concat();
    let third = run(against(&server, dir.path(), &real)).await;
    third.expect(0);
    let spent = server.requests().len() as u64 - before;
    assert_eq!(spent, number(&estimate, "calls_min"));
    assert_eq!(number(&third.summary()["account"], "calls"), spent);
}

#[tokio::test]
async fn list_all_under_a_budget_shows_the_pages_it_could_pay_for_and_exits_4() {
    let server = server().await;
    let dir = tempdir();
    let ids: Vec<String> = (0..5)
        .map(|i| server.insert_file("Deals", RECORD, &format!("f{i}.txt"), b"x"))
        .collect();
    let args = [
        "--json",
        "--max-credits",
        "2",
        "list",
        "--module",
        "Deals",
        "--record",
        RECORD,
        "--all",
        "--per-page",
        "2",
    ];
    let listed = run(against(&server, dir.path(), &args)).await;
    listed.expect(4);
    assert_eq!(server.request_count(), 2);
    let shown: Vec<String> = listed
        .json()
        .iter()
        .filter(|v| v["id"].is_string())
        .map(|v| text(v, "id").to_owned())
        .collect();
    assert_eq!(shown, ids[..4]);
    assert!(
        listed.stderr.contains("the budget of 2 credits is spent"),
        "{}",
        listed.stderr
    );
    assert!(listed.stderr.contains("BUDGET_SPENT"), "{}", listed.stderr);
}

#[tokio::test]
async fn field_file_download_under_a_budget_saves_what_it_paid_for_and_exits_4() {
    let server = server().await;
    let dir = tempdir();
    for (name, bytes) in [("a.pdf", b"aaa"), ("b.pdf", b"bbb"), ("c.pdf", b"ccc")] {
        server.insert_field_file("Contacts", RECORD, "PO", name, bytes);
    }
    let out = dir.path().join("out");
    let out_arg = arg(&out);
    let args = [
        "--max-credits",
        "2",
        "field-file",
        "download",
        "--module",
        "Contacts",
        "--record",
        RECORD,
        "--field",
        "PO",
        "-o",
        &out_arg,
    ];
    let ran = run(against(&server, dir.path(), &args)).await;
    ran.expect(4);
    // The record read and one download.
    assert_eq!(server.requests().len(), 2);
    let saved = std::fs::read_dir(&out).map_or(0, |entries| entries.count());
    assert_eq!(saved, 1);
    assert!(
        ran.stderr.contains("the budget of 2 credits is spent")
            && ran.stderr.contains("2 file(s) not downloaded"),
        "{}",
        ran.stderr
    );
    assert!(
        ran.stderr
            .contains("account: 2 call(s), 2 credit(s) of a budget of 2"),
        "{}",
        ran.stderr
    );
}
