//! [`ChainView`]: what the market reads from the chain to accept an order — registries,
//! owners, consumption, presignatures, balances, contract signatures, categories, pool
//! descriptions — through `poco-chain`'s [`ChainClient`] and the hub's bindings.

use alloy::{
    primitives::{Address, B256, Bytes, U256},
    providers::Provider,
    sol,
    sol_types::Eip712Domain,
};
use poco_chain::{ChainClient, ChainError};
use poco_contracts::bindings::{IPoco, Workerpool};
use poco_market_api::Book;
use poco_primitives::{OrderHash, poco_domain};
use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

/// How long an asset's owner is trusted without asking the chain again. The watcher forgets an
/// owner as soon as it sees the asset's `Transfer`; the limit bounds staleness without it.
pub const OWNER_CACHE_TTL: Duration = Duration::from_secs(10);

use crate::error::MarketError;

sol! {
    /// The registry views the market needs (the same on the three registries).
    interface IRegistryView {
        function isRegistered(address entry) external view returns (bool);
        function ownerOf(uint256 tokenId) external view returns (address);
    }
}

/// The protocol addresses the market works with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Registries {
    /// The App registry.
    pub app: Address,
    /// The Dataset registry.
    pub dataset: Address,
    /// The Workerpool registry.
    pub workerpool: Address,
}

impl Registries {
    /// The registry of a sell book (`None` for the request book).
    pub const fn of(&self, book: Book) -> Option<Address> {
        match book {
            Book::App => Some(self.app),
            Book::Dataset => Some(self.dataset),
            Book::Workerpool => Some(self.workerpool),
            Book::Request => None,
        }
    }

    /// The sell book whose registry is `address`.
    pub fn book_of(&self, address: Address) -> Option<Book> {
        [Book::App, Book::Dataset, Book::Workerpool]
            .into_iter()
            .find(|book| self.of(*book) == Some(address))
    }
}

/// Reads of one deployment (see the module docs). Cheap to share behind an `Arc`.
#[derive(Debug)]
pub struct ChainView {
    client: ChainClient,
    hub: Address,
    registries: Registries,
    domain: Eip712Domain,
    /// The category count only grows: cached, refreshed when an order names a larger one.
    categories: Mutex<u64>,
    /// Owners of registered assets, with when they were read.
    owners: Mutex<HashMap<(Book, Address), (Address, Instant)>>,
    /// Pool descriptions (a pool's description never changes).
    descriptions: Mutex<HashMap<Address, String>>,
}

fn rpc(error: ChainError) -> MarketError {
    MarketError::Chain(Box::new(error))
}

impl ChainView {
    /// Reads the registries of the hub at `hub`.
    pub async fn connect(client: ChainClient, hub: Address) -> Result<Self, MarketError> {
        let app = client.call(hub, &IPoco::appregistryCall {}).await.map_err(rpc)?;
        let dataset = client.call(hub, &IPoco::datasetregistryCall {}).await.map_err(rpc)?;
        let workerpool = client.call(hub, &IPoco::workerpoolregistryCall {}).await.map_err(rpc)?;
        let categories = client.call(hub, &IPoco::countCategoryCall {}).await.map_err(rpc)?;
        let domain = poco_domain(client.chain_id(), hub);
        Ok(Self {
            client,
            hub,
            registries: Registries { app, dataset, workerpool },
            domain,
            categories: Mutex::new(saturate(categories)),
            owners: Mutex::new(HashMap::new()),
            descriptions: Mutex::new(HashMap::new()),
        })
    }

    /// The client.
    pub const fn client(&self) -> &ChainClient {
        &self.client
    }

    /// The hub.
    pub const fn hub(&self) -> Address {
        self.hub
    }

    /// The chain id.
    pub fn chain_id(&self) -> u64 {
        self.client.chain_id()
    }

    /// The registries.
    pub const fn registries(&self) -> &Registries {
        &self.registries
    }

    /// The hub's EIP-712 domain (orders are hashed and signed under it).
    pub const fn domain(&self) -> &Eip712Domain {
        &self.domain
    }

    /// The owner of an app, dataset or workerpool; `None` if the registry of `book` does not
    /// know it.
    pub async fn owner(&self, book: Book, asset: Address) -> Result<Option<Address>, MarketError> {
        let Some(registry) = self.registries.of(book) else { return Ok(None) };
        let cached = self
            .owners
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .get(&(book, asset))
            .filter(|(_, read)| read.elapsed() < OWNER_CACHE_TTL)
            .map(|(owner, _)| *owner);
        if let Some(owner) = cached {
            return Ok(Some(owner));
        }
        let registered = self
            .client
            .call(registry, &IRegistryView::isRegisteredCall { entry: asset })
            .await
            .map_err(rpc)?;
        if !registered {
            return Ok(None);
        }
        let token = U256::from_be_slice(asset.as_slice());
        let owner = self
            .client
            .call(registry, &IRegistryView::ownerOfCall { tokenId: token })
            .await
            .map_err(rpc)?;
        self.owners
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .insert((book, asset), (owner, Instant::now()));
        Ok(Some(owner))
    }

    /// Forgets the cached owner of an asset (it changed hands).
    pub fn forget_owner(&self, book: Book, asset: Address) {
        self.owners.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).remove(&(book, asset));
    }

    /// How many tasks of an order the chain consumed (`viewConsumed`).
    pub async fn consumed(&self, hash: OrderHash) -> Result<U256, MarketError> {
        self.client.call(self.hub, &IPoco::viewConsumedCall { _id: hash.0 }).await.map_err(rpc)
    }

    /// Who presigned an order (`viewPresigned`), zero if nobody.
    pub async fn presigned(&self, hash: OrderHash) -> Result<Address, MarketError> {
        self.client.call(self.hub, &IPoco::viewPresignedCall { _id: hash.0 }).await.map_err(rpc)
    }

    /// An account's free balance on the hub (staked RLC, nRLC).
    pub async fn balance(&self, account: Address) -> Result<U256, MarketError> {
        self.client.call(self.hub, &IPoco::balanceOfCall { account }).await.map_err(rpc)
    }

    /// Whether `account` has code (a contract, which signs through ERC-1271).
    pub async fn is_contract(&self, account: Address) -> Result<bool, MarketError> {
        let code = self
            .client
            .provider()
            .get_code_at(account)
            .await
            .map_err(|source| rpc(ChainError::Rpc { method: "eth_getCode", source }))?;
        Ok(!code.is_empty())
    }

    /// The hub's own check of a signature (`verifySignature`: ERC-1271 for contracts, ECDSA
    /// for EOAs). A revert (e.g. a malformed signature) counts as invalid.
    pub async fn verify_signature(
        &self,
        account: Address,
        hash: B256,
        sign: Bytes,
    ) -> Result<bool, MarketError> {
        match self
            .client
            .call(self.hub, &IPoco::verifySignatureCall { _0: account, _1: hash, _2: sign })
            .await
        {
            Ok(valid) => Ok(valid),
            Err(ChainError::Reverted { .. }) => Ok(false),
            Err(error) => Err(rpc(error)),
        }
    }

    /// Whether category `category` exists.
    pub async fn category_exists(&self, category: U256) -> Result<bool, MarketError> {
        let known = *self.categories.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if category < U256::from(known) {
            return Ok(true);
        }
        let count = self.client.call(self.hub, &IPoco::countCategoryCall {}).await.map_err(rpc)?;
        *self.categories.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = saturate(count);
        Ok(category < count)
    }

    /// A workerpool's description (set at creation, never changed).
    /// Read once per pool, then kept.
    pub async fn pool_description(&self, pool: Address) -> Result<String, MarketError> {
        let cached = self
            .descriptions
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .get(&pool)
            .cloned();
        if let Some(description) = cached {
            return Ok(description);
        }
        let description = self
            .client
            .call(pool, &Workerpool::m_workerpoolDescriptionCall {})
            .await
            .map_err(rpc)?;
        self.descriptions
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .insert(pool, description.clone());
        Ok(description)
    }
}

fn saturate(value: U256) -> u64 {
    u64::try_from(value).unwrap_or(u64::MAX)
}
