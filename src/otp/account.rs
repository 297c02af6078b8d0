//! The account model: everything needed to produce codes for one site.

use std::fmt;

use super::Secret;

/// How codes advance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Time-based (RFC 6238), a new code every `period` seconds.
    Totp { period: u64 },
    /// Counter-based (RFC 4226); `counter` is the next value to use.
    Hotp { counter: u64 },
    /// Steam Guard: TOTP with SHA-1, shown as 5 characters of Steam's alphabet.
    Steam { period: u64 },
}

/// The HMAC hash.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Algorithm {
    #[default]
    Sha1,
    Sha256,
    Sha512,
}

/// One account. `Debug` never shows the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct Account {
    /// The site, e.g. `GitHub`; empty when the URI names none.
    pub issuer: String,
    /// The user's name at the site, e.g. `alice@example.com`; may be empty.
    pub name: String,
    pub secret: Secret,
    pub kind: Kind,
    pub algorithm: Algorithm,
    /// Code length: 1 to 10 for TOTP/HOTP, always 5 for Steam.
    pub digits: u8,
    /// Query parameters Tessera does not interpret, in their original order,
    /// written back out unchanged (e.g. `image`, `codeDisplay`).
    pub extra: Vec<(String, String)>,
}

impl fmt::Debug for Account {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Account")
            .field("issuer", &self.issuer)
            .field("name", &self.name)
            .field("secret", &self.secret)
            .field("kind", &self.kind)
            .field("algorithm", &self.algorithm)
            .field("digits", &self.digits)
            .field("extra", &self.extra)
            .finish()
    }
}

impl Account {
    /// Parses an `otpauth://` (or `steam://`) URI. See [`super::uri`].
    pub fn from_uri(uri: &str) -> Result<super::ParsedUri, super::UriError> {
        super::uri::parse(uri)
    }

    /// The canonical URI: no padding, `%20` for spaces, defaults left out,
    /// unknown parameters kept. It holds the secret, hence `Zeroizing`.
    pub fn to_uri(&self) -> zeroize::Zeroizing<String> {
        super::uri::format(self)
    }

    /// The code to show at `unix_time`. For HOTP, the code for the stored
    /// counter (the time is ignored); the caller advances and saves the counter.
    pub fn code_at(&self, unix_time: u64) -> super::Code {
        super::code::generate(self, unix_time)
    }

    /// Seconds the current code stays valid at `unix_time` (1..=period);
    /// `None` for HOTP.
    pub fn seconds_left(&self, unix_time: u64) -> Option<u64> {
        self.period().map(|p| p - unix_time % p)
    }

    /// The period in seconds, `None` for HOTP.
    pub fn period(&self) -> Option<u64> {
        match self.kind {
            Kind::Totp { period } | Kind::Steam { period } => Some(period),
            Kind::Hotp { .. } => None,
        }
    }

    /// `issuer:name`, or whichever of the two is present.
    pub fn label(&self) -> String {
        match (self.issuer.is_empty(), self.name.is_empty()) {
            (false, false) => format!("{}:{}", self.issuer, self.name),
            (false, true) => self.issuer.clone(),
            _ => self.name.clone(),
        }
    }

    /// One line for lists and confirmations, e.g.
    /// `GitHub — alice (TOTP, 6 digits, 30 s)`,
    /// `Example — bob (HOTP, 6 digits, counter 3)` or
    /// `Steam — carol (Steam, 5 characters, 30 s)`. Never shows the secret.
    pub fn summary(&self) -> String {
        let who = match (self.issuer.is_empty(), self.name.is_empty()) {
            (false, false) => format!("{} — {}", self.issuer, self.name),
            (false, true) => self.issuer.clone(),
            (true, false) => self.name.clone(),
            (true, true) => "(unnamed)".to_owned(),
        };
        let details = match self.kind {
            Kind::Totp { period } => format!("TOTP, {} digits, {period} s", self.digits),
            Kind::Hotp { counter } => format!("HOTP, {} digits, counter {counter}", self.digits),
            Kind::Steam { period } => format!("Steam, 5 characters, {period} s"),
        };
        format!("{who} ({details})")
    }

    /// `totp`, `hotp` or `steam`.
    pub fn kind_name(&self) -> &'static str {
        match self.kind {
            Kind::Totp { .. } => "totp",
            Kind::Hotp { .. } => "hotp",
            Kind::Steam { .. } => "steam",
        }
    }
}

impl Algorithm {
    /// `SHA1`, `SHA256` or `SHA512`, as written in URIs.
    pub fn as_str(self) -> &'static str {
        match self {
            Algorithm::Sha1 => "SHA1",
            Algorithm::Sha256 => "SHA256",
            Algorithm::Sha512 => "SHA512",
        }
    }

    /// Reads an algorithm name in any case: `SHA1`, `sha256`, and also the
    /// hyphenated `SHA-256` some exporters write. `None` for anything else.
    pub fn from_name(name: &str) -> Option<Self> {
        let upper = name.to_ascii_uppercase();
        match upper.as_str() {
            "SHA1" | "SHA-1" => Some(Algorithm::Sha1),
            "SHA256" | "SHA-256" => Some(Algorithm::Sha256),
            "SHA512" | "SHA-512" => Some(Algorithm::Sha512),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demo(kind: Kind) -> Account {
        Account {
            issuer: "GitHub".to_owned(),
            name: "alice".to_owned(),
            secret: Secret::from_bytes(b"12345678901234567890".to_vec()),
            kind,
            algorithm: Algorithm::Sha1,
            digits: 6,
            extra: Vec::new(),
        }
    }

    #[test]
    fn summary_describes_each_kind() {
        assert_eq!(
            demo(Kind::Totp { period: 30 }).summary(),
            "GitHub — alice (TOTP, 6 digits, 30 s)"
        );
        assert_eq!(
            demo(Kind::Hotp { counter: 3 }).summary(),
            "GitHub — alice (HOTP, 6 digits, counter 3)"
        );
        assert_eq!(
            demo(Kind::Steam { period: 30 }).summary(),
            "GitHub — alice (Steam, 5 characters, 30 s)"
        );
    }

    #[test]
    fn summary_uses_whichever_name_is_present() {
        let mut account = demo(Kind::Totp { period: 60 });
        account.name.clear();
        assert_eq!(account.summary(), "GitHub (TOTP, 6 digits, 60 s)");
        account.issuer.clear();
        assert_eq!(account.summary(), "(unnamed) (TOTP, 6 digits, 60 s)");
    }

    #[test]
    fn debug_hides_the_secret() {
        let debug = format!("{:?}", demo(Kind::Totp { period: 30 }));
        assert!(
            !debug.contains("1234567890") && debug.contains("redacted"),
            "{debug}"
        );
    }

    #[test]
    fn seconds_left_counts_down_to_the_next_period() {
        let account = demo(Kind::Totp { period: 30 });
        assert_eq!(account.seconds_left(1_700_000_000), Some(10));
        assert_eq!(account.seconds_left(1_699_999_980), Some(30));
        assert_eq!(demo(Kind::Hotp { counter: 0 }).seconds_left(0), None);
    }

    #[test]
    fn algorithm_names_are_read_in_any_case_with_or_without_a_hyphen() {
        assert_eq!(Algorithm::from_name("sha1"), Some(Algorithm::Sha1));
        assert_eq!(Algorithm::from_name("Sha-256"), Some(Algorithm::Sha256));
        assert_eq!(Algorithm::from_name("SHA512"), Some(Algorithm::Sha512));
        assert_eq!(Algorithm::from_name("MD5"), None);
    }
}
