//! The journal on both backends: steps, hashes and causes round-trip; a repeated assignment
//! changes nothing; finished replicates leave the in-flight list.

use alloy_primitives::{Address, B256, U256};
use poco_db::{Backend, on_both_backends, testing::TestDb};
use poco_primitives::{Tag, TaskId, contribution::WorkerpoolAuthorization};
use poco_scheduler_api::{Assignment, Executor, ReplicateFailureCause, TaskSpec, worker::AppSpec};
use poco_worker::{Journal, Step};

fn assignment(byte: u8) -> Assignment {
    let scheduler = alloy::signers::local::PrivateKeySigner::random();
    let task_id = TaskId::repeat_byte(byte);
    Assignment {
        task: TaskSpec {
            task_id,
            deal_id: poco_primitives::DealId::repeat_byte(2),
            task_index: U256::from(3),
            app: AppSpec {
                address: Address::repeat_byte(4),
                executor: Executor::Wasm,
                multiaddr: "/apps/hello.wasm".into(),
                checksum: B256::repeat_byte(5),
            },
            dataset: None,
            args: "a b".into(),
            input_files: vec!["http://x/y".into()],
            tag: Tag::NONE,
            trust: U256::from(1),
            max_run_seconds: 10,
            contribution_deadline: 100,
            final_deadline: 200,
            beneficiary: Address::repeat_byte(6),
            callback: Address::ZERO,
        },
        authorization: WorkerpoolAuthorization::sign(
            &scheduler,
            Address::repeat_byte(7),
            task_id,
            Address::ZERO,
        )
        .unwrap(),
    }
}

async fn steps_round_trip(backend: Backend) {
    let db = TestDb::new(backend, "worker_journal").await;
    let journal = Journal::open(&db.url).await.unwrap();
    let (a, b) = (assignment(1), assignment(2));
    assert!(journal.insert(&a).await.unwrap());
    assert!(!journal.insert(&a).await.unwrap(), "a repeat is not new");
    assert!(journal.insert(&b).await.unwrap());

    let task = a.task.task_id;
    let entry = journal.get(task).await.unwrap().unwrap();
    assert_eq!(
        (entry.step, entry.assignment.clone(), entry.version),
        (Step::Assigned, a.clone(), 1)
    );

    let (digest, sha, tx) = (B256::repeat_byte(8), B256::repeat_byte(9), B256::repeat_byte(10));
    journal
        .computed(task, digest, sha, Some(ReplicateFailureCause::AppChecksumMismatch))
        .await
        .unwrap();
    journal.step(task, Step::Contributing).await.unwrap();
    journal.contribute_tx(task, tx).await.unwrap();
    let entry = journal.get(task).await.unwrap().unwrap();
    assert_eq!(entry.step, Step::Contributing);
    assert_eq!(entry.result_digest, Some(digest));
    assert_eq!(entry.archive_sha256, Some(sha));
    assert_eq!(entry.contribute_tx, Some(tx));
    assert_eq!(entry.failure, Some(ReplicateFailureCause::AppChecksumMismatch));
    assert_eq!(entry.version, 4);

    let in_flight: Vec<TaskId> =
        journal.in_flight().await.unwrap().iter().map(|e| e.task_id()).collect();
    assert_eq!(in_flight.len(), 2);
    journal.step(task, Step::Done).await.unwrap();
    journal.fail(b.task.task_id, ReplicateFailureCause::InsufficientStake).await.unwrap();
    assert!(journal.in_flight().await.unwrap().is_empty());
    let failed = journal.get(b.task.task_id).await.unwrap().unwrap();
    assert_eq!(
        (failed.step, failed.failure),
        (Step::Failed, Some(ReplicateFailureCause::InsufficientStake))
    );
    assert!(journal.get(TaskId::repeat_byte(99)).await.unwrap().is_none());
    journal.close().await;

    // Reopened (a restarted worker), the rows are there.
    let journal = Journal::open(&db.url).await.unwrap();
    assert_eq!(journal.get(task).await.unwrap().unwrap().step, Step::Done);
    journal.close().await;
}

on_both_backends!(steps_round_trip);
