//! The REAL worker agent (`poco_worker::spawn`) against the REAL scheduler with its engine
//! (`poco_scheduler::spawn`), on the in-process devchain, with the real market (the deal is made
//! from the publisher's workerpool order), the real results service and a WASM hello app from
//! `apps/`, on SQLite and PostgreSQL (scheduler, market and every worker's journal):
//!
//! - a deal of 5 tasks at trust 5 with 4 workers completes: every task COMPLETED on chain, every
//!   step in each task's timeline, the result downloadable and matching the consensus, scores
//!   and stakes as the protocol's rules say, no worker contributing twice;
//! - a worker killed while downloading is declared lost, its replicate given to another worker,
//!   and the task completes;
//! - a worker killed between sending `contribute` and its receipt, restarted with the same key
//!   and journal, finds its contribution on chain (`viewContribution`) instead of sending it
//!   again, and the task completes.
//!
//! The pool and the agents are `common::workers`'. The only stand-in is the requester's
//! input-file host (`InputHost`), whose answers wait at a
//! gate the test opens: it holds a worker in `DOWNLOADING` for as long as a scenario needs.
#![allow(clippy::unwrap_used, clippy::too_many_lines, missing_docs, unreachable_pub)]

mod common;

use alloy::{
    primitives::{Address, U256},
    providers::Provider,
};
use common::workers::{Agent, Pool, TASK_EVENTS, winner_steps};
use poco_db::Backend;
use poco_primitives::{ContributionStatus, TaskId};
use poco_scheduler_api::{ReplicateState, TaskState};
use std::collections::HashSet;

async fn five_tasks_at_trust_5_with_four_workers(backend: Backend) {
    let started = std::time::Instant::now();
    let pool = Pool::start(backend).await;
    let mut agents = Vec::new();
    for n in 0..4 {
        agents.push(pool.agent(n).await);
    }
    let workers: Vec<Address> = agents.iter().map(Agent::address).collect();
    let before = pool.ledger(&workers).await;
    for agent in &mut agents {
        agent.start().await;
    }
    pool.wait_alive(4).await;

    let deal = pool.buy(5, 5, false).await;
    let tasks: Vec<TaskId> = (0..5).map(|i| deal.task(U256::from(i))).collect();
    pool.wait_final(&tasks, 120).await;

    let mut replicas = 0;
    for task in &tasks {
        let record = pool.scheduler.store().task(*task).await.unwrap().unwrap();
        assert_eq!(record.state, TaskState::Completed, "{task}");
        let (own, replicates) = pool.events(*task).await;
        assert_eq!(own, TASK_EVENTS, "{task}");
        // Trust 5 with fresh workers (weight 2 each): 3 agreeing replicates, no more.
        assert_eq!(replicates.len(), 3, "{task}: {replicates:?}");
        let uploaders = replicates
            .iter()
            .filter(|(worker, steps)| winner_steps(*task, **worker, steps))
            .count();
        assert_eq!(uploaders, 1, "{task}: one uploader");
        let on_chain: HashSet<Address> =
            pool.view_task(*task).await.contributors.into_iter().collect();
        assert_eq!(on_chain, replicates.keys().copied().collect(), "{task}: the contributors");
        replicas += replicates.len();
        pool.check_result(*task).await;
    }
    assert_eq!(replicas, 15);
    pool.check_rewards(deal, &tasks, &before).await;
    eprintln!("5 tasks at trust 5 with 4 workers: {:?} from start", started.elapsed());

    for agent in &mut agents {
        agent.stop().await;
    }
    pool.stop().await;
}

async fn a_killed_worker_is_replaced(backend: Backend) {
    let started = std::time::Instant::now();
    let pool = Pool::start(backend).await;
    let mut victim = pool.agent(0).await;
    let mut others = vec![pool.agent(1).await, pool.agent(2).await];
    let workers: Vec<Address> =
        [victim.address()].into_iter().chain(others.iter().map(Agent::address)).collect();
    let before = pool.ledger(&workers).await;

    // The victim alone takes the task, and waits for its input file.
    victim.start().await;
    pool.wait_alive(1).await;
    let deal = pool.buy(1, 3, true).await;
    let task = deal.task(U256::ZERO);
    pool.wait_replicate(task, victim.address(), ReplicateState::Downloading).await;
    victim.kill().await;
    pool.wait_replicate(task, victim.address(), ReplicateState::Lost).await;

    // Two others come; the file host answers now.
    for agent in &mut others {
        agent.start().await;
    }
    pool.inputs.open();
    pool.wait_final(&[task], 60).await;

    let record = pool.scheduler.store().task(task).await.unwrap().unwrap();
    assert_eq!(record.state, TaskState::Completed);
    let (own, replicates) = pool.events(task).await;
    assert_eq!(own, TASK_EVENTS);
    assert_eq!(
        replicates[&victim.address()],
        ["ASSIGNED", "DOWNLOADING", "WORKER_LOST", "ABORT(CONSENSUS_REACHED)"]
    );
    let victim_replicate = pool
        .scheduler
        .store()
        .replicates(task)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.worker == victim.address())
        .unwrap();
    assert_eq!(victim_replicate.state, ReplicateState::Aborted);
    // Trust 3: two agreeing fresh workers; the lost one was replaced, not counted.
    let uploaders = others
        .iter()
        .filter(|agent| winner_steps(task, agent.address(), &replicates[&agent.address()]))
        .count();
    assert_eq!(uploaders, 1);
    assert_eq!(replicates.len(), 3);
    let view = pool.view_task(task).await;
    assert_eq!(view.contributors.len(), 2);
    assert!(!view.contributors.contains(&victim.address()));
    pool.check_result(task).await;
    // The victim sent nothing and lost nothing.
    pool.check_rewards(deal, &[task], &before).await;
    eprintln!("a killed worker replaced: {:?} from start", started.elapsed());

    for agent in &mut others {
        agent.stop().await;
    }
    pool.stop().await;
}

async fn set_automine(pool: &Pool, on: bool) {
    let _: serde_json::Value =
        pool.env.provider.raw_request("evm_setAutomine".into(), (on,)).await.unwrap();
}

async fn a_restarted_worker_resumes_without_contributing_twice(backend: Backend) {
    let started = std::time::Instant::now();
    let pool = Pool::start(backend).await;
    let mut restarted = pool.agent(0).await;
    let mut other = pool.agent(1).await;
    let me = restarted.address();
    let before = pool.ledger(&[me, other.address()]).await;

    // It takes the task alone and waits for its input file; then blocks stop being mined, so
    // its `contribute` stays pending while it waits for the receipt: killed there.
    restarted.start().await;
    pool.wait_alive(1).await;
    let deal = pool.buy(1, 3, true).await;
    let task = deal.task(U256::ZERO);
    pool.wait_replicate(task, me, ReplicateState::Downloading).await;
    set_automine(&pool, false).await;
    pool.inputs.open();
    pool.wait_replicate(task, me, ReplicateState::Contributing).await;
    restarted.kill().await;
    let hub = pool.env.hub();
    assert_eq!(hub.viewContribution(task.0, me).call().await.unwrap().status, 0, "not mined yet");
    let _: serde_json::Value =
        pool.env.provider.raw_request("evm_mine".into(), Vec::<u64>::new()).await.unwrap();
    set_automine(&pool, true).await;
    let contribution = hub.viewContribution(task.0, me).call().await.unwrap();
    assert_eq!(
        ContributionStatus::try_from(contribution.status).unwrap(),
        ContributionStatus::Contributed,
        "the contribution sent before the kill landed"
    );
    assert_eq!(pool.nonce(me).await, before[&me].2 + 1);

    // Restarted with the same key, data folder and journal: the chain is asked, nothing sent.
    restarted.start().await;
    pool.wait_replicate(task, me, ReplicateState::Contributed).await;
    assert_eq!(pool.nonce(me).await, before[&me].2 + 1, "no second contribute");

    // A second worker brings the consensus; the restarted one reveals.
    other.start().await;
    pool.wait_final(&[task], 60).await;
    let record = pool.scheduler.store().task(task).await.unwrap().unwrap();
    assert_eq!(record.state, TaskState::Completed);
    let (own, replicates) = pool.events(task).await;
    assert_eq!(own, TASK_EVENTS);
    assert_eq!(replicates.len(), 2, "{replicates:?}");
    winner_steps(task, other.address(), &replicates[&other.address()]);
    let mine = &replicates[&me];
    let count = |event: &str| mine.iter().filter(|e| *e == event).count();
    assert_eq!(
        (count("CONTRIBUTING"), count("CONTRIBUTED"), count("REVEALED")),
        (1, 1, 1),
        "{mine:?}"
    );
    assert_eq!(mine.last().map(String::as_str), Some("COMPLETE"), "{mine:?}");
    let view = pool.view_task(task).await;
    assert_eq!(view.contributors.len(), 2);
    pool.check_result(task).await;
    // One contribute and one reveal each, across the restart.
    pool.check_rewards(deal, &[task], &before).await;
    eprintln!("a restarted worker resumed: {:?} from start", started.elapsed());

    restarted.stop().await;
    other.stop().await;
    pool.stop().await;
}

poco_db::on_both_backends!(
    five_tasks_at_trust_5_with_four_workers,
    a_killed_worker_is_replaced,
    a_restarted_worker_resumes_without_contributing_twice,
);
