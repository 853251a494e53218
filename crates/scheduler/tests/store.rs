//! The store on real databases: every test runs on a SQLite file in a temp folder and on a fresh
//! database of the PostgreSQL server at `POCO_TEST_POSTGRES_URL` (CI starts one with
//! `scripts/ci/postgres.sh`). Without that variable the PostgreSQL tests **fail**, unless
//! `POCO_ALLOW_NO_POSTGRES=1` is set (local development without PostgreSQL).
// A test binary: an unwrap is an assertion.
#![allow(clippy::unwrap_used, missing_docs, unreachable_pub)]

use alloy_primitives::{Address, B256};
use poco_primitives::{DealId, TaskId};
use poco_scheduler::{NewTask, ReplicateEvent, Store, StoreError, TaskEvent};
use poco_scheduler_api::{
    AbortCause, ReplicateFailureCause, ReplicateState as RS, Subject, TaskFailureCause,
    TaskState as TS,
};
use std::sync::Arc;

use poco_db::{Backend as Db, on_both_backends as on_both_dbs, testing::TestDb};

on_both_dbs!(
    a_task_runs_its_whole_life_and_the_timeline_shows_every_step,
    stale_and_repeated_events_are_refused_and_change_nothing,
    concurrent_events_apply_once,
    a_worker_never_holds_two_replicates_of_a_task,
    a_store_reopens_with_its_data,
    dispatch_reads_open_tasks_by_update_and_assigns_at_a_version,
);

fn new_task(index: u64) -> NewTask {
    let deal_id = DealId::from(B256::random());
    NewTask {
        task_id: deal_id.task(alloy_primitives::U256::from(index)),
        deal_id,
        task_index: index,
        contribution_deadline: 1_900_000_000,
        final_deadline: 1_900_001_000,
    }
}

async fn a_task_runs_its_whole_life_and_the_timeline_shows_every_step(db: Db) {
    let test_db = TestDb::new(db, "scheduler").await;
    let store = Store::connect(&test_db.url).await.unwrap();
    let task = new_task(0);
    let id = task.task_id;
    let created = store.create_task(&task).await.unwrap();
    assert_eq!(created.state, TS::Received);
    assert_eq!(store.task(id).await.unwrap().unwrap(), created);

    let steps =
        [(TS::Received, TaskEvent::InitializeSent), (TS::Initializing, TaskEvent::Initialized)];
    for (from, event) in steps {
        store.apply_task(id, from, event, None).await.unwrap();
    }
    let (w1, w2, w3) = (Address::repeat_byte(1), Address::repeat_byte(2), Address::repeat_byte(3));
    for worker in [w1, w2, w3] {
        store.assign_replicate(id, worker, None).await.unwrap();
    }
    store.apply_task(id, TS::Initialized, TaskEvent::ReplicateStarted, None).await.unwrap();
    let result = B256::repeat_byte(0xaa);
    for worker in [w1, w2] {
        let path = [
            (RS::Assigned, ReplicateEvent::Downloading),
            (RS::Downloading, ReplicateEvent::Computing),
            (RS::Computing, ReplicateEvent::Computed),
            (RS::Computed, ReplicateEvent::Contributing),
        ];
        for (from, event) in path {
            store.apply_replicate(id, worker, from, event, None, None).await.unwrap();
        }
        let tx = serde_json::json!({"txHash": B256::repeat_byte(7)});
        store
            .apply_replicate(
                id,
                worker,
                RS::Contributing,
                ReplicateEvent::Contributed,
                Some(result),
                Some(&tx),
            )
            .await
            .unwrap();
    }
    // The third worker goes silent, is declared lost, and its part is given up.
    store
        .apply_replicate(id, w3, RS::Assigned, ReplicateEvent::WorkerLost, None, None)
        .await
        .unwrap();
    store
        .apply_replicate(
            id,
            w3,
            RS::Lost,
            ReplicateEvent::Fail(ReplicateFailureCause::WorkerLost),
            None,
            None,
        )
        .await
        .unwrap();
    store.apply_task(id, TS::Running, TaskEvent::ConsensusReached, None).await.unwrap();
    for worker in [w1, w2] {
        store
            .apply_replicate(id, worker, RS::Contributed, ReplicateEvent::Revealed, None, None)
            .await
            .unwrap();
    }
    store.apply_task(id, TS::ConsensusReached, TaskEvent::Revealed, None).await.unwrap();
    store.apply_task(id, TS::Revealed, TaskEvent::UploadRequested, None).await.unwrap();
    store
        .apply_replicate(id, w1, RS::Revealed, ReplicateEvent::UploadRequested, None, None)
        .await
        .unwrap();
    store
        .apply_replicate(id, w1, RS::UploadRequested, ReplicateEvent::Uploaded, None, None)
        .await
        .unwrap();
    for (from, event) in [
        (TS::ResultUploading, TaskEvent::ResultUploaded),
        (TS::ResultUploaded, TaskEvent::FinalizeSent),
        (TS::Finalizing, TaskEvent::Finalized),
    ] {
        store.apply_task(id, from, event, None).await.unwrap();
    }
    store
        .apply_replicate(id, w1, RS::Uploaded, ReplicateEvent::Complete, None, None)
        .await
        .unwrap();
    store
        .apply_replicate(id, w2, RS::Revealed, ReplicateEvent::Complete, None, None)
        .await
        .unwrap();

    let record = store.task(id).await.unwrap().unwrap();
    assert_eq!(record.state, TS::Completed);
    let replicates = store.replicates(id).await.unwrap();
    let states: Vec<_> = replicates.iter().map(|r| (r.worker, r.state, r.result_hash)).collect();
    assert_eq!(
        states,
        vec![
            (w1, RS::Completed, Some(result)),
            (w2, RS::Completed, Some(result)),
            (w3, RS::Failed, None)
        ]
    );

    let timeline = store.timeline(id).await.unwrap();
    assert_eq!(timeline.len() as u64, record.version);
    // Numbered 1.. without gaps, in time order.
    for (i, entry) in timeline.iter().enumerate() {
        assert_eq!(entry.seq, i as u64 + 1);
    }
    assert!(timeline.windows(2).all(|w| w[0].at_ms <= w[1].at_ms));
    let task_steps: Vec<_> = timeline
        .iter()
        .filter(|e| e.subject == Subject::Task)
        .map(|e| (e.event.as_str(), e.to.as_str()))
        .collect();
    assert_eq!(
        task_steps,
        [
            ("CREATED", "RECEIVED"),
            ("INITIALIZE_SENT", "INITIALIZING"),
            ("INITIALIZED", "INITIALIZED"),
            ("REPLICATE_STARTED", "RUNNING"),
            ("CONSENSUS_REACHED", "CONSENSUS_REACHED"),
            ("REVEALED", "REVEALED"),
            ("UPLOAD_REQUESTED", "RESULT_UPLOADING"),
            ("RESULT_UPLOADED", "RESULT_UPLOADED"),
            ("FINALIZE_SENT", "FINALIZING"),
            ("FINALIZED", "COMPLETED"),
        ]
    );
    let lost: Vec<_> = timeline
        .iter()
        .filter(|e| e.subject == Subject::Replicate { worker: w3 })
        .map(|e| (e.from.as_deref(), e.to.as_str(), e.cause.as_deref()))
        .collect();
    assert_eq!(
        lost,
        [
            (None, "ASSIGNED", None),
            (Some("ASSIGNED"), "LOST", None),
            (Some("LOST"), "FAILED", Some("WORKER_LOST")),
        ]
    );
    let contributed = timeline
        .iter()
        .find(|e| e.subject == Subject::Replicate { worker: w1 } && e.event == "CONTRIBUTED")
        .unwrap();
    assert_eq!(
        contributed.details.as_ref().unwrap()["txHash"],
        serde_json::json!(B256::repeat_byte(7))
    );

    let counts = store.count_by_state().await.unwrap();
    assert_eq!(counts.len(), TS::ALL.len());
    assert!(counts.contains(&(TS::Completed, 1)) && counts.contains(&(TS::Running, 0)));
}

async fn stale_and_repeated_events_are_refused_and_change_nothing(db: Db) {
    let test_db = TestDb::new(db, "scheduler").await;
    let store = Store::connect(&test_db.url).await.unwrap();
    let task = new_task(3);
    let id = task.task_id;
    store.create_task(&task).await.unwrap();
    assert!(matches!(store.create_task(&task).await, Err(StoreError::TaskExists(_))));

    // Not allowed by the machine.
    let error = store.apply_task(id, TS::Received, TaskEvent::Finalized, None).await.unwrap_err();
    assert!(matches!(error, StoreError::Transition(_)), "{error}");
    // Allowed from the expected state, but the task is elsewhere.
    let error =
        store.apply_task(id, TS::Initializing, TaskEvent::Initialized, None).await.unwrap_err();
    assert!(
        matches!(&error, StoreError::Stale { expected, actual, .. } if expected == "INITIALIZING" && actual == "RECEIVED"),
        "{error}"
    );
    // Applied once, then repeated.
    store.apply_task(id, TS::Received, TaskEvent::InitializeSent, None).await.unwrap();
    let error =
        store.apply_task(id, TS::Received, TaskEvent::InitializeSent, None).await.unwrap_err();
    assert!(matches!(error, StoreError::Stale { .. }), "{error}");
    // Unknown task and replicate.
    let other = TaskId::from(B256::repeat_byte(9));
    assert!(matches!(
        store.apply_task(other, TS::Received, TaskEvent::InitializeSent, None).await,
        Err(StoreError::TaskNotFound(_))
    ));
    let worker = Address::repeat_byte(4);
    assert!(matches!(
        store
            .apply_replicate(id, worker, RS::Assigned, ReplicateEvent::Downloading, None, None)
            .await,
        Err(StoreError::ReplicateNotFound { .. })
    ));
    assert!(matches!(
        store.assign_replicate(other, worker, None).await,
        Err(StoreError::TaskNotFound(_))
    ));
    store.assign_replicate(id, worker, None).await.unwrap();
    store
        .apply_replicate(id, worker, RS::Assigned, ReplicateEvent::Downloading, None, None)
        .await
        .unwrap();
    let error = store
        .apply_replicate(id, worker, RS::Assigned, ReplicateEvent::Downloading, None, None)
        .await
        .unwrap_err();
    assert!(matches!(error, StoreError::Stale { .. }), "{error}");
    let error = store
        .apply_replicate(id, worker, RS::Downloading, ReplicateEvent::Revealed, None, None)
        .await
        .unwrap_err();
    assert!(matches!(error, StoreError::Transition(_)), "{error}");

    // Nothing of the refusals was written.
    let timeline = store.timeline(id).await.unwrap();
    let events: Vec<_> = timeline.iter().map(|e| e.event.as_str()).collect();
    assert_eq!(events, ["CREATED", "INITIALIZE_SENT", "ASSIGNED", "DOWNLOADING"]);
    assert_eq!(store.task(id).await.unwrap().unwrap().version, 4);

    // A failed task takes no more replicates, and its live replicates are aborted.
    store
        .apply_task(id, TS::Initializing, TaskEvent::Fail(TaskFailureCause::InitializeFailed), None)
        .await
        .unwrap();
    assert!(matches!(
        store.assign_replicate(id, Address::repeat_byte(5), None).await,
        Err(StoreError::TaskNotLive { .. })
    ));
    store
        .apply_replicate(
            id,
            worker,
            RS::Downloading,
            ReplicateEvent::Abort(AbortCause::TaskFailed),
            None,
            None,
        )
        .await
        .unwrap();
    let last = store.timeline(id).await.unwrap().pop().unwrap();
    assert_eq!((last.event.as_str(), last.cause.as_deref()), ("ABORT", Some("TASK_FAILED")));
}

async fn concurrent_events_apply_once(db: Db) {
    let test_db = TestDb::new(db, "scheduler").await;
    let store = Arc::new(Store::connect(&test_db.url).await.unwrap());
    let task = new_task(1);
    let id = task.task_id;
    store.create_task(&task).await.unwrap();

    // The same event from 8 places at once: exactly one is applied.
    let handles: Vec<_> = (0..8)
        .map(|_| {
            let store = Arc::clone(&store);
            tokio::spawn(async move {
                store.apply_task(id, TS::Received, TaskEvent::InitializeSent, None).await
            })
        })
        .collect();
    let outcomes = futures_util::future::join_all(handles).await;
    let applied = outcomes.iter().filter(|o| o.as_ref().unwrap().is_ok()).count();
    assert_eq!(applied, 1);
    for outcome in outcomes {
        if let Err(error) = outcome.unwrap() {
            assert!(matches!(error, StoreError::Stale { .. }), "{error}");
        }
    }

    // Two different events racing from the same state: one wins, the other is stale.
    store.apply_task(id, TS::Initializing, TaskEvent::Initialized, None).await.unwrap();
    store.apply_task(id, TS::Initialized, TaskEvent::ReplicateStarted, None).await.unwrap();
    let (a, b) = tokio::join!(
        store.apply_task(id, TS::Running, TaskEvent::ConsensusReached, None),
        store.apply_task(
            id,
            TS::Running,
            TaskEvent::Fail(TaskFailureCause::ContributionTimeout),
            None
        ),
    );
    assert!(a.is_ok() != b.is_ok(), "{a:?} {b:?}");

    // 16 workers assigned at once to a fresh task, plus each of them twice more: 16
    // replicates, and the task's timeline numbers stay gapless.
    let task = new_task(2);
    let id = task.task_id;
    store.create_task(&task).await.unwrap();
    let handles: Vec<_> = (0..48u8)
        .map(|i| {
            let store = Arc::clone(&store);
            tokio::spawn(async move {
                store.assign_replicate(id, Address::repeat_byte(i % 16 + 1), None).await
            })
        })
        .collect();
    let outcomes = futures_util::future::join_all(handles).await;
    let assigned = outcomes.iter().filter(|o| o.as_ref().unwrap().is_ok()).count();
    for outcome in &outcomes {
        if let Err(error) = outcome.as_ref().unwrap() {
            assert!(matches!(error, StoreError::AlreadyAssigned { .. }), "{error}");
        }
    }
    assert_eq!(assigned, 16);
    assert_eq!(store.replicates(id).await.unwrap().len(), 16);
    let timeline = store.timeline(id).await.unwrap();
    assert_eq!(timeline.len(), 1 + 16);
    for (i, entry) in timeline.iter().enumerate() {
        assert_eq!(entry.seq, i as u64 + 1);
    }
}

async fn a_worker_never_holds_two_replicates_of_a_task(db: Db) {
    let test_db = TestDb::new(db, "scheduler").await;
    let store = Store::connect(&test_db.url).await.unwrap();
    let (first, second) = (new_task(0), new_task(1));
    store.create_task(&first).await.unwrap();
    store.create_task(&second).await.unwrap();
    let worker = Address::repeat_byte(0x42);
    store.assign_replicate(first.task_id, worker, None).await.unwrap();
    // Even after its replicate failed, the worker does not get the task again.
    store
        .apply_replicate(
            first.task_id,
            worker,
            RS::Assigned,
            ReplicateEvent::Fail(ReplicateFailureCause::AppDownloadFailed),
            None,
            None,
        )
        .await
        .unwrap();
    assert!(matches!(
        store.assign_replicate(first.task_id, worker, None).await,
        Err(StoreError::AlreadyAssigned { .. })
    ));
    store.assign_replicate(second.task_id, worker, None).await.unwrap();
    let live =
        store.replicates_of(worker, &[RS::Assigned, RS::Downloading, RS::Computing]).await.unwrap();
    assert_eq!(live.len(), 1);
    assert_eq!(live[0].task_id, second.task_id);
    assert_eq!(store.replicates_of(worker, &[RS::Failed]).await.unwrap().len(), 1);
}

async fn a_store_reopens_with_its_data(db: Db) {
    let test_db = TestDb::new(db, "scheduler").await;
    let task = new_task(7);
    {
        let store = Store::connect(&test_db.url).await.unwrap();
        store.create_task(&task).await.unwrap();
        store.apply_task(task.task_id, TS::Received, TaskEvent::Initialized, None).await.unwrap();
    }
    // Migrations run again on an existing database, and the data is there.
    let store = Store::connect(&test_db.url).await.unwrap();
    let record = store.task(task.task_id).await.unwrap().unwrap();
    assert_eq!((record.state, record.version, record.task_index), (TS::Initialized, 2, 7));
    assert_eq!(record.deal_id, task.deal_id);
    let ready = store.tasks_in(TS::Initialized, 10).await.unwrap();
    assert_eq!(ready, vec![record]);
    assert_eq!(store.timeline(task.task_id).await.unwrap().len(), 2);
}

/// What dispatch reads and writes: `tasks_in_states` (its full reload), `tasks_updated_since`
/// and `latest_update` (its incremental refresh: every transition, of the task or of one of its
/// replicates, moves `updated_at`), `replicates_of_tasks`, and `assign_at_version` (the replicate
/// and an INITIALIZED task's RUNNING in one transaction, refused when the task moved).
async fn dispatch_reads_open_tasks_by_update_and_assigns_at_a_version(db: Db) {
    let test_db = TestDb::new(db, "scheduler").await;
    let store = Store::connect(&test_db.url).await.unwrap();
    let (me, other) = (Address::repeat_byte(1), Address::repeat_byte(2));
    assert_eq!(store.latest_update().await.unwrap(), None);
    // 4 tasks: 0..3 initialized, 3 left RECEIVED.
    let mut tasks = Vec::new();
    for index in 0..4u64 {
        let task = new_task(index);
        store.create_task(&task).await.unwrap();
        if index < 3 {
            store
                .apply_task(task.task_id, TS::Received, TaskEvent::InitializeSent, None)
                .await
                .unwrap();
            store
                .apply_task(task.task_id, TS::Initializing, TaskEvent::Initialized, None)
                .await
                .unwrap();
        }
        tasks.push(store.task(task.task_id).await.unwrap().unwrap());
    }
    let mut open: Vec<TaskId> = store
        .tasks_in_states(&[TS::Initialized, TS::Running])
        .await
        .unwrap()
        .iter()
        .map(|task| task.task_id)
        .collect();
    open.sort();
    let mut expected: Vec<TaskId> = tasks[..3].iter().map(|task| task.task_id).collect();
    expected.sort();
    assert_eq!(open, expected);

    // Assigning at the current version: the replicate and RUNNING, two timeline entries.
    let mark = store.latest_update().await.unwrap().unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let moved = store.assign_at_version(&tasks[0], me, None).await.unwrap();
    assert_eq!((moved.state, moved.version), (TS::Running, tasks[0].version + 2));
    assert_eq!(store.task(tasks[0].task_id).await.unwrap().unwrap(), moved);
    let timeline = store.timeline(tasks[0].task_id).await.unwrap();
    let last_two: Vec<_> = timeline[timeline.len() - 2..]
        .iter()
        .map(|entry| (entry.subject, entry.to.clone(), entry.event.clone()))
        .collect();
    assert_eq!(
        last_two,
        vec![
            (Subject::Replicate { worker: me }, RS::Assigned.to_string(), "ASSIGNED".to_owned()),
            (Subject::Task, TS::Running.to_string(), "REPLICATE_STARTED".to_owned()),
        ]
    );
    // A second worker on the RUNNING task: the state stays, one entry more.
    let again = store.assign_at_version(&moved, other, None).await.unwrap();
    assert_eq!((again.state, again.version), (TS::Running, moved.version + 1));

    // The task moved since: refused, nothing written.
    let refused = store.assign_at_version(&moved, Address::repeat_byte(3), None).await;
    assert!(matches!(refused, Err(StoreError::Stale { .. })), "{refused:?}");
    // The same worker twice; then an ended task.
    let twice = store.assign_at_version(&again, me, None).await;
    assert!(matches!(twice, Err(StoreError::AlreadyAssigned { .. })), "{twice:?}");
    store
        .apply_task(
            tasks[1].task_id,
            TS::Initialized,
            TaskEvent::Fail(TaskFailureCause::ContributionTimeout),
            None,
        )
        .await
        .unwrap();
    let failed = store.task(tasks[1].task_id).await.unwrap().unwrap();
    let ended = store.assign_at_version(&failed, me, None).await;
    assert!(matches!(ended, Err(StoreError::TaskNotLive { .. })), "{ended:?}");
    assert_eq!(store.replicates(tasks[1].task_id).await.unwrap(), vec![]);

    // Since the mark: task 0 (assigned) and task 1 (failed), not 2 nor 3.
    let mut updated: Vec<(TaskId, TS)> = store
        .tasks_updated_since(mark + 1)
        .await
        .unwrap()
        .into_iter()
        .map(|(task, updated_at)| {
            assert!(updated_at > mark);
            (task.task_id, task.state)
        })
        .collect();
    updated.sort();
    let mut expected = vec![(tasks[0].task_id, TS::Running), (tasks[1].task_id, TS::Failed)];
    expected.sort();
    assert_eq!(updated, expected);
    // A replicate's own transition moves its task's updated_at too.
    let mark = store.latest_update().await.unwrap().unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    store
        .apply_replicate(
            tasks[0].task_id,
            other,
            RS::Assigned,
            ReplicateEvent::Fail(ReplicateFailureCause::AppCrashed),
            None,
            None,
        )
        .await
        .unwrap();
    let updated = store.tasks_updated_since(mark + 1).await.unwrap();
    assert_eq!(updated.len(), 1);
    assert_eq!(updated[0].0.task_id, tasks[0].task_id);

    let grouped = store
        .replicates_of_tasks(&[tasks[0].task_id, tasks[2].task_id, tasks[3].task_id])
        .await
        .unwrap();
    assert_eq!(grouped.len(), 1, "tasks 2 and 3 have no replicate");
    let workers: Vec<Address> = grouped[&tasks[0].task_id].iter().map(|r| r.worker).collect();
    assert_eq!(workers, vec![me, other]);
}
