//! Bitwarden exports: the plain JSON (`items[]`) and the CSV.
//!
//! Only logins carry a TOTP key (`login.totp` in JSON, `login_totp` in
//! CSV). The key is an `otpauth://` URI, a `steam://KEY`, or a bare base32
//! key, which means TOTP with 6 digits every 30 s using SHA1. A bare or
//! Steam key takes the item's name as issuer and its username as account
//! name; a URI keeps its own and only fills what it leaves empty. Folders
//! (and organisation collections) become tags, favourites are pinned, and
//! the item's notes become the note.
//!
//! Logins without a key, and other item kinds (secure notes, cards,
//! identities), are not listed one by one: a single warning counts them.
//! Bitwarden's password-protected JSON export is recognised but not read.

use std::collections::HashMap;

use serde_json::Value;

use crate::otp::{Account, Algorithm, Kind, Secret};

use super::uri_list::{
    empty_report, is_account_uri, json_error_detail, starts_with_ignore_case, text_of,
};
use super::{Format, ImportError, ImportReport, Imported, Skipped};

const FORMAT: Format = Format::Bitwarden;

/// One vault item, as either export describes it.
struct Item {
    login: bool,
    name: String,
    username: String,
    totp: zeroize::Zeroizing<String>,
    notes: String,
    favorite: bool,
    tags: Vec<String>,
}

/// A Bitwarden JSON export (plain or encrypted), or a CSV whose header
/// has a `login_totp` column.
pub(super) fn looks_like(bytes: &[u8]) -> bool {
    if let Ok(value) = serde_json::from_slice::<Value>(bytes) {
        let has = |key: &str| value.get(key).is_some();
        let items = value.get("items").is_some_and(Value::is_array);
        return (items && (has("encrypted") || has("folders") || has("collections")))
            || (is_encrypted(&value) && has("data"));
    }
    std::str::from_utf8(bytes).is_ok_and(|text| {
        text.lines().next().is_some_and(|header| {
            header
                .split(',')
                .any(|column| column.trim() == "login_totp")
        })
    })
}

/// Reads the JSON or the CSV export.
pub(super) fn read(bytes: &[u8]) -> Result<ImportReport, ImportError> {
    let text = text_of(bytes, FORMAT)?;
    let items = if text.trim_start().starts_with('{') {
        json_items(text)?
    } else {
        csv_items(text)?
    };
    Ok(report_from(items))
}

fn report_from(items: Vec<Result<Item, Skipped>>) -> ImportReport {
    let mut report = empty_report(Format::Bitwarden);
    let (mut without_key, mut not_logins) = (0, 0);
    for item in items {
        let item = match item {
            Ok(item) => item,
            Err(skipped) => {
                report.skipped.push(skipped);
                continue;
            }
        };
        if !item.login {
            not_logins += 1;
        } else if item.totp.trim().is_empty() {
            without_key += 1;
        } else {
            match imported_from(item) {
                Ok(entry) => report.entries.push(entry),
                Err(skipped) => report.skipped.push(skipped),
            }
        }
    }
    if without_key + not_logins > 0 {
        report.warnings.push(format!(
            "left out {without_key} {} without a TOTP key and {not_logins} other {} \
             (secure notes, cards, identities)",
            plural(without_key, "login", "logins"),
            plural(not_logins, "item", "items"),
        ));
    }
    report
}

fn plural<'a>(count: usize, one: &'a str, many: &'a str) -> &'a str {
    if count == 1 { one } else { many }
}

/// The account in a login's TOTP field, or why it is skipped.
fn imported_from(item: Item) -> Result<Imported, Skipped> {
    let key = item.totp.trim();
    let account = if is_account_uri(key) {
        Account::from_uri(key)
            .map(|parsed| parsed.account)
            .map_err(|e| e.to_string())
    } else {
        Secret::from_base32(key)
            .map(|secret| Account {
                issuer: String::new(),
                name: String::new(),
                secret,
                kind: Kind::Totp { period: 30 },
                algorithm: Algorithm::Sha1,
                digits: 6,
                extra: Vec::new(),
            })
            .map_err(|e| e.to_string())
    };
    let mut account = account.map_err(|error| Skipped {
        name: skip_name(&item),
        reason: format!("its TOTP field cannot be used: {error}"),
    })?;

    // A bare key names nothing, and `steam://` only names Steam.
    let names_nothing = !starts_with_ignore_case(key, "otpauth://");
    if (names_nothing || account.issuer.is_empty()) && !item.name.is_empty() {
        account.issuer.clone_from(&item.name);
    }
    if account.name.is_empty() {
        account.name.clone_from(&item.username);
    }
    Ok(Imported {
        account,
        tags: item.tags,
        note: item.notes,
        pinned: item.favorite,
    })
}

fn skip_name(item: &Item) -> String {
    match (item.name.is_empty(), item.username.is_empty()) {
        (true, true) => "(unnamed item)".to_owned(),
        (false, false) => format!("{} ({})", item.name, item.username),
        _ => format!("{}{}", item.name, item.username),
    }
}

// --- JSON ---

fn json_items(text: &str) -> Result<Vec<Result<Item, Skipped>>, ImportError> {
    let damaged = |detail: String| ImportError::damaged(FORMAT, detail);
    let export: Value = serde_json::from_str(text).map_err(|e| damaged(json_error_detail(&e)))?;
    if is_encrypted(&export) {
        return Err(ImportError::Unsupported {
            format: FORMAT,
            what: "password-protected encryption".to_owned(),
            advice: "export the vault again as JSON or CSV (not password protected), \
                     and delete that file once imported"
                .to_owned(),
        });
    }
    let items = export
        .get("items")
        .and_then(Value::as_array)
        .ok_or_else(|| damaged("it has no `items` list".to_owned()))?;
    let folders = names_by_id(export.get("folders"));
    let collections = names_by_id(export.get("collections"));

    let read = |(number, item): (usize, &Value)| {
        json_item(item, &folders, &collections).ok_or_else(|| Skipped {
            name: format!("item {number}"),
            reason: "it is not a JSON object".to_owned(),
        })
    };
    Ok((1..).zip(items).map(read).collect())
}

fn json_item(
    item: &Value,
    folders: &HashMap<String, String>,
    collections: &HashMap<String, String>,
) -> Option<Item> {
    let item = item.as_object()?;
    let text = |value: Option<&Value>| {
        value
            .and_then(Value::as_str)
            .unwrap_or_default()
            .trim()
            .to_owned()
    };
    let login = item.get("login");

    let folder = item
        .get("folderId")
        .and_then(Value::as_str)
        .and_then(|id| folders.get(id));
    let in_collections = item
        .get("collectionIds")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|id| collections.get(id.as_str()?));
    Some(Item {
        login: item.get("type").and_then(Value::as_u64) == Some(1),
        name: text(item.get("name")),
        username: text(login.and_then(|l| l.get("username"))),
        totp: zeroize::Zeroizing::new(text(login.and_then(|l| l.get("totp")))),
        notes: text(item.get("notes")),
        favorite: item
            .get("favorite")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        tags: folder.into_iter().chain(in_collections).cloned().collect(),
    })
}

fn is_encrypted(export: &Value) -> bool {
    export.get("encrypted").and_then(Value::as_bool) == Some(true)
}

/// `[{"id": ..., "name": ...}]` as a map from id to name.
fn names_by_id(list: Option<&Value>) -> HashMap<String, String> {
    list.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|entry| {
            let id = entry.get("id")?.as_str()?;
            let name = entry.get("name")?.as_str()?.trim();
            Some((id.to_owned(), name.to_owned()))
        })
        .filter(|(_, name)| !name.is_empty())
        .collect()
}

// --- CSV ---

/// Where the columns Tessera reads are in the header.
struct Columns {
    kind: Option<usize>,
    name: Option<usize>,
    username: Option<usize>,
    totp: usize,
    notes: Option<usize>,
    favorite: Option<usize>,
    folder: Option<usize>,
    collections: Option<usize>,
}

fn csv_items(text: &str) -> Result<Vec<Result<Item, Skipped>>, ImportError> {
    let damaged = |detail: &str| ImportError::damaged(FORMAT, detail.to_owned());
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let header = reader
        .headers()
        .map_err(|_| damaged("its header line cannot be read as CSV"))?;
    let find = |name: &str| header.iter().position(|column| column.trim() == name);
    let columns = Columns {
        kind: find("type"),
        name: find("name"),
        username: find("login_username"),
        totp: find("login_totp").ok_or_else(|| damaged("it has no `login_totp` column"))?,
        notes: find("notes"),
        favorite: find("favorite"),
        folder: find("folder"),
        collections: find("collections"),
    };

    let mut items = Vec::new();
    for (number, record) in (2..).zip(reader.records()) {
        items.push(match record {
            Ok(record) => Ok(csv_item(&record, &columns)),
            Err(_) => Err(Skipped {
                name: format!("line {number}"),
                reason: "it cannot be read as CSV".to_owned(),
            }),
        });
    }
    Ok(items)
}

fn csv_item(record: &csv::StringRecord, columns: &Columns) -> Item {
    let field = |index: Option<usize>| {
        index
            .and_then(|index| record.get(index))
            .unwrap_or_default()
            .trim()
            .to_owned()
    };
    let kind = field(columns.kind);
    let favorite = field(columns.favorite);
    let collections = field(columns.collections);
    let tags = Some(field(columns.folder))
        .into_iter()
        .chain(collections.split(',').map(|name| name.trim().to_owned()))
        .filter(|tag| !tag.is_empty())
        .collect();
    Item {
        login: kind.is_empty() || kind.eq_ignore_ascii_case("login"),
        name: field(columns.name),
        username: field(columns.username),
        totp: zeroize::Zeroizing::new(field(Some(columns.totp))),
        notes: field(columns.notes),
        favorite: favorite == "1" || favorite.eq_ignore_ascii_case("true"),
        tags,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: u64 = 1_700_000_000;

    fn json_fixture() -> ImportReport {
        read(include_bytes!("../../tests/data/import/bitwarden.json")).expect("reads")
    }

    fn csv_fixture() -> ImportReport {
        read(include_bytes!("../../tests/data/import/bitwarden.csv")).expect("reads")
    }

    fn summary(report: &ImportReport) -> Vec<(String, Kind, u8, Vec<String>, bool)> {
        report
            .entries
            .iter()
            .map(|e| {
                let a = &e.account;
                (a.label(), a.kind, a.digits, e.tags.clone(), e.pinned)
            })
            .collect()
    }

    fn expected() -> Vec<(String, Kind, u8, Vec<String>, bool)> {
        let totp = Kind::Totp { period: 30 };
        vec![
            (
                "GitHub:alice@example.com".into(),
                totp,
                6,
                vec!["Work".into()],
                true,
            ),
            ("Example:bob".into(), totp, 6, vec![], false),
            ("Big:carol".into(), totp, 8, vec!["Work".into()], false),
            (
                "RFC 4226:hotp@example.com".into(),
                Kind::Hotp { counter: 3 },
                6,
                vec![],
                false,
            ),
            (
                "Steam:gamer".into(),
                Kind::Steam { period: 30 },
                5,
                vec![],
                false,
            ),
        ]
    }

    #[test]
    fn json_export_gives_the_right_accounts_tags_and_pins() {
        assert_eq!(summary(&json_fixture()), expected());
    }

    #[test]
    fn csv_export_gives_the_same_accounts() {
        assert_eq!(summary(&csv_fixture()), expected());
    }

    #[test]
    fn a_bare_key_is_totp_named_after_the_item_with_the_right_code() {
        for report in [json_fixture(), csv_fixture()] {
            let github = &report.entries[0];
            assert_eq!(
                github.account.secret.to_base32().as_str(),
                "JBSWY3DPEHPK3PXP"
            );
            let expected = Account::from_uri("otpauth://totp/x?secret=JBSWY3DPEHPK3PXP")
                .expect("parses")
                .account;
            assert_eq!(github.account.code_at(T), expected.code_at(T));
            assert_eq!(github.note, "Recovery codes are in the safe.");
        }
    }

    #[test]
    fn codes_at_a_fixed_time_match_the_rfc_vectors() {
        let report = json_fixture();
        assert_eq!(report.entries[2].account.code_at(59).as_str(), "90693936");
        assert_eq!(report.entries[3].account.code_at(0).as_str(), "969429");
    }

    #[test]
    fn logins_without_keys_and_other_items_are_counted_once() {
        for report in [json_fixture(), csv_fixture()] {
            assert_eq!(
                report.warnings,
                ["left out 2 logins without a TOTP key and 2 other items \
                  (secure notes, cards, identities)"]
            );
        }
    }

    #[test]
    fn a_bad_key_is_skipped_by_item_name_without_quoting_it() {
        for report in [json_fixture(), csv_fixture()] {
            assert_eq!(report.skipped.len(), 1);
            let skipped = &report.skipped[0];
            assert_eq!(skipped.name, "Typo (dave)");
            assert!(skipped.reason.contains("position 5"), "{}", skipped.reason);
            assert!(!skipped.reason.contains("ABCD"), "{}", skipped.reason);
        }
    }

    #[test]
    fn an_encrypted_export_is_refused_with_what_to_do() {
        let export = br#"{"encrypted": true, "passwordProtected": true, "salt": "x", "data": "y"}"#;
        assert!(looks_like(export));
        let message = read(export)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(message.contains("export the vault again"), "{message}");
    }

    #[test]
    fn a_csv_without_a_totp_column_is_damaged() {
        let error = read(b"name,login_username\nx,y\n").err();
        assert!(
            matches!(error, Some(ImportError::Damaged { .. })),
            "{error:?}"
        );
    }

    #[test]
    fn looks_like_either_export() {
        assert!(looks_like(include_bytes!(
            "../../tests/data/import/bitwarden.json"
        )));
        assert!(looks_like(include_bytes!(
            "../../tests/data/import/bitwarden.csv"
        )));
        assert!(!looks_like(br#"{"tokens": []}"#));
        assert!(!looks_like(b"otpauth://totp/x?secret=A"));
    }
}
