//! `poco wallet`: create a wallet, show its balances.

use crate::{
    context::Context,
    exit::CliError,
    output::{Output, emit},
};
use alloy_primitives::Address;
use clap::Subcommand;
use poco_sdk::{
    CreatedWallet, Error, SignerSource, WalletBalances,
    amount::{format_eth, format_rlc},
    wallet::{create_key_file, create_keystore, load_signer},
};

/// `poco wallet …`
#[derive(Debug, Subcommand)]
pub(crate) enum WalletCommand {
    /// Create a new wallet: a key file (--key-file) or an encrypted keystore (--keystore, with
    /// the password read from --password-file). An existing file is never overwritten.
    #[command(after_help = "Examples:
  poco wallet create --key-file ./me.key
  poco wallet create --keystore ./me.json --password-file ./password.txt")]
    Create,
    /// Show a wallet's address and its ETH and RLC balances (the given address, else the wallet
    /// of --key-file or --keystore).
    #[command(after_help = "Examples:
  poco wallet show --key-file ./me.key
  poco --chain dev --json wallet show 0x70997970C51812dc3A010C7d01b50e0d17dc79C8")]
    Show {
        /// The address to show (default: the wallet's).
        address: Option<Address>,
    },
}

impl Output for CreatedWallet {
    fn human(&self) -> String {
        format!(
            "address: {}\n{}: {}",
            self.address,
            self.kind.replace('_', " "),
            self.path.display()
        )
    }
}

impl Output for WalletBalances {
    fn human(&self) -> String {
        format!(
            "address: {}\nETH:     {}\nRLC:     {}",
            self.address,
            format_eth(self.eth),
            format_rlc(self.rlc)
        )
    }
}

pub(crate) async fn run(context: &Context, command: WalletCommand) -> Result<(), CliError> {
    match command {
        WalletCommand::Create => {
            let created = match context.signer_source()? {
                Some(SignerSource::KeyFile { path }) => create_key_file(&path).await?,
                Some(SignerSource::Keystore { path, password_file }) => {
                    create_keystore(&path, &password_file).await?
                }
                None => {
                    return Err(CliError::Input {
                        message: "where should the wallet be written?".to_owned(),
                        hint: "pass --key-file <new file>, or --keystore <new file> with \
                               --password-file <file>"
                            .to_owned(),
                    });
                }
            };
            emit(&created, context.json());
        }
        WalletCommand::Show { address } => {
            let address = match address {
                Some(address) => address,
                None => {
                    let source = context.signer_source()?.ok_or(Error::NoWallet)?;
                    load_signer(&source).await?.address()
                }
            };
            let poco = context.connect().await?;
            emit(&poco.wallet_balances(address).await?, context.json());
        }
    }
    Ok(())
}
