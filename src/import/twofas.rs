//! twofas: see mod.rs (to be written).
