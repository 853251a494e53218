//! `poco account`: the RLC deposited on the hub.

use crate::{
    context::Context,
    exit::CliError,
    output::{Output, emit, message},
};
use alloy_primitives::Address;
use clap::Subcommand;
use poco_sdk::{
    AccountBalances, Error, Transfer,
    amount::{format_rlc, parse_rlc},
    wallet::load_signer,
};

/// `poco account …`
#[derive(Debug, Subcommand)]
pub(crate) enum AccountCommand {
    /// Show an account: RLC in the wallet, deposited (free) and locked (in deals and stakes).
    #[command(after_help = "Examples:
  poco account show --key-file ./me.key
  poco --json account show 0x70997970C51812dc3A010C7d01b50e0d17dc79C8")]
    Show {
        /// The address to show (default: the wallet's).
        address: Option<Address>,
    },
    /// Deposit RLC from the wallet into the account (what deals and stakes draw on).
    #[command(after_help = "Examples:
  poco account deposit 5RLC --key-file ./me.key
  poco account deposit 1500000000 --key-file ./me.key     # nRLC: 1.5 RLC")]
    Deposit {
        /// The amount: `5RLC`, `1.5RLC`, `100nRLC`, or a bare number of nRLC.
        amount: String,
    },
    /// Withdraw free RLC from the account back to the wallet.
    #[command(after_help = "Examples:
  poco account withdraw 5RLC --key-file ./me.key")]
    Withdraw {
        /// The amount: `5RLC`, `1.5RLC`, `100nRLC`, or a bare number of nRLC.
        amount: String,
    },
}

impl Output for AccountBalances {
    fn human(&self) -> String {
        format!(
            "address:   {}\nwallet:    {}\ndeposited: {}\nlocked:    {}",
            self.address,
            format_rlc(self.wallet),
            format_rlc(self.deposited),
            format_rlc(self.locked)
        )
    }
}

impl Output for Transfer {
    fn human(&self) -> String {
        format!("{}\ntx:        {} (block {})", self.balances.human(), self.tx.hash, self.tx.block)
    }
}

pub(crate) async fn run(context: &Context, command: AccountCommand) -> Result<(), CliError> {
    match command {
        AccountCommand::Show { address } => {
            let address = match address {
                Some(address) => address,
                None => {
                    let source = context.signer_source()?.ok_or(Error::NoWallet)?;
                    load_signer(&source).await?.address()
                }
            };
            let poco = context.connect().await?;
            emit(&poco.account(address).await?, context.json());
        }
        AccountCommand::Deposit { amount } => {
            let amount = parse_rlc(&amount)?;
            let poco = context.connect_signed().await?;
            let transfer = poco.deposit(amount).await?;
            message(context.json(), &format!("Deposited {}.", format_rlc(amount)));
            emit(&transfer, context.json());
        }
        AccountCommand::Withdraw { amount } => {
            let amount = parse_rlc(&amount)?;
            let poco = context.connect_signed().await?;
            let transfer = poco.withdraw(amount).await?;
            message(context.json(), &format!("Withdrew {}.", format_rlc(amount)));
            emit(&transfer, context.json());
        }
    }
    Ok(())
}
