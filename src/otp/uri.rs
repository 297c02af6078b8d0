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
}

/// Why a URI was rejected. Names the part that is wrong; never holds the secret.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum UriError {
    /// No `scheme://` at the start. The input is not quoted: it may be a bare key.
    #[error(
        "this is not an otpauth:// link: it should start with otpauth://; \
         copy the whole link, or enter the key by itself"
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
    #[error("the link has no `secret` parameter: copy the whole link, or enter the key by itself")]
    MissingSecret,
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

    let issuer = match params.issuer {
        Some(issuer) if !issuer.is_empty() => issuer,
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
    Ok(Secret::from_base32(text)?)
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
        Ok(period) if period > 0 => Ok(period),
        _ => Err(UriError::InvalidParameter {
            name: "period",
            value: value.to_owned(),
            expected: "a whole number of seconds above 0",
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
    known
        .chain(extra)
        .map(|(name, value)| format!("&{}={}", encode(name), encode(value)))
        .collect()
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
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~@".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
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
