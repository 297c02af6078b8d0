//! The cryptography encrypted exports share: AES-256-GCM with the tag after
//! the ciphertext, and the hex and base64 text that carry keys and nonces.

use aes_gcm::aead::AeadInPlace;
use aes_gcm::{Aes256Gcm, KeyInit, Nonce};
use base64::Engine as _;
use zeroize::Zeroizing;

/// Length of an AES-GCM tag in bytes.
pub(super) const TAG_LEN: usize = 16;
/// Length of the AES-GCM nonce every one of these exports uses.
pub(super) const NONCE_LEN: usize = 12;

/// Decrypts `ciphertext_and_tag` with a 256-bit `key`. `None` when the tag
/// does not match (a wrong key, or a changed file) or a length is wrong.
pub(super) fn open(
    key: &[u8],
    nonce: &[u8],
    ciphertext_and_tag: &[u8],
) -> Option<Zeroizing<Vec<u8>>> {
    if nonce.len() != NONCE_LEN || ciphertext_and_tag.len() < TAG_LEN {
        return None;
    }
    let cipher = Aes256Gcm::new_from_slice(key).ok()?;
    let mut buffer = Zeroizing::new(ciphertext_and_tag.to_vec());
    cipher
        .decrypt_in_place(Nonce::from_slice(nonce), b"", &mut *buffer)
        .ok()?;
    Some(buffer)
}

/// Hex digits (either case) as bytes; `None` if any pair is not hex.
pub(super) fn hex(text: &str) -> Option<Vec<u8>> {
    let text = text.trim().as_bytes();
    if !text.len().is_multiple_of(2) {
        return None;
    }
    text.chunks(2)
        .map(|pair| Some(hex_value(pair[0])? << 4 | hex_value(pair[1])?))
        .collect()
}

fn hex_value(digit: u8) -> Option<u8> {
    char::from(digit)
        .to_digit(16)
        .and_then(|v| u8::try_from(v).ok())
}

/// Standard base64 with or without padding, surrounding whitespace ignored.
pub(super) fn base64(text: &str) -> Option<Vec<u8>> {
    let engine = base64::engine::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
    );
    engine.decode(text.trim()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_reverses_aes_gcm_and_refuses_another_key() {
        let key = [7u8; 32];
        let nonce = [1u8; NONCE_LEN];
        let mut sealed = b"hello".to_vec();
        Aes256Gcm::new_from_slice(&key)
            .unwrap()
            .encrypt_in_place(Nonce::from_slice(&nonce), b"", &mut sealed)
            .unwrap();
        assert_eq!(sealed.len(), 5 + TAG_LEN);

        assert_eq!(open(&key, &nonce, &sealed).unwrap().as_slice(), b"hello");
        assert!(open(&[8u8; 32], &nonce, &sealed).is_none());
        assert!(open(&key, &nonce[..8], &sealed).is_none());
    }

    #[test]
    fn hex_reads_either_case_and_rejects_odd_or_foreign_digits() {
        assert_eq!(hex("00ff7A"), Some(vec![0x00, 0xff, 0x7a]));
        assert_eq!(hex("abc"), None);
        assert_eq!(hex("zz"), None);
    }

    #[test]
    fn base64_accepts_padding_or_none() {
        assert_eq!(base64("aGk="), Some(b"hi".to_vec()));
        assert_eq!(base64("aGk"), Some(b"hi".to_vec()));
        assert_eq!(base64("a*k="), None);
    }
}
