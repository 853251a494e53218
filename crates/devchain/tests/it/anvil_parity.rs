//! Regressions found by the client compatibility suite (`clients/compat`: ethers v6 and cast run
//! against the devchain and anvil with the same expectations): where the devchain answered
//! differently from anvil, it now answers like anvil.

use std::time::Duration;

use alloy::{
    primitives::{B256, U256},
    providers::{Provider, ProviderBuilder, WsConnect},
    rpc::types::{Filter, Log},
    sol_types::SolEvent,
};
use poco_contracts::bindings::RLC;
use serde_json::json;

use crate::common::TestChain;

/// Account `from` sends `amount` RLC to account `to`; returns the block it was mined in. The
/// receipt is read straight away (automine mines before the send answers): alloy's receipt
/// watcher follows block numbers and misses a block number mined again after a revert.
async fn transfer_rlc(chain: &TestChain, from: usize, to: usize, amount: u64) -> u64 {
    let rlc = RLC::new(chain.handle.deployment().unwrap().rlc, &chain.provider);
    let pending = rlc
        .transfer(chain.account(to), U256::from(amount))
        .from(chain.account(from))
        .send()
        .await
        .unwrap();
    let receipt =
        chain.provider.get_transaction_receipt(*pending.tx_hash()).await.unwrap().unwrap();
    assert!(receipt.status());
    receipt.block_number.unwrap()
}

fn transfers(chain: &TestChain) -> Filter {
    Filter::new()
        .address(chain.handle.deployment().unwrap().rlc)
        .event_signature(RLC::Transfer::SIGNATURE_HASH)
}

fn blocks_of(logs: &[Log]) -> Vec<u64> {
    logs.iter().map(|log| log.block_number.unwrap()).collect()
}

#[tokio::test]
async fn get_logs_starting_after_the_head_is_invalid_params() {
    let chain = TestChain::start().await;
    transfer_rlc(&chain, 1, 2, 1).await;
    for range in [json!({ "fromBlock": "0x2" }), json!({ "fromBlock": "0x5", "toBlock": "0x9" })] {
        let response = chain.rpc("eth_getLogs", json!([range])).await;
        assert_eq!(response["error"]["code"], -32602, "{response}");
    }
    // From the head itself: fine.
    let head = chain.rpc("eth_getLogs", json!([{ "fromBlock": "0x1", "toBlock": "0x9" }])).await;
    assert_eq!(head["result"].as_array().map(Vec::len), Some(1), "{head}");
}

#[tokio::test]
async fn a_log_filter_with_a_from_block_reports_past_logs_on_its_first_poll() {
    let chain = TestChain::start().await;
    let first = transfer_rlc(&chain, 1, 2, 1).await;
    let second = transfer_rlc(&chain, 1, 3, 2).await;

    let since = chain.provider.new_filter(&transfers(&chain).from_block(first)).await.unwrap();
    let at_latest = chain
        .provider
        .new_filter(&transfers(&chain).from_block(alloy::eips::BlockNumberOrTag::Latest))
        .await
        .unwrap();
    let fresh = chain.provider.new_filter(&transfers(&chain)).await.unwrap();
    let future =
        chain.provider.new_filter(&transfers(&chain).from_block(second + 2)).await.unwrap();

    let changes = |id| {
        let provider = chain.provider.clone();
        async move { provider.get_filter_changes_dyn(id).await.unwrap() }
    };
    let logs = |changes: alloy::rpc::types::FilterChanges| match changes {
        alloy::rpc::types::FilterChanges::Logs(logs) => logs,
        alloy::rpc::types::FilterChanges::Empty => Vec::new(),
        other => panic!("not logs: {other:?}"),
    };
    assert_eq!(blocks_of(&logs(changes(since).await)), [first, second]);
    assert_eq!(blocks_of(&logs(changes(at_latest).await)), [second]);
    assert!(logs(changes(fresh).await).is_empty());
    assert!(logs(changes(future).await).is_empty());

    let third = transfer_rlc(&chain, 2, 3, 1).await;
    for id in [since, at_latest, fresh] {
        assert_eq!(blocks_of(&logs(changes(id).await)), [third], "filter {id}");
        assert!(logs(changes(id).await).is_empty(), "reported once");
    }
    // The future filter starts at third + 1.
    let fourth = transfer_rlc(&chain, 2, 3, 1).await;
    assert_eq!(blocks_of(&logs(changes(future).await)), [fourth]);
}

#[tokio::test]
async fn past_logs_of_a_filter_dropped_by_a_revert_are_not_reported() {
    let chain = TestChain::start().await;
    let first = transfer_rlc(&chain, 1, 2, 1).await;
    let snapshot: U256 = chain.provider.raw_request("evm_snapshot".into(), ()).await.unwrap();
    transfer_rlc(&chain, 1, 3, 2).await;
    let since = chain.provider.new_filter(&transfers(&chain).from_block(first)).await.unwrap();
    let reverted: bool = chain.provider.raw_request("evm_revert".into(), [snapshot]).await.unwrap();
    assert!(reverted);
    let logs: Vec<Log> = chain.provider.get_filter_changes(since).await.unwrap();
    assert_eq!(blocks_of(&logs), [first], "the reverted block's log is gone");
}

/// anvil announces no `removed: true` logs when `evm_revert` drops blocks (checked against anvil
/// 1.7.1 by `clients/compat`); the devchain does the same: subscribers see the logs of the blocks
/// mined again after the revert, each once, none marked removed.
#[tokio::test]
async fn a_revert_announces_no_removed_logs_like_anvil() {
    let chain = TestChain::start().await;
    let ws = ProviderBuilder::new()
        .connect_ws(WsConnect::new(chain.handle.ws_endpoint()))
        .await
        .unwrap();
    let mut subscription = ws.subscribe_logs(&transfers(&chain)).await.unwrap();
    let snapshot: U256 = chain.provider.raw_request("evm_snapshot".into(), ()).await.unwrap();
    transfer_rlc(&chain, 1, 2, 1).await;
    let _: bool = chain.provider.raw_request("evm_revert".into(), [snapshot]).await.unwrap();
    // From another account: the provider's nonce cache still holds account 1's reverted nonce.
    let again = transfer_rlc(&chain, 4, 3, 2).await;

    let mut seen = Vec::new();
    while let Ok(Ok(log)) =
        tokio::time::timeout(Duration::from_millis(500), subscription.recv()).await
    {
        seen.push(log);
    }
    assert_eq!(seen.len(), 2, "{seen:#?}");
    assert!(seen.iter().all(|log| !log.removed));
    assert_eq!(blocks_of(&seen), [1, again]);
    assert_eq!(again, 1, "the block number is reused after the revert");
    let to: Vec<B256> = seen.iter().map(|log| log.topics()[2]).collect();
    assert_eq!(to, [chain.account(2).into_word(), chain.account(3).into_word()]);
}

/// ethers turns a node's "insufficient funds" into INSUFFICIENT_FUNDS; revm's own wording ("lack
/// of funds ... for max fee") came out as a bare CALL_EXCEPTION from `eth_estimateGas`.
#[tokio::test]
async fn calls_short_of_funds_say_insufficient_funds_like_geth() {
    let chain = TestChain::start().await;
    let poor = alloy::primitives::Address::repeat_byte(0x42);
    let request = json!({ "from": poor, "to": chain.account(1), "value": "0xde0b6b3a7640000" });
    for method in ["eth_estimateGas", "eth_call"] {
        let response = chain.rpc(method, json!([request])).await;
        assert_eq!(response["error"]["code"], -32000, "{method}: {response}");
        let message = response["error"]["message"].as_str().unwrap();
        assert!(
            message.starts_with("insufficient funds for gas * price + value: address"),
            "{method}: {message}"
        );
    }
}
