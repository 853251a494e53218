//! The order publisher against the REAL market on the in-process devchain: scripted workers
//! (real login signatures, real HTTP) come and go, a requester's `matchOrders` consumes part of
//! the pool's order, the scheduler crashes and restarts, and then stops cleanly. At each step the
//! pool's open volume on the market is the pool's free capacity, and nothing is published twice.
#![allow(clippy::unwrap_used, clippy::too_many_lines, missing_docs, unreachable_pub)]

mod common;

use alloy::signers::local::PrivateKeySigner;
use common::{Env, LOST_AFTER_MS, SCHEDULER, ScriptedWorker};
use poco_db::Backend;
use poco_market_api::OrderRecord;
use poco_primitives::{WorkerpoolOrder, sign_order};
use poco_scheduler::{PublishedState, SchedulerHandle};
use std::time::Duration;

type Records = [OrderRecord<WorkerpoolOrder>];

fn open_volume(orders: &Records) -> u64 {
    orders.iter().map(|order| u64::try_from(order.remaining).unwrap()).sum()
}

/// Waits (bounded) until the scheduler counts `alive` workers (loss detection runs every
/// quarter of `LOST_AFTER_MS`).
async fn wait_alive(scheduler: &SchedulerHandle, alive: u64) {
    for _ in 0..100 {
        let stats = poco_scheduler::pool_stats(scheduler.workers(), 0).await.unwrap();
        if stats.alive_workers == alive {
            return;
        }
        tokio::time::sleep(Duration::from_millis(LOST_AFTER_MS / 10)).await;
    }
    panic!("the scheduler never counted {alive} alive workers");
}

/// Waits (bounded) until the engine holds `waiting` tasks sold but not handed out.
async fn wait_waiting(scheduler: &SchedulerHandle, waiting: u64) {
    for _ in 0..100 {
        let now = scheduler
            .store()
            .waiting_tasks(poco_scheduler::api::LIVE_REPLICATE_STATES)
            .await
            .unwrap();
        if now == waiting {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the engine never held {waiting} waiting tasks");
}

async fn publisher_follows_capacity(backend: Backend) {
    let env = Env::new(backend).await;
    let mut config = env.scheduler_config(10);
    if let Some(publisher) = config.publisher.as_mut() {
        publisher.startup_grace = Duration::ZERO;
    }
    let scheduler = env.scheduler(config.clone()).await;
    let publisher = scheduler.publisher().unwrap().clone();
    let base = scheduler.url();

    // No worker: nothing to sell.
    let pass = publisher.reconcile().await.unwrap();
    assert_eq!(pass.target, 0);
    assert!(pass.published.is_empty());
    assert!(env.open_pool_orders().await.is_empty());

    // Two workers join (2 + 3 slots): one order of volume 5, signed by the pool's owner.
    let w1 = ScriptedWorker::join(&base, PrivateKeySigner::random(), 2).await;
    let w2 = ScriptedWorker::join(&base, PrivateKeySigner::random(), 3).await;
    let w1_alive = w1.keep_alive();
    let w2_alive = w2.keep_alive();
    let pass = publisher.reconcile().await.unwrap();
    assert_eq!(pass.target, 5);
    assert_eq!(pass.published.len(), 1);
    let orders = env.open_pool_orders().await;
    assert_eq!(orders.len(), 1);
    let first = &orders[0];
    assert_eq!(first.order_hash, pass.published[0].0);
    assert_eq!(first.remaining, alloy::primitives::U256::from(5));
    assert_eq!(first.signer, env.address(SCHEDULER));
    assert!(first.order.is_signed_by(env.address(SCHEDULER), &env.domain));
    assert_eq!(first.order.workerpool, env.pool);
    assert_eq!(first.order.workerpoolprice, alloy::primitives::U256::from(common::POOL_PRICE));
    // A second pass with nothing changed does nothing.
    let pass = publisher.reconcile().await.unwrap();
    assert!(pass.published.is_empty() && pass.unpublished.is_empty(), "{pass:?}");

    // A requester buys 2 tasks of it on chain: the market's watcher lowers its remaining to 3.
    // The engine takes the deal; its 2 tasks wait for a worker (these scripted workers never
    // ask for work), so they count against the capacity: 5 slots − 2 waiting = 3, which the
    // open 3 cover.
    env.match_orders(&first.order, 2).await;
    env.wait_orders("the consumed order at 3", |orders| open_volume(orders) == 3).await;
    wait_waiting(&scheduler, 2).await;
    let pass = publisher.reconcile().await.unwrap();
    assert_eq!((pass.target, pass.open_before), (3, 3));
    assert!(pass.published.is_empty() && pass.unpublished.is_empty(), "{pass:?}");

    // A third worker joins (2 slots): 7 − 2 = 5, and the publisher sells the 2 more.
    let w3 = ScriptedWorker::join(&base, PrivateKeySigner::random(), 2).await;
    let w3_alive = w3.keep_alive();
    let pass = publisher.reconcile().await.unwrap();
    assert_eq!(pass.target, 5);
    assert_eq!(pass.published.iter().map(|(_, volume)| volume).sum::<u64>(), 2);
    let orders = env.open_pool_orders().await;
    assert_eq!(orders.len(), 2);
    assert_eq!(open_volume(&orders), 5);

    // The 3-slot worker leaves (stops pinging): declared lost, capacity 4 − 2 = 2; the publisher
    // takes the 3-task order off the market (signed unpublish) and keeps the 2-task one.
    w2_alive.abort();
    wait_alive(&scheduler, 2).await;
    let pass = publisher.reconcile().await.unwrap();
    assert_eq!(pass.target, 2);
    assert_eq!(pass.unpublished.len(), 1);
    assert!(pass.published.is_empty(), "{pass:?}");
    let orders = env.open_pool_orders().await;
    assert_eq!(open_volume(&orders), 2);
    let kept = orders[0].order_hash;

    // What the scheduler persisted: 2 orders (the first, consumed to 3 then withdrawn; the
    // 2-task one), one open.
    let stored = scheduler.store().all_published().await.unwrap();
    assert_eq!(stored.len(), 2);
    let open: Vec<_> = stored.iter().filter(|o| o.state == PublishedState::Open).collect();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].order_hash, kept);

    // Crash (no withdrawal), then restart on the same database. The worker logs in again; the
    // restarted publisher finds its open order on the market and publishes nothing.
    scheduler.abort().await;
    w1_alive.abort();
    w3_alive.abort();
    let mut restarted_config = config.clone();
    if let Some(publisher) = restarted_config.publisher.as_mut() {
        publisher.startup_grace = Duration::from_secs(3600);
    }
    let scheduler = env.scheduler(restarted_config).await;
    let publisher = scheduler.publisher().unwrap().clone();
    // Before the worker is back, the startup grace keeps the order.
    let pass = publisher.reconcile().await.unwrap();
    assert_eq!((pass.target, pass.open_before), (0, 2));
    assert!(pass.unpublished.is_empty() && pass.published.is_empty(), "{pass:?}");
    let w1 = ScriptedWorker::join(&scheduler.url(), w1.key.clone(), 2).await;
    let _w1_alive = w1.keep_alive();
    let w3 = ScriptedWorker::join(&scheduler.url(), w3.key.clone(), 2).await;
    let _w3_alive = w3.keep_alive();
    let pass = publisher.reconcile().await.unwrap();
    assert_eq!((pass.target, pass.open_before), (2, 2));
    assert!(pass.published.is_empty(), "published twice after a restart: {pass:?}");
    let orders = env.open_pool_orders().await;
    assert_eq!(orders.len(), 1);
    assert_eq!(orders[0].order_hash, kept);
    assert_eq!(scheduler.store().all_published().await.unwrap().len(), 2);

    // A crash between the database row and the market's answer leaves a `pending` row: an order
    // the market did accept is adopted (not published again); one it never got is closed.
    let domain = env.domain.clone();
    let pool_order = |volume: u64| WorkerpoolOrder {
        workerpool: env.pool,
        workerpoolprice: alloy::primitives::U256::from(common::POOL_PRICE),
        volume: alloy::primitives::U256::from(volume),
        trust: alloy::primitives::U256::from(1),
        salt: alloy::primitives::B256::random(),
        ..Default::default()
    };
    let sent = sign_order(&env.keys[SCHEDULER], pool_order(1), &domain).unwrap();
    let lost = sign_order(&env.keys[SCHEDULER], pool_order(1), &domain).unwrap();
    scheduler.store().insert_published(sent.hash(&domain), &sent, 1).await.unwrap();
    scheduler.store().insert_published(lost.hash(&domain), &lost, 1).await.unwrap();
    let response = env
        .http
        .post(format!("{}/v1/orders/workerpool", env.market.url()))
        .json(&poco_market_api::PublishRequest { order: sent.clone(), signer: None })
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201, "{:?}", response.text().await);
    let pass = publisher.reconcile().await.unwrap();
    // open = 2 (kept) + 1 (adopted) = 3 > 2, but the startup grace keeps them: nothing new.
    assert_eq!((pass.target, pass.open_before), (2, 3));
    assert!(pass.published.is_empty(), "{pass:?}");
    let stored = scheduler.store().all_published().await.unwrap();
    let state_of = |hash| stored.iter().find(|o| o.order_hash == hash).unwrap().clone();
    assert_eq!(state_of(sent.hash(&domain)).state, PublishedState::Open);
    let never = state_of(lost.hash(&domain));
    assert_eq!(never.state, PublishedState::Closed);
    assert_eq!(never.closed_reason.as_deref(), Some("never reached the market"));

    // Graceful shutdown: every open order is taken off the market.
    scheduler.shutdown().await.unwrap();
    env.wait_orders("no open order after shutdown", <[_]>::is_empty).await;
}

async fn metrics_and_stats_show_the_pool(backend: Backend) {
    let env = Env::new(backend).await;
    let scheduler = env.scheduler(env.scheduler_config(3)).await;
    let base = scheduler.url();
    let worker = ScriptedWorker::join(&base, PrivateKeySigner::random(), 4).await;
    let _alive = worker.keep_alive();
    let pass = scheduler.publisher().unwrap().reconcile().await.unwrap();
    // Capped by max volume.
    assert_eq!(pass.target, 3);
    let http = reqwest::Client::new();
    let stats: poco_scheduler_api::PoolStats =
        http.get(format!("{base}/v1/stats")).send().await.unwrap().json().await.unwrap();
    assert_eq!(stats.alive_workers, 1);
    assert_eq!(stats.slots, 4);
    assert_eq!(stats.registered_cores, 4);
    assert_eq!(stats.busy_slots, 0);
    let text = http.get(format!("{base}/metrics")).send().await.unwrap().text().await.unwrap();
    assert!(text.contains("poco_scheduler_workers_alive 1"), "{text}");
    assert!(text.contains("poco_scheduler_slots 4"), "{text}");
    assert!(text.contains("poco_scheduler_published_volume 3"), "{text}");
    assert!(
        text.contains("poco_scheduler_http_request_duration_seconds_bucket{method=\"GET\",route=\"/v1/stats\",status=\"200\""),
        "{text}"
    );
    scheduler.shutdown().await.unwrap();
}

poco_db::on_both_backends!(publisher_follows_capacity, metrics_and_stats_show_the_pool);
