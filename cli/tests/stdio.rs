//! `-` for standard input (`upload - --name N`) and standard output (`download -o -`).

mod common;

use std::io::Write as _;
use std::process::{Command, Stdio};

use common::{RECORD, Run, against, run, server, tempdir, text, write};

/// Runs `command` with `input` written to its standard input through a pipe (so its size is
/// not known in advance).
async fn run_piped(mut command: Command, input: Vec<u8>) -> Run {
    command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let done = tokio::task::spawn_blocking(move || {
        let mut child = command.spawn()?;
        if let Some(mut stdin) = child.stdin.take() {
            stdin.write_all(&input)?;
        }
        child.wait_with_output()
    })
    .await;
    match done {
        Ok(Ok(output)) => Run {
            code: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        },
        other => panic!("cannot run the CLI: {other:?}"),
    }
}

#[tokio::test]
async fn standard_input_is_uploaded_under_its_name_and_downloaded_to_standard_output() {
    let server = server().await;
    let dir = tempdir();
    let content: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    let args = [
        "--json",
        "upload",
        "--module",
        "Leads",
        "--record",
        RECORD,
        "-",
        "--name",
        "piped.bin",
    ];
    let uploaded = run_piped(against(&server, dir.path(), &args), content.clone()).await;
    uploaded.expect(0);
    let line = &uploaded.json()[0];
    assert_eq!(text(line, "file"), "piped.bin");
    assert_eq!(text(line, "path"), "-");
    assert_eq!(line["bytes"], 200_000);
    let id = text(line, "id").to_owned();
    assert_eq!(server.stored_file_bytes(&id).as_deref(), Some(&content[..]));

    let args = [
        "download", "--module", "Leads", "--record", RECORD, "--id", &id, "-o", "-",
    ];
    let mut command = against(&server, dir.path(), &args);
    command.stdout(Stdio::piped());
    let done = tokio::task::spawn_blocking(move || command.output()).await;
    let Ok(Ok(output)) = done else {
        panic!("cannot run the CLI: {done:?}");
    };
    assert_eq!(output.status.code(), Some(0));
    assert!(
        output.stdout == content,
        "the bytes on standard output differ"
    );
}

#[tokio::test]
async fn standard_input_needs_a_name_and_may_be_given_once() {
    let server = server().await;
    let dir = tempdir();
    let no_name = ["upload", "--module", "Leads", "--record", RECORD, "-"];
    let refused = run_piped(against(&server, dir.path(), &no_name), b"x".to_vec()).await;
    refused.expect(2);
    assert!(refused.stderr.contains("--name"), "{}", refused.stderr);
    let twice = [
        "upload", "--module", "Leads", "--record", RECORD, "-", "-", "--name", "a.txt",
    ];
    run_piped(against(&server, dir.path(), &twice), b"x".to_vec())
        .await
        .expect(2);
    let file = write(dir.path(), "a.txt", b"a");
    let file_arg = file.to_string_lossy();
    let name_without_stdin = [
        "upload", "--module", "Leads", "--record", RECORD, &file_arg, "--name", "b.txt",
    ];
    run(against(&server, dir.path(), &name_without_stdin))
        .await
        .expect(2);
    let exe = [
        "upload", "--module", "Leads", "--record", RECORD, "-", "--name", "tool.exe",
    ];
    run_piped(against(&server, dir.path(), &exe), b"MZ".to_vec())
        .await
        .expect(2);
    assert_eq!(server.request_count(), 0);
}
