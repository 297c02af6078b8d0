//! Detection and the checks every format shares.

use std::path::Path;

use super::*;

/// The accounts every app's fixture holds (tests/data/import/README.md):
/// an 8-digit SHA-512 code, a HOTP counter at 7 and a Steam account among them.
pub(super) fn assert_the_four_fixture_accounts(report: &ImportReport) {
    use crate::otp::{Algorithm, Kind};

    let found: Vec<(String, Kind, Algorithm, u8)> = report
        .entries
        .iter()
        .map(|e| {
            (
                e.account.label(),
                e.account.kind,
                e.account.algorithm,
                e.account.digits,
            )
        })
        .collect();
    let expected = [
        (
            "GitHub:alice@example.com",
            Kind::Totp { period: 30 },
            Algorithm::Sha1,
            6,
        ),
        (
            "Example Bank:bob",
            Kind::Totp { period: 30 },
            Algorithm::Sha512,
            8,
        ),
        ("Forum:carol", Kind::Hotp { counter: 7 }, Algorithm::Sha1, 6),
        ("Steam:dave", Kind::Steam { period: 30 }, Algorithm::Sha1, 5),
    ]
    .map(|(label, kind, algorithm, digits)| (label.to_owned(), kind, algorithm, digits));
    assert_eq!(found, expected);
}

impl ImportReport {
    /// `issuer:account` of every entry, in order.
    pub(super) fn labels(&self) -> Vec<String> {
        self.entries.iter().map(|e| e.account.label()).collect()
    }

    /// The entry labelled `label`; panics (failing the test) if there is none.
    pub(super) fn imported(&self, label: &str) -> &Imported {
        self.entries
            .iter()
            .find(|e| e.account.label() == label)
            .unwrap_or_else(|| panic!("{label} not imported"))
    }
}

/// Runs an encrypted format's `read` with `password` as the answer.
pub(super) fn read_with_password(
    read: fn(&[u8], PasswordSource<'_>) -> Result<ImportReport, ImportError>,
    bytes: &[u8],
    password: &str,
) -> Result<ImportReport, ImportError> {
    let password = password.to_owned();
    read(bytes, &mut || Ok(password.clone().into()))
}

fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/import")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn detection_picks_the_right_format_for_each_fixture() {
    let cases = [
        ("aegis-plain.json", Format::Aegis),
        ("aegis-plain-v2.json", Format::Aegis),
        ("aegis-encrypted.json", Format::Aegis),
        ("2fas-plain.2fas", Format::TwoFas),
        ("2fas-plain-v1.2fas", Format::TwoFas),
        ("2fas-encrypted.2fas", Format::TwoFas),
        ("andotp-plain.json", Format::AndOtp),
        ("andotp-encrypted.json.aes", Format::AndOtp),
    ];
    for (name, format) in cases {
        // A misleading name must not matter: content decides.
        let found = detect(&fixture(name), Path::new("export.txt"));
        assert_eq!(found, Some(format), "{name}");
    }
}

#[test]
fn images_are_known_by_their_magic_bytes() {
    assert_eq!(
        detect(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", Path::new("x")),
        Some(Format::Qr)
    );
    assert_eq!(
        detect(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10], Path::new("x")),
        Some(Format::Qr)
    );
}

#[test]
fn file_names_hint_only_where_content_cannot_tell() {
    assert_eq!(
        hinted_by_name(Path::new("backup.json.aes")),
        Some(Format::AndOtp)
    );
    assert_eq!(
        hinted_by_name(Path::new("x/2FAS-Backup.2fas")),
        Some(Format::TwoFas)
    );
    assert_eq!(hinted_by_name(Path::new("shot.JPG")), Some(Format::Qr));
    assert_eq!(hinted_by_name(Path::new("export.json")), None);
}

#[test]
fn format_names_read_as_the_apps_call_themselves() {
    assert_eq!(Format::TwoFas.to_string(), "2FAS");
    assert_eq!(Format::FreeOtpPlus.to_string(), "FreeOTP+");
}

fn draft(otp_type: OtpType) -> Draft<'static> {
    Draft {
        issuer: " GitHub ".into(),
        name: "alice".into(),
        secret: "jbsw y3dp ehpk 3pxp====",
        otp_type,
        algorithm: None,
        digits: None,
        period: None,
        counter: None,
    }
}

#[test]
fn a_draft_takes_the_usual_defaults_and_trims_names() {
    let account = draft(OtpType::Totp).into_account().unwrap();
    assert_eq!(account.label(), "GitHub:alice");
    assert_eq!(
        (account.kind, account.algorithm, account.digits),
        (Kind::Totp { period: 30 }, Algorithm::Sha1, 6)
    );
    let hotp = draft(OtpType::Hotp).into_account().unwrap();
    assert_eq!(hotp.kind, Kind::Hotp { counter: 0 });
}

#[test]
fn steam_is_always_five_characters_of_sha1() {
    let mut steam = draft(OtpType::Steam);
    steam.digits = Some(6);
    let account = steam.into_account().unwrap();
    assert_eq!(
        (account.digits, account.kind),
        (5, Kind::Steam { period: 30 })
    );

    let mut sha256 = draft(OtpType::Steam);
    sha256.algorithm = Some("SHA256");
    assert_eq!(
        sha256.into_account().unwrap_err(),
        "Steam codes use SHA1, but the export says \"SHA256\""
    );
}

#[test]
fn a_draft_names_the_field_that_is_wrong() {
    let mut md5 = draft(OtpType::Totp);
    md5.algorithm = Some("MD5");
    assert_eq!(
        md5.into_account().unwrap_err(),
        "the algorithm \"MD5\" is not supported (only SHA1, SHA256 and SHA512)"
    );
    let mut digits = draft(OtpType::Totp);
    digits.digits = Some(12);
    assert_eq!(
        digits.into_account().unwrap_err(),
        "codes of 12 digits are not supported (1 to 10)"
    );
    let mut period = draft(OtpType::Totp);
    period.period = Some(0);
    assert_eq!(
        period.into_account().unwrap_err(),
        "the period is 0 seconds"
    );
}

#[test]
fn a_bad_secret_is_reported_without_repeating_it() {
    let mut bad = draft(OtpType::Totp);
    bad.secret = "SECRET1SECRET";
    let reason = bad.into_account().unwrap_err();
    assert!(
        reason.contains("position 7") && !reason.contains("SECRET"),
        "{reason}"
    );
}

#[test]
fn tags_are_trimmed_and_kept_once() {
    let tags = clean_tags(["Work", " work ", "", "Home"].map(String::from));
    assert_eq!(tags, ["Work", "Home"]);
}

#[test]
fn errors_say_what_to_do() {
    let wrong = ImportError::WrongPassword {
        format: Format::Aegis,
    };
    assert_eq!(
        wrong.to_string(),
        "the password is wrong: it does not decrypt this Aegis export; \
         use the password set when exporting (not the vault's passphrase)"
    );
    let damaged = ImportError::damaged(Format::AndOtp, "the JSON is not valid at line 1, column 2");
    assert_eq!(
        damaged.to_string(),
        "this is not a readable andOTP export: the JSON is not valid at line 1, column 2; \
         check it is the right file, or export it again"
    );
}
