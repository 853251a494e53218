//! [`spawn`]: a whole scheduler in the current process: store, chain client, worker registry,
//! engine, public routes, metrics and order publisher, behind one HTTP listener.
//!
//! ```text
//!  spawn(SchedulerConfig, signer)
//!    ├─ Store::connect (SQLite | PostgreSQL, migrations)
//!    ├─ ChainClient::connect (chain id checked)
//!    ├─ HTTP: worker + engine routes + public routes, timed by the metrics middleware
//!    ├─ engine.run            (deals → initialize → dispatch → consensus → finalize; loss
//!    │                         detector; missed-deal detector)
//!    ├─ publisher.run         (orders sized to free capacity)             [config.publisher]
//!    └─ head follower         (the last block, for /v1/stats and /metrics)
//!  SchedulerHandle::shutdown: stop everything; the publisher withdraws its orders first.
//! ```

use poco_chain::{ChainClient, ChainConfig, PrivateKeySigner};
use poco_scheduler_api::{PoolConfig, SchedulerDomain};
use std::{
    net::SocketAddr,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};
use tokio::{net::TcpListener, sync::watch, task::JoinSet};
use tracing::{error, info, warn};

use crate::{
    api::{WorkerApi, system_clock},
    config::SchedulerConfig,
    engine::Engine,
    metrics::{Metrics, track},
    public::{PublicApi, RequesterSource, public_router},
    publisher::{Publisher, PublisherError},
    registry::Registry,
    store::Store,
};

/// Why a scheduler did not start or stop cleanly.
#[derive(Debug, thiserror::Error)]
pub enum SpawnError {
    /// The database could not be opened or migrated.
    #[error("database: {0}")]
    Store(#[from] crate::StoreError),
    /// The chain could not be reached, or serves another chain id.
    #[error("chain: {0}")]
    Chain(#[from] poco_chain::ChainError),
    /// The HTTP address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The publisher could not be built.
    #[error("publisher: {0}")]
    Publisher(#[from] PublisherError),
    /// A task of the scheduler panicked.
    #[error("a scheduler task panicked: {0}")]
    Join(#[from] tokio::task::JoinError),
}

/// A running scheduler.
#[derive(Debug)]
pub struct SchedulerHandle {
    addr: SocketAddr,
    workers: Arc<WorkerApi>,
    publisher: Option<Publisher>,
    metrics: Metrics,
    last_block: Arc<AtomicU64>,
    shutdown: watch::Sender<bool>,
    tasks: JoinSet<()>,
}

async fn stopped(mut stop: watch::Receiver<bool>) {
    while !*stop.borrow() {
        if stop.changed().await.is_err() {
            return;
        }
    }
}

fn ms(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// Runs the engine until `stop`; a failed engine (its deal stream gave up) is restarted after a
/// pause, so a node outage never leaves the pool without its engine.
fn start_engine(tasks: &mut JoinSet<()>, engine: Engine, stop: watch::Receiver<bool>) {
    tasks.spawn(async move {
        loop {
            match engine.run(stopped(stop.clone())).await {
                Ok(()) => break,
                Err(error) => {
                    error!(%error, "The engine stopped; restarting it in 5 s.");
                    let mut stop = stop.clone();
                    tokio::select! {
                        () = tokio::time::sleep(Duration::from_secs(5)) => {}
                        _ = stop.changed() => {}
                    }
                    if *stop.borrow() {
                        break;
                    }
                }
            }
        }
    });
}

/// Starts a scheduler for `config.workerpool`, signing as `signer` (the workerpool's owner).
pub async fn spawn(
    config: SchedulerConfig,
    signer: PrivateKeySigner,
) -> Result<SchedulerHandle, SpawnError> {
    let store = Arc::new(Store::connect(&config.database_url).await?);
    let chain_config = ChainConfig::new(config.rpc_url.clone(), config.chain_id)
        .with_poll_interval(config.poll_interval);
    let client = ChainClient::connect(chain_config).await?;
    let domain = SchedulerDomain { chain_id: config.chain_id, workerpool: config.workerpool };
    let registry = Registry::new(
        domain,
        config.registry,
        config.allowed_workers.clone().map(|list| list.into_iter().collect()),
    );
    let pool_config = PoolConfig {
        chain_id: config.chain_id,
        workerpool: config.workerpool,
        scheduler: signer.address(),
        results_url: config.results_url.clone(),
        heartbeat_period_ms: ms(config.heartbeat_period),
        lost_after_ms: config.registry.lost_after_ms,
        max_wait_ms: ms(config.max_wait),
        config_hash: alloy_primitives::B256::ZERO,
    };
    let workers = Arc::new(WorkerApi::new(registry, store, pool_config, system_clock()));
    let metrics = Metrics::new();
    let last_block = Arc::new(AtomicU64::new(0));
    let publisher = config
        .publisher
        .clone()
        .map(|publisher_config| {
            Publisher::new(
                publisher_config,
                config.hub,
                signer.clone(),
                Arc::clone(&workers),
                Some(metrics.clone()),
            )
        })
        .transpose()?;

    let public = Arc::new(PublicApi {
        workers: Arc::clone(&workers),
        requesters: Some(RequesterSource::new(client.clone(), config.hub)),
        metrics: metrics.clone(),
        last_block: Arc::clone(&last_block),
    });
    let engine = Engine::new(
        Arc::clone(&workers),
        client.clone(),
        signer.clone(),
        config.hub,
        config.engine.clone(),
    );
    let app = engine
        .router()
        .merge(public_router(public))
        .layer(axum::middleware::from_fn_with_state(metrics.clone(), track));

    let listener = TcpListener::bind(config.listen)
        .await
        .map_err(|source| SpawnError::Bind { addr: config.listen, source })?;
    let addr =
        listener.local_addr().map_err(|source| SpawnError::Bind { addr: config.listen, source })?;
    let (shutdown, stop) = watch::channel(false);
    let mut tasks = JoinSet::new();

    let server_stop = stop.clone();
    tasks.spawn(async move {
        if let Err(error) =
            axum::serve(listener, app).with_graceful_shutdown(stopped(server_stop)).await
        {
            error!(%error, "The HTTP server stopped.");
        }
    });

    start_engine(&mut tasks, engine, stop.clone());

    if let Some(publisher) = publisher.clone() {
        tasks.spawn(publisher.run(stop.clone()));
    }

    let head = Arc::clone(&last_block);
    let mut head_stop = stop;
    let period = config.poll_interval;
    tasks.spawn(async move {
        loop {
            match client.block_number().await {
                Ok(number) => head.store(number, Ordering::Relaxed),
                Err(error) => warn!(%error, "Could not read the chain's head."),
            }
            tokio::select! {
                () = tokio::time::sleep(period) => {}
                _ = head_stop.changed() => if *head_stop.borrow() { break },
            }
        }
    });

    info!(%addr, chain_id = config.chain_id, workerpool = %config.workerpool,
        scheduler = %signer.address(), publisher = publisher.is_some(),
        "Scheduler listening.");
    Ok(SchedulerHandle { addr, workers, publisher, metrics, last_block, shutdown, tasks })
}

impl SchedulerHandle {
    /// The address the API listens on.
    pub const fn socket_address(&self) -> SocketAddr {
        self.addr
    }

    /// The API's base URL (`http://127.0.0.1:port`).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The worker side (registry, store, clock).
    pub const fn workers(&self) -> &Arc<WorkerApi> {
        &self.workers
    }

    /// The store.
    pub fn store(&self) -> &Arc<Store> {
        &self.workers.store
    }

    /// The order publisher, if configured.
    pub const fn publisher(&self) -> Option<&Publisher> {
        self.publisher.as_ref()
    }

    /// The metrics.
    pub const fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    /// The last block seen.
    pub fn last_block(&self) -> u64 {
        self.last_block.load(Ordering::Relaxed)
    }

    /// Stops gracefully: the publisher withdraws its orders, the engine and the server stop.
    pub async fn shutdown(mut self) -> Result<(), SpawnError> {
        let _ = self.shutdown.send(true);
        while let Some(joined) = self.tasks.join_next().await {
            joined?;
        }
        info!(addr = %self.addr, "Scheduler stopped.");
        Ok(())
    }

    /// Stops at once, as a crash would: nothing is withdrawn or flushed (tests of restarts).
    pub async fn abort(mut self) {
        self.tasks.abort_all();
        while self.tasks.join_next().await.is_some() {}
    }
}
