//! Everything that can go wrong with a vault, worded for the person at the
//! keyboard. No variant ever holds secret material: not a passphrase, not a
//! key, not a URI.

use std::path::PathBuf;

/// Why the vault could not be created, opened or saved. Each message says
/// what is wrong and what to do next.
#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    #[error("no vault at {}; create one with `tessera init`", path.display())]
    NotFound { path: PathBuf },

    #[error(
        "a vault already exists at {}; open it, or move it away first to start a new one",
        path.display()
    )]
    AlreadyExists { path: PathBuf },

    #[error(
        "permission denied on {}; check that you own it (`ls -l`) and can read and write it",
        path.display()
    )]
    PermissionDenied { path: PathBuf },

    /// Any other I/O failure. `reason` is the system's message.
    #[error("could not {action} {}: {reason}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        reason: String,
    },

    #[error("could not lock {}: {reason}; check that the folder is writable", path.display())]
    Lock { path: PathBuf, reason: String },

    // Damage: the file is there but is not a readable age file.
    #[error("the vault {} is empty (0 bytes); {backups}", path.display())]
    Empty { path: PathBuf, backups: String },

    #[error(
        "{} is not an age-encrypted file, so not a Tessera vault (check the path); {backups}",
        path.display()
    )]
    NotAgeFile { path: PathBuf, backups: String },

    #[error(
        "the vault {} is truncated (it ends too early, perhaps an interrupted copy); {backups}",
        path.display()
    )]
    Truncated { path: PathBuf, backups: String },

    #[error("the header of the vault {} is damaged; {backups}", path.display())]
    DamagedHeader { path: PathBuf, backups: String },

    #[error(
        "the vault {} is damaged or cut short: its contents fail the integrity check; {backups}",
        path.display()
    )]
    DamagedPayload { path: PathBuf, backups: String },

    #[error(
        "{} uses an age format version this Tessera does not know; upgrade Tessera",
        path.display()
    )]
    UnknownAgeFormat { path: PathBuf },

    // Keys: the file is fine, the key given does not open it.
    #[error("the passphrase is wrong; try again (check Caps Lock and the keyboard layout)")]
    WrongPassphrase,

    #[error(
        "none of the identities ({paths}) can open this vault; pass the identity file \
         the vault was encrypted to with --identity"
    )]
    NoMatchingIdentity { paths: String },

    #[error(
        "this vault is protected by a passphrase, not by identity files; \
         open it without --identity and type the passphrase"
    )]
    NeedsPassphrase,

    #[error(
        "this vault is encrypted to identity files (age or SSH keys), not a passphrase; \
         open it with --identity FILE"
    )]
    NeedsIdentity,

    #[error(
        "the passphrase for the SSH key ({paths}) is wrong, or the key could not be \
         decrypted; try again"
    )]
    SshKeyPassphrase { paths: String },

    #[error(
        "could not read the passphrase for the SSH key ({paths}) from the terminal; \
         run Tessera in a terminal, or use an identity without a passphrase"
    )]
    KeyPassphraseUnread { paths: String },

    #[error(
        "the vault asks for scrypt work factor {required}, above the limit of {limit} \
         Tessera accepts (it would take too long); if you made this file yourself, \
         re-encrypt it with a lower work factor"
    )]
    ExcessiveWork { required: u8, limit: u8 },

    // Identity and recipient files.
    #[error("could not read the identity file {}: {reason}; check the path", path.display())]
    IdentityUnreadable { path: PathBuf, reason: String },

    #[error("{} is not a usable identity: {reason}", path.display())]
    IdentityInvalid { path: PathBuf, reason: String },

    #[error(
        "an identity file already exists at {}; use it, or choose another path",
        path.display()
    )]
    IdentityExists { path: PathBuf },

    #[error(
        "`{recipient}` is not a recipient Tessera can encrypt to: {reason}; \
         give an age public key (age1...) or an SSH public key line"
    )]
    BadRecipient { recipient: String, reason: String },

    #[error(
        "a passphrase vault cannot also be encrypted to recipients; \
         use either a passphrase or identity files"
    )]
    PassphraseWithRecipients,

    #[error(
        "the vault has no recipients to encrypt to; open it with the identity \
         that should be able to read it"
    )]
    NoRecipients,

    #[error("could not encrypt the vault: {reason}")]
    Encrypt { reason: String },

    /// A safety check failed before writing; the file on disk is untouched.
    #[error("refusing to save: {reason}; nothing was written. Please report this as a bug")]
    NotSaved { reason: String },

    #[error("no identity file was given; pass one with --identity FILE")]
    NoIdentities,

    // The decrypted document.
    #[error(
        "{} decrypted, but this is not a Tessera vault (check the path); {backups}",
        path.display()
    )]
    NotTesseraVault { path: PathBuf, backups: String },

    /// `backups` says where they are; restoring one would lose what the
    /// newer Tessera saved, so the advice is to upgrade.
    #[error(
        "this vault was made by a newer Tessera (format version {version}; this one reads \
         up to {supported}); upgrade Tessera. {backups}"
    )]
    NewerVersion {
        version: u64,
        supported: u64,
        backups: String,
    },

    #[error("the vault decrypted, but its contents are malformed near line {line}; {backups}")]
    MalformedDocument { line: usize, backups: String },

    /// `reason` comes from the URI parser, which never quotes the secret.
    #[error("entry {id} in the vault holds an unreadable account ({reason}); {backups}")]
    BadEntry {
        id: String,
        reason: String,
        backups: String,
    },
}

/// Removes the Unicode isolation marks (U+2068, U+2069) age puts around the
/// values in its messages; they show up as junk in many terminals.
pub(crate) fn strip_isolation_marks(message: &str) -> String {
    message.replace(['\u{2068}', '\u{2069}'], "")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn isolation_marks_are_removed_from_age_messages() {
        assert_eq!(
            strip_isolation_marks("file \u{2068}key.txt\u{2069} is bad"),
            "file key.txt is bad"
        );
    }
}
