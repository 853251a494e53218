//! The worker routes over real HTTP on 127.0.0.1 with real signatures: login, registration,
//! heartbeat, the refusals with their codes, and loss detection moving replicates to `LOST`.
// A test binary: an unwrap is an assertion.
#![allow(clippy::unwrap_used, missing_docs, unreachable_pub)]

use alloy_primitives::{Address, B256, U256};
use alloy_signer_local::PrivateKeySigner;
use poco_primitives::DealId;
use poco_scheduler::{NewTask, Registry, RegistryConfig, Store, WorkerApi, api::Clock, router};
use poco_scheduler_api::{
    Challenge, ErrorBody, ErrorCode, Executor, Heartbeat, HeartbeatAck, PoolConfig, Registration,
    ReplicateState, SchedulerDomain, Session, paths,
};
use serde_json::json;
use std::sync::{
    Arc,
    atomic::{AtomicU64, Ordering},
};

const DOMAIN: SchedulerDomain =
    SchedulerDomain { chain_id: 31337, workerpool: Address::repeat_byte(0x77) };
const START_MS: u64 = 1_800_000_000_000;
const LOST_AFTER_MS: u64 = 30_000;

struct Harness {
    base: String,
    http: reqwest::Client,
    now: Arc<AtomicU64>,
    api: Arc<WorkerApi>,
    server: tokio::task::JoinHandle<()>,
    _dir: tempfile::TempDir,
}

impl Drop for Harness {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl Harness {
    async fn start(allowed: Option<Vec<Address>>) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(Store::connect(&Store::sqlite_url(dir.path())).await.unwrap());
        let now = Arc::new(AtomicU64::new(START_MS));
        let clock: Clock = {
            let now = Arc::clone(&now);
            Arc::new(move || now.load(Ordering::SeqCst))
        };
        let registry = Registry::new(
            DOMAIN,
            RegistryConfig {
                challenge_ttl_ms: 10_000,
                session_ttl_ms: 600_000,
                lost_after_ms: LOST_AFTER_MS,
            },
            allowed.map(|list| list.into_iter().collect()),
        );
        let config = PoolConfig {
            chain_id: DOMAIN.chain_id,
            workerpool: DOMAIN.workerpool,
            scheduler: Address::repeat_byte(0x55),
            results_url: "http://127.0.0.1:1/".into(),
            heartbeat_period_ms: 10_000,
            lost_after_ms: LOST_AFTER_MS,
            max_wait_ms: 20_000,
            config_hash: B256::ZERO,
        };
        let api = Arc::new(WorkerApi::new(registry, store, config, clock));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let app = router(Arc::clone(&api));
        let server = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Self { base, http: reqwest::Client::new(), now, api, server, _dir: dir }
    }

    fn advance(&self, ms: u64) {
        self.now.fetch_add(ms, Ordering::SeqCst);
    }

    async fn challenge(&self, worker: Address) -> reqwest::Response {
        self.http
            .get(format!("{}{}?worker={worker}", self.base, paths::CHALLENGE))
            .send()
            .await
            .unwrap()
    }

    async fn post(
        &self,
        path: &str,
        token: Option<&str>,
        body: &serde_json::Value,
    ) -> reqwest::Response {
        let mut request = self.http.post(format!("{}{path}", self.base)).json(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.unwrap()
    }

    async fn login(&self, key: &PrivateKeySigner) -> Session {
        let challenge: Challenge = self.challenge(key.address()).await.json().await.unwrap();
        assert_eq!(challenge.domain, DOMAIN);
        let login = challenge.sign(key).unwrap();
        let response = self.post(paths::LOGIN, None, &serde_json::to_value(&login).unwrap()).await;
        assert_eq!(response.status(), 200);
        response.json().await.unwrap()
    }
}

async fn refused(response: reqwest::Response, code: ErrorCode) {
    assert_eq!(response.status().as_u16(), code.http_status());
    let body: ErrorBody = response.json().await.unwrap();
    assert_eq!(body.code, code, "{}", body.message);
}

fn registration() -> serde_json::Value {
    serde_json::to_value(Registration {
        name: "worker-1".into(),
        version: "0.1.0".into(),
        cores: 8,
        memory_mib: 16_384,
        gpus: 0,
        executors: [Executor::Docker, Executor::Wasm].into(),
        tags: poco_primitives::Tag::NONE,
        max_parallel_tasks: 4,
    })
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_logs_in_registers_and_pings() {
    let h = Harness::start(None).await;
    let key = PrivateKeySigner::random();
    let session = h.login(&key).await;
    assert_eq!(session.expires_at, (START_MS + 600_000) / 1000);

    // Registration: ranges checked, then the pool config with its hash.
    let mut bad = registration();
    bad["maxParallelTasks"] = json!(9);
    refused(
        h.post(paths::REGISTER, Some(&session.token), &bad).await,
        ErrorCode::InvalidRegistration,
    )
    .await;
    refused(
        h.post(paths::REGISTER, Some(&session.token), &json!({"name": "x"})).await,
        ErrorCode::MalformedRequest,
    )
    .await;
    // Not registered yet: no heartbeat.
    refused(
        h.post(paths::HEARTBEAT, Some(&session.token), &json!({"running": []})).await,
        ErrorCode::NotRegistered,
    )
    .await;
    let response = h.post(paths::REGISTER, Some(&session.token), &registration()).await;
    assert_eq!(response.status(), 200);
    let config: PoolConfig = response.json().await.unwrap();
    assert_ne!(config.config_hash, B256::ZERO);
    let public: PoolConfig = h
        .http
        .get(format!("{}{}", h.base, paths::CONFIG))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(public, config);
    let info = h.api.registry.worker(key.address()).unwrap();
    assert_eq!(info.registration.max_parallel_tasks, 4);

    // Heartbeat: the tasks it holds, and those it should drop.
    let task = NewTask {
        task_id: DealId::repeat_byte(1).task(U256::ZERO),
        deal_id: DealId::repeat_byte(1),
        task_index: 0,
        contribution_deadline: 1_900_000_000,
        final_deadline: 1_900_001_000,
    };
    h.api.store.create_task(&task).await.unwrap();
    h.api.store.assign_replicate(task.task_id, key.address(), None).await.unwrap();
    let stray = DealId::repeat_byte(2).task(U256::ZERO);
    let response = h
        .post(
            paths::HEARTBEAT,
            Some(&session.token),
            &serde_json::to_value(Heartbeat { running: vec![task.task_id, stray] }).unwrap(),
        )
        .await;
    assert_eq!(response.status(), 200);
    let ack: HeartbeatAck = response.json().await.unwrap();
    assert_eq!(ack.config_hash, config.config_hash);
    assert_eq!(ack.assigned, vec![task.task_id]);
    assert_eq!(ack.abandon, vec![stray]);

    // The session expires.
    h.advance(600_001);
    refused(
        h.post(paths::HEARTBEAT, Some(&session.token), &json!({"running": []})).await,
        ErrorCode::TokenExpired,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_logins_are_refused_with_their_codes() {
    let h = Harness::start(None).await;
    let key = PrivateKeySigner::random();
    let other = PrivateKeySigner::random();

    // Signed by another key.
    let challenge: Challenge = h.challenge(key.address()).await.json().await.unwrap();
    let mut forged = challenge.sign(&other).unwrap();
    forged.worker = key.address();
    refused(
        h.post(paths::LOGIN, None, &serde_json::to_value(&forged).unwrap()).await,
        ErrorCode::BadLoginSignature,
    )
    .await;
    // Signed for another pool (the scheduler rebuilds the message with its own domain).
    let elsewhere = Challenge {
        domain: SchedulerDomain { workerpool: Address::repeat_byte(1), ..DOMAIN },
        ..challenge.clone()
    };
    refused(
        h.post(paths::LOGIN, None, &serde_json::to_value(elsewhere.sign(&key).unwrap()).unwrap())
            .await,
        ErrorCode::BadLoginSignature,
    )
    .await;
    // The right signature still works after the refusals, once.
    let login = serde_json::to_value(challenge.sign(&key).unwrap()).unwrap();
    assert_eq!(h.post(paths::LOGIN, None, &login).await.status(), 200);
    refused(h.post(paths::LOGIN, None, &login).await, ErrorCode::UnknownChallenge).await;
    // A challenge of another worker.
    let theirs: Challenge = h.challenge(other.address()).await.json().await.unwrap();
    let mut swapped = theirs.sign(&key).unwrap();
    swapped.worker = key.address();
    refused(
        h.post(paths::LOGIN, None, &serde_json::to_value(&swapped).unwrap()).await,
        ErrorCode::UnknownChallenge,
    )
    .await;
    // An expired challenge.
    let late: Challenge = h.challenge(key.address()).await.json().await.unwrap();
    h.advance(10_001);
    refused(
        h.post(paths::LOGIN, None, &serde_json::to_value(late.sign(&key).unwrap()).unwrap()).await,
        ErrorCode::UnknownChallenge,
    )
    .await;
    // No token, a token never issued, garbage.
    refused(h.post(paths::REGISTER, None, &registration()).await, ErrorCode::MissingToken).await;
    let never = format!("{:x}", B256::repeat_byte(3));
    refused(h.post(paths::REGISTER, Some(&never), &registration()).await, ErrorCode::MissingToken)
        .await;
    refused(h.post(paths::REGISTER, Some("nope"), &registration()).await, ErrorCode::MissingToken)
        .await;
    // A bad query.
    let response =
        h.http.get(format!("{}{}?worker=0x12", h.base, paths::CHALLENGE)).send().await.unwrap();
    refused(response, ErrorCode::InvalidParameter).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_allow_list_admits_only_its_workers() {
    let admitted = PrivateKeySigner::random();
    let h = Harness::start(Some(vec![admitted.address()])).await;
    h.login(&admitted).await;
    refused(h.challenge(Address::repeat_byte(9)).await, ErrorCode::WorkerNotAllowed).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_worker_is_declared_lost_and_its_replicates_follow() {
    let h = Harness::start(None).await;
    let (quiet, chatty) = (PrivateKeySigner::random(), PrivateKeySigner::random());
    let quiet_session = h.login(&quiet).await;
    let chatty_session = h.login(&chatty).await;
    for session in [&quiet_session, &chatty_session] {
        assert_eq!(
            h.post(paths::REGISTER, Some(&session.token), &registration()).await.status(),
            200
        );
    }
    let task = NewTask {
        task_id: DealId::repeat_byte(5).task(U256::from(1)),
        deal_id: DealId::repeat_byte(5),
        task_index: 1,
        contribution_deadline: 1_900_000_000,
        final_deadline: 1_900_001_000,
    };
    let store = &h.api.store;
    store.create_task(&task).await.unwrap();
    for worker in [quiet.address(), chatty.address()] {
        store.assign_replicate(task.task_id, worker, None).await.unwrap();
    }
    store
        .apply_replicate(
            task.task_id,
            quiet.address(),
            ReplicateState::Assigned,
            poco_scheduler::ReplicateEvent::Downloading,
            None,
            None,
        )
        .await
        .unwrap();

    // Within the limit nobody is lost; the chatty worker keeps pinging.
    h.advance(LOST_AFTER_MS);
    assert!(h.api.detect_lost().await.is_empty());
    h.advance(1);
    let ping = serde_json::to_value(Heartbeat::default()).unwrap();
    assert_eq!(h.post(paths::HEARTBEAT, Some(&chatty_session.token), &ping).await.status(), 200);
    assert_eq!(h.api.detect_lost().await, vec![quiet.address()]);
    // Declared once.
    assert!(h.api.detect_lost().await.is_empty());

    let states: Vec<_> = store
        .replicates(task.task_id)
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.worker, r.state))
        .collect();
    assert!(states.contains(&(quiet.address(), ReplicateState::Lost)));
    assert!(states.contains(&(chatty.address(), ReplicateState::Assigned)));
    let last = store.timeline(task.task_id).await.unwrap().pop().unwrap();
    assert_eq!(
        (last.from.as_deref(), last.to.as_str(), last.event.as_str()),
        (Some("DOWNLOADING"), "LOST", "WORKER_LOST")
    );

    // The lost worker is refused until it registers again.
    refused(
        h.post(paths::HEARTBEAT, Some(&quiet_session.token), &ping).await,
        ErrorCode::WorkerLost,
    )
    .await;
    assert_eq!(
        h.post(paths::REGISTER, Some(&quiet_session.token), &registration()).await.status(),
        200
    );
    assert_eq!(h.post(paths::HEARTBEAT, Some(&quiet_session.token), &ping).await.status(), 200);
}
