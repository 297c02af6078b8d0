//! The decrypted vault document (TOML): never panics, and whatever parses is
//! written and read back unchanged (a save never alters an entry).

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    tessera::vault::parse_document_for_fuzzing(data);
});
