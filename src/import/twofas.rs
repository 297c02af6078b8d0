//! 2FAS backups (`.2fas`), plain or encrypted.
//!
//! The top level holds `schemaVersion`, `groups` (`id`, `name`) and either
//! `services` or, when encrypted, `servicesEncrypted`:
//! `base64(ciphertext+tag):base64(salt):base64(iv)`, AES-256-GCM under a key
//! from PBKDF2-HMAC-SHA256 with 10 000 iterations; it decrypts to the JSON
//! array `services` would hold.
//!
//! Each service: `name` (what 2FAS shows), `secret`, `groupId`, and `otp`
//! with `issuer`, `account`, `tokenType` (TOTP, HOTP or STEAM; absent in
//! schema 1, meaning TOTP), `algorithm`, `digits`, `period`, `counter`.
//! Schema versions 1 to 4 are known; others are read the same way, with a
//! warning.

use std::collections::HashMap;

use secrecy::ExposeSecret;
use zeroize::Zeroizing;

use super::json::{Fields, SecretJson};
use super::{
    Draft, Format, ImportError, ImportReport, Imported, OtpType, PasswordSource, ask_password,
    clean_tags, crypto, display_name,
};

const FORMAT: Format = Format::TwoFas;

/// PBKDF2 iterations 2FAS uses for encrypted backups.
const PBKDF2_ROUNDS: u32 = 10_000;

/// The schema versions this reader was written against.
const KNOWN_SCHEMAS: std::ops::RangeInclusive<u64> = 1..=4;

/// An object with `schemaVersion` and `services` or `servicesEncrypted`.
pub(super) fn looks_like(bytes: &[u8]) -> bool {
    SecretJson::check(bytes, |json| {
        Fields::of(json).is_some_and(|top| {
            top.has("schemaVersion") && (top.has("services") || top.has("servicesEncrypted"))
        })
    })
}

pub(super) fn read(
    bytes: &[u8],
    password: PasswordSource<'_>,
) -> Result<ImportReport, ImportError> {
    let file = SecretJson::parse(bytes, FORMAT)?;
    let top = Fields::of(&file).ok_or_else(|| damaged("the file is not a JSON object"))?;
    let mut report = ImportReport::new(FORMAT);
    if let Some(warning) = schema_warning(top) {
        report.warnings.push(warning);
    }
    let groups = group_names(top);

    match top.text("servicesEncrypted").ok().flatten() {
        Some(sealed) if !sealed.trim().is_empty() => {
            let plaintext = decrypt(sealed, password)?;
            let services = SecretJson::parse(&plaintext, FORMAT)?;
            let list = services
                .as_array()
                .ok_or_else(|| damaged("the decrypted services are not a list"))?;
            read_services(list, &groups, &mut report);
        }
        _ => {
            let list = top
                .array("services")
                .ok_or_else(|| damaged("the backup has no `services` list"))?;
            read_services(list, &groups, &mut report);
        }
    }
    Ok(report)
}

fn damaged(problem: &str) -> ImportError {
    ImportError::damaged(FORMAT, problem)
}

fn schema_warning(top: Fields<'_>) -> Option<String> {
    match top.number("schemaVersion") {
        Ok(Some(version)) if KNOWN_SCHEMAS.contains(&version) => None,
        Ok(Some(version)) => Some(format!(
            "the backup has schema version {version}; Tessera knows versions {} to {} \
             and read it as those; check the imported accounts",
            KNOWN_SCHEMAS.start(),
            KNOWN_SCHEMAS.end()
        )),
        _ => Some("the backup has no readable schema version; read as the newest known".into()),
    }
}

/// Group id -> name.
fn group_names(top: Fields<'_>) -> HashMap<String, String> {
    top.array("groups")
        .unwrap_or_default()
        .iter()
        .filter_map(Fields::of)
        .filter_map(|group| {
            let id = group.text("id").ok()??;
            let name = group.text("name").ok()??;
            Some((id.to_owned(), name.to_owned()))
        })
        .collect()
}

/// Splits `data:salt:iv`, derives the key and decrypts.
fn decrypt(sealed: &str, password: PasswordSource<'_>) -> Result<Zeroizing<Vec<u8>>, ImportError> {
    let parts: Vec<&str> = sealed.trim().split(':').collect();
    let [data, salt, iv] = parts[..] else {
        return Err(ImportError::damaged(
            FORMAT,
            format!(
                "`servicesEncrypted` has {} parts separated by `:`, not 3 (data, salt, nonce)",
                parts.len()
            ),
        ));
    };
    let decode = |text, what: &str| {
        crypto::base64(text).ok_or_else(|| {
            ImportError::damaged(
                FORMAT,
                format!("the {what} in `servicesEncrypted` is not valid base64"),
            )
        })
    };
    let (data, salt, iv) = (
        decode(data, "data")?,
        decode(salt, "salt")?,
        decode(iv, "nonce")?,
    );
    if iv.len() != crypto::NONCE_LEN || data.len() < crypto::TAG_LEN {
        return Err(damaged(
            "`servicesEncrypted` has a nonce of the wrong length or no room for its tag",
        ));
    }

    let password = ask_password(password, FORMAT)?;
    let mut key = Zeroizing::new([0u8; 32]);
    pbkdf2::pbkdf2_hmac::<sha2::Sha256>(
        password.expose_secret().as_bytes(),
        &salt,
        PBKDF2_ROUNDS,
        key.as_mut_slice(),
    );
    crypto::open(key.as_slice(), &iv, &data).ok_or(ImportError::WrongPassword { format: FORMAT })
}

fn read_services(
    services: &[serde_json::Value],
    groups: &HashMap<String, String>,
    report: &mut ImportReport,
) {
    for (index, service) in services.iter().enumerate() {
        let Some(service) = Fields::of(service) else {
            report.skip(format!("service {}", index + 1), "it is not a JSON object");
            continue;
        };
        let otp = service.object("otp");
        let issuer = issuer(service, otp);
        let account = otp.map_or("", |otp| otp.text_or_empty("account"));
        match read_service(service, otp, (issuer, account), groups) {
            Ok(imported) => report.entries.push(imported),
            Err(reason) => report.skip(display_name(issuer, account), reason),
        }
    }
}

/// The service's `name` (what 2FAS shows), else the URI's issuer.
fn issuer<'a>(service: Fields<'a>, otp: Option<Fields<'a>>) -> &'a str {
    match service.text_or_empty("name").trim() {
        "" => otp.map_or("", |otp| otp.text_or_empty("issuer").trim()),
        name => name,
    }
}

fn read_service(
    service: Fields<'_>,
    otp: Option<Fields<'_>>,
    (issuer, account): (&str, &str),
    groups: &HashMap<String, String>,
) -> Result<Imported, String> {
    let secret = service.text("secret")?.ok_or("the service has no secret")?;
    let (otp_type, algorithm, digits, period, counter) = match otp {
        Some(otp) => (
            token_type(otp.text("tokenType")?)?,
            otp.text("algorithm")?,
            otp.number("digits")?,
            otp.number("period")?,
            otp.number("counter")?,
        ),
        None => (OtpType::Totp, None, None, None, None),
    };
    let account = Draft {
        issuer: issuer.to_owned(),
        name: account.to_owned(),
        secret,
        otp_type,
        algorithm,
        digits,
        period,
        counter,
    }
    .into_account()?;
    let group = service
        .text("groupId")
        .ok()
        .flatten()
        .and_then(|id| groups.get(id).cloned());
    let mut imported = Imported::new(account);
    imported.tags = clean_tags(group);
    Ok(imported)
}

fn token_type(name: Option<&str>) -> Result<OtpType, String> {
    match name.map(str::to_ascii_uppercase).as_deref() {
        None | Some("TOTP") => Ok(OtpType::Totp),
        Some("HOTP") => Ok(OtpType::Hotp),
        Some("STEAM") => Ok(OtpType::Steam),
        Some(other) => Err(format!("the token type \"{other}\" is not supported")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::otp::Kind;

    const PLAIN: &[u8] = include_bytes!("../../tests/data/import/2fas-plain.2fas");
    const ENCRYPTED: &[u8] = include_bytes!("../../tests/data/import/2fas-encrypted.2fas");
    const SCHEMA_1: &[u8] = include_bytes!("../../tests/data/import/2fas-plain-v1.2fas");
    /// The password `examples/make_import_fixtures.rs` encrypts with.
    const PASSWORD: &str = "2fas fixture password";

    fn with_password(bytes: &[u8], password: &str) -> Result<ImportReport, ImportError> {
        super::super::tests::read_with_password(read, bytes, password)
    }

    fn plain(bytes: &[u8]) -> ImportReport {
        read(bytes, &mut || {
            panic!("a plain backup must not ask for a password")
        })
        .unwrap()
    }

    #[test]
    fn plain_backup_imports_every_token_type() {
        let report = plain(PLAIN);
        super::super::tests::assert_the_four_fixture_accounts(&report);
        assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    }

    #[test]
    fn codes_are_right_at_a_fixed_time() {
        let codes: Vec<String> = plain(PLAIN)
            .entries
            .iter()
            .map(|e| e.account.code_at(1_700_000_000).as_str().to_owned())
            .collect();
        assert_eq!(codes, ["324550", "24826435", "162583", "HTW6X"]);
    }

    #[test]
    fn groups_become_tags() {
        let tags: Vec<Vec<String>> = plain(PLAIN).entries.into_iter().map(|e| e.tags).collect();
        assert_eq!(tags[0], ["Work"]);
        assert_eq!(tags[1], ["Personal"]);
        assert!(tags[2].is_empty());
    }

    #[test]
    fn an_unknown_token_type_is_skipped_with_its_name() {
        let report = plain(PLAIN);
        assert_eq!(
            report.skipped,
            [super::super::Skipped {
                name: "Old VPN: erin".into(),
                reason: "the token type \"MOTP\" is not supported".into(),
            }]
        );
    }

    #[test]
    fn encrypted_backup_decrypts_to_the_same_accounts() {
        let report = with_password(ENCRYPTED, PASSWORD).unwrap();
        assert_eq!(report.labels(), plain(PLAIN).labels());
        assert_eq!(report.entries[0].tags, ["Work"]);
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
    fn schema_1_without_token_types_reads_as_totp() {
        let report = plain(SCHEMA_1);
        assert_eq!(report.labels(), ["GitHub:alice@example.com", "Forum:carol"]);
        assert!(
            report
                .entries
                .iter()
                .all(|e| e.account.kind == Kind::Totp { period: 30 })
        );
    }

    #[test]
    fn an_unknown_schema_is_read_with_a_warning() {
        let text = std::str::from_utf8(PLAIN)
            .unwrap()
            .replace("\"schemaVersion\": 4", "\"schemaVersion\": 9");
        let report = plain(text.as_bytes());
        assert_eq!(report.entries.len(), 4);
        assert!(
            report.warnings[0].contains("schema version 9"),
            "{:?}",
            report.warnings
        );
    }

    #[test]
    fn a_mangled_encrypted_field_is_damaged_not_a_wrong_password() {
        let text = std::str::from_utf8(ENCRYPTED).unwrap();
        let start = text.find("\"servicesEncrypted\": \"").unwrap() + 22;
        let broken = format!("{}!{}", &text[..start], &text[start + 1..]);
        let error = with_password(broken.as_bytes(), PASSWORD).unwrap_err();
        assert!(error.to_string().contains("not valid base64"), "{error}");
    }

    #[test]
    fn sniffing_knows_2fas_and_only_2fas() {
        assert!(looks_like(PLAIN) && looks_like(ENCRYPTED) && looks_like(SCHEMA_1));
        assert!(!looks_like(br#"{"version": 1, "header": {}, "db": {}}"#));
        assert!(!looks_like(b"[]"));
    }
}
