//! The crate's error type.

use alloy::{
    contract,
    primitives::{Address, B256},
    providers::PendingTransactionError,
    signers::local::LocalSignerError,
    transports::TransportError,
};
use std::{path::PathBuf, process::ExitStatus, time::Duration};

/// `Result` alias of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong while starting anvil, reading the reference package or deploying it.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A tool of the pinned foundry toolchain is not installed.
    #[error(
        "{0} not found: run `npm run setup` in contracts/ to install the pinned foundry toolchain"
    )]
    ToolMissing(PathBuf),
    /// A process could not be started.
    #[error("failed to start {program}")]
    Spawn {
        /// The program.
        program: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// anvil exited (or closed its output) before listening.
    #[error("anvil exited before listening ({status:?}); its stderr:\n{stderr}")]
    AnvilExited {
        /// Exit status, when it had already exited.
        status: Option<ExitStatus>,
        /// What it wrote on stderr.
        stderr: String,
    },
    /// anvil did not answer JSON-RPC in time.
    #[error("anvil did not answer JSON-RPC within {0:?}")]
    AnvilTimeout(Duration),
    /// anvil answers with another chain id than the one it was started with.
    #[error("anvil reports chain id {actual}, expected {expected}")]
    ChainIdMismatch {
        /// Requested chain id.
        expected: u64,
        /// Reported chain id.
        actual: u64,
    },
    /// Deriving the dev keys from the mnemonic failed.
    #[error("deriving the dev account keys")]
    Signer(#[from] LocalSignerError),
    /// The fetch script failed.
    #[error("{script} failed ({status}); is npm on PATH and the registry reachable?")]
    FetchFailed {
        /// Path of the script.
        script: PathBuf,
        /// Its exit status.
        status: ExitStatus,
    },
    /// The reference package is not where it should be.
    #[error("reference package not found at {0} (expected package.json of @iexec/poco)")]
    PackageMissing(PathBuf),
    /// The reference package is not the expected version.
    #[error("reference package at {path} is {found}, expected @iexec/poco@{expected}")]
    PackageVersion {
        /// Its location.
        path: PathBuf,
        /// `name@version` found in its package.json.
        found: String,
        /// Expected version.
        expected: &'static str,
    },
    /// A file could not be read.
    #[error("reading {path}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A JSON file could not be parsed.
    #[error("parsing {path}")]
    Json {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: serde_json::Error,
    },
    /// A human-readable ABI could not be parsed.
    #[error("parsing the human-readable ABI {path}")]
    HumanReadableAbi {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: alloy::json_abi::parser::Error,
    },
    /// A JSON file lacks a field, or has one of the wrong shape.
    #[error("{path}: missing or malformed field `{field}`")]
    Field {
        /// The file.
        path: PathBuf,
        /// The field.
        field: &'static str,
    },
    /// A bytecode field is not valid hex (or still holds library placeholders).
    #[error("{path}: field `{field}` is not linked hex bytecode")]
    Bytecode {
        /// The file.
        path: PathBuf,
        /// The field.
        field: &'static str,
        /// Why.
        #[source]
        source: alloy::hex::FromHexError,
    },
    /// The Diamond's artifact creation code is not a prefix of its deployment bytecode.
    #[error("{0}: the artifact's creation code is not a prefix of the deployment's bytecode")]
    CreationCodeMismatch(&'static str),
    /// Relinking a contract to our library found an unexpected number of references.
    #[error(
        "{contract}: expected {expected} PUSH20 references to the library {library}, found {found}"
    )]
    Link {
        /// The contract being relinked.
        contract: String,
        /// The library address being replaced.
        library: Address,
        /// From the artifact's `linkReferences`.
        expected: usize,
        /// Found in the deployment bytecode.
        found: usize,
    },
    /// An ABI lacks an item the deployment needs.
    #[error("{contract}: the ABI has no {item}")]
    AbiItem {
        /// The contract.
        contract: &'static str,
        /// The missing item.
        item: &'static str,
    },
    /// ABI encoding or decoding failed.
    #[error("ABI encoding for {what}")]
    Abi {
        /// What was being encoded.
        what: &'static str,
        /// Why.
        #[source]
        source: alloy::dyn_abi::Error,
    },
    /// A contract call (or its gas estimation) failed.
    #[error("{what}")]
    Call {
        /// The call.
        what: String,
        /// Why (a revert is decoded in its message).
        #[source]
        source: Box<contract::Error>,
    },
    /// A JSON-RPC request failed.
    #[error("{what}")]
    Rpc {
        /// The request.
        what: String,
        /// Why.
        #[source]
        source: Box<TransportError>,
    },
    /// Waiting for a receipt failed.
    #[error("waiting for the receipt of {what}")]
    Pending {
        /// The transaction.
        what: String,
        /// Why.
        #[source]
        source: Box<PendingTransactionError>,
    },
    /// A transaction was mined but reverted.
    #[error("{what}: transaction {tx} reverted")]
    Reverted {
        /// The transaction.
        what: String,
        /// Its hash.
        tx: B256,
    },
    /// A deployment receipt carries no contract address.
    #[error("{what}: the receipt of {tx} has no contract address")]
    NoContractAddress {
        /// The contract.
        what: String,
        /// The transaction.
        tx: B256,
    },
    /// A call returned something else than expected.
    #[error("{what}: unexpected return value")]
    UnexpectedReturn {
        /// The call.
        what: String,
    },
}
