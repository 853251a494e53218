//! Apps that cannot run, with the REAL worker agents (`poco_worker::spawn`) against the REAL
//! scheduler and its engine, the real market and the real results service on the in-process
//! devchain, on SQLite and PostgreSQL (the pool and agents of `common::workers`):
//!
//! - an app whose on-chain checksum is not the SHA-256 of the module the workers fetch
//!   (`APP_CHECKSUM_MISMATCH`);
//! - an app whose multiaddr points at nothing: its URL answers 404 (`APP_NOT_FOUND`);
//! - a crashing app: a module that traps, and one that exits with code 3 without writing
//!   `computed.json` (`APP_CRASHED`).
//!
//! By the protocol's design (`ReplicateReport::Computed { failure }`), such a failure is not a
//! worker's own: each worker writes the same error result (`error.txt` holding the typed cause
//! and a detail that is the same on every worker, and a `computed.json` pointing to it) and
//! contributes it, so the replicas reach consensus on it and the requester reads why. So each
//! task here ends COMPLETED within seconds, never waiting for its contribution deadline: every
//! replicate COMPLETED (no extra replicate dispatched), each replicate's `COMPUTED` step carrying
//! the typed cause in the scheduler's timeline, the downloadable archive the error result, the
//! consensus its digest, each worker contributing and revealing once and paid as a winner.
#![allow(clippy::unwrap_used, clippy::too_many_lines, missing_docs, unreachable_pub)]

mod common;

use alloy::primitives::{Address, B256, U256};
use common::{
    REQUESTER,
    workers::{Agent, Pool, TASK_EVENTS, app_module, winner_steps_from},
};
use poco_db::Backend;
use poco_primitives::TaskId;
use poco_scheduler_api::{
    AppLogs, ReplicateFailureCause, ReplicateState, RequesterAccess, SchedulerDomain, Subject,
    TaskState, TaskView, Timeline, headers,
};
use std::{collections::HashMap, time::Duration};

/// Workers in each scenario; at trust 5 fresh workers need 3 agreeing contributions, so every
/// one of them contributes to every task.
const WORKERS: usize = 3;
const TRUST: u64 = 5;
/// Tasks per deal.
const VOLUME: u64 = 2;
/// The bound on a deal's tasks all being final ("well under a minute").
const FINAL_WITHIN_SECS: u64 = 30;

/// What a worker reports on a replicate whose download failed, up to its reveal: no
/// `COMPUTING`, the error result is `COMPUTED` straight from `DOWNLOADING`.
const DOWNLOAD_FAILED_STEPS: [&str; 7] =
    ["ASSIGNED", "DOWNLOADING", "COMPUTED", "CONTRIBUTING", "CONTRIBUTED", "REVEALING", "REVEALED"];
/// The same for an app that started and crashed.
const CRASHED_STEPS: [&str; 8] = [
    "ASSIGNED",
    "DOWNLOADING",
    "COMPUTING",
    "COMPUTED",
    "CONTRIBUTING",
    "CONTRIBUTED",
    "REVEALING",
    "REVEALED",
];

/// A WASI command whose `_start` traps at once:
/// `(module (func (export "_start") unreachable))`.
const TRAPPING_MODULE: &[u8] = &[
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version 1
    0x01, 0x04, 0x01, 0x60, 0x00, 0x00, // types: () -> ()
    0x03, 0x02, 0x01, 0x00, // functions: one of type 0
    0x07, 0x0a, 0x01, 0x06, b'_', b's', b't', b'a', b'r', b't', 0x00, 0x00, // export _start
    0x0a, 0x05, 0x01, 0x03, 0x00, 0x00, 0x0b, // code: unreachable, end
];

/// A WASI command that exits with code 3 and writes nothing:
/// `(module (import "wasi_snapshot_preview1" "proc_exit" (func (param i32)))
///  (memory (export "memory") 1) (func (export "_start") i32.const 3 call 0))`.
const EXITING_MODULE: &[u8] = &[
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version 1
    0x01, 0x08, 0x02, 0x60, 0x01, 0x7f, 0x00, 0x60, 0x00,
    0x00, // types: (i32) -> (), () -> ()
    0x02, 0x24, 0x01, // imports: one
    0x16, b'w', b'a', b's', b'i', b'_', b's', b'n', b'a', b'p', b's', b'h', b'o', b't', b'_', b'p',
    b'r', b'e', b'v', b'i', b'e', b'w', b'1', // "wasi_snapshot_preview1"
    0x09, b'p', b'r', b'o', b'c', b'_', b'e', b'x', b'i', b't', 0x00,
    0x00, // "proc_exit", type 0
    0x03, 0x02, 0x01, 0x01, // functions: one of type 1
    0x05, 0x03, 0x01, 0x00, 0x01, // memory: one page
    0x07, 0x13, 0x02, // exports: two
    0x06, b'_', b's', b't', b'a', b'r', b't', 0x00, 0x01, // _start: function 1
    0x06, b'm', b'e', b'm', b'o', b'r', b'y', 0x02, 0x00, // memory 0
    0x0a, 0x08, 0x01, 0x06, 0x00, 0x41, 0x03, 0x10, 0x00,
    0x0b, // code: i32.const 3, call 0, end
];

/// The pool with `WORKERS` running agents; answers them with the pool.
async fn pool_with_workers(backend: Backend) -> (Pool, Vec<Agent>) {
    let pool = Pool::start(backend).await;
    let mut agents = Vec::new();
    for n in 0..WORKERS {
        let mut agent = pool.agent(n).await;
        agent.start().await;
        agents.push(agent);
    }
    pool.wait_alive(WORKERS as u64).await;
    (pool, agents)
}

/// A failing app's deal: its tasks all end COMPLETED quickly with the error result `error` for
/// `cause`, and every replicate COMPLETED with `cause` on its `COMPUTED` step (after `steps`).
/// Answers the tasks.
async fn check_error_results(
    pool: &Pool,
    agents: &[Agent],
    app: Address,
    cause: ReplicateFailureCause,
    error: &str,
    steps: &[&str],
) -> Vec<TaskId> {
    let workers: Vec<Address> = agents.iter().map(Agent::address).collect();
    let before = pool.ledger(&workers).await;
    let started = std::time::Instant::now();
    let deal = pool.buy_app(app, VOLUME, TRUST, false).await;
    let tasks: Vec<TaskId> = (0..VOLUME).map(|i| deal.task(U256::from(i))).collect();
    pool.wait_final(&tasks, FINAL_WITHIN_SECS).await;
    eprintln!("{cause}: {} tasks final {:?} after the deal", tasks.len(), started.elapsed());

    let base = pool.scheduler.url();
    for &task in &tasks {
        // The requester's view: COMPLETED, no failure, every replicate on the winning side.
        let view: TaskView = pool
            .env
            .http
            .get(format!("{base}/v1/tasks/{task}"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(view.state, TaskState::Completed, "{task}: {view:?}");
        assert_eq!(view.failure, None, "{task}");
        assert_eq!(view.replicates.len(), WORKERS, "{task}: no replicate beyond the workers");
        for replicate in &view.replicates {
            assert_eq!(replicate.state, ReplicateState::Completed, "{task}: {replicate:?}");
            assert!(replicate.result_hash.is_some(), "{task}: {replicate:?}");
        }

        // Each replicate's steps, its COMPUTED step carrying the cause; the task's own steps
        // are a completed task's, one worker uploaded.
        let (own, replicates) = pool.events(task).await;
        assert_eq!(own, TASK_EVENTS, "{task}");
        assert_eq!(replicates.len(), WORKERS, "{task}: {replicates:?}");
        let uploaders = workers
            .iter()
            .filter(|worker| winner_steps_from(task, **worker, &replicates[*worker], steps))
            .count();
        assert_eq!(uploaders, 1, "{task}: one uploader");
        let timeline: Timeline = pool
            .env
            .http
            .get(format!("{base}/v1/tasks/{task}/timeline"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let mut computed: HashMap<Address, Option<serde_json::Value>> = HashMap::new();
        for entry in timeline.entries.into_iter().filter(|e| e.event == "COMPUTED") {
            let Subject::Replicate { worker } = entry.subject else { panic!("{entry:?}") };
            assert!(computed.insert(worker, entry.details).is_none(), "{task}: COMPUTED twice");
        }
        let expected = serde_json::json!({ "failure": cause.as_str() });
        for worker in &workers {
            assert_eq!(computed[worker].as_ref(), Some(&expected), "{task}: {worker}");
        }

        // On chain and in the results service: the error result, the same for every worker.
        let contributors = pool.view_task(task).await.contributors;
        assert_eq!(contributors.len(), WORKERS, "{task}: {contributors:?}");
        let files = pool.check_result_file(task, "error.txt", error).await;
        assert_eq!(
            files.keys().map(String::as_str).collect::<Vec<_>>(),
            ["computed.json", "error.txt"],
            "{task}"
        );
        let computed_json: serde_json::Value =
            serde_json::from_slice(&files["computed.json"]).unwrap();
        assert_eq!(
            computed_json,
            serde_json::json!({
                "deterministic-output-path": "/iexec_out/error.txt",
                "error-message": error.trim_end(),
            }),
            "{task}"
        );
    }
    // Each worker contributed and revealed once per task, and was paid as a winner.
    pool.check_rewards(deal, &tasks, &before).await;
    tasks
}

async fn stop(pool: Pool, agents: Vec<Agent>) {
    for mut agent in agents {
        agent.stop().await;
    }
    pool.stop().await;
}

async fn an_app_whose_checksum_differs_ends_in_an_error_result(backend: Backend) {
    let (pool, agents) = pool_with_workers(backend).await;
    // The hello module, registered with the checksum of another module.
    let module = app_module("hello");
    let fetched = poco_worker::result::sha256(&std::fs::read(&module).unwrap());
    let on_chain = poco_worker::result::sha256(&std::fs::read(app_module("fail")).unwrap());
    assert_ne!(fetched, on_chain);
    let app = pool.create_app("e2e wrong checksum", &module.display().to_string(), on_chain).await;
    let error = format!(
        "APP_CHECKSUM_MISMATCH: app {app}: SHA-256 {fetched} differs from the on-chain checksum \
         {on_chain}\n"
    );
    check_error_results(
        &pool,
        &agents,
        app,
        ReplicateFailureCause::AppChecksumMismatch,
        &error,
        &DOWNLOAD_FAILED_STEPS,
    )
    .await;
    stop(pool, agents).await;
}

async fn a_missing_app_ends_in_an_error_result(backend: Backend) {
    let (pool, agents) = pool_with_workers(backend).await;
    // A URL on a live host that has no such module (it answers 404).
    let url = pool.inputs.url.replace("/input.txt", "/apps/missing.wasm");
    let app = pool.create_app("e2e missing app", &url, B256::repeat_byte(0x11)).await;
    let error = format!("APP_NOT_FOUND: app {app} not found at {url}\n");
    check_error_results(
        &pool,
        &agents,
        app,
        ReplicateFailureCause::AppNotFound,
        &error,
        &DOWNLOAD_FAILED_STEPS,
    )
    .await;
    stop(pool, agents).await;
}

async fn a_crashing_app_ends_in_an_error_result(backend: Backend) {
    let (pool, agents) = pool_with_workers(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let requester = &pool.env.keys[REQUESTER];
    let domain =
        SchedulerDomain { chain_id: pool.env.devchain.chain_id(), workerpool: pool.env.pool };
    let cases = [
        ("trap", TRAPPING_MODULE, "APP_CRASHED: the app crashed\n", None),
        (
            "exit3",
            EXITING_MODULE,
            "APP_CRASHED: the app exited with code 3 without computed.json\n",
            Some(3),
        ),
    ];
    for (name, bytes, error, exit_code) in cases {
        let module = dir.path().join(format!("{name}.wasm"));
        std::fs::write(&module, bytes).unwrap();
        let checksum = poco_worker::result::sha256(bytes);
        let app =
            pool.create_app(&format!("e2e {name}"), &module.display().to_string(), checksum).await;
        let tasks = check_error_results(
            &pool,
            &agents,
            app,
            ReplicateFailureCause::AppCrashed,
            error,
            &CRASHED_STEPS,
        )
        .await;
        // The requester reads each worker's logs of the run: its exit code, if it exited.
        let expires = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap()
            + Duration::from_secs(600);
        for task in tasks {
            let access = RequesterAccess::sign(requester, domain, task, expires.as_secs()).unwrap();
            for agent in &agents {
                let url = format!(
                    "{}/v1/tasks/{task}/replicates/{}/logs",
                    pool.scheduler.url(),
                    agent.address()
                );
                let logs: AppLogs = pool
                    .env
                    .http
                    .get(url)
                    .header(headers::REQUESTER, access.requester.to_string())
                    .header(headers::EXPIRES, access.expires_at.to_string())
                    .header(headers::SIGNATURE, access.signature.to_string())
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                assert_eq!(logs.exit_code, exit_code, "{name} {task}: {logs:?}");
            }
        }
    }
    stop(pool, agents).await;
}

poco_db::on_both_backends!(
    an_app_whose_checksum_differs_ends_in_an_error_result,
    a_missing_app_ends_in_an_error_result,
    a_crashing_app_ends_in_an_error_result,
);
