//! Which entries the list shows, in what order: all of them (pinned first),
//! or those matching the fuzzy filter, best match first.

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

use crate::vault::Entry;

/// Indices into `entries` of the rows to show.
pub fn visible_entries(entries: &[Entry], filter: &str) -> Vec<usize> {
    if filter.trim().is_empty() {
        let mut all: Vec<usize> = (0..entries.len()).collect();
        all.sort_by_key(|&i| !entries[i].pinned);
        return all;
    }

    let pattern = Pattern::parse(filter, CaseMatching::Ignore, Normalization::Smart);
    let mut matcher = Matcher::new(Config::DEFAULT);
    let mut buffer = Vec::new();
    let mut scored: Vec<(u32, usize)> = entries
        .iter()
        .enumerate()
        .filter_map(|(i, entry)| {
            let haystack = searchable_text(entry);
            let score = pattern.score(Utf32Str::new(&haystack, &mut buffer), &mut matcher)?;
            Some((score, i))
        })
        .collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    scored.into_iter().map(|(_, i)| i).collect()
}

fn searchable_text(entry: &Entry) -> String {
    let account = &entry.account;
    let mut text = format!("{} {}", account.issuer, account.name);
    for tag in &entry.tags {
        text.push(' ');
        text.push_str(tag);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::demo;
    use crate::app::store::{MemoryStore, Store};

    fn demo_entries() -> Vec<Entry> {
        MemoryStore::new(demo::accounts(), 0).entries().to_vec()
    }

    fn issuers(entries: &[Entry], filter: &str) -> Vec<String> {
        visible_entries(entries, filter)
            .into_iter()
            .map(|i| entries[i].account.issuer.clone())
            .collect()
    }

    #[test]
    fn empty_filter_shows_everything_in_order() {
        let entries = demo_entries();

        assert_eq!(visible_entries(&entries, "").len(), entries.len());
        assert_eq!(issuers(&entries, "")[0], "Example");
    }

    #[test]
    fn pinned_entries_come_first() {
        let mut entries = demo_entries();
        entries[4].pinned = true;

        assert_eq!(issuers(&entries, "")[0], "Steam");
    }

    #[test]
    fn fuzzy_filter_ignores_case_and_gaps() {
        let entries = demo_entries();

        assert_eq!(issuers(&entries, "stm"), ["Steam"]);
        assert_eq!(issuers(&entries, "BANK"), ["Example Bank"]);
    }

    #[test]
    fn filter_matching_nothing_shows_nothing() {
        let entries = demo_entries();

        assert!(visible_entries(&entries, "zzzz").is_empty());
    }
}
