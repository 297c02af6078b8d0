//! `tessera export` and `tessera qr`.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;

use crate::cli::GlobalOptions;
use crate::export::ExportFormat;

pub fn run(
    options: &GlobalOptions,
    format: ExportFormat,
    output: Option<&Path>,
    plaintext: bool,
    qr: bool,
) -> Result<ExitCode> {
    unimplemented!("{options:?} {format:?} {output:?} {plaintext} {qr}")
}

pub fn show_qr(options: &GlobalOptions, query: &str) -> Result<ExitCode> {
    unimplemented!("{options:?} {query}")
}
