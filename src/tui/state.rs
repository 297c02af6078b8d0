//! The interface's state and how actions change it. No terminal here: keys
//! become [`Action`]s in [`super::keys`], the view only reads this state.

use std::collections::HashMap;

use zeroize::Zeroizing;

use super::Copier;
use super::add::AddDialog;
use super::filter::visible_entries;
use crate::app::describe;
use crate::app::store::Store;
use crate::otp::{Account, Code, Kind};

/// Everything the user can ask for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Quit,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    /// Copy the selected code (HOTP: generate, save, show and copy the next one).
    Copy,
    /// Copy the code that follows the current one (TOTP and Steam).
    CopyNext,
    /// Show the next HOTP code without copying it.
    Reveal,
    StartFilter,
    /// Leave the filter field, keeping the filter.
    AcceptFilter,
    ClearFilter,
    StartAdd,
    StartDelete,
    ConfirmDelete,
    ToggleHelp,
    /// Type a character into the field that has focus.
    Input(char),
    Backspace,
    /// A bracketed paste.
    Paste(String),
    /// Enter in a dialog.
    Submit,
    /// Esc in a dialog.
    Cancel,
}

/// What has the keyboard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    Normal,
    Filter,
    Add,
    ConfirmDelete,
    Help,
}

/// A line for the status bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub text: String,
    pub is_error: bool,
    /// Unix seconds when it was set; informational lines fade after a while.
    pub since: u64,
}

/// A HOTP code that was generated and may be shown.
pub struct Revealed {
    pub counter: u64,
    pub code: Code,
}

/// The interface's whole state.
pub struct App {
    pub mode: Mode,
    pub filter: String,
    /// Index into the visible (filtered, sorted) entries.
    pub selected: usize,
    /// First visible row of the list.
    pub offset: usize,
    pub add: Option<AddDialog>,
    /// The entry a delete confirmation is about: (id, description).
    pub pending_delete: Option<(String, String)>,
    pub status: Option<Status>,
    /// Generated HOTP codes by entry id.
    pub revealed: HashMap<String, Revealed>,
    pub quit: bool,
    /// Set when an action set the status; see [`App::settle_status`].
    status_fresh: bool,
}

/// What `update` may touch besides the state.
pub struct Context<'a> {
    pub store: &'a mut dyn Store,
    pub copier: &'a mut dyn Copier,
    pub now: u64,
}

impl Default for App {
    fn default() -> Self {
        Self::new()
    }
}

impl App {
    pub fn new() -> Self {
        App {
            mode: Mode::Normal,
            filter: String::new(),
            selected: 0,
            offset: 0,
            add: None,
            pending_delete: None,
            status: None,
            revealed: HashMap::new(),
            quit: false,
            status_fresh: false,
        }
    }

    /// Applies one action.
    pub fn update(&mut self, action: Action, cx: &mut Context<'_>) {
        let count = visible_entries(cx.store.entries(), &self.filter).len();
        match action {
            Action::Quit => self.quit = true,
            Action::Up => self.select(self.selected.saturating_sub(1), count),
            Action::Down => self.select(self.selected.saturating_add(1), count),
            Action::PageUp => self.select(self.selected.saturating_sub(10), count),
            Action::PageDown => self.select(self.selected.saturating_add(10), count),
            Action::Top => self.select(0, count),
            Action::Bottom => self.select(count.saturating_sub(1), count),
            Action::Copy => self.copy_selected(cx, false),
            Action::CopyNext => self.copy_selected(cx, true),
            Action::Reveal => self.reveal_selected(cx),
            Action::StartFilter => self.mode = Mode::Filter,
            Action::AcceptFilter => self.mode = Mode::Normal,
            Action::ClearFilter => self.clear_filter(),
            Action::StartAdd => self.open_add(String::new()),
            Action::StartDelete => self.ask_delete(cx),
            Action::ConfirmDelete => self.delete(cx),
            Action::ToggleHelp => self.toggle_help(),
            Action::Input(c) => self.input(&c.to_string(), cx),
            Action::Paste(text) => self.paste(&text, cx),
            Action::Backspace => self.backspace(cx),
            Action::Submit => self.submit(cx),
            Action::Cancel => self.cancel(),
        }
    }

    /// Keeps the selection on screen in a list `height` rows tall.
    pub fn fit(&mut self, height: usize, count: usize) {
        self.selected = self.selected.min(count.saturating_sub(1));
        if height == 0 {
            return;
        }
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + height {
            self.offset = self.selected + 1 - height;
        }
        self.offset = self.offset.min(count.saturating_sub(height));
    }

    fn select(&mut self, index: usize, count: usize) {
        self.selected = index.min(count.saturating_sub(1));
    }

    fn say(&mut self, text: impl Into<String>, now: u64) {
        self.set_status(text.into(), false, now);
    }

    fn complain(&mut self, text: impl Into<String>, now: u64) {
        self.set_status(text.into(), true, now);
    }

    /// Shows an error that did not come from an action (e.g. a failed re-read).
    pub fn report_error(&mut self, text: impl Into<String>, now: u64) {
        self.complain(text, now);
    }

    fn set_status(&mut self, text: String, is_error: bool, now: u64) {
        self.status = Some(Status {
            text,
            is_error,
            since: now,
        });
        self.status_fresh = true;
    }

    /// Restarts the fade of a status the last action set, from `now`: an
    /// action that took long (a slow save) still shows its result in full.
    pub fn settle_status(&mut self, now: u64) {
        if std::mem::take(&mut self.status_fresh)
            && let Some(status) = &mut self.status
        {
            status.since = now;
        }
    }

    /// The id and account of the selected row, if any.
    fn selected_entry(&self, store: &dyn Store) -> Option<(String, Account)> {
        let entries = store.entries();
        let visible = visible_entries(entries, &self.filter);
        let index = *visible.get(self.selected)?;
        let entry = &entries[index];
        Some((entry.id.clone(), entry.account.clone()))
    }

    fn copy_selected(&mut self, cx: &mut Context<'_>, next: bool) {
        let Some((id, account)) = self.selected_entry(cx.store) else {
            self.complain("Nothing to copy: no account is selected.", cx.now);
            return;
        };
        let (code, what) = match (account.kind, next) {
            (Kind::Hotp { .. }, _) => match self.generate_hotp(&id, &account, cx) {
                Some(code) => (code, "the next HOTP code"),
                None => return,
            },
            (_, false) => (account.code_at(cx.now), "the code"),
            (_, true) => {
                let left = account.seconds_left(cx.now).unwrap_or(0);
                (account.code_at(cx.now + left), "the next code")
            }
        };
        let whose = if account.issuer.is_empty() {
            &account.name
        } else {
            &account.issuer
        };
        match cx.copier.copy(code.as_str()) {
            Ok(how) => self.say(format!("{how}: {what} for {whose}."), cx.now),
            Err(why) => self.complain(format!("Could not copy: {why}"), cx.now),
        }
    }

    fn reveal_selected(&mut self, cx: &mut Context<'_>) {
        let Some((id, account)) = self.selected_entry(cx.store) else {
            return;
        };
        if !matches!(account.kind, Kind::Hotp { .. }) {
            self.say("Time-based codes are always shown; Enter copies.", cx.now);
            return;
        }
        if self.generate_hotp(&id, &account, cx).is_some() {
            self.say(
                format!(
                    "New HOTP code for {}; the counter was saved.",
                    account.label()
                ),
                cx.now,
            );
        }
    }

    /// Advances and saves the counter, then remembers and returns its code.
    fn generate_hotp(&mut self, id: &str, account: &Account, cx: &mut Context<'_>) -> Option<Code> {
        match cx.store.next_hotp(id, cx.now) {
            Ok(counter) => {
                let mut at_counter = account.clone();
                at_counter.kind = Kind::Hotp { counter };
                let code = at_counter.code_at(cx.now);
                self.revealed.insert(
                    id.to_owned(),
                    Revealed {
                        counter,
                        code: code.clone(),
                    },
                );
                Some(code)
            }
            Err(error) => {
                self.complain(format!("{error:#}"), cx.now);
                None
            }
        }
    }

    fn clear_filter(&mut self) {
        self.filter.clear();
        self.selected = 0;
        self.mode = Mode::Normal;
    }

    fn toggle_help(&mut self) {
        self.mode = if self.mode == Mode::Help {
            Mode::Normal
        } else {
            Mode::Help
        };
    }

    fn open_add(&mut self, text: String) {
        self.add = Some(AddDialog::new(text));
        self.mode = Mode::Add;
    }

    fn input(&mut self, text: &str, cx: &mut Context<'_>) {
        match self.mode {
            Mode::Filter => {
                self.filter.push_str(text);
                self.selected = 0;
            }
            Mode::Add => {
                if let Some(dialog) = &mut self.add {
                    dialog.push_str(text);
                }
            }
            _ => self.say("Press ? to see the keys.", cx.now),
        }
    }

    /// A paste goes into the field with focus; outside any field a pasted
    /// URI opens the add dialog with it.
    fn paste(&mut self, text: &str, cx: &mut Context<'_>) {
        let text = Zeroizing::new(text.trim().replace(['\r', '\n'], ""));
        match self.mode {
            Mode::Filter | Mode::Add => self.input(&text, cx),
            _ => self.open_add(text.to_string()),
        }
    }

    fn backspace(&mut self, cx: &mut Context<'_>) {
        let _ = cx;
        match self.mode {
            Mode::Filter => {
                self.filter.pop();
                self.selected = 0;
            }
            Mode::Add => {
                if let Some(dialog) = &mut self.add {
                    dialog.pop();
                }
            }
            _ => {}
        }
    }

    fn submit(&mut self, cx: &mut Context<'_>) {
        match self.mode {
            Mode::Add => self.save_added(cx),
            Mode::ConfirmDelete => self.delete(cx),
            Mode::Filter => {
                self.mode = Mode::Normal;
                self.copy_selected(cx, false);
            }
            Mode::Help => self.mode = Mode::Normal,
            Mode::Normal => self.copy_selected(cx, false),
        }
    }

    fn save_added(&mut self, cx: &mut Context<'_>) {
        let Some(dialog) = &self.add else { return };
        if dialog.accounts.is_empty() {
            let why = dialog.preview.as_ref().err().map_or("", String::as_str);
            let why = if why.is_empty() {
                "paste an otpauth:// link first"
            } else {
                why
            };
            self.complain(format!("Not added: {why}"), cx.now);
            return;
        }
        let accounts = dialog.accounts.clone();
        let summary = match accounts.as_slice() {
            [one] => describe(one),
            many => format!("{} accounts", many.len()),
        };
        match cx.store.add_all(accounts, cx.now) {
            Ok(ids) => {
                self.add = None;
                self.mode = Mode::Normal;
                self.filter.clear();
                if let Some(id) = ids.first() {
                    self.select_id(id, cx.store);
                }
                self.say(format!("Added {summary}."), cx.now);
            }
            Err(error) => self.complain(format!("{error:#}"), cx.now),
        }
    }

    fn select_id(&mut self, id: &str, store: &dyn Store) {
        let entries = store.entries();
        let visible = visible_entries(entries, &self.filter);
        if let Some(position) = visible.iter().position(|&i| entries[i].id == id) {
            self.selected = position;
        }
    }

    fn cancel(&mut self) {
        match self.mode {
            Mode::Filter => self.clear_filter(),
            Mode::Normal if !self.filter.is_empty() => self.clear_filter(),
            _ => {
                self.add = None;
                self.pending_delete = None;
                self.mode = Mode::Normal;
            }
        }
    }

    fn ask_delete(&mut self, cx: &mut Context<'_>) {
        let Some((id, account)) = self.selected_entry(cx.store) else {
            self.complain("Nothing to delete: no account is selected.", cx.now);
            return;
        };
        self.pending_delete = Some((id, describe(&account)));
        self.mode = Mode::ConfirmDelete;
    }

    fn delete(&mut self, cx: &mut Context<'_>) {
        let Some((id, summary)) = self.pending_delete.take() else {
            return;
        };
        self.mode = Mode::Normal;
        match cx.store.remove(&id, cx.now) {
            Ok(()) => {
                self.revealed.remove(&id);
                self.say(format!("Deleted {summary}."), cx.now);
            }
            Err(error) => self.complain(format!("{error:#}"), cx.now),
        }
    }
}
