//! The transaction manager: concurrent sends, typed reverts, fees, dropped connections.

use crate::{
    Node, OrPanic, config, connect, fresh_address, manager,
    proxy::{Proxy, socket_of},
};
use alloy::{
    network::TransactionBuilder,
    primitives::{U256, address},
    providers::Provider,
    rpc::types::TransactionRequest,
};
use poco_chain::{ChainClient, FeeStrategy, Fees, Revert, TxConfig, TxError, TxManager};
use poco_contracts::{
    DeployOptions,
    bindings::IPoco::{self, IPocoErrors},
    deploy_protocol,
};
use std::collections::BTreeSet;
use tokio::task::JoinSet;

async fn fifty_concurrent_sends_from_one_signer_all_land_without_gap(node: &Node) {
    node.unstick_anvil_automine();
    let client = connect(node).await;
    let manager = manager(&client, node, 1);
    let first = client.pending_nonce(manager.address()).await.or_panic("nonce");

    let mut sends = JoinSet::new();
    for i in 0..50u64 {
        let manager = manager.clone();
        sends.spawn(async move {
            let request = TransactionRequest::default()
                .with_to(fresh_address(i as u8 + 1))
                .with_value(U256::from(i + 1));
            manager.send(request).await
        });
    }
    let landed: Vec<_> = sends.join_all().await.into_iter().map(|r| r.or_panic("send")).collect();

    let nonces: BTreeSet<u64> = landed.iter().map(|landed| landed.nonce).collect();
    assert_eq!(nonces.len(), 50, "duplicate nonces");
    assert_eq!(nonces, (first..first + 50).collect(), "nonce gap");
    let hashes: BTreeSet<_> = landed.iter().map(|landed| landed.hash).collect();
    assert_eq!(hashes.len(), 50);
    assert!(landed.iter().all(|landed| landed.receipt.status()));
    assert_eq!(client.latest_nonce(manager.address()).await.or_panic("nonce"), first + 50);
    for i in 0..50u64 {
        let balance = client.balance(fresh_address(i as u8 + 1)).await.or_panic("balance");
        assert_eq!(balance, U256::from(i + 1));
    }
}

async fn reverts_are_typed_at_estimate_and_in_the_receipt(node: &Node) {
    let deployment =
        deploy_protocol(&node.provider(0), DeployOptions::default()).await.or_panic("deploying");
    let client = connect(node).await;
    // Account 1 does not own the protocol: createCategory is refused.
    let manager = manager(&client, node, 1);
    let call = IPoco::createCategoryCall { _0: "XXL".into(), _1: "{}".into(), _2: U256::from(100) };
    let unauthorized = |revert: Option<&Revert>| match revert {
        Some(Revert::Hub(IPocoErrors::OwnableUnauthorizedAccount(error))) => {
            error.account == manager.address()
        }
        _ => false,
    };

    let error = manager.send_call(deployment.hub, &call).await.unwrap_err();
    assert!(matches!(error, TxError::EstimateReverted { .. }), "{error:?}");
    assert!(unauthorized(error.revert()), "{error:?}");
    assert_eq!(client.latest_nonce(manager.address()).await.unwrap(), 0, "nothing was sent");

    // With a gas limit given there is no estimate: the transaction is mined and reverts.
    let request = client
        .hub(deployment.hub)
        .createCategory("XXL".into(), "{}".into(), U256::from(100))
        .into_transaction_request()
        .with_gas_limit(300_000);
    let error = manager.send(request).await.unwrap_err();
    let TxError::Reverted { nonce, gas_used, .. } = &error else { panic!("{error:?}") };
    assert_eq!(*nonce, 0);
    assert!(*gas_used > 0);
    assert!(unauthorized(error.revert()), "{error:?}");

    // The nonce was consumed by the reverted transaction: the next one follows it.
    let landed = manager
        .send(TransactionRequest::default().with_to(fresh_address(9)).with_value(U256::from(1)))
        .await
        .or_panic("send after the revert");
    assert_eq!(landed.nonce, 1);
}

async fn refused_transactions_release_their_nonce(node: &Node) {
    let client = connect(node).await;
    let manager = manager(&client, node, 2);
    // More ether than the account has, with a gas limit so the node (not the estimate) refuses.
    let too_much = TransactionRequest::default()
        .with_to(fresh_address(1))
        .with_value(U256::MAX >> 8)
        .with_gas_limit(21_000);
    let error = manager.send(too_much).await.unwrap_err();
    let TxError::Rejected { nonce, .. } = error else { panic!("{error:?}") };
    assert_eq!(nonce, 0);
    let landed = manager
        .send(TransactionRequest::default().with_to(fresh_address(1)).with_value(U256::from(1)))
        .await
        .or_panic("send after a refusal");
    assert_eq!(landed.nonce, 0, "the released nonce is reused: no gap");
}

async fn fees_follow_the_strategy(node: &Node) {
    let client = connect(node).await;
    let key = node.keys()[0].clone();
    let auto = TxManager::new(client.clone(), key.clone(), TxConfig::default());
    let Fees::Eip1559 { max_fee_per_gas, max_priority_fee_per_gas } =
        auto.fees().await.or_panic("fees")
    else {
        panic!("the chain has a base fee: EIP-1559 expected")
    };
    let base_fee = client
        .provider()
        .get_block_by_number(alloy::eips::BlockNumberOrTag::Latest)
        .await
        .unwrap()
        .unwrap()
        .header
        .base_fee_per_gas
        .unwrap();
    assert!(max_priority_fee_per_gas >= TxConfig::default().min_priority_fee);
    assert!(max_fee_per_gas >= u128::from(base_fee) + max_priority_fee_per_gas);

    let legacy = TxManager::new(
        client.clone(),
        key,
        TxConfig { fee_strategy: FeeStrategy::Legacy, ..TxConfig::default() },
    );
    assert!(
        matches!(legacy.fees().await.or_panic("fees"), Fees::Legacy { gas_price } if gas_price > 0)
    );
    let landed = legacy
        .send(TransactionRequest::default().with_to(fresh_address(3)).with_value(U256::from(1)))
        .await
        .or_panic("legacy send");
    let tx = client.provider().get_transaction_by_hash(landed.hash).await.unwrap().unwrap();
    assert_eq!(alloy::consensus::Typed2718::ty(&tx), 0, "a legacy transaction");
}

async fn sends_survive_dropped_connections(node: &Node) {
    let proxy = Proxy::start("127.0.0.1:0".parse().unwrap(), socket_of(node.endpoint()), 0).await;
    let client =
        ChainClient::connect(config(&proxy.url(), node.chain_id())).await.or_panic("connect");
    let manager = manager(&client, node, 3);
    for i in 0..5u64 {
        proxy.sever_and_drop_next(2);
        let landed = manager
            .send(
                TransactionRequest::default()
                    .with_to(address!("0x00000000000000000000000000000000000000aa"))
                    .with_value(U256::from(1)),
            )
            .await
            .or_panic("send through a flaky link");
        assert_eq!(landed.nonce, i);
    }
    assert_eq!(client.latest_nonce(manager.address()).await.unwrap(), 5);
}

async fn a_refused_nonce_below_sent_ones_is_filled(node: &Node) {
    let client = connect(node).await;
    let manager = manager(&client, node, 4);
    let transfer = |value: U256| {
        // Gas and fees given: nothing to await before the nonce is allocated.
        TransactionRequest::default()
            .with_to(fresh_address(5))
            .with_value(value)
            .with_gas_limit(21_000)
            .with_max_fee_per_gas(100_000_000_000)
            .with_max_priority_fee_per_gas(1_000_000_000)
    };
    let first = manager.send(transfer(U256::from(1))).await.or_panic("first send");
    assert_eq!(first.nonce, 0);

    // Polled in order: the refused one takes nonce 1, the good one nonce 2 and waits behind it.
    let (refused, queued) = tokio::join!(
        manager.submit(transfer(U256::MAX >> 8)),
        manager.submit(transfer(U256::from(2)))
    );
    assert!(matches!(refused, Err(TxError::Rejected { nonce: 1, .. })), "{refused:?}");
    let queued = queued.or_panic("queued send");
    assert_eq!(queued.nonce, 2);

    let landed = manager.wait(&queued).await.or_panic("the gap is filled");
    assert_eq!(landed.nonce, 2);
    assert_eq!(client.latest_nonce(manager.address()).await.unwrap(), 3);
    assert_eq!(client.balance(fresh_address(5)).await.unwrap(), U256::from(3));
}

crate::on_both!(
    fifty_concurrent_sends_from_one_signer_all_land_without_gap,
    reverts_are_typed_at_estimate_and_in_the_receipt,
    refused_transactions_release_their_nonce,
    fees_follow_the_strategy,
    sends_survive_dropped_connections,
    a_refused_nonce_below_sent_ones_is_filled
);
