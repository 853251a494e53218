//! A scheduler stand-in for the worker's tests: the documented HTTP protocol over real HTTP, with
//! the login signature checked, bearer tokens, a queue of assignments, every report and log
//! recorded, and push messages over server-sent events.

use alloy_primitives::{Address, B256};
use axum::{
    Json, Router,
    extract::{Path, Query, State},
    http::{HeaderMap, StatusCode},
    response::{
        IntoResponse, Response,
        sse::{Event, Sse},
    },
    routing::{get, post, put},
};
use poco_primitives::TaskId;
use poco_scheduler_api::{
    AppLogs, Assignment, Challenge, ErrorBody, ErrorCode, HeartbeatAck, Login, NextAction,
    PoolConfig, PushMessage, ReplicateReport, SchedulerDomain, Session, auth::recover_login, paths,
};
use std::{
    collections::{HashMap, VecDeque},
    convert::Infallible,
    sync::{Arc, Mutex},
    time::Duration,
};
use tokio::sync::{Notify, broadcast};

/// How the stand-in answers reports after the contribution.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Policy {
    /// CONTRIBUTED → REVEAL, REVEALED → UPLOAD, UPLOADED → COMPLETE, in the answers.
    Answer,
    /// Always WAIT: the test pushes the actions itself.
    Wait,
}

#[derive(Default)]
struct Inner {
    queue: VecDeque<Assignment>,
    reports: Vec<(TaskId, ReplicateReport)>,
    logs: HashMap<TaskId, AppLogs>,
    nonces: HashMap<B256, Address>,
    tokens: HashMap<String, Address>,
    logins: usize,
    registrations: usize,
    heartbeats: usize,
}

pub struct FakeScheduler {
    pub url: String,
    domain: SchedulerDomain,
    results_url: String,
    inner: Mutex<Inner>,
    policy: Mutex<Policy>,
    /// When set, a CONTRIBUTING report is never answered (the worker hangs there).
    hang_contributing: std::sync::atomic::AtomicBool,
    changed: Notify,
    push: broadcast::Sender<PushMessage>,
    server: Mutex<Option<tokio::task::JoinHandle<()>>>,
}

type Shared = Arc<FakeScheduler>;

fn refuse(code: ErrorCode, message: &str) -> Response {
    let status = StatusCode::from_u16(code.http_status()).unwrap();
    (status, Json(ErrorBody { code, message: message.to_owned() })).into_response()
}

impl FakeScheduler {
    pub async fn start(domain: SchedulerDomain, results_url: String, policy: Policy) -> Arc<Self> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let (push, _) = broadcast::channel(64);
        let this = Arc::new(Self {
            url,
            domain,
            results_url,
            inner: Mutex::new(Inner::default()),
            policy: Mutex::new(policy),
            hang_contributing: std::sync::atomic::AtomicBool::new(false),
            changed: Notify::new(),
            push,
            server: Mutex::new(None),
        });
        let router = Router::new()
            .route(paths::CHALLENGE, get(challenge))
            .route(paths::LOGIN, post(login))
            .route(paths::REGISTER, post(register))
            .route(paths::CONFIG, get(config))
            .route(paths::HEARTBEAT, post(heartbeat))
            .route(paths::EVENTS, get(events))
            .route(paths::WORK, get(work))
            .route(paths::REPLICATE_STATUS, post(status))
            .route(paths::REPLICATE_LOGS, put(logs))
            .with_state(Arc::clone(&this));
        let server = tokio::spawn(async move {
            axum::serve(listener, router).await.unwrap();
        });
        *this.server.lock().unwrap() = Some(server);
        this
    }

    pub fn stop(&self) {
        if let Some(server) = self.server.lock().unwrap().take() {
            server.abort();
        }
    }

    pub fn assign(&self, assignment: Assignment) {
        self.inner.lock().unwrap().queue.push_back(assignment);
    }

    /// Whether CONTRIBUTING reports hang (recorded, never answered).
    pub fn hang_contributing(&self, hang: bool) {
        self.hang_contributing.store(hang, std::sync::atomic::Ordering::SeqCst);
    }

    /// Every token stops working (the next call gets TOKEN_EXPIRED).
    pub fn expire_tokens(&self) {
        self.inner.lock().unwrap().tokens.clear();
    }

    /// Waits (up to 30 s) until a worker listens on the push channel.
    pub async fn wait_subscribed(&self) {
        for _ in 0..600 {
            if self.push.receiver_count() > 0 {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no worker on the push channel");
    }

    pub fn push(&self, task_id: TaskId, action: NextAction) {
        let _ = self.push.send(PushMessage { task_id, action });
    }

    pub fn reports(&self, task_id: TaskId) -> Vec<ReplicateReport> {
        let inner = self.inner.lock().unwrap();
        inner.reports.iter().filter(|(t, _)| *t == task_id).map(|(_, r)| r.clone()).collect()
    }

    pub fn logs(&self, task_id: TaskId) -> Option<AppLogs> {
        self.inner.lock().unwrap().logs.get(&task_id).cloned()
    }

    pub fn logins(&self) -> usize {
        self.inner.lock().unwrap().logins
    }

    pub fn registrations(&self) -> usize {
        self.inner.lock().unwrap().registrations
    }

    pub fn heartbeats(&self) -> usize {
        self.inner.lock().unwrap().heartbeats
    }

    /// Waits (up to 60 s) until a report of `task_id` matches `what`; returns the reports.
    pub async fn wait_for(
        &self,
        task_id: TaskId,
        what: impl Fn(&ReplicateReport) -> bool,
    ) -> Vec<ReplicateReport> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        loop {
            let notified = self.changed.notified();
            let reports = self.reports(task_id);
            if reports.iter().any(&what) {
                return reports;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                panic!("no such report for {task_id}; got {reports:?}");
            }
        }
    }

    fn pool(&self) -> PoolConfig {
        PoolConfig {
            chain_id: self.domain.chain_id,
            workerpool: self.domain.workerpool,
            scheduler: Address::ZERO,
            results_url: self.results_url.clone(),
            heartbeat_period_ms: 200,
            lost_after_ms: 10_000,
            max_wait_ms: 300,
            config_hash: B256::repeat_byte(1),
        }
    }

    // The refusal is the axum response itself: large, but built once per refused call.
    #[allow(clippy::result_large_err)]
    fn worker_of(&self, headers: &HeaderMap) -> Result<Address, Response> {
        let token = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or_else(|| refuse(ErrorCode::MissingToken, "no token"))?;
        self.inner
            .lock()
            .unwrap()
            .tokens
            .get(token)
            .copied()
            .ok_or_else(|| refuse(ErrorCode::TokenExpired, "log in again"))
    }
}

#[derive(serde::Deserialize)]
struct WorkerQuery {
    worker: Address,
}

async fn challenge(State(s): State<Shared>, Query(q): Query<WorkerQuery>) -> Json<Challenge> {
    static NONCES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    let n = NONCES.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let nonce = B256::from(alloy_primitives::U256::from(n));
    s.inner.lock().unwrap().nonces.insert(nonce, q.worker);
    Json(Challenge { domain: s.domain, worker: q.worker, nonce, expires_at: 4_000_000_000 })
}

async fn login(State(s): State<Shared>, Json(login): Json<Login>) -> Response {
    let mut inner = s.inner.lock().unwrap();
    if inner.nonces.remove(&login.nonce) != Some(login.worker) {
        return refuse(ErrorCode::UnknownChallenge, "unknown nonce");
    }
    let challenge = Challenge {
        domain: s.domain,
        worker: login.worker,
        nonce: login.nonce,
        expires_at: 4_000_000_000,
    };
    if recover_login(challenge.message(), &login.signature).ok() != Some(login.worker) {
        return refuse(ErrorCode::BadLoginSignature, "bad signature");
    }
    inner.logins += 1;
    let token = format!("token-{}-{}", inner.logins, login.nonce);
    inner.tokens.insert(token.clone(), login.worker);
    Json(Session { token, expires_at: 4_000_000_000 }).into_response()
}

async fn register(
    State(s): State<Shared>,
    headers: HeaderMap,
    Json(registration): Json<poco_scheduler_api::Registration>,
) -> Response {
    if let Err(refusal) = s.worker_of(&headers) {
        return refusal;
    }
    if let Err(error) = registration.validate() {
        return refuse(ErrorCode::InvalidRegistration, &error.to_string());
    }
    s.inner.lock().unwrap().registrations += 1;
    Json(s.pool()).into_response()
}

async fn config(State(s): State<Shared>) -> Json<PoolConfig> {
    Json(s.pool())
}

async fn heartbeat(State(s): State<Shared>, headers: HeaderMap) -> Response {
    if let Err(refusal) = s.worker_of(&headers) {
        return refusal;
    }
    s.inner.lock().unwrap().heartbeats += 1;
    Json(HeartbeatAck { config_hash: s.pool().config_hash, assigned: vec![], abandon: vec![] })
        .into_response()
}

async fn events(State(s): State<Shared>, headers: HeaderMap) -> Response {
    if let Err(refusal) = s.worker_of(&headers) {
        return refusal;
    }
    let receiver = s.push.subscribe();
    let stream = futures_util::stream::unfold(receiver, |mut receiver| async move {
        loop {
            match receiver.recv().await {
                Ok(message) => {
                    let event = Event::default().data(serde_json::to_string(&message).unwrap());
                    return Some((Ok::<_, Infallible>(event), receiver));
                }
                Err(broadcast::error::RecvError::Lagged(_)) => {}
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    });
    Sse::new(stream).into_response()
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct Wait {
    wait_ms: u64,
}

async fn work(State(s): State<Shared>, headers: HeaderMap, Query(q): Query<Wait>) -> Response {
    if let Err(refusal) = s.worker_of(&headers) {
        return refusal;
    }
    let next = s.inner.lock().unwrap().queue.pop_front();
    match next {
        Some(assignment) => Json(assignment).into_response(),
        None => {
            tokio::time::sleep(Duration::from_millis(q.wait_ms.min(300))).await;
            StatusCode::NO_CONTENT.into_response()
        }
    }
}

async fn status(
    State(s): State<Shared>,
    headers: HeaderMap,
    Path(task): Path<TaskId>,
    Json(report): Json<ReplicateReport>,
) -> Response {
    if let Err(refusal) = s.worker_of(&headers) {
        return refusal;
    }
    let policy = *s.policy.lock().unwrap();
    let action = match (&report, policy) {
        (ReplicateReport::Contributed { .. }, Policy::Answer) => {
            NextAction::Reveal { consensus_block: 0 }
        }
        (ReplicateReport::Revealed { .. }, Policy::Answer) => {
            NextAction::Upload { results_url: s.results_url.clone() }
        }
        (ReplicateReport::Uploaded { .. }, Policy::Answer) => NextAction::Complete,
        (ReplicateReport::Failed { .. }, _) => NextAction::Complete,
        (_, Policy::Wait) if matches!(report, ReplicateReport::Contributed { .. }) => {
            NextAction::Wait
        }
        _ => NextAction::Continue,
    };
    let hang = matches!(report, ReplicateReport::Contributing { .. })
        && s.hang_contributing.load(std::sync::atomic::Ordering::SeqCst);
    s.inner.lock().unwrap().reports.push((task, report));
    s.changed.notify_waiters();
    if hang {
        std::future::pending::<()>().await;
    }
    Json(action).into_response()
}

async fn logs(
    State(s): State<Shared>,
    headers: HeaderMap,
    Path(task): Path<TaskId>,
    Json(logs): Json<AppLogs>,
) -> Response {
    if let Err(refusal) = s.worker_of(&headers) {
        return refusal;
    }
    s.inner.lock().unwrap().logs.insert(task, logs);
    s.changed.notify_waiters();
    StatusCode::NO_CONTENT.into_response()
}
