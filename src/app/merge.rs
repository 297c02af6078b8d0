//! `tessera merge OTHER`: fold a diverged copy of the vault into this one.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;

use crate::cli::GlobalOptions;

pub fn run(options: &GlobalOptions, other: &Path) -> Result<ExitCode> {
    unimplemented!("{options:?} {other:?}")
}
