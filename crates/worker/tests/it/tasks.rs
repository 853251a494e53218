//! The worker agent end to end on the devchain: a real task contributed, revealed, uploaded and
//! verified; bad apps ending with typed causes; a short stake refused before any transaction; a
//! worker killed mid-task that resumes without contributing twice.

use crate::{
    common::{Env, W0, sha256},
    scheduler::Policy,
};
use alloy_primitives::{B256, Bytes};
use poco_primitives::{ContributionStatus, contribution::result_hash};
use poco_results_api::{CheckReport, CheckState};
use poco_scheduler_api::{NextAction, ReplicateFailureCause as Cause, ReplicateReport};
use std::time::Duration;

fn names(reports: &[ReplicateReport]) -> Vec<String> {
    reports
        .iter()
        .map(|r| serde_json::to_value(r).unwrap()["status"].as_str().unwrap().to_owned())
        .collect()
}

fn link_of(reports: &[ReplicateReport]) -> Bytes {
    reports
        .iter()
        .find_map(|r| match r {
            ReplicateReport::Uploaded { result_link, .. } => Some(result_link.clone()),
            _ => None,
        })
        .expect("an UPLOADED report")
}

/// A file of the archive the results service holds for `task`.
async fn archived_file(env: &Env, task: poco_primitives::TaskId, name: &str) -> String {
    let archive =
        reqwest::get(format!("{}{}", env.results.url(), poco_results_api::paths::result(task)))
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(archive.to_vec())).unwrap();
    let mut text = String::new();
    std::io::Read::read_to_string(&mut zip.by_name(name).unwrap(), &mut text).unwrap();
    text
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hello_is_contributed_revealed_uploaded_and_verifies_after_finalize() {
    let mut env = Env::start(Policy::Answer).await;
    let worker_key = env.key(W0);
    let app = env.wasm_app("hello", None).await;
    let assignment = env.assignment(app, "world", 30, worker_key.address()).await;
    let task = assignment.task.task_id;
    env.scheduler.assign(assignment);
    // The funding sent two transactions from the worker's account (approve, deposit).
    let before = env.nonce(worker_key.address()).await;
    let worker = poco_worker::spawn(env.worker_config(), worker_key.clone()).await.unwrap();

    let reports =
        env.scheduler.wait_for(task, |r| matches!(r, ReplicateReport::Uploaded { .. })).await;
    assert_eq!(
        names(&reports),
        [
            "DOWNLOADING",
            "COMPUTING",
            "COMPUTED",
            "CONTRIBUTING",
            "CONTRIBUTED",
            "REVEALING",
            "REVEALED",
            "UPLOADING",
            "UPLOADED"
        ]
    );
    assert_eq!(reports[2], ReplicateReport::Computed { failure: None });
    let digest = sha256(b"Hello, world!\n");
    assert!(reports.contains(&ReplicateReport::Contributed {
        result_hash: result_hash(task, digest),
        tx_hash: match &reports[3] {
            ReplicateReport::Contributing { tx_hash } => *tx_hash,
            other => panic!("{other:?}"),
        },
    }));
    // On chain: one contribution, revealed with the digest of result.txt.
    assert_eq!(
        env.contribution(task, worker_key.address()).await,
        (ContributionStatus::Proved, result_hash(task, digest))
    );
    let onchain = env.view_task(task).await;
    assert_eq!(onchain.resultDigest, digest);
    assert_eq!(env.nonce(worker_key.address()).await, before + 2, "one contribute, one reveal");
    // The app's logs reached the scheduler.
    let logs = env.scheduler.logs(task).expect("logs");
    assert_eq!((logs.stdout.as_str(), logs.exit_code), ("Hello, world!\n", Some(0)));

    // The scheduler finalizes with the link; the results service verifies the archive.
    let link = link_of(&reports);
    env.driver.finalize(task, &link).await.unwrap();
    let http = reqwest::Client::new();
    let check: CheckReport = http
        .get(format!("{}{}", env.results.url(), poco_results_api::paths::check(task)))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(check.state, CheckState::Verified, "{check:?}");
    assert_eq!(archived_file(&env, task, "result.txt").await, "Hello, world!\n");

    // COMPLETE was the answer to UPLOADED: the task folder goes.
    let folder = env.data_dir.path().join("tasks").join(task.to_string());
    for _ in 0..100 {
        if !folder.exists() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(!folder.exists(), "the task folder is removed after COMPLETE");
    assert!(env.scheduler.heartbeats() > 0 && env.scheduler.registrations() == 1);
    worker.shutdown().await.unwrap();
    env.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_apps_end_with_typed_causes_and_an_agreed_error_result() {
    let mut env = Env::start(Policy::Answer).await;
    let worker_key = env.key(W0);
    let me = worker_key.address();
    let mismatch = env.wasm_app("hello", Some(B256::repeat_byte(0x0b))).await;
    let mut missing = env.wasm_app("hello", None).await;
    missing.multiaddr = "/nowhere/poco-missing-app.wasm".to_owned();
    missing.address = env.create_app("WASM", &missing.multiaddr, missing.checksum).await;
    let busyloop = env.wasm_app("busyloop", None).await;
    let fail = env.wasm_app("fail", None).await;

    let cases = [
        (mismatch, "", Some(Cause::AppChecksumMismatch)),
        (missing, "", Some(Cause::AppNotFound)),
        (busyloop, "", Some(Cause::ComputeTimeout)),
        // A graceful failure: the app's own error.txt is the result.
        (fail, "3", None),
    ];
    let mut tasks = Vec::new();
    for (app, args, cause) in cases {
        let assignment = env.assignment(app, args, 1, me).await;
        tasks.push((assignment.task.task_id, cause));
        env.scheduler.assign(assignment);
    }
    let worker =
        poco_worker::spawn(env.worker_config().with_parallel_tasks(2), worker_key).await.unwrap();
    for (task, cause) in tasks {
        let reports =
            env.scheduler.wait_for(task, |r| matches!(r, ReplicateReport::Uploaded { .. })).await;
        assert!(
            reports.contains(&ReplicateReport::Computed { failure: cause }),
            "{cause:?}: {reports:?}"
        );
        let (status, _) = env.contribution(task, me).await;
        assert_eq!(status, ContributionStatus::Proved, "{cause:?}: the error result is revealed");
        if let Some(cause) = cause {
            // The result is the error.txt every honest worker writes, naming the cause.
            let digest = env.view_task(task).await.resultDigest;
            env.driver.finalize(task, &link_of(&reports)).await.unwrap();
            let error = archived_file(&env, task, "error.txt").await;
            assert!(error.starts_with(&format!("{cause}: ")), "{error}");
            assert_eq!(digest, sha256(error.as_bytes()));
        } else {
            let logs = env.scheduler.logs(task).unwrap();
            assert_eq!(logs.exit_code, Some(3));
            assert!(logs.stderr.contains("failed on purpose"), "{logs:?}");
            let digest = env.view_task(task).await.resultDigest;
            assert_eq!(digest, sha256(b"the app failed on purpose (exit code 3)\n"));
        }
    }
    worker.shutdown().await.unwrap();
    env.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_short_stake_fails_before_any_transaction() {
    let mut env = Env::start(Policy::Answer).await;
    let broke = env.broke.clone();
    let app = env.wasm_app("hello", None).await;
    let assignment = env.assignment(app, "x", 30, broke.address()).await;
    let task = assignment.task.task_id;
    env.scheduler.assign(assignment);
    let worker = poco_worker::spawn(env.worker_config(), broke.clone()).await.unwrap();
    let reports =
        env.scheduler.wait_for(task, |r| matches!(r, ReplicateReport::Failed { .. })).await;
    assert_eq!(reports.last(), Some(&ReplicateReport::Failed { cause: Cause::InsufficientStake }));
    assert!(reports.contains(&ReplicateReport::Computed { failure: None }));
    assert_eq!(env.contribution(task, broke.address()).await.0, ContributionStatus::Unset);
    assert_eq!(env.nonce(broke.address()).await, 0, "nothing sent");
    worker.shutdown().await.unwrap();
    env.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_killed_mid_contribution_resumes_without_contributing_twice() {
    let mut env = Env::start(Policy::Wait).await;
    let worker_key = env.key(W0);
    let me = worker_key.address();
    let app = env.wasm_app("hello", None).await;
    let assignment = env.assignment(app, "again", 30, me).await;
    let task = assignment.task.task_id;
    env.scheduler.assign(assignment);
    // The worker sends `contribute`, then hangs on its CONTRIBUTING report: killed there, the
    // journal says CONTRIBUTING and the transaction is on chain.
    env.scheduler.hang_contributing(true);
    let before = env.nonce(me).await;
    let worker = poco_worker::spawn(env.worker_config(), worker_key.clone()).await.unwrap();
    env.scheduler.wait_for(task, |r| matches!(r, ReplicateReport::Contributing { .. })).await;
    let digest = sha256(b"Hello, again!\n");
    assert_eq!(
        env.contribution(task, me).await,
        (ContributionStatus::Contributed, result_hash(task, digest))
    );
    worker.kill();
    assert_eq!(env.nonce(me).await, before + 1);

    // Restarted on the same data folder: the chain is asked, nothing is sent again.
    env.scheduler.hang_contributing(false);
    let worker = poco_worker::spawn(env.worker_config(), worker_key.clone()).await.unwrap();
    let reports =
        env.scheduler.wait_for(task, |r| matches!(r, ReplicateReport::Contributed { .. })).await;
    assert_eq!(names(&reports).iter().filter(|n| *n == "CONTRIBUTING").count(), 1);
    assert_eq!(env.nonce(me).await, before + 1, "no second contribute");
    assert!(
        !names(&reports).contains(&"DOWNLOADING".to_owned())
            || names(&reports).iter().filter(|n| *n == "DOWNLOADING").count() == 1
    );

    // A lost session is reopened on its own; pushed actions drive the rest.
    let logins = env.scheduler.logins();
    env.scheduler.expire_tokens();
    env.scheduler.wait_subscribed().await;
    env.scheduler.push(task, NextAction::Reveal { consensus_block: 0 });
    env.scheduler.wait_for(task, |r| matches!(r, ReplicateReport::Revealed { .. })).await;
    assert!(env.scheduler.logins() > logins, "logged in again after TOKEN_EXPIRED");
    env.scheduler.push(task, NextAction::Upload { results_url: env.results.url() });
    let reports =
        env.scheduler.wait_for(task, |r| matches!(r, ReplicateReport::Uploaded { .. })).await;
    env.scheduler.push(task, NextAction::Complete);

    assert_eq!(
        env.contribution(task, me).await,
        (ContributionStatus::Proved, result_hash(task, digest))
    );
    assert_eq!(env.view_task(task).await.contributors.len(), 1);
    assert_eq!(env.nonce(me).await, before + 2, "one contribute and one reveal in all");
    env.driver.finalize(task, &link_of(&reports)).await.unwrap();
    worker.shutdown().await.unwrap();
    env.shutdown().await;
}

/// `DOCKER_HOST`, if set. (The test's edge: the environment is read here.)
#[allow(clippy::disallowed_methods)]
fn docker_host() -> Option<String> {
    std::env::var("DOCKER_HOST").ok().filter(|h| !h.is_empty())
}

/// Whether `POCO_REQUIRE_DOCKER=1`.
#[allow(clippy::disallowed_methods)]
fn docker_required() -> bool {
    std::env::var("POCO_REQUIRE_DOCKER").is_ok_and(|v| v == "1")
}

/// The image id of `poco-apps/hello:latest`, or `None` (with a note) when there is no daemon or
/// image and Docker is not required.
async fn hello_image_id(host: Option<&str>) -> Option<B256> {
    let unavailable = |why: String| {
        assert!(!docker_required(), "POCO_REQUIRE_DOCKER=1 but {why}");
        eprintln!(
            "docker worker test not run: {why} (set POCO_REQUIRE_DOCKER=1 to make this an error)"
        );
        None
    };
    let Some(host) = host else { return unavailable("DOCKER_HOST is not set".to_owned()) };
    let Some(config) = poco_sandbox::DockerConfig::from_docker_host(host) else {
        return unavailable(format!("DOCKER_HOST={host} is not a unix socket"));
    };
    let docker = match poco_sandbox::DockerExecutor::connect(config).await {
        Ok(docker) => docker,
        Err(error) => return unavailable(error.to_string()),
    };
    match docker.client().inspect_image("poco-apps/hello:latest").await {
        Ok(image) => {
            image.id.and_then(|id| id.strip_prefix("sha256:").and_then(|h| h.parse().ok()))
        }
        Err(error) => unavailable(format!("{error} (run apps/build.sh docker)")),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn docker_apps_are_checked_by_image_id_and_run() {
    let host = docker_host();
    let Some(image_id) = hello_image_id(host.as_deref()).await else { return };
    let mut env = Env::start(Policy::Answer).await;
    let worker_key = env.key(W0);
    let me = worker_key.address();
    let reference = "poco-apps/hello:latest";
    let mut cases = Vec::new();
    for (multiaddr, checksum, cause) in [
        (reference, image_id, None),
        (reference, B256::repeat_byte(0x0d), Some(Cause::AppChecksumMismatch)),
        ("poco-apps/never-built:latest", image_id, Some(Cause::AppNotFound)),
    ] {
        let address = env.create_app("DOCKER", multiaddr, checksum).await;
        let app = poco_scheduler_api::worker::AppSpec {
            address,
            executor: poco_scheduler_api::Executor::Docker,
            multiaddr: multiaddr.to_owned(),
            checksum,
        };
        let assignment = env.assignment(app, "docker", 60, me).await;
        cases.push((assignment.task.task_id, cause));
        env.scheduler.assign(assignment);
    }
    let config = env
        .worker_config()
        .with_executors([poco_scheduler_api::Executor::Wasm, poco_scheduler_api::Executor::Docker])
        .with_docker_host(host.unwrap());
    let worker = poco_worker::spawn(config, worker_key).await.unwrap();
    for (task, cause) in cases {
        let reports =
            env.scheduler.wait_for(task, |r| matches!(r, ReplicateReport::Uploaded { .. })).await;
        assert!(
            reports.contains(&ReplicateReport::Computed { failure: cause }),
            "{cause:?}: {reports:?}"
        );
        assert_eq!(env.contribution(task, me).await.0, ContributionStatus::Proved);
        if cause.is_none() {
            assert_eq!(env.view_task(task).await.resultDigest, sha256(b"Hello, docker!\n"));
            assert_eq!(env.scheduler.logs(task).unwrap().stdout, "Hello, docker!\n");
        }
    }
    worker.shutdown().await.unwrap();
    env.shutdown().await;
}
