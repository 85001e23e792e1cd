//! The subcommands, one module each, and the dispatch between them.

mod auth;
mod delete;
mod download;
mod list;
mod scopes;
mod upload;
mod upload_many;

use crate::args::{Cli, Command};
use crate::connect::Env;
use crate::exit::Exit;
use crate::output::Output;

/// Runs the subcommand the command line names.
pub async fn run(cli: Cli, env: &Env, output: &Output) -> Exit {
    let global = &cli.global;
    match cli.command {
        Command::Upload(args) => upload::run(global, env, output, args).await,
        Command::List(args) => list::run(global, env, output, args).await,
        Command::Download(args) => download::run(global, env, output, args).await,
        Command::Delete(args) => delete::run(global, env, output, args).await,
        Command::UploadMany(args) => upload_many::run(global, env, output, args).await,
        Command::Scopes(args) => scopes::run(output, &args),
        Command::Auth(command) => auth::run(global, env, output, command).await,
    }
}

/// Builds the client for a command, or reports why not (exit code 2: nothing was sent).
fn client_or_exit(
    global: &crate::args::Global,
    env: &Env,
    output: &Output,
    tune: impl FnOnce(zoho_crm::ClientBuilder) -> zoho_crm::ClientBuilder,
) -> Result<zoho_crm::Client, Exit> {
    crate::connect::client(global, env, tune).map_err(|failure| {
        output.fail("the client cannot be configured", &failure);
        failure.exit()
    })
}
