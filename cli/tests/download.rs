//! `zoho-crm download`: into a directory under the server's (sanitised) name without ever
//! replacing a file, to a file path, and the failure paths.

mod common;

use common::{RECORD, against, run, server, tempdir, text, write};
use zoho_crm_testkit::Fault;

#[tokio::test]
async fn into_a_directory_under_the_servers_name() {
    let server = server().await;
    let dir = tempdir();
    let id = server.insert_file("Leads", RECORD, "naïve résumé.pdf", b"content!");
    let out = dir.path().join("downloads");
    assert!(std::fs::create_dir(&out).is_ok());
    let out_arg = out.to_string_lossy();
    let args = [
        "--json", "download", "--module", "Leads", "--record", RECORD, "--id", &id, "-o", &out_arg,
    ];
    let run = run(against(&server, dir.path(), &args)).await;
    run.expect(0);
    let saved = out.join("naïve résumé.pdf");
    assert_eq!(
        std::fs::read(&saved).ok().as_deref(),
        Some(&b"content!"[..])
    );
    let line = &run.json()[0];
    assert_eq!(line["bytes"], 8);
    assert_eq!(text(line, "path"), saved.to_string_lossy());
}

#[tokio::test]
async fn the_default_is_the_current_directory_and_existing_files_stay() {
    let server = server().await;
    let dir = tempdir();
    let id = server.insert_file("Leads", RECORD, "a.txt", b"new");
    write(dir.path(), "a.txt", b"old");
    let args = [
        "download", "--module", "Leads", "--record", RECORD, "--id", &id,
    ];
    let mut command = against(&server, dir.path(), &args);
    command.current_dir(dir.path());
    let run = run(command).await;
    run.expect(1);
    assert!(run.stderr.contains("FILE_EXISTS"), "{run:#?}");
    assert_eq!(
        std::fs::read(dir.path().join("a.txt")).ok().as_deref(),
        Some(&b"old"[..])
    );
}

#[tokio::test]
async fn a_file_path_is_replaced_only_once_complete() {
    let server = server().await;
    let dir = tempdir();
    let id = server.insert_file("Leads", RECORD, "a.txt", &[7u8; 4096]);
    let target = write(dir.path(), "out.bin", b"previous");
    let target_arg = target.to_string_lossy();
    let args = [
        "download",
        "--module",
        "Leads",
        "--record",
        RECORD,
        "--id",
        &id,
        "-o",
        &target_arg,
    ];
    // Cut off: the old file stays as it was.
    server.push_fault(Fault::TruncateBody { after_bytes: 100 });
    run(against(&server, dir.path(), &args)).await.expect(1);
    assert_eq!(
        std::fs::read(&target).ok().as_deref(),
        Some(&b"previous"[..])
    );
    // Whole: replaced.
    let run = run(against(&server, dir.path(), &args)).await;
    run.expect(0);
    assert!(run.stdout.contains("4096 bytes"), "{run:#?}");
    assert_eq!(std::fs::read(&target).map(|b| b.len()).ok(), Some(4096));
}

#[tokio::test]
async fn a_hostile_name_stays_in_the_directory() {
    let server = server().await;
    let dir = tempdir();
    let id = server.insert_file("Leads", RECORD, "x.txt", b"x");
    let out = dir.path().join("in");
    assert!(std::fs::create_dir(&out).is_ok());
    let out_arg = out.to_string_lossy();
    server.push_fault(Fault::Disposition(
        "attachment; filename=\"../../escape.txt\"".to_owned(),
    ));
    let args = [
        "download", "--module", "Leads", "--record", RECORD, "--id", &id, "-o", &out_arg,
    ];
    run(against(&server, dir.path(), &args)).await.expect(0);
    assert!(out.join("escape.txt").is_file());
    assert!(!dir.path().join("escape.txt").exists());
}

#[tokio::test]
async fn links_unknown_ids_and_missing_directories_fail() {
    let server = server().await;
    let dir = tempdir();
    let link = server.insert_link("Leads", RECORD, "https://www.zohocorp.com", None);
    let out_arg = dir.path().to_string_lossy();
    let args = [
        "--json", "download", "--module", "Leads", "--record", RECORD, "--id", &link, "-o",
        &out_arg,
    ];
    let link_run = run(against(&server, dir.path(), &args)).await;
    link_run.expect(1);
    assert_eq!(text(&link_run.json()[0], "code"), "DOWNLOAD_NOT_ALLOWED");
    let unknown = [
        "download",
        "--module",
        "Leads",
        "--record",
        RECORD,
        "--id",
        "123456789",
        "-o",
        &out_arg,
    ];
    let unknown_run = run(against(&server, dir.path(), &unknown)).await;
    unknown_run.expect(1);
    assert!(unknown_run.stderr.contains("NOT_FOUND"), "{unknown_run:#?}");
    let before = server.request_count();
    let missing = dir.path().join("no/such/dir/file.bin");
    let missing_arg = missing.to_string_lossy();
    let args = [
        "download",
        "--module",
        "Leads",
        "--record",
        RECORD,
        "--id",
        &link,
        "-o",
        &missing_arg,
    ];
    run(against(&server, dir.path(), &args)).await.expect(2);
    let bad_id = [
        "download", "--module", "Leads", "--record", RECORD, "--id", "abc",
    ];
    run(against(&server, dir.path(), &bad_id)).await.expect(2);
    assert_eq!(
        server.request_count(),
        before,
        "nothing is sent for bad input"
    );
}
