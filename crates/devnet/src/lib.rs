//! The whole poco system on one machine, in one data folder: the devchain (the protocol deployed
//! at genesis), the market, the results service, one workerpool with its scheduler (publishing
//! the pool's orders on the market) and N worker agents. `poco devnet` runs it; tests start it
//! in-process.
//!
//! ```text
//!  <data-dir>/
//!    devnet.json     what the first start set up (the pool), read again on every start
//!    chain/          the devchain's journal: a restart resumes the same chain
//!    market.sqlite   the orderbooks
//!    results/        result archives
//!    scheduler/      the scheduler's tasks, replicates and timelines
//!    workers/<n>/    each worker's downloads, runs and journal
//! ```
//!
//! Roles are the dev accounts of the standard mnemonic: 0 deploys the protocol, 1 develops apps,
//! 2 owns datasets, 3 runs the pool, 4 requests, 5 and up are the workers ([`Role`]). The first
//! start creates the pool and deposits each worker's stake; later starts on the same folder find
//! them on the resumed chain.

use alloy::{
    network::EthereumWallet,
    primitives::{Address, U256},
    providers::{DynProvider, Provider, ProviderBuilder},
    signers::local::PrivateKeySigner,
};
use poco_chain::ChainConfig;
use poco_contracts::{
    Deployment,
    bindings::{IPoco, RLC, WorkerpoolRegistry},
};
use poco_devchain::{DevChainConfig, DevChainHandle};
use poco_market::{MarketConfig, MarketHandle};
use poco_results::{ResultsConfig, ResultsHandle, StoreConfig};
use poco_scheduler::{PublisherConfig, SchedulerConfig, SchedulerHandle};
use poco_scheduler_api::Executor;
use poco_worker::{WorkerConfig, WorkerHandle};
use serde::{Deserialize, Serialize};
use std::{
    net::{IpAddr, Ipv4Addr, SocketAddr},
    path::{Path, PathBuf},
    time::Duration,
};
use tracing::{debug, info};

/// 1 RLC in nRLC.
pub const ONE_RLC: u64 = 1_000_000_000;

/// The dev accounts' roles (their index in the standard mnemonic).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Role {
    /// Deployed the protocol; owns the hub and the rest of the RLC supply.
    Deployer,
    /// Develops and sells apps.
    AppDeveloper,
    /// Owns and sells datasets.
    DatasetOwner,
    /// Owns the workerpool and runs its scheduler.
    PoolOwner,
    /// Buys tasks.
    Requester,
    /// The `n`-th worker of the pool.
    Worker(usize),
}

impl Role {
    /// The dev account index of the role.
    pub const fn index(self) -> usize {
        match self {
            Self::Deployer => 0,
            Self::AppDeveloper => 1,
            Self::DatasetOwner => 2,
            Self::PoolOwner => 3,
            Self::Requester => 4,
            Self::Worker(n) => 5 + n,
        }
    }
}

/// Why the devnet did not start or stop cleanly.
#[derive(Debug, thiserror::Error)]
pub enum DevnetError {
    /// The data folder cannot be used.
    #[error("data folder {path}: {source}")]
    DataDir {
        /// The path.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// `devnet.json` does not parse (delete the folder to start a fresh devnet).
    #[error("{path} is not a devnet state file ({detail}); delete the folder to start afresh")]
    State {
        /// The path.
        path: PathBuf,
        /// What is wrong.
        detail: String,
    },
    /// The devchain failed.
    #[error("devchain: {0}")]
    Chain(#[from] poco_devchain::Error),
    /// A setup transaction or call failed.
    #[error("setting up {what}: {detail}")]
    Setup {
        /// The step.
        what: &'static str,
        /// The cause.
        detail: String,
    },
    /// The market failed.
    #[error("market: {0}")]
    Market(#[from] poco_market::MarketError),
    /// The results service failed.
    #[error("results service: {0}")]
    Results(#[from] poco_results::Error),
    /// The scheduler failed.
    #[error("scheduler: {0}")]
    Scheduler(#[from] poco_scheduler::SpawnError),
    /// A worker failed.
    #[error("worker {n}: {source}")]
    Worker {
        /// Which worker.
        n: usize,
        /// The cause.
        source: poco_worker::Error,
    },
}

/// A [`Result`](std::result::Result) with a [`DevnetError`].
pub type Result<T, E = DevnetError> = std::result::Result<T, E>;

/// What to start.
#[derive(Clone, Debug)]
pub struct DevnetConfig {
    /// Where everything is kept (created if missing).
    pub data_dir: PathBuf,
    /// Worker agents of the pool.
    pub workers: usize,
    /// Tasks each worker runs at once.
    pub worker_slots: u32,
    /// Executors the workers offer (WASM always works; Docker needs a reachable daemon).
    pub executors: Vec<Executor>,
    /// The Docker daemon the workers use (`DOCKER_HOST` style), if not the default.
    pub docker_host: Option<String>,
    /// Address every service listens on.
    pub host: IpAddr,
    /// Ports of the devchain's JSON-RPC, the market, the scheduler and the results service
    /// (`0`: any free port).
    pub ports: Ports,
    /// The pool's price per task, in nRLC.
    pub pool_price: U256,
    /// The pool's orders' trust.
    pub pool_trust: U256,
    /// Each worker's stake, deposited at the first start, in nRLC.
    pub worker_stake: U256,
    /// The pool owner's deposit at the first start (the pool's orders lock 30 % of their
    /// price from it at each deal), in nRLC.
    pub pool_stake: U256,
    /// A block every `block_time` (`None`: one block per transaction).
    pub block_time: Option<Duration>,
    /// How many of the workers (the last ones) contribute wrong results on purpose, to watch
    /// the protocol seize their stake (tests and demos; 0 by default).
    pub faulty_workers: usize,
}

/// The services' ports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ports {
    /// The devchain's JSON-RPC (HTTP and WebSocket).
    pub rpc: u16,
    /// The market.
    pub market: u16,
    /// The scheduler.
    pub scheduler: u16,
    /// The results service.
    pub results: u16,
}

impl Ports {
    /// The services' own default ports (`poco devnet`, and the `dev` chain of the SDK): 8545, 8080, 7070, 13200.
    pub const DEFAULT: Self = Self { rpc: 8545, market: 8080, scheduler: 7070, results: 13200 };
    /// Any free ports (tests).
    pub const ANY: Self = Self { rpc: 0, market: 0, scheduler: 0, results: 0 };
}

impl DevnetConfig {
    /// Two WASM workers on the well-known ports, a pool at 0.000001 RLC per task accepting any
    /// trust up to 100.
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            data_dir: data_dir.into(),
            workers: 2,
            worker_slots: 2,
            executors: vec![Executor::Wasm],
            docker_host: None,
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            ports: Ports::DEFAULT,
            pool_price: U256::from(1_000u64),
            pool_trust: U256::from(100u64),
            worker_stake: U256::from(1_000 * ONE_RLC),
            pool_stake: U256::from(10_000 * ONE_RLC),
            block_time: None,
            faulty_workers: 0,
        }
    }

    fn listen(&self, port: u16) -> SocketAddr {
        SocketAddr::new(self.host, port)
    }
}

/// What the first start set up, kept in `devnet.json`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SetUp {
    workerpool: Address,
    workers: usize,
}

/// One dev account and its role, with its private key (dev keys only: public knowledge).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Account {
    /// What it does in the devnet.
    pub role: Role,
    /// Its address.
    pub address: Address,
    /// Its private key, `0x`-hex.
    pub private_key: String,
}

/// Where everything is: what `poco devnet` prints, and what a chain file needs.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DevnetInfo {
    /// The chain id.
    pub chain_id: u64,
    /// The devchain's JSON-RPC URL.
    pub rpc_url: String,
    /// The protocol's addresses.
    pub deployment: Deployment,
    /// The market's URL.
    pub market_url: String,
    /// The pool's scheduler's URL.
    pub scheduler_url: String,
    /// The results service's URL.
    pub results_url: String,
    /// The pool.
    pub workerpool: Address,
    /// The funded dev accounts with their roles.
    pub accounts: Vec<Account>,
    /// The data folder.
    pub data_dir: PathBuf,
}

/// A running devnet. [`Devnet::shutdown`] stops everything in order; dropping it stops the
/// services abruptly (as a crash would; the next start resumes all the same).
#[derive(Debug)]
pub struct Devnet {
    info: DevnetInfo,
    chain: DevChainHandle,
    market: MarketHandle,
    results: ResultsHandle,
    scheduler: SchedulerHandle,
    workers: Vec<WorkerHandle>,
}

/// How long the pool's first orders may take to reach the market once its workers joined.
const POOL_ORDERS_WAIT: Duration = Duration::from_secs(60);

/// Waits until the market holds an open order of `workerpool` (its scheduler publishes once
/// workers have joined): a devnet announced ready can run a task at once.
async fn wait_for_pool_orders(market_url: &str, workerpool: Address) -> Result<()> {
    let url = format!(
        "{}/v1/orders/workerpool?workerpool={workerpool}&limit=1",
        market_url.trim_end_matches('/')
    );
    let http = reqwest::Client::new();
    let deadline = tokio::time::Instant::now() + POOL_ORDERS_WAIT;
    loop {
        let page = async {
            http.get(&url).send().await?.error_for_status()?.json::<serde_json::Value>().await
        }
        .await;
        match page {
            Ok(page) if page["orders"].as_array().is_some_and(|orders| !orders.is_empty()) => {
                return Ok(());
            }
            Ok(_) => {}
            Err(error) => debug!(%error, "The market is not answering yet."),
        }
        if tokio::time::Instant::now() >= deadline {
            return Err(DevnetError::Setup {
                what: "the pool's orders",
                detail: format!(
                    "the scheduler published no order on the market within {} s",
                    POOL_ORDERS_WAIT.as_secs()
                ),
            });
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn setup_error(what: &'static str) -> impl Fn(String) -> DevnetError {
    move |detail| DevnetError::Setup { what, detail }
}

impl Devnet {
    /// Starts every service on `config.data_dir`: sets the pool up at the first start, resumes
    /// it afterwards.
    pub async fn start(config: DevnetConfig) -> Result<Self> {
        let data_dir = config.data_dir.clone();
        let dir_error = |path: &Path| {
            let path = path.to_path_buf();
            move |source| DevnetError::DataDir { path, source }
        };
        tokio::fs::create_dir_all(&data_dir).await.map_err(dir_error(&data_dir))?;

        let mut chain_config = DevChainConfig::default();
        chain_config.accounts =
            chain_config.accounts.max(u32::try_from(5 + config.workers).unwrap_or(u32::MAX));
        chain_config.data_dir = Some(data_dir.join("chain"));
        chain_config.host = config.host;
        chain_config.port = config.ports.rpc;
        chain_config.block_time = config.block_time;
        let chain = poco_devchain::spawn(chain_config).await?;
        let deployment = *chain.deployment().ok_or_else(|| DevnetError::Setup {
            what: "the protocol",
            detail: "the devchain has no deployment".into(),
        })?;
        let keys: Vec<PrivateKeySigner> =
            chain.dev_accounts().iter().map(|account| account.signer.clone()).collect();
        let rpc_url: url::Url = chain
            .http_endpoint()
            .parse()
            .map_err(|error: url::ParseError| setup_error("the RPC URL")(error.to_string()))?;
        let chain_id = chain.chain_id();

        let state_path = data_dir.join("devnet.json");
        let set_up = match tokio::fs::read(&state_path).await {
            Ok(bytes) => serde_json::from_slice::<SetUp>(&bytes).map_err(|error| {
                DevnetError::State { path: state_path.clone(), detail: error.to_string() }
            })?,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                let set_up = first_setup(&config, &deployment, &keys, &rpc_url).await?;
                let json = serde_json::to_vec_pretty(&set_up).map_err(|error| {
                    DevnetError::State { path: state_path.clone(), detail: error.to_string() }
                })?;
                tokio::fs::write(&state_path, json).await.map_err(dir_error(&state_path))?;
                set_up
            }
            Err(error) => return Err(dir_error(&state_path)(error)),
        };
        if set_up.workers < config.workers {
            stake_workers(&config, &deployment, &keys, &rpc_url, set_up.workers).await?;
            let set_up = SetUp { workers: config.workers, ..set_up.clone() };
            let json = serde_json::to_vec_pretty(&set_up).map_err(|error| DevnetError::State {
                path: state_path.clone(),
                detail: error.to_string(),
            })?;
            tokio::fs::write(&state_path, json).await.map_err(dir_error(&state_path))?;
        }

        let sqlite = |name: &str| format!("sqlite://{}?mode=rwc", data_dir.join(name).display());
        let mut market_config =
            MarketConfig::new(sqlite("market.sqlite"), rpc_url.clone(), chain_id, deployment.hub);
        market_config.listen = config.listen(config.ports.market);
        market_config.poll_interval = Duration::from_millis(200);
        let market = poco_market::spawn(market_config).await?;
        let market_url = market.url();

        let chain_client = ChainConfig::new(rpc_url.clone(), chain_id)
            .with_poll_interval(Duration::from_millis(100));
        let results_dir = data_dir.join("results");
        let results = poco_results::spawn(
            ResultsConfig::new(
                StoreConfig::Local { root: results_dir.join("store") },
                chain_client.clone(),
                deployment.hub,
            )
            .with_listen(config.listen(config.ports.results)),
        )
        .await?;
        let results_url = results.url();

        let scheduler_dir = data_dir.join("scheduler");
        tokio::fs::create_dir_all(&scheduler_dir).await.map_err(dir_error(&scheduler_dir))?;
        let mut scheduler_config = SchedulerConfig::new(
            format!("sqlite://{}?mode=rwc", scheduler_dir.join("scheduler.sqlite").display()),
            rpc_url.clone(),
            chain_id,
            deployment.hub,
            set_up.workerpool,
        );
        scheduler_config.listen = config.listen(config.ports.scheduler);
        scheduler_config.results_url.clone_from(&results_url);
        scheduler_config.heartbeat_period = Duration::from_secs(1);
        scheduler_config.max_wait = Duration::from_secs(5);
        scheduler_config.poll_interval = Duration::from_millis(100);
        scheduler_config.engine.tick_period = Duration::from_millis(250);
        scheduler_config.engine.loss_period = Duration::from_secs(1);
        let market_base: url::Url = format!("{}/", market_url.trim_end_matches('/'))
            .parse()
            .map_err(|error: url::ParseError| setup_error("the market URL")(error.to_string()))?;
        scheduler_config.publisher = Some(PublisherConfig {
            price: config.pool_price,
            trust: config.pool_trust,
            startup_grace: Duration::ZERO,
            period: Duration::from_secs(2),
            ..PublisherConfig::new(market_base)
        });
        let scheduler =
            poco_scheduler::spawn(scheduler_config, keys[Role::PoolOwner.index()].clone()).await?;
        let scheduler_url = scheduler.url();

        let mut workers = Vec::with_capacity(config.workers);
        let scheduler_base: url::Url =
            scheduler_url.parse().map_err(|error: url::ParseError| {
                setup_error("the scheduler URL")(error.to_string())
            })?;
        for n in 0..config.workers {
            let dir = data_dir.join("workers").join(n.to_string());
            tokio::fs::create_dir_all(&dir).await.map_err(dir_error(&dir))?;
            let mut worker_config = WorkerConfig::new(
                scheduler_base.clone(),
                chain_client.clone(),
                deployment.hub,
                &dir,
            )
            .with_parallel_tasks(config.worker_slots)
            .with_executors(config.executors.iter().copied())
            .with_db_url(format!("sqlite://{}?mode=rwc", dir.join("journal.sqlite").display()));
            if let Some(host) = &config.docker_host {
                worker_config = worker_config.with_docker_host(host.clone());
            }
            worker_config.name = format!("devnet-worker-{n}");
            worker_config.faults.wrong_result =
                n >= config.workers.saturating_sub(config.faulty_workers);
            let handle = poco_worker::spawn(worker_config, keys[Role::Worker(n).index()].clone())
                .await
                .map_err(|source| DevnetError::Worker { n, source })?;
            workers.push(handle);
        }

        if config.workers > 0 {
            wait_for_pool_orders(&market_url, set_up.workerpool).await?;
        }

        let mut accounts = vec![
            account(Role::Deployer, &keys),
            account(Role::AppDeveloper, &keys),
            account(Role::DatasetOwner, &keys),
            account(Role::PoolOwner, &keys),
            account(Role::Requester, &keys),
        ];
        accounts.extend((0..config.workers).map(|n| account(Role::Worker(n), &keys)));
        let info = DevnetInfo {
            chain_id,
            rpc_url: rpc_url.to_string(),
            deployment,
            market_url,
            scheduler_url,
            results_url,
            workerpool: set_up.workerpool,
            accounts,
            data_dir,
        };
        info!(rpc = %info.rpc_url, market = %info.market_url, scheduler = %info.scheduler_url, results = %info.results_url, workers = config.workers, "Devnet started.");
        Ok(Self { info, chain, market, results, scheduler, workers })
    }

    /// Where everything is.
    pub const fn info(&self) -> &DevnetInfo {
        &self.info
    }

    /// The scheduler (its store, its registry of workers).
    pub const fn scheduler(&self) -> &SchedulerHandle {
        &self.scheduler
    }

    /// The devchain.
    pub const fn chain(&self) -> &DevChainHandle {
        &self.chain
    }

    /// Stops the workers, then the scheduler (which takes its orders off the market), the
    /// results service, the market and the chain.
    pub async fn shutdown(self) -> Result<()> {
        for (n, worker) in self.workers.into_iter().enumerate() {
            worker.shutdown().await.map_err(|source| DevnetError::Worker { n, source })?;
        }
        self.scheduler.shutdown().await?;
        self.results.shutdown().await?;
        self.market.shutdown().await?;
        self.chain.shutdown().await?;
        info!("Devnet stopped.");
        Ok(())
    }
}

fn account(role: Role, keys: &[PrivateKeySigner]) -> Account {
    let key = &keys[role.index()];
    Account {
        role,
        address: key.address(),
        private_key: format!("0x{}", alloy::primitives::hex::encode(key.to_bytes())),
    }
}

fn provider(keys: &[PrivateKeySigner], rpc_url: &url::Url) -> DynProvider {
    let mut wallet = EthereumWallet::from(keys[0].clone());
    for key in &keys[1..] {
        wallet.register_signer(key.clone());
    }
    ProviderBuilder::new().wallet(wallet).connect_http(rpc_url.clone()).erased()
}

async fn send<P, D, N>(
    what: &'static str,
    call: alloy::contract::CallBuilder<P, D, N>,
) -> Result<()>
where
    P: Provider<N>,
    D: alloy::contract::CallDecoder,
    N: alloy::network::Network,
{
    let error = setup_error(what);
    let receipt = call
        .send()
        .await
        .map_err(|e| error(e.to_string()))?
        .get_receipt()
        .await
        .map_err(|e| error(e.to_string()))?;
    if !alloy::network::ReceiptResponse::status(&receipt) {
        return Err(error("the transaction reverted".into()));
    }
    Ok(())
}

/// The first start on a folder: the pool, and every worker's stake.
async fn first_setup(
    config: &DevnetConfig,
    deployment: &Deployment,
    keys: &[PrivateKeySigner],
    rpc_url: &url::Url,
) -> Result<SetUp> {
    let provider = provider(keys, rpc_url);
    let owner = keys[Role::PoolOwner.index()].address();
    let pools = WorkerpoolRegistry::new(deployment.workerpool_registry, provider.clone());
    let create = pools.createWorkerpool(owner, "devnet pool".into()).from(owner);
    let workerpool =
        create.clone().call().await.map_err(|error| setup_error("the pool")(error.to_string()))?;
    send("the pool", create).await?;
    info!(%workerpool, "Devnet pool created.");
    // The pool's orders lock 30 % of their price from the owner's deposit at each match.
    let rlc = RLC::new(deployment.rlc, provider.clone());
    let hub = IPoco::new(deployment.hub, provider);
    send("the pool's stake", rlc.approve(deployment.hub, config.pool_stake).from(owner)).await?;
    send("the pool's stake", hub.deposit(config.pool_stake).from(owner)).await?;
    stake_workers(config, deployment, keys, rpc_url, 0).await?;
    Ok(SetUp { workerpool, workers: config.workers })
}

/// Deposits the stake of workers `from..config.workers`.
async fn stake_workers(
    config: &DevnetConfig,
    deployment: &Deployment,
    keys: &[PrivateKeySigner],
    rpc_url: &url::Url,
    from: usize,
) -> Result<()> {
    let provider = provider(keys, rpc_url);
    let rlc = RLC::new(deployment.rlc, provider.clone());
    let hub = IPoco::new(deployment.hub, provider);
    for n in from..config.workers {
        let worker = keys[Role::Worker(n).index()].address();
        send("a worker's stake", rlc.approve(deployment.hub, config.worker_stake).from(worker))
            .await?;
        send("a worker's stake", hub.deposit(config.worker_stake).from(worker)).await?;
    }
    Ok(())
}
