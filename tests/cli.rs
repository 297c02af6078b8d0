//! The command line, run as a user would: the real binary on vaults in
//! temporary folders, unlocked by a passphrase file or an identity file.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use tempfile::TempDir;

use common::T;
const EXAMPLE: &str =
    "otpauth://totp/Example:alice@example.com?secret=jbsw%20y3dp%20ehpk%203pxp&issuer=Example";
const HOTP: &str =
    "otpauth://hotp/RFC%204226:hotp@example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&counter=0";
/// The secret of `EXAMPLE`, to check it never appears in any output.
const SECRET: &str = "JBSWY3DPEHPK3PXP";

/// A folder with a passphrase file and a vault path in it.
struct Place {
    dir: TempDir,
}

impl Place {
    fn new() -> Self {
        let dir = common::folder_with_passphrase("correct horse battery staple");
        Place { dir }
    }

    fn vault(&self) -> PathBuf {
        self.dir.path().join("vault.age")
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `tessera` with no ambient configuration, a cheap scrypt work factor,
    /// and this place's vault and passphrase.
    fn tessera(&self) -> Command {
        let mut cmd = bare_tessera();
        cmd.arg("--vault").arg(self.vault());
        cmd.arg("--passphrase-file").arg(self.path("pass"));
        cmd
    }

    /// `tessera` on this place's vault, unlocked by the identity file `key`.
    fn with_identity(&self, key: &Path) -> Command {
        let mut cmd = bare_tessera();
        cmd.arg("--vault")
            .arg(self.vault())
            .arg("--identity")
            .arg(key);
        cmd
    }

    fn init(&self) -> &Self {
        self.tessera().arg("init").assert().success();
        self
    }

    fn add(&self, uri: &str) -> &Self {
        self.tessera().args(["add", uri]).assert().success();
        self
    }

    /// The code printed without `--at` (HOTP codes do not depend on time).
    fn code_now(&self, query: &str) -> String {
        common::stdout_of(self.tessera().args(["code", query]))
    }

    fn code(&self, query: &str) -> String {
        common::stdout_of(self.tessera().args(["code", query, "--at", T]))
    }
}

fn bare_tessera() -> Command {
    common::command()
}

fn no_secret(text: &[u8]) -> bool {
    let text = String::from_utf8_lossy(text).to_uppercase();
    !text.contains(SECRET) && !text.contains("JBSW Y3DP")
}

#[test]
fn init_then_list_shows_an_empty_vault() {
    let place = Place::new();

    place
        .tessera()
        .arg("init")
        .assert()
        .success()
        .stdout(predicate::str::contains("Created"));
    place
        .tessera()
        .args(["list", "--json"])
        .assert()
        .success()
        .stdout("[]\n");
}

#[test]
fn codes_at_a_fixed_time_match_the_reference_values() {
    let place = Place::new();
    place.init().add(EXAMPLE);
    place.add("otpauth://totp/Padded:p?secret=AAAQEAYEAUDAOCAJBIFQYDIOB4%3D%3D%3D%3D%3D%3D");
    place.add("otpauth://totp/Eight:e?secret=JBSWY3DPEHPK3PXP&digits=8");
    place.add("otpauth://totp/Minute:m?secret=JBSWY3DPEHPK3PXP&period=60");
    place.add("otpauth://totp/Long:l?secret=JBSWY3DPEHPK3PXP&algorithm=sha512");
    place.add("otpauth://totp/Steam:s?secret=JBSWY3DPEHPK3PXP&issuer=Steam&encoder=steam");

    assert_eq!(place.code("Example"), "324550");
    assert_eq!(place.code("Padded"), "533754");
    assert_eq!(place.code("Eight"), "02324550");
    assert_eq!(place.code("Minute"), "508648");
    assert_eq!(place.code("Long"), "045688");
    assert_eq!(place.code("Steam"), "2KM2P");
}

#[test]
fn hotp_codes_advance_and_the_counter_is_saved() {
    let place = Place::new();
    place.init().add(HOTP);

    let codes: Vec<String> = (0..3).map(|_| place.code_now("RFC 4226")).collect();

    assert_eq!(codes, ["755224", "287082", "359152"]);
    place
        .tessera()
        .args(["list", "--json"])
        .assert()
        .stdout(predicate::str::contains("\"counter\": 3"));
}

#[test]
fn add_reads_uris_from_stdin_and_never_prints_the_secret() {
    let place = Place::new();
    place.init();

    let output = place
        .tessera()
        .arg("add")
        .write_stdin(format!("{EXAMPLE}\n\nsteam://JBSWY3DPEHPK3PXP\n"))
        .output()
        .expect("runs");

    assert!(output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("Added Example: alice@example.com (TOTP, SHA1, 6 digits"),
        "{stdout}"
    );
    assert!(no_secret(&output.stdout) && no_secret(&output.stderr));
    assert_eq!(place.code("steam"), "2KM2P");
}

#[test]
fn adding_the_same_account_twice_is_refused() {
    let place = Place::new();
    place.init().add(EXAMPLE);

    place
        .tessera()
        .args(["add", EXAMPLE])
        .assert()
        .failure()
        .stderr(predicate::str::contains("already in the vault"));
}

#[test]
fn list_json_describes_accounts_without_secrets() {
    let place = Place::new();
    place.init().add(EXAMPLE).add(HOTP);

    let output = place
        .tessera()
        .args(["list", "--json"])
        .output()
        .expect("runs");
    let items: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");

    assert_eq!(items[0]["issuer"], "Example");
    assert_eq!(items[0]["account"], "alice@example.com");
    assert_eq!(items[0]["kind"], "totp");
    assert_eq!(items[0]["period"], 30);
    assert_eq!(items[1]["kind"], "hotp");
    assert_eq!(items[1]["counter"], 0);
    assert!(no_secret(&output.stdout));
}

#[test]
fn a_query_matching_several_accounts_exits_2_and_names_them() {
    let place = Place::new();
    place.init().add(EXAMPLE);
    place.add("otpauth://totp/Example:bob@example.com?secret=KRSXG5CTMVRXEZLU");

    place
        .tessera()
        .args(["code", "example"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("Example:alice@example.com"))
        .stderr(predicate::str::contains("Example:bob@example.com"));
    assert_eq!(place.code("example:bob@example.com").len(), 6);
}

#[test]
fn a_query_matching_nothing_exits_1() {
    let place = Place::new();
    place.init().add(EXAMPLE);

    place
        .tessera()
        .args(["code", "gitlab"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("No account matches \"gitlab\""));
}

#[test]
fn remove_needs_yes_without_a_terminal() {
    let place = Place::new();
    place.init().add(EXAMPLE);

    place
        .tessera()
        .args(["remove", "example"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("--yes"));
    place
        .tessera()
        .args(["remove", "example", "--yes"])
        .assert()
        .success();
    place
        .tessera()
        .args(["list", "--json"])
        .assert()
        .stdout("[]\n");
}

#[test]
fn a_bad_uri_names_the_problem_without_echoing_the_secret() {
    let place = Place::new();
    place.init();

    let output = place
        .tessera()
        .args(["add", "otpauth://totp/X?secret=JBSWY3DPEHPK3PX1"])
        .output()
        .expect("runs");

    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("position 16"), "{stderr}");
    assert!(!stderr.contains("JBSWY3DPEHPK3PX"), "{stderr}");
}

#[test]
fn a_wrong_passphrase_is_reported_as_such() {
    let place = Place::new();
    place.init().add(EXAMPLE);
    fs::write(place.path("wrong"), "not it\n").expect("write");

    bare_tessera()
        .arg("--vault")
        .arg(place.vault())
        .arg("--passphrase-file")
        .arg(place.path("wrong"))
        .arg("list")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("passphrase").and(predicate::str::contains("wrong")));
}

#[test]
fn init_refuses_to_overwrite_a_vault() {
    let place = Place::new();
    place.init().add(EXAMPLE);

    place
        .tessera()
        .arg("init")
        .assert()
        .failure()
        .stderr(predicate::str::contains("already exists"));
    assert_eq!(place.code("example"), "324550");
}

#[test]
fn a_missing_vault_says_how_to_create_one() {
    let place = Place::new();

    place
        .tessera()
        .arg("list")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("tessera init"));
}

#[test]
fn global_options_work_after_the_command() {
    let place = Place::new();
    place.init().add(EXAMPLE);

    bare_tessera()
        .args(["code", "example", "--at", T, "--vault"])
        .arg(place.vault())
        .arg("--passphrase-file")
        .arg(place.path("pass"))
        .assert()
        .success()
        .stdout("324550\n");
}

#[test]
fn the_vault_path_can_come_from_the_environment() {
    let place = Place::new();
    place.init().add(EXAMPLE);

    bare_tessera()
        .env("TESSERA_VAULT", place.vault())
        .arg("--passphrase-file")
        .arg(place.path("pass"))
        .args(["code", "example", "--at", T])
        .assert()
        .stdout("324550\n");
}

/// An identity vault: `init --identity` generates the key, later commands
/// open the vault with it, and the `age` CLI can decrypt it.
#[test]
fn identity_vault_is_created_used_and_opens_with_age() {
    let place = Place::new();
    let key = place.path("key.txt");
    let with_identity = |args: &[&str]| {
        let mut cmd = place.with_identity(&key);
        cmd.args(args);
        cmd
    };

    with_identity(&["init"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Generated"));
    with_identity(&["add", EXAMPLE]).assert().success();
    with_identity(&["code", "example", "--at", T])
        .assert()
        .stdout("324550\n");
    assert_eq!(mode_of(&key) & 0o777, 0o600);

    let Some(age) = tool("age") else { return };
    let plain = std::process::Command::new(age)
        .arg("-d")
        .arg("-i")
        .arg(&key)
        .arg(place.vault())
        .output()
        .expect("age runs");
    assert!(
        plain.status.success(),
        "{}",
        String::from_utf8_lossy(&plain.stderr)
    );
    assert!(
        String::from_utf8_lossy(&plain.stdout).contains("otpauth://totp/Example:alice@example.com")
    );
}

#[test]
fn identity_vault_does_not_ask_for_a_passphrase() {
    let place = Place::new();
    let key = place.path("key.txt");
    place.with_identity(&key).arg("init").assert().success();

    bare_tessera()
        .arg("--vault")
        .arg(place.vault())
        .arg("list")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("--identity"));
}

#[test]
fn identity_from_the_environment_opens_the_vault() {
    let place = Place::new();
    let key = place.path("key.txt");
    place.with_identity(&key).arg("init").assert().success();

    bare_tessera()
        .env("TESSERA_IDENTITY", &key)
        .arg("--vault")
        .arg(place.vault())
        .args(["add", EXAMPLE])
        .assert()
        .success();
}

#[test]
fn the_vault_file_is_private() {
    let place = Place::new();
    place.init().add(EXAMPLE);

    assert_eq!(mode_of(&place.vault()) & 0o777, 0o600);
}

fn mode_of(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(path).expect("metadata").permissions().mode()
}

/// A tool the test needs. Missing on a developer machine: the check is
/// skipped with a note; missing in CI (which installs it): a failure.
fn tool(name: &str) -> Option<PathBuf> {
    let found = std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .map(|dir| dir.join(name))
        .find(|path| path.is_file());
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "{name} is not installed; .ci/run installs it"
        );
        eprintln!("note: {name} is not installed; skipping that check");
    }
    found
}

#[test]
fn a_second_recipient_can_open_the_vault_too() {
    let place = Place::new();
    let mine = place.path("mine.txt");
    let spare = place.path("spare.txt");
    let spare_public = tessera::vault::generate_identity_file(&spare).expect("spare key");

    place
        .with_identity(&mine)
        .args(["init", "--recipient", &spare_public])
        .assert()
        .success();
    place
        .with_identity(&mine)
        .args(["add", EXAMPLE])
        .assert()
        .success();

    place
        .with_identity(&spare)
        .args(["code", "example", "--at", T])
        .assert()
        .stdout("324550\n");
}

#[test]
fn a_bad_recipient_is_quoted_and_nothing_is_created() {
    let place = Place::new();

    bare_tessera()
        .arg("--vault")
        .arg(place.vault())
        .arg("--identity")
        .arg(place.path("key.txt"))
        .args(["init", "--recipient", "age1notakey"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("age1notakey"));
    assert!(!place.vault().exists());
}

#[test]
fn at_on_hotp_says_it_does_not_apply_and_uses_the_next_counter() {
    let place = Place::new();
    place.init().add(HOTP);

    place
        .tessera()
        .args(["code", "RFC 4226", "--at", T])
        .assert()
        .success()
        .stdout("755224\n")
        .stderr(predicate::str::contains("--at does not apply"));
    assert_eq!(place.code_now("RFC 4226"), "287082");
}

#[test]
fn two_accounts_with_the_same_label_are_told_apart_by_id() {
    let place = Place::new();
    place
        .init()
        .add("otpauth://totp/Steam:gamer?secret=JBSWY3DPEHPK3PXP");
    place.add("otpauth://totp/Steam:gamer?secret=KRSXG5CTMVRXEZLU");

    let output = place
        .tessera()
        .args(["code", "steam:gamer"])
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let listed = place
        .tessera()
        .args(["list", "--json"])
        .output()
        .expect("runs");
    let items: serde_json::Value = serde_json::from_slice(&listed.stdout).expect("json");
    let id = items[0]["id"].as_str().expect("id").to_owned();

    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr.contains(&format!("Steam:gamer (id {})", &id[..8])),
        "{stderr}"
    );
    assert_eq!(place.code(&id[..8]), "324550");
}
