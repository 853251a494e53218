//! What every end-to-end suite starts: the in-process devchain with funded actors, an app and a
//! workerpool; the real market over it (`poco_market::spawn`, its own database); the scheduler
//! (`poco_scheduler::spawn`, its own database); and scripted workers that log in with real
//! signatures over real HTTP.
// Shared by several test targets: each uses a part of it.
#![allow(dead_code, clippy::unwrap_used, missing_docs, unreachable_pub)]

use alloy::{
    network::EthereumWallet,
    primitives::{Address, B256, Bytes, U256, keccak256},
    providers::{DynProvider, Provider, ProviderBuilder},
    signers::local::PrivateKeySigner,
    sol_types::Eip712Domain,
};
use poco_contracts::bindings::{AppRegistry, IPoco, RLC, WorkerpoolRegistry};
use poco_db::{Backend, testing::TestDb};
use poco_devchain::{DevChainConfig, DevChainHandle};
use poco_market::{MarketConfig, MarketHandle};
use poco_primitives::{
    AppOrder, RequestOrder, SignedOrder, Tag, WorkerpoolOrder, poco_domain, sign_order,
};
use poco_scheduler::{PublisherConfig, RegistryConfig, SchedulerConfig, SchedulerHandle};
use poco_scheduler_api::{Challenge, Executor, Heartbeat, Registration, Session, paths};
use std::time::Duration;

pub mod workers;

/// 1 RLC in nRLC.
pub const RLC: u64 = 1_000_000_000;
/// Dev account roles.
pub const APP_OWNER: usize = 1;
pub const SCHEDULER: usize = 3;
pub const REQUESTER: usize = 4;
/// The pool's price per task.
pub const POOL_PRICE: u64 = 1000;
/// A worker silent this long is lost.
pub const LOST_AFTER_MS: u64 = 2000;

pub async fn send<P, D, N>(call: alloy::contract::CallBuilder<P, D, N>)
where
    P: Provider<N>,
    D: alloy::contract::CallDecoder,
    N: alloy::network::Network,
{
    let receipt = call.send().await.unwrap().get_receipt().await.unwrap();
    assert!(alloy::network::ReceiptResponse::status(&receipt), "transaction reverted");
}

/// The chain, its actors, an app, the scheduler's workerpool, and the market.
pub struct Env {
    pub devchain: DevChainHandle,
    pub keys: Vec<PrivateKeySigner>,
    pub provider: DynProvider,
    pub hub: Address,
    pub domain: Eip712Domain,
    pub app: Address,
    pub pool: Address,
    pub market: MarketHandle,
    pub market_db: TestDb,
    pub scheduler_db: TestDb,
    pub http: reqwest::Client,
}

impl Env {
    pub async fn new(backend: Backend) -> Self {
        let devchain = poco_devchain::spawn(DevChainConfig::test()).await.unwrap();
        let keys: Vec<PrivateKeySigner> =
            devchain.dev_accounts().iter().map(|account| account.signer.clone()).collect();
        let mut wallet = EthereumWallet::from(keys[0].clone());
        for key in &keys[1..] {
            wallet.register_signer(key.clone());
        }
        let url: url::Url = devchain.http_endpoint().parse().unwrap();
        let provider = ProviderBuilder::new().wallet(wallet).connect_http(url.clone()).erased();
        let deployment = *devchain.deployment().unwrap();
        let hub = deployment.hub;
        let address = |i: usize| keys[i].address();

        let apps = AppRegistry::new(deployment.app_registry, provider.clone());
        let create_app = apps.createApp(
            address(APP_OWNER),
            "e2e app".into(),
            "DOCKER".into(),
            Bytes::from_static(b"docker.io/iexechub/python-hello-world:8.0.0"),
            keccak256("e2e app"),
            Bytes::new(),
        );
        let app = create_app.clone().from(address(APP_OWNER)).call().await.unwrap();
        send(create_app.from(address(APP_OWNER))).await;

        let pools = WorkerpoolRegistry::new(deployment.workerpool_registry, provider.clone());
        let create = pools.createWorkerpool(address(SCHEDULER), "e2e pool".into());
        let pool = create.clone().from(address(SCHEDULER)).call().await.unwrap();
        send(create.from(address(SCHEDULER))).await;

        let rlc = RLC::new(deployment.rlc, provider.clone());
        let poco = IPoco::new(hub, provider.clone());
        for who in [REQUESTER, SCHEDULER] {
            let amount = U256::from(10_000 * RLC);
            send(rlc.approve(hub, amount).from(address(who))).await;
            send(poco.deposit(amount).from(address(who))).await;
        }

        let market_db = TestDb::new(backend, "e2e_market").await;
        let mut config = MarketConfig::new(market_db.url.clone(), url, devchain.chain_id(), hub);
        config.listen = "127.0.0.1:0".parse().unwrap();
        config.api.rate_limit = None;
        config.poll_interval = Duration::from_millis(100);
        let market = poco_market::spawn(config).await.unwrap();
        let scheduler_db = TestDb::new(backend, "e2e_scheduler").await;
        Self {
            domain: poco_domain(devchain.chain_id(), hub),
            devchain,
            keys,
            provider,
            hub,
            app,
            pool,
            market,
            market_db,
            scheduler_db,
            http: reqwest::Client::new(),
        }
    }

    pub fn address(&self, index: usize) -> Address {
        self.keys[index].address()
    }

    pub fn hub(&self) -> IPoco::IPocoInstance<DynProvider> {
        IPoco::new(self.hub, self.provider.clone())
    }

    pub fn market_url(&self) -> url::Url {
        format!("{}/", self.market.url().trim_end_matches('/')).parse().unwrap()
    }

    /// A scheduler config for the pool: a publisher whose own loop passes only at start (tests drive `reconcile`).
    pub fn scheduler_config(&self, max_volume: u64) -> SchedulerConfig {
        let mut config = SchedulerConfig::new(
            self.scheduler_db.url.clone(),
            self.devchain.http_endpoint().parse().unwrap(),
            self.devchain.chain_id(),
            self.hub,
            self.pool,
        );
        config.listen = "127.0.0.1:0".parse().unwrap();
        config.poll_interval = Duration::from_millis(100);
        config.registry =
            RegistryConfig { lost_after_ms: LOST_AFTER_MS, ..RegistryConfig::default() };
        config.publisher = Some(PublisherConfig {
            price: U256::from(POOL_PRICE),
            max_volume,
            period: Duration::from_secs(3600),
            ..PublisherConfig::new(self.market_url())
        });
        config
    }

    pub async fn scheduler(&self, config: SchedulerConfig) -> SchedulerHandle {
        poco_scheduler::spawn(config, self.keys[SCHEDULER].clone()).await.unwrap()
    }

    /// The pool's open workerpool orders on the market.
    pub async fn open_pool_orders(&self) -> Vec<poco_market_api::OrderRecord<WorkerpoolOrder>> {
        let url = format!("{}/v1/orders/workerpool?workerpool={}", self.market.url(), self.pool);
        let page: poco_market_api::BookPage<WorkerpoolOrder> =
            self.http.get(url).send().await.unwrap().json().await.unwrap();
        page.orders
    }

    /// Waits (bounded) until `check` holds on the pool's open orders; answers them.
    pub async fn wait_orders(
        &self,
        what: &str,
        check: impl Fn(&[poco_market_api::OrderRecord<WorkerpoolOrder>]) -> bool,
    ) -> Vec<poco_market_api::OrderRecord<WorkerpoolOrder>> {
        for _ in 0..200 {
            let orders = self.open_pool_orders().await;
            if check(&orders) {
                return orders;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the market never showed {what}: {:?}", self.open_pool_orders().await);
    }

    /// A signed app order of the test app (free, volume 100).
    pub fn app_order(&self) -> SignedOrder<AppOrder> {
        let order = AppOrder {
            app: self.app,
            appprice: U256::ZERO,
            volume: U256::from(100),
            salt: B256::random(),
            ..Default::default()
        };
        sign_order(&self.keys[APP_OWNER], order, &self.domain).unwrap()
    }

    /// A signed request order for `volume` tasks of the test app on any pool.
    pub fn request_order(&self, volume: u64) -> SignedOrder<RequestOrder> {
        let order = RequestOrder {
            app: self.app,
            appmaxprice: U256::ZERO,
            dataset: Address::ZERO,
            datasetmaxprice: U256::ZERO,
            workerpool: Address::ZERO,
            workerpoolmaxprice: U256::from(POOL_PRICE),
            requester: self.address(REQUESTER),
            volume: U256::from(volume),
            tag: B256::ZERO,
            category: U256::ZERO,
            trust: U256::ZERO,
            beneficiary: self.address(REQUESTER),
            callback: Address::ZERO,
            params: r#"{"iexec_args":"e2e"}"#.into(),
            salt: B256::random(),
        };
        sign_order(&self.keys[REQUESTER], order, &self.domain).unwrap()
    }

    /// `matchOrders` of a fresh app order, `pool_order` and a request for `volume` tasks, sent by
    /// the requester. Answers the deal id.
    pub async fn match_orders(
        &self,
        pool_order: &SignedOrder<WorkerpoolOrder>,
        volume: u64,
    ) -> poco_primitives::DealId {
        let app = self.app_order();
        let request = self.request_order(volume);
        let hub = self.hub();
        let consumed = hub.viewConsumed(request.hash(&self.domain).0).call().await.unwrap();
        let call = hub
            .matchOrders(
                abi_app(&app),
                abi_no_dataset(),
                abi_pool(pool_order),
                abi_request(&request),
            )
            .from(self.address(REQUESTER));
        send(call).await;
        poco_primitives::DealId::derive(request.hash(&self.domain), consumed)
    }
}

/// A scripted worker: real login signature, registration, heartbeats over HTTP.
pub struct ScriptedWorker {
    pub key: PrivateKeySigner,
    pub token: String,
    base: String,
    http: reqwest::Client,
}

impl ScriptedWorker {
    /// Logs in to the scheduler at `base` and registers `slots` slots.
    pub async fn join(base: &str, key: PrivateKeySigner, slots: u32) -> Self {
        let http = reqwest::Client::new();
        let challenge: Challenge = http
            .get(format!("{base}{}?worker={}", paths::CHALLENGE, key.address()))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let login = challenge.sign(&key).unwrap();
        let response =
            http.post(format!("{base}{}", paths::LOGIN)).json(&login).send().await.unwrap();
        assert_eq!(response.status(), 200);
        let session: Session = response.json().await.unwrap();
        let registration = Registration {
            name: format!("worker-{}", &key.address().to_string()[2..8]),
            version: "0.1.0".into(),
            cores: slots,
            memory_mib: 4096,
            gpus: 0,
            executors: [Executor::Docker, Executor::Wasm].into(),
            tags: Tag::NONE,
            max_parallel_tasks: slots,
        };
        let response = http
            .post(format!("{base}{}", paths::REGISTER))
            .bearer_auth(&session.token)
            .json(&registration)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{:?}", response.text().await);
        Self { key, token: session.token, base: base.to_owned(), http }
    }

    /// Pings every tenth of `LOST_AFTER_MS` until the handle is aborted (the worker leaves).
    pub fn keep_alive(&self) -> tokio::task::JoinHandle<()> {
        let worker = Self {
            key: self.key.clone(),
            token: self.token.clone(),
            base: self.base.clone(),
            http: self.http.clone(),
        };
        tokio::spawn(async move {
            loop {
                worker.heartbeat().await;
                tokio::time::sleep(Duration::from_millis(LOST_AFTER_MS / 10)).await;
            }
        })
    }

    pub async fn heartbeat(&self) {
        let response = self
            .http
            .post(format!("{}{}", self.base, paths::HEARTBEAT))
            .bearer_auth(&self.token)
            .json(&Heartbeat::default())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{:?}", response.text().await);
    }
}

pub fn abi_app(o: &SignedOrder<AppOrder>) -> IPoco::AppOrder {
    IPoco::AppOrder {
        app: o.app,
        appprice: o.appprice,
        volume: o.volume,
        tag: o.tag,
        datasetrestrict: o.datasetrestrict,
        workerpoolrestrict: o.workerpoolrestrict,
        requesterrestrict: o.requesterrestrict,
        salt: o.salt,
        sign: o.sign.clone(),
    }
}

pub fn abi_no_dataset() -> IPoco::DatasetOrder {
    IPoco::DatasetOrder {
        dataset: Address::ZERO,
        datasetprice: U256::ZERO,
        volume: U256::ZERO,
        tag: B256::ZERO,
        apprestrict: Address::ZERO,
        workerpoolrestrict: Address::ZERO,
        requesterrestrict: Address::ZERO,
        salt: B256::ZERO,
        sign: Bytes::new(),
    }
}

pub fn abi_pool(o: &SignedOrder<WorkerpoolOrder>) -> IPoco::WorkerpoolOrder {
    IPoco::WorkerpoolOrder {
        workerpool: o.workerpool,
        workerpoolprice: o.workerpoolprice,
        volume: o.volume,
        tag: o.tag,
        category: o.category,
        trust: o.trust,
        apprestrict: o.apprestrict,
        datasetrestrict: o.datasetrestrict,
        requesterrestrict: o.requesterrestrict,
        salt: o.salt,
        sign: o.sign.clone(),
    }
}

pub fn abi_request(o: &SignedOrder<RequestOrder>) -> IPoco::RequestOrder {
    IPoco::RequestOrder {
        app: o.app,
        appmaxprice: o.appmaxprice,
        dataset: o.dataset,
        datasetmaxprice: o.datasetmaxprice,
        workerpool: o.workerpool,
        workerpoolmaxprice: o.workerpoolmaxprice,
        requester: o.requester,
        volume: o.volume,
        tag: o.tag,
        category: o.category,
        trust: o.trust,
        beneficiary: o.beneficiary,
        callback: o.callback,
        params: o.params.clone(),
        salt: o.salt,
        sign: o.sign.clone(),
    }
}
