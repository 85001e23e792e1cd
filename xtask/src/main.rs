//! `cargo xtask`: developer tasks. `cargo xtask gen` regenerates `generated/src` from
//! `spec/zoho-crm.yaml`; `cargo xtask gen --check` only reports drift and fails on it.

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["gen"] => gen_command(false),
        ["gen", "--check"] => gen_command(true),
        _ => {
            eprintln!(
                "usage:\n  cargo xtask gen           regenerate generated/src from {}\n  cargo xtask gen --check   fail if generated/src is stale",
                xtask::SPEC
            );
            ExitCode::from(2)
        }
    }
}

fn gen_command(check: bool) -> ExitCode {
    let root = xtask::workspace_root();
    match xtask::gen_crate(&root, check) {
        Ok(drift) if drift.is_empty() => {
            for (spec, output) in xtask::TARGETS {
                println!("{output} is up to date with {spec}");
            }
            ExitCode::SUCCESS
        }
        Ok(drift) if check => {
            eprintln!("generated sources are stale; run `cargo xtask gen`:");
            for item in &drift {
                eprintln!("  {item}");
            }
            ExitCode::FAILURE
        }
        Ok(drift) => {
            for item in &drift {
                println!("updated ({item})");
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
