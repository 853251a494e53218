//! The poco SDK: every user action as a typed async Rust API, over the chain (through
//! `poco-chain` and `poco-contracts`) and, in later slices, poco's HTTP services (market,
//! scheduler, results). The `poco` CLI is a thin layer over it.
//!
//! ```text
//!  ChainFile::discover ─► select(--chain) ─► NamedChain ─► Poco::connect ─► reads
//!  (built-in `dev` + the chain file)                          │ with_signer(load_signer(..))
//!                                                             ▼
//!                                wallet · account · app · dataset · workerpool actions
//! ```
//!
//! - [`chains`]: the chain file naming deployments; the built-in `dev` entry is the devchain on
//!   its default port with the hub it deploys at genesis.
//! - [`wallet`]: signers from a key file or keystore, new wallets, ETH and RLC balances.
//! - [`Poco::account`], [`Poco::deposit`], [`Poco::withdraw`]: the account on the hub; a balance
//!   too small is [`Error::Insufficient`], which says how much is missing.
//! - [`Poco::deploy_app`], [`Poco::show_app`] and the same for datasets and workerpools.
//!
//! Amounts are [`U256`](alloy::primitives::U256) in base units (nRLC, wei); [`amount`] parses
//! and formats them. Errors are one [`Error`] enum with an [`ErrorKind`] per class.
#![cfg_attr(not(test), warn(unused_crate_dependencies))]

// Deflate for result archives (zip's flate2 backend, pure Rust).
use flate2 as _;

mod account;
pub mod amount;
mod assets;
mod categories;
pub mod chains;
mod client;
mod deals;
mod error;
mod http;
pub mod ids;
pub mod market;
mod orders;
mod run;
mod tasks;
pub mod wallet;

pub use account::{AccountBalances, Transfer};
pub use assets::{
    AppInfo, AppSpec, DatasetInfo, DatasetSpec, Deployed, WorkerpoolInfo, WorkerpoolSpec,
};
pub use categories::{CategoryCount, CategoryInfo, CreatedCategory};
pub use chains::{ChainFile, ChainName, ChainSpec, NamedChain};
pub use client::{ConnectOptions, Contracts, Poco, TxOutcome};
pub use deals::{DealClaim, DealInfo, DealResource, MAX_LISTED_TASKS};
pub use error::{AssetKind, Error, ErrorKind, Funds, Result, Service};
pub use ids::{AppAddress, DatasetAddress, WorkerpoolAddress};
pub use market::{AnyOrderRecord, BookOrder, MarketClient};
pub use orders::{
    Cancelled, Filled, app_order, dataset_order, request_for, request_order, workerpool_order,
};
pub use poco_chain::{PrivateKeySigner, SignerSource};
pub use poco_market_api as market_api;
pub use poco_primitives::{
    AppOrder, DatasetOrder, OrderHash, RequestOrder, SignedOrder, Tag, WorkerpoolOrder,
};
pub use poco_primitives::{DealId, TaskId, TaskStatus};
pub use run::{RunOrders, RunRequest, RunStarted};
pub use tasks::{DownloadedResult, TaskEnd, TaskInfo, TaskProgress};
pub use wallet::{CreatedWallet, WalletBalances};
