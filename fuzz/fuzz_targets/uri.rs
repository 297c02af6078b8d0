//! The otpauth:// URI parser: never panics, and whatever it accepts formats
//! to a URI that parses back to the same account and formats the same again.

#![no_main]

use libfuzzer_sys::fuzz_target;
use tessera::otp::Account;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(parsed) = Account::from_uri(text) else {
        return;
    };
    let written = parsed.account.to_uri();
    let again = Account::from_uri(&written).expect("a formatted URI parses");
    assert!(
        again.account == parsed.account,
        "the account changed on a round trip"
    );
    assert!(
        again.account.to_uri() == written,
        "formatting is not stable"
    );
    let _ = parsed.account.code_at(1_700_000_000);
});
