//! andOTP backups: a plain JSON array, or encrypted `.json.aes`.
//!
//! Each entry: `secret` (base32, often padded), `issuer`, `label` (the
//! account; older backups put `Issuer - account` or `Issuer:account` there),
//! `digits`, `type` (TOTP, HOTP, STEAM; MOTP is listed and skipped),
//! `algorithm`, `period`, `counter`, and `tags` (a list of names).
//!
//! An encrypted backup is binary: a 4-byte big-endian PBKDF2 iteration count
//! (andOTP picks 140 000 to 160 000), a 12-byte salt, a 12-byte nonce, then
//! the ciphertext with its 16-byte tag, AES-256-GCM under a key from
//! PBKDF2-HMAC-SHA1. Backups from before andOTP 0.6.3 have no count or salt:
//! the nonce comes first and the key is the SHA-256 of the password; those
//! are tried when the new layout does not open.

use secrecy::ExposeSecret;
use serde_json::Value;
use sha2::Digest as _;
use zeroize::Zeroizing;

use super::json::{Fields, SecretJson};
use super::{
    Draft, Format, ImportError, ImportReport, Imported, OtpType, PasswordSource, ask_password,
    clean_tags, crypto, display_name,
};

const FORMAT: Format = Format::AndOtp;

/// Iteration counts accepted from a file: andOTP's range with room to
/// spare, small enough that a damaged count cannot make Tessera hang.
const ITERATIONS: std::ops::RangeInclusive<u32> = 1_000..=10_000_000;

/// Count, salt and nonce before the ciphertext.
const HEADER_LEN: usize = 4 + 12 + crypto::NONCE_LEN;

/// A JSON array of entries with secrets, or binary that starts with a
/// plausible iteration count.
pub(super) fn looks_like(bytes: &[u8]) -> bool {
    looks_plain(bytes) || looks_encrypted(bytes)
}

fn looks_plain(bytes: &[u8]) -> bool {
    SecretJson::check(bytes, |json| {
        json.as_array().is_some_and(|entries| {
            !entries.is_empty()
                && entries.iter().all(|entry| {
                    Fields::of(entry).is_some_and(|e| e.has("secret") && e.has("type"))
                })
        })
    })
}

fn looks_encrypted(bytes: &[u8]) -> bool {
    bytes.len() > HEADER_LEN + crypto::TAG_LEN && iterations(bytes).is_some()
}

/// The iteration count at the start of a new-style backup, if plausible.
fn iterations(bytes: &[u8]) -> Option<u32> {
    let count = u32::from_be_bytes(bytes.get(..4)?.try_into().ok()?);
    ITERATIONS.contains(&count).then_some(count)
}

pub(super) fn read(
    bytes: &[u8],
    password: PasswordSource<'_>,
) -> Result<ImportReport, ImportError> {
    if is_text(bytes) {
        let entries = SecretJson::parse(bytes, FORMAT)?;
        return read_entries(&entries);
    }
    if bytes.len() <= crypto::NONCE_LEN + crypto::TAG_LEN {
        return Err(ImportError::damaged(
            FORMAT,
            format!("the encrypted backup is only {} bytes long", bytes.len()),
        ));
    }
    let password = ask_password(password, FORMAT)?;
    let plaintext = decrypt(bytes, password.expose_secret().as_bytes())
        .ok_or(ImportError::WrongPassword { format: FORMAT })?;
    let entries = SecretJson::parse(&plaintext, FORMAT)?;
    read_entries(&entries)
}

/// UTF-8 text starting with `[`: a plain backup (perhaps damaged), never
/// one to ask a password for.
fn is_text(bytes: &[u8]) -> bool {
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(text).is_ok_and(|t| t.trim_start().starts_with('['))
}

/// Opens the new layout, else the pre-0.6.3 one.
fn decrypt(bytes: &[u8], password: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    decrypt_with_iterations(bytes, password).or_else(|| decrypt_old(bytes, password))
}

fn decrypt_with_iterations(bytes: &[u8], password: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    let rounds = iterations(bytes)?;
    let (salt, rest) = bytes.get(4..)?.split_at_checked(12)?;
    let (nonce, sealed) = rest.split_at_checked(crypto::NONCE_LEN)?;
    let mut key = Zeroizing::new([0u8; 32]);
    pbkdf2::pbkdf2_hmac::<sha1::Sha1>(password, salt, rounds, key.as_mut_slice());
    crypto::open(key.as_slice(), nonce, sealed)
}

fn decrypt_old(bytes: &[u8], password: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    let (nonce, sealed) = bytes.split_at_checked(crypto::NONCE_LEN)?;
    let key = Zeroizing::new(<[u8; 32]>::from(sha2::Sha256::digest(password)));
    crypto::open(key.as_slice(), nonce, sealed)
}

fn read_entries(entries: &Value) -> Result<ImportReport, ImportError> {
    let entries = entries
        .as_array()
        .ok_or_else(|| ImportError::damaged(FORMAT, "the backup is not a JSON list of accounts"))?;
    let mut report = ImportReport::new(FORMAT);
    for (index, entry) in entries.iter().enumerate() {
        let Some(entry) = Fields::of(entry) else {
            report.skip(format!("entry {}", index + 1), "it is not a JSON object");
            continue;
        };
        let (issuer, name) = issuer_and_name(entry);
        match read_entry(entry, &issuer, &name) {
            Ok(imported) => report.entries.push(imported),
            Err(reason) => report.skip(display_name(&issuer, &name), reason),
        }
    }
    Ok(report)
}

/// `issuer` and `label`; when there is no issuer, an `Issuer - account` or
/// `Issuer:account` label is split, and a label repeating the issuer drops it.
fn issuer_and_name(entry: Fields<'_>) -> (String, String) {
    let issuer = entry.text_or_empty("issuer").trim();
    let label = entry.text_or_empty("label").trim();
    for separator in [" - ", ":"] {
        if let Some((head, tail)) = label.split_once(separator)
            && (issuer.is_empty() || head.trim().eq_ignore_ascii_case(issuer))
        {
            let issuer = if issuer.is_empty() {
                head.trim()
            } else {
                issuer
            };
            return (issuer.to_owned(), tail.trim().to_owned());
        }
    }
    (issuer.to_owned(), label.to_owned())
}

fn read_entry(entry: Fields<'_>, issuer: &str, name: &str) -> Result<Imported, String> {
    let otp_type = match entry.text("type")?.map(str::to_ascii_uppercase).as_deref() {
        Some("TOTP") => OtpType::Totp,
        Some("HOTP") => OtpType::Hotp,
        Some("STEAM") => OtpType::Steam,
        Some("MOTP") => return Err("mOTP accounts are not supported".into()),
        Some(other) => return Err(format!("the type \"{other}\" is not supported")),
        None => return Err("the entry has no `type`".into()),
    };
    let account = Draft {
        issuer: issuer.to_owned(),
        name: name.to_owned(),
        secret: entry.text("secret")?.ok_or("the entry has no secret")?,
        otp_type,
        algorithm: entry.text("algorithm")?,
        digits: entry.number("digits")?,
        period: entry.number("period")?,
        counter: entry.number("counter")?,
    }
    .into_account()?;
    let mut imported = Imported::new(account);
    imported.tags = clean_tags(entry.strings("tags"));
    Ok(imported)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLAIN: &[u8] = include_bytes!("../../tests/data/import/andotp-plain.json");
    const ENCRYPTED: &[u8] = include_bytes!("../../tests/data/import/andotp-encrypted.json.aes");
    /// The password `examples/make_import_fixtures.rs` encrypts with.
    const PASSWORD: &str = "andotp fixture password";

    fn with_password(bytes: &[u8], password: &str) -> Result<ImportReport, ImportError> {
        super::super::tests::read_with_password(read, bytes, password)
    }

    fn plain(bytes: &[u8]) -> Result<ImportReport, ImportError> {
        read(bytes, &mut || {
            panic!("a plain backup must not ask for a password")
        })
    }

    #[test]
    fn plain_backup_imports_totp_hotp_and_steam() {
        let report = plain(PLAIN).unwrap();
        super::super::tests::assert_the_four_fixture_accounts(&report);
    }

    #[test]
    fn codes_are_right_at_a_fixed_time() {
        let codes: Vec<String> = plain(PLAIN)
            .unwrap()
            .entries
            .iter()
            .map(|e| e.account.code_at(1_700_000_000).as_str().to_owned())
            .collect();
        assert_eq!(codes, ["324550", "24826435", "162583", "HTW6X"]);
    }

    #[test]
    fn tags_carry_over() {
        let report = plain(PLAIN).unwrap();
        assert_eq!(report.entries[0].tags, ["Work", "Code"]);
        assert!(report.entries[2].tags.is_empty());
    }

    #[test]
    fn motp_is_skipped_with_a_reason() {
        let report = plain(PLAIN).unwrap();
        assert_eq!(report.skipped.len(), 1);
        assert_eq!(report.skipped[0].name, "Old VPN: erin");
        assert_eq!(report.skipped[0].reason, "mOTP accounts are not supported");
    }

    #[test]
    fn encrypted_backup_decrypts_to_the_same_accounts() {
        let report = with_password(ENCRYPTED, PASSWORD).unwrap();
        assert_eq!(report.labels(), plain(PLAIN).unwrap().labels());
    }

    #[test]
    fn old_style_encrypted_backups_open_too() {
        let key = sha2::Sha256::digest(b"old style");
        let nonce = [9u8; 12];
        let mut sealed = PLAIN.to_vec();
        aes_gcm::aead::AeadInPlace::encrypt_in_place(
            &<aes_gcm::Aes256Gcm as aes_gcm::KeyInit>::new(&key),
            aes_gcm::Nonce::from_slice(&nonce),
            b"",
            &mut sealed,
        )
        .unwrap();
        let file = [nonce.as_slice(), &sealed].concat();
        assert_eq!(with_password(&file, "old style").unwrap().entries.len(), 4);
    }

    #[test]
    fn a_wrong_password_says_so() {
        let error = with_password(ENCRYPTED, "guess").unwrap_err();
        assert!(
            matches!(error, ImportError::WrongPassword { .. }),
            "{error}"
        );
    }

    #[test]
    fn a_cut_short_plain_backup_is_damaged_and_asks_no_password() {
        let error = plain(&PLAIN[..PLAIN.len() - 40]).unwrap_err();
        assert!(error.to_string().contains("cut short"), "{error}");
    }

    #[test]
    fn labels_holding_the_issuer_are_split() {
        let json: Value = serde_json::json!([
            {"secret": "JBSWY3DPEHPK3PXP", "type": "TOTP", "label": "Shop - zoe"},
            {"secret": "JBSWY3DPEHPK3PXP", "type": "TOTP", "label": "Mail:yann", "issuer": "Mail"},
            {"secret": "JBSWY3DPEHPK3PXP", "type": "TOTP", "label": "a:b", "issuer": "Other"}
        ]);
        let report = read_entries(&json).unwrap();
        assert_eq!(report.labels(), ["Shop:zoe", "Mail:yann", "Other:a:b"]);
    }

    #[test]
    fn sniffing_knows_both_layouts() {
        assert!(looks_like(PLAIN) && looks_like(ENCRYPTED));
        assert!(!looks_like(br#"{"tokens": []}"#));
        assert!(!looks_like(b"otpauth://totp/x?secret=JBSWY3DPEHPK3PXP\n"));
        assert!(!looks_like(
            b"\x89PNG\r\n\x1a\n0000000000000000000000000000000000000000"
        ));
    }
}
