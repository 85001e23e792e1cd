//! `field-file upload`, `field-file list` and `field-file download`: the files of a record's
//! file-upload fields, through the shared [`crate::record_files`].

mod download;
mod list;
mod names;
mod upload;

use crate::args::{FieldFileCommand, Global};
use crate::connect::Env;
use crate::exit::Exit;
use crate::output::Output;

/// Runs a `field-file` subcommand.
pub async fn run(global: &Global, env: &Env, output: &Output, command: FieldFileCommand) -> Exit {
    match command {
        FieldFileCommand::Upload(args) => upload::run(global, env, output, args).await,
        FieldFileCommand::List(args) => list::run(global, env, output, args).await,
        FieldFileCommand::Download(args) => download::run(global, env, output, args).await,
    }
}
