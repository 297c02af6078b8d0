//! `tmux load-buffer -w -`: puts the text in a tmux paste buffer and lets
//! tmux set the outer terminal's clipboard. Behind a trait so unit tests can
//! stand in for tmux without a server.

use std::io::{Read, Write};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// How long tmux may take before we give up on it; a wedged server must not
/// freeze the interface.
const TIMEOUT: Duration = Duration::from_secs(2);
const POLL: Duration = Duration::from_millis(5);

/// Loads text into tmux's paste buffer.
pub(crate) trait LoadBuffer: Send {
    /// Loads `text`; on failure says why in a short phrase (tmux's own
    /// message where it gave one).
    fn load(&mut self, text: &[u8]) -> Result<(), String>;
}

/// The real `tmux` binary, talking to the server named by `$TMUX`, or to the
/// server on `socket_name` (`tmux -L`) when one is given.
#[derive(Debug, Default)]
pub(crate) struct TmuxCommand {
    pub(crate) socket_name: Option<String>,
}

impl LoadBuffer for TmuxCommand {
    fn load(&mut self, text: &[u8]) -> Result<(), String> {
        let mut command = Command::new("tmux");
        if let Some(name) = &self.socket_name {
            command.args(["-L", name]);
        }
        command.args(["load-buffer", "-w", "-"]);
        command
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let mut child = command
            .spawn()
            .map_err(|e| format!("could not run tmux: {e}"))?;

        // A write error means tmux exited early; its stderr says why.
        let written = child.stdin.take().map(|mut stdin| stdin.write_all(text));
        let status = wait_at_most(&mut child, TIMEOUT)?;

        if !status.success() {
            return Err(failure_message(&mut child, status));
        }
        match written {
            Some(Err(e)) => Err(format!("could not send the text to tmux: {e}")),
            _ => Ok(()),
        }
    }
}

fn wait_at_most(child: &mut Child, timeout: Duration) -> Result<ExitStatus, String> {
    let deadline = Instant::now() + timeout;
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Ok(status),
            Ok(None) if Instant::now() < deadline => thread::sleep(POLL),
            Ok(None) => {
                // Best effort: the child may exit on its own between the checks.
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "tmux did not answer within {} s",
                    timeout.as_secs()
                ));
            }
            Err(e) => return Err(format!("could not wait for tmux: {e}")),
        }
    }
}

/// tmux's first line of stderr, or the exit status when it printed nothing.
fn failure_message(child: &mut Child, status: ExitStatus) -> String {
    let mut stderr = String::new();
    if let Some(mut pipe) = child.stderr.take() {
        let _ = pipe.read_to_string(&mut stderr);
    }
    match stderr.lines().map(str::trim).find(|line| !line.is_empty()) {
        Some(line) => line.to_owned(),
        None => format!("tmux exited with {status}"),
    }
}
