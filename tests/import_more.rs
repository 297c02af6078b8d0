//! Importing from Google Authenticator, QR screenshots, FreeOTP+, Bitwarden,
//! ente and URI lists, run as a user would: the real binary on vaults in
//! temporary folders, with the fixtures under `tests/data/import/`.
//!
//! Every fixture holds made-up accounts. The QR images are written by
//! `write_qr_fixtures` below (run it by hand with `--ignored` to remake
//! them); `google-migration.txt` by `make_google_fixture.py`, which encodes
//! the protobuf by hand.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use image::{GrayImage, Luma};
use predicates::prelude::*;
use tempfile::TempDir;

use common::T;
/// The demo key `JBSWY3DPEHPK3PXP` at `T` (TOTP, SHA1, 6 digits, 30 s).
const DEMO_CODE: &str = "324550";
/// The RFC 6238 SHA-512 key at `T`, 8 digits.
const SHA512_CODE: &str = "24826435";
/// The RFC 4226 key at counter 3.
const HOTP_AT_3: &str = "969429";
const EXAMPLE: &str =
    "otpauth://totp/Example:alice@example.com?secret=JBSWY3DPEHPK3PXP&issuer=Example";
const HOTP: &str =
    "otpauth://hotp/RFC%204226:hotp@example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&counter=3";

/// A folder with a passphrase file and a vault path in it.
struct Place {
    dir: TempDir,
}

impl Place {
    fn new() -> Self {
        let dir = common::folder_with_passphrase("correct horse battery staple");
        let place = Place { dir };
        place.tessera().arg("init").assert().success();
        place
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn tessera(&self) -> Command {
        let mut cmd = common::command();
        cmd.arg("--vault")
            .arg(self.path("vault.age"))
            .arg("--passphrase-file")
            .arg(self.path("pass"));
        cmd
    }

    /// `tessera import FILE [ARGS]`, which must succeed; its stdout and
    /// stderr together.
    fn import(&self, file: &Path, args: &[&str]) -> String {
        let output = self
            .tessera()
            .arg("import")
            .arg(file)
            .args(args)
            .output()
            .expect("runs");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(output.status.success(), "{text}");
        assert!(
            !text.contains("JBSWY3DP") && !text.contains("GEZDGNBV"),
            "{text}"
        );
        text
    }

    fn add_qr(&self, image: &Path) -> std::process::Output {
        self.tessera()
            .args(["add", "--qr"])
            .arg(image)
            .output()
            .expect("runs")
    }

    fn code(&self, query: &str) -> String {
        common::stdout_of(self.tessera().args(["code", query, "--at", T]))
    }

    /// `(issuer, account, kind)` of every entry, from `list --json`.
    fn accounts(&self) -> Vec<(String, String, String)> {
        let output = self
            .tessera()
            .args(["list", "--json"])
            .output()
            .expect("runs");
        let list: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
        let text =
            |item: &serde_json::Value, key: &str| item[key].as_str().unwrap_or("").to_owned();
        list.as_array()
            .expect("a list")
            .iter()
            .map(|item| {
                (
                    text(item, "issuer"),
                    text(item, "account"),
                    text(item, "kind"),
                )
            })
            .collect()
    }

    fn list_json(&self) -> serde_json::Value {
        let output = self
            .tessera()
            .args(["list", "--json"])
            .output()
            .expect("runs");
        serde_json::from_slice(&output.stdout).expect("JSON")
    }
}

fn fixture(name: &str) -> PathBuf {
    common::import_fixture(name)
}

fn entry(issuer: &str, account: &str, kind: &str) -> (String, String, String) {
    (issuer.to_owned(), account.to_owned(), kind.to_owned())
}

// --- QR images ---

/// `texts` as QR codes side by side, `scale` pixels per module, each with
/// the standard 4-module quiet zone, black on white.
fn qr_image(texts: &[&str], scale: u32) -> GrayImage {
    let codes: Vec<qrcode::QrCode> = texts
        .iter()
        .map(|text| qrcode::QrCode::new(text.as_bytes()).expect("fits"))
        .collect();
    let quiet = 4;
    let modules: Vec<u32> = codes
        .iter()
        .map(|code| u32::try_from(code.width()).expect("small") + 2 * quiet)
        .collect();
    let width = modules.iter().sum::<u32>() * scale;
    let height = modules.iter().copied().max().unwrap_or(0) * scale;
    let mut image = GrayImage::from_pixel(width, height, Luma([255]));
    let mut left = 0;
    for (code, size) in codes.iter().zip(&modules) {
        let width = code.width();
        for (index, color) in code.to_colors().into_iter().enumerate() {
            if color == qrcode::Color::Dark {
                let x = u32::try_from(index % width).expect("small") + quiet;
                let y = u32::try_from(index / width).expect("small") + quiet;
                for (dx, dy) in (0..scale).flat_map(|dx| (0..scale).map(move |dy| (dx, dy))) {
                    image.put_pixel(left + x * scale + dx, y * scale + dy, Luma([0]));
                }
            }
        }
        left += size * scale;
    }
    image
}

/// Remakes the QR fixtures. Run by hand:
/// `cargo test --test import_more write_qr_fixtures -- --ignored`.
#[test]
#[ignore = "writes the QR fixtures into tests/data/import"]
fn write_qr_fixtures() {
    let google = fs::read_to_string(fixture("google-migration.txt")).expect("fixture");
    let first_batch = google.lines().next().expect("a line");
    qr_image(&[EXAMPLE], 3)
        .save(fixture("qr-example.png"))
        .expect("writes");
    qr_image(&[EXAMPLE], 3)
        .save(fixture("qr-example.jpg"))
        .expect("writes");
    qr_image(&[HOTP, EXAMPLE], 3)
        .save(fixture("qr-two-codes.png"))
        .expect("writes");
    qr_image(&[first_batch], 3)
        .save(fixture("qr-google-batch-1.png"))
        .expect("writes");
}

#[test]
fn qr_fixtures_are_small() {
    for name in [
        "qr-example.png",
        "qr-example.jpg",
        "qr-two-codes.png",
        "qr-google-batch-1.png",
    ] {
        let size = fs::metadata(fixture(name)).expect("fixture").len();
        assert!(size < 12_000, "{name} is {size} bytes");
    }
}

#[test]
fn add_qr_reads_a_png_screenshot() {
    let place = Place::new();
    let output = place.add_qr(&fixture("qr-example.png"));
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        place.accounts(),
        [entry("Example", "alice@example.com", "totp")]
    );
    assert_eq!(place.code("Example"), DEMO_CODE);
}

#[test]
fn add_qr_reads_a_jpeg_screenshot() {
    let place = Place::new();
    let output = place.add_qr(&fixture("qr-example.jpg"));
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(place.code("Example"), DEMO_CODE);
}

#[test]
fn add_qr_adds_every_code_in_the_screenshot() {
    let place = Place::new();
    let output = place.add_qr(&fixture("qr-two-codes.png"));
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        place.accounts(),
        [
            entry("RFC 4226", "hotp@example.com", "hotp"),
            entry("Example", "alice@example.com", "totp"),
        ]
    );
    assert_eq!(place.code("RFC 4226"), HOTP_AT_3);
}

#[test]
fn add_qr_reads_a_google_export_code() {
    let place = Place::new();
    let output = place.add_qr(&fixture("qr-google-batch-1.png"));
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        place.accounts(),
        [
            entry("GitHub", "alice@example.com", "totp"),
            entry("RFC 4226", "hotp@example.com", "hotp"),
        ]
    );
    assert_eq!(place.code("GitHub"), DEMO_CODE);
}

#[test]
fn add_qr_without_a_code_says_so_and_adds_nothing() {
    let place = Place::new();
    let blank = place.path("blank.png");
    GrayImage::from_pixel(80, 80, Luma([255]))
        .save(&blank)
        .expect("writes");
    let output = place.add_qr(&blank);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("no QR code was found"), "{stderr}");
    assert!(place.accounts().is_empty());
}

// --- `tessera import`: these need the import command (branch imp1). ---

#[test]
fn imports_a_google_export_and_names_the_missing_batch() {
    let place = Place::new();
    let output = place.import(&fixture("google-migration.txt"), &[]);
    assert!(output.contains("batch 2 of 3"), "{output}");
    assert!(output.contains("MD5"), "{output}");
    assert_eq!(
        place.accounts(),
        [
            entry("GitHub", "alice@example.com", "totp"),
            entry("RFC 4226", "hotp@example.com", "hotp"),
            entry("Big", "carol", "totp"),
        ]
    );
    assert_eq!(place.code("GitHub"), DEMO_CODE);
    assert_eq!(place.code("Big"), SHA512_CODE);
    assert_eq!(place.code("RFC 4226"), HOTP_AT_3);
}

#[test]
fn importing_the_same_google_export_twice_changes_nothing() {
    let place = Place::new();
    place.import(&fixture("google-migration.txt"), &[]);
    let before = place.list_json();
    place.import(&fixture("google-migration.txt"), &[]);
    assert_eq!(place.list_json(), before);
}

#[test]
fn imports_a_qr_screenshot_file() {
    let place = Place::new();
    place.import(&fixture("qr-two-codes.png"), &[]);
    assert_eq!(place.accounts().len(), 2);
    assert_eq!(place.code("Example"), DEMO_CODE);
}

#[test]
fn imports_a_freeotp_plus_backup() {
    let place = Place::new();
    let output = place.import(&fixture("freeotp-plus.json"), &[]);
    assert!(output.contains("MOTP tokens are not supported"), "{output}");
    assert_eq!(place.accounts().len(), 6);
    assert_eq!(place.code("alice@example.com"), DEMO_CODE);
    assert_eq!(place.code("sha512@example.com"), SHA512_CODE);
    assert_eq!(place.code("RFC 4226"), HOTP_AT_3);
    assert_eq!(place.code("Steam"), "3M9KK");
    let tags = &place.list_json()[1]["tags"];
    assert_eq!(tags, &serde_json::json!(["Work"]));
}

#[test]
fn imports_freeotp_plus_uri_export_with_its_counter_convention() {
    let place = Place::new();
    let export = place.path("freeotp-uris.txt");
    fs::write(
        &export,
        "otpauth://hotp/RFC%204226:hotp@example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&algorithm=SHA1&digits=6&period=30&counter=4\n",
    )
    .expect("writes");
    place.import(&export, &["--format", "freeotp"]);
    assert_eq!(place.code("RFC 4226"), HOTP_AT_3);
}

#[test]
fn imports_a_bitwarden_json_export() {
    let place = Place::new();
    let output = place.import(&fixture("bitwarden.json"), &[]);
    assert!(output.contains("without a TOTP key"), "{output}");
    assert_eq!(
        place.accounts(),
        [
            entry("GitHub", "alice@example.com", "totp"),
            entry("Example", "bob", "totp"),
            entry("Big", "carol", "totp"),
            entry("RFC 4226", "hotp@example.com", "hotp"),
            entry("Steam", "gamer", "steam"),
        ]
    );
    assert_eq!(place.code("GitHub"), DEMO_CODE);
    assert_eq!(place.code("Steam"), "R87JJ");
}

#[test]
fn imports_a_bitwarden_csv_export() {
    let place = Place::new();
    place.import(&fixture("bitwarden.csv"), &[]);
    assert_eq!(place.accounts().len(), 5);
    assert_eq!(place.code("Big"), SHA512_CODE);
}

#[test]
fn imports_an_ente_export_skipping_trashed_codes() {
    let place = Place::new();
    let output = place.import(&fixture("ente-auth-codes.txt"), &[]);
    assert!(output.contains("trash"), "{output}");
    assert_eq!(place.accounts().len(), 6);
    assert_eq!(place.code("GitHub"), DEMO_CODE);
    let tags = &place.list_json()[0]["tags"];
    assert_eq!(tags, &serde_json::json!(["Work", "Dev, Ops"]));
}

#[test]
fn imports_a_uri_list_skipping_bad_lines() {
    let place = Place::new();
    let output = place.import(&fixture("uris.txt"), &[]);
    assert!(output.contains("line 5"), "{output}");
    assert_eq!(
        place.accounts(),
        [
            entry("Example", "alice@example.com", "totp"),
            entry("RFC 4226", "hotp@example.com", "hotp"),
        ]
    );
}

#[test]
fn a_damaged_google_export_is_refused_without_dumping_it() {
    let place = Place::new();
    let file = place.path("broken.txt");
    fs::write(&file, "otpauth-migration://offline?data=SECRETSTUFF\n").expect("writes");
    let output = place
        .tessera()
        .arg("import")
        .arg(&file)
        .arg("--dry-run")
        .output()
        .expect("runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(!text.contains("SECRETSTUFF"), "{text}");
    assert!(text.contains("line 1"), "{text}");
}

#[test]
fn import_of_a_screenshot_without_a_code_fails_clearly() {
    let place = Place::new();
    let blank = place.path("blank.png");
    GrayImage::from_pixel(80, 80, Luma([255]))
        .save(&blank)
        .expect("writes");
    place
        .tessera()
        .arg("import")
        .arg(&blank)
        .assert()
        .failure()
        .stderr(predicate::str::contains("no QR code was found"));
}

/// A Google Authenticator export of three accounts, one per batch, as three
/// screenshots in the place's folder.
fn google_screenshots(place: &Place) -> Vec<PathBuf> {
    let accounts: Vec<tessera::otp::Account> = [
        EXAMPLE,
        HOTP,
        "otpauth://totp/Third:c?secret=KRSXG5CTMVRXEZLU",
    ]
    .iter()
    .map(|uri| {
        tessera::otp::Account::from_uri(uri)
            .expect("parses")
            .account
    })
    .collect();
    let export = tessera::import::migration_export(&accounts, 1);
    assert_eq!(export.uris.len(), 3);
    export
        .uris
        .iter()
        .enumerate()
        .map(|(index, (_, uri))| {
            let path = place.path(&format!("batch-{index}.png"));
            qr_image(&[uri.as_str()], 3).save(&path).expect("writes");
            path
        })
        .collect()
}

#[test]
fn screenshots_of_every_batch_imported_together_warn_of_nothing_missing() {
    let place = Place::new();
    let shots = google_screenshots(&place);

    let output = place
        .tessera()
        .arg("import")
        .args(&shots)
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&output.stderr).into_owned()
        + &String::from_utf8_lossy(&output.stdout);

    assert!(output.status.success(), "{text}");
    assert!(text.contains("Imported 3 accounts"), "{text}");
    assert!(!text.contains("missing"), "{text}");
}

#[test]
fn screenshots_of_some_batches_name_the_one_left_out() {
    let place = Place::new();
    let shots = google_screenshots(&place);

    let output = place
        .tessera()
        .arg("import")
        .args(&shots[..2])
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&output.stderr).into_owned()
        + &String::from_utf8_lossy(&output.stdout);

    assert!(text.contains("batch 3 of 3"), "{text}");
    assert!(text.contains("Imported 2 accounts"), "{text}");
}
