//! `tessera merge OTHER`: fold a diverged copy of the vault into this one.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};

use crate::cli::GlobalOptions;
use crate::clock::now_unix;
use crate::vault::MergeSummary;

pub fn run(options: &GlobalOptions, other: &Path) -> Result<ExitCode> {
    if !other.is_file() {
        bail!(
            "No file at {}; give the path of the other copy of the vault.",
            other.display()
        );
    }
    let mut vault = super::open_vault(options)?;
    if is_same_file(vault.path(), other) {
        bail!(
            "{} is the vault itself; give the path of the other copy.",
            other.display()
        );
    }

    let summary = vault.merge_from_file(other).with_context(|| {
        format!(
            "Could not open {} with this vault's passphrase or identities",
            other.display()
        )
    })?;
    if summary.unrelated {
        bail!(
            "{} shares no account with this vault, so it is not a copy of it; nothing was \
             merged. To add its accounts, export them from it \
             (`tessera --vault {} export --format uris --plaintext`) and import them here.",
            other.display(),
            other.display()
        );
    }
    if summary.is_empty() {
        println!(
            "{} holds nothing new: the vault is already up to date. The other file was left as it is.",
            other.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    vault
        .save(now_unix(0))
        .context("The merge was not saved; the vault is as it was")?;

    report(&summary, other);
    Ok(ExitCode::SUCCESS)
}

fn report(summary: &MergeSummary, other: &Path) {
    println!(
        "Merged {}: {} added, {} updated, {} removed; the other file was left as it is.",
        other.display(),
        summary.added.len(),
        summary.updated.len(),
        summary.removed.len()
    );
    for (word, labels) in [
        ("added", &summary.added),
        ("updated", &summary.updated),
        ("removed", &summary.removed),
    ] {
        for label in labels {
            println!("  {word} {label}");
        }
    }
    println!("Delete {} once you no longer need it.", other.display());
}

fn is_same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}
