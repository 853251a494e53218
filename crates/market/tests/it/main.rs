//! Integration tests of the market (one binary): the real devchain in-process, real signatures,
//! SQLite and PostgreSQL.
//!
//! Every database test runs twice ([`on_both_dbs!`]): on a SQLite file in a temp folder, and
//! on a fresh database of the PostgreSQL server at `POCO_TEST_POSTGRES_URL` (CI starts one with
//! `scripts/ci/postgres.sh`). Without that variable the PostgreSQL tests **fail**, unless
//! `POCO_ALLOW_NO_POSTGRES=1` is set (local development without PostgreSQL), in which case they
//! return after saying so.
// A test binary: an unwrap in a helper is an assertion.
#![allow(clippy::unwrap_used, clippy::too_many_lines, missing_docs, unreachable_pub)]

mod api;
mod chain;
mod matching;
mod reference;
mod watcher;

use alloy::{
    network::EthereumWallet,
    primitives::{Address, B256, Bytes, U256, keccak256},
    providers::{DynProvider, Provider, ProviderBuilder},
    signers::local::PrivateKeySigner,
    sol_types::Eip712Domain,
};
use axum::{
    Router,
    body::Body,
    extract::ConnectInfo,
    http::{Method, Request, StatusCode},
};
use poco_contracts::bindings::{AppRegistry, DatasetRegistry, IPoco, RLC, WorkerpoolRegistry};
use poco_devchain::{DevChainConfig, DevChainHandle};
use poco_market::{ApiConfig, Limits, Market, Store, chain::ChainView};
use poco_market_api::PoolMetadata;
use poco_primitives::{
    AppOrder, DatasetOrder, RequestOrder, SignedOrder, WorkerpoolOrder, poco_domain, sign_order,
};
use serde_json::Value;
use std::{net::SocketAddr, sync::Arc, time::Duration};
use tower::ServiceExt;

/// 1 RLC in nRLC.
pub const RLC: u64 = 1_000_000_000;

/// Which database a test runs on.
pub use poco_db::Backend as Db;
pub use poco_db::testing::{TestDb, postgres_url};

pub use poco_db::on_both_backends as on_both_dbs;

fn rand_bytes<const N: usize>() -> [u8; N] {
    let key = PrivateKeySigner::random();
    let mut out = [0u8; N];
    out.copy_from_slice(&key.to_bytes()[..N]);
    out
}

/// A fresh random salt.
pub fn salt() -> B256 {
    B256::from(rand_bytes::<32>())
}

/// Dev account roles.
pub const APP_OWNER: usize = 1;
pub const DATASET_OWNER: usize = 2;
pub const SCHEDULER: usize = 3;
pub const REQUESTER: usize = 4;
/// A requester with no deposit on the hub.
pub const POOR: usize = 5;
pub const STRANGER: usize = 6;

/// The metadata of the test pool.
pub fn pool_metadata() -> PoolMetadata {
    PoolMetadata {
        region: Some("eu-west".into()),
        energy: Some("solar".into()),
        hardware: Some("gpu".into()),
    }
}

/// A devchain with an app, a dataset and two workerpools, funded actors, and a market over
/// them (router served in-process).
pub struct Env {
    pub devchain: DevChainHandle,
    pub keys: Vec<PrivateKeySigner>,
    pub provider: DynProvider,
    pub hub: Address,
    pub domain: Eip712Domain,
    pub app: Address,
    pub dataset: Address,
    pub pool: Address,
    /// A second pool of the scheduler, in another region, on hydro power.
    pub pool2: Address,
    pub market: Market,
    pub router: Router,
    pub db: TestDb,
}

impl Env {
    pub async fn new(db: Db) -> Self {
        Self::with_limits(db, Limits::default()).await
    }

    pub async fn with_limits(db: Db, limits: Limits) -> Self {
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
            "market-test app".into(),
            "DOCKER".into(),
            Bytes::from_static(b"docker.io/iexechub/python-hello-world:8.0.0"),
            keccak256("app"),
            Bytes::new(),
        );
        let app = create_app.clone().from(address(APP_OWNER)).call().await.unwrap();
        send(create_app.from(address(APP_OWNER))).await;

        let datasets = DatasetRegistry::new(deployment.dataset_registry, provider.clone());
        let create_dataset = datasets.createDataset(
            address(DATASET_OWNER),
            "market-test dataset".into(),
            Bytes::from_static(b"/ipfs/QmW2WQi7j6c7UgJTarActp7tDNikE4B2qXtFCfLPdsgaTQ"),
            keccak256("dataset"),
        );
        let dataset = create_dataset.clone().from(address(DATASET_OWNER)).call().await.unwrap();
        send(create_dataset.from(address(DATASET_OWNER))).await;

        let pools = WorkerpoolRegistry::new(deployment.workerpool_registry, provider.clone());
        let mut created = Vec::new();
        let hydro = PoolMetadata {
            region: Some("us-east".into()),
            energy: Some("hydro".into()),
            hardware: Some("cpu".into()),
        };
        for metadata in [pool_metadata(), hydro] {
            let create =
                pools.createWorkerpool(address(SCHEDULER), metadata.to_description("pool"));
            let pool = create.clone().from(address(SCHEDULER)).call().await.unwrap();
            send(create.from(address(SCHEDULER))).await;
            created.push(pool);
        }

        let rlc = RLC::new(deployment.rlc, provider.clone());
        let poco = IPoco::new(hub, provider.clone());
        for who in [REQUESTER, SCHEDULER] {
            let amount = U256::from(10_000 * RLC);
            send(rlc.approve(hub, amount).from(address(who))).await;
            send(poco.deposit(amount).from(address(who))).await;
        }

        let db_handle = TestDb::new(db, "market").await;
        let market = market_over(&devchain, hub, &db_handle.url, limits).await;
        let router = poco_market::api::router(
            market.clone(),
            &ApiConfig { rate_limit: None, ..ApiConfig::default() },
        );
        Self {
            domain: poco_domain(devchain.chain_id(), hub),
            devchain,
            keys,
            provider,
            hub,
            app,
            dataset,
            pool: created[0],
            pool2: created[1],
            market,
            router,
            db: db_handle,
        }
    }

    pub fn address(&self, index: usize) -> Address {
        self.keys[index].address()
    }

    pub fn hub(&self) -> IPoco::IPocoInstance<DynProvider> {
        IPoco::new(self.hub, self.provider.clone())
    }

    /// An app order of the test app at `price`, volume 10.
    pub fn app_order(&self, price: u64) -> AppOrder {
        AppOrder {
            app: self.app,
            appprice: U256::from(price),
            volume: U256::from(10),
            salt: salt(),
            ..Default::default()
        }
    }

    pub fn dataset_order(&self, price: u64) -> DatasetOrder {
        DatasetOrder {
            dataset: self.dataset,
            datasetprice: U256::from(price),
            volume: U256::from(10),
            salt: salt(),
            ..Default::default()
        }
    }

    pub fn pool_order(&self, price: u64) -> WorkerpoolOrder {
        WorkerpoolOrder {
            workerpool: self.pool,
            workerpoolprice: U256::from(price),
            volume: U256::from(10),
            category: U256::ZERO,
            trust: U256::from(1),
            salt: salt(),
            ..Default::default()
        }
    }

    pub fn request_order(&self, requester: usize) -> RequestOrder {
        RequestOrder {
            app: self.app,
            appmaxprice: U256::from(10 * RLC),
            dataset: Address::ZERO,
            datasetmaxprice: U256::ZERO,
            workerpool: Address::ZERO,
            workerpoolmaxprice: U256::from(100 * RLC),
            requester: self.address(requester),
            volume: U256::from(2),
            tag: B256::ZERO,
            category: U256::ZERO,
            trust: U256::ZERO,
            beneficiary: self.address(requester),
            callback: Address::ZERO,
            params: r#"{"iexec_args":"hello"}"#.into(),
            salt: salt(),
        }
    }

    /// Signs `order` with dev account `signer` under the deployment's domain.
    pub fn sign<O: poco_primitives::Order>(&self, signer: usize, order: O) -> SignedOrder<O> {
        sign_order(&self.keys[signer], order, &self.domain).unwrap()
    }

    /// Calls the API in-process, from `peer`.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        call(&self.router, method, path, body).await
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, Some(body)).await
    }

    /// Publishes a signed order in `book` and expects it accepted.
    pub async fn publish<O: serde::Serialize>(&self, book: &str, order: &SignedOrder<O>) -> Value {
        let (status, body) =
            self.post(&format!("/v1/orders/{book}"), serde_json::json!({ "order": order })).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body
    }
}

/// A market (no HTTP) over the devchain and a database.
pub async fn market_over(
    devchain: &DevChainHandle,
    hub: Address,
    url: &str,
    limits: Limits,
) -> Market {
    let store = Arc::new(Store::connect(url).await.unwrap());
    let config = poco_chain::ChainConfig::new(
        devchain.http_endpoint().parse().unwrap(),
        devchain.chain_id(),
    )
    .with_poll_interval(Duration::from_millis(20));
    let client = poco_chain::ChainClient::connect(config).await.unwrap();
    let chain = Arc::new(ChainView::connect(client, hub).await.unwrap());
    Market::new(store, chain, limits)
}

/// Sends a transaction and waits for its receipt; panics on a revert.
pub async fn send<P, D, N>(call: alloy::contract::CallBuilder<P, D, N>)
where
    P: Provider<N>,
    D: alloy::contract::CallDecoder,
    N: alloy::network::Network,
{
    let receipt = call.send().await.unwrap().get_receipt().await.unwrap();
    assert!(alloy::network::ReceiptResponse::status(&receipt), "transaction reverted");
}

/// Calls a router in-process, as a client at 127.0.0.1.
pub async fn call(
    router: &Router,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut request = Request::builder().method(method).uri(path);
    let body = match body {
        Some(body) => {
            request = request.header("content-type", "application/json");
            Body::from(body.to_string())
        }
        None => Body::empty(),
    };
    let mut request = request.body(body).unwrap();
    request.extensions_mut().insert(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 40000))));
    raw(router, request).await
}

/// Sends a prepared request to a router.
pub async fn raw(router: &Router, request: Request<Body>) -> (StatusCode, Value) {
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 24).await.unwrap();
    let value = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
    (status, value)
}

/// The ABI form of a signed order, for `matchOrders`.
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

pub fn abi_dataset(o: Option<&SignedOrder<DatasetOrder>>) -> IPoco::DatasetOrder {
    let Some(o) = o else {
        return IPoco::DatasetOrder {
            dataset: Address::ZERO,
            datasetprice: U256::ZERO,
            volume: U256::ZERO,
            tag: B256::ZERO,
            apprestrict: Address::ZERO,
            workerpoolrestrict: Address::ZERO,
            requesterrestrict: Address::ZERO,
            salt: B256::ZERO,
            sign: Bytes::new(),
        };
    };
    IPoco::DatasetOrder {
        dataset: o.dataset,
        datasetprice: o.datasetprice,
        volume: o.volume,
        tag: o.tag,
        apprestrict: o.apprestrict,
        workerpoolrestrict: o.workerpoolrestrict,
        requesterrestrict: o.requesterrestrict,
        salt: o.salt,
        sign: o.sign.clone(),
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
