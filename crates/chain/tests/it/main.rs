//! Integration tests of the chain client, against anvil (one binary, see STYLE.md §2.2).
//!
//! Every test starts its own anvil (`npm run setup` in contracts/ installs it) and fails, never
//! skips, when it is missing. The same tests are meant to run against the devchain.
// A test binary: an unwrap in a helper is an assertion (clippy only exempts `#[test]` bodies).
#![allow(clippy::unwrap_used)]

mod client;
mod proxy;
mod signer;
mod stream;
mod tx;

use alloy::primitives::Address;
use poco_chain::{ChainClient, ChainConfig, PrivateKeySigner, RetryConfig, TxConfig, TxManager};
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

pub(crate) async fn spawn_anvil() -> Anvil {
    Anvil::spawn().await.or_panic("starting anvil")
}

pub(crate) async fn connect(anvil: &Anvil) -> ChainClient {
    ChainClient::connect(config(anvil.endpoint(), anvil.chain_id())).await.or_panic("connecting")
}

/// A transaction manager for dev account `index`.
pub(crate) fn manager(client: &ChainClient, anvil: &Anvil, index: usize) -> TxManager {
    TxManager::new(client.clone(), anvil.keys()[index].clone(), TxConfig::default())
}

/// A fresh address nobody uses.
pub(crate) fn fresh_address(seed: u8) -> Address {
    PrivateKeySigner::from_bytes(&alloy::primitives::B256::repeat_byte(seed))
        .expect("a non-zero key below the curve order")
        .address()
}
