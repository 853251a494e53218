//! Exhaustive tests of both machines: every `(state, event)` pair of the enum product is applied,
//! and the outcome must be exactly the one this file lists (written out independently of the
//! `match` tables), so every allowed transition is checked and every other one must be refused.

use super::*;
use std::collections::{HashMap, HashSet, VecDeque};

use ReplicateEvent as RE;
use ReplicateState as RS;
use TaskEvent as TE;
use TaskFailureCause as TC;
use TaskState as TS;

fn task_allowed() -> HashMap<(TS, TE), TS> {
    let mut rows: Vec<(TS, TE, TS)> = vec![
        (TS::Received, TE::InitializeSent, TS::Initializing),
        (TS::Received, TE::Initialized, TS::Initialized),
        (TS::Initializing, TE::Initialized, TS::Initialized),
        (TS::Initializing, TE::InitializeRetry, TS::Received),
        (TS::Initialized, TE::ReplicateStarted, TS::Running),
        (TS::Running, TE::ConsensusReached, TS::ConsensusReached),
        (TS::ConsensusReached, TE::Revealed, TS::Revealed),
        (TS::ConsensusReached, TE::RevealTimeout, TS::Reopening),
        (TS::Reopening, TE::Reopened, TS::Running),
        (TS::Revealed, TE::UploadRequested, TS::ResultUploading),
        (TS::ResultUploading, TE::UploadFailed, TS::Revealed),
        (TS::ResultUploading, TE::ResultUploaded, TS::ResultUploaded),
        (TS::ResultUploaded, TE::FinalizeSent, TS::Finalizing),
        (TS::Finalizing, TE::FinalizeRetry, TS::ResultUploaded),
        (TS::Finalizing, TE::Finalized, TS::Completed),
        (TS::ResultUploaded, TE::Finalized, TS::Completed),
        (TS::Received, TE::Fail(TC::SeenTooLate), TS::Failed),
        (TS::Received, TE::Fail(TC::InitializeFailed), TS::Failed),
        (TS::Initializing, TE::Fail(TC::InitializeFailed), TS::Failed),
        (TS::Reopening, TE::Fail(TC::ReopenFailed), TS::Failed),
        (TS::Revealed, TE::Fail(TC::ResultUploadFailed), TS::Failed),
        (TS::ResultUploading, TE::Fail(TC::ResultUploadFailed), TS::Failed),
        (TS::ResultUploaded, TE::Fail(TC::FinalizeFailed), TS::Failed),
        (TS::Finalizing, TE::Fail(TC::FinalizeFailed), TS::Failed),
    ];
    for state in [TS::Received, TS::Initializing, TS::Initialized, TS::Running, TS::Reopening] {
        rows.push((state, TE::Fail(TC::ContributionTimeout), TS::Failed));
    }
    let live = [
        TS::Received,
        TS::Initializing,
        TS::Initialized,
        TS::Running,
        TS::ConsensusReached,
        TS::Revealed,
        TS::ResultUploading,
        TS::ResultUploaded,
        TS::Finalizing,
        TS::Reopening,
    ];
    for state in live {
        rows.push((state, TE::Fail(TC::FinalDeadlineReached), TS::Failed));
        rows.push((state, TE::Fail(TC::ClaimedOnChain), TS::Failed));
    }
    let mut table = HashMap::new();
    for (from, event, to) in rows {
        assert!(table.insert((from, event), to).is_none(), "listed twice: {from} {event}");
    }
    table
}

fn replicate_allowed() -> HashMap<(RS, RE), RS> {
    let mut rows: Vec<(RS, RE, RS)> = vec![
        (RS::Assigned, RE::Downloading, RS::Downloading),
        (RS::Downloading, RE::Computing, RS::Computing),
        (RS::Downloading, RE::Computed, RS::Computed),
        (RS::Computing, RE::Computed, RS::Computed),
        (RS::Computed, RE::Contributing, RS::Contributing),
        (RS::Computed, RE::Contributed, RS::Contributed),
        (RS::Contributing, RE::Contributed, RS::Contributed),
        (RS::Contributed, RE::Revealing, RS::Revealing),
        (RS::Contributed, RE::Revealed, RS::Revealed),
        (RS::Revealing, RE::Revealed, RS::Revealed),
        (RS::Revealed, RE::UploadRequested, RS::UploadRequested),
        (RS::UploadRequested, RE::Uploading, RS::Uploading),
        (RS::UploadRequested, RE::Uploaded, RS::Uploaded),
        (RS::Uploading, RE::Uploaded, RS::Uploaded),
        (RS::Revealed, RE::Complete, RS::Completed),
        (RS::Uploaded, RE::Complete, RS::Completed),
        (RS::Lost, RE::Recover, RS::Recovering),
    ];
    // A recovering worker reports where it really is.
    for (event, to) in [
        (RE::Downloading, RS::Downloading),
        (RE::Computing, RS::Computing),
        (RE::Computed, RS::Computed),
        (RE::Contributing, RS::Contributing),
        (RE::Contributed, RS::Contributed),
        (RE::Revealing, RS::Revealing),
        (RE::Revealed, RS::Revealed),
        (RE::Uploading, RS::Uploading),
        (RE::Uploaded, RS::Uploaded),
    ] {
        rows.push((RS::Recovering, event, to));
    }
    let live = [
        RS::Assigned,
        RS::Downloading,
        RS::Computing,
        RS::Computed,
        RS::Contributing,
        RS::Contributed,
        RS::Revealing,
        RS::Revealed,
        RS::UploadRequested,
        RS::Uploading,
        RS::Uploaded,
        RS::Lost,
        RS::Recovering,
    ];
    for state in live {
        if state != RS::Lost {
            rows.push((state, RE::WorkerLost, RS::Lost));
        }
        for &cause in ReplicateFailureCause::ALL {
            rows.push((state, RE::Fail(cause), RS::Failed));
        }
        for &cause in AbortCause::ALL {
            rows.push((state, RE::Abort(cause), RS::Aborted));
        }
    }
    let mut table = HashMap::new();
    for (from, event, to) in rows {
        assert!(table.insert((from, event), to).is_none(), "listed twice: {from} {event}");
    }
    table
}

#[test]
fn every_task_pair_is_allowed_exactly_as_listed() {
    let allowed = task_allowed();
    let events = TaskEvent::all();
    let (mut ok, mut refused) = (0, 0);
    for &from in TaskState::ALL {
        for &event in &events {
            match (task_transition(from, event), allowed.get(&(from, event))) {
                (Ok(to), Some(&expected)) => {
                    assert_eq!(to, expected, "{from} --{event}-->");
                    ok += 1;
                }
                (Err(error), None) => {
                    assert_eq!(error.from, from.as_str());
                    assert_eq!(error.event, event.to_string());
                    refused += 1;
                }
                (outcome, expected) => {
                    panic!("{from} --{event}--> gave {outcome:?}, expected {expected:?}")
                }
            }
        }
    }
    assert_eq!(ok, allowed.len());
    assert_eq!(ok + refused, TaskState::ALL.len() * events.len());
}

#[test]
fn every_replicate_pair_is_allowed_exactly_as_listed() {
    let allowed = replicate_allowed();
    let events = ReplicateEvent::all();
    let (mut ok, mut refused) = (0, 0);
    for &from in ReplicateState::ALL {
        for &event in &events {
            match (replicate_transition(from, event), allowed.get(&(from, event))) {
                (Ok(to), Some(&expected)) => {
                    assert_eq!(to, expected, "{from} --{event}-->");
                    ok += 1;
                }
                (Err(error), None) => {
                    assert_eq!(error.from, from.as_str());
                    assert_eq!(error.event, event.to_string());
                    refused += 1;
                }
                (outcome, expected) => {
                    panic!("{from} --{event}--> gave {outcome:?}, expected {expected:?}")
                }
            }
        }
    }
    assert_eq!(ok, allowed.len());
    assert_eq!(ok + refused, ReplicateState::ALL.len() * events.len());
}

#[test]
fn events_are_all_distinct() {
    let tasks: HashSet<_> = TaskEvent::all().into_iter().collect();
    assert_eq!(tasks.len(), TaskEvent::all().len());
    let replicates: HashSet<_> = ReplicateEvent::all().into_iter().collect();
    assert_eq!(replicates.len(), ReplicateEvent::all().len());
}

/// Every state is reachable from the start, and a final state is reachable from every state.
fn check_graph<S: Copy + Eq + std::hash::Hash + fmt::Display>(
    start: S,
    states: &[S],
    edges: &[(S, S)],
    is_final: fn(S) -> bool,
) {
    let reachable = |from: S| {
        let mut seen = HashSet::from([from]);
        let mut queue = VecDeque::from([from]);
        while let Some(state) = queue.pop_front() {
            for &(edge_from, to) in edges {
                if edge_from == state && seen.insert(to) {
                    queue.push_back(to);
                }
            }
        }
        seen
    };
    let from_start = reachable(start);
    for &state in states {
        assert!(from_start.contains(&state), "{state} unreachable");
        if is_final(state) {
            assert!(edges.iter().all(|&(from, _)| from != state), "{state} is final");
        } else {
            assert!(reachable(state).into_iter().any(is_final), "{state} cannot end");
        }
    }
}

#[test]
fn task_graph_is_connected_and_final_states_are_sinks() {
    let edges: Vec<_> = task_allowed().into_iter().map(|((from, _), to)| (from, to)).collect();
    check_graph(TS::Received, TaskState::ALL, &edges, TaskState::is_final);
    // Every live state can give up: a stuck task always ends claimable.
    for &state in TaskState::ALL.iter().filter(|s| !s.is_final()) {
        assert_eq!(
            task_transition(state, TE::Fail(TC::FinalDeadlineReached)),
            Ok(TS::Failed),
            "{state}"
        );
    }
}

#[test]
fn replicate_graph_is_connected_and_final_states_are_sinks() {
    let edges: Vec<_> = replicate_allowed().into_iter().map(|((from, _), to)| (from, to)).collect();
    check_graph(RS::Assigned, ReplicateState::ALL, &edges, ReplicateState::is_final);
}

#[test]
fn reports_map_to_their_events() {
    use alloy_primitives::{B256, Bytes};
    use poco_scheduler_api::ReplicateReport as R;
    let cases = [
        (R::Downloading, RE::Downloading),
        (R::Computing, RE::Computing),
        (R::Computed { failure: None }, RE::Computed),
        (R::Contributing { tx_hash: B256::ZERO }, RE::Contributing),
        (R::Contributed { result_hash: B256::ZERO, tx_hash: B256::ZERO }, RE::Contributed),
        (R::Revealing { tx_hash: B256::ZERO }, RE::Revealing),
        (R::Revealed { tx_hash: B256::ZERO }, RE::Revealed),
        (R::Uploading, RE::Uploading),
        (R::Uploaded { result_link: Bytes::new(), callback_data: None }, RE::Uploaded),
        (
            R::Failed { cause: ReplicateFailureCause::OutOfMemory },
            RE::Fail(ReplicateFailureCause::OutOfMemory),
        ),
    ];
    for (report, event) in cases {
        assert_eq!(ReplicateEvent::from(&report), event);
    }
}
