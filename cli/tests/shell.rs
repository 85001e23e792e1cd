//! `zoho-crm completions SHELL` and the hidden `zoho-crm man`: scripts and pages made from the
//! command line's own definition.

mod common;

use common::{command, run, tempdir};

#[tokio::test]
async fn completion_scripts_name_the_commands_and_options_in_each_shell() {
    let dir = tempdir();
    for (shell, marker) in [
        ("bash", "complete -F _zoho__crm"),
        ("zsh", "#compdef zoho-crm"),
        ("fish", "complete -c zoho-crm"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let run = run(command(dir.path(), &["completions", shell])).await;
        run.expect(0);
        assert!(
            run.stdout.contains(marker),
            "{shell}: {}",
            &run.stdout[..200.min(run.stdout.len())]
        );
        for word in ["upload-many", "record", "api-version"] {
            assert!(run.stdout.contains(word), "{shell} lacks {word}");
        }
    }
    let unknown = run(command(dir.path(), &["completions", "cmd.exe"])).await;
    unknown.expect(2);
}

#[test]
fn a_closed_standard_output_is_an_error_not_a_panic() {
    let dir = tempdir();
    let mut child = match std::process::Command::new(env!("CARGO_BIN_EXE_zoho-crm"))
        .args(["completions", "zsh"])
        .current_dir(dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
    {
        Ok(child) => child,
        Err(e) => panic!("cannot start the CLI: {e}"),
    };
    drop(child.stdout.take());
    let Ok(done) = child.wait_with_output() else {
        panic!("the CLI could not be waited for");
    };
    let stderr = String::from_utf8_lossy(&done.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(done.status.code(), Some(1), "{stderr}");
}

#[tokio::test]
async fn man_pages_are_written_for_the_program_and_each_subcommand() {
    let dir = tempdir();
    let out = dir.path().join("man");
    let out_arg = out.to_string_lossy().into_owned();
    let run = run(command(dir.path(), &["man", "--out-dir", &out_arg])).await;
    run.expect(0);
    let main = std::fs::read_to_string(out.join("zoho-crm.1")).unwrap_or_default();
    assert!(main.contains(".TH zoho-crm 1"), "{main}");
    assert!(main.contains("upload\\-many"), "{main}");
    let upload = std::fs::read_to_string(out.join("zoho-crm-upload.1")).unwrap_or_default();
    assert!(upload.contains("\\-\\-record"), "{upload}");
    assert!(
        !out.join("zoho-crm-man.1").exists(),
        "the hidden command has no page"
    );
}
