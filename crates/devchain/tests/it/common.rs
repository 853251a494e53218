//! A devchain and a provider signing for every dev account.

use alloy::{
    network::EthereumWallet,
    primitives::Address,
    providers::{DynProvider, Provider, ProviderBuilder},
    signers::local::PrivateKeySigner,
    transports::http::reqwest::Url,
};
use poco_devchain::{DevChainConfig, DevChainHandle, spawn};
use serde_json::Value;

pub struct TestChain {
    pub handle: DevChainHandle,
    /// Signs for every dev account; sends from account 0 unless told otherwise.
    pub provider: DynProvider,
    pub url: Url,
}

impl TestChain {
    pub async fn start() -> Self {
        Self::start_with(DevChainConfig::test()).await
    }

    pub async fn start_with(config: DevChainConfig) -> Self {
        let handle = spawn(config).await.expect("the devchain starts");
        let url: Url = handle.http_endpoint().parse().unwrap();
        let keys: Vec<PrivateKeySigner> =
            handle.dev_accounts().iter().map(|account| account.signer.clone()).collect();
        let mut wallet = EthereumWallet::from(keys[0].clone());
        for key in &keys[1..] {
            wallet.register_signer(key.clone());
        }
        let provider = ProviderBuilder::new().wallet(wallet).connect_http(url.clone()).erased();
        Self { handle, provider, url }
    }

    pub fn account(&self, index: usize) -> Address {
        self.handle.dev_accounts()[index].address
    }

    pub fn key(&self, index: usize) -> PrivateKeySigner {
        self.handle.dev_accounts()[index].signer.clone()
    }

    /// POSTs `body` and returns the HTTP status and the JSON answer (`Null` when empty).
    pub async fn post(&self, body: &str) -> (u16, Value) {
        let response = alloy::transports::http::reqwest::Client::new()
            .post(self.url.clone())
            .header("content-type", "application/json")
            .body(body.to_owned())
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        let value =
            if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap() };
        (status, value)
    }

    /// Calls `method` with `params` over raw HTTP; returns the whole response object.
    pub async fn rpc(&self, method: &str, params: Value) -> Value {
        let body =
            serde_json::json!({ "jsonrpc": "2.0", "id": 1, "method": method, "params": params });
        self.post(&body.to_string()).await.1
    }

    pub async fn block_number(&self) -> u64 {
        self.provider.get_block_number().await.unwrap()
    }
}
