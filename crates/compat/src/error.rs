//! Errors of the harness: every failure names the call (and scenario step) it happened in.

use alloy::primitives::B256;
use poco_contracts::bindings::IPoco::IPocoErrors;

/// Why a flow or a read failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A contract call (or its gas estimation, i.e. a revert before sending) failed.
    #[error("{step}: {source}")]
    Call {
        /// The scenario step, e.g. `contribute(deal#0/0, worker0)`.
        step: String,
        /// The contract error; see [`Error::hub_error`] for the hub's typed custom error.
        #[source]
        source: Box<alloy::contract::Error>,
    },
    /// A JSON-RPC request failed.
    #[error("{what}: {source}")]
    Rpc {
        /// What was asked.
        what: String,
        /// The transport error.
        #[source]
        source: Box<alloy::transports::TransportError>,
    },
    /// Waiting for a receipt failed.
    #[error("{step}: {source}")]
    Pending {
        /// The scenario step.
        step: String,
        /// The provider error.
        #[source]
        source: Box<alloy::providers::PendingTransactionError>,
    },
    /// A transaction was mined but reverted.
    #[error("{step}: transaction {tx} reverted")]
    Reverted {
        /// The scenario step.
        step: String,
        /// The transaction.
        tx: B256,
    },
    /// A receipt lacks the event a call must emit.
    #[error("{step}: no {event} event in the receipt")]
    MissingEvent {
        /// The scenario step.
        step: String,
        /// The missing event.
        event: &'static str,
    },
    /// A scenario asked for something the driver does not have (an asset not created yet, …).
    #[error("scenario: {0}")]
    Scenario(String),
    /// Signing an order or a message failed.
    #[error(transparent)]
    Primitives(#[from] poco_primitives::Error),
    /// Deploying our protocol failed.
    #[error(transparent)]
    Deploy(#[from] poco_contracts::DeployError),
    /// The reference harness (anvil, reference deployment) failed.
    #[error(transparent)]
    Reference(#[from] poco_reference::Error),
}

impl Error {
    /// The hub's custom error carried by a failed call, if it is one (only our hub has them; the
    /// reference reverts with strings).
    pub fn hub_error(&self) -> Option<IPocoErrors> {
        match self {
            Self::Call { source, .. } => poco_contracts::hub_error(source),
            _ => None,
        }
    }

    /// The `Error(string)` reason of a failed call, if it reverted with one (the reference's
    /// `iExecV5-matchOrders-0x…` strings).
    pub fn revert_reason(&self) -> Option<String> {
        use alloy::sol_types::{Revert, SolError};
        match self {
            Self::Call { source, .. } => {
                let data = source.as_revert_data()?;
                Revert::abi_decode(&data).ok().map(|revert| revert.reason)
            }
            _ => None,
        }
    }

    /// Whether the call was refused by the chain (a revert), as opposed to a transport failure.
    pub fn is_revert(&self) -> bool {
        match self {
            Self::Call { source, .. } => source.as_revert_data().is_some(),
            Self::Reverted { .. } => true,
            _ => false,
        }
    }
}

/// The harness's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
