//! A plain (unencrypted) Aegis vault, as laid out in Aegis's `docs/vault.md`:
//! `{version: 1, header: {slots: null, params: null}, db: {version: 3,
//! entries, groups}}`. Null slots and params are how Aegis recognises a
//! plain vault on import.
//!
//! Tessera's tags become Aegis groups, the note stays the note, a pin
//! becomes a favourite. UUIDs are derived from the entry ids and tag names,
//! so exporting twice gives the same file and Aegis sees the same entries.

use std::fmt::Write as _;
use std::io;

use serde::Serialize;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::SecretBuffer;
use crate::otp::Kind;
use crate::vault::Entry;

/// The vault file layout version Aegis reads.
const FILE_VERSION: u32 = 1;
/// The content version with `groups` as a list of UUIDs (Aegis 3.0 on).
const DB_VERSION: u32 = 3;

#[derive(Serialize)]
struct File<'a> {
    version: u32,
    header: Header,
    db: Db<'a>,
}

/// Both null: the vault is not encrypted.
#[derive(Serialize)]
struct Header {
    slots: Option<()>,
    params: Option<()>,
}

#[derive(Serialize)]
struct Db<'a> {
    version: u32,
    entries: Vec<AegisEntry<'a>>,
    groups: Vec<Group<'a>>,
}

/// One entry. Borrows its base32 secret from a zeroizing buffer; no `Debug`.
#[derive(Serialize)]
struct AegisEntry<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    uuid: String,
    name: &'a str,
    issuer: &'a str,
    note: &'a str,
    favorite: bool,
    icon: Option<()>,
    icon_mime: Option<()>,
    icon_hash: Option<()>,
    info: Info<'a>,
    groups: Vec<String>,
}

#[derive(Serialize)]
struct Info<'a> {
    secret: &'a str,
    algo: &'static str,
    digits: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    period: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    counter: Option<u64>,
}

#[derive(Serialize)]
struct Group<'a> {
    uuid: String,
    name: &'a str,
}

/// `entries` as a plain Aegis vault (pretty JSON). Holds every secret.
pub fn to_json(entries: &[Entry]) -> Zeroizing<String> {
    let secrets: Vec<Zeroizing<String>> = entries
        .iter()
        .map(|e| e.account.secret.to_base32())
        .collect();
    let file = File {
        version: FILE_VERSION,
        header: Header {
            slots: None,
            params: None,
        },
        db: Db {
            version: DB_VERSION,
            entries: entries
                .iter()
                .zip(&secrets)
                .map(|(entry, secret)| aegis_entry(entry, secret))
                .collect(),
            groups: groups(entries),
        },
    };

    let mut buffer = SecretBuffer::default();
    write_pretty(&mut buffer, &file).expect("JSON of strings and numbers always serializes");
    buffer.into_string()
}

fn write_pretty(buffer: &mut SecretBuffer, file: &File<'_>) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *buffer, file)?;
    io::Write::write_all(buffer, b"\n")
}

fn aegis_entry<'a>(entry: &'a Entry, secret: &'a str) -> AegisEntry<'a> {
    let account = &entry.account;
    let (kind, period, counter) = match account.kind {
        Kind::Totp { period } => ("totp", Some(period), None),
        Kind::Hotp { counter } => ("hotp", None, Some(counter)),
        Kind::Steam { period } => ("steam", Some(period), None),
    };
    AegisEntry {
        kind,
        uuid: uuid_from(&format!("entry:{}", entry.id)),
        name: &account.name,
        issuer: &account.issuer,
        note: &entry.note,
        favorite: entry.pinned,
        icon: None,
        icon_mime: None,
        icon_hash: None,
        info: Info {
            secret,
            algo: account.algorithm.as_str(),
            digits: account.digits,
            period,
            counter,
        },
        groups: entry.tags.iter().map(|tag| group_uuid(tag)).collect(),
    }
}

/// Every tag once, in the order they first appear.
fn groups(entries: &[Entry]) -> Vec<Group<'_>> {
    let mut names: Vec<&str> = Vec::new();
    for tag in entries.iter().flat_map(|e| &e.tags) {
        if !names.contains(&tag.as_str()) {
            names.push(tag);
        }
    }
    names
        .into_iter()
        .map(|name| Group {
            uuid: group_uuid(name),
            name,
        })
        .collect()
}

fn group_uuid(tag: &str) -> String {
    uuid_from(&format!("group:{tag}"))
}

/// A version-4-shaped UUID from the SHA-256 of `seed`: stable across
/// exports, and as unique as the seeds.
fn uuid_from(seed: &str) -> String {
    let digest = Sha256::digest(seed.as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex = bytes.iter().fold(String::with_capacity(32), |mut hex, b| {
        // Writing to a String cannot fail.
        let _ = write!(hex, "{b:02x}");
        hex
    });
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::otp::{Account, Algorithm, Secret};

    fn entry(id: &str, kind: Kind, algorithm: Algorithm, digits: u8) -> Entry {
        Entry {
            id: id.into(),
            account: Account {
                issuer: "Example".into(),
                name: "alice@example.com".into(),
                secret: Secret::from_base32("JBSWY3DPEHPK3PXP").unwrap(),
                kind,
                algorithm,
                digits,
                extra: Vec::new(),
            },
            note: String::new(),
            tags: Vec::new(),
            pinned: false,
            created: 1,
            updated: 1,
        }
    }

    fn json(entries: &[Entry]) -> serde_json::Value {
        serde_json::from_str(&to_json(entries)).unwrap()
    }

    #[test]
    fn a_totp_entry_is_written_in_aegis_layout() {
        let mut totp = entry("a1", Kind::Totp { period: 30 }, Algorithm::Sha1, 6);
        totp.note = "main account".into();
        totp.pinned = true;
        totp.tags = vec!["Work".into()];

        let written = json(&[totp]);

        let group = uuid_from("group:Work");
        assert_eq!(
            written,
            serde_json::json!({
                "version": 1,
                "header": {"slots": null, "params": null},
                "db": {
                    "version": 3,
                    "entries": [{
                        "type": "totp",
                        "uuid": uuid_from("entry:a1"),
                        "name": "alice@example.com",
                        "issuer": "Example",
                        "note": "main account",
                        "favorite": true,
                        "icon": null,
                        "icon_mime": null,
                        "icon_hash": null,
                        "info": {"secret": "JBSWY3DPEHPK3PXP", "algo": "SHA1", "digits": 6, "period": 30},
                        "groups": [group],
                    }],
                    "groups": [{"uuid": group, "name": "Work"}],
                }
            })
        );
    }

    #[test]
    fn hotp_writes_its_counter_and_no_period() {
        let written = json(&[entry("h", Kind::Hotp { counter: 7 }, Algorithm::Sha1, 6)]);
        let entry = &written["db"]["entries"][0];
        assert_eq!(entry["type"], "hotp");
        assert_eq!(
            entry["info"],
            serde_json::json!({"secret": "JBSWY3DPEHPK3PXP", "algo": "SHA1", "digits": 6, "counter": 7})
        );
    }

    #[test]
    fn steam_is_an_aegis_steam_entry_with_five_digits() {
        let written = json(&[entry("s", Kind::Steam { period: 30 }, Algorithm::Sha1, 5)]);
        let entry = &written["db"]["entries"][0];
        assert_eq!(entry["type"], "steam");
        assert_eq!(
            entry["info"],
            serde_json::json!({"secret": "JBSWY3DPEHPK3PXP", "algo": "SHA1", "digits": 5, "period": 30})
        );
    }

    #[test]
    fn algorithm_digits_and_period_are_kept() {
        let written = json(&[entry("x", Kind::Totp { period: 60 }, Algorithm::Sha512, 8)]);
        let info = &written["db"]["entries"][0]["info"];
        assert_eq!(
            (&info["algo"], &info["digits"], &info["period"]),
            (&"SHA512".into(), &8.into(), &60.into())
        );
    }

    #[test]
    fn a_tag_shared_by_two_entries_is_one_group() {
        let mut a = entry("a", Kind::Totp { period: 30 }, Algorithm::Sha1, 6);
        a.tags = vec!["Work".into(), "Mail".into()];
        let mut b = entry("b", Kind::Totp { period: 30 }, Algorithm::Sha1, 6);
        b.tags = vec!["Mail".into()];

        let written = json(&[a, b]);

        let names: Vec<&str> = written["db"]["groups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["Work", "Mail"]);
        assert_eq!(
            written["db"]["entries"][1]["groups"],
            serde_json::json!([group_uuid("Mail")])
        );
    }

    #[test]
    fn uuids_are_stable_version_4_shaped_and_distinct() {
        let a = uuid_from("entry:a");
        assert_eq!(a, uuid_from("entry:a"));
        assert_ne!(a, uuid_from("entry:b"));
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "4");
        assert!("89ab".contains(&a[19..20]), "{a}");
    }

    #[test]
    fn an_empty_vault_is_an_empty_aegis_vault() {
        let written = json(&[]);
        assert_eq!(written["db"]["entries"], serde_json::json!([]));
        assert_eq!(written["db"]["groups"], serde_json::json!([]));
    }
}
