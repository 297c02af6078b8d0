//! Tessera: a terminal authenticator.
//!
//! The library holds everything but argument parsing: accounts and codes
//! ([`otp`]), the encrypted vault ([`vault`]), the clipboard ([`clipboard`]),
//! the commands ([`app`]) and the interface ([`tui`]); [`log`] is the opt-in
//! debug log. Terminal types never reach `otp` or `vault`.

pub mod app;
pub mod cli;
pub mod clipboard;
pub mod clock;
pub mod export;
pub mod import;
pub mod log;
pub mod otp;
pub mod qr;
pub mod tui;
pub mod vault;
