//! The chain client of poco: how every component talks to an EVM chain (the devchain, anvil, or
//! any public or private network).
//!
//! It sits above `contracts` (whose bindings and typed errors it uses) and below the services and
//! the SDK. alloy's provider and transport set-up lives here and nowhere else.
//!
//! ```text
//!   SignerSource::load ──► PrivateKeySigner ─┐
//!                                            ▼
//!   ChainConfig ──► ChainClient::connect ──► TxManager (nonces, gas, fees, receipts, reverts)
//!   (url, chain id,   │  (http/https/ws/wss, chain id check, timeouts + retries of transient
//!    confirmations,   │   RPC errors under every request)
//!    timeouts)        ├──► reads: block number, balances, nonces, logs, hub views (IPoco)
//!                     └──► EventStream ──► Handler::on_logs / on_rollback
//!                           (cursor in a CursorStore, confirmations, reorgs by block hash)
//! ```
//!
//! - [`ChainClient`]: connects to any RPC URL and refuses a node on another chain
//!   ([`ChainError::WrongChain`]); reads; [`ChainClient::call`] decodes reverts into [`Revert`].
//! - [`SignerSource`]: keys from an encrypted keystore (password from a file) or a key file;
//!   never from a flag.
//! - [`TxManager`]: sends for one signer from many tasks at once; reverts come back as
//!   [`TxError`] carrying the hub's typed custom error ([`Revert::Hub`]).
//! - [`EventStream`]: logs delivered block by block to an idempotent [`Handler`], with a cursor in
//!   a [`CursorStore`] ([`MemoryCursorStore`], [`JsonFileCursorStore`]), confirmations and reorg
//!   rollbacks.
//!
//! Confirmations mean the same everywhere: something in block `b` is final once
//! `head >= b + confirmations` (0 accepts the head block).
#![cfg_attr(not(test), warn(unused_crate_dependencies))]

mod client;
mod config;
mod error;
mod retry;
mod revert;
mod signer;
mod stream;
mod tx;

pub use alloy::signers::local::PrivateKeySigner;
pub use client::ChainClient;
pub use config::{ChainConfig, FeeStrategy, RetryConfig, TxConfig};
pub use error::{ChainError, CursorError, Result, SignerError, StreamError, TxError, TxStage};
pub use retry::{RequestTimedOut, is_transient};
pub use revert::Revert;
pub use signer::{SignerSource, load_key_file, load_keystore, write_keystore};
pub use stream::{
    BlockRef, Cursor, CursorStore, EventStream, Handler, JsonFileCursorStore, MemoryCursorStore,
    Progress, StreamConfig,
};
pub use tx::{Fees, Landed, PendingTx, TxManager};
