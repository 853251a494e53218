//! poco's devchain: an in-process EVM chain that real Ethereum clients (alloy, cast, ethers,
//! the iExec SDK) accept, with funded dev accounts and the poco protocol deployed at genesis.
//!
//! It sits beside the services (it depends on `poco-contracts` only) and is what `poco devnet`
//! runs on: nothing to install. Like anvil it is a library first ([`spawn`] a
//! [`DevChainConfig`], get a [`DevChainHandle`] with the endpoint, the dev accounts and the
//! [`Deployment`](poco_contracts::Deployment)) and a thin `poco-devchain` binary (feature `cli`,
//! on by default) taking anvil's flags.
//!
//! ```text
//!  HTTP POST / ┐
//!  WS   GET  / ┴▶ rpc (batch, params, method table, error codes) ─▶ chain (RwLock)
//!               └ subscriptions, filters ◀─ events (new blocks, accepted transactions)
//!                                       chain: pool ─▶ miner ─▶ blocks · receipts · logs
//!                                              └─ evm (revm 43, in-memory state) ─┘
//! ```
//!
//! # Behaviour a client may notice
//!
//! - **Transactions**: EIP-2718 envelopes (legacy with or without EIP-155, EIP-2930, EIP-1559)
//!   with the sender recovered from the signature. Refused like geth refuses them: wrong chain
//!   id, nonce too low, intrinsic gas too low, fee cap below the base fee, insufficient funds,
//!   over the block gas limit (`-32000` with geth's messages). A nonce above the account's is
//!   queued until the gap fills, as a node's pool does. Blob and EIP-7702 transactions are not
//!   accepted.
//! - **Mining**: automine by default, one block per transaction, mined before
//!   `eth_sendRawTransaction` answers; with a block time, a block every interval with every
//!   ready transaction (`evm_setAutomine` switches at run time; `evm_mine` mines on demand). Blocks chain by hash and carry real transaction and receipt roots, logs bloom and
//!   an EIP-1559 base fee. Timestamps follow the wall clock plus `evm_increaseTime`, never go
//!   back, and blocks mined within the same second share one (as on anvil).
//! - **State root**: a placeholder, not the Merkle-Patricia root: a hash chaining the parent's
//!   with the block's number and transaction and receipt roots. Proofs (`eth_getProof`) are not
//!   served.
//! - **History**: the state of the last [`DevChainConfig::state_history`] blocks is kept for
//!   calls at an older block; older ones answer an error. Blocks, transactions, receipts and
//!   logs are all kept.
//! - **Reverts**: `eth_call` and `eth_estimateGas` answer code `3` with the revert data in
//!   `data`, so clients decode custom errors.
//! - **Genesis**: block 0 holds the protocol deployment by dev account 0 (see [`genesis`]), so
//!   account 0's nonce starts above 0.
//!
//! - **Streams**: HTTP and WebSocket share the port; over WebSocket `eth_subscribe` serves
//!   `newHeads`, `logs` and `newPendingTransactions`. Polled filters (`eth_newFilter`,
//!   `eth_newBlockFilter`, `eth_newPendingTransactionFilter`) report again from where an
//!   `evm_revert` took the chain back; removed logs are not announced.
//!
//! - **Wallet**: the dev accounts sign for `eth_sendTransaction` (nonce, gas, EIP-1559 fees and
//!   chain id filled in when left out), `eth_signTransaction`, `eth_sign`/`personal_sign` and
//!   `eth_signTypedData_v4`; any other sender is an "unknown account".
//!
//! - **Persistence** (with a data folder): `genesis.json` records the genesis (its timestamp is
//!   fixed when the folder is created) and `chain.jsonl` journals every change (mined blocks
//!   with their raw transactions, dev-method edits, snapshots and reverts), one line each,
//!   flushed as written. A restart rebuilds the genesis, checks its hash (another chain's folder
//!   is refused) and replays the journal, checking every block hash: the head, balances, code
//!   and logs come back as they were. Transactions waiting in the pool are not kept.
#![cfg_attr(not(test), warn(unused_crate_dependencies))]

// Dependencies of the `poco-devchain` binary only.
#[cfg(feature = "cli")]
use {clap as _, eyre as _, tracing_subscriber as _};

mod accounts;
mod chain;
mod config;
mod error;
pub mod genesis;
mod node;
mod persist;
mod rpc;

pub use accounts::DevAccount;
pub use chain::error::ChainError;
pub use config::{
    DEFAULT_ACCOUNTS, DEFAULT_BASE_FEE, DEFAULT_CHAIN_ID, DEFAULT_GAS_LIMIT, DEFAULT_MNEMONIC,
    DEFAULT_PORT, DEFAULT_STATE_HISTORY, DevChainConfig, ONE_RLC,
};
pub use error::Error;
pub use node::{DevChainHandle, spawn};
