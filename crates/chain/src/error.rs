//! The error types of this crate: one per concern, each variant with typed context.

use crate::{revert::Revert, stream::BlockRef};
use alloy::{
    network::{Ethereum, TransactionBuilderError},
    primitives::{Address, B256},
    signers::local::LocalSignerError,
    transports::TransportError,
};
use std::{path::PathBuf, time::Duration};

/// `Result` alias of [`ChainError`].
pub type Result<T, E = ChainError> = std::result::Result<T, E>;

/// Errors of [`crate::ChainClient`]: connecting and reading.
#[derive(Debug, thiserror::Error)]
pub enum ChainError {
    /// The RPC URL's scheme is none of http, https, ws, wss.
    #[error("unsupported RPC URL scheme `{scheme}` (expected http, https, ws or wss)")]
    UnsupportedScheme {
        /// The scheme found.
        scheme: String,
    },
    /// The HTTP client could not be built (TLS set-up).
    #[error("could not build the HTTP client")]
    HttpClient(#[source] alloy::transports::http::reqwest::Error),
    /// The connection to the node could not be established.
    #[error("could not connect to {url}")]
    Connect {
        /// The RPC URL, without credentials, path or query.
        url: String,
        /// Why.
        #[source]
        source: TransportError,
    },
    /// The node serves another chain than the configured one.
    #[error("wrong chain: expected chain id {expected}, the node serves chain id {actual}")]
    WrongChain {
        /// The configured chain id.
        expected: u64,
        /// The node's chain id.
        actual: u64,
    },
    /// A JSON-RPC call failed (after the retries of transient errors).
    #[error("RPC call {method} failed")]
    Rpc {
        /// The JSON-RPC method.
        method: &'static str,
        /// Why.
        #[source]
        source: TransportError,
    },
    /// An `eth_call` reverted.
    #[error("call to {to} reverted: {revert}")]
    Reverted {
        /// The called contract.
        to: Address,
        /// The decoded revert.
        revert: Revert,
    },
    /// The result of an `eth_call` could not be decoded.
    #[error("could not decode the result of a call to {to}")]
    Decode {
        /// The called contract.
        to: Address,
        /// Why.
        #[source]
        source: alloy::sol_types::Error,
    },
}

impl ChainError {
    /// The decoded revert, if this error is a revert.
    pub const fn revert(&self) -> Option<&Revert> {
        match self {
            Self::Reverted { revert, .. } => Some(revert),
            _ => None,
        }
    }
}

/// What [`crate::TxManager`] was doing when an RPC call failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TxStage {
    /// `eth_estimateGas`.
    EstimateGas,
    /// Fee discovery (`eth_feeHistory`, `eth_gasPrice`, latest block).
    Fees,
    /// Reading the signer's nonce.
    Nonce,
    /// `eth_sendRawTransaction`.
    Send,
    /// Waiting for the receipt and its confirmations.
    Receipt,
}

impl std::fmt::Display for TxStage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::EstimateGas => "gas estimation",
            Self::Fees => "fee discovery",
            Self::Nonce => "nonce read",
            Self::Send => "sending",
            Self::Receipt => "receipt wait",
        })
    }
}

/// Errors of [`crate::TxManager`].
#[derive(Debug, thiserror::Error)]
pub enum TxError {
    /// An RPC call failed (after the retries of transient errors).
    #[error("transaction failed during {stage}")]
    Rpc {
        /// What was being done.
        stage: TxStage,
        /// Why.
        #[source]
        source: TransportError,
    },
    /// The transaction would revert: gas estimation failed with revert data. Nothing was sent.
    #[error("transaction would revert (at gas estimation): {revert}")]
    EstimateReverted {
        /// The decoded revert.
        revert: Revert,
    },
    /// The transaction was mined and reverted.
    #[error("transaction {hash} (nonce {nonce}) reverted in block {block}: {}",
        revert.as_ref().map_or_else(|| "revert data unknown".to_owned(), ToString::to_string))]
    Reverted {
        /// Transaction hash.
        hash: B256,
        /// Its nonce.
        nonce: u64,
        /// Block it was mined in.
        block: u64,
        /// Gas it used.
        gas_used: u64,
        /// The revert, recovered by replaying the call on the parent block (best effort: `None`
        /// when the replay does not revert, e.g. when the revert depended on an earlier
        /// transaction of the same block).
        revert: Option<Revert>,
    },
    /// The node refused the transaction (insufficient funds, gas limit, fee too low, …).
    #[error("the node refused transaction {hash} (nonce {nonce})")]
    Rejected {
        /// Transaction hash.
        hash: B256,
        /// Its nonce (released: the next transaction reuses it).
        nonce: u64,
        /// The node's answer.
        #[source]
        source: TransportError,
    },
    /// The nonce kept colliding with transactions sent by someone else with the same key.
    #[error("nonce conflicts persisted after {attempts} attempts (last nonce {nonce})")]
    NonceConflict {
        /// Attempts made.
        attempts: u32,
        /// The last nonce tried.
        nonce: u64,
    },
    /// No receipt (with enough confirmations) within the timeout.
    #[error("transaction {hash} (nonce {nonce}) not confirmed after {waited:?}")]
    ReceiptTimeout {
        /// Transaction hash.
        hash: B256,
        /// Its nonce.
        nonce: u64,
        /// How long it was waited for.
        waited: Duration,
    },
    /// The transaction could not be built or signed.
    #[error("could not build or sign the transaction")]
    Build(#[source] Box<TransactionBuilderError<Ethereum>>),
}

impl TxError {
    /// The decoded revert, if this error is a revert (at estimation or in the receipt).
    pub const fn revert(&self) -> Option<&Revert> {
        match self {
            Self::EstimateReverted { revert } => Some(revert),
            Self::Reverted { revert: Some(revert), .. } => Some(revert),
            _ => None,
        }
    }
}

/// Errors of loading or writing signers.
#[derive(Debug, thiserror::Error)]
pub enum SignerError {
    /// A file could not be read.
    #[error("could not read {path}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The password file is empty.
    #[error("the password file {path} is empty")]
    EmptyPassword {
        /// The file.
        path: PathBuf,
    },
    /// The keystore could not be decrypted (wrong password, corrupt file).
    #[error("could not decrypt the keystore {path}")]
    Keystore {
        /// The keystore file.
        path: PathBuf,
        /// Why.
        #[source]
        source: LocalSignerError,
    },
    /// The key file does not hold a 32-byte hex private key (its content is never shown).
    #[error("the key file {path} does not hold a valid hex private key")]
    InvalidKey {
        /// The key file.
        path: PathBuf,
    },
    /// A keystore could not be written.
    #[error("could not write a keystore in {dir}")]
    Write {
        /// The folder.
        dir: PathBuf,
        /// Why.
        #[source]
        source: LocalSignerError,
    },
    /// The blocking task doing the key derivation (scrypt) failed.
    #[error("the key derivation task failed")]
    Task(#[source] tokio::task::JoinError),
}

/// Errors of a [`crate::CursorStore`].
#[derive(Debug, thiserror::Error)]
pub enum CursorError {
    /// The cursor file could not be read or written.
    #[error("could not access the cursor file {path}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The cursor file is not valid JSON of a cursor.
    #[error("the cursor file {path} is corrupt")]
    Json {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: serde_json::Error,
    },
    /// Another backend's error (e.g. a database).
    #[error("cursor store failed")]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// Errors of [`crate::EventStream`].
#[derive(Debug, thiserror::Error)]
pub enum StreamError {
    /// Reading the chain failed.
    #[error(transparent)]
    Chain(#[from] ChainError),
    /// Loading or saving the cursor failed.
    #[error(transparent)]
    Cursor(#[from] CursorError),
    /// The handler failed; the cursor was not moved past the block it failed on.
    #[error("the event handler failed at block {block}")]
    Handler {
        /// The block being handled (or rolled back to).
        block: u64,
        /// The handler's error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The chain reorganised deeper than the remembered block hashes: the common ancestor is
    /// unknown. An operator must act (re-sync the consumer from an older block).
    #[error("reorg deeper than the remembered window: cursor at {cursor}, oldest known {oldest}")]
    ReorgTooDeep {
        /// Where the cursor was.
        cursor: BlockRef,
        /// The oldest remembered block, no longer on the chain either.
        oldest: BlockRef,
    },
}
