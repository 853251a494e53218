//! Integration tests of the chain client, against anvil (one binary, see STYLE.md §2.2).
//!
//! Every chain test runs twice, with identical expectations: against its own anvil (`npm run
//! setup` in contracts/ installs it; missing, the test fails, never skips) and against its own
//! in-process devchain ([`on_both!`]).
// A test binary: an unwrap in a helper is an assertion (clippy only exempts `#[test]` bodies).
#![allow(clippy::unwrap_used)]

mod client;
mod proxy;
mod signer;
mod stream;
mod tx;

use alloy::{
    network::EthereumWallet,
    primitives::Address,
    providers::{DynProvider, Provider, ProviderBuilder},
};
use poco_chain::{ChainClient, ChainConfig, PrivateKeySigner, RetryConfig, TxConfig, TxManager};
use poco_devchain::{DevChainConfig, DevChainHandle};
use poco_reference::Anvil;
use std::{error::Error, fmt::Write, time::Duration};
use url::Url;

/// Unwraps, or panics with the whole error chain.
pub(crate) trait OrPanic<T> {
    fn or_panic(self, what: &str) -> T;
}

impl<T, E: Error> OrPanic<T> for Result<T, E> {
    fn or_panic(self, what: &str) -> T {
        self.unwrap_or_else(|error| {
            let mut message = format!("{what}: {error}");
            let mut source = error.source();
            while let Some(cause) = source {
                let _ = write!(message, "\n  caused by: {cause}");
                source = cause.source();
            }
            panic!("{message}")
        })
    }
}

/// A configuration for tests: fast polls, patient retries.
pub(crate) fn config(url: &Url, chain_id: u64) -> ChainConfig {
    ChainConfig::new(url.clone(), chain_id)
        .with_poll_interval(Duration::from_millis(20))
        .with_receipt_timeout(Duration::from_secs(60))
        .with_retry(RetryConfig {
            max_retries: 30,
            initial_backoff: Duration::from_millis(10),
            max_backoff: Duration::from_millis(200),
        })
}

/// A chain to test against: anvil or the devchain, each owned by the test (stopped on drop).
pub(crate) struct Node {
    endpoint: Url,
    chain_id: u64,
    keys: Vec<PrivateKeySigner>,
    _process: Backend,
}

enum Backend {
    Anvil(#[allow(dead_code)] Anvil),
    DevChain(#[allow(dead_code)] DevChainHandle),
}

impl Node {
    pub(crate) async fn anvil() -> Self {
        let anvil = Anvil::spawn().await.or_panic("starting anvil");
        Self {
            endpoint: anvil.endpoint().clone(),
            chain_id: anvil.chain_id(),
            keys: anvil.keys().to_vec(),
            _process: Backend::Anvil(anvil),
        }
    }

    pub(crate) async fn devchain() -> Self {
        let config = DevChainConfig::test();
        let chain_id = config.chain_id;
        let devchain = poco_devchain::spawn(config).await.or_panic("starting the devchain");
        Self {
            endpoint: devchain.http_endpoint().parse().or_panic("devchain endpoint"),
            chain_id,
            keys: devchain.dev_accounts().iter().map(|account| account.signer.clone()).collect(),
            _process: Backend::DevChain(devchain),
        }
    }

    pub(crate) const fn endpoint(&self) -> &Url {
        &self.endpoint
    }

    pub(crate) const fn chain_id(&self) -> u64 {
        self.chain_id
    }

    pub(crate) fn keys(&self) -> &[PrivateKeySigner] {
        &self.keys
    }

    pub(crate) fn addresses(&self) -> Vec<Address> {
        self.keys.iter().map(PrivateKeySigner::address).collect()
    }

    /// Works around anvil's automine race (foundry-rs/foundry#10122): when many transactions
    /// of one sender arrive out of nonce order, anvil can leave ready ones in its pool unmined.
    /// For the rest of the test, a block is mined whenever the pool has held ready transactions
    /// at two checks in a row, a second apart. Nothing on the devchain, which has no such race.
    pub(crate) fn unstick_anvil_automine(&self) {
        if !matches!(self._process, Backend::Anvil(_)) {
            return;
        }
        let provider = self.provider(0);
        tokio::spawn(async move {
            let mut stuck_before = false;
            loop {
                tokio::time::sleep(Duration::from_secs(1)).await;
                let status: Result<serde_json::Value, _> =
                    provider.raw_request("txpool_status".into(), ()).await;
                let pending = status
                    .ok()
                    .and_then(|status| status.get("pending").cloned())
                    .and_then(|pending| {
                        serde_json::from_value::<alloy::primitives::U64>(pending).ok()
                    })
                    .is_some_and(|pending| pending > alloy::primitives::U64::ZERO);
                if pending && stuck_before {
                    let _: Result<serde_json::Value, _> =
                        provider.raw_request("evm_mine".into(), ()).await;
                }
                stuck_before = pending;
            }
        });
    }

    /// A plain alloy provider signing with dev account `index` (deployments in fixtures).
    pub(crate) fn provider(&self, index: usize) -> DynProvider {
        let wallet = EthereumWallet::from(self.keys[index].clone());
        ProviderBuilder::new().wallet(wallet).connect_http(self.endpoint.clone()).erased()
    }
}

/// Runs each named `async fn(&Node)` as two tests, `<name>::anvil` and `<name>::devchain`.
#[macro_export]
macro_rules! on_both {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test]
            async fn anvil() {
                super::$name(&$crate::Node::anvil().await).await;
            }

            #[tokio::test]
            async fn devchain() {
                super::$name(&$crate::Node::devchain().await).await;
            }
        }
    )*};
}

pub(crate) async fn connect(node: &Node) -> ChainClient {
    ChainClient::connect(config(node.endpoint(), node.chain_id())).await.or_panic("connecting")
}

/// A transaction manager for dev account `index`.
pub(crate) fn manager(client: &ChainClient, node: &Node, index: usize) -> TxManager {
    TxManager::new(client.clone(), node.keys()[index].clone(), TxConfig::default())
}

/// A fresh address nobody uses.
pub(crate) fn fresh_address(seed: u8) -> Address {
    PrivateKeySigner::from_bytes(&alloy::primitives::B256::repeat_byte(seed))
        .expect("a non-zero key below the curve order")
        .address()
}
