//! age encryption of the vault plaintext, and the translation of age's
//! failures into [`VaultError`]s a user can tell apart: wrong passphrase,
//! wrong identity, damaged file.

use std::io::{self, Read, Write};
use std::iter;
use std::path::Path;
use std::sync::atomic::{AtomicU8, Ordering};

use age::DecryptError;
use age::armor::ArmoredReader;
use age::secrecy::SecretString;
use zeroize::Zeroizing;

use super::error::{VaultError, strip_isolation_marks};
use super::keys::{self, IdentitySet};
use super::storage;

/// Environment variable that sets the scrypt work factor (log2 of N) used
/// when writing a passphrase vault. Meant for tests (the CLI tests set it to
/// 10) and slow machines; clamped to 10..=22. Unset or not a number, Tessera
/// writes [`DEFAULT_WORK_FACTOR`]. [`set_scrypt_work_factor`] overrides it.
pub const WORK_FACTOR_ENV: &str = "TESSERA_SCRYPT_WORK_FACTOR";

/// scrypt work factor for new writes: about a second here, 256 MiB of memory.
pub const DEFAULT_WORK_FACTOR: u8 = 18;

/// The highest work factor Tessera will run when reading (about 16 times the
/// default); higher values are refused rather than run for minutes.
pub const MAX_WORK_FACTOR: u8 = 22;

const MIN_WORK_FACTOR: u8 = 10;
const AGE_MAGIC: &[u8] = b"age-encryption.org/";
const ARMOR_BEGIN: &[u8] = b"-----BEGIN AGE ENCRYPTED FILE-----";

/// How the vault is unlocked and sealed again.
pub(crate) enum Unlock {
    Passphrase(SecretString),
    Identities(IdentitySet),
}

/// 0 while no override is set.
static WORK_FACTOR_OVERRIDE: AtomicU8 = AtomicU8::new(0);

/// Sets the scrypt work factor for every later passphrase write in this
/// process (clamped to 10..=22), overriding [`WORK_FACTOR_ENV`]. For tests
/// and embedders that cannot set the environment.
pub fn set_scrypt_work_factor(log_n: u8) {
    WORK_FACTOR_OVERRIDE.store(
        log_n.clamp(MIN_WORK_FACTOR, MAX_WORK_FACTOR),
        Ordering::Relaxed,
    );
}

/// The work factor to write with: the override, else [`WORK_FACTOR_ENV`],
/// else the default. The environment is read in this one place.
pub(crate) fn write_work_factor() -> u8 {
    match WORK_FACTOR_OVERRIDE.load(Ordering::Relaxed) {
        0 => parse_work_factor(std::env::var(WORK_FACTOR_ENV).ok().as_deref())
            .unwrap_or(DEFAULT_WORK_FACTOR),
        set => set,
    }
}

/// A work factor from text, clamped; `None` when absent or not a number.
fn parse_work_factor(text: Option<&str>) -> Option<u8> {
    let n = text?.trim().parse::<u8>().ok()?;
    Some(n.clamp(MIN_WORK_FACTOR, MAX_WORK_FACTOR))
}

/// Encrypts `plaintext` with the passphrase, or to `recipients`.
pub(crate) fn encrypt(
    plaintext: &[u8],
    unlock: &Unlock,
    recipients: &[String],
) -> Result<Vec<u8>, VaultError> {
    let encryptor = match unlock {
        Unlock::Passphrase(passphrase) => {
            let mut recipient = age::scrypt::Recipient::new(passphrase.clone());
            recipient.set_work_factor(write_work_factor());
            age::Encryptor::with_recipients(iter::once(&recipient as &dyn age::Recipient))
        }
        Unlock::Identities(_) => {
            let parsed = recipients
                .iter()
                .map(|r| keys::parse_recipient(r))
                .collect::<Result<Vec<_>, _>>()?;
            if parsed.is_empty() {
                return Err(VaultError::NoRecipients);
            }
            age::Encryptor::with_recipients(
                parsed.iter().map(|r| r.as_ref() as &dyn age::Recipient),
            )
        }
    }
    .map_err(|e| VaultError::Encrypt {
        reason: strip_isolation_marks(&e.to_string()),
    })?;

    let mut output = Vec::with_capacity(plaintext.len() + 512);
    let mut writer = encryptor
        .wrap_output(&mut output)
        .and_then(|mut w| w.write_all(plaintext).map(|()| w))
        .map_err(|e| VaultError::Encrypt {
            reason: e.to_string(),
        })?;
    writer.flush().ok();
    writer.finish().map_err(|e| VaultError::Encrypt {
        reason: e.to_string(),
    })?;
    Ok(output)
}

/// Decrypts a vault file's bytes (binary or armored). `path` is only used
/// in messages.
pub(crate) fn decrypt(
    ciphertext: &[u8],
    unlock: &Unlock,
    path: &Path,
) -> Result<Zeroizing<Vec<u8>>, VaultError> {
    check_magic(ciphertext, path)?;

    let decryptor =
        age::Decryptor::new_buffered(ArmoredReader::new(without_leading_space(ciphertext)))
            .map_err(|e| classify_header(e, ciphertext, unlock, path))?;
    let mut stream = match (unlock, decryptor.is_scrypt()) {
        (Unlock::Passphrase(_), false) => return Err(VaultError::NeedsIdentity),
        (Unlock::Identities(_), true) => return Err(VaultError::NeedsPassphrase),
        (Unlock::Passphrase(passphrase), true) => {
            let mut identity = age::scrypt::Identity::new(passphrase.clone());
            identity.set_max_work_factor(MAX_WORK_FACTOR);
            decryptor.decrypt(iter::once(&identity as &dyn age::Identity))
        }
        (Unlock::Identities(set), false) => decryptor.decrypt(set.identities()),
    }
    .map_err(|e| classify(e, unlock, path))?;

    // The plaintext is shorter than the ciphertext: reserving that much
    // means the buffer never reallocates and leaves no unwiped copy behind.
    let mut plaintext = Zeroizing::new(Vec::with_capacity(ciphertext.len()));
    stream
        .read_to_end(&mut plaintext)
        .map_err(|e| stream_error(&e, path))?;
    Ok(plaintext)
}

/// Tells "not an age file at all" (and "empty") from damage, before age
/// reports both as an invalid header.
fn check_magic(bytes: &[u8], path: &Path) -> Result<(), VaultError> {
    if bytes.is_empty() {
        return Err(VaultError::Empty {
            path: path.to_owned(),
            backups: storage::backup_hint(path),
        });
    }
    let start = bytes.trim_ascii_start();
    if start.starts_with(AGE_MAGIC) || start.starts_with(ARMOR_BEGIN) {
        Ok(())
    } else if AGE_MAGIC.starts_with(start) || ARMOR_BEGIN.starts_with(start) {
        Err(VaultError::Truncated {
            path: path.to_owned(),
            backups: storage::backup_hint(path),
        })
    } else {
        Err(VaultError::NotAgeFile {
            path: path.to_owned(),
            backups: storage::backup_hint(path),
        })
    }
}

/// An armored file may have whitespace before its BEGIN line (a pasted
/// copy often does); age only recognises the armor at the very start.
/// Binary files are passed on untouched.
fn without_leading_space(bytes: &[u8]) -> &[u8] {
    let start = bytes.trim_ascii_start();
    if start.starts_with(ARMOR_BEGIN) {
        start
    } else {
        bytes
    }
}

/// age reports a v1 header it cannot parse (a damaged line) as an unknown
/// format; a file that starts like a v1 age file is damaged, not newer.
fn classify_header(
    error: DecryptError,
    ciphertext: &[u8],
    unlock: &Unlock,
    path: &Path,
) -> VaultError {
    match error {
        DecryptError::UnknownFormat if ciphertext.starts_with(b"age-encryption.org/v1\n") => {
            VaultError::DamagedHeader {
                path: path.to_owned(),
                backups: storage::backup_hint(path),
            }
        }
        other => classify(other, unlock, path),
    }
}

/// Words age's decryption error ourselves. Never formats `ExcessiveWork`
/// with age's `Display` (it can overflow a shift and panic).
fn classify(error: DecryptError, unlock: &Unlock, path: &Path) -> VaultError {
    let path_buf = path.to_owned();
    match error {
        DecryptError::ExcessiveWork { required, .. } => VaultError::ExcessiveWork {
            required,
            limit: MAX_WORK_FACTOR,
        },
        DecryptError::DecryptionFailed if matches!(unlock, Unlock::Passphrase(_)) => {
            VaultError::WrongPassphrase
        }
        DecryptError::NoMatchingKeys => match unlock {
            Unlock::Identities(set) if set.passphrase_unanswered() => {
                VaultError::KeyPassphraseUnread {
                    paths: set.encrypted_paths_text(),
                }
            }
            Unlock::Identities(set) => VaultError::NoMatchingIdentity {
                paths: set.paths_text(),
            },
            Unlock::Passphrase(_) => VaultError::NeedsIdentity,
        },
        DecryptError::KeyDecryptionFailed => VaultError::SshKeyPassphrase {
            paths: match unlock {
                Unlock::Identities(set) => set.encrypted_paths_text(),
                Unlock::Passphrase(_) => String::new(),
            },
        },
        DecryptError::UnknownFormat => VaultError::UnknownAgeFormat { path: path_buf },
        DecryptError::Io(e) => stream_error(&e, path),
        _ => VaultError::DamagedHeader {
            path: path_buf,
            backups: storage::backup_hint(path),
        },
    }
}

/// An I/O error while reading the header or the payload.
fn stream_error(error: &io::Error, path: &Path) -> VaultError {
    let path_buf = path.to_owned();
    match error.kind() {
        io::ErrorKind::UnexpectedEof => VaultError::Truncated {
            path: path_buf,
            backups: storage::backup_hint(path),
        },
        io::ErrorKind::InvalidData => VaultError::DamagedPayload {
            path: path_buf,
            backups: storage::backup_hint(path),
        },
        _ => storage::io_error("read", path, error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn passphrase(text: &str) -> Unlock {
        Unlock::Passphrase(SecretString::from(text.to_owned()))
    }

    /// Every test in the process writes with the same small factor.
    fn sealed(text: &[u8], unlock: &Unlock) -> Vec<u8> {
        set_scrypt_work_factor(10);
        encrypt(text, unlock, &[]).unwrap()
    }

    #[test]
    fn passphrase_round_trip() {
        let key = passphrase("hunter2");
        let ciphertext = sealed(b"version = 1\n", &key);
        let plain = decrypt(&ciphertext, &key, Path::new("v.age")).unwrap();
        assert_eq!(&plain[..], b"version = 1\n");
    }

    #[test]
    fn written_work_factor_is_the_one_asked_for() {
        let ciphertext = sealed(b"x", &passphrase("p"));
        let header = String::from_utf8_lossy(&ciphertext[..120]);
        assert!(header.contains(" 10\n"), "{header}");
    }

    #[test]
    fn wrong_passphrase_is_its_own_error() {
        let ciphertext = sealed(b"x", &passphrase("right"));
        let err = decrypt(&ciphertext, &passphrase("wrong"), Path::new("v.age")).unwrap_err();
        assert!(matches!(err, VaultError::WrongPassphrase), "{err}");
    }

    #[test]
    fn excessive_work_factor_is_refused_naming_the_factor() {
        let ciphertext = sealed(b"x", &passphrase("p"));
        let patched = patch_work_factor(&ciphertext, b" 10\n", b" 30\n");

        let err = decrypt(&patched, &passphrase("p"), Path::new("v.age")).unwrap_err();

        assert!(
            matches!(
                err,
                VaultError::ExcessiveWork {
                    required: 30,
                    limit: 22
                }
            ),
            "{err}"
        );
        assert!(err.to_string().contains("30"));
    }

    /// `binary` in ASCII armor, after `prefix`.
    fn armored(prefix: &[u8], binary: &[u8]) -> Vec<u8> {
        let mut armored = prefix.to_vec();
        let mut writer =
            age::armor::ArmoredWriter::wrap_output(&mut armored, age::armor::Format::AsciiArmor)
                .unwrap();
        writer.write_all(binary).unwrap();
        writer.finish().unwrap();
        armored
    }

    #[test]
    fn armored_files_are_read_too() {
        let key = passphrase("p");
        let armored = armored(b"", &sealed(b"armored", &key));

        let plain = decrypt(&armored, &key, Path::new("v.age")).unwrap();
        assert_eq!(&plain[..], b"armored");
    }

    #[test]
    fn armored_files_with_whitespace_before_the_armor_are_read() {
        let key = passphrase("p");
        let armored = armored(b"\r\n  \t\n", &sealed(b"indented", &key));

        let plain = decrypt(&armored, &key, Path::new("v.age")).unwrap();
        assert_eq!(&plain[..], b"indented");
    }

    #[test]
    fn work_factor_from_the_environment_is_clamped() {
        assert_eq!(parse_work_factor(Some("12")), Some(12));
        assert_eq!(parse_work_factor(Some("40")), Some(22));
        assert_eq!(parse_work_factor(Some("1")), Some(10));
        assert_eq!(parse_work_factor(Some("fast")), None);
        assert_eq!(parse_work_factor(None), None);
    }

    fn patch_work_factor(bytes: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
        let at = bytes
            .windows(from.len())
            .position(|w| w == from)
            .expect("work factor in header");
        let mut patched = bytes.to_vec();
        patched[at..at + to.len()].copy_from_slice(to);
        patched
    }
}
