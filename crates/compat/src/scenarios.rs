//! The scripted flows, shared by the differential tests and the gas benchmark.
//!
//! Each starts with [`Driver::setup`] (every actor deposits 10 000 RLC; app, dataset and
//! workerpool are created) and uses the driver's default orders: app 5 RLC, dataset 3 RLC,
//! workerpool 100 RLC (scheduler stake 30 RLC, worker stake 30 RLC), category 0 (XS, T = 300 s:
//! contribution deadline start + 2100 s, final deadline start + 3000 s, reveal deadline consensus
//! + 600 s), no TEE, no callback.
//!
//! Consensus with fresh workers (score < 12, weight 2): at trust `t` a value wins when
//! `group·t > total·(t − 1)` with `total = 1 + Σ groups`; so 2 agreeing workers at trust 3
//! (4·3 > 5·2), 3 at trust 5 (8·5 > 9·4), and at trust 3 one early dissent needs 3 agreeing
//! workers (group 8, total 11: 24 > 22).

use alloy::primitives::U256;
use poco_primitives::TaskId;

use crate::{
    actors::{Role, WORKERS},
    driver::{Driver, RESULTS},
    error::Result,
    orders::MatchOrders,
};

const W0: Role = Role::Worker(0);
const W1: Role = Role::Worker(1);
const W2: Role = Role::Worker(2);
const W3: Role = Role::Worker(3);

/// Honest workers contribute `digest` in order, then reveal it in order, then the scheduler
/// finalizes with [`RESULTS`].
async fn classic(d: &mut Driver, task: TaskId, workers: &[Role], digest: &str) -> Result<()> {
    let digest = d.digest(digest);
    for worker in workers {
        d.contribute(*worker, task, digest).await?;
    }
    for worker in workers {
        d.reveal(*worker, task, digest).await?;
    }
    d.finalize(task, RESULTS.as_bytes()).await
}

/// (1) One worker, trust 1, classic: match, initialize, contribute, reveal, finalize.
pub async fn one_worker_trust1(d: &mut Driver) -> Result<()> {
    d.setup().await?;
    let orders = d.market(1, 1)?;
    let deal = d.match_orders(&orders).await?;
    let task = d.initialize(deal, 0).await?;
    classic(d, task, &[W0], "result").await
}

/// (2) Replication with a loser and scores. Trust 3, a deal of 2 tasks.
///
/// Task 0: worker3 and worker0 agree (consensus at the second vote), both reveal: two
/// contributors, so both score 1. Task 1: worker3 votes a wrong result first, then worker0,
/// worker1 and worker2 agree (consensus at the fourth vote: 24 > 22); the three reveal; at
/// finalize worker3's stake is seized and shared, its score drops from 1 to 0 (×2/3), the
/// winners gain a point (worker0: 2, worker1: 1, worker2: 1).
pub async fn replicated_with_loser(d: &mut Driver) -> Result<()> {
    d.setup().await?;
    let orders = d.market(2, 3)?;
    let deal = d.match_orders(&orders).await?;
    let first = d.initialize(deal, 0).await?;
    classic(d, first, &[W3, W0], "good").await?;

    let second = d.initialize(deal, 1).await?;
    let bad = d.digest("bad");
    let good = d.digest("good");
    d.contribute(W3, second, bad).await?;
    for worker in [W0, W1, W2] {
        d.contribute(worker, second, good).await?;
    }
    for worker in [W0, W1, W2] {
        d.reveal(worker, second, good).await?;
    }
    d.finalize(second, RESULTS.as_bytes()).await
}

/// (3) Reveal timeout, reopen, new consensus. Trust 3: worker0 and worker1 reach consensus
/// but never reveal; after the reveal deadline the scheduler reopens (both REJECTED); worker2
/// and worker3 reach consensus on the same value, reveal, and the scheduler finalizes (the
/// rejected workers lose their stakes).
pub async fn reveal_timeout_reopen(d: &mut Driver) -> Result<()> {
    d.setup().await?;
    let orders = d.market(1, 3)?;
    let deal = d.match_orders(&orders).await?;
    let task = d.initialize(deal, 0).await?;
    let digest = d.digest("result");
    d.contribute(W0, task, digest).await?;
    d.contribute(W1, task, digest).await?;
    let revealing = d.view_task(task).await?;
    d.travel_to(revealing.revealDeadline).await?;
    d.reopen(task).await?;
    classic(d, task, &[W2, W3], "result").await
}

/// (4) A claim, then a success paid partly by the kitty. Deal 0 (trust 1): worker0
/// contributes (consensus, its stake locked) but nobody reveals or finalizes; after the final
/// deadline the requester claims: refund, worker0's stake unlocked, the scheduler's stake (30
/// RLC) seized into `frozenOf(kitty)`. Deal 1 (trust 1): a classic success; the scheduler also
/// receives the kitty share `max(kitty/10, 1 RLC)` = 3 RLC.
pub async fn claim_then_kitty(d: &mut Driver) -> Result<()> {
    d.setup().await?;
    let orders = d.market(1, 1)?;
    let deal = d.match_orders(&orders).await?;
    let task = d.initialize(deal, 0).await?;
    let digest = d.digest("late");
    d.contribute(W0, task, digest).await?;
    let revealing = d.view_task(task).await?;
    d.travel_to(revealing.finalDeadline).await?;
    d.claim(task).await?;

    let orders = d.market(1, 1)?;
    let deal = d.match_orders(&orders).await?;
    let task = d.initialize(deal, 0).await?;
    classic(d, task, &[W1], "result").await
}

/// (5) `contributeAndFinalize`, trust 1: match, initialize, contributeAndFinalize.
pub async fn contribute_and_finalize(d: &mut Driver) -> Result<()> {
    d.setup().await?;
    let orders = d.market(1, 1)?;
    let deal = d.match_orders(&orders).await?;
    let task = d.initialize(deal, 0).await?;
    let digest = d.digest("result");
    d.contribute_and_finalize(W0, task, digest, RESULTS.as_bytes()).await
}

/// (6) A deal with a dataset (3 RLC to the dataset owner), trust 1, classic.
pub async fn dataset_deal(d: &mut Driver) -> Result<()> {
    d.setup().await?;
    let app = d.app_order(1)?;
    let dataset = d.dataset_order(1)?;
    let workerpool = d.workerpool_order(1, 1)?;
    let request = d.request_order(1, 1, true)?;
    let orders = MatchOrders {
        app: d.sign(Role::AppOwner, app)?,
        dataset: Some(d.sign(Role::DatasetOwner, dataset)?),
        workerpool: d.sign(Role::Scheduler, workerpool)?,
        request: d.sign(Role::Requester, request)?,
    };
    let deal = d.match_orders(&orders).await?;
    let task = d.initialize(deal, 0).await?;
    classic(d, task, &[W0], "result").await
}

/// (7) A sponsored deal: the sponsor sends `sponsorMatchOrders` and pays; the requester's
/// balance does not move. Trust 1, classic.
pub async fn sponsored_deal(d: &mut Driver) -> Result<()> {
    d.setup().await?;
    let orders = d.market(1, 1)?;
    let deal = d.sponsor_match_orders(&orders, Role::Sponsor).await?;
    let task = d.initialize(deal, 0).await?;
    classic(d, task, &[W0], "result").await
}

/// (8) Presigned orders and a cancelled one. The four owners presign their orders with
/// `manage*Order(SIGN)` (dataset deal); the orders are matched without signatures and the task
/// completes. Then the requester signs a new request order off-chain and cancels it with
/// `manageRequestOrder(CLOSE)`: matching it with fresh app and workerpool orders must be
/// refused (noted), and its consumption is its volume.
pub async fn presigned_and_cancelled(d: &mut Driver) -> Result<()> {
    d.setup().await?;
    let app = d.app_order(1)?;
    let dataset = d.dataset_order(1)?;
    let workerpool = d.workerpool_order(1, 1)?;
    let request = d.request_order(1, 1, true)?;
    let orders = MatchOrders {
        app: d.presign(Role::AppOwner, app).await?,
        dataset: Some(d.presign(Role::DatasetOwner, dataset).await?),
        workerpool: d.presign(Role::Scheduler, workerpool).await?,
        request: d.presign(Role::Requester, request).await?,
    };
    let deal = d.match_orders(&orders).await?;
    let task = d.initialize(deal, 0).await?;
    classic(d, task, &[W0], "result").await?;

    let mut cancelled = d.market(3, 1)?;
    d.close(Role::Requester, &cancelled.request.order).await?;
    // The order's signature is still valid; only its consumption makes it unusable.
    cancelled.request.sign = d.sign(Role::Requester, cancelled.request.order.clone())?.sign;
    let outcome = match d.match_orders(&cancelled).await {
        Ok(_) => "accepted".to_owned(),
        Err(error) if error.is_revert() => "refused".to_owned(),
        Err(error) => return Err(error),
    };
    d.note("matchOrders with a closed request order", outcome);
    Ok(())
}

/// How [`ten_tasks`] initializes its tasks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Init {
    /// One `initialize` per task, just before its contributions.
    PerTask,
    /// One `initializeArray` of all ten first.
    Array,
}

/// (9) One deal of 10 tasks at trust 1, each task classic with one worker (worker `i mod 8`).
pub async fn ten_tasks(d: &mut Driver, init: Init) -> Result<()> {
    d.setup().await?;
    let orders = d.market(10, 1)?;
    let deal = d.match_orders(&orders).await?;
    let tasks = match init {
        Init::Array => {
            let all: Vec<_> = (0..10).map(|idx| (deal, idx)).collect();
            d.initialize_array(&all).await?
        }
        Init::PerTask => Vec::new(),
    };
    for idx in 0..10u64 {
        let task = match init {
            Init::Array => tasks[idx as usize],
            Init::PerTask => d.initialize(deal, idx).await?,
        };
        let worker = Role::Worker(idx as usize % WORKERS);
        classic(d, task, &[worker], &format!("result{idx}")).await?;
    }
    Ok(())
}

/// (9) with `initializeArray` (the differential scenario).
pub async fn ten_tasks_array(d: &mut Driver) -> Result<()> {
    ten_tasks(d, Init::Array).await
}

/// (9) with one `initialize` per task (the benchmark scenario).
pub async fn ten_tasks_per_task(d: &mut Driver) -> Result<()> {
    ten_tasks(d, Init::PerTask).await
}

/// (10) One request order of volume 5 split across two deals (trust 1): with a workerpool
/// order of volume 2 → deal 0 (`botFirst` 0, 2 tasks); with another of volume 5 → deal 1
/// (`botFirst` 2, 3 tasks). Tasks deal#0/0 and deal#1/2 complete; deal#1/3 is initialized
/// (through `initializeArray`, with deal#1/2) and left active; the rest stay unset.
pub async fn split_request(d: &mut Driver) -> Result<()> {
    d.setup().await?;
    let app = d.app_order(10)?;
    let app = d.sign(Role::AppOwner, app)?;
    let small = d.workerpool_order(2, 1)?;
    let large = d.workerpool_order(5, 1)?;
    let request = d.request_order(5, 1, false)?;
    let request = d.sign(Role::Requester, request)?;
    let first = MatchOrders {
        app: app.clone(),
        dataset: None,
        workerpool: d.sign(Role::Scheduler, small)?,
        request: request.clone(),
    };
    let first = d.match_orders(&first).await?;
    let second =
        MatchOrders { app, dataset: None, workerpool: d.sign(Role::Scheduler, large)?, request };
    let second = d.match_orders(&second).await?;

    let task = d.initialize(first, 0).await?;
    classic(d, task, &[W0], "result").await?;
    let tasks = d.initialize_array(&[(second, 2), (second, 3)]).await?;
    classic(d, tasks[0], &[W1], "result").await?;
    // deal#1/3: one contribution, no reveal yet.
    let digest = d.digest("pending");
    d.contribute(W2, tasks[1], digest).await?;
    let pending = d.view_task(tasks[1]).await?;
    d.note("deal#1/3 revealDeadline set", (pending.revealDeadline > U256::ZERO).to_string());
    Ok(())
}

/// (11) Three fresh workers at trust 5, all agreeing (consensus at the third vote: 40 > 36),
/// classic.
pub async fn three_workers_trust5(d: &mut Driver) -> Result<()> {
    d.setup().await?;
    let orders = d.market(1, 5)?;
    let deal = d.match_orders(&orders).await?;
    let task = d.initialize(deal, 0).await?;
    classic(d, task, &[W0, W1, W2], "result").await
}
