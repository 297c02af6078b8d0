//! Aegis vault exports (`aegis-export-*.json`), plain or encrypted.
//!
//! The layout is the one Aegis documents in `docs/vault.md`:
//! `{"version": 1, "header": {"slots", "params"}, "db"}`. A plain export has
//! `db` as an object and null slots; an encrypted one has `db` as base64
//! ciphertext. Each password slot (type 1) holds the master key encrypted
//! with AES-256-GCM under a key derived by scrypt from the password (`n`,
//! `r`, `p`, hex `salt`; hex `key`, `key_params.nonce`, `key_params.tag`);
//! the master key then decrypts `db` with `header.params.nonce`/`tag`. Slots
//! of other types (raw keys, biometric keys held by the phone) are passed
//! over: only the password can open the file here.
//!
//! Entries: `type` totp/hotp/steam (motp and yandex are listed and skipped),
//! `info.secret`/`algo`/`digits`/`period`/`counter`, `issuer`, `name`,
//! `note`, `favorite`, and groups: content version 3 names them by uuid in
//! the entry's `groups` and in the top-level `groups` list; older versions
//! have one `group` name per entry. Icons are ignored.

use std::collections::HashMap;

use secrecy::ExposeSecret;
use serde_json::Value;
use zeroize::Zeroizing;

use super::json::{Fields, SecretJson};
use super::{
    Draft, Format, ImportError, ImportReport, Imported, OtpType, PasswordSource, ask_password,
    clean_tags, crypto, display_name,
};

const FORMAT: Format = Format::Aegis;

/// The slot type of a password-derived key.
const PASSWORD_SLOT: u64 = 1;

/// The most memory a slot's scrypt parameters may ask for (Aegis uses 32 MiB).
const MAX_SCRYPT_BYTES: u64 = 1 << 30;

/// The newest content version this reader knows.
const KNOWN_CONTENT_VERSION: u64 = 3;

/// An object with `header` and `db`: the top level of every Aegis vault.
pub(super) fn looks_like(bytes: &[u8]) -> bool {
    SecretJson::check(bytes, |json| {
        Fields::of(json).is_some_and(|top| top.has("header") && top.has("db"))
    })
}

pub(super) fn read(
    bytes: &[u8],
    password: PasswordSource<'_>,
) -> Result<ImportReport, ImportError> {
    let file = SecretJson::parse(bytes, FORMAT)?;
    let top = Fields::of(&file).ok_or_else(|| damaged("the file is not a JSON object"))?;
    let mut warnings = Vec::new();
    if let Ok(Some(version)) = top.number("version")
        && version != 1
    {
        warnings.push(format!(
            "the vault says it is version {version}; Tessera knows version 1 and read it as that"
        ));
    }

    let mut report = match file.get("db") {
        Some(Value::Object(_)) => read_content(&file["db"])?,
        Some(Value::String(ciphertext)) => {
            let header = top
                .object("header")
                .ok_or_else(|| damaged("the encrypted vault has no `header`"))?;
            let plaintext = decrypt(header, ciphertext, password)?;
            read_content(&*SecretJson::parse(&plaintext, FORMAT)?)?
        }
        _ => return Err(damaged("the vault has no `db` with its accounts")),
    };
    report.warnings.splice(0..0, warnings);
    Ok(report)
}

fn damaged(problem: &str) -> ImportError {
    ImportError::damaged(FORMAT, problem)
}

/// Decrypts `db` with the master key from the first password slot that
/// the password opens.
fn decrypt(
    header: Fields<'_>,
    ciphertext: &str,
    password: PasswordSource<'_>,
) -> Result<Zeroizing<Vec<u8>>, ImportError> {
    let slots: Vec<Fields<'_>> = header
        .array("slots")
        .ok_or_else(|| damaged("the encrypted vault lists no key slots"))?
        .iter()
        .filter_map(Fields::of)
        .filter(|slot| slot.number("type") == Ok(Some(PASSWORD_SLOT)))
        .collect();
    if slots.is_empty() {
        return Err(ImportError::Unsupported {
            format: FORMAT,
            what: "no password slot (it is unlocked only by biometrics or a raw key)".into(),
            advice: "set a password in Aegis, then export again".into(),
        });
    }
    let params = header
        .object("params")
        .ok_or_else(|| damaged("the header has no `params` for the encrypted contents"))?;
    let (nonce, tag) = nonce_and_tag(params, "header.params")?;
    let mut sealed = crypto::base64(ciphertext)
        .ok_or_else(|| damaged("`db` is not valid base64 (the file was changed or cut short)"))?;
    sealed.extend_from_slice(&tag);

    let password = ask_password(password, FORMAT)?;
    let master_key = master_key(&slots, password.expose_secret().as_bytes())?;
    crypto::open(&master_key, &nonce, &sealed).ok_or_else(|| {
        damaged("the password is right, but the encrypted accounts do not match their tag")
    })
}

/// Tries `password` on each password slot.
fn master_key(slots: &[Fields<'_>], password: &[u8]) -> Result<Zeroizing<Vec<u8>>, ImportError> {
    for slot in slots {
        let wrapping_key = slot_key(*slot, password)?;
        let (nonce, tag) = nonce_and_tag(
            slot.object("key_params")
                .ok_or_else(|| damaged("a password slot has no `key_params`"))?,
            "key_params",
        )?;
        let mut sealed = hex_field(*slot, "key")?;
        sealed.extend_from_slice(&tag);
        if let Some(master_key) = crypto::open(wrapping_key.as_slice(), &nonce, &sealed) {
            return Ok(master_key);
        }
    }
    Err(ImportError::WrongPassword { format: FORMAT })
}

/// The key scrypt derives from `password` with the slot's parameters.
fn slot_key(slot: Fields<'_>, password: &[u8]) -> Result<Zeroizing<[u8; 32]>, ImportError> {
    let number = |key| {
        slot.number(key)
            .ok()
            .flatten()
            .ok_or_else(|| damaged("a password slot lacks its scrypt parameters n, r and p"))
    };
    let (n, r, p) = (number("n")?, number("r")?, number("p")?);
    let salt = hex_field(slot, "salt")?;
    let params = scrypt_params(n, r, p).ok_or_else(|| ImportError::Unsupported {
        format: FORMAT,
        what: format!("scrypt parameters N={n}, r={r}, p={p}"),
        advice: "Aegis itself writes N=32768, r=8, p=1; export again from Aegis".into(),
    })?;
    let mut key = Zeroizing::new([0u8; 32]);
    scrypt::scrypt(password, &salt, &params, key.as_mut_slice())
        .map_err(|_| damaged("the scrypt key length was refused"))?;
    Ok(key)
}

/// Scrypt parameters within reason: N a power of two, memory at most
/// [`MAX_SCRYPT_BYTES`], so a damaged file cannot make Tessera hang.
fn scrypt_params(n: u64, r: u64, p: u64) -> Option<scrypt::Params> {
    if !n.is_power_of_two() || n < 2 || !(1..=16).contains(&p) {
        return None;
    }
    if 128u64.checked_mul(r)?.checked_mul(n)? > MAX_SCRYPT_BYTES {
        return None;
    }
    let log_n = u8::try_from(n.trailing_zeros()).ok()?;
    scrypt::Params::new(log_n, u32::try_from(r).ok()?, u32::try_from(p).ok()?, 32).ok()
}

/// The hex `nonce` and `tag` of `params`, checked for length.
fn nonce_and_tag(params: Fields<'_>, place: &str) -> Result<(Vec<u8>, Vec<u8>), ImportError> {
    let nonce = hex_field(params, "nonce")?;
    let tag = hex_field(params, "tag")?;
    if nonce.len() != crypto::NONCE_LEN || tag.len() != crypto::TAG_LEN {
        return Err(ImportError::damaged(
            FORMAT,
            format!("`{place}` has a nonce or tag of the wrong length"),
        ));
    }
    Ok((nonce, tag))
}

fn hex_field(fields: Fields<'_>, key: &str) -> Result<Vec<u8>, ImportError> {
    fields
        .text(key)
        .ok()
        .flatten()
        .and_then(crypto::hex)
        .ok_or_else(|| ImportError::damaged(FORMAT, format!("`{key}` is missing or not hex")))
}

/// The decrypted (or plain) `db`: `{"version", "entries", "groups"}`.
fn read_content(content: &Value) -> Result<ImportReport, ImportError> {
    let content = Fields::of(content).ok_or_else(|| damaged("`db` is not a JSON object"))?;
    let entries = content
        .array("entries")
        .ok_or_else(|| damaged("`db` has no `entries` list"))?;
    let mut report = ImportReport::new(FORMAT);
    match content.number("version") {
        Ok(Some(version)) if version <= KNOWN_CONTENT_VERSION => {}
        Ok(Some(version)) => report.warnings.push(format!(
            "the accounts are stored as content version {version}, newer than the \
             {KNOWN_CONTENT_VERSION} Tessera knows; check the imported accounts"
        )),
        _ => report
            .warnings
            .push("the accounts have no content version; read as the newest".into()),
    }

    let groups = group_names(content);
    for (index, entry) in entries.iter().enumerate() {
        let Some(entry) = Fields::of(entry) else {
            report.skip(format!("entry {}", index + 1), "it is not a JSON object");
            continue;
        };
        let name = display_name(entry.text_or_empty("issuer"), entry.text_or_empty("name"));
        match read_entry(entry, &groups) {
            Ok(imported) => report.entries.push(imported),
            Err(reason) => report.skip(name, reason),
        }
    }
    Ok(report)
}

/// Group uuid -> name, from the top-level `groups` of content version 3.
fn group_names(content: Fields<'_>) -> HashMap<String, String> {
    content
        .array("groups")
        .unwrap_or_default()
        .iter()
        .filter_map(Fields::of)
        .filter_map(|group| {
            let uuid = group.text("uuid").ok()??;
            let name = group.text("name").ok()??;
            Some((uuid.to_owned(), name.to_owned()))
        })
        .collect()
}

fn read_entry(entry: Fields<'_>, groups: &HashMap<String, String>) -> Result<Imported, String> {
    let otp_type = match entry.text("type")?.map(str::to_ascii_lowercase).as_deref() {
        Some("totp") => OtpType::Totp,
        Some("hotp") => OtpType::Hotp,
        Some("steam") => OtpType::Steam,
        Some("motp") => return Err("mOTP accounts are not supported".into()),
        Some("yandex") => return Err("Yandex accounts are not supported".into()),
        Some(other) => return Err(format!("the type \"{other}\" is not supported")),
        None => return Err("the entry has no `type`".into()),
    };
    let info = entry.object("info").ok_or("the entry has no `info`")?;
    let account = Draft {
        issuer: entry.text_or_empty("issuer").to_owned(),
        name: entry.text_or_empty("name").to_owned(),
        secret: info.text("secret")?.ok_or("the entry has no secret")?,
        otp_type,
        algorithm: info.text("algo")?,
        digits: info.number("digits")?,
        period: info.number("period")?,
        counter: info.number("counter")?,
    }
    .into_account()?;

    let mut tags: Vec<String> = entry
        .strings("groups")
        .iter()
        .filter_map(|uuid| groups.get(uuid).cloned())
        .collect();
    tags.extend(entry.text("group").ok().flatten().map(str::to_owned));
    Ok(Imported {
        account,
        tags: clean_tags(tags),
        note: entry.text_or_empty("note").trim().to_owned(),
        pinned: entry.flag("favorite"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLAIN: &[u8] = include_bytes!("../../tests/data/import/aegis-plain.json");
    const ENCRYPTED: &[u8] = include_bytes!("../../tests/data/import/aegis-encrypted.json");
    const OLD: &[u8] = include_bytes!("../../tests/data/import/aegis-plain-v2.json");
    /// The password `examples/make_import_fixtures.rs` encrypts with.
    const PASSWORD: &str = "aegis fixture password";

    fn with_password(bytes: &[u8], password: &str) -> Result<ImportReport, ImportError> {
        super::super::tests::read_with_password(read, bytes, password)
    }

    fn no_password() -> impl FnMut() -> anyhow::Result<secrecy::SecretString> {
        || panic!("a plain vault must not ask for a password")
    }

    #[test]
    fn plain_vault_imports_totp_hotp_and_steam_entries() {
        let report = read(PLAIN, &mut no_password()).unwrap();
        super::super::tests::assert_the_four_fixture_accounts(&report);
    }

    #[test]
    fn codes_match_the_published_algorithms() {
        let report = read(PLAIN, &mut no_password()).unwrap();
        let codes: Vec<String> = report
            .entries
            .iter()
            .map(|e| e.account.code_at(1_700_000_000).as_str().to_owned())
            .collect();
        assert_eq!(codes, ["324550", "24826435", "162583", "HTW6X"]);
        // RFC 6238's SHA-512 test vector at T = 59.
        assert_eq!(report.entries[1].account.code_at(59).as_str(), "90693936");
    }

    #[test]
    fn an_80_bit_secret_is_kept_whole() {
        let report = read(PLAIN, &mut no_password()).unwrap();
        assert_eq!(report.entries[0].account.secret.bits(), 80);
    }

    #[test]
    fn groups_notes_and_favourites_carry_over() {
        let report = read(PLAIN, &mut no_password()).unwrap();
        let github = &report.entries[0];
        assert_eq!(github.tags, ["Work", "Personal"]);
        assert_eq!(github.note, "Main account; recovery codes are in the safe");
        assert!(github.pinned);
        let bank = &report.entries[1];
        assert_eq!(
            (bank.tags.as_slice(), bank.pinned),
            (&["Personal".to_owned()][..], false)
        );
    }

    #[test]
    fn unsupported_kinds_and_bad_secrets_are_skipped_with_reasons() {
        let report = read(PLAIN, &mut no_password()).unwrap();
        let skipped: Vec<(&str, &str)> = report
            .skipped
            .iter()
            .map(|s| (s.name.as_str(), s.reason.as_str()))
            .collect();
        assert_eq!(
            skipped,
            [
                ("Old VPN: erin", "mOTP accounts are not supported"),
                ("Yandex: frank", "Yandex accounts are not supported"),
                (
                    "Broken: grace",
                    "the secret has a character that is not base32 at position 4: \
                     base32 uses only A-Z and 2-7; check the key was copied whole"
                ),
            ]
        );
    }

    #[test]
    fn encrypted_vault_opens_with_its_password_past_a_biometric_slot() {
        let report = with_password(ENCRYPTED, PASSWORD).unwrap();
        let plain = read(PLAIN, &mut no_password()).unwrap();
        assert_eq!(report.labels(), plain.labels());
        assert_eq!(report.entries[0].tags, ["Work", "Personal"]);
        assert_eq!(report.skipped.len(), 3);
    }

    #[test]
    fn a_wrong_password_says_so() {
        let error = with_password(ENCRYPTED, "not the password").unwrap_err();
        assert!(
            matches!(error, ImportError::WrongPassword { .. }),
            "{error}"
        );
        assert!(error.to_string().starts_with("the password is wrong"));
    }

    #[test]
    fn older_vaults_name_one_group_per_entry() {
        let report = read(OLD, &mut no_password()).unwrap();
        let tags: Vec<&[String]> = report.entries.iter().map(|e| e.tags.as_slice()).collect();
        assert_eq!(tags, [&["Work".to_owned()][..], &[]]);
        assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    }

    #[test]
    fn a_cut_short_vault_is_damaged() {
        let error = read(&PLAIN[..PLAIN.len() / 2], &mut no_password()).unwrap_err();
        assert!(error.to_string().contains("cut short"), "{error}");
    }

    #[test]
    fn bad_base64_in_db_is_named() {
        let text = std::str::from_utf8(ENCRYPTED).unwrap();
        let start = text.find("\"db\": \"").unwrap() + 7;
        let broken = format!("{}*{}", &text[..start], &text[start + 1..]);
        let error = with_password(broken.as_bytes(), PASSWORD).unwrap_err();
        assert!(
            error.to_string().contains("`db` is not valid base64"),
            "{error}"
        );
    }

    #[test]
    fn a_vault_with_only_a_biometric_slot_cannot_be_opened_here() {
        let text = std::str::from_utf8(ENCRYPTED)
            .unwrap()
            .replace("\"type\": 1", "\"type\": 2");
        let error = with_password(text.as_bytes(), PASSWORD).unwrap_err();
        assert!(matches!(error, ImportError::Unsupported { .. }), "{error}");
    }

    #[test]
    fn absurd_scrypt_parameters_are_refused_before_running() {
        assert!(scrypt_params(32768, 8, 1).is_some());
        assert!(scrypt_params(1 << 30, 8, 1).is_none());
        assert!(scrypt_params(1000, 8, 1).is_none());
        assert!(scrypt_params(32768, 8, 0).is_none());
    }

    #[test]
    fn sniffing_knows_aegis_and_only_aegis() {
        assert!(looks_like(PLAIN) && looks_like(ENCRYPTED));
        assert!(!looks_like(br#"{"services": [], "schemaVersion": 4}"#));
        assert!(!looks_like(b"otpauth://totp/x?secret=JBSWY3DPEHPK3PXP"));
    }
}
