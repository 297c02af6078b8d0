//! What Google Authenticator can take, and how many accounts go in each of
//! its migration QR codes. The payload encoding itself lives with the
//! decoder in `import::google` ([`crate::import::migration_uris`]).

use zeroize::Zeroizing;

use super::LeftOut;
use crate::otp::{Account, Kind};
use crate::vault::Entry;

/// Google Authenticator puts at most about ten accounts in one code; more
/// makes a dense code that phones struggle to read off a screen.
pub const MAX_PER_CODE: usize = 10;

/// The accounts a migration export can hold, and the rest with the reason.
/// The migration format has no period (Google assumes 30 s), only 6 or 8
/// digits, and no Steam codes.
pub fn google_accounts(entries: &[Entry]) -> (Vec<Account>, Vec<LeftOut>) {
    let mut accounts = Vec::new();
    let mut left_out = Vec::new();
    for entry in entries {
        match unsupported(&entry.account) {
            None => accounts.push(entry.account.clone()),
            Some(reason) => left_out.push(LeftOut {
                label: entry.account.label(),
                reason,
            }),
        }
    }
    (accounts, left_out)
}

fn unsupported(account: &Account) -> Option<String> {
    match account.kind {
        Kind::Steam { .. } => {
            return Some("Google Authenticator has no Steam Guard codes".to_owned());
        }
        Kind::Totp { period } if period != 30 => {
            return Some(format!(
                "Google Authenticator only imports 30-second codes, this one changes every {period} s"
            ));
        }
        _ => {}
    }
    if account.digits != 6 && account.digits != 8 {
        return Some(format!(
            "Google Authenticator only imports 6- or 8-digit codes, this one has {}",
            account.digits
        ));
    }
    None
}

/// Encodes `accounts` with `encode` (accounts, per batch) using the largest
/// batch size up to [`MAX_PER_CODE`] for which `fits` accepts every URI;
/// one account per code if nothing fits.
pub fn batches_that_fit(
    accounts: &[Account],
    fits: impl Fn(&str) -> bool,
    encode: impl Fn(&[Account], usize) -> Vec<Zeroizing<String>>,
) -> Vec<Zeroizing<String>> {
    let most = MAX_PER_CODE.min(accounts.len()).max(1);
    for per_batch in (2..=most).rev() {
        let uris = encode(accounts, per_batch);
        if uris.iter().all(|uri| fits(uri)) {
            return uris;
        }
    }
    encode(accounts, 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::otp::{Algorithm, Secret};

    fn account(issuer: &str, kind: Kind, digits: u8) -> Account {
        Account {
            issuer: issuer.into(),
            name: "alice".into(),
            secret: Secret::from_bytes(b"12345678901234567890".to_vec()),
            kind,
            algorithm: Algorithm::Sha1,
            digits,
            extra: Vec::new(),
        }
    }

    fn entry(account: Account) -> Entry {
        Entry {
            id: account.issuer.clone(),
            account,
            note: String::new(),
            tags: Vec::new(),
            pinned: false,
            created: 1,
            updated: 1,
        }
    }

    /// A stand-in encoder: each "URI" lists the issuers of its batch.
    fn issuers_per_batch(accounts: &[Account], per_batch: usize) -> Vec<Zeroizing<String>> {
        accounts
            .chunks(per_batch)
            .map(|batch| {
                let names: Vec<&str> = batch.iter().map(|a| a.issuer.as_str()).collect();
                Zeroizing::new(names.join(","))
            })
            .collect()
    }

    fn many(count: usize) -> Vec<Account> {
        (0..count)
            .map(|i| account(&format!("I{i:02}"), Kind::Totp { period: 30 }, 6))
            .collect()
    }

    #[test]
    fn totp_and_hotp_with_6_or_8_digits_are_exported() {
        let entries = [
            entry(account("A", Kind::Totp { period: 30 }, 6)),
            entry(account("B", Kind::Hotp { counter: 3 }, 8)),
        ];
        let (accounts, left_out) = google_accounts(&entries);
        assert_eq!(accounts.len(), 2);
        assert!(left_out.is_empty());
    }

    #[test]
    fn steam_other_periods_and_other_lengths_are_left_out_with_reasons() {
        let entries = [
            entry(account("Steam", Kind::Steam { period: 30 }, 5)),
            entry(account("Slow", Kind::Totp { period: 60 }, 6)),
            entry(account("Seven", Kind::Totp { period: 30 }, 7)),
        ];
        let (accounts, left_out) = google_accounts(&entries);
        assert!(accounts.is_empty());
        let reasons: Vec<&str> = left_out.iter().map(|l| l.reason.as_str()).collect();
        assert_eq!(
            reasons,
            [
                "Google Authenticator has no Steam Guard codes",
                "Google Authenticator only imports 30-second codes, this one changes every 60 s",
                "Google Authenticator only imports 6- or 8-digit codes, this one has 7",
            ]
        );
        assert_eq!(left_out[0].label, "Steam:alice");
    }

    #[test]
    fn at_most_ten_accounts_go_in_one_code() {
        let uris = batches_that_fit(&many(23), |_| true, issuers_per_batch);
        assert_eq!(uris.len(), 3);
        assert_eq!(uris[0].split(',').count(), MAX_PER_CODE);
    }

    #[test]
    fn batches_shrink_until_every_code_fits() {
        // A code "fits" when it names at most 4 accounts.
        let fits = |uri: &str| uri.split(',').count() <= 4;
        let uris = batches_that_fit(&many(9), fits, issuers_per_batch);
        assert_eq!(uris.len(), 3);
        assert!(uris.iter().all(|uri| fits(uri)));
    }

    #[test]
    fn one_account_per_code_when_nothing_fits() {
        let uris = batches_that_fit(&many(3), |_| false, issuers_per_batch);
        let batches: Vec<&str> = uris.iter().map(|u| u.as_str()).collect();
        assert_eq!(batches, ["I00", "I01", "I02"]);
    }
}
