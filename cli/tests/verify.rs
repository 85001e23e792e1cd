//! `verify`: an upload manifest checked against what its records hold (`--manifest`), and a
//! download-many export checked against its index and Zoho (`--export`), with rclone check's
//! marks, the exit codes (0 all equal, 2 bad input, 3 something differs, 4 the budget), and
//! the listings under `--max-credits`.

mod common;

use std::path::Path;

use common::{RECORD, against, run, server, tempdir, text, write};
use serde_json::Value;
use sha2::{Digest as _, Sha256};
use zoho_crm_testkit::image::png_header;
use zoho_crm_testkit::{Server, StoredContent};

/// A second record.
const OTHER: &str = "3477061000005177003";

fn arg(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

fn number(value: &Value, field: &str) -> u64 {
    value[field].as_u64().unwrap_or(u64::MAX)
}

/// The item lines of a `--json` run, as `(mark, path)` (`module/record_id/name` for what is
/// only in Zoho), sorted.
fn marks(run: &common::Run) -> Vec<(String, String)> {
    let mut marks: Vec<(String, String)> = run
        .json()
        .into_iter()
        .filter(|line| line["summary"] != true && line.get("mark").is_some())
        .map(|line| {
            let path = match line["path"].as_str() {
                Some(path) => path.to_owned(),
                None => format!(
                    "{}/{}/{}",
                    text(&line, "module"),
                    text(&line, "record_id"),
                    text(&line, "name")
                ),
            };
            (text(&line, "mark").to_owned(), path)
        })
        .collect();
    marks.sort();
    marks
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

#[tokio::test]
async fn an_uploaded_manifest_verifies_and_a_deleted_attachment_is_missing() {
    let server = server().await;
    server.add_file_field("Contacts", "PO", 5);
    let dir = tempdir();
    write(dir.path(), "a.txt", b"first file");
    write(dir.path(), "b.txt", b"second");
    write(dir.path(), "c.txt", b"third one");
    write(dir.path(), "po.txt", b"purchase order");
    let mut image = png_header(16, 16);
    image.extend_from_slice(&[0; 64]);
    write(dir.path(), "me.png", &image);
    let manifest = write(
        dir.path(),
        "manifest.csv",
        format!(
            "module,record_id,path,target\n\
             Contacts,{RECORD},a.txt,\n\
             Contacts,{RECORD},b.txt,\n\
             Contacts,{OTHER},c.txt,\n\
             Contacts,{RECORD},po.txt,field:PO\n\
             Contacts,{RECORD},me.png,photo\n"
        )
        .as_bytes(),
    );
    let manifest = arg(&manifest);
    let upload = ["--json", "upload-many", "--manifest", &manifest];
    run(against(&server, dir.path(), &upload)).await.expect(0);

    let before = server.requests().len();
    let verify = ["--json", "verify", "--manifest", &manifest];
    let checked = run(against(&server, dir.path(), &verify)).await;
    checked.expect(0);
    let record = |name: &str| format!("Contacts/{RECORD}/{name}");
    let pair = |mark: &str, path: &str| (mark.to_owned(), path.to_owned());
    assert_eq!(
        marks(&checked),
        [
            pair("=", "a.txt"),
            pair("=", "b.txt"),
            pair("=", "c.txt"),
            pair("=", "po.txt"),
            pair("?", "me.png"),
        ]
    );
    let summary = checked.summary();
    assert_eq!(number(&summary, "equal"), 4, "{summary}");
    assert_eq!(number(&summary, "not_checked"), 1, "{summary}");
    // Two listings (one a record) and one read of the field.
    assert_eq!(number(&summary, "calls"), 3, "{summary}");
    assert_eq!(number(&summary["account"], "calls"), 3, "{summary}");
    assert_eq!(server.requests().len() - before, 3);
    assert!(
        checked
            .json()
            .iter()
            .filter(|line| line["mark"] == "=")
            .all(|line| line["id"].is_string() && line["size"].is_u64()),
        "{}",
        checked.stdout
    );

    // One attachment deleted: its line is missing.
    let deleted = server
        .attachments()
        .into_iter()
        .find(|a| {
            a.record_id == RECORD
                && matches!(&a.content, StoredContent::File { file_name, .. } if file_name == "a.txt")
        })
        .map(|a| a.id)
        .unwrap_or_default();
    let delete = [
        "delete", "--module", "Contacts", "--record", RECORD, "--id", &deleted,
    ];
    run(against(&server, dir.path(), &delete)).await.expect(0);
    let again = run(against(&server, dir.path(), &verify)).await;
    again.expect(3);
    let missing: Vec<(String, String)> = marks(&again)
        .into_iter()
        .filter(|(mark, _)| mark == "-")
        .collect();
    assert_eq!(missing, [pair("-", "a.txt")]);
    assert_eq!(number(&again.summary(), "missing"), 1);
    assert_eq!(again.summary()["ok"], false);

    // In text: rclone's combined lines, and the summary on standard error.
    let plain = run(against(&server, dir.path(), &verify[1..])).await;
    plain.expect(3);
    assert!(
        plain
            .stdout
            .lines()
            .any(|line| line.starts_with(&format!("- {}", record("a.txt")))
                && line.contains("(10 bytes)")),
        "{}",
        plain.stdout
    );
    assert!(
        plain
            .stdout
            .lines()
            .any(|line| line == format!("= {} (6 bytes)", record("b.txt"))),
        "{}",
        plain.stdout
    );
    assert!(
        plain.stderr.contains("3 =, 1 -, 0 +, 0 *, 1 ?"),
        "{}",
        plain.stderr
    );
}

#[tokio::test]
async fn a_bad_manifest_is_bad_input_and_nothing_is_sent() {
    let server = server().await;
    let dir = tempdir();
    let manifest = write(
        dir.path(),
        "manifest.csv",
        format!("module,record_id,path\nLeads,{RECORD},nowhere.txt\n").as_bytes(),
    );
    let verify = ["verify", "--manifest", &arg(&manifest)];
    let checked = run(against(&server, dir.path(), &verify)).await;
    checked.expect(2);
    assert!(checked.stderr.contains("line 2"), "{}", checked.stderr);
    assert_eq!(server.request_count(), 0);
    // No index in the export directory: bad input too.
    let export = ["verify", "--export", &arg(dir.path())];
    let checked = run(against(&server, dir.path(), &export)).await;
    checked.expect(2);
    assert!(checked.stderr.contains("index.csv"), "{}", checked.stderr);
    // An index naming one file twice, or of another kind of file, is not download-many's.
    let row = format!("Leads,{RECORD},attachment,5,a.txt,1,,Leads/{RECORD}/a.txt,,\n");
    let header = "module,record_id,kind,id,name,size,sha256,path,created_time,modified_time\n";
    write(
        dir.path(),
        "index.csv",
        format!("{header}{row}{row}Leads,{RECORD},link,6,b,1,,Leads/{RECORD}/b,,\n").as_bytes(),
    );
    let checked = run(against(&server, dir.path(), &export)).await;
    checked.expect(2);
    assert!(
        checked.stderr.contains("line 3: line 2 has the same file")
            && checked.stderr.contains("line 4: the kind \"link\""),
        "{}",
        checked.stderr
    );
    assert_eq!(server.request_count(), 0);
}

/// A file of an export.
struct Saved {
    kind: &'static str,
    module: &'static str,
    record: &'static str,
    id: String,
    name: &'static str,
    path: String,
    bytes: Vec<u8>,
}

/// Writes the files of `saved` below `dir` and an index.csv naming them, as download-many
/// would.
fn export(dir: &Path, saved: &[Saved]) {
    let mut index =
        String::from("module,record_id,kind,id,name,size,sha256,path,created_time,modified_time\n");
    for file in saved {
        write(dir, &file.path, &file.bytes);
        index.push_str(&format!(
            "{},{},{},{},\"{}\",{},{},\"{}\",,\n",
            file.module,
            file.record,
            file.kind,
            file.id,
            file.name,
            file.bytes.len(),
            sha256_hex(&file.bytes),
            file.path
        ));
    }
    write(dir, "index.csv", index.as_bytes());
}

/// Four attachments over two Leads records, a field file and a photo, in the test kit and in
/// an export of them.
fn kit_and_export(server: &Server, dir: &Path) -> Vec<Saved> {
    let mut saved = Vec::new();
    for (record, name, bytes) in [
        (RECORD, "report.pdf", &b"%PDF report"[..]),
        (RECORD, "notes, v2.txt", b"some notes"),
        (RECORD, "keep.txt", b"kept"),
        (OTHER, "other.txt", b"of another record"),
    ] {
        let id = server.insert_file("Leads", record, name, bytes);
        saved.push(Saved {
            kind: "attachment",
            module: "Leads",
            record,
            id,
            name,
            path: format!("Leads/{record}/{name}"),
            bytes: bytes.to_vec(),
        });
    }
    let po = b"purchase order".to_vec();
    let id = server.insert_field_file("Leads", RECORD, "PO", "po.txt", &po);
    saved.push(Saved {
        kind: "field_file",
        module: "Leads",
        record: RECORD,
        id,
        name: "po.txt",
        path: format!("Leads/{RECORD}/fields/PO/po.txt"),
        bytes: po,
    });
    let mut image = png_header(8, 8);
    image.extend_from_slice(&[0; 16]);
    server.insert_photo("Leads", RECORD, &image);
    saved.push(Saved {
        kind: "photo",
        module: "Leads",
        record: RECORD,
        id: RECORD.to_owned(),
        name: "",
        path: format!("Leads/{RECORD}/photo.png"),
        bytes: image,
    });
    export(dir, &saved);
    saved
}

#[tokio::test]
async fn an_export_is_checked_against_its_index_and_zoho() {
    let server = server().await;
    let home = tempdir();
    let out = tempdir();
    let saved = kit_and_export(&server, out.path());
    let dir = arg(out.path());
    let verify = ["--json", "verify", "--export", &dir];
    let intact = run(against(&server, home.path(), &verify)).await;
    intact.expect(0);
    let expected: Vec<(String, String)> = {
        let mut expected: Vec<(String, String)> = saved
            .iter()
            .map(|file| {
                let mark = if file.kind == "photo" { "?" } else { "=" };
                (mark.to_owned(), file.path.clone())
            })
            .collect();
        expected.sort();
        expected
    };
    assert_eq!(marks(&intact), expected);
    let summary = intact.summary();
    assert_eq!(number(&summary, "equal"), 5, "{summary}");
    assert_eq!(number(&summary, "files_hashed"), 6, "{summary}");
    let bytes: usize = saved.iter().map(|file| file.bytes.len()).sum();
    assert_eq!(number(&summary, "bytes_hashed"), bytes as u64, "{summary}");
    // Two records listed, one read for its field.
    assert_eq!(number(&summary, "calls"), 3, "{summary}");
    assert_eq!(summary["account"]["calls"], 3, "{summary}");

    // A file deleted on disk, one truncated, a row for an id Zoho does not list, and an
    // attachment deleted in Zoho.
    std::fs::remove_file(out.path().join(&saved[0].path)).unwrap();
    std::fs::write(out.path().join(&saved[1].path), b"some").unwrap();
    let mut index = std::fs::read_to_string(out.path().join("index.csv")).unwrap();
    let gone = b"long gone";
    write(out.path(), &format!("Leads/{OTHER}/gone.txt"), gone);
    index.push_str(&format!(
        "Leads,{OTHER},attachment,3477061000009999999,gone.txt,{},{},Leads/{OTHER}/gone.txt,,\n",
        gone.len(),
        sha256_hex(gone)
    ));
    write(out.path(), "index.csv", index.as_bytes());
    let delete = [
        "delete",
        "--module",
        "Leads",
        "--record",
        OTHER,
        "--id",
        &saved[3].id,
    ];
    run(against(&server, home.path(), &delete)).await.expect(0);
    // An attachment uploaded since the export, and a link (not a file).
    server.insert_file("Leads", RECORD, "new.txt", b"new");
    server.insert_link("Leads", RECORD, "https://example.com/", Some("a link"));
    // A file added to the export by hand, which the index does not name.
    write(out.path(), &format!("Leads/{RECORD}/added.txt"), b"mine");

    let changed = run(against(&server, home.path(), &verify)).await;
    changed.expect(3);
    let mut expected = vec![
        ("-".to_owned(), saved[0].path.clone()),
        ("*".to_owned(), saved[1].path.clone()),
        ("=".to_owned(), saved[2].path.clone()),
        ("+".to_owned(), saved[3].path.clone()),
        ("=".to_owned(), saved[4].path.clone()),
        ("?".to_owned(), saved[5].path.clone()),
        ("+".to_owned(), format!("Leads/{OTHER}/gone.txt")),
        ("-".to_owned(), format!("Leads/{RECORD}/new.txt")),
        ("+".to_owned(), format!("Leads/{RECORD}/added.txt")),
    ];
    expected.sort();
    assert_eq!(marks(&changed), expected, "{}", changed.stdout);
    let summary = changed.summary();
    assert_eq!(
        [
            number(&summary, "equal"),
            number(&summary, "missing"),
            number(&summary, "extra"),
            number(&summary, "differ"),
            number(&summary, "not_checked"),
        ],
        [2, 2, 3, 1, 1],
        "{summary}"
    );
    let lines = changed.json();
    let line_of = |path: &str| {
        lines
            .iter()
            .find(|line| line["path"] == path)
            .cloned()
            .unwrap_or_default()
    };
    let truncated = line_of(&saved[1].path);
    assert_eq!(truncated["id"], saved[1].id.as_str());
    assert_eq!(truncated["name"], "notes, v2.txt");
    assert!(
        text(&truncated, "reason").contains("4 bytes on disk"),
        "{truncated}"
    );
    assert!(text(&line_of(&saved[0].path), "reason").contains("missing on disk"));
    assert!(text(&line_of(&saved[3].path), "reason").contains("no longer lists"));
    let added = line_of(&format!("Leads/{RECORD}/added.txt"));
    assert_eq!(added["size"], 4, "{added}");
    assert!(
        text(&added, "reason").contains("not in the index"),
        "{added}"
    );

    // In text, rclone's combined lines.
    let plain = run(against(&server, home.path(), &verify[1..])).await;
    plain.expect(3);
    assert!(
        plain
            .stdout
            .lines()
            .any(|line| line == format!("= {} (4 bytes)", saved[2].path)),
        "{}",
        plain.stdout
    );
    assert!(
        plain
            .stdout
            .lines()
            .any(|line| line.starts_with(&format!("* {} (10 bytes)", saved[1].path))),
        "{}",
        plain.stdout
    );
    assert!(
        plain.stderr.contains("2 =, 2 -, 3 +, 1 *, 1 ?"),
        "{}",
        plain.stderr
    );
}

#[tokio::test]
async fn a_budget_too_small_for_the_listings_exits_4() {
    let server = server().await;
    let home = tempdir();
    let out = tempdir();
    kit_and_export(&server, out.path());
    let dir = arg(out.path());
    let verify = ["--json", "--max-credits", "1", "verify", "--export", &dir];
    let checked = run(against(&server, home.path(), &verify)).await;
    checked.expect(4);
    // The first record's listing is made; the field read and the other record's are refused.
    assert_eq!(server.request_count(), 1);
    let summary = checked.summary();
    assert_eq!(summary["ok"], false);
    assert_eq!(number(&summary, "budget_spent"), 1, "{summary}");
    assert!(number(&summary, "errors") >= 1, "{summary}");
    assert!(
        checked.stderr.contains("BUDGET_SPENT"),
        "{}",
        checked.stderr
    );
}

#[tokio::test]
async fn a_download_many_export_verifies_as_it_was_saved() {
    let server = server().await;
    let home = tempdir();
    let out = tempdir();
    kit_and_export(&server, home.path());
    let records = write(
        home.path(),
        "records.csv",
        format!("module,record_id\nLeads,{RECORD}\nLeads,{OTHER}\n").as_bytes(),
    );
    let exported = [
        "--json",
        "download-many",
        "--manifest",
        &arg(&records),
        "--output",
        &arg(out.path()),
        "--field",
        "PO",
    ];
    run(against(&server, home.path(), &exported))
        .await
        .expect(0);
    let verify = ["--json", "verify", "--export", &arg(out.path())];
    let checked = run(against(&server, home.path(), &verify)).await;
    checked.expect(0);
    let summary = checked.summary();
    // Four attachments and the field's file equal; the photo checked on disk only.
    assert_eq!(number(&summary, "equal"), 5, "{summary}");
    assert_eq!(number(&summary, "not_checked"), 1, "{summary}");
    assert_eq!(number(&summary, "files_hashed"), 6, "{summary}");
    // A saved file changed: `*`.
    let saved = marks(&checked);
    let (_, report) = saved
        .iter()
        .find(|(_, path)| path.ends_with("report.pdf"))
        .cloned()
        .unwrap_or_default();
    std::fs::write(out.path().join(&report), b"%PDF changed").unwrap();
    let changed = run(against(&server, home.path(), &verify)).await;
    changed.expect(3);
    assert!(
        marks(&changed).contains(&("*".to_owned(), report.clone())),
        "{}",
        changed.stdout
    );
}
