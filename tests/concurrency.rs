//! Several writers on one vault: processes adding at once all land, and a
//! long-open handle (what the interface holds for minutes) and the command
//! line never overwrite each other's saves, deletions or HOTP counters.
//!
//! The handle is a library `Vault` used through `Store`, exactly as the
//! interface uses it; the command line is the real binary.

mod common;

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use secrecy::SecretString;
use tempfile::TempDir;
use tessera::app::store::Store;
use tessera::otp::Account;
use tessera::vault::{Key, Vault};

const PASSPHRASE: &str = "correct horse battery staple";
const NOW: u64 = 1_700_000_000;

struct Place {
    dir: TempDir,
}

impl Place {
    /// A folder with a passphrase file and an empty vault.
    fn with_vault() -> Place {
        let dir = common::folder_with_passphrase(PASSPHRASE);
        let place = Place { dir };
        place.run(&["init"]);
        place
    }

    fn vault_path(&self) -> PathBuf {
        self.dir.path().join("vault.age")
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = common::process();
        cmd.arg("--vault")
            .arg(self.vault_path())
            .arg("--passphrase-file")
            .arg(self.dir.path().join("pass"))
            .args(args)
            .stdin(Stdio::null());
        cmd
    }

    /// Runs the CLI and returns its stdout; panics with stderr on failure.
    fn run(&self, args: &[&str]) -> String {
        let output = self.command(args).output().expect("run tessera");
        assert!(
            output.status.success(),
            "tessera {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).expect("utf-8")
    }

    /// A handle held open like the interface holds it.
    fn open(&self) -> Vault {
        tessera::vault::set_scrypt_work_factor(10);
        Vault::open(
            &self.vault_path(),
            Key::Passphrase(SecretString::from(PASSPHRASE.to_owned())),
        )
        .expect("the vault opens")
    }

    /// The issuers in the vault as a fresh process sees them, sorted.
    fn issuers(&self) -> Vec<String> {
        let mut issuers: Vec<String> = self
            .open()
            .entries()
            .iter()
            .map(|e| e.account.issuer.clone())
            .collect();
        issuers.sort();
        issuers
    }
}

fn uri(issuer: &str) -> String {
    format!("otpauth://totp/{issuer}:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer={issuer}")
}

fn account(issuer: &str) -> Account {
    Account::from_uri(&uri(issuer))
        .expect("the URI parses")
        .account
}

#[test]
fn eight_processes_adding_at_once_all_land() {
    let place = Place::with_vault();
    let names: Vec<String> = (1..=8).map(|i| format!("Racer{i}")).collect();

    let children: Vec<Child> = names
        .iter()
        .map(|name| {
            place
                .command(&["add", &uri(name)])
                .stdout(Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut child in children {
        assert!(child.wait().unwrap().success());
    }

    assert_eq!(place.issuers(), names);
}

#[test]
fn an_open_handle_keeps_what_the_cli_saved_meanwhile() {
    let place = Place::with_vault();
    let mut handle = place.open();

    place.run(&["add", &uri("FromCli")]);
    Store::add(&mut handle, account("FromHandle"), NOW).unwrap();

    assert_eq!(place.issuers(), ["FromCli", "FromHandle"]);
    assert_eq!(
        handle.entries().len(),
        2,
        "the handle sees the CLI's account too"
    );
}

#[test]
fn the_cli_keeps_what_an_open_handle_saved() {
    let place = Place::with_vault();
    let mut handle = place.open();

    Store::add(&mut handle, account("FromHandle"), NOW).unwrap();
    place.run(&["add", &uri("FromCli")]);
    Store::add(&mut handle, account("Later"), NOW).unwrap();

    assert_eq!(place.issuers(), ["FromCli", "FromHandle", "Later"]);
}

#[test]
fn an_account_removed_by_the_cli_stays_removed_when_an_open_handle_saves() {
    let place = Place::with_vault();
    place.run(&["add", &uri("Keep")]);
    place.run(&["add", &uri("Drop")]);
    let mut handle = place.open();

    place.run(&["remove", "Drop", "--yes"]);
    Store::add(&mut handle, account("New"), NOW).unwrap();

    assert_eq!(place.issuers(), ["Keep", "New"]);
}

#[test]
fn an_account_removed_by_an_open_handle_stays_removed_after_the_cli_saves() {
    let place = Place::with_vault();
    place.run(&["add", &uri("Keep")]);
    place.run(&["add", &uri("Drop")]);
    let mut handle = place.open();
    let id = handle
        .entries()
        .iter()
        .find(|e| e.account.issuer == "Drop")
        .unwrap()
        .id
        .clone();

    Store::remove(&mut handle, &id, NOW).unwrap();
    place.run(&["add", &uri("New")]);

    assert_eq!(place.issuers(), ["Keep", "New"]);
}

/// A HOTP code the command line showed must never be shown again by an
/// interface that opened the vault before it.
#[test]
fn an_open_handle_never_repeats_a_hotp_code_the_cli_showed() {
    let place = Place::with_vault();
    place.run(&[
        "add",
        "otpauth://hotp/Bank:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&counter=0",
    ]);
    let mut handle = place.open();
    let id = handle.entries()[0].id.clone();

    let from_cli = place.run(&["code", "Bank"]);
    let counter = Store::next_hotp(&mut handle, &id, NOW).unwrap();

    assert_eq!(
        from_cli.trim(),
        "755224",
        "the CLI shows the code for counter 0"
    );
    assert_eq!(counter, 1, "the handle must move on to counter 1");
    assert_eq!(
        place.run(&["code", "Bank"]).trim(),
        "359152",
        "counter 2 next"
    );
}

/// Two processes taking HOTP codes of one account at once get different codes.
#[test]
fn processes_taking_hotp_codes_at_once_never_get_the_same_code() {
    let place = Place::with_vault();
    place.run(&[
        "add",
        "otpauth://hotp/Bank:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&counter=0",
    ]);

    let children: Vec<Child> = (0..6)
        .map(|_| {
            place
                .command(&["code", "Bank"])
                .stdout(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut codes: Vec<String> = children
        .into_iter()
        .map(|child| {
            let output = child.wait_with_output().unwrap();
            assert!(output.status.success());
            String::from_utf8(output.stdout).unwrap().trim().to_owned()
        })
        .collect();
    codes.sort();
    codes.dedup();

    assert_eq!(
        codes.len(),
        6,
        "a HOTP code was handed out twice: {codes:?}"
    );
}

/// Regression: advancing a HOTP counter of u64::MAX used to overflow (a
/// panic in debug builds, a wrap back to counter 0 in release ones).
#[test]
fn a_hotp_counter_at_its_maximum_does_not_crash() {
    let place = Place::with_vault();
    place.run(&[
        "add",
        "otpauth://hotp/Edge:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&counter=18446744073709551615",
    ]);

    let code = place.run(&["code", "Edge"]);

    assert_eq!(code.trim().len(), 6, "{code}");
}
