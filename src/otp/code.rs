//! Code generation: HOTP (RFC 4226), TOTP (RFC 6238) and Steam Guard.

use std::fmt;

use zeroize::Zeroizing;

use super::Account;

/// A generated code, e.g. `"02324550"` or `"2KM2P"`.
#[derive(Clone, PartialEq, Eq)]
pub struct Code(Zeroizing<String>);

impl Code {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Split for reading: `324 550`, `0232 4550`; Steam codes stay whole.
    pub fn grouped(&self) -> String {
        unimplemented!()
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Code(<redacted>)")
    }
}

pub(super) fn generate(account: &Account, unix_time: u64) -> Code {
    unimplemented!("{account:?} {unix_time}")
}
