//! Apps, datasets and workerpools: register them in their registries (ERC-721 entries owned by
//! the deployer) and read them back.

use crate::{
    client::{Poco, TxOutcome},
    error::{AssetKind, Error, Result},
    ids::{AppAddress, DatasetAddress, WorkerpoolAddress},
};
use alloy::{
    primitives::{Address, B256, Bytes},
    rpc::types::TransactionRequest,
    sol_types::SolCall,
};
use poco_contracts::bindings::{AppRegistry, DatasetRegistry, IPoco, WorkerpoolRegistry};
use serde::Serialize;
use tracing::info;

/// What registering an app takes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppSpec {
    /// Its owner (the signer when `None`).
    pub owner: Option<Address>,
    /// Its name (unique per owner together with the other fields).
    pub name: String,
    /// Its type: `WASM` or `DOCKER`.
    pub app_type: String,
    /// Where workers fetch it: a URL, a path, a Docker image.
    pub multiaddr: String,
    /// SHA-256 of the module (WASM) or the image digest (Docker); zero to skip the check.
    pub checksum: B256,
    /// The TEE enclave description (empty for a standard app).
    pub mrenclave: Bytes,
}

/// A registered app.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AppInfo {
    /// Its address.
    pub address: AppAddress,
    /// Its owner.
    pub owner: Address,
    /// Its name.
    pub name: String,
    /// Its type.
    pub app_type: String,
    /// Where workers fetch it (UTF-8, lossy).
    pub multiaddr: String,
    /// Its checksum.
    pub checksum: B256,
    /// Its enclave description.
    pub mrenclave: Bytes,
}

/// What registering a dataset takes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DatasetSpec {
    /// Its owner (the signer when `None`).
    pub owner: Option<Address>,
    /// Its name.
    pub name: String,
    /// Where workers fetch it.
    pub multiaddr: String,
    /// SHA-256 of the file.
    pub checksum: B256,
}

/// A registered dataset.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DatasetInfo {
    /// Its address.
    pub address: DatasetAddress,
    /// Its owner.
    pub owner: Address,
    /// Its name.
    pub name: String,
    /// Where workers fetch it (UTF-8, lossy).
    pub multiaddr: String,
    /// Its checksum.
    pub checksum: B256,
}

/// What registering a workerpool takes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkerpoolSpec {
    /// Its owner (the signer when `None`).
    pub owner: Option<Address>,
    /// Its description.
    pub description: String,
}

/// A registered workerpool.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WorkerpoolInfo {
    /// Its address.
    pub address: WorkerpoolAddress,
    /// Its owner.
    pub owner: Address,
    /// Its description.
    pub description: String,
    /// Percentage of the worker reward a worker stakes.
    #[serde(serialize_with = "crate::amount::serialize_decimal")]
    pub worker_stake_ratio: alloy::primitives::U256,
    /// Percentage of the reward kept by the scheduler.
    #[serde(serialize_with = "crate::amount::serialize_decimal")]
    pub scheduler_reward_ratio: alloy::primitives::U256,
}

/// An asset just registered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Deployed<A> {
    /// Its address.
    pub address: A,
    /// The registering transaction.
    pub tx: TxOutcome,
}

// === impl Poco: assets ===

impl Poco {
    /// Registers an app; its address is predicted (CREATE2) before sending, and an identical app
    /// already registered gives [`Error::AlreadyDeployed`].
    pub async fn deploy_app(&self, spec: AppSpec) -> Result<Deployed<AppAddress>> {
        let owner = spec.owner.unwrap_or(self.tx()?.address());
        let registry = self.contracts().app_registry;
        let multiaddr = Bytes::copy_from_slice(spec.multiaddr.as_bytes());
        let predict = AppRegistry::predictAppCall {
            _appOwner: owner,
            _appName: spec.name.clone(),
            _appType: spec.app_type.clone(),
            _appMultiaddr: multiaddr.clone(),
            _appChecksum: spec.checksum,
            _appMREnclave: spec.mrenclave.clone(),
        };
        let address = self.client().call(registry, &predict).await?;
        self.refuse_registered(registry, AssetKind::App, address).await?;
        let create = AppRegistry::createAppCall {
            _appOwner: owner,
            _appName: spec.name,
            _appType: spec.app_type,
            _appMultiaddr: multiaddr,
            _appChecksum: spec.checksum,
            _appMREnclave: spec.mrenclave,
        };
        let tx = self.send("app deploy", call_request(registry, &create)).await?;
        info!(app = %address, %owner, tx = %tx.hash, "App deployed.");
        Ok(Deployed { address: AppAddress(address), tx })
    }

    /// The registered app at `address`.
    pub async fn show_app(&self, address: AppAddress) -> Result<AppInfo> {
        self.require_registered(self.contracts().app_registry, AssetKind::App, address.0).await?;
        let info = self
            .client()
            .call(self.contracts().hub, &IPoco::viewAppCall { app: address.0 })
            .await?;
        Ok(AppInfo {
            address,
            owner: info.owner,
            name: info.m_appName,
            app_type: info.m_appType,
            multiaddr: String::from_utf8_lossy(&info.m_appMultiaddr).into_owned(),
            checksum: info.m_appChecksum,
            mrenclave: info.m_appMREnclave,
        })
    }

    /// Registers a dataset (see [`Self::deploy_app`]).
    pub async fn deploy_dataset(&self, spec: DatasetSpec) -> Result<Deployed<DatasetAddress>> {
        let owner = spec.owner.unwrap_or(self.tx()?.address());
        let registry = self.contracts().dataset_registry;
        let multiaddr = Bytes::copy_from_slice(spec.multiaddr.as_bytes());
        let predict = DatasetRegistry::predictDatasetCall {
            _datasetOwner: owner,
            _datasetName: spec.name.clone(),
            _datasetMultiaddr: multiaddr.clone(),
            _datasetChecksum: spec.checksum,
        };
        let address = self.client().call(registry, &predict).await?;
        self.refuse_registered(registry, AssetKind::Dataset, address).await?;
        let create = DatasetRegistry::createDatasetCall {
            _datasetOwner: owner,
            _datasetName: spec.name,
            _datasetMultiaddr: multiaddr,
            _datasetChecksum: spec.checksum,
        };
        let tx = self.send("dataset deploy", call_request(registry, &create)).await?;
        info!(dataset = %address, %owner, tx = %tx.hash, "Dataset deployed.");
        Ok(Deployed { address: DatasetAddress(address), tx })
    }

    /// The registered dataset at `address`.
    pub async fn show_dataset(&self, address: DatasetAddress) -> Result<DatasetInfo> {
        let registry = self.contracts().dataset_registry;
        self.require_registered(registry, AssetKind::Dataset, address.0).await?;
        let info = self
            .client()
            .call(self.contracts().hub, &IPoco::viewDatasetCall { dataset: address.0 })
            .await?;
        Ok(DatasetInfo {
            address,
            owner: info.owner,
            name: info.m_datasetName,
            multiaddr: String::from_utf8_lossy(&info.m_datasetMultiaddr).into_owned(),
            checksum: info.m_datasetChecksum,
        })
    }

    /// Registers a workerpool (see [`Self::deploy_app`]).
    pub async fn deploy_workerpool(
        &self,
        spec: WorkerpoolSpec,
    ) -> Result<Deployed<WorkerpoolAddress>> {
        let owner = spec.owner.unwrap_or(self.tx()?.address());
        let registry = self.contracts().workerpool_registry;
        let predict = WorkerpoolRegistry::predictWorkerpoolCall {
            _workerpoolOwner: owner,
            _workerpoolDescription: spec.description.clone(),
        };
        let address = self.client().call(registry, &predict).await?;
        self.refuse_registered(registry, AssetKind::Workerpool, address).await?;
        let create = WorkerpoolRegistry::createWorkerpoolCall {
            _workerpoolOwner: owner,
            _workerpoolDescription: spec.description,
        };
        let tx = self.send("workerpool deploy", call_request(registry, &create)).await?;
        info!(workerpool = %address, %owner, tx = %tx.hash, "Workerpool deployed.");
        Ok(Deployed { address: WorkerpoolAddress(address), tx })
    }

    /// The registered workerpool at `address`.
    pub async fn show_workerpool(&self, address: WorkerpoolAddress) -> Result<WorkerpoolInfo> {
        let registry = self.contracts().workerpool_registry;
        self.require_registered(registry, AssetKind::Workerpool, address.0).await?;
        let info = self
            .client()
            .call(self.contracts().hub, &IPoco::viewWorkerpoolCall { workerpool: address.0 })
            .await?;
        Ok(WorkerpoolInfo {
            address,
            owner: info.owner,
            description: info.m_workerpoolDescription,
            worker_stake_ratio: info.m_workerStakeRatioPolicy,
            scheduler_reward_ratio: info.m_schedulerRewardRatioPolicy,
        })
    }

    async fn is_registered(&self, registry: Address, address: Address) -> Result<bool> {
        // The three registries share `isRegistered(address)`.
        let call = AppRegistry::isRegisteredCall { entry: address };
        Ok(self.client().call(registry, &call).await?)
    }

    async fn refuse_registered(
        &self,
        registry: Address,
        kind: AssetKind,
        address: Address,
    ) -> Result<()> {
        if self.is_registered(registry, address).await? {
            return Err(Error::AlreadyDeployed { kind, address });
        }
        Ok(())
    }

    async fn require_registered(
        &self,
        registry: Address,
        kind: AssetKind,
        address: Address,
    ) -> Result<()> {
        if !self.is_registered(registry, address).await? {
            return Err(Error::NotFound { kind, address });
        }
        Ok(())
    }
}

fn call_request<C: SolCall>(to: Address, call: &C) -> TransactionRequest {
    TransactionRequest::default().to(to).input(call.abi_encode().into())
}
