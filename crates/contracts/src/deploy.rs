//! One call that deploys the whole protocol on any chain.

use alloy::{
    network::Ethereum,
    primitives::{Address, ChainId},
    providers::Provider,
};

use crate::{
    bindings::{
        AppRegistry, DatasetRegistry, PocoHub, PocoModule, PocoViews, RLC, WorkerpoolRegistry,
    },
    error::{DeployError, DeployStep},
};

/// Addresses of a poco deployment: what a chain file records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Deployment {
    /// Chain the protocol lives on.
    pub chain_id: ChainId,
    /// The hub: the one address every client talks to (escrow, orders, deals, tasks).
    pub hub: Address,
    /// The base token (RLC, 9 decimals).
    pub rlc: Address,
    /// The App registry (ERC-721).
    pub app_registry: Address,
    /// The Dataset registry (ERC-721).
    pub dataset_registry: Address,
    /// The Workerpool registry (ERC-721).
    pub workerpool_registry: Address,
    /// The hub's module (reached by `delegatecall`; never called directly).
    pub module: Address,
    /// The hub's views (reached by `delegatecall`; never called directly).
    pub views: Address,
    /// The protocol owner (categories, configuration).
    pub owner: Address,
}

/// Options of [`deploy_protocol`].
#[derive(Clone, Debug, Default)]
pub struct DeployOptions {
    /// Use this existing RLC token instead of deploying one (the deployer then holds no RLC).
    pub rlc: Option<Address>,
    /// Protocol owner; defaults to the deployer.
    pub owner: Option<Address>,
    /// Base URI of the three registries' token metadata (`<base><token id>`); empty by default.
    pub base_uri: String,
}

/// Deploys the RLC token (unless given), the three registries, the hub's views and module, and
/// the hub, whose constructor creates the five default categories. Each step waits for its
/// receipt. The provider's default sender pays and, unless told otherwise, owns everything; it
/// also receives the whole RLC supply (87 M RLC) when the token is deployed here.
pub async fn deploy_protocol<P>(
    provider: &P,
    options: DeployOptions,
) -> Result<Deployment, DeployError>
where
    P: Provider<Ethereum>,
{
    let chain_id = provider
        .get_chain_id()
        .await
        .map_err(|source| DeployError::Rpc { step: DeployStep::ChainId, source })?;
    let deployer = provider
        .get_accounts()
        .await
        .ok()
        .and_then(|accounts| accounts.first().copied())
        .or(options.owner)
        .ok_or(DeployError::NoSender)?;
    let owner = options.owner.unwrap_or(deployer);
    let step = |step: DeployStep| move |source| DeployError::Contract { step, source };

    let rlc = match options.rlc {
        Some(rlc) => rlc,
        None => *RLC::deploy(provider).await.map_err(step(DeployStep::Rlc))?.address(),
    };
    let base_uri = options.base_uri;
    let app_registry = *AppRegistry::deploy(provider, owner, base_uri.clone())
        .await
        .map_err(step(DeployStep::AppRegistry))?
        .address();
    let dataset_registry = *DatasetRegistry::deploy(provider, owner, base_uri.clone())
        .await
        .map_err(step(DeployStep::DatasetRegistry))?
        .address();
    let workerpool_registry = *WorkerpoolRegistry::deploy(provider, owner, base_uri)
        .await
        .map_err(step(DeployStep::WorkerpoolRegistry))?
        .address();
    let views = *PocoViews::deploy(provider).await.map_err(step(DeployStep::Views))?.address();
    let module = *PocoModule::deploy(provider, rlc, views)
        .await
        .map_err(step(DeployStep::Module))?
        .address();
    let hub = *PocoHub::deploy(
        provider,
        module,
        app_registry,
        dataset_registry,
        workerpool_registry,
        owner,
    )
    .await
    .map_err(step(DeployStep::Hub))?
    .address();

    Ok(Deployment {
        chain_id,
        hub,
        rlc,
        app_registry,
        dataset_registry,
        workerpool_registry,
        module,
        views,
        owner,
    })
}
