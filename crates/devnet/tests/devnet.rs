//! The devnet in-process on a temp folder: everything starts, the pool's worker registers and its
//! orders reach the market; a second start on the same folder resumes the same chain and pool.
// A test binary: an unwrap is an assertion.
#![allow(clippy::unwrap_used, missing_docs)]

use alloy::providers::{Provider, ProviderBuilder};
use poco_devnet::{Devnet, DevnetConfig, Ports, Role};
use std::time::Duration;

fn config(dir: &std::path::Path) -> DevnetConfig {
    DevnetConfig { workers: 1, ports: Ports::ANY, ..DevnetConfig::new(dir) }
}

/// Waits (bounded) until the scheduler counts `alive` workers.
async fn wait_alive(devnet: &Devnet, alive: u64) {
    for _ in 0..200 {
        let stats = poco_scheduler::pool_stats(devnet.scheduler().workers(), 0).await.unwrap();
        if stats.alive_workers == alive {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the scheduler never counted {alive} alive workers");
}

/// Waits (bounded) until the market lists an open order of the pool.
async fn wait_pool_order(devnet: &Devnet) {
    let info = devnet.info();
    let url = format!("{}/v1/orders/workerpool?workerpool={}", info.market_url, info.workerpool);
    let mut last = String::new();
    for _ in 0..200 {
        let response = reqwest::get(&url).await.unwrap();
        assert_eq!(response.status(), 200);
        let page: serde_json::Value = response.json().await.unwrap();
        if page["orders"].as_array().is_some_and(|orders| !orders.is_empty()) {
            return;
        }
        last = page.to_string();
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the market never listed an order of the pool: {last}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_devnet_starts_serves_and_resumes_on_its_folder() {
    let dir = tempfile::tempdir().unwrap();
    let devnet = Devnet::start(config(dir.path())).await.unwrap();
    let info = devnet.info().clone();
    let roles: Vec<Role> = info.accounts.iter().map(|account| account.role).collect();
    assert_eq!(
        roles,
        vec![
            Role::Deployer,
            Role::AppDeveloper,
            Role::DatasetOwner,
            Role::PoolOwner,
            Role::Requester,
            Role::Worker(0)
        ]
    );
    let provider = ProviderBuilder::new().connect_http(info.rpc_url.parse().unwrap());
    assert_eq!(provider.get_chain_id().await.unwrap(), info.chain_id);
    // The pool exists and belongs to the pool owner; the worker staked.
    let pool = poco_contracts::bindings::Workerpool::new(info.workerpool, &provider);
    assert_eq!(pool.owner().call().await.unwrap(), info.accounts[3].address);
    let hub = poco_contracts::bindings::IPoco::new(info.deployment.hub, &provider);
    let stake = hub.viewAccount(info.accounts[5].address).call().await.unwrap();
    assert_eq!(stake.stake, DevnetConfig::new(dir.path()).worker_stake);
    let stake = hub.viewAccount(info.accounts[3].address).call().await.unwrap();
    assert_eq!(stake.stake, DevnetConfig::new(dir.path()).pool_stake);
    wait_alive(&devnet, 1).await;
    wait_pool_order(&devnet).await;
    let block = provider.get_block_number().await.unwrap();
    devnet.shutdown().await.unwrap();

    // Again on the same folder: the same chain (blocks kept), the same pool, no second stake.
    let devnet = Devnet::start(config(dir.path())).await.unwrap();
    let again = devnet.info().clone();
    assert_eq!(again.deployment, info.deployment);
    assert_eq!(again.workerpool, info.workerpool);
    let provider = ProviderBuilder::new().connect_http(again.rpc_url.parse().unwrap());
    assert!(provider.get_block_number().await.unwrap() >= block, "the chain resumed");
    let hub = poco_contracts::bindings::IPoco::new(again.deployment.hub, &provider);
    let stake = hub.viewAccount(again.accounts[5].address).call().await.unwrap();
    assert_eq!(stake.stake, DevnetConfig::new(dir.path()).worker_stake, "staked once");
    wait_alive(&devnet, 1).await;
    wait_pool_order(&devnet).await;
    devnet.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_folder_with_a_broken_state_file_is_refused_with_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("devnet.json"), b"{not json").unwrap();
    let error = Devnet::start(config(dir.path())).await.unwrap_err();
    let message = error.to_string();
    assert!(message.contains("devnet.json"), "{message}");
    assert!(message.contains("delete the folder"), "{message}");
}
