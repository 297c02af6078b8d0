//! Writes the encrypted import fixtures from the plain ones beside them:
//!
//! ```text
//! cargo run --example make_import_fixtures
//! ```
//!
//! - `aegis-plain.json` -> `aegis-encrypted.json` (password `aegis fixture password`)
//! - `2fas-plain.2fas` -> `2fas-encrypted.2fas` (password `2fas fixture password`)
//! - `andotp-plain.json` -> `andotp-encrypted.json.aes` (password `andotp fixture password`)
//!
//! Each follows the layout its app publishes (see the module docs of
//! `src/import/{aegis,twofas,andotp}.rs`). Salts, nonces and keys come from a
//! fixed byte pattern, so running this again writes the same files: fine for
//! test data, never for real secrets.

use std::fs;
use std::path::Path;

use aes_gcm::aead::AeadInPlace;
use aes_gcm::{Aes256Gcm, KeyInit, Nonce};
use anyhow::{Context, Result, anyhow};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

const AEGIS_PASSWORD: &str = "aegis fixture password";
const TWOFAS_PASSWORD: &str = "2fas fixture password";
const ANDOTP_PASSWORD: &str = "andotp fixture password";

fn main() -> Result<()> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/import");
    write_aegis(&dir)?;
    write_twofas(&dir)?;
    write_andotp(&dir)?;
    Ok(())
}

/// `len` bytes of a fixed pattern picked by `seed`.
fn pattern(seed: u8, len: usize) -> Vec<u8> {
    let mut state = u32::from(seed).wrapping_mul(2_654_435_761).wrapping_add(1);
    (0..len)
        .map(|_| {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            state.to_be_bytes()[0]
        })
        .collect()
}

/// AES-256-GCM; returns the ciphertext and the tag separately.
fn seal(key: &[u8], nonce: &[u8], plaintext: &[u8]) -> Result<(Vec<u8>, Vec<u8>)> {
    let cipher = Aes256Gcm::new_from_slice(key).map_err(|_| anyhow!("bad key length"))?;
    let mut buffer = plaintext.to_vec();
    let tag = cipher
        .encrypt_in_place_detached(Nonce::from_slice(nonce), b"", &mut buffer)
        .map_err(|_| anyhow!("encryption failed"))?;
    Ok((buffer, tag.to_vec()))
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    bytes
        .iter()
        .flat_map(|b| [DIGITS[usize::from(b >> 4)], DIGITS[usize::from(b & 0x0f)]])
        .map(char::from)
        .collect()
}

fn read_json(path: &Path) -> Result<Value> {
    let text = fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    Ok(serde_json::from_slice(&text)?)
}

fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))?;
    println!("wrote {}", path.display());
    Ok(())
}

fn pretty(value: &Value) -> Result<Vec<u8>> {
    let mut bytes = serde_json::to_vec_pretty(value)?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// Aegis: a random master key encrypts `db`; a biometric slot (a key the
/// phone holds) and a password slot (scrypt N=2^15, r=8, p=1) each wrap it.
fn write_aegis(dir: &Path) -> Result<()> {
    let plain = read_json(&dir.join("aegis-plain.json"))?;
    let master_key = pattern(1, 32);

    let (db, db_tag) = seal(
        &master_key,
        &pattern(2, 12),
        &serde_json::to_vec(&plain["db"])?,
    )?;
    let biometric = wrap_key(
        &pattern(3, 32),
        &pattern(4, 12),
        &master_key,
        json!({"type": 2, "uuid": "4e5f6a7b-8c9d-4e0f-a1b2-c3d4e5f60001"}),
    )?;
    let password_slot = aegis_password_slot(&master_key)?;

    let vault = json!({
        "version": 1,
        "header": {
            "slots": [biometric, password_slot],
            "params": {"nonce": hex(&pattern(2, 12)), "tag": hex(&db_tag)},
        },
        "db": STANDARD.encode(db),
    });
    write(&dir.join("aegis-encrypted.json"), &pretty(&vault)?)
}

fn aegis_password_slot(master_key: &[u8]) -> Result<Value> {
    let salt = pattern(5, 32);
    let params = scrypt::Params::new(15, 8, 1, 32).map_err(|_| anyhow!("scrypt params"))?;
    let mut key = [0u8; 32];
    scrypt::scrypt(AEGIS_PASSWORD.as_bytes(), &salt, &params, &mut key)
        .map_err(|_| anyhow!("scrypt output length"))?;
    let mut slot = wrap_key(
        &key,
        &pattern(6, 12),
        master_key,
        json!({"type": 1, "uuid": "4e5f6a7b-8c9d-4e0f-a1b2-c3d4e5f60002"}),
    )?;
    slot["n"] = 32768.into();
    slot["r"] = 8.into();
    slot["p"] = 1.into();
    slot["salt"] = hex(&salt).into();
    Ok(slot)
}

/// Adds `key` and `key_params` (the master key sealed under `wrapping_key`)
/// to `slot`.
fn wrap_key(
    wrapping_key: &[u8],
    nonce: &[u8],
    master_key: &[u8],
    mut slot: Value,
) -> Result<Value> {
    let (sealed, tag) = seal(wrapping_key, nonce, master_key)?;
    slot["key"] = hex(&sealed).into();
    slot["key_params"] = json!({"nonce": hex(nonce), "tag": hex(&tag)});
    Ok(slot)
}

/// 2FAS: `services` sealed under PBKDF2-HMAC-SHA256 (10 000 rounds, 256-byte
/// salt), written as `data+tag:salt:iv` in base64, plus the `reference`
/// 2FAS checks passwords with.
fn write_twofas(dir: &Path) -> Result<()> {
    let mut backup = read_json(&dir.join("2fas-plain.2fas"))?;
    let salt = pattern(7, 256);
    let mut key = [0u8; 32];
    pbkdf2::pbkdf2_hmac::<sha2::Sha256>(TWOFAS_PASSWORD.as_bytes(), &salt, 10_000, &mut key);

    let sealed_field = |plaintext: &[u8], nonce: Vec<u8>| -> Result<String> {
        let (mut data, tag) = seal(&key, &nonce, plaintext)?;
        data.extend_from_slice(&tag);
        Ok(format!(
            "{}:{}:{}",
            STANDARD.encode(data),
            STANDARD.encode(&salt),
            STANDARD.encode(nonce)
        ))
    };
    let services = sealed_field(&serde_json::to_vec(&backup["services"])?, pattern(8, 12))?;
    let reference = sealed_field(
        b"A made-up reference text for Tessera's fixtures.",
        pattern(9, 12),
    )?;

    backup["services"] = json!([]);
    backup["servicesEncrypted"] = services.into();
    backup["reference"] = reference.into();
    write(&dir.join("2fas-encrypted.2fas"), &pretty(&backup)?)
}

/// andOTP: iterations (big-endian u32), 12-byte salt, 12-byte nonce, then
/// the JSON array sealed under PBKDF2-HMAC-SHA1.
fn write_andotp(dir: &Path) -> Result<()> {
    let entries = read_json(&dir.join("andotp-plain.json"))?;
    let iterations: u32 = 140_000;
    let salt = pattern(10, 12);
    let nonce = pattern(11, 12);
    let mut key = [0u8; 32];
    pbkdf2::pbkdf2_hmac::<sha1::Sha1>(ANDOTP_PASSWORD.as_bytes(), &salt, iterations, &mut key);

    let (data, tag) = seal(&key, &nonce, &serde_json::to_vec(&entries)?)?;
    let file = [
        iterations.to_be_bytes().as_slice(),
        &salt,
        &nonce,
        &data,
        &tag,
    ]
    .concat();
    write(&dir.join("andotp-encrypted.json.aes"), &file)
}
