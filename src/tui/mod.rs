//! The terminal interface: live codes with countdown bars, fuzzy search,
//! one key to copy, an add dialog that takes a pasted link.
//!
//! [`state`] holds the state and its update, [`keys`] maps events to
//! actions, [`view`] draws; this module runs the loop that joins them.

pub mod add;
pub mod filter;
pub mod keys;
pub mod state;
pub mod terminal;
pub mod view;

use std::time::Duration;

use anyhow::{Context as _, Result};
use crossterm::event;
use ratatui::layout::Rect;

use crate::app::store::Store;
use crate::clipboard::Clipboard;
use crate::clock::{now_unix, until_next_second};
use state::{App, Context};
use terminal::{Screen, Signals};

/// Something that can copy a code and say how it did.
pub trait Copier {
    fn copy(&mut self, text: &str) -> Result<String, String>;
}

impl Copier for Clipboard {
    fn copy(&mut self, text: &str) -> Result<String, String> {
        Clipboard::copy(self, text).map_err(|error| error.to_string())
    }
}

/// The longest the loop sleeps, so a signal is noticed promptly.
const MAX_WAIT: Duration = Duration::from_millis(250);

/// How often to look for changes another process saved (a cheap metadata
/// check; the file is only read when it changed).
const REFRESH_SECONDS: u64 = 2;

/// Runs the interface until the user quits or a signal arrives.
/// `notice`, if any, is shown in the status line from the start (e.g. a
/// vault readable by others, which the terminal would otherwise hide).
pub fn run(store: &mut dyn Store, mut clipboard: Clipboard, notice: Option<String>) -> Result<()> {
    let signals = Signals::register().context("Could not install the signal handlers")?;
    let mut screen = Screen::enter().context("Could not take over the terminal")?;
    let mut app = App::new();
    if let Some(notice) = notice {
        app.report_error(notice, now_unix(0));
    }
    event_loop(&mut screen, &mut app, store, &mut clipboard, &signals)
}

fn event_loop(
    screen: &mut Screen,
    app: &mut App,
    store: &mut dyn Store,
    copier: &mut dyn Copier,
    signals: &Signals,
) -> Result<()> {
    let mut drawn_at = None;
    let mut refreshed_at = now_unix(0);
    let mut dirty = true;
    loop {
        let now = now_unix(0);
        if now >= refreshed_at + REFRESH_SECONDS {
            refreshed_at = now;
            dirty |= refresh(app, store, now);
        }
        if dirty || drawn_at != Some(now) {
            draw(screen, app, store, now)?;
            drawn_at = Some(now);
            dirty = false;
        }
        if app.quit || signals.caught() {
            return Ok(());
        }
        if !event::poll(until_next_second().min(MAX_WAIT))? {
            continue;
        }
        // Handle everything that is waiting before drawing again.
        loop {
            let event = event::read()?;
            if let Some(action) = keys::action_for(&event, &app.mode) {
                let mut cx = Context {
                    store: &mut *store,
                    copier: &mut *copier,
                    now: now_unix(0),
                };
                app.update(action, &mut cx);
                app.settle_status(now_unix(0));
            }
            dirty = true;
            if app.quit || !event::poll(Duration::ZERO)? {
                break;
            }
        }
    }
}

/// Folds in another process's changes; a failure is shown, not fatal.
fn refresh(app: &mut App, store: &mut dyn Store, now: u64) -> bool {
    match store.refresh() {
        Ok(changed) => changed,
        Err(error) => {
            app.report_error(format!("Could not re-read the vault: {error:#}"), now);
            true
        }
    }
}

fn draw(screen: &mut Screen, app: &mut App, store: &dyn Store, now: u64) -> Result<()> {
    let size = screen.terminal.size()?;
    let area = Rect::new(0, 0, size.width, size.height);
    let visible = filter::visible_entries(store.entries(), &app.filter);
    app.fit(view::list_height(area, app), visible.len());
    screen
        .terminal
        .draw(|frame| view::render(frame, app, store, &visible, now))?;
    Ok(())
}
