//! The scheduler engine end to end on the in-process devchain, with scripted HTTP workers (real
//! login signatures, real contribute/reveal transactions from each worker's key), on SQLite and
//! PostgreSQL: deals made by signing orders and calling `matchOrders`, followed from the hub's
//! notices to `finalize`, with on-chain scores and balances checked against the protocol's math.
// A test binary: an unwrap is an assertion.
#![allow(clippy::unwrap_used, missing_docs, unreachable_pub)]

mod common;
mod worker;

use alloy_primitives::{Address, U256};
use common::Env;
use poco_compat::Role;
use poco_db::{Backend, on_both_backends};
use poco_primitives::{
    ContributionStatus, TaskId,
    consensus::contribution_weight,
    rewards::{Contributor, Payout, distribute_rewards},
};
use poco_scheduler_api::{ReplicateState, Subject, TaskState};
use std::{collections::HashMap, sync::Arc};
use worker::{Script, Worker};

on_both_backends!(
    a_deal_of_five_tasks_at_trust_5_with_four_workers_completes,
    a_worker_that_stops_pinging_is_replaced_and_the_task_completes,
);

fn workers(env: &Env, scripts: Vec<Script>) -> Vec<Arc<Worker>> {
    scripts
        .into_iter()
        .enumerate()
        .map(|(i, script)| {
            Worker::new(env.key(Role::Worker(i)), &env.base, &env.client, env.hub, script)
        })
        .collect()
}

/// The events of a task's timeline, the task's own and each replicate's, in order.
async fn events(env: &Env, task: TaskId) -> (Vec<String>, HashMap<Address, Vec<String>>) {
    let timeline = env.store.timeline(task).await.unwrap();
    for (i, entry) in timeline.iter().enumerate() {
        assert_eq!(entry.seq, i as u64 + 1, "gapless timeline");
    }
    let mut own = Vec::new();
    let mut replicates: HashMap<Address, Vec<String>> = HashMap::new();
    for entry in timeline {
        match entry.subject {
            Subject::Task => own.push(entry.event),
            Subject::Replicate { worker } => {
                replicates.entry(worker).or_default().push(entry.event)
            }
        }
    }
    (own, replicates)
}

async fn a_deal_of_five_tasks_at_trust_5_with_four_workers_completes(db: Backend) {
    let mut env = Env::start(db).await;
    let workers = workers(&env, vec![Script::honest(); 4]);
    let mut before = HashMap::new();
    for worker in &workers {
        before.insert(worker.address(), env.account(worker.address()).await.stake);
        assert_eq!(env.score(worker.address()).await, U256::ZERO);
    }
    let _runs: Vec<_> = workers.iter().flat_map(|w| w.spawn()).collect();
    let deal = env.deal(5, 5).await;
    let tasks = Env::task_ids(deal, 5);
    let records = env.wait_final(&tasks, 180).await;
    assert!(records.iter().all(|r| r.state == TaskState::Completed), "{records:?}");

    let deal_view = env
        .client
        .call(env.hub, &poco_contracts::bindings::IPoco::viewDealCall { id: deal.0 })
        .await
        .unwrap();
    let mut expected_gain: HashMap<Address, U256> = HashMap::new();
    let mut wins: HashMap<Address, u64> = HashMap::new();
    for task in &tasks {
        // On chain: completed, with the link the uploader gave.
        let view = env.view_task(*task).await;
        assert_eq!(view.status, 3, "COMPLETED on chain");
        assert_eq!(
            view.results.to_vec(),
            format!("http://127.0.0.1:9/results/{task}").into_bytes()
        );
        // The timeline shows every step.
        let (own, replicates) = events(&env, *task).await;
        assert_eq!(
            own,
            [
                "CREATED",
                "INITIALIZE_SENT",
                "INITIALIZED",
                "REPLICATE_STARTED",
                "CONSENSUS_REACHED",
                "REVEALED",
                "UPLOAD_REQUESTED",
                "RESULT_UPLOADED",
                "FINALIZE_SENT",
                "FINALIZED",
            ]
        );
        // Trust 5 with fresh workers (weight 2): 3 agreeing replicates, no more.
        assert_eq!(replicates.len(), 3, "{replicates:?}");
        let mut uploaders = 0;
        for (worker, steps) in &replicates {
            let common =
                ["ASSIGNED", "DOWNLOADING", "COMPUTING", "COMPUTED", "CONTRIBUTED", "REVEALED"];
            assert_eq!(&steps[..6], common, "{worker}: {steps:?}");
            if steps.len() > 7 {
                assert_eq!(&steps[6..], ["UPLOAD_REQUESTED", "UPLOADING", "UPLOADED", "COMPLETE"]);
                uploaders += 1;
            } else {
                assert_eq!(&steps[6..], ["COMPLETE"]);
            }
            *wins.entry(*worker).or_default() += 1;
        }
        assert_eq!(uploaders, 1, "one uploader per task");
        // The protocol's split of this task.
        let contributors: Vec<_> = replicates
            .keys()
            .map(|_| Contributor {
                status: ContributionStatus::Proved,
                weight: contribution_weight(U256::ZERO),
            })
            .collect();
        let split = distribute_rewards(
            deal_view.workerpool.price,
            deal_view.workerStake,
            deal_view.schedulerRewardRatio,
            &contributors,
        )
        .unwrap();
        for (worker, payout) in replicates.keys().zip(&split.payouts) {
            let Payout::Winner { share, .. } = payout else { panic!("a loser") };
            *expected_gain.entry(*worker).or_default() += *share;
        }
    }
    // Scores and balances on chain follow the protocol's rules.
    for worker in &workers {
        let address = worker.address();
        let won = wins.get(&address).copied().unwrap_or(0);
        assert_eq!(env.score(address).await, U256::from(won), "score of {address}");
        let account = env.account(address).await;
        assert_eq!(account.locked, U256::ZERO, "nothing locked");
        assert_eq!(
            account.stake,
            before[&address] + expected_gain.get(&address).copied().unwrap_or_default(),
            "stake of {address}"
        );
    }
    assert_eq!(wins.values().sum::<u64>(), 15);
    for worker in &workers {
        worker.silent.store(true, std::sync::atomic::Ordering::SeqCst);
    }
    env.stop_engine().await;
}

async fn a_worker_that_stops_pinging_is_replaced_and_the_task_completes(db: Backend) {
    let mut env = Env::start(db).await;
    // The vanishing worker asks first, alone, and takes a replicate of the only task.
    let vanishing = Worker::new(
        env.key(Role::Worker(0)),
        &env.base,
        &env.client,
        env.hub,
        Script { vanish_after_computing: true, ..Script::honest() },
    );
    let _run = vanishing.spawn();
    let deal = env.deal(1, 3).await;
    let task = Env::task_ids(deal, 1)[0];
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
    while vanishing.log.lock().unwrap().ended.is_empty() {
        assert!(tokio::time::Instant::now() < deadline, "the vanishing worker never got the task");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let others: Vec<_> = (1..4)
        .map(|i| {
            Worker::new(env.key(Role::Worker(i)), &env.base, &env.client, env.hub, Script::honest())
        })
        .collect();
    let _runs: Vec<_> = others.iter().flat_map(|w| w.spawn()).collect();
    let records = env.wait_final(&[task], 120).await;
    assert_eq!(records[0].state, TaskState::Completed);
    let (_, replicates) = events(&env, task).await;
    let lost = &replicates[&vanishing.address()];
    assert_eq!(lost, &["ASSIGNED", "DOWNLOADING", "COMPUTING", "WORKER_LOST", "ABORT"]);
    let replicate = env
        .store
        .replicates(task)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.worker == vanishing.address())
        .unwrap();
    assert_eq!(replicate.state, ReplicateState::Aborted);
    // Trust 3: two agreeing fresh workers; the lost one was replaced, not counted.
    let completed = replicates.values().filter(|steps| steps.last().unwrap() == "COMPLETE").count();
    assert_eq!(completed, 2, "{replicates:?}");
    env.stop_engine().await;
}
