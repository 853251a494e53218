//! The protocol deployed at genesis, and hub reverts decoded into typed errors.

use alloy::{
    eips::BlockId,
    network::ReceiptResponse,
    primitives::{U256, address},
    providers::Provider,
};
use poco_contracts::{
    bindings::{IPoco, RLC},
    hub_error,
};
use poco_devchain::ONE_RLC;

use crate::common::TestChain;

#[tokio::test]
async fn protocol_is_deployed_at_genesis_at_fixed_addresses() {
    let chain = TestChain::start().await;
    let deployment = *chain.handle.deployment().expect("deployed by default");
    let deployer = chain.account(0);
    assert_eq!(deployment.chain_id, 31337);
    assert_eq!(deployment.owner, deployer);
    // The CREATE addresses of account 0's first nonces, in deploy_protocol's order.
    let expected = [
        deployment.rlc,
        deployment.app_registry,
        deployment.dataset_registry,
        deployment.workerpool_registry,
        deployment.views,
        deployment.module,
        deployment.hub,
    ];
    for (nonce, address) in expected.into_iter().enumerate() {
        assert_eq!(address, deployer.create(nonce as u64), "nonce {nonce}");
        assert!(
            !chain.provider.get_code_at(address).await.unwrap().is_empty(),
            "code at {address}"
        );
    }
    // The same on every devchain of the standard mnemonic.
    assert_eq!(deployment.rlc, address!("5FbDB2315678afecb367f032d93F642f64180aa3"));
    assert_eq!(deployment.hub, address!("0165878A594ca255338adfa4d48449f69242Eb8F"));

    let hub = IPoco::new(deployment.hub, &chain.provider);
    assert_eq!(hub.countCategory().call().await.unwrap(), U256::from(5));
    assert_eq!(hub.token().call().await.unwrap(), deployment.rlc);
    assert_eq!(hub.owner().call().await.unwrap(), deployer);

    let rlc = RLC::new(deployment.rlc, &chain.provider);
    let million = U256::from(1_000_000u64) * U256::from(ONE_RLC);
    for index in 1..10 {
        assert_eq!(rlc.balanceOf(chain.account(index)).call().await.unwrap(), million);
    }
    let supply = rlc.totalSupply().call().await.unwrap();
    assert_eq!(rlc.balanceOf(deployer).call().await.unwrap(), supply - million * U256::from(9));

    // The deployment is in block 0's transactions and receipts.
    let genesis = chain.provider.get_block(BlockId::number(0)).await.unwrap().unwrap();
    assert_eq!(genesis.transactions.len(), 16);
    let receipts = chain.provider.get_block_receipts(BlockId::number(0)).await.unwrap().unwrap();
    assert!(receipts.iter().all(ReceiptResponse::status));
    assert_eq!(receipts[6].contract_address, Some(deployment.hub));
    let cumulative: Vec<u64> = receipts.iter().map(|r| r.inner.cumulative_gas_used()).collect();
    assert!(cumulative.windows(2).all(|pair| pair[0] < pair[1]));
    assert_eq!(*cumulative.last().unwrap(), genesis.header.gas_used);
}

#[tokio::test]
async fn hub_reverts_decode_into_typed_errors() {
    let chain = TestChain::start().await;
    let deployment = *chain.handle.deployment().unwrap();
    let hub = IPoco::new(deployment.hub, &chain.provider);
    let account = chain.account(1);

    // eth_call: account 1 has nothing on the hub.
    let error = hub.withdraw(U256::from(5)).from(account).call().await.unwrap_err();
    match hub_error(&error) {
        Some(IPoco::IPocoErrors::ERC20InsufficientBalance(e)) => {
            assert_eq!((e.sender, e.balance, e.needed), (account, U256::ZERO, U256::from(5)));
        }
        other => panic!("expected ERC20InsufficientBalance, got {other:?} from {error}"),
    }

    // A transaction: the gas estimate reverts first, with the same error.
    let error =
        hub.createCategory("XXL".into(), "{}".into(), U256::from(1)).from(account).send().await;
    match error.map(|_| ()).map_err(|error| hub_error(&error)) {
        Err(Some(IPoco::IPocoErrors::OwnableUnauthorizedAccount(e))) => {
            assert_eq!(e.account, account)
        }
        other => panic!("expected OwnableUnauthorizedAccount, got {other:?}"),
    }

    // Mined anyway (fixed gas, no estimate): a receipt with status 0.
    let receipt = hub
        .withdraw(U256::from(5))
        .from(account)
        .gas(200_000)
        .send()
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap();
    assert!(!receipt.status());
    assert!(receipt.gas_used > 21_000 && receipt.gas_used < 200_000);
}

#[tokio::test]
async fn deposit_moves_rlc_into_the_hub() {
    let chain = TestChain::start().await;
    let deployment = *chain.handle.deployment().unwrap();
    let account = chain.account(2);
    let rlc = RLC::new(deployment.rlc, &chain.provider);
    let hub = IPoco::new(deployment.hub, &chain.provider);
    let amount = U256::from(100u64 * ONE_RLC);
    rlc.approve(deployment.hub, amount)
        .from(account)
        .send()
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap();
    let receipt =
        hub.deposit(amount).from(account).send().await.unwrap().get_receipt().await.unwrap();
    assert!(receipt.status());
    assert_eq!(hub.balanceOf(account).call().await.unwrap(), amount);
    assert_eq!(rlc.balanceOf(deployment.hub).call().await.unwrap(), amount);
}
