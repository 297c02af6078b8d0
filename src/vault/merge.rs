//! Three-way merge of vault documents by entry id, so a save from a stale
//! copy keeps what another process saved in the meantime.
//!
//! `base` is what this copy read, `ours` is this copy now, `theirs` is the
//! file on disk. Entries we added are added; entries we deleted are removed;
//! entries we changed replace theirs unless theirs changed too and is newer;
//! everything else is kept as the other process left it. Tombstones are
//! united, and an HOTP counter never goes backwards.

use std::collections::{HashMap, HashSet};

use super::Entry;
use super::document::{Document, Tombstone};
use crate::otp::{Account, Kind};

/// The merged document, and the ids whose merged entry differs from theirs
/// (our edit won, or our higher HOTP counter was kept): changes still to save.
pub(crate) struct Merged {
    pub document: Document,
    pub still_changed: HashSet<String>,
}

/// Merges by id. `changed` lists the ids this copy edited since `base`.
pub(crate) fn merge(
    base: &Document,
    ours: &Document,
    changed: &HashSet<String>,
    theirs: &Document,
) -> Merged {
    let tombstones = unite_tombstones(&theirs.tombstones, &ours.tombstones);
    let deleted: HashSet<&str> = tombstones.iter().map(|t| t.id.as_str()).collect();
    let base_by_id = by_id(&base.entries);
    let ours_by_id = by_id(&ours.entries);
    let theirs_ids: HashSet<&str> = theirs.entries.iter().map(|e| e.id.as_str()).collect();

    let mut entries = Vec::with_capacity(theirs.entries.len() + ours.entries.len());
    let mut still_changed = HashSet::new();
    for their in &theirs.entries {
        if deleted.contains(their.id.as_str()) {
            continue;
        }
        match ours_by_id.get(their.id.as_str()) {
            Some(our) if changed.contains(&their.id) => {
                let base = base_by_id.get(their.id.as_str()).copied();
                let picked = resolve(base, our, their);
                if !same_entry(&picked, their) {
                    still_changed.insert(their.id.clone());
                }
                entries.push(picked);
            }
            _ => entries.push(their.clone()),
        }
    }

    let ours_added = ours.entries.iter().filter(|e| {
        let id = e.id.as_str();
        !base_by_id.contains_key(id) && !theirs_ids.contains(id) && !deleted.contains(id)
    });
    entries.extend(ours_added.cloned());

    Merged {
        document: Document {
            recipients: theirs.recipients.clone(),
            entries,
            tombstones,
        },
        still_changed,
    }
}

/// Both sides hold the entry and we changed it. Ours wins if theirs is
/// untouched since the base, or if ours is strictly newer. Either way the
/// HOTP counter is the higher of the two: a used code must not come back.
pub(super) fn resolve(base: Option<&Entry>, ours: &Entry, theirs: &Entry) -> Entry {
    let theirs_untouched = base.is_some_and(|b| same_entry(b, theirs));
    let ours_wins = theirs_untouched || ours.updated > theirs.updated;
    let mut picked = if ours_wins {
        ours.clone()
    } else {
        theirs.clone()
    };
    if let (Kind::Hotp { counter: a }, Kind::Hotp { counter: b }, Kind::Hotp { counter }) = (
        ours.account.kind,
        theirs.account.kind,
        &mut picked.account.kind,
    ) {
        *counter = a.max(b);
    }
    picked
}

/// Every tombstone of both sides, once per id (the later deletion time).
pub(super) fn unite_tombstones(theirs: &[Tombstone], ours: &[Tombstone]) -> Vec<Tombstone> {
    let mut united: Vec<Tombstone> = Vec::with_capacity(theirs.len() + ours.len());
    for stone in theirs.iter().chain(ours) {
        match united.iter_mut().find(|t| t.id == stone.id) {
            Some(known) => known.deleted = known.deleted.max(stone.deleted),
            None => united.push(stone.clone()),
        }
    }
    united
}

fn by_id(entries: &[Entry]) -> HashMap<&str, &Entry> {
    entries.iter().map(|e| (e.id.as_str(), e)).collect()
}

/// Field-by-field equality (`Entry` has no `PartialEq`, and this must not
/// depend on URI formatting).
pub(crate) fn same_entry(a: &Entry, b: &Entry) -> bool {
    a.id == b.id
        && same_account(&a.account, &b.account)
        && a.note == b.note
        && a.tags == b.tags
        && a.pinned == b.pinned
        && a.created == b.created
        && a.updated == b.updated
}

fn same_account(a: &Account, b: &Account) -> bool {
    a.issuer == b.issuer
        && a.name == b.name
        && a.secret == b.secret
        && a.kind == b.kind
        && a.algorithm == b.algorithm
        && a.digits == b.digits
        && a.extra == b.extra
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str, issuer: &str, updated: u64) -> Entry {
        Entry::for_test(id, issuer, updated)
    }

    fn hotp(id: &str, counter: u64, updated: u64) -> Entry {
        let mut e = entry(id, "Bank", updated);
        e.account.kind = Kind::Hotp { counter };
        e
    }

    fn doc(entries: Vec<Entry>) -> Document {
        Document {
            entries,
            ..Document::default()
        }
    }

    fn ids(document: &Document) -> Vec<&str> {
        document.entries.iter().map(|e| e.id.as_str()).collect()
    }

    fn issuers(document: &Document) -> Vec<&str> {
        document
            .entries
            .iter()
            .map(|e| e.account.issuer.as_str())
            .collect()
    }

    fn set(ids: &[&str]) -> HashSet<String> {
        ids.iter().map(|&s| s.to_owned()).collect()
    }

    #[test]
    fn additions_on_both_sides_both_land() {
        let base = doc(vec![entry("a", "A", 1)]);
        let ours = doc(vec![entry("a", "A", 1), entry("ours", "O", 2)]);
        let theirs = doc(vec![entry("a", "A", 1), entry("theirs", "T", 2)]);

        let merged = merge(&base, &ours, &HashSet::new(), &theirs);

        assert_eq!(ids(&merged.document), ["a", "theirs", "ours"]);
    }

    #[test]
    fn our_deletion_is_kept_while_their_edit_of_another_entry_lands() {
        let base = doc(vec![entry("a", "A", 1), entry("b", "B", 1)]);
        let mut ours = doc(vec![entry("b", "B", 1)]);
        ours.tombstones.push(Tombstone {
            id: "a".into(),
            deleted: 5,
        });
        let theirs = doc(vec![entry("a", "A", 1), entry("b", "B edited", 4)]);

        let merged = merge(&base, &ours, &HashSet::new(), &theirs);

        assert_eq!(issuers(&merged.document), ["B edited"]);
        assert_eq!(merged.document.tombstones[0].id, "a");
    }

    #[test]
    fn their_deletion_is_kept() {
        let base = doc(vec![entry("a", "A", 1), entry("b", "B", 1)]);
        let ours = base.clone();
        let mut theirs = doc(vec![entry("b", "B", 1)]);
        theirs.tombstones.push(Tombstone {
            id: "a".into(),
            deleted: 5,
        });

        let merged = merge(&base, &ours, &HashSet::new(), &theirs);

        assert_eq!(ids(&merged.document), ["b"]);
    }

    #[test]
    fn our_edit_replaces_an_untouched_entry() {
        let base = doc(vec![entry("a", "A", 10)]);
        let ours = doc(vec![entry("a", "A renamed", 10)]);
        let theirs = base.clone();

        let merged = merge(&base, &ours, &set(&["a"]), &theirs);

        assert_eq!(issuers(&merged.document), ["A renamed"]);
        assert_eq!(merged.still_changed, set(&["a"]));
    }

    #[test]
    fn conflicting_edits_keep_the_newer_one() {
        let base = doc(vec![entry("a", "A", 10), entry("b", "B", 10)]);
        let ours = doc(vec![entry("a", "A ours", 30), entry("b", "B ours", 20)]);
        let theirs = doc(vec![entry("a", "A theirs", 20), entry("b", "B theirs", 30)]);

        let merged = merge(&base, &ours, &set(&["a", "b"]), &theirs);

        assert_eq!(issuers(&merged.document), ["A ours", "B theirs"]);
        assert_eq!(merged.still_changed, set(&["a"]));
    }

    #[test]
    fn hotp_counter_never_goes_backwards() {
        let base = doc(vec![hotp("h", 5, 10)]);
        // We used one code (counter 6); they used three (counter 8) later.
        let ours = doc(vec![hotp("h", 6, 20)]);
        let theirs = doc(vec![hotp("h", 8, 30)]);

        let merged = merge(&base, &ours, &set(&["h"]), &theirs);

        assert_eq!(
            merged.document.entries[0].account.kind,
            Kind::Hotp { counter: 8 }
        );
    }

    #[test]
    fn hotp_counter_keeps_ours_when_ours_is_higher_but_older() {
        let base = doc(vec![hotp("h", 5, 10)]);
        let mut ours = doc(vec![hotp("h", 9, 20)]);
        ours.entries[0].note = "ours".into();
        let mut theirs = doc(vec![hotp("h", 6, 30)]);
        theirs.entries[0].note = "theirs".into();

        let merged = merge(&base, &ours, &set(&["h"]), &theirs);

        let picked = &merged.document.entries[0];
        assert_eq!(picked.note, "theirs");
        assert_eq!(picked.account.kind, Kind::Hotp { counter: 9 });
        assert_eq!(
            merged.still_changed,
            set(&["h"]),
            "the higher counter must still be saved"
        );
    }

    #[test]
    fn unchanged_entries_take_their_version() {
        let base = doc(vec![entry("a", "A", 1)]);
        let ours = base.clone();
        let theirs = doc(vec![entry("a", "A theirs", 2)]);

        let merged = merge(&base, &ours, &HashSet::new(), &theirs);

        assert_eq!(issuers(&merged.document), ["A theirs"]);
    }

    #[test]
    fn tombstones_unite_once_per_id() {
        let stone = |id: &str, deleted| Tombstone {
            id: id.into(),
            deleted,
        };
        let united = unite_tombstones(&[stone("x", 5), stone("y", 1)], &[stone("x", 9)]);
        assert_eq!(united, [stone("x", 9), stone("y", 1)]);
    }
}
