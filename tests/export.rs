//! `tessera export` and `tessera qr`, run as a user would: the real binary
//! on vaults in temporary folders.
//!
//! Tests marked `ignore = "... after merge"` need the importers and the
//! Google migration encoder, which are built on other branches; run them
//! with `cargo test --test export -- --include-ignored` once merged.

mod common;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::Command as Process;
use std::thread::sleep;
use std::time::{Duration, Instant};

use assert_cmd::Command;
use predicates::prelude::*;
use tempfile::TempDir;
use tessera::otp::Account;

use common::T;
const EXAMPLE: &str =
    "otpauth://totp/Example:alice@example.com?secret=JBSWY3DPEHPK3PXP&issuer=Example";
const HOTP: &str = "otpauth://hotp/RFC%204226:hotp@example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=RFC%204226&counter=5";
const LONG: &str = "otpauth://totp/Long:lee?secret=JBSWY3DPEHPK3PXP&issuer=Long&algorithm=SHA512&digits=8&period=60";
const STEAM: &str = "otpauth://totp/Steam:gabe?secret=JBSWY3DPEHPK3PXP&issuer=Steam&encoder=steam";
/// An 80-bit secret (16 base32 characters is 80 bits too; this one is 10 bytes).
const SHORT: &str = "otpauth://totp/Short:sue?secret=GEZDGNBVGY3TQOJQ&issuer=Short";
const SECRET: &str = "JBSWY3DPEHPK3PXP";

const REFUSAL: &str = "This export holds your secrets in plain text; add --plaintext if that is \
                       what you want, and delete the file when done.";

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

    fn tessera_on(&self, vault: &str) -> Command {
        let mut cmd = common::command();
        cmd.arg("--vault").arg(self.path(vault));
        cmd.arg("--passphrase-file").arg(self.path("pass"));
        cmd
    }

    fn tessera(&self) -> Command {
        self.tessera_on("vault.age")
    }

    fn run_on(&self, vault: &str, args: &[&str]) -> String {
        let output = self.tessera_on(vault).args(args).output().expect("runs");
        assert!(
            output.status.success(),
            "tessera {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).expect("utf-8")
    }

    fn run(&self, args: &[&str]) -> String {
        self.run_on("vault.age", args)
    }

    /// A vault with one account of each awkward kind.
    fn with_accounts() -> Place {
        let place = Place::new();
        place.run(&["init"]);
        for uri in [EXAMPLE, HOTP, LONG, STEAM, SHORT] {
            place.run(&["add", uri]);
        }
        place
    }

    /// Every account's list entry and its code at time T, sorted.
    fn accounts_and_codes(&self, vault: &str) -> Vec<String> {
        let list: serde_json::Value =
            serde_json::from_str(&self.run_on(vault, &["list", "--json"])).expect("json");
        let mut described: Vec<String> = list
            .as_array()
            .expect("array")
            .iter()
            .map(|item| {
                let mut item = item.clone();
                item.as_object_mut().expect("object").remove("id");
                let query = format!(
                    "{}:{}",
                    item["issuer"].as_str().unwrap_or(""),
                    item["account"].as_str().unwrap_or("")
                );
                // `code` advances an HOTP counter, so take it on a throwaway copy.
                let code = self.code_on_copy(vault, &query);
                format!("{item} -> {code}")
            })
            .collect();
        described.sort();
        described
    }

    fn code_on_copy(&self, vault: &str, query: &str) -> String {
        fs::copy(self.path(vault), self.path("scratch.age")).expect("copy");
        let code = self.run_on("scratch.age", &["code", query, "--at", T]);
        fs::remove_file(self.path("scratch.age")).expect("remove");
        code.trim().to_owned()
    }
}

fn canonical(uri: &str) -> String {
    Account::from_uri(uri)
        .expect("parses")
        .account
        .to_uri()
        .to_string()
}

#[test]
fn a_plaintext_export_without_plaintext_is_refused_and_explained() {
    let place = Place::with_accounts();

    for format in ["uris", "aegis", "google"] {
        place
            .tessera()
            .args(["export", "--format", format, "--output"])
            .arg(place.path("out.txt"))
            .assert()
            .failure()
            .stderr(predicate::str::contains(REFUSAL));
    }
    assert!(!place.path("out.txt").exists());
}

#[test]
fn uris_go_to_standard_output_one_canonical_uri_per_line() {
    let place = Place::with_accounts();

    let out = place.run(&["export", "--format", "uris", "--plaintext"]);

    let expected: Vec<String> = [EXAMPLE, HOTP, LONG, STEAM, SHORT]
        .iter()
        .map(|uri| canonical(uri))
        .collect();
    assert_eq!(out.lines().collect::<Vec<_>>(), expected);
}

#[test]
fn exported_uris_parse_back_to_the_same_accounts() {
    let place = Place::with_accounts();

    let out = place.run(&["export", "--format", "uris", "--plaintext"]);

    for (line, original) in out.lines().zip([EXAMPLE, HOTP, LONG, STEAM, SHORT]) {
        let back = Account::from_uri(line).expect("parses").account;
        let original = Account::from_uri(original).expect("parses").account;
        assert_eq!(back, original);
        assert_eq!(back.code_at(1_700_000_000), original.code_at(1_700_000_000));
    }
}

#[test]
fn an_export_file_is_private_and_says_where_it_went() {
    let place = Place::with_accounts();
    let file = place.path("accounts.txt");

    place
        .tessera()
        .args(["export", "--format", "uris", "--plaintext", "--output"])
        .arg(&file)
        .assert()
        .success()
        .stdout(
            predicate::str::contains("Wrote 5 accounts to")
                .and(predicate::str::contains("delete it when done")),
        )
        .stdout(predicate::str::contains(SECRET).not());

    let mode = fs::metadata(&file).expect("exists").permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    assert_eq!(fs::read_to_string(&file).expect("read").lines().count(), 5);
}

#[test]
fn an_existing_file_is_never_overwritten_least_of_all_the_vault() {
    let place = Place::with_accounts();
    let vault_before = fs::read(place.path("vault.age")).expect("read");

    place
        .tessera()
        .args(["export", "--format", "uris", "--plaintext", "--output"])
        .arg(place.path("vault.age"))
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "already exists; it was left as it is",
        ));

    assert_eq!(
        fs::read(place.path("vault.age")).expect("read"),
        vault_before
    );
}

#[test]
fn aegis_export_is_a_plain_aegis_vault_with_every_kind() {
    let place = Place::with_accounts();
    let file = place.path("aegis.json");

    place
        .tessera()
        .args(["export", "--format", "aegis", "--plaintext", "--output"])
        .arg(&file)
        .assert()
        .success();

    let vault: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&file).expect("read")).expect("json");
    assert_eq!(vault["version"], 1);
    assert_eq!(
        vault["header"],
        serde_json::json!({"slots": null, "params": null})
    );
    assert_eq!(vault["db"]["version"], 3);
    let entries = vault["db"]["entries"].as_array().expect("entries");
    let summary: Vec<String> = entries
        .iter()
        .map(|e| format!("{} {} {} {}", e["type"], e["issuer"], e["name"], e["info"]))
        .collect();
    assert_eq!(
        summary,
        [
            r#""totp" "Example" "alice@example.com" {"algo":"SHA1","digits":6,"period":30,"secret":"JBSWY3DPEHPK3PXP"}"#,
            r#""hotp" "RFC 4226" "hotp@example.com" {"algo":"SHA1","counter":5,"digits":6,"secret":"GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"}"#,
            r#""totp" "Long" "lee" {"algo":"SHA512","digits":8,"period":60,"secret":"JBSWY3DPEHPK3PXP"}"#,
            r#""steam" "Steam" "gabe" {"algo":"SHA1","digits":5,"period":30,"secret":"JBSWY3DPEHPK3PXP"}"#,
            r#""totp" "Short" "sue" {"algo":"SHA1","digits":6,"period":30,"secret":"GEZDGNBVGY3TQOJQ"}"#,
        ]
    );
}

#[test]
fn an_empty_vault_has_nothing_to_export() {
    let place = Place::new();
    place.run(&["init"]);

    place
        .tessera()
        .args(["export", "--format", "uris", "--plaintext"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("The vault is empty"));
}

#[test]
fn qr_codes_outside_a_terminal_need_plaintext_too() {
    let place = Place::with_accounts();

    place
        .tessera()
        .args(["export", "--format", "google", "--qr"])
        .assert()
        .failure()
        .stderr(
            predicate::str::contains("not a terminal").and(predicate::str::contains("--plaintext")),
        );
}

#[test]
fn qr_with_output_or_aegis_is_refused() {
    let place = Place::with_accounts();

    place
        .tessera()
        .args([
            "export",
            "--format",
            "google",
            "--qr",
            "--plaintext",
            "--output",
        ])
        .arg(place.path("codes.txt"))
        .assert()
        .failure()
        .stderr(predicate::str::contains("writes no file"));
    place
        .tessera()
        .args(["export", "--format", "aegis", "--qr", "--plaintext"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("does not fit in QR codes"));
}

#[test]
fn uri_qr_codes_printed_as_text_read_back_as_the_uris() {
    let place = Place::with_accounts();

    let out = place.run(&["export", "--format", "uris", "--qr", "--plaintext"]);

    let expected: Vec<String> = [EXAMPLE, HOTP, LONG, STEAM, SHORT]
        .iter()
        .map(|uri| canonical(uri))
        .collect();
    assert_eq!(scan_all(&out), expected);
}

#[test]
fn tessera_qr_refuses_to_print_a_secret_into_a_pipe() {
    let place = Place::with_accounts();

    place
        .tessera()
        .args(["qr", "Example"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("only draws on a terminal"));
}

#[test]
fn tessera_qr_draws_a_code_a_phone_can_read_in_a_real_terminal() {
    let place = Place::with_accounts();
    let Some(tmux) = Tmux::start(&place, "qr Example") else {
        return;
    };

    let screen = tmux.wait_for("press Enter");

    let drawn: Vec<&str> = screen
        .lines()
        .skip(1)
        .take_while(|line| !line.contains("press Enter"))
        .collect();
    assert_eq!(scan_all(&drawn.join("\n")), [canonical(EXAMPLE)]);
    assert!(
        screen
            .lines()
            .next()
            .unwrap_or("")
            .starts_with("Example: alice@example.com")
    );

    tmux.send("Enter");
    let after = tmux.wait_for("the screen was cleared");
    assert!(!after.contains('█'), "the code is gone:\n{after}");
}

#[test]
fn google_export_leaves_out_what_google_cannot_hold_and_reads_back() {
    let place = Place::with_accounts();
    let file = place.path("google.txt");

    place
        .tessera()
        .args(["export", "--format", "google", "--plaintext", "--output"])
        .arg(&file)
        .assert()
        .success()
        .stderr(
            predicate::str::contains("left out Steam:gabe")
                .and(predicate::str::contains("left out Long:lee")),
        );
    assert!(
        fs::read_to_string(&file)
            .expect("read")
            .starts_with("otpauth-migration://offline?data=")
    );

    place.run_on("back.age", &["init"]);
    place.run_on("back.age", &["import", file.to_str().expect("utf-8")]);
    let mut expected = place.accounts_and_codes("vault.age");
    expected.retain(|line| !line.contains("\"Steam\"") && !line.contains("\"Long\""));
    assert_eq!(place.accounts_and_codes("back.age"), expected);
}

#[test]
fn google_qr_codes_printed_as_text_hold_migration_uris() {
    let place = Place::with_accounts();

    let out = place.run(&["export", "--format", "google", "--qr", "--plaintext"]);

    let scanned = scan_all(&out);
    assert_eq!(scanned.len(), 1, "three accounts fit in one code");
    assert!(scanned[0].starts_with("otpauth-migration://offline?data="));
}

#[test]
fn uris_export_imported_back_gives_the_same_accounts_and_codes() {
    let place = Place::with_accounts();
    let file = place.path("uris.txt");
    place.run(&[
        "export",
        "--format",
        "uris",
        "--plaintext",
        "--output",
        file.to_str().expect("utf-8"),
    ]);

    place.run_on("back.age", &["init"]);
    place.run_on("back.age", &["import", file.to_str().expect("utf-8")]);

    assert_eq!(
        place.accounts_and_codes("back.age"),
        place.accounts_and_codes("vault.age")
    );
}

/// A plain Aegis vault as the Aegis app writes it: groups, a note, a
/// favourite, an icon, HOTP, Steam and an 8-digit SHA-512 account.
const AEGIS_FIXTURE: &str = r#"{
  "version": 1,
  "header": {"slots": null, "params": null},
  "db": {
    "version": 3,
    "entries": [
      {"type": "totp", "uuid": "3ae6f1ad-2a3b-4f0e-9b8c-0c1d2e3f4a5b", "name": "alice@example.com",
       "issuer": "Example", "note": "main account", "favorite": true,
       "icon": "iVBORw0KGgo=",
       "icon_mime": "image/png", "icon_hash": null,
       "info": {"secret": "JBSWY3DPEHPK3PXP", "algo": "SHA1", "digits": 6, "period": 30},
       "groups": ["9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f"]},
      {"type": "hotp", "uuid": "5b4a3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d", "name": "hotp@example.com",
       "issuer": "RFC 4226", "note": "", "favorite": false, "icon": null, "icon_mime": null, "icon_hash": null,
       "info": {"secret": "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", "algo": "SHA1", "digits": 6, "counter": 5},
       "groups": ["9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f", "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"]},
      {"type": "steam", "uuid": "7c6b5a4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d", "name": "gabe",
       "issuer": "Steam", "note": "", "favorite": false, "icon": null, "icon_mime": null, "icon_hash": null,
       "info": {"secret": "JBSWY3DPEHPK3PXP", "algo": "SHA1", "digits": 5, "period": 30},
       "groups": []},
      {"type": "totp", "uuid": "2d3c4b5a-6f7e-4d8c-9b0a-1f2e3d4c5b6a", "name": "lee",
       "issuer": "Long", "note": "", "favorite": false, "icon": null, "icon_mime": null, "icon_hash": null,
       "info": {"secret": "JBSWY3DPEHPK3PXP", "algo": "SHA512", "digits": 8, "period": 60},
       "groups": []}
    ],
    "groups": [
      {"uuid": "9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f", "name": "Work"},
      {"uuid": "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d", "name": "Bank"}
    ]
  }
}
"#;

#[test]
fn aegis_export_imported_back_gives_the_same_accounts_tags_and_codes() {
    let place = Place::new();
    fs::write(place.path("from-aegis.json"), AEGIS_FIXTURE).expect("write");
    place.run(&["init"]);
    place.run(&[
        "import",
        place.path("from-aegis.json").to_str().expect("utf-8"),
    ]);
    let exported = place.path("exported.json");
    place.run(&[
        "export",
        "--format",
        "aegis",
        "--plaintext",
        "--output",
        exported.to_str().expect("utf-8"),
    ]);

    place.run_on("back.age", &["init"]);
    place.run_on("back.age", &["import", exported.to_str().expect("utf-8")]);

    let back = place.accounts_and_codes("back.age");
    assert_eq!(back, place.accounts_and_codes("vault.age"));
    assert!(
        back.iter()
            .any(|line| line.contains(r#""tags":["Work","Bank"]"#)),
        "{back:#?}"
    );
    let exported: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&exported).expect("read")).expect("json");
    assert_eq!(exported["db"]["entries"][0]["note"], "main account");
    assert_eq!(exported["db"]["entries"][0]["favorite"], true);
}

// --- reading QR codes drawn as text ---------------------------------------

/// Every QR code in `text` (half blocks; a drawn block is dark), decoded.
fn scan_all(text: &str) -> Vec<String> {
    let modules = text_to_modules(text);
    let scale = 4;
    let (height, width) = (modules.len(), modules.first().map_or(0, Vec::len));
    let mut image =
        rqrr::PreparedImage::prepare_from_greyscale(width * scale, height * scale, |x, y| {
            if modules[y / scale][x / scale] {
                0
            } else {
                255
            }
        });
    let mut found: Vec<(usize, String)> = image
        .detect_grids()
        .iter()
        .map(|grid| {
            let top = grid.bounds.iter().map(|p| p.y).min().unwrap_or(0);
            (
                usize::try_from(top).unwrap_or(0),
                grid.decode().expect("decodes").1,
            )
        })
        .collect();
    found.sort();
    found.into_iter().map(|(_, text)| text).collect()
}

/// Two module rows per line; other characters (titles) count as light.
fn text_to_modules(text: &str) -> Vec<Vec<bool>> {
    let width = text.lines().map(|l| l.chars().count()).max().unwrap_or(0);
    let mut rows = Vec::new();
    for line in text.lines() {
        let mut top = vec![false; width];
        let mut bottom = vec![false; width];
        for (x, c) in line.chars().enumerate() {
            top[x] = matches!(c, '█' | '▀');
            bottom[x] = matches!(c, '█' | '▄');
        }
        rows.push(top);
        rows.push(bottom);
    }
    rows
}

// --- a real terminal --------------------------------------------------------

/// A private tmux server running one tessera command, killed when dropped.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn start(place: &Place, args: &str) -> Option<Tmux> {
        if Process::new("tmux").arg("-V").output().is_err() {
            eprintln!("note: tmux is not installed; skipping the real-terminal test");
            return None;
        }
        let socket = format!("tessera-export-{}", std::process::id());
        let command = format!(
            "TESSERA_SCRYPT_WORK_FACTOR=10 {} --vault {} --passphrase-file {} {args}; sleep 30",
            env!("CARGO_BIN_EXE_tessera"),
            place.path("vault.age").display(),
            place.path("pass").display(),
        );
        let started = Process::new("tmux")
            .args([
                "-L",
                &socket,
                "-f",
                "/dev/null",
                "new-session",
                "-d",
                "-x",
                "100",
                "-y",
                "40",
            ])
            .arg(command)
            .env("TERM", "xterm-256color")
            .env_remove("TMUX")
            .status()
            .expect("tmux runs");
        assert!(started.success(), "tmux new-session failed");
        Some(Tmux { socket })
    }

    fn screen(&self) -> String {
        let output = Process::new("tmux")
            .args(["-L", &self.socket, "capture-pane", "-p"])
            .output()
            .expect("tmux runs");
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    fn send(&self, key: &str) {
        Process::new("tmux")
            .args(["-L", &self.socket, "send-keys", key])
            .status()
            .expect("tmux runs");
    }

    fn wait_for(&self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "waited for {text:?}; the screen shows:\n{screen}"
            );
            sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Process::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .output();
    }
}
