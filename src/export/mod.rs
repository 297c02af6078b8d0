//! Writing accounts out: URI lists, Aegis vaults, Google Authenticator
//! migration codes. Plaintext exports are only written when asked for.

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
