//! Which way a copy goes: read the environment once, then decide with a pure
//! function so every combination can be tested without touching the real one.

use std::ffi::OsString;

use super::Method;

/// On macOS and Windows the system clipboard needs no display variable.
const NATIVE_DISPLAY: bool = cfg!(any(target_os = "macos", windows));

/// What the process can see of where it runs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Environment {
    /// Running over SSH (`SSH_TTY` or `SSH_CONNECTION`): the system clipboard,
    /// even a forwarded X11 one, is the remote machine's, not the user's.
    pub ssh: bool,
    /// A system clipboard is reachable: always on macOS/Windows, otherwise
    /// `DISPLAY` or `WAYLAND_DISPLAY` is set.
    pub display: bool,
    /// `WAYLAND_DISPLAY` is set (Linux and BSD); copies there need a server
    /// thread to outlive the call, see [`super::Clipboard::copy_and_wait`].
    pub wayland: bool,
    /// Inside tmux (`TMUX`).
    pub tmux: bool,
    /// Inside GNU screen (`STY` set and `TERM` starts with `screen`).
    pub screen: bool,
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
        let wayland = !native_display && set("WAYLAND_DISPLAY");

        Environment {
            ssh: set("SSH_TTY") || set("SSH_CONNECTION"),
            display: native_display || wayland || set("DISPLAY"),
            wayland,
            tmux: set("TMUX"),
            screen: set("STY") && term_is_screen,
        }
    }
}

/// How the OSC 52 sequence is wrapped for the multiplexer between us and the
/// terminal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wrap {
    /// The bare sequence, for a terminal we talk to directly.
    Plain,
    /// tmux DCS passthrough followed by the bare sequence: the first reaches
    /// the terminal when `allow-passthrough` is on, the second is taken into a
    /// tmux buffer and forwarded when `set-clipboard` is `on`.
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
/// tmux wins over screen when both variables are set.
pub fn route(method: Method, env: &Environment) -> Route {
    match method {
        Method::Auto if env.ssh || !env.display => terminal_route(env),
        Method::Auto => Route::System {
            fallback: Some(wrap_for(env)),
        },
        Method::System => Route::System { fallback: None },
        Method::Osc52 => Route::Osc52(wrap_for(env)),
        Method::Tmux => Route::TmuxBuffer { fallback: env.tmux },
    }
}

fn terminal_route(env: &Environment) -> Route {
    if env.tmux {
        Route::TmuxBuffer { fallback: true }
    } else {
        Route::Osc52(wrap_for(env))
    }
}

fn wrap_for(env: &Environment) -> Wrap {
    if env.tmux {
        Wrap::Tmux
    } else if env.screen {
        Wrap::Screen
    } else {
        Wrap::Plain
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCAL_X11: Environment = Environment {
        ssh: false,
        display: true,
        wayland: false,
        tmux: false,
        screen: false,
    };
    const HEADLESS: Environment = Environment {
        ssh: false,
        display: false,
        wayland: false,
        tmux: false,
        screen: false,
    };
    const SSH: Environment = Environment {
        ssh: true,
        ..HEADLESS
    };

    fn env_of(vars: &[(&str, &str)], native_display: bool) -> Environment {
        Environment::from_vars(
            |name| {
                vars.iter()
                    .find(|(key, _)| *key == name)
                    .map(|(_, value)| value.into())
            },
            native_display,
        )
    }

    #[test]
    fn auto_over_ssh_with_forwarded_x11_still_uses_osc52() {
        let env = Environment {
            display: true,
            ..SSH
        };
        assert_eq!(route(Method::Auto, &env), Route::Osc52(Wrap::Plain));
    }

    #[test]
    fn auto_on_a_local_x11_display_uses_the_system_clipboard_with_osc52_fallback() {
        assert_eq!(
            route(Method::Auto, &LOCAL_X11),
            Route::System {
                fallback: Some(Wrap::Plain)
            }
        );
    }

    #[test]
    fn auto_in_tmux_over_ssh_uses_the_tmux_buffer() {
        let env = Environment { tmux: true, ..SSH };
        assert_eq!(
            route(Method::Auto, &env),
            Route::TmuxBuffer { fallback: true }
        );
    }

    #[test]
    fn auto_in_local_tmux_with_a_display_uses_the_system_clipboard() {
        let env = Environment {
            tmux: true,
            ..LOCAL_X11
        };
        assert_eq!(
            route(Method::Auto, &env),
            Route::System {
                fallback: Some(Wrap::Tmux)
            }
        );
    }

    #[test]
    fn auto_in_screen_over_ssh_uses_screen_passthrough() {
        let env = Environment {
            screen: true,
            ..SSH
        };
        assert_eq!(route(Method::Auto, &env), Route::Osc52(Wrap::Screen));
    }

    #[test]
    fn auto_without_any_display_uses_osc52() {
        assert_eq!(route(Method::Auto, &HEADLESS), Route::Osc52(Wrap::Plain));
    }

    #[test]
    fn tmux_inside_screen_is_handled_as_tmux() {
        let env = Environment {
            tmux: true,
            screen: true,
            ..SSH
        };
        assert_eq!(route(Method::Osc52, &env), Route::Osc52(Wrap::Tmux));
    }

    #[test]
    fn forced_system_has_no_fallback_even_over_ssh() {
        assert_eq!(
            route(Method::System, &SSH),
            Route::System { fallback: None }
        );
    }

    #[test]
    fn forced_osc52_on_a_local_display_still_wraps_for_screen() {
        let env = Environment {
            screen: true,
            ..LOCAL_X11
        };
        assert_eq!(route(Method::Osc52, &env), Route::Osc52(Wrap::Screen));
    }

    #[test]
    fn forced_tmux_outside_tmux_has_no_passthrough_fallback() {
        assert_eq!(
            route(Method::Tmux, &LOCAL_X11),
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
        assert!(!env.display);
    }

    #[test]
    fn wayland_display_alone_is_a_wayland_display() {
        let env = env_of(&[("WAYLAND_DISPLAY", "wayland-0")], false);
        assert_eq!((env.display, env.wayland), (true, true));
    }

    #[test]
    fn macos_and_windows_always_have_a_display() {
        assert!(env_of(&[], true).display);
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
        assert_eq!((inside.screen, stale.screen), (true, false));
    }

    #[test]
    fn tmux_variable_marks_tmux() {
        let env = env_of(&[("TMUX", "/tmp/tmux-1000/default,4242,0")], false);
        assert!(env.tmux);
    }
}
