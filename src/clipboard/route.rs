//! Which way a copy goes: read the environment once, then decide with a pure
//! function so every combination can be tested without touching the real one.

use std::ffi::OsString;

use super::Method;

/// On macOS and Windows the system clipboard needs no display variable.
const NATIVE_DISPLAY: bool = cfg!(any(target_os = "macos", windows));

/// What the process can see of where it runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Environment {
    /// Running over SSH (`SSH_TTY` or `SSH_CONNECTION`): the system clipboard,
    /// even a forwarded X11 one, is the remote machine's, not the user's.
    pub ssh: bool,
    /// Which system clipboard is reachable, if any.
    pub display: DisplayServer,
    /// The terminal multiplexer between us and the terminal, if any.
    pub multiplexer: Multiplexer,
}

/// Where the system clipboard lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DisplayServer {
    /// Neither `DISPLAY` nor `WAYLAND_DISPLAY` (Linux and BSD).
    None,
    /// `DISPLAY` only.
    X11,
    /// `WAYLAND_DISPLAY`; copies there need a serving thread to outlive the
    /// call, see [`super::Clipboard::copy_and_wait`].
    Wayland,
    /// macOS and Windows, which always have one.
    Native,
}

/// A terminal multiplexer that stands between us and the terminal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Multiplexer {
    None,
    /// `TMUX` is set; wins over screen when both are.
    Tmux,
    /// GNU screen: `STY` is set and `TERM` starts with `screen`.
    Screen,
}

impl Environment {
    /// Reads the process environment.
    pub fn from_env() -> Self {
        Self::from_vars(|name| std::env::var_os(name), NATIVE_DISPLAY)
    }

    /// Builds an `Environment` from a variable lookup; an empty variable
    /// counts as unset. `native_display` says the platform has a clipboard
    /// without `DISPLAY` (macOS, Windows).
    pub fn from_vars(var: impl Fn(&str) -> Option<OsString>, native_display: bool) -> Self {
        let set = |name: &str| var(name).is_some_and(|value| !value.is_empty());
        let term_is_screen =
            var("TERM").is_some_and(|term| term.to_string_lossy().starts_with("screen"));

        let display = if native_display {
            DisplayServer::Native
        } else if set("WAYLAND_DISPLAY") {
            DisplayServer::Wayland
        } else if set("DISPLAY") {
            DisplayServer::X11
        } else {
            DisplayServer::None
        };
        let multiplexer = if set("TMUX") {
            Multiplexer::Tmux
        } else if set("STY") && term_is_screen {
            Multiplexer::Screen
        } else {
            Multiplexer::None
        };

        Environment {
            ssh: set("SSH_TTY") || set("SSH_CONNECTION"),
            display,
            multiplexer,
        }
    }

    /// Whether a system clipboard is reachable at all.
    pub fn has_display(self) -> bool {
        self.display != DisplayServer::None
    }
}

/// How the OSC 52 sequence is wrapped for the multiplexer between us and the
/// terminal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wrap {
    /// The bare sequence, for a terminal we talk to directly.
    Plain,
    /// tmux DCS passthrough followed by the bare sequence: the first reaches
    /// the terminal when `allow-passthrough` is on (always before tmux 3.3),
    /// the second is taken into a tmux buffer and forwarded when
    /// `set-clipboard` is `on`. With tmux 3.3+ defaults neither gets through,
    /// which is why the tmux route prefers `load-buffer -w`.
    Tmux,
    /// GNU screen DCS passthrough.
    Screen,
}

/// The way a copy goes, decided by [`route`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    /// The system clipboard via arboard; if it fails and `fallback` is set,
    /// OSC 52 with that wrapping.
    System { fallback: Option<Wrap> },
    /// The OSC 52 escape sequence written to the terminal.
    Osc52(Wrap),
    /// `tmux load-buffer -w -`; if it fails and `fallback` is set (we are
    /// inside tmux), OSC 52 wrapped for tmux.
    TmuxBuffer { fallback: bool },
}

/// Decides how to copy. `Auto` uses the system clipboard on a local display
/// and the terminal (tmux, screen or OSC 52) over SSH or without a display.
pub fn route(method: Method, env: Environment) -> Route {
    let wrap = match env.multiplexer {
        Multiplexer::None => Wrap::Plain,
        Multiplexer::Tmux => Wrap::Tmux,
        Multiplexer::Screen => Wrap::Screen,
    };
    let in_tmux = env.multiplexer == Multiplexer::Tmux;

    match method {
        Method::Auto if (env.ssh || !env.has_display()) && in_tmux => {
            Route::TmuxBuffer { fallback: true }
        }
        Method::Auto if env.ssh || !env.has_display() => Route::Osc52(wrap),
        Method::Auto => Route::System {
            fallback: Some(wrap),
        },
        Method::System => Route::System { fallback: None },
        Method::Osc52 => Route::Osc52(wrap),
        Method::Tmux => Route::TmuxBuffer { fallback: in_tmux },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCAL_X11: Environment = Environment {
        ssh: false,
        display: DisplayServer::X11,
        multiplexer: Multiplexer::None,
    };
    const HEADLESS: Environment = Environment {
        display: DisplayServer::None,
        ..LOCAL_X11
    };
    const SSH: Environment = Environment {
        ssh: true,
        ..HEADLESS
    };
    const TMUX: Multiplexer = Multiplexer::Tmux;
    const SCREEN: Multiplexer = Multiplexer::Screen;

    fn env_of(vars: &[(&str, &str)], native_display: bool) -> Environment {
        let lookup = |name: &str| {
            vars.iter()
                .find(|(key, _)| *key == name)
                .map(|(_, v)| v.into())
        };
        Environment::from_vars(lookup, native_display)
    }

    #[test]
    fn auto_over_ssh_with_forwarded_x11_still_uses_osc52() {
        let env = Environment {
            display: DisplayServer::X11,
            ..SSH
        };
        assert_eq!(route(Method::Auto, env), Route::Osc52(Wrap::Plain));
    }

    #[test]
    fn auto_on_a_local_x11_display_uses_the_system_clipboard_with_osc52_fallback() {
        assert_eq!(
            route(Method::Auto, LOCAL_X11),
            Route::System {
                fallback: Some(Wrap::Plain)
            }
        );
    }

    #[test]
    fn auto_in_tmux_over_ssh_uses_the_tmux_buffer() {
        let env = Environment {
            multiplexer: TMUX,
            ..SSH
        };
        assert_eq!(
            route(Method::Auto, env),
            Route::TmuxBuffer { fallback: true }
        );
    }

    #[test]
    fn auto_in_tmux_without_a_display_uses_the_tmux_buffer() {
        let env = Environment {
            multiplexer: TMUX,
            ..HEADLESS
        };
        assert_eq!(
            route(Method::Auto, env),
            Route::TmuxBuffer { fallback: true }
        );
    }

    #[test]
    fn auto_in_local_tmux_with_a_display_uses_the_system_clipboard() {
        let env = Environment {
            multiplexer: TMUX,
            ..LOCAL_X11
        };
        assert_eq!(
            route(Method::Auto, env),
            Route::System {
                fallback: Some(Wrap::Tmux)
            }
        );
    }

    #[test]
    fn auto_in_screen_over_ssh_uses_screen_passthrough() {
        let env = Environment {
            multiplexer: SCREEN,
            ..SSH
        };
        assert_eq!(route(Method::Auto, env), Route::Osc52(Wrap::Screen));
    }

    #[test]
    fn auto_without_any_display_uses_osc52() {
        assert_eq!(route(Method::Auto, HEADLESS), Route::Osc52(Wrap::Plain));
    }

    #[test]
    fn forced_system_has_no_fallback_even_over_ssh() {
        assert_eq!(route(Method::System, SSH), Route::System { fallback: None });
    }

    #[test]
    fn forced_osc52_on_a_local_display_still_wraps_for_screen() {
        let env = Environment {
            multiplexer: SCREEN,
            ..LOCAL_X11
        };
        assert_eq!(route(Method::Osc52, env), Route::Osc52(Wrap::Screen));
    }

    #[test]
    fn forced_osc52_in_tmux_wraps_for_tmux() {
        let env = Environment {
            multiplexer: TMUX,
            ..LOCAL_X11
        };
        assert_eq!(route(Method::Osc52, env), Route::Osc52(Wrap::Tmux));
    }

    #[test]
    fn forced_tmux_outside_tmux_has_no_passthrough_fallback() {
        assert_eq!(
            route(Method::Tmux, LOCAL_X11),
            Route::TmuxBuffer { fallback: false }
        );
    }

    #[test]
    fn ssh_connection_alone_marks_an_ssh_session() {
        let env = env_of(&[("SSH_CONNECTION", "10.0.0.1 5000 10.0.0.2 22")], false);
        assert!(env.ssh);
    }

    #[test]
    fn empty_display_variables_do_not_count_as_a_display() {
        let env = env_of(&[("DISPLAY", ""), ("WAYLAND_DISPLAY", "")], false);
        assert_eq!(env.display, DisplayServer::None);
    }

    #[test]
    fn wayland_wins_over_xwayland_display() {
        let env = env_of(
            &[("WAYLAND_DISPLAY", "wayland-0"), ("DISPLAY", ":0")],
            false,
        );
        assert_eq!(env.display, DisplayServer::Wayland);
    }

    #[test]
    fn macos_and_windows_always_have_a_display() {
        assert_eq!(env_of(&[], true).display, DisplayServer::Native);
    }

    #[test]
    fn sty_counts_as_screen_only_when_term_says_screen() {
        let inside = env_of(
            &[
                ("STY", "1234.pts-0.host"),
                ("TERM", "screen.xterm-256color"),
            ],
            false,
        );
        let stale = env_of(
            &[("STY", "1234.pts-0.host"), ("TERM", "xterm-256color")],
            false,
        );
        assert_eq!(
            (inside.multiplexer, stale.multiplexer),
            (SCREEN, Multiplexer::None)
        );
    }

    #[test]
    fn tmux_inside_screen_is_handled_as_tmux() {
        let vars = [
            ("TMUX", "/tmp/tmux-1000/default,1,0"),
            ("STY", "1.pts-0.h"),
            ("TERM", "screen"),
        ];
        assert_eq!(env_of(&vars, false).multiplexer, TMUX);
    }
}
