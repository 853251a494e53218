//! The test environment: an in-process devchain with the protocol, the compat driver's actors
//! funded (workers' stakes deposited) and app/workerpool created, a scheduler engine on SQLite
//! or PostgreSQL serving the worker routes on 127.0.0.1, and deals made by signing orders and
//! calling `matchOrders`.

use alloy_primitives::{Address, U256};
use poco_chain::{ChainClient, ChainConfig, PrivateKeySigner};
use poco_compat::{Actors, Driver, Protocol, Role, harness::dev_provider};
use poco_contracts::bindings::IPoco;
use poco_db::{Backend, testing::TestDb};
use poco_devchain::{DevChainConfig, DevChainHandle};
use poco_primitives::{DealId, TaskId};
use poco_scheduler::{
    Engine, EngineConfig, Registry, RegistryConfig, Store, TaskRecord, WorkerApi, api::system_clock,
};
use poco_scheduler_api::{PoolConfig, SchedulerDomain};
use std::{sync::Arc, time::Duration};

pub const LOST_AFTER_MS: u64 = 1_500;
pub const HEARTBEAT_MS: u64 = 200;

pub struct Env {
    /// Kept alive for the test's length.
    _chain: DevChainHandle,
    pub driver: Driver,
    pub client: ChainClient,
    pub hub: Address,
    pub workerpool: Address,
    /// Kept alive for the test's length (dropped: the database is removed).
    _db: TestDb,
    pub store: Arc<Store>,
    pub engine: Engine,
    pub base: String,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Drop for Env {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

pub fn engine_config() -> EngineConfig {
    EngineConfig {
        tick_period: Duration::from_millis(100),
        loss_period: Duration::from_millis(100),
        detector_period: Duration::from_millis(300),
        upload_timeout: Duration::from_secs(10),
        ..EngineConfig::default()
    }
}

impl Env {
    pub async fn start(backend: Backend) -> Self {
        let chain = poco_devchain::spawn(DevChainConfig::test().with_accounts(14))
            .await
            .expect("the devchain starts");
        let keys: Vec<_> = chain.dev_accounts().iter().map(|a| a.signer.clone()).collect();
        let rpc: url::Url = chain.http_endpoint().parse().unwrap();
        let provider =
            alloy::providers::Provider::erased(dev_provider(rpc.clone(), &keys, chain.chain_id()));
        let deployment = *chain.deployment().unwrap();
        let mut driver =
            Driver::new(provider, Protocol::poco(&deployment), Actors::new(&keys), "scheduler");
        driver.setup().await.unwrap();
        let workerpool = driver.assets().workerpool.unwrap();
        let client = ChainClient::connect(
            ChainConfig::new(rpc.clone(), chain.chain_id())
                .with_poll_interval(Duration::from_millis(50)),
        )
        .await
        .unwrap();
        let db = TestDb::new(backend, "scheduler_engine").await;
        let store = Arc::new(Store::connect(&db.url).await.unwrap());
        let hub = deployment.hub;
        let mut env = Self {
            engine: placeholder_engine(&store, &client, &driver, hub, workerpool),
            _chain: chain,
            driver,
            client,
            hub,
            workerpool,
            _db: db,
            store,
            base: String::new(),
            tasks: Vec::new(),
        };
        env.start_engine().await;
        env
    }

    /// Starts an engine and its HTTP server over the store (a fresh registry: workers log in
    /// again after a restart).
    pub async fn start_engine(&mut self) {
        self.engine =
            placeholder_engine(&self.store, &self.client, &self.driver, self.hub, self.workerpool);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        self.base = format!("http://{}", listener.local_addr().unwrap());
        let app = self.engine.router();
        self.tasks.push(tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        }));
        let engine = self.engine.clone();
        self.tasks.push(tokio::spawn(async move {
            engine.run(std::future::pending()).await.unwrap();
        }));
    }

    /// Drops the running engine and its server (as a crash would: nothing is flushed).
    pub async fn stop_engine(&mut self) {
        for task in self.tasks.drain(..) {
            task.abort();
            let _ = task.await;
        }
    }

    pub fn key(&self, role: Role) -> PrivateKeySigner {
        self.driver.key(role).clone()
    }

    /// A deal of `volume` tasks at `trust` (orders signed by their owners, matched by the
    /// requester).
    pub async fn deal(&mut self, volume: u64, trust: u64) -> DealId {
        let orders = self.driver.market(volume, trust).unwrap();
        self.driver.match_orders(&orders).await.unwrap()
    }

    pub fn task_ids(deal: DealId, volume: u64) -> Vec<TaskId> {
        (0..volume).map(|i| deal.task(U256::from(i))).collect()
    }

    pub async fn view_task(&self, task: TaskId) -> IPoco::Task {
        self.client.call(self.hub, &IPoco::viewTaskCall { id: task.0 }).await.unwrap()
    }

    pub async fn score(&self, worker: Address) -> U256 {
        self.client.call(self.hub, &IPoco::viewScoreCall { _worker: worker }).await.unwrap()
    }

    pub async fn account(&self, who: Address) -> IPoco::Account {
        self.client.call(self.hub, &IPoco::viewAccountCall { account: who }).await.unwrap()
    }

    /// Whether every replicate of these tasks is in a final state.
    async fn replicates_settled(&self, tasks: &[TaskId]) -> bool {
        for task in tasks {
            let replicates = self.store.replicates(*task).await.unwrap();
            if !replicates.iter().all(|replicate| replicate.state.is_final()) {
                return false;
            }
        }
        true
    }

    /// Waits (woken every 50 ms, up to `secs`) until every task and its replicates are in a final
    /// state.
    pub async fn wait_final(&self, tasks: &[TaskId], secs: u64) -> Vec<TaskRecord> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
        loop {
            let mut records = Vec::new();
            for task in tasks {
                if let Some(record) = self.store.task(*task).await.unwrap() {
                    records.push(record);
                }
            }
            // The task's state is written before its replicates are settled (COMPLETE or
            // ABORT): wait for both.
            if records.len() == tasks.len()
                && records.iter().all(|r| r.state.is_final())
                && self.replicates_settled(tasks).await
            {
                return records;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "tasks not final in {secs} s: {:?}",
                records.iter().map(|r| (r.task_index, r.state)).collect::<Vec<_>>()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

fn placeholder_engine(
    store: &Arc<Store>,
    client: &ChainClient,
    driver: &Driver,
    hub: Address,
    workerpool: Address,
) -> Engine {
    let scheduler = driver.key(Role::Scheduler).clone();
    let domain = SchedulerDomain { chain_id: client.chain_id(), workerpool };
    let registry = Registry::new(
        domain,
        RegistryConfig {
            challenge_ttl_ms: 60_000,
            session_ttl_ms: 3_600_000,
            lost_after_ms: LOST_AFTER_MS,
        },
        None,
    );
    let config = PoolConfig {
        chain_id: domain.chain_id,
        workerpool,
        scheduler: scheduler.address(),
        results_url: "http://127.0.0.1:9/results".into(),
        heartbeat_period_ms: HEARTBEAT_MS,
        lost_after_ms: LOST_AFTER_MS,
        max_wait_ms: 2_000,
        config_hash: alloy_primitives::B256::ZERO,
    };
    let api = Arc::new(WorkerApi::new(registry, Arc::clone(store), config, system_clock()));
    Engine::new(api, client.clone(), scheduler, hub, engine_config())
}
