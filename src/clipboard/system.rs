//! The system clipboard through arboard. One arboard clipboard is opened on
//! first use and kept: on X11 and Wayland the copied text is served by its
//! owner, so it must live as long as the app does.

use std::time::Instant;

/// Sets the system clipboard's text; a trait so tests can stand in for a
/// display. Errors are short phrases for the status line.
pub(crate) trait SystemClipboard: Send {
    /// Puts `text` on the clipboard.
    fn set(&mut self, text: &str) -> Result<(), String>;

    /// Puts `text` on the clipboard and, where the text dies with its owner,
    /// keeps serving it until another program takes over or `deadline`.
    fn set_and_wait(&mut self, text: &str, deadline: Instant, wayland: bool) -> Result<(), String>;
}

/// A lazily opened arboard clipboard.
#[derive(Default)]
pub(crate) struct Arboard {
    clipboard: Option<arboard::Clipboard>,
}

impl SystemClipboard for Arboard {
    fn set(&mut self, text: &str) -> Result<(), String> {
        self.set_text(text).map_err(|e| describe(&e))
    }

    fn set_and_wait(&mut self, text: &str, deadline: Instant, wayland: bool) -> Result<(), String> {
        self.set_text_and_wait(text, deadline, wayland)
            .map_err(|e| describe(&e))
    }
}

impl Arboard {
    /// Puts `text` on the clipboard, marked as a secret so clipboard
    /// managers that honour the hint keep it out of their history.
    fn set_text(&mut self, text: &str) -> Result<(), arboard::Error> {
        secret(self.open()?.set()).text(text)
    }

    /// Like [`Arboard::set_text`], but on Linux and BSD returns only once
    /// another program owns the clipboard or `deadline` has passed, so a
    /// process that exits afterwards does not take the text with it.
    #[cfg(all(
        unix,
        not(any(target_os = "macos", target_os = "android", target_os = "emscripten"))
    ))]
    fn set_text_and_wait(
        &mut self,
        text: &str,
        deadline: Instant,
        wayland: bool,
    ) -> Result<(), arboard::Error> {
        use arboard::SetExtLinux;

        if wayland {
            return serve_on_thread_until(text, deadline);
        }
        secret(self.open()?.set()).wait_until(deadline).text(text)
    }

    /// Elsewhere the clipboard keeps its text after we exit.
    #[cfg(not(all(
        unix,
        not(any(target_os = "macos", target_os = "android", target_os = "emscripten"))
    )))]
    fn set_text_and_wait(
        &mut self,
        text: &str,
        _deadline: Instant,
        _wayland: bool,
    ) -> Result<(), arboard::Error> {
        self.set_text(text)
    }

    fn open(&mut self) -> Result<&mut arboard::Clipboard, arboard::Error> {
        let clipboard = match self.clipboard.take() {
            Some(clipboard) => clipboard,
            None => arboard::Clipboard::new()?,
        };
        Ok(self.clipboard.insert(clipboard))
    }
}

/// arboard 3.7 ignores `wait_until` on Wayland: the text is served by a
/// background thread and vanishes when the process exits. `wait()` does block
/// there (until another program copies), so run it on a thread of our own and
/// stop waiting at the deadline.
#[cfg(all(
    unix,
    not(any(target_os = "macos", target_os = "android", target_os = "emscripten"))
))]
fn serve_on_thread_until(text: &str, deadline: Instant) -> Result<(), arboard::Error> {
    use arboard::SetExtLinux;
    use std::sync::mpsc::{self, RecvTimeoutError};

    let text = zeroize::Zeroizing::new(text.to_owned());
    let (done, finished) = mpsc::channel();
    std::thread::spawn(move || {
        let result = arboard::Clipboard::new()
            .and_then(|mut clipboard| secret(clipboard.set()).wait().text(text.as_str()));
        // The caller may have stopped listening at its deadline; nothing to tell then.
        let _ = done.send(result);
    });

    match finished.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
        Ok(result) => result,
        Err(RecvTimeoutError::Timeout) => Ok(()),
        Err(RecvTimeoutError::Disconnected) => Err(arboard::Error::Unknown {
            description: "the clipboard thread stopped unexpectedly".to_owned(),
        }),
    }
}

/// Asks the platform to keep the text out of clipboard history.
fn secret(set: arboard::Set<'_>) -> arboard::Set<'_> {
    #[cfg(all(
        unix,
        not(any(target_os = "macos", target_os = "android", target_os = "emscripten"))
    ))]
    let set = arboard::SetExtLinux::exclude_from_history(set);
    #[cfg(target_os = "macos")]
    let set = arboard::SetExtApple::exclude_from_history(set);
    #[cfg(windows)]
    let set = arboard::SetExtWindows::exclude_from_history(set);
    set
}

/// A short phrase for the status line; arboard's own texts are long
/// sentences aimed at developers.
fn describe(error: &arboard::Error) -> String {
    match error {
        arboard::Error::ClipboardOccupied => "another program is holding it".to_owned(),
        arboard::Error::ClipboardNotSupported => "it is not supported here".to_owned(),
        arboard::Error::Unknown { description } => description.clone(),
        other => other.to_string().trim_end_matches('.').to_owned(),
    }
}
