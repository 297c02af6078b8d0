//! `tessera import`: read another app's export, show what it holds, and add
//! what is new to the vault in one atomic save.
//!
//! The export is read (and decrypted) before the vault is opened, so a wrong
//! export password never touches the vault. Accounts already in the vault
//! (same secret, issuer and account) are counted, not added again: importing
//! the same file twice changes nothing.

use std::fs;
use std::io::{self, IsTerminal};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use secrecy::SecretString;
use zeroize::Zeroizing;

use super::{describe, open_vault, store, unlock, vault_path};
use crate::cli::GlobalOptions;
use crate::clock::now_unix;
use crate::import::{self, Format, ImportError, ImportReport, Imported, Skipped};
use crate::otp::Account;
use crate::vault::{Entry, Vault};

pub fn run(
    options: &GlobalOptions,
    files: &[PathBuf],
    format: Option<Format>,
    password_file: Option<&Path>,
    dry_run: bool,
) -> Result<ExitCode> {
    let (report, encrypted) = read_files(files, format, password_file)?;
    for warning in &report.warnings {
        eprintln!("warning: {warning}");
    }

    let mut vault = if dry_run && !vault_path(options)?.exists() {
        println!("(No vault yet: everything below would be new.)");
        None
    } else {
        Some(open_vault(options)?)
    };
    let existing = vault.as_ref().map_or(&[][..], Vault::entries);
    let plan = Plan::new(existing, report.entries);
    print_plan(&plan, &report.skipped, report.format, encrypted);

    match vault.as_mut() {
        Some(vault) if !dry_run => apply(vault, plan.new)?,
        _ => println!("Dry run: nothing was written."),
    }
    Ok(ExitCode::SUCCESS)
}

/// Reads every file into one report. Several QR screenshots are read as one
/// export, so the batches of a Google Authenticator export are joined;
/// other files are read one by one and their reports put together.
fn read_files(
    files: &[PathBuf],
    format: Option<Format>,
    password_file: Option<&Path>,
) -> Result<(ImportReport, bool)> {
    let mut contents = Vec::new();
    for file in files {
        let bytes = fs::read(file).with_context(|| format!("Cannot read {}", file.display()))?;
        contents.push(Zeroizing::new(bytes));
    }
    let all_images = files.len() > 1
        && files.iter().zip(&contents).all(|(file, bytes)| {
            format.unwrap_or_else(|| import::detect(bytes, file).unwrap_or(Format::Uris))
                == Format::Qr
        });
    if all_images {
        let images: Vec<&[u8]> = contents.iter().map(|bytes| bytes.as_slice()).collect();
        let report = import::read_images(&images).context("Nothing was imported")?;
        return Ok((report, false));
    }

    let mut combined: Option<(ImportReport, bool)> = None;
    for (file, bytes) in files.iter().zip(&contents) {
        let (report, encrypted) = read_export(bytes, file, format, password_file)
            .with_context(|| format!("Nothing was imported from {}", file.display()))?;
        combined = Some(match combined {
            None => (report, encrypted),
            Some((mut all, was_encrypted)) => {
                all.entries.extend(report.entries);
                all.skipped.extend(report.skipped);
                all.warnings.extend(report.warnings);
                (all, was_encrypted || encrypted)
            }
        });
    }
    combined.context("No file was given to import")
}

/// Detects the format unless given, and reads the export, asking for its
/// password only if it is encrypted. Returns whether it was.
fn read_export(
    bytes: &[u8],
    file: &Path,
    format: Option<Format>,
    password_file: Option<&Path>,
) -> Result<(ImportReport, bool)> {
    let format = match format {
        Some(format) => format,
        None => import::detect(bytes, file).ok_or(ImportError::UnknownFormat)?,
    };
    let mut encrypted = false;
    let mut password = || {
        encrypted = true;
        export_password(file, format, password_file)
    };
    let report = import::read(bytes, format, &mut password)?;
    Ok((report, encrypted))
}

/// The export's password: the first line of `--source-password-file`, or
/// typed at the terminal.
fn export_password(
    file: &Path,
    format: Format,
    password_file: Option<&Path>,
) -> Result<SecretString> {
    if let Some(path) = password_file {
        return unlock::read_passphrase_file(path);
    }
    if !io::stdin().is_terminal() {
        bail!("No terminal to ask for it on; pass --source-password-file FILE.");
    }
    let prompt = format!("Password of the {format} export {}: ", file.display());
    let typed =
        Zeroizing::new(rpassword::prompt_password(prompt).context("Could not read the password")?);
    if typed.is_empty() {
        bail!("The password is empty.");
    }
    Ok(SecretString::from(typed.as_str().to_owned()))
}

/// What an import would change.
struct Plan {
    new: Vec<Imported>,
    /// Accounts the vault already holds.
    already: usize,
    /// Accounts the export lists more than once, after the first.
    repeated: Vec<Skipped>,
}

impl Plan {
    fn new(existing: &[Entry], imported: Vec<Imported>) -> Self {
        let mut plan = Plan {
            new: Vec::new(),
            already: 0,
            repeated: Vec::new(),
        };
        for item in imported {
            if store::find_duplicate(existing, &item.account).is_some() {
                plan.already += 1;
            } else if plan
                .new
                .iter()
                .any(|n| same_account(&n.account, &item.account))
            {
                plan.repeated.push(Skipped {
                    name: import::display_name(&item.account.issuer, &item.account.name),
                    reason: "it appears earlier in the same file".to_owned(),
                });
            } else {
                plan.new.push(item);
            }
        }
        plan
    }
}

/// The rule of [`store::find_duplicate`], between two accounts.
fn same_account(a: &Account, b: &Account) -> bool {
    a.secret == b.secret && a.issuer.eq_ignore_ascii_case(&b.issuer) && a.name == b.name
}

fn print_plan(plan: &Plan, skipped: &[Skipped], format: Format, encrypted: bool) {
    let how = if encrypted { " (encrypted)" } else { "" };
    if plan.new.is_empty() {
        println!("No new accounts in this {format} export{how}.");
    } else {
        println!("Importing {} from {format}{how}:", accounts(plan.new.len()));
    }
    for item in &plan.new {
        println!("  {}{}", describe(&item.account), metadata(item));
    }
    for skip in skipped.iter().chain(&plan.repeated) {
        println!("Skipped: {} — {}", skip.name, skip.reason);
    }
    if plan.already > 0 {
        println!("Already in the vault: {}", plan.already);
    }
}

/// "; tags Work, Personal; pinned; with a note", or "" when there is none.
fn metadata(item: &Imported) -> String {
    let mut parts = Vec::new();
    if !item.tags.is_empty() {
        parts.push(format!("tags {}", item.tags.join(", ")));
    }
    if item.pinned {
        parts.push("pinned".to_owned());
    }
    if !item.note.is_empty() {
        parts.push("with a note".to_owned());
    }
    parts.iter().flat_map(|p| ["; ", p.as_str()]).collect()
}

fn accounts(count: usize) -> String {
    if count == 1 {
        "1 account".to_owned()
    } else {
        format!("{count} accounts")
    }
}

/// Adds the new accounts with their tags, note and pin, then saves once.
fn apply(vault: &mut Vault, new: Vec<Imported>) -> Result<()> {
    if new.is_empty() {
        println!("Imported 0 accounts; the vault is unchanged.");
        return Ok(());
    }
    let count = new.len();
    let now = now_unix(0);
    for item in new {
        let id = vault.add(item.account, now);
        vault.update(&id, now, |entry| {
            entry.tags = item.tags;
            entry.note = item.note;
            entry.pinned = item.pinned;
        });
    }
    vault
        .save(now)
        .context("Nothing was imported: the vault could not be saved")?;
    println!("Imported {}.", accounts(count));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::otp::{Kind, Secret};

    fn imported(issuer: &str, name: &str, secret: &[u8]) -> Imported {
        Imported::new(Account {
            issuer: issuer.to_owned(),
            name: name.to_owned(),
            secret: Secret::from_bytes(secret.to_vec()),
            kind: Kind::Totp { period: 30 },
            algorithm: crate::otp::Algorithm::Sha1,
            digits: 6,
            extra: Vec::new(),
        })
    }

    fn entry(item: Imported) -> Entry {
        Entry {
            id: "1".into(),
            account: item.account,
            note: String::new(),
            tags: Vec::new(),
            pinned: false,
            created: 0,
            updated: 0,
        }
    }

    #[test]
    fn accounts_in_the_vault_are_counted_not_added() {
        let existing = [entry(imported("GitHub", "alice", b"key one"))];
        let plan = Plan::new(
            &existing,
            vec![
                imported("github", "alice", b"key one"),
                imported("GitHub", "alice", b"key two"),
            ],
        );
        assert_eq!((plan.new.len(), plan.already), (1, 1));
        assert_eq!(plan.new[0].account.secret.as_bytes(), b"key two");
    }

    #[test]
    fn an_account_listed_twice_in_the_file_is_added_once() {
        let plan = Plan::new(
            &[],
            vec![imported("Shop", "zoe", b"k"), imported("Shop", "zoe", b"k")],
        );
        assert_eq!(plan.new.len(), 1);
        assert_eq!(plan.repeated[0].name, "Shop: zoe");
    }

    #[test]
    fn metadata_names_tags_pin_and_note() {
        let mut item = imported("A", "b", b"k");
        assert_eq!(metadata(&item), "");
        item.tags = vec!["Work".into(), "Home".into()];
        item.pinned = true;
        item.note = "x".into();
        assert_eq!(metadata(&item), "; tags Work, Home; pinned; with a note");
    }
}
