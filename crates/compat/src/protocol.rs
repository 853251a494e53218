//! What the driver needs to know about a deployed protocol, whichever implementation it is.

use alloy::primitives::Address;
use poco_contracts::Deployment;
use poco_reference::ReferenceDeployment;
use std::fmt;

/// Which implementation of the protocol a [`Protocol`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Flavor {
    /// Ours (`poco-contracts`).
    Poco,
    /// The reference iExec PoCo 6.1.0 (`poco-reference`).
    Reference,
}

impl Flavor {
    /// Both, ours first.
    pub const BOTH: [Self; 2] = [Self::Poco, Self::Reference];

    /// `poco` or `reference`.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Poco => "poco",
            Self::Reference => "reference",
        }
    }
}

impl fmt::Display for Flavor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A deployed protocol as the scenario driver sees it: the hub (driven through `IPoco`), its
/// base token, its three registries, and the chain. Built from either deployment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Protocol {
    /// Which implementation.
    pub flavor: Flavor,
    /// Chain id (part of the EIP-712 domain).
    pub chain_id: u64,
    /// The hub: `IPoco` at this address.
    pub hub: Address,
    /// The RLC token (ERC-20, 9 decimals); the protocol owner holds its supply.
    pub rlc: Address,
    /// `createApp` answers here.
    pub app_registry: Address,
    /// `createDataset` answers here.
    pub dataset_registry: Address,
    /// `createWorkerpool` answers here.
    pub workerpool_registry: Address,
    /// The protocol owner (dev key 0).
    pub owner: Address,
}

impl Protocol {
    /// Ours.
    pub const fn poco(deployment: &Deployment) -> Self {
        Self {
            flavor: Flavor::Poco,
            chain_id: deployment.chain_id,
            hub: deployment.hub,
            rlc: deployment.rlc,
            app_registry: deployment.app_registry,
            dataset_registry: deployment.dataset_registry,
            workerpool_registry: deployment.workerpool_registry,
            owner: deployment.owner,
        }
    }

    /// The reference, on chain `chain_id`.
    pub const fn reference(deployment: &ReferenceDeployment, chain_id: u64) -> Self {
        Self {
            flavor: Flavor::Reference,
            chain_id,
            hub: deployment.hub,
            rlc: deployment.rlc,
            app_registry: deployment.app_registry,
            dataset_registry: deployment.dataset_registry,
            workerpool_registry: deployment.workerpool_registry,
            owner: deployment.owner,
        }
    }

    /// The hub's EIP-712 domain (`iExecODB`, `5.0.0`, chain id, hub).
    pub fn domain(&self) -> alloy::sol_types::Eip712Domain {
        poco_primitives::poco_domain(self.chain_id, self.hub)
    }
}
