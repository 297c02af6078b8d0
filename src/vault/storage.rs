//! The vault's bytes on disk: reading, the lock file, atomic replacement and
//! the rotating encrypted backups. Only ciphertext passes through here.
//!
//! A save never truncates the vault in place: it writes a 0600 temp file in
//! the same folder, syncs it, renames it over the vault and syncs the folder,
//! so a crash leaves either the old vault or the new one.

use std::fs::{self, DirBuilder, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::error::{VaultError, strip_isolation_marks};

/// How many encrypted backups are kept beside the vault.
pub const BACKUP_COUNT: usize = 3;

/// Size and modification time: a cheap "did the file change?" check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FileStamp {
    len: u64,
    modified: Option<SystemTime>,
}

/// Maps an I/O failure on `path` to the error a user can act on.
pub(crate) fn io_error(action: &'static str, path: &Path, error: &io::Error) -> VaultError {
    match error.kind() {
        io::ErrorKind::PermissionDenied => VaultError::PermissionDenied {
            path: path.to_owned(),
        },
        _ => VaultError::Io {
            action,
            path: path.to_owned(),
            reason: strip_isolation_marks(&error.to_string()),
        },
    }
}

/// Reads the whole vault file.
pub(crate) fn read_vault(path: &Path) -> Result<Vec<u8>, VaultError> {
    fs::read(path).map_err(|e| match e.kind() {
        io::ErrorKind::NotFound => VaultError::NotFound {
            path: path.to_owned(),
        },
        _ => io_error("read", path, &e),
    })
}

/// Reads the vault file, or `None` if there is none.
pub(crate) fn read_if_exists(path: &Path) -> Result<Option<Vec<u8>>, VaultError> {
    match fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io_error("read", path, &e)),
    }
}

pub(crate) fn stamp(path: &Path) -> Result<FileStamp, VaultError> {
    let meta = fs::metadata(path).map_err(|e| match e.kind() {
        io::ErrorKind::NotFound => VaultError::NotFound {
            path: path.to_owned(),
        },
        _ => io_error("read", path, &e),
    })?;
    Ok(FileStamp {
        len: meta.len(),
        modified: meta.modified().ok(),
    })
}

/// Creates `dir` and its missing parents, readable only by the owner.
pub(crate) fn create_private_dir(dir: &Path) -> Result<(), VaultError> {
    if dir.as_os_str().is_empty() || dir.is_dir() {
        return Ok(());
    }
    DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| io_error("create the folder", dir, &e))
}

/// An exclusive lock on `VAULT.lock`, released when the file is dropped.
/// Blocks while another Tessera holds it (saves take a second at most).
pub(crate) fn lock(path: &Path) -> Result<File, VaultError> {
    let lock_path = sibling(path, ".lock");
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(&lock_path)
        .map_err(|e| lock_error(&lock_path, &e))?;
    file.lock().map_err(|e| lock_error(&lock_path, &e))?;
    Ok(file)
}

fn lock_error(path: &Path, error: &io::Error) -> VaultError {
    VaultError::Lock {
        path: path.to_owned(),
        reason: strip_isolation_marks(&error.to_string()),
    }
}

/// Replaces `path` with `bytes`: temp file (0600) in the same folder, fsync,
/// rename, fsync the folder. Every save and every export goes through here.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), VaultError> {
    let dir = parent_dir(path);
    let mut temp = tempfile::Builder::new()
        .prefix(".tessera-")
        .suffix(".tmp")
        .permissions(fs::Permissions::from_mode(0o600))
        .tempfile_in(dir)
        .map_err(|e| io_error("create a temporary file in", dir, &e))?;

    temp.write_all(bytes)
        .and_then(|()| temp.as_file().sync_all())
        .map_err(|e| io_error("write", temp.path(), &e))?;
    temp.persist(path)
        .map_err(|e| io_error("replace", path, &e.error))?;
    sync_dir(dir)
}

/// Makes a rename durable: on Linux, the folder entry is only safe on disk
/// once the folder itself is synced.
fn sync_dir(dir: &Path) -> Result<(), VaultError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| io_error("sync the folder", dir, &e))
}

/// Shifts `VAULT.bak.1..` up by one (dropping the oldest) and stores
/// `previous` (the ciphertext being replaced) as `VAULT.bak.1`.
///
/// Each shift copies (atomically) rather than renames, so a crash at any
/// point leaves every backup in place, at worst one of them twice; a rename
/// would leave `bak.1` missing until the new one is written.
pub(crate) fn rotate_backups(path: &Path, previous: &[u8]) -> Result<(), VaultError> {
    for n in (1..BACKUP_COUNT).rev() {
        let from = backup_path(path, n);
        match fs::read(&from) {
            Ok(bytes) => write_atomic(&backup_path(path, n + 1), &bytes)?,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(io_error("rotate the backup", &from, &e)),
        }
    }
    write_atomic(&backup_path(path, 1), previous)
}

/// `VAULT.bak.N`; 1 is the newest.
pub(crate) fn backup_path(path: &Path, n: usize) -> PathBuf {
    sibling(path, &format!(".bak.{n}"))
}

/// The backups that exist, newest first.
pub(crate) fn backup_paths(path: &Path) -> Vec<PathBuf> {
    (1..=BACKUP_COUNT)
        .map(|n| backup_path(path, n))
        .filter(|p| p.is_file())
        .collect()
}

/// The end of a damage message: where the backups are.
pub(crate) fn backup_hint(path: &Path) -> String {
    match backup_paths(path).first() {
        Some(newest) => format!(
            "restore the newest backup: `cp {} {}`",
            newest.display(),
            path.display()
        ),
        None => format!(
            "no backups were found beside it ({}.bak.1 to .bak.{BACKUP_COUNT})",
            path.display()
        ),
    }
}

/// Where the backups are, without advising a restore (for a vault that is
/// not damaged, only unreadable by this Tessera).
pub(crate) fn backup_location(path: &Path) -> String {
    let found = backup_paths(path);
    match (found.first(), found.last()) {
        (Some(newest), Some(oldest)) if found.len() > 1 => format!(
            "Its backups are {} (newest) to {}.",
            newest.display(),
            oldest.display()
        ),
        (Some(only), _) => format!("Its backup is {}.", only.display()),
        _ => format!(
            "No backups were found beside it ({}.bak.1 to .bak.{BACKUP_COUNT}).",
            path.display()
        ),
    }
}

/// A warning when group or others may read or write the vault.
pub(crate) fn permission_warning(path: &Path) -> Option<String> {
    let mode = fs::metadata(path).ok()?.permissions().mode() & 0o777;
    (mode & 0o077 != 0).then(|| {
        format!(
            "the vault {} can be accessed by other users (mode {mode:o}); \
             run `chmod 600 {}`",
            path.display(),
            path.display()
        )
    })
}

/// `path` with `suffix` appended to its file name.
fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(path: &Path) -> u32 {
        fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    fn names_in(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn atomic_write_replaces_the_file_with_mode_0600_and_no_leftovers() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vault.age");
        fs::write(&path, b"old").unwrap();

        write_atomic(&path, b"new").unwrap();

        assert_eq!(fs::read(&path).unwrap(), b"new");
        assert_eq!(mode(&path), 0o600);
        assert_eq!(names_in(dir.path()), ["vault.age"]);
    }

    #[test]
    fn backups_rotate_and_keep_the_last_three() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vault.age");

        for generation in [b"1", b"2", b"3", b"4"] {
            rotate_backups(&path, generation).unwrap();
        }

        assert_eq!(fs::read(backup_path(&path, 1)).unwrap(), b"4");
        assert_eq!(fs::read(backup_path(&path, 2)).unwrap(), b"3");
        assert_eq!(fs::read(backup_path(&path, 3)).unwrap(), b"2");
        assert_eq!(backup_paths(&path).len(), 3);
        assert!(backup_paths(&path).iter().all(|p| mode(p) == 0o600));
    }

    #[test]
    fn backup_hint_names_the_newest_backup() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vault.age");
        assert!(backup_hint(&path).contains("no backups"));

        rotate_backups(&path, b"x").unwrap();

        assert!(backup_hint(&path).contains("vault.age.bak.1"));
    }

    #[test]
    fn missing_parent_folders_are_created_private() {
        let dir = tempfile::tempdir().unwrap();
        let nested = dir.path().join("a/tessera");

        create_private_dir(&nested).unwrap();

        assert_eq!(mode(&nested), 0o700);
    }

    #[test]
    fn group_readable_vault_gets_a_warning() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vault.age");
        fs::write(&path, b"x").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
        assert!(permission_warning(&path).unwrap().contains("chmod 600"));

        fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(permission_warning(&path), None);
    }

    #[test]
    fn lock_file_sits_beside_the_vault() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vault.age");

        let _held = lock(&path).unwrap();

        let lock_path = dir.path().join("vault.age.lock");
        let other = File::open(&lock_path).unwrap();
        assert!(
            other.try_lock().is_err(),
            "a second opener must not get the lock"
        );
    }
}
