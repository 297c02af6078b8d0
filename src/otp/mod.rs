//! Accounts, `otpauth://` URIs and one-time codes.
//!
//! Nothing here reads the clock or touches a terminal: code generation takes
//! Unix seconds as a parameter.

mod account;
mod code;
mod secret;
mod uri;

pub use account::{Account, Algorithm, Kind};
pub use code::Code;
pub use secret::{Secret, SecretError};
pub use uri::{ParsedUri, UriError, Warning};
