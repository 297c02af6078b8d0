//! `tessera import`, run as a user would: the real binary, a vault in a
//! temporary folder, and the export fixtures in `tests/data/import` (written
//! for these tests; the encrypted ones by `examples/make_import_fixtures.rs`).

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use secrecy::SecretString;
use tempfile::TempDir;
use tessera::vault::{Entry, Key, Vault};

use common::T;
const VAULT_PASSPHRASE: &str = "correct horse battery staple";
/// The 80-bit secret of the GitHub account in every fixture; it must never
/// appear in any output.
const SECRET: &str = "JBSWY3DPEHPK3PXP";

/// Codes at `T` (HOTP: for the stored counter 7), computed independently of
/// Tessera (Python's `hmac`), for the four accounts each fixture holds.
const CODES: [(&str, &str); 4] = [
    ("GitHub", "324550"),
    ("Example Bank", "24826435"),
    ("Forum", "162583"),
    ("Steam", "HTW6X"),
];

/// Each encrypted fixture with its password.
const ENCRYPTED: [(&str, &str, &str); 3] = [
    ("aegis-encrypted.json", "aegis fixture password", "Aegis"),
    ("2fas-encrypted.2fas", "2fas fixture password", "2FAS"),
    (
        "andotp-encrypted.json.aes",
        "andotp fixture password",
        "andOTP",
    ),
];

fn fixture(name: &str) -> PathBuf {
    common::import_fixture(name)
}

/// A folder with an initialised vault and its passphrase file.
struct Place {
    dir: TempDir,
}

impl Place {
    fn new() -> Self {
        let dir = common::folder_with_passphrase(VAULT_PASSPHRASE);
        let place = Place { dir };
        place.tessera().arg("init").assert().success();
        place
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn vault_bytes(&self) -> Vec<u8> {
        fs::read(self.path("vault.age")).expect("vault")
    }

    fn tessera(&self) -> Command {
        let mut cmd = common::command();
        cmd.arg("--vault")
            .arg(self.path("vault.age"))
            .arg("--passphrase-file")
            .arg(self.path("pass"));
        cmd
    }

    /// `tessera import FILE ARGS...`; the export password, if given, goes in
    /// a file passed with `--source-password-file`.
    fn import(&self, file: &Path, password: Option<&str>, args: &[&str]) -> Command {
        let mut cmd = self.tessera();
        cmd.arg("import").arg(file).args(args);
        if let Some(password) = password {
            fs::write(self.path("export-pass"), format!("{password}\n")).expect("write");
            cmd.arg("--source-password-file")
                .arg(self.path("export-pass"));
        }
        cmd
    }

    fn code(&self, query: &str) -> String {
        common::stdout_of(self.tessera().args(["code", query, "--at", T]))
    }

    fn entries(&self) -> Vec<Entry> {
        let key = Key::Passphrase(SecretString::from(VAULT_PASSPHRASE.to_owned()));
        let vault = Vault::open(&self.path("vault.age"), key).expect("vault opens");
        vault.entries().to_vec()
    }

    fn entry(&self, issuer: &str) -> Entry {
        self.entries()
            .into_iter()
            .find(|e| e.account.issuer == issuer)
            .unwrap_or_else(|| panic!("no {issuer} entry"))
    }
}

fn no_secret(output: &std::process::Output) -> bool {
    let all = [output.stdout.as_slice(), &output.stderr].concat();
    !String::from_utf8_lossy(&all)
        .to_uppercase()
        .contains(SECRET)
}

#[test]
fn a_plain_aegis_vault_imports_with_the_right_codes() {
    let place = Place::new();

    let output = place
        .import(&fixture("aegis-plain.json"), None, &[])
        .output()
        .expect("runs");

    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.starts_with("Importing 4 accounts from Aegis:\n"),
        "{stdout}"
    );
    assert!(stdout.contains("Imported 4 accounts."), "{stdout}");
    assert!(no_secret(&output));
    for (query, code) in CODES {
        assert_eq!(place.code(query), code, "{query}");
    }
}

#[test]
fn skipped_entries_are_listed_with_their_reasons() {
    let place = Place::new();

    place
        .import(&fixture("aegis-plain.json"), None, &[])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Skipped: Old VPN: erin — mOTP accounts are not supported\n\
             Skipped: Yandex: frank — Yandex accounts are not supported\n\
             Skipped: Broken: grace — the secret has a character that is not base32 at position 4",
        ));
}

#[test]
fn groups_notes_and_favourites_become_tags_notes_and_pins() {
    let place = Place::new();

    place
        .import(&fixture("aegis-plain.json"), None, &[])
        .assert()
        .success();

    let github = place.entry("GitHub");
    assert_eq!(github.tags, ["Work", "Personal"]);
    assert_eq!(github.note, "Main account; recovery codes are in the safe");
    assert!(github.pinned);
    let bank = place.entry("Example Bank");
    assert_eq!(
        (bank.tags, bank.pinned),
        (vec!["Personal".to_owned()], false)
    );
}

#[test]
fn every_encrypted_export_opens_with_its_password() {
    for (file, password, app) in ENCRYPTED {
        let place = Place::new();

        let output = place
            .import(&fixture(file), Some(password), &[])
            .output()
            .expect("runs");

        assert!(
            output.status.success(),
            "{file}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let stdout = String::from_utf8_lossy(&output.stdout);
        let headline = format!("Importing 4 accounts from {app} (encrypted):");
        assert!(stdout.starts_with(&headline), "{file}: {stdout}");
        assert!(no_secret(&output), "{file}");
        for (query, code) in CODES {
            assert_eq!(place.code(query), code, "{file}: {query}");
        }
    }
}

#[test]
fn plain_2fas_and_andotp_exports_bring_their_groups_and_tags() {
    for (file, tags) in [
        ("2fas-plain.2fas", vec!["Work"]),
        ("andotp-plain.json", vec!["Work", "Code"]),
    ] {
        let place = Place::new();
        place.import(&fixture(file), None, &[]).assert().success();
        assert_eq!(place.entry("GitHub").tags, tags, "{file}");
        assert_eq!(place.code("Forum"), "162583", "{file}");
    }
}

#[test]
fn a_dry_run_shows_the_plan_and_writes_nothing() {
    let place = Place::new();
    let before = place.vault_bytes();

    place
        .import(&fixture("aegis-plain.json"), None, &["--dry-run"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Importing 4 accounts from Aegis:"))
        .stdout(predicate::str::contains(
            "GitHub: alice@example.com (TOTP, SHA1, 6 digits",
        ))
        .stdout(predicate::str::ends_with("Dry run: nothing was written.\n"));

    assert_eq!(place.vault_bytes(), before);
    assert!(place.entries().is_empty());
}

#[test]
fn importing_the_same_file_twice_changes_nothing_the_second_time() {
    let place = Place::new();
    place
        .import(&fixture("2fas-plain.2fas"), None, &[])
        .assert()
        .success();
    let after_first = place.vault_bytes();

    place
        .import(&fixture("2fas-plain.2fas"), None, &[])
        .assert()
        .success()
        .stdout(predicate::str::contains("Already in the vault: 4"))
        .stdout(predicate::str::contains(
            "Imported 0 accounts; the vault is unchanged.",
        ));

    assert_eq!(place.vault_bytes(), after_first);
    assert_eq!(place.entries().len(), 4);
}

#[test]
fn the_same_accounts_from_another_app_are_not_added_again() {
    let place = Place::new();
    place
        .import(&fixture("aegis-plain.json"), None, &[])
        .assert()
        .success();

    place
        .import(
            &fixture("andotp-encrypted.json.aes"),
            Some("andotp fixture password"),
            &[],
        )
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "No new accounts in this andOTP export (encrypted).",
        ))
        .stdout(predicate::str::contains("Already in the vault: 4"));

    assert_eq!(place.entries().len(), 4);
}

#[test]
fn a_wrong_password_says_so_and_leaves_the_vault_alone() {
    for (file, _, app) in ENCRYPTED {
        let place = Place::new();
        let before = place.vault_bytes();

        place
            .import(&fixture(file), Some("not the password"), &[])
            .assert()
            .failure()
            .stderr(predicate::str::contains(format!(
                "the password is wrong: it does not decrypt this {app} export"
            )));

        assert_eq!(place.vault_bytes(), before, "{file}");
    }
}

#[test]
fn an_encrypted_export_without_a_terminal_asks_for_the_password_file() {
    let place = Place::new();

    place
        .import(&fixture("2fas-encrypted.2fas"), None, &[])
        .assert()
        .failure()
        .stderr(predicate::str::contains("needs its password"))
        .stderr(predicate::str::contains("--source-password-file"));
}

#[test]
fn a_cut_short_export_says_what_is_wrong_without_dumping_it() {
    let place = Place::new();
    let text = fs::read(fixture("aegis-plain.json")).expect("fixture");
    fs::write(place.path("cut.json"), &text[..text.len() / 2]).expect("write");
    let before = place.vault_bytes();

    let output = place
        .import(&place.path("cut.json"), None, &["--format", "aegis"])
        .output()
        .expect("runs");

    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("not a readable Aegis export"), "{stderr}");
    assert!(stderr.contains("cut short"), "{stderr}");
    assert!(no_secret(&output));
    assert_eq!(place.vault_bytes(), before);
}

#[test]
fn bad_base64_in_an_encrypted_export_is_named() {
    let place = Place::new();
    let text = fs::read_to_string(fixture("aegis-encrypted.json")).expect("fixture");
    fs::write(
        place.path("bad.json"),
        text.replacen("\"db\": \"", "\"db\": \"%", 1),
    )
    .expect("write");

    place
        .import(&place.path("bad.json"), Some("aegis fixture password"), &[])
        .assert()
        .failure()
        .stderr(predicate::str::contains("`db` is not valid base64"));
}

#[test]
fn detection_reads_content_not_the_file_name() {
    let place = Place::new();
    fs::copy(fixture("andotp-plain.json"), place.path("accounts.txt")).expect("copy");

    place
        .import(&place.path("accounts.txt"), None, &["--dry-run"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with(
            "Importing 4 accounts from andOTP:",
        ));
}
