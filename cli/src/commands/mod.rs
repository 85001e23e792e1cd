//! The subcommands, one module each, the dispatch between them, and what a signal does to
//! each: `upload-many` and `download-many` stop by themselves (they journal what finished and
//! print their summary);
//! the others are dropped where they are (a download's temporary file goes with it) and say
//! what may have happened.

mod auth;
mod config;
mod credits;
mod delete;
mod download;
mod download_many;
mod field_file;
mod list;
mod photo;
mod scopes;
mod shell;
mod spool;
mod upload;
mod verify;
// The crate root re-exports its manifest and journal parsers.
pub(crate) mod upload_many;

use std::future::Future;
use std::pin::Pin;

use crate::args::{AuthCommand, Cli, Command, ConfigCommand, FieldFileCommand, PhotoCommand};
use crate::connect::Env;
use crate::exit::Exit;
use crate::interrupt::Interrupt;
use crate::output::Output;
use crate::recheck::Recheck;

/// Runs the subcommand the command line names, until it ends or a signal stops it.
pub async fn run(cli: Cli, env: &Env, output: &Output, interrupt: &Interrupt) -> Exit {
    let global = &cli.global;
    let recheck = Recheck::new(global);
    let (work, stopped): (Pin<Box<dyn Future<Output = Exit> + '_>>, String) = match cli.command {
        Command::UploadMany(args) => {
            return tokio::select! {
                biased;
                exit = upload_many::run(global, env, output, args, interrupt) => exit,
                signal = interrupt.second() => {
                    output.stderr(&format!(
                        "error: interrupted again ({}): stopping at once; uploads in flight may have been stored (a re-run checks their records first)",
                        signal.name()
                    ));
                    Exit::Stopped(signal)
                }
            };
        }
        Command::DownloadMany(args) => {
            return tokio::select! {
                biased;
                exit = download_many::run(global, env, output, args, interrupt) => exit,
                signal = interrupt.second() => {
                    output.stderr(&format!(
                        "error: interrupted again ({}): stopping at once; no partial file is left under its final name (run the same command again to finish)",
                        signal.name()
                    ));
                    Exit::Stopped(signal)
                }
            };
        }
        Command::Upload(args) => {
            let check = recheck.list(args.target.module.api_name(), &args.target.record);
            let stopped = format!(
                "an upload in flight may have been stored; before uploading it again, check with: {check}"
            );
            (Box::pin(upload::run(global, env, output, args)), stopped)
        }
        Command::Delete(args) => {
            let check = recheck.list(args.target.module.api_name(), &args.target.record);
            let stopped = format!("the deletion may have been carried out; check with: {check}");
            (Box::pin(delete::run(global, env, output, args)), stopped)
        }
        Command::Download(args) => {
            let stopped = "stopped; nothing was saved (the partial download was removed)";
            (
                Box::pin(download::run(global, env, output, args)),
                stopped.to_owned(),
            )
        }
        Command::Photo(command) => {
            let stopped = match &command {
                PhotoCommand::Upload(_) => {
                    "the photo may have been set (setting it again is harmless)"
                }
                PhotoCommand::Download(_) => {
                    "stopped; nothing was saved (the partial download was removed)"
                }
                PhotoCommand::Delete(_) => "the photo may have been deleted",
            };
            (
                Box::pin(photo::run(global, env, output, command)),
                stopped.to_owned(),
            )
        }
        Command::FieldFile(command) => {
            let stopped = match &command {
                FieldFileCommand::Upload(args) => format!(
                    "files may have been stored, and the field updated; check with: zoho-crm field-file list --module {} --record {} --field {}",
                    args.target.module.api_name(),
                    args.target.record,
                    args.field
                ),
                _ => "stopped; no partial file is left under its name".to_owned(),
            };
            (
                Box::pin(field_file::run(global, env, output, command)),
                stopped,
            )
        }
        Command::Verify(args) => (
            Box::pin(verify::run(global, env, output, args)),
            "stopped; nothing was changed".to_owned(),
        ),
        Command::List(args) => (
            Box::pin(list::run(global, env, output, args)),
            "stopped".to_owned(),
        ),
        Command::Scopes(args) => return scopes::run(output, &args),
        Command::Config(ConfigCommand::List) => return config::list(env, output),
        Command::Credits => return credits::run(env, output),
        Command::Completions(args) => return shell::completions(output, &args),
        Command::Man(args) => return shell::man(output, &args),
        Command::Auth(command) => (
            Box::pin(auth::run(global, env, output, command)),
            "stopped".to_owned(),
        ),
    };
    tokio::select! {
        biased;
        exit = work => exit,
        signal = interrupt.first() => {
            output.bars().clear().ok();
            output.stderr(&format!("error: interrupted ({}): {stopped}", signal.name()));
            Exit::Stopped(signal)
        }
    }
}

/// The command's name as the ledger records it, e.g. `upload-many` or `photo upload`.
pub fn name(command: &Command) -> &'static str {
    match command {
        Command::Upload(_) => "upload",
        Command::List(_) => "list",
        Command::Download(_) => "download",
        Command::Delete(_) => "delete",
        Command::UploadMany(_) => "upload-many",
        Command::DownloadMany(_) => "download-many",
        Command::Verify(_) => "verify",
        Command::Photo(PhotoCommand::Upload(_)) => "photo upload",
        Command::Photo(PhotoCommand::Download(_)) => "photo download",
        Command::Photo(PhotoCommand::Delete(_)) => "photo delete",
        Command::FieldFile(FieldFileCommand::Upload(_)) => "field-file upload",
        Command::FieldFile(FieldFileCommand::List(_)) => "field-file list",
        Command::FieldFile(FieldFileCommand::Download(_)) => "field-file download",
        Command::Scopes(_) => "scopes",
        Command::Auth(AuthCommand::Exchange(_)) => "auth exchange",
        Command::Auth(AuthCommand::Status) => "auth status",
        Command::Config(ConfigCommand::List) => "config list",
        Command::Credits => "credits",
        Command::Completions(_) => "completions",
        Command::Man(_) => "man",
    }
}

/// Builds the client for a command, or reports why not (nothing was sent: exit code 2, or 4
/// when the day's budget of credits is spent).
fn client_or_exit(
    global: &crate::args::Global,
    env: &Env,
    output: &Output,
    tune: impl FnOnce(zoho_crm::ClientBuilder) -> zoho_crm::ClientBuilder,
) -> Result<zoho_crm::Client, Exit> {
    crate::connect::client(global, env, tune).map_err(|failure| {
        let context = match failure.kind {
            crate::failure::Kind::Budget => "nothing was sent",
            _ => "the client cannot be configured",
        };
        output.fail(context, &failure);
        failure.exit()
    })
}
