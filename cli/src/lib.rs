//! The `zoho-crm` command line as a library: the binary's whole program, behind [`main`].
//! `upload-many`'s manifest and journal parsers are public (hidden from the docs, in
//! [`upload_many`]) for the fuzz targets and property tests; nothing here is a stable API.
//!
//! Layers, bottom to top: leaf values (exit codes, failures, signals, regular files,
//! byte rates, arguments); the shared machinery of the commands (output, progress, profiles, the credit
//! ledger and the connection, the journal's writer and reader, CSV manifests, reconciliation, a record's file fields); the commands,
//! each with its own records beside it (`commands::upload_many::journal`,
//! `commands::download_many::journal`). Nothing imports upward, and no two modules import each
//! other.

mod account;
mod args;
mod byte_rate;
mod commands;
mod connect;
mod csv_manifest;
mod destination;
mod estimate;
mod exit;
mod failure;
mod file_names;
mod interrupt;
mod journal;
mod ledger;
mod output;
mod patience;
mod profile;
mod progress;
mod recheck;
mod reconcile;
mod record_files;
mod regular_file;
mod slots;
mod stored;

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser as _;

use crate::exit::Exit;
use crate::interrupt::Interrupt;
use crate::output::Output;

/// `upload-many`'s manifest and journal parsers, for the fuzz targets and property tests.
#[doc(hidden)]
pub mod upload_many {
    pub use crate::commands::upload_many::journal::replay;
    pub use crate::commands::upload_many::manifest::parse;
}

/// How long work left behind (a blocking file write, say) may hold up the exit.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

/// Runs the command line: parses the arguments, runs the command, and gives its exit code.
pub fn main() -> ExitCode {
    let cli = args::Cli::parse();
    let output = Output::new(cli.global.json, cli.global.quiet);
    let mut env = match connect::Env::from_process(&cli.global) {
        Ok(env) => env,
        Err(e) => {
            output.fail(
                "the configuration cannot be used; nothing was sent",
                &failure::Failure::invalid(e),
            );
            return Exit::BadInput.into();
        }
    };
    env.session = connect::session(&cli.global, &env, commands::name(&cli.command), &output);
    let runtime = match runtime_for(&cli.command) {
        Ok(runtime) => runtime,
        Err(e) => {
            output.stderr(&format!("error: cannot start the async runtime: {e}"));
            return Exit::Failed.into();
        }
    };
    let exit = runtime.block_on(async {
        let (interrupt, error) = Interrupt::catch();
        if let Some(e) = error {
            output.warn(format!(
                "Ctrl-C and SIGTERM cannot be caught ({e}); they stop the program without clean-up"
            ));
        }
        commands::run(cli, &env, &output, &interrupt).await
    });
    runtime.shutdown_timeout(SHUTDOWN_GRACE);
    // One place for every command: the run's spend goes into the ledger.
    env.session.close();
    exit.into()
}

/// The runtime a command runs on. Only `upload-many` and `download-many` have work to spread
/// over the cores (many transfers at once); every other command does one thing at a time, so
/// it runs on this thread (file reads and writes still go to tokio's blocking threads). Fewer
/// threads also means fewer allocator arenas: a multi-threaded runtime cost a 100 MiB upload
/// about 3 MiB of peak RSS.
fn runtime_for(command: &args::Command) -> std::io::Result<tokio::runtime::Runtime> {
    let mut builder = match command {
        args::Command::UploadMany(_) | args::Command::DownloadMany(_) => {
            tokio::runtime::Builder::new_multi_thread()
        }
        _ => tokio::runtime::Builder::new_current_thread(),
    };
    builder
        .max_blocking_threads(MAX_BLOCKING_THREADS)
        .enable_all()
        .build()
}

/// The most threads for blocking work (file system calls, file reads). Tokio's default of 512
/// let checking a 100,000-line manifest start over a hundred, each with an allocator arena of
/// its own; the checks run 16 at a time and uploads at most 25, so this many never hold one up.
const MAX_BLOCKING_THREADS: usize = 32;
