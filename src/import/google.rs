//! Google Authenticator's `otpauth-migration://offline?data=...` payloads:
//! decoding (import) and encoding (export).
//!
//! `data` is a protobuf `MigrationPayload`, base64 with the standard
//! alphabet and padding, percent-encoded into the query. The layout (field
//! numbers and enum values) is the one the apps that read these exports
//! publish, e.g. Aegis's `google_auth.proto`; the messages are derived by
//! hand below because `prost-build` needs `protoc`.
//!
//! A big export is split into batches, one QR code each, that share a
//! `batch_id`; `batch_index` counts from 0. Lines of one export are
//! combined, a batch read twice counts once, and a missing batch is named
//! in a warning. The format has no period (always 30 s) and only 6 or 8
//! digits, and cannot hold Steam accounts: exporting skips those, saying why.

use std::collections::{BTreeMap, BTreeSet};

use base64::Engine as _;
use prost::Message as _;
use zeroize::Zeroizing;

use crate::otp::{Account, Algorithm, Kind, Secret};

use super::uri_list::{
    display_name, empty_report, imported_from_uri, is_account_uri, meaningful_lines, plain,
    starts_with_ignore_case, text_of,
};
use super::{Format, ImportError, ImportReport, Skipped};

const SCHEME: &str = "otpauth-migration://";
const FORMAT: Format = Format::Google;

/// The protobuf messages, field for field.
mod proto {
    use std::fmt;

    #[derive(Clone, PartialEq, prost::Message)]
    #[prost(skip_debug)]
    pub struct MigrationPayload {
        #[prost(message, repeated, tag = "1")]
        pub otp_parameters: Vec<OtpParameters>,
        #[prost(int32, tag = "2")]
        pub version: i32,
        #[prost(int32, tag = "3")]
        pub batch_size: i32,
        #[prost(int32, tag = "4")]
        pub batch_index: i32,
        #[prost(int32, tag = "5")]
        pub batch_id: i32,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    #[prost(skip_debug)]
    pub struct OtpParameters {
        #[prost(bytes = "vec", tag = "1")]
        pub secret: Vec<u8>,
        #[prost(string, tag = "2")]
        pub name: String,
        #[prost(string, tag = "3")]
        pub issuer: String,
        #[prost(enumeration = "Algorithm", tag = "4")]
        pub algorithm: i32,
        #[prost(enumeration = "DigitCount", tag = "5")]
        pub digits: i32,
        #[prost(enumeration = "OtpType", tag = "6")]
        pub r#type: i32,
        #[prost(int64, tag = "7")]
        pub counter: i64,
    }

    #[derive(Clone, Copy, Debug, PartialEq, Eq, prost::Enumeration)]
    #[repr(i32)]
    pub enum Algorithm {
        Unspecified = 0,
        Sha1 = 1,
        Sha256 = 2,
        Sha512 = 3,
        Md5 = 4,
    }

    #[derive(Clone, Copy, Debug, PartialEq, Eq, prost::Enumeration)]
    #[repr(i32)]
    pub enum DigitCount {
        Unspecified = 0,
        Six = 1,
        Eight = 2,
    }

    #[derive(Clone, Copy, Debug, PartialEq, Eq, prost::Enumeration)]
    #[repr(i32)]
    pub enum OtpType {
        Unspecified = 0,
        Hotp = 1,
        Totp = 2,
    }

    impl Drop for OtpParameters {
        fn drop(&mut self) {
            zeroize::Zeroize::zeroize(&mut self.secret);
        }
    }

    impl fmt::Debug for MigrationPayload {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.debug_struct("MigrationPayload")
                .field("accounts", &self.otp_parameters.len())
                .field("batch_size", &self.batch_size)
                .field("batch_index", &self.batch_index)
                .field("batch_id", &self.batch_id)
                .finish_non_exhaustive()
        }
    }

    impl fmt::Debug for OtpParameters {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.debug_struct("OtpParameters")
                .field("issuer", &self.issuer)
                .field("name", &self.name)
                .field("secret", &"<redacted>")
                .finish_non_exhaustive()
        }
    }
}

/// One `otpauth-migration://` URI of an export: which batch it is.
/// `index` counts from 0, as in the payload; show it as `index + 1`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationBatch {
    pub index: u32,
    pub size: u32,
    pub batch_id: i32,
}

/// An export as migration URIs, plus the accounts the format cannot hold.
/// No `Debug`: the URIs hold secrets.
pub struct MigrationExport {
    /// In batch order; each URI holds secrets.
    pub uris: Vec<(MigrationBatch, Zeroizing<String>)>,
    /// Accounts left out (Steam, periods other than 30 s, ...), and why.
    pub skipped: Vec<Skipped>,
}

/// Encodes `accounts` as migration URIs, at most `per_batch` accounts each,
/// for `tessera export --format google`. Each URI holds secrets. Accounts
/// the format cannot hold are left out; [`migration_export`] says which.
pub fn migration_uris(accounts: &[Account], per_batch: usize) -> Vec<Zeroizing<String>> {
    migration_export(accounts, per_batch)
        .uris
        .into_iter()
        .map(|(_, uri)| uri)
        .collect()
}

/// [`migration_uris`] with the batch of each URI and the accounts left out.
/// All batches share one random `batch_id`, so a phone can tell them apart
/// from another export's.
pub fn migration_export(accounts: &[Account], per_batch: usize) -> MigrationExport {
    encode_export(accounts, per_batch, random_batch_id())
}

fn encode_export(accounts: &[Account], per_batch: usize, batch_id: i32) -> MigrationExport {
    let mut parameters = Vec::new();
    let mut skipped = Vec::new();
    for account in accounts {
        match to_parameters(account) {
            Ok(parameter) => parameters.push(parameter),
            Err(reason) => skipped.push(Skipped {
                name: display_name(account),
                reason,
            }),
        }
    }

    let chunks: Vec<&[proto::OtpParameters]> = parameters.chunks(per_batch.max(1)).collect();
    let size = u32::try_from(chunks.len()).unwrap_or(u32::MAX);
    let uris = (0..size)
        .zip(&chunks)
        .map(|(index, chunk)| {
            let batch = MigrationBatch {
                index,
                size,
                batch_id,
            };
            let uri = encode_uri(chunk, &batch);
            (batch, uri)
        })
        .collect();
    MigrationExport { uris, skipped }
}

/// The payload for one account, or why the format cannot hold it.
fn to_parameters(account: &Account) -> Result<proto::OtpParameters, String> {
    let (otp_type, counter) = match account.kind {
        Kind::Totp { period: 30 } => (proto::OtpType::Totp, 0),
        Kind::Totp { period } => {
            return Err(format!(
                "Google Authenticator only has 30-second codes; this one changes every {period} s"
            ));
        }
        Kind::Hotp { counter } => {
            let counter = i64::try_from(counter)
                .map_err(|_| "its HOTP counter is too large for Google Authenticator".to_owned())?;
            (proto::OtpType::Hotp, counter)
        }
        Kind::Steam { .. } => {
            return Err("Google Authenticator cannot hold Steam accounts".to_owned());
        }
    };
    let digits = match account.digits {
        6 => proto::DigitCount::Six,
        8 => proto::DigitCount::Eight,
        other => {
            return Err(format!(
                "Google Authenticator shows only 6 or 8 digits; this account has {other}"
            ));
        }
    };
    let algorithm = match account.algorithm {
        Algorithm::Sha1 => proto::Algorithm::Sha1,
        Algorithm::Sha256 => proto::Algorithm::Sha256,
        Algorithm::Sha512 => proto::Algorithm::Sha512,
    };
    Ok(proto::OtpParameters {
        secret: account.secret.as_bytes().to_vec(),
        name: name_for_export(account),
        issuer: account.issuer.clone(),
        algorithm: algorithm.into(),
        digits: digits.into(),
        r#type: otp_type.into(),
        counter,
    })
}

/// The `name` field, written so that [`split_name`] gives the account name
/// back: a name that would lose a leading `issuer:` or be split at its
/// colon gets a prefix that reading removes again.
fn name_for_export(account: &Account) -> String {
    let name = &account.name;
    if account.issuer.is_empty() {
        if name.contains(':') {
            format!(":{name}")
        } else {
            name.clone()
        }
    } else if strip_issuer_prefix(name, &account.issuer).is_some() {
        format!("{}:{name}", account.issuer)
    } else {
        name.clone()
    }
}

fn encode_uri(parameters: &[proto::OtpParameters], batch: &MigrationBatch) -> Zeroizing<String> {
    let payload = proto::MigrationPayload {
        otp_parameters: parameters.to_vec(),
        version: 1,
        batch_size: i32::try_from(batch.size).unwrap_or(i32::MAX),
        batch_index: i32::try_from(batch.index).unwrap_or(i32::MAX),
        batch_id: batch.batch_id,
    };
    // Buffers are sized up front: a reallocation would leave an unzeroized copy.
    let mut bytes = Zeroizing::new(Vec::with_capacity(payload.encoded_len()));
    // Cannot fail: the buffer has room for the whole message.
    let _ = payload.encode(&mut *bytes);
    let mut base64 = Zeroizing::new(String::with_capacity(bytes.len().div_ceil(3) * 4));
    base64::engine::general_purpose::STANDARD.encode_string(&*bytes, &mut base64);

    let head = "otpauth-migration://offline?data=";
    let mut uri = Zeroizing::new(String::with_capacity(head.len() + base64.len() * 3));
    uri.push_str(head);
    for c in base64.chars() {
        match c {
            '+' => uri.push_str("%2B"),
            '/' => uri.push_str("%2F"),
            '=' => uri.push_str("%3D"),
            other => uri.push(other),
        }
    }
    uri
}

fn random_batch_id() -> i32 {
    let mut bytes = [0; 4];
    if getrandom::getrandom(&mut bytes).is_err() {
        // Only tells exports apart; the clock is a fine stand-in.
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |elapsed| elapsed.subsec_nanos());
        bytes = nanos.to_le_bytes();
    }
    i32::from_le_bytes(bytes)
}

// --- Import ---

/// True when a meaningful line starts with `otpauth-migration://`.
pub(super) fn looks_like(bytes: &[u8]) -> bool {
    std::str::from_utf8(bytes).is_ok_and(|text| {
        meaningful_lines(text)
            .any(|(_, line)| is_migration_uri(line.trim_start_matches('\u{feff}')))
    })
}

/// Reads migration lines (and any plain `otpauth://` lines among them).
pub(super) fn read(bytes: &[u8]) -> Result<ImportReport, ImportError> {
    let text = text_of(bytes, FORMAT)?;
    let mut report = empty_report(Format::Google);
    let mut batches = Batches::default();
    let mut migration_lines = 0;

    for (number, line) in meaningful_lines(text) {
        let place = format!("line {number}");
        if is_migration_uri(line) {
            migration_lines += 1;
            batches.add(line, &place, &mut report);
        } else if is_account_uri(line) {
            match imported_from_uri(line, &place) {
                Ok((entry, warnings)) => {
                    report.warnings.extend(warnings);
                    report.entries.push(entry);
                }
                Err(skipped) => report.skipped.push(skipped),
            }
        } else {
            report.skipped.push(Skipped {
                name: place,
                reason: "it is neither an otpauth-migration:// nor an otpauth:// link".to_owned(),
            });
        }
    }

    if migration_lines == 0 {
        return Err(ImportError::damaged(
            FORMAT,
            "it has no otpauth-migration:// line".to_owned(),
        ));
    }
    batches.finish(&mut report);
    Ok(report)
}

/// `otpauth-migration://`, in any case.
pub(super) fn is_migration_uri(text: &str) -> bool {
    starts_with_ignore_case(text, SCHEME)
}

/// The batches of one or more exports, read one URI at a time and then
/// combined into a report.
#[derive(Default)]
pub(super) struct Batches {
    /// By batch id, then batch index: the batch's size and its accounts.
    exports: BTreeMap<i32, BTreeMap<i32, proto::MigrationPayload>>,
}

impl Batches {
    /// Decodes one migration URI; one that cannot be read is skipped under
    /// `place` ("line 3", "QR code 2").
    pub(super) fn add(&mut self, uri: &str, place: &str, report: &mut ImportReport) {
        match decode_uri(uri) {
            Ok(payload) => {
                let batches = self.exports.entry(payload.batch_id).or_default();
                // A batch scanned twice is the same data: keep one.
                batches.entry(payload.batch_index).or_insert(payload);
            }
            Err(reason) => report.skipped.push(Skipped {
                name: place.to_owned(),
                reason,
            }),
        }
    }

    /// Adds the accounts of every batch to `report`, and a warning for each
    /// batch of an export that was not read.
    pub(super) fn finish(self, report: &mut ImportReport) {
        for batches in self.exports.into_values() {
            report.warnings.extend(missing_batches(&batches));
            for payload in batches.into_values() {
                for parameters in &payload.otp_parameters {
                    match account_from(parameters) {
                        Ok(account) => report.entries.push(plain(account)),
                        Err(skipped) => report.skipped.push(skipped),
                    }
                }
            }
        }
    }
}

/// "batch 2 of 3 is missing; scan it too", for each index not read.
fn missing_batches(batches: &BTreeMap<i32, proto::MigrationPayload>) -> Vec<String> {
    let size = batches
        .values()
        .map(|payload| payload.batch_size)
        .max()
        .unwrap_or(1);
    let read: BTreeSet<i32> = batches.keys().copied().collect();
    (0..size)
        .filter(|index| !read.contains(index))
        .map(|index| {
            format!(
                "batch {} of {size} of the Google Authenticator export is missing; scan it too",
                index + 1
            )
        })
        .collect()
}

/// The payload in a migration URI, or why it cannot be read (never quoting it).
fn decode_uri(uri: &str) -> Result<proto::MigrationPayload, String> {
    let data = data_parameter(uri)
        .ok_or_else(|| "the otpauth-migration:// link has no `data` parameter".to_owned())?;
    let base64 = percent_decode_base64(data);
    let bytes = decode_base64(&base64)
        .ok_or_else(|| "its `data` is not valid base64; copy or scan the whole link".to_owned())?;
    proto::MigrationPayload::decode(bytes.as_slice()).map_err(|_| {
        "its `data` is not a Google Authenticator export; copy or scan the whole link".to_owned()
    })
}

/// The raw (still percent-encoded) value of `data=`.
fn data_parameter(uri: &str) -> Option<&str> {
    let (_, query) = uri.split_once('?')?;
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(name, _)| name.eq_ignore_ascii_case("data"))
        .map(|(_, value)| value)
        .filter(|value| !value.is_empty())
}

/// Undoes the percent-encoding of base64 text. A literal `+` stays a `+`
/// (it is base64, not a space) and a space, as left by a careless copy,
/// becomes `+` again.
fn percent_decode_base64(data: &str) -> Zeroizing<String> {
    let mut out = Zeroizing::new(String::with_capacity(data.len()));
    let mut rest = data;
    while let Some(c) = rest.chars().next() {
        let decoded = (c == '%')
            .then(|| rest.get(1..3))
            .flatten()
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        if let Some(byte) = decoded {
            out.push(char::from(byte));
            rest = &rest[3..];
        } else {
            out.push(if c == ' ' { '+' } else { c });
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

/// Standard or URL-safe base64, padded or not.
fn decode_base64(text: &str) -> Option<Zeroizing<Vec<u8>>> {
    let normal: Zeroizing<String> = Zeroizing::new(
        text.trim_end_matches('=')
            .chars()
            .map(|c| match c {
                '-' => '+',
                '_' => '/',
                other => other,
            })
            .collect(),
    );
    let mut bytes = Zeroizing::new(Vec::with_capacity(normal.len() * 3 / 4 + 3));
    base64::engine::general_purpose::STANDARD_NO_PAD
        .decode_vec(normal.as_bytes(), &mut bytes)
        .ok()?;
    Some(bytes)
}

/// One account of a payload, or why it is skipped.
fn account_from(parameters: &proto::OtpParameters) -> Result<Account, Skipped> {
    let (issuer, name) = split_name(&parameters.issuer, &parameters.name);
    let label = match (issuer.is_empty(), name.is_empty()) {
        (true, true) => "(unnamed)".to_owned(),
        (false, false) => format!("{issuer}:{name}"),
        _ => format!("{issuer}{name}"),
    };
    let skip = |reason: String| Skipped {
        name: label.clone(),
        reason,
    };

    if parameters.secret.is_empty() {
        return Err(skip("it has no secret".to_owned()));
    }
    let algorithm = algorithm_from(parameters.algorithm).map_err(skip)?;
    let digits = digits_from(parameters.digits).map_err(skip)?;
    let kind = kind_from(parameters.r#type, parameters.counter).map_err(skip)?;
    Ok(Account {
        issuer,
        name,
        secret: Secret::from_bytes(parameters.secret.clone()),
        kind,
        algorithm,
        digits,
        extra: Vec::new(),
    })
}

fn algorithm_from(value: i32) -> Result<Algorithm, String> {
    match proto::Algorithm::try_from(value) {
        Ok(proto::Algorithm::Unspecified | proto::Algorithm::Sha1) => Ok(Algorithm::Sha1),
        Ok(proto::Algorithm::Sha256) => Ok(Algorithm::Sha256),
        Ok(proto::Algorithm::Sha512) => Ok(Algorithm::Sha512),
        Ok(proto::Algorithm::Md5) => {
            Err("MD5 accounts are not supported: codes use SHA1, SHA256 or SHA512".to_owned())
        }
        Err(_) => Err(format!("its algorithm ({value}) is not one Tessera knows")),
    }
}

fn digits_from(value: i32) -> Result<u8, String> {
    match proto::DigitCount::try_from(value) {
        Ok(proto::DigitCount::Unspecified | proto::DigitCount::Six) => Ok(6),
        Ok(proto::DigitCount::Eight) => Ok(8),
        Err(_) => Err(format!(
            "its digit count ({value}) is not one Tessera knows"
        )),
    }
}

fn kind_from(value: i32, counter: i64) -> Result<Kind, String> {
    match proto::OtpType::try_from(value) {
        Ok(proto::OtpType::Unspecified | proto::OtpType::Totp) => Ok(Kind::Totp { period: 30 }),
        Ok(proto::OtpType::Hotp) => u64::try_from(counter)
            .map(|counter| Kind::Hotp { counter })
            .map_err(|_| format!("its HOTP counter ({counter}) is negative")),
        Err(_) => Err(format!("its OTP type ({value}) is not one Tessera knows")),
    }
}

/// Google keeps the whole label in `name` ("GitHub:alice"): drop an
/// `issuer:` prefix, or split at the first `:` when there is no issuer.
fn split_name(issuer: &str, name: &str) -> (String, String) {
    let issuer = issuer.trim();
    if !issuer.is_empty() {
        let name = strip_issuer_prefix(name, issuer).unwrap_or(name);
        return (issuer.to_owned(), name.trim().to_owned());
    }
    match name.split_once(':') {
        Some((prefix, rest)) => (prefix.trim().to_owned(), rest.trim().to_owned()),
        None => (String::new(), name.trim().to_owned()),
    }
}

/// `name` without a leading `issuer:` (issuer in any case).
fn strip_issuer_prefix<'a>(name: &'a str, issuer: &str) -> Option<&'a str> {
    let rest = name.get(issuer.len()..)?.strip_prefix(':')?;
    name.get(..issuer.len())
        .filter(|head| head.eq_ignore_ascii_case(issuer))
        .map(|_| rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: u64 = 1_700_000_000;

    fn account(issuer: &str, name: &str, kind: Kind, algorithm: Algorithm, digits: u8) -> Account {
        Account {
            issuer: issuer.to_owned(),
            name: name.to_owned(),
            secret: Secret::from_base32("JBSWY3DPEHPK3PXP").expect("demo key"),
            kind,
            algorithm,
            digits,
            extra: Vec::new(),
        }
    }

    fn totp(issuer: &str, name: &str) -> Account {
        account(issuer, name, Kind::Totp { period: 30 }, Algorithm::Sha1, 6)
    }

    /// A payload URI built field by field, as another app would write it.
    fn payload_uri(
        parameters: Vec<proto::OtpParameters>,
        size: i32,
        index: i32,
        id: i32,
    ) -> String {
        let payload = proto::MigrationPayload {
            otp_parameters: parameters,
            version: 1,
            batch_size: size,
            batch_index: index,
            batch_id: id,
        };
        let data = base64::engine::general_purpose::STANDARD.encode(payload.encode_to_vec());
        let data = data
            .replace('+', "%2B")
            .replace('/', "%2F")
            .replace('=', "%3D");
        format!("otpauth-migration://offline?data={data}")
    }

    fn parameters(
        name: &str,
        issuer: &str,
        algorithm: i32,
        digits: i32,
        kind: i32,
    ) -> proto::OtpParameters {
        proto::OtpParameters {
            secret: b"Hello!\xde\xad\xbe\xef".to_vec(),
            name: name.to_owned(),
            issuer: issuer.to_owned(),
            algorithm,
            digits,
            r#type: kind,
            counter: 0,
        }
    }

    fn read_text(text: &str) -> ImportReport {
        read(text.as_bytes()).expect("reads")
    }

    #[test]
    fn decodes_a_known_payload_to_its_account_and_code() {
        // Encoded by hand (a few lines of Python) from the protobuf layout,
        // not by prost: one TOTP account, secret "Hello!" DE AD BE EF, name
        // "Example:alice", issuer "Example", SHA1, 6 digits; batch 1 of 1.
        let uri = "otpauth-migration://offline?data=CioKCkhlbGxvId6tvu8SDUV4YW1wbGU6YWxpY2UaB0V4YW1wbGUgASgBMAIQARgBIAAo0gk%3D";
        let report = read_text(uri);
        assert!(report.skipped.is_empty(), "{:?}", report.skipped);
        let account = &report.entries[0].account;
        assert_eq!(account.label(), "Example:alice");
        assert_eq!(account.secret.to_base32().as_str(), "JBSWY3DPEHPK3PXP");
        assert_eq!(account.code_at(T), totp("", "").code_at(T));
    }

    #[test]
    fn reads_every_algorithm_digit_count_and_type() {
        let uri = payload_uri(
            vec![
                parameters("a", "X", 3, 2, 2),
                parameters("b", "X", 2, 1, 1),
                parameters("c", "", 0, 0, 0),
            ],
            1,
            0,
            7,
        );
        let report = read_text(&uri);
        let found: Vec<(Algorithm, u8, Kind)> = report
            .entries
            .iter()
            .map(|e| (e.account.algorithm, e.account.digits, e.account.kind))
            .collect();
        assert_eq!(
            found,
            [
                (Algorithm::Sha512, 8, Kind::Totp { period: 30 }),
                (Algorithm::Sha256, 6, Kind::Hotp { counter: 0 }),
                (Algorithm::Sha1, 6, Kind::Totp { period: 30 }),
            ]
        );
    }

    #[test]
    fn an_8_digit_sha512_account_gives_the_rfc_code() {
        let mut p = parameters("carol", "Big", 3, 2, 2);
        p.secret = b"1234567890".iter().copied().cycle().take(64).collect();
        let report = read_text(&payload_uri(vec![p], 1, 0, 1));
        assert_eq!(report.entries[0].account.code_at(59).as_str(), "90693936");
    }

    #[test]
    fn hotp_keeps_its_counter() {
        let mut p = parameters("bob", "RFC", 1, 1, 1);
        p.secret = b"12345678901234567890".to_vec();
        p.counter = 1;
        let report = read_text(&payload_uri(vec![p], 1, 0, 1));
        let account = &report.entries[0].account;
        assert_eq!(account.kind, Kind::Hotp { counter: 1 });
        assert_eq!(account.code_at(0).as_str(), "287082");
    }

    #[test]
    fn md5_and_unknown_values_are_skipped_with_a_reason() {
        let uri = payload_uri(
            vec![
                parameters("md5", "Old", 4, 1, 2),
                parameters("weird", "New", 1, 9, 2),
                parameters("ok", "Fine", 1, 1, 2),
            ],
            1,
            0,
            1,
        );
        let report = read_text(&uri);
        assert_eq!(report.entries.len(), 1);
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
                    "MD5 accounts are not supported: codes use SHA1, SHA256 or SHA512"
                ),
                ("New:weird", "its digit count (9) is not one Tessera knows"),
            ]
        );
    }

    #[test]
    fn the_issuer_prefix_is_split_off_the_name() {
        assert_eq!(
            split_name("GitHub", "GitHub:alice"),
            ("GitHub".into(), "alice".into())
        );
        assert_eq!(
            split_name("GitHub", "github: alice"),
            ("GitHub".into(), "alice".into())
        );
        assert_eq!(split_name("", "ACME: bob"), ("ACME".into(), "bob".into()));
        assert_eq!(
            split_name("Other", "ACME:bob"),
            ("Other".into(), "ACME:bob".into())
        );
        assert_eq!(split_name("", "carol"), (String::new(), "carol".into()));
    }

    #[test]
    fn batches_of_one_export_are_combined_and_a_missing_one_is_named() {
        let lines = [
            payload_uri(vec![parameters("a", "A", 1, 1, 2)], 3, 0, 42),
            payload_uri(vec![parameters("c", "C", 1, 1, 2)], 3, 2, 42),
            payload_uri(vec![parameters("c", "C", 1, 1, 2)], 3, 2, 42),
        ];
        let report = read_text(&lines.join("\n"));
        let labels: Vec<String> = report.entries.iter().map(|e| e.account.label()).collect();
        assert_eq!(labels, ["A:a", "C:c"]);
        assert_eq!(
            report.warnings,
            ["batch 2 of 3 of the Google Authenticator export is missing; scan it too"]
        );
    }

    #[test]
    fn a_complete_multi_batch_export_gives_no_warning() {
        let lines = [
            payload_uri(vec![parameters("b", "B", 1, 1, 2)], 2, 1, 5),
            payload_uri(vec![parameters("a", "A", 1, 1, 2)], 2, 0, 5),
        ];
        let report = read_text(&lines.join("\n"));
        assert_eq!(report.entries.len(), 2);
        assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    }

    #[test]
    fn a_damaged_line_is_skipped_without_quoting_it() {
        let good = payload_uri(vec![parameters("a", "A", 1, 1, 2)], 1, 0, 1);
        let text = format!("{good}\notpauth-migration://offline?data=SECRETSTUFF%21%21\n");
        let report = read_text(&text);
        assert_eq!(report.entries.len(), 1);
        assert_eq!(report.skipped[0].name, "line 2");
        assert!(!report.skipped[0].reason.contains("SECRETSTUFF"));
    }

    #[test]
    fn unescaped_and_url_safe_base64_are_read_too() {
        let uri = payload_uri(vec![parameters("a?>", "A~~", 1, 1, 2)], 1, 0, 1);
        let (head, data) = uri.split_at(uri.find("data=").expect("data") + 5);
        let raw = data
            .replace("%2B", "+")
            .replace("%2F", "/")
            .replace("%3D", "");
        let url_safe = raw.replace('+', "-").replace('/', "_");
        assert!(raw.contains('+') || raw.contains('/'), "{raw}");
        for data in [raw, url_safe] {
            let text = format!("{head}{data}");
            assert_eq!(read_text(&text).entries.len(), 1, "{text}");
        }
    }

    #[test]
    fn a_file_without_migration_lines_is_an_error() {
        let error = read(b"otpauth://totp/x?secret=JBSWY3DPEHPK3PXP\n").err();
        assert!(matches!(error, Some(ImportError::Damaged { .. })));
    }

    #[test]
    fn exported_accounts_read_back_the_same() {
        let accounts = vec![
            totp("GitHub", "alice@example.com"),
            account(
                "Big",
                "carol",
                Kind::Totp { period: 30 },
                Algorithm::Sha512,
                8,
            ),
            account(
                "RFC",
                "bob",
                Kind::Hotp { counter: 41 },
                Algorithm::Sha256,
                6,
            ),
            totp("", "no issuer"),
            totp("", "colon:in name"),
            totp("GitHub", "github:prefixed"),
            totp("Issuer only", ""),
        ];
        let export = encode_export(&accounts, 3, -12345);
        assert!(export.skipped.is_empty());
        let text: Vec<&str> = export.uris.iter().map(|(_, uri)| uri.as_str()).collect();
        let report = read_text(&text.join("\n"));
        let read_back: Vec<Account> = report.entries.into_iter().map(|e| e.account).collect();
        assert_eq!(read_back, accounts);
        assert!(report.warnings.is_empty());
    }

    #[test]
    fn export_batches_are_numbered_and_share_an_id() {
        let accounts: Vec<Account> = (0..5).map(|i| totp("X", &format!("user{i}"))).collect();
        let export = encode_export(&accounts, 2, 99);
        let batches: Vec<&MigrationBatch> = export.uris.iter().map(|(batch, _)| batch).collect();
        let expected: Vec<MigrationBatch> = (0..3)
            .map(|index| MigrationBatch {
                index,
                size: 3,
                batch_id: 99,
            })
            .collect();
        assert_eq!(batches, expected.iter().collect::<Vec<_>>());
        let decoded = decode_uri(&export.uris[2].1).expect("decodes");
        assert_eq!(
            (
                decoded.batch_index,
                decoded.batch_size,
                decoded.otp_parameters.len()
            ),
            (2, 3, 1)
        );
    }

    #[test]
    fn exported_uris_are_percent_encoded() {
        let export = encode_export(&[totp("A", "b")], 10, 1);
        let uri = export.uris[0].1.as_str();
        let data = uri
            .strip_prefix("otpauth-migration://offline?data=")
            .expect("prefix");
        assert!(
            data.chars().all(|c| c.is_ascii_alphanumeric() || c == '%'),
            "{data}"
        );
    }

    #[test]
    fn accounts_the_format_cannot_hold_are_skipped_with_a_reason() {
        let accounts = [
            account(
                "Steam",
                "gamer",
                Kind::Steam { period: 30 },
                Algorithm::Sha1,
                5,
            ),
            account("Slow", "x", Kind::Totp { period: 60 }, Algorithm::Sha1, 6),
            account("Seven", "y", Kind::Totp { period: 30 }, Algorithm::Sha1, 7),
            totp("Fine", "z"),
        ];
        let export = encode_export(&accounts, 10, 1);
        let reasons: Vec<(&str, &str)> = export
            .skipped
            .iter()
            .map(|s| (s.name.as_str(), s.reason.as_str()))
            .collect();
        assert_eq!(
            reasons,
            [
                (
                    "Steam:gamer",
                    "Google Authenticator cannot hold Steam accounts"
                ),
                (
                    "Slow:x",
                    "Google Authenticator only has 30-second codes; this one changes every 60 s"
                ),
                (
                    "Seven:y",
                    "Google Authenticator shows only 6 or 8 digits; this account has 7"
                ),
            ]
        );
        assert_eq!(export.uris.len(), 1);
    }

    #[test]
    fn exporting_nothing_gives_no_uris() {
        assert!(migration_uris(&[], 10).is_empty());
    }

    #[test]
    fn debug_output_hides_secrets() {
        let p = parameters("a", "A", 1, 1, 2);
        let debug = format!("{p:?}");
        assert!(
            debug.contains("redacted") && !debug.contains("Hello"),
            "{debug}"
        );
    }

    #[test]
    fn looks_like_finds_a_migration_line() {
        assert!(looks_like(
            b"\n# from my phone\nOTPAUTH-MIGRATION://offline?data=AA\n"
        ));
        assert!(!looks_like(b"otpauth://totp/x?secret=A"));
    }
}
