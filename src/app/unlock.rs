//! Choosing how to unlock the vault: identity files, a passphrase file, or a
//! passphrase typed at the terminal (always before the interface starts).

use std::fs;
use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use secrecy::{ExposeSecret, SecretString};
use zeroize::Zeroizing;

use crate::cli::GlobalOptions;
use crate::vault::Key;

/// The identity files from `--identity`, or else from `TESSERA_IDENTITY`
/// (one path, or several joined like `PATH`).
pub fn identities(options: &GlobalOptions) -> Vec<PathBuf> {
    if !options.identity.is_empty() {
        return options.identity.clone();
    }
    std::env::var_os("TESSERA_IDENTITY")
        .map(|value| {
            std::env::split_paths(&value)
                .filter(|p| !p.as_os_str().is_empty())
                .collect()
        })
        .unwrap_or_default()
}

/// Whether opening the vault will ask for a passphrase on the terminal.
pub fn prompts(options: &GlobalOptions) -> bool {
    identities(options).is_empty() && options.passphrase_file.is_none()
}

/// The key to open the existing vault at `path`.
pub fn key_to_open(options: &GlobalOptions, path: &Path) -> Result<Key> {
    let identities = identities(options);
    if !identities.is_empty() {
        return Ok(Key::Identities(identities));
    }
    if let Some(file) = &options.passphrase_file {
        return Ok(Key::Passphrase(read_passphrase_file(file)?));
    }
    if uses_recipients(path) {
        bail!(
            "The vault at {} is locked to identity files, not a passphrase. \
             Pass --identity FILE or set TESSERA_IDENTITY.",
            path.display()
        );
    }
    let prompt = format!("Passphrase for {}: ", path.display());
    Ok(Key::Passphrase(prompt_passphrase(&prompt)?))
}

/// The passphrase for a new vault: from `--passphrase-file`, or typed twice.
pub fn new_passphrase(options: &GlobalOptions) -> Result<SecretString> {
    if let Some(file) = &options.passphrase_file {
        return read_passphrase_file(file);
    }
    let first = prompt_passphrase("New vault passphrase: ")?;
    let second = prompt_passphrase("Repeat the passphrase: ")?;
    if first.expose_secret() != second.expose_secret() {
        bail!("The two passphrases differ; nothing was created. Run the command again.");
    }
    Ok(first)
}

/// The first line of `file`, without its line ending.
pub fn read_passphrase_file(file: &Path) -> Result<SecretString> {
    let mut text = Zeroizing::new(String::new());
    fs::File::open(file)
        .and_then(|mut f| f.read_to_string(&mut text))
        .with_context(|| format!("Cannot read the passphrase file {}", file.display()))?;
    let line = text.lines().next().unwrap_or("");
    if line.is_empty() {
        bail!(
            "The passphrase file {} is empty; put the passphrase on its first line.",
            file.display()
        );
    }
    Ok(SecretString::from(line.to_owned()))
}

fn prompt_passphrase(prompt: &str) -> Result<SecretString> {
    if !std::io::stdin().is_terminal() {
        bail!(
            "No terminal to ask for the passphrase; pass --passphrase-file FILE or --identity FILE."
        );
    }
    let typed = Zeroizing::new(
        rpassword::prompt_password(prompt).context("Could not read the passphrase")?,
    );
    if typed.is_empty() {
        bail!("The passphrase is empty; nothing was done.");
    }
    Ok(SecretString::from(typed.as_str().to_owned()))
}

/// True when the binary age header at `path` has no scrypt stanza, i.e. the
/// vault is encrypted to recipients. Unreadable or armored files say false,
/// leaving the real error to the vault.
fn uses_recipients(path: &Path) -> bool {
    let Ok(mut file) = fs::File::open(path) else {
        return false;
    };
    let mut head = vec![0; 4096];
    let Ok(len) = file.read(&mut head) else {
        return false;
    };
    header_uses_recipients(&head[..len])
}

fn header_uses_recipients(head: &[u8]) -> bool {
    let Some(rest) = head.strip_prefix(b"age-encryption.org/v1\n") else {
        return false;
    };
    let header_lines = rest
        .split(|&b| b == b'\n')
        .take_while(|line| !line.starts_with(b"---"));
    let mut stanzas = header_lines
        .filter(|line| line.starts_with(b"-> "))
        .peekable();
    stanzas.peek().is_some() && !stanzas.any(|line| line.starts_with(b"-> scrypt "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrypt_header_means_passphrase() {
        let head = b"age-encryption.org/v1\n-> scrypt c2FsdA 18\nYm9keQ\n--- bWFj\n";
        assert!(!header_uses_recipients(head));
    }

    #[test]
    fn x25519_header_means_recipients() {
        let head = b"age-encryption.org/v1\n-> X25519 YQ\nYm9keQ\n--- bWFj\n";
        assert!(header_uses_recipients(head));
    }

    #[test]
    fn not_age_is_left_to_the_vault() {
        assert!(!header_uses_recipients(b"hello"));
    }
}
