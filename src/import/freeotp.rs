//! freeotp: see mod.rs (to be written).
