//! Finding the account a command-line query means.

use crate::vault::Entry;

/// What a query matched.
#[derive(Debug)]
pub enum Found<'a> {
    One(&'a Entry),
    None,
    Several(Vec<&'a Entry>),
}

/// Shortest id prefix accepted as a query, so a word is not taken for an id.
const MIN_ID_PREFIX: usize = 6;

/// Finds the entry `query` names. An id (or a unique prefix of one, as
/// `list --json` prints them) or an exact issuer, account or
/// `issuer:account` match (ignoring case) wins; otherwise a fragment of
/// `issuer:account` that only one entry contains. `issuer: account`, as
/// `list` prints it, means `issuer:account`.
pub fn find<'a>(entries: &'a [Entry], query: &str) -> Found<'a> {
    let query = normalize(query);
    if query.is_empty() {
        return Found::None;
    }

    let by_id: Vec<&Entry> = entries.iter().filter(|e| is_id(e, &query)).collect();
    if by_id.len() == 1 {
        return one_or_several(by_id);
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

/// Lower case, with the spaces around the first `:` dropped.
fn normalize(query: &str) -> String {
    let query = query.trim().to_lowercase();
    match query.split_once(':') {
        Some((issuer, account)) => format!("{}:{}", issuer.trim_end(), account.trim_start()),
        None => query,
    }
}

fn is_id(entry: &Entry, query: &str) -> bool {
    query.len() >= MIN_ID_PREFIX && entry.id.to_lowercase().starts_with(query)
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
        let account = Account {
            issuer: issuer.to_owned(),
            name: name.to_owned(),
            secret: Secret::from_bytes(vec![1; 20]),
            kind: Kind::Totp { period: 30 },
            algorithm: Algorithm::Sha1,
            digits: 6,
            extra: Vec::new(),
        };
        Entry::new(format!("{issuer}-{name}"), account, 0)
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
    fn an_id_prefix_picks_one_of_two_identical_labels() {
        let mut twin = entry("Steam", "gamer");
        twin.id = "a1b2c3d4e5".to_owned();
        let entries = [entry("Steam", "gamer"), twin];

        assert!(matches!(find(&entries, "steam:gamer"), Found::Several(_)));
        assert_eq!(ids(&find(&entries, "A1B2C3")), ["a1b2c3d4e5"]);
    }

    #[test]
    fn the_label_as_list_prints_it_is_a_query() {
        let entries = [entry("Bar", "bob"), entry("Bar", "bobby")];

        assert_eq!(ids(&find(&entries, "Bar: bob")), ["Bar-bob"]);
    }

    #[test]
    fn nothing_matches_an_unknown_name() {
        let entries = [entry("GitHub", "alice")];

        assert!(matches!(find(&entries, "gitlab"), Found::None));
        assert!(matches!(find(&entries, "  "), Found::None));
    }
}
