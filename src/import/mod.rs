//! Reading other authenticators' exports into accounts.
//!
//! One module per foreign format; [`detect`] guesses the format from the
//! content (a file name is only a hint) and [`read`] turns bytes into an
//! [`ImportReport`]: what will be imported and what is skipped, and why.
//! Nothing here touches the vault: `app::import` applies a report.

use std::path::Path;

use secrecy::SecretString;

use crate::otp::Account;

mod aegis;
mod andotp;
mod bitwarden;
mod ente;
mod freeotp;
mod google;
mod qr_image;
mod twofas;
mod uri_list;

pub use google::{MigrationBatch, MigrationExport, migration_export, migration_uris};
pub use qr_image::{accounts_from_image_file, read_image_file};

/// The formats Tessera reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Aegis JSON vault, plain or encrypted.
    Aegis,
    /// 2FAS `.2fas` backup, plain or encrypted.
    #[value(name = "2fas")]
    TwoFas,
    /// andOTP JSON, plain or encrypted (`.json.aes`).
    #[value(name = "andotp")]
    AndOtp,
    /// FreeOTP+ JSON or its URI-per-line export.
    #[value(name = "freeotp")]
    FreeOtpPlus,
    /// Google Authenticator `otpauth-migration://` lines.
    Google,
    /// Bitwarden JSON or CSV.
    Bitwarden,
    /// ente Auth plain-text export.
    Ente,
    /// One `otpauth://` URI per line.
    Uris,
    /// A PNG or JPEG screenshot holding QR codes.
    Qr,
}

/// An account read from another app, with what that app knew about it.
#[derive(Debug, Clone)]
pub struct Imported {
    pub account: Account,
    pub tags: Vec<String>,
    pub note: String,
    pub pinned: bool,
}

/// Something in the file that is not imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// What it was called in the source (issuer/name), never its secret.
    pub name: String,
    /// Why, e.g. "mOTP accounts are not supported".
    pub reason: String,
}

/// What a file holds.
#[derive(Debug)]
pub struct ImportReport {
    pub format: Format,
    pub entries: Vec<Imported>,
    pub skipped: Vec<Skipped>,
    /// Notes about the file as a whole (unknown schema version, a missing
    /// migration batch, ...).
    pub warnings: Vec<String>,
}

/// Why a file could not be read at all. Never dumps the file's bytes.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("placeholder")]
    Placeholder,
    /// The file is of the expected kind but cannot be read; `detail` is
    /// written by Tessera and never quotes the file.
    #[error("the {format} is damaged: {detail}; export it again from the app")]
    Damaged {
        format: &'static str,
        detail: String,
    },
    /// A file Tessera recognises but cannot read, e.g. an encrypted export
    /// whose encryption it does not implement.
    #[error("{detail}")]
    Unsupported { detail: String },
    #[error("the image cannot be read: {detail}; use a PNG or JPEG screenshot")]
    Image { detail: String },
    #[error(
        "no QR code was found in the image: take a sharper screenshot, \
         or crop it closer to the code"
    )]
    NoQrCode,
    /// QR codes were read, but none held an account Tessera can add.
    #[error("the QR codes in the image hold no account Tessera can add: {detail}")]
    NothingUsable { detail: String },
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
}

/// Asks for the export's password when an encrypted file needs one.
pub type PasswordSource<'a> = &'a mut dyn FnMut() -> anyhow::Result<SecretString>;

/// The format of `bytes`, judged by content; `path` is only a hint.
pub fn detect(bytes: &[u8], path: &Path) -> Option<Format> {
    unimplemented!("{} {path:?}", bytes.len())
}

/// Reads `bytes` as `format`.
pub fn read(
    bytes: &[u8],
    format: Format,
    password: PasswordSource<'_>,
) -> Result<ImportReport, ImportError> {
    let _ = password;
    unimplemented!("{} {format:?}", bytes.len())
}
