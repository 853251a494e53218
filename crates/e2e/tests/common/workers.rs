//! The real worker agents' pool, shared by the suites that run them (`worker.rs`,
//! `failures.rs`): the in-process devchain with the real market ([`Env`]), the real results
//! service, the scheduler with its engine, the WASM hello app from `apps/`, an input-file host
//! the test gates, and [`Agent`]s — real `poco_worker` agents with their own keys, data folders
//! and journals.
#![allow(clippy::too_many_lines)]

use super::{APP_OWNER, Env, REQUESTER, abi_app, abi_no_dataset, abi_pool, abi_request, send};
use alloy::{
    primitives::{Address, B256, Bytes, U256},
    providers::Provider,
    signers::local::PrivateKeySigner,
};
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
    collections::{BTreeMap, HashMap, HashSet},
    time::Duration,
};
use tokio::sync::watch;

/// Workers are dev accounts 5 to 8 (0 deploys, 1 owns the apps, 3 runs the pool, 4 buys).
pub const FIRST_WORKER: usize = 5;
/// Each worker's deposit (its stake), in nRLC.
pub const WORKER_DEPOSIT: u64 = 1_000 * super::RLC;
/// How often workers ping.
pub const HEARTBEAT_MS: u64 = 200;
/// What the hello app writes for the deals' `iexec_args`.
pub const HELLO: &str = "Hello, e2e!\n";

/// The requester's input-file host: `GET /input.txt` answers once the gate is open.
pub struct InputHost {
    pub url: String,
    gate: watch::Sender<bool>,
    server: tokio::task::JoinHandle<()>,
}

impl InputHost {
    pub async fn start() -> Self {
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

    pub fn open(&self) {
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
pub struct Pool {
    pub env: Env,
    pub backend: Backend,
    pub scheduler: SchedulerHandle,
    pub results: ResultsHandle,
    _results_dir: tempfile::TempDir,
    /// The hello app (WASM, its real checksum on chain).
    pub app: Address,
    pub inputs: InputHost,
}

impl Pool {
    pub async fn start(backend: Backend) -> Self {
        let env = Env::new(backend).await;
        let deployment = *env.devchain.deployment().unwrap();

        // The hello app from apps/, registered with the SHA-256 of its module.
        let module = app_module("hello");
        let checksum = poco_worker::result::sha256(&std::fs::read(&module).unwrap());
        let app =
            create_app(&env, "e2e hello (wasm)", &module.display().to_string(), checksum).await;

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
    pub async fn agent(&self, n: usize) -> Agent {
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
    pub async fn wait_alive(&self, alive: u64) {
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
    pub async fn buy(&self, volume: u64, trust: u64, with_input: bool) -> DealId {
        self.buy_app(self.app, volume, trust, with_input).await
    }

    /// [`Self::buy`] of another WASM app of the app owner ([`Self::create_app`]).
    pub async fn buy_app(&self, app: Address, volume: u64, trust: u64, with_input: bool) -> DealId {
        let env = &self.env;
        self.scheduler.publisher().unwrap().reconcile().await.unwrap();
        let orders = env
            .wait_orders("a pool order for the deal", |orders| {
                orders.iter().any(|o| o.remaining >= U256::from(volume))
            })
            .await;
        let pool_order =
            orders.into_iter().find(|o| o.remaining >= U256::from(volume)).unwrap().order;
        assert!(pool_order.is_signed_by(env.address(super::SCHEDULER), &env.domain));
        assert_eq!(pool_order.trust, U256::from(5));

        let app_order = AppOrder {
            app,
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
            app,
            appmaxprice: U256::ZERO,
            dataset: Address::ZERO,
            datasetmaxprice: U256::ZERO,
            workerpool: Address::ZERO,
            workerpoolmaxprice: U256::from(super::POOL_PRICE),
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
    pub async fn wait_final(&self, tasks: &[TaskId], secs: u64) {
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
    pub async fn wait_replicate(&self, task: TaskId, worker: Address, state: ReplicateState) {
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
    pub async fn events(&self, task: TaskId) -> (Vec<String>, HashMap<Address, Vec<String>>) {
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

    pub async fn nonce(&self, who: Address) -> u64 {
        self.env.provider.get_transaction_count(who).await.unwrap()
    }

    pub async fn view_task(&self, task: TaskId) -> IPoco::Task {
        self.env.hub().viewTask(task.0).call().await.unwrap()
    }

    /// Each worker's (score, stake, transactions sent).
    pub async fn ledger(&self, workers: &[Address]) -> HashMap<Address, (U256, U256, u64)> {
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

    /// Registers a WASM app of the app owner whose module is at `multiaddr` (a path or a URL),
    /// with `checksum` on chain.
    pub async fn create_app(&self, name: &str, multiaddr: &str, checksum: B256) -> Address {
        create_app(&self.env, name, multiaddr, checksum).await
    }

    /// The task is COMPLETED on chain, its consensus is the hello result, and the archive the
    /// results service serves is that result (and its own check says VERIFIED).
    pub async fn check_result(&self, task: TaskId) {
        self.check_result_file(task, "result.txt", HELLO).await;
    }

    /// The task is COMPLETED on chain, its consensus is the SHA-256 of `text`, and the archive
    /// the results service serves holds `text` as `file` (its deterministic output), and the
    /// service's own check says VERIFIED. Answers every file of the archive.
    pub async fn check_result_file(
        &self,
        task: TaskId,
        file: &str,
        text: &str,
    ) -> BTreeMap<String, Vec<u8>> {
        let view = self.view_task(task).await;
        assert_eq!(view.status, 3, "{task}: COMPLETED on chain");
        let url = format!("{}{}", self.results.url(), poco_results_api::paths::result(task));
        let response = self.env.http.get(url).send().await.unwrap();
        assert_eq!(response.status(), 200, "{task}: the result is downloadable");
        let archive = response.bytes().await.unwrap().to_vec();
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(archive)).unwrap();
        let mut read = String::new();
        std::io::Read::read_to_string(&mut zip.by_name(file).unwrap(), &mut read).unwrap();
        assert_eq!(read, text, "{task}: {file}");
        let digest = poco_worker::result::sha256(text.as_bytes());
        assert_eq!(view.resultDigest, digest, "{task}: the revealed digest is the result's");
        assert_eq!(view.consensusValue, result_hash(task, digest), "{task}: the consensus");
        let url = format!("{}{}", self.results.url(), poco_results_api::paths::check(task));
        let check: CheckReport = self.env.http.get(url).send().await.unwrap().json().await.unwrap();
        assert_eq!(check.state, CheckState::Verified, "{check:?}");
        let names: Vec<String> = zip.file_names().map(|name| name.unwrap().into_owned()).collect();
        let mut files = BTreeMap::new();
        for name in names {
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(&mut zip.by_name(&name).unwrap(), &mut bytes).unwrap();
            files.insert(name, bytes);
        }
        files
    }

    /// Scores, stakes and transaction counts of `workers` after `tasks` (all COMPLETED) follow
    /// the protocol's rules from `before`: each contributor contributed once and revealed once
    /// (two transactions per task), a winner gets its share of the reward and a point of score
    /// when it was not alone; nobody else changed.
    pub async fn check_rewards(
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

    pub async fn stop(self) {
        self.scheduler.shutdown().await.unwrap();
        self.results.shutdown().await.unwrap();
    }
}

/// The committed module of the app `name` in `apps/`.
pub fn app_module(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(format!("../../apps/{name}/{name}.wasm"))
        .canonicalize()
        .unwrap()
}

/// Registers a WASM app of the app owner at `multiaddr` with `checksum`; answers its address.
async fn create_app(env: &Env, name: &str, multiaddr: &str, checksum: B256) -> Address {
    let deployment = *env.devchain.deployment().unwrap();
    let owner = env.address(APP_OWNER);
    let apps = AppRegistry::new(deployment.app_registry, env.provider.clone());
    let create = apps
        .createApp(
            owner,
            name.into(),
            "WASM".into(),
            Bytes::from(multiaddr.as_bytes().to_vec()),
            checksum,
            Bytes::new(),
        )
        .from(owner);
    let app = create.clone().call().await.unwrap();
    send(create).await;
    app
}

/// One real worker agent; its key, data folder and journal outlive its runs.
pub struct Agent {
    pub key: PrivateKeySigner,
    pub config: WorkerConfig,
    _data_dir: tempfile::TempDir,
    _journal: TestDb,
    handle: Option<WorkerHandle>,
}

impl Agent {
    pub fn address(&self) -> Address {
        self.key.address()
    }

    pub async fn start(&mut self) {
        assert!(self.handle.is_none(), "already running");
        let handle = poco_worker::spawn(self.config.clone(), self.key.clone()).await.unwrap();
        self.handle = Some(handle);
    }

    /// Kills the agent as a crash would: every loop and replicate stops where it is.
    pub async fn kill(&mut self) {
        self.handle.take().expect("running").kill();
        // Let the aborted tasks unwind (their HTTP connections and database pools close).
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    pub async fn stop(&mut self) {
        if let Some(handle) = self.handle.take() {
            handle.shutdown().await.unwrap();
        }
    }
}

pub const TASK_EVENTS: [&str; 10] = [
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
pub const WINNER_STEPS: [&str; 8] = [
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
pub fn winner_steps(task: TaskId, worker: Address, steps: &[String]) -> bool {
    winner_steps_from(task, worker, steps, &WINNER_STEPS)
}

/// Checks the steps of a winner that reported `before` up to its reveal; answers whether it
/// uploaded.
pub fn winner_steps_from(task: TaskId, worker: Address, steps: &[String], before: &[&str]) -> bool {
    assert!(steps.len() > before.len(), "{task} {worker}: {steps:?}");
    assert_eq!(&steps[..before.len()], before, "{task} {worker}: {steps:?}");
    let tail = &steps[before.len()..];
    if tail == ["COMPLETE"] {
        return false;
    }
    assert_eq!(tail, ["UPLOAD_REQUESTED", "UPLOADING", "UPLOADED", "COMPLETE"], "{task} {worker}");
    true
}
