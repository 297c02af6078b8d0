//! Screen tests: the interface drawn into ratatui's TestBackend at a fixed
//! time, driven with the same events a terminal would send.

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tessera::app::demo;
use tessera::app::store::{MemoryStore, Store};
use tessera::otp::Kind;
use tessera::tui::state::{App, Context, Mode};
use tessera::tui::{Copier, filter, keys, view};

/// 2023-11-14 22:13:20 UTC: 10 s into a 30 s period, 20 s into a 60 s one.
const T: u64 = 1_700_000_000;

#[derive(Default)]
struct Recorder {
    copied: Vec<String>,
}

impl Copier for Recorder {
    fn copy(&mut self, text: &str) -> Result<String, String> {
        self.copied.push(text.to_owned());
        Ok("Copied via test".to_owned())
    }
}

struct Harness {
    app: App,
    store: MemoryStore,
    copier: Recorder,
    now: u64,
}

impl Harness {
    fn demo() -> Self {
        Harness {
            app: App::new(),
            store: MemoryStore::new(demo::accounts(), T),
            copier: Recorder::default(),
            now: T,
        }
    }

    fn empty() -> Self {
        Harness {
            app: App::new(),
            store: MemoryStore::new(Vec::new(), T),
            copier: Recorder::default(),
            now: T,
        }
    }

    fn send(&mut self, event: &Event) {
        if let Some(action) = keys::action_for(event, &self.app.mode) {
            let mut cx = Context {
                store: &mut self.store,
                copier: &mut self.copier,
                now: self.now,
            };
            self.app.update(action, &mut cx);
        }
    }

    fn press(&mut self, code: KeyCode) {
        self.send(&Event::Key(KeyEvent::new(code, KeyModifiers::NONE)));
    }

    fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            self.press(KeyCode::Char(c));
        }
    }

    fn screen(&mut self, width: u16, height: u16) -> String {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test backend");
        let area = ratatui::layout::Rect::new(0, 0, width, height);
        let visible = filter::visible_entries(self.store.entries(), &self.app.filter);
        self.app
            .fit(view::list_height(area, &self.app), visible.len());
        terminal
            .draw(|frame| view::render(frame, &self.app, &self.store, &visible, self.now))
            .expect("draws");
        let buffer = terminal.backend().buffer();
        let mut text = String::new();
        for y in 0..height {
            for x in 0..width {
                text.push_str(buffer[(x, y)].symbol());
            }
            text.push('\n');
        }
        text
    }

    fn row_of(&mut self, needle: &str) -> String {
        self.screen(80, 24)
            .lines()
            .find(|line| line.contains(needle))
            .unwrap_or_else(|| panic!("no row with {needle:?}"))
            .to_owned()
    }
}

#[test]
fn list_shows_grouped_codes_and_each_periods_own_countdown() {
    let mut h = Harness::demo();

    let example = h.row_of("alice@example.com");
    let bank = h.row_of("Example Bank");
    let quick = h.row_of("Quick Demo");

    assert!(
        example.contains("324 550") && example.contains("10s"),
        "{example}"
    );
    assert!(bank.contains("40s"), "{bank}");
    assert!(quick.contains("10s"), "{quick}");
}

#[test]
fn eight_digit_and_steam_codes_are_shown_as_users_type_them() {
    let mut h = Harness::demo();

    let steam = h.row_of("Steam");

    assert!(steam.contains("2KM2P"), "{steam}");
}

#[test]
fn hotp_code_is_hidden_until_asked_and_the_counter_advances() {
    let mut h = Harness::demo();
    let hidden = h.row_of("RFC 4226");
    assert!(hidden.contains("#0") && !hidden.contains("755"), "{hidden}");

    h.press(KeyCode::End);
    h.press(KeyCode::Char('r'));

    assert!(h.row_of("RFC 4226").contains("755 224"));
    let counter = h
        .store
        .entries()
        .iter()
        .find(|e| e.account.issuer == "RFC 4226")
        .map(|e| e.account.kind);
    assert_eq!(counter, Some(Kind::Hotp { counter: 1 }));
}

#[test]
fn typing_a_filter_then_enter_copies_the_match() {
    let mut h = Harness::demo();

    h.press(KeyCode::Char('/'));
    h.type_text("stm");
    let screen = h.screen(80, 24);
    h.press(KeyCode::Enter);

    assert!(screen.contains("1 of 6 accounts"), "{screen}");
    assert!(!screen.contains("Example Bank"), "{screen}");
    assert_eq!(h.copier.copied, ["2KM2P"]);
    assert!(h.screen(80, 24).contains("Copied via test"));
}

#[test]
fn escape_clears_the_filter() {
    let mut h = Harness::demo();
    h.press(KeyCode::Char('/'));
    h.type_text("zzz");
    assert!(h.screen(80, 24).contains("Nothing matches"));

    h.press(KeyCode::Esc);

    assert_eq!(h.app.mode, Mode::Normal);
    assert!(h.screen(80, 24).contains("6 accounts"));
}

#[test]
fn pasting_a_link_previews_it_and_enter_saves_it() {
    let mut h = Harness::demo();
    let uri = "otpauth://totp/ACME%20Co:jane@acme.test?secret=KRSXG5CTMVRXEZLU&issuer=ACME%20Co";

    h.press(KeyCode::Char('a'));
    h.send(&Event::Paste(uri.to_owned()));
    let dialog = h.screen(80, 24);
    h.press(KeyCode::Enter);

    assert!(dialog.contains("ACME Co: jane@acme.test"), "{dialog}");
    assert!(
        !dialog.contains("KRSXG5CTMVRXEZLU"),
        "the secret is masked: {dialog}"
    );
    assert_eq!(h.store.entries().len(), 7);
    assert!(h.row_of("jane@acme.test").contains("ACME Co"));
}

#[test]
fn a_bad_link_says_what_is_wrong_and_adds_nothing() {
    let mut h = Harness::demo();

    h.press(KeyCode::Char('a'));
    h.send(&Event::Paste("otpauth://totp/X?secret=AB1C".to_owned()));
    let dialog = h.screen(80, 24);
    h.press(KeyCode::Enter);

    assert!(dialog.contains("position 3"), "{dialog}");
    assert_eq!(h.store.entries().len(), 6);
}

#[test]
fn delete_asks_first_and_only_y_deletes() {
    let mut h = Harness::demo();

    h.press(KeyCode::Char('d'));
    assert!(
        h.screen(80, 24)
            .contains("Delete Example: alice@example.com")
    );
    h.press(KeyCode::Char('n'));
    assert_eq!(h.store.entries().len(), 6);

    h.press(KeyCode::Char('d'));
    h.press(KeyCode::Char('y'));
    assert_eq!(h.store.entries().len(), 5);
    let screen = h.screen(80, 24);
    assert!(
        screen.contains("Deleted Example: alice@example.com"),
        "{screen}"
    );
    assert!(!screen.contains("324 550"), "the row is gone: {screen}");
}

#[test]
fn help_lists_the_keys() {
    let mut h = Harness::demo();

    h.press(KeyCode::Char('?'));

    assert!(h.screen(80, 24).contains("copy the selected code"));
}

#[test]
fn a_tiny_window_says_it_is_too_small() {
    let mut h = Harness::demo();

    assert!(h.screen(20, 5).contains("too small"));
}

#[test]
fn every_size_draws_without_panicking() {
    let mut h = Harness::demo();
    h.press(KeyCode::Char('a'));
    // Every small size, where layouts break, then a spread of larger ones.
    let small = (1..=45).flat_map(|w| (1..=12).map(move |h| (w, h)));
    let large = [(80, 24), (100, 30), (200, 60), (46, 13), (64, 20), (63, 24)];
    for (width, height) in small.chain(large) {
        h.screen(width, height);
    }
}

#[test]
fn moving_down_keeps_the_selection_on_screen() {
    let mut h = Harness::demo();
    for _ in 0..5 {
        h.press(KeyCode::Down);
    }

    let screen = h.screen(80, 7);

    assert!(screen.contains("▶ RFC 4226"), "{screen}");
}

#[test]
fn the_add_dialog_takes_the_path_of_a_qr_screenshot() {
    let mut h = Harness::empty();
    let image = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/import/qr-two-codes.png"
    );

    h.press(KeyCode::Char('a'));
    h.send(&Event::Paste(format!("file://{image}")));
    let dialog = h.screen(100, 30);
    h.press(KeyCode::Enter);

    assert_eq!(dialog.matches('✓').count(), 2, "{dialog}");
    assert_eq!(h.store.entries().len(), 2);
    assert!(h.screen(80, 24).contains("Added 2 accounts"));
}

#[test]
fn adding_an_account_already_there_is_refused_with_its_name() {
    let mut h = Harness::demo();

    h.press(KeyCode::Char('a'));
    h.send(&Event::Paste(
        "otpauth://totp/Example:alice@example.com?secret=JBSWY3DPEHPK3PXP".to_owned(),
    ));
    h.press(KeyCode::Enter);

    assert_eq!(h.store.entries().len(), 6);
    assert!(h.screen(100, 24).contains("already in the vault"));
}

#[test]
fn a_long_status_wraps_instead_of_losing_its_end() {
    let mut h = Harness::demo();
    h.press(KeyCode::Char('a'));
    h.send(&Event::Paste("otpauth://totp/X?secret=AB1C".to_owned()));
    h.press(KeyCode::Enter);
    h.press(KeyCode::Esc);

    let screen = h.screen(50, 12);

    assert!(screen.contains("copied whole"), "{screen}");
}

#[test]
fn a_narrow_window_still_shows_the_account_name() {
    let mut h = Harness::demo();

    let screen = h.screen(44, 12);

    assert!(screen.contains("Example alice@"), "{screen}");
}

#[test]
fn a_new_paste_replaces_a_link_that_did_not_parse() {
    let mut h = Harness::empty();
    h.press(KeyCode::Char('a'));
    h.send(&Event::Paste("otpauth://totp/X?secret=AB1C".to_owned()));

    h.send(&Event::Paste(
        "otpauth://totp/Y:y?secret=JBSWY3DPEHPK3PXP".to_owned(),
    ));
    h.press(KeyCode::Enter);

    assert_eq!(h.store.entries().len(), 1);
    assert_eq!(h.store.entries()[0].account.issuer, "Y");
}

#[test]
fn ctrl_u_clears_the_add_field_and_q_closes_help_without_quitting() {
    let mut h = Harness::empty();
    h.press(KeyCode::Char('a'));
    h.type_text("otpauth://");
    h.send(&Event::Key(KeyEvent::new(
        KeyCode::Char('u'),
        KeyModifiers::CONTROL,
    )));
    assert!(h.app.add.as_ref().is_some_and(|d| d.input.is_empty()));

    h.press(KeyCode::Esc);
    h.press(KeyCode::Char('?'));
    h.press(KeyCode::Char('q'));

    assert!(!h.app.quit);
    assert_eq!(h.app.mode, Mode::Normal);
}
