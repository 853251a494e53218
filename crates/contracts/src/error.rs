//! Errors of this crate, and the decoding of hub reverts into typed custom errors.

use alloy::{sol_types::SolInterface, transports::TransportError};

use crate::bindings::IPoco::IPocoErrors;

/// A step of [`crate::deploy_protocol`], named in its errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq, derive_more::Display)]
pub enum DeployStep {
    /// Reading the chain id.
    #[display("read the chain id")]
    ChainId,
    /// Deploying the RLC token.
    #[display("deploy the RLC token")]
    Rlc,
    /// Deploying the App registry.
    #[display("deploy the App registry")]
    AppRegistry,
    /// Deploying the Dataset registry.
    #[display("deploy the Dataset registry")]
    DatasetRegistry,
    /// Deploying the Workerpool registry.
    #[display("deploy the Workerpool registry")]
    WorkerpoolRegistry,
    /// Deploying the hub's views.
    #[display("deploy the hub's views")]
    Views,
    /// Deploying the hub's module.
    #[display("deploy the hub's module")]
    Module,
    /// Deploying the hub.
    #[display("deploy the hub")]
    Hub,
}

/// Why a deployment failed.
#[derive(Debug, thiserror::Error)]
pub enum DeployError {
    /// The provider has no account to send from and no owner was given.
    #[error("the provider has no sender account: configure a wallet")]
    NoSender,
    /// An RPC call failed.
    #[error("could not {step}: {source}")]
    Rpc {
        /// What was being done.
        step: DeployStep,
        /// The transport error.
        #[source]
        source: TransportError,
    },
    /// A deployment transaction failed.
    #[error("could not {step}: {source}")]
    Contract {
        /// What was being done.
        step: DeployStep,
        /// The contract error.
        #[source]
        source: alloy::contract::Error,
    },
}

/// Decodes the revert data of a hub call into its custom error, if it is one of the hub's.
pub fn decode_hub_error(revert_data: &[u8]) -> Option<IPocoErrors> {
    IPocoErrors::abi_decode(revert_data).ok()
}

/// Decodes the hub custom error carried by a failed contract call, if any.
pub fn hub_error(error: &alloy::contract::Error) -> Option<IPocoErrors> {
    error.as_decoded_interface_error::<IPocoErrors>()
}
