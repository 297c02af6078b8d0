//! Every importer on hostile bytes: the first byte picks the format, the
//! rest is the file. Each must return a report or an error, never panic;
//! format detection must not panic either. Encrypted formats get a fixed
//! password, so their decryption and the parsing behind it run too.

#![no_main]

use std::path::Path;

use clap::ValueEnum;
use libfuzzer_sys::fuzz_target;
use secrecy::SecretString;
use tessera::import::{self, Format};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, bytes)) = data.split_first() else {
        return;
    };
    let formats = Format::value_variants();
    let format = formats[usize::from(selector) % formats.len()];

    let _ = import::detect(bytes, Path::new("export"));
    let mut password = || Ok(SecretString::from("fuzz".to_owned()));
    if let Ok(report) = import::read(bytes, format, &mut password) {
        for entry in &report.entries {
            let _ = entry.account.to_uri();
        }
    }
});
