//! Writing accounts out: URI lists, Aegis vaults, Google Authenticator
//! migration codes. Plaintext exports are only written when asked for.
//!
//! This module turns entries into text; `app::export` decides where the
//! text goes (a 0600 file, standard output, QR codes on the terminal).
//! Every export holds secrets, so all text here lives in `Zeroizing` buffers.

mod aegis;
mod google;

use std::io;

use zeroize::Zeroizing;

use crate::vault::Entry;

pub use aegis::to_json as aegis_json;
pub use google::{MAX_PER_CODE, batches_that_fit, google_accounts};

/// The formats Tessera writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// One otpauth:// URI per line.
    Uris,
    /// A plain Aegis JSON vault that the Aegis app can import.
    Aegis,
    /// Google Authenticator otpauth-migration:// URIs (or QR codes with --qr).
    Google,
}

/// An account a format cannot hold, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeftOut {
    /// `issuer:account`, never the secret.
    pub label: String,
    pub reason: String,
}

/// One canonical `otpauth://` URI per line, in vault order.
pub fn uri_lines(entries: &[Entry]) -> Zeroizing<String> {
    let uris: Vec<Zeroizing<String>> = entries.iter().map(|e| e.account.to_uri()).collect();
    join_lines(&uris)
}

/// `lines`, each ended by a newline, in one buffer sized up front.
pub fn join_lines(lines: &[Zeroizing<String>]) -> Zeroizing<String> {
    let length = lines.iter().map(|l| l.len() + 1).sum();
    let mut text = Zeroizing::new(String::with_capacity(length));
    for line in lines {
        text.push_str(line);
        text.push('\n');
    }
    text
}

/// A growing byte buffer that wipes every allocation it leaves behind, for
/// serializers that write secrets piece by piece.
#[derive(Default)]
pub(crate) struct SecretBuffer(Zeroizing<Vec<u8>>);

impl SecretBuffer {
    /// The bytes as text. Only ever filled by serde_json, so valid UTF-8.
    pub(crate) fn into_string(mut self) -> Zeroizing<String> {
        let bytes = std::mem::take(&mut *self.0);
        match String::from_utf8(bytes) {
            Ok(text) => Zeroizing::new(text),
            Err(error) => {
                // Wipe before dropping; never reached with serde_json output.
                drop(Zeroizing::new(error.into_bytes()));
                Zeroizing::new(String::new())
            }
        }
    }
}

impl io::Write for SecretBuffer {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        let needed = self.0.len() + bytes.len();
        if needed > self.0.capacity() {
            // Move into a bigger buffer by hand: a plain `Vec` growth would
            // free the old allocation without wiping it.
            let mut bigger = Zeroizing::new(Vec::with_capacity(needed.max(256) * 2));
            bigger.extend_from_slice(&self.0);
            self.0 = bigger;
        }
        self.0.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;
    use crate::otp::Account;

    fn entry(uri: &str) -> Entry {
        Entry {
            id: "e".into(),
            account: Account::from_uri(uri).unwrap().account,
            note: String::new(),
            tags: Vec::new(),
            pinned: false,
            created: 1,
            updated: 1,
        }
    }

    #[test]
    fn uri_lines_are_canonical_one_per_line() {
        let entries = [
            entry(
                "otpauth://totp/Example:alice?secret=jbsw%20y3dp%20ehpk%203pxp&issuer=Example&digits=6",
            ),
            entry("otpauth://hotp/Bank:bob?secret=GEZDGNBVGY3TQOJQ&counter=4&issuer=Bank"),
        ];
        assert_eq!(
            uri_lines(&entries).as_str(),
            "otpauth://totp/Example:alice?secret=JBSWY3DPEHPK3PXP&issuer=Example\n\
             otpauth://hotp/Bank:bob?secret=GEZDGNBVGY3TQOJQ&issuer=Bank&counter=4\n"
        );
    }

    #[test]
    fn secret_buffer_keeps_every_byte_across_growth() {
        let mut buffer = SecretBuffer::default();
        for _ in 0..100 {
            buffer.write_all(b"0123456789").unwrap();
        }
        assert_eq!(buffer.into_string().as_str(), "0123456789".repeat(100));
    }
}
