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
            eprintln!("tessera: {}", sentence_case(&format!("{error:#}")));
            if error.is::<Ambiguous>() {
                ExitCode::from(2)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}

/// Messages come from several layers; start each with a capital letter.
fn sentence_case(message: &str) -> String {
    let mut chars = message.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}
