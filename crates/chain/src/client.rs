//! [`ChainClient`]: one client for any RPC URL, checked against the expected chain id.

use crate::{
    config::ChainConfig,
    error::{ChainError, Result},
    retry::{RetryLayer, is_transient},
    revert::Revert,
    stream::BlockRef,
};
use alloy::{
    eips::BlockNumberOrTag,
    network::{Ethereum, TransactionBuilder},
    primitives::{Address, U256},
    providers::{DynProvider, Provider, RootProvider},
    rpc::{
        client::{ClientBuilder, RpcClient},
        types::{Filter, Log, TransactionRequest},
    },
    sol_types::SolCall,
    transports::{http::reqwest, ws::WsConnect},
};
use poco_contracts::bindings::{IPoco, RLC};
use std::sync::Arc;
use tracing::{debug, info, warn};
use url::Url;

/// A connection to one chain, through any RPC URL (http, https, ws, wss).
///
/// Every request goes through a timeout per attempt and retries of transient errors (see
/// [`crate::RetryConfig`]). The client is cheap to clone: clones share the connection.
#[derive(Clone, Debug)]
pub struct ChainClient {
    provider: DynProvider<Ethereum>,
    config: Arc<ChainConfig>,
}

// === impl ChainClient ===

impl ChainClient {
    /// Connects to `config.rpc_url` and checks that the node serves `config.chain_id`.
    ///
    /// Transient failures while connecting (node not listening yet, connection reset) are
    /// retried like any request.
    pub async fn connect(config: ChainConfig) -> Result<Self> {
        let url = config.rpc_url.clone();
        let shown = redacted(&url);
        let layer = RetryLayer::new(config.retry, config.request_timeout);
        let client: RpcClient = match url.scheme() {
            "http" | "https" => {
                let http = reqwest::Client::builder().build().map_err(ChainError::HttpClient)?;
                ClientBuilder::default().layer(layer).http_with_client(http, url)
            }
            "ws" | "wss" => {
                let ws = WsConnect::new(url.as_str())
                    .with_max_retries(config.retry.max_retries)
                    .with_retry_interval(config.retry.initial_backoff);
                let mut attempt = 0;
                loop {
                    match ClientBuilder::default().layer(layer).ws(ws.clone()).await {
                        Ok(client) => break client,
                        Err(error)
                            if attempt < config.retry.max_retries && is_transient(&error) =>
                        {
                            let backoff = config.retry.backoff(attempt);
                            debug!(url = %shown, attempt, %error, "Websocket connection failed, retrying.");
                            tokio::time::sleep(backoff).await;
                            attempt += 1;
                        }
                        Err(source) => return Err(ChainError::Connect { url: shown, source }),
                    }
                }
            }
            scheme => return Err(ChainError::UnsupportedScheme { scheme: scheme.to_owned() }),
        };
        let provider = RootProvider::<Ethereum>::new(client).erased();
        let actual = provider
            .get_chain_id()
            .await
            .map_err(|source| ChainError::Connect { url: shown.clone(), source })?;
        if actual != config.chain_id {
            warn!(url = %shown, expected = config.chain_id, actual, "Node serves another chain.");
            return Err(ChainError::WrongChain { expected: config.chain_id, actual });
        }
        info!(url = %shown, chain_id = actual, "Connected to the chain.");
        Ok(Self { provider, config: Arc::new(config) })
    }

    /// The configuration this client was built with.
    pub fn config(&self) -> &ChainConfig {
        &self.config
    }

    /// The chain id (checked at connection).
    pub fn chain_id(&self) -> u64 {
        self.config.chain_id
    }

    /// The underlying alloy provider, for calls this client does not wrap (its requests get the
    /// same timeouts and retries).
    pub const fn provider(&self) -> &DynProvider<Ethereum> {
        &self.provider
    }

    /// The hub at `address`, through its whole interface (views, escrow, orders, tasks).
    /// Errors of its calls decode with [`poco_contracts::hub_error`].
    pub fn hub(&self, address: Address) -> IPoco::IPocoInstance<DynProvider<Ethereum>> {
        IPoco::new(address, self.provider.clone())
    }

    /// The RLC token at `address`.
    pub fn rlc(&self, address: Address) -> RLC::RLCInstance<DynProvider<Ethereum>> {
        RLC::new(address, self.provider.clone())
    }

    /// Number of the latest block.
    pub async fn block_number(&self) -> Result<u64> {
        self.provider
            .get_block_number()
            .await
            .map_err(|source| ChainError::Rpc { method: "eth_blockNumber", source })
    }

    /// Ether balance of `address` (wei) at the latest block.
    pub async fn balance(&self, address: Address) -> Result<U256> {
        self.provider
            .get_balance(address)
            .await
            .map_err(|source| ChainError::Rpc { method: "eth_getBalance", source })
    }

    /// Nonce of the next transaction of `address`, counting those in the node's pool.
    pub async fn pending_nonce(&self, address: Address) -> Result<u64> {
        self.provider
            .get_transaction_count(address)
            .pending()
            .await
            .map_err(|source| ChainError::Rpc { method: "eth_getTransactionCount", source })
    }

    /// Nonce of the next transaction of `address` according to the latest block.
    pub async fn latest_nonce(&self, address: Address) -> Result<u64> {
        self.provider
            .get_transaction_count(address)
            .latest()
            .await
            .map_err(|source| ChainError::Rpc { method: "eth_getTransactionCount", source })
    }

    /// Number and hash of block `number` of the current chain, `None` past the head.
    pub async fn block_ref(&self, number: u64) -> Result<Option<BlockRef>> {
        let block = self
            .provider
            .get_block_by_number(BlockNumberOrTag::Number(number))
            .await
            .map_err(|source| ChainError::Rpc { method: "eth_getBlockByNumber", source })?;
        Ok(block.map(|block| BlockRef { number: block.header.number, hash: block.header.hash }))
    }

    /// Logs matching `filter` (which should carry a bounded block range).
    pub async fn logs(&self, filter: &Filter) -> Result<Vec<Log>> {
        self.provider
            .get_logs(filter)
            .await
            .map_err(|source| ChainError::Rpc { method: "eth_getLogs", source })
    }

    /// Calls a view (or simulates a call) of the contract at `to` at the latest block; a revert
    /// is decoded into [`Revert`] ([`ChainError::Reverted`]).
    pub async fn call<C: SolCall>(&self, to: Address, call: &C) -> Result<C::Return> {
        let request = TransactionRequest::default().with_to(to).with_input(call.abi_encode());
        match self.provider.call(request).await {
            Ok(output) => {
                C::abi_decode_returns(&output).map_err(|source| ChainError::Decode { to, source })
            }
            Err(source) => match Revert::from_rpc_error(&source) {
                Some(revert) => Err(ChainError::Reverted { to, revert }),
                None => Err(ChainError::Rpc { method: "eth_call", source }),
            },
        }
    }
}

/// The URL without credentials, path or query (API keys often live there): safe to log.
fn redacted(url: &Url) -> String {
    match (url.host_str(), url.port()) {
        (Some(host), Some(port)) => format!("{}://{host}:{port}", url.scheme()),
        (Some(host), None) => format!("{}://{host}", url.scheme()),
        _ => format!("{}://", url.scheme()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_redacted() {
        let table = [
            ("https://user:pw@mainnet.example/v3/SECRETKEY?x=1", "https://mainnet.example"),
            ("ws://127.0.0.1:8545/", "ws://127.0.0.1:8545"),
        ];
        for (url, shown) in table {
            assert_eq!(redacted(&url.parse().unwrap()), shown);
        }
    }
}
