//! Behaviour of whole vaults on disk: round trips with each kind of key,
//! the distinct failures, file modes and backups, and two handles saving
//! the same file.
//!
//! Tests marked "needs otp URIs" store entries, so they rely on
//! `Account::to_uri`/`from_uri` from the `otp` module.

use std::fs;
use std::os::unix::fs::PermissionsExt;

use tempfile::TempDir;

use super::*;
use crate::otp::{Algorithm, Kind, Secret};

const NOW: u64 = 1_700_000_000;

/// Every test writes passphrase vaults with the smallest work factor.
fn fast_scrypt() {
    set_scrypt_work_factor(10);
}

fn passphrase(text: &str) -> Key {
    fast_scrypt();
    Key::Passphrase(SecretString::from(text.to_owned()))
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn account(issuer: &str) -> Account {
    Account {
        issuer: issuer.into(),
        name: "alice@example.com".into(),
        secret: Secret::from_bytes(b"12345678901234567890".to_vec()),
        kind: Kind::Totp { period: 30 },
        algorithm: Algorithm::Sha1,
        digits: 6,
        extra: Vec::new(),
    }
}

fn hotp_account(counter: u64) -> Account {
    Account {
        kind: Kind::Hotp { counter },
        ..account("Bank")
    }
}

/// A temp folder with a passphrase vault `vault.age` in it.
fn passphrase_vault(pass: &str) -> (TempDir, PathBuf, Vault) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vault.age");
    let vault = Vault::create(&path, passphrase(pass), &[], NOW).unwrap();
    (dir, path, vault)
}

fn issuers(vault: &Vault) -> Vec<String> {
    let mut names: Vec<String> = vault
        .entries()
        .iter()
        .map(|e| e.account.issuer.clone())
        .collect();
    names.sort();
    names
}

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn file_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

// --- Round trips ---------------------------------------------------------

#[test]
fn passphrase_vault_round_trips_an_empty_vault() {
    let (_dir, path, created) = passphrase_vault("hunter2");
    assert!(created.is_passphrase());

    let opened = Vault::open(&path, passphrase("hunter2")).unwrap();

    assert!(opened.entries().is_empty());
    assert!(opened.recipients().is_empty());
    assert_eq!(opened.permission_warning(), None);
}

#[test]
fn passphrase_vault_round_trips_entries() {
    // needs otp URIs
    let (_dir, path, mut vault) = passphrase_vault("hunter2");
    let id = vault.add(account("GitHub"), NOW);
    vault.update(&id, NOW + 5, |e| {
        e.note = "work account".into();
        e.tags = vec!["work".into()];
        e.pinned = true;
    });
    vault.save(NOW + 5).unwrap();

    let opened = Vault::open(&path, passphrase("hunter2")).unwrap();

    let entry = opened.entry(&id).unwrap();
    assert_eq!(entry.account.label(), "GitHub:alice@example.com");
    assert_eq!(entry.account.secret.as_bytes(), b"12345678901234567890");
    assert_eq!(entry.note, "work account");
    assert_eq!(entry.tags, ["work"]);
    assert!(entry.pinned);
    assert_eq!((entry.created, entry.updated), (NOW, NOW + 5));
}

#[test]
fn x25519_identity_vault_round_trips() {
    // needs otp URIs
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("key.txt");
    let public = generate_identity_file(&key).unwrap();
    let path = dir.path().join("vault.age");
    let mut vault = Vault::create(&path, Key::Identities(vec![key.clone()]), &[], NOW).unwrap();
    vault.add(account("GitLab"), NOW);
    vault.save(NOW).unwrap();

    let opened = Vault::open(&path, Key::Identities(vec![key])).unwrap();

    assert_eq!(opened.recipients(), [public]);
    assert!(!opened.is_passphrase());
    assert_eq!(issuers(&opened), ["GitLab"]);
}

#[test]
fn ssh_ed25519_vault_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vault.age");
    let key = Key::Identities(vec![fixture("test_ed25519")]);
    Vault::create(&path, key, &[], NOW).unwrap();

    let opened = Vault::open(&path, Key::Identities(vec![fixture("test_ed25519")])).unwrap();

    let public = fs::read_to_string(fixture("test_ed25519.pub")).unwrap();
    assert_eq!(opened.recipients(), [public.trim()]);
}

#[test]
fn ssh_rsa_vault_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vault.age");
    Vault::create(&path, Key::Identities(vec![fixture("test_rsa")]), &[], NOW).unwrap();

    let opened = Vault::open(&path, Key::Identities(vec![fixture("test_rsa")])).unwrap();

    assert!(opened.recipients()[0].starts_with("ssh-rsa "));
}

#[test]
fn encrypted_ssh_key_opens_the_vault_with_its_passphrase() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vault.age");
    let key = fixture("test_ed25519_encrypted");
    Vault::create(&path, Key::Identities(vec![key.clone()]), &[], NOW).unwrap();

    let prompt = KeyPrompt::answering("correct horse");
    let opened = Vault::open_with_prompt(&path, Key::Identities(vec![key]), &prompt);

    assert!(opened.is_ok(), "{}", opened.unwrap_err());
}

#[test]
fn encrypted_ssh_key_with_the_wrong_passphrase_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vault.age");
    let key = fixture("test_ed25519_encrypted");
    Vault::create(&path, Key::Identities(vec![key.clone()]), &[], NOW).unwrap();

    let prompt = KeyPrompt::answering("wrong horse");
    let err = Vault::open_with_prompt(&path, Key::Identities(vec![key]), &prompt).unwrap_err();

    assert!(matches!(err, VaultError::SshKeyPassphrase { .. }), "{err}");
    assert!(err.to_string().contains("test_ed25519_encrypted"), "{err}");
}

#[test]
fn extra_recipients_can_open_the_vault_too() {
    let dir = tempfile::tempdir().unwrap();
    let mine = dir.path().join("mine.txt");
    let theirs = dir.path().join("theirs.txt");
    generate_identity_file(&mine).unwrap();
    let their_public = generate_identity_file(&theirs).unwrap();
    let path = dir.path().join("vault.age");

    Vault::create(&path, Key::Identities(vec![mine]), &[their_public], NOW).unwrap();

    assert!(Vault::open(&path, Key::Identities(vec![theirs])).is_ok());
}

#[test]
fn a_bad_extra_recipient_is_quoted() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("key.txt");
    generate_identity_file(&key).unwrap();
    let path = dir.path().join("vault.age");

    let err =
        Vault::create(&path, Key::Identities(vec![key]), &["age1oops".into()], NOW).unwrap_err();

    assert!(matches!(err, VaultError::BadRecipient { .. }), "{err}");
    assert!(err.to_string().contains("`age1oops`"));
    assert!(!path.exists());
}

#[test]
fn create_refuses_to_overwrite_a_vault() {
    let (_dir, path, _vault) = passphrase_vault("p");
    let before = fs::read(&path).unwrap();

    let err = Vault::create(&path, passphrase("other"), &[], NOW).unwrap_err();

    assert!(matches!(err, VaultError::AlreadyExists { .. }), "{err}");
    assert_eq!(fs::read(&path).unwrap(), before);
}

#[test]
fn create_makes_missing_folders_private() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data/tessera/vault.age");

    Vault::create(&path, passphrase("p"), &[], NOW).unwrap();

    assert_eq!(mode(&dir.path().join("data/tessera")), 0o700);
    assert_eq!(mode(&path), 0o600);
}

// --- Distinct failures ---------------------------------------------------

#[test]
fn missing_vault_says_how_to_create_one() {
    let dir = tempfile::tempdir().unwrap();
    let err = Vault::open(&dir.path().join("vault.age"), passphrase("p")).unwrap_err();
    assert!(matches!(err, VaultError::NotFound { .. }));
    assert!(err.to_string().contains("tessera init"), "{err}");
}

#[test]
fn wrong_passphrase_is_reported_as_such() {
    let (_dir, path, _vault) = passphrase_vault("right");
    let err = Vault::open(&path, passphrase("wrong")).unwrap_err();
    assert!(matches!(err, VaultError::WrongPassphrase), "{err}");
    assert!(err.to_string().contains("passphrase is wrong"));
}

#[test]
fn wrong_identity_lists_the_identities_tried() {
    let dir = tempfile::tempdir().unwrap();
    let right = dir.path().join("right.txt");
    let wrong = dir.path().join("wrong.txt");
    generate_identity_file(&right).unwrap();
    generate_identity_file(&wrong).unwrap();
    let path = dir.path().join("vault.age");
    Vault::create(&path, Key::Identities(vec![right]), &[], NOW).unwrap();

    let err = Vault::open(&path, Key::Identities(vec![wrong.clone()])).unwrap_err();

    assert!(
        matches!(err, VaultError::NoMatchingIdentity { .. }),
        "{err}"
    );
    assert!(err.to_string().contains(&wrong.display().to_string()));
}

#[test]
fn identity_for_a_passphrase_vault_says_which_kind_it_is() {
    let (dir, path, _vault) = passphrase_vault("p");
    let key = dir.path().join("key.txt");
    generate_identity_file(&key).unwrap();

    let err = Vault::open(&path, Key::Identities(vec![key])).unwrap_err();

    assert!(matches!(err, VaultError::NeedsPassphrase), "{err}");
}

#[test]
fn passphrase_for_an_identity_vault_says_which_kind_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vault.age");
    Vault::create(
        &path,
        Key::Identities(vec![fixture("test_ed25519")]),
        &[],
        NOW,
    )
    .unwrap();

    let err = Vault::open(&path, passphrase("p")).unwrap_err();

    assert!(matches!(err, VaultError::NeedsIdentity), "{err}");
}

/// Writes `bytes` over the vault and opens it with passphrase "p".
fn open_damaged(bytes: &[u8]) -> VaultError {
    let (_dir, path, _vault) = passphrase_vault("p");
    fs::write(&path, bytes).unwrap();
    Vault::open(&path, passphrase("p")).unwrap_err()
}

fn valid_ciphertext() -> Vec<u8> {
    let (_dir, path, _vault) = passphrase_vault("p");
    fs::read(path).unwrap()
}

#[test]
fn empty_file_is_reported_as_empty() {
    let err = open_damaged(b"");
    assert!(matches!(err, VaultError::Empty { .. }), "{err}");
}

#[test]
fn random_bytes_are_not_an_age_file() {
    let err = open_damaged(b"\x8f\x01PK this is no age file \xff\xfe");
    assert!(matches!(err, VaultError::NotAgeFile { .. }), "{err}");
}

#[test]
fn file_cut_inside_the_header_is_truncated() {
    let bytes = valid_ciphertext();
    let err = open_damaged(&bytes[..40]);
    assert!(matches!(err, VaultError::Truncated { .. }), "{err}");
}

#[test]
fn file_cut_inside_the_payload_is_damaged() {
    let bytes = valid_ciphertext();
    let err = open_damaged(&bytes[..bytes.len() - 5]);
    assert!(matches!(err, VaultError::DamagedPayload { .. }), "{err}");
}

#[test]
fn flipped_payload_byte_is_damage_not_a_wrong_passphrase() {
    let mut bytes = valid_ciphertext();
    let last = bytes.len() - 1;
    bytes[last] ^= 0x01;
    let err = open_damaged(&bytes);
    assert!(matches!(err, VaultError::DamagedPayload { .. }), "{err}");
}

#[test]
fn flipped_header_mac_byte_is_a_damaged_header() {
    let mut bytes = valid_ciphertext();
    let mac_at = bytes.windows(4).position(|w| w == b"--- ").unwrap() + 5;
    bytes[mac_at] = if bytes[mac_at] == b'A' { b'B' } else { b'A' };
    let err = open_damaged(&bytes);
    assert!(matches!(err, VaultError::DamagedHeader { .. }), "{err}");
}

/// Regression: a header byte turned into a non-base64 character made age
/// report an unknown format, which Tessera passed on as "upgrade Tessera".
#[test]
fn header_byte_that_is_not_base64_is_a_damaged_header() {
    let mut bytes = valid_ciphertext();
    let mac_at = bytes.windows(4).position(|w| w == b"--- ").unwrap() + 5;
    bytes[mac_at] = b'.';
    let err = open_damaged(&bytes);
    assert!(matches!(err, VaultError::DamagedHeader { .. }), "{err}");
}

#[test]
fn damage_messages_point_at_the_newest_backup() {
    let (_dir, path, mut vault) = passphrase_vault("p");
    vault.dirty = true;
    vault.save(NOW).unwrap();
    fs::write(&path, b"").unwrap();

    let err = Vault::open(&path, passphrase("p")).unwrap_err();

    assert!(err.to_string().contains("vault.age.bak.1"), "{err}");
}

/// Encrypts arbitrary plaintext with passphrase "p" the way the vault does.
fn age_file_holding(plaintext: &str) -> Vec<u8> {
    fast_scrypt();
    let unlock = Unlock::Passphrase(SecretString::from("p".to_owned()));
    crypto::encrypt(plaintext.as_bytes(), &unlock, &[]).unwrap()
}

#[test]
fn age_file_with_other_content_is_not_a_tessera_vault() {
    let err = open_damaged(&age_file_holding("dear diary, today I encrypted a file"));
    assert!(matches!(err, VaultError::NotTesseraVault { .. }), "{err}");
    assert!(err.to_string().contains("not a Tessera vault"));
}

#[test]
fn newer_document_version_asks_for_an_upgrade() {
    let err = open_damaged(&age_file_holding("version = 7\n"));
    assert!(
        matches!(
            err,
            VaultError::NewerVersion {
                version: 7,
                supported: 1,
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("upgrade"));
}

#[test]
fn bad_uri_in_the_vault_names_the_entry_but_not_the_uri() {
    // needs otp URIs (the parser must reject the URI)
    let doc = "version = 1\n[[entries]]\nid = \"0badc0de\"\n\
               uri = \"otpauth://totp/X?secret=JBSWY3DPEHPK3PXP&algorithm=MD5\"\n";
    let err = open_damaged(&age_file_holding(doc));
    let message = err.to_string();
    assert!(matches!(err, VaultError::BadEntry { .. }), "{message}");
    assert!(message.contains("0badc0de"), "{message}");
    assert!(!message.contains("JBSWY3DPEHPK3PXP"), "{message}");
}

// --- Files on disk -------------------------------------------------------

#[test]
fn saves_keep_three_private_backups_and_leave_no_temp_files() {
    let (dir, path, mut vault) = passphrase_vault("p");
    let mut generations = vec![fs::read(&path).unwrap()];
    for _ in 0..4 {
        vault.dirty = true;
        vault.save(NOW).unwrap();
        generations.push(fs::read(&path).unwrap());
    }

    let backups = vault.backup_paths();
    assert_eq!(backups.len(), BACKUP_COUNT);
    assert_eq!(fs::read(&backups[0]).unwrap(), generations[3]);
    assert_eq!(fs::read(&backups[2]).unwrap(), generations[1]);
    assert!(backups.iter().chain([&path]).all(|p| mode(p) == 0o600));
    assert_eq!(
        file_names(dir.path()),
        [
            "vault.age",
            "vault.age.bak.1",
            "vault.age.bak.2",
            "vault.age.bak.3",
            "vault.age.lock"
        ]
    );
}

#[test]
fn saving_without_changes_writes_nothing() {
    let (_dir, path, mut vault) = passphrase_vault("p");
    let before = fs::read(&path).unwrap();

    vault.save(NOW).unwrap();

    assert_eq!(fs::read(&path).unwrap(), before);
    assert!(vault.backup_paths().is_empty());
}

#[test]
fn readable_by_others_is_reported_on_open() {
    let (_dir, path, _vault) = passphrase_vault("p");
    fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();

    let vault = Vault::open(&path, passphrase("p")).unwrap();

    assert!(vault.permission_warning().unwrap().contains("644"));
}

#[test]
fn ciphertext_does_not_contain_the_secret_or_the_issuer() {
    // needs otp URIs
    let (_dir, path, mut vault) = passphrase_vault("p");
    vault.add(account("VerySecretIssuer"), NOW);
    vault.save(NOW).unwrap();

    let bytes = fs::read(&path).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    assert!(!text.contains("VerySecretIssuer"));
    assert!(!text.contains("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"));
}

// --- Two copies of one vault ---------------------------------------------

#[test]
fn additions_from_two_stale_copies_both_land() {
    // needs otp URIs
    let (_dir, path, _vault) = passphrase_vault("p");
    let mut a = Vault::open(&path, passphrase("p")).unwrap();
    let mut b = Vault::open(&path, passphrase("p")).unwrap();

    a.add(account("Added in A"), NOW);
    a.save(NOW).unwrap();
    b.add(account("Added in B"), NOW);
    b.save(NOW).unwrap();

    assert_eq!(issuers(&b), ["Added in A", "Added in B"]);
    let reopened = Vault::open(&path, passphrase("p")).unwrap();
    assert_eq!(issuers(&reopened), ["Added in A", "Added in B"]);
}

#[test]
fn deletion_in_one_copy_and_edit_in_another_both_land() {
    // needs otp URIs
    let (_dir, path, mut setup) = passphrase_vault("p");
    let doomed = setup.add(account("Doomed"), NOW);
    let kept = setup.add(account("Kept"), NOW);
    setup.save(NOW).unwrap();
    let mut a = Vault::open(&path, passphrase("p")).unwrap();
    let mut b = Vault::open(&path, passphrase("p")).unwrap();

    a.remove(&doomed, NOW + 1);
    a.save(NOW + 1).unwrap();
    b.update(&kept, NOW + 2, |e| e.note = "edited in B".into());
    b.save(NOW + 2).unwrap();

    let reopened = Vault::open(&path, passphrase("p")).unwrap();
    assert!(reopened.entry(&doomed).is_none());
    assert_eq!(reopened.entry(&kept).unwrap().note, "edited in B");
    assert_eq!(reopened.tombstones()[0].id, doomed);
}

#[test]
fn hotp_counter_from_two_copies_never_goes_backwards() {
    // needs otp URIs
    let (_dir, path, mut setup) = passphrase_vault("p");
    let id = setup.add(hotp_account(5), NOW);
    setup.save(NOW).unwrap();
    let mut a = Vault::open(&path, passphrase("p")).unwrap();
    let mut b = Vault::open(&path, passphrase("p")).unwrap();

    a.update(&id, NOW + 10, |e| {
        e.account.kind = Kind::Hotp { counter: 9 }
    });
    a.save(NOW + 10).unwrap();
    b.update(&id, NOW + 20, |e| {
        e.account.kind = Kind::Hotp { counter: 6 }
    });
    b.save(NOW + 20).unwrap();

    let reopened = Vault::open(&path, passphrase("p")).unwrap();
    assert_eq!(
        reopened.entry(&id).unwrap().account.kind,
        Kind::Hotp { counter: 9 }
    );
}

#[test]
fn reload_picks_up_another_copys_save_and_keeps_unsaved_changes() {
    // needs otp URIs
    let (_dir, path, _vault) = passphrase_vault("p");
    let mut a = Vault::open(&path, passphrase("p")).unwrap();
    let mut b = Vault::open(&path, passphrase("p")).unwrap();
    assert!(!b.reload_if_changed().unwrap());

    a.add(account("From A"), NOW);
    a.save(NOW).unwrap();
    b.add(account("Unsaved in B"), NOW);

    assert!(b.reload_if_changed().unwrap());
    assert_eq!(issuers(&b), ["From A", "Unsaved in B"]);
    assert!(b.has_unsaved_changes());
}

#[test]
fn update_cannot_change_the_id() {
    let (_dir, _path, mut vault) = passphrase_vault("p");
    let id = vault.add(account("X"), NOW);

    vault.update(&id, NOW, |e| e.id = "hijacked".into());

    assert!(vault.entry(&id).is_some());
    assert!(vault.entry("hijacked").is_none());
}

#[test]
fn ids_are_32_hex_digits_and_distinct() {
    let (a, b) = (new_id(), new_id());
    assert_eq!(a.len(), 32);
    assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
    assert_ne!(a, b);
}

#[test]
fn a_save_that_would_not_read_back_writes_nothing() {
    // needs otp URIs: the parser rejects 0 digits, so the entry cannot round-trip.
    let (dir, path, mut vault) = passphrase_vault("p");
    let before = fs::read(&path).unwrap();
    vault.add(
        Account {
            digits: 0,
            ..account("Broken")
        },
        NOW,
    );

    let err = vault.save(NOW).unwrap_err();

    assert!(matches!(err, VaultError::NotSaved { .. }), "{err}");
    assert_eq!(fs::read(&path).unwrap(), before);
    assert_eq!(file_names(dir.path()), ["vault.age", "vault.age.lock"]);
}

#[test]
fn a_vault_can_move_to_another_thread() {
    fn assert_send<T: Send>(_: &T) {}
    let (_dir, _path, vault) = passphrase_vault("p");
    assert_send(&vault);
}
