//! The [`Engine`]: what drives the pool's tasks on chain and hands them to workers.
//!
//! ```text
//!  chain ── SchedulerNotice(pool, deal) ──► deals::Follower ──► deals + tasks (RECEIVED) in SQL
//!        ◄── initializeArray ────────────── driver tick ◄──── timers, reports (wake)
//!        ── viewTask (ACTIVE/REVEALING/…) ─► driver: consensus → REVEAL push → uploader → UPLOAD
//!        ◄── finalize / reopen ──────────── driver: RESULT_UPLOADED → COMPLETED; detectors → FAILED
//!  worker ── GET /v1/work (long poll) ─────► dispatch: replication plan, slots, tags, executor,
//!                                            signed authorization
//!         ── POST /v1/replicates/{id}/status ► reports: transition table, checked on chain
//!         ── GET /v1/workers/events (SSE) ◄── push: REVEAL, UPLOAD, ABORT, COMPLETE
//! ```
//!
//! Everything the engine decides is stored before it acts (the task's state moves to
//! `INITIALIZING` before `initialize` is sent, to `FINALIZING` before `finalize`), so a new
//! engine on the same database resumes: it re-reads the chain for every task in a sending state.

use alloy::providers::Provider;
use alloy_primitives::{Address, U256};
use axum::Router;
use poco_chain::{ChainClient, ChainError, PrivateKeySigner, StreamConfig, TxConfig, TxManager};
use poco_scheduler_api::PushMessage;
use std::{
    collections::HashMap,
    future::Future,
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::Duration,
};
use tokio::sync::{Notify, broadcast};
use tracing::{info, warn};

use poco_primitives::DealId;

use crate::{
    api::WorkerApi, deals::DealInfo, error::StoreError, open_tasks::OpenTasks, store::Store,
};

/// The engine's periods and limits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EngineConfig {
    /// How often every live task is reconciled with the chain (also run at once after a report
    /// that may move a task).
    pub tick_period: Duration,
    /// How often the driver reads the chain for every live task, even the quiet ones
    /// (`INITIALIZED` or `RUNNING` with no replicate past `COMPUTED`, read only at their
    /// deadlines otherwise).
    pub sweep_period: Duration,
    /// How often silent workers are looked for.
    pub loss_period: Duration,
    /// How often the missed-deal detector re-reads the notices of the last blocks.
    pub detector_period: Duration,
    /// How many blocks behind the cursor the missed-deal detector reads.
    pub detector_window: u64,
    /// Where the deal stream starts without a saved cursor, and its confirmations.
    pub stream: StreamConfig,
    /// Most tasks per `initializeArray`.
    pub initialize_batch: usize,
    /// A chosen uploader that has not uploaded after this is replaced.
    pub upload_timeout: Duration,
    /// No new replicate is handed out this close to the contribution deadline (seconds).
    pub contribution_margin: u64,
}

impl Default for EngineConfig {
    fn default() -> Self {
        Self {
            tick_period: Duration::from_secs(2),
            sweep_period: Duration::from_secs(30),
            loss_period: Duration::from_secs(5),
            detector_period: Duration::from_secs(60),
            detector_window: 1000,
            stream: StreamConfig::default(),
            initialize_batch: 32,
            upload_timeout: Duration::from_secs(300),
            contribution_margin: 30,
        }
    }
}

/// Why the engine stopped or an engine step failed.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A chain read failed.
    #[error(transparent)]
    Chain(Box<ChainError>),
    /// A transaction failed.
    #[error(transparent)]
    Tx(Box<poco_chain::TxError>),
    /// The deal stream stopped.
    #[error(transparent)]
    Stream(Box<poco_chain::StreamError>),
    /// Signing an authorization failed.
    #[error("signing failed: {0}")]
    Sign(#[from] poco_primitives::Error),
    /// A stored deal does not parse.
    #[error("deal {deal}: {detail}")]
    BadDeal {
        /// The deal.
        deal: String,
        /// What is wrong.
        detail: String,
    },
}

impl From<ChainError> for EngineError {
    fn from(error: ChainError) -> Self {
        Self::Chain(Box::new(error))
    }
}

impl From<poco_chain::TxError> for EngineError {
    fn from(error: poco_chain::TxError) -> Self {
        Self::Tx(Box::new(error))
    }
}

impl From<poco_chain::StreamError> for EngineError {
    fn from(error: poco_chain::StreamError) -> Self {
        Self::Stream(Box::new(error))
    }
}

/// What the engine's parts share.
pub(crate) struct Inner {
    pub(crate) api: Arc<WorkerApi>,
    pub(crate) store: Arc<Store>,
    pub(crate) client: ChainClient,
    pub(crate) tx: TxManager,
    pub(crate) signer: PrivateKeySigner,
    pub(crate) hub: Address,
    pub(crate) workerpool: Address,
    pub(crate) config: EngineConfig,
    /// New work may be available (a task initialized, a replicate lost or failed).
    pub(crate) work: Notify,
    /// The driver should tick now.
    pub(crate) wake: Notify,
    /// Messages to workers (worker, message).
    pub(crate) push: broadcast::Sender<(Address, PushMessage)>,
    /// Assignments are decided one at a time, from this index of the open tasks.
    pub(crate) dispatch: tokio::sync::Mutex<OpenTasks>,
    /// The open-task index must be refreshed at the next ask.
    pub(crate) open_stale: AtomicBool,
    /// Workers' on-chain scores, as last read, and when.
    pub(crate) scores: std::sync::Mutex<HashMap<Address, (U256, std::time::Instant)>>,
    /// Deals as stored (they never change once stored), read once.
    pub(crate) deals: std::sync::Mutex<HashMap<DealId, Arc<DealInfo>>>,
    /// When the driver last read the chain for every live task.
    pub(crate) swept: std::sync::Mutex<Option<std::time::Instant>>,
    /// The latest block's timestamp, as last read (seconds).
    pub(crate) chain_now: AtomicU64,
}

impl std::fmt::Debug for Inner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("hub", &self.hub)
            .field("workerpool", &self.workerpool)
            .field("scheduler", &self.tx.address())
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// The scheduler's engine: follows the pool's deals, initializes their tasks, hands replicates
/// to workers, follows contributions to consensus, reveal, upload and `finalize`, and ends every
/// task it cannot finish `FAILED` with a cause. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Engine {
    pub(crate) inner: Arc<Inner>,
}

impl Engine {
    /// An engine for the pool of `api.config.workerpool` on the hub at `hub`, sending its
    /// transactions and signing authorizations with `signer` (the pool's owner).
    pub fn new(
        api: Arc<WorkerApi>,
        client: ChainClient,
        signer: PrivateKeySigner,
        hub: Address,
        config: EngineConfig,
    ) -> Self {
        let tx = TxManager::new(client.clone(), signer.clone(), TxConfig::default());
        let (push, _) = broadcast::channel(1024);
        let workerpool = api.config.workerpool;
        let store = Arc::clone(&api.store);
        Self {
            inner: Arc::new(Inner {
                api,
                store,
                client,
                tx,
                signer,
                hub,
                workerpool,
                config,
                work: Notify::new(),
                wake: Notify::new(),
                push,
                dispatch: tokio::sync::Mutex::new(OpenTasks::default()),
                open_stale: AtomicBool::new(false),
                scores: std::sync::Mutex::new(HashMap::new()),
                deals: std::sync::Mutex::new(HashMap::new()),
                swept: std::sync::Mutex::new(None),
                chain_now: AtomicU64::new(0),
            }),
        }
    }

    /// The worker routes: the registry's (challenge, login, register, config, heartbeat) and the
    /// engine's (work, replicate status, push events).
    pub fn router(&self) -> Router {
        crate::api::router(Arc::clone(&self.inner.api))
            .merge(crate::api::engine_router(self.clone()))
    }

    /// The shared worker state.
    pub fn api(&self) -> &Arc<WorkerApi> {
        &self.inner.api
    }

    /// The store.
    pub fn store(&self) -> &Arc<Store> {
        &self.inner.store
    }

    /// Runs the deal follower, the driver, the loss detector and the missed-deal detector until
    /// `shutdown` completes (or the deal stream fails for good). Dropping the future stops it.
    pub async fn run(&self, shutdown: impl Future<Output = ()> + Send) -> Result<(), EngineError> {
        info!(workerpool = %self.inner.workerpool, scheduler = %self.inner.tx.address(), "Engine starts.");
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let follower = crate::deals::follow(self.clone(), stopped.clone());
        let loops = async {
            tokio::try_join!(follower, self.drive_loop(), self.loss_loop(), self.detector_loop())
                .map(drop)
        };
        let outcome = tokio::select! {
            outcome = loops => outcome,
            () = shutdown => Ok(()),
        };
        let _ = stop.send(true);
        info!("Engine stopped.");
        outcome
    }

    async fn drive_loop(&self) -> Result<(), EngineError> {
        loop {
            if let Err(error) = self.tick().await {
                warn!(%error, "Engine tick failed; retrying at the next tick.");
            }
            let wake = self.inner.wake.notified();
            tokio::select! {
                () = wake => {}
                () = tokio::time::sleep(self.inner.config.tick_period) => {}
            }
        }
    }

    async fn loss_loop(&self) -> Result<(), EngineError> {
        loop {
            tokio::time::sleep(self.inner.config.loss_period).await;
            let lost = self.inner.api.detect_lost().await;
            if !lost.is_empty() {
                info!(lost = lost.len(), "Lost workers' replicates released.");
                self.work_available();
                self.inner.wake.notify_one();
            }
        }
    }

    async fn detector_loop(&self) -> Result<(), EngineError> {
        loop {
            match self.detect_missed_deals().await {
                Ok(0) => {}
                Ok(found) => {
                    warn!(found, "Missed deals found by the detector.");
                    self.inner.wake.notify_one();
                }
                Err(error) => warn!(%error, "Missed-deal detector failed."),
            }
            tokio::time::sleep(self.inner.config.detector_period).await;
        }
    }

    /// The latest block's timestamp (and remembers it for dispatch).
    pub(crate) async fn chain_time(&self) -> Result<u64, EngineError> {
        let block = self
            .inner
            .client
            .provider()
            .get_block_by_number(alloy::eips::BlockNumberOrTag::Latest)
            .await
            .map_err(|source| ChainError::Rpc { method: "eth_getBlockByNumber", source })?;
        let now = block.map_or(0, |block| block.header.timestamp);
        self.inner.chain_now.store(now, Ordering::Relaxed);
        Ok(now)
    }

    /// The chain time last read (seconds; 0 before the first tick).
    pub(crate) fn last_chain_time(&self) -> u64 {
        self.inner.chain_now.load(Ordering::Relaxed)
    }

    /// Sends `message` to `worker`'s push stream (if it listens; it also gets it as the answer
    /// to its next report).
    pub(crate) fn push(&self, worker: Address, message: PushMessage) {
        let _ = self.inner.push.send((worker, message));
    }

    /// The time in ms (the registry's clock).
    pub(crate) fn now_ms(&self) -> u64 {
        (self.inner.api.clock)()
    }
}
