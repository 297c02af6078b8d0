//! ente Auth's plain-text export: one `otpauth://` URI per line.
//!
//! Each URI may carry a `codeDisplay` parameter: ente's display settings as
//! percent-encoded JSON (`pinned`, `trashed`, `tags`, `note`, and ente's own
//! `position`, `lastUsedAt`, `tapCount`, `iconSrc`, `iconID`), as written
//! by ente's `CodeDisplay.toJson` (checked in ente's source). `pinned`,
//! `tags` and `note` carry over into the pin, tags and note; a trashed code
//! is skipped; and the parameter is then dropped from the account, since
//! what it holds now lives in Tessera's fields or means nothing outside
//! ente. Other unknown parameters stay with the account.
//!
//! ente also stores codes as JSON strings (`"otpauth://..."`, e.g. in its
//! automatic backups), and older versions wrote `algorithm=Algorithm.sha1`;
//! both are read. Its encrypted export (JSON with `encryptedData` and
//! `kdfParams`: Argon2id and XChaCha20-Poly1305) is recognised and refused
//! with what to do instead.

use serde_json::Value;
use zeroize::Zeroizing;

use super::uri_list::{empty_report, imported_from_uri, is_account_uri, meaningful_lines, text_of};
use super::{Format, ImportError, ImportReport, Imported, Skipped};

const FORMAT: Format = Format::Ente;
const CODE_DISPLAY: &str = "codeDisplay";

/// ente's encrypted export, or text whose URIs carry `codeDisplay`.
pub(super) fn looks_like(bytes: &[u8]) -> bool {
    if serde_json::from_slice::<Value>(bytes).is_ok_and(|value| is_encrypted_export(&value)) {
        return true;
    }
    std::str::from_utf8(bytes).is_ok_and(|text| {
        meaningful_lines(text).any(|(_, line)| {
            let line = line.trim_start_matches('"');
            is_account_uri(line) && line.contains("codeDisplay=")
        })
    })
}

/// Reads every line; bad lines and trashed codes are skipped.
pub(super) fn read(bytes: &[u8]) -> Result<ImportReport, ImportError> {
    let text = text_of(bytes, FORMAT)?;
    let value = serde_json::from_str::<Value>(text).ok();
    if value.is_some_and(|value| is_encrypted_export(&value)) {
        return Err(ImportError::Unsupported {
            format: FORMAT,
            what: "encryption".to_owned(),
            advice: "in ente, export again choosing plain text, and delete that file once imported"
                .to_owned(),
        });
    }

    let mut report = empty_report(Format::Ente);
    for (number, line) in meaningful_lines(text) {
        let place = format!("line {number}");
        match read_line(line, &place) {
            Ok((entry, warnings)) => {
                report.warnings.extend(warnings);
                report.entries.push(entry);
            }
            Err(skipped) => report.skipped.push(skipped),
        }
    }
    Ok(report)
}

fn is_encrypted_export(value: &Value) -> bool {
    value.get("encryptedData").is_some() && value.get("kdfParams").is_some()
}

/// One line as an entry with ente's display settings applied.
fn read_line(line: &str, place: &str) -> Result<(Imported, Vec<String>), Skipped> {
    let uri = unquote(line).ok_or_else(|| Skipped {
        name: place.to_owned(),
        reason: "it starts with a quote but is not a valid JSON string".to_owned(),
    })?;
    let uri = Zeroizing::new(uri.replace("algorithm=Algorithm.", "algorithm="));
    let (mut entry, mut warnings) = imported_from_uri(&uri, place)?;

    let display = take_code_display(&mut entry);
    let Some(display) = display else {
        return Ok((entry, warnings));
    };
    let name = super::uri_list::display_name(&entry.account);
    match serde_json::from_str::<Value>(&display) {
        Ok(display) if flag(&display, "trashed") => Err(Skipped {
            name,
            reason: "it is in ente's trash".to_owned(),
        }),
        Ok(display) => {
            apply_display(&mut entry, &display);
            Ok((entry, warnings))
        }
        Err(_) => {
            warnings.push(format!(
                "{name}: its ente display settings are not valid JSON; \
                 tags, note and pin were not read"
            ));
            Ok((entry, warnings))
        }
    }
}

/// The URI in a line, undoing JSON string quoting when the line has it.
fn unquote(line: &str) -> Option<Zeroizing<String>> {
    if line.starts_with('"') {
        serde_json::from_str::<String>(line)
            .ok()
            .map(Zeroizing::new)
    } else {
        Some(Zeroizing::new(line.to_owned()))
    }
}

/// Removes `codeDisplay` from the account's extra parameters, returning it.
fn take_code_display(entry: &mut Imported) -> Option<String> {
    let extra = &mut entry.account.extra;
    let index = extra.iter().position(|(name, _)| name == CODE_DISPLAY)?;
    Some(extra.remove(index).1)
}

fn apply_display(entry: &mut Imported, display: &Value) {
    entry.pinned = flag(display, "pinned");
    let note = display.get("note").and_then(Value::as_str);
    entry.note.clear();
    entry.note.push_str(note.unwrap_or_default().trim());
    entry.tags = display
        .get("tags")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(|tag| tag.trim().to_owned())
        .filter(|tag| !tag.is_empty())
        .collect();
}

fn flag(display: &Value, name: &str) -> bool {
    display.get(name).and_then(Value::as_bool).unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::otp::{Account, Algorithm, Kind};

    const T: u64 = 1_700_000_000;

    fn fixture() -> ImportReport {
        read(include_bytes!(
            "../../tests/data/import/ente-auth-codes.txt"
        ))
        .expect("reads")
    }

    #[test]
    fn reads_the_fixture_to_the_right_accounts() {
        let report = fixture();
        let labels: Vec<String> = report.entries.iter().map(|e| e.account.label()).collect();
        assert_eq!(
            labels,
            [
                "GitHub:alice@example.com",
                "Big:carol",
                "RFC 4226:hotp@example.com",
                "Steam:gamer",
                "Plain:no display",
                "Quoted:erin",
            ]
        );
    }

    #[test]
    fn pin_tags_and_note_carry_over_and_code_display_is_dropped() {
        let report = fixture();
        let github = report.imported("GitHub:alice@example.com");
        assert!(github.pinned);
        assert_eq!(github.tags, ["Work", "Dev, Ops"]);
        assert_eq!(github.note, "Backup codes: in the safe");
        assert!(
            github.account.extra.is_empty(),
            "{:?}",
            github.account.extra
        );
    }

    #[test]
    fn other_unknown_parameters_are_kept() {
        let report = fixture();
        let plain = report.imported("Plain:no display");
        assert_eq!(
            plain.account.extra,
            [("image".to_owned(), "x.png".to_owned())]
        );
        assert!(!plain.pinned && plain.tags.is_empty());
    }

    #[test]
    fn codes_at_a_fixed_time_are_right() {
        let report = fixture();
        let github = &report.imported("GitHub:alice@example.com").account;
        let expected = Account::from_uri("otpauth://totp/x?secret=JBSWY3DPEHPK3PXP")
            .expect("parses")
            .account;
        assert_eq!(github.code_at(T), expected.code_at(T));
        let big = &report.imported("Big:carol").account;
        assert_eq!(
            (big.algorithm, big.code_at(59).as_str()),
            (Algorithm::Sha512, "90693936")
        );
        let hotp = &report.imported("RFC 4226:hotp@example.com").account;
        assert_eq!(
            (hotp.kind, hotp.code_at(0).as_str()),
            (Kind::Hotp { counter: 3 }, "969429")
        );
        let steam = &report.imported("Steam:gamer").account;
        assert_eq!(steam.kind, Kind::Steam { period: 30 });
    }

    #[test]
    fn trashed_codes_and_bad_lines_are_skipped() {
        let report = fixture();
        let skipped: Vec<(&str, &str)> = report
            .skipped
            .iter()
            .map(|s| (s.name.as_str(), s.reason.as_str()))
            .collect();
        assert_eq!(skipped.len(), 2, "{skipped:?}");
        assert_eq!(skipped[0], ("Old:deleted", "it is in ente's trash"));
        assert_eq!(skipped[1].0, "line 8");
    }

    #[test]
    fn broken_display_json_keeps_the_account_with_a_warning() {
        let line = "otpauth://totp/A:b?secret=JBSWY3DPEHPK3PXP&codeDisplay=%7Bnot%20json";
        let report = read(line.as_bytes()).expect("reads");
        assert_eq!(report.entries.len(), 1);
        assert!(
            report.warnings[0].contains("A:b: its ente display settings"),
            "{:?}",
            report.warnings
        );
    }

    #[test]
    fn the_encrypted_export_is_refused_with_what_to_do() {
        let export = br#"{"version":1,"kdfParams":{"memLimit":1,"opsLimit":1,"salt":"x"},"encryptedData":"y","encryptionNonce":"z"}"#;
        assert!(looks_like(export));
        let message = read(export)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(message.contains("choosing plain text"), "{message}");
    }

    #[test]
    fn looks_like_lines_with_code_display() {
        assert!(looks_like(include_bytes!(
            "../../tests/data/import/ente-auth-codes.txt"
        )));
        assert!(!looks_like(b"otpauth://totp/x?secret=JBSWY3DPEHPK3PXP\n"));
    }
}
