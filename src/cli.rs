//! Command-line definitions. Parsing only: the commands live in [`crate::app`].

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::clipboard::Method;
use crate::export::ExportFormat;
use crate::import::Format as ImportFormat;

/// A terminal authenticator: TOTP/HOTP codes from an age-encrypted vault.
///
/// With no command, opens the interface on your vault (offering to create
/// one if there is none yet).
#[derive(Debug, Parser)]
#[command(name = "tessera", version, propagate_version = true)]
#[command(after_help = "Exit codes: 0 success, 1 error or no matching account, \
                        2 usage error or a query that matches several accounts.")]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalOptions,

    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Options accepted before or after any command.
#[derive(Debug, Args)]
pub struct GlobalOptions {
    /// The vault file [default: <data dir>/tessera/vault.age]
    #[arg(long, global = true, env = "TESSERA_VAULT", value_name = "PATH")]
    pub vault: Option<PathBuf>,

    /// An age or SSH identity file that unlocks the vault (repeatable) [env: TESSERA_IDENTITY]
    #[arg(long, global = true, value_name = "FILE")]
    pub identity: Vec<PathBuf>,

    /// Read the vault passphrase from the first line of FILE instead of asking
    #[arg(long, global = true, value_name = "FILE")]
    pub passphrase_file: Option<PathBuf>,

    /// How to copy codes
    #[arg(long, global = true, value_enum, default_value_t = Method::Auto)]
    pub clipboard: Method,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Open the interface on a built-in demo vault (public test secrets; writes nothing)
    Demo,

    /// Create a new vault, locked by a passphrase or by identity files
    Init {
        /// Also encrypt to this age or SSH public key (repeatable)
        #[arg(long, value_name = "RECIPIENT")]
        recipient: Vec<String>,
    },

    /// Add an account from an otpauth:// URI (argument, or one per line on stdin)
    Add {
        /// The otpauth:// or steam:// URI; read from stdin when absent
        #[arg(conflicts_with = "qr")]
        uri: Option<String>,

        /// Read the account(s) from the QR codes in this PNG or JPEG screenshot
        #[arg(long, value_name = "IMAGE")]
        qr: Option<PathBuf>,
    },

    /// List the accounts (never their secrets)
    List {
        /// Print a JSON array for scripts
        #[arg(long)]
        json: bool,
    },

    /// Print the current code of one account
    Code {
        /// Issuer, account, `issuer:account`, or a unique fragment of them
        query: String,

        /// Compute the code for this Unix time instead of now (TOTP and Steam)
        #[arg(long, value_name = "UNIX")]
        at: Option<u64>,

        /// Also copy the code
        #[arg(long)]
        copy: bool,
    },

    /// Import accounts from another authenticator's export
    Import {
        /// The exported file; several QR screenshots (e.g. the batches of one
        /// Google Authenticator export) are read together
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,

        /// The file's format [default: detected from its content]
        #[arg(long, value_enum)]
        format: Option<ImportFormat>,

        /// Read the export's password (not the vault's) from the first line of FILE
        #[arg(long, value_name = "FILE")]
        source_password_file: Option<PathBuf>,

        /// Show what would be imported and skipped; write nothing
        #[arg(long)]
        dry_run: bool,
    },

    /// Export accounts (plaintext formats need --plaintext)
    Export {
        #[arg(long, value_enum)]
        format: ExportFormat,

        /// Write to FILE (mode 0600) instead of standard output
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,

        /// Confirm that the export may hold secrets in plain text
        #[arg(long)]
        plaintext: bool,

        /// Draw QR codes in the terminal instead (google)
        #[arg(long)]
        qr: bool,
    },

    /// Draw an account's QR code in the terminal, for a phone to scan
    Qr {
        /// Issuer, account, `issuer:account`, or a unique fragment of them
        query: String,
    },

    /// Fold a diverged copy of the vault (e.g. a sync conflict copy) into this one
    Merge {
        /// The other copy; it opens with the same passphrase or identities
        other: PathBuf,
    },

    /// Remove an account
    Remove {
        /// Issuer, account, `issuer:account`, or a unique fragment of them
        query: String,

        /// Do not ask for confirmation
        #[arg(long, short)]
        yes: bool,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn global_options_parse_after_the_subcommand() {
        let cli = Cli::try_parse_from(["tessera", "list", "--vault", "/tmp/v.age", "--json"])
            .expect("parses");

        assert_eq!(cli.global.vault, Some(PathBuf::from("/tmp/v.age")));
        assert!(matches!(cli.command, Some(Command::List { json: true })));
    }

    #[test]
    fn identity_repeats() {
        let cli = Cli::try_parse_from([
            "tessera",
            "code",
            "github",
            "--identity",
            "a.txt",
            "--identity",
            "b.txt",
        ])
        .expect("parses");

        assert_eq!(
            cli.global.identity,
            [PathBuf::from("a.txt"), PathBuf::from("b.txt")]
        );
    }

    #[test]
    fn definitions_are_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
