//! uri_list: see mod.rs (to be written).
