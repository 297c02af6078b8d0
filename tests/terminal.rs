//! The real binary in a real terminal: a private tmux server runs
//! `tessera demo`, the test types into it and reads the screen back.
//!
//! Covers what only a terminal shows: the screen itself, copying over
//! "SSH" (OSC 52 through tmux into its buffer), and the terminal being given
//! back after quitting and after SIGTERM/SIGHUP.

use std::path::Path;
use std::process::{Command, Output};
use std::thread::sleep;
use std::time::{Duration, Instant};

use tessera::app::demo;
use tessera::clock::now_unix;

const BIN: &str = env!("CARGO_BIN_EXE_tessera");

/// A tmux server of the test's own, killed when dropped.
struct Tmux {
    socket: String,
}

impl Tmux {
    /// Starts `command` in an 80x24 window, as if logged in over SSH with no
    /// display, with tmux's `set-clipboard on`. After `command` ends the
    /// pane prints whether the terminal is back in canonical mode.
    fn start(name: &str, command: &str) -> Option<Tmux> {
        Self::start_with(name, command, &[])
    }

    fn start_with(name: &str, command: &str, env: &[(&str, &str)]) -> Option<Tmux> {
        if !tmux_available() {
            return None;
        }
        let socket = format!("tessera-e2e-{name}-{}", std::process::id());
        let script = format!(
            "{command}; echo \"exited $?\"; stty -a | tr ' ;' '\\n\\n' | grep -x -e icanon -e -icanon; sleep 30"
        );
        let started = Command::new("tmux")
            .args([
                "-L",
                &socket,
                "-f",
                "/dev/null",
                "new-session",
                "-d",
                "-x",
                "80",
                "-y",
                "24",
            ])
            .args([
                "-e",
                "SSH_TTY=/dev/pts/99",
                "-e",
                "SSH_CONNECTION=127.0.0.1 1 127.0.0.1 22",
            ])
            .args(
                env.iter()
                    .flat_map(|(k, v)| ["-e".to_owned(), format!("{k}={v}")]),
            )
            .arg(script)
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY")
            .env_remove("TMUX")
            .env("TERM", "xterm-256color")
            .status()
            .expect("tmux runs");
        assert!(started.success(), "tmux new-session failed");
        let tmux = Tmux { socket };
        tmux.run(&["set", "-g", "set-clipboard", "on"]);
        Some(tmux)
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .expect("tmux runs")
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-p"]).stdout).into_owned()
    }

    fn keys(&self, keys: &[&str]) {
        for key in keys {
            self.run(&["send-keys", key]);
            sleep(Duration::from_millis(60));
        }
    }

    /// Waits until the screen contains `text`; panics with the screen if not.
    fn wait_for(&self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "waited for {text:?}; the screen shows:\n{screen}"
            );
            sleep(Duration::from_millis(100));
        }
    }

    /// The process id of tessera, the child of the pane's shell.
    fn tessera_pid(&self) -> String {
        let pane = self.run(&["display", "-p", "#{pane_pid}"]);
        let pane = String::from_utf8_lossy(&pane.stdout).trim().to_owned();
        let children = Command::new("pgrep")
            .args(["-P", &pane])
            .output()
            .expect("pgrep runs");
        let pid = String::from_utf8_lossy(&children.stdout)
            .lines()
            .next()
            .unwrap_or("")
            .to_owned();
        assert!(!pid.is_empty(), "tessera is not running under pane {pane}");
        pid
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
    }
}

fn tmux_available() -> bool {
    let found = Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "tmux is not installed; .ci/run installs it"
        );
        eprintln!("note: tmux is not installed; skipping the real-terminal test");
    }
    found
}

fn demo_command() -> String {
    assert!(Path::new(BIN).exists());
    format!("{BIN} demo")
}

#[test]
fn demo_shows_live_codes_at_80x24() {
    let Some(tmux) = Tmux::start("screen", &demo_command()) else {
        return;
    };

    // The key line is drawn last: once it is there, the whole screen is.
    let screen = tmux.wait_for("q quit");
    let example = screen
        .lines()
        .find(|l| l.contains("alice@example.com"))
        .unwrap_or_default();

    assert!(screen.contains("6 accounts"), "{screen}");
    let seconds = example.trim_end().rsplit(' ').next().unwrap_or_default();
    assert!(
        seconds.ends_with('s')
            && seconds
                .trim_end_matches('s')
                .parse::<u64>()
                .is_ok_and(|n| n <= 30),
        "the Example row ends with its seconds left: {example:?}"
    );
}

#[test]
fn over_ssh_in_tmux_enter_copies_the_code_into_tmux() {
    let Some(tmux) = Tmux::start("copy", &demo_command()) else {
        return;
    };
    tmux.wait_for("6 accounts");
    let steam = demo::accounts()
        .into_iter()
        .find(|a| a.issuer == "Steam")
        .expect("demo steam");

    tmux.keys(&["/", "s", "t", "m"]);
    tmux.wait_for("1 of 6 accounts");
    let before = now_unix(0);
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("Copied");
    let after = now_unix(0);

    let buffer = String::from_utf8_lossy(&tmux.run(&["show-buffer"]).stdout).into_owned();
    let expected: Vec<String> = [before, after]
        .iter()
        .map(|&t| steam.code_at(t).as_str().to_owned())
        .collect();
    assert!(
        expected.contains(&buffer),
        "buffer {buffer:?}, expected one of {expected:?}"
    );
    assert!(
        screen.contains("tmux"),
        "the status names the way it copied: {screen}"
    );
}

#[test]
fn quitting_gives_the_terminal_back() {
    let Some(tmux) = Tmux::start("quit", &demo_command()) else {
        return;
    };
    tmux.wait_for("6 accounts");

    tmux.keys(&["q"]);
    let screen = tmux.wait_for("canon");
    assert!(screen.contains("exited 0"), "{screen}");

    assert!(
        screen.contains("\nicanon"),
        "the terminal is back in canonical mode: {screen}"
    );
    assert!(
        !screen.contains("accounts"),
        "the alternate screen is gone: {screen}"
    );
}

#[test]
fn sigterm_gives_the_terminal_back() {
    let Some(tmux) = Tmux::start("term", &demo_command()) else {
        return;
    };
    tmux.wait_for("6 accounts");

    let killed = Command::new("kill")
        .args(["-TERM", &tmux.tessera_pid()])
        .status()
        .expect("kill");
    assert!(killed.success());
    let screen = tmux.wait_for("canon");

    assert!(screen.contains("\nicanon"), "{screen}");
    assert!(!screen.contains("accounts"), "{screen}");
}

#[test]
fn sighup_ends_the_interface_and_restores_the_terminal() {
    let Some(tmux) = Tmux::start("hup", &demo_command()) else {
        return;
    };
    tmux.wait_for("6 accounts");

    let killed = Command::new("kill")
        .args(["-HUP", &tmux.tessera_pid()])
        .status()
        .expect("kill");
    assert!(killed.success());
    let screen = tmux.wait_for("canon");

    assert!(screen.contains("\nicanon"), "{screen}");
}

/// A TUI left open shows what the command line saved meanwhile, and its own
/// save afterwards keeps it.
#[test]
fn the_open_interface_and_the_command_line_keep_each_others_changes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let vault = dir.path().join("vault.age");
    let pass = dir.path().join("pass");
    std::fs::write(&pass, "pass phrase\n").expect("write");
    let cli = |args: &[&str]| {
        let output = Command::new(BIN)
            .arg("--vault")
            .arg(&vault)
            .arg("--passphrase-file")
            .arg(&pass)
            .args(args)
            .env("TESSERA_SCRYPT_WORK_FACTOR", "10")
            .output()
            .expect("tessera runs");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    cli(&["init"]);
    cli(&["add", "otpauth://totp/First:one?secret=JBSWY3DPEHPK3PXP"]);
    let command = format!(
        "{BIN} --vault {} --passphrase-file {}",
        vault.display(),
        pass.display()
    );
    let env = [("TESSERA_SCRYPT_WORK_FACTOR", "10")];
    let Some(tmux) = Tmux::start_with("shared", &command, &env) else {
        return;
    };
    tmux.wait_for("First");

    cli(&["add", "otpauth://totp/Second:two?secret=KRSXG5CTMVRXEZLU"]);
    tmux.wait_for("Second");
    tmux.run(&[
        "set-buffer",
        "otpauth://totp/Third:three?secret=MFRGGZDFMZTWQ2LK",
    ]);
    tmux.run(&["paste-buffer", "-p"]);
    tmux.wait_for("Enter saves");
    tmux.keys(&["Enter"]);
    tmux.wait_for("Added Third");

    let listed = cli(&["list"]);
    assert!(
        ["First", "Second", "Third"]
            .iter()
            .all(|name| listed.contains(name)),
        "{listed}"
    );
}

/// A dropped connection closes the terminal under Tessera: it must exit, not
/// spin on a dead terminal (crossterm's default reader loops forever on
/// end-of-file; Tessera uses its /dev/tty reader, which returns).
#[test]
fn a_closed_terminal_ends_tessera() {
    let Some(tmux) = Tmux::start("hangup", &demo_command()) else {
        return;
    };
    tmux.wait_for("6 accounts");
    let pid = tmux.tessera_pid();

    tmux.run(&["kill-server"]);

    let deadline = Instant::now() + Duration::from_secs(10);
    while Path::new(&format!("/proc/{pid}")).exists() {
        let state = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        if state.split_whitespace().nth(2) == Some("Z") {
            break;
        }
        if Instant::now() > deadline {
            let _ = Command::new("kill").args(["-KILL", &pid]).status();
            panic!("tessera {pid} still runs 10 s after its terminal closed");
        }
        sleep(Duration::from_millis(100));
    }
}

/// The example beside the tests that enters the interface's screen and then
/// panics or fails (built by `cargo test` with the other examples).
fn exit_paths_example() -> String {
    let exe = std::env::current_exe().expect("test binary path");
    let examples = exe
        .parent()
        .and_then(Path::parent)
        .expect("target dir")
        .join("examples");
    let example = examples.join("tui_exit_paths");
    if !example.exists() {
        // `cargo test` builds examples; `cargo test --test terminal` does not.
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
        let built = Command::new(cargo)
            .args([
                "build",
                "--quiet",
                "--example",
                "tui_exit_paths",
                "--manifest-path",
            ])
            .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml"))
            .status()
            .expect("cargo runs");
        assert!(
            built.success() && example.exists(),
            "could not build {}",
            example.display()
        );
    }
    example.display().to_string()
}

#[test]
fn a_panic_inside_the_interface_gives_the_terminal_back() {
    let command = format!("{} panic", exit_paths_example());
    let Some(tmux) = Tmux::start("panic", &command) else {
        return;
    };

    let screen = tmux.wait_for("canon");

    assert!(
        screen.contains("deliberate panic"),
        "the panic message is shown: {screen}"
    );
    assert!(screen.contains("\nicanon"), "{screen}");
    assert!(!screen.contains("taken over"), "{screen}");
}

#[test]
fn an_error_inside_the_interface_gives_the_terminal_back() {
    let command = format!("{} error", exit_paths_example());
    let Some(tmux) = Tmux::start("error", &command) else {
        return;
    };

    let screen = tmux.wait_for("canon");

    assert!(screen.contains("deliberate error"), "{screen}");
    assert!(screen.contains("\nicanon"), "{screen}");
    assert!(!screen.contains("taken over"), "{screen}");
}
