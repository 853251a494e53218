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
    /// A feature this version does not have yet.
    #[error("{0} is not implemented yet")]
    Unsupported(&'static str),
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
