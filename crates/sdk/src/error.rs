//! The SDK's error type: one enum, each variant with typed context, and an [`ErrorKind`] that
//! front-ends (the `poco` CLI) map to exit codes.

use crate::{amount::format_amount, chains::ChainName};
use alloy::primitives::{Address, U256};
use poco_chain::{ChainError, SignerError, TxError};
use poco_market_api::ErrorCode;
use poco_primitives::{OrderHash, OrderKind};
use std::{fmt, path::PathBuf};

/// `Result` alias of [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What a too-small balance is made of.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Funds {
    /// RLC held by the wallet (outside the hub).
    WalletRlc,
    /// RLC deposited on the hub and not locked.
    Deposit,
    /// Ether to pay gas.
    Eth,
    /// RLC deposited by a requester and not locked, to pay a deal (price × volume).
    DealPayment,
}

impl Funds {
    /// Decimals of the unit the amount is counted in (RLC: 9, ether: 18).
    pub const fn decimals(self) -> u8 {
        match self {
            Self::WalletRlc | Self::Deposit | Self::DealPayment => 9,
            Self::Eth => 18,
        }
    }

    /// The unit's symbol.
    pub const fn unit(self) -> &'static str {
        match self {
            Self::WalletRlc | Self::Deposit | Self::DealPayment => "RLC",
            Self::Eth => "ETH",
        }
    }
}

impl fmt::Display for Funds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::WalletRlc => "wallet RLC balance",
            Self::Deposit => "deposited RLC balance (not locked)",
            Self::Eth => "ETH balance",
            Self::DealPayment => "requester's deposited RLC (not locked)",
        })
    }
}

/// Which kind of registered asset.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AssetKind {
    /// An app (App registry).
    App,
    /// A dataset (Dataset registry).
    Dataset,
    /// A workerpool (Workerpool registry).
    Workerpool,
}

impl fmt::Display for AssetKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::App => "app",
            Self::Dataset => "dataset",
            Self::Workerpool => "workerpool",
        })
    }
}

/// One of a deployment's HTTP services (their URLs are in the chain file).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Service {
    /// The market (orderbooks), `market_url`.
    Market,
    /// A workerpool's scheduler, `scheduler_url`.
    Scheduler,
    /// The results service, `results_url`.
    Results,
}

impl Service {
    /// The chain file's key of this service's URL.
    pub const fn url_key(self) -> &'static str {
        match self {
            Self::Market => "market_url",
            Self::Scheduler => "scheduler_url",
            Self::Results => "results_url",
        }
    }
}

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Market => "market",
            Self::Scheduler => "scheduler",
            Self::Results => "results service",
        })
    }
}

/// The broad class of an [`Error`]: what the user has to fix.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The chain file or the chosen chain.
    Config,
    /// The key file or keystore.
    Wallet,
    /// The node: unreachable, another chain, no hub at the address.
    Connection,
    /// A balance too small for the action.
    InsufficientFunds,
    /// A transaction was refused or reverted.
    Transaction,
    /// The asset asked for is not registered.
    NotFound,
    /// An argument is malformed or already used.
    InvalidInput,
    /// A wait ran out of time (the action may still finish later).
    Timeout,
}

/// Errors of the SDK.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The chain file could not be read.
    #[error("could not read the chain file {path}")]
    ChainFileRead {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The chain file is not valid.
    #[error("the chain file {path} is not valid: {source}")]
    ChainFileParse {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: serde_json::Error,
    },
    /// No chain of that name.
    #[error("unknown chain `{name}` (known: {})", known.join(", "))]
    UnknownChain {
        /// The name asked for.
        name: String,
        /// The names the chain file (and the built-in list) define.
        known: Vec<String>,
    },
    /// The key file or keystore could not be loaded.
    #[error(transparent)]
    Signer(Box<SignerError>),
    /// The action signs transactions and no wallet was given.
    #[error("this action needs a wallet (a key file or a keystore)")]
    NoWallet,
    /// A wallet file already exists where a new one was to be written.
    #[error("{path} already exists; refusing to overwrite a wallet")]
    WalletExists {
        /// The file.
        path: PathBuf,
    },
    /// A wallet file could not be written.
    #[error("could not write {path}")]
    WalletWrite {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The node could not be reached or serves another chain.
    #[error("could not connect to chain `{chain}` at {rpc_url}: {source}")]
    Connect {
        /// The chain's name.
        chain: ChainName,
        /// Its RPC URL.
        rpc_url: String,
        /// Why.
        #[source]
        source: Box<ChainError>,
    },
    /// There is no contract at the configured hub address.
    #[error("no contract at the hub address {hub} on chain `{chain}`")]
    NoHub {
        /// The chain's name.
        chain: ChainName,
        /// The configured hub.
        hub: Address,
    },
    /// Reading the chain failed.
    #[error("reading the chain failed: {0}")]
    Chain(#[source] Box<ChainError>),
    /// A transaction failed (refused, reverted, not confirmed in time).
    #[error("{action} failed: {source}")]
    Tx {
        /// What was being done.
        action: &'static str,
        /// Why.
        #[source]
        source: Box<TxError>,
    },
    /// A balance is too small.
    #[error("{funds} too small: {} needed, {} available, {} missing",
        format_amount(*needed, funds.decimals(), funds.unit()),
        format_amount(*available, funds.decimals(), funds.unit()),
        format_amount(self.missing().unwrap_or_default(), funds.decimals(), funds.unit()))]
    Insufficient {
        /// Which balance.
        funds: Funds,
        /// What the action needs (base units: nRLC or wei).
        needed: U256,
        /// What there is.
        available: U256,
    },
    /// An amount could not be parsed.
    #[error("invalid amount `{input}`: {reason}")]
    InvalidAmount {
        /// What was given.
        input: String,
        /// Why it is refused.
        reason: &'static str,
    },
    /// The address is not a registered asset of that kind.
    #[error("{address} is not a registered {kind}")]
    NotFound {
        /// The kind looked for.
        kind: AssetKind,
        /// The address.
        address: Address,
    },
    /// The chosen chain names no URL for a service the action needs.
    #[error("chain `{chain}` names no {service} URL: add `{}` to its entry in the chain file", service.url_key())]
    NoServiceUrl {
        /// The chain's name.
        chain: ChainName,
        /// The service.
        service: Service,
    },
    /// A service could not be reached, or its answer was not what its API defines.
    #[error("the {service} at {url} did not answer as expected: {reason}")]
    Service {
        /// The service.
        service: Service,
        /// The URL asked.
        url: String,
        /// Why (the HTTP client's error, or the unexpected status).
        reason: String,
    },
    /// The market refused a request: `code` is its stable error code (see
    /// `poco_market_api::ErrorCode`), `message` its explanation.
    #[error("the market refused: {message} ({code})")]
    Market {
        /// The market's code.
        code: ErrorCode,
        /// The market's message.
        message: String,
    },
    /// No book of the market holds an order with this hash.
    #[error("no order {hash} in the market's books")]
    OrderNotFound {
        /// The hash asked for.
        hash: OrderHash,
    },
    /// An order cannot be matched any more: its whole volume is consumed on chain (filled, or
    /// cancelled, which consumes what is left).
    #[error(
        "the {kind} order {hash} cannot be matched: {consumed} of its volume {volume} consumed on chain (filled or cancelled)"
    )]
    OrderUsedUp {
        /// Its kind.
        kind: OrderKind,
        /// Its hash.
        hash: OrderHash,
        /// Its volume.
        volume: U256,
        /// What the chain consumed of it.
        consumed: U256,
    },
    /// Orders that cannot go together, or an order unfit for the action.
    #[error("invalid order: {reason}")]
    InvalidOrder {
        /// What is wrong.
        reason: String,
    },
    /// A transaction landed without the event it must emit.
    #[error("transaction {tx} emitted no {event} event")]
    MissingEvent {
        /// The event's signature.
        event: &'static str,
        /// The transaction.
        tx: alloy::primitives::B256,
    },
    /// The hub has no category with this id.
    #[error("no category {id} on the hub (it has {count}: ids 0 to {})", count.saturating_sub(1))]
    UnknownCategory {
        /// The id asked for.
        id: u64,
        /// How many categories there are.
        count: u64,
    },
    /// The action is reserved to the hub's owner.
    #[error("the wallet {wallet} is not the hub's owner ({owner})")]
    NotHubOwner {
        /// The wallet.
        wallet: Address,
        /// The hub's owner.
        owner: Address,
    },
    /// An order or message could not be signed.
    #[error("could not sign: {0}")]
    Sign(#[source] poco_primitives::Error),
    /// The market holds no compatible set of orders for a run.
    #[error(
        "the market has no orders that can run app {app} in category {category} at trust {trust} for you"
    )]
    NoMatch {
        /// The app.
        app: Address,
        /// The category asked for.
        category: u64,
        /// The trust asked for.
        trust: u64,
    },
    /// No deal has this id.
    #[error("no deal {deal} on this chain")]
    UnknownDeal {
        /// The id.
        deal: poco_primitives::DealId,
    },
    /// No task has this id (or its deal is not known yet).
    #[error(
        "no task {task} on this chain (a task not initialized yet is found through its deal: `poco deal show <deal>`)"
    )]
    UnknownTask {
        /// The id.
        task: poco_primitives::TaskId,
    },
    /// The task cannot be claimed now.
    #[error("task {task} cannot be claimed: {reason}")]
    NotClaimable {
        /// The task.
        task: poco_primitives::TaskId,
        /// Why (already ended; the final deadline, not reached yet).
        reason: String,
    },
    /// The task has no result to download.
    #[error("task {task} has no result to download: {reason}")]
    NoResult {
        /// The task.
        task: poco_primitives::TaskId,
        /// Why.
        reason: String,
    },
    /// The downloaded result could not be unpacked.
    #[error("the result archive of task {task} could not be unpacked: {reason}")]
    ResultArchive {
        /// The task.
        task: poco_primitives::TaskId,
        /// Why.
        reason: String,
    },
    /// A watched task did not end in time.
    #[error("task {task} is still {status} after {} s", waited.as_secs())]
    WatchTimeout {
        /// The task.
        task: poco_primitives::TaskId,
        /// Its last status on chain.
        status: poco_primitives::TaskStatus,
        /// How long it was watched.
        waited: std::time::Duration,
    },
    /// The same asset (same owner and parameters) is already registered.
    #[error("this {kind} is already deployed at {address}")]
    AlreadyDeployed {
        /// The kind.
        kind: AssetKind,
        /// Its address.
        address: Address,
    },
}

impl From<ChainError> for Error {
    fn from(error: ChainError) -> Self {
        Self::Chain(Box::new(error))
    }
}

impl From<SignerError> for Error {
    fn from(error: SignerError) -> Self {
        Self::Signer(Box::new(error))
    }
}

impl Error {
    /// The broad class of this error.
    pub const fn kind(&self) -> ErrorKind {
        match self {
            Self::ChainFileRead { .. }
            | Self::ChainFileParse { .. }
            | Self::UnknownChain { .. }
            | Self::NoServiceUrl { .. } => ErrorKind::Config,
            Self::Signer(_)
            | Self::NoWallet
            | Self::WalletExists { .. }
            | Self::WalletWrite { .. } => ErrorKind::Wallet,
            Self::Connect { .. } | Self::NoHub { .. } | Self::Chain(_) | Self::Service { .. } => {
                ErrorKind::Connection
            }
            Self::Tx { .. } => ErrorKind::Transaction,
            Self::Insufficient { .. } => ErrorKind::InsufficientFunds,
            Self::InvalidAmount { .. } | Self::AlreadyDeployed { .. } => ErrorKind::InvalidInput,
            Self::NotFound { .. }
            | Self::UnknownDeal { .. }
            | Self::UnknownTask { .. }
            | Self::NoMatch { .. }
            | Self::NoResult { .. } => ErrorKind::NotFound,
            Self::NotClaimable { .. } => ErrorKind::InvalidInput,
            Self::ResultArchive { .. } => ErrorKind::Connection,
            Self::WatchTimeout { .. } => ErrorKind::Timeout,
            Self::Market { code, .. } => market_kind(*code),
            Self::OrderNotFound { .. } | Self::UnknownCategory { .. } => ErrorKind::NotFound,
            Self::MissingEvent { .. } => ErrorKind::Transaction,
            Self::NotHubOwner { .. } => ErrorKind::Wallet,
            Self::OrderUsedUp { .. } | Self::InvalidOrder { .. } | Self::Sign(_) => {
                ErrorKind::InvalidInput
            }
        }
    }

    /// For [`Error::Insufficient`]: how much is missing (base units).
    pub fn missing(&self) -> Option<U256> {
        match self {
            Self::Insufficient { needed, available, .. } => Some(needed.saturating_sub(*available)),
            _ => None,
        }
    }
}

/// The class of a market refusal: missing orders are not found, funds and stakes too small are
/// insufficient funds, a market that cannot serve (its chain, itself, its rate limit) is a
/// connection problem, anything else is the request's fault.
const fn market_kind(code: ErrorCode) -> ErrorKind {
    match code {
        ErrorCode::NotFound | ErrorCode::OrderNotFound => ErrorKind::NotFound,
        ErrorCode::InsufficientFunds | ErrorCode::InsufficientStake => ErrorKind::InsufficientFunds,
        ErrorCode::ChainUnavailable | ErrorCode::Internal | ErrorCode::RateLimited => {
            ErrorKind::Connection
        }
        _ => ErrorKind::InvalidInput,
    }
}
