//! `tessera import`: read another app's export and add what is new.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;

use crate::cli::GlobalOptions;
use crate::import::Format;

pub fn run(
    options: &GlobalOptions,
    file: &Path,
    format: Option<Format>,
    password_file: Option<&Path>,
    dry_run: bool,
) -> Result<ExitCode> {
    unimplemented!("{options:?} {file:?} {format:?} {password_file:?} {dry_run}")
}
