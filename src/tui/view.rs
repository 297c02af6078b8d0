//! Drawing the interface from the state. Reads, never changes, anything.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::style::{Color, Modifier, Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Cell, Clear, Padding, Paragraph, Row, Table, Wrap};

use super::state::{App, Mode};
use crate::app::store::Store;
use crate::otp::Kind;
use crate::vault::Entry;

/// Below this the window says it is too small instead of drawing.
pub const MIN_WIDTH: u16 = 34;
pub const MIN_HEIGHT: u16 = 6;

/// Seconds before expiry when a code's bar turns red.
const WARN_SECONDS: u64 = 5;
/// Informational status lines disappear after this many seconds.
const STATUS_SECONDS: u64 = 8;

const ACCENT: Color = Color::Cyan;

/// The screen's rows: title, filter, list, status, keys.
fn layout(area: Rect, app: &App) -> [Rect; 5] {
    Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(status_height(app, area.width)),
        Constraint::Length(1),
    ])
    .areas(area)
}

/// The status line wraps onto up to three rows rather than cut off the
/// advice at its end.
fn status_height(app: &App, width: u16) -> u16 {
    let rows = app
        .status
        .as_ref()
        .map_or(1, |s| wrapped_rows(&format!(" {}", s.text), width));
    u16::try_from(rows.clamp(1, 3)).unwrap_or(1)
}

/// Rows `text` takes when wrapped at word boundaries to `width` columns.
fn wrapped_rows(text: &str, width: u16) -> usize {
    let width = usize::from(width.max(1));
    let (mut rows, mut used) = (1, 0);
    for word in text.split(' ') {
        let length = word.chars().count();
        let needed = if used == 0 { length } else { used + 1 + length };
        if needed <= width {
            used = needed;
        } else {
            // A word longer than the row is broken across rows.
            rows += 1 + length.saturating_sub(1) / width;
            used = length.saturating_sub(1) % width + 1;
        }
    }
    rows
}

/// How many entries fit in the list at this window size.
pub fn list_height(area: Rect, app: &App) -> usize {
    if too_small(area) {
        0
    } else {
        usize::from(layout(area, app)[2].height)
    }
}

fn too_small(area: Rect) -> bool {
    area.width < MIN_WIDTH || area.height < MIN_HEIGHT
}

/// Draws the whole screen at Unix time `now`; `visible` are the rows
/// [`super::filter::visible_entries`] gives for the app's filter.
pub fn render(frame: &mut Frame, app: &App, store: &dyn Store, visible: &[usize], now: u64) {
    let area = frame.area();
    if too_small(area) {
        render_too_small(frame, area);
        return;
    }
    let [title, filter, list, status, keys] = layout(area, app);
    render_title(frame, title, store, visible.len());
    render_filter(frame, filter, app);
    render_list(frame, list, app, store.entries(), visible, now);
    render_status(frame, status, app, now);
    render_keys(frame, keys, &app.mode);

    match app.mode {
        Mode::Add => render_add(frame, area, app),
        Mode::ConfirmDelete => render_confirm_delete(frame, area, app),
        Mode::Help => render_help(frame, area),
        Mode::Normal | Mode::Filter => {}
    }
}

fn render_too_small(frame: &mut Frame, area: Rect) {
    let text = format!(
        "Window too small: {}x{}. Tessera needs {MIN_WIDTH}x{MIN_HEIGHT}.",
        area.width, area.height
    );
    frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), area);
}

fn render_title(frame: &mut Frame, area: Rect, store: &dyn Store, count: usize) {
    let total = store.entries().len();
    let noun = if total == 1 { "account" } else { "accounts" };
    let shown = if count == total {
        format!("{total} {noun}")
    } else {
        format!("{count} of {total} {noun}")
    };
    let line = Line::from(vec![
        Span::styled(" Tessera ", Style::new().fg(Color::Black).bg(ACCENT).bold()),
        Span::raw(" "),
        Span::styled(shown, Style::new().bold()),
        Span::styled(format!("  {}", store.describe()), Style::new().dim()),
    ]);
    frame.render_widget(line, area);
}

fn render_filter(frame: &mut Frame, area: Rect, app: &App) {
    let line = match (&app.mode, app.filter.is_empty()) {
        (Mode::Filter, _) => Line::from(vec![
            Span::styled(" / ", Style::new().fg(ACCENT).bold()),
            Span::raw(app.filter.as_str()),
            Span::styled("▏", Style::new().fg(ACCENT)),
        ]),
        (_, false) => Line::from(vec![
            Span::styled(" / ", Style::new().dim()),
            Span::raw(app.filter.as_str()),
            Span::styled("   Esc clears", Style::new().dim()),
        ]),
        (_, true) => Line::styled(" Press / to search", Style::new().dim()),
    };
    frame.render_widget(line, area);
}

fn render_list(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    entries: &[Entry],
    visible: &[usize],
    now: u64,
) {
    if visible.is_empty() {
        let text = if entries.is_empty() {
            " No accounts yet. Press a and paste the otpauth:// link a site gives you.".to_owned()
        } else {
            format!(
                " Nothing matches \"{}\". Esc clears the search.",
                app.filter
            )
        };
        frame.render_widget(Paragraph::new(text).dim().wrap(Wrap { trim: false }), area);
        return;
    }

    let wide = area.width >= 64;
    let bar_width: u16 = match area.width {
        64.. => 10,
        44..64 => 5,
        _ => 0,
    };
    let rows = visible
        .iter()
        .enumerate()
        .skip(app.offset)
        .take(usize::from(area.height))
        .map(|(position, &index)| {
            let selected = position == app.selected;
            entry_row(&entries[index], app, now, bar_width, selected, wide)
        });

    let mut widths = vec![Constraint::Fill(2)];
    if wide {
        widths.push(Constraint::Fill(3));
    }
    widths.push(Constraint::Length(12));
    widths.push(Constraint::Length(bar_width + 5));
    frame.render_widget(Table::new(rows, widths).column_spacing(1), area);
}

fn entry_row<'a>(
    entry: &'a Entry,
    app: &App,
    now: u64,
    bar_width: u16,
    selected: bool,
    wide: bool,
) -> Row<'a> {
    let account = &entry.account;
    let marker = if selected { "▶ " } else { "  " };
    let issuer = if account.issuer.is_empty() {
        "—"
    } else {
        account.issuer.as_str()
    };
    let mut first = vec![
        Span::styled(marker, Style::new().fg(ACCENT)),
        Span::styled(issuer, Style::new().bold()),
    ];
    if !wide && !account.name.is_empty() {
        first.push(Span::styled(
            format!(" {}", account.name),
            Style::new().dim(),
        ));
    }
    let mut cells = vec![Cell::from(Line::from(first))];
    if wide {
        cells.push(Cell::from(Span::styled(
            account.name.as_str(),
            Style::new().dim(),
        )));
    }

    let (code, timer) = match account.kind {
        Kind::Hotp { counter } => hotp_cells(entry, app, counter),
        _ => totp_cells(entry, now, bar_width),
    };
    cells.push(code);
    cells.push(timer);

    let row = Row::new(cells);
    if selected {
        row.style(Style::new().bg(Color::Rgb(40, 44, 52)))
    } else {
        row
    }
}

fn totp_cells<'a>(entry: &Entry, now: u64, bar_width: u16) -> (Cell<'a>, Cell<'a>) {
    let account = &entry.account;
    let period = account.period().unwrap_or(30);
    let left = account.seconds_left(now).unwrap_or(0);
    let colour = if left <= WARN_SECONDS {
        Color::Red
    } else {
        Color::Green
    };

    let code = Span::styled(
        account.code_at(now).grouped(),
        Style::new().fg(colour).bold(),
    );
    let mut timer = Vec::new();
    if bar_width > 0 {
        timer.push(Span::styled(
            progress_bar(left, period, bar_width),
            Style::new().fg(colour).bg(Color::Rgb(50, 50, 50)),
        ));
    }
    timer.push(Span::styled(format!("{left:>3}s"), Style::new().fg(colour)));
    (Cell::from(code), Cell::from(Line::from(timer)))
}

fn hotp_cells<'a>(entry: &Entry, app: &App, counter: u64) -> (Cell<'a>, Cell<'a>) {
    match app.revealed.get(&entry.id) {
        Some(revealed) => (
            Cell::from(Span::styled(
                revealed.code.grouped(),
                Style::new().fg(Color::Yellow).bold(),
            )),
            Cell::from(Span::styled(
                format!("#{}", revealed.counter),
                Style::new().dim(),
            )),
        ),
        None => (
            Cell::from(Span::styled("••• •••", Style::new().dim())),
            Cell::from(Span::styled(
                format!("#{counter}  r: show"),
                Style::new().dim(),
            )),
        ),
    }
}

/// A bar `width` cells wide, full at the start of a period and empty at its
/// end, in eighths of a cell.
pub fn progress_bar(seconds_left: u64, period: u64, width: u16) -> String {
    const PARTS: [char; 8] = [' ', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];
    let period = period.max(1);
    let eighths = seconds_left.min(period) * u64::from(width) * 8 / period;
    let full = usize::try_from(eighths / 8).unwrap_or(0);
    let part = usize::try_from(eighths % 8).unwrap_or(0);

    let mut bar = "█".repeat(full);
    if full < usize::from(width) {
        bar.push(PARTS[part]);
        bar.push_str(&" ".repeat(usize::from(width) - full - 1));
    }
    bar
}

fn render_status(frame: &mut Frame, area: Rect, app: &App, now: u64) {
    let Some(status) = &app.status else { return };
    if !status.is_error && now.saturating_sub(status.since) > STATUS_SECONDS {
        return;
    }
    let style = if status.is_error {
        Style::new().fg(Color::Red)
    } else {
        Style::new().fg(Color::Green)
    };
    let text = Paragraph::new(format!(" {}", status.text))
        .style(style)
        .wrap(Wrap { trim: false });
    frame.render_widget(text, area);
}

fn render_keys(frame: &mut Frame, area: Rect, mode: &Mode) {
    let keys: &[(&str, &str)] = match mode {
        Mode::Normal => &[
            ("Enter", "copy"),
            ("/", "search"),
            ("a", "add"),
            ("?", "keys"),
            ("q", "quit"),
            ("n", "next code"),
            ("d", "delete"),
        ],
        Mode::Filter => &[
            ("type", "to search"),
            ("↑↓", "move"),
            ("Enter", "copy"),
            ("Tab", "keep"),
            ("Esc", "clear"),
        ],
        Mode::Add => &[("Enter", "save"), ("Esc", "cancel")],
        Mode::ConfirmDelete => &[("y", "delete"), ("any other key", "keep")],
        Mode::Help => &[("any key", "close")],
    };
    let mut spans = Vec::new();
    for (key, what) in keys {
        spans.push(Span::styled(
            format!(" {key}"),
            Style::new().fg(ACCENT).bold(),
        ));
        spans.push(Span::styled(format!(" {what} "), Style::new().dim()));
    }
    frame.render_widget(Line::from(spans), area);
}

/// A box of at most `width` x `height` in the middle of `area`, cleared.
fn popup(frame: &mut Frame, area: Rect, width: u16, height: u16, title: &str) -> Rect {
    let [row] = Layout::vertical([Constraint::Length(height.min(area.height))])
        .flex(Flex::Center)
        .areas(area);
    let [rect] = Layout::horizontal([Constraint::Length(width.min(area.width))])
        .flex(Flex::Center)
        .areas(row);
    let block = Block::bordered()
        .padding(Padding::horizontal(1))
        .border_type(BorderType::Rounded)
        .border_style(Style::new().fg(ACCENT))
        .title(format!(" {title} "));
    let inner = block.inner(rect);
    frame.render_widget(Clear, rect);
    frame.render_widget(block, rect);
    inner
}

fn render_add(frame: &mut Frame, area: Rect, app: &App) {
    let Some(dialog) = &app.add else { return };
    let inner = popup(frame, area, 78, 10, "Add an account");
    let field_width = usize::from(inner.width.saturating_sub(3));

    let mut lines = vec![
        Line::raw("Paste the otpauth:// link the site shows, or a QR screenshot's path."),
        Line::from(vec![
            Span::styled("> ", Style::new().fg(ACCENT).bold()),
            Span::raw(tail(&mask_secret(&dialog.input), field_width)),
            Span::styled("▏", Style::new().fg(ACCENT)),
        ]),
        Line::raw(""),
    ];
    match &dialog.preview {
        Ok(accounts) => {
            for account in accounts {
                lines.push(Line::styled(
                    format!("✓ {account}"),
                    Style::new().fg(Color::Green),
                ));
            }
        }
        Err(why) if !why.is_empty() => {
            lines.push(Line::styled(
                format!("✗ {why}"),
                Style::new().fg(Color::Red),
            ));
        }
        Err(_) => {}
    }
    for warning in &dialog.warnings {
        lines.push(Line::styled(
            format!("! {warning}"),
            Style::new().fg(Color::Yellow),
        ));
    }
    let hint = if dialog.preview.is_ok() {
        "Enter saves it · Esc cancels"
    } else {
        "Esc cancels"
    };
    lines.push(Line::styled(hint, Style::new().dim()));
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

/// The input with the secret's characters replaced by dots, so a pasted
/// link does not show its key on screen.
pub fn mask_secret(input: &str) -> String {
    let lower = input.to_ascii_lowercase();
    let start = if let Some(at) = lower.find("secret=") {
        at + "secret=".len()
    } else if lower.starts_with("steam://") {
        "steam://".len()
    } else {
        return input.to_owned();
    };
    let end = input[start..].find('&').map_or(input.len(), |i| start + i);
    let dots = "•".repeat(input[start..end].chars().count());
    format!("{}{dots}{}", &input[..start], &input[end..])
}

/// The last `width` characters of `text`.
fn tail(text: &str, width: usize) -> String {
    let count = text.chars().count();
    text.chars().skip(count.saturating_sub(width)).collect()
}

fn render_confirm_delete(frame: &mut Frame, area: Rect, app: &App) {
    let Some((_, summary)) = &app.pending_delete else {
        return;
    };
    let inner = popup(frame, area, 66, 7, "Delete");
    let lines = vec![
        Line::from(vec![
            Span::raw("Delete "),
            Span::styled(summary.as_str(), Style::new().bold()),
            Span::raw("?"),
        ]),
        Line::raw("Without its secret you cannot get these codes back."),
        Line::raw(""),
        Line::from(vec![
            Span::styled(
                "y",
                Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
            ),
            Span::raw(" deletes · any other key keeps it"),
        ]),
    ];
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

fn render_help(frame: &mut Frame, area: Rect) {
    const KEYS: [(&str, &str); 13] = [
        ("Enter, c", "copy the selected code"),
        ("n", "copy the next code (before this one expires)"),
        ("r, Space", "HOTP: generate and show the next code"),
        ("/", "search (fuzzy); Enter copies the top match"),
        ("Esc", "clear the search, close a dialog"),
        ("↑ ↓, j k", "move; mouse wheel scrolls"),
        ("PgUp PgDn", "move by ten"),
        ("g G", "first, last"),
        ("a", "add an account (paste its otpauth:// link)"),
        ("d", "delete the selected account"),
        ("?", "this help"),
        ("q, Ctrl-C", "quit"),
        ("", "Pasting a link anywhere opens the add dialog."),
    ];
    let inner = popup(frame, area, 66, 15, "Keys");
    let lines: Vec<Line> = KEYS
        .iter()
        .map(|(key, what)| {
            Line::from(vec![
                Span::styled(format!("{key:>10}  "), Style::new().fg(ACCENT).bold()),
                Span::raw(*what),
            ])
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bar_is_full_at_the_start_and_empty_at_the_end() {
        assert_eq!(progress_bar(30, 30, 10), "██████████");
        assert_eq!(progress_bar(0, 30, 10), "          ");
    }

    #[test]
    fn bar_shows_half_a_period_as_half_the_cells() {
        assert_eq!(progress_bar(15, 30, 10), "█████     ");
        assert_eq!(progress_bar(5, 60, 4), "▎   ");
    }

    #[test]
    fn status_rows_follow_word_wrapping() {
        assert_eq!(wrapped_rows("short", 80), 1);
        assert_eq!(wrapped_rows("aaaa bbbb cccc", 9), 2);
        assert_eq!(wrapped_rows("aaaa bbbb cccc", 4), 3);
    }

    #[test]
    fn masking_hides_the_secret_but_keeps_the_rest() {
        assert_eq!(
            mask_secret("otpauth://totp/X?secret=ABCD&issuer=X"),
            "otpauth://totp/X?secret=••••&issuer=X"
        );
        assert_eq!(mask_secret("steam://ABC"), "steam://•••");
        assert_eq!(mask_secret("not a uri"), "not a uri");
    }
}
