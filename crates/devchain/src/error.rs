//! [`Error`]: why a devchain could not start or stop.

use std::net::SocketAddr;

use alloy::signers::local::LocalSignerError;

use crate::chain::error::ChainError;

/// Why [`crate::spawn`] or [`crate::DevChainHandle::shutdown`] failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The mnemonic does not give keys.
    #[error("invalid mnemonic: {0}")]
    Mnemonic(#[from] LocalSignerError),
    /// Deploying the protocol needs dev account 0.
    #[error("the protocol is deployed by dev account 0: ask for at least one account")]
    NoDeployer,
    /// A genesis transaction failed.
    #[error("genesis: could not {step}: {source}")]
    Genesis {
        /// What was being done.
        step: &'static str,
        /// Why it failed.
        #[source]
        source: ChainError,
    },
    /// The data folder cannot be read or written.
    #[error("data folder {}: {source}", path.display())]
    DataDir {
        /// The file or folder.
        path: std::path::PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The data folder holds another chain (other mnemonic, chain id, gas limit...).
    #[error(
        "data folder {} holds another chain: its genesis is {recorded}, this configuration's is {ours}",
        path.display()
    )]
    ForeignDataDir {
        /// The folder.
        path: std::path::PathBuf,
        /// The genesis hash it recorded.
        recorded: alloy::primitives::B256,
        /// The genesis hash of this configuration.
        ours: alloy::primitives::B256,
    },
    /// The data folder's journal does not replay.
    #[error("could not replay the data folder's journal: {0}")]
    Replay(#[source] ChainError),
    /// The server could not listen.
    #[error("could not listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The server failed while serving.
    #[error("the JSON-RPC server failed: {0}")]
    Serve(#[source] std::io::Error),
    /// The server task panicked or was cancelled.
    #[error("the JSON-RPC server task ended abnormally: {0}")]
    Task(#[from] tokio::task::JoinError),
}
