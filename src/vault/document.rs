//! The vault's plaintext: a versioned TOML document of entries and
//! tombstones. This module turns bytes into [`Document`] and back; it never
//! touches a file or a key.
//!
//! The plaintext holds every secret, so it only ever lives in `Zeroizing`
//! buffers, and the serde records that carry a URI wipe it on drop and have
//! no `Debug`.

use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, Zeroizing};

use super::Entry;
use crate::otp::Account;

/// The document format this Tessera writes and the newest it reads.
pub const FORMAT_VERSION: u64 = 1;

/// A deleted entry's id, kept so a merge with an older copy does not bring
/// the entry back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tombstone {
    pub id: String,
    /// Unix seconds.
    pub deleted: u64,
}

/// The decrypted vault, parsed.
#[derive(Clone, Default)]
pub(crate) struct Document {
    /// Public keys the vault is encrypted to; empty for a passphrase vault.
    pub recipients: Vec<String>,
    pub entries: Vec<Entry>,
    pub tombstones: Vec<Tombstone>,
}

/// Why a decrypted plaintext is not a usable document. The caller adds the
/// path and the backup hint.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum DocumentError {
    NotTessera,
    Newer(u64),
    Malformed { line: usize },
    BadEntry { id: String, reason: String },
}

/// Just enough to read `version` before trusting the rest of the layout.
#[derive(Deserialize)]
struct VersionProbe {
    version: Option<i64>,
}

#[derive(Serialize, Deserialize)]
struct DocumentRecord {
    version: u64,
    #[serde(default)]
    recipients: Vec<String>,
    #[serde(default)]
    entries: Vec<EntryRecord>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    tombstones: Vec<Tombstone>,
}

/// One `[[entries]]` table. Holds the URI with its secret: no `Debug`, and
/// the URI is wiped on drop.
#[derive(Serialize, Deserialize)]
struct EntryRecord {
    id: String,
    uri: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    pinned: bool,
    #[serde(default)]
    created: u64,
    #[serde(default)]
    updated: u64,
}

impl Drop for EntryRecord {
    fn drop(&mut self) {
        self.uri.zeroize();
    }
}

/// Parses decrypted bytes. Checks the version first so a newer layout is
/// reported as "newer", not as damage.
pub(crate) fn parse(plaintext: &[u8]) -> Result<Document, DocumentError> {
    let text = std::str::from_utf8(plaintext).map_err(|_| DocumentError::NotTessera)?;

    let probe: VersionProbe = toml::from_str(text).map_err(|_| DocumentError::NotTessera)?;
    let version = match probe.version {
        Some(v) if v >= 1 => v.unsigned_abs(),
        _ => return Err(DocumentError::NotTessera),
    };
    if version > FORMAT_VERSION {
        return Err(DocumentError::Newer(version));
    }

    let record: DocumentRecord = toml::from_str(text).map_err(|e| DocumentError::Malformed {
        line: e.span().map_or(1, |span| line_of(text, span.start)),
    })?;
    document_from_record(&record)
}

/// Serializes to TOML. The output holds every secret, hence `Zeroizing`.
/// `None` if TOML cannot represent the document (the caller must then
/// write nothing).
pub(crate) fn serialize(document: &Document) -> Option<Zeroizing<String>> {
    let record = DocumentRecord {
        version: FORMAT_VERSION,
        recipients: document.recipients.clone(),
        entries: document.entries.iter().map(record_from_entry).collect(),
        tombstones: document.tombstones.clone(),
    };
    toml::to_string(&record).ok().map(Zeroizing::new)
}

fn document_from_record(record: &DocumentRecord) -> Result<Document, DocumentError> {
    let entries = record
        .entries
        .iter()
        .map(entry_from_record)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Document {
        recipients: record.recipients.clone(),
        entries,
        tombstones: record.tombstones.clone(),
    })
}

fn entry_from_record(record: &EntryRecord) -> Result<Entry, DocumentError> {
    let account = account_from_uri(&record.uri).map_err(|reason| DocumentError::BadEntry {
        id: record.id.clone(),
        reason,
    })?;
    Ok(Entry {
        id: record.id.clone(),
        account,
        note: record.note.clone(),
        tags: record.tags.clone(),
        pinned: record.pinned,
        created: record.created,
        updated: record.updated,
    })
}

fn record_from_entry(entry: &Entry) -> EntryRecord {
    EntryRecord {
        id: entry.id.clone(),
        uri: uri_of(&entry.account).to_string(),
        note: entry.note.clone(),
        tags: entry.tags.clone(),
        pinned: entry.pinned,
        created: entry.created,
        updated: entry.updated,
    }
}

/// The one place an account becomes its stored URI (the `otp` contract).
fn uri_of(account: &Account) -> Zeroizing<String> {
    account.to_uri()
}

/// The one place a stored URI becomes an account. The error text comes from
/// the URI parser, which never quotes the secret; warnings (short secret,
/// missing counter) were shown when the account was added.
fn account_from_uri(uri: &str) -> Result<Account, String> {
    Account::from_uri(uri)
        .map(|parsed| parsed.account)
        .map_err(|e| e.to_string())
}

/// 1-based line number of byte `offset` in `text`.
fn line_of(text: &str, offset: usize) -> usize {
    let before = text.get(..offset).unwrap_or(text);
    before.matches('\n').count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(text: &str) -> Result<Document, DocumentError> {
        parse(text.as_bytes())
    }

    #[test]
    fn empty_vault_document_parses() {
        let doc = parse_str("version = 1\nrecipients = [\"age1abc\"]\n").unwrap();
        assert_eq!(doc.recipients, ["age1abc"]);
        assert!(doc.entries.is_empty());
    }

    #[test]
    fn tombstones_are_read() {
        let doc = parse_str("version = 1\n[[tombstones]]\nid = \"ab\"\ndeleted = 5\n").unwrap();
        assert_eq!(
            doc.tombstones,
            [Tombstone {
                id: "ab".into(),
                deleted: 5
            }]
        );
    }

    #[test]
    fn text_that_is_not_toml_is_not_a_tessera_vault() {
        assert_eq!(
            parse_str("hello, this is a note").err(),
            Some(DocumentError::NotTessera)
        );
    }

    #[test]
    fn toml_without_version_is_not_a_tessera_vault() {
        assert_eq!(
            parse_str("name = 1\n").err(),
            Some(DocumentError::NotTessera)
        );
    }

    #[test]
    fn binary_plaintext_is_not_a_tessera_vault() {
        assert_eq!(
            parse(&[0xff, 0xfe, 0]).err(),
            Some(DocumentError::NotTessera)
        );
    }

    #[test]
    fn newer_version_is_reported_as_newer_even_with_an_unknown_layout() {
        assert_eq!(
            parse_str("version = 2\nentries = \"a new layout\"\n").err(),
            Some(DocumentError::Newer(2))
        );
    }

    #[test]
    fn wrong_layout_names_the_line() {
        let text = "version = 1\n\n[[entries]]\nid = 5\nuri = \"x\"\n";
        assert_eq!(
            parse_str(text).err(),
            Some(DocumentError::Malformed { line: 4 })
        );
    }

    #[test]
    fn serialized_empty_document_starts_with_the_version() {
        let doc = Document {
            recipients: vec!["age1xyz".into()],
            ..Document::default()
        };
        let text = serialize(&doc).unwrap();
        assert!(text.starts_with("version = 1\n"), "{}", &*text);
        assert_eq!(parse(text.as_bytes()).unwrap().recipients, ["age1xyz"]);
    }

    #[test]
    fn line_of_counts_from_one() {
        assert_eq!(line_of("a\nb\nc", 0), 1);
        assert_eq!(line_of("a\nb\nc", 4), 3);
    }
}
