//! `tessera merge`: two copies of one vault diverge (as on two devices
//! behind a file-sync tool), then one is folded into the other.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use tempfile::TempDir;

const EXAMPLE: &str =
    "otpauth://totp/Example:alice@example.com?secret=JBSWY3DPEHPK3PXP&issuer=Example";
const SHARED: &str = "otpauth://totp/Shared:sam?secret=GEZDGNBVGY3TQOJQ&issuer=Shared";
const BEE: &str = "otpauth://totp/Bee:bea?secret=MFRGGZDFMZTWQ2LK&issuer=Bee";
const CEE: &str = "otpauth://totp/Cee:cid?secret=ONSWG4TFOQ&issuer=Cee";
/// RFC 4226's test key; its codes for counters 0.. are 755224, 287082,
/// 359152, 969429, 338314.
const HOTP: &str =
    "otpauth://hotp/RFC%204226:hotp@example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&counter=0";

/// A folder with a passphrase file, the vault and room for its copy.
struct Place {
    dir: TempDir,
}

impl Place {
    fn new() -> Self {
        let dir = common::folder_with_passphrase("correct horse battery staple");
        Place { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `tessera` on the vault file `name` in this folder.
    fn tessera(&self, name: &str) -> Command {
        self.tessera_with(name, "pass")
    }

    /// `tessera` on the vault `name`, unlocked by the passphrase file `pass`.
    fn tessera_with(&self, name: &str, pass: &str) -> Command {
        let mut cmd = common::command();
        cmd.arg("--vault").arg(self.path(name));
        cmd.arg("--passphrase-file").arg(self.path(pass));
        cmd
    }

    fn run(&self, name: &str, args: &[&str]) -> String {
        let output = self.tessera(name).args(args).output().expect("runs");
        assert!(
            output.status.success(),
            "tessera {args:?} on {name} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).expect("utf-8")
    }

    fn add(&self, name: &str, uri: &str) {
        self.run(name, &["add", uri]);
    }

    /// Issuers and HOTP counters as `list --json` shows them, sorted.
    fn accounts(&self, name: &str) -> Vec<String> {
        let json: serde_json::Value =
            serde_json::from_str(&self.run(name, &["list", "--json"])).expect("json");
        let mut accounts: Vec<String> = json
            .as_array()
            .expect("array")
            .iter()
            .map(|item| match item["counter"].as_u64() {
                Some(counter) => format!("{} #{counter}", item["issuer"].as_str().unwrap_or("")),
                None => item["issuer"].as_str().unwrap_or("").to_owned(),
            })
            .collect();
        accounts.sort();
        accounts
    }

    fn merge(&self, into: &str, other: &str) -> String {
        let other = self.path(other);
        self.run(into, &["merge", other.to_str().expect("utf-8 path")])
    }

    /// A vault holding Example, Shared and the HOTP account, and a copy of
    /// it as `other.age`, as a sync tool would leave them before they diverge.
    fn vault_and_copy() -> Place {
        let place = Place::new();
        place.run("vault.age", &["init"]);
        for uri in [EXAMPLE, SHARED, HOTP] {
            place.add("vault.age", uri);
        }
        fs::copy(place.path("vault.age"), place.path("other.age")).expect("copy");
        place
    }
}

fn bytes(path: &Path) -> Vec<u8> {
    fs::read(path).expect("read")
}

/// This copy: adds Bee, uses one HOTP code, removes Shared. The other copy:
/// adds Cee, uses three HOTP codes, removes Example.
fn diverge(place: &Place) {
    place.add("vault.age", BEE);
    place.run("vault.age", &["code", "RFC 4226"]);
    place.run("vault.age", &["remove", "Shared", "--yes"]);

    place.add("other.age", CEE);
    for _ in 0..3 {
        place.run("other.age", &["code", "RFC 4226"]);
    }
    place.run("other.age", &["remove", "Example", "--yes"]);
}

#[test]
fn diverged_copies_merge_additions_edits_and_deletions() {
    let place = Place::vault_and_copy();
    diverge(&place);
    let other_before = bytes(&place.path("other.age"));

    let said = place.merge("vault.age", "other.age");

    assert!(
        said.contains("1 added, 1 updated, 1 removed; the other file was left as it is."),
        "{said}"
    );
    assert!(said.contains("added Cee:cid"), "{said}");
    assert!(said.contains("updated RFC 4226:hotp@example.com"), "{said}");
    assert!(said.contains("removed Example:alice@example.com"), "{said}");
    assert_eq!(
        place.accounts("vault.age"),
        ["Bee", "Cee", "RFC 4226 #3"],
        "Shared stays deleted here, Example is deleted there, the higher counter wins"
    );
    assert_eq!(bytes(&place.path("other.age")), other_before);
}

#[test]
fn the_merged_hotp_counter_gives_the_next_unused_code() {
    let place = Place::vault_and_copy();
    diverge(&place);

    place.merge("vault.age", "other.age");

    // The other copy used the codes for counters 0, 1 and 2.
    assert_eq!(
        place.run("vault.age", &["code", "RFC 4226"]).trim(),
        "969429"
    );
}

#[test]
fn merging_twice_changes_nothing_the_second_time() {
    let place = Place::vault_and_copy();
    diverge(&place);
    place.merge("vault.age", "other.age");
    let merged = bytes(&place.path("vault.age"));

    let said = place.merge("vault.age", "other.age");

    assert!(said.contains("already up to date"), "{said}");
    assert_eq!(bytes(&place.path("vault.age")), merged, "no write");
}

#[test]
fn merging_each_way_gives_both_copies_the_same_accounts() {
    let place = Place::vault_and_copy();
    diverge(&place);

    place.merge("vault.age", "other.age");
    place.merge("other.age", "vault.age");

    assert_eq!(place.accounts("vault.age"), place.accounts("other.age"));
}

#[test]
fn a_deletion_here_is_kept_when_the_copy_still_has_the_account() {
    let place = Place::vault_and_copy();
    place.run("vault.age", &["remove", "Shared", "--yes"]);

    let said = place.merge("vault.age", "other.age");

    assert!(said.contains("already up to date"), "{said}");
    assert_eq!(place.accounts("vault.age"), ["Example", "RFC 4226 #0"]);
}

#[test]
fn a_deletion_in_the_copy_is_carried_over() {
    let place = Place::vault_and_copy();
    place.run("other.age", &["remove", "Shared", "--yes"]);

    let said = place.merge("vault.age", "other.age");

    assert!(said.contains("0 added, 0 updated, 1 removed"), "{said}");
    assert_eq!(place.accounts("vault.age"), ["Example", "RFC 4226 #0"]);
}

#[test]
fn a_copy_with_another_passphrase_is_refused_and_nothing_changes() {
    let place = Place::vault_and_copy();
    fs::write(place.path("pass2"), "another passphrase\n").expect("write");
    place
        .tessera_with("stranger.age", "pass2")
        .arg("init")
        .assert()
        .success();
    let before = bytes(&place.path("vault.age"));

    place
        .tessera("vault.age")
        .arg("merge")
        .arg(place.path("stranger.age"))
        .assert()
        .failure()
        .stderr(
            predicate::str::contains("Could not open")
                .and(predicate::str::contains("stranger.age")),
        );

    assert_eq!(bytes(&place.path("vault.age")), before);
}

#[test]
fn a_missing_copy_is_named() {
    let place = Place::vault_and_copy();

    place
        .tessera("vault.age")
        .arg("merge")
        .arg(place.path("nowhere.age"))
        .assert()
        .failure()
        .stderr(
            predicate::str::contains("No file at").and(predicate::str::contains("nowhere.age")),
        );
}

#[test]
fn merging_the_vault_with_itself_is_refused() {
    let place = Place::vault_and_copy();

    place
        .tessera("vault.age")
        .arg("merge")
        .arg(place.path("vault.age"))
        .assert()
        .failure()
        .stderr(predicate::str::contains("is the vault itself"));
}

#[test]
fn a_vault_that_is_not_a_copy_is_refused_and_nothing_changes() {
    let place = Place::new();
    for name in ["vault.age", "stranger.age"] {
        place.run(name, &["init"]);
    }
    place.add("vault.age", EXAMPLE);
    place.add("stranger.age", HOTP);
    let before = bytes(&place.path("vault.age"));

    let output = place
        .tessera("vault.age")
        .arg("merge")
        .arg(place.path("stranger.age"))
        .output()
        .expect("runs");

    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("not a copy"));
    assert_eq!(bytes(&place.path("vault.age")), before);
}
