//! The benchmark's errors.

use std::path::PathBuf;

/// What can stop a benchmark run.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    /// A binary the benchmark starts is not there.
    #[error("{0} is missing (build it, or for anvil run `npm run setup` in contracts/)")]
    ToolMissing(PathBuf),
    /// A node process could not be started.
    #[error("could not start {program}: {source}")]
    Spawn {
        /// The binary.
        program: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A node misbehaved (no banner, bad endpoint, no protocol).
    #[error("node: {0}")]
    Node(String),
    /// anvil or the reference harness failed.
    #[error(transparent)]
    Anvil(#[from] poco_reference::Error),
    /// Deploying the protocol on anvil failed.
    #[error(transparent)]
    Deploy(#[from] poco_contracts::DeployError),
    /// A JSON-RPC request failed.
    #[error("{what}: {source}")]
    Rpc {
        /// The request.
        what: String,
        /// Why.
        source: alloy::transports::TransportError,
    },
    /// A benchmark transaction reverted or got no receipt in time.
    #[error("transaction {0}")]
    Transaction(String),
    /// A PoCo flow step failed.
    #[error(transparent)]
    Flow(#[from] poco_compat::Error),
    /// The scheduler (or a simulated worker's exchange with it) failed.
    #[error("scheduler: {0}")]
    Scheduler(String),
    /// Bad parameters.
    #[error("invalid parameters: {0}")]
    Params(String),
}

/// The benchmark's result type.
pub type Result<T, E = BenchError> = std::result::Result<T, E>;

/// Maps a transport error of the request `what`.
pub(crate) fn rpc(
    what: impl Into<String>,
) -> impl FnOnce(alloy::transports::TransportError) -> BenchError {
    let what = what.into();
    move |source| BenchError::Rpc { what, source }
}
