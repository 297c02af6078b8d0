//! ente: see mod.rs (to be written).
