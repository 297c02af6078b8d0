//! qr_image: see mod.rs (to be written).
