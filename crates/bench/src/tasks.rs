//! Full PoCo tasks through the compatibility driver: per task `matchOrders`, `initialize`,
//! `contribute`, `reveal`, `finalize` (trust 1, one worker), each call made as a client makes
//! it (gas estimate, fees, nonce, raw transaction, receipt) and timed.

use std::time::{Duration, Instant};

use alloy::primitives::U256;
use poco_compat::{
    Actors, Driver, Protocol, Role,
    driver::{APP_PRICE, RESULTS, WORKERPOOL_PRICE},
};

use crate::{error::Result, node::Node};

/// The protocol calls of one task.
pub const CALLS_PER_TASK: usize = 5;

/// What one task run measured.
#[derive(Clone, Debug)]
pub struct TaskRun {
    /// Tasks completed.
    pub tasks: usize,
    /// Protocol transactions mined (all successful).
    pub txs: usize,
    /// Wall time of the run.
    pub elapsed: Duration,
    /// Latency of each protocol call, from the client's first request to the receipt.
    pub latencies: Vec<Duration>,
}

impl TaskRun {
    /// Tasks per second.
    pub fn tasks_per_second(&self) -> f64 {
        self.tasks as f64 / self.elapsed.as_secs_f64()
    }

    /// Transactions per second.
    pub fn tps(&self) -> f64 {
        self.txs as f64 / self.elapsed.as_secs_f64()
    }
}

/// A driver of the node's protocol with every actor funded and the assets created.
pub async fn prepare(node: &Node) -> Result<Driver> {
    let protocol = Protocol::poco(node.deployment());
    let mut driver =
        Driver::new(node.wallet_provider(), protocol, Actors::new(node.keys()), "chain-bench");
    driver.setup().await?;
    Ok(driver)
}

/// Runs `tasks` tasks one after the other (the requester is funded for them first, untimed).
pub async fn run(driver: &mut Driver, tasks: usize) -> Result<TaskRun> {
    let cost = U256::from(APP_PRICE + WORKERPOOL_PRICE) * U256::from(tasks as u64);
    driver.fund(Role::Requester, cost).await?;
    let worker = Role::Worker(0);
    let mut latencies = Vec::with_capacity(tasks * CALLS_PER_TASK);
    let start = Instant::now();
    for _ in 0..tasks {
        let orders = driver.market(1, 1)?;
        let digest = driver.digest("result");
        let timed = Instant::now();
        let deal = driver.match_orders(&orders).await?;
        latencies.push(timed.elapsed());
        let timed = Instant::now();
        let task = driver.initialize(deal, 0).await?;
        latencies.push(timed.elapsed());
        let timed = Instant::now();
        driver.contribute(worker, task, digest).await?;
        latencies.push(timed.elapsed());
        let timed = Instant::now();
        driver.reveal(worker, task, digest).await?;
        latencies.push(timed.elapsed());
        let timed = Instant::now();
        driver.finalize(task, RESULTS.as_bytes()).await?;
        latencies.push(timed.elapsed());
    }
    let elapsed = start.elapsed();
    Ok(TaskRun { tasks, txs: latencies.len(), elapsed, latencies })
}
