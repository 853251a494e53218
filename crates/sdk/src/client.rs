//! [`Poco`]: a connection to one deployment, with an optional signer for the actions that send
//! transactions.

use crate::{
    chains::NamedChain,
    error::{Error, Funds, Result},
};
use alloy::{
    primitives::{Address, B256, U256},
    providers::Provider,
    rpc::types::TransactionRequest,
};
use poco_chain::{ChainClient, ChainConfig, PrivateKeySigner, RetryConfig, TxConfig, TxManager};
use poco_contracts::bindings::IPoco;
use serde::Serialize;
use std::time::Duration;
use tracing::debug;

/// The protocol's contracts on a chain, read from the hub.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Contracts {
    /// The hub.
    pub hub: Address,
    /// The RLC token.
    pub rlc: Address,
    /// The App registry.
    pub app_registry: Address,
    /// The Dataset registry.
    pub dataset_registry: Address,
    /// The Workerpool registry.
    pub workerpool_registry: Address,
}

/// A transaction that landed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct TxOutcome {
    /// Its hash.
    pub hash: B256,
    /// The block it was mined in.
    pub block: u64,
}

/// How patiently to talk to the node.
#[derive(Clone, Debug)]
pub struct ConnectOptions {
    /// Retries of transient RPC errors (connection refused, timeouts).
    pub retries: u32,
    /// Timeout of one request.
    pub request_timeout: Duration,
    /// Poll interval for receipts.
    pub poll_interval: Duration,
    /// How long to wait for a receipt.
    pub receipt_timeout: Duration,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        Self {
            retries: 2,
            request_timeout: Duration::from_secs(30),
            poll_interval: Duration::from_millis(250),
            receipt_timeout: Duration::from_secs(300),
        }
    }
}

/// A connection to one poco deployment.
#[derive(Clone, Debug)]
pub struct Poco {
    chain: NamedChain,
    client: ChainClient,
    contracts: Contracts,
    tx: Option<TxManager>,
    signer: Option<PrivateKeySigner>,
    pub(crate) http: reqwest::Client,
}

// === impl Poco ===

impl Poco {
    /// Connects to `chain` with the default [`ConnectOptions`]: checks the chain id and that a hub
    /// answers at the configured address, and reads the protocol's other addresses from it.
    pub async fn connect(chain: NamedChain) -> Result<Self> {
        Self::connect_with(chain, ConnectOptions::default()).await
    }

    /// [`Self::connect`] with explicit options.
    pub async fn connect_with(chain: NamedChain, options: ConnectOptions) -> Result<Self> {
        let retry = RetryConfig {
            max_retries: options.retries,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(2),
        };
        let config = ChainConfig::new(chain.spec.rpc_url.clone(), chain.spec.chain_id)
            .with_confirmations(chain.spec.confirmations)
            .with_retry(retry)
            .with_request_timeout(options.request_timeout)
            .with_poll_interval(options.poll_interval)
            .with_receipt_timeout(options.receipt_timeout);
        let client = ChainClient::connect(config).await.map_err(|source| Error::Connect {
            chain: chain.name.clone(),
            rpc_url: chain.spec.rpc_url.to_string(),
            source: Box::new(source),
        })?;
        let hub = chain.spec.hub;
        let code = client
            .provider()
            .get_code_at(hub)
            .await
            .map_err(|source| poco_chain::ChainError::Rpc { method: "eth_getCode", source })?;
        if code.is_empty() {
            return Err(Error::NoHub { chain: chain.name.clone(), hub });
        }
        let (rlc, app_registry, dataset_registry, workerpool_registry) = tokio::try_join!(
            client.call(hub, &IPoco::tokenCall {}),
            client.call(hub, &IPoco::appregistryCall {}),
            client.call(hub, &IPoco::datasetregistryCall {}),
            client.call(hub, &IPoco::workerpoolregistryCall {}),
        )?;
        let contracts = Contracts { hub, rlc, app_registry, dataset_registry, workerpool_registry };
        debug!(chain = %chain.name, ?contracts, "Connected.");
        let http = reqwest::Client::builder().timeout(options.request_timeout).build().map_err(
            |error| Error::Service {
                service: crate::Service::Market,
                url: String::new(),
                reason: format!("the HTTP client could not be built: {error}"),
            },
        )?;
        Ok(Self { chain, client, contracts, tx: None, signer: None, http })
    }

    /// Signs this connection's transactions with `signer`.
    pub fn with_signer(mut self, signer: PrivateKeySigner) -> Self {
        self.tx = Some(TxManager::new(self.client.clone(), signer.clone(), TxConfig::default()));
        self.signer = Some(signer);
        self
    }

    /// The chain this connection is on.
    pub const fn chain(&self) -> &NamedChain {
        &self.chain
    }

    /// The chain client underneath.
    pub const fn client(&self) -> &ChainClient {
        &self.client
    }

    /// The protocol's addresses.
    pub const fn contracts(&self) -> &Contracts {
        &self.contracts
    }

    /// The signer's address, if there is a signer.
    pub fn signer_address(&self) -> Option<Address> {
        self.tx.as_ref().map(TxManager::address)
    }

    /// The signer's key (EIP-712 orders and messages), or [`Error::NoWallet`].
    pub(crate) fn signer(&self) -> Result<&PrivateKeySigner> {
        self.signer.as_ref().ok_or(Error::NoWallet)
    }

    /// The transaction manager, or [`Error::NoWallet`].
    pub(crate) fn tx(&self) -> Result<&TxManager> {
        self.tx.as_ref().ok_or(Error::NoWallet)
    }

    /// Sends `request` from the signer and waits for it; `action` names it in errors. A signer
    /// without ether gets [`Error::Insufficient`] before anything is sent.
    pub(crate) async fn send(
        &self,
        action: &'static str,
        request: TransactionRequest,
    ) -> Result<TxOutcome> {
        let tx = self.tx()?;
        let eth = self.client.balance(tx.address()).await?;
        if eth.is_zero() {
            return Err(Error::Insufficient {
                funds: Funds::Eth,
                needed: U256::from(1u64),
                available: eth,
            });
        }
        let landed = tx
            .send(request)
            .await
            .map_err(|source| Error::Tx { action, source: Box::new(source) })?;
        Ok(TxOutcome { hash: landed.hash, block: landed.block_number() })
    }
}
