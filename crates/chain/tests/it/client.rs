//! Connecting, chain id check, reads, hub views and their typed reverts, retries.

use crate::{
    Node, OrPanic, config, connect,
    proxy::{Proxy, socket_of},
};
use alloy::{network::TransactionBuilder, primitives::U256, rpc::types::TransactionRequest};
use poco_chain::{ChainClient, ChainError, Revert};
use poco_contracts::{
    DeployOptions,
    bindings::IPoco::{self, IPocoErrors},
    deploy_protocol, hub_error,
};
use std::{net::TcpListener, time::Duration};

async fn wrong_chain_id_is_refused(node: &Node) {
    let error = ChainClient::connect(config(node.endpoint(), 1)).await.unwrap_err();
    assert!(
        matches!(error, ChainError::WrongChain { expected: 1, actual } if actual == node.chain_id()),
        "{error:?}"
    );
}

#[tokio::test]
async fn unsupported_scheme_is_refused() {
    let url = "ftp://127.0.0.1:21".parse().unwrap();
    let error = ChainClient::connect(config(&url, 1)).await.unwrap_err();
    assert!(matches!(error, ChainError::UnsupportedScheme { ref scheme } if scheme == "ftp"));
}

async fn reads_over_http_and_websocket(node: &Node) {
    let http = connect(node).await;
    let mut ws_url = node.endpoint().clone();
    ws_url.set_scheme("ws").unwrap();
    let ws = ChainClient::connect(config(&ws_url, node.chain_id())).await.or_panic("ws connect");

    // An untouched dev account: funded, no transaction yet.
    let account = node.addresses()[5];
    let mut seen = Vec::new();
    for client in [&http, &ws] {
        assert_eq!(client.chain_id(), node.chain_id());
        let head = client.block_number().await.or_panic("block number");
        let balance = client.balance(account).await.or_panic("balance");
        assert!(balance > U256::ZERO);
        assert_eq!(client.pending_nonce(account).await.or_panic("nonce"), 0);
        assert_eq!(client.latest_nonce(account).await.or_panic("nonce"), 0);
        let genesis = client.block_ref(0).await.or_panic("block 0").expect("genesis");
        assert_eq!(genesis.number, 0);
        let past_head = client.block_ref(head + 1).await.or_panic("past the head");
        assert_eq!(past_head, None);
        seen.push((head, balance, genesis));
    }
    assert_eq!(seen[0], seen[1], "http and ws disagree");

    // Transactions go through a websocket client as well.
    let manager = crate::manager(&ws, node, 5);
    let request =
        TransactionRequest::default().with_to(crate::fresh_address(11)).with_value(U256::from(7));
    let landed = manager.send(request).await.or_panic("send over ws");
    assert_eq!(landed.nonce, 0);
    assert_eq!(http.balance(crate::fresh_address(11)).await.or_panic("balance"), U256::from(7));
}

async fn hub_views_and_their_reverts_are_typed(node: &Node) {
    let deployment =
        deploy_protocol(&node.provider(0), DeployOptions::default()).await.or_panic("deploying");
    let client = connect(node).await;

    let count = client.call(deployment.hub, &IPoco::countCategoryCall {}).await.or_panic("count");
    assert_eq!(count, U256::from(5));

    // A view that reverts: decoded into the hub's custom error.
    let error = client
        .call(deployment.hub, &IPoco::viewCategoryCall { _catid: U256::from(999) })
        .await
        .unwrap_err();
    match error.revert() {
        Some(Revert::Hub(IPocoErrors::UnknownCategory(unknown))) => {
            assert_eq!(unknown.category, U256::from(999));
            assert_eq!(unknown.count, U256::from(5));
        }
        other => panic!("expected UnknownCategory, got {other:?} ({error})"),
    }

    // The same through the bindings on the client's provider.
    let hub = client.hub(deployment.hub);
    let error = hub.viewCategory(U256::from(999)).call().await.unwrap_err();
    assert!(matches!(hub_error(&error), Some(IPocoErrors::UnknownCategory(_))), "{error}");
    let rlc = client.rlc(deployment.rlc);
    let balance = rlc.balanceOf(node.addresses()[0]).call().await.or_panic("RLC balance");
    assert!(balance > U256::ZERO);
}

async fn dropped_connections_are_retried(node: &Node) {
    // The first three connections are closed as soon as they are accepted.
    let proxy = Proxy::start("127.0.0.1:0".parse().unwrap(), socket_of(node.endpoint()), 3).await;
    let client =
        ChainClient::connect(config(&proxy.url(), node.chain_id())).await.or_panic("connect");
    assert!(proxy.accepted() >= 4, "only {} connections", proxy.accepted());

    // Mid-session: open connections are cut and the next ones dropped.
    proxy.sever_and_drop_next(2);
    let before = proxy.accepted();
    assert_eq!(client.block_number().await.or_panic("block number after the cut"), 0);
    assert!(proxy.accepted() >= before + 3, "{} then {}", before, proxy.accepted());
}

async fn a_node_that_starts_listening_later_is_waited_for(node: &Node) {
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let listen = format!("127.0.0.1:{port}").parse().unwrap();
    let url = format!("http://{listen}").parse().unwrap();
    let connecting = tokio::spawn(ChainClient::connect(config(&url, node.chain_id())));

    // Connection refused until the proxy listens.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!connecting.is_finished(), "connected to nothing");
    let _proxy = Proxy::start(listen, socket_of(node.endpoint()), 0).await;
    let client = connecting.await.unwrap().or_panic("connect once listening");
    assert_eq!(client.block_number().await.or_panic("block number"), 0);
}

async fn reverts_are_not_retried(node: &Node) {
    let deployment =
        deploy_protocol(&node.provider(0), DeployOptions::default()).await.or_panic("deploying");
    let client = connect(node).await;
    // 30 retries with backoff would take seconds: a revert must come back at once.
    let started = std::time::Instant::now();
    let error = client
        .call(deployment.hub, &IPoco::viewCategoryCall { _catid: U256::from(999) })
        .await
        .unwrap_err();
    assert!(matches!(error, ChainError::Reverted { .. }));
    assert!(started.elapsed() < Duration::from_secs(1), "took {:?}", started.elapsed());
}

crate::on_both!(
    wrong_chain_id_is_refused,
    reads_over_http_and_websocket,
    hub_views_and_their_reverts_are_typed,
    dropped_connections_are_retried,
    a_node_that_starts_listening_later_is_waited_for,
    reverts_are_not_retried
);
