//! `completions` and the hidden `man`: the command line describing itself, from its clap
//! definition, for shells and for `man`. Nothing is sent.

use clap::CommandFactory as _;

use crate::args::{Cli, CompletionsArgs, ManArgs};
use crate::exit::Exit;
use crate::output::Output;

/// The binary's name, as completions and man pages call it.
const BIN: &str = "zoho-crm";

/// Prints the completion script for a shell. It is made in memory first: clap_complete panics
/// when its writer fails, and standard output may be a closed pipe.
pub fn completions(output: &Output, args: &CompletionsArgs) -> Exit {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), BIN, &mut script);
    match std::io::Write::write_all(&mut std::io::stdout().lock(), &script) {
        Ok(()) => Exit::Success,
        Err(e) => {
            output.stderr(&format!("error: cannot print the completion script: {e}"));
            Exit::Failed
        }
    }
}

/// Writes `zoho-crm.1` and a page per subcommand into the directory.
pub fn man(output: &Output, args: &ManArgs) -> Exit {
    let written = std::fs::create_dir_all(&args.out_dir)
        .and_then(|()| clap_mangen::generate_to(Cli::command(), &args.out_dir));
    match written {
        Ok(()) => {
            output.stderr(&format!("man pages written to {}", args.out_dir.display()));
            Exit::Success
        }
        Err(e) => {
            output.stderr(&format!(
                "error: cannot write the man pages to {}: {e}",
                args.out_dir.display()
            ));
            Exit::Failed
        }
    }
}
