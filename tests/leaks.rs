//! Nothing leaks: a known secret is put through every command, success and
//! error paths alike, with the debug log on, and searched for in all stdout,
//! stderr and the log, in every spelling (base32 upper, lower, grouped, hex
//! of its bytes, the raw text). `Debug` formatting of every public type that
//! holds it is searched too. Also: the three ways of failing to unlock have
//! three different messages; an absurd scrypt work factor is refused at
//! once; files are 0600; a vault readable by others is reported.

mod common;

use std::fmt::Write as _;
use std::fs;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;
use tessera::otp::{Account, Secret};

const PASSPHRASE: &str = "leaky passphrase do not print";
/// The canary secret's bytes; printable so a raw dump would show it too.
const SECRET_BYTES: &[u8] = b"canary-secret-0042!?";

fn secret_base32() -> String {
    base32::encode(base32::Alphabet::Rfc4648 { padding: false }, SECRET_BYTES)
}

/// Every spelling of the secret (and the passphrase) that must never show.
fn forbidden() -> Vec<String> {
    let upper = secret_base32();
    let grouped = upper
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ");
    let hex = SECRET_BYTES.iter().fold(String::new(), |mut hex, b| {
        let _ = write!(hex, "{b:02x}");
        hex
    });
    vec![
        upper[..16].to_owned(),
        upper.to_lowercase()[..16].to_owned(),
        grouped[..19].to_owned(),
        hex[..24].to_owned(),
        hex.to_uppercase()[..24].to_owned(),
        String::from_utf8_lossy(SECRET_BYTES).into_owned(),
        format!("{:?}", &SECRET_BYTES[..8]),
        PASSPHRASE.to_owned(),
    ]
}

fn assert_clean(what: &str, text: &str) {
    for needle in forbidden() {
        assert!(
            !text.contains(&needle) && !text.to_uppercase().contains(&needle.to_uppercase()),
            "{what} shows the secret ({needle:?}):\n{text}"
        );
    }
    assert!(!text.contains("panicked"), "{what} panicked:\n{text}");
}

/// The search itself works: a grouped, lower-case spelling is caught.
#[test]
#[should_panic(expected = "shows the secret")]
fn the_search_catches_a_grouped_lower_case_secret() {
    let grouped = secret_base32()
        .to_lowercase()
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ");
    assert_clean("a sample", &format!("secret: {grouped}"));
}

/// A folder with the vault, the passphrase file and a state dir for the log.
struct Place {
    dir: TempDir,
}

impl Place {
    fn new() -> Place {
        let dir = common::folder_with_passphrase(PASSPHRASE);
        fs::write(dir.path().join("wrong"), "not the passphrase\n").expect("write a test file");
        Place { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn log_file(&self) -> PathBuf {
        self.path("state/tessera/tessera.log")
    }

    /// `tessera` with the log on (debug) and the given passphrase file.
    fn tessera(&self, pass: &str, args: &[&str], stdin: &str) -> Output {
        let mut child = common::process()
            .arg("--vault")
            .arg(self.path("vault.age"))
            .arg("--passphrase-file")
            .arg(self.path(pass))
            .args(args)
            .env("TESSERA_LOG", "debug")
            .env("XDG_STATE_HOME", self.path("state"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run tessera");
        child
            .stdin
            .take()
            .expect("piped stdin")
            .write_all(stdin.as_bytes())
            .expect("write to tessera's stdin");
        child.wait_with_output().expect("run tessera")
    }
}

fn uri_with_canary(issuer: &str, tail: &str) -> String {
    format!(
        "otpauth://totp/{issuer}:alice?secret={}&issuer={issuer}{tail}",
        secret_base32()
    )
}

/// One command of the canary run: which passphrase file, the arguments,
/// and what goes to standard input.
struct Run {
    pass: &'static str,
    args: Vec<String>,
    stdin: String,
}

fn run(pass: &'static str, args: &[&str]) -> Run {
    Run {
        pass,
        args: args.iter().map(|a| (*a).to_owned()).collect(),
        stdin: String::new(),
    }
}

/// Every command, on its success and its error paths, with the canary.
/// Writes the files the import and merge commands read into `place`.
fn canary_commands(place: &Place) -> Vec<Run> {
    let b32 = secret_base32();
    let canary = uri_with_canary("Canary", "");
    let lower = uri_with_canary("Lower", "").replace(&b32, &b32.to_lowercase());
    let bad_base32 = uri_with_canary("Bad", "").replace("secret=", "secret=1");
    let bang = format!("otpauth://totp/x?secret={b32}!");
    let https = format!("https://example.com/?secret={b32}");
    let mut from_stdin = run("pass", &["add"]);
    from_stdin.stdin = format!("{lower}\n");
    let uri_list = place.path("export.txt");
    fs::write(
        &uri_list,
        format!("{}\n{bad_base32}\n", uri_with_canary("Imported", "")),
    )
    .expect("write the import file");
    let junk = place.path("junk.json");
    fs::write(
        &junk,
        format!("{{\"db\": {{\"entries\": [{{\"secret\": \"{b32}\"}}]}}}}"),
    )
    .expect("write the import file");
    let list = uri_list.to_str().expect("utf-8 path").to_owned();
    let junk = junk.to_str().expect("utf-8 path").to_owned();
    let exported = place
        .path("out.txt")
        .to_str()
        .expect("utf-8 path")
        .to_owned();
    let copy = place
        .path("copy.age")
        .to_str()
        .expect("utf-8 path")
        .to_owned();
    vec![
        run("pass", &["init"]),
        run("pass", &["add", &canary]),
        from_stdin,
        run("pass", &["add", &canary]),
        run("pass", &["add", &uri_with_canary("Bad", "&digits=eleven")]),
        run("pass", &["add", &uri_with_canary("Bad", "&algorithm=MD5")]),
        run("pass", &["add", &uri_with_canary("Bad", "&period=0")]),
        run("pass", &["add", &bad_base32]),
        run("pass", &["add", &bang]),
        run("pass", &["add", &https]),
        run("pass", &["add", &b32]),
        run("pass", &["list"]),
        run("pass", &["list", "--json"]),
        run("pass", &["code", "Canary"]),
        run("pass", &["code", "Canary", "--at", "1700000000"]),
        run("pass", &["code", "alice"]),
        run("pass", &["code", "nobody"]),
        run(
            "pass",
            &["code", "Canary", "--copy", "--clipboard", "osc52"],
        ),
        run("pass", &["import", &list, "--dry-run"]),
        run("pass", &["import", &list]),
        run("pass", &["import", &list]),
        run("pass", &["import", &junk]),
        run("pass", &["import", &junk, "--format", "aegis"]),
        run("pass", &["import", &junk, "--format", "google"]),
        run("pass", &["export", "--format", "uris"]),
        run("pass", &["export", "--format", "aegis", "-o", &exported]),
        run(
            "pass",
            &["export", "--format", "uris", "--plaintext", "-o", &exported],
        ),
        run("pass", &["qr", "nobody"]),
        run("pass", &["merge", &copy]),
        run("pass", &["remove", "Canary"]),
        run("wrong", &["list"]),
        run("wrong", &["add", &uri_with_canary("Wrong", "")]),
        run("pass", &["init"]),
        run("pass", &["remove", "Canary", "--yes"]),
        run("pass", &["list"]),
    ]
}

#[test]
fn no_command_shows_the_secret_in_output_errors_or_the_log() {
    let place = Place::new();

    for command in canary_commands(&place) {
        if command.args[0] == "merge" {
            fs::copy(place.path("vault.age"), place.path("copy.age")).expect("copy the vault");
        }
        let args: Vec<&str> = command.args.iter().map(String::as_str).collect();
        let output = place.tessera(command.pass, &args, &command.stdin);
        let what = format!("tessera {}", args[0]);
        assert_clean(
            &format!("{what} stdout"),
            &String::from_utf8_lossy(&output.stdout),
        );
        assert_clean(
            &format!("{what} stderr"),
            &String::from_utf8_lossy(&output.stderr),
        );
    }

    // The canary really went through: the plaintext export (asked for, to
    // a 0600 file) holds it.
    let exported = fs::read_to_string(place.path("out.txt")).expect("the export was written");
    assert!(
        exported.contains(&secret_base32()),
        "the canary never reached the vault"
    );
    assert_eq!(mode(&place.path("out.txt")), 0o600);

    let log = fs::read_to_string(place.log_file()).expect("TESSERA_LOG=debug writes the log");
    assert!(
        log.contains("start: import") && log.contains("start: export"),
        "{log}"
    );
    assert!(
        log.contains("start: add") && log.contains("opened"),
        "the log is empty:\n{log}"
    );
    assert!(log.contains("failed: add"), "errors are logged:\n{log}");
    assert_clean("the debug log", &log);
}

#[test]
fn a_damaged_vault_shows_no_secret_in_any_error_or_the_log() {
    let place = Place::new();
    place.tessera("pass", &["init"], "");
    place.tessera("pass", &["add", &uri_with_canary("Canary", "")], "");
    let mut bytes = fs::read(place.path("vault.age")).expect("read the vault");
    let last = bytes.len() - 5;
    bytes[last] ^= 0x80;
    fs::write(place.path("vault.age"), bytes).expect("write the vault");

    for args in [
        vec!["list"],
        vec!["code", "Canary"],
        vec!["add", &uri_with_canary("D", "")],
    ] {
        let output = place.tessera("pass", &args, "");
        assert!(!output.status.success());
        assert_clean(
            "damaged vault stderr",
            &String::from_utf8_lossy(&output.stderr),
        );
    }
    let log = fs::read_to_string(place.log_file()).expect("the log");
    assert!(log.contains("damaged"), "{log}");
    assert_clean("the debug log", &log);
}

#[test]
fn debug_formatting_never_shows_the_secret() {
    let parsed = Account::from_uri(&uri_with_canary("Debug", "&image=x")).unwrap();
    let code = parsed.account.code_at(1_700_000_000);
    let secret = Secret::from_bytes(SECRET_BYTES.to_vec());
    let error = Account::from_uri(&uri_with_canary("Debug", "&digits=x")).unwrap_err();

    for text in [
        format!("{parsed:?}"),
        format!("{parsed:#?}"),
        format!("{:?}", parsed.account),
        format!("{secret:?}"),
        format!("{code:?}"),
        format!("{error:?} {error}"),
    ] {
        assert_clean("Debug output", &text);
    }
    assert!(
        !format!("{code:?}").contains(code.as_str()),
        "Debug shows the code"
    );
}

#[test]
fn debug_formatting_of_an_open_vault_never_shows_the_secret() {
    let place = Place::new();
    place.tessera("pass", &["init"], "");
    place.tessera("pass", &["add", &uri_with_canary("Vaulted", "")], "");
    let vault = tessera::vault::Vault::open(
        &place.path("vault.age"),
        tessera::vault::Key::Passphrase(secrecy::SecretString::from(PASSPHRASE.to_owned())),
    )
    .unwrap();

    assert_clean("Vault Debug", &format!("{vault:?} {vault:#?}"));
    assert_clean("Entry Debug", &format!("{:#?}", vault.entries()));
}

#[test]
fn the_log_is_private_says_where_it_is_and_is_off_by_default() {
    let place = Place::new();

    let output = place.tessera("pass", &["init"], "");

    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("logging to") && stderr.contains("tessera.log"),
        "{stderr}"
    );
    assert_eq!(mode(&place.log_file()), 0o600);

    let quiet = common::process()
        .args(["list", "--vault"])
        .arg(place.path("vault.age"))
        .arg("--passphrase-file")
        .arg(place.path("pass"))
        .env("XDG_STATE_HOME", place.path("quiet-state"))
        .output()
        .unwrap();
    assert!(quiet.status.success());
    assert!(
        quiet.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&quiet.stderr)
    );
    assert!(
        !place.path("quiet-state").exists(),
        "no log unless asked for"
    );
}

// ---------------------------------------------------------------------------
// Unlock failures and scrypt work factors.

fn stderr_of(output: &Output) -> String {
    assert_eq!(output.status.code(), Some(1));
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn identity_tessera(place: &Place, identity: &Path, args: &[&str]) -> Output {
    common::process()
        .arg("--vault")
        .arg(place.path("keyed.age"))
        .arg("--identity")
        .arg(identity)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run tessera")
}

#[test]
fn wrong_passphrase_wrong_identity_and_damage_are_three_different_messages() {
    let place = Place::new();
    place.tessera("pass", &["init"], "");
    assert!(
        identity_tessera(&place, &place.path("right.key"), &["init"])
            .status
            .success()
    );
    tessera::vault::generate_identity_file(&place.path("other.key")).unwrap();

    let wrong_passphrase = stderr_of(&place.tessera("wrong", &["list"], ""));
    let wrong_identity = stderr_of(&identity_tessera(
        &place,
        &place.path("other.key"),
        &["list"],
    ));
    let mut bytes = fs::read(place.path("vault.age")).unwrap();
    let last = bytes.len() - 3;
    bytes[last] ^= 0x01;
    fs::write(place.path("vault.age"), bytes).unwrap();
    let damaged = stderr_of(&place.tessera("pass", &["list"], ""));

    assert!(
        wrong_passphrase.contains("passphrase is wrong"),
        "{wrong_passphrase}"
    );
    assert!(
        wrong_identity
            .to_lowercase()
            .contains("none of the identities")
            && wrong_identity.contains("other.key"),
        "{wrong_identity}"
    );
    assert!(
        damaged.contains("damaged") && damaged.contains(".bak.1"),
        "{damaged}"
    );
    assert!(!damaged.contains("passphrase") && !wrong_identity.contains("passphrase"));
}

#[test]
fn an_absurd_scrypt_work_factor_is_refused_at_once() {
    let place = Place::new();
    place.tessera("pass", &["init"], "");
    let bytes = fs::read(place.path("vault.age")).unwrap();
    let at = bytes
        .windows(4)
        .position(|w| w == b" 10\n")
        .expect("work factor 10");
    let mut patched = bytes.clone();
    patched[at..at + 4].copy_from_slice(b" 40\n");
    fs::write(place.path("vault.age"), &patched).unwrap();

    let started = Instant::now();
    let stderr = stderr_of(&place.tessera("pass", &["list"], ""));

    assert!(started.elapsed() < Duration::from_secs(5), "it ran scrypt");
    assert!(
        stderr.contains("work factor 40") && stderr.contains("limit of 22"),
        "{stderr}"
    );
    assert_eq!(fs::read(place.path("vault.age")).unwrap(), patched);
}

// ---------------------------------------------------------------------------
// File modes.

fn mode(path: &Path) -> u32 {
    fs::metadata(path)
        .expect("stat a test file")
        .permissions()
        .mode()
        & 0o777
}

#[test]
fn the_vault_its_backups_lock_and_identity_files_are_private() {
    let place = Place::new();
    place.tessera("pass", &["init"], "");
    place.tessera("pass", &["add", &uri_with_canary("One", "")], "");
    place.tessera("pass", &["add", &uri_with_canary("Two", "")], "");
    assert!(
        identity_tessera(&place, &place.path("id.key"), &["init"])
            .status
            .success()
    );

    for name in [
        "vault.age",
        "vault.age.bak.1",
        "vault.age.bak.2",
        "vault.age.lock",
        "id.key",
        "keyed.age",
    ] {
        assert_eq!(mode(&place.path(name)), 0o600, "{name}");
    }
}

#[test]
fn files_written_for_exports_are_private_whatever_the_umask_allows() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("export.txt");
    fs::write(&path, "old").unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();

    tessera::vault::write_atomic(&path, b"otpauth://...").unwrap();

    assert_eq!(mode(&path), 0o600);
}

#[test]
fn a_vault_readable_by_others_is_reported_by_every_command() {
    let place = Place::new();
    place.tessera("pass", &["init"], "");
    fs::set_permissions(place.path("vault.age"), fs::Permissions::from_mode(0o644)).unwrap();

    for args in [vec!["list"], vec!["code", "x"]] {
        let output = place.tessera("pass", &args, "");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("can be accessed by other users (mode 644)")
                && stderr.contains("chmod 600"),
            "{args:?}: {stderr}"
        );
    }
}
