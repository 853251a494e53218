//! The node seen by alloy: chain id, accounts, transfers, blocks, deployments, fees.

use alloy::{
    consensus::Transaction as _,
    eips::{BlockId, BlockNumberOrTag},
    network::TransactionBuilder,
    primitives::{Address, U256, address, utils::parse_ether},
    providers::Provider,
    rpc::types::{AccessList, AccessListItem, TransactionRequest},
};
use poco_contracts::bindings::RLC;

use crate::common::TestChain;

#[tokio::test]
async fn chain_id_version_and_accounts() {
    let chain = TestChain::start().await;
    assert_eq!(chain.provider.get_chain_id().await.unwrap(), 31337);
    assert_eq!(chain.handle.chain_id(), 31337);
    let version = chain.provider.get_client_version().await.unwrap();
    assert!(version.starts_with("poco-devchain/"), "{version}");
    assert_eq!(chain.provider.get_net_version().await.unwrap(), 31337);

    let accounts = chain.provider.get_accounts().await.unwrap();
    assert_eq!(accounts.len(), 10);
    assert_eq!(accounts[0], address!("f39Fd6e51aad88F6F4ce6aB8827279cffFb92266"));
    assert_eq!(accounts[9], address!("a0Ee7A142d267C1f36714E4a8F75612F20a79720"));
}

#[tokio::test]
async fn dev_accounts_are_funded() {
    let chain = TestChain::start().await;
    let ten_thousand = parse_ether("10000").unwrap();
    for index in 1..10 {
        let balance = chain.provider.get_balance(chain.account(index)).await.unwrap();
        assert_eq!(balance, ten_thousand, "account {index}");
        assert_eq!(chain.provider.get_transaction_count(chain.account(index)).await.unwrap(), 0);
    }
    // Account 0 deployed the protocol (7 contracts) and sent RLC to the 9 others in block 0.
    let deployer = chain.account(0);
    assert_eq!(chain.provider.get_transaction_count(deployer).await.unwrap(), 16);
    assert!(chain.provider.get_balance(deployer).await.unwrap() < ten_thousand);
    assert_eq!(chain.block_number().await, 0);
}

#[tokio::test]
async fn config_changes_chain_id_and_accounts() {
    let config = poco_devchain::DevChainConfig::test()
        .with_chain_id(65_535)
        .with_accounts(3)
        .with_protocol(false)
        .with_balance(U256::from(1_000u64));
    let chain = TestChain::start_with(config).await;
    assert_eq!(chain.provider.get_chain_id().await.unwrap(), 65_535);
    assert_eq!(chain.provider.get_accounts().await.unwrap().len(), 3);
    assert_eq!(chain.provider.get_balance(chain.account(0)).await.unwrap(), U256::from(1_000u64));
    assert!(chain.handle.deployment().is_none());
    let genesis = chain.provider.get_block(BlockId::number(0)).await.unwrap().unwrap();
    assert!(genesis.transactions.is_empty());
}

#[tokio::test]
async fn transfer_is_mined_with_a_receipt() {
    let chain = TestChain::start().await;
    let (from, to) = (chain.account(1), address!("000000000000000000000000000000000000dEaD"));
    let value = parse_ether("1.5").unwrap();
    let before = chain.provider.get_balance(from).await.unwrap();
    let tx = TransactionRequest::default().with_from(from).with_to(to).with_value(value);
    let receipt = chain.provider.send_transaction(tx).await.unwrap().get_receipt().await.unwrap();

    assert!(receipt.status());
    assert_eq!(receipt.block_number, Some(1));
    assert_eq!(receipt.transaction_index, Some(0));
    assert_eq!(receipt.gas_used, 21_000);
    assert_eq!(receipt.inner.cumulative_gas_used(), 21_000);
    assert_eq!((receipt.from, receipt.to), (from, Some(to)));
    assert!(receipt.contract_address.is_none());
    assert!(receipt.inner.logs().is_empty());
    assert_eq!(chain.provider.get_balance(to).await.unwrap(), value);
    let fee = U256::from(receipt.gas_used) * U256::from(receipt.effective_gas_price);
    assert_eq!(chain.provider.get_balance(from).await.unwrap(), before - value - fee);
    assert_eq!(chain.provider.get_transaction_count(from).await.unwrap(), 1);

    // The transaction and its block.
    let tx =
        chain.provider.get_transaction_by_hash(receipt.transaction_hash).await.unwrap().unwrap();
    assert_eq!(tx.block_number, Some(1));
    assert_eq!(tx.block_hash, receipt.block_hash);
    assert_eq!(tx.inner.signer(), from);
    assert_eq!(tx.inner.value(), value);
    let block = chain.provider.get_block(BlockId::number(1)).full().await.unwrap().unwrap();
    assert_eq!(Some(block.header.hash), receipt.block_hash);
    assert_eq!(block.transactions.len(), 1);
    assert_eq!(
        block.transactions.txns().next().unwrap().inner.tx_hash(),
        &receipt.transaction_hash
    );
    assert_eq!(block.header.gas_used, 21_000);
    let genesis = chain.provider.get_block(BlockId::number(0)).await.unwrap().unwrap();
    assert_eq!(block.header.parent_hash, genesis.header.hash);
    let by_hash = chain.provider.get_block_by_hash(block.header.hash).await.unwrap().unwrap();
    assert_eq!(by_hash.header.number, 1);
    assert!(by_hash.transactions.is_hashes());
}

#[tokio::test]
async fn blocks_chain_by_hash_and_the_base_fee_follows_eip1559() {
    let chain = TestChain::start().await;
    for index in 0..4 {
        let tx = TransactionRequest::default()
            .with_from(chain.account(2))
            .with_to(chain.account(3))
            .with_value(U256::from(index + 1));
        chain.provider.send_transaction(tx).await.unwrap().get_receipt().await.unwrap();
    }
    assert_eq!(chain.block_number().await, 4);
    let mut parent = chain.provider.get_block(BlockId::number(0)).await.unwrap().unwrap();
    for number in 1..=4 {
        let block = chain.provider.get_block(BlockId::number(number)).await.unwrap().unwrap();
        assert_eq!(block.header.parent_hash, parent.header.hash, "block {number}");
        assert!(block.header.timestamp >= parent.header.timestamp);
        let expected = parent
            .header
            .next_block_base_fee(alloy::eips::eip1559::BaseFeeParams::ethereum())
            .unwrap();
        assert_eq!(block.header.base_fee_per_gas, Some(expected), "block {number}");
        assert_ne!(block.header.state_root, parent.header.state_root);
        parent = block;
    }
    let latest = chain.provider.get_block(BlockId::latest()).await.unwrap().unwrap();
    assert_eq!(latest.header.number, 4);
    assert!(chain.provider.get_block(BlockId::number(5)).await.unwrap().is_none());
}

#[tokio::test]
async fn legacy_and_access_list_transactions() {
    let chain = TestChain::start().await;
    let gas_price = chain.provider.get_gas_price().await.unwrap();
    let legacy = TransactionRequest::default()
        .with_from(chain.account(4))
        .with_to(chain.account(5))
        .with_value(U256::from(7))
        .with_gas_price(gas_price);
    let receipt =
        chain.provider.send_transaction(legacy).await.unwrap().get_receipt().await.unwrap();
    assert!(receipt.status());
    assert_eq!(receipt.inner.tx_type(), alloy::consensus::TxType::Legacy);
    let tx =
        chain.provider.get_transaction_by_hash(receipt.transaction_hash).await.unwrap().unwrap();
    assert_eq!(tx.inner.chain_id(), Some(31337), "EIP-155");

    let access_list = AccessList(vec![AccessListItem {
        address: chain.account(5),
        storage_keys: vec![Default::default()],
    }]);
    let eip2930 = TransactionRequest::default()
        .with_from(chain.account(4))
        .with_to(chain.account(5))
        .with_gas_price(gas_price)
        .with_access_list(access_list);
    let receipt =
        chain.provider.send_transaction(eip2930).await.unwrap().get_receipt().await.unwrap();
    assert!(receipt.status());
    assert_eq!(receipt.inner.tx_type(), alloy::consensus::TxType::Eip2930);
    assert_eq!(receipt.gas_used, 21_000 + 2_400 + 1_900);
}

#[tokio::test]
async fn deploy_then_call_and_transact() {
    let chain = TestChain::start().await;
    let rlc = RLC::deploy(&chain.provider).await.unwrap();
    let deployer = chain.account(0);
    let code = chain.provider.get_code_at(*rlc.address()).await.unwrap();
    assert!(!code.is_empty());
    assert_eq!(*rlc.address(), deployer.create(16), "CREATE address of the deployer's nonce");

    let supply = rlc.totalSupply().call().await.unwrap();
    assert_eq!(rlc.balanceOf(deployer).call().await.unwrap(), supply);
    assert_eq!(rlc.decimals().call().await.unwrap(), 9);

    let to = chain.account(6);
    let receipt =
        rlc.transfer(to, U256::from(1_000)).send().await.unwrap().get_receipt().await.unwrap();
    assert!(receipt.status());
    assert_eq!(rlc.balanceOf(to).call().await.unwrap(), U256::from(1_000));
    let logs = receipt.inner.logs();
    assert_eq!(logs.len(), 1);
    let transfer = logs[0].log_decode::<RLC::Transfer>().unwrap();
    assert_eq!((transfer.inner.from, transfer.inner.to), (deployer, to));
    assert_eq!(logs[0].block_number, receipt.block_number);
    assert_eq!(logs[0].log_index, Some(0));
    assert_eq!(logs[0].transaction_hash, Some(receipt.transaction_hash));

    // Storage reads: the balance mapping changed, so some slot of the token is non-zero.
    let at_head = chain.provider.get_storage_at(*rlc.address(), U256::ZERO).await.unwrap();
    let _ = at_head;
    // A call at an older block sees the older state.
    let before = rlc
        .balanceOf(to)
        .block(BlockId::number(receipt.block_number.unwrap() - 1))
        .call()
        .await
        .unwrap();
    assert_eq!(before, U256::ZERO);
}

#[tokio::test]
async fn gas_estimates_and_fees() {
    let chain = TestChain::start().await;
    let transfer = TransactionRequest::default()
        .with_from(chain.account(1))
        .with_to(chain.account(2))
        .with_value(U256::from(1));
    assert_eq!(chain.provider.estimate_gas(transfer).await.unwrap(), 21_000);

    let deployment = *chain.handle.deployment().unwrap();
    let rlc = RLC::new(deployment.rlc, &chain.provider);
    let call = rlc.transfer(chain.account(3), U256::from(5)).from(chain.account(1));
    let estimate = call.estimate_gas().await.unwrap();
    let receipt = call.gas(estimate).send().await.unwrap().get_receipt().await.unwrap();
    assert!(receipt.status(), "the estimate is enough");
    assert!(receipt.gas_used <= estimate && estimate < receipt.gas_used * 11 / 10);

    let base_fee = chain.provider.get_block(BlockId::latest()).await.unwrap().unwrap();
    let base_fee = base_fee.header.base_fee_per_gas.unwrap();
    let gas_price = chain.provider.get_gas_price().await.unwrap();
    assert!(gas_price > u128::from(base_fee) / 2);
    assert_eq!(chain.provider.get_max_priority_fee_per_gas().await.unwrap(), 1_000_000_000);
    let fees = chain.provider.estimate_eip1559_fees().await.unwrap();
    assert!(fees.max_fee_per_gas >= fees.max_priority_fee_per_gas);

    let history =
        chain.provider.get_fee_history(3, BlockNumberOrTag::Latest, &[25.0, 75.0]).await.unwrap();
    assert_eq!(history.oldest_block, 0);
    assert_eq!(history.base_fee_per_gas.len(), 3);
    assert_eq!(history.gas_used_ratio.len(), 2);
    assert_eq!(history.reward.as_ref().unwrap().len(), 2);
    assert!(history.gas_used_ratio.iter().all(|ratio| (0.0..=1.0).contains(ratio)));
}

#[tokio::test]
async fn unknown_things_are_null() {
    let chain = TestChain::start().await;
    let hash = alloy::primitives::B256::repeat_byte(0x11);
    assert!(chain.provider.get_transaction_by_hash(hash).await.unwrap().is_none());
    assert!(chain.provider.get_transaction_receipt(hash).await.unwrap().is_none());
    assert!(chain.provider.get_block_by_hash(hash).await.unwrap().is_none());
    let nobody = Address::repeat_byte(0x42);
    assert_eq!(chain.provider.get_balance(nobody).await.unwrap(), U256::ZERO);
    assert!(chain.provider.get_code_at(nobody).await.unwrap().is_empty());
}

#[tokio::test]
async fn shutdown_stops_the_server() {
    let chain = TestChain::start().await;
    let url = chain.url.clone();
    chain.handle.shutdown().await.unwrap();
    let refused = alloy::transports::http::reqwest::Client::new().post(url).body("{}").send().await;
    assert!(refused.is_err());
}
