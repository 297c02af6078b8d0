//! The add dialog: what was pasted or typed, and the accounts it gives.
//! Takes an `otpauth://` link, or the path of a screenshot holding QR codes
//! (typed, pasted, or dropped as `file://...` or in quotes).

use std::path::PathBuf;

use zeroize::Zeroizing;

use crate::app::describe;
use crate::import::accounts_from_image_file;
use crate::otp::Account;

/// The dialog's state.
pub struct AddDialog {
    /// What was pasted or typed: may hold a secret, hence zeroized.
    pub input: Zeroizing<String>,
    /// What Enter will save; empty while the input gives nothing usable.
    pub accounts: Vec<Account>,
    /// One line per account to be added, or why the input gives none
    /// (empty while nothing was typed).
    pub preview: Result<Vec<String>, String>,
    /// Things worth knowing about accounts that do parse.
    pub warnings: Vec<String>,
}

impl AddDialog {
    pub fn new(text: String) -> Self {
        let mut dialog = AddDialog {
            input: Zeroizing::new(text),
            accounts: Vec::new(),
            preview: Err(String::new()),
            warnings: Vec::new(),
        };
        dialog.refresh();
        dialog
    }

    pub fn push_str(&mut self, text: &str) {
        self.input.push_str(text);
        self.refresh();
    }

    pub fn pop(&mut self) {
        self.input.pop();
        self.refresh();
    }

    /// Re-reads the input: a link is parsed, a path to an existing image is
    /// scanned for QR codes.
    fn refresh(&mut self) {
        self.accounts.clear();
        self.warnings.clear();
        let text = self.input.trim();
        if text.is_empty() {
            self.preview = Err(String::new());
            return;
        }
        let read = match image_path(text) {
            Some(path) => accounts_from_image_file(&path)
                .map(|accounts| (accounts, Vec::new()))
                .map_err(|error| error.to_string()),
            None => Account::from_uri(text)
                .map(|parsed| {
                    let warnings = parsed.warnings.iter().map(ToString::to_string).collect();
                    (vec![parsed.account], warnings)
                })
                .map_err(|error| error.to_string()),
        };
        match read {
            Ok((accounts, warnings)) => {
                self.preview = Ok(accounts.iter().map(describe).collect());
                self.accounts = accounts;
                self.warnings = warnings;
            }
            Err(why) => self.preview = Err(why),
        }
    }
}

/// The input as the path of an existing file, if it names one: plain,
/// `~/...`, quoted, or a `file://` URI as terminals paste dropped files.
fn image_path(text: &str) -> Option<PathBuf> {
    let text = text.trim_matches(|c| c == '\'' || c == '"');
    let text = text.strip_prefix("file://").unwrap_or(text);
    if text.contains("://") {
        return None;
    }
    let path = match text.strip_prefix("~/") {
        Some(rest) => dirs::home_dir()?.join(rest),
        None => PathBuf::from(text),
    };
    path.is_file().then_some(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_gives_one_account() {
        let dialog = AddDialog::new("otpauth://totp/A:b?secret=JBSWY3DPEHPK3PXP".to_owned());

        assert_eq!(dialog.accounts.len(), 1);
        assert_eq!(
            dialog.preview,
            Ok(vec!["A: b (TOTP, SHA1, 6 digits, every 30 s)".to_owned()])
        );
    }

    #[test]
    fn a_path_that_is_not_a_file_is_read_as_a_link() {
        let dialog = AddDialog::new("/no/such/file.png".to_owned());

        assert!(dialog.accounts.is_empty());
        assert!(dialog.preview.is_err());
    }

    #[test]
    fn dropped_file_uris_and_quotes_name_the_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("shot.png");
        std::fs::write(&file, b"x").expect("write");
        let shown = file.display().to_string();

        assert_eq!(image_path(&format!("file://{shown}")), Some(file.clone()));
        assert_eq!(image_path(&format!("'{shown}'")), Some(file.clone()));
        assert_eq!(image_path("otpauth://totp/x"), None);
    }
}
