//! Copying codes: the system clipboard, OSC 52, tmux and screen.
//!
//! [`route`] decides from the [`Environment`] which way a copy goes; a
//! [`Clipboard`] carries it out and says in its status which way it took.
//! Every path either reports what it did or fails with the reason: there is
//! no silent no-op.
//!
//! What tmux does with each thing we can send (measured with tmux 3.3a and an
//! attached `xterm-256color` client):
//!
//! | sent from a pane          | default options¹    | `set-clipboard on`  | `allow-passthrough on` |
//! | ------------------------- | ------------------- | ------------------- | ---------------------- |
//! | `tmux load-buffer -w -`   | buffer + terminal   | buffer + terminal   | buffer + terminal      |
//! | plain OSC 52              | dropped             | buffer + terminal   | dropped                |
//! | OSC 52 in DCS passthrough | dropped             | dropped             | terminal only          |
//!
//! ¹ `set-clipboard external`, `allow-passthrough off`. `load-buffer -w`
//! reaches the terminal even with `set-clipboard off`; tmux re-sends it as
//! `ESC ] 52 ; ; <base64>` (empty selection). Hence the tmux route tries
//! `load-buffer -w` first and, if that fails, sends both OSC 52 forms.

mod osc52;
mod route;
mod system;
mod tmux;

use std::fmt;
use std::io::{self, Write};
use std::time::{Duration, Instant};

pub use route::{DisplayServer, Environment, Multiplexer, Route, Wrap, route};

use system::{Arboard, SystemClipboard};
use tmux::{LoadBuffer, TmuxCommand};

/// Which way to copy, from `--clipboard`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Method {
    /// OSC 52 over SSH or without a display, the system clipboard otherwise.
    #[default]
    Auto,
    /// The system clipboard (X11/Wayland/macOS/Windows) via arboard.
    System,
    /// The OSC 52 escape sequence, wrapped for tmux/screen when inside them.
    Osc52,
    /// `tmux load-buffer -w -`.
    Tmux,
}

/// Why copying failed, in words for the status line.
#[derive(Debug, thiserror::Error)]
pub enum ClipboardError {
    #[error("no display for the system clipboard; use --clipboard osc52")]
    NoDisplay,
    #[error("the system clipboard failed: {0}; use --clipboard osc52")]
    System(String),
    #[error("tmux load-buffer failed: {0}; use --clipboard osc52, or tmux 3.2 or newer")]
    TmuxLoadBuffer(String),
    #[error("could not write OSC 52 to the terminal: {0}; use --clipboard system")]
    Terminal(#[source] io::Error),
    #[error(
        "{failure}, and the OSC 52 fallback could not write to the terminal: {source}; \
         choose another --clipboard method"
    )]
    FallbackFailed {
        failure: Failure,
        #[source]
        source: io::Error,
    },
}

/// Why the first choice of route failed before OSC 52 took over.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    #[error("the system clipboard failed: {0}")]
    System(String),
    #[error("tmux load-buffer failed: {0}")]
    Tmux(String),
}

/// What a successful copy did; its text is the status the user sees.
#[derive(Debug, PartialEq, Eq)]
enum Copied {
    System,
    Osc52(Wrap),
    TmuxBuffer,
    Fallback { wrap: Wrap, because: String },
}

impl fmt::Display for Copied {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Copied::System => f.write_str("Copied to the system clipboard"),
            Copied::Osc52(Wrap::Plain) => f.write_str("Copied via OSC 52"),
            Copied::Osc52(Wrap::Tmux) => f.write_str("Copied via OSC 52 (tmux passthrough)"),
            Copied::Osc52(Wrap::Screen) => f.write_str("Copied via OSC 52 (screen passthrough)"),
            Copied::TmuxBuffer => f.write_str("Copied to tmux buffer and terminal clipboard"),
            Copied::Fallback { wrap, because } => {
                write!(f, "{} because {because}", Copied::Osc52(*wrap))
            }
        }
    }
}

/// A clipboard that stays alive while the app runs (on X11 the copied text
/// lives only as long as its owner).
pub struct Clipboard {
    method: Method,
    env: Environment,
    terminal: Box<dyn Write + Send>,
    tmux: Box<dyn LoadBuffer>,
    system: Box<dyn SystemClipboard>,
}

impl fmt::Debug for Clipboard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Clipboard")
            .field("method", &self.method)
            .field("env", &self.env)
            .finish_non_exhaustive()
    }
}

impl Clipboard {
    /// A clipboard for this process: reads the environment, writes OSC 52
    /// to stdout (the terminal the TUI owns) and runs `tmux` from `PATH`.
    pub fn new(method: Method) -> Self {
        Self::with_environment(method, Environment::from_env())
    }

    /// Like [`Clipboard::new`], with the environment given instead of read.
    pub fn with_environment(method: Method, env: Environment) -> Self {
        Clipboard {
            method,
            env,
            terminal: Box::new(io::stdout()),
            tmux: Box::new(TmuxCommand::default()),
            system: Box::new(Arboard::default()),
        }
    }

    /// Writes OSC 52 sequences to `terminal` instead of stdout.
    #[must_use]
    pub fn with_terminal(mut self, terminal: Box<dyn Write + Send>) -> Self {
        self.terminal = terminal;
        self
    }

    /// Talks to the tmux server on socket `name` (`tmux -L name`) instead of
    /// the one `$TMUX` names; for tests that run a private server.
    #[must_use]
    pub fn with_tmux_socket(mut self, name: impl Into<String>) -> Self {
        self.tmux = Box::new(TmuxCommand {
            socket_name: Some(name.into()),
        });
        self
    }

    #[cfg(test)]
    fn with_tmux(mut self, tmux: impl LoadBuffer + 'static) -> Self {
        self.tmux = Box::new(tmux);
        self
    }

    #[cfg(test)]
    fn with_system(mut self, system: impl SystemClipboard + 'static) -> Self {
        self.system = Box::new(system);
        self
    }

    /// The way [`Clipboard::copy`] will go.
    pub fn route(&self) -> Route {
        route(self.method, self.env)
    }

    /// Copies `text`; on success returns what happened for the status line,
    /// e.g. `"Copied via OSC 52 (tmux passthrough)"`.
    pub fn copy(&mut self, text: &str) -> Result<String, ClipboardError> {
        self.copy_holding(text, None)
    }

    /// Copies `text` for a process that exits right afterwards
    /// (`tessera code --copy`).
    ///
    /// On Linux and BSD the system clipboard's text is served by the process
    /// that set it, so this blocks until another program takes the clipboard
    /// over or `max` has passed (X11: arboard's `wait_until`; Wayland, where
    /// arboard ignores that deadline: a serving thread we stop waiting for).
    /// Everywhere else, and for OSC 52 and tmux (the terminal or tmux keeps
    /// the text), it returns at once, like [`Clipboard::copy`].
    pub fn copy_and_wait(&mut self, text: &str, max: Duration) -> Result<String, ClipboardError> {
        let now = Instant::now();
        let deadline = now.checked_add(max).unwrap_or(now);
        self.copy_holding(text, Some(deadline))
    }

    fn copy_holding(
        &mut self,
        text: &str,
        deadline: Option<Instant>,
    ) -> Result<String, ClipboardError> {
        let copied = match self.route() {
            Route::System { fallback } => self.via_system(text, deadline, fallback)?,
            Route::Osc52(wrap) => {
                self.write_osc52(text, wrap)
                    .map_err(ClipboardError::Terminal)?;
                Copied::Osc52(wrap)
            }
            Route::TmuxBuffer { fallback } => self.via_tmux(text, fallback)?,
        };
        Ok(copied.to_string())
    }

    fn via_system(
        &mut self,
        text: &str,
        deadline: Option<Instant>,
        fallback: Option<Wrap>,
    ) -> Result<Copied, ClipboardError> {
        if !self.env.has_display() {
            return Err(ClipboardError::NoDisplay);
        }
        let set = match deadline {
            Some(deadline) => {
                self.system
                    .set_and_wait(text, deadline, self.env.display == DisplayServer::Wayland)
            }
            None => self.system.set(text),
        };
        let reason = match set {
            Ok(()) => return Ok(Copied::System),
            Err(reason) => reason,
        };

        match fallback {
            Some(wrap) => self.fall_back(text, wrap, Failure::System(reason)),
            None => Err(ClipboardError::System(reason)),
        }
    }

    fn via_tmux(&mut self, text: &str, fallback: bool) -> Result<Copied, ClipboardError> {
        let reason = match self.tmux.load(text.as_bytes()) {
            Ok(()) => return Ok(Copied::TmuxBuffer),
            Err(reason) => reason,
        };

        if fallback {
            self.fall_back(text, Wrap::Tmux, Failure::Tmux(reason))
        } else {
            Err(ClipboardError::TmuxLoadBuffer(reason))
        }
    }

    fn fall_back(
        &mut self,
        text: &str,
        wrap: Wrap,
        failure: Failure,
    ) -> Result<Copied, ClipboardError> {
        match self.write_osc52(text, wrap) {
            Ok(()) => Ok(Copied::Fallback {
                wrap,
                because: failure.to_string(),
            }),
            Err(source) => Err(ClipboardError::FallbackFailed { failure, source }),
        }
    }

    fn write_osc52(&mut self, text: &str, wrap: Wrap) -> io::Result<()> {
        let bytes = osc52::sequence(text, wrap);
        self.terminal.write_all(&bytes)?;
        self.terminal.flush()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;

    const PLAIN_123456: &[u8] = b"\x1b]52;c;MTIzNDU2\x1b\\";
    const LOCAL_X11: Environment = Environment {
        ssh: false,
        display: DisplayServer::X11,
        multiplexer: Multiplexer::None,
    };
    const SSH: Environment = Environment {
        ssh: true,
        display: DisplayServer::None,
        ..LOCAL_X11
    };

    /// A terminal that keeps what was written, shared with the test.
    #[derive(Clone, Default)]
    struct Screen(Arc<Mutex<Vec<u8>>>);

    impl Screen {
        fn bytes(&self) -> Vec<u8> {
            self.0.lock().unwrap().clone()
        }
    }

    impl Write for Screen {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().write(buf)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    /// A terminal that refuses every write, like a closed stdout.
    struct ClosedTerminal;

    impl Write for ClosedTerminal {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::Error::from(io::ErrorKind::BrokenPipe))
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    /// tmux that answers with `result` and records what it was given.
    #[derive(Clone)]
    struct FakeTmux {
        result: Result<(), String>,
        loaded: Arc<Mutex<Vec<u8>>>,
    }

    impl FakeTmux {
        fn answering(result: Result<(), &str>) -> Self {
            FakeTmux {
                result: result.map_err(str::to_owned),
                loaded: Arc::default(),
            }
        }
    }

    impl LoadBuffer for FakeTmux {
        fn load(&mut self, text: &[u8]) -> Result<(), String> {
            self.loaded.lock().unwrap().extend_from_slice(text);
            self.result.clone()
        }
    }

    /// A system clipboard that answers with `result` and records the
    /// deadline it was asked to hold the text until.
    #[derive(Clone)]
    struct FakeSystem {
        result: Result<(), String>,
        deadline: Arc<Mutex<Option<Instant>>>,
    }

    impl FakeSystem {
        fn answering(result: Result<(), &str>) -> Self {
            FakeSystem {
                result: result.map_err(str::to_owned),
                deadline: Arc::default(),
            }
        }
    }

    impl SystemClipboard for FakeSystem {
        fn set(&mut self, _: &str) -> Result<(), String> {
            self.result.clone()
        }
        fn set_and_wait(&mut self, _: &str, deadline: Instant, _: bool) -> Result<(), String> {
            *self.deadline.lock().unwrap() = Some(deadline);
            self.result.clone()
        }
    }

    fn clipboard(method: Method, env: Environment, screen: &Screen) -> Clipboard {
        Clipboard::with_environment(method, env)
            .with_terminal(Box::new(screen.clone()))
            .with_tmux(FakeTmux::answering(Err("tmux must not be called")))
            .with_system(FakeSystem::answering(Err(
                "the system clipboard must not be used",
            )))
    }

    #[test]
    fn osc52_over_ssh_writes_the_sequence_and_says_so() {
        let screen = Screen::default();
        let status = clipboard(Method::Auto, SSH, &screen)
            .copy("123456")
            .unwrap();
        assert_eq!(
            (status.as_str(), screen.bytes()),
            ("Copied via OSC 52", PLAIN_123456.to_vec())
        );
    }

    #[test]
    fn screen_session_reports_screen_passthrough() {
        let screen = Screen::default();
        let env = Environment {
            multiplexer: Multiplexer::Screen,
            ..SSH
        };
        let status = clipboard(Method::Auto, env, &screen)
            .copy("123456")
            .unwrap();
        assert_eq!(status, "Copied via OSC 52 (screen passthrough)");
    }

    #[test]
    fn forced_osc52_in_tmux_reports_tmux_passthrough() {
        let screen = Screen::default();
        let env = Environment {
            multiplexer: Multiplexer::Tmux,
            ..LOCAL_X11
        };
        let status = clipboard(Method::Osc52, env, &screen)
            .copy("123456")
            .unwrap();
        assert_eq!(status, "Copied via OSC 52 (tmux passthrough)");
    }

    #[test]
    fn tmux_over_ssh_loads_the_buffer_and_writes_nothing_to_the_terminal() {
        let screen = Screen::default();
        let tmux = FakeTmux::answering(Ok(()));
        let env = Environment {
            multiplexer: Multiplexer::Tmux,
            ..SSH
        };
        let status = clipboard(Method::Auto, env, &screen)
            .with_tmux(tmux.clone())
            .copy("123456");

        assert_eq!(
            status.unwrap(),
            "Copied to tmux buffer and terminal clipboard"
        );
        assert_eq!(*tmux.loaded.lock().unwrap(), b"123456");
        assert!(screen.bytes().is_empty());
    }

    #[test]
    fn failed_tmux_load_buffer_falls_back_to_both_osc52_sequences_and_says_why() {
        let screen = Screen::default();
        let tmux = FakeTmux::answering(Err("unknown flag -w"));
        let env = Environment {
            multiplexer: Multiplexer::Tmux,
            ..SSH
        };
        let status = clipboard(Method::Auto, env, &screen)
            .with_tmux(tmux)
            .copy("123456")
            .unwrap();

        assert_eq!(
            status,
            "Copied via OSC 52 (tmux passthrough) because tmux load-buffer failed: unknown flag -w"
        );
        assert!(
            screen.bytes().starts_with(b"\x1bPtmux;") && screen.bytes().ends_with(PLAIN_123456)
        );
    }

    #[test]
    fn forced_tmux_outside_tmux_fails_with_tmux_reason() {
        let screen = Screen::default();
        let tmux = FakeTmux::answering(Err("no server running on /tmp/tmux-1000/default"));
        let error = clipboard(Method::Tmux, LOCAL_X11, &screen)
            .with_tmux(tmux)
            .copy("123456")
            .unwrap_err();

        assert_eq!(
            error.to_string(),
            "tmux load-buffer failed: no server running on /tmp/tmux-1000/default; \
             use --clipboard osc52, or tmux 3.2 or newer"
        );
        assert!(screen.bytes().is_empty());
    }

    #[test]
    fn local_display_copies_to_the_system_clipboard() {
        let screen = Screen::default();
        let system = FakeSystem::answering(Ok(()));
        let status = clipboard(Method::Auto, LOCAL_X11, &screen)
            .with_system(system)
            .copy("123456");
        assert_eq!(status.unwrap(), "Copied to the system clipboard");
    }

    #[test]
    fn failing_system_clipboard_on_auto_falls_back_to_osc52_and_says_so() {
        let screen = Screen::default();
        let system = FakeSystem::answering(Err("another program is holding it"));
        let status = clipboard(Method::Auto, LOCAL_X11, &screen)
            .with_system(system)
            .copy("123456");

        assert_eq!(
            status.unwrap(),
            "Copied via OSC 52 because the system clipboard failed: another program is holding it"
        );
        assert_eq!(screen.bytes(), PLAIN_123456);
    }

    #[test]
    fn forced_system_clipboard_failure_is_an_error_not_a_fallback() {
        let screen = Screen::default();
        let system = FakeSystem::answering(Err("another program is holding it"));
        let error = clipboard(Method::System, LOCAL_X11, &screen)
            .with_system(system)
            .copy("1")
            .unwrap_err();

        assert_eq!(
            error.to_string(),
            "the system clipboard failed: another program is holding it; use --clipboard osc52"
        );
        assert!(screen.bytes().is_empty());
    }

    #[test]
    fn forced_system_without_a_display_fails_before_touching_arboard() {
        let screen = Screen::default();
        let error = clipboard(Method::System, SSH, &screen)
            .copy("123456")
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "no display for the system clipboard; use --clipboard osc52"
        );
    }

    #[test]
    fn closed_terminal_is_an_error_naming_osc52() {
        let error = Clipboard::with_environment(Method::Osc52, SSH)
            .with_terminal(Box::new(ClosedTerminal))
            .copy("123456")
            .unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("could not write OSC 52 to the terminal: ")
        );
    }

    #[test]
    fn failed_tmux_and_closed_terminal_report_both_failures() {
        let env = Environment {
            multiplexer: Multiplexer::Tmux,
            ..SSH
        };
        let error = Clipboard::with_environment(Method::Auto, env)
            .with_terminal(Box::new(ClosedTerminal))
            .with_tmux(FakeTmux::answering(Err("unknown flag -w")))
            .copy("123456")
            .unwrap_err();

        assert!(error.to_string().starts_with(
            "tmux load-buffer failed: unknown flag -w, and the OSC 52 fallback could not write"
        ));
    }

    #[test]
    fn copy_and_wait_holds_the_system_clipboard_until_the_deadline() {
        let screen = Screen::default();
        let system = FakeSystem::answering(Ok(()));
        let before = Instant::now();
        clipboard(Method::Auto, LOCAL_X11, &screen)
            .with_system(system.clone())
            .copy_and_wait("123456", Duration::from_secs(30))
            .unwrap();

        let deadline = system.deadline.lock().unwrap().unwrap();
        assert!(deadline >= before + Duration::from_secs(30));
    }

    #[test]
    fn copy_and_wait_over_osc52_returns_the_same_status_as_copy() {
        let screen = Screen::default();
        let status = clipboard(Method::Auto, SSH, &screen)
            .copy_and_wait("123456", Duration::from_secs(30))
            .unwrap();
        assert_eq!(
            (status.as_str(), screen.bytes()),
            ("Copied via OSC 52", PLAIN_123456.to_vec())
        );
    }
}
