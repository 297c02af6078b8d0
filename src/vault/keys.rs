//! Keys: identity files (age X25519 and SSH), recipients, the prompt for an
//! encrypted SSH key's passphrase, and new identity files.
//!
//! Secret key text is read into `Zeroizing` buffers and parsed in place; no
//! error here quotes a key, only paths and public keys.

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use age::secrecy::{ExposeSecret, SecretString};
use age::ssh::{ParseRecipientKeyError, UnsupportedKey};
use age::x25519;
use zeroize::Zeroizing;

use super::error::{VaultError, strip_isolation_marks};
use super::storage;

/// A decrypting identity as age wants it.
pub(crate) type BoxedIdentity = Box<dyn age::Identity + Send + Sync>;

/// Identity files loaded and ready to decrypt, with their public keys.
pub(crate) struct IdentitySet {
    /// Unencrypted keys first, so a passphrase is asked only when needed.
    identities: Vec<BoxedIdentity>,
    paths: Vec<PathBuf>,
    encrypted_paths: Vec<PathBuf>,
    /// Public keys of the identities, as recipient strings.
    recipients: Vec<String>,
    prompt: KeyPrompt,
}

impl IdentitySet {
    /// Loads every file; encrypted SSH keys ask `prompt` for their passphrase
    /// when (and only if) they are needed to decrypt.
    pub(crate) fn load(paths: &[PathBuf], prompt: &KeyPrompt) -> Result<Self, VaultError> {
        if paths.is_empty() {
            return Err(VaultError::NoIdentities);
        }
        let mut set = IdentitySet {
            identities: Vec::new(),
            paths: paths.to_vec(),
            encrypted_paths: Vec::new(),
            recipients: Vec::new(),
            prompt: prompt.clone(),
        };
        let mut encrypted = Vec::new();
        for path in paths {
            for key in load_identity_file(path, prompt)? {
                push_unique(&mut set.recipients, key.recipient);
                if key.encrypted {
                    set.encrypted_paths.push(path.clone());
                    encrypted.push(key.identity);
                } else {
                    set.identities.push(key.identity);
                }
            }
        }
        set.identities.extend(encrypted);
        Ok(set)
    }

    pub(crate) fn identities(&self) -> impl Iterator<Item = &dyn age::Identity> {
        self.identities
            .iter()
            .map(|i| i.as_ref() as &dyn age::Identity)
    }

    pub(crate) fn recipients(&self) -> &[String] {
        &self.recipients
    }

    /// The paths, for messages: `a.txt, b.key`.
    pub(crate) fn paths_text(&self) -> String {
        join_paths(&self.paths)
    }

    pub(crate) fn encrypted_paths_text(&self) -> String {
        join_paths(&self.encrypted_paths)
    }

    /// True when an encrypted key's passphrase was needed but could not be
    /// read (no terminal, or the prompt was cancelled).
    pub(crate) fn passphrase_unanswered(&self) -> bool {
        self.prompt.unanswered.load(Ordering::Relaxed)
    }
}

/// One identity out of a file.
struct LoadedKey {
    identity: BoxedIdentity,
    recipient: String,
    encrypted: bool,
}

/// Asks for an encrypted SSH key's passphrase on the terminal, once: the
/// answer is kept (zeroized on drop) so a later re-read during a save does
/// not ask again.
#[derive(Clone)]
pub(crate) struct KeyPrompt {
    answer: Arc<Mutex<Option<SecretString>>>,
    unanswered: Arc<AtomicBool>,
}

impl KeyPrompt {
    /// Prompts on the terminal when a passphrase is needed.
    pub(crate) fn terminal() -> Self {
        KeyPrompt {
            answer: Arc::new(Mutex::new(None)),
            unanswered: Arc::new(AtomicBool::new(false)),
        }
    }

    /// Answers with `passphrase` and never prompts (for tests and scripts).
    #[cfg(test)]
    pub(crate) fn answering(passphrase: &str) -> Self {
        KeyPrompt {
            answer: Arc::new(Mutex::new(Some(SecretString::from(passphrase.to_owned())))),
            unanswered: Arc::new(AtomicBool::new(false)),
        }
    }
}

impl age::Callbacks for KeyPrompt {
    fn display_message(&self, message: &str) {
        eprintln!("{}", strip_isolation_marks(message));
    }

    fn confirm(&self, _message: &str, _yes: &str, _no: Option<&str>) -> Option<bool> {
        None
    }

    fn request_public_string(&self, _description: &str) -> Option<String> {
        None
    }

    fn request_passphrase(&self, description: &str) -> Option<SecretString> {
        let mut answer = self.answer.lock().ok()?;
        if let Some(known) = answer.as_ref() {
            return Some(known.clone());
        }
        let prompt = format!("{} ", strip_isolation_marks(description).trim_end());
        let Ok(typed) = rpassword::prompt_password(prompt) else {
            self.unanswered.store(true, Ordering::Relaxed);
            return None;
        };
        let typed = SecretString::from(typed);
        *answer = Some(typed.clone());
        Some(typed)
    }
}

/// Reads an identity file: age X25519 keys (one or more `AGE-SECRET-KEY-1`
/// lines) or one OpenSSH/PEM private key.
fn load_identity_file(path: &Path, prompt: &KeyPrompt) -> Result<Vec<LoadedKey>, VaultError> {
    let bytes = Zeroizing::new(fs::read(path).map_err(|e| VaultError::IdentityUnreadable {
        path: path.to_owned(),
        reason: io_reason(&e),
    })?);
    let invalid = |reason: &str| VaultError::IdentityInvalid {
        path: path.to_owned(),
        reason: reason.to_owned(),
    };
    let text = std::str::from_utf8(&bytes).map_err(|_| invalid("it is not a text key file"))?;

    if text.contains("-----BEGIN") {
        load_ssh_key(path, text, prompt).map(|key| vec![key])
    } else {
        load_age_keys(text).map_err(|reason| invalid(&reason))
    }
}

fn load_age_keys(text: &str) -> Result<Vec<LoadedKey>, String> {
    let mut keys = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let identity: x25519::Identity = line.parse().map_err(|_| {
            format!(
                "line {} is not an age identity (AGE-SECRET-KEY-1...) or an SSH private key",
                index + 1
            )
        })?;
        keys.push(LoadedKey {
            recipient: identity.to_public().to_string(),
            identity: Box::new(identity),
            encrypted: false,
        });
    }
    if keys.is_empty() {
        return Err("it holds no identity; make one with `tessera init --identity FILE`".into());
    }
    Ok(keys)
}

fn load_ssh_key(path: &Path, text: &str, prompt: &KeyPrompt) -> Result<LoadedKey, VaultError> {
    let invalid = |reason: String| VaultError::IdentityInvalid {
        path: path.to_owned(),
        reason,
    };
    let identity =
        age::ssh::Identity::from_buffer(text.as_bytes(), Some(path.display().to_string()))
            .map_err(|e| invalid(strip_isolation_marks(&e.to_string())))?;
    if let age::ssh::Identity::Unsupported(key) = &identity {
        return Err(invalid(describe_unsupported(key)));
    }

    let public = age::ssh::Recipient::try_from(identity.clone())
        .map_err(|e| invalid(describe_ssh_recipient_error(&e)))?
        .to_string();
    let recipient = public_key_line(path, &public).unwrap_or(public);

    let encrypted = matches!(identity, age::ssh::Identity::Encrypted(_));
    let identity: BoxedIdentity = if encrypted {
        Box::new(identity.with_callbacks(prompt.clone()))
    } else {
        Box::new(identity)
    };
    Ok(LoadedKey {
        identity,
        recipient,
        encrypted,
    })
}

/// The line of `KEY.pub` when it holds the same key as `public`, so the
/// stored recipient keeps its comment (`ssh-ed25519 AAAA... alice@laptop`).
fn public_key_line(key_path: &Path, public: &str) -> Option<String> {
    let mut pub_path = key_path.as_os_str().to_owned();
    pub_path.push(".pub");
    let line = fs::read_to_string(PathBuf::from(pub_path)).ok()?;
    let line = line.lines().next()?.trim();
    let parsed: age::ssh::Recipient = line.parse().ok()?;
    (parsed.to_string() == public).then(|| line.to_owned())
}

fn describe_unsupported(key: &UnsupportedKey) -> String {
    match key {
        UnsupportedKey::EncryptedPem => {
            "it is an encrypted key in the old PEM format; convert it with `ssh-keygen -o -p -f FILE`"
                .into()
        }
        UnsupportedKey::EncryptedSsh(cipher) => {
            format!("it is encrypted with the cipher {cipher}, which age cannot decrypt")
        }
        UnsupportedKey::Hardware(kind) => {
            format!("{kind} keys live on a hardware token, which Tessera cannot use")
        }
        UnsupportedKey::Type(kind) => {
            format!("{kind} keys are not supported; use an ed25519 or RSA key")
        }
    }
}

fn describe_ssh_recipient_error(error: &ParseRecipientKeyError) -> String {
    match error {
        ParseRecipientKeyError::RsaModulusTooLarge => "the RSA key is larger than 4096 bits".into(),
        ParseRecipientKeyError::RsaModulusTooSmall => {
            "the RSA key is smaller than 2048 bits, too weak to use".into()
        }
        ParseRecipientKeyError::Unsupported(kind) => {
            format!("{kind} keys are not supported; use an ed25519 or RSA key")
        }
        _ => "it is not a valid public key".into(),
    }
}

/// An encrypting recipient as age wants it.
pub(crate) type BoxedRecipient = Box<dyn age::Recipient + Send>;

/// Parses an age X25519 (`age1...`) or SSH (`ssh-ed25519 AAAA...`) public key.
pub(crate) fn parse_recipient(text: &str) -> Result<BoxedRecipient, VaultError> {
    let text = text.trim();
    let bad = |reason: String| VaultError::BadRecipient {
        recipient: text.to_owned(),
        reason,
    };
    if text.starts_with("age1") {
        let recipient: x25519::Recipient = text.parse().map_err(|e: &str| bad(e.to_owned()))?;
        Ok(Box::new(recipient))
    } else {
        let recipient: age::ssh::Recipient = text
            .parse()
            .map_err(|e| bad(describe_ssh_recipient_error(&e)))?;
        Ok(Box::new(recipient))
    }
}

/// The key part of a recipient, without an SSH comment, for comparisons.
pub(crate) fn recipient_key(text: &str) -> Result<String, VaultError> {
    let text = text.trim();
    if text.starts_with("age1") {
        parse_recipient(text)?;
        Ok(text.to_owned())
    } else {
        let recipient: age::ssh::Recipient =
            text.parse().map_err(|e| VaultError::BadRecipient {
                recipient: text.to_owned(),
                reason: describe_ssh_recipient_error(&e),
            })?;
        Ok(recipient.to_string())
    }
}

/// Adds `item` unless an equal one is there.
pub(crate) fn push_unique(list: &mut Vec<String>, item: String) {
    if !list.contains(&item) {
        list.push(item);
    }
}

/// Writes a new age X25519 identity to `path` (mode 0600, with the usual
/// `# created:` and `# public key:` lines) and returns its public key.
/// Refuses to overwrite an existing file.
pub fn generate_identity_file(path: &Path) -> Result<String, VaultError> {
    if let Some(parent) = path.parent() {
        storage::create_private_dir(parent)?;
    }
    let identity = x25519::Identity::generate();
    let public = identity.to_public().to_string();

    let mut text = Zeroizing::new(format!(
        "# created: {}\n# public key: {public}\n",
        utc_timestamp(crate::clock::now_unix(0))
    ));
    text.push_str(identity.to_string().expose_secret());
    text.push('\n');

    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| match e.kind() {
            io::ErrorKind::AlreadyExists => VaultError::IdentityExists {
                path: path.to_owned(),
            },
            _ => storage::io_error("create", path, &e),
        })?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|e| storage::io_error("write", path, &e))?;
    Ok(public)
}

/// `YYYY-MM-DDTHH:MM:SSZ` for Unix seconds (proleptic Gregorian, UTC).
fn utc_timestamp(unix: u64) -> String {
    let (days, secs) = (unix / 86_400, unix % 86_400);
    let (year, month, day) = civil_date(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// Year, month, day of the day `days` after 1970-01-01, counting in
/// 400-year eras of 146 097 days that start on March 1st.
fn civil_date(days: u64) -> (u64, u64, u64) {
    let shifted = days + 719_468; // days from 0000-03-01
    let era = shifted / 146_097;
    let day_of_era = shifted % 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = era * 400 + year_of_era + u64::from(month <= 2);
    (year, month, day)
}

fn join_paths(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn io_reason(error: &io::Error) -> String {
    strip_isolation_marks(&error.to_string())
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn fixture(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data")
            .join(name)
    }

    #[test]
    fn generated_identity_file_is_private_and_loads_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("key.txt");

        let public = generate_identity_file(&path).unwrap();

        let mode = fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let set = IdentitySet::load(std::slice::from_ref(&path), &KeyPrompt::terminal()).unwrap();
        assert_eq!(set.recipients(), std::slice::from_ref(&public));
        let text = fs::read_to_string(&path).unwrap();
        assert!(text.contains(&format!("# public key: {public}\n")));
        assert!(text.starts_with("# created: "));
    }

    #[test]
    fn generating_over_an_existing_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("key.txt");
        fs::write(&path, "keep me").unwrap();

        let err = generate_identity_file(&path).unwrap_err();

        assert!(matches!(err, VaultError::IdentityExists { .. }), "{err}");
        assert_eq!(fs::read_to_string(&path).unwrap(), "keep me");
    }

    #[test]
    fn ssh_recipient_keeps_the_comment_from_the_pub_file() {
        let set = IdentitySet::load(&[fixture("test_ed25519")], &KeyPrompt::terminal()).unwrap();
        let expected = fs::read_to_string(fixture("test_ed25519.pub")).unwrap();
        assert_eq!(set.recipients(), [expected.trim().to_owned()]);
    }

    #[test]
    fn encrypted_ssh_key_yields_its_recipient_without_asking() {
        // KeyPrompt::terminal() would block on a terminal: loading must not ask.
        let set = IdentitySet::load(&[fixture("test_ed25519_encrypted")], &KeyPrompt::terminal())
            .unwrap();
        assert!(set.recipients()[0].starts_with("ssh-ed25519 "));
        assert_eq!(
            set.encrypted_paths_text(),
            fixture("test_ed25519_encrypted").display().to_string()
        );
    }

    #[test]
    fn an_empty_identity_list_is_refused() {
        let err = IdentitySet::load(&[], &KeyPrompt::terminal())
            .err()
            .unwrap();
        assert!(matches!(err, VaultError::NoIdentities), "{err}");
    }

    #[test]
    fn missing_identity_file_names_the_path() {
        let err = IdentitySet::load(
            &[PathBuf::from("/nonexistent/key.txt")],
            &KeyPrompt::terminal(),
        )
        .err()
        .unwrap();
        assert!(matches!(err, VaultError::IdentityUnreadable { .. }));
        assert!(err.to_string().contains("/nonexistent/key.txt"), "{err}");
    }

    #[test]
    fn identity_file_with_junk_names_the_line_but_not_its_content() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("key.txt");
        fs::write(&path, "# comment\nAGE-SECRET-KEY-1NOTAKEY\n").unwrap();

        let err = IdentitySet::load(&[path], &KeyPrompt::terminal())
            .err()
            .unwrap();

        let message = err.to_string();
        assert!(matches!(err, VaultError::IdentityInvalid { .. }));
        assert!(message.contains("line 2"), "{message}");
        assert!(!message.contains("NOTAKEY"), "{message}");
    }

    #[test]
    fn bad_recipient_is_quoted() {
        let err = parse_recipient("age1notakey").err().unwrap();
        assert!(err.to_string().contains("`age1notakey`"), "{err}");
    }

    #[test]
    fn recipient_key_drops_the_ssh_comment() {
        let line = fs::read_to_string(fixture("test_ed25519.pub")).unwrap();
        let key = recipient_key(&line).unwrap();
        assert!(!key.contains("tessera-test-key"));
        assert!(line.starts_with(&key));
    }

    #[test]
    fn timestamps_are_utc_calendar_dates() {
        assert_eq!(utc_timestamp(0), "1970-01-01T00:00:00Z");
        assert_eq!(utc_timestamp(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(utc_timestamp(1_700_000_000), "2023-11-14T22:13:20Z");
    }
}
