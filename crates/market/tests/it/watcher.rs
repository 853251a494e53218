//! The chain watcher: matches, cancellations and ownership transfers reach the books within one
//! block (no further block needed), the feed announces them, and a watcher stopped and started
//! again resumes from its saved cursor without missing anything.

use crate::{
    APP_OWNER, DATASET_OWNER, Db, Env, REQUESTER, RLC, SCHEDULER, STRANGER, abi_app, abi_dataset,
    abi_pool, abi_request, on_both_dbs, send,
};
use alloy::{
    primitives::{Bytes, U256},
    providers::Provider,
};
use poco_contracts::bindings::{AppRegistry, IPoco};
use poco_market_api::{FeedEventKind, OrderStatus};
use poco_primitives::{OrderOperation, SignedOrder};
use serde_json::Value;
use std::time::{Duration, Instant};
use tokio::sync::watch;

on_both_dbs!(watcher_follows_the_chain_and_resumes);

/// Polls `check` until it holds (10 s at most); returns the chain head at that moment.
async fn eventually(env: &Env, what: &str, mut check: impl AsyncFnMut() -> bool) -> u64 {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if check().await {
            return env.provider.get_block_number().await.unwrap();
        }
        assert!(Instant::now() < deadline, "timed out waiting for: {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn start(env: &Env) -> (watch::Sender<bool>, tokio::task::JoinHandle<()>) {
    let (stop, mut stopped) = watch::channel(false);
    let market = env.market.clone();
    let task = tokio::spawn(async move {
        let shutdown = async move {
            let _ = stopped.wait_for(|stop| *stop).await;
        };
        poco_market::watcher::run(market, poco_chain::StreamConfig::default(), shutdown)
            .await
            .unwrap();
    });
    (stop, task)
}

async fn status_of(env: &Env, book: &str, hash: impl std::fmt::Display) -> Value {
    env.get(&format!("/v1/orders/{book}/{hash}")).await.1
}

async fn watcher_follows_the_chain_and_resumes(db: Db) {
    let env = Env::new(db).await;
    let mut feed = env.market.subscribe();
    let app = env.sign(APP_OWNER, env.app_order(RLC));
    let dataset = env.sign(DATASET_OWNER, env.dataset_order(RLC));
    let pool = env.sign(SCHEDULER, env.pool_order(RLC));
    let mut request = env.request_order(REQUESTER);
    request.dataset = env.dataset;
    request.datasetmaxprice = U256::from(RLC);
    request.volume = U256::from(3);
    let request = env.sign(REQUESTER, request);
    for (book, body) in [
        ("app", serde_json::json!(app)),
        ("dataset", serde_json::json!(dataset)),
        ("workerpool", serde_json::json!(pool)),
        ("request", serde_json::json!(request)),
    ] {
        let (status, answer) =
            env.post(&format!("/v1/orders/{book}"), serde_json::json!({"order": body})).await;
        assert!(status.is_success(), "{book}: {answer}");
    }
    let hub = env.hub();
    let requester = env.address(REQUESTER);
    let (stop, task) = start(&env);

    // A match of 3 tasks: the request is filled, the others have 7 left.
    send(
        hub.matchOrders(
            abi_app(&app),
            abi_dataset(Some(&dataset)),
            abi_pool(&pool),
            abi_request(&request),
        )
        .from(requester),
    )
    .await;
    let matched_at = env.provider.get_block_number().await.unwrap();
    let seen_at = eventually(&env, "the match in the books", async || {
        status_of(&env, "request", request.hash(&env.domain)).await["status"] == "filled"
    })
    .await;
    assert_eq!(seen_at, matched_at, "the books moved before any further block");
    for (book, hash) in [
        ("app", app.hash(&env.domain)),
        ("dataset", dataset.hash(&env.domain)),
        ("workerpool", pool.hash(&env.domain)),
    ] {
        let record = status_of(&env, book, hash).await;
        assert_eq!(
            (record["status"].as_str(), record["remaining"].as_str()),
            (Some("open"), Some("0x7")),
            "{book}"
        );
    }
    let (_, page) = env.get("/v1/orders/request").await;
    assert_eq!(page["orders"], serde_json::json!([]), "a filled request leaves the open book");
    let (_, page) = env.get("/v1/orders/app?minVolume=8").await;
    assert_eq!(page["orders"], serde_json::json!([]), "filters see the new remaining volume");

    // A cancellation.
    let op = IPoco::DatasetOrderOperation {
        order: abi_dataset(Some(&SignedOrder::presigned(dataset.order.clone()))),
        operation: OrderOperation::Close.into(),
        sign: Bytes::new(),
    };
    send(hub.manageDatasetOrder(op).from(env.address(DATASET_OWNER))).await;
    let closed_at = env.provider.get_block_number().await.unwrap();
    let seen_at = eventually(&env, "the cancellation", async || {
        status_of(&env, "dataset", dataset.hash(&env.domain)).await["status"] == "canceled"
    })
    .await;
    assert_eq!(seen_at, closed_at);

    // The watcher stops; the chain moves on: a second app order is matched, the app changes hands.
    stop.send_replace(true);
    task.await.unwrap();
    let cursor = env.market.store().load_cursor().await.unwrap().expect("a saved cursor");
    assert!(cursor.head.number >= closed_at);
    let app2 = env.sign(APP_OWNER, env.app_order(2 * RLC));
    env.publish("app", &app2).await;
    let mut request2 = env.request_order(REQUESTER);
    request2.volume = U256::from(1);
    let request2 = env.sign(REQUESTER, request2);
    env.publish("request", &request2).await;
    send(
        hub.matchOrders(abi_app(&app2), abi_dataset(None), abi_pool(&pool), abi_request(&request2))
            .from(requester),
    )
    .await;
    let registry =
        AppRegistry::new(env.devchain.deployment().unwrap().app_registry, env.provider.clone());
    let token = U256::from_be_slice(env.app.as_slice());
    send(
        registry
            .transferFrom(env.address(APP_OWNER), env.address(STRANGER), token)
            .from(env.address(APP_OWNER)),
    )
    .await;
    // Nothing moved while the watcher was down.
    assert_eq!(status_of(&env, "app", app2.hash(&env.domain)).await["remaining"], "0xa");

    // Restarted, it resumes from its cursor and misses nothing.
    let (stop, task) = start(&env);
    eventually(&env, "the missed events", async || {
        status_of(&env, "request", request2.hash(&env.domain)).await["status"] == "filled"
            && status_of(&env, "app", app.hash(&env.domain)).await["status"] == "dead"
    })
    .await;
    let record = status_of(&env, "app", app2.hash(&env.domain)).await;
    assert_eq!(record["status"], "dead", "the app changed hands: its old owner's orders die");
    assert_eq!(record["remaining"], "0x9", "the match while the watcher was down counted");
    assert_eq!(status_of(&env, "workerpool", pool.hash(&env.domain)).await["remaining"], "0x6");
    stop.send_replace(true);
    task.await.unwrap();

    // The feed told it all.
    let mut updated = Vec::new();
    while let Ok(event) = feed.try_recv() {
        if event.event == FeedEventKind::Updated {
            updated.push((event.book, event.order_hash, event.status));
        }
    }
    assert!(
        updated.contains(&(
            poco_market_api::Book::Request,
            request.hash(&env.domain),
            OrderStatus::Filled
        )),
        "{updated:?}"
    );
    assert!(
        updated.contains(&(
            poco_market_api::Book::Dataset,
            dataset.hash(&env.domain),
            OrderStatus::Canceled
        )),
        "{updated:?}"
    );
    assert!(
        updated.contains(&(poco_market_api::Book::App, app2.hash(&env.domain), OrderStatus::Dead)),
        "{updated:?}"
    );
}
