//! Bad and random input, tried systematically with proptest, through the
//! public API only:
//!
//! - URIs as sites and apps write them parse, and the canonical form Tessera
//!   writes is stable: format(parse(format(parse(uri)))) == format(parse(uri));
//! - the parser never panics, on any string or on a valid URI with bytes
//!   changed, removed or inserted;
//! - codes match the committed oathtool vectors, and, for random secrets,
//!   hashes, digits, periods, counters and times (far past 2^32), an
//!   independent RFC 4226 implementation written here with `hmac`.

use std::fmt::Write as _;

use hmac::{Hmac, Mac};
use proptest::prelude::*;
use tessera::otp::{Account, Algorithm, Kind, Secret};

// ---------------------------------------------------------------------------
// URIs

/// Percent-encodes everything but unreserved characters, as most apps do.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A base32 secret the way users paste it: any case, maybe padded, maybe
/// grouped with spaces.
fn secret_text() -> impl Strategy<Value = String> {
    (
        proptest::collection::vec(any::<u8>(), 1..48),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(bytes, lower, padded, spaced)| {
            let padding = base32::Alphabet::Rfc4648 { padding: padded };
            let mut text = base32::encode(padding, &bytes);
            if lower {
                text = text.to_lowercase();
            }
            if spaced {
                text = text
                    .as_bytes()
                    .chunks(4)
                    .map(|c| String::from_utf8_lossy(c).into_owned())
                    .collect::<Vec<_>>()
                    .join(" ");
            }
            text
        })
}

/// A valid `otpauth://` URI with a random label, secret and parameters.
fn valid_uri() -> impl Strategy<Value = String> {
    let label_part = "[^:\\p{C}]{0,16}";
    let kind = prop_oneof![Just("totp"), Just("TOTP"), Just("hotp"), Just("Hotp")];
    let algorithm = prop_oneof![
        Just(None),
        Just(Some("SHA1")),
        Just(Some("sha256")),
        Just(Some("SHA512"))
    ];
    let extras = proptest::collection::vec(("[a-z]{1,8}", "\\PC{0,12}"), 0..3);
    (
        kind,
        label_part,
        label_part,
        secret_text(),
        algorithm,
        proptest::option::of(1..=10u8),
        proptest::option::of(1..=600u64),
        proptest::option::of(any::<u64>()),
        extras,
    )
        .prop_map(
            |(kind, issuer, name, secret, algorithm, digits, period, counter, extras)| {
                let mut uri = format!(
                    "otpauth://{kind}/{}:{}?secret={}",
                    encode(&issuer),
                    encode(&name),
                    encode(&secret)
                );
                if !issuer.trim().is_empty() {
                    let _ = write!(uri, "&issuer={}", encode(&issuer));
                }
                if let Some(algorithm) = algorithm {
                    let _ = write!(uri, "&algorithm={algorithm}");
                }
                if let Some(digits) = digits {
                    let _ = write!(uri, "&digits={digits}");
                }
                if let Some(period) = period {
                    let _ = write!(uri, "&period={period}");
                }
                if let Some(counter) = counter {
                    let _ = write!(uri, "&counter={counter}");
                }
                for (name, value) in extras {
                    let _ = write!(uri, "&x{name}={}", encode(&value));
                }
                uri
            },
        )
}

/// One edit to a string: replace, delete or insert a character.
#[derive(Debug, Clone)]
enum Edit {
    Replace(usize, char),
    Delete(usize),
    Insert(usize, char),
}

fn edits() -> impl Strategy<Value = Vec<Edit>> {
    let interesting = prop_oneof![
        any::<char>(),
        prop::sample::select(vec!['%', '&', '=', '?', ':', '/', '#', '+', ' ', '\0', 'é']),
    ];
    let edit = prop_oneof![
        (any::<usize>(), interesting.clone()).prop_map(|(i, c)| Edit::Replace(i, c)),
        any::<usize>().prop_map(Edit::Delete),
        (any::<usize>(), interesting).prop_map(|(i, c)| Edit::Insert(i, c)),
    ];
    proptest::collection::vec(edit, 1..6)
}

fn apply(text: &str, edits: &[Edit]) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for edit in edits {
        let len = chars.len();
        match *edit {
            Edit::Replace(i, c) if len > 0 => chars[i % len] = c,
            Edit::Delete(i) if len > 0 => {
                chars.remove(i % len);
            }
            Edit::Insert(i, c) => chars.insert(i % (len + 1), c),
            _ => {}
        }
    }
    chars.into_iter().collect()
}

/// Parses, and when that works checks the round trip; returns whether it parsed.
fn check_round_trip(uri: &str) -> Result<bool, TestCaseError> {
    let Ok(parsed) = Account::from_uri(uri) else {
        return Ok(false);
    };
    let written = parsed.account.to_uri();
    let again = Account::from_uri(&written);
    prop_assert!(again.is_ok(), "the written form does not parse back");
    let again = again.expect("checked above").account;
    prop_assert!(
        again == parsed.account,
        "the account changed on a round trip"
    );
    let rewritten = again.to_uri();
    prop_assert_eq!(rewritten.as_str(), written.as_str());
    Ok(true)
}

proptest! {
    #[test]
    fn valid_uris_parse_and_their_canonical_form_is_stable(uri in valid_uri()) {
        prop_assert!(check_round_trip(&uri)?, "a valid URI was refused");
    }

    #[test]
    fn mutated_uris_never_panic_and_what_parses_round_trips(
        uri in valid_uri(),
        edits in edits(),
    ) {
        check_round_trip(&apply(&uri, &edits))?;
    }

    #[test]
    fn arbitrary_strings_never_panic(text in "\\PC*") {
        check_round_trip(&text)?;
        check_round_trip(&format!("otpauth://totp/{text}"))?;
        check_round_trip(&format!("otpauth://hotp/a?secret=JBSWY3DP&{text}"))?;
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        check_round_trip(&String::from_utf8_lossy(&bytes))?;
    }
}

// ---------------------------------------------------------------------------
// Codes

/// RFC 4226 HOTP written from the RFC with the `hmac` crate: HMAC of the
/// big-endian counter, dynamic truncation to 31 bits, modulo 10^digits.
fn reference_value(key: &[u8], counter: u64, algorithm: Algorithm) -> u32 {
    let message = counter.to_be_bytes();
    let digest = match algorithm {
        Algorithm::Sha1 => hmac_digest::<Hmac<sha1::Sha1>>(key, &message),
        Algorithm::Sha256 => hmac_digest::<Hmac<sha2::Sha256>>(key, &message),
        Algorithm::Sha512 => hmac_digest::<Hmac<sha2::Sha512>>(key, &message),
    };
    let offset = usize::from(digest[digest.len() - 1] & 0x0f);
    let word = [
        digest[offset],
        digest[offset + 1],
        digest[offset + 2],
        digest[offset + 3],
    ];
    u32::from_be_bytes(word) & 0x7fff_ffff
}

fn hmac_digest<M: Mac + hmac::digest::KeyInit>(key: &[u8], message: &[u8]) -> Vec<u8> {
    let mut mac = <M as hmac::digest::KeyInit>::new_from_slice(key).expect("HMAC takes any key");
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

fn reference_code(key: &[u8], counter: u64, algorithm: Algorithm, digits: u8) -> String {
    let value = u64::from(reference_value(key, counter, algorithm));
    let modulus = 10u64.pow(u32::from(digits));
    format!("{:0width$}", value % modulus, width = usize::from(digits))
}

/// Steam Guard: the same 31-bit value (SHA-1), written as 5 characters of
/// Steam's alphabet, least significant first.
fn reference_steam(key: &[u8], counter: u64) -> String {
    const ALPHABET: &[u8] = b"23456789BCDFGHJKMNPQRTVWXY";
    let mut value = reference_value(key, counter, Algorithm::Sha1);
    (0..5)
        .map(|_| {
            let c = ALPHABET[(value % 26) as usize];
            value /= 26;
            char::from(c)
        })
        .collect()
}

fn algorithm() -> impl Strategy<Value = Algorithm> {
    prop_oneof![
        Just(Algorithm::Sha1),
        Just(Algorithm::Sha256),
        Just(Algorithm::Sha512)
    ]
}

/// Times before and far after 2^32 (the year 2106), up to the end of u64.
fn unix_time() -> impl Strategy<Value = u64> {
    prop_oneof![
        0..=u64::from(u32::MAX),
        u64::from(u32::MAX)..=u64::from(u32::MAX) + 100_000,
        any::<u64>(),
    ]
}

fn account(secret: &[u8], kind: Kind, algorithm: Algorithm, digits: u8) -> Account {
    Account {
        issuer: "Property".into(),
        name: "test".into(),
        secret: Secret::from_bytes(secret.to_vec()),
        kind,
        algorithm,
        digits,
        extra: Vec::new(),
    }
}

proptest! {
    #[test]
    fn totp_codes_match_an_independent_implementation(
        secret in proptest::collection::vec(any::<u8>(), 1..100),
        algorithm in algorithm(),
        digits in 1..=10u8,
        period in 1..=600u64,
        time in unix_time(),
    ) {
        let account = account(&secret, Kind::Totp { period }, algorithm, digits);
        let expected = reference_code(&secret, time / period, algorithm, digits);
        let code = account.code_at(time);
        prop_assert_eq!(code.as_str(), expected.as_str());
    }

    #[test]
    fn hotp_codes_match_an_independent_implementation(
        secret in proptest::collection::vec(any::<u8>(), 1..100),
        algorithm in algorithm(),
        digits in 1..=10u8,
        counter in any::<u64>(),
    ) {
        let account = account(&secret, Kind::Hotp { counter }, algorithm, digits);
        let expected = reference_code(&secret, counter, algorithm, digits);
        let code = account.code_at(0);
        prop_assert_eq!(code.as_str(), expected.as_str());
    }

    #[test]
    fn steam_codes_match_an_independent_implementation(
        secret in proptest::collection::vec(any::<u8>(), 1..40),
        period in 1..=600u64,
        time in unix_time(),
    ) {
        let account = account(&secret, Kind::Steam { period }, Algorithm::Sha1, 5);
        let expected = reference_steam(&secret, time / period);
        let code = account.code_at(time);
        prop_assert_eq!(code.as_str(), expected.as_str());
    }

    #[test]
    fn codes_of_parsed_uris_match_the_independent_implementation(
        secret in proptest::collection::vec(any::<u8>(), 1..64),
        algorithm in algorithm(),
        digits in 1..=10u8,
        period in 1..=600u64,
        time in unix_time(),
    ) {
        let uri = format!(
            "otpauth://totp/P:t?secret={}&algorithm={}&digits={digits}&period={period}",
            base32::encode(base32::Alphabet::Rfc4648 { padding: false }, &secret),
            algorithm.as_str()
        );
        let parsed = Account::from_uri(&uri).expect("a well-formed URI parses").account;
        let expected = reference_code(&secret, time / period, algorithm, digits);
        let code = parsed.code_at(time);
        prop_assert_eq!(code.as_str(), expected.as_str());
    }
}

/// The reference implementation itself agrees with RFC 4226 appendix D, so
/// the properties above compare against something known to be right.
#[test]
fn the_reference_implementation_gives_the_rfc_4226_codes() {
    let key = b"12345678901234567890";
    let expected = [
        "755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871",
        "520489",
    ];
    for (counter, code) in (0u64..).zip(expected) {
        assert_eq!(reference_code(key, counter, Algorithm::Sha1, 6), code);
    }
}

/// Every row of tests/data/oathtool-vectors.txt (codes made by oathtool),
/// through a parsed URI as a user would add it.
#[test]
fn codes_match_the_committed_oathtool_vectors() {
    let data = include_str!("data/oathtool-vectors.txt");
    let mut checked = 0;
    for line in data
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [kind, secret, algorithm, digits, period, factor, expected] = fields[..] else {
            panic!("a vector row has 7 fields: {line}");
        };
        let uri = match kind {
            "totp" => format!(
                "otpauth://totp/O:v?secret={secret}&algorithm={algorithm}&digits={digits}&period={period}"
            ),
            _ => format!("otpauth://hotp/O:v?secret={secret}&digits={digits}&counter={factor}"),
        };
        let account = Account::from_uri(&uri).expect("vector URI parses").account;
        let time = if kind == "totp" {
            factor.parse().expect("time")
        } else {
            0
        };

        assert_eq!(account.code_at(time).as_str(), expected, "{line}");
        checked += 1;
    }
    assert!(checked >= 40, "only {checked} vectors");
}

// ---------------------------------------------------------------------------
// Fuzz inputs, replayed: the seeds in fuzz/seeds/ and any input a fuzz run
// found a bug with (kept in fuzz/regressions/TARGET/), through the same
// checks as the fuzz targets, on every `cargo test`.

fn fuzz_inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut inputs = Vec::new();
    for kind in ["seeds", "regressions"] {
        let Ok(dir) = std::fs::read_dir(root.join(kind).join(target)) else {
            continue;
        };
        for entry in dir {
            let path = entry.expect("list fuzz inputs").path();
            let bytes = std::fs::read(&path).expect("read a fuzz input");
            inputs.push((path.display().to_string(), bytes));
        }
    }
    inputs
}

#[test]
fn fuzz_inputs_for_the_uri_parser_round_trip() {
    let inputs = fuzz_inputs("uri");
    assert!(!inputs.is_empty(), "fuzz/seeds/uri is missing");
    for (name, bytes) in inputs {
        let text = String::from_utf8_lossy(&bytes);
        check_round_trip(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

#[test]
fn fuzz_inputs_for_the_vault_document_read_back_unchanged() {
    let inputs = fuzz_inputs("vault_document");
    assert!(!inputs.is_empty(), "fuzz/seeds/vault_document is missing");
    let parsed = inputs
        .iter()
        .filter(|(_, bytes)| tessera::vault::parse_document_for_fuzzing(bytes))
        .count();
    assert!(parsed > 0, "no seed is a readable vault document");
}
