//! The encrypted vault: a TOML document inside an age file, saved atomically.
//!
//! Bytes on disk -> [`Vault::open`] -> [`Entry`] values holding parsed
//! [`Account`]s. Every write goes through [`Vault::save`].

use std::path::{Path, PathBuf};

use secrecy::SecretString;

use crate::otp::Account;

/// How the vault is encrypted and unlocked.
pub enum Key {
    /// age scrypt passphrase.
    Passphrase(SecretString),
    /// age identity files (X25519 or SSH ed25519/RSA, passphrase-protected SSH
    /// keys included); the vault opens with any one of them.
    Identities(Vec<PathBuf>),
}

/// One account in the vault, with Tessera's metadata.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Stable random id (hex), never reused.
    pub id: String,
    pub account: Account,
    pub note: String,
    pub tags: Vec<String>,
    pub pinned: bool,
    /// Unix seconds.
    pub created: u64,
    /// Unix seconds of the last change; the newer edit wins in merges.
    pub updated: u64,
}

/// Why the vault could not be opened or saved. Messages say what to do.
#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    #[error("placeholder")]
    Placeholder,
}

/// An open vault.
pub struct Vault {
    path: PathBuf,
}

impl Vault {
    /// `dirs::data_dir()/tessera/vault.age`.
    pub fn default_path() -> Option<PathBuf> {
        dirs::data_dir().map(|d| d.join("tessera").join("vault.age"))
    }

    /// Creates a new, empty vault at `path` (refuses to overwrite). With
    /// `Key::Identities`, `recipients` lists the age/SSH public keys to encrypt
    /// to (the identities' own public keys must be among them or derivable).
    pub fn create(
        path: &Path,
        key: Key,
        recipients: &[String],
        now: u64,
    ) -> Result<Vault, VaultError> {
        unimplemented!(
            "{path:?} {} {now}",
            recipients.len() + usize::from(matches!(key, Key::Passphrase(_)))
        )
    }

    /// Decrypts and parses the vault at `path`.
    pub fn open(path: &Path, key: Key) -> Result<Vault, VaultError> {
        unimplemented!("{path:?} {}", matches!(key, Key::Passphrase(_)))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn entries(&self) -> &[Entry] {
        unimplemented!()
    }

    /// Adds an account under a new id and returns that id. Not saved yet.
    pub fn add(&mut self, account: Account, now: u64) -> String {
        unimplemented!("{account:?} {now}")
    }

    /// Removes an entry (leaving a tombstone). Not saved yet.
    pub fn remove(&mut self, id: &str, now: u64) -> Option<Entry> {
        unimplemented!("{id} {now}")
    }

    /// Changes an entry and bumps its `updated`. Returns false if `id` is unknown.
    pub fn update(&mut self, id: &str, now: u64, change: impl FnOnce(&mut Entry)) -> bool {
        let _ = change;
        unimplemented!("{id} {now}")
    }

    /// Saves atomically under an exclusive lock, first folding in whatever
    /// another process saved since this copy was read.
    pub fn save(&mut self, now: u64) -> Result<(), VaultError> {
        unimplemented!("{now}")
    }
}
