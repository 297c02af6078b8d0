//! Finding the account a command-line query means.

use crate::vault::Entry;

/// What a query matched.
#[derive(Debug)]
pub enum Found<'a> {
    One(&'a Entry),
    None,
    Several(Vec<&'a Entry>),
}

/// Finds the entry `query` names. An exact issuer, account or
/// `issuer:account` match (ignoring case) wins; otherwise a fragment of
/// `issuer:account` that only one entry contains.
pub fn find<'a>(entries: &'a [Entry], query: &str) -> Found<'a> {
    let query = query.trim().to_lowercase();
    if query.is_empty() {
        return Found::None;
    }

    let exact: Vec<&Entry> = entries.iter().filter(|e| is_exact(e, &query)).collect();
    if !exact.is_empty() {
        return one_or_several(exact);
    }

    let partial: Vec<&Entry> = entries
        .iter()
        .filter(|e| e.account.label().to_lowercase().contains(&query))
        .collect();
    one_or_several(partial)
}

fn is_exact(entry: &Entry, query: &str) -> bool {
    let account = &entry.account;
    [
        account.issuer.as_str(),
        account.name.as_str(),
        account.label().as_str(),
    ]
    .iter()
    .any(|field| !field.is_empty() && field.to_lowercase() == query)
}

fn one_or_several(mut matches: Vec<&Entry>) -> Found<'_> {
    match matches.len() {
        0 => Found::None,
        1 => Found::One(matches.remove(0)),
        _ => Found::Several(matches),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::otp::{Account, Algorithm, Kind, Secret};

    fn entry(issuer: &str, name: &str) -> Entry {
        Entry {
            id: format!("{issuer}-{name}"),
            account: Account {
                issuer: issuer.to_owned(),
                name: name.to_owned(),
                secret: Secret::from_bytes(vec![1; 20]),
                kind: Kind::Totp { period: 30 },
                algorithm: Algorithm::Sha1,
                digits: 6,
                extra: Vec::new(),
            },
            note: String::new(),
            tags: Vec::new(),
            pinned: false,
            created: 0,
            updated: 0,
        }
    }

    fn ids(found: &Found<'_>) -> Vec<String> {
        match found {
            Found::One(e) => vec![e.id.clone()],
            Found::None => Vec::new(),
            Found::Several(all) => all.iter().map(|e| e.id.clone()).collect(),
        }
    }

    #[test]
    fn exact_issuer_beats_a_fragment_of_another_account() {
        let entries = [entry("Git", "alice"), entry("GitHub", "alice")];

        let found = find(&entries, "git");

        assert_eq!(ids(&found), ["Git-alice"]);
    }

    #[test]
    fn issuer_and_account_pick_one_of_two_at_the_same_site() {
        let entries = [entry("GitHub", "alice"), entry("GitHub", "bob")];

        assert_eq!(ids(&find(&entries, "GitHub:bob")), ["GitHub-bob"]);
        assert!(matches!(find(&entries, "github"), Found::Several(_)));
    }

    #[test]
    fn unique_fragment_matches_ignoring_case() {
        let entries = [entry("GitHub", "alice"), entry("Mastodon", "alice")];

        assert_eq!(ids(&find(&entries, "MASTO")), ["Mastodon-alice"]);
    }

    #[test]
    fn nothing_matches_an_unknown_name() {
        let entries = [entry("GitHub", "alice")];

        assert!(matches!(find(&entries, "gitlab"), Found::None));
        assert!(matches!(find(&entries, "  "), Found::None));
    }
}
