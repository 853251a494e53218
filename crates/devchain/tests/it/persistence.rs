//! A data folder: stop, restart on it, find the same chain (head, balances, code, logs).

use alloy::{
    eips::BlockId,
    network::TransactionBuilder,
    primitives::{Address, U256},
    providers::Provider,
    rpc::types::{Filter, TransactionRequest},
};
use poco_contracts::bindings::RLC;
use poco_devchain::{DevChainConfig, Error, spawn};
use serde_json::json;

use crate::common::TestChain;

#[tokio::test]
async fn restart_on_the_same_data_folder() {
    let dir = tempfile::tempdir().unwrap();
    let config = DevChainConfig::test().with_data_dir(dir.path());
    let chain = TestChain::start_with(config.clone()).await;
    let rlc_address = chain.handle.deployment().unwrap().rlc;
    let rlc = RLC::new(rlc_address, &chain.provider);
    let receiver = Address::repeat_byte(0x44);

    let tx = TransactionRequest::default()
        .with_from(chain.account(1))
        .with_to(receiver)
        .with_value(U256::from(5));
    chain.provider.send_transaction(tx).await.unwrap().get_receipt().await.unwrap();
    rlc.transfer(receiver, U256::from(77))
        .from(chain.account(2))
        .send()
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap();
    let token = RLC::deploy(&chain.provider).await.unwrap();
    chain.rpc("anvil_setBalance", json!([Address::repeat_byte(0x45), "0x99"])).await;
    // A reverted branch must stay reverted.
    let snapshot: U256 = chain.provider.raw_request("evm_snapshot".into(), ()).await.unwrap();
    rlc.transfer(receiver, U256::from(1_000))
        .from(chain.account(3))
        .send()
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap();
    let _: bool = chain.provider.raw_request("evm_revert".into(), [snapshot]).await.unwrap();
    chain.rpc("evm_increaseTime", json!([86_400])).await;
    chain.rpc("evm_mine", json!([])).await;

    let head = chain.provider.get_block(BlockId::latest()).await.unwrap().unwrap();
    let logs =
        chain.provider.get_logs(&Filter::new().from_block(0).address(rlc_address)).await.unwrap();
    let token = *token.address();
    let code = chain.provider.get_code_at(token).await.unwrap();
    let hub = chain.handle.deployment().unwrap().hub;
    chain.handle.shutdown().await.unwrap();

    let again = TestChain::start_with(config.clone()).await;
    let restarted = again.provider.get_block(BlockId::latest()).await.unwrap().unwrap();
    assert_eq!(restarted.header.hash, head.header.hash);
    assert_eq!(restarted.header.number, head.header.number);
    assert_eq!(again.provider.get_balance(receiver).await.unwrap(), U256::from(5));
    assert_eq!(
        again.provider.get_balance(Address::repeat_byte(0x45)).await.unwrap(),
        U256::from(0x99)
    );
    let rlc = RLC::new(rlc_address, &again.provider);
    assert_eq!(rlc.balanceOf(receiver).call().await.unwrap(), U256::from(77));
    assert_eq!(again.provider.get_code_at(token).await.unwrap(), code);
    assert_eq!(again.handle.deployment().unwrap().hub, hub);
    let logs_again =
        again.provider.get_logs(&Filter::new().from_block(0).address(rlc_address)).await.unwrap();
    assert_eq!(logs_again, logs);
    assert_eq!(
        again.handle.deployment(),
        Some(&poco_contracts::Deployment { ..*again.handle.deployment().unwrap() })
    );

    // The chain goes on: nonces, time.
    let tx = TransactionRequest::default()
        .with_from(again.account(1))
        .with_to(receiver)
        .with_value(U256::from(1));
    let receipt = again.provider.send_transaction(tx).await.unwrap().get_receipt().await.unwrap();
    assert_eq!(receipt.block_number, Some(head.header.number + 1));
    let next = again.provider.get_block(BlockId::latest()).await.unwrap().unwrap();
    assert!(next.header.timestamp >= head.header.timestamp);
    assert_eq!(next.header.parent_hash, head.header.hash);
    again.handle.shutdown().await.unwrap();

    // Another chain cannot open this folder.
    let foreign = spawn(config.with_chain_id(1_234)).await.unwrap_err();
    assert!(matches!(foreign, Error::ForeignDataDir { .. }), "{foreign}");
}
