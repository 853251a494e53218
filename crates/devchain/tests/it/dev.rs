//! Dev methods: snapshots, time travel, mining on demand, balances.

use alloy::{
    eips::BlockId,
    network::TransactionBuilder,
    primitives::{Address, U256},
    providers::Provider,
    rpc::types::TransactionRequest,
};
use serde_json::json;

use crate::common::TestChain;

async fn latest_timestamp(chain: &TestChain) -> u64 {
    chain.provider.get_block(BlockId::latest()).await.unwrap().unwrap().header.timestamp
}

#[tokio::test]
async fn snapshot_and_revert() {
    let chain = TestChain::start().await;
    let snapshot: U256 = chain.provider.raw_request("evm_snapshot".into(), ()).await.unwrap();
    let to = Address::repeat_byte(0x99);
    let tx = TransactionRequest::default()
        .with_from(chain.account(1))
        .with_to(to)
        .with_value(U256::from(1_000));
    let receipt = chain.provider.send_transaction(tx).await.unwrap().get_receipt().await.unwrap();
    let inner: U256 = chain.provider.raw_request("evm_snapshot".into(), ()).await.unwrap();
    chain.provider.raw_request::<_, String>("evm_mine".into(), ()).await.unwrap();
    assert_eq!(chain.block_number().await, 2);
    assert_eq!(chain.provider.get_balance(to).await.unwrap(), U256::from(1_000));

    let reverted: bool = chain.provider.raw_request("evm_revert".into(), [snapshot]).await.unwrap();
    assert!(reverted);
    assert_eq!(chain.block_number().await, 0);
    assert_eq!(chain.provider.get_balance(to).await.unwrap(), U256::ZERO);
    assert!(
        chain.provider.get_transaction_receipt(receipt.transaction_hash).await.unwrap().is_none()
    );
    assert!(chain.provider.get_block(BlockId::number(1)).await.unwrap().is_none());
    assert_eq!(chain.provider.get_transaction_count(chain.account(1)).await.unwrap(), 0);

    // A snapshot is used up by its revert, and so are the later ones.
    for id in [snapshot, inner] {
        let again: bool = chain.provider.raw_request("evm_revert".into(), [id]).await.unwrap();
        assert!(!again);
    }

    // The chain goes on from there: the same nonce can be used again (the provider caches
    // nonces, so it is given).
    let tx = TransactionRequest::default()
        .with_nonce(0)
        .with_from(chain.account(1))
        .with_to(to)
        .with_value(U256::from(5));
    let receipt = chain.provider.send_transaction(tx).await.unwrap().get_receipt().await.unwrap();
    assert_eq!(receipt.block_number, Some(1));
    assert_eq!(chain.provider.get_balance(to).await.unwrap(), U256::from(5));
}

#[tokio::test]
async fn time_travel() {
    let chain = TestChain::start().await;
    let start = latest_timestamp(&chain).await;

    let offset: i64 = chain.provider.raw_request("evm_increaseTime".into(), [3_600]).await.unwrap();
    assert!(offset >= 3_600);
    chain.provider.raw_request::<_, String>("evm_mine".into(), ()).await.unwrap();
    let after = latest_timestamp(&chain).await;
    assert!(after >= start + 3_600, "{after} < {start} + 3600");

    let exact = after + 86_400;
    chain.provider.raw_request::<_, ()>("evm_setNextBlockTimestamp".into(), [exact]).await.unwrap();
    let tx = TransactionRequest::default().with_from(chain.account(1)).with_to(chain.account(2));
    let receipt = chain.provider.send_transaction(tx).await.unwrap().get_receipt().await.unwrap();
    let block = chain.provider.get_block(BlockId::number(receipt.block_number.unwrap())).await;
    assert_eq!(block.unwrap().unwrap().header.timestamp, exact);
    // Time goes on from there.
    chain.provider.raw_request::<_, String>("evm_mine".into(), ()).await.unwrap();
    let next = latest_timestamp(&chain).await;
    assert!((exact..exact + 5).contains(&next), "{next}");

    // Not into the past.
    let response = chain.rpc("evm_setNextBlockTimestamp", json!([start])).await;
    assert_eq!(response["error"]["code"], -32000, "{response}");
    let response = chain.rpc("evm_mine", json!([start])).await;
    assert_eq!(response["error"]["code"], -32000, "{response}");

    // evm_mine with a timestamp.
    chain.rpc("evm_mine", json!([next + 1_000])).await;
    assert_eq!(latest_timestamp(&chain).await, next + 1_000);
}

#[tokio::test]
async fn mine_many_blocks() {
    let chain = TestChain::start().await;
    chain.rpc("evm_mine", json!([{ "blocks": 3 }])).await;
    assert_eq!(chain.block_number().await, 3);
    chain.rpc("anvil_mine", json!(["0x2"])).await;
    assert_eq!(chain.block_number().await, 5);
    let before = latest_timestamp(&chain).await;
    chain.rpc("anvil_mine", json!([2, 100])).await;
    assert_eq!(chain.block_number().await, 7);
    assert!(latest_timestamp(&chain).await >= before + 200);
}

#[tokio::test]
async fn set_balance_nonce_code_and_storage() {
    let chain = TestChain::start().await;
    let who = Address::repeat_byte(0x31);
    for (method, amount) in [("anvil_setBalance", 1_000u64), ("hardhat_setBalance", 2_000)] {
        let response = chain.rpc(method, json!([who, format!("{amount:#x}")])).await;
        assert!(response.get("error").is_none(), "{response}");
        assert_eq!(chain.provider.get_balance(who).await.unwrap(), U256::from(amount));
    }
    chain.rpc("anvil_setNonce", json!([who, "0x7"])).await;
    assert_eq!(chain.provider.get_transaction_count(who).await.unwrap(), 7);
    // PUSH1 0x2a PUSH1 0 MSTORE PUSH1 32 PUSH1 0 RETURN: returns 42.
    chain.rpc("anvil_setCode", json!([who, "0x602a60005260206000f3"])).await;
    let output = chain.provider.call(TransactionRequest::default().with_to(who)).await.unwrap();
    assert_eq!(U256::from_be_slice(&output), U256::from(42));
    let slot = format!("0x{}", "00".repeat(31) + "01");
    chain.rpc("anvil_setStorageAt", json!([who, "0x5", slot])).await;
    let value = chain.provider.get_storage_at(who, U256::from(5)).await.unwrap();
    assert_eq!(value, U256::from(1));
}
