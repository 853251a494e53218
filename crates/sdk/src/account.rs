//! The account on the hub: RLC deposited (the stake every deal draws on), locked in deals, and
//! the moves between the wallet and the account.

use crate::{
    client::{Poco, TxOutcome},
    error::{Error, Funds, Result},
};
use alloy::{
    primitives::{Address, Bytes, U256},
    rpc::types::TransactionRequest,
    sol_types::SolCall,
};
use poco_contracts::bindings::{IPoco, RLC};
use serde::Serialize;
use tracing::info;

/// An account's balances (nRLC).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AccountBalances {
    /// The account.
    pub address: Address,
    /// RLC in the wallet, not deposited.
    #[serde(serialize_with = "crate::amount::serialize_decimal")]
    pub wallet: U256,
    /// RLC deposited and free (can be withdrawn or spent).
    #[serde(serialize_with = "crate::amount::serialize_decimal")]
    pub deposited: U256,
    /// RLC deposited and locked in deals and stakes.
    #[serde(serialize_with = "crate::amount::serialize_decimal")]
    pub locked: U256,
}

/// A deposit or withdrawal that landed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Transfer {
    /// The amount moved (nRLC).
    #[serde(serialize_with = "crate::amount::serialize_decimal")]
    pub amount: U256,
    /// The transaction.
    pub tx: TxOutcome,
    /// The balances after it.
    pub balances: AccountBalances,
}

// === impl Poco: account ===

impl Poco {
    /// The balances of `address`.
    pub async fn account(&self, address: Address) -> Result<AccountBalances> {
        let hub = self.contracts().hub;
        let view = IPoco::viewAccountCall { account: address };
        let (wallet, account) =
            tokio::try_join!(self.rlc_balance(address), self.client().call(hub, &view))?;
        Ok(AccountBalances { address, wallet, deposited: account.stake, locked: account.locked })
    }

    /// Deposits `amount` nRLC from the signer's wallet to its account (one transaction:
    /// `approveAndCall` on the token). A wallet holding less gives [`Error::Insufficient`].
    pub async fn deposit(&self, amount: U256) -> Result<Transfer> {
        let me = self.tx()?.address();
        non_zero(amount)?;
        let available = self.rlc_balance(me).await?;
        if available < amount {
            return Err(Error::Insufficient { funds: Funds::WalletRlc, needed: amount, available });
        }
        let call = RLC::approveAndCallCall {
            spender: self.contracts().hub,
            value: amount,
            extraData: Bytes::new(),
        };
        let request =
            TransactionRequest::default().to(self.contracts().rlc).input(call.abi_encode().into());
        let tx = self.send("deposit", request).await?;
        info!(account = %me, %amount, tx = %tx.hash, "Deposited.");
        Ok(Transfer { amount, tx, balances: self.account(me).await? })
    }

    /// Withdraws `amount` nRLC from the signer's account to its wallet. An account with less
    /// deposited (and not locked) gives [`Error::Insufficient`].
    pub async fn withdraw(&self, amount: U256) -> Result<Transfer> {
        let me = self.tx()?.address();
        non_zero(amount)?;
        let before = self.account(me).await?;
        if before.deposited < amount {
            return Err(Error::Insufficient {
                funds: Funds::Deposit,
                needed: amount,
                available: before.deposited,
            });
        }
        let call = IPoco::withdrawCall::new((amount,));
        let request =
            TransactionRequest::default().to(self.contracts().hub).input(call.abi_encode().into());
        let tx = self.send("withdraw", request).await?;
        info!(account = %me, %amount, tx = %tx.hash, "Withdrew.");
        Ok(Transfer { amount, tx, balances: self.account(me).await? })
    }
}

fn non_zero(amount: U256) -> Result<()> {
    if amount.is_zero() {
        return Err(Error::InvalidAmount {
            input: "0".to_owned(),
            reason: "the amount must not be zero",
        });
    }
    Ok(())
}
