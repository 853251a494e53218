//! The worker routes of the scheduler over HTTP (axum): challenge, login, registration, config,
//! heartbeat; and the loss detector that turns silent workers' replicates to `LOST`.

use alloy_primitives::{Address, B256, keccak256};
use axum::{
    Json, Router,
    extract::{
        Path, Query, State,
        rejection::{JsonRejection, PathRejection, QueryRejection},
    },
    http::{HeaderMap, StatusCode, header::AUTHORIZATION},
    response::{
        IntoResponse, Response,
        sse::{Event, KeepAlive, Sse},
    },
    routing::{get, post},
};
use poco_primitives::TaskId;
use poco_scheduler_api::{
    ErrorBody, ErrorCode, Heartbeat, HeartbeatAck, Login, NextAction, PoolConfig, PushMessage,
    Registration, ReplicateReport, ReplicateState, WorkQuery, paths,
};
use serde::Deserialize;
use std::{
    sync::Arc,
    time::{Duration, SystemTime, UNIX_EPOCH},
};
use tracing::{error, warn};

use crate::{
    engine::Engine,
    machine::ReplicateEvent,
    registry::{Refusal, Registry},
    store::Store,
};

/// The time in ms since the epoch (injected so tests drive it).
pub type Clock = Arc<dyn Fn() -> u64 + Send + Sync>;

/// The wall clock.
pub fn system_clock() -> Clock {
    Arc::new(|| {
        let since = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or(Duration::ZERO);
        u64::try_from(since.as_millis()).unwrap_or(u64::MAX)
    })
}

/// Replicate states a worker is working in (a lost worker's replicates in these go `LOST`).
pub const LIVE_REPLICATE_STATES: &[ReplicateState] = &[
    ReplicateState::Assigned,
    ReplicateState::Downloading,
    ReplicateState::Computing,
    ReplicateState::Computed,
    ReplicateState::Contributing,
    ReplicateState::Contributed,
    ReplicateState::Revealing,
    ReplicateState::Revealed,
    ReplicateState::UploadRequested,
    ReplicateState::Uploading,
    ReplicateState::Uploaded,
    ReplicateState::Recovering,
];

/// What the worker routes share.
pub struct WorkerApi {
    /// Workers.
    pub registry: Registry,
    /// Tasks and replicates.
    pub store: Arc<Store>,
    /// The pool config answered to workers (its `configHash` is computed from the rest).
    pub config: PoolConfig,
    /// The time.
    pub clock: Clock,
    /// When this process started (ms): replicates of workers that have not come back this long
    /// after a restart are lost.
    pub started_ms: u64,
}

impl std::fmt::Debug for WorkerApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WorkerApi").field("config", &self.config).finish_non_exhaustive()
    }
}

impl WorkerApi {
    /// The shared state; `config.config_hash` is set from the other fields.
    pub fn new(
        registry: Registry,
        store: Arc<Store>,
        mut config: PoolConfig,
        clock: Clock,
    ) -> Self {
        config.config_hash = B256::ZERO;
        let bytes = serde_json::to_vec(&config).unwrap_or_default();
        config.config_hash = keccak256(bytes);
        let started_ms = clock();
        Self { registry, store, config, clock, started_ms }
    }

    /// Declares silent workers lost and moves their live replicates to `LOST` (each in its own
    /// transaction; a replicate that moved meanwhile is left to its new state). Returns the lost
    /// workers.
    pub async fn detect_lost(&self) -> Vec<Address> {
        let now = (self.clock)();
        let mut lost = self.registry.detect_lost(now);
        // After a restart the registry is empty: a worker that held replicates and has not logged
        // in again within the loss delay is lost too.
        if now.saturating_sub(self.started_ms) > self.registry.lost_after_ms() {
            match self.store.workers_in(LIVE_REPLICATE_STATES).await {
                Ok(holders) => {
                    for worker in holders {
                        if self.registry.worker(worker).is_none() && !lost.contains(&worker) {
                            warn!(%worker, "Worker not back since the restart: lost.");
                            lost.push(worker);
                        }
                    }
                }
                Err(error) => error!(%error, "Could not list the workers holding replicates."),
            }
        }
        for &worker in &lost {
            let replicates = match self.store.replicates_of(worker, LIVE_REPLICATE_STATES).await {
                Ok(replicates) => replicates,
                Err(error) => {
                    error!(%worker, %error, "Could not read a lost worker's replicates.");
                    continue;
                }
            };
            for replicate in replicates {
                let outcome = self
                    .store
                    .apply_replicate(
                        replicate.task_id,
                        worker,
                        replicate.state,
                        ReplicateEvent::WorkerLost,
                        None,
                        None,
                    )
                    .await;
                if let Err(error) = outcome {
                    warn!(%worker, task = %replicate.task_id, %error, "Replicate not marked lost.");
                }
            }
        }
        lost
    }
}

/// An API refusal.
#[derive(Debug)]
pub struct ApiError(Refusal);

impl From<Refusal> for ApiError {
    fn from(refusal: Refusal) -> Self {
        Self(refusal)
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        Self(Refusal::new(ErrorCode::MalformedRequest, rejection.body_text()))
    }
}

impl From<PathRejection> for ApiError {
    fn from(rejection: PathRejection) -> Self {
        Self(Refusal::new(ErrorCode::InvalidParameter, rejection.body_text()))
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        Self(Refusal::new(ErrorCode::InvalidParameter, rejection.body_text()))
    }
}

impl From<crate::StoreError> for ApiError {
    fn from(store_error: crate::StoreError) -> Self {
        error!(error = %store_error, "Store failed.");
        Self(Refusal::new(ErrorCode::Internal, "internal error"))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let code = self.0.code;
        let status =
            StatusCode::from_u16(code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (status, Json(ErrorBody { code, message: self.0.message })).into_response()
    }
}

type Shared = State<Arc<WorkerApi>>;

fn bearer(api: &WorkerApi, headers: &HeaderMap) -> Result<Address, ApiError> {
    let token = headers
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .ok_or_else(|| Refusal::new(ErrorCode::MissingToken, "log in first"))?;
    Ok(api.registry.authenticate(token.trim(), (api.clock)())?)
}

#[derive(Deserialize)]
struct ChallengeQuery {
    worker: Address,
}

async fn challenge(
    State(api): Shared,
    query: Result<Query<ChallengeQuery>, QueryRejection>,
) -> Result<impl IntoResponse, ApiError> {
    let Query(query) = query?;
    Ok(Json(api.registry.challenge(query.worker, (api.clock)())?))
}

async fn login(
    State(api): Shared,
    body: Result<Json<Login>, JsonRejection>,
) -> Result<impl IntoResponse, ApiError> {
    let Json(login) = body?;
    Ok(Json(api.registry.login(&login, (api.clock)())?))
}

async fn register(
    State(api): Shared,
    headers: HeaderMap,
    body: Result<Json<Registration>, JsonRejection>,
) -> Result<impl IntoResponse, ApiError> {
    let worker = bearer(&api, &headers)?;
    let Json(registration) = body?;
    api.registry.register(worker, registration, (api.clock)())?;
    Ok(Json(api.config.clone()))
}

async fn config(State(api): Shared) -> impl IntoResponse {
    Json(api.config.clone())
}

async fn heartbeat(
    State(api): Shared,
    headers: HeaderMap,
    body: Result<Json<Heartbeat>, JsonRejection>,
) -> Result<impl IntoResponse, ApiError> {
    let worker = bearer(&api, &headers)?;
    let Json(heartbeat) = body?;
    api.registry.heartbeat(worker, (api.clock)())?;
    let assigned: Vec<_> = api
        .store
        .replicates_of(worker, LIVE_REPLICATE_STATES)
        .await?
        .into_iter()
        .map(|replicate| replicate.task_id)
        .collect();
    let abandon = heartbeat.running.into_iter().filter(|task| !assigned.contains(task)).collect();
    Ok(Json(HeartbeatAck { config_hash: api.config.config_hash, assigned, abandon }))
}

/// The worker routes.
pub fn router(api: Arc<WorkerApi>) -> Router {
    Router::new()
        .route(paths::CHALLENGE, get(challenge))
        .route(paths::LOGIN, post(login))
        .route(paths::REGISTER, post(register))
        .route(paths::CONFIG, get(config))
        .route(paths::HEARTBEAT, post(heartbeat))
        .with_state(api)
}

// ---- The engine's worker routes: ask for work (long poll), replicate reports, push (SSE).

type EngineState = State<Engine>;

/// `GET /v1/work?waitMs=`: the long poll for an assignment (see [`Engine::try_assign`]). Held
/// until a task fits (woken by the engine, no polling) or `min(waitMs, maxWaitMs)` passed (204).
async fn work(
    State(engine): EngineState,
    headers: HeaderMap,
    query: Result<Query<WorkQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let api = engine.api();
    let worker = bearer(api, &headers)?;
    let Query(query) = query?;
    api.registry.heartbeat(worker, (api.clock)())?;
    let info = api
        .registry
        .worker(worker)
        .ok_or_else(|| Refusal::new(ErrorCode::NotRegistered, "register first"))?;
    let wait = Duration::from_millis(query.wait_ms.min(api.config.max_wait_ms));
    let until = tokio::time::Instant::now() + wait;
    loop {
        let notified = engine.inner.work.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        if let Some(assignment) = engine.try_assign(worker, &info).await? {
            return Ok(Json(assignment).into_response());
        }
        tokio::select! {
            () = notified => {}
            () = tokio::time::sleep_until(until) => return Ok(StatusCode::NO_CONTENT.into_response()),
        }
    }
}

/// `POST /v1/replicates/{taskId}/status`.
async fn status(
    State(engine): EngineState,
    headers: HeaderMap,
    task: Result<Path<TaskId>, PathRejection>,
    body: Result<Json<ReplicateReport>, JsonRejection>,
) -> Result<impl IntoResponse, ApiError> {
    let api = engine.api();
    let worker = bearer(api, &headers)?;
    let Path(task_id) = task?;
    let Json(report) = body?;
    api.registry.heartbeat(worker, (api.clock)())?;
    Ok(Json(engine.report(worker, task_id, report).await?))
}

/// The SSE event of a push message (`event` is the action's name, `data` the JSON).
fn sse_event(message: &PushMessage) -> Option<Event> {
    let name = serde_json::to_value(&message.action)
        .ok()
        .and_then(|value| value.get("action").and_then(|a| a.as_str().map(str::to_owned)))
        .unwrap_or_default();
    match Event::default().event(name).json_data(message) {
        Ok(event) => Some(event),
        Err(error) => {
            warn!(%error, "Push message not encoded.");
            None
        }
    }
}

/// `GET /v1/workers/events`: the worker's push messages as server-sent events. A (re)connecting
/// worker first gets what is pending for each of its live replicates (a reveal or an upload
/// asked while it was away, or while the scheduler restarted), then the live messages.
async fn events(State(engine): EngineState, headers: HeaderMap) -> Result<Response, ApiError> {
    let worker = bearer(engine.api(), &headers)?;
    // Subscribed before the pending messages are read: nothing falls in between.
    let receiver = engine.inner.push.subscribe();
    let mut pending = Vec::new();
    for replicate in engine.api().store.replicates_of(worker, LIVE_REPLICATE_STATES).await? {
        let task_id = replicate.task_id;
        match engine.next_action(task_id, worker).await {
            Ok(action @ (NextAction::Reveal { .. } | NextAction::Upload { .. })) => {
                pending.extend(sse_event(&PushMessage { task_id, action }));
            }
            Ok(_) => {}
            Err(error) => warn!(%worker, task = %task_id, %error, "Pending action not read."),
        }
    }
    let pending = futures_util::stream::iter(pending.into_iter().map(Ok));
    let live = futures_util::stream::unfold(receiver, move |mut receiver| async move {
        loop {
            match receiver.recv().await {
                Ok((to, message)) if to == worker => {
                    if let Some(event) = sse_event(&message) {
                        return Some((Ok::<_, std::convert::Infallible>(event), receiver));
                    }
                }
                Ok(_) => {}
                Err(tokio::sync::broadcast::error::RecvError::Lagged(missed)) => {
                    // The worker learns what it missed from its next report's answer.
                    warn!(%worker, missed, "Push stream lagged.");
                }
                Err(tokio::sync::broadcast::error::RecvError::Closed) => return None,
            }
        }
    });
    Ok(Sse::new(futures_util::StreamExt::chain(pending, live))
        .keep_alive(KeepAlive::default())
        .into_response())
}

/// The engine's worker routes: work, replicate status, push events.
pub fn engine_router(engine: Engine) -> Router {
    Router::new()
        .route(paths::WORK, get(work))
        .route(paths::REPLICATE_STATUS, post(status))
        .route(paths::EVENTS, get(events))
        .with_state(engine)
}
