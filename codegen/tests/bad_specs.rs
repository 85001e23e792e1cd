//! Every spec in `fixtures/bad` has exactly one defect; the generator must refuse it with an
//! error (never a panic) whose text is exactly the sibling `.expected` file.
//!
//! The fixtures are passed to `generate` as `tests/fixtures/bad/NAME.yaml`, relative to this
//! crate's directory, so the messages do not depend on where the checkout lives.
//!
//! To refresh the `.expected` files deliberately after changing a message, run
//! `UPDATE_EXPECT=1 cargo test -p zcrm-attachments-codegen --test bad_specs` and review the diff.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

const BAD_DIR: &str = "tests/fixtures/bad";

/// Runs from this crate's directory, as the relative fixture paths are part of the messages.
/// (Cargo already runs integration tests there; this makes sure of it.)
fn enter_crate_dir() {
    std::env::set_current_dir(env!("CARGO_MANIFEST_DIR")).expect("cd to the crate directory");
}

/// The file stems in `dir` with the given extension, sorted.
fn stems(dir: &str, extension: &str) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {dir}: {e}"))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == extension))
        .map(|path| {
            path.file_stem()
                .and_then(|s| s.to_str())
                .expect("fixture names are UTF-8")
                .to_owned()
        })
        .collect()
}

/// What generating the fixture gave, as the text to compare, or why it is wrong outright.
fn generate_error(spec: &str) -> Result<String, String> {
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        zoho_crm_codegen::generate(Path::new(spec), "fixture")
    }));
    match outcome {
        Ok(Err(error)) => Ok(error.to_string()),
        Ok(Ok(files)) => Err(format!(
            "generate accepted the spec and produced {} file(s)",
            files.len()
        )),
        Err(payload) => {
            let message = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "(non-string panic payload)".to_owned());
            Err(format!("generate panicked: {message}"))
        }
    }
}

/// A line-by-line comparison: `-` lines are expected, `+` lines are what generate said.
fn diff(expected: &str, actual: &str) -> String {
    let (expected, actual): (Vec<&str>, Vec<&str>) =
        (expected.lines().collect(), actual.lines().collect());
    let mut out = String::new();
    for index in 0..expected.len().max(actual.len()) {
        match (expected.get(index), actual.get(index)) {
            (Some(e), Some(a)) if e == a => writeln!(out, "      {e}"),
            (e, a) => {
                if let Some(e) = e {
                    writeln!(out, "    - {e}").unwrap();
                }
                match a {
                    Some(a) => writeln!(out, "    + {a}"),
                    None => Ok(()),
                }
            }
        }
        .unwrap();
    }
    out
}

#[test]
fn bad_specs_are_refused_with_the_expected_messages() {
    enter_crate_dir();
    let update = std::env::var("UPDATE_EXPECT").is_ok_and(|v| v == "1");

    let specs = stems(BAD_DIR, "yaml");
    let expectations = stems(BAD_DIR, "expected");
    assert!(!specs.is_empty(), "no fixtures found in {BAD_DIR}");

    let mut failures = Vec::new();
    for orphan in expectations.difference(&specs) {
        failures.push(format!(
            "{BAD_DIR}/{orphan}.expected has no {orphan}.yaml; delete it or add the fixture"
        ));
    }
    if !update {
        for missing in specs.difference(&expectations) {
            failures.push(format!(
                "{BAD_DIR}/{missing}.yaml has no {missing}.expected; \
                 run with UPDATE_EXPECT=1 to create it, then review it"
            ));
        }
    }

    for name in &specs {
        let spec = format!("{BAD_DIR}/{name}.yaml");
        let expected_path = format!("{BAD_DIR}/{name}.expected");
        let actual = match generate_error(&spec) {
            Ok(message) => message,
            Err(problem) => {
                failures.push(format!("{spec}: {problem}"));
                continue;
            }
        };
        if update {
            std::fs::write(&expected_path, format!("{actual}\n"))
                .unwrap_or_else(|e| panic!("cannot write {expected_path}: {e}"));
            continue;
        }
        let Ok(expected) = std::fs::read_to_string(&expected_path) else {
            continue; // reported above as missing
        };
        // The file holds the message followed by one newline; tolerate CRLF checkouts.
        let expected = expected.replace("\r\n", "\n");
        let expected = expected.strip_suffix('\n').unwrap_or(&expected);
        if expected != actual {
            failures.push(format!(
                "{spec}: the error differs from {expected_path} (- expected, + actual):\n{}",
                diff(expected, &actual)
            ));
        }
    }

    assert!(
        failures.is_empty(),
        "{} problem(s) with the {} bad spec(s) in {BAD_DIR}:\n\n{}\n\nIf a new message is \
         intended, run with UPDATE_EXPECT=1 and review the changed .expected files.",
        failures.len(),
        specs.len(),
        failures.join("\n\n")
    );
}
