//! Folding a diverged copy of the vault into this one: the "conflict copy"
//! a file-sync tool leaves when two devices saved while apart.
//!
//! There is no common base to compare with, so each entry speaks for
//! itself: entries match by id, the later `updated` wins (an HOTP counter
//! never goes backwards), entries only the other copy has are added, and a
//! tombstone in either copy removes the entry from both. This copy's order
//! is kept; added entries go at the end.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use super::document::Document;
use super::merge::{resolve, same_entry, unite_tombstones};
use super::{Entry, Vault, VaultError, read_document, storage};

/// What a merge changed in this copy, by account label.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct MergeSummary {
    /// Entries only the other copy had.
    pub added: Vec<String>,
    /// Entries whose other version was newer (or had a higher HOTP counter).
    pub updated: Vec<String>,
    /// Entries the other copy had deleted.
    pub removed: Vec<String>,
    /// Deletions the other copy knew of that this one did not, for entries
    /// neither copy holds any more: recorded so they stay deleted.
    pub deletions_recorded: usize,
    /// Both copies hold accounts but share no entry, live or deleted: the
    /// other file is not a copy of this vault.
    pub unrelated: bool,
}

impl MergeSummary {
    /// True when the merge changed nothing at all.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.updated.is_empty()
            && self.removed.is_empty()
            && self.deletions_recorded == 0
    }
}

impl Vault {
    /// Reads the vault copy at `path` with this vault's own key (a
    /// conflict copy is encrypted like the original) and merges it in.
    /// Not saved yet; `path` is only read.
    pub fn merge_from_file(&mut self, path: &Path) -> Result<MergeSummary, VaultError> {
        let bytes = storage::read_vault(path)?;
        let other = read_document(path, &self.unlock, &bytes)?;
        Ok(self.merge_document(&other))
    }

    /// Merges another open copy in. Not saved yet.
    pub fn merge_from(&mut self, other: &Vault) -> MergeSummary {
        self.merge_document(&other.document)
    }

    /// Whether any id, of an entry or a deletion, appears in both copies.
    fn shares_history_with(&self, other: &Document) -> bool {
        let ours: HashSet<&str> = self
            .document
            .entries
            .iter()
            .map(|e| e.id.as_str())
            .chain(self.document.tombstones.iter().map(|t| t.id.as_str()))
            .collect();
        other
            .entries
            .iter()
            .map(|e| e.id.as_str())
            .chain(other.tombstones.iter().map(|t| t.id.as_str()))
            .any(|id| ours.contains(id))
    }

    fn merge_document(&mut self, other: &Document) -> MergeSummary {
        let tombstones = unite_tombstones(&self.document.tombstones, &other.tombstones);
        let deleted: HashSet<&str> = tombstones.iter().map(|t| t.id.as_str()).collect();
        let theirs: HashMap<&str, &Entry> =
            other.entries.iter().map(|e| (e.id.as_str(), e)).collect();

        let mut summary = MergeSummary {
            unrelated: !self.document.entries.is_empty()
                && !other.entries.is_empty()
                && !self.shares_history_with(other),
            ..MergeSummary::default()
        };
        let mut entries = Vec::with_capacity(self.document.entries.len() + other.entries.len());
        let mut updated_ids = Vec::new();
        for ours in &self.document.entries {
            if deleted.contains(ours.id.as_str()) {
                summary.removed.push(ours.account.label());
                continue;
            }
            let picked = match theirs.get(ours.id.as_str()) {
                Some(their) => resolve(None, ours, their),
                None => ours.clone(),
            };
            if !same_entry(&picked, ours) {
                summary.updated.push(picked.account.label());
                updated_ids.push(picked.id.clone());
            }
            entries.push(picked);
        }

        let ours: HashSet<&str> = self
            .document
            .entries
            .iter()
            .map(|e| e.id.as_str())
            .collect();
        for their in &other.entries {
            if !ours.contains(their.id.as_str()) && !deleted.contains(their.id.as_str()) {
                summary.added.push(their.account.label());
                entries.push(their.clone());
            }
        }
        let new_tombstones = tombstones.len() - self.document.tombstones.len();
        summary.deletions_recorded = new_tombstones.saturating_sub(summary.removed.len());

        if !summary.is_empty() {
            self.document.entries = entries;
            self.document.tombstones = tombstones;
            self.changed.extend(updated_ids);
            self.dirty = true;
        }
        summary
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::otp::Kind;
    use crate::vault::Tombstone;

    fn entry(id: &str, issuer: &str, updated: u64) -> Entry {
        Entry::for_test(id, issuer, updated)
    }

    fn hotp(id: &str, counter: u64, updated: u64) -> Entry {
        let mut e = entry(id, "Bank", updated);
        e.account.kind = Kind::Hotp { counter };
        e
    }

    fn stone(id: &str) -> Tombstone {
        Tombstone {
            id: id.into(),
            deleted: 5,
        }
    }

    fn doc(entries: Vec<Entry>, tombstones: Vec<Tombstone>) -> Document {
        Document {
            recipients: Vec::new(),
            entries,
            tombstones,
        }
    }

    /// A vault in memory only: merging never touches its file.
    fn vault(document: Document) -> Vault {
        let unlock = super::super::Unlock::Passphrase(secrecy::SecretString::from("x".to_owned()));
        Vault::from_parts(
            Path::new("/nonexistent/vault.age"),
            unlock,
            document,
            Vec::new(),
        )
    }

    fn issuers(vault: &Vault) -> Vec<&str> {
        vault
            .entries()
            .iter()
            .map(|e| e.account.issuer.as_str())
            .collect()
    }

    #[test]
    fn entries_only_the_other_copy_has_are_added_at_the_end() {
        let mut ours = vault(doc(vec![entry("a", "A", 1)], vec![]));
        let other = doc(vec![entry("b", "B", 1), entry("a", "A", 1)], vec![]);

        let summary = ours.merge_document(&other);

        assert_eq!(issuers(&ours), ["A", "B"]);
        assert_eq!(summary.added, ["B:alice"]);
        assert!(summary.updated.is_empty() && summary.removed.is_empty());
        assert!(ours.has_unsaved_changes());
    }

    #[test]
    fn the_newer_edit_wins_either_way() {
        let mut ours = vault(doc(
            vec![entry("a", "A ours", 20), entry("b", "B ours", 10)],
            vec![],
        ));
        let other = doc(
            vec![entry("a", "A theirs", 10), entry("b", "B theirs", 20)],
            vec![],
        );

        let summary = ours.merge_document(&other);

        assert_eq!(issuers(&ours), ["A ours", "B theirs"]);
        assert_eq!(summary.updated, ["B theirs:alice"]);
    }

    #[test]
    fn the_higher_hotp_counter_is_kept_even_from_the_older_edit() {
        let mut ours = vault(doc(vec![hotp("h", 3, 20)], vec![]));
        let other = doc(vec![hotp("h", 7, 10)], vec![]);

        let summary = ours.merge_document(&other);

        assert_eq!(ours.entries()[0].account.kind, Kind::Hotp { counter: 7 });
        assert_eq!(summary.updated, ["Bank:alice"]);
    }

    #[test]
    fn a_deletion_in_the_other_copy_removes_the_entry_here() {
        let mut ours = vault(doc(vec![entry("a", "A", 1), entry("b", "B", 1)], vec![]));
        let other = doc(vec![entry("b", "B", 1)], vec![stone("a")]);

        let summary = ours.merge_document(&other);

        assert_eq!(issuers(&ours), ["B"]);
        assert_eq!(summary.removed, ["A:alice"]);
        assert_eq!(ours.tombstones(), [stone("a")]);
    }

    #[test]
    fn a_deletion_here_is_not_undone_by_the_other_copy() {
        let mut ours = vault(doc(vec![], vec![stone("a")]));
        let other = doc(vec![entry("a", "A", 99)], vec![]);

        let summary = ours.merge_document(&other);

        assert!(ours.entries().is_empty());
        assert!(summary.is_empty(), "{summary:?}");
        assert!(!ours.has_unsaved_changes());
    }

    #[test]
    fn deletions_of_entries_gone_from_both_are_recorded() {
        let mut ours = vault(doc(vec![entry("a", "A", 1)], vec![]));
        let other = doc(vec![entry("a", "A", 1)], vec![stone("gone")]);

        let summary = ours.merge_document(&other);

        assert_eq!(summary.deletions_recorded, 1);
        assert_eq!(ours.tombstones(), [stone("gone")]);
    }

    #[test]
    fn merging_the_same_copy_twice_changes_nothing_the_second_time() {
        let mut ours = vault(doc(vec![entry("a", "A", 1), hotp("h", 1, 5)], vec![]));
        let other = doc(vec![entry("b", "B", 1), hotp("h", 4, 6)], vec![stone("a")]);
        ours.merge_document(&other);
        let after_first: Vec<String> = ours.entries().iter().map(|e| e.account.label()).collect();

        let second = ours.merge_document(&other);

        assert!(second.is_empty(), "{second:?}");
        let after_second: Vec<String> = ours.entries().iter().map(|e| e.account.label()).collect();
        assert_eq!(after_first, after_second);
    }

    #[test]
    fn identical_copies_merge_to_nothing() {
        let document = doc(vec![entry("a", "A", 1)], vec![stone("x")]);
        let mut ours = vault(document.clone());

        assert!(ours.merge_document(&document).is_empty());
        assert!(!ours.has_unsaved_changes());
    }
}
