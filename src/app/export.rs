//! `tessera export` and `tessera qr`.
//!
//! Every export holds secrets. Text goes to a new 0600 file (written
//! atomically) or to standard output, and only with `--plaintext`. QR codes
//! are drawn on the terminal one at a time, black on white, and the screen
//! is cleared after the last one.

use std::io::{self, IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use crossterm::cursor::MoveTo;
use crossterm::execute;
use crossterm::terminal::{Clear, ClearType};
use zeroize::Zeroizing;

use crate::cli::GlobalOptions;
use crate::export::{self, ExportFormat, LeftOut};
use crate::qr;
use crate::vault::{self, Entry};

const NEEDS_PLAINTEXT: &str = "This export holds your secrets in plain text; add --plaintext \
                               if that is what you want, and delete the file when done.";

pub fn run(
    options: &GlobalOptions,
    format: ExportFormat,
    output: Option<&Path>,
    plaintext: bool,
    qr: bool,
) -> Result<ExitCode> {
    if qr {
        return export_qr(options, format, output, plaintext);
    }
    if !plaintext {
        bail!(NEEDS_PLAINTEXT);
    }
    if let Some(path) = output {
        refuse_existing(path)?;
    }
    let vault = super::open_vault(options)?;
    let entries = non_empty(vault.entries())?;

    let (text, left_out) = export_text(format, entries)?;
    warn_left_out(&left_out);
    let count = entries.len() - left_out.len();
    match output {
        Some(path) => {
            vault::write_atomic(path, text.as_bytes())?;
            println!(
                "Wrote {count} account{} to {} (readable by you only). \
                 It holds your secrets in plain text: delete it when done.",
                plural(count),
                path.display()
            );
        }
        None => io::stdout()
            .write_all(text.as_bytes())
            .context("Could not write to standard output")?,
    }
    Ok(ExitCode::SUCCESS)
}

/// Draws the account matching `query` as a QR code, for a phone to scan.
pub fn show_qr(options: &GlobalOptions, query: &str) -> Result<ExitCode> {
    if !io::stdout().is_terminal() {
        bail!(
            "`tessera qr` only draws on a terminal: the code holds the account's secret. \
             To save accounts as text, use `tessera export --format uris --plaintext`."
        );
    }
    let vault = super::open_vault(options)?;
    let entry = super::find_one(vault.entries(), query)?;
    let code = Code {
        title: super::describe(&entry.account),
        data: entry.account.to_uri(),
    };
    show_on_terminal(&[code])?;
    Ok(ExitCode::SUCCESS)
}

/// The export as text, and the accounts the format cannot hold.
fn export_text(
    format: ExportFormat,
    entries: &[Entry],
) -> Result<(Zeroizing<String>, Vec<LeftOut>)> {
    Ok(match format {
        ExportFormat::Uris => (export::uri_lines(entries), Vec::new()),
        ExportFormat::Aegis => (export::aegis_json(entries), Vec::new()),
        ExportFormat::Google => {
            let (accounts, left_out) = google_accounts(entries)?;
            let uris = crate::import::migration_uris(&accounts, export::MAX_PER_CODE);
            (export::join_lines(&uris), left_out)
        }
    })
}

fn google_accounts(entries: &[Entry]) -> Result<(Vec<crate::otp::Account>, Vec<LeftOut>)> {
    let (accounts, left_out) = export::google_accounts(entries);
    if accounts.is_empty() {
        warn_left_out(&left_out);
        bail!("None of the accounts can go into Google Authenticator; nothing was exported.");
    }
    Ok((accounts, left_out))
}

/// One QR code to show: a line about it, and the text it encodes.
struct Code {
    title: String,
    data: Zeroizing<String>,
}

fn export_qr(
    options: &GlobalOptions,
    format: ExportFormat,
    output: Option<&Path>,
    plaintext: bool,
) -> Result<ExitCode> {
    if output.is_some() {
        bail!("--qr draws the codes on the terminal and writes no file; drop --output or --qr.");
    }
    if format == ExportFormat::Aegis {
        bail!(
            "An Aegis vault does not fit in QR codes; use --format google --qr, \
             or --format aegis --plaintext --output FILE."
        );
    }
    let terminal = io::stdout().is_terminal();
    if !terminal && !plaintext {
        bail!(
            "Standard output is not a terminal, so the QR codes would be saved as text. {NEEDS_PLAINTEXT}"
        );
    }
    let vault = super::open_vault(options)?;
    let entries = non_empty(vault.entries())?;

    let fits = |data: &str| terminal_size().is_none_or(|room| fits_in(data, room));
    let codes = match format {
        ExportFormat::Google => {
            let (accounts, left_out) = google_accounts(entries)?;
            warn_left_out(&left_out);
            let uris = export::batches_that_fit(&accounts, fits, crate::import::migration_uris);
            let count = uris.len();
            numbered(uris.into_iter().enumerate().map(|(i, uri)| {
                (
                    format!("Google Authenticator code {} of {count}", i + 1),
                    uri,
                )
            }))
        }
        _ => numbered(
            entries
                .iter()
                .map(|e| (super::describe(&e.account), e.account.to_uri())),
        ),
    };

    if terminal {
        show_on_terminal(&codes)?;
    } else {
        print_as_text(&codes)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn numbered(codes: impl Iterator<Item = (String, Zeroizing<String>)>) -> Vec<Code> {
    codes.map(|(title, data)| Code { title, data }).collect()
}

/// One code at a time on a cleared screen, waiting for Enter between them
/// when someone can press it; the screen is cleared after the last one.
fn show_on_terminal(codes: &[Code]) -> Result<()> {
    let interactive = io::stdin().is_terminal();
    let mut stdout = io::stdout();
    for (index, code) in codes.iter().enumerate() {
        let drawn = qr::render(&code.data).map_err(anyhow::Error::msg)?;
        if interactive {
            execute!(stdout, Clear(ClearType::All), MoveTo(0, 0))?;
        }
        writeln!(stdout, "{}", code.title)?;
        if let Some(warning) = too_big_warning(&code.data) {
            writeln!(stdout, "{warning}")?;
        }
        stdout.write_all(qr::paint(&drawn).as_bytes())?;
        if interactive {
            write!(stdout, "{}", prompt(index + 1, codes.len()))?;
            stdout.flush()?;
            io::stdin().read_line(&mut String::new())?;
        }
    }
    if interactive {
        execute!(stdout, Clear(ClearType::All), MoveTo(0, 0))?;
        eprintln!(
            "Showed {} QR code{}; the screen was cleared.",
            codes.len(),
            plural(codes.len())
        );
    } else {
        eprintln!("These QR codes hold secrets: clear the screen once they are scanned.");
    }
    Ok(())
}

fn prompt(number: usize, count: usize) -> String {
    if number < count {
        format!(
            "Code {number} of {count} — scan it, then press Enter for the next. Keep it private."
        )
    } else if count > 1 {
        format!("Code {number} of {count} — scan it, then press Enter to clear the screen.")
    } else {
        "Scan it, then press Enter to clear the screen. Keep it private: it holds the secret."
            .to_owned()
    }
}

/// The codes as plain half-block text (dark modules drawn), one after the
/// other, for `--plaintext` output that is not a terminal.
fn print_as_text(codes: &[Code]) -> Result<()> {
    let mut stdout = io::stdout().lock();
    for (index, code) in codes.iter().enumerate() {
        if index > 0 {
            writeln!(stdout)?;
        }
        writeln!(stdout, "{}", code.title)?;
        let drawn = qr::render(&code.data).map_err(anyhow::Error::msg)?;
        stdout.write_all(drawn.as_bytes())?;
    }
    Ok(())
}

/// Columns and rows of the terminal on standard output, if it is one.
fn terminal_size() -> Option<qr::Size> {
    if !io::stdout().is_terminal() {
        return None;
    }
    let (columns, rows) = crossterm::terminal::size().ok()?;
    Some(qr::Size {
        columns: usize::from(columns),
        rows: usize::from(rows),
    })
}

/// Whether the code for `data` fits `room`, leaving two lines for its title
/// and the prompt.
fn fits_in(data: &str, room: qr::Size) -> bool {
    qr::size(data).is_ok_and(|size| size.columns <= room.columns && size.rows + 2 <= room.rows)
}

fn too_big_warning(data: &str) -> Option<String> {
    let room = terminal_size()?;
    let size = qr::size(data).ok()?;
    if fits_in(data, room) {
        return None;
    }
    Some(format!(
        "(The code needs {}x{} characters and the terminal has {}x{}: \
         enlarge the window or make the font smaller so that it shows whole.)",
        size.columns, size.rows, room.columns, room.rows
    ))
}

fn refuse_existing(path: &Path) -> Result<()> {
    if path.exists() {
        bail!(
            "{} already exists; it was left as it is. Choose another name, or delete it first.",
            path.display()
        );
    }
    Ok(())
}

fn non_empty(entries: &[Entry]) -> Result<&[Entry]> {
    if entries.is_empty() {
        bail!("The vault is empty; there is nothing to export.");
    }
    Ok(entries)
}

fn warn_left_out(left_out: &[LeftOut]) {
    for item in left_out {
        eprintln!("left out {}: {}.", item.label, item.reason);
    }
}

fn plural(count: usize) -> &'static str {
    if count == 1 { "" } else { "s" }
}

#[cfg(test)]
mod tests {
    use super::*;

    const URI: &str =
        "otpauth://totp/Example:alice@example.com?secret=JBSWY3DPEHPK3PXP&issuer=Example";

    #[test]
    fn a_code_fits_when_it_leaves_room_for_its_title_and_prompt() {
        let size = qr::size(URI).unwrap();
        let exact = qr::Size {
            columns: size.columns,
            rows: size.rows + 2,
        };
        assert!(fits_in(URI, exact));
        assert!(!fits_in(
            URI,
            qr::Size {
                rows: size.rows + 1,
                ..exact
            }
        ));
        assert!(!fits_in(
            URI,
            qr::Size {
                columns: size.columns - 1,
                ..exact
            }
        ));
    }

    #[test]
    fn prompts_say_which_code_and_what_enter_does() {
        assert_eq!(
            prompt(1, 3),
            "Code 1 of 3 — scan it, then press Enter for the next. Keep it private."
        );
        assert_eq!(
            prompt(3, 3),
            "Code 3 of 3 — scan it, then press Enter to clear the screen."
        );
    }
}
