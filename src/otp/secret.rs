//! The shared secret: raw key bytes, zeroized on drop, never printed.

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
    /// `position` is 1-based, counted in the secret as given.
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

    /// Decodes base32 leniently: spaces and dashes dropped, case folded,
    /// `=` padding ignored.
    pub fn from_base32(text: &str) -> Result<Self, SecretError> {
        unimplemented!("{}", text.len())
    }

    /// Upper-case base32 without padding.
    pub fn to_base32(&self) -> Zeroizing<String> {
        unimplemented!()
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
