//! The OSC 52 escape sequence, bare or wrapped in a multiplexer's DCS
//! passthrough. Pure byte building; writing is the caller's job.

use crossterm::Command;
use crossterm::clipboard::CopyToClipboard;
use zeroize::Zeroizing;

use super::route::Wrap;

const ESC: u8 = 0x1b;
const BEL: u8 = 0x07;
/// String Terminator, which also ends a DCS passthrough.
const ST: &[u8] = b"\x1b\\";
/// screen keeps only a few hundred bytes of one DCS string, so a long
/// sequence goes out in several passthroughs that the terminal reads as one.
const SCREEN_CHUNK: usize = 76;

/// The bytes that copy `text` to the terminal's clipboard through `wrap`.
pub fn sequence(text: &str, wrap: Wrap) -> Zeroizing<Vec<u8>> {
    let plain = plain(text);
    match wrap {
        Wrap::Plain => Zeroizing::new(plain.as_bytes().to_vec()),
        Wrap::Tmux => {
            let mut bytes = tmux_passthrough(plain.as_bytes());
            bytes.extend_from_slice(plain.as_bytes());
            bytes
        }
        Wrap::Screen => screen_passthrough(plain.as_bytes()),
    }
}

/// `ESC ] 52 ; c ; <base64> ESC \` as crossterm writes it.
fn plain(text: &str) -> Zeroizing<String> {
    let base64_len = text.len().div_ceil(3) * 4;
    let mut seq = Zeroizing::new(String::with_capacity(base64_len + 16));
    CopyToClipboard::to_clipboard_from(text.as_bytes())
        .write_ansi(&mut *seq)
        .expect("formatting into a String cannot fail");
    seq
}

/// `ESC P tmux ; <seq with every ESC doubled> ESC \`.
fn tmux_passthrough(seq: &[u8]) -> Zeroizing<Vec<u8>> {
    let mut out = Zeroizing::new(Vec::with_capacity(2 * seq.len() + 16));
    out.extend_from_slice(b"\x1bPtmux;");
    for &byte in seq {
        if byte == ESC {
            out.push(ESC);
        }
        out.push(byte);
    }
    out.extend_from_slice(ST);
    out
}

/// `ESC P <chunk> ESC \` per chunk. The inner sequence ends with BEL instead
/// of ST, because screen ends the passthrough at the first ST.
fn screen_passthrough(seq: &[u8]) -> Zeroizing<Vec<u8>> {
    let body = seq.strip_suffix(ST).unwrap_or(seq);
    let mut inner = Zeroizing::new(Vec::with_capacity(body.len() + 1));
    inner.extend_from_slice(body);
    inner.push(BEL);

    let chunks = inner.len().div_ceil(SCREEN_CHUNK);
    let mut out = Zeroizing::new(Vec::with_capacity(inner.len() + 4 * chunks));
    for chunk in inner.chunks(SCREEN_CHUNK) {
        out.extend_from_slice(b"\x1bP");
        out.extend_from_slice(chunk);
        out.extend_from_slice(ST);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLAIN_123456: &[u8] = b"\x1b]52;c;MTIzNDU2\x1b\\";

    #[test]
    fn plain_sequence_for_a_code_is_base64_between_osc52_and_st() {
        assert_eq!(sequence("123456", Wrap::Plain).as_slice(), PLAIN_123456);
    }

    #[test]
    fn tmux_wrapping_doubles_every_esc_then_repeats_the_plain_sequence() {
        let expected = [
            b"\x1bPtmux;\x1b\x1b]52;c;MTIzNDU2\x1b\x1b\\\x1b\\".as_slice(),
            PLAIN_123456,
        ]
        .concat();
        assert_eq!(sequence("123456", Wrap::Tmux).as_slice(), expected);
    }

    #[test]
    fn screen_wrapping_ends_the_inner_sequence_with_bel() {
        assert_eq!(
            sequence("123456", Wrap::Screen).as_slice(),
            b"\x1bP\x1b]52;c;MTIzNDU2\x07\x1b\\"
        );
    }

    #[test]
    fn screen_wrapping_splits_long_text_into_passthroughs_that_join_to_one_sequence() {
        let text = "JBSWY3DPEHPK3PXP".repeat(10);
        let wrapped = sequence(&text, Wrap::Screen);

        // Every passthrough but the last is exactly ESC P + a full chunk + ST.
        let passthroughs: Vec<&[u8]> = wrapped.chunks(SCREEN_CHUNK + 4).collect();
        let joined: Vec<u8> = passthroughs
            .iter()
            .filter_map(|piece| {
                piece
                    .strip_prefix(b"\x1bP")
                    .and_then(|p| p.strip_suffix(ST))
            })
            .flatten()
            .copied()
            .collect();

        let plain = plain(&text);
        let expected = [plain.as_bytes().strip_suffix(ST).unwrap(), &[BEL]].concat();
        assert_eq!(passthroughs.len(), expected.len().div_ceil(SCREEN_CHUNK));
        assert_eq!(joined, expected);
    }
}
