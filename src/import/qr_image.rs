//! QR codes in PNG and JPEG screenshots: a site's `otpauth://` code, or
//! Google Authenticator's `otpauth-migration://` export codes (decoded by
//! [`super::google`]). One image may hold several codes; each is read, and
//! codes that cannot be used are skipped as "QR code N" (counted left to
//! right, top to bottom) with the reason.
//!
//! Codes are found with rqrr on the grey image; when none is found the
//! image is tried again inverted, for dark-mode screenshots (light modules
//! on a dark background).

use std::path::Path;

use image::GrayImage;
use zeroize::Zeroizing;

use crate::otp::Account;

use super::google::{Batches, is_migration_uri};
use super::uri_list::{empty_report, imported_from_uri, is_account_uri};
use super::{Format, ImportError, ImportReport, Skipped};

const PNG_MAGIC: &[u8] = b"\x89PNG\r\n\x1a\n";
const JPEG_MAGIC: &[u8] = b"\xff\xd8\xff";

/// True for PNG and JPEG files, judged by their first bytes.
pub(super) fn looks_like(bytes: &[u8]) -> bool {
    bytes.starts_with(PNG_MAGIC) || bytes.starts_with(JPEG_MAGIC)
}

/// Reads every QR code in the image.
pub(super) fn read(bytes: &[u8]) -> Result<ImportReport, ImportError> {
    read_many(&[bytes])
}

/// Reads every QR code in several images as one export, so the batches of
/// a Google Authenticator export screenshotted one by one are joined (and a
/// batch is only called missing when no image holds it). Codes are
/// numbered across the images in order.
pub fn read_many(images: &[&[u8]]) -> Result<ImportReport, ImportError> {
    let mut codes = Vec::new();
    for bytes in images {
        codes.extend(qr_texts(&decode_image(bytes)?));
    }
    if codes.is_empty() {
        return Err(ImportError::NoQrCode);
    }

    let mut report = empty_report(Format::Qr);
    let mut batches = Batches::default();
    for (number, text) in (1..).zip(codes) {
        let place = format!("QR code {number}");
        match text {
            Some(text) if is_migration_uri(&text) => batches.add(&text, &place, &mut report),
            Some(text) if is_account_uri(&text) => match imported_from_uri(&text, &place) {
                Ok((entry, warnings)) => {
                    report.warnings.extend(warnings);
                    report.entries.push(entry);
                }
                Err(skipped) => report.skipped.push(skipped),
            },
            Some(_) => report.skipped.push(Skipped {
                name: place,
                reason: "it holds something other than an otpauth:// link".to_owned(),
            }),
            None => report.skipped.push(Skipped {
                name: place,
                reason: "it could not be decoded; take a sharper screenshot".to_owned(),
            }),
        }
    }
    batches.finish(&mut report);
    Ok(report)
}

/// Reads the image at `path` into a report: the accounts in its QR codes,
/// the codes skipped, and warnings such as a missing migration batch.
pub fn read_image_file(path: &Path) -> Result<ImportReport, ImportError> {
    let bytes = std::fs::read(path).map_err(|source| ImportError::Read {
        path: path.to_owned(),
        source,
    })?;
    read(&bytes)
}

/// The accounts in the QR codes of the image at `path`, for the add dialog.
/// An image whose codes hold no usable account is an error that says why.
pub fn accounts_from_image_file(path: &Path) -> Result<Vec<Account>, ImportError> {
    let report = read_image_file(path)?;
    if report.entries.is_empty() {
        let detail = report
            .skipped
            .iter()
            .map(|skipped| format!("{}: {}", skipped.name, skipped.reason))
            .collect::<Vec<_>>()
            .join("; ");
        return Err(ImportError::NothingUsable { detail });
    }
    Ok(report
        .entries
        .into_iter()
        .map(|entry| entry.account)
        .collect())
}

fn decode_image(bytes: &[u8]) -> Result<GrayImage, ImportError> {
    let detail = match image::load_from_memory(bytes) {
        Ok(image) => return Ok(image.to_luma8()),
        Err(image::ImageError::Unsupported(_)) => "it is not a PNG or JPEG image",
        Err(image::ImageError::Limits(_)) => "it is too large",
        Err(image::ImageError::Decoding(_)) => "the image data is damaged",
        Err(_) => "it could not be decoded",
    };
    Err(ImportError::Image {
        detail: detail.to_owned(),
    })
}

/// The text of each QR code found, in reading order; `None` for a code that
/// was found but could not be decoded.
fn qr_texts(image: &GrayImage) -> Vec<Option<Zeroizing<String>>> {
    let codes = find_codes(image.clone());
    if !codes.is_empty() {
        return codes;
    }
    let mut inverted = image.clone();
    image::imageops::invert(&mut inverted);
    find_codes(inverted)
}

fn find_codes(image: GrayImage) -> Vec<Option<Zeroizing<String>>> {
    let mut prepared = rqrr::PreparedImage::prepare(image);
    let mut grids = prepared.detect_grids();
    // Reading order: rows of codes top to bottom, each row left to right.
    grids.sort_by_key(|grid| {
        let top_left = grid.bounds[0];
        (top_left.y / 64, top_left.x)
    });
    grids
        .iter()
        .map(|grid| {
            let mut bytes = Zeroizing::new(Vec::with_capacity(rqrr::MAX_PAYLOAD_SIZE));
            grid.decode_to(&mut *bytes).ok()?;
            let text = std::str::from_utf8(&bytes).ok()?;
            Some(Zeroizing::new(text.trim().to_owned()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::otp::Kind;

    const T: u64 = 1_700_000_000;
    const EXAMPLE: &str = "otpauth://totp/Example:alice?secret=JBSWY3DPEHPK3PXP&issuer=Example";
    const HOTP: &str = "otpauth://hotp/RFC:bob?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&counter=1";

    /// `texts` as QR codes side by side on one white image, `scale` pixels
    /// per module, with a quiet zone around each.
    fn qr_image(texts: &[&str], scale: u32) -> GrayImage {
        let codes: Vec<qrcode::QrCode> = texts
            .iter()
            .map(|text| qrcode::QrCode::new(text.as_bytes()).expect("fits in a QR code"))
            .collect();
        let quiet = 4;
        let widths: Vec<u32> = codes
            .iter()
            .map(|code| u32::try_from(code.width()).expect("small") + 2 * quiet)
            .collect();
        let width = widths.iter().sum::<u32>() * scale;
        let height = widths.iter().copied().max().unwrap_or(0) * scale;
        let mut image = GrayImage::from_pixel(width, height, image::Luma([255]));
        let mut left = 0;
        for (code, modules) in codes.iter().zip(&widths) {
            let size = code.width();
            for (index, color) in code.to_colors().iter().enumerate() {
                if *color == qrcode::Color::Dark {
                    let x = u32::try_from(index % size).expect("small") + quiet;
                    let y = u32::try_from(index / size).expect("small") + quiet;
                    for dy in 0..scale {
                        for dx in 0..scale {
                            image.put_pixel(
                                left + x * scale + dx,
                                y * scale + dy,
                                image::Luma([0]),
                            );
                        }
                    }
                }
            }
            left += modules * scale;
        }
        image
    }

    fn encoded(image: &GrayImage, format: image::ImageFormat) -> Vec<u8> {
        let mut bytes = std::io::Cursor::new(Vec::new());
        image.write_to(&mut bytes, format).expect("encodes");
        bytes.into_inner()
    }

    #[test]
    fn reads_the_account_in_a_png_screenshot() {
        let png = encoded(&qr_image(&[EXAMPLE], 4), image::ImageFormat::Png);
        let report = read(&png).expect("reads");
        assert_eq!(report.labels(), ["Example:alice"]);
        let expected = Account::from_uri(EXAMPLE).expect("parses").account;
        assert_eq!(report.entries[0].account.code_at(T), expected.code_at(T));
    }

    #[test]
    fn reads_a_jpeg_screenshot() {
        let jpeg = encoded(&qr_image(&[EXAMPLE], 6), image::ImageFormat::Jpeg);
        assert!(jpeg.starts_with(JPEG_MAGIC));
        let report = read(&jpeg).expect("reads");
        assert_eq!(report.labels(), ["Example:alice"]);
    }

    #[test]
    fn reads_two_codes_side_by_side_left_to_right() {
        let png = encoded(&qr_image(&[HOTP, EXAMPLE], 4), image::ImageFormat::Png);
        let report = read(&png).expect("reads");
        assert_eq!(report.labels(), ["RFC:bob", "Example:alice"]);
        assert_eq!(report.entries[0].account.kind, Kind::Hotp { counter: 1 });
    }

    #[test]
    fn reads_a_dark_mode_screenshot() {
        let mut image = qr_image(&[EXAMPLE], 4);
        image::imageops::invert(&mut image);
        let report = read(&encoded(&image, image::ImageFormat::Png)).expect("reads");
        assert_eq!(report.labels(), ["Example:alice"]);
    }

    #[test]
    fn reads_a_google_migration_code() {
        let account = Account::from_uri(EXAMPLE).expect("parses").account;
        let export = super::super::google::migration_uris(&[account], 10);
        let png = encoded(&qr_image(&[export[0].as_str()], 4), image::ImageFormat::Png);
        let report = read(&png).expect("reads");
        assert_eq!(report.labels(), ["Example:alice"]);
    }

    #[test]
    fn reads_a_code_in_a_phone_sized_screenshot() {
        let code = qr_image(&[EXAMPLE], 6);
        let mut screen = GrayImage::from_pixel(1080, 2340, image::Luma([230]));
        image::imageops::overlay(&mut screen, &code, 300, 900);
        let report = read(&encoded(&screen, image::ImageFormat::Png)).expect("reads");
        assert_eq!(report.labels(), ["Example:alice"]);
    }

    #[test]
    fn a_code_that_is_not_an_account_is_skipped() {
        let png = encoded(
            &qr_image(&["https://example.com/", EXAMPLE], 4),
            image::ImageFormat::Png,
        );
        let report = read(&png).expect("reads");
        assert_eq!(report.labels(), ["Example:alice"]);
        assert_eq!(
            report.skipped,
            [Skipped {
                name: "QR code 1".to_owned(),
                reason: "it holds something other than an otpauth:// link".to_owned(),
            }]
        );
    }

    #[test]
    fn an_image_without_a_code_is_a_clear_error() {
        let blank = GrayImage::from_pixel(64, 64, image::Luma([255]));
        let error = read(&encoded(&blank, image::ImageFormat::Png)).err();
        assert!(matches!(error, Some(ImportError::NoQrCode)), "{error:?}");
    }

    #[test]
    fn bytes_that_are_not_an_image_say_so() {
        let error = read(b"\x89PNG\r\n\x1a\nnot really").err();
        assert!(
            matches!(error, Some(ImportError::Image { .. })),
            "{error:?}"
        );
    }

    #[test]
    fn accounts_from_an_image_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("shot.png");
        let image = qr_image(&[EXAMPLE], 4);
        image.save(&path).expect("saves");
        let accounts = accounts_from_image_file(&path).expect("reads");
        assert_eq!(accounts[0].label(), "Example:alice");
    }

    #[test]
    fn an_image_file_with_no_usable_code_says_why() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("shot.png");
        qr_image(&["hello"], 4).save(&path).expect("saves");
        let message = accounts_from_image_file(&path)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            message.contains("QR code 1: it holds something other"),
            "{message}"
        );
    }

    #[test]
    fn looks_like_png_and_jpeg_only() {
        assert!(looks_like(b"\x89PNG\r\n\x1a\n...."));
        assert!(looks_like(b"\xff\xd8\xff\xe0...."));
        assert!(!looks_like(b"GIF89a"));
    }
}
