//! Turning terminal events into [`Action`]s, one mode at a time. Pure: the
//! tests feed it events without a terminal.

use crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseEventKind};

use super::state::{Action, Mode};

/// The action an event asks for in `mode`, if any.
pub fn action_for(event: &Event, mode: &Mode) -> Option<Action> {
    match event {
        Event::Key(key) if key.kind != KeyEventKind::Release => action_for_key(key, mode),
        Event::Paste(text) => Some(Action::Paste(text.clone())),
        Event::Mouse(mouse) => match mouse.kind {
            MouseEventKind::ScrollUp => Some(Action::Up),
            MouseEventKind::ScrollDown => Some(Action::Down),
            _ => None,
        },
        _ => None,
    }
}

fn action_for_key(key: &KeyEvent, mode: &Mode) -> Option<Action> {
    if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
        return Some(Action::Quit);
    }
    match mode {
        Mode::Normal => normal(key),
        Mode::Filter => filter(key),
        Mode::Add => text_field(key),
        Mode::ConfirmDelete => match key.code {
            KeyCode::Char('y' | 'Y') => Some(Action::ConfirmDelete),
            _ => Some(Action::Cancel),
        },
        Mode::Help => Some(Action::ToggleHelp),
    }
}

fn movement(key: &KeyEvent) -> Option<Action> {
    match key.code {
        KeyCode::Up => Some(Action::Up),
        KeyCode::Down => Some(Action::Down),
        KeyCode::PageUp => Some(Action::PageUp),
        KeyCode::PageDown => Some(Action::PageDown),
        KeyCode::Home => Some(Action::Top),
        KeyCode::End => Some(Action::Bottom),
        _ => None,
    }
}

fn normal(key: &KeyEvent) -> Option<Action> {
    movement(key).or(match key.code {
        KeyCode::Char('q') => Some(Action::Quit),
        KeyCode::Char('k') => Some(Action::Up),
        KeyCode::Char('j') => Some(Action::Down),
        KeyCode::Char('g') => Some(Action::Top),
        KeyCode::Char('G') => Some(Action::Bottom),
        KeyCode::Enter | KeyCode::Char('c' | 'y') => Some(Action::Copy),
        KeyCode::Char('n') => Some(Action::CopyNext),
        KeyCode::Char('r' | ' ') => Some(Action::Reveal),
        KeyCode::Char('/') => Some(Action::StartFilter),
        KeyCode::Esc => Some(Action::Cancel),
        KeyCode::Char('a' | '+') => Some(Action::StartAdd),
        KeyCode::Char('d') | KeyCode::Delete => Some(Action::StartDelete),
        KeyCode::Char('?') | KeyCode::F(1) => Some(Action::ToggleHelp),
        _ => None,
    })
}

fn filter(key: &KeyEvent) -> Option<Action> {
    if key.code == KeyCode::Tab {
        return Some(Action::AcceptFilter);
    }
    movement(key).or_else(|| text_field(key))
}

fn text_field(key: &KeyEvent) -> Option<Action> {
    if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('u') {
        return Some(Action::ClearInput);
    }
    match key.code {
        KeyCode::Enter => Some(Action::Submit),
        KeyCode::Esc => Some(Action::Cancel),
        KeyCode::Backspace => Some(Action::Backspace),
        KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
            Some(Action::Input(c))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(code: KeyCode) -> Event {
        Event::Key(KeyEvent::new(code, KeyModifiers::NONE))
    }

    #[test]
    fn letters_are_commands_in_the_list_but_text_in_the_filter() {
        assert_eq!(
            action_for(&press(KeyCode::Char('q')), &Mode::Normal),
            Some(Action::Quit)
        );
        assert_eq!(
            action_for(&press(KeyCode::Char('q')), &Mode::Filter),
            Some(Action::Input('q'))
        );
    }

    #[test]
    fn enter_copies_from_the_list_and_the_filter() {
        assert_eq!(
            action_for(&press(KeyCode::Enter), &Mode::Normal),
            Some(Action::Copy)
        );
        assert_eq!(
            action_for(&press(KeyCode::Enter), &Mode::Filter),
            Some(Action::Submit)
        );
    }

    #[test]
    fn only_y_confirms_a_delete() {
        assert_eq!(
            action_for(&press(KeyCode::Char('y')), &Mode::ConfirmDelete),
            Some(Action::ConfirmDelete)
        );
        assert_eq!(
            action_for(&press(KeyCode::Enter), &Mode::ConfirmDelete),
            Some(Action::Cancel)
        );
    }

    #[test]
    fn ctrl_c_quits_from_any_mode() {
        let ctrl_c = Event::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL));

        assert_eq!(action_for(&ctrl_c, &Mode::Add), Some(Action::Quit));
    }

    #[test]
    fn paste_is_passed_through_whole() {
        let paste = Event::Paste("otpauth://totp/x?secret=AB".to_owned());

        assert_eq!(
            action_for(&paste, &Mode::Normal),
            Some(Action::Paste("otpauth://totp/x?secret=AB".to_owned()))
        );
    }
}
