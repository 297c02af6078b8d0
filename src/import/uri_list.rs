//! Plain URI lists: one `otpauth://` (or `steam://`) URI per line, blank
//! lines and `#` comments ignored. A line that is not a usable URI is
//! skipped as "line N" with the reason; it never fails the whole file.
//!
//! Also home to the small helpers the other text formats share (FreeOTP+'s
//! URI export, ente's plain text, Google's migration lines, Bitwarden):
//! reading the bytes as text, walking the meaningful lines, turning one URI
//! into an [`Imported`], and wording JSON errors without quoting the file.

use crate::otp::{Account, Warning};

use super::{Format, ImportError, ImportReport, Imported, Skipped};

/// True when the first meaningful line is an `otpauth://` or `steam://` URI.
pub(super) fn looks_like(bytes: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return false;
    };
    meaningful_lines(strip_bom(text))
        .next()
        .is_some_and(|(_, line)| is_account_uri(line))
}

/// Reads every line as a URI; bad lines are skipped with their number.
pub(super) fn read(bytes: &[u8]) -> Result<ImportReport, ImportError> {
    read_as(bytes, Format::Uris)
}

/// [`read`], naming the report and its errors `format` (FreeOTP+'s URI
/// export is the same shape).
pub(super) fn read_as(bytes: &[u8], format: Format) -> Result<ImportReport, ImportError> {
    let text = text_of(bytes, format)?;
    let mut report = empty_report(format);
    for (number, line) in meaningful_lines(text) {
        match imported_from_uri(line, &format!("line {number}")) {
            Ok((entry, warnings)) => {
                report.warnings.extend(warnings);
                report.entries.push(entry);
            }
            Err(skipped) => report.skipped.push(skipped),
        }
    }
    Ok(report)
}

/// Parses one URI into an entry with no tags, note or pin, plus the
/// parser's warnings worded for the report. `place` names the URI when it
/// is rejected ("line 3", "QR code 2"), since a bad URI has no trusted name.
///
/// The short-secret warning is left out: many sites hand out 80-bit keys,
/// and at import time there is nothing the user could do about it.
pub(super) fn imported_from_uri(
    uri: &str,
    place: &str,
) -> Result<(Imported, Vec<String>), Skipped> {
    match Account::from_uri(uri) {
        Ok(parsed) => {
            let label = display_name(&parsed.account);
            let warnings = parsed
                .warnings
                .iter()
                .filter(|warning| !matches!(warning, Warning::ShortSecret { .. }))
                .map(|warning| format!("{label}: {warning}"))
                .collect();
            Ok((plain(parsed.account), warnings))
        }
        Err(error) => Err(Skipped {
            name: place.to_owned(),
            reason: error.to_string(),
        }),
    }
}

/// An entry that carries no tags, note or pin from its source.
pub(super) fn plain(account: Account) -> Imported {
    Imported {
        account,
        tags: Vec::new(),
        note: String::new(),
        pinned: false,
    }
}

/// A report with nothing in it yet.
pub(super) fn empty_report(format: Format) -> ImportReport {
    ImportReport {
        format,
        entries: Vec::new(),
        skipped: Vec::new(),
        warnings: Vec::new(),
    }
}

/// How an account is named in skips and warnings: `issuer:name`, or
/// "(unnamed)". Never the secret.
pub(super) fn display_name(account: &Account) -> String {
    let label = account.label();
    if label.is_empty() {
        "(unnamed)".to_owned()
    } else {
        label
    }
}

/// The file as text; a file that is not UTF-8 is a damaged `format` export.
pub(super) fn text_of(bytes: &[u8], format: Format) -> Result<&str, ImportError> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(strip_bom(text)),
        Err(error) => Err(ImportError::damaged(
            format,
            format!(
                "it is not UTF-8 text (a bad byte at offset {})",
                error.valid_up_to()
            ),
        )),
    }
}

/// Lines with something in them, trimmed, with their 1-based numbers;
/// blank lines and `#` comments are left out.
pub(super) fn meaningful_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(index, line)| (index + 1, line.trim()))
        .filter(|(_, line)| !line.is_empty() && !line.starts_with('#'))
}

/// `otpauth://` or `steam://`, in any case.
pub(super) fn is_account_uri(text: &str) -> bool {
    starts_with_ignore_case(text, "otpauth://") || starts_with_ignore_case(text, "steam://")
}

pub(super) fn starts_with_ignore_case(text: &str, prefix: &str) -> bool {
    text.get(..prefix.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
}

/// Words a JSON syntax error by its position only: serde_json's own
/// messages can quote the file, which may hold secrets.
pub(super) fn json_error_detail(error: &serde_json::Error) -> String {
    let what = match error.classify() {
        serde_json::error::Category::Eof => "the JSON ends too early",
        serde_json::error::Category::Io => "the JSON could not be read",
        serde_json::error::Category::Syntax | serde_json::error::Category::Data => {
            "the JSON is not valid"
        }
    };
    format!("{what} (line {}, column {})", error.line(), error.column())
}

fn strip_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::otp::Algorithm;

    /// The RFC 6238 SHA-512 key: "1234567890" repeated to 64 bytes.
    const SHA512_KEY: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNA";

    fn report(text: &str) -> ImportReport {
        read(text.as_bytes()).expect("a URI list always reads")
    }

    #[test]
    fn reads_one_account_per_line_ignoring_blanks_and_comments() {
        let report = report(
            "# my accounts\n\
             otpauth://totp/GitHub:alice?secret=JBSWY3DPEHPK3PXP\n\
             \n\
             \r\n\
             otpauth://hotp/Example:bob?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&counter=5\r\n",
        );
        let labels: Vec<String> = report.entries.iter().map(|e| e.account.label()).collect();
        assert_eq!(labels, ["GitHub:alice", "Example:bob"]);
        assert!(report.skipped.is_empty());
        assert_eq!(report.format, Format::Uris);
    }

    #[test]
    fn codes_at_a_fixed_time_match_the_rfc_vectors() {
        let report = report(&format!(
            "otpauth://totp/Big:carol?secret={SHA512_KEY}&algorithm=SHA512&digits=8\n\
             otpauth://hotp/RFC:hotp?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&counter=1\n"
        ));
        let codes: Vec<String> = report
            .entries
            .iter()
            .map(|e| e.account.code_at(59).to_string())
            .collect();
        // RFC 6238 SHA-512 at 59 s; RFC 4226 HOTP at counter 1.
        assert_eq!(codes, ["90693936", "287082"]);
        assert_eq!(report.entries[0].account.algorithm, Algorithm::Sha512);
    }

    #[test]
    fn a_bad_line_is_skipped_with_its_number_and_reason() {
        let report = report(
            "otpauth://totp/A:a?secret=JBSWY3DPEHPK3PXP\n\
             https://example.com/not-an-account\n\
             otpauth://totp/B:b?secret=JBSW1Y3DP\n\
             otpauth://totp/C:c?secret=JBSWY3DPEHPK3PXP\n",
        );
        assert_eq!(report.entries.len(), 2);
        let skipped: Vec<&str> = report.skipped.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(skipped, ["line 2", "line 3"]);
        assert!(report.skipped[0].reason.contains("https://"));
        assert!(report.skipped[1].reason.contains("position 5"));
    }

    #[test]
    fn skip_reasons_never_quote_the_secret() {
        let report = report("otpauth://totp/B:b?secret=SECRETKEY1ABC&digits=12\n");
        let reason = &report.skipped[0].reason;
        assert!(!reason.contains("SECRETKEY"), "{reason}");
    }

    #[test]
    fn parser_warnings_but_short_secrets_are_reported_with_the_account_name() {
        let report = report("otpauth://hotp/Example:bob?secret=JBSWY3DPEHPK3PXP\n");
        assert_eq!(
            report.warnings,
            ["Example:bob: the HOTP URI has no counter; starting at 0"]
        );
    }

    #[test]
    fn text_that_is_not_utf8_is_damaged_without_quoting_it() {
        let error = read(b"otpauth://totp/x?secret=JBSW\xff").err();
        let message = error.map(|e| e.to_string()).unwrap_or_default();
        assert!(
            message.contains("not UTF-8") && !message.contains("JBSW"),
            "{message}"
        );
    }

    #[test]
    fn looks_like_a_list_when_the_first_real_line_is_a_uri() {
        assert!(looks_like(
            b"\xef\xbb\xbf# export\n\nOTPAUTH://totp/x?secret=A\n"
        ));
        assert!(looks_like(b"steam://JBSWY3DPEHPK3PXP\n"));
        assert!(!looks_like(b"{\"tokens\": []}"));
        assert!(!looks_like(b"otpauth-migration://offline?data=AA"));
    }

    #[test]
    fn json_errors_are_worded_by_position_only() {
        let error = serde_json::from_str::<serde_json::Value>("{\"secret\": JBSWY3DP}")
            .expect_err("invalid JSON");
        let detail = json_error_detail(&error);
        assert_eq!(detail, "the JSON is not valid (line 1, column 12)");
    }
}
