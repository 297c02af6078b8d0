//! Code generation: HOTP (RFC 4226), TOTP (RFC 6238) and Steam Guard.
//!
//! The HMAC and the usual truncation come from totp-rs, built from our own
//! parsed fields (never its URL parser). Two things it cannot do are done
//! here: HOTP (a TOTP with a one-second step signs the counter itself) and
//! 10-digit codes (totp-rs panics at 10 digits, so the RFC 4226 dynamic
//! truncation is applied to its signature directly).

use std::fmt::{self, Write as _};

use zeroize::Zeroizing;

use super::{Account, Algorithm, Kind};

/// A generated code, e.g. `"02324550"` or `"2KM2P"`.
#[derive(Clone, PartialEq, Eq)]
pub struct Code {
    text: Zeroizing<String>,
    /// Steam codes are letters and digits read as one word, never grouped.
    steam: bool,
}

impl Code {
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Split for reading: `324 550`, `0232 4550`, `12345 67890`. An odd
    /// length puts the shorter group first (`123 4567`, `12 345`). Codes of
    /// up to 4 characters and Steam codes stay whole.
    pub fn grouped(&self) -> String {
        let text = self.text.as_str();
        if self.steam || text.len() <= 4 {
            return text.to_owned();
        }
        let (first, second) = text.split_at(text.len() / 2);
        format!("{first} {second}")
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Debug for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Code(<redacted>)")
    }
}

/// The code for `account` at `unix_time` (for HOTP, at its stored counter).
///
/// Accounts from [`super::uri::parse`] always have a period above 0 and 1 to
/// 10 digits; values outside that (only possible when an `Account` is built
/// by hand) are clamped rather than allowed to panic.
pub(super) fn generate(account: &Account, unix_time: u64) -> Code {
    let (moving_factor, steam) = match account.kind {
        Kind::Totp { period } => (unix_time / period.max(1), false),
        Kind::Hotp { counter } => (counter, false),
        Kind::Steam { period } => (unix_time / period.max(1), true),
    };
    let digits = if steam {
        5
    } else {
        account.digits.clamp(1, 10)
    };

    // A one-second step makes totp-rs sign the moving factor unchanged.
    let totp = totp_rs::Builder::new()
        .with_algorithm(hash_for(account.algorithm, steam))
        .with_digits(digits.min(9))
        .with_step_duration(1)
        .with_secret(account.secret.as_bytes())
        .build_noncompliant();

    let mut text = Zeroizing::new(String::with_capacity(10));
    if digits == 10 {
        let signature = totp.sign(moving_factor);
        // A u32 below 2^31 has at most 10 digits, so zero-padding suffices.
        let _ = write!(text, "{:010}", truncate(signature.as_ref()));
    } else {
        let _ = write!(text, "{}", totp.generate(moving_factor));
    }
    Code { text, steam }
}

fn hash_for(algorithm: Algorithm, steam: bool) -> totp_rs::Algorithm {
    match algorithm {
        _ if steam => totp_rs::Algorithm::Steam,
        Algorithm::Sha1 => totp_rs::Algorithm::SHA1,
        Algorithm::Sha256 => totp_rs::Algorithm::SHA256,
        Algorithm::Sha512 => totp_rs::Algorithm::SHA512,
    }
}

/// RFC 4226 section 5.3 dynamic truncation: 31 bits from the offset given by
/// the low nibble of the last byte.
fn truncate(signature: &[u8]) -> u32 {
    let offset = usize::from(signature.last().copied().unwrap_or(0) & 0x0F);
    let mut word = [0; 4];
    if let Some(bytes) = signature.get(offset..offset + 4) {
        word.copy_from_slice(bytes);
    }
    u32::from_be_bytes(word) & 0x7FFF_FFFF
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::otp::Secret;

    /// The RFC 4226 / RFC 6238 test keys are ASCII digits repeated.
    fn ascii_key(len: usize) -> Secret {
        Secret::from_bytes(b"1234567890".iter().copied().cycle().take(len).collect())
    }

    fn account(secret: Secret, kind: Kind, algorithm: Algorithm, digits: u8) -> Account {
        Account {
            issuer: String::new(),
            name: String::new(),
            secret,
            kind,
            algorithm,
            digits,
            extra: Vec::new(),
        }
    }

    fn hotp(counter: u64, digits: u8) -> String {
        let kind = Kind::Hotp { counter };
        let account = account(ascii_key(20), kind, Algorithm::Sha1, digits);
        account.code_at(0).to_string()
    }

    fn code_from_uri(uri: &str, unix_time: u64) -> String {
        let parsed = Account::from_uri(uri).expect("test URI parses");
        parsed.account.code_at(unix_time).to_string()
    }

    #[test]
    fn rfc4226_appendix_d_hotp_vectors() {
        let expected = [
            "755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583",
            "399871", "520489",
        ];
        for (counter, code) in (0..).zip(expected) {
            assert_eq!(hotp(counter, 6), code, "counter {counter}");
        }
    }

    #[test]
    fn rfc6238_appendix_b_totp_vectors() {
        let rows = [
            (59, "94287082", "46119246", "90693936"),
            (1_111_111_109, "07081804", "68084774", "25091201"),
            (1_111_111_111, "14050471", "67062674", "99943326"),
            (1_234_567_890, "89005924", "91819424", "93441116"),
            (2_000_000_000, "69279037", "90698825", "38618901"),
            (20_000_000_000, "65353130", "77737706", "47863826"),
        ];
        let kind = Kind::Totp { period: 30 };
        let sha1 = account(ascii_key(20), kind, Algorithm::Sha1, 8);
        let sha256 = account(ascii_key(32), kind, Algorithm::Sha256, 8);
        let sha512 = account(ascii_key(64), kind, Algorithm::Sha512, 8);
        for (time, code1, code256, code512) in rows {
            assert_eq!(sha1.code_at(time).as_str(), code1, "SHA1 at {time}");
            assert_eq!(sha256.code_at(time).as_str(), code256, "SHA256 at {time}");
            assert_eq!(sha512.code_at(time).as_str(), code512, "SHA512 at {time}");
        }
    }

    #[test]
    fn oathtool_vectors_from_the_data_file() {
        let data = include_str!("../../tests/data/oathtool-vectors.txt");
        let mut checked = 0;
        for (index, line) in data.lines().enumerate() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let fields: Vec<&str> = line.split_whitespace().collect();
            let [kind, secret, algorithm, digits, period, factor, expected] = fields[..] else {
                panic!("line {}: expected 7 fields", index + 1);
            };
            let factor: u64 = factor.parse().expect("moving factor is a number");
            let (kind, time) = match kind {
                "totp" => (
                    Kind::Totp {
                        period: period.parse().expect("period"),
                    },
                    factor,
                ),
                "hotp" => (Kind::Hotp { counter: factor }, 0),
                other => panic!("line {}: unknown kind {other}", index + 1),
            };
            let account = account(
                Secret::from_base32(secret).expect("vector secret is base32"),
                kind,
                Algorithm::from_name(algorithm).expect("vector algorithm"),
                digits.parse().expect("digits"),
            );
            assert_eq!(
                account.code_at(time).as_str(),
                expected,
                "line {}",
                index + 1
            );
            checked += 1;
        }
        assert_eq!(checked, 50, "every vector row was read");
    }

    #[test]
    fn issue_examples_at_1700000000() {
        let demo = "otpauth://totp/Example:alice@example.com?secret=JBSWY3DPEHPK3PXP";
        let cases = [
            (
                "otpauth://totp/Example:alice@example.com?secret=jbsw%20y3dp%20ehpk%203pxp&issuer=Example"
                    .to_owned(),
                "324550",
            ),
            (
                "otpauth://totp/Example:alice@example.com?secret=AAAQEAYEAUDAOCAJBIFQYDIOB4%3D%3D%3D%3D%3D%3D&issuer=Example"
                    .to_owned(),
                "533754",
            ),
            (format!("{demo}&digits=8"), "02324550"),
            (format!("{demo}&period=60"), "508648"),
            (format!("{demo}&algorithm=sha512"), "045688"),
        ];
        for (uri, expected) in cases {
            assert_eq!(code_from_uri(&uri, 1_700_000_000), expected, "{uri}");
        }
    }

    #[test]
    fn steam_codes_use_the_steam_alphabet() {
        let totp = "otpauth://totp/Steam:alice?secret=JBSWY3DPEHPK3PXP&issuer=Steam&encoder=steam";
        assert_eq!(code_from_uri(totp, 1_700_000_000), "2KM2P");
        assert_eq!(
            code_from_uri("steam://JBSWY3DPEHPK3PXP", 1_700_000_000),
            "2KM2P"
        );
    }

    #[test]
    fn hotp_uri_codes_follow_the_counter() {
        let uri = |counter| {
            format!(
                "otpauth://hotp/Test:bob?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&counter={counter}"
            )
        };
        let codes: Vec<String> = (0..3)
            .map(|c| code_from_uri(&uri(c), 1_700_000_000))
            .collect();
        assert_eq!(codes, ["755224", "287082", "359152"]);
    }

    #[test]
    fn hotp_ignores_the_time() {
        let account = account(ascii_key(20), Kind::Hotp { counter: 1 }, Algorithm::Sha1, 6);
        assert_eq!(account.code_at(0), account.code_at(20_000_000_000));
    }

    #[test]
    fn ten_digit_codes_are_the_whole_truncated_value_zero_padded() {
        // The "Decimal" column of RFC 4226 appendix D.
        assert_eq!(hotp(0, 10), "1284755224");
        assert_eq!(hotp(2, 10), "0137359152");
        assert_eq!(hotp(7, 10), "0082162583");
    }

    #[test]
    fn short_and_nine_digit_codes_keep_leading_zeros() {
        assert_eq!(hotp(7, 9), "082162583");
        assert_eq!(hotp(0, 1), "4");
    }

    #[test]
    fn grouping_splits_in_half_with_the_shorter_group_first() {
        let grouped = |counter, digits| {
            let kind = Kind::Hotp { counter };
            account(ascii_key(20), kind, Algorithm::Sha1, digits)
                .code_at(0)
                .grouped()
        };
        assert_eq!(grouped(1, 6), "287 082");
        assert_eq!(grouped(7, 7), "216 2583");
        assert_eq!(grouped(7, 8), "8216 2583");
        assert_eq!(grouped(0, 10), "12847 55224");
        assert_eq!(grouped(0, 4), "5224");
    }

    #[test]
    fn grouping_matches_the_issue_examples() {
        let demo = "otpauth://totp/Example:alice?secret=JBSWY3DPEHPK3PXP";
        let grouped = |uri: &str| {
            let parsed = Account::from_uri(uri).expect("test URI parses");
            parsed.account.code_at(1_700_000_000).grouped()
        };
        assert_eq!(grouped(demo), "324 550");
        assert_eq!(grouped(&format!("{demo}&digits=8")), "0232 4550");
        assert_eq!(grouped("steam://JBSWY3DPEHPK3PXP"), "2KM2P");
    }

    #[test]
    fn debug_does_not_show_the_code() {
        assert_eq!(
            format!(
                "{:?}",
                account(ascii_key(20), Kind::Hotp { counter: 0 }, Algorithm::Sha1, 6).code_at(0)
            ),
            "Code(<redacted>)"
        );
    }
}
