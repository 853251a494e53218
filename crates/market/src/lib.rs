//! poco's marketplace: the orderbook service where offer meets demand.
//!
//! App developers, dataset owners and pools publish signed sell orders, requesters publish
//! request orders and look for the cheapest compatible set; every order is checked against the
//! chain before it enters a book, and a chain watcher keeps the books right afterwards.
//!
//! ```text
//!  HTTP (axum, per-IP rate limit) ──▶ api ──▶ service::Market ──▶ store (sqlx Any: SQLite | PostgreSQL)
//!                                      │          │   └─ publish checks ─▶ chain::ChainView (poco-chain)
//!                                      │          └─ matching (best match)
//!  GET /v1/feed (SSE) ◀── broadcast ◀──┴── watcher (EventStream, cursor in the database)
//! ```
//!
//! It sits in layer 3: it uses `poco-primitives` (order hashing, signatures), `poco-contracts`
//! (bindings), `poco-chain` (client, event stream) and shares its API types with clients through
//! `poco-market-api`. Like the devchain it is a library first ([`spawn`] a [`MarketConfig`], get
//! a [`MarketHandle`]) with a thin `poco-market` binary (feature `cli`, on by default).
#![cfg_attr(not(test), warn(unused_crate_dependencies))]

// Dependencies of the `poco-market` binary only.
#[cfg(feature = "bench")]
use poco_devchain as _;
#[cfg(feature = "cli")]
use {clap as _, eyre as _, tracing_subscriber as _};

pub mod api;
pub mod chain;
pub mod error;
pub mod matching;
pub mod metrics;
pub mod openapi;
pub mod orders;
pub mod reference;
pub mod service;
pub mod signature;
pub mod store;
pub mod watcher;

use alloy::primitives::Address;
use poco_chain::{ChainClient, ChainConfig, StreamConfig};
use std::{net::SocketAddr, sync::Arc, time::Duration};
use tokio::{net::TcpListener, sync::watch, task::JoinHandle};
use tracing::{error, info};
use url::Url;

pub use api::{ApiConfig, RateLimit};
pub use error::{MarketError, Result};
pub use service::{Limits, Market};
pub use store::Store;

/// Everything [`spawn`] needs.
#[derive(Clone, Debug)]
pub struct MarketConfig {
    /// `sqlite://…` or `postgres://…`.
    pub database_url: String,
    /// The chain's JSON-RPC endpoint.
    pub rpc_url: Url,
    /// The chain id the node must serve.
    pub chain_id: u64,
    /// The hub of the deployment.
    pub hub: Address,
    /// Where the API listens.
    pub listen: SocketAddr,
    /// Limits on publication.
    pub limits: Limits,
    /// HTTP settings.
    pub api: ApiConfig,
    /// Run the chain watcher (on by default).
    pub watch: bool,
    /// First block the watcher reads when it has no cursor.
    pub start_block: u64,
    /// How often the watcher (and the chain client) polls.
    pub poll_interval: Duration,
}

impl MarketConfig {
    /// A configuration with the defaults for a deployment.
    pub fn new(database_url: String, rpc_url: Url, chain_id: u64, hub: Address) -> Self {
        Self {
            database_url,
            rpc_url,
            chain_id,
            hub,
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            limits: Limits::default(),
            api: ApiConfig::default(),
            watch: true,
            start_block: 0,
            poll_interval: Duration::from_millis(500),
        }
    }
}

/// A running market. Dropping it stops it; [`MarketHandle::shutdown`] stops it and waits.
#[derive(Debug)]
pub struct MarketHandle {
    addr: SocketAddr,
    market: Market,
    shutdown: watch::Sender<bool>,
    server: Option<JoinHandle<std::io::Result<()>>>,
    watcher: Option<JoinHandle<()>>,
}

/// Opens the store and the chain, then serves the API (and runs the watcher).
pub async fn spawn(config: MarketConfig) -> Result<MarketHandle> {
    metrics::install();
    let store = Arc::new(Store::connect(&config.database_url).await?);
    let chain_config = ChainConfig::new(config.rpc_url.clone(), config.chain_id)
        .with_poll_interval(config.poll_interval);
    let client = ChainClient::connect(chain_config)
        .await
        .map_err(|error| MarketError::Chain(Box::new(error)))?;
    let chain = Arc::new(chain::ChainView::connect(client, config.hub).await?);
    let market = Market::new(store, chain, config.limits.clone());

    let listener = TcpListener::bind(config.listen)
        .await
        .map_err(|source| MarketError::Bind { addr: config.listen, source })?;
    let addr = listener
        .local_addr()
        .map_err(|source| MarketError::Bind { addr: config.listen, source })?;
    let (shutdown, stop) = watch::channel(false);
    let app = api::router(market.clone(), &config.api);
    let server_stop = stop.clone();
    let server = tokio::spawn(async move {
        axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(stopped(server_stop))
            .await
    });
    let watcher = config.watch.then(|| {
        let market = market.clone();
        let stream = StreamConfig { start_block: config.start_block, ..StreamConfig::default() };
        tokio::spawn(async move {
            if let Err(error) = watcher::run(market, stream, stopped(stop)).await {
                error!(%error, "The chain watcher stopped.");
            }
        })
    });
    info!(%addr, chain_id = config.chain_id, hub = %config.hub, "Market listening.");
    Ok(MarketHandle { addr, market, shutdown, server: Some(server), watcher })
}

impl MarketHandle {
    /// The address the API listens on.
    pub const fn socket_address(&self) -> SocketAddr {
        self.addr
    }

    /// The API's base URL, e.g. `http://127.0.0.1:8080`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The market (for in-process use).
    pub const fn market(&self) -> &Market {
        &self.market
    }

    /// Waits until the server stops.
    pub async fn stopped(&mut self) -> Result<()> {
        if let Some(server) = self.server.take() {
            match server.await {
                Ok(Ok(())) => {}
                Ok(Err(source)) => return Err(MarketError::Bind { addr: self.addr, source }),
                Err(join) => {
                    return Err(MarketError::Bind {
                        addr: self.addr,
                        source: std::io::Error::other(join),
                    });
                }
            }
        }
        if let Some(watcher) = self.watcher.take() {
            let _ = watcher.await;
        }
        Ok(())
    }

    /// Stops the server and the watcher, and waits for them.
    pub async fn shutdown(mut self) -> Result<()> {
        self.shutdown.send_replace(true);
        let result = self.stopped().await;
        self.market.store().close_pool().await;
        result
    }
}

impl Drop for MarketHandle {
    fn drop(&mut self) {
        self.shutdown.send_replace(true);
    }
}

async fn stopped(mut stop: watch::Receiver<bool>) {
    let _ = stop.wait_for(|stop| *stop).await;
}
