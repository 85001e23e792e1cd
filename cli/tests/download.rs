//! `zoho-crm download`: into a directory under the server's (sanitised) name without ever
//! replacing a file, to a file path, and the failure paths.

mod common;

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use common::{RECORD, against, run, send_signal, server, tempdir, text, wait_until, write};
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
async fn clobber_replaces_a_file_in_the_directory_and_skip_existing_keeps_it() {
    let server = server().await;
    let dir = tempdir();
    let id = server.insert_file("Leads", RECORD, "a.txt", b"new");
    let out = dir.path().join("out");
    write(&out, "a.txt", b"old");
    let out_arg = out.to_string_lossy();
    let base = [
        "--json", "download", "--module", "Leads", "--record", RECORD, "--id", &id, "-o", &out_arg,
    ];
    let with = |flag: &'static str| {
        let mut args = base.to_vec();
        args.push(flag);
        args
    };
    let kept = run(against(&server, dir.path(), &with("--skip-existing"))).await;
    kept.expect(0);
    assert_eq!(kept.json()[0]["status"], "exists");
    assert_eq!(
        std::fs::read(out.join("a.txt")).ok().as_deref(),
        Some(&b"old"[..])
    );
    let replaced = run(against(&server, dir.path(), &with("--clobber"))).await;
    replaced.expect(0);
    assert_eq!(
        std::fs::read(out.join("a.txt")).ok().as_deref(),
        Some(&b"new"[..])
    );
    let mut both = with("--clobber");
    both.push("--skip-existing");
    run(against(&server, dir.path(), &both)).await.expect(2);
    // With -o FILE, --skip-existing asks nothing of Zoho.
    let before = server.request_count();
    let file = out.join("a.txt");
    let file_arg = file.to_string_lossy();
    let args = [
        "download",
        "--module",
        "Leads",
        "--record",
        RECORD,
        "--id",
        &id,
        "-o",
        &file_arg,
        "--skip-existing",
    ];
    run(against(&server, dir.path(), &args)).await.expect(0);
    assert_eq!(server.request_count(), before);
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

/// The names in `dir`.
fn names_in(dir: &Path) -> Vec<String> {
    match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .filter_map(Result::ok)
            .map(|entry| entry.file_name().to_string_lossy().into_owned())
            .collect(),
        Err(e) => panic!("cannot read {}: {e}", dir.display()),
    }
}

#[tokio::test]
async fn a_signal_during_a_download_removes_the_partial_file_and_exits_130_or_143() {
    for (signal, name, code) in [("INT", "SIGINT", 130), ("TERM", "SIGTERM", 143)] {
        let server = server().await;
        let dir = tempdir();
        let id = server.insert_file("Leads", RECORD, "big.bin", &[7u8; 4096]);
        // The answer's head arrives at once, its body a byte every 200 ms.
        server.push_fault(Fault::Drip {
            interval: Duration::from_millis(200),
        });
        let out = dir.path().join("out");
        assert!(std::fs::create_dir(&out).is_ok());
        let out_arg = out.to_string_lossy().into_owned();
        let args = [
            "download", "--module", "Leads", "--record", RECORD, "--id", &id, "-o", &out_arg,
        ];
        let mut download = against(&server, dir.path(), &args);
        download.stdout(Stdio::piped()).stderr(Stdio::piped());
        let child = match download.spawn() {
            Ok(child) => child,
            Err(e) => panic!("cannot start the CLI: {e}"),
        };
        let pid = child.id();
        wait_until(
            Duration::from_secs(20),
            "the download writes its temporary file",
            || {
                names_in(&out)
                    .iter()
                    .any(|name| name.starts_with(".zoho-crm-download-"))
            },
        )
        .await;
        send_signal(pid, signal);
        let waited = tokio::time::timeout(
            Duration::from_secs(10),
            tokio::task::spawn_blocking(move || child.wait_with_output()),
        )
        .await;
        let Ok(Ok(Ok(output))) = waited else {
            send_signal(pid, "KILL");
            panic!("the CLI did not end after {name}");
        };
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(code), "{stderr}");
        assert!(
            stderr.contains(&format!("error: interrupted ({name})")),
            "{stderr}"
        );
        assert_eq!(names_in(&out), Vec::<String>::new(), "{stderr}");
    }
}
