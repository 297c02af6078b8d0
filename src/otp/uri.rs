//! Parsing and formatting `otpauth://` URIs.
//!
//! What is read: `otpauth://TYPE/LABEL?PARAMS` with TYPE `totp`, `hotp` or
//! `steam` (scheme and type in any case), `otpauth://totp/...&encoder=steam`,
//! and `steam://SECRET`. The label is percent-decoded once and split at its
//! first `:` into issuer and account name, both trimmed. Parameter values are
//! percent-decoded with `+` read as a space; parameter names match in any case.
//! When the label's issuer and the `issuer` parameter disagree, a non-empty
//! parameter wins. Parameters Tessera does not interpret, and ones that do not
//! apply to the type (`period` on HOTP, `counter` on TOTP), are kept in
//! [`Account::extra`] in their order.
//!
//! What is written (the canonical form): `otpauth://TYPE/LABEL?secret=...`,
//! then `issuer`, `algorithm`, `digits`, `period`, `counter`, `encoder`, then
//! the extra parameters. Defaults (SHA1, 6 digits, 30 s) are left out, the
//! HOTP counter is always written, the secret has no padding, and Steam is
//! written as `otpauth://totp/...&encoder=steam`, which more apps understand
//! than `otpauth://steam`. Reading the written form gives the account back.

use std::fmt::Write as _;

use zeroize::Zeroizing;

use super::{Account, Algorithm, Kind, Secret, SecretError};

/// A parsed URI plus what the user should be told about it.
#[derive(Debug)]
pub struct ParsedUri {
    pub account: Account,
    pub warnings: Vec<Warning>,
}

/// Accepted, but worth telling the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Warning {
    #[error("the secret is only {bits} bits; RFC 4226 asks for at least 128")]
    ShortSecret { bits: usize },
    #[error("the HOTP URI has no counter; starting at 0")]
    MissingCounter,
    #[error(
        "the label says \"{label}\" but the issuer parameter says \"{issuer}\"; using \"{issuer}\""
    )]
    IssuerMismatch { label: String, issuer: String },
}

/// The longest secret accepted, in bytes (4096 bits; real ones are 80-512).
const MAX_SECRET_BYTES: usize = 512;
/// The longest issuer or account name accepted, in characters.
const MAX_NAME_CHARS: usize = 512;
/// The longest period accepted: a day.
const MAX_PERIOD: u64 = 86_400;

/// Why a URI was rejected. Names the part that is wrong; never holds the secret.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum UriError {
    /// No `scheme://` at the start. The input is not quoted: it may be a bare key.
    #[error(
        "this is not an otpauth:// link: it should start with otpauth://; \
         copy the whole link (sites show it beside the QR code, often under \
         \"can't scan it?\"), or use `tessera add --qr` with a screenshot of the code"
    )]
    NotAUri,
    /// A URI, but of another kind (`https`, `mailto`, ...).
    #[error(
        "a {scheme}:// link is not an authenticator account: \
         use the otpauth:// link the site shows next to the QR code"
    )]
    NotOtpauth { scheme: String },
    /// The part after `otpauth://` is not `totp`, `hotp` or `steam`.
    #[error(
        "the OTP type \"{kind}\" is not known: the link should start with otpauth://totp/ or otpauth://hotp/"
    )]
    UnknownType { kind: String },
    /// No `secret` parameter, or an empty one.
    #[error("the link has no `secret` parameter: copy the whole link, including `secret=...`")]
    MissingSecret,
    /// A secret, label or value far longer than any site issues.
    #[error(
        "the {what} is {length} characters long, more than any site issues \
         (at most {limit}); check that the right text was copied"
    )]
    TooLong {
        what: &'static str,
        length: usize,
        limit: usize,
    },
    /// A known parameter with a value Tessera cannot use.
    #[error(
        "the `{name}` parameter is \"{value}\", but it must be {expected}: fix the link or ask the site for a new one"
    )]
    InvalidParameter {
        name: &'static str,
        value: String,
        expected: &'static str,
    },
    /// The same known parameter given twice with different values.
    #[error(
        "the `{name}` parameter is given twice with different values: keep the right one and remove the other"
    )]
    DuplicateParameter { name: &'static str },
    /// The secret is not base32. Positions count characters of the `secret`
    /// value after percent-decoding (so `%20` counts as one).
    #[error(transparent)]
    Secret(#[from] SecretError),
}

/// The three kinds a URI can name before `encoder=steam` is applied.
#[derive(Clone, Copy, PartialEq, Eq)]
enum UriType {
    Totp,
    Hotp,
    Steam,
}

/// The pieces of a URI before any value is checked.
struct RawUri<'a> {
    uri_type: UriType,
    /// Still percent-encoded.
    label: &'a str,
    /// Still percent-encoded; empty when there is none.
    query: &'a str,
    /// The secret of `steam://SECRET`, still percent-encoded.
    path_secret: Option<&'a str>,
}

/// Known parameters as decoded text, not yet checked.
#[derive(Default)]
struct Params {
    secret: Option<Zeroizing<Vec<u8>>>,
    issuer: Option<String>,
    algorithm: Option<String>,
    digits: Option<String>,
    period: Option<String>,
    counter: Option<String>,
    steam_encoder: bool,
    extra: Vec<(String, String)>,
}

/// Reads an `otpauth://` or `steam://` URI (see the module docs for what is
/// accepted). Surrounding whitespace is ignored.
pub(super) fn parse(uri: &str) -> Result<ParsedUri, UriError> {
    let raw = split_uri(uri.trim())?;
    let params = read_params(&raw)?;
    let (issuer_in_label, name) = parse_label(raw.label);
    let mut warnings = Vec::new();

    let secret = decode_secret(params.secret.as_ref())?;
    if secret.bits() < 128 {
        warnings.push(Warning::ShortSecret {
            bits: secret.bits(),
        });
    }
    let steam = raw.uri_type == UriType::Steam || params.steam_encoder;
    let algorithm = parse_algorithm(params.algorithm.as_deref(), steam)?;
    let digits = parse_digits(params.digits.as_deref(), steam)?;
    let kind = parse_kind(raw.uri_type, steam, &params, &mut warnings)?;

    check_length("issuer", params.issuer.as_deref().unwrap_or_default())?;
    check_length("label", &issuer_in_label)?;
    check_length("account name", &name)?;
    if let Some(issuer) = params.issuer.as_deref()
        && !issuer.is_empty()
        && !issuer_in_label.is_empty()
        && !issuer.eq_ignore_ascii_case(&issuer_in_label)
    {
        warnings.push(Warning::IssuerMismatch {
            label: issuer_in_label.clone(),
            issuer: issuer.to_owned(),
        });
    }
    let issuer = match params.issuer {
        Some(issuer) if !issuer.is_empty() => issuer,
        // `steam://SECRET` names nothing; it can only be a Steam account.
        _ if raw.path_secret.is_some() => "Steam".to_owned(),
        _ => issuer_in_label,
    };
    let account = Account {
        issuer,
        name,
        secret,
        kind,
        algorithm,
        digits,
        extra: params.extra,
    };
    Ok(ParsedUri { account, warnings })
}

/// Writes the canonical URI for `account` (see the module docs).
pub(super) fn format(account: &Account) -> Zeroizing<String> {
    let uri_type = match account.kind {
        Kind::Hotp { .. } => "hotp",
        Kind::Totp { .. } | Kind::Steam { .. } => "totp",
    };
    let head = format!("otpauth://{uri_type}/{}?secret=", format_label(account));
    let tail = format_params(account);
    let secret = account.secret.to_base32();

    // Sized up front so the buffer holding the secret is never reallocated
    // (a reallocation would leave a copy behind that is not zeroized).
    let mut uri = Zeroizing::new(String::with_capacity(
        head.len() + secret.len() + tail.len(),
    ));
    uri.push_str(&head);
    uri.push_str(&secret);
    uri.push_str(&tail);
    uri
}

/// Splits `scheme://type/label?query` (or `steam://SECRET`) into its pieces.
fn split_uri(uri: &str) -> Result<RawUri<'_>, UriError> {
    let (scheme, rest) = uri.split_once("://").ok_or(UriError::NotAUri)?;
    let scheme_is_valid = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
    if !scheme_is_valid {
        return Err(UriError::NotAUri);
    }
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));

    if scheme.eq_ignore_ascii_case("steam") {
        return Ok(RawUri {
            uri_type: UriType::Steam,
            label: "",
            query,
            path_secret: Some(path.trim_end_matches('/')),
        });
    }
    if !scheme.eq_ignore_ascii_case("otpauth") {
        return Err(UriError::NotOtpauth {
            scheme: scheme.to_owned(),
        });
    }
    let (type_name, label) = path.split_once('/').unwrap_or((path, ""));
    Ok(RawUri {
        uri_type: parse_type(type_name)?,
        label,
        query,
        path_secret: None,
    })
}

fn parse_type(type_name: &str) -> Result<UriType, UriError> {
    match type_name.to_ascii_lowercase().as_str() {
        "totp" => Ok(UriType::Totp),
        "hotp" => Ok(UriType::Hotp),
        "steam" => Ok(UriType::Steam),
        _ => Err(UriError::UnknownType {
            kind: type_name.to_owned(),
        }),
    }
}

/// Decodes the label and splits it into (issuer, account name) at the first `:`.
fn parse_label(label: &str) -> (String, String) {
    let label = decode_text(label, false);
    match label.split_once(':') {
        Some((issuer, name)) => (issuer.trim().to_owned(), name.trim().to_owned()),
        None => (String::new(), label.trim().to_owned()),
    }
}

/// Sorts the query parameters into the known ones and the rest.
fn read_params(raw: &RawUri<'_>) -> Result<Params, UriError> {
    let mut params = Params::default();
    if let Some(secret) = raw.path_secret {
        params.secret = Some(percent_decode(secret, false));
    }

    for pair in raw.query.split('&').filter(|pair| !pair.is_empty()) {
        let (raw_name, raw_value) = pair.split_once('=').unwrap_or((pair, ""));
        let name = decode_text(raw_name, true);
        if name.eq_ignore_ascii_case("secret") {
            let value = percent_decode(raw_value, true);
            set_once(&mut params.secret, value, "secret")?;
            continue;
        }
        let value = decode_text(raw_value, true);
        read_param(&mut params, raw.uri_type, name, value)?;
    }
    Ok(params)
}

/// Files one decoded parameter (other than `secret`) under its field.
fn read_param(
    params: &mut Params,
    uri_type: UriType,
    name: String,
    value: String,
) -> Result<(), UriError> {
    let time_based = uri_type != UriType::Hotp;
    match name.to_ascii_lowercase().as_str() {
        "issuer" => set_once(&mut params.issuer, value, "issuer"),
        "algorithm" => set_once(&mut params.algorithm, value, "algorithm"),
        "digits" => set_once(&mut params.digits, value, "digits"),
        "period" if time_based => set_once(&mut params.period, value, "period"),
        "counter" if !time_based => set_once(&mut params.counter, value, "counter"),
        "encoder" if time_based && value.eq_ignore_ascii_case("steam") => {
            params.steam_encoder = true;
            Ok(())
        }
        _ => {
            params.extra.push((name, value));
            Ok(())
        }
    }
}

/// Stores a parameter's value; a second, different value is an error.
fn set_once<T: PartialEq>(
    slot: &mut Option<T>,
    value: T,
    name: &'static str,
) -> Result<(), UriError> {
    match slot {
        Some(existing) if *existing != value => Err(UriError::DuplicateParameter { name }),
        Some(_) => Ok(()),
        None => {
            *slot = Some(value);
            Ok(())
        }
    }
}

/// Turns the decoded `secret` value into key bytes.
fn decode_secret(value: Option<&Zeroizing<Vec<u8>>>) -> Result<Secret, UriError> {
    let bytes = value.ok_or(UriError::MissingSecret)?;
    if bytes.is_empty() {
        return Err(UriError::MissingSecret);
    }
    let text = std::str::from_utf8(bytes).map_err(|error| {
        // Point at the first byte that is not UTF-8, counted in characters.
        let valid = std::str::from_utf8(&bytes[..error.valid_up_to()]).unwrap_or_default();
        SecretError::InvalidCharacter {
            position: valid.chars().count() + 1,
        }
    })?;
    let secret = Secret::from_base32(text)?;
    if secret.as_bytes().len() > MAX_SECRET_BYTES {
        return Err(UriError::TooLong {
            what: "secret",
            length: text.chars().count(),
            limit: MAX_SECRET_BYTES * 8 / 5,
        });
    }
    Ok(secret)
}

/// Refuses an issuer or account name no site would issue.
fn check_length(what: &'static str, text: &str) -> Result<(), UriError> {
    let length = text.chars().count();
    if length > MAX_NAME_CHARS {
        return Err(UriError::TooLong {
            what,
            length,
            limit: MAX_NAME_CHARS,
        });
    }
    Ok(())
}

fn parse_algorithm(value: Option<&str>, steam: bool) -> Result<Algorithm, UriError> {
    let Some(value) = value else {
        return Ok(Algorithm::Sha1);
    };
    let invalid = |expected| UriError::InvalidParameter {
        name: "algorithm",
        value: value.to_owned(),
        expected,
    };
    match Algorithm::from_name(value.trim()) {
        Some(Algorithm::Sha1) => Ok(Algorithm::Sha1),
        Some(_) if steam => Err(invalid("SHA1 for Steam")),
        Some(algorithm) => Ok(algorithm),
        None => Err(invalid("SHA1, SHA256 or SHA512")),
    }
}

fn parse_digits(value: Option<&str>, steam: bool) -> Result<u8, UriError> {
    let default = if steam { 5 } else { 6 };
    let Some(value) = value else {
        return Ok(default);
    };
    let digits = value.trim().parse::<u8>().ok();
    match digits {
        Some(5) if steam => Ok(5),
        _ if steam => Err(UriError::InvalidParameter {
            name: "digits",
            value: value.to_owned(),
            expected: "5 for Steam",
        }),
        Some(digits @ 1..=10) => Ok(digits),
        _ => Err(UriError::InvalidParameter {
            name: "digits",
            value: value.to_owned(),
            expected: "a whole number from 1 to 10",
        }),
    }
}

fn parse_kind(
    uri_type: UriType,
    steam: bool,
    params: &Params,
    warnings: &mut Vec<Warning>,
) -> Result<Kind, UriError> {
    if uri_type == UriType::Hotp {
        let counter = parse_counter(params.counter.as_deref())?;
        if counter.is_none() {
            warnings.push(Warning::MissingCounter);
        }
        return Ok(Kind::Hotp {
            counter: counter.unwrap_or(0),
        });
    }
    let period = parse_period(params.period.as_deref())?;
    Ok(if steam {
        Kind::Steam { period }
    } else {
        Kind::Totp { period }
    })
}

fn parse_period(value: Option<&str>) -> Result<u64, UriError> {
    let Some(value) = value else {
        return Ok(30);
    };
    match value.trim().parse::<u64>() {
        Ok(period) if (1..=MAX_PERIOD).contains(&period) => Ok(period),
        _ => Err(UriError::InvalidParameter {
            name: "period",
            value: value.to_owned(),
            expected: "a whole number of seconds from 1 to 86400",
        }),
    }
}

fn parse_counter(value: Option<&str>) -> Result<Option<u64>, UriError> {
    let Some(value) = value else {
        return Ok(None);
    };
    match value.trim().parse::<u64>() {
        Ok(counter) => Ok(Some(counter)),
        Err(_) => Err(UriError::InvalidParameter {
            name: "counter",
            value: value.to_owned(),
            expected: "a whole number from 0 to 18446744073709551615",
        }),
    }
}

/// `Issuer:name`, encoded so that reading it back gives the same two parts.
fn format_label(account: &Account) -> String {
    let name = encode(&account.name);
    // An issuer with a colon cannot go in the label (it would split there);
    // the `issuer` parameter carries it instead.
    if !account.issuer.is_empty() && !account.issuer.contains(':') {
        return format!("{}:{name}", encode(&account.issuer));
    }
    // A leading colon keeps a colon inside the name from being read as the split.
    if account.name.contains(':') {
        return format!(":{name}");
    }
    name
}

/// Everything after the secret: `&issuer=...` and the rest, defaults left out.
fn format_params(account: &Account) -> String {
    let mut params: Vec<(&str, String)> = Vec::new();
    if !account.issuer.is_empty() {
        params.push(("issuer", account.issuer.clone()));
    }
    match account.kind {
        Kind::Totp { period } => {
            push_algorithm_and_digits(&mut params, account);
            if period != 30 {
                params.push(("period", period.to_string()));
            }
        }
        Kind::Hotp { counter } => {
            push_algorithm_and_digits(&mut params, account);
            params.push(("counter", counter.to_string()));
        }
        Kind::Steam { period } => {
            if period != 30 {
                params.push(("period", period.to_string()));
            }
            params.push(("encoder", "steam".to_owned()));
        }
    }

    let known = params.iter().map(|(name, value)| (*name, value.as_str()));
    let extra = account
        .extra
        .iter()
        .map(|(name, value)| (name.as_str(), value.as_str()));
    let mut out = String::new();
    for (name, value) in known.chain(extra) {
        out.push('&');
        encode_into(&mut out, name);
        out.push('=');
        encode_into(&mut out, value);
    }
    out
}

fn push_algorithm_and_digits(params: &mut Vec<(&str, String)>, account: &Account) {
    if account.algorithm != Algorithm::Sha1 {
        params.push(("algorithm", account.algorithm.as_str().to_owned()));
    }
    if account.digits != 6 {
        params.push(("digits", account.digits.to_string()));
    }
}

/// Percent-encodes everything but RFC 3986 unreserved characters and `@`
/// (kept so e-mail addresses stay readable). Spaces become `%20`.
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    encode_into(&mut out, text);
    out
}

/// [`encode`], appending to `out`.
fn encode_into(out: &mut String, text: &str) {
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~@".contains(&byte) {
            out.push(char::from(byte));
        } else {
            // Writing to a String cannot fail.
            let _ = write!(out, "%{byte:02X}");
        }
    }
}

/// Percent-decodes to text; bytes that are not UTF-8 become U+FFFD.
fn decode_text(text: &str, plus_is_space: bool) -> String {
    String::from_utf8_lossy(&percent_decode(text, plus_is_space)).into_owned()
}

/// Percent-decodes once. A `%` not followed by two hex digits is kept as is.
fn percent_decode(text: &str, plus_is_space: bool) -> Zeroizing<Vec<u8>> {
    let bytes = text.as_bytes();
    let mut out = Zeroizing::new(Vec::with_capacity(bytes.len()));
    let mut i = 0;
    while i < bytes.len() {
        let escaped = match bytes.get(i..i + 3) {
            Some([b'%', high, low]) => hex_value(*high).zip(hex_value(*low)),
            _ => None,
        };
        match (escaped, bytes[i]) {
            (Some((high, low)), _) => {
                out.push(high << 4 | low);
                i += 3;
                continue;
            }
            (None, b'+') if plus_is_space => out.push(b' '),
            (None, byte) => out.push(byte),
        }
        i += 1;
    }
    out
}

fn hex_value(byte: u8) -> Option<u8> {
    char::from(byte)
        .to_digit(16)
        .and_then(|value| u8::try_from(value).ok())
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const DEMO: &str = "JBSWY3DPEHPK3PXP";

    fn parse_ok(uri: &str) -> ParsedUri {
        match parse(uri) {
            Ok(parsed) => parsed,
            Err(error) => panic!("{uri} should parse: {error}"),
        }
    }

    fn account(uri: &str) -> Account {
        parse_ok(uri).account
    }

    fn invalid(name: &'static str, value: &str, expected: &'static str) -> UriError {
        UriError::InvalidParameter {
            name,
            value: value.to_owned(),
            expected,
        }
    }

    fn demo_account(kind: Kind) -> Account {
        Account {
            issuer: "Example".to_owned(),
            name: "alice@example.com".to_owned(),
            secret: Secret::from_base32(DEMO).expect("demo key"),
            kind,
            algorithm: Algorithm::Sha1,
            digits: 6,
            extra: Vec::new(),
        }
    }

    // --- Labels and issuers ---

    #[test]
    fn encoded_colon_in_the_label_splits_issuer_and_account() {
        let account = account(
            "otpauth://totp/Example%3Aalice@example.com?issuer=Example&secret=JBSWY3DPEHPK3PXP",
        );
        assert_eq!(
            (account.issuer.as_str(), account.name.as_str()),
            ("Example", "alice@example.com")
        );
    }

    #[test]
    fn spaces_after_the_label_colon_are_trimmed() {
        let account =
            account("otpauth://totp/ACME%20Co:%20%20john.doe@email.com?secret=JBSWY3DPEHPK3PXP");
        assert_eq!(
            (account.issuer.as_str(), account.name.as_str()),
            ("ACME Co", "john.doe@email.com")
        );
    }

    #[test]
    fn issuer_parameter_wins_over_the_label_prefix() {
        let account = account("otpauth://totp/github:alice?secret=JBSWY3DPEHPK3PXP&issuer=GitHub");
        assert_eq!(
            (account.issuer.as_str(), account.name.as_str()),
            ("GitHub", "alice")
        );
    }

    #[test]
    fn empty_issuer_parameter_leaves_the_label_prefix() {
        let account = account("otpauth://totp/GitHub:alice?secret=JBSWY3DPEHPK3PXP&issuer=");
        assert_eq!(account.issuer, "GitHub");
    }

    #[test]
    fn label_without_colon_is_the_account_name() {
        let account = account("otpauth://totp/alice?secret=JBSWY3DPEHPK3PXP");
        assert_eq!(
            (account.issuer.as_str(), account.name.as_str()),
            ("", "alice")
        );
    }

    #[test]
    fn plus_is_a_space_in_values_but_literal_in_the_label() {
        let account =
            account("otpauth://totp/alice+otp@example.com?secret=JBSWY3DPEHPK3PXP&issuer=ACME+Co");
        assert_eq!(
            (account.issuer.as_str(), account.name.as_str()),
            ("ACME Co", "alice+otp@example.com")
        );
    }

    #[test]
    fn scheme_type_and_parameter_names_are_case_insensitive() {
        let account = account("OTPAUTH://TOTP/Example:alice?Secret=JBSWY3DPEHPK3PXP&DIGITS=8");
        assert_eq!(
            (account.kind, account.digits),
            (Kind::Totp { period: 30 }, 8)
        );
    }

    // --- Kinds ---

    #[test]
    fn hotp_reads_its_counter() {
        let account =
            account("otpauth://hotp/x?secret=JBSWY3DPEHPK3PXP&counter=18446744073709551615");
        assert_eq!(account.kind, Kind::Hotp { counter: u64::MAX });
    }

    #[test]
    fn hotp_without_counter_starts_at_zero_with_a_warning() {
        let parsed = parse_ok("otpauth://hotp/x?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        assert_eq!(parsed.account.kind, Kind::Hotp { counter: 0 });
        assert_eq!(parsed.warnings, [Warning::MissingCounter]);
    }

    #[test]
    fn every_steam_spelling_gives_a_steam_account() {
        let spellings = [
            "otpauth://steam/Steam:alice?secret=JBSWY3DPEHPK3PXP",
            "otpauth://totp/Steam:alice?secret=JBSWY3DPEHPK3PXP&issuer=Steam&encoder=steam",
            "otpauth://totp/Steam:alice?secret=JBSWY3DPEHPK3PXP&encoder=Steam&digits=5&algorithm=SHA1",
            "steam://JBSWY3DPEHPK3PXP",
        ];
        for uri in spellings {
            let account = account(uri);
            let found = (account.kind, account.digits, account.algorithm);
            assert_eq!(
                found,
                (Kind::Steam { period: 30 }, 5, Algorithm::Sha1),
                "{uri}"
            );
        }
    }

    #[test]
    fn steam_keeps_a_given_period() {
        let account = account("otpauth://steam/Steam:alice?secret=JBSWY3DPEHPK3PXP&period=60");
        assert_eq!(account.kind, Kind::Steam { period: 60 });
    }

    #[test]
    fn steam_rejects_digits_or_algorithm_it_cannot_honour() {
        let base = "otpauth://totp/S:a?secret=JBSWY3DPEHPK3PXP&encoder=steam";
        let digits = parse(&format!("{base}&digits=6")).err();
        let algorithm = parse(&format!("{base}&algorithm=SHA256")).err();
        assert_eq!(digits, Some(invalid("digits", "6", "5 for Steam")));
        assert_eq!(
            algorithm,
            Some(invalid("algorithm", "SHA256", "SHA1 for Steam"))
        );
    }

    // --- Parameters ---

    #[test]
    fn algorithm_is_read_in_any_case_and_with_a_hyphen() {
        for (value, expected) in [
            ("sha256", Algorithm::Sha256),
            ("SHA-512", Algorithm::Sha512),
        ] {
            let uri = format!("otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&algorithm={value}");
            assert_eq!(account(&uri).algorithm, expected, "{value}");
        }
    }

    #[test]
    fn unknown_algorithm_is_an_error_quoting_it() {
        let error = parse("otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&algorithm=MD5").err();
        assert_eq!(
            error,
            Some(invalid("algorithm", "MD5", "SHA1, SHA256 or SHA512"))
        );
    }

    #[test]
    fn digits_from_1_to_10_are_accepted() {
        for digits in [1, 10] {
            let uri = format!("otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&digits={digits}");
            assert_eq!(account(&uri).digits, digits);
        }
    }

    #[test]
    fn digits_outside_1_to_10_are_an_error_quoting_them() {
        for value in ["0", "11", "six", ""] {
            let uri = format!("otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&digits={value}");
            let expected = invalid("digits", value, "a whole number from 1 to 10");
            assert_eq!(parse(&uri).err(), Some(expected), "{value}");
        }
    }

    #[test]
    fn period_must_be_a_positive_whole_number() {
        assert_eq!(
            account("otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&period=45").period(),
            Some(45)
        );
        for value in ["0", "-30", "30s"] {
            let uri = format!("otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&period={value}");
            let expected = invalid("period", value, "a whole number of seconds from 1 to 86400");
            assert_eq!(parse(&uri).err(), Some(expected), "{value}");
        }
    }

    #[test]
    fn counter_must_fit_in_64_bits() {
        for value in ["-1", "18446744073709551616"] {
            let uri = format!("otpauth://hotp/x?secret=JBSWY3DPEHPK3PXP&counter={value}");
            let error = parse(&uri).err();
            assert!(
                matches!(
                    error,
                    Some(UriError::InvalidParameter {
                        name: "counter",
                        ..
                    })
                ),
                "{value}"
            );
        }
    }

    #[test]
    fn invalid_parameter_message_names_the_parameter_and_quotes_the_value() {
        let error = parse("otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&digits=12").err();
        let message = error.map(|e| e.to_string()).unwrap_or_default();
        assert!(
            message.contains("`digits`") && message.contains("\"12\""),
            "{message}"
        );
    }

    #[test]
    fn unknown_parameters_are_kept_in_order() {
        let account = account(
            "otpauth://totp/x?image=https%3A%2F%2Fexample.com%2Fa.png&secret=JBSWY3DPEHPK3PXP&z=1&a=b+c",
        );
        let expected = [
            ("image", "https://example.com/a.png"),
            ("z", "1"),
            ("a", "b c"),
        ];
        let expected: Vec<(String, String)> = expected
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        assert_eq!(account.extra, expected);
    }

    #[test]
    fn parameters_that_do_not_apply_to_the_type_are_kept_as_extra() {
        let hotp = account("otpauth://hotp/x?secret=JBSWY3DPEHPK3PXP&counter=3&period=30");
        assert_eq!(hotp.extra, [("period".to_owned(), "30".to_owned())]);
    }

    #[test]
    fn a_parameter_repeated_with_the_same_value_is_fine() {
        let account = account("otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&digits=8&digits=8");
        assert_eq!(account.digits, 8);
    }

    #[test]
    fn a_parameter_repeated_with_different_values_is_an_error() {
        let error = parse("otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&secret=GEZDGNBVGY3TQOJQ").err();
        assert_eq!(error, Some(UriError::DuplicateParameter { name: "secret" }));
    }

    // --- Secrets ---

    #[test]
    fn short_secret_is_accepted_with_a_warning() {
        let parsed = parse_ok("otpauth://totp/x?secret=JBSWY3DPEHPK3PXP");
        assert_eq!(parsed.warnings, [Warning::ShortSecret { bits: 80 }]);
    }

    #[test]
    fn a_160_bit_totp_secret_gives_no_warning() {
        let parsed = parse_ok("otpauth://totp/x?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        assert!(parsed.warnings.is_empty());
    }

    #[test]
    fn missing_or_empty_secret_names_the_secret_parameter() {
        for uri in [
            "otpauth://totp/x?issuer=X",
            "otpauth://totp/x?secret=&issuer=X",
            "steam://",
        ] {
            assert_eq!(parse(uri).err(), Some(UriError::MissingSecret), "{uri}");
        }
        assert!(UriError::MissingSecret.to_string().contains("`secret`"));
    }

    #[test]
    fn bad_secret_character_gives_its_position_and_not_the_secret() {
        let error = parse("otpauth://totp/x?secret=JBSWY3DP1HPK3PXP").err();
        assert_eq!(
            error,
            Some(SecretError::InvalidCharacter { position: 9 }.into())
        );
        let message = error.map(|e| e.to_string()).unwrap_or_default();
        assert!(
            message.contains("position 9") && !message.contains("JBSWY3DP"),
            "{message}"
        );
    }

    #[test]
    fn secret_bytes_that_are_not_utf8_are_a_bad_character() {
        let error = parse("otpauth://totp/x?secret=JBSW%FFY3DP").err();
        assert_eq!(
            error,
            Some(SecretError::InvalidCharacter { position: 5 }.into())
        );
    }

    #[test]
    fn debug_output_of_a_parsed_uri_has_no_secret() {
        let parsed = parse_ok("otpauth://totp/Example:alice?secret=JBSWY3DPEHPK3PXP");
        let debug = format!("{parsed:?}");
        assert!(
            !debug.contains("JBSWY3DP") && debug.contains("redacted"),
            "{debug}"
        );
    }

    // --- Not otpauth at all ---

    #[test]
    fn text_without_a_scheme_is_not_a_uri() {
        for text in [
            "",
            "JBSWY3DPEHPK3PXP",
            "otpauth:/totp/x?secret=JBSWY3DPEHPK3PXP",
            "://x",
        ] {
            assert_eq!(parse(text).err(), Some(UriError::NotAUri), "{text:?}");
        }
    }

    #[test]
    fn other_schemes_are_named_in_the_error() {
        let error = parse("https://example.com/2fa").err();
        assert_eq!(
            error,
            Some(UriError::NotOtpauth {
                scheme: "https".to_owned()
            })
        );
    }

    #[test]
    fn unknown_type_is_named_in_the_error() {
        let error = parse("otpauth://motp/x?secret=JBSWY3DPEHPK3PXP").err();
        assert_eq!(
            error,
            Some(UriError::UnknownType {
                kind: "motp".to_owned()
            })
        );
    }

    // --- Formatting ---

    #[test]
    fn formats_the_canonical_uri_without_padding_spaces_or_defaults() {
        let uri = "otpauth://totp/Example:alice@example.com?secret=jbsw%20y3dp%20ehpk%203pxp%3D%3D&issuer=Example&digits=6&period=30&algorithm=sha1";
        assert_eq!(
            format(&account(uri)).as_str(),
            "otpauth://totp/Example:alice@example.com?secret=JBSWY3DPEHPK3PXP&issuer=Example"
        );
    }

    #[test]
    fn writes_values_that_differ_from_the_defaults() {
        let mut account = demo_account(Kind::Totp { period: 60 });
        account.algorithm = Algorithm::Sha256;
        account.digits = 8;
        assert_eq!(
            format(&account).as_str(),
            "otpauth://totp/Example:alice@example.com?secret=JBSWY3DPEHPK3PXP&issuer=Example&algorithm=SHA256&digits=8&period=60"
        );
    }

    #[test]
    fn always_writes_the_hotp_counter() {
        assert_eq!(
            format(&demo_account(Kind::Hotp { counter: 0 })).as_str(),
            "otpauth://hotp/Example:alice@example.com?secret=JBSWY3DPEHPK3PXP&issuer=Example&counter=0"
        );
    }

    #[test]
    fn writes_steam_as_totp_with_the_steam_encoder() {
        assert_eq!(
            format(&account("steam://JBSWY3DPEHPK3PXP")).as_str(),
            "otpauth://totp/Steam:?secret=JBSWY3DPEHPK3PXP&issuer=Steam&encoder=steam"
        );
    }

    #[test]
    fn bare_steam_uri_is_named_steam() {
        assert_eq!(account("steam://JBSWY3DPEHPK3PXP").issuer, "Steam");
    }

    #[test]
    fn encodes_spaces_as_percent_20_and_keeps_the_label_colon() {
        let mut account = demo_account(Kind::Totp { period: 30 });
        account.issuer = "ACME Co".to_owned();
        account.name = "john doe".to_owned();
        assert_eq!(
            format(&account).as_str(),
            "otpauth://totp/ACME%20Co:john%20doe?secret=JBSWY3DPEHPK3PXP&issuer=ACME%20Co"
        );
    }

    #[test]
    fn writes_unknown_parameters_back_in_order() {
        let uri =
            "otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&image=https%3A%2F%2Fe.com%2Fa.png&z=a+b";
        assert_eq!(
            format(&account(uri)).as_str(),
            "otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&image=https%3A%2F%2Fe.com%2Fa.png&z=a%20b"
        );
    }

    #[test]
    fn awkward_labels_survive_a_round_trip() {
        let labels = [
            ("A:B", "alice"),
            ("", "a:b"),
            ("GitHub", ""),
            ("", ""),
            ("Ünïcödé 名前", "x+y%z&w=v#q?"),
            ("50% off", "100%"),
        ];
        for (issuer, name) in labels {
            let mut account = demo_account(Kind::Totp { period: 30 });
            account.issuer = issuer.to_owned();
            account.name = name.to_owned();
            let uri = format(&account);
            assert_eq!(parse_ok(&uri).account, account, "{}", uri.as_str());
        }
    }

    /// Extra parameter names that Tessera reads itself cannot round-trip as extras.
    fn is_known_parameter(name: &str) -> bool {
        [
            "secret",
            "issuer",
            "algorithm",
            "digits",
            "period",
            "counter",
            "encoder",
        ]
        .iter()
        .any(|known| name.eq_ignore_ascii_case(known))
    }

    fn arbitrary_account() -> impl Strategy<Value = Account> {
        let trimmed = "\\PC{0,12}".prop_filter("label parts are trimmed", |s| s.trim() == s);
        let kind = prop_oneof![
            (1..=600u64).prop_map(|period| Kind::Totp { period }),
            any::<u64>().prop_map(|counter| Kind::Hotp { counter }),
            (1..=600u64).prop_map(|period| Kind::Steam { period }),
        ];
        let algorithm = prop_oneof![
            Just(Algorithm::Sha1),
            Just(Algorithm::Sha256),
            Just(Algorithm::Sha512)
        ];
        let extra_name =
            "\\PC{0,8}".prop_filter("not a known parameter", |s| !is_known_parameter(s));
        let extra = proptest::collection::vec((extra_name, "\\PC{0,12}"), 0..4);
        let secret = proptest::collection::vec(any::<u8>(), 1..64);
        (
            trimmed.clone(),
            trimmed,
            secret,
            kind,
            algorithm,
            1..=10u8,
            extra,
        )
            .prop_map(|(issuer, name, secret, kind, algorithm, digits, extra)| {
                let steam = matches!(kind, Kind::Steam { .. });
                Account {
                    issuer,
                    name,
                    secret: Secret::from_bytes(secret),
                    kind,
                    algorithm: if steam { Algorithm::Sha1 } else { algorithm },
                    digits: if steam { 5 } else { digits },
                    extra,
                }
            })
    }

    proptest! {
        #[test]
        fn parsing_a_formatted_account_gives_it_back(account in arbitrary_account()) {
            let uri = format(&account);
            let parsed = parse(&uri).map(|parsed| parsed.account);
            prop_assert_eq!(parsed.ok(), Some(account), "{}", uri.as_str());
        }

        #[test]
        fn formatting_is_stable(account in arbitrary_account()) {
            let uri = format(&account);
            let again = parse(&uri).map(|parsed| format(&parsed.account).to_string());
            prop_assert_eq!(again.ok(), Some(uri.to_string()));
        }
    }
}

#[cfg(test)]
mod limit_tests {
    use super::*;

    #[test]
    fn a_secret_longer_than_any_site_issues_is_refused() {
        let uri = format!("otpauth://totp/X?secret={}", "A".repeat(100_000));

        assert!(matches!(
            parse(&uri),
            Err(UriError::TooLong { what: "secret", .. })
        ));
    }

    #[test]
    fn a_huge_issuer_is_refused_not_echoed() {
        let uri = format!(
            "otpauth://totp/X?secret=JBSWY3DPEHPK3PXP&issuer={}",
            "b".repeat(5000)
        );
        let error = parse(&uri).err().map(|e| e.to_string()).unwrap_or_default();

        assert!(error.contains("issuer is 5000 characters"), "{error}");
        assert!(error.len() < 300);
    }

    #[test]
    fn a_period_over_a_day_is_refused() {
        let uri = "otpauth://totp/X?secret=JBSWY3DPEHPK3PXP&period=99999999999";

        assert!(matches!(
            parse(uri),
            Err(UriError::InvalidParameter { name: "period", .. })
        ));
    }

    #[test]
    fn a_label_issuer_that_differs_from_the_parameter_is_a_warning_not_an_error() {
        let parsed =
            parse("otpauth://totp/Foo:bob?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Bar")
                .expect("parses");

        assert_eq!(parsed.account.issuer, "Bar");
        assert!(matches!(
            parsed.warnings.as_slice(),
            [Warning::IssuerMismatch { .. }]
        ));
    }
}
