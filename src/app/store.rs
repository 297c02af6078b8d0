//! Where the accounts the interface shows come from and where changes go:
//! the real vault (every change saved at once) or the demo (memory only).

use std::path::Path;

use anyhow::{Context, Result, bail};

use crate::otp::{Account, Kind};
use crate::vault::{Entry, Vault};

/// The accounts plus the changes the interface and commands can make.
/// Every method that changes something has saved it when it returns `Ok`.
pub trait Store {
    fn entries(&self) -> &[Entry];

    /// Adds an account; refuses one already present (same secret, issuer and account).
    fn add(&mut self, account: Account, now: u64) -> Result<String> {
        let ids = self.add_all(vec![account], now)?;
        ids.into_iter().next().context("no account was added")
    }

    /// Adds several accounts at once (one save); refuses them all if any is
    /// already present, so adding the same thing twice changes nothing.
    fn add_all(&mut self, accounts: Vec<Account>, now: u64) -> Result<Vec<String>>;

    fn remove(&mut self, id: &str, now: u64) -> Result<()>;

    /// Advances a HOTP counter and saves it; returns the counter whose code
    /// may now be shown. Saving first means a code is never shown twice.
    fn next_hotp(&mut self, id: &str, now: u64) -> Result<u64>;

    /// Short words for the title bar, e.g. the vault's file name.
    fn describe(&self) -> String;

    /// Picks up what another process saved meanwhile; true if anything changed.
    fn refresh(&mut self) -> Result<bool> {
        Ok(false)
    }
}

/// `path` with the home folder shown as `~`.
fn home_relative(path: &std::path::Path) -> String {
    match dirs::home_dir().and_then(|home| path.strip_prefix(home).ok().map(Path::to_owned)) {
        Some(rest) => format!("~/{}", rest.display()),
        None => path.display().to_string(),
    }
}

/// The entry holding the same account, if any.
pub fn find_duplicate<'a>(entries: &'a [Entry], account: &Account) -> Option<&'a Entry> {
    entries.iter().find(|e| {
        e.account.secret == account.secret
            && e.account.issuer.eq_ignore_ascii_case(&account.issuer)
            && e.account.name == account.name
    })
}

fn refuse_duplicate(entries: &[Entry], account: &Account) -> Result<()> {
    if let Some(existing) = find_duplicate(entries, account) {
        bail!(
            "{} is already in the vault with the same secret; nothing was added.",
            existing.account.label()
        );
    }
    Ok(())
}

fn hotp_counter(entry: &Entry) -> Result<u64> {
    match entry.account.kind {
        Kind::Hotp { counter } => Ok(counter),
        _ => bail!(
            "{} is not a counter-based (HOTP) account.",
            entry.account.label()
        ),
    }
}

fn unknown(id: &str) -> anyhow::Error {
    anyhow::anyhow!(
        "The account {id} is no longer in the vault; another Tessera may have removed it."
    )
}

impl Store for Vault {
    fn entries(&self) -> &[Entry] {
        Vault::entries(self)
    }

    fn add_all(&mut self, accounts: Vec<Account>, now: u64) -> Result<Vec<String>> {
        for account in &accounts {
            refuse_duplicate(Vault::entries(self), account)?;
        }
        let ids = accounts
            .into_iter()
            .map(|account| Vault::add(self, account, now))
            .collect();
        self.save(now).context("The account was not saved")?;
        Ok(ids)
    }

    fn remove(&mut self, id: &str, now: u64) -> Result<()> {
        Vault::remove(self, id, now).ok_or_else(|| unknown(id))?;
        self.save(now).context("The removal was not saved")
    }

    fn next_hotp(&mut self, id: &str, now: u64) -> Result<u64> {
        let entry = self.entry(id).ok_or_else(|| unknown(id))?;
        hotp_counter(entry)?;
        // The counter is read under the save lock, after what other
        // processes saved: two of them never show the same code.
        self.advance_hotp(id, now)
            .context("The HOTP counter was not saved, so no code is shown")?
            .ok_or_else(|| unknown(id))
    }

    fn describe(&self) -> String {
        home_relative(self.path())
    }

    fn refresh(&mut self) -> Result<bool> {
        Ok(self.reload_if_changed()?)
    }
}

/// Accounts held in memory only: the demo vault.
pub struct MemoryStore {
    entries: Vec<Entry>,
    next_id: u64,
}

impl MemoryStore {
    pub fn new(accounts: Vec<Account>, now: u64) -> Self {
        let mut store = MemoryStore {
            entries: Vec::new(),
            next_id: 1,
        };
        for account in accounts {
            store.push(account, now);
        }
        store
    }

    fn push(&mut self, account: Account, now: u64) -> String {
        let id = format!("demo{}", self.next_id);
        self.next_id += 1;
        self.entries.push(Entry::new(id.clone(), account, now));
        id
    }

    fn position(&self, id: &str) -> Result<usize> {
        self.entries
            .iter()
            .position(|e| e.id == id)
            .ok_or_else(|| unknown(id))
    }
}

impl Store for MemoryStore {
    fn entries(&self) -> &[Entry] {
        &self.entries
    }

    fn add_all(&mut self, accounts: Vec<Account>, now: u64) -> Result<Vec<String>> {
        for account in &accounts {
            refuse_duplicate(&self.entries, account)?;
        }
        Ok(accounts
            .into_iter()
            .map(|account| self.push(account, now))
            .collect())
    }

    fn remove(&mut self, id: &str, _now: u64) -> Result<()> {
        let index = self.position(id)?;
        self.entries.remove(index);
        Ok(())
    }

    fn next_hotp(&mut self, id: &str, now: u64) -> Result<u64> {
        let index = self.position(id)?;
        let entry = &mut self.entries[index];
        let counter = hotp_counter(entry)?;
        entry.account.kind = Kind::Hotp {
            counter: counter.saturating_add(1),
        };
        entry.updated = now;
        Ok(counter)
    }

    fn describe(&self) -> String {
        "demo vault (changes are not saved)".to_owned()
    }
}
