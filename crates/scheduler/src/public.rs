//! The public and requester routes of the scheduler, and the worker's log upload:
//!
//! ```text
//! PUT /v1/replicates/{taskId}/logs                 AppLogs (bearer, the replicate's worker) → 204
//! GET /v1/tasks/{taskId}                           → TaskView          public
//! GET /v1/tasks/{taskId}/timeline                  → Timeline          public
//! GET /v1/tasks/{taskId}/replicates/{worker}       → ReplicateView     public
//! GET /v1/tasks/{taskId}/replicates/{worker}/logs  → AppLogs           the task's requester (x-poco-* headers)
//! GET /v1/stats                                    → PoolStats         public
//! GET /metrics                                     → Prometheus text   public
//! ```
//!
//! The requester of a task is read once and kept (`task_requesters`): from the deal of the
//! task's stored row, or, for a task the engine has not stored yet, from `viewTask` then
//! `viewDeal` on the hub.

use alloy_primitives::{Address, Bytes};
use axum::{
    Json, Router,
    extract::{Path, State, rejection::JsonRejection, rejection::PathRejection},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use poco_chain::ChainClient;
use poco_contracts::bindings::IPoco;
use poco_primitives::{DealId, TaskId};
use poco_scheduler_api::views::LOGS_MAX_BYTES;
use poco_scheduler_api::{
    AppLogs, ErrorCode, PoolStats, ReplicateView, RequesterAccess, Subject, TaskState, TaskView,
    Timeline, headers, paths,
};
use std::{
    str::FromStr,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
};
use tracing::{debug, info, warn};

use crate::{
    api::{ApiError, LIVE_REPLICATE_STATES, WorkerApi},
    metrics::Metrics,
    registry::Refusal,
    store::Store,
};

/// The longest a requester's signed access may be valid ahead of the scheduler's clock.
pub const MAX_ACCESS_AHEAD_SECS: u64 = 3600;

/// Where the requester of a task not known locally is read: the hub on the chain.
#[derive(Clone, Debug)]
pub struct RequesterSource {
    client: ChainClient,
    hub: Address,
}

/// Why the chain could not tell a task's requester.
#[derive(Debug, thiserror::Error)]
pub enum RequesterError {
    /// The task is not initialized on chain and the scheduler does not know it.
    #[error("task {0} is unknown")]
    UnknownTask(TaskId),
    /// The chain did not answer.
    #[error("chain: {0}")]
    Chain(#[from] poco_chain::ChainError),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] crate::StoreError),
}

impl RequesterSource {
    /// Reads requesters from the hub at `hub`.
    pub const fn new(client: ChainClient, hub: Address) -> Self {
        Self { client, hub }
    }

    /// The requester of `deal_id` (`viewDeal`).
    pub async fn deal_requester(&self, deal_id: DealId) -> Result<Address, RequesterError> {
        let deal = self.client.call(self.hub, &IPoco::viewDealCall { id: deal_id.0 }).await?;
        Ok(deal.requester)
    }

    /// The deal of an initialized task (`viewTask`); `None` if the task is not on chain.
    pub async fn task_deal(&self, task_id: TaskId) -> Result<Option<DealId>, RequesterError> {
        let task = self.client.call(self.hub, &IPoco::viewTaskCall { id: task_id.0 }).await?;
        Ok((task.status != 0 && !task.dealid.is_zero()).then_some(DealId(task.dealid)))
    }
}

/// What the public routes share.
pub struct PublicApi {
    /// The worker side (registry, store, clock, domain).
    pub workers: Arc<WorkerApi>,
    /// Where unknown requesters are read (`None`: only tasks whose requester is stored).
    pub requesters: Option<RequesterSource>,
    /// The scheduler's metrics.
    pub metrics: Metrics,
    /// The last block the scheduler saw (kept by whoever follows the chain).
    pub last_block: Arc<AtomicU64>,
}

impl std::fmt::Debug for PublicApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PublicApi")
            .field("last_block", &self.last_block.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

/// The pool's figures: alive workers and what they declared, busy slots (live replicates of
/// alive workers, at most each one's slots), tasks per state, and `last_block`.
pub async fn pool_stats(api: &WorkerApi, last_block: u64) -> crate::Result<PoolStats> {
    let alive = api.registry.alive();
    let held = api.store.replicates_per_worker(LIVE_REPLICATE_STATES).await?;
    let mut stats = PoolStats { last_block, ..PoolStats::default() };
    for (worker, info) in &alive {
        let slots = u64::from(info.registration.max_parallel_tasks);
        stats.alive_workers += 1;
        stats.registered_cores += u64::from(info.registration.cores);
        stats.registered_gpus += u64::from(info.registration.gpus);
        stats.slots += slots;
        stats.busy_slots += held.get(worker).copied().unwrap_or(0).min(slots);
    }
    stats.tasks = api.store.count_by_state().await?;
    Ok(stats)
}

fn refusal(code: ErrorCode, message: impl Into<String>) -> ApiError {
    ApiError::from(Refusal::new(code, message))
}

fn task_param(text: &str) -> Result<TaskId, ApiError> {
    TaskId::from_str(text).map_err(|_| {
        refusal(ErrorCode::InvalidParameter, "taskId must be 32 bytes of 0x-prefixed hex")
    })
}

fn worker_param(text: &str) -> Result<Address, ApiError> {
    Address::from_str(text)
        .map_err(|_| refusal(ErrorCode::InvalidParameter, "worker must be an address"))
}

fn path_refused(rejection: &PathRejection) -> ApiError {
    refusal(ErrorCode::InvalidParameter, rejection.body_text())
}

fn bad_access(message: &str) -> ApiError {
    refusal(ErrorCode::BadRequesterSignature, message)
}

async fn task_view(store: &Store, task_id: TaskId) -> Result<TaskView, ApiError> {
    let task = store
        .task(task_id)
        .await?
        .ok_or_else(|| refusal(ErrorCode::TaskNotFound, "this scheduler does not know the task"))?;
    let with_logs = store.workers_with_logs(task_id).await?;
    let replicates = store
        .replicates(task_id)
        .await?
        .into_iter()
        .map(|replicate| ReplicateView {
            worker: replicate.worker,
            state: replicate.state,
            result_hash: replicate.result_hash,
            has_logs: with_logs.contains(&replicate.worker),
        })
        .collect();
    let failure = if task.state == TaskState::Failed {
        store
            .timeline(task_id)
            .await?
            .into_iter()
            .rev()
            .find(|entry| entry.subject == Subject::Task)
            .and_then(|entry| entry.cause)
    } else {
        None
    };
    Ok(TaskView {
        task_id,
        deal_id: task.deal_id,
        task_index: task.task_index,
        state: task.state,
        contribution_deadline: task.contribution_deadline,
        final_deadline: task.final_deadline,
        failure,
        replicates,
    })
}

type Shared = State<Arc<PublicApi>>;

/// The worker behind the request's `Authorization: Bearer` token.
fn bearer(api: &WorkerApi, headers: &HeaderMap) -> Result<Address, ApiError> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .ok_or_else(|| refusal(ErrorCode::MissingToken, "log in first"))?;
    Ok(api.registry.authenticate(token.trim(), (api.clock)())?)
}

async fn get_task(
    State(api): Shared,
    path: Result<Path<String>, PathRejection>,
) -> Result<Json<TaskView>, ApiError> {
    let Path(task) = path.map_err(|rejection| path_refused(&rejection))?;
    Ok(Json(task_view(&api.workers.store, task_param(&task)?).await?))
}

async fn get_timeline(
    State(api): Shared,
    path: Result<Path<String>, PathRejection>,
) -> Result<Json<Timeline>, ApiError> {
    let Path(task) = path.map_err(|rejection| path_refused(&rejection))?;
    let task_id = task_param(&task)?;
    let store = &api.workers.store;
    if store.task(task_id).await?.is_none() {
        return Err(refusal(ErrorCode::TaskNotFound, "this scheduler does not know the task"));
    }
    Ok(Json(Timeline { task_id, entries: store.timeline(task_id).await? }))
}

async fn get_replicate(
    State(api): Shared,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Result<Json<ReplicateView>, ApiError> {
    let Path((task, worker)) = path.map_err(|rejection| path_refused(&rejection))?;
    let (task_id, worker) = (task_param(&task)?, worker_param(&worker)?);
    let view = task_view(&api.workers.store, task_id).await?;
    view.replicates.into_iter().find(|replicate| replicate.worker == worker).map(Json).ok_or_else(
        || refusal(ErrorCode::ReplicateNotFound, "the worker holds no replicate of the task"),
    )
}

/// Reads the three `x-poco-*` headers.
fn access_of(headers: &HeaderMap) -> Result<RequesterAccess, ApiError> {
    let text =
        |name: &str| {
            headers.get(name).and_then(|value| value.to_str().ok()).map(str::trim).ok_or_else(
                || bad_access("send x-poco-requester, x-poco-expires and x-poco-signature"),
            )
        };
    let requester = Address::from_str(text(headers::REQUESTER)?)
        .map_err(|_| bad_access("x-poco-requester is not an address"))?;
    let expires_at = text(headers::EXPIRES)?
        .parse::<u64>()
        .map_err(|_| bad_access("x-poco-expires is not a number of seconds"))?;
    let signature = Bytes::from_str(text(headers::SIGNATURE)?)
        .map_err(|_| bad_access("x-poco-signature is not hex"))?;
    Ok(RequesterAccess { requester, expires_at, signature })
}

/// The task's requester: stored, or read from the deal of the stored task, or from the chain.
async fn requester_of(api: &PublicApi, task_id: TaskId) -> Result<Address, ApiError> {
    let store = &api.workers.store;
    if let Some(requester) = store.requester(task_id).await? {
        return Ok(requester);
    }
    let unknown = || refusal(ErrorCode::TaskNotFound, "the task is not known here nor on chain");
    let Some(source) = &api.requesters else { return Err(unknown()) };
    let out_of_service = |error: RequesterError| {
        warn!(task = %task_id, %error, "Could not read the task's requester from the chain.");
        refusal(ErrorCode::OutOfService, "the chain cannot be read now: try again later")
    };
    let deal_id = match store.task(task_id).await? {
        Some(task) => task.deal_id,
        None => source.task_deal(task_id).await.map_err(out_of_service)?.ok_or_else(unknown)?,
    };
    let requester = source.deal_requester(deal_id).await.map_err(out_of_service)?;
    store.set_requester(task_id, deal_id, requester).await?;
    debug!(task = %task_id, %requester, "Requester of the task stored.");
    Ok(requester)
}

async fn get_logs(
    State(api): Shared,
    headers: HeaderMap,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Result<Json<AppLogs>, ApiError> {
    let Path((task, worker)) = path.map_err(|rejection| path_refused(&rejection))?;
    let (task_id, worker) = (task_param(&task)?, worker_param(&worker)?);
    let access = access_of(&headers)?;
    let now = (api.workers.clock)() / 1000;
    if access.expires_at < now {
        return Err(bad_access("the signed access expired"));
    }
    if access.expires_at > now.saturating_add(MAX_ACCESS_AHEAD_SECS) {
        return Err(bad_access("the signed access must expire within one hour"));
    }
    if !access.verify(api.workers.registry.domain(), task_id) {
        return Err(bad_access("the signature is not the requester's for this task and pool"));
    }
    let requester = requester_of(&api, task_id).await?;
    if requester != access.requester {
        warn!(task = %task_id, signer = %access.requester, "Logs asked by someone else than the requester.");
        return Err(bad_access("only the task's requester reads its logs"));
    }
    let logs = api.workers.store.logs(task_id, worker).await?.ok_or_else(|| {
        refusal(ErrorCode::ReplicateNotFound, "no logs from this worker for the task")
    })?;
    Ok(Json(logs))
}

async fn put_logs(
    State(api): Shared,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
    body: Result<Json<AppLogs>, JsonRejection>,
) -> Result<StatusCode, ApiError> {
    let Path(task) = path.map_err(|rejection| path_refused(&rejection))?;
    let task_id = task_param(&task)?;
    let worker = bearer(&api.workers, &headers)?;
    let logs = match body {
        Ok(Json(logs)) => logs,
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return Err(refusal(ErrorCode::LogsTooLarge, "the body is too large"));
        }
        Err(rejection) => return Err(ApiError::from(rejection)),
    };
    if logs.stdout.len() > LOGS_MAX_BYTES || logs.stderr.len() > LOGS_MAX_BYTES {
        return Err(refusal(
            ErrorCode::LogsTooLarge,
            format!("each stream holds at most {LOGS_MAX_BYTES} bytes: send its tail"),
        ));
    }
    let store = &api.workers.store;
    let holds = store.replicates(task_id).await?.iter().any(|replicate| replicate.worker == worker);
    if !holds {
        return Err(refusal(
            ErrorCode::ReplicateNotFound,
            "the worker holds no replicate of the task",
        ));
    }
    store.put_logs(task_id, worker, &logs).await?;
    info!(task = %task_id, %worker, stdout = logs.stdout.len(), stderr = logs.stderr.len(), "App logs stored.");
    Ok(StatusCode::NO_CONTENT)
}

async fn get_stats(State(api): Shared) -> Result<Json<PoolStats>, ApiError> {
    Ok(Json(pool_stats(&api.workers, api.last_block.load(Ordering::Relaxed)).await?))
}

async fn get_metrics(State(api): Shared) -> Result<Response, ApiError> {
    let stats = pool_stats(&api.workers, api.last_block.load(Ordering::Relaxed)).await?;
    let transitions = api.workers.store.transitions_per_event().await?;
    api.metrics.record_state(&stats, &transitions);
    Ok(([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], api.metrics.render())
        .into_response())
}

/// The public routes, the requester's logs and the worker's log upload.
pub fn public_router(api: Arc<PublicApi>) -> Router {
    Router::new()
        .route(paths::REPLICATE_LOGS, axum::routing::put(put_logs))
        .route(paths::TASK, get(get_task))
        .route(paths::TIMELINE, get(get_timeline))
        .route(paths::REPLICATE, get(get_replicate))
        .route(paths::LOGS, get(get_logs))
        .route(paths::STATS, get(get_stats))
        .route(paths::METRICS, get(get_metrics))
        .with_state(api)
}
