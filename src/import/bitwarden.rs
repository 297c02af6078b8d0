//! bitwarden: see mod.rs (to be written).
