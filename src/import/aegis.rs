//! aegis: see mod.rs (to be written).
