//! Damaged vaults and hostile disks, through the real binary.
//!
//! A vault that is truncated, empty, random bytes, has one byte flipped, is
//! an age file holding something else, or comes from a newer Tessera: each
//! gets its own clear error that says where the backups are, and no command
//! (not even `add`) writes over it. A read-only folder and a full disk (tiny
//! tmpfs mounts; skipped with a note where mounting is not allowed, unless
//! `CI` is set) fail the save cleanly and keep the old vault.

mod common;

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use secrecy::SecretString;
use tempfile::TempDir;

const PASSPHRASE: &str = "correct horse battery staple";

fn uri(issuer: &str) -> String {
    format!("otpauth://totp/{issuer}:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer={issuer}")
}

/// A folder holding a passphrase file; the vault goes in `vault_dir`.
struct Place {
    dir: TempDir,
    vault_dir: PathBuf,
}

impl Place {
    fn new() -> Place {
        let dir = tempfile::tempdir().expect("temp dir");
        let vault_dir = dir.path().join("vault");
        fs::create_dir(&vault_dir).expect("test setup");
        Place::in_dir(dir, vault_dir)
    }

    fn in_dir(dir: TempDir, vault_dir: PathBuf) -> Place {
        fs::write(dir.path().join("pass"), format!("{PASSPHRASE}\n")).expect("write a test file");
        Place { dir, vault_dir }
    }

    /// A vault with two accounts and two backups.
    fn with_backups(self) -> Place {
        self.ok(&["init"]);
        self.ok(&["add", &uri("First")]);
        self.ok(&["add", &uri("Second")]);
        self
    }

    fn vault(&self) -> PathBuf {
        self.vault_dir.join("vault.age")
    }

    fn tessera(&self, args: &[&str]) -> Output {
        common::process()
            .arg("--vault")
            .arg(self.vault())
            .arg("--passphrase-file")
            .arg(self.dir.path().join("pass"))
            .args(args)
            .stdin(Stdio::null())
            .output()
            .expect("run tessera")
    }

    fn ok(&self, args: &[&str]) -> String {
        let output = self.tessera(args);
        assert!(
            output.status.success(),
            "tessera {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).expect("utf-8")
    }

    /// Runs a command that must fail with exit code 1; returns stderr.
    fn fails(&self, args: &[&str]) -> String {
        let output = self.tessera(args);
        assert_eq!(output.status.code(), Some(1), "tessera {args:?} must fail");
        String::from_utf8(output.stderr).expect("utf-8")
    }
}

/// An age file with `text` inside, locked by the same passphrase.
fn age_file_holding(text: &str) -> Vec<u8> {
    let mut recipient = age::scrypt::Recipient::new(SecretString::from(PASSPHRASE.to_owned()));
    recipient.set_work_factor(10);
    let encryptor =
        age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient))
            .expect("age encryptor");
    let mut out = Vec::new();
    let mut writer = encryptor.wrap_output(&mut out).expect("age writer");
    writer.write_all(text.as_bytes()).expect("write to tessera");
    writer.finish().expect("age writer");
    out
}

/// Makes a damaged vault from the good vault's bytes.
type Damage = Box<dyn Fn(&[u8]) -> Vec<u8>>;

/// The kinds of damage, by name.
fn damages() -> Vec<(&'static str, Damage)> {
    vec![
        ("empty", Box::new(|_| Vec::new())),
        (
            "truncated",
            Box::new(|good| good[..good.len() / 2].to_vec()),
        ),
        ("truncated in the magic", Box::new(|_| b"age-encr".to_vec())),
        (
            "truncated in the header",
            Box::new(|good| good[..60].to_vec()),
        ),
        (
            "random bytes",
            Box::new(|good| {
                (0..good.len())
                    .map(|i| u8::try_from((i * 7919 + 13) % 251).expect("fits"))
                    .collect()
            }),
        ),
        (
            "a flipped payload byte",
            Box::new(|good| {
                let mut bad = good.to_vec();
                let last = bad.len() - 20;
                bad[last] ^= 0x01;
                bad
            }),
        ),
        (
            // In the header's MAC: a flip in the scrypt salt or stanza body
            // cannot be told from a wrong passphrase (both fail the same
            // authentication), see SECURITY.md.
            "a flipped header byte",
            Box::new(|good| {
                let mut bad = good.to_vec();
                let mac = good
                    .windows(4)
                    .position(|w| w == b"--- ")
                    .expect("test setup");
                bad[mac + 6] ^= 0x01;
                bad
            }),
        ),
        (
            "another age file",
            Box::new(|_| age_file_holding("dear diary, nothing to see here")),
        ),
        (
            "a newer version",
            Box::new(|_| age_file_holding("version = 2\n[[accounts]]\nname = \"x\"\n")),
        ),
    ]
}

/// What each damage must say, besides naming the backups.
fn expected_words(damage: &str) -> &'static str {
    match damage {
        "empty" => "is empty (0 bytes)",
        // Cut inside the payload or one bit changed in it: the same failed
        // integrity check, so the same words (which name both).
        "truncated" | "a flipped payload byte" => "damaged or cut short",
        "truncated in the magic" | "truncated in the header" => "is truncated",
        "random bytes" => "is not an age-encrypted file",
        "a flipped header byte" => "header of the vault",
        "another age file" => "not a Tessera vault",
        "a newer version" => "made by a newer Tessera (format version 2",
        _ => unreachable!(),
    }
}

#[test]
fn each_kind_of_damage_has_its_own_error_naming_the_backups_and_nothing_is_overwritten() {
    let mut seen = Vec::new();
    for (name, damage) in damages() {
        let place = Place::new().with_backups();
        let bad = damage(&fs::read(place.vault()).unwrap());
        fs::write(place.vault(), &bad).unwrap();
        let backups_before = fs::read(format!("{}.bak.1", place.vault().display())).unwrap();

        for args in [
            vec!["list"],
            vec!["add", &uri("Third")],
            vec!["code", "First"],
            vec!["remove", "First", "--yes"],
        ] {
            let stderr = place.fails(&args);
            assert!(
                stderr.contains(expected_words(name)),
                "{name}, {args:?}: {stderr}"
            );
            assert!(
                stderr.contains("vault.age.bak.1"),
                "{name}: the error must say where the backups are: {stderr}"
            );
            assert_eq!(
                fs::read(place.vault()).unwrap(),
                bad,
                "{name}: {args:?} wrote over it"
            );
        }
        let backups_after = fs::read(format!("{}.bak.1", place.vault().display())).unwrap();
        assert_eq!(backups_after, backups_before, "{name}: a backup changed");
        seen.push((name, place.fails(&["list"])));
    }

    for (name, stderr) in &seen {
        eprintln!("{name}: {stderr}");
    }

    // Restoring the named backup works, as the message says.
    let place = Place::new().with_backups();
    fs::write(place.vault(), b"").unwrap();
    fs::copy(format!("{}.bak.1", place.vault().display()), place.vault()).unwrap();
    assert!(place.ok(&["list"]).contains("First"));

    let distinct: std::collections::BTreeSet<String> = seen
        .iter()
        .map(|(_, stderr)| first_clause(stderr))
        .collect();
    assert!(
        distinct.len() >= 7,
        "messages are not distinct enough: {seen:#?}"
    );
}

/// The part of a message before the backup advice.
fn first_clause(stderr: &str) -> String {
    let text = stderr.split(';').next().unwrap_or(stderr);
    text.split(". ").next().unwrap_or(text).to_owned()
}

#[test]
fn a_damaged_vault_without_backups_says_there_are_none() {
    let place = Place::new();
    place.ok(&["init"]);
    fs::write(place.vault(), b"garbage that is not age").unwrap();

    let stderr = place.fails(&["list"]);

    assert!(stderr.contains("no backups were found"), "{stderr}");
}

// ---------------------------------------------------------------------------
// Read-only folders and full disks, on tmpfs mounts.

/// A tmpfs mounted on a temp folder, unmounted when dropped.
struct Mount {
    point: TempDir,
}

impl Mount {
    /// `None` (after a note) when this machine does not let us mount;
    /// under CI that is a failure.
    fn tmpfs(size: &str) -> Option<Mount> {
        let point = tempfile::tempdir().expect("temp dir");
        let mounted = Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={size},mode=0700"),
                "tmpfs",
            ])
            .arg(point.path())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if mounted {
            return Some(Mount { point });
        }
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set, but a tmpfs cannot be mounted here"
        );
        eprintln!("note: cannot mount a tmpfs here (not root?); skipping this test");
        None
    }

    fn path(&self) -> &Path {
        self.point.path()
    }

    fn remount_read_only(&self) {
        let status = Command::new("mount")
            .args(["-o", "remount,ro"])
            .arg(self.path())
            .status()
            .expect("run mount");
        assert!(status.success(), "remount read-only failed");
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount")
            .arg("-l")
            .arg(self.point.path())
            .status();
    }
}

/// A place whose vault folder is the mount.
fn place_on(mount: &Mount) -> Place {
    Place::in_dir(
        tempfile::tempdir().expect("temp dir"),
        mount.path().to_owned(),
    )
}

fn leftover_temp_files(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .expect("list the test folder")
        .map(|e| {
            e.expect("a file name")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|name| {
            Path::new(name)
                .extension()
                .is_some_and(|ext| ext.eq_ignore_ascii_case("tmp"))
        })
        .collect()
}

#[test]
fn a_read_only_folder_fails_the_save_cleanly_and_keeps_the_vault() {
    let Some(mount) = Mount::tmpfs("1m") else {
        return;
    };
    let place = place_on(&mount).with_backups();
    let before = fs::read(place.vault()).unwrap();
    mount.remount_read_only();

    let stderr = place.fails(&["add", &uri("Third")]);

    assert!(stderr.to_lowercase().contains("read-only"), "{stderr}");
    assert_eq!(fs::read(place.vault()).unwrap(), before);
    let listed = place.ok(&["list"]);
    assert!(
        listed.contains("First") && listed.contains("Second"),
        "{listed}"
    );
    assert!(!listed.contains("Third"));
}

#[test]
fn a_full_disk_fails_the_save_cleanly_and_keeps_the_vault() {
    let Some(mount) = Mount::tmpfs("64k") else {
        return;
    };
    let place = place_on(&mount).with_backups();
    let before = fs::read(place.vault()).unwrap();
    fill(&mount.path().join("filler"));

    let stderr = place.fails(&["add", &uri("Third")]);

    assert!(stderr.contains("No space left on device"), "{stderr}");
    assert_eq!(fs::read(place.vault()).unwrap(), before);
    assert!(leftover_temp_files(mount.path()).is_empty());
    assert!(place.ok(&["list"]).contains("Second"));

    // Once there is room again, the same add works.
    fs::remove_file(mount.path().join("filler")).unwrap();
    place.ok(&["add", &uri("Third")]);
    assert!(place.ok(&["list"]).contains("Third"));
}

/// Writes to `path` until the file system says it is full.
fn fill(path: &Path) {
    let mut file = fs::File::create(path).expect("test setup");
    let block = [0u8; 1024];
    while file.write_all(&block).is_ok() {}
    let _ = file.sync_all();
}
