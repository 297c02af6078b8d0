//! Hostile vault files through Tessera's unlock path with an age identity:
//! every input is refused or opened, never a panic (age's own error
//! formatting has one; Tessera words those errors itself).

#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use tessera::vault::{self, Key};

/// A public test identity, written once to a temp file.
const IDENTITY: &str =
    "AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0\n";

fn identity_file() -> PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        let path = std::env::temp_dir().join(format!("tessera-fuzz-{}.key", std::process::id()));
        std::fs::write(&path, IDENTITY).expect("write the identity");
        path
    })
    .clone()
}

fuzz_target!(|data: &[u8]| {
    match vault::decrypt_for_testing(data, Key::Identities(vec![identity_file()])) {
        Ok(plaintext) => {
            vault::parse_document_for_fuzzing(&plaintext);
        }
        Err(error) => {
            let _ = error.to_string();
        }
    }
});
