//! `eth_getLogs`: address, topics (positions, alternatives, wildcards), block ranges, block hash.

use alloy::{
    eips::BlockNumberOrTag,
    primitives::{Address, B256, U256},
    providers::Provider,
    rpc::types::Filter,
    sol_types::SolEvent,
};
use poco_contracts::bindings::{IPoco, RLC};
use serde_json::json;

use crate::common::TestChain;

/// Three RLC transfers in blocks 1, 2 and 3: account 1 → 2, 2 → 3, 1 → 3.
async fn transfers(chain: &TestChain) -> RLC::RLCInstance<alloy::providers::DynProvider> {
    let deployment = *chain.handle.deployment().unwrap();
    let rlc = RLC::new(deployment.rlc, chain.provider.clone());
    for (from, to, amount) in [(1, 2, 10u64), (2, 3, 20), (1, 3, 30)] {
        let receipt = rlc
            .transfer(chain.account(to), U256::from(amount))
            .from(chain.account(from))
            .send()
            .await
            .unwrap()
            .get_receipt()
            .await
            .unwrap();
        assert!(receipt.status());
    }
    rlc
}

fn topic(address: Address) -> B256 {
    address.into_word()
}

#[tokio::test]
async fn filters_by_address_topics_and_range() {
    let chain = TestChain::start().await;
    let rlc = transfers(&chain).await;
    let base = Filter::new().address(*rlc.address()).event_signature(RLC::Transfer::SIGNATURE_HASH);

    // Genesis holds the mint and the nine distributions; blocks 1 to 3 one transfer each.
    let all = chain.provider.get_logs(&base.clone().from_block(0)).await.unwrap();
    assert_eq!(all.len(), 1 + 9 + 3, "{all:#?}");
    let latest_only = chain.provider.get_logs(&base).await.unwrap();
    assert_eq!(latest_only.len(), 1, "the default range is the latest block");
    assert_eq!(latest_only[0].block_number, Some(3));

    let range = base.clone().from_block(1).to_block(3);
    let logs = chain.provider.get_logs(&range).await.unwrap();
    assert_eq!(logs.iter().map(|log| log.block_number.unwrap()).collect::<Vec<_>>(), [1, 2, 3]);
    for log in &logs {
        assert_eq!((log.transaction_index, log.log_index), (Some(0), Some(0)));
        let receipt =
            chain.provider.get_transaction_receipt(log.transaction_hash.unwrap()).await.unwrap();
        assert_eq!(receipt.unwrap().block_hash, log.block_hash);
    }
    let decoded: Vec<_> = logs
        .iter()
        .map(|log| log.log_decode::<RLC::Transfer>().unwrap().inner.data.clone())
        .collect();
    assert_eq!(decoded[1].from, chain.account(2));
    assert_eq!(decoded[2].value, U256::from(30));

    // topic1 = from account 1.
    let from_one = range.clone().topic1(topic(chain.account(1)));
    let logs = chain.provider.get_logs(&from_one).await.unwrap();
    assert_eq!(logs.iter().map(|log| log.block_number.unwrap()).collect::<Vec<_>>(), [1, 3]);

    // topic2 = to account 2 or 3, topic1 a wildcard.
    let to_either = range.clone().topic2(vec![topic(chain.account(2)), topic(chain.account(3))]);
    assert_eq!(chain.provider.get_logs(&to_either).await.unwrap().len(), 3);
    let to_three = range.clone().topic2(topic(chain.account(3)));
    assert_eq!(chain.provider.get_logs(&to_three).await.unwrap().len(), 2);
    let no_match = range.clone().topic1(topic(chain.account(9)));
    assert!(chain.provider.get_logs(&no_match).await.unwrap().is_empty());

    // Several addresses; an address with no logs.
    let deployment = *chain.handle.deployment().unwrap();
    let two = Filter::new().from_block(0).address(vec![*rlc.address(), deployment.hub]);
    let both = chain.provider.get_logs(&two).await.unwrap();
    assert!(both.iter().any(|log| log.address() == deployment.hub));
    assert!(both.iter().any(|log| log.address() == *rlc.address()));
    let nobody = Filter::new().from_block(0).address(Address::repeat_byte(0x01));
    assert!(chain.provider.get_logs(&nobody).await.unwrap().is_empty());

    // Past the head: clamped to it; starting after it: refused (see `anvil_parity`).
    let past_head = base.clone().from_block(3).to_block(200);
    assert_eq!(chain.provider.get_logs(&past_head).await.unwrap().len(), 1);
}

#[tokio::test]
async fn filters_by_block_hash() {
    let chain = TestChain::start().await;
    transfers(&chain).await;
    let block = chain.provider.get_block(2.into()).await.unwrap().unwrap();
    let logs =
        chain.provider.get_logs(&Filter::new().at_block_hash(block.header.hash)).await.unwrap();
    assert_eq!(logs.len(), 1);
    assert_eq!(logs[0].block_hash, Some(block.header.hash));
    assert!(
        block
            .header
            .logs_bloom
            .contains_input(alloy::primitives::BloomInput::Raw(logs[0].address().as_slice()))
    );

    let unknown = chain.rpc("eth_getLogs", json!([{ "blockHash": B256::repeat_byte(0xab) }])).await;
    assert_eq!(unknown["error"]["code"], -32000, "{unknown}");
}

#[tokio::test]
async fn genesis_logs_have_block_wide_indexes() {
    let chain = TestChain::start().await;
    let deployment = *chain.handle.deployment().unwrap();
    let filter = Filter::new().from_block(BlockNumberOrTag::Earliest).to_block(0);
    let logs = chain.provider.get_logs(&filter).await.unwrap();
    let indexes: Vec<u64> = logs.iter().map(|log| log.log_index.unwrap()).collect();
    assert_eq!(indexes, (0..logs.len() as u64).collect::<Vec<_>>());
    let categories = logs
        .iter()
        .filter(|log| log.topic0() == Some(&IPoco::CreateCategory::SIGNATURE_HASH))
        .count();
    assert_eq!(categories, 5);
    assert!(logs.iter().all(|log| log.block_number == Some(0)));
    let hub_tx = logs.iter().find(|log| log.address() == deployment.hub).unwrap();
    assert_eq!(hub_tx.transaction_index, Some(6));
}

#[tokio::test]
async fn inverted_range_is_an_error() {
    let chain = TestChain::start().await;
    chain.rpc("evm_mine", json!([{ "blocks": 3 }])).await;
    let response =
        chain.rpc("eth_getLogs", json!([{ "fromBlock": "0x3", "toBlock": "0x1" }])).await;
    assert_eq!(response["error"]["code"], -32000, "{response}");
}
