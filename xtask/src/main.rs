//! `cargo xtask`: developer tasks. `cargo xtask gen` regenerates `generated/src` from
//! `spec/zoho-crm.yaml`; `cargo xtask gen --check` only reports drift and fails on it;
//! `cargo xtask demo` shows the CLI working against a loopback server; `cargo xtask bench
//! [--runs N] [--bulk-runs N] [--bulk-files N] [--cap-runs N] [--cap-files N]
//! [--manifest-lines N] [--export-runs N] [--export-files N] [--export-big-mib N] [--only
//! export] [--baseline-cli PATH [--baseline-commit REV]]` measures it against curl (plain
//! HTTP, TLS, on a concurrency cap, a big manifest, the export; estimates of calls and credits
//! against the runs' accounts; pacing; with `--baseline-cli`, (b) with another binary too) and
//! writes BENCHMARKS.md; `cargo xtask man` writes the CLI's man pages;
//! `cargo xtask layers` checks that each crate's modules import in layers, without cycles.

use std::process::ExitCode;

use xtask::Build;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["gen"] => gen_command(false),
        ["gen", "--check"] => gen_command(true),
        ["demo"] => report(xtask::demo::run(&xtask::workspace_root(), Build::Release)),
        ["demo", "--debug"] => report(xtask::demo::run(&xtask::workspace_root(), Build::Debug)),
        ["man"] => report(xtask::man::run(&xtask::workspace_root()).map(|dir| {
            println!(
                "man pages in {} (try: man {}/zoho-crm.1)",
                dir.display(),
                dir.display()
            );
        })),
        ["bench", rest @ ..] => match xtask::bench::Options::parse(rest) {
            Ok(options) => report(xtask::bench::run(&xtask::workspace_root(), &options)),
            Err(e) => {
                eprintln!("error: {e}\nusage: {}", xtask::bench::Options::USAGE);
                ExitCode::from(2)
            }
        },
        ["layers"] => match xtask::layers::check(&xtask::workspace_root()) {
            Ok(layers) => {
                print!("{layers}");
                ExitCode::SUCCESS
            }
            Err(cycles) => {
                eprint!("{cycles}");
                ExitCode::FAILURE
            }
        },
        ["spec-diff", rest @ ..] => {
            xtask::spec_diff::command(rest, &xtask::workspace_root().join(xtask::SPEC))
        }
        _ => usage(),
    }
}

fn usage() -> ExitCode {
    eprintln!(
        "usage:\n  cargo xtask gen             regenerate generated/src from {}\n  cargo xtask gen --check     fail if generated/src is stale\n  cargo xtask demo [--debug]  upload, list, download and delete with the CLI on a loopback server\n  cargo xtask man             the zoho-crm man pages, in target/man\n  cargo xtask bench [--runs N] [--bulk-runs N] [--bulk-files N] [--cap-runs N] [--cap-files N] [--manifest-lines N]\n                    [--export-runs N] [--export-files N] [--export-big-mib N] [--only export]\n                    [--baseline-cli PATH [--baseline-commit REV]]\n                              the CLI against curl; writes BENCHMARKS.md (--only export:\n                              only (h), the export, updating its section; --baseline-cli:\n                              (b) with that zoho-crm too, in turns, REV naming it)\n  cargo xtask layers          fail, naming the imports, on a cycle between sibling modules\n  cargo xtask spec-diff [--spec PATH] [--version V] OPENAPI_FILE\n                              what an OpenAPI file says that the spec does not, and the reverse",
        xtask::SPEC
    );
    ExitCode::from(2)
}

fn report(result: Result<(), String>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
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
