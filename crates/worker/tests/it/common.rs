//! A devchain with the protocol's actors funded, a results service over it, the scheduler
//! stand-in, and deals made for real apps: orders signed, matched, the task initialized, the
//! worker's authorization signed with the workerpool owner's key.

use crate::scheduler::{FakeScheduler, Policy};
use alloy::providers::Provider;
use alloy_primitives::{Address, B256, Bytes, U256};
use poco_chain::{ChainConfig, PrivateKeySigner};
use poco_compat::{Actors, Driver, Protocol, Role, harness::dev_provider, orders::MatchOrders};
use poco_contracts::bindings::{AppRegistry, IPoco};
use poco_devchain::{DevChainConfig, DevChainHandle};
use poco_primitives::{
    AppOrder, ContributionStatus, RequestOrder, Tag, TaskId, contribution::WorkerpoolAuthorization,
};
use poco_results::{ResultsConfig, ResultsHandle, StoreConfig};
use poco_scheduler_api::{Assignment, Executor, SchedulerDomain, TaskSpec, worker::AppSpec};
use poco_worker::{Backoff, WorkerConfig};
use sha2::{Digest, Sha256};
use std::{
    path::{Path, PathBuf},
    sync::Arc,
    time::Duration,
};

pub const W0: Role = Role::Worker(0);

pub struct Env {
    pub chain: DevChainHandle,
    /// Signs for every dev account (set `from`).
    pub provider: alloy::providers::DynProvider,
    pub driver: Driver,
    pub results: ResultsHandle,
    pub scheduler: Arc<FakeScheduler>,
    /// Kept alive for the results service's store.
    pub _store_dir: tempfile::TempDir,
    pub data_dir: tempfile::TempDir,
    /// A dev account with gas but no RLC deposit (no stake).
    pub broke: PrivateKeySigner,
}

/// `apps/<name>/<name>.wasm`.
pub fn module(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../apps").join(name).join(format!("{name}.wasm"))
}

pub fn sha256(bytes: &[u8]) -> B256 {
    B256::from_slice(&Sha256::digest(bytes))
}

impl Env {
    pub async fn start(policy: Policy) -> Self {
        let chain = poco_devchain::spawn(DevChainConfig::test().with_accounts(16))
            .await
            .expect("the devchain starts");
        let keys: Vec<_> = chain.dev_accounts().iter().map(|a| a.signer.clone()).collect();
        let url: reqwest::Url = chain.http_endpoint().parse().unwrap();
        let provider = Provider::erased(dev_provider(url.clone(), &keys, chain.chain_id()));
        let deployment = *chain.deployment().unwrap();
        let mut driver = Driver::new(
            provider.clone(),
            Protocol::poco(&deployment),
            Actors::new(&keys),
            "worker",
        );
        driver.setup().await.unwrap();
        let store_dir = tempfile::tempdir().unwrap();
        let config = ResultsConfig::new(
            StoreConfig::Local { root: store_dir.path().join("store") },
            ChainConfig::new(url, chain.chain_id()),
            deployment.hub,
        )
        .with_listen("127.0.0.1:0".parse().unwrap());
        let results = poco_results::spawn(config).await.expect("the results service starts");
        let workerpool = driver.workerpool_order(1, 1).unwrap().workerpool;
        let domain = SchedulerDomain { chain_id: chain.chain_id(), workerpool };
        let scheduler = FakeScheduler::start(domain, results.url(), policy).await;
        let broke = keys[15].clone();
        Self {
            chain,
            provider,
            driver,
            results,
            scheduler,
            _store_dir: store_dir,
            data_dir: tempfile::tempdir().unwrap(),
            broke,
        }
    }

    pub fn worker_config(&self) -> WorkerConfig {
        let chain =
            ChainConfig::new(self.chain.http_endpoint().parse().unwrap(), self.chain.chain_id());
        WorkerConfig::new(
            self.scheduler.url.parse().unwrap(),
            chain,
            self.driver.protocol().hub,
            self.data_dir.path(),
        )
        .with_wait_ms(200)
        .with_backoff(Backoff { min: Duration::from_millis(50), max: Duration::from_millis(500) })
    }

    pub fn key(&self, role: Role) -> PrivateKeySigner {
        self.driver.key(role).clone()
    }

    /// Registers an app owned by the app owner.
    pub async fn create_app(&mut self, kind: &str, multiaddr: &str, checksum: B256) -> Address {
        let owner = self.driver.address(Role::AppOwner);
        let registry = AppRegistry::new(self.driver.protocol().app_registry, self.provider.clone());
        static APPS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = APPS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let name = format!("worker-test {n} {multiaddr}");
        let call = registry
            .createApp(
                owner,
                name,
                kind.into(),
                Bytes::copy_from_slice(multiaddr.as_bytes()),
                checksum,
                Bytes::new(),
            )
            .from(owner);
        let app = call.call().await.unwrap();
        self.driver.send("createApp", "createApp(test)".to_owned(), call).await.unwrap();
        app
    }

    /// A deal of one task at trust 1 for `app`, initialized, and the assignment of `worker` to it.
    pub async fn assignment(
        &mut self,
        app: AppSpec,
        args: &str,
        max_run_seconds: u64,
        worker: Address,
    ) -> Assignment {
        let app_order = AppOrder { app: app.address, ..self.driver.app_order(1).unwrap() };
        let workerpool = self.driver.workerpool_order(1, 1).unwrap();
        let params = serde_json::json!({ "iexec_args": args }).to_string();
        let request = RequestOrder {
            app: app.address,
            params,
            ..self.driver.request_order(1, 1, false).unwrap()
        };
        let orders = MatchOrders {
            app: self.driver.sign(Role::AppOwner, app_order).unwrap(),
            dataset: None,
            workerpool: self.driver.sign(Role::Scheduler, workerpool).unwrap(),
            request: self.driver.sign(Role::Requester, request).unwrap(),
        };
        let deal = self.driver.match_orders(&orders).await.unwrap();
        let task_id = self.driver.initialize(deal, 0).await.unwrap();
        let task = self.driver.view_task(task_id).await.unwrap();
        let authorization = WorkerpoolAuthorization::sign(
            self.driver.key(Role::Scheduler),
            worker,
            task_id,
            Address::ZERO,
        )
        .unwrap();
        let requester = self.driver.address(Role::Requester);
        Assignment {
            task: TaskSpec {
                task_id,
                deal_id: deal,
                task_index: U256::ZERO,
                app,
                dataset: None,
                args: args.to_owned(),
                input_files: vec![],
                tag: Tag::NONE,
                trust: U256::from(1),
                max_run_seconds,
                contribution_deadline: task.contributionDeadline.saturating_to(),
                final_deadline: task.finalDeadline.saturating_to(),
                beneficiary: requester,
                callback: Address::ZERO,
            },
            authorization,
        }
    }

    /// A WASM app from `apps/` registered with its real checksum (or `checksum` when given).
    pub async fn wasm_app(&mut self, name: &str, checksum: Option<B256>) -> AppSpec {
        let path = module(name);
        let real = sha256(&std::fs::read(&path).unwrap());
        let multiaddr = path.display().to_string();
        let checksum = checksum.unwrap_or(real);
        let address = self.create_app("WASM", &multiaddr, checksum).await;
        AppSpec { address, executor: Executor::Wasm, multiaddr, checksum }
    }

    pub async fn contribution(&self, task: TaskId, worker: Address) -> (ContributionStatus, B256) {
        let c = self.driver.hub().viewContribution(task.0, worker).call().await.unwrap();
        (ContributionStatus::try_from(c.status).unwrap(), c.resultHash)
    }

    pub async fn view_task(&self, task: TaskId) -> IPoco::Task {
        self.driver.view_task(task).await.unwrap()
    }

    /// How many transactions `who` sent.
    pub async fn nonce(&self, who: Address) -> u64 {
        self.driver.provider().get_transaction_count(who).await.unwrap()
    }

    pub async fn shutdown(self) {
        self.scheduler.stop();
        self.results.shutdown().await.unwrap();
        self.chain.shutdown().await.unwrap();
    }
}
