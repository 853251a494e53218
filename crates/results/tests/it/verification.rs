//! After finalize, the archive is checked against the chain: the on-chain `results` must be its
//! link and its result digest the revealed `resultDigest`.

use poco_compat::{Role, driver::RESULTS};
use poco_primitives::TaskStatus;
use poco_results_api::{CheckReport, CheckState, ErrorCode, ResultLink, paths};

use crate::common::{Env, Upload, W0, answer, code_of, result_archive};

async fn check(env: &Env, task: poco_primitives::TaskId) -> CheckReport {
    let (status, json) =
        answer(env.http.get(env.url(&paths::check(task))).send().await.unwrap()).await;
    assert_eq!(status, 200, "{json}");
    serde_json::from_value(json).unwrap()
}

#[tokio::test]
async fn archives_are_checked_against_the_finalized_task() {
    let mut env = Env::start().await;
    let scheduler = env.key(Role::Scheduler);
    let worker = env.key(W0);

    // (1) verified: contribute, reveal, upload while REVEALING, finalize with the link.
    let task = env.task().await;
    let (archive, digest) = result_archive(b"hello");
    let not_uploaded = check(&env, task).await;
    assert_eq!(not_uploaded.state, CheckState::NotUploaded);
    env.driver.contribute(W0, task, digest).await.unwrap();
    env.driver.reveal(W0, task, digest).await.unwrap();
    let upload = Upload::new(task, &worker, &scheduler, &archive);
    let (status, json) = upload.send(&env).await;
    assert_eq!(status, 201, "{json}");
    let pending = check(&env, task).await;
    assert_eq!(
        (pending.state, pending.task_status, pending.onchain_result_digest),
        (CheckState::Pending, TaskStatus::Revealing, digest)
    );
    let link = ResultLink::new(task, upload.sha256);
    env.driver.finalize(task, &link.to_bytes()).await.unwrap();
    let verified = check(&env, task).await;
    assert_eq!(verified.state, CheckState::Verified, "{verified:?}");
    assert_eq!(verified.task_status, TaskStatus::Completed);
    assert_eq!(verified.archive_result_digest, Some(digest));
    assert_eq!(verified.link_matches, Some(true));
    assert_eq!(verified.archive_sha256, Some(upload.sha256));
    // Kept: answered again from the store.
    assert_eq!(check(&env, task).await, verified);

    // A finalized task takes no more uploads.
    let (status, json) = Upload::new(task, &worker, &scheduler, b"late").send(&env).await;
    assert_eq!(code_of(status, &json), ErrorCode::TaskNotActive, "{json}");

    // (2) the worker revealed another digest than its archive's.
    let task = env.task().await;
    let (archive, _) = result_archive(b"what was uploaded");
    let (_, revealed) = result_archive(b"what was revealed");
    env.driver.contribute(W0, task, revealed).await.unwrap();
    env.driver.reveal(W0, task, revealed).await.unwrap();
    let upload = Upload::new(task, &worker, &scheduler, &archive);
    assert_eq!(upload.send(&env).await.0, 201);
    env.driver.finalize(task, &ResultLink::new(task, upload.sha256).to_bytes()).await.unwrap();
    let mismatch = check(&env, task).await;
    assert_eq!(mismatch.state, CheckState::DigestMismatch, "{mismatch:?}");
    assert_eq!(mismatch.onchain_result_digest, revealed);

    // (3) finalized with a link elsewhere (an IPFS path).
    let task = env.task().await;
    let (archive, digest) = result_archive(b"hello");
    env.driver.contribute(W0, task, digest).await.unwrap();
    env.driver.reveal(W0, task, digest).await.unwrap();
    assert_eq!(Upload::new(task, &worker, &scheduler, &archive).send(&env).await.0, 201);
    env.driver.finalize(task, RESULTS.as_bytes()).await.unwrap();
    let elsewhere = check(&env, task).await;
    assert_eq!(elsewhere.state, CheckState::LocationMismatch, "{elsewhere:?}");
    assert_eq!(elsewhere.link_matches, Some(false));

    // (4) an archive without computed.json cannot be verified.
    let task = env.task().await;
    let digest = poco_results::sha256(b"raw");
    env.driver.contribute(W0, task, digest).await.unwrap();
    env.driver.reveal(W0, task, digest).await.unwrap();
    let upload = Upload::new(task, &worker, &scheduler, b"raw");
    assert_eq!(upload.send(&env).await.0, 201);
    env.driver.finalize(task, &ResultLink::new(task, upload.sha256).to_bytes()).await.unwrap();
    assert_eq!(check(&env, task).await.state, CheckState::Unverifiable);

    let metrics = env.http.get(env.url(paths::METRICS)).send().await.unwrap().text().await.unwrap();
    assert!(metrics.contains(r#"poco_results_checks_total{state="VERIFIED"} 1"#), "{metrics}");
    env.shutdown().await;
}

#[tokio::test]
async fn finalized_tasks_are_checked_in_the_background() {
    let mut env = Env::start_with(Some(std::time::Duration::from_millis(50))).await;
    let scheduler = env.key(Role::Scheduler);
    let worker = env.key(W0);
    let task = env.task().await;
    let (archive, digest) = result_archive(b"checked without asking");
    env.driver.contribute(W0, task, digest).await.unwrap();
    env.driver.reveal(W0, task, digest).await.unwrap();
    let upload = Upload::new(task, &worker, &scheduler, &archive);
    assert_eq!(upload.send(&env).await.0, 201);
    // While the task is REVEALING the checker leaves no final check.
    let store = env.results.store().clone();
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert_eq!(store.check(task).await.unwrap(), None);
    assert_eq!(store.unchecked_tasks().await.unwrap(), vec![task]);

    env.driver.finalize(task, &ResultLink::new(task, upload.sha256).to_bytes()).await.unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let report = loop {
        if let Some(report) = store.check(task).await.unwrap() {
            break report;
        }
        assert!(std::time::Instant::now() < deadline, "no background check after 20 s");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    assert_eq!(report.state, CheckState::Verified, "{report:?}");
    assert!(store.unchecked_tasks().await.unwrap().is_empty());
    env.shutdown().await;
}
