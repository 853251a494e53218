//! [`Publisher`]: keeps the pool's signed workerpool orders on the market, sized to what the pool
//! can take now.
//!
//! ```text
//!  every period (or reconcile()):
//!    free   = min(maxVolume, slots of alive workers − busy slots − tasks sold but not handed out)
//!    open   = Σ remaining of our orders the market still lists open   (GET /v1/orders/workerpool/{hash})
//!    open > free → unpublish (signed) orders, largest first, until open ≤ free
//!    open < free → publish one order of volume free − open               (POST /v1/orders/workerpool)
//!                  (at maxOrders open orders: unpublish them all and publish one of volume free)
//!  on shutdown: unpublish every open order
//! ```
//!
//! For `startup_grace` after start, orders are never shrunk: the workers of the previous run
//! log in again within a heartbeat or two, and until they do the registry undercounts the pool.
//!
//! A deal that consumes part of an order lowers its `remaining` on the market (its chain watcher),
//! so the next pass publishes the difference again. Every order is written to
//! `published_orders` as `pending` before it is sent and turns `open` once the market accepted
//! it, so a scheduler restarted after a crash finds its orders (asking the market about the
//! `pending` ones) instead of publishing them twice. The market is reached only over HTTP, with
//! the `poco-market-api` types.

use alloy::sol_types::Eip712Domain;
use alloy_primitives::{Address, B256, U256};
use poco_chain::PrivateKeySigner;
use poco_market_api::{
    ApiError as MarketError, Book, OrderStatus, PublishRequest, UnpublishRequest, UnpublishTarget,
    Unpublished, book::WorkerpoolOrderRecord, market_domain,
};
use poco_primitives::{OrderHash, SignedOrder, Tag, WorkerpoolOrder, poco_domain, sign_order};
use sqlx::Row;
use std::{
    str::FromStr,
    sync::Arc,
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};
use tokio::sync::{Mutex, watch};
use tracing::{debug, info, instrument, warn};
use url::Url;

use crate::{
    api::{LIVE_REPLICATE_STATES, WorkerApi},
    metrics::Metrics,
    public::pool_stats,
    store::Store,
    store_public::now_ms,
};

/// What the pool sells and how often the publisher looks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublisherConfig {
    /// The market's base URL (`http://127.0.0.1:8080`).
    pub market_url: Url,
    /// Price per task, in nRLC.
    pub price: U256,
    /// The category sold.
    pub category: U256,
    /// The highest trust the pool accepts.
    pub trust: U256,
    /// What the pool offers (TEE, GPU bits).
    pub tag: Tag,
    /// Only this app (or group), zero for any.
    pub app_restrict: Address,
    /// Only this dataset (or group), zero for any.
    pub dataset_restrict: Address,
    /// Only this requester (or group), zero for any.
    pub requester_restrict: Address,
    /// The most volume kept open at once, whatever the capacity.
    pub max_volume: u64,
    /// The most orders kept open at once (more are merged into one).
    pub max_orders: usize,
    /// How often the publisher looks at capacity and the market.
    pub period: Duration,
    /// Timeout of each market request.
    pub request_timeout: Duration,
    /// For this long after start, orders are not shrunk: workers of the previous run log in
    /// again within a heartbeat or two, and until they do the registry undercounts the pool.
    pub startup_grace: Duration,
}

impl PublisherConfig {
    /// Defaults for a market at `market_url`: free orders of category 0, trust 1, no tag, no
    /// restriction, at most 64 tasks in at most 3 orders, checked every 10 s.
    pub fn new(market_url: Url) -> Self {
        Self {
            market_url,
            price: U256::ZERO,
            category: U256::ZERO,
            trust: U256::from(1),
            tag: Tag::NONE,
            app_restrict: Address::ZERO,
            dataset_restrict: Address::ZERO,
            requester_restrict: Address::ZERO,
            max_volume: 64,
            max_orders: 3,
            period: Duration::from_secs(10),
            request_timeout: Duration::from_secs(10),
            startup_grace: Duration::from_secs(30),
        }
    }
}

/// Why a publisher pass stopped.
#[derive(Debug, thiserror::Error)]
pub enum PublisherError {
    /// The market could not be reached (nothing was decided; the next pass tries again).
    #[error("market unreachable: {0}")]
    Unreachable(#[from] reqwest::Error),
    /// The market refused a request.
    #[error("market refused {what}: {refusal:?}")]
    Refused {
        /// What was asked.
        what: &'static str,
        /// The market's answer (code and message), when it sent one.
        refusal: Option<MarketError>,
        /// The HTTP status.
        status: u16,
    },
    /// Signing failed.
    #[error("signing: {0}")]
    Sign(#[from] poco_primitives::Error),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] crate::StoreError),
    /// A URL could not be built from the market's base.
    #[error("market URL: {0}")]
    Url(#[from] url::ParseError),
}

/// Where a published order stands for the publisher.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PublishedState {
    /// Written before sending: the market may or may not have it.
    Pending,
    /// In the book, with `remaining` left.
    Open,
    /// Filled, unpublished, cancelled, dead or refused: no longer counted.
    Closed,
}

impl PublishedState {
    const fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Open => "open",
            Self::Closed => "closed",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        [Self::Pending, Self::Open, Self::Closed].into_iter().find(|state| state.as_str() == text)
    }
}

/// One order the publisher put on the market.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublishedOrder {
    /// Its on-chain hash.
    pub order_hash: OrderHash,
    /// Its salt.
    pub salt: B256,
    /// Its volume.
    pub volume: u64,
    /// Tasks left, as last read.
    pub remaining: u64,
    /// Where it stands.
    pub state: PublishedState,
    /// Why it closed.
    pub closed_reason: Option<String>,
    /// The signed order.
    pub order: SignedOrder<WorkerpoolOrder>,
}

// Called from `map_err`, which owns the error.
#[allow(clippy::needless_pass_by_value)]
fn corrupt(detail: impl std::fmt::Display) -> crate::StoreError {
    crate::StoreError::Corrupt { what: "published order".into(), detail: detail.to_string() }
}

fn to_i64(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

fn published(row: &sqlx::any::AnyRow) -> crate::Result<PublishedOrder> {
    let hash: String = row.try_get("order_hash")?;
    let salt: String = row.try_get("salt")?;
    let volume: i64 = row.try_get("volume")?;
    let remaining: i64 = row.try_get("remaining")?;
    let state: String = row.try_get("state")?;
    let order: String = row.try_get("signed_order")?;
    Ok(PublishedOrder {
        order_hash: OrderHash::from_str(&hash).map_err(corrupt)?,
        salt: B256::from_str(&salt).map_err(corrupt)?,
        volume: u64::try_from(volume).map_err(corrupt)?,
        remaining: u64::try_from(remaining).map_err(corrupt)?,
        state: PublishedState::parse(&state).ok_or_else(|| corrupt(&state))?,
        closed_reason: row.try_get("closed_reason")?,
        order: serde_json::from_str(&order).map_err(corrupt)?,
    })
}

const COLUMNS: &str = "order_hash, salt, volume, remaining, state, closed_reason, signed_order";

impl Store {
    /// Records an order about to be sent to the market (`pending`).
    pub async fn insert_published(
        &self,
        hash: OrderHash,
        order: &SignedOrder<WorkerpoolOrder>,
        volume: u64,
    ) -> crate::Result<()> {
        let json = serde_json::to_string(order).map_err(corrupt)?;
        let at = now_ms();
        let (mut tx, _guard) = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO published_orders (order_hash, salt, volume, remaining, signed_order, state, \
             closed_reason, created_at, updated_at) VALUES ($1, $2, $3, $3, $4, $5, NULL, $6, $6)",
        )
        .bind(format!("{:#x}", hash.0))
        .bind(format!("{:#x}", order.salt))
        .bind(to_i64(volume))
        .bind(json)
        .bind(PublishedState::Pending.as_str())
        .bind(at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Moves a published order to `state` (`remaining` and the reason when given).
    pub async fn update_published(
        &self,
        hash: OrderHash,
        state: PublishedState,
        remaining: Option<u64>,
        reason: Option<&str>,
    ) -> crate::Result<()> {
        let (mut tx, _guard) = self.begin_write().await?;
        sqlx::query(
            "UPDATE published_orders SET state = $1, remaining = COALESCE($2, remaining), \
             closed_reason = COALESCE($3, closed_reason), updated_at = $4 WHERE order_hash = $5",
        )
        .bind(state.as_str())
        .bind(remaining.map(to_i64))
        .bind(reason)
        .bind(now_ms())
        .bind(format!("{:#x}", hash.0))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The orders not closed (pending or open), oldest first.
    pub async fn live_published(&self) -> crate::Result<Vec<PublishedOrder>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM published_orders WHERE state <> $1 ORDER BY created_at, order_hash"
        );
        let rows =
            sqlx::query(&sql).bind(PublishedState::Closed.as_str()).fetch_all(self.pool()).await?;
        rows.iter().map(published).collect()
    }

    /// Every order the publisher ever published, oldest first.
    pub async fn all_published(&self) -> crate::Result<Vec<PublishedOrder>> {
        let sql = format!("SELECT {COLUMNS} FROM published_orders ORDER BY created_at, order_hash");
        let rows = sqlx::query(&sql).fetch_all(self.pool()).await?;
        rows.iter().map(published).collect()
    }
}

struct Inner {
    config: PublisherConfig,
    workerpool: Address,
    chain_id: u64,
    hub: Address,
    domain: Eip712Domain,
    signer: PrivateKeySigner,
    workers: Arc<WorkerApi>,
    metrics: Option<Metrics>,
    http: reqwest::Client,
    /// One pass at a time (the loop and explicit calls).
    pass: Mutex<()>,
    started: Instant,
}

/// Keeps the pool's orders on the market (see the module docs). Cheap to clone.
#[derive(Clone)]
pub struct Publisher {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Publisher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Publisher")
            .field("workerpool", &self.inner.workerpool)
            .field("market", &self.inner.config.market_url.as_str())
            .finish_non_exhaustive()
    }
}

fn now_secs() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |since| since.as_secs())
}

fn u64_of(value: U256) -> u64 {
    u64::try_from(value).unwrap_or(u64::MAX)
}

/// What one pass saw and did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PassReport {
    /// The capacity to sell.
    pub target: u64,
    /// Open volume on the market before the pass.
    pub open_before: u64,
    /// Orders published.
    pub published: Vec<(OrderHash, u64)>,
    /// Orders unpublished.
    pub unpublished: Vec<OrderHash>,
}

impl Publisher {
    /// A publisher for the pool of `workers` (its registry's domain gives the chain and the
    /// workerpool), signing with `signer` (the workerpool's owner) for the hub at `hub`.
    pub fn new(
        config: PublisherConfig,
        hub: Address,
        signer: PrivateKeySigner,
        workers: Arc<WorkerApi>,
        metrics: Option<Metrics>,
    ) -> Result<Self, PublisherError> {
        let domain = workers.registry.domain();
        let http = reqwest::Client::builder().timeout(config.request_timeout).build()?;
        Ok(Self {
            inner: Arc::new(Inner {
                workerpool: domain.workerpool,
                chain_id: domain.chain_id,
                hub,
                domain: poco_domain(domain.chain_id, hub),
                signer,
                workers,
                metrics,
                http,
                pass: Mutex::new(()),
                started: Instant::now(),
                config,
            }),
        })
    }

    fn store(&self) -> &Store {
        &self.inner.workers.store
    }

    /// What the pool can take now: alive workers' slots minus busy slots minus tasks sold but
    /// not handed out yet, capped by `max_volume`.
    pub async fn free_capacity(&self) -> Result<u64, PublisherError> {
        let stats = pool_stats(&self.inner.workers, 0).await?;
        let waiting = self.store().waiting_tasks(LIVE_REPLICATE_STATES).await?;
        let free = stats.slots.saturating_sub(stats.busy_slots).saturating_sub(waiting);
        Ok(free.min(self.inner.config.max_volume))
    }

    fn url(&self, path: &str) -> Result<Url, PublisherError> {
        Ok(self.inner.config.market_url.join(path)?)
    }

    async fn refused(what: &'static str, response: reqwest::Response) -> PublisherError {
        let status = response.status().as_u16();
        let refusal = response.json::<MarketError>().await.ok();
        PublisherError::Refused { what, refusal, status }
    }

    /// The market's record of an order, `None` if it does not know it.
    async fn read(&self, hash: OrderHash) -> Result<Option<WorkerpoolOrderRecord>, PublisherError> {
        let url = self.url(&format!("v1/orders/workerpool/{:#x}", hash.0))?;
        let response = self.inner.http.get(url).send().await?;
        if response.status() == reqwest::StatusCode::NOT_FOUND {
            return Ok(None);
        }
        if !response.status().is_success() {
            return Err(Self::refused("an order read", response).await);
        }
        Ok(Some(response.json().await?))
    }

    fn order(&self, volume: u64) -> WorkerpoolOrder {
        let config = &self.inner.config;
        WorkerpoolOrder {
            workerpool: self.inner.workerpool,
            workerpoolprice: config.price,
            volume: U256::from(volume),
            tag: config.tag.0,
            category: config.category,
            trust: config.trust,
            apprestrict: config.app_restrict,
            datasetrestrict: config.dataset_restrict,
            requesterrestrict: config.requester_restrict,
            salt: B256::random(),
        }
    }

    async fn publish(&self, volume: u64) -> Result<OrderHash, PublisherError> {
        let signed = sign_order(&self.inner.signer, self.order(volume), &self.inner.domain)?;
        let hash = signed.hash(&self.inner.domain);
        // Written first: a crash after the market accepted it leaves a `pending` row that the
        // next pass resolves by asking the market, never a second order.
        self.store().insert_published(hash, &signed, volume).await?;
        let body = PublishRequest { order: signed, signer: Some(self.inner.signer.address()) };
        let response =
            self.inner.http.post(self.url("v1/orders/workerpool")?).json(&body).send().await?;
        if !response.status().is_success() {
            let error = Self::refused("a publication", response).await;
            let reason = match &error {
                PublisherError::Refused { refusal: Some(refusal), .. } => {
                    format!("refused: {}", refusal.error.as_str())
                }
                _ => "refused".to_owned(),
            };
            self.store()
                .update_published(hash, PublishedState::Closed, Some(0), Some(&reason))
                .await?;
            return Err(error);
        }
        let record: WorkerpoolOrderRecord = response.json().await?;
        self.store()
            .update_published(hash, PublishedState::Open, Some(u64_of(record.remaining)), None)
            .await?;
        info!(order = %hash, volume, "Workerpool order published.");
        Ok(hash)
    }

    async fn unpublish(&self, hash: OrderHash) -> Result<(), PublisherError> {
        let request = UnpublishRequest::sign(
            &self.inner.signer,
            self.inner.signer.address(),
            Book::Workerpool,
            UnpublishTarget::Order,
            Some(hash),
            None,
            now_secs(),
            &market_domain(self.inner.chain_id, self.inner.hub),
        )?;
        let response = self
            .inner
            .http
            .post(self.url("v1/orders/workerpool/unpublish")?)
            .json(&request)
            .send()
            .await?;
        if !response.status().is_success() {
            return Err(Self::refused("an unpublication", response).await);
        }
        let answer: Unpublished = response.json().await?;
        let reason = if answer.unpublished.contains(&hash) { "unpublished" } else { "not open" };
        self.store().update_published(hash, PublishedState::Closed, Some(0), Some(reason)).await?;
        info!(order = %hash, reason, "Workerpool order taken off the market.");
        Ok(())
    }

    /// Reads every live order from the market and keeps the open ones (with their remaining
    /// volume); closes the others.
    async fn refresh(&self) -> Result<Vec<PublishedOrder>, PublisherError> {
        let mut open = Vec::new();
        for mut order in self.store().live_published().await? {
            match self.read(order.order_hash).await? {
                Some(record) if record.status == OrderStatus::Open => {
                    order.remaining = u64_of(record.remaining);
                    order.state = PublishedState::Open;
                    self.store()
                        .update_published(
                            order.order_hash,
                            order.state,
                            Some(order.remaining),
                            None,
                        )
                        .await?;
                    open.push(order);
                }
                Some(record) => {
                    let reason = record.status.as_str();
                    debug!(order = %order.order_hash, reason, "Order no longer open.");
                    self.store()
                        .update_published(
                            order.order_hash,
                            PublishedState::Closed,
                            Some(0),
                            Some(reason),
                        )
                        .await?;
                }
                None => {
                    let reason = match order.state {
                        PublishedState::Pending => "never reached the market",
                        _ => "gone from the market",
                    };
                    self.store()
                        .update_published(
                            order.order_hash,
                            PublishedState::Closed,
                            Some(0),
                            Some(reason),
                        )
                        .await?;
                }
            }
        }
        Ok(open)
    }

    /// One pass: brings the open volume on the market to the free capacity.
    #[instrument(skip_all, fields(workerpool = %self.inner.workerpool))]
    pub async fn reconcile(&self) -> Result<PassReport, PublisherError> {
        let _pass = self.inner.pass.lock().await;
        let target = self.free_capacity().await?;
        let mut open = self.refresh().await?;
        let open_before: u64 = open.iter().map(|order| order.remaining).sum();
        let mut report = PassReport { target, open_before, ..PassReport::default() };
        let mut total = open_before;
        let in_grace = self.inner.started.elapsed() < self.inner.config.startup_grace;
        if total > target && in_grace {
            debug!(target, open = total, "Starting up: orders are not shrunk yet.");
        } else if total > target {
            // Largest first: the fewest orders to take out.
            open.sort_by_key(|order| std::cmp::Reverse(order.remaining));
            while total > target {
                let Some(order) = open.first().cloned() else { break };
                self.unpublish(order.order_hash).await?;
                report.unpublished.push(order.order_hash);
                total -= order.remaining;
                open.remove(0);
            }
        }
        if total < target {
            if open.len() >= self.inner.config.max_orders {
                for order in std::mem::take(&mut open) {
                    self.unpublish(order.order_hash).await?;
                    report.unpublished.push(order.order_hash);
                }
                total = 0;
            }
            let volume = target - total;
            let hash = self.publish(volume).await?;
            report.published.push((hash, volume));
            total = target;
        }
        if let Some(metrics) = &self.inner.metrics {
            metrics.published_volume(total);
        }
        if !report.published.is_empty() || !report.unpublished.is_empty() {
            info!(target, open_before, open_now = total, "Orders resized to the pool's capacity.");
        }
        Ok(report)
    }

    /// Takes every open order of the pool off the market (on shutdown).
    pub async fn withdraw_all(&self) -> Result<usize, PublisherError> {
        let _pass = self.inner.pass.lock().await;
        let open = self.refresh().await?;
        for order in &open {
            self.unpublish(order.order_hash).await?;
        }
        if let Some(metrics) = &self.inner.metrics {
            metrics.published_volume(0);
        }
        Ok(open.len())
    }

    /// Runs passes every period until `stop` turns true, then withdraws the orders.
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        loop {
            if let Err(error) = self.reconcile().await {
                warn!(%error, "Publisher pass failed; trying again next period.");
            }
            tokio::select! {
                () = tokio::time::sleep(self.inner.config.period) => {}
                changed = stop.changed() => {
                    if changed.is_err() || *stop.borrow() {
                        break;
                    }
                }
            }
        }
        match self.withdraw_all().await {
            Ok(count) => info!(count, "Orders withdrawn on shutdown."),
            Err(error) => warn!(%error, "Could not withdraw every order on shutdown."),
        }
    }
}
