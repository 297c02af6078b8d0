//! The shared secret: raw key bytes, zeroized on drop, never printed.
//!
//! Sites hand out the key as base32, and people copy it in every shape:
//! lower case, in groups of four, with dashes, with or without `=` padding.
//! [`Secret::from_base32`] accepts all of that and, when a character really is
//! wrong, says where it is without repeating the key.

use std::fmt;

use zeroize::Zeroizing;

/// Raw HMAC key bytes. `Debug` shows only the length.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Zeroizing<Vec<u8>>);

/// Why a base32 secret was rejected. Never holds the secret itself.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SecretError {
    #[error("the secret is empty: copy the whole key from the site")]
    Empty,
    /// `position` is 1-based, counted in characters of the secret as given.
    #[error(
        "the secret has a character that is not base32 at position {position}: \
         base32 uses only A-Z and 2-7; check the key was copied whole"
    )]
    InvalidCharacter { position: usize },
}

impl Secret {
    pub fn from_bytes(bytes: Vec<u8>) -> Self {
        Secret(Zeroizing::new(bytes))
    }

    /// Decodes base32 leniently: whitespace and dashes dropped, case folded,
    /// `=` padding ignored.
    ///
    /// Padding may only come at the end: an `=` followed by more base32 is
    /// reported at the position of that `=`. Bits left over after the last
    /// whole byte are dropped, as every authenticator app does, so any length
    /// is accepted.
    pub fn from_base32(text: &str) -> Result<Self, SecretError> {
        let mut bytes = Zeroizing::new(Vec::with_capacity(text.len() * 5 / 8 + 1));
        let mut buffer: u16 = 0;
        let mut buffered_bits = 0;
        let mut padding_at = None;

        for (index, c) in text.chars().enumerate() {
            let position = index + 1;
            if c.is_whitespace() || c == '-' {
                continue;
            }
            if c == '=' {
                padding_at.get_or_insert(position);
                continue;
            }
            let value = base32_value(c).ok_or(SecretError::InvalidCharacter { position })?;
            if let Some(position) = padding_at {
                return Err(SecretError::InvalidCharacter { position });
            }

            buffer = (buffer << 5) | u16::from(value);
            buffered_bits += 5;
            if buffered_bits >= 8 {
                buffered_bits -= 8;
                bytes.push(low_byte(buffer >> buffered_bits));
                buffer &= (1 << buffered_bits) - 1;
            }
        }

        if bytes.is_empty() {
            return Err(SecretError::Empty);
        }
        Ok(Secret(bytes))
    }

    /// Upper-case base32 without padding.
    pub fn to_base32(&self) -> Zeroizing<String> {
        Zeroizing::new(base32::encode(
            base32::Alphabet::Rfc4648 { padding: false },
            &self.0,
        ))
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    pub fn bits(&self) -> usize {
        self.0.len() * 8
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret(<{} bytes, redacted>)", self.0.len())
    }
}

/// The 5-bit value of one RFC 4648 base32 character, either case.
fn base32_value(c: char) -> Option<u8> {
    let byte = u8::try_from(c).ok()?;
    match byte {
        b'A'..=b'Z' => Some(byte - b'A'),
        b'a'..=b'z' => Some(byte - b'a'),
        b'2'..=b'7' => Some(byte - b'2' + 26),
        _ => None,
    }
}

/// The lowest 8 bits of `value`.
fn low_byte(value: u16) -> u8 {
    value.to_be_bytes()[1]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `JBSWY3DPEHPK3PXP` is the well-known demo key: "Hello!" then DE AD BE EF.
    const DEMO_BYTES: &[u8] = b"Hello!\xde\xad\xbe\xef";

    fn decode(text: &str) -> Result<Vec<u8>, SecretError> {
        Secret::from_base32(text).map(|secret| secret.as_bytes().to_vec())
    }

    #[test]
    fn decodes_canonical_base32() {
        assert_eq!(decode("JBSWY3DPEHPK3PXP"), Ok(DEMO_BYTES.to_vec()));
    }

    #[test]
    fn accepts_lower_case_spaces_and_dashes() {
        assert_eq!(decode("jbsw y3dp-ehpk 3pxp"), Ok(DEMO_BYTES.to_vec()));
    }

    #[test]
    fn ignores_trailing_padding() {
        let expected: Vec<u8> = (0..16).collect();
        assert_eq!(decode("AAAQEAYEAUDAOCAJBIFQYDIOB4======"), Ok(expected));
    }

    #[test]
    fn accepts_unpadded_lengths_that_are_not_a_multiple_of_eight() {
        let expected: Vec<u8> = (0..16).collect();
        assert_eq!(decode("AAAQEAYEAUDAOCAJBIFQYDIOB4"), Ok(expected));
    }

    #[test]
    fn names_the_position_of_a_bad_character_as_given() {
        assert_eq!(
            decode("jbsw y3dp 0hpk"),
            Err(SecretError::InvalidCharacter { position: 11 })
        );
    }

    #[test]
    fn counts_positions_in_characters_not_bytes() {
        // A no-break space (two bytes in UTF-8) is skipped like any space.
        assert_eq!(
            decode("JB\u{a0}SW1"),
            Err(SecretError::InvalidCharacter { position: 6 })
        );
    }

    #[test]
    fn rejects_padding_in_the_middle_at_the_padding() {
        assert_eq!(
            decode("JBSW==Y3DP"),
            Err(SecretError::InvalidCharacter { position: 5 })
        );
    }

    #[test]
    fn rejects_a_secret_with_nothing_in_it() {
        assert_eq!(decode(""), Err(SecretError::Empty));
        assert_eq!(decode(" - ===="), Err(SecretError::Empty));
    }

    #[test]
    fn error_message_gives_the_position_but_not_the_secret() {
        let error = Secret::from_base32("SECRETKEY1ABC").err();
        let message = error.map(|e| e.to_string()).unwrap_or_default();
        assert!(message.contains("position 10"), "{message}");
        assert!(!message.contains("SECRETKEY"), "{message}");
    }

    #[test]
    fn encodes_upper_case_without_padding() {
        let secret = Secret::from_bytes((0..16).collect());
        assert_eq!(secret.to_base32().as_str(), "AAAQEAYEAUDAOCAJBIFQYDIOB4");
    }

    #[test]
    fn base32_round_trips_for_every_length() {
        for len in 1u8..=40 {
            let bytes: Vec<u8> = (0..len).map(|i| i.wrapping_mul(37) ^ 0xA5).collect();
            let secret = Secret::from_bytes(bytes.clone());
            assert_eq!(decode(&secret.to_base32()), Ok(bytes), "length {len}");
        }
    }

    #[test]
    fn debug_shows_only_the_length() {
        let secret = Secret::from_bytes(DEMO_BYTES.to_vec());
        assert_eq!(format!("{secret:?}"), "Secret(<10 bytes, redacted>)");
    }
}
