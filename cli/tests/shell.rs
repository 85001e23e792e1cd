//! `zoho-crm completions SHELL`, the hidden `zoho-crm man` and `--help`: scripts, pages and
//! help made from the command line's own definition.

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

/// The long option names (`--module`) of each section of a help text, by heading
/// (`Options`, `Global options`), in the order the sections come.
fn help_sections(help: &str) -> Vec<(String, Vec<String>)> {
    let mut sections: Vec<(String, Vec<String>)> = Vec::new();
    for line in help.lines() {
        if !line.starts_with(' ')
            && let Some(heading) = line.strip_suffix(':')
        {
            sections.push((heading.to_owned(), Vec::new()));
        } else if line.trim_start().starts_with('-')
            && let Some((_, options)) = sections.last_mut()
        {
            let long = line
                .split_whitespace()
                .map(|word| word.trim_end_matches(','))
                .find(|word| word.starts_with("--"));
            options.extend(long.map(str::to_owned));
        }
    }
    sections
}

#[tokio::test]
async fn help_lists_a_subcommands_own_options_before_the_global_options_heading() {
    let dir = tempdir();
    let global = [
        "--json",
        "--token",
        "--api-base",
        "--profile",
        "--http-version",
        "--quiet",
    ];
    for (subcommand, own) in [
        ("upload", ["--module", "--record", "--url", "--dry-run"]),
        (
            "download-many",
            ["--manifest", "--output", "--concurrency", "--since"],
        ),
    ] {
        let run = run(command(dir.path(), &[subcommand, "--help"])).await;
        run.expect(0);
        let sections = help_sections(&run.stdout);
        let headings: Vec<&str> = sections
            .iter()
            .map(|(heading, _)| heading.as_str())
            .collect();
        let at = |heading: &str| headings.iter().position(|h| *h == heading);
        assert!(
            at("Options").is_some_and(|options| at("Global options") > Some(options)),
            "{subcommand}: sections {headings:?}\n{}",
            run.stdout
        );
        // Each option is in one section only, its own.
        let under = |option: &str| -> Vec<&str> {
            sections
                .iter()
                .filter(|(_, options)| options.iter().any(|o| o == option))
                .map(|(heading, _)| heading.as_str())
                .collect()
        };
        for option in own {
            assert_eq!(under(option), ["Options"], "{subcommand}: {option}");
        }
        for option in global {
            assert_eq!(under(option), ["Global options"], "{subcommand}: {option}");
        }
    }
}
