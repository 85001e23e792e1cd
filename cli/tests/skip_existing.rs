//! `upload-many --skip-existing`: the lines whose file Zoho holds already (an attachment of the
//! same name and size, a file of the field, a photo of the record) are not uploaded but
//! journaled as `already_in_zoho`; each record is listed once, every page, through the same
//! client (so under `--max-credits`, and in the run's account and the dry run's estimate).

mod common;

use std::path::{Path, PathBuf};

use common::{RECORD, against, run, server, stored_names, tempdir, write};
use serde_json::Value;
use zoho_crm_testkit::Server;
use zoho_crm_testkit::image::png_header;

/// A second record.
const OTHER: &str = "3477061000005177003";

fn arg(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

fn number(value: &Value, field: &str) -> u64 {
    value[field].as_u64().unwrap_or(u64::MAX)
}

/// A manifest of three files on [`RECORD`] and two on [`OTHER`], with their journal's path.
fn five_files(dir: &Path) -> (String, PathBuf) {
    let mut csv = String::from("module,record_id,path\n");
    for (index, record) in [RECORD, RECORD, RECORD, OTHER, OTHER].iter().enumerate() {
        write(
            dir,
            &format!("files/f{index}.txt"),
            format!("file number {index}").as_bytes(),
        );
        csv.push_str(&format!("Leads,{record},files/f{index}.txt\n"));
    }
    let manifest = write(dir, "manifest.csv", csv.as_bytes());
    let journal = dir.join("manifest.csv.journal");
    (arg(&manifest), journal)
}

/// The requests the server got from the `from`th on, as `METHOD path`.
fn requests_since(server: &Server, from: usize) -> Vec<String> {
    server
        .requests()
        .into_iter()
        .skip(from)
        .map(|request| format!("{} {}", request.method, request.path))
        .collect()
}

/// Whether a request is a listing of a record's attachments.
fn is_listing(request: &str) -> bool {
    request.starts_with("GET ") && request.ends_with("/Attachments")
}

fn item_statuses(run: &common::Run) -> Vec<String> {
    run.json()
        .into_iter()
        .filter(|line| line["summary"] != true)
        .map(|line| line["status"].as_str().unwrap_or("").to_owned())
        .collect()
}

#[tokio::test]
async fn a_manifest_uploaded_again_without_its_journal_uploads_nothing_and_lists_each_record_once()
{
    let server = server().await;
    let dir = tempdir();
    let (manifest, journal) = five_files(dir.path());
    let upload = ["--json", "upload-many", "--manifest", &manifest];
    run(against(&server, dir.path(), &upload)).await.expect(0);
    assert_eq!(server.attachments().len(), 5);
    let journal_text = std::fs::read_to_string(&journal).unwrap_or_default();
    assert!(journal_text.contains("\"status\":\"ok\""), "{journal_text}");
    std::fs::remove_file(&journal).unwrap();

    let before = server.requests().len();
    let skipping = [
        "--json",
        "upload-many",
        "--manifest",
        &manifest,
        "--skip-existing",
    ];
    let again = run(against(&server, dir.path(), &skipping)).await;
    again.expect(0);
    let summary = again.summary();
    assert_eq!(number(&summary, "uploaded"), 0, "{summary}");
    assert_eq!(number(&summary, "already_in_zoho"), 5, "{summary}");
    assert_eq!(number(&summary["account"], "calls"), 2, "{summary}");
    assert_eq!(item_statuses(&again), ["already_in_zoho"; 5]);
    assert!(
        again
            .json()
            .iter()
            .filter(|line| line["status"] == "already_in_zoho")
            .all(|line| line["ok"] == true && line["id"].is_string()),
        "{}",
        again.stdout
    );
    let calls = requests_since(&server, before);
    assert_eq!(calls.len(), 2, "{calls:?}");
    assert!(calls.iter().all(|call| is_listing(call)), "{calls:?}");
    assert!(calls.iter().any(|call| call.contains(RECORD)), "{calls:?}");
    assert!(calls.iter().any(|call| call.contains(OTHER)), "{calls:?}");
    assert_eq!(server.attachments().len(), 5, "nothing attached twice");
    // Journaled as done: the next run skips every line without listing.
    let journal_text = std::fs::read_to_string(&journal).unwrap_or_default();
    assert_eq!(
        journal_text.matches("\"already_in_zoho\":true").count(),
        5,
        "{journal_text}"
    );
    let before = server.requests().len();
    let third = run(against(&server, dir.path(), &skipping)).await;
    third.expect(0);
    assert_eq!(number(&third.summary(), "already_done"), 5);
    assert_eq!(requests_since(&server, before), Vec::<String>::new());

    // In text, each line says so.
    std::fs::remove_file(&journal).unwrap();
    let text = run(against(&server, dir.path(), &skipping[1..])).await;
    text.expect(0);
    assert_eq!(
        text.stdout
            .lines()
            .filter(|line| line.starts_with("already  line") && line.ends_with("(already in Zoho)"))
            .count(),
        5,
        "{}",
        text.stdout
    );
    assert!(text.stderr.contains("already in Zoho 5"), "{}", text.stderr);
}

#[tokio::test]
async fn a_changed_file_is_uploaded_and_the_others_are_not() {
    let server = server().await;
    let dir = tempdir();
    let (manifest, journal) = five_files(dir.path());
    let upload = ["--json", "upload-many", "--manifest", &manifest];
    run(against(&server, dir.path(), &upload)).await.expect(0);
    std::fs::remove_file(&journal).unwrap();
    write(dir.path(), "files/f1.txt", b"file number 1, longer now");
    let skipping = [
        "--json",
        "upload-many",
        "--manifest",
        &manifest,
        "--skip-existing",
    ];
    let again = run(against(&server, dir.path(), &skipping)).await;
    again.expect(0);
    let summary = again.summary();
    assert_eq!(number(&summary, "uploaded"), 1, "{summary}");
    assert_eq!(number(&summary, "already_in_zoho"), 4, "{summary}");
    let uploaded: Vec<Value> = again
        .json()
        .into_iter()
        .filter(|line| line["status"] == "ok")
        .collect();
    assert_eq!(uploaded.len(), 1, "{}", again.stdout);
    assert_eq!(uploaded[0]["path"], "files/f1.txt");
    let mut names = stored_names(&server);
    names.sort();
    assert_eq!(
        names,
        ["f0.txt", "f1.txt", "f1.txt", "f2.txt", "f3.txt", "f4.txt"]
    );
}

#[tokio::test]
async fn lines_of_the_same_name_and_size_match_as_many_attachments() {
    let server = server().await;
    let dir = tempdir();
    // Two files uploaded under the same name with the same size; Zoho holds one such file,
    // and one of another size under that name.
    write(dir.path(), "x/a.txt", b"aaa");
    write(dir.path(), "y/a.txt", b"bbb");
    server.insert_file("Leads", RECORD, "a.txt", b"ccc");
    server.insert_file("Leads", RECORD, "a.txt", b"cccc");
    let manifest = write(
        dir.path(),
        "manifest.csv",
        format!("module,record_id,path\nLeads,{RECORD},x/a.txt\nLeads,{RECORD},y/a.txt\n")
            .as_bytes(),
    );
    let skipping = [
        "--json",
        "upload-many",
        "--manifest",
        &arg(&manifest),
        "--skip-existing",
    ];
    let run = run(against(&server, dir.path(), &skipping)).await;
    run.expect(0);
    let summary = run.summary();
    assert_eq!(number(&summary, "already_in_zoho"), 1, "{summary}");
    assert_eq!(number(&summary, "uploaded"), 1, "{summary}");
    assert_eq!(item_statuses(&run), ["already_in_zoho", "ok"]);
    assert_eq!(server.attachments().len(), 3);
}

#[tokio::test]
async fn field_files_and_photos_are_compared_with_what_the_record_holds() {
    let server = server().await;
    let dir = tempdir();
    server.add_file_field("Contacts", "PO", 5);
    server.insert_field_file("Contacts", RECORD, "PO", "po.txt", b"purchase order");
    let mut image = png_header(32, 32);
    image.extend_from_slice(&[0; 64]);
    server.insert_photo("Contacts", RECORD, &image);
    write(dir.path(), "po.txt", b"purchase order");
    write(dir.path(), "po2.txt", b"another order");
    write(dir.path(), "me.png", &image);
    let manifest = write(
        dir.path(),
        "manifest.csv",
        format!(
            "module,record_id,path,target\n\
             Contacts,{RECORD},po.txt,field:PO\n\
             Contacts,{RECORD},po2.txt,field:PO\n\
             Contacts,{RECORD},me.png,photo\n\
             Contacts,{OTHER},me.png,photo\n"
        )
        .as_bytes(),
    );
    let before = server.requests().len();
    let skipping = [
        "--json",
        "upload-many",
        "--manifest",
        &arg(&manifest),
        "--skip-existing",
        "--concurrency",
        "1",
    ];
    let first = run(against(&server, dir.path(), &skipping)).await;
    first.expect(0);
    let summary = first.summary();
    assert_eq!(number(&summary, "already_in_zoho"), 2, "{summary}");
    assert_eq!(number(&summary, "uploaded"), 2, "{summary}");
    assert_eq!(
        item_statuses(&first),
        ["already_in_zoho", "already_in_zoho", "ok", "ok"],
        "{}",
        first.stdout
    );
    let calls = requests_since(&server, before);
    // The look-ups: the record's field read once, each record's photo asked for once.
    let lookups: Vec<&String> = calls
        .iter()
        .filter(|call| call.starts_with("GET "))
        .collect();
    assert_eq!(lookups.len(), 4, "{calls:?}");
    let field_names: Vec<String> = server
        .file_field("Contacts", RECORD, "PO")
        .into_iter()
        .map(|file| file.file_name)
        .collect();
    assert_eq!(field_names, ["po.txt", "po2.txt"]);
    assert!(server.photo("Contacts", OTHER).is_some());

    // --replace sets the photo even though the record has one, without asking for it.
    let replacing = write(
        dir.path(),
        "photo.csv",
        format!("module,record_id,path,target\nContacts,{RECORD},me.png,photo\n").as_bytes(),
    );
    let before = server.requests().len();
    let args = [
        "--json",
        "upload-many",
        "--manifest",
        &arg(&replacing),
        "--skip-existing",
        "--replace",
    ];
    let replaced = run(against(&server, dir.path(), &args)).await;
    replaced.expect(0);
    assert_eq!(number(&replaced.summary(), "uploaded"), 1);
    let calls = requests_since(&server, before);
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert!(calls[0].starts_with("POST "), "{calls:?}");
    let photo = server.photo("Contacts", RECORD);
    assert_eq!(photo.map(|p| p.file_name), Some("me.png".to_owned()));
}

#[tokio::test]
async fn a_budget_smaller_than_the_listings_holds_lines_back_and_a_resumed_run_attaches_nothing_twice()
 {
    let server = server().await;
    let dir = tempdir();
    let (manifest, journal) = five_files(dir.path());
    let upload = ["--json", "upload-many", "--manifest", &manifest];
    run(against(&server, dir.path(), &upload)).await.expect(0);
    std::fs::remove_file(&journal).unwrap();
    let before = server.requests().len();
    let budgeted = [
        "--json",
        "--max-credits",
        "1",
        "upload-many",
        "--manifest",
        &manifest,
        "--skip-existing",
    ];
    let first = run(against(&server, dir.path(), &budgeted)).await;
    first.expect(4);
    let summary = first.summary();
    assert_eq!(number(&summary, "already_in_zoho"), 3, "{summary}");
    assert_eq!(number(&summary, "held_back"), 2, "{summary}");
    assert_eq!(number(&summary, "uploaded"), 0, "{summary}");
    assert_eq!(number(&summary, "failed"), 0, "{summary}");
    assert_eq!(number(&summary, "budget_spent"), 1, "{summary}");
    assert_eq!(number(&summary["account"], "calls"), 1, "{summary}");
    let calls = requests_since(&server, before);
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert!(is_listing(&calls[0]), "{calls:?}");
    assert!(
        first.stderr.contains("--skip-existing") && first.stderr.contains("resume later with"),
        "{}",
        first.stderr
    );

    let before = server.requests().len();
    let skipping = &budgeted[3..];
    let mut resumed_args = vec!["--json"];
    resumed_args.extend_from_slice(skipping);
    let resumed = run(against(&server, dir.path(), &resumed_args)).await;
    resumed.expect(0);
    let summary = resumed.summary();
    assert_eq!(number(&summary, "already_done"), 3, "{summary}");
    assert_eq!(number(&summary, "already_in_zoho"), 2, "{summary}");
    assert_eq!(number(&summary, "uploaded"), 0, "{summary}");
    let calls = requests_since(&server, before);
    assert_eq!(calls.len(), 1, "only the other record is listed: {calls:?}");
    assert!(calls[0].contains(OTHER), "{calls:?}");
    assert_eq!(server.attachments().len(), 5, "nothing attached twice");
}

#[tokio::test]
async fn a_record_of_450_attachments_is_listed_in_3_calls_of_200() {
    let server = server().await;
    let dir = tempdir();
    for index in 0..450 {
        server.insert_file(
            "Leads",
            RECORD,
            &format!("old{index}.txt"),
            format!("{index}").as_bytes(),
        );
    }
    // The last one listed (on the third page) is the file of the manifest.
    write(dir.path(), "old449.txt", b"449");
    write(dir.path(), "new.txt", b"new");
    let manifest = write(
        dir.path(),
        "manifest.csv",
        format!("module,record_id,path\nLeads,{RECORD},old449.txt\nLeads,{RECORD},new.txt\n")
            .as_bytes(),
    );
    let args = [
        "--json",
        "upload-many",
        "--manifest",
        &arg(&manifest),
        "--skip-existing",
    ];
    let mut dry = args.to_vec();
    dry.push("--dry-run");
    let estimate = run(against(&server, dir.path(), &dry)).await;
    estimate.expect(0);
    let summary = estimate.summary();
    // One listing (a lower bound) and the two uploads.
    assert_eq!(number(&summary["estimate"], "lookup_calls"), 1, "{summary}");
    assert_eq!(number(&summary["estimate"], "calls_min"), 3, "{summary}");
    assert_eq!(server.requests().len(), 0, "a dry run sends nothing");

    let run = run(against(&server, dir.path(), &args)).await;
    run.expect(0);
    let summary = run.summary();
    assert_eq!(number(&summary, "already_in_zoho"), 1, "{summary}");
    assert_eq!(number(&summary, "uploaded"), 1, "{summary}");
    let listings: Vec<String> = server
        .requests()
        .into_iter()
        .filter(|request| request.method == "GET" && request.path.ends_with("/Attachments"))
        .map(|request| request.query.unwrap_or_default())
        .collect();
    assert_eq!(listings.len(), 3, "{listings:?}");
    assert!(
        listings.iter().all(|query| query.contains("per_page=200")),
        "{listings:?}"
    );
    assert_eq!(number(&summary["account"], "calls"), 4, "{summary}");
}
