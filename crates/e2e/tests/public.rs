//! The scheduler's public reads and the requester-only app logs, over real HTTP, for a task of a
//! real deal on the devchain (the requester is read from `viewDeal`): uploads by the replicate's
//! worker (size limit, other workers refused), reads by the requester only (signed headers:
//! expired, far-future, forged and other signers refused), typed 404s.
#![allow(clippy::unwrap_used, clippy::too_many_lines, missing_docs, unreachable_pub)]

mod common;

use alloy::signers::local::PrivateKeySigner;
use common::{Env, REQUESTER, ScriptedWorker};
use poco_db::Backend;
use poco_primitives::{TaskId, WorkerpoolOrder, sign_order};
use poco_scheduler_api::views::LOGS_MAX_BYTES;
use poco_scheduler_api::{
    AppLogs, ErrorBody, ErrorCode, ReplicateView, RequesterAccess, SchedulerDomain, TaskState,
    TaskView, Timeline, headers,
};

async fn refused(response: reqwest::Response, code: ErrorCode) {
    assert_eq!(response.status().as_u16(), code.http_status());
    let body: ErrorBody = response.json().await.unwrap();
    assert_eq!(body.code, code, "{}", body.message);
}

fn now_secs() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs()
}

async fn logs_for_the_requester_only(backend: Backend) {
    let env = Env::new(backend).await;
    let mut config = env.scheduler_config(4);
    config.publisher = None;
    let scheduler = env.scheduler(config).await;
    let base = scheduler.url();
    let http = reqwest::Client::new();

    // A real deal of one task, bought by REQUESTER from the pool.
    let pool_order = WorkerpoolOrder {
        workerpool: env.pool,
        workerpoolprice: alloy::primitives::U256::from(common::POOL_PRICE),
        volume: alloy::primitives::U256::from(1),
        trust: alloy::primitives::U256::from(1),
        salt: alloy::primitives::B256::random(),
        ..Default::default()
    };
    let pool_order = sign_order(&env.keys[common::SCHEDULER], pool_order, &env.domain).unwrap();
    let deal = env.match_orders(&pool_order, 1).await;
    let task = deal.task(alloy::primitives::U256::ZERO);
    // The scheduler's engine follows the deal and initializes its task on chain.
    let store = scheduler.store();
    for attempt in 0.. {
        let record = store.task(task).await.unwrap();
        if record.as_ref().is_some_and(|record| record.state == TaskState::Initialized) {
            break;
        }
        assert!(attempt < 200, "the engine never initialized the task: {record:?}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let worker = ScriptedWorker::join(&base, PrivateKeySigner::random(), 1).await;
    let other = ScriptedWorker::join(&base, PrivateKeySigner::random(), 1).await;
    scheduler.store().assign_replicate(task, worker.key.address(), None).await.unwrap();

    // Upload: the replicate's worker only, each stream at most LOGS_MAX_BYTES.
    let logs = AppLogs { stdout: "hello\n".into(), stderr: "warn\n".into(), exit_code: Some(0) };
    let put = |token: &str, body: &AppLogs| {
        http.put(format!("{base}/v1/replicates/{task}/logs")).bearer_auth(token).json(body).send()
    };
    refused(put(&other.token, &logs).await.unwrap(), ErrorCode::ReplicateNotFound).await;
    refused(put("nope", &logs).await.unwrap(), ErrorCode::MissingToken).await;
    let huge = AppLogs { stdout: "x".repeat(LOGS_MAX_BYTES + 1), ..logs.clone() };
    refused(put(&worker.token, &huge).await.unwrap(), ErrorCode::LogsTooLarge).await;
    assert_eq!(put(&worker.token, &logs).await.unwrap().status(), 204);

    // Public reads.
    let view: TaskView =
        http.get(format!("{base}/v1/tasks/{task}")).send().await.unwrap().json().await.unwrap();
    assert_eq!(view.deal_id, deal);
    assert_eq!(view.replicates.len(), 1);
    assert!(view.replicates[0].has_logs);
    let replicate: ReplicateView = http
        .get(format!("{base}/v1/tasks/{task}/replicates/{}", worker.key.address()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(replicate.worker, worker.key.address());
    let timeline: Timeline = http
        .get(format!("{base}/v1/tasks/{task}/timeline"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let events: Vec<_> = timeline.entries.iter().map(|entry| entry.event.as_str()).collect();
    assert_eq!(events, ["CREATED", "INITIALIZE_SENT", "INITIALIZED", "ASSIGNED"]);
    let unknown = TaskId::random();
    refused(
        http.get(format!("{base}/v1/tasks/{unknown}")).send().await.unwrap(),
        ErrorCode::TaskNotFound,
    )
    .await;
    refused(
        http.get(format!("{base}/v1/tasks/{task}/replicates/{}", other.key.address()))
            .send()
            .await
            .unwrap(),
        ErrorCode::ReplicateNotFound,
    )
    .await;
    refused(
        http.get(format!("{base}/v1/tasks/not-a-task")).send().await.unwrap(),
        ErrorCode::InvalidParameter,
    )
    .await;

    // Requester reads.
    let domain = SchedulerDomain { chain_id: env.devchain.chain_id(), workerpool: env.pool };
    let get_logs = |access: &RequesterAccess| {
        http.get(format!("{base}/v1/tasks/{task}/replicates/{}/logs", worker.key.address()))
            .header(headers::REQUESTER, access.requester.to_string())
            .header(headers::EXPIRES, access.expires_at.to_string())
            .header(headers::SIGNATURE, access.signature.to_string())
            .send()
    };
    let requester = &env.keys[REQUESTER];
    let good = RequesterAccess::sign(requester, domain, task, now_secs() + 600).unwrap();
    let read: AppLogs = get_logs(&good).await.unwrap().json().await.unwrap();
    assert_eq!(read, logs);
    let expired = RequesterAccess::sign(requester, domain, task, now_secs() - 10).unwrap();
    refused(get_logs(&expired).await.unwrap(), ErrorCode::BadRequesterSignature).await;
    let far = RequesterAccess::sign(requester, domain, task, now_secs() + 7200).unwrap();
    refused(get_logs(&far).await.unwrap(), ErrorCode::BadRequesterSignature).await;
    let stranger = PrivateKeySigner::random();
    let not_requester = RequesterAccess::sign(&stranger, domain, task, now_secs() + 600).unwrap();
    refused(get_logs(&not_requester).await.unwrap(), ErrorCode::BadRequesterSignature).await;
    let forged = RequesterAccess { requester: requester.address(), ..not_requester };
    refused(get_logs(&forged).await.unwrap(), ErrorCode::BadRequesterSignature).await;
    let other_pool = SchedulerDomain { workerpool: alloy::primitives::Address::ZERO, ..domain };
    let wrong_pool = RequesterAccess::sign(requester, other_pool, task, now_secs() + 600).unwrap();
    refused(get_logs(&wrong_pool).await.unwrap(), ErrorCode::BadRequesterSignature).await;
    let missing = http
        .get(format!("{base}/v1/tasks/{task}/replicates/{}/logs", worker.key.address()))
        .send()
        .await
        .unwrap();
    refused(missing, ErrorCode::BadRequesterSignature).await;
    // The requester was read from the chain once and kept.
    assert_eq!(scheduler.store().requester(task).await.unwrap(), Some(requester.address()));

    scheduler.shutdown().await.unwrap();
}

poco_db::on_both_backends!(logs_for_the_requester_only);
