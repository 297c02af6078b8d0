//! FreeOTP+ backups: its JSON export and its URI-per-line export.
//!
//! The JSON is `{"tokens": [...], "tokenOrder": [...]}`; each token has
//! `type` (`TOTP`/`HOTP`), `algo`, `digits`, `period`, `counter`,
//! `issuerExt`/`issuerInt`/`issuerAlt`, `label`/`labelAlt`, and `secret` as
//! an array of *signed* bytes (Java's `byte`, -128..127). An optional
//! `category` becomes a tag. A TOTP token whose `issuerExt` is `Steam` is a
//! Steam account, as FreeOTP decides.
//!
//! The HOTP counter (checked in FreeOTP+'s source, and its issue #177):
//! reading a URI, FreeOTP+ stores `counter - 1`; pressing the token shows
//! the code for the stored value and then adds one; writing a URI it puts
//! `stored + 1`. So the JSON `counter` is the counter of the next code
//! FreeOTP+ would show, except that a token never used holds -1 for a URI
//! that said 0. Tessera's counter is also "the next code", so the JSON
//! value is taken as is and -1 (or less) becomes 0. In the URI export the
//! counter is one more than that, so it is read back one lower.

use serde_json::{Map, Value};
use zeroize::Zeroizing;

use crate::otp::{Account, Algorithm, Kind, Secret};

use super::uri_list::{self, empty_report, json_error_detail, text_of};
use super::{Format, ImportError, ImportReport, Imported, Skipped};

const FORMAT: Format = Format::FreeOtpPlus;

/// True for a JSON object with a `tokens` array. (The URI-per-line export
/// looks like any URI list; [`super::uri_list`] recognises it.)
pub(super) fn looks_like(bytes: &[u8]) -> bool {
    serde_json::from_slice::<Value>(bytes)
        .ok()
        .is_some_and(|value| value.get("tokens").is_some_and(Value::is_array))
}

/// Reads the JSON backup, or else the URI-per-line export.
pub(super) fn read(bytes: &[u8]) -> Result<ImportReport, ImportError> {
    let text = text_of(bytes, FORMAT)?;
    if text.trim_start().starts_with('{') {
        read_json(text)
    } else {
        read_uri_export(bytes)
    }
}

fn read_json(text: &str) -> Result<ImportReport, ImportError> {
    let damaged = |detail: String| ImportError::damaged(FORMAT, detail);
    let backup: Value = serde_json::from_str(text).map_err(|e| damaged(json_error_detail(&e)))?;
    let tokens = backup
        .get("tokens")
        .and_then(Value::as_array)
        .ok_or_else(|| damaged("it has no `tokens` list".to_owned()))?;

    let mut report = empty_report(Format::FreeOtpPlus);
    for (number, token) in (1..).zip(tokens) {
        match token.as_object().map(|token| imported_from(token, number)) {
            Some(Ok(entry)) => report.entries.push(entry),
            Some(Err(skipped)) => report.skipped.push(skipped),
            None => report.skipped.push(Skipped {
                name: format!("token {number}"),
                reason: "it is not a JSON object".to_owned(),
            }),
        }
    }
    Ok(report)
}

/// The URI export, with each HOTP counter moved back by the one FreeOTP+
/// adds when it writes a URI.
fn read_uri_export(bytes: &[u8]) -> Result<ImportReport, ImportError> {
    let mut report = uri_list::read_as(bytes, FORMAT)?;
    for entry in &mut report.entries {
        if let Kind::Hotp { counter } = entry.account.kind {
            entry.account.kind = Kind::Hotp {
                counter: counter.saturating_sub(1),
            };
        }
    }
    Ok(report)
}

/// One token, or why it is skipped; `number` names it when it has no name.
fn imported_from(token: &Map<String, Value>, number: usize) -> Result<Imported, Skipped> {
    let issuer = first_text(token, &["issuerAlt", "issuerExt", "issuerInt"]);
    let name = first_text(token, &["labelAlt", "label"]);
    let label = match (issuer.is_empty(), name.is_empty()) {
        (true, true) => format!("token {number}"),
        (false, false) => format!("{issuer}:{name}"),
        _ => format!("{issuer}{name}"),
    };
    let skip = |reason: String| Skipped {
        name: label.clone(),
        reason,
    };

    let secret = secret_from(token.get("secret")).map_err(skip)?;
    let algorithm = algorithm_from(token).map_err(skip)?;
    let digits = number_field(token, "digits", 6, 1..=10).map_err(skip)?;
    let kind = kind_from(token).map_err(skip)?;
    let steam = matches!(kind, Kind::Totp { .. }) && text(token, "issuerExt") == "Steam";
    let account = Account {
        issuer,
        name,
        secret,
        kind: match kind {
            Kind::Totp { period } if steam => Kind::Steam { period },
            other => other,
        },
        algorithm: if steam { Algorithm::Sha1 } else { algorithm },
        digits: if steam {
            5
        } else {
            u8::try_from(digits).unwrap_or(6)
        },
        extra: Vec::new(),
    };
    let tags = Some(text(token, "category"))
        .filter(|category| !category.is_empty())
        .into_iter()
        .collect();
    Ok(Imported {
        account,
        tags,
        note: String::new(),
        pinned: false,
    })
}

/// The key from FreeOTP's array of signed bytes (unsigned 0..255 is
/// accepted too). Errors give a position, never a value.
fn secret_from(value: Option<&Value>) -> Result<Secret, String> {
    let items = value
        .and_then(Value::as_array)
        .ok_or_else(|| "it has no `secret` byte list".to_owned())?;
    if items.is_empty() {
        return Err("its secret is empty".to_owned());
    }
    let mut bytes = Zeroizing::new(Vec::with_capacity(items.len()));
    for (position, item) in (1..).zip(items) {
        let byte = item
            .as_i64()
            .and_then(|n| {
                i8::try_from(n)
                    .map(i8::cast_unsigned)
                    .or_else(|_| u8::try_from(n))
                    .ok()
            })
            .ok_or_else(|| {
                format!("its secret has a value that is not a byte at position {position}")
            })?;
        bytes.push(byte);
    }
    Ok(Secret::from_bytes(std::mem::take(&mut *bytes)))
}

fn algorithm_from(token: &Map<String, Value>) -> Result<Algorithm, String> {
    let name = text(token, "algo");
    if name.is_empty() {
        return Ok(Algorithm::Sha1);
    }
    Algorithm::from_name(&name).ok_or_else(|| {
        format!("its algorithm {name} is not supported: codes use SHA1, SHA256 or SHA512")
    })
}

fn kind_from(token: &Map<String, Value>) -> Result<Kind, String> {
    let kind = text(token, "type");
    match kind.to_ascii_uppercase().as_str() {
        "TOTP" | "" => {
            let period = number_field(token, "period", 30, 1..=u64::MAX)?;
            Ok(Kind::Totp { period })
        }
        "HOTP" => {
            let counter = token.get("counter").map_or(Some(0), Value::as_i64);
            let counter =
                counter.ok_or_else(|| "its `counter` is not a whole number".to_owned())?;
            // -1 is a token FreeOTP+ never used; its site expects counter 0.
            Ok(Kind::Hotp {
                counter: u64::try_from(counter).unwrap_or(0),
            })
        }
        _ => Err(format!("{kind} tokens are not supported")),
    }
}

/// A whole number field within `range`, or `default` when absent.
fn number_field(
    token: &Map<String, Value>,
    field: &str,
    default: u64,
    range: std::ops::RangeInclusive<u64>,
) -> Result<u64, String> {
    let Some(value) = token.get(field) else {
        return Ok(default);
    };
    value
        .as_u64()
        .filter(|n| range.contains(n))
        .ok_or_else(|| format!("its `{field}` ({value}) is not usable"))
}

/// A string field, trimmed; empty when absent or not a string.
fn text(token: &Map<String, Value>, field: &str) -> String {
    token
        .get(field)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .trim()
        .to_owned()
}

/// The first of `fields` that holds non-empty text.
fn first_text(token: &Map<String, Value>, fields: &[&str]) -> String {
    fields
        .iter()
        .map(|field| text(token, field))
        .find(|value| !value.is_empty())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: u64 = 1_700_000_000;

    fn fixture() -> ImportReport {
        read(include_bytes!("../../tests/data/import/freeotp-plus.json")).expect("reads")
    }

    #[test]
    fn reads_the_fixture_to_the_right_accounts() {
        let report = fixture();
        let labels: Vec<String> = report.entries.iter().map(|e| e.account.label()).collect();
        assert_eq!(
            labels,
            [
                "Example:alice@example.com",
                "Renamed:carol",
                "RFC 4226:hotp@example.com",
                "Fresh:never-used",
                "Big:sha512@example.com",
                "Steam:gamer",
            ]
        );
    }

    #[test]
    fn signed_bytes_give_the_right_secret_and_code() {
        let report = fixture();
        let alice = &report.imported("Example:alice@example.com").account;
        assert_eq!(alice.secret.to_base32().as_str(), "JBSWY3DPEHPK3PXP");
        let expected = Account::from_uri("otpauth://totp/x?secret=JBSWY3DPEHPK3PXP")
            .expect("parses")
            .account;
        assert_eq!(alice.code_at(T), expected.code_at(T));
    }

    #[test]
    fn hotp_counter_is_the_next_code_freeotp_would_show() {
        let report = fixture();
        let hotp = &report.imported("RFC 4226:hotp@example.com").account;
        assert_eq!(hotp.kind, Kind::Hotp { counter: 3 });
        assert_eq!(hotp.code_at(0).as_str(), "969429");
        let fresh = &report.imported("Fresh:never-used").account;
        assert_eq!(fresh.kind, Kind::Hotp { counter: 0 });
    }

    #[test]
    fn renamed_issuer_and_label_win_and_category_is_a_tag() {
        let report = fixture();
        let carol = report.imported("Renamed:carol");
        assert_eq!(carol.tags, ["Work"]);
        assert_eq!(carol.account.digits, 8);
        assert_eq!(carol.account.period(), Some(60));
    }

    #[test]
    fn sha512_with_8_digits_gives_the_rfc_code() {
        let report = fixture();
        let big = &report.imported("Big:sha512@example.com").account;
        assert_eq!(big.code_at(59).as_str(), "90693936");
    }

    #[test]
    fn a_steam_issuer_makes_a_steam_account() {
        let report = fixture();
        let steam = &report.imported("Steam:gamer").account;
        assert_eq!((steam.kind, steam.digits), (Kind::Steam { period: 30 }, 5));
    }

    #[test]
    fn odd_tokens_are_skipped_with_reasons_that_never_quote_secrets() {
        let report = fixture();
        let skipped: Vec<(&str, &str)> = report
            .skipped
            .iter()
            .map(|s| (s.name.as_str(), s.reason.as_str()))
            .collect();
        assert_eq!(
            skipped,
            [
                (
                    "Old:md5",
                    "its algorithm MD5 is not supported: codes use SHA1, SHA256 or SHA512"
                ),
                (
                    "Broken:bytes",
                    "its secret has a value that is not a byte at position 3"
                ),
                ("token 9", "it has no `secret` byte list"),
                ("Mobile:motp", "MOTP tokens are not supported"),
            ]
        );
    }

    #[test]
    fn the_uri_export_moves_hotp_counters_back_by_one() {
        let text = "otpauth://hotp/RFC%204226:hotp@example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&algorithm=SHA1&digits=6&period=30&counter=4\n\
                    otpauth://hotp/Fresh:x?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&counter=0\n\
                    otpauth://totp/Example:alice?secret=JBSWY3DPEHPK3PXP&algorithm=SHA1&digits=6&period=30\n";
        let report = read(text.as_bytes()).expect("reads");
        let kinds: Vec<Kind> = report.entries.iter().map(|e| e.account.kind).collect();
        assert_eq!(
            kinds,
            [
                Kind::Hotp { counter: 3 },
                Kind::Hotp { counter: 0 },
                Kind::Totp { period: 30 }
            ]
        );
        assert_eq!(report.format, Format::FreeOtpPlus);
    }

    #[test]
    fn broken_json_is_damaged_without_quoting_it() {
        let error = read(br#"{"tokens": [{"secret": [1, 2, SECRET"#).err();
        let message = error.map(|e| e.to_string()).unwrap_or_default();
        assert!(
            message.contains("not a readable FreeOTP+ export") && !message.contains("SECRET"),
            "{message}"
        );
    }

    #[test]
    fn json_without_tokens_is_damaged() {
        let error = read(br#"{"entries": []}"#).err();
        assert!(
            matches!(error, Some(ImportError::Damaged { .. })),
            "{error:?}"
        );
    }

    #[test]
    fn looks_like_a_json_object_with_tokens() {
        assert!(looks_like(br#"{"tokenOrder": [], "tokens": []}"#));
        assert!(!looks_like(br#"{"items": []}"#));
        assert!(!looks_like(b"otpauth://totp/x?secret=A"));
    }
}
