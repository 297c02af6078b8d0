//! QR codes drawn in the terminal with Unicode half blocks.
//!
//! One character cell holds two modules stacked vertically (`▀`, `▄`, `█`
//! or a space), so the modules come out about square in a normal terminal
//! font. [`render`] gives plain text in which a drawn block is a dark
//! module; [`paint`] wraps that text in explicit black-on-white colours so
//! that a phone reads it whatever the terminal's theme.

use std::fmt::Write as _;

use crossterm::style::{Color, ResetColor, SetBackgroundColor, SetForegroundColor};
use qrcode::QrCode;
use zeroize::Zeroizing;

/// Light modules around the code; the QR standard asks for 4.
pub const QUIET_ZONE: usize = 4;

/// Black and white from the 256-colour cube (16 and 231): unlike the 16
/// basic colours, themes do not remap them, and nearly every terminal has them.
const DARK: Color = Color::AnsiValue(16);
const LIGHT: Color = Color::AnsiValue(231);

/// The size of a drawn code in character cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Size {
    pub columns: usize,
    pub rows: usize,
}

/// `data` as a QR code, two modules per character cell vertically, with a
/// quiet zone, as lines of text ready to print. Holds secrets when `data` does.
pub fn render(data: &str) -> Result<Zeroizing<String>, String> {
    let code = encode(data)?;
    let side = code.width() + 2 * QUIET_ZONE;
    let dark = padded_modules(&code);

    let rows = side.div_ceil(2);
    // Each cell is at most 3 bytes of UTF-8; sized up front so the buffer
    // is never reallocated (and never leaves a copy behind).
    let mut text = Zeroizing::new(String::with_capacity(rows * (3 * side + 1)));
    for pair in 0..rows {
        for x in 0..side {
            let top = dark[2 * pair * side + x];
            let bottom = 2 * pair + 1 < side && dark[(2 * pair + 1) * side + x];
            text.push(half_block(top, bottom));
        }
        text.push('\n');
    }
    Ok(text)
}

/// How big [`render`] draws `data`.
pub fn size(data: &str) -> Result<Size, String> {
    let side = encode(data)?.width() + 2 * QUIET_ZONE;
    Ok(Size {
        columns: side,
        rows: side.div_ceil(2),
    })
}

/// Rendered text with each line drawn black on white, for a terminal.
pub fn paint(rendered: &str) -> Zeroizing<String> {
    let lines = rendered.lines().count();
    let mut painted = Zeroizing::new(String::with_capacity(rendered.len() + 40 * lines));
    for line in rendered.lines() {
        // Writing to a String cannot fail.
        let _ = write!(
            painted,
            "{}{}{line}{}",
            SetForegroundColor(DARK),
            SetBackgroundColor(LIGHT),
            ResetColor
        );
        painted.push('\n');
    }
    painted
}

fn encode(data: &str) -> Result<QrCode, String> {
    QrCode::new(data.as_bytes()).map_err(|e| match e {
        qrcode::types::QrError::DataTooLong => format!(
            "{} bytes are too many for one QR code; export fewer accounts at a time.",
            data.len()
        ),
        other => format!("A QR code could not be made ({other}); please report this as a bug."),
    })
}

/// The code's modules inside its quiet zone, row by row; true is dark.
fn padded_modules(code: &QrCode) -> Vec<bool> {
    let width = code.width();
    let side = width + 2 * QUIET_ZONE;
    let colors = code.to_colors();
    let mut dark = vec![false; side * side];
    for (index, color) in colors.iter().enumerate() {
        let (x, y) = (index % width + QUIET_ZONE, index / width + QUIET_ZONE);
        dark[y * side + x] = *color == qrcode::Color::Dark;
    }
    dark
}

fn half_block(top: bool, bottom: bool) -> char {
    match (top, bottom) {
        (true, true) => '█',
        (true, false) => '▀',
        (false, true) => '▄',
        (false, false) => ' ',
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const URI: &str =
        "otpauth://totp/Example:alice@example.com?secret=JBSWY3DPEHPK3PXP&issuer=Example";

    /// Pixels per module when the drawn text is turned back into an image.
    const SCALE: usize = 4;

    /// Reads drawn text back as a camera would: blocks are dark, each
    /// character cell two modules tall, then decodes it with rqrr.
    fn scan(text: &str) -> Vec<String> {
        let modules = text_to_modules(text);
        let side = modules.len();
        let pixels = side * SCALE;
        let mut image = rqrr::PreparedImage::prepare_from_greyscale(pixels, pixels, |x, y| {
            if modules[y / SCALE][x / SCALE] {
                0
            } else {
                255
            }
        });
        image
            .detect_grids()
            .iter()
            .map(|grid| grid.decode().expect("decodes").1)
            .collect()
    }

    fn text_to_modules(text: &str) -> Vec<Vec<bool>> {
        let mut rows = Vec::new();
        for line in text.lines() {
            let (top, bottom): (Vec<bool>, Vec<bool>) = line
                .chars()
                .map(|c| match c {
                    '█' => (true, true),
                    '▀' => (true, false),
                    '▄' => (false, true),
                    ' ' => (false, false),
                    other => panic!("unexpected character {other:?}"),
                })
                .unzip();
            rows.push(top);
            rows.push(bottom);
        }
        let width = rows[0].len();
        rows.resize(width, vec![false; width]);
        rows
    }

    #[test]
    fn a_reader_gets_the_same_uri_back() {
        let text = render(URI).unwrap();
        assert_eq!(scan(&text), [URI]);
    }

    #[test]
    fn a_long_migration_uri_reads_back_too() {
        let uri = format!("otpauth-migration://offline?data={}", "CjEKFGFi".repeat(60));
        let text = render(&uri).unwrap();
        assert_eq!(scan(&text), [uri]);
    }

    #[test]
    fn lines_are_as_wide_as_the_code_and_its_quiet_zone() {
        let text = render(URI).unwrap();
        let expected = size(URI).unwrap();
        let widths: Vec<usize> = text.lines().map(|l| l.chars().count()).collect();
        assert_eq!(widths.len(), expected.rows);
        assert!(widths.iter().all(|&w| w == expected.columns), "{widths:?}");
    }

    #[test]
    fn the_quiet_zone_is_blank() {
        let text = render(URI).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0].trim(), "", "top two module rows");
        assert_eq!(lines[1].trim(), "", "module rows 3 and 4");
        for line in &lines {
            assert!(
                line.starts_with("    ") && line.ends_with("    "),
                "{line:?}"
            );
        }
    }

    #[test]
    fn only_half_blocks_and_spaces_are_drawn() {
        let text = render(URI).unwrap();
        assert!(text.chars().all(|c| " ▀▄█\n".contains(c)));
    }

    #[test]
    fn painted_lines_are_black_on_white_and_reset_at_the_end() {
        let painted = paint("█▀\n▄ \n");
        let lines: Vec<&str> = painted.lines().collect();
        assert_eq!(
            lines,
            [
                "\x1b[38;5;16m\x1b[48;5;231m█▀\x1b[0m",
                "\x1b[38;5;16m\x1b[48;5;231m▄ \x1b[0m"
            ]
        );
    }

    #[test]
    fn too_much_data_says_so() {
        let error = render(&"A".repeat(8000)).unwrap_err();
        assert!(error.contains("8000 bytes are too many"), "{error}");
    }
}
