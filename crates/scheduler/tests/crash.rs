//! Crash test: the `poco-scheduler` binary is killed with SIGKILL at 20 random points across a
//! run of 20 tasks (4 deals of 5 tasks at trust 3, two of them made while the scheduler is
//! down) and restarted each time on the same SQLite database, while 4 real workers
//! (`poco-worker`, WASM sandbox, journals of their own) run the tasks and the real results
//! service stores the results. At the end:
//! - every task completed on chain, or ended `FAILED` with a cause (claimable);
//! - no worker sent two `contribute` (or two `reveal`) for one task, and no transaction of the
//!   scheduler reverted (nothing it did was done twice: no second `initialize` or `finalize`);
//! - each task's timeline shows each step once (`INITIALIZED`, `FINALIZED`), every deal is stored
//!   once.
//!
//! The kill points come from a seed printed at the start (`POCO_CRASH_SEED` replays a run).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs, unreachable_pub)]

use alloy::{
    consensus::Transaction as _, eips::BlockNumberOrTag, network::TransactionResponse,
    providers::Provider, sol_types::SolCall,
};
use alloy_primitives::{Address, B256, Bytes, U256};
use poco_chain::ChainConfig;
use poco_compat::{Actors, Driver, Protocol, Role, harness::dev_provider, orders::MatchOrders};
use poco_contracts::bindings::{AppRegistry, IPoco};
use poco_devchain::DevChainConfig;
use poco_primitives::{AppOrder, DealId, RequestOrder, TaskId};
use poco_results::{ResultsConfig, StoreConfig};
use poco_scheduler::Store;
use poco_scheduler_api::{Executor, Subject, TaskState, TaskView, paths};
use poco_worker::{Backoff, WorkerConfig};
use sha2::{Digest, Sha256};
use std::{
    collections::{HashMap, HashSet},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::Duration,
};

const KILLS: usize = 20;
const DEALS: u64 = 4;
const TASKS_PER_DEAL: u64 = 5;
const TRUST: u64 = 3;
const WORKERS: usize = 4;

/// splitmix64: the kill points, replayable from the printed seed.
struct Points(u64);

impl Points {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A pause in `[min, max)` ms.
    fn pause(&mut self, min: u64, max: u64) -> Duration {
        Duration::from_millis(min + self.next() % (max - min))
    }
}

/// The scheduler as a child process, always on the same address and database.
struct Scheduler {
    args: Vec<String>,
    log: PathBuf,
    url: String,
    child: Option<Child>,
    starts: usize,
}

impl Scheduler {
    fn start(&mut self) {
        let log = std::fs::OpenOptions::new().create(true).append(true).open(&self.log).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_poco-scheduler"))
            .args(&self.args)
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("the scheduler binary starts");
        self.child = Some(child);
        self.starts += 1;
    }

    /// SIGKILL, as a crash: nothing is flushed or withdrawn.
    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().unwrap();
            child.wait().unwrap();
        }
    }

    async fn wait_ready(&mut self, http: &reqwest::Client) {
        let url = format!("{}{}", self.url, paths::CONFIG);
        for _ in 0..400 {
            if let Some(child) = self.child.as_mut()
                && let Some(status) = child.try_wait().unwrap()
            {
                panic!("the scheduler exited ({status}): see {}", self.log.display());
            }
            if http.get(&url).send().await.is_ok_and(|r| r.status().is_success()) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("the scheduler never answered: see {}", self.log.display());
    }
}

impl Drop for Scheduler {
    fn drop(&mut self) {
        self.kill();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn module(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../apps").join(name).join(format!("{name}.wasm"))
}

/// `POCO_CRASH_SEED`, or a random seed.
// The test's edge: one variable, read once.
#[allow(clippy::disallowed_methods)]
fn seed() -> u64 {
    std::env::var("POCO_CRASH_SEED")
        .ok()
        .and_then(|seed| seed.parse().ok())
        .unwrap_or_else(|| u64::from_be_bytes(B256::random().0[..8].try_into().unwrap()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_scheduler_killed_20_times_loses_nothing() {
    let seed = seed();
    eprintln!("crash test seed: {seed} (POCO_CRASH_SEED={seed} replays the kill points)");
    let mut points = Points(seed);

    // The chain, its actors (workers' stakes deposited), the results service.
    let chain = poco_devchain::spawn(DevChainConfig::test().with_accounts(16)).await.unwrap();
    let keys: Vec<_> = chain.dev_accounts().iter().map(|a| a.signer.clone()).collect();
    let rpc: url::Url = chain.http_endpoint().parse().unwrap();
    let provider = Provider::erased(dev_provider(rpc.clone(), &keys, chain.chain_id()));
    let deployment = *chain.deployment().unwrap();
    let hub = deployment.hub;
    let mut driver =
        Driver::new(provider.clone(), Protocol::poco(&deployment), Actors::new(&keys), "crash");
    driver.setup().await.unwrap();
    let workerpool = driver.workerpool_order(1, 1).unwrap().workerpool;
    let dir = tempfile::tempdir().unwrap();
    let results = poco_results::spawn(
        ResultsConfig::new(
            StoreConfig::Local { root: dir.path().join("results") },
            ChainConfig::new(rpc.clone(), chain.chain_id()),
            hub,
        )
        .with_listen("127.0.0.1:0".parse().unwrap()),
    )
    .await
    .unwrap();

    // The WASM hello app, owned by the app owner.
    let wasm = module("hello");
    let checksum = B256::from_slice(&Sha256::digest(std::fs::read(&wasm).unwrap()));
    let owner = driver.address(Role::AppOwner);
    let registry = AppRegistry::new(deployment.app_registry, provider.clone());
    let create = registry
        .createApp(
            owner,
            "crash-test hello".into(),
            "WASM".into(),
            Bytes::copy_from_slice(wasm.display().to_string().as_bytes()),
            checksum,
            Bytes::new(),
        )
        .from(owner);
    let app = create.call().await.unwrap();
    driver.send("createApp", "createApp(hello)".to_owned(), create).await.unwrap();

    // The scheduler binary: the pool owner's key in a file, SQLite in its data dir.
    let scheduler_key = driver.key(Role::Scheduler).clone();
    let key_file = dir.path().join("scheduler.key");
    std::fs::write(&key_file, scheduler_key.to_bytes().to_string()).unwrap();
    let data_dir = dir.path().join("scheduler");
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}");
    let args: Vec<String> = [
        "--rpc-url",
        rpc.as_str(),
        "--chain-id",
        &chain.chain_id().to_string(),
        "--hub",
        &hub.to_string(),
        "--workerpool",
        &workerpool.to_string(),
        "--key-file",
        &key_file.display().to_string(),
        "--data-dir",
        &data_dir.display().to_string(),
        "--listen",
        &format!("127.0.0.1:{port}"),
        "--results-url",
        &results.url(),
        "--heartbeat-period-ms",
        "200",
        "--lost-after-ms",
        "4000",
        "--max-wait-ms",
        "500",
        "--poll-interval-ms",
        "50",
        "--tick-period-ms",
        "100",
        "--upload-timeout-ms",
        "5000",
    ]
    .iter()
    .map(ToString::to_string)
    .collect();
    let mut scheduler = Scheduler {
        args,
        log: dir.path().join("scheduler.log"),
        url: url.clone(),
        child: None,
        starts: 0,
    };
    let http = reqwest::Client::new();
    scheduler.start();
    scheduler.wait_ready(&http).await;

    // Four real workers, two slots each.
    let mut handles = Vec::new();
    for i in 0..WORKERS {
        let config = WorkerConfig::new(
            url.parse().unwrap(),
            ChainConfig::new(rpc.clone(), chain.chain_id()),
            hub,
            dir.path().join(format!("worker-{i}")),
        )
        .with_executors([Executor::Wasm])
        .with_parallel_tasks(2)
        .with_wait_ms(300)
        .with_backoff(Backoff { min: Duration::from_millis(50), max: Duration::from_millis(400) });
        handles
            .push(poco_worker::spawn(config, driver.key(Role::Worker(i)).clone()).await.unwrap());
    }

    // Deals: two now, the other two while the scheduler is down (after the 3rd and 8th kills).
    let mut deals = Vec::new();
    let make_deal = async |driver: &mut Driver| -> DealId {
        let app_order = AppOrder { app, ..driver.app_order(TASKS_PER_DEAL).unwrap() };
        let pool_order = driver.workerpool_order(TASKS_PER_DEAL, TRUST).unwrap();
        let request = RequestOrder {
            app,
            params: serde_json::json!({ "iexec_args": "crash test" }).to_string(),
            ..driver.request_order(TASKS_PER_DEAL, TRUST, false).unwrap()
        };
        let orders = MatchOrders {
            app: driver.sign(Role::AppOwner, app_order).unwrap(),
            dataset: None,
            workerpool: driver.sign(Role::Scheduler, pool_order).unwrap(),
            request: driver.sign(Role::Requester, request).unwrap(),
        };
        driver.match_orders(&orders).await.unwrap()
    };
    deals.push(make_deal(&mut driver).await);
    deals.push(make_deal(&mut driver).await);

    for kill in 1..=KILLS {
        tokio::time::sleep(points.pause(150, 1_200)).await;
        scheduler.kill();
        if kill == 3 || kill == 8 {
            deals.push(make_deal(&mut driver).await);
        }
        tokio::time::sleep(points.pause(0, 300)).await;
        scheduler.start();
        scheduler.wait_ready(&http).await;
    }
    assert_eq!(scheduler.starts, KILLS + 1);
    assert_eq!(deals.len() as u64, DEALS);

    // Every task ends: completed, or failed with a cause (claimable after its deadline).
    let tasks: Vec<TaskId> = deals
        .iter()
        .flat_map(|deal| (0..TASKS_PER_DEAL).map(|i| TaskId::derive(*deal, U256::from(i))))
        .collect();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(240);
    let views = loop {
        let mut views = Vec::new();
        for task in &tasks {
            let response = http.get(format!("{url}/v1/tasks/{task}")).send().await.unwrap();
            if response.status().is_success() {
                views.push(response.json::<TaskView>().await.unwrap());
            }
        }
        if views.len() == tasks.len() && views.iter().all(|view| view.state.is_final()) {
            break views;
        }
        if tokio::time::Instant::now() >= deadline {
            let log = std::fs::read_to_string(&scheduler.log).unwrap_or_default();
            let mut report = String::new();
            for view in views.iter().filter(|view| !view.state.is_final()) {
                let timeline = http
                    .get(format!("{url}/v1/tasks/{}/timeline", view.task_id))
                    .send()
                    .await
                    .unwrap()
                    .text()
                    .await
                    .unwrap();
                let id = view.task_id.to_string();
                let lines: Vec<_> = log.lines().filter(|line| line.contains(&id)).collect();
                report += &format!(
                    "\n{id} {}: {timeline}\nlog:\n{}",
                    view.state,
                    lines[lines.len().saturating_sub(40)..].join("\n")
                );
            }
            panic!("tasks not final after the crashes (seed {seed}):{report}");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let hub_view = IPoco::new(hub, provider.clone());
    let mut completed = 0;
    for view in &views {
        let on_chain = hub_view.viewTask(view.task_id.0).call().await.unwrap();
        match view.state {
            TaskState::Completed => {
                assert_eq!(on_chain.status, 3, "{}: COMPLETED on chain", view.task_id);
                completed += 1;
            }
            TaskState::Failed => {
                assert!(view.failure.is_some(), "{}: failed without a cause", view.task_id);
                assert_ne!(on_chain.status, 3, "{}: failed here, completed there", view.task_id);
            }
            other => panic!("{}: not final: {other}", view.task_id),
        }
    }
    eprintln!(
        "crash test: {completed}/{} tasks completed, {} scheduler starts",
        tasks.len(),
        scheduler.starts
    );
    scheduler.kill();
    for handle in handles {
        handle.kill();
    }

    // The chain's history: no worker contributed or revealed twice, no scheduler tx reverted.
    let head = provider.get_block_number().await.unwrap();
    let mut contributions: HashMap<(Address, B256), usize> = HashMap::new();
    let mut reveals: HashMap<(Address, B256), usize> = HashMap::new();
    let scheduler_address = scheduler_key.address();
    for number in 0..=head {
        let block = provider
            .get_block_by_number(BlockNumberOrTag::Number(number))
            .full()
            .await
            .unwrap()
            .unwrap();
        for tx in block.transactions.txns() {
            let from = tx.from();
            let input = tx.input();
            if from == scheduler_address {
                let receipt =
                    provider.get_transaction_receipt(tx.tx_hash()).await.unwrap().unwrap();
                assert!(receipt.status(), "a scheduler transaction reverted: {}", tx.tx_hash());
            }
            if let Ok(call) = IPoco::contributeCall::abi_decode(input) {
                *contributions.entry((from, call.taskId)).or_default() += 1;
            }
            if let Ok(call) = IPoco::revealCall::abi_decode(input) {
                *reveals.entry((from, call.taskId)).or_default() += 1;
            }
        }
    }
    for ((worker, task), n) in contributions.iter().chain(&reveals) {
        assert_eq!(*n, 1, "{worker} sent {n} transactions for task {task}");
    }
    assert!(!contributions.is_empty());

    // The store: each deal once, each step of each task once.
    let store = Store::connect(&Store::sqlite_url(&data_dir)).await.unwrap();
    assert_eq!(store.deal_count().await.unwrap(), DEALS);
    for task in &tasks {
        let timeline = store.timeline(*task).await.unwrap();
        let own: Vec<_> = timeline
            .iter()
            .filter(|entry| entry.subject == Subject::Task)
            .map(|entry| entry.event.as_str())
            .collect();
        let once: HashSet<_> = ["CREATED", "INITIALIZED", "FINALIZED"].into();
        for event in &once {
            let n = own.iter().filter(|e| *e == event).count();
            assert!(n <= 1, "{task}: {event} {n} times: {own:?}");
        }
        let mut replicate_steps: HashMap<Address, Vec<&str>> = HashMap::new();
        for entry in &timeline {
            if let Subject::Replicate { worker } = entry.subject {
                replicate_steps.entry(worker).or_default().push(entry.event.as_str());
            }
        }
        for (worker, steps) in replicate_steps {
            let contributed = steps.iter().filter(|e| **e == "CONTRIBUTED").count();
            assert!(contributed <= 1, "{task} {worker}: {steps:?}");
        }
    }
    results.shutdown().await.unwrap();
    chain.shutdown().await.unwrap();
}
