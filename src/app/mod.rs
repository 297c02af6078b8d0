//! The commands: each takes parsed options, does its work through the
//! library, and reports in words a user can act on.

pub mod demo;
mod export;
mod import;
mod merge;
pub mod query;
pub mod store;
pub mod unlock;

use std::io::{self, BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};

use crate::cli::{Cli, Command, GlobalOptions};
use crate::clipboard::Clipboard;
use crate::clock::now_unix;
use crate::otp::{Account, Kind};
use crate::tui;
use crate::vault::{self, Entry, Key, Vault};
use query::Found;
use store::{MemoryStore, Store};

/// How long `code --copy` keeps serving the system clipboard on Linux, where
/// the copied text disappears when its owner exits.
const CLIPBOARD_HOLD: std::time::Duration = std::time::Duration::from_secs(30);

/// A query that matched several accounts: exit code 2.
#[derive(Debug, thiserror::Error)]
#[error("Several accounts match \"{query}\": {}. Use issuer:account, or the id, to pick one.", labels.join(", "))]
pub struct Ambiguous {
    query: String,
    labels: Vec<String>,
}

/// Runs the parsed command line. With `TESSERA_LOG` set, logs the command's
/// name, how long it took and how it ended (see [`crate::log`]).
pub fn run(cli: Cli) -> Result<ExitCode> {
    crate::log::init();
    let name = command_name(cli.command.as_ref());
    crate::log::info(format_args!("start: {name}"));
    let started = std::time::Instant::now();

    let result = run_command(cli);

    let millis = started.elapsed().as_millis();
    match &result {
        Ok(_) => crate::log::info(format_args!("end: {name} in {millis} ms")),
        Err(error) => crate::log::info(format_args!("failed: {name} in {millis} ms: {error:#}")),
    }
    result
}

/// The command's name for the log; never its arguments (a URI holds a secret).
fn command_name(command: Option<&Command>) -> &'static str {
    match command {
        None => "interface",
        Some(Command::Demo) => "demo",
        Some(Command::Init { .. }) => "init",
        Some(Command::Add { qr: None, .. }) => "add",
        Some(Command::Add { qr: Some(_), .. }) => "add --qr",
        Some(Command::Import { .. }) => "import",
        Some(Command::Export { .. }) => "export",
        Some(Command::Qr { .. }) => "qr",
        Some(Command::Merge { .. }) => "merge",
        Some(Command::List { .. }) => "list",
        Some(Command::Code { .. }) => "code",
        Some(Command::Remove { .. }) => "remove",
    }
}

fn run_command(cli: Cli) -> Result<ExitCode> {
    let options = &cli.global;
    match cli.command {
        None => open_interface(options),
        Some(Command::Demo) => demo(options),
        Some(Command::Init { recipient }) => init(options, &recipient).map(|()| ExitCode::SUCCESS),
        Some(Command::Add { uri, qr: None }) => add(options, uri.as_deref()),
        Some(Command::Add {
            qr: Some(image), ..
        }) => add_from_qr(options, &image),
        Some(Command::Import {
            files,
            format,
            source_password_file,
            dry_run,
        }) => import::run(
            options,
            &files,
            format,
            source_password_file.as_deref(),
            dry_run,
        ),
        Some(Command::Export {
            format,
            output,
            plaintext,
            qr,
        }) => export::run(options, format, output.as_deref(), plaintext, qr),
        Some(Command::Qr { query }) => export::show_qr(options, &query),
        Some(Command::Merge { other }) => merge::run(options, &other),
        Some(Command::List { json }) => list(options, json),
        Some(Command::Code { query, at, copy }) => code(options, &query, at, copy),
        Some(Command::Remove { query, yes }) => remove(options, &query, yes),
    }
}

fn vault_path(options: &GlobalOptions) -> Result<PathBuf> {
    match &options.vault {
        Some(path) => Ok(path.clone()),
        None => Vault::default_path().context(
            "No data folder is known for this user; pass --vault PATH or set TESSERA_VAULT",
        ),
    }
}

fn open_vault(options: &GlobalOptions) -> Result<Vault> {
    let path = vault_path(options)?;
    if !path.exists() {
        bail!(
            "No vault at {}; create one with `tessera init`.",
            path.display()
        );
    }
    let vault = unlock_with_retries(options, &path)?;
    if let Some(warning) = vault.permission_warning() {
        eprintln!("warning: {warning}");
    }
    Ok(vault)
}

/// Typed passphrases get three tries; keys from files get one.
const PASSPHRASE_TRIES: u32 = 3;

fn unlock_with_retries(options: &GlobalOptions, path: &Path) -> Result<Vault> {
    let tries = if unlock::prompts(options) {
        PASSPHRASE_TRIES
    } else {
        1
    };
    let mut attempt = 1;
    loop {
        let key = unlock::key_to_open(options, path)?;
        match Vault::open(path, key) {
            Err(vault::VaultError::WrongPassphrase) if attempt < tries => {
                eprintln!("The passphrase is wrong; try again.");
                attempt += 1;
            }
            result => return Ok(result?),
        }
    }
}

fn open_interface(options: &GlobalOptions) -> Result<ExitCode> {
    let path = vault_path(options)?;
    let mut vault = if path.exists() {
        open_vault(options)?
    } else {
        offer_to_create(options, &path)?
    };
    let notice = vault.permission_warning();
    tui::run(&mut vault, Clipboard::new(options.clipboard), notice)?;
    Ok(ExitCode::SUCCESS)
}

fn offer_to_create(options: &GlobalOptions, path: &Path) -> Result<Vault> {
    if !io::stdin().is_terminal() {
        bail!(
            "No vault at {}; create one with `tessera init`.",
            path.display()
        );
    }
    if !confirm(
        &format!("No vault at {}. Create one now?", path.display()),
        true,
    )? {
        bail!("No vault was created.");
    }
    create_vault(options, path, &[])
}

fn demo(options: &GlobalOptions) -> Result<ExitCode> {
    let mut store = MemoryStore::new(demo::accounts(), now_unix(0));
    tui::run(&mut store, Clipboard::new(options.clipboard), None)?;
    Ok(ExitCode::SUCCESS)
}

fn init(options: &GlobalOptions, recipients: &[String]) -> Result<()> {
    let path = vault_path(options)?;
    if path.exists() {
        bail!(
            "A vault already exists at {}; it was left as it is. \
             Pass --vault PATH to create another.",
            path.display()
        );
    }
    let vault = create_vault(options, &path, recipients)?;
    println!("Created an empty vault at {}.", vault.path().display());
    let identities = unlock::identities(options);
    if !identities.is_empty() && options.identity.len() == identities.len() {
        let list = std::env::join_paths(&identities).map_or_else(
            |_| identities[0].display().to_string(),
            |joined| joined.to_string_lossy().into_owned(),
        );
        println!(
            "Every command needs the identity to open it: pass --identity each time, \
             or put `export TESSERA_IDENTITY={list}` in your shell profile."
        );
    }
    println!("Add accounts with `tessera add URI`, or press `a` in `tessera`.");
    Ok(())
}

fn create_vault(options: &GlobalOptions, path: &Path, recipients: &[String]) -> Result<Vault> {
    let identities = unlock::identities(options);
    let key = if identities.is_empty() {
        if !recipients.is_empty() {
            bail!("--recipient needs --identity FILE too, so that you can open the vault.");
        }
        Key::Passphrase(unlock::new_passphrase(options)?)
    } else {
        for identity in &identities {
            if !identity.exists() {
                let public = vault::generate_identity_file(identity)?;
                println!(
                    "Generated a new age identity at {} ({public}).",
                    identity.display()
                );
                println!(
                    "Keep a copy of it somewhere safe: without it the vault cannot be opened."
                );
            }
        }
        Key::Identities(identities)
    };
    Ok(Vault::create(path, key, recipients, now_unix(0))?)
}

fn add(options: &GlobalOptions, uri: Option<&str>) -> Result<ExitCode> {
    let uris = match uri {
        Some(uri) => vec![zeroize::Zeroizing::new(uri.to_owned())],
        None => read_uris_from_stdin()?,
    };
    if uris.is_empty() {
        bail!("No URI given; pass an otpauth:// URI as the argument or on standard input.");
    }

    let mut accounts = Vec::new();
    for (line, uri) in uris.iter().enumerate() {
        let parsed = Account::from_uri(uri).with_context(|| {
            if uris.len() > 1 {
                format!("Line {} is not a usable URI", line + 1)
            } else {
                "The URI is not usable".to_owned()
            }
        })?;
        accounts.push(parsed);
    }

    let mut vault = open_vault(options)?;
    for parsed in &accounts {
        for warning in &parsed.warnings {
            eprintln!("warning: {}: {warning}", parsed.account.label());
        }
    }
    add_accounts(
        &mut vault,
        accounts.into_iter().map(|parsed| parsed.account).collect(),
    )
}

/// Adds `accounts` and saves once; refuses the lot if any is already there,
/// so a repeated command changes nothing.
fn add_accounts(vault: &mut Vault, accounts: Vec<Account>) -> Result<ExitCode> {
    let summaries: Vec<String> = accounts.iter().map(describe).collect();
    Store::add_all(vault, accounts, now_unix(0))?;
    for summary in summaries {
        println!("Added {summary}.");
    }
    Ok(ExitCode::SUCCESS)
}

fn add_from_qr(options: &GlobalOptions, image: &Path) -> Result<ExitCode> {
    let bytes = std::fs::read(image)
        .with_context(|| format!("Cannot read the image {}", image.display()))?;
    let mut no_password = || bail!("A QR code does not carry a password.");
    let report = crate::import::read(&bytes, crate::import::Format::Qr, &mut no_password)
        .with_context(|| format!("No usable QR code in {}", image.display()))?;
    for warning in &report.warnings {
        eprintln!("warning: {warning}");
    }
    for skipped in &report.skipped {
        eprintln!("skipped {}: {}", skipped.name, skipped.reason);
    }
    if report.entries.is_empty() {
        bail!(
            "The QR codes in {} hold no account Tessera can add.",
            image.display()
        );
    }
    let mut vault = open_vault(options)?;
    add_accounts(
        &mut vault,
        report.entries.into_iter().map(|e| e.account).collect(),
    )
}

fn read_uris_from_stdin() -> Result<Vec<zeroize::Zeroizing<String>>> {
    let mut uris = Vec::new();
    for line in io::stdin().lock().lines() {
        let line = zeroize::Zeroizing::new(line.context("Could not read standard input")?);
        let trimmed = line.trim();
        if !trimmed.is_empty() && !trimmed.starts_with('#') {
            uris.push(zeroize::Zeroizing::new(trimmed.to_owned()));
        }
    }
    Ok(uris)
}

/// "Example: alice@example.com (TOTP, SHA1, 6 digits, every 30 s)": never the secret.
pub fn describe(account: &Account) -> String {
    let how = match account.kind {
        Kind::Totp { period } => format!(
            "TOTP, {}, {} digits, every {period} s",
            account.algorithm.as_str(),
            account.digits
        ),
        Kind::Hotp { counter } => format!(
            "HOTP, {}, {} digits, counter {counter}",
            account.algorithm.as_str(),
            account.digits
        ),
        Kind::Steam { period } => format!("Steam Guard, every {period} s"),
    };
    let label = match (account.issuer.is_empty(), account.name.is_empty()) {
        (false, false) => format!("{}: {}", account.issuer, account.name),
        (true, true) => "(unnamed)".to_owned(),
        _ => account.label(),
    };
    format!("{label} ({how})")
}

fn list(options: &GlobalOptions, json: bool) -> Result<ExitCode> {
    let vault = open_vault(options)?;
    let entries = vault.entries();
    if json {
        let items: Vec<serde_json::Value> = entries.iter().map(entry_json).collect();
        println!("{}", serde_json::to_string_pretty(&items)?);
    } else if entries.is_empty() {
        println!("The vault is empty; add an account with `tessera add URI`.");
    } else {
        for entry in entries {
            println!("{}  {}", short_id(entry), describe(&entry.account));
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn entry_json(entry: &Entry) -> serde_json::Value {
    let account = &entry.account;
    let mut item = serde_json::json!({
        "id": entry.id,
        "issuer": account.issuer,
        "account": account.name,
        "kind": account.kind_name(),
        "algorithm": account.algorithm.as_str(),
        "digits": account.digits,
        "tags": entry.tags,
    });
    match account.kind {
        Kind::Totp { period } | Kind::Steam { period } => item["period"] = period.into(),
        Kind::Hotp { counter } => item["counter"] = counter.into(),
    }
    item
}

fn find_one<'a>(entries: &'a [Entry], query: &str) -> Result<&'a Entry> {
    match query::find(entries, query) {
        Found::One(entry) => Ok(entry),
        Found::None => bail!("No account matches \"{query}\"; `tessera list` shows them all."),
        Found::Several(all) => Err(Ambiguous {
            query: query.to_owned(),
            labels: all
                .iter()
                .map(|e| format!("{} (id {})", e.account.label(), short_id(e)))
                .collect(),
        }
        .into()),
    }
}

/// The first characters of an entry's id: enough to pick it in a query.
fn short_id(entry: &Entry) -> &str {
    entry.id.get(..8).unwrap_or(&entry.id)
}

fn code(options: &GlobalOptions, query: &str, at: Option<u64>, copy: bool) -> Result<ExitCode> {
    let mut vault = open_vault(options)?;
    let entry = find_one(vault.entries(), query)?;
    let id = entry.id.clone();
    let mut account = entry.account.clone();

    if let Kind::Hotp { .. } = account.kind {
        if at.is_some() {
            eprintln!(
                "warning: {} is counter-based (HOTP), so --at does not apply; \
                 this is the code for the next counter, which is now used.",
                account.label()
            );
        }
        let counter = vault.next_hotp(&id, now_unix(0))?;
        account.kind = Kind::Hotp { counter };
    }
    let code = account.code_at(at.unwrap_or_else(|| now_unix(0)));
    println!("{code}");

    if copy {
        let mut clipboard = Clipboard::new(options.clipboard);
        let status = clipboard.copy_and_wait(code.as_str(), CLIPBOARD_HOLD)?;
        eprintln!("{status}");
    }
    Ok(ExitCode::SUCCESS)
}

fn remove(options: &GlobalOptions, query: &str, yes: bool) -> Result<ExitCode> {
    let mut vault = open_vault(options)?;
    let entry = find_one(vault.entries(), query)?;
    let (id, summary) = (entry.id.clone(), describe(&entry.account));

    if !yes {
        if !io::stdin().is_terminal() {
            bail!("Removing {summary} needs confirmation; pass --yes to remove it without asking.");
        }
        if !confirm(
            &format!("Remove {summary}? Its codes cannot be recovered."),
            false,
        )? {
            println!("Nothing was removed.");
            return Ok(ExitCode::SUCCESS);
        }
    }
    Store::remove(&mut vault, &id, now_unix(0))?;
    println!("Removed {summary}.");
    Ok(ExitCode::SUCCESS)
}

/// Asks a yes/no question on the terminal.
fn confirm(question: &str, default_yes: bool) -> Result<bool> {
    let hint = if default_yes { "[Y/n]" } else { "[y/N]" };
    eprint!("{question} {hint} ");
    io::stderr().flush()?;
    let mut answer = String::new();
    io::stdin().read_line(&mut answer)?;
    let answer = answer.trim().to_lowercase();
    Ok(if answer.is_empty() {
        default_yes
    } else {
        answer == "y" || answer == "yes"
    })
}
