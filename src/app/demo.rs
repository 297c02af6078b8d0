//! The built-in demo vault: public test secrets from the RFCs and the
//! usual documentation examples, never anyone's real account.

use crate::otp::{Account, Algorithm, Kind, Secret};

/// `12345678901234567890`, the RFC 4226 / RFC 6238 SHA-1 test key.
const RFC_KEY_20: &[u8] = b"12345678901234567890";
/// The RFC 6238 SHA-256 test key (32 bytes).
const RFC_KEY_32: &[u8] = b"12345678901234567890123456789012";
/// `JBSWY3DPEHPK3PXP` decoded: the secret of countless otpauth examples.
const EXAMPLE_KEY: &[u8] = b"Hello!\xde\xad\xbe\xef";

fn account(issuer: &str, name: &str, key: &[u8], kind: Kind) -> Account {
    Account {
        issuer: issuer.to_owned(),
        name: name.to_owned(),
        secret: Secret::from_bytes(key.to_vec()),
        kind,
        algorithm: Algorithm::Sha1,
        digits: 6,
        extra: Vec::new(),
    }
}

/// The demo accounts: TOTP at 30 s and 60 s, 8-digit SHA-256, a fast 10 s
/// one, Steam and HOTP.
pub fn accounts() -> Vec<Account> {
    let mut sha256 = account(
        "RFC 6238",
        "sha256@example.com",
        RFC_KEY_32,
        Kind::Totp { period: 30 },
    );
    sha256.algorithm = Algorithm::Sha256;
    sha256.digits = 8;

    let mut steam = account(
        "Steam",
        "demo_player",
        EXAMPLE_KEY,
        Kind::Steam { period: 30 },
    );
    steam.digits = 5;

    vec![
        account(
            "Example",
            "alice@example.com",
            EXAMPLE_KEY,
            Kind::Totp { period: 30 },
        ),
        account(
            "Example Bank",
            "alice",
            RFC_KEY_20,
            Kind::Totp { period: 60 },
        ),
        sha256,
        account(
            "Quick Demo",
            "ten-seconds",
            RFC_KEY_20,
            Kind::Totp { period: 10 },
        ),
        steam,
        account(
            "RFC 4226",
            "hotp@example.com",
            RFC_KEY_20,
            Kind::Hotp { counter: 0 },
        ),
    ]
}
