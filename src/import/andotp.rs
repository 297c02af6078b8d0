//! andotp: see mod.rs (to be written).
