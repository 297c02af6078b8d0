//! Reading other authenticators' exports into accounts.
//!
//! One module per foreign format; [`detect`] guesses the format from the
//! content (a file name is only a hint) and [`read`] turns bytes into an
//! [`ImportReport`]: what will be imported and what is skipped, and why.
//! Nothing here touches the vault: `app::import` applies a report.
//!
//! Shared pieces: `json` (lenient field reading, parsed text wiped on drop),
//! `crypto` (AES-GCM and the text encodings exports use), and [`Draft`], which
//! checks one account's fields the same way for every format.

use std::fmt;
use std::path::Path;

use secrecy::SecretString;

use crate::otp::{Account, Algorithm, Kind, Secret};

mod aegis;
mod andotp;
mod bitwarden;
mod crypto;
mod ente;
mod freeotp;
mod google;
mod json;
mod qr_image;
mod twofas;
mod uri_list;

pub use google::{MigrationBatch, MigrationExport, migration_export, migration_uris};
pub use qr_image::{accounts_from_image_file, read_image_file, read_many as read_images};

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

impl Format {
    /// The name people know the source by, e.g. `Aegis`, `2FAS`, `FreeOTP+`.
    pub fn app_name(self) -> &'static str {
        match self {
            Format::Aegis => "Aegis",
            Format::TwoFas => "2FAS",
            Format::AndOtp => "andOTP",
            Format::FreeOtpPlus => "FreeOTP+",
            Format::Google => "Google Authenticator",
            Format::Bitwarden => "Bitwarden",
            Format::Ente => "ente Auth",
            Format::Uris => "URI list",
            Format::Qr => "QR image",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.app_name())
    }
}

/// An account read from another app, with what that app knew about it.
#[derive(Debug, Clone)]
pub struct Imported {
    pub account: Account,
    pub tags: Vec<String>,
    pub note: String,
    pub pinned: bool,
}

impl Imported {
    /// An account with no tags, note or pin.
    pub fn new(account: Account) -> Self {
        Imported {
            account,
            tags: Vec::new(),
            note: String::new(),
            pinned: false,
        }
    }
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

impl ImportReport {
    /// An empty report for `format`.
    pub fn new(format: Format) -> Self {
        ImportReport {
            format,
            entries: Vec::new(),
            skipped: Vec::new(),
            warnings: Vec::new(),
        }
    }

    /// Records `name` as skipped because of `reason`.
    pub fn skip(&mut self, name: impl Into<String>, reason: impl Into<String>) {
        self.skipped.push(Skipped {
            name: name.into(),
            reason: reason.into(),
        });
    }
}

/// Why a file could not be read at all. Never holds the file's bytes, a
/// secret or a password.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// No format's sniffer recognised the content.
    #[error(
        "Tessera cannot tell which app wrote this file; \
         pass --format NAME (aegis, 2fas, andotp, freeotp, google, bitwarden, ente, uris or qr)"
    )]
    UnknownFormat,
    /// The password does not decrypt the export.
    #[error(
        "the password is wrong: it does not decrypt this {format} export; \
         use the password set when exporting (not the vault's passphrase)"
    )]
    WrongPassword { format: Format },
    /// The export is encrypted and asking for its password failed.
    #[error("this {format} export is encrypted and needs its password")]
    NoPassword {
        format: Format,
        #[source]
        source: anyhow::Error,
    },
    /// The file is not what `format` writes, or it was cut short or changed.
    /// `problem` says where, in words; it never quotes the file.
    #[error(
        "this is not a readable {format} export: {problem}; \
         check it is the right file, or export it again"
    )]
    Damaged { format: Format, problem: String },
    /// A valid export that uses something Tessera does not read.
    #[error("this {format} export uses {what}, which Tessera cannot read; {advice}")]
    Unsupported {
        format: Format,
        what: String,
        advice: String,
    },
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

impl ImportError {
    pub(crate) fn damaged(format: Format, problem: impl Into<String>) -> Self {
        ImportError::Damaged {
            format,
            problem: problem.into(),
        }
    }
}

/// Asks for the export's password when an encrypted file needs one.
pub type PasswordSource<'a> = &'a mut dyn FnMut() -> anyhow::Result<SecretString>;

/// Calls `password`, turning a failure into [`ImportError::NoPassword`].
fn ask_password(password: PasswordSource<'_>, format: Format) -> Result<SecretString, ImportError> {
    password().map_err(|source| ImportError::NoPassword { format, source })
}

/// Whether some bytes look like one format's export.
type Sniffer = fn(&[u8]) -> bool;

/// Content sniffers, most specific first: JSON formats by their keys, then
/// `otpauth-migration://` before plain URI lists, which accept the most.
const SNIFFERS: [(Format, Sniffer); 9] = [
    (Format::Aegis, aegis::looks_like),
    (Format::TwoFas, twofas::looks_like),
    (Format::AndOtp, andotp::looks_like),
    (Format::FreeOtpPlus, freeotp::looks_like),
    (Format::Bitwarden, bitwarden::looks_like),
    (Format::Google, google::looks_like),
    (Format::Ente, ente::looks_like),
    (Format::Uris, uri_list::looks_like),
    (Format::Qr, qr_image::looks_like),
];

/// The format of `bytes`, judged by content; `path` is only a hint, used
/// when the content alone does not tell (an old andOTP `.aes` backup has
/// no header at all).
pub fn detect(bytes: &[u8], path: &Path) -> Option<Format> {
    if is_image(bytes) {
        return Some(Format::Qr);
    }
    SNIFFERS
        .iter()
        .find(|(_, looks_like)| looks_like(bytes))
        .map(|(format, _)| *format)
        .or_else(|| hinted_by_name(path))
}

/// PNG and JPEG files by their magic bytes.
fn is_image(bytes: &[u8]) -> bool {
    bytes.starts_with(b"\x89PNG\r\n\x1a\n") || bytes.starts_with(&[0xFF, 0xD8, 0xFF])
}

/// Formats whose file names say what they are.
fn hinted_by_name(path: &Path) -> Option<Format> {
    let name = path.file_name()?.to_str()?.to_ascii_lowercase();
    let extension = name.rsplit('.').next()?;
    match extension {
        "aes" => Some(Format::AndOtp),
        "2fas" => Some(Format::TwoFas),
        "png" | "jpg" | "jpeg" => Some(Format::Qr),
        _ => None,
    }
}

/// Reads `bytes` as `format`. `password` is called only for an encrypted
/// export, at most once.
pub fn read(
    bytes: &[u8],
    format: Format,
    password: PasswordSource<'_>,
) -> Result<ImportReport, ImportError> {
    match format {
        Format::Aegis => aegis::read(bytes, password),
        Format::TwoFas => twofas::read(bytes, password),
        Format::AndOtp => andotp::read(bytes, password),
        Format::FreeOtpPlus => freeotp::read(bytes),
        Format::Google => google::read(bytes),
        Format::Bitwarden => bitwarden::read(bytes),
        Format::Ente => ente::read(bytes),
        Format::Uris => uri_list::read(bytes),
        Format::Qr => qr_image::read(bytes),
    }
}

/// How codes advance, as an export names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum OtpType {
    Totp,
    Hotp,
    Steam,
}

/// One account's fields as an export gives them, before they are checked.
/// `None` means the export left the field out and the usual default applies.
pub(crate) struct Draft<'a> {
    pub issuer: String,
    pub name: String,
    /// Base32, in any of the shapes exports write (padded, lower case, ...).
    pub secret: &'a str,
    pub otp_type: OtpType,
    pub algorithm: Option<&'a str>,
    pub digits: Option<u64>,
    pub period: Option<u64>,
    pub counter: Option<u64>,
}

impl Draft<'_> {
    /// Checks the fields and builds the account; the error is the reason to
    /// show beside the skipped entry (it never quotes the secret).
    pub(crate) fn into_account(self) -> Result<Account, String> {
        let secret = Secret::from_base32(self.secret).map_err(|e| e.to_string())?;
        let steam = self.otp_type == OtpType::Steam;
        let algorithm = draft_algorithm(self.algorithm, steam)?;
        let digits = if steam { 5 } else { draft_digits(self.digits)? };
        let kind = match self.otp_type {
            OtpType::Totp => Kind::Totp {
                period: draft_period(self.period)?,
            },
            OtpType::Steam => Kind::Steam {
                period: draft_period(self.period)?,
            },
            OtpType::Hotp => Kind::Hotp {
                counter: self.counter.unwrap_or(0),
            },
        };
        Ok(Account {
            issuer: self.issuer.trim().to_owned(),
            name: self.name.trim().to_owned(),
            secret,
            kind,
            algorithm,
            digits,
            extra: Vec::new(),
        })
    }
}

fn draft_algorithm(name: Option<&str>, steam: bool) -> Result<Algorithm, String> {
    let Some(name) = name.map(str::trim).filter(|n| !n.is_empty()) else {
        return Ok(Algorithm::Sha1);
    };
    match Algorithm::from_name(name) {
        Some(Algorithm::Sha1) => Ok(Algorithm::Sha1),
        Some(_) if steam => Err(format!(
            "Steam codes use SHA1, but the export says \"{name}\""
        )),
        Some(algorithm) => Ok(algorithm),
        None => Err(format!(
            "the algorithm \"{name}\" is not supported (only SHA1, SHA256 and SHA512)"
        )),
    }
}

fn draft_digits(digits: Option<u64>) -> Result<u8, String> {
    match digits {
        None => Ok(6),
        Some(d @ 1..=10) => Ok(u8::try_from(d).unwrap_or(6)),
        Some(d) => Err(format!("codes of {d} digits are not supported (1 to 10)")),
    }
}

fn draft_period(period: Option<u64>) -> Result<u64, String> {
    match period {
        None => Ok(30),
        Some(0) => Err("the period is 0 seconds".to_owned()),
        Some(p) => Ok(p),
    }
}

/// `issuer: name`, or whichever is present: how a skipped entry is named
/// (the same shape `tessera list` uses).
pub(crate) fn display_name(issuer: &str, name: &str) -> String {
    match (issuer.trim(), name.trim()) {
        ("", "") => "(unnamed)".to_owned(),
        (issuer, "") => issuer.to_owned(),
        ("", name) => name.to_owned(),
        (issuer, name) => format!("{issuer}: {name}"),
    }
}

/// Trims `tags`, drops empty ones and repeats, keeping the first spelling.
pub(crate) fn clean_tags(tags: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut clean: Vec<String> = Vec::new();
    for tag in tags {
        let tag = tag.trim();
        if !tag.is_empty() && !clean.iter().any(|t| t.eq_ignore_ascii_case(tag)) {
            clean.push(tag.to_owned());
        }
    }
    clean
}

#[cfg(test)]
mod tests;
