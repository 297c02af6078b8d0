//! The `tessera` binary: parse the arguments, run the command, map errors to
//! exit codes (0 success, 1 error, 2 usage or ambiguous query).

use std::process::ExitCode;

use clap::Parser;
use tessera::app::{self, Ambiguous};
use tessera::cli::Cli;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match app::run(cli) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("tessera: {error:#}");
            if error.is::<Ambiguous>() {
                ExitCode::from(2)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}
