//! The opt-in debug log. Quiet by default; `TESSERA_LOG=info` or
//! `TESSERA_LOG=debug` appends lines to `<state dir>/tessera/tessera.log`
//! (mode 0600; the data dir when the system has no state dir) and says once
//! on stderr where the file is.
//!
//! Only facts that are not secret go in: the command's name, the vault's
//! path, entry counts, timings and error messages (which never quote a
//! secret). Never a URI, a secret, a passphrase, a code or `Debug` output of
//! an account. tests/leaks.rs searches the log for a known secret.

use std::fmt;
use std::fs::{DirBuilder, File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};

/// The environment variable that turns the log on.
pub const LOG_ENV: &str = "TESSERA_LOG";

/// How much is written: `Info` is the command, its result and timings;
/// `Debug` adds vault opens and saves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Info,
    Debug,
}

impl Level {
    /// Reads `TESSERA_LOG`'s value; `None` (no log) when empty, `off` or unknown.
    pub fn parse(value: &str) -> Option<Level> {
        match value.trim().to_ascii_lowercase().as_str() {
            "info" => Some(Level::Info),
            "debug" | "trace" => Some(Level::Debug),
            _ => None,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Level::Info => "INFO",
            Level::Debug => "DEBUG",
        }
    }
}

struct Logger {
    level: Level,
    file: Mutex<File>,
}

/// Set once by [`init`]; `None` means logging is off.
static LOGGER: OnceLock<Option<Logger>> = OnceLock::new();

/// `<state dir>/tessera/tessera.log`, or under the data dir when there is
/// no state dir.
pub fn log_path() -> Option<PathBuf> {
    dirs::state_dir()
        .or_else(dirs::data_dir)
        .map(|dir| dir.join("tessera").join("tessera.log"))
}

/// Turns logging on when `TESSERA_LOG` asks for it and tells stderr where
/// the file is. Later calls do nothing. A log that cannot be opened is
/// reported and skipped: logging never stops a command.
pub fn init() {
    LOGGER.get_or_init(|| {
        let level = Level::parse(&std::env::var(LOG_ENV).ok()?)?;
        let Some(path) = log_path() else {
            eprintln!(
                "tessera: {LOG_ENV} is set, but no state or data folder is known; not logging"
            );
            return None;
        };
        match open_private(&path) {
            Ok(file) => {
                eprintln!("tessera: logging to {}", path.display());
                Some(Logger {
                    level,
                    file: Mutex::new(file),
                })
            }
            Err(error) => {
                eprintln!(
                    "tessera: cannot open the log {}: {error}; not logging",
                    path.display()
                );
                None
            }
        }
    });
}

/// Opens the log for appending, creating it (and its folder) private.
fn open_private(path: &std::path::Path) -> std::io::Result<File> {
    if let Some(dir) = path.parent() {
        DirBuilder::new().recursive(true).mode(0o700).create(dir)?;
    }
    OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(path)
}

/// Writes one `INFO` line, if logging is on.
pub fn info(message: fmt::Arguments<'_>) {
    write(Level::Info, message);
}

/// Writes one `DEBUG` line, if logging is on at that level.
pub fn debug(message: fmt::Arguments<'_>) {
    write(Level::Debug, message);
}

fn write(level: Level, message: fmt::Arguments<'_>) {
    let Some(Some(logger)) = LOGGER.get() else {
        return;
    };
    if level > logger.level {
        return;
    }
    let line = format!(
        "{} {} [{}] {message}\n",
        crate::clock::now_unix(0),
        level.as_str(),
        std::process::id()
    );
    if let Ok(mut file) = logger.file.lock() {
        // A failed log write must not fail the command.
        let _ = file.write_all(line.as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_are_read_in_any_case_and_anything_else_is_off() {
        assert_eq!(Level::parse("debug"), Some(Level::Debug));
        assert_eq!(Level::parse(" INFO "), Some(Level::Info));
        assert_eq!(Level::parse("off"), None);
        assert_eq!(Level::parse(""), None);
        assert_eq!(Level::parse("verbose"), None);
    }

    #[test]
    fn debug_is_more_than_info() {
        assert!(Level::Debug > Level::Info);
    }

    #[test]
    fn the_log_lives_in_a_tessera_folder() {
        if let Some(path) = log_path() {
            assert!(path.ends_with("tessera/tessera.log"), "{}", path.display());
        }
    }
}
