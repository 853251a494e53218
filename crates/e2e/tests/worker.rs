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
//! The only stand-in is the requester's input-file host (`InputHost`), whose answers wait at a
//! gate the test opens: it holds a worker in `DOWNLOADING` for as long as a scenario needs.
#![allow(clippy::unwrap_used, clippy::too_many_lines, missing_docs, unreachable_pub)]

mod common;

use alloy::{
    primitives::{Address, B256, Bytes, U256},
    providers::Provider,
    signers::local::PrivateKeySigner,
};
use common::{APP_OWNER, Env, REQUESTER, abi_app, abi_no_dataset, abi_pool, abi_request, send};
use poco_chain::ChainConfig;
use poco_contracts::bindings::{AppRegistry, IPoco, RLC};
use poco_db::{Backend, testing::TestDb};
use poco_primitives::{
    AppOrder, ContributionStatus, DealId, RequestOrder, TaskId,
    consensus::contribution_weight,
    contribution::result_hash,
    rewards::{Contributor, Payout, distribute_rewards},
    sign_order,
};
use poco_results::{ResultsConfig, ResultsHandle, StoreConfig};
use poco_results_api::{CheckReport, CheckState};
use poco_scheduler::{EngineConfig, SchedulerHandle};
use poco_scheduler_api::{ReplicateState, Subject, TaskState};
use poco_worker::{Backoff, WorkerConfig, WorkerHandle};
use std::{
    collections::{HashMap, HashSet},
    time::Duration,
};
use tokio::sync::watch;

/// Workers are dev accounts 5 to 8 (0 deploys, 1 owns the apps, 3 runs the pool, 4 buys).
const FIRST_WORKER: usize = 5;
/// Each worker's deposit (its stake), in nRLC.
const WORKER_DEPOSIT: u64 = 1_000 * common::RLC;
/// How often workers ping.
const HEARTBEAT_MS: u64 = 200;
/// What the hello app writes for the deals' `iexec_args`.
const HELLO: &str = "Hello, e2e!\n";

/// The requester's input-file host: `GET /input.txt` answers once the gate is open.
struct InputHost {
    url: String,
    gate: watch::Sender<bool>,
    server: tokio::task::JoinHandle<()>,
}

impl InputHost {
    async fn start() -> Self {
        let (gate, opened) = watch::channel(false);
        let app = axum::Router::new().route(
            "/input.txt",
            axum::routing::get(move || {
                let mut opened = opened.clone();
                async move {
                    let _ = opened.wait_for(|open| *open).await;
                    "an input file of the e2e requester\n"
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/input.txt", listener.local_addr().unwrap());
        let server = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Self { url, gate, server }
    }

    fn open(&self) {
        self.gate.send_replace(true);
    }
}

impl Drop for InputHost {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// Everything but the workers: chain, market, results service, scheduler with its engine, the
/// WASM hello app, and the input host.
struct Pool {
    env: Env,
    backend: Backend,
    scheduler: SchedulerHandle,
    results: ResultsHandle,
    _results_dir: tempfile::TempDir,
    /// The hello app (WASM, its real checksum on chain).
    app: Address,
    inputs: InputHost,
}

impl Pool {
    async fn start(backend: Backend) -> Self {
        let env = Env::new(backend).await;
        let deployment = *env.devchain.deployment().unwrap();

        // The hello app from apps/, registered with the SHA-256 of its module.
        let module = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../apps/hello/hello.wasm")
            .canonicalize()
            .unwrap();
        let checksum = poco_worker::result::sha256(&std::fs::read(&module).unwrap());
        let owner = env.address(APP_OWNER);
        let apps = AppRegistry::new(deployment.app_registry, env.provider.clone());
        let create = apps
            .createApp(
                owner,
                "e2e hello (wasm)".into(),
                "WASM".into(),
                Bytes::from(module.display().to_string().into_bytes()),
                checksum,
                Bytes::new(),
            )
            .from(owner);
        let app = create.clone().call().await.unwrap();
        send(create).await;

        // Every worker's stake.
        let rlc = RLC::new(deployment.rlc, env.provider.clone());
        let hub = env.hub();
        for index in FIRST_WORKER..FIRST_WORKER + 4 {
            let worker = env.address(index);
            let amount = U256::from(WORKER_DEPOSIT);
            send(rlc.approve(env.hub, amount).from(worker)).await;
            send(hub.deposit(amount).from(worker)).await;
        }

        let results_dir = tempfile::tempdir().unwrap();
        let chain = ChainConfig::new(
            env.devchain.http_endpoint().parse().unwrap(),
            env.devchain.chain_id(),
        )
        .with_poll_interval(Duration::from_millis(100));
        let results = poco_results::spawn(
            ResultsConfig::new(
                StoreConfig::Local { root: results_dir.path().join("store") },
                chain,
                env.hub,
            )
            .with_listen("127.0.0.1:0".parse().unwrap()),
        )
        .await
        .unwrap();

        let mut config = env.scheduler_config(16);
        config.results_url = results.url();
        config.heartbeat_period = Duration::from_millis(HEARTBEAT_MS);
        config.max_wait = Duration::from_secs(1);
        config.engine = EngineConfig {
            tick_period: Duration::from_millis(100),
            loss_period: Duration::from_millis(100),
            detector_period: Duration::from_millis(500),
            upload_timeout: Duration::from_secs(10),
            ..EngineConfig::default()
        };
        if let Some(publisher) = config.publisher.as_mut() {
            publisher.trust = U256::from(5);
            publisher.startup_grace = Duration::ZERO;
        }
        let scheduler = env.scheduler(config).await;
        Self {
            env,
            backend,
            scheduler,
            results,
            _results_dir: results_dir,
            app,
            inputs: InputHost::start().await,
        }
    }

    /// A worker agent of dev account `FIRST_WORKER + n`, with its own data folder and journal.
    async fn agent(&self, n: usize) -> Agent {
        let key = self.env.keys[FIRST_WORKER + n].clone();
        let journal = TestDb::new(self.backend, "e2e_worker").await;
        let chain = ChainConfig::new(
            self.env.devchain.http_endpoint().parse().unwrap(),
            self.env.devchain.chain_id(),
        )
        .with_poll_interval(Duration::from_millis(50));
        let data_dir = tempfile::tempdir().unwrap();
        let mut config = WorkerConfig::new(
            self.scheduler.url().parse().unwrap(),
            chain,
            self.env.hub,
            data_dir.path(),
        )
        .with_parallel_tasks(2)
        .with_wait_ms(1_000)
        .with_backoff(Backoff { min: Duration::from_millis(50), max: Duration::from_millis(500) })
        .with_db_url(journal.url.clone());
        config.name = format!("e2e-worker-{n}");
        config.http_timeout = Duration::from_secs(30);
        Agent { key, config, _data_dir: data_dir, _journal: journal, handle: None }
    }

    /// Waits (bounded) until the scheduler counts `alive` workers.
    async fn wait_alive(&self, alive: u64) {
        for _ in 0..200 {
            let stats = poco_scheduler::pool_stats(self.scheduler.workers(), 0).await.unwrap();
            if stats.alive_workers == alive {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the scheduler never counted {alive} alive workers");
    }

    /// The requester buys `volume` tasks of the hello app at `trust` from the pool's order on
    /// the market (published by the scheduler for its registered workers), with the input host's
    /// file when `with_input`. Answers the deal.
    async fn buy(&self, volume: u64, trust: u64, with_input: bool) -> DealId {
        let env = &self.env;
        self.scheduler.publisher().unwrap().reconcile().await.unwrap();
        let orders = env
            .wait_orders("a pool order for the deal", |orders| {
                orders.iter().any(|o| o.remaining >= U256::from(volume))
            })
            .await;
        let pool_order =
            orders.into_iter().find(|o| o.remaining >= U256::from(volume)).unwrap().order;
        assert!(pool_order.is_signed_by(env.address(common::SCHEDULER), &env.domain));
        assert_eq!(pool_order.trust, U256::from(5));

        let app_order = AppOrder {
            app: self.app,
            appprice: U256::ZERO,
            volume: U256::from(100),
            salt: B256::random(),
            ..Default::default()
        };
        let app_order = sign_order(&env.keys[APP_OWNER], app_order, &env.domain).unwrap();
        let mut params = serde_json::json!({ "iexec_args": "e2e" });
        if with_input {
            params["iexec_input_files"] = serde_json::json!([self.inputs.url]);
        }
        let request = RequestOrder {
            app: self.app,
            appmaxprice: U256::ZERO,
            dataset: Address::ZERO,
            datasetmaxprice: U256::ZERO,
            workerpool: Address::ZERO,
            workerpoolmaxprice: U256::from(common::POOL_PRICE),
            requester: env.address(REQUESTER),
            volume: U256::from(volume),
            tag: B256::ZERO,
            category: U256::ZERO,
            trust: U256::from(trust),
            beneficiary: env.address(REQUESTER),
            callback: Address::ZERO,
            params: params.to_string(),
            salt: B256::random(),
        };
        let request = sign_order(&env.keys[REQUESTER], request, &env.domain).unwrap();
        let hub = env.hub();
        let consumed = hub.viewConsumed(request.hash(&env.domain).0).call().await.unwrap();
        let call = hub
            .matchOrders(
                abi_app(&app_order),
                abi_no_dataset(),
                abi_pool(&pool_order),
                abi_request(&request),
            )
            .from(env.address(REQUESTER));
        send(call).await;
        let deal = DealId::derive(request.hash(&env.domain), consumed);
        let view = hub.viewDeal(deal.0).call().await.unwrap();
        assert_eq!((view.botSize, view.trust), (U256::from(volume), U256::from(trust)));
        deal
    }

    /// Waits (bounded) until every task is final in the scheduler's store, and so is each of
    /// its replicates (they are settled just after the task).
    async fn wait_final(&self, tasks: &[TaskId], secs: u64) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
        let store = self.scheduler.store();
        loop {
            let mut states = Vec::new();
            let mut settled = true;
            for task in tasks {
                states.push(store.task(*task).await.unwrap().map(|r| r.state));
                let replicates = store.replicates(*task).await.unwrap();
                settled &= replicates.iter().all(|r| r.state.is_final());
            }
            if settled && states.iter().all(|state| state.is_some_and(TaskState::is_final)) {
                return;
            }
            if tokio::time::Instant::now() >= deadline {
                for task in tasks {
                    eprintln!("{task}: {:#?}", self.scheduler.store().timeline(*task).await);
                }
                panic!("tasks not final in {secs} s: {states:?}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits (bounded) until `worker`'s replicate of `task` is in `state`.
    async fn wait_replicate(&self, task: TaskId, worker: Address, state: ReplicateState) {
        let mut seen = None;
        for _ in 0..600 {
            let replicates = self.scheduler.store().replicates(task).await.unwrap();
            seen = replicates.into_iter().find(|r| r.worker == worker).map(|r| r.state);
            if seen == Some(state) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("{worker}'s replicate of {task} never reached {state}: {seen:?}");
    }

    /// The task's own events and each replicate's, in timeline order (checked gapless), each
    /// with its cause when it has one (`ABORT(CONSENSUS_REACHED)`).
    async fn events(&self, task: TaskId) -> (Vec<String>, HashMap<Address, Vec<String>>) {
        let timeline = self.scheduler.store().timeline(task).await.unwrap();
        let mut own = Vec::new();
        let mut replicates: HashMap<Address, Vec<String>> = HashMap::new();
        for (i, mut entry) in timeline.into_iter().enumerate() {
            assert_eq!(entry.seq, i as u64 + 1, "gapless timeline");
            if let Some(cause) = entry.cause {
                entry.event = format!("{}({cause})", entry.event);
            }
            match entry.subject {
                Subject::Task => own.push(entry.event),
                Subject::Replicate { worker } => {
                    replicates.entry(worker).or_default().push(entry.event);
                }
            }
        }
        (own, replicates)
    }

    async fn nonce(&self, who: Address) -> u64 {
        self.env.provider.get_transaction_count(who).await.unwrap()
    }

    async fn view_task(&self, task: TaskId) -> IPoco::Task {
        self.env.hub().viewTask(task.0).call().await.unwrap()
    }

    /// Each worker's (score, stake, transactions sent).
    async fn ledger(&self, workers: &[Address]) -> HashMap<Address, (U256, U256, u64)> {
        let hub = self.env.hub();
        let mut ledger = HashMap::new();
        for &worker in workers {
            let score = hub.viewScore(worker).call().await.unwrap();
            let account = hub.viewAccount(worker).call().await.unwrap();
            assert_eq!(account.locked, U256::ZERO, "{worker}: nothing locked between tasks");
            ledger.insert(worker, (score, account.stake, self.nonce(worker).await));
        }
        ledger
    }

    /// The task is COMPLETED on chain, its consensus is the hello result, and the archive the
    /// results service serves is that result (and its own check says VERIFIED).
    async fn check_result(&self, task: TaskId) {
        let view = self.view_task(task).await;
        assert_eq!(view.status, 3, "{task}: COMPLETED on chain");
        let url = format!("{}{}", self.results.url(), poco_results_api::paths::result(task));
        let response = self.env.http.get(url).send().await.unwrap();
        assert_eq!(response.status(), 200, "{task}: the result is downloadable");
        let archive = response.bytes().await.unwrap().to_vec();
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(archive)).unwrap();
        let mut text = String::new();
        std::io::Read::read_to_string(&mut zip.by_name("result.txt").unwrap(), &mut text).unwrap();
        assert_eq!(text, HELLO);
        let digest = poco_worker::result::sha256(text.as_bytes());
        assert_eq!(view.resultDigest, digest, "{task}: the revealed digest is the result's");
        assert_eq!(view.consensusValue, result_hash(task, digest), "{task}: the consensus");
        let url = format!("{}{}", self.results.url(), poco_results_api::paths::check(task));
        let check: CheckReport = self.env.http.get(url).send().await.unwrap().json().await.unwrap();
        assert_eq!(check.state, CheckState::Verified, "{check:?}");
    }

    /// Scores, stakes and transaction counts of `workers` after `tasks` (all COMPLETED) follow
    /// the protocol's rules from `before`: each contributor contributed once and revealed once
    /// (two transactions per task), a winner gets its share of the reward and a point of score
    /// when it was not alone; nobody else changed.
    async fn check_rewards(
        &self,
        deal: DealId,
        tasks: &[TaskId],
        before: &HashMap<Address, (U256, U256, u64)>,
    ) {
        let hub = self.env.hub();
        let deal = hub.viewDeal(deal.0).call().await.unwrap();
        let mut expected = before.clone();
        for task in tasks {
            let view = self.view_task(*task).await;
            let distinct: HashSet<_> = view.contributors.iter().collect();
            assert_eq!(distinct.len(), view.contributors.len(), "{task}: a worker twice");
            let mut contributors = Vec::new();
            for &worker in &view.contributors {
                let contribution = hub.viewContribution(task.0, worker).call().await.unwrap();
                let status = ContributionStatus::try_from(contribution.status).unwrap();
                assert_eq!(status, ContributionStatus::Proved, "{task}: {worker} revealed");
                // Every score here stays below 12: the same weight for all.
                assert_eq!(contribution.weight, contribution_weight(U256::ZERO));
                contributors.push(Contributor { status, weight: contribution.weight });
            }
            let split = distribute_rewards(
                deal.workerpool.price,
                deal.workerStake,
                deal.schedulerRewardRatio,
                &contributors,
            )
            .unwrap();
            for (worker, payout) in view.contributors.iter().zip(&split.payouts) {
                let Payout::Winner { share, scored } = *payout else { panic!("{worker} lost") };
                let entry = expected.get_mut(worker).expect("a contributor of ours");
                entry.1 += share;
                if scored {
                    entry.0 += U256::from(1);
                }
                entry.2 += 2;
            }
        }
        let after = self.ledger(&before.keys().copied().collect::<Vec<_>>()).await;
        for (worker, expected) in expected {
            let (score, stake, sent) = after[&worker];
            assert_eq!(score, expected.0, "score of {worker}");
            assert_eq!(stake, expected.1, "stake of {worker}");
            assert_eq!(
                sent, expected.2,
                "transactions of {worker}: one contribute, one reveal per task"
            );
        }
    }

    async fn stop(self) {
        self.scheduler.shutdown().await.unwrap();
        self.results.shutdown().await.unwrap();
    }
}

/// One real worker agent; its key, data folder and journal outlive its runs.
struct Agent {
    key: PrivateKeySigner,
    config: WorkerConfig,
    _data_dir: tempfile::TempDir,
    _journal: TestDb,
    handle: Option<WorkerHandle>,
}

impl Agent {
    fn address(&self) -> Address {
        self.key.address()
    }

    async fn start(&mut self) {
        assert!(self.handle.is_none(), "already running");
        let handle = poco_worker::spawn(self.config.clone(), self.key.clone()).await.unwrap();
        self.handle = Some(handle);
    }

    /// Kills the agent as a crash would: every loop and replicate stops where it is.
    async fn kill(&mut self) {
        self.handle.take().expect("running").kill();
        // Let the aborted tasks unwind (their HTTP connections and database pools close).
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    async fn stop(&mut self) {
        if let Some(handle) = self.handle.take() {
            handle.shutdown().await.unwrap();
        }
    }
}

const TASK_EVENTS: [&str; 10] = [
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
];

/// What a real worker reports, in order, on a replicate that wins.
const WINNER_STEPS: [&str; 8] = [
    "ASSIGNED",
    "DOWNLOADING",
    "COMPUTING",
    "COMPUTED",
    "CONTRIBUTING",
    "CONTRIBUTED",
    "REVEALING",
    "REVEALED",
];

/// Checks a winner's steps; answers whether it uploaded.
fn winner_steps(task: TaskId, worker: Address, steps: &[String]) -> bool {
    assert!(steps.len() > WINNER_STEPS.len(), "{task} {worker}: {steps:?}");
    assert_eq!(&steps[..WINNER_STEPS.len()], WINNER_STEPS, "{task} {worker}: {steps:?}");
    let tail = &steps[WINNER_STEPS.len()..];
    if tail == ["COMPLETE"] {
        return false;
    }
    assert_eq!(tail, ["UPLOAD_REQUESTED", "UPLOADING", "UPLOADED", "COMPLETE"], "{task} {worker}");
    true
}

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
