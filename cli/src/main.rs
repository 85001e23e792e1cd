//! `zoho-crm`: upload, list, download and delete Zoho CRM record attachments from the command
//! line, upload thousands of files resumably from a CSV manifest, print the OAuth scopes to
//! request, and set up OAuth tokens. Built on the `zoho-crm` SDK's public API only.

mod args;
mod commands;
mod connect;
mod exit;
mod failure;
mod journal;
mod manifest;
mod output;
mod progress;
mod reconcile;
mod stored;
mod throttle;

use std::process::ExitCode;

use clap::Parser as _;

use crate::exit::Exit;
use crate::output::Output;

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    let output = Output::new(cli.global.json, cli.global.quiet);
    let env = connect::Env::from_process();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            output.stderr(&format!("error: cannot start the async runtime: {e}"));
            return Exit::Failed.into();
        }
    };
    let exit = runtime.block_on(commands::run(cli, &env, &output));
    exit.into()
}
