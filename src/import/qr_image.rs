//! qr_image: see mod.rs (to be written).

// Placeholders so the import dispatcher compiles; the real readers come from
// the other import branch.
pub(super) fn looks_like(bytes: &[u8]) -> bool {
    unimplemented!("{}", bytes.len())
}

pub(super) fn read(bytes: &[u8]) -> Result<super::ImportReport, super::ImportError> {
    unimplemented!("{}", bytes.len())
}
