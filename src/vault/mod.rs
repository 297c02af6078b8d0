//! The encrypted vault: a TOML document inside an age file, saved atomically.
//!
//! Bytes on disk -> [`Vault::open`] -> [`Entry`] values holding parsed
//! [`Account`]s. Every write goes through [`Vault::save`], which locks the
//! file, folds in whatever another process saved since this copy was read,
//! keeps the previous file as a backup and replaces the vault atomically.
//!
//! - `document`: the plaintext TOML layout.
//! - `crypto`: age encryption and its errors.
//! - `keys`: identity files, recipients, new identities.
//! - `storage`: lock, atomic write, backups.
//! - `merge`: three-way merge of a stale copy with the file on disk.
//! - `merge_copy`: folding in a diverged copy (a sync tool's conflict copy).

mod crypto;
mod document;
mod error;
mod keys;
mod merge;
mod merge_copy;
mod storage;

use std::collections::HashSet;
use std::fmt;
use std::path::{Path, PathBuf};

use secrecy::SecretString;
use zeroize::Zeroizing;

pub use crypto::{DEFAULT_WORK_FACTOR, MAX_WORK_FACTOR, WORK_FACTOR_ENV, set_scrypt_work_factor};
pub use document::{FORMAT_VERSION, Tombstone};
pub use error::VaultError;
pub use keys::generate_identity_file;
pub use merge_copy::MergeSummary;
pub use storage::{BACKUP_COUNT, write_atomic};

use crate::otp::{Account, Kind};
use crypto::Unlock;
use document::{Document, DocumentError};
use keys::{IdentitySet, KeyPrompt};
use storage::FileStamp;

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

impl Entry {
    /// A new entry for `account`, with no note, tags or pin, made at `now`.
    pub fn new(id: String, account: Account, now: u64) -> Entry {
        Entry {
            id,
            account,
            note: String::new(),
            tags: Vec::new(),
            pinned: false,
            created: now,
            updated: now,
        }
    }
}

/// An open vault.
pub struct Vault {
    path: PathBuf,
    unlock: Unlock,
    /// The vault as the caller sees it, unsaved changes included.
    document: Document,
    /// The document as last read from or written to disk.
    base: Document,
    /// The ciphertext `base` came from: a different file on disk means
    /// another process saved.
    base_bytes: Vec<u8>,
    base_stamp: Option<FileStamp>,
    /// Ids edited since `base` (additions and deletions show in the lists).
    changed: HashSet<String>,
    dirty: bool,
    permission_warning: Option<String>,
}

impl Vault {
    /// `dirs::data_dir()/tessera/vault.age`.
    pub fn default_path() -> Option<PathBuf> {
        dirs::data_dir().map(|d| d.join("tessera").join("vault.age"))
    }

    /// Creates a new, empty vault at `path` (refuses to overwrite) and writes
    /// it at once. With `Key::Identities`, the vault is encrypted to the
    /// identities' own public keys plus `recipients` (age `age1...` or SSH
    /// public key lines); a passphrase vault takes no recipients.
    pub fn create(
        path: &Path,
        key: Key,
        recipients: &[String],
        _now: u64,
    ) -> Result<Vault, VaultError> {
        let (unlock, recipients) = match key {
            Key::Passphrase(_) if !recipients.is_empty() => {
                return Err(VaultError::PassphraseWithRecipients);
            }
            Key::Passphrase(passphrase) => (Unlock::Passphrase(passphrase), Vec::new()),
            Key::Identities(paths) => {
                let set = IdentitySet::load(&paths, &KeyPrompt::terminal())?;
                let all = with_extra_recipients(set.recipients(), recipients)?;
                (Unlock::Identities(set), all)
            }
        };
        let document = Document {
            recipients,
            ..Document::default()
        };

        if let Some(parent) = path.parent() {
            storage::create_private_dir(parent)?;
        }
        let _lock = storage::lock(path)?;
        if path.exists() {
            return Err(VaultError::AlreadyExists {
                path: path.to_owned(),
            });
        }
        let plaintext = serialize_checked(&document)?;
        let ciphertext = crypto::encrypt(plaintext.as_bytes(), &unlock, &document.recipients)?;
        storage::write_atomic(path, &ciphertext)?;

        let mut vault = Vault::from_parts(path, unlock, document, ciphertext);
        vault.base_stamp = storage::stamp(path).ok();
        Ok(vault)
    }

    /// Decrypts and parses the vault at `path`. Encrypted SSH keys ask for
    /// their passphrase on the terminal, only if they are needed.
    pub fn open(path: &Path, key: Key) -> Result<Vault, VaultError> {
        Vault::open_with_prompt(path, key, &KeyPrompt::terminal())
    }

    fn open_with_prompt(path: &Path, key: Key, prompt: &KeyPrompt) -> Result<Vault, VaultError> {
        let stamp = storage::stamp(path)?;
        let ciphertext = storage::read_vault(path)?;
        let unlock = match key {
            Key::Passphrase(passphrase) => Unlock::Passphrase(passphrase),
            Key::Identities(paths) => Unlock::Identities(IdentitySet::load(&paths, prompt)?),
        };
        let started = std::time::Instant::now();
        let document = read_document(path, &unlock, &ciphertext)
            .inspect_err(|e| crate::log::debug(format_args!("open {}: {e}", path.display())))?;
        crate::log::debug(format_args!(
            "opened {} ({} bytes, {} entries, {} tombstones) in {} ms",
            path.display(),
            ciphertext.len(),
            document.entries.len(),
            document.tombstones.len(),
            started.elapsed().as_millis()
        ));

        let mut vault = Vault::from_parts(path, unlock, document, ciphertext);
        vault.base_stamp = Some(stamp);
        vault.permission_warning = storage::permission_warning(path);
        Ok(vault)
    }

    fn from_parts(path: &Path, unlock: Unlock, document: Document, bytes: Vec<u8>) -> Vault {
        Vault {
            path: path.to_owned(),
            unlock,
            base: document.clone(),
            document,
            base_bytes: bytes,
            base_stamp: None,
            changed: HashSet::new(),
            dirty: false,
            permission_warning: None,
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn entries(&self) -> &[Entry] {
        &self.document.entries
    }

    /// The entry with this id.
    pub fn entry(&self, id: &str) -> Option<&Entry> {
        self.document.entries.iter().find(|e| e.id == id)
    }

    /// Ids of deleted entries, kept so merges respect deletions.
    pub fn tombstones(&self) -> &[Tombstone] {
        &self.document.tombstones
    }

    /// The public keys the vault is encrypted to (empty for a passphrase vault).
    pub fn recipients(&self) -> &[String] {
        &self.document.recipients
    }

    pub fn is_passphrase(&self) -> bool {
        matches!(self.unlock, Unlock::Passphrase(_))
    }

    /// The encrypted backups beside the vault, newest first.
    pub fn backup_paths(&self) -> Vec<PathBuf> {
        storage::backup_paths(&self.path)
    }

    /// Set when the vault file was readable or writable by group or others
    /// when it was opened; says how to fix it.
    pub fn permission_warning(&self) -> Option<String> {
        self.permission_warning.clone()
    }

    /// True when there are changes not yet saved.
    pub fn has_unsaved_changes(&self) -> bool {
        self.dirty
    }

    /// Adds an account under a new id and returns that id. Not saved yet.
    pub fn add(&mut self, account: Account, now: u64) -> String {
        let id = new_id();
        self.document
            .entries
            .push(Entry::new(id.clone(), account, now));
        self.dirty = true;
        id
    }

    /// Removes an entry (leaving a tombstone). Not saved yet.
    pub fn remove(&mut self, id: &str, now: u64) -> Option<Entry> {
        let index = self.document.entries.iter().position(|e| e.id == id)?;
        let removed = self.document.entries.remove(index);
        self.document.tombstones.push(Tombstone {
            id: removed.id.clone(),
            deleted: now,
        });
        self.changed.remove(id);
        self.dirty = true;
        Some(removed)
    }

    /// Changes an entry and bumps its `updated`. Returns false if `id` is
    /// unknown. The id itself cannot be changed.
    pub fn update(&mut self, id: &str, now: u64, change: impl FnOnce(&mut Entry)) -> bool {
        let Some(entry) = self.document.entries.iter_mut().find(|e| e.id == id) else {
            return false;
        };
        change(entry);
        id.clone_into(&mut entry.id);
        entry.updated = entry.updated.max(now);
        self.changed.insert(id.to_owned());
        self.dirty = true;
        true
    }

    /// Saves atomically under an exclusive lock, first folding in whatever
    /// another process saved since this copy was read. Afterwards this copy
    /// equals the file (the other process's changes included). The previous
    /// file becomes the newest of [`BACKUP_COUNT`] backups.
    pub fn save(&mut self, _now: u64) -> Result<(), VaultError> {
        self.logged_save(|_| ())
    }

    /// Advances the HOTP counter of `id` and saves it, both under the save
    /// lock and after folding in what other processes saved, so two Tesseras
    /// never hand out the same counter. Returns the counter whose code may
    /// now be shown, or `None` (and changes nothing) when `id` is not, or no
    /// longer, a HOTP entry.
    pub fn advance_hotp(&mut self, id: &str, now: u64) -> Result<Option<u64>, VaultError> {
        self.logged_save(|vault| {
            let Kind::Hotp { counter } = vault.entry(id)?.account.kind else {
                return None;
            };
            vault.update(id, now, |entry| {
                entry.account.kind = Kind::Hotp {
                    counter: counter.saturating_add(1),
                };
            });
            Some(counter)
        })
    }

    /// [`Vault::save_locked`], logged with its timing.
    fn logged_save<T>(&mut self, change: impl FnOnce(&mut Vault) -> T) -> Result<T, VaultError> {
        let started = std::time::Instant::now();
        let result = self.save_locked(change);
        match &result {
            Ok(_) => crate::log::debug(format_args!(
                "saved {} ({} entries) in {} ms",
                self.path.display(),
                self.document.entries.len(),
                started.elapsed().as_millis()
            )),
            Err(e) => crate::log::debug(format_args!("save {} failed: {e}", self.path.display())),
        }
        result
    }

    /// Under the lock: folds in another process's save, applies `change`
    /// to the merged copy, and writes if anything is unsaved.
    fn save_locked<T>(&mut self, change: impl FnOnce(&mut Vault) -> T) -> Result<T, VaultError> {
        if let Some(parent) = self.path.parent() {
            storage::create_private_dir(parent)?;
        }
        let _lock = storage::lock(&self.path)?;
        let on_disk = storage::read_if_exists(&self.path)?;

        if let Some(bytes) = on_disk.as_ref().filter(|b| **b != self.base_bytes) {
            crate::log::debug(format_args!(
                "another process saved {}; merging",
                self.path.display()
            ));
            self.fold_in(bytes.clone())?;
        }
        let value = change(self);
        if !self.dirty && on_disk.is_some() {
            return Ok(value);
        }

        let recipients = self.recipients_to_write();
        let plaintext = serialize_checked(&Document {
            recipients: recipients.clone(),
            ..self.document.clone()
        })?;
        let ciphertext = crypto::encrypt(plaintext.as_bytes(), &self.unlock, &recipients)?;
        if let Some(previous) = &on_disk {
            storage::rotate_backups(&self.path, previous)?;
        }
        storage::write_atomic(&self.path, &ciphertext)?;

        self.document.recipients = recipients;
        self.mark_saved(ciphertext);
        Ok(value)
    }

    /// Checks cheaply (size and modification time) whether another process
    /// saved the vault; if so, reads it and merges it into this copy, keeping
    /// this copy's unsaved changes. Returns whether anything was read.
    pub fn reload_if_changed(&mut self) -> Result<bool, VaultError> {
        let stamp = storage::stamp(&self.path)?;
        if self.base_stamp == Some(stamp) {
            return Ok(false);
        }
        let bytes = storage::read_vault(&self.path)?;
        self.base_stamp = Some(stamp);
        if bytes == self.base_bytes {
            return Ok(false);
        }
        self.fold_in(bytes)?;
        Ok(true)
    }

    /// Merges the file's `bytes` (another process's save) into this copy;
    /// they become the new base.
    fn fold_in(&mut self, bytes: Vec<u8>) -> Result<(), VaultError> {
        let theirs = read_document(&self.path, &self.unlock, &bytes)?;
        let merged = merge::merge(&self.base, &self.document, &self.changed, &theirs);
        self.document = merged.document;
        self.changed = merged.still_changed;
        self.dirty = !self.changed.is_empty() || self.has_local_additions_or_deletions(&theirs);
        self.base = theirs;
        self.base_bytes = bytes;
        Ok(())
    }

    /// After a merge: does this copy still differ from `theirs` by an entry
    /// we added or a tombstone we wrote?
    fn has_local_additions_or_deletions(&self, theirs: &Document) -> bool {
        let their_ids: HashSet<&str> = theirs.entries.iter().map(|e| e.id.as_str()).collect();
        let their_stones: HashSet<&str> = theirs.tombstones.iter().map(|t| t.id.as_str()).collect();
        self.document
            .entries
            .iter()
            .any(|e| !their_ids.contains(e.id.as_str()))
            || self
                .document
                .tombstones
                .iter()
                .any(|t| !their_stones.contains(t.id.as_str()))
    }

    /// The recipients to encrypt to. For an identity vault this is the
    /// stored list, plus this copy's own keys if none of them is in it:
    /// saving must never lock out the person who just opened the vault.
    fn recipients_to_write(&self) -> Vec<String> {
        let Unlock::Identities(set) = &self.unlock else {
            return Vec::new();
        };
        let mut recipients = self.document.recipients.clone();
        let stored: Vec<String> = recipients
            .iter()
            .filter_map(|r| keys::recipient_key(r).ok())
            .collect();
        let ours_listed = set
            .recipients()
            .iter()
            .filter_map(|r| keys::recipient_key(r).ok())
            .any(|key| stored.contains(&key));
        if !ours_listed {
            for own in set.recipients() {
                keys::push_unique(&mut recipients, own.clone());
            }
        }
        recipients
    }

    fn mark_saved(&mut self, ciphertext: Vec<u8>) {
        self.base = self.document.clone();
        self.base_bytes = ciphertext;
        self.base_stamp = storage::stamp(&self.path).ok();
        self.changed.clear();
        self.dirty = false;
    }
}

impl fmt::Debug for Vault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Vault")
            .field("path", &self.path)
            .field("passphrase", &self.is_passphrase())
            .field("entries", &self.document.entries.len())
            .field("recipients", &self.document.recipients)
            .finish_non_exhaustive()
    }
}

/// Decrypts raw age bytes exactly as a vault is unlocked (the scrypt work
/// factor capped at [`MAX_WORK_FACTOR`], identity files loaded as `--identity`
/// loads them), without parsing the plaintext. Exists so tests can run the
/// C2SP age test vectors (tests/cctv.rs) through Tessera's own unlock path.
#[doc(hidden)]
pub fn decrypt_for_testing(bytes: &[u8], key: Key) -> Result<Zeroizing<Vec<u8>>, VaultError> {
    let unlock = match key {
        Key::Passphrase(passphrase) => Unlock::Passphrase(passphrase),
        Key::Identities(paths) => {
            Unlock::Identities(IdentitySet::load(&paths, &KeyPrompt::terminal())?)
        }
    };
    crypto::decrypt(bytes, &unlock, Path::new("age-input"))
}

/// Parses a decrypted vault document and, when it parses, checks that
/// writing it and reading it back gives the same entries. Panics on a
/// mismatch: it exists for the fuzz target `vault_document`, which must find
/// any input where a save would change the vault. Returns whether `plaintext`
/// was a readable document.
#[doc(hidden)]
pub fn parse_document_for_fuzzing(plaintext: &[u8]) -> bool {
    let Ok(document) = document::parse(plaintext) else {
        return false;
    };
    let written = document::serialize(&document).expect("a parsed document serializes");
    let back = document::parse(written.as_bytes()).expect("a written document parses");
    assert_eq!(back.entries.len(), document.entries.len(), "entries lost");
    for (before, after) in document.entries.iter().zip(&back.entries) {
        assert_eq!(before.id, after.id, "entry id changed");
        assert!(
            before.account == after.account,
            "entry {} changed",
            before.id
        );
        assert_eq!(
            (&before.note, &before.tags, before.pinned),
            (&after.note, &after.tags, after.pinned),
            "metadata of entry {} changed",
            before.id
        );
    }
    assert_eq!(back.tombstones, document.tombstones, "tombstones changed");
    assert_eq!(back.recipients, document.recipients, "recipients changed");
    true
}

/// Decrypts and parses vault bytes; document errors gain the path and the
/// backup hint.
fn read_document(path: &Path, unlock: &Unlock, ciphertext: &[u8]) -> Result<Document, VaultError> {
    let plaintext: Zeroizing<Vec<u8>> = crypto::decrypt(ciphertext, unlock, path)?;
    document::parse(&plaintext).map_err(|e| match e {
        DocumentError::NotTessera => VaultError::NotTesseraVault {
            path: path.to_owned(),
            backups: storage::backup_hint(path),
        },
        DocumentError::Newer(version) => VaultError::NewerVersion {
            version,
            supported: FORMAT_VERSION,
            backups: storage::backup_location(path),
        },
        DocumentError::Malformed { line } => VaultError::MalformedDocument {
            line,
            backups: storage::backup_hint(path),
        },
        DocumentError::BadEntry { id, reason } => VaultError::BadEntry {
            id,
            reason,
            backups: storage::backup_hint(path),
        },
    })
}

/// Serializes and parses the result back before anything is written: a
/// vault that would not open again must never replace a good one.
fn serialize_checked(document: &Document) -> Result<Zeroizing<String>, VaultError> {
    let plaintext = document::serialize(document).ok_or_else(|| VaultError::NotSaved {
        reason: "the vault could not be written as TOML".into(),
    })?;
    match document::parse(plaintext.as_bytes()) {
        Ok(back) if back.entries.len() == document.entries.len() => Ok(plaintext),
        Ok(_) => Err(VaultError::NotSaved {
            reason: "entries went missing when the vault was read back".into(),
        }),
        Err(DocumentError::BadEntry { id, reason }) => Err(VaultError::NotSaved {
            reason: format!("entry {id} would not read back ({reason})"),
        }),
        Err(_) => Err(VaultError::NotSaved {
            reason: "the written vault would not read back".into(),
        }),
    }
}

/// The identities' own public keys plus the extra recipients, each checked,
/// without duplicates (an SSH comment does not make a key different).
fn with_extra_recipients(own: &[String], extra: &[String]) -> Result<Vec<String>, VaultError> {
    let mut all = Vec::new();
    let mut seen = Vec::new();
    for recipient in own.iter().chain(extra) {
        let key = keys::recipient_key(recipient)?;
        if !seen.contains(&key) {
            seen.push(key);
            all.push(recipient.trim().to_owned());
        }
    }
    if all.is_empty() {
        return Err(VaultError::NoRecipients);
    }
    Ok(all)
}

const HEX_DIGITS: &[u8; 16] = b"0123456789abcdef";

/// 16 random bytes as 32 hex digits.
fn new_id() -> String {
    let mut bytes = [0u8; 16];
    getrandom::getrandom(&mut bytes)
        .expect("the operating system's random number generator must work");
    bytes.iter().fold(String::with_capacity(32), |mut hex, b| {
        hex.push(char::from(HEX_DIGITS[usize::from(b >> 4)]));
        hex.push(char::from(HEX_DIGITS[usize::from(b & 0x0f)]));
        hex
    })
}

#[cfg(test)]
mod tests;

#[cfg(test)]
impl Entry {
    /// A TOTP entry for `issuer`, account `alice`, for tests.
    pub(crate) fn for_test(id: &str, issuer: &str, updated: u64) -> Entry {
        use crate::otp::{Algorithm, Kind, Secret};

        let account = Account {
            issuer: issuer.into(),
            name: "alice".into(),
            secret: Secret::from_bytes(b"12345678901234567890".to_vec()),
            kind: Kind::Totp { period: 30 },
            algorithm: Algorithm::Sha1,
            digits: 6,
            extra: Vec::new(),
        };
        Entry {
            created: 1,
            ..Entry::new(id.into(), account, updated)
        }
    }
}
