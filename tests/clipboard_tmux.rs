//! The tmux route against a real tmux server: a private one on its own
//! socket, so the user's sessions are never touched.

use std::io;
use std::process::{Command, Output};

use tessera::clipboard::{Clipboard, DisplayServer, Environment, Method, Multiplexer};

/// A tmux server on socket `tessera-test-<pid>`, killed (and its socket
/// file removed) when dropped.
struct PrivateServer {
    socket: String,
    socket_path: String,
}

impl PrivateServer {
    fn start() -> Self {
        let socket = format!("tessera-test-{}", std::process::id());
        let output = tmux(
            &socket,
            &["-f", "/dev/null", "new-session", "-d", "-s", "tessera"],
        );
        assert!(
            output.status.success(),
            "tmux new-session failed: {output:?}"
        );

        let output = tmux(&socket, &["display-message", "-p", "#{socket_path}"]);
        let socket_path = String::from_utf8_lossy(&output.stdout).trim().to_owned();
        PrivateServer {
            socket,
            socket_path,
        }
    }

    fn show_buffer(&self) -> String {
        let output = tmux(&self.socket, &["show-buffer"]);
        String::from_utf8(output.stdout).expect("buffer is UTF-8")
    }
}

fn tmux(socket: &str, args: &[&str]) -> Output {
    Command::new("tmux")
        .args(["-L", socket])
        .args(args)
        .output()
        .expect("run tmux")
}

impl Drop for PrivateServer {
    fn drop(&mut self) {
        tmux(&self.socket, &["kill-server"]);
        // tmux 3.3 leaves the socket file behind; the name is ours alone.
        let _ = std::fs::remove_file(&self.socket_path);
    }
}

/// Whether tmux can run here; without it the test fails on CI and is
/// skipped with a note elsewhere.
fn tmux_available() -> bool {
    if Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|out| out.status.success())
    {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "tmux is not installed, but CI needs this test"
    );
    eprintln!("note: tmux is not installed; skipping the tmux clipboard test");
    false
}

const SSH_IN_TMUX: Environment = Environment {
    ssh: true,
    display: DisplayServer::None,
    multiplexer: Multiplexer::Tmux,
};

#[test]
fn tmux_route_puts_the_code_in_the_servers_buffer() {
    if !tmux_available() {
        return;
    }
    let server = PrivateServer::start();

    let status = Clipboard::with_environment(Method::Auto, SSH_IN_TMUX)
        .with_tmux_socket(&server.socket)
        .with_terminal(Box::new(io::sink()))
        .copy("123456")
        .expect("copy through tmux");

    assert_eq!(status, "Copied to tmux buffer and terminal clipboard");
    assert_eq!(server.show_buffer(), "123456");
}

#[test]
fn unreachable_tmux_server_falls_back_to_osc52_and_names_the_reason() {
    if !tmux_available() {
        return;
    }
    let socket = format!("tessera-test-absent-{}", std::process::id());

    let status = Clipboard::with_environment(Method::Auto, SSH_IN_TMUX)
        .with_tmux_socket(&socket)
        .with_terminal(Box::new(io::sink()))
        .copy("123456")
        .expect("copy falls back to OSC 52");

    // The rest is tmux's own words, which differ between versions.
    let prefix = "Copied via OSC 52 (tmux passthrough) because tmux load-buffer failed: ";
    assert!(
        status.starts_with(prefix) && status.contains(&socket),
        "{status}"
    );
}
