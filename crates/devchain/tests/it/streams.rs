//! WebSocket subscriptions (`eth_subscribe`) and polled filters (`eth_newFilter`...).

use std::time::Duration;

use alloy::{
    network::TransactionBuilder,
    primitives::{B256, U256},
    providers::{Provider, ProviderBuilder, WsConnect},
    rpc::types::{Filter, TransactionRequest},
    sol_types::SolEvent,
};
use poco_contracts::bindings::RLC;

use crate::common::TestChain;

/// Waits for a subscription item, failing the test rather than hanging.
async fn next<T>(what: &str, item: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(10), item)
        .await
        .unwrap_or_else(|_| panic!("no {what} within 10 s"))
}

async fn transfer_rlc(chain: &TestChain, from: usize, to: usize, amount: u64) -> B256 {
    let rlc = RLC::new(chain.handle.deployment().unwrap().rlc, &chain.provider);
    let receipt = rlc
        .transfer(chain.account(to), U256::from(amount))
        .from(chain.account(from))
        .send()
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap();
    receipt.transaction_hash
}

#[tokio::test]
async fn websocket_serves_requests_and_subscriptions_on_the_same_port() {
    let chain = TestChain::start().await;
    let ws_url = chain.handle.ws_endpoint();
    assert_eq!(ws_url.replace("ws://", "http://"), chain.handle.http_endpoint());
    let ws = ProviderBuilder::new().connect_ws(WsConnect::new(ws_url)).await.unwrap();
    assert_eq!(ws.get_chain_id().await.unwrap(), 31337);
    assert_eq!(ws.get_block_number().await.unwrap(), 0);

    let mut heads = ws.subscribe_blocks().await.unwrap();
    let rlc = chain.handle.deployment().unwrap().rlc;
    let filter = Filter::new()
        .address(rlc)
        .event_signature(RLC::Transfer::SIGNATURE_HASH)
        .topic2(chain.account(3).into_word());
    let mut logs = ws.subscribe_logs(&filter).await.unwrap();
    let mut pending = ws.subscribe_pending_transactions().await.unwrap();

    let first = transfer_rlc(&chain, 1, 2, 10).await;
    let second = transfer_rlc(&chain, 1, 3, 20).await;

    let head = next("newHeads", heads.recv()).await.unwrap();
    assert_eq!(head.number, 1);
    let head = next("newHeads", heads.recv()).await.unwrap();
    assert_eq!(head.number, 2);
    let block = chain.provider.get_block(2.into()).await.unwrap().unwrap();
    assert_eq!(head.hash, block.header.hash);

    // Only the transfer to account 3 matches the log filter.
    let log = next("logs", logs.recv()).await.unwrap();
    assert_eq!(log.transaction_hash, Some(second));
    assert_eq!(log.block_number, Some(2));
    let decoded = log.log_decode::<RLC::Transfer>().unwrap();
    assert_eq!(decoded.inner.value, U256::from(20));

    assert_eq!(next("pending tx", pending.recv()).await.unwrap(), first);
    assert_eq!(next("pending tx", pending.recv()).await.unwrap(), second);

    // Transactions sent over the WebSocket.
    let tx = TransactionRequest::default()
        .with_from(chain.account(0))
        .with_to(chain.account(5))
        .with_value(U256::from(1));
    let wallet_ws = ProviderBuilder::new()
        .wallet(chain.key(0))
        .connect_ws(WsConnect::new(chain.handle.ws_endpoint()))
        .await
        .unwrap();
    let receipt = wallet_ws.send_transaction(tx).await.unwrap().get_receipt().await.unwrap();
    assert_eq!(receipt.block_number, Some(3));
    assert_eq!(next("newHeads", heads.recv()).await.unwrap().number, 3);
}

#[tokio::test]
async fn unsubscribe_and_unknown_subscriptions() {
    let chain = TestChain::start().await;
    let ws = ProviderBuilder::new()
        .connect_ws(WsConnect::new(chain.handle.ws_endpoint()))
        .await
        .unwrap();
    let heads = ws.subscribe_blocks().await.unwrap();
    ws.unsubscribe(*heads.local_id()).await.unwrap();
    assert!(ws.raw_request::<_, U256>("eth_subscribe".into(), ["syncing"]).await.is_err());
    // Over HTTP there is nothing to push to.
    let answer = chain.rpc("eth_subscribe", serde_json::json!(["newHeads"])).await;
    assert_eq!(answer["error"]["code"], -32601, "{answer}");
    // The session still answers.
    assert_eq!(ws.get_block_number().await.unwrap(), 0);
}

#[tokio::test]
async fn polled_filters() {
    let chain = TestChain::start().await;
    let rlc = chain.handle.deployment().unwrap().rlc;
    let blocks = chain.provider.new_block_filter().await.unwrap();
    let from_one = chain
        .provider
        .new_filter(&Filter::new().address(rlc).topic1(chain.account(1).into_word()))
        .await
        .unwrap();
    let pending = chain.provider.new_pending_transactions_filter(false).await.unwrap();
    assert!(chain.provider.get_filter_changes::<B256>(blocks).await.unwrap().is_empty());

    let first = transfer_rlc(&chain, 1, 2, 10).await;
    transfer_rlc(&chain, 2, 3, 20).await;

    let hashes = chain.provider.get_filter_changes::<B256>(blocks).await.unwrap();
    let block1 = chain.provider.get_block(1.into()).await.unwrap().unwrap().header.hash;
    let block2 = chain.provider.get_block(2.into()).await.unwrap().unwrap().header.hash;
    assert_eq!(hashes, [block1, block2]);
    assert!(chain.provider.get_filter_changes::<B256>(blocks).await.unwrap().is_empty());

    let logs = chain.provider.get_filter_changes_dyn(from_one).await.unwrap();
    let logs = logs.as_logs().unwrap();
    assert_eq!(logs.len(), 1);
    assert_eq!(logs[0].transaction_hash, Some(first));
    assert!(chain.provider.get_filter_changes_dyn(from_one).await.unwrap().is_empty());
    // eth_getFilterLogs gives them all again (the filter's range is the latest block only).
    assert_eq!(chain.provider.get_filter_logs(from_one).await.unwrap().len(), 0);

    let hashes = chain.provider.get_filter_changes::<B256>(pending).await.unwrap();
    assert_eq!(hashes.len(), 2);
    assert_eq!(hashes[0], first);

    assert!(chain.provider.uninstall_filter(blocks).await.unwrap());
    assert!(!chain.provider.uninstall_filter(blocks).await.unwrap());
    let gone = chain.provider.get_filter_changes::<B256>(blocks).await.unwrap_err();
    assert!(gone.to_string().contains("filter not found"), "{gone}");
}

#[tokio::test]
async fn filters_follow_a_revert() {
    let chain = TestChain::start().await;
    let snapshot: U256 = chain.provider.raw_request("evm_snapshot".into(), ()).await.unwrap();
    chain.rpc("evm_mine", serde_json::json!([{ "blocks": 3 }])).await;
    let blocks = chain.provider.new_block_filter().await.unwrap();
    let _: bool = chain.provider.raw_request("evm_revert".into(), [snapshot]).await.unwrap();
    chain.rpc("evm_mine", serde_json::json!([])).await;
    let hashes = chain.provider.get_filter_changes::<B256>(blocks).await.unwrap();
    let block1 = chain.provider.get_block(1.into()).await.unwrap().unwrap().header.hash;
    assert_eq!(hashes, [block1], "the new block 1 after the revert");
}
