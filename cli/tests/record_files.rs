//! `zoho-crm photo` and `zoho-crm field-file` against the test kit: byte-identical round
//! trips, a record without a photo, files refused before anything is sent, keeping and
//! replacing a field's files, and an unknown field.

mod common;

use std::path::Path;

use common::{RECORD, against, run, server, tempdir, text, write};
use zoho_crm_testkit::Server;
use zoho_crm_testkit::image::png_header;

/// A small PNG of `width` x `height` (a header and some bytes).
fn png(width: u32, height: u32) -> Vec<u8> {
    let mut bytes = png_header(width, height);
    bytes.extend_from_slice(b"IDAT and the rest of a picture");
    bytes
}

fn arg(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

#[tokio::test]
async fn a_photo_goes_up_comes_down_byte_for_byte_and_is_deleted() {
    let server = server().await;
    let dir = tempdir();
    let image = png(64, 48);
    let file = write(dir.path(), "me.png", &image);
    let record = ["--module", "Contacts", "--record", RECORD];
    let file = arg(&file);
    let upload = [&["--json", "photo", "upload"][..], &record, &[&file]].concat();
    let up = run(against(&server, dir.path(), &upload)).await;
    up.expect(0);
    assert_eq!(text(&up.json()[0], "status"), "uploaded");
    let stored = server.photo("Contacts", RECORD).map(|p| p.size);
    assert_eq!(stored, Some(image.len() as u64));

    // Into a directory: photo.<ext> from the image's type.
    let out = dir.path().join("out");
    assert!(std::fs::create_dir(&out).is_ok());
    let out_arg = arg(&out);
    let download = [
        &["--json", "photo", "download"][..],
        &record,
        &["-o", &out_arg],
    ]
    .concat();
    let down = run(against(&server, dir.path(), &download)).await;
    down.expect(0);
    assert_eq!(read(&out.join("photo.png")), image);
    assert_eq!(down.json()[0]["bytes"], image.len());
    // Again: the file there is not replaced.
    run(against(&server, dir.path(), &download)).await.expect(1);

    // To standard output.
    let to_stdout = [&["photo", "download"][..], &record, &["-o", "-"]].concat();
    let mut command = against(&server, dir.path(), &to_stdout);
    let output = tokio::task::spawn_blocking(move || command.output()).await;
    let bytes = match output {
        Ok(Ok(output)) if output.status.success() => output.stdout,
        other => panic!("photo download -o - failed: {other:?}"),
    };
    assert_eq!(bytes, image);

    let delete = [&["photo", "delete"][..], &record].concat();
    run(against(&server, dir.path(), &delete)).await.expect(0);
    assert!(server.photo("Contacts", RECORD).is_none());
}

#[tokio::test]
async fn a_record_without_a_photo_is_a_note_and_nothing_written() {
    let server = server().await;
    let dir = tempdir();
    let target = dir.path().join("photo.jpg");
    let args = [
        "photo",
        "download",
        "--module",
        "Leads",
        "--record",
        RECORD,
        "-o",
        &arg(&target),
    ];
    let run = run(against(&server, dir.path(), &args)).await;
    run.expect(0);
    assert!(run.stderr.contains("has no photo"), "{run:#?}");
    assert!(run.stdout.is_empty(), "{run:#?}");
    assert!(!target.exists());
}

/// Runs `photo upload` of `bytes` saved as `name` and expects exit 2 with nothing sent.
async fn refused_photo(server: &Server, name: &str, bytes: &[u8]) {
    let dir = tempdir();
    let file = write(dir.path(), name, bytes);
    let args = [
        "--json",
        "photo",
        "upload",
        "--module",
        "Leads",
        "--record",
        RECORD,
        &arg(&file),
    ];
    let run = run(against(server, dir.path(), &args)).await;
    run.expect(2);
    assert_eq!(run.json()[0]["code"], "INVALID_INPUT", "{run:#?}");
    assert!(server.requests().is_empty(), "{:?}", server.requests());
}

#[tokio::test]
async fn a_text_file_is_no_photo_and_nothing_is_sent() {
    let server = server().await;
    refused_photo(&server, "notes.png", b"just some text").await;
}

#[tokio::test]
async fn an_eleven_megapixel_photo_is_refused_before_sending() {
    let server = server().await;
    refused_photo(&server, "big.png", &png(4000, 2750)).await;
}

#[tokio::test]
async fn a_photo_over_ten_mb_is_refused_before_sending() {
    let server = server().await;
    let dir = tempdir();
    let file = write(dir.path(), "huge.png", &png(10, 10));
    let grown = std::fs::OpenOptions::new()
        .write(true)
        .open(&file)
        .and_then(|f| f.set_len(11 * 1024 * 1024));
    assert!(grown.is_ok());
    let args = [
        "photo",
        "upload",
        "--module",
        "Leads",
        "--record",
        RECORD,
        &arg(&file),
    ];
    run(against(&server, dir.path(), &args)).await.expect(2);
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn two_files_are_added_and_the_existing_one_kept() {
    let server = server().await;
    server.add_file_field("Deals", "PO", 5);
    let old = server.insert_field_file("Deals", RECORD, "PO", "old.txt", b"old");
    let dir = tempdir();
    let a = write(dir.path(), "a.txt", b"first file");
    let b = write(dir.path(), "b.pdf", b"second file");
    let args = [
        "--json",
        "field-file",
        "upload",
        "--module",
        "Deals",
        "--record",
        RECORD,
        "--field",
        "PO",
        &arg(&a),
        &arg(&b),
    ];
    let run = run(against(&server, dir.path(), &args)).await;
    run.expect(0);
    let lines = run.json();
    assert_eq!(lines.len(), 2, "{run:#?}");
    assert!(lines.iter().all(|line| line["status"] == "attached"));
    let field = server.file_field("Deals", RECORD, "PO");
    let names: Vec<&str> = field.iter().map(|f| f.file_name.as_str()).collect();
    assert_eq!(names, ["old.txt", "a.txt", "b.pdf"]);
    assert_eq!(field[0].entry_id, old);
    // One read, one store call for both files, one update.
    let calls: Vec<String> = server.requests().iter().map(|r| r.method.clone()).collect();
    assert_eq!(calls, ["GET", "POST", "PUT"]);
}

#[tokio::test]
async fn replace_removes_the_existing_files_in_the_same_update() {
    let server = server().await;
    server.add_file_field("Deals", "PO", 5);
    server.insert_field_file("Deals", RECORD, "PO", "old.txt", b"old");
    let dir = tempdir();
    let a = write(dir.path(), "new.txt", b"new file");
    let args = [
        "field-file",
        "upload",
        "--module",
        "Deals",
        "--record",
        RECORD,
        "--field",
        "PO",
        "--replace",
        &arg(&a),
    ];
    run(against(&server, dir.path(), &args)).await.expect(0);
    let field = server.file_field("Deals", RECORD, "PO");
    let names: Vec<&str> = field.iter().map(|f| f.file_name.as_str()).collect();
    assert_eq!(names, ["new.txt"]);
}

#[tokio::test]
async fn a_file_over_twenty_mb_is_refused_and_nothing_is_sent() {
    let server = server().await;
    server.add_file_field("Deals", "PO", 5);
    let dir = tempdir();
    let small = write(dir.path(), "small.txt", b"fine");
    let big = write(dir.path(), "big.bin", b"");
    let grown = std::fs::OpenOptions::new()
        .write(true)
        .open(&big)
        .and_then(|f| f.set_len(21 * 1024 * 1024));
    assert!(grown.is_ok());
    let args = [
        "--json",
        "field-file",
        "upload",
        "--module",
        "Deals",
        "--record",
        RECORD,
        "--field",
        "PO",
        &arg(&small),
        &arg(&big),
    ];
    let run = run(against(&server, dir.path(), &args)).await;
    run.expect(2);
    assert!(run.stderr.contains("big.bin"), "{run:#?}");
    assert!(run.stderr.contains("nothing was sent"), "{run:#?}");
    assert!(server.requests().is_empty());
    assert_eq!(server.stored_file_count(), 0);
}

#[tokio::test]
async fn an_unknown_field_is_bad_input_and_nothing_is_stored() {
    let server = server().await;
    server.add_file_field("Deals", "PO", 5);
    let dir = tempdir();
    let a = write(dir.path(), "a.txt", b"a");
    let args = [
        "--json",
        "field-file",
        "upload",
        "--module",
        "Deals",
        "--record",
        RECORD,
        "--field",
        "Invoice",
        &arg(&a),
    ];
    let run = run(against(&server, dir.path(), &args)).await;
    run.expect(2);
    assert!(
        text(&run.json()[0], "message").contains("\"Invoice\""),
        "{run:#?}"
    );
    assert_eq!(server.stored_file_count(), 0);
}

#[tokio::test]
async fn a_field_is_listed_and_downloaded_byte_for_byte() {
    let server = server().await;
    server.add_file_field("Deals", "PO", 5);
    let first = server.insert_field_file("Deals", RECORD, "PO", "po.pdf", b"purchase order");
    let second = server.insert_field_file("Deals", RECORD, "PO", "po.pdf", b"another order");
    let dir = tempdir();
    let record = ["--module", "Deals", "--record", RECORD, "--field", "PO"];
    let list = [&["--json", "field-file", "list"][..], &record].concat();
    let listed = run(against(&server, dir.path(), &list)).await;
    listed.expect(0);
    let lines = listed.json();
    assert_eq!(lines.len(), 2, "{listed:#?}");
    assert_eq!(text(&lines[0], "id"), first);
    assert_eq!(text(&lines[0], "file_name"), "po.pdf");
    assert_eq!(lines[0]["size"], 14);
    assert!(!text(&lines[1], "file_id").is_empty());

    let out = dir.path().join("out");
    write(&out, "po.pdf", b"already here");
    let out_arg = arg(&out);
    let download = [&["field-file", "download"][..], &record, &["-o", &out_arg]].concat();
    run(against(&server, dir.path(), &download)).await.expect(0);
    assert_eq!(read(&out.join("po.pdf")), b"already here");
    assert_eq!(read(&out.join("po (2).pdf")), b"purchase order");
    assert_eq!(read(&out.join("po (3).pdf")), b"another order");

    let one = dir.path().join("one");
    let one_arg = arg(&one);
    let only = [
        &["field-file", "download"][..],
        &record,
        &["--id", &second, "-o", &one_arg],
    ]
    .concat();
    run(against(&server, dir.path(), &only)).await.expect(0);
    let saved: Vec<_> = std::fs::read_dir(&one)
        .into_iter()
        .flatten()
        .flatten()
        .collect();
    assert_eq!(saved.len(), 1);
    assert_eq!(read(&one.join("po.pdf")), b"another order");
}

#[tokio::test]
async fn upload_many_sends_each_line_to_its_target_and_a_rerun_only_what_failed() {
    let server = server().await;
    server.add_file_field("Contacts", "PO", 5);
    let dir = tempdir();
    let image = png(32, 32);
    write(dir.path(), "me.png", &image);
    write(dir.path(), "po.txt", b"purchase order");
    // The same file to two targets is two uploads, not a duplicate.
    let csv = format!(
        "module,record_id,path,target\nContacts,{RECORD},me.png,photo\nContacts,{RECORD},po.txt,field:PO\nContacts,{RECORD},po.txt,\nContacts,{RECORD},me.png,field:Nope\n"
    );
    let manifest = write(dir.path(), "m.csv", csv.as_bytes());
    let args = ["--json", "upload-many", "--manifest", &arg(&manifest)];
    let first = run(against(&server, dir.path(), &args)).await;
    first.expect(3);
    let status = |run: &common::Run, line: u64| {
        run.json()
            .into_iter()
            .find(|v| v["line"] == line && v["summary"].is_null())
            .map(|v| text(&v, "status").to_owned())
    };
    assert_eq!(status(&first, 2).as_deref(), Some("ok"), "{first:#?}");
    assert_eq!(status(&first, 3).as_deref(), Some("ok"));
    assert_eq!(status(&first, 4).as_deref(), Some("ok"));
    assert_eq!(status(&first, 5).as_deref(), Some("error"));
    assert_eq!(
        server.photo("Contacts", RECORD).map(|p| p.size),
        Some(image.len() as u64)
    );
    let field = server.file_field("Contacts", RECORD, "PO");
    assert_eq!(field.len(), 1);
    assert_eq!(field[0].file_name, "po.txt");
    assert_eq!(common::stored_names(&server), ["po.txt"]);
    // Nothing was stored for the unknown field.
    assert_eq!(server.stored_file_count(), 1);

    let journal = std::fs::read_to_string(dir.path().join("m.csv.journal")).unwrap_or_default();
    assert!(journal.contains("\"target\":\"photo\""), "{journal}");
    assert!(journal.contains("\"target\":\"field:PO\""), "{journal}");

    // Again: only the failed line is tried.
    let before = server.requests().len();
    let again = run(against(&server, dir.path(), &args)).await;
    again.expect(3);
    assert_eq!(again.summary()["already_done"], 3, "{again:#?}");
    let sent: Vec<String> = server.requests()[before..]
        .iter()
        .map(|r| r.method.clone())
        .collect();
    assert_eq!(sent, ["GET"]);
}

#[tokio::test]
async fn an_unknown_target_is_an_invalid_line() {
    let server = server().await;
    let dir = tempdir();
    write(dir.path(), "a.txt", b"a");
    let csv = format!("module,record_id,path,target\nLeads,{RECORD},a.txt,avatar\n");
    let manifest = write(dir.path(), "m.csv", csv.as_bytes());
    let args = ["upload-many", "--manifest", &arg(&manifest)];
    let run = run(against(&server, dir.path(), &args)).await;
    run.expect(2);
    assert!(run.stderr.contains("avatar"), "{run:#?}");
    assert!(server.requests().is_empty());
}
