//! Mining modes: interval mining, automine switched off and on, several transactions a block.

use std::time::Duration;

use alloy::{
    eips::{BlockId, BlockNumberOrTag},
    primitives::{Address, B256, U256},
    providers::Provider,
};
use poco_devchain::DevChainConfig;
use serde_json::json;

use crate::common::TestChain;

async fn send(chain: &TestChain, from: usize) -> B256 {
    let request =
        json!([{ "from": chain.account(from), "to": Address::repeat_byte(0x61), "value": "0x1" }]);
    let response = chain.rpc("eth_sendTransaction", request).await;
    serde_json::from_value(response["result"].clone()).unwrap_or_else(|_| panic!("{response}"))
}

#[tokio::test]
async fn interval_mining_mines_blocks_on_its_own() {
    let config = DevChainConfig::test().with_block_time(Some(Duration::from_millis(100)));
    let chain = TestChain::start_with(config).await;
    let automine: bool = chain.provider.raw_request("anvil_getAutomine".into(), ()).await.unwrap();
    assert!(!automine);
    let hash = send(&chain, 1).await;
    let receipt = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            if let Some(receipt) = chain.provider.get_transaction_receipt(hash).await.unwrap() {
                return receipt;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("mined within 10 s");
    assert!(receipt.status());
    // Empty blocks keep coming.
    let number = receipt.block_number.unwrap();
    tokio::time::timeout(Duration::from_secs(10), async {
        while chain.block_number().await < number + 2 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("more blocks within 10 s");
    chain.handle.shutdown().await.unwrap();
}

#[tokio::test]
async fn without_automine_transactions_wait_for_a_block() {
    let chain = TestChain::start().await;
    chain.rpc("evm_setAutomine", json!([false])).await;
    let hashes = [send(&chain, 1).await, send(&chain, 2).await, send(&chain, 1).await];
    assert_eq!(chain.block_number().await, 0);
    let pending = chain.provider.get_transaction_by_hash(hashes[2]).await.unwrap().unwrap();
    assert_eq!(pending.block_number, None);
    let count = chain
        .provider
        .get_transaction_count(chain.account(1))
        .block_id(BlockId::Number(BlockNumberOrTag::Pending))
        .await
        .unwrap();
    assert_eq!(count, 2, "the pending nonce counts the queued transactions");
    assert_eq!(chain.provider.get_transaction_count(chain.account(1)).await.unwrap(), 0);

    chain.rpc("evm_mine", json!([])).await;
    assert_eq!(chain.block_number().await, 1);
    let block = chain.provider.get_block(BlockId::number(1)).await.unwrap().unwrap();
    assert_eq!(block.transactions.hashes().collect::<Vec<_>>(), hashes);
    let receipts = chain.provider.get_block_receipts(BlockId::number(1)).await.unwrap().unwrap();
    let cumulative: Vec<u64> = receipts.iter().map(|r| r.inner.cumulative_gas_used()).collect();
    assert_eq!(cumulative, [21_000, 42_000, 63_000]);
    assert_eq!(receipts[2].transaction_index, Some(2));
    assert_eq!(
        chain.provider.get_balance(Address::repeat_byte(0x61)).await.unwrap(),
        U256::from(3)
    );

    // Turning automine back on mines what waits.
    let hash = send(&chain, 3).await;
    chain.rpc("evm_setAutomine", json!([true])).await;
    assert_eq!(chain.block_number().await, 2);
    assert!(chain.provider.get_transaction_receipt(hash).await.unwrap().is_some());
}
