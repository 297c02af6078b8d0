//! What the command-line test files share: `tessera` with no ambient
//! configuration (no vault or identity from the environment, no log, no
//! real home) and a cheap scrypt work factor.
//!
//! Each test file compiles this module on its own and uses part of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// 2023-11-14 22:13:20 UTC, the time the reference codes are given for.
pub const T: &str = "1700000000";

/// The real binary, with the environment cleaned.
pub fn process() -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_tessera"));
    for name in ["TESSERA_VAULT", "TESSERA_IDENTITY", "TESSERA_LOG"] {
        cmd.env_remove(name);
    }
    cmd.env("TESSERA_SCRYPT_WORK_FACTOR", "10")
        .env("HOME", "/nonexistent");
    cmd
}

/// [`process`] as an `assert_cmd` command.
pub fn command() -> assert_cmd::Command {
    assert_cmd::Command::from_std(process())
}

/// A file under `tests/data/import`.
pub fn import_fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/import")
        .join(name)
}

/// Runs `cmd`, which must succeed, and returns its standard output trimmed.
pub fn stdout_of(cmd: &mut assert_cmd::Command) -> String {
    let output = cmd.output().expect("tessera runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

/// A temporary folder holding the passphrase file `pass`.
pub fn folder_with_passphrase(passphrase: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("pass"), format!("{passphrase}\n")).expect("write a test file");
    dir
}
