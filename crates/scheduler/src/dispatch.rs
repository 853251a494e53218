//! Dispatch: which task a worker asking for work gets, and how many replicates a task needs.
//!
//! **Replication plan.** The votes already on chain (the result hashes the workers reported,
//! each checked with `viewContribution`) are replayed through the protocol's [`Consensus`],
//! each weighted by its worker's score; the task needs as many more replicates as the most
//! promising result (or a fresh one) still lacks, given the asking worker's `viewScore`, minus
//! the replicates still computing. A disagreeing result therefore adds a replicate, and so does
//! a lost or failed worker (its replicate no longer counts as computing), as long as the
//! contribution deadline (less a margin) allows.
//!
//! **Rules.** A worker never holds more live replicates than its `maxParallelTasks`
//! (`NO_FREE_SLOT`), never two of one task (also a key of the store), and only gets tasks whose
//! tag its declared tags cover and whose app its executors run.
//!
//! **Candidates** come from the in-memory index of open tasks ([`crate::open_tasks`]); the
//! assignment is stored only if the task is still at the version the index showed.

use alloy_primitives::{Address, U256};
use poco_contracts::bindings::IPoco;
use poco_primitives::{TaskId, consensus::Consensus, contribution::WorkerpoolAuthorization};
use poco_scheduler_api::{Assignment, ErrorCode, ReplicateState, TaskSpec};
use serde_json::json;
use tracing::info;

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use crate::{
    api::LIVE_REPLICATE_STATES,
    deals::{DealInfo, FRESH},
    engine::{Engine, EngineError},
    error::StoreError,
    open_tasks::{OPEN_STATES, OpenTask, OpenTasks, Refresh},
    registry::{Refusal, WorkerInfo},
    store::{ReplicateRecord, TaskRecord},
};

/// How long a worker's score read on chain is used before it is read again.
const SCORE_KEPT: Duration = Duration::from_secs(30);

/// Candidates tried per ask when the index turns out stale.
const ASSIGN_ATTEMPTS: usize = 8;

/// States of a replicate still on its way to a contribution.
const COMPUTING: &[ReplicateState] = &[
    ReplicateState::Assigned,
    ReplicateState::Downloading,
    ReplicateState::Computing,
    ReplicateState::Computed,
    ReplicateState::Contributing,
    ReplicateState::Recovering,
];

/// How many more replicates a task needs (see the module docs): `trust`, the replicates so far
/// with their workers' scores, and the score of the next worker.
pub fn replicates_wanted(
    trust: U256,
    replicates: &[(ReplicateRecord, U256)],
    next_score: U256,
) -> u32 {
    let mut consensus = Consensus::new(trust);
    let mut computing = 0u32;
    let mut hashes = vec![FRESH];
    for (replicate, score) in replicates {
        if let Some(hash) = replicate.result_hash {
            if consensus.contribute(hash, *score).is_err() {
                return 0; // consensus already reached (or an overflow the hub would refuse)
            }
            if !hashes.contains(&hash) {
                hashes.push(hash);
            }
        } else if COMPUTING.contains(&replicate.state) {
            computing += 1;
        }
    }
    if consensus.value().is_some() {
        return 0;
    }
    let needed = hashes
        .iter()
        .filter_map(|hash| consensus.more_needed(*hash, next_score))
        .min()
        .unwrap_or(0);
    needed.saturating_sub(computing)
}

impl Engine {
    /// A worker's on-chain score: read at most once per [`SCORE_KEPT`] (a finalize forgets the
    /// scores of the task's workers, see `forget_scores`).
    async fn score(&self, worker: Address) -> Result<U256, EngineError> {
        let kept = self
            .inner
            .scores
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(&worker)
            .copied();
        if let Some((score, read)) = kept
            && read.elapsed() < SCORE_KEPT
        {
            return Ok(score);
        }
        let score = self
            .inner
            .client
            .call(self.inner.hub, &IPoco::viewScoreCall { _worker: worker })
            .await?;
        self.inner
            .scores
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(worker, (score, Instant::now()));
        Ok(score)
    }

    fn known_score(&self, worker: Address) -> U256 {
        self.inner
            .scores
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(&worker)
            .map(|(score, _)| *score)
            .unwrap_or_default()
    }

    /// Forgets the scores of `workers` (a finalize just changed them).
    pub(crate) fn forget_scores(&self, workers: impl IntoIterator<Item = Address>) {
        let mut scores =
            self.inner.scores.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        for worker in workers {
            scores.remove(&worker);
        }
    }

    /// New work may be there (a task initialized, a replicate lost or failed): the open-task
    /// index is refreshed at the next ask and the long-polling workers are woken.
    pub(crate) fn work_available(&self) {
        self.inner.open_stale.store(true, std::sync::atomic::Ordering::SeqCst);
        self.inner.work.notify_waiters();
    }

    fn scored(&self, replicates: &[ReplicateRecord]) -> Vec<(ReplicateRecord, U256)> {
        replicates.iter().map(|r| (r.clone(), self.known_score(r.worker))).collect()
    }

    /// Brings the open-task index up to date with the store (see [`crate::open_tasks`]).
    async fn refresh_open(&self, open: &mut OpenTasks) -> Result<(), EngineError> {
        if self.inner.open_stale.swap(false, std::sync::atomic::Ordering::SeqCst) {
            open.mark_stale();
        }
        let now = Instant::now();
        let refresh = open.due(now);
        let store = &self.inner.store;
        let records = match refresh {
            Refresh::None => return Ok(()),
            Refresh::Full => {
                open.clear();
                store.tasks_in_states(OPEN_STATES).await?
            }
            Refresh::Since(since) => {
                let mut records = Vec::new();
                for (record, updated_at) in store.tasks_updated_since(since).await? {
                    open.saw(updated_at);
                    records.push(record);
                }
                records
            }
        };
        open.refreshed(refresh, now);
        let (live, ended): (Vec<TaskRecord>, Vec<TaskRecord>) = records
            .into_iter()
            .filter(|record| refresh == Refresh::Full || open.differs(record))
            .partition(|record| OPEN_STATES.contains(&record.state));
        for record in ended {
            open.remove(record.task_id);
        }
        let ids: Vec<TaskId> = live.iter().map(|record| record.task_id).collect();
        let mut replicates_of = store.replicates_of_tasks(&ids).await?;
        for record in live {
            let replicates = replicates_of.remove(&record.task_id).unwrap_or_default();
            self.put_open(open, record, replicates).await?;
        }
        if refresh == Refresh::Full {
            // Every write before the reload is in it; keep the slack from here on.
            if let Some(latest) = store.latest_update().await? {
                open.saw(latest);
            }
        }
        Ok(())
    }

    /// Stores one open task in the index, wanting replicates or not.
    async fn put_open(
        &self,
        open: &mut OpenTasks,
        record: TaskRecord,
        replicates: Vec<ReplicateRecord>,
    ) -> Result<(), EngineError> {
        let deal = self.deal(record.deal_id).await?;
        // Wanting none from a worker of score 0 is wanting none from anybody.
        let wants = replicates_wanted(deal.trust, &self.scored(&replicates), U256::ZERO) > 0;
        open.put(OpenTask { record, deal, replicates }, wants);
        Ok(())
    }

    /// Re-reads one task the index had wrong (an assignment found it moved).
    async fn reload_open(&self, open: &mut OpenTasks, task_id: TaskId) -> Result<(), EngineError> {
        let store = &self.inner.store;
        match store.task(task_id).await? {
            Some(record) if OPEN_STATES.contains(&record.state) => {
                let replicates = store.replicates(task_id).await?;
                self.put_open(open, record, replicates).await
            }
            _ => {
                open.remove(task_id);
                Ok(())
            }
        }
    }

    /// One attempt to give `worker` a replicate: `Ok(None)` when nothing fits now.
    pub(crate) async fn try_assign(
        &self,
        worker: Address,
        info: &WorkerInfo,
    ) -> Result<Option<Assignment>, Refusal> {
        let out_of_service = |error: EngineError| {
            tracing::warn!(%worker, %error, "Dispatch failed.");
            match error {
                EngineError::Chain(_) => {
                    Refusal::new(ErrorCode::OutOfService, "the chain is unreachable")
                }
                _ => Refusal::new(ErrorCode::Internal, "internal error"),
            }
        };
        let mut open = self.inner.dispatch.lock().await;
        let store = &self.inner.store;
        let held = store
            .replicates_of(worker, LIVE_REPLICATE_STATES)
            .await
            .map_err(|error| out_of_service(error.into()))?;
        if held.len() >= usize::try_from(info.registration.max_parallel_tasks).unwrap_or(usize::MAX)
        {
            return Err(Refusal::new(
                ErrorCode::NoFreeSlot,
                format!("the worker already runs {} tasks", held.len()),
            ));
        }
        let score = self.score(worker).await.map_err(out_of_service)?;
        let now = self.last_chain_time();
        if now == 0 {
            return Ok(None);
        }
        let min_deadline = now.saturating_add(self.inner.config.contribution_margin);
        self.refresh_open(&mut open).await.map_err(out_of_service)?;
        for _ in 0..ASSIGN_ATTEMPTS {
            let pick = open.candidates(min_deadline).find(|task| {
                !task.replicates.iter().any(|replicate| replicate.worker == worker)
                    && info.registration.tags.is_superset_of(&task.deal.tag)
                    && info.registration.executors.contains(&task.deal.app.executor)
                    && replicates_wanted(task.deal.trust, &self.scored(&task.replicates), score) > 0
            });
            let Some(task) = pick else { return Ok(None) };
            let (record, deal) = (task.record.clone(), Arc::clone(&task.deal));
            let mut replicates = task.replicates.clone();
            match self.assign(worker, &record, &deal, replicates.len(), score).await {
                Ok((assignment, moved)) => {
                    replicates.push(ReplicateRecord {
                        task_id: record.task_id,
                        worker,
                        state: ReplicateState::Assigned,
                        result_hash: None,
                    });
                    self.put_open(&mut open, moved, replicates).await.map_err(out_of_service)?;
                    return Ok(Some(assignment));
                }
                Err(AssignError::Moved) => {
                    self.reload_open(&mut open, record.task_id).await.map_err(out_of_service)?;
                }
                Err(AssignError::Failed(error)) => return Err(out_of_service(error)),
            }
        }
        Ok(None)
    }

    /// Gives `task` to `worker` if the task is still as dispatch saw it: signs the
    /// authorization, stores the replicate (and the task's `RUNNING`). Returns the assignment
    /// and the task as it now is.
    async fn assign(
        &self,
        worker: Address,
        task: &TaskRecord,
        deal: &DealInfo,
        replicates_before: usize,
        score: U256,
    ) -> Result<(Assignment, TaskRecord), AssignError> {
        let authorization =
            WorkerpoolAuthorization::sign(&self.inner.signer, worker, task.task_id, Address::ZERO)
                .map_err(|error| AssignError::Failed(error.into()))?;
        let moved = match self
            .inner
            .store
            .assign_at_version(task, worker, Some(&json!({"score": score})))
            .await
        {
            Ok(moved) => moved,
            Err(
                StoreError::Stale { .. }
                | StoreError::TaskNotLive { .. }
                | StoreError::TaskNotFound(_)
                | StoreError::AlreadyAssigned { .. },
            ) => return Err(AssignError::Moved),
            Err(error) => return Err(AssignError::Failed(error.into())),
        };
        info!(task = %task.task_id, %worker, replicates = replicates_before + 1, "Replicate assigned.");
        let assignment =
            Assignment { task: spec(deal, task.task_id, task.task_index), authorization };
        Ok((assignment, moved))
    }
}

/// Why an assignment did not happen.
enum AssignError {
    /// The task moved since dispatch looked at it: look again.
    Moved,
    /// The store or the signer failed.
    Failed(EngineError),
}

/// The task's spec for a worker.
pub(crate) fn spec(deal: &DealInfo, task_id: TaskId, task_index: u64) -> TaskSpec {
    let (args, input_files) = deal.args_and_inputs();
    TaskSpec {
        task_id,
        deal_id: deal.deal_id,
        task_index: U256::from(task_index),
        app: deal.app.clone(),
        dataset: deal.dataset.clone(),
        args,
        input_files,
        tag: deal.tag,
        trust: deal.trust,
        max_run_seconds: deal.time_ref,
        contribution_deadline: deal.contribution_deadline(),
        final_deadline: deal.final_deadline(),
        beneficiary: deal.beneficiary,
        callback: deal.callback,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::B256;

    fn replicate(state: ReplicateState, hash: Option<u8>) -> (ReplicateRecord, U256) {
        let record = ReplicateRecord {
            task_id: TaskId::ZERO,
            worker: Address::random(),
            state,
            result_hash: hash.map(B256::repeat_byte),
        };
        (record, U256::ZERO)
    }

    #[test]
    fn the_plan_follows_the_consensus_formula() {
        use ReplicateState as S;
        let t = |n: u64| U256::from(n);
        type Case = (&'static str, u64, Vec<(ReplicateRecord, U256)>, u32);
        let cases: Vec<Case> = vec![
            ("fresh task, trust 1", 1, vec![], 1),
            ("fresh task, trust 5: 3 fresh workers", 5, vec![], 3),
            (
                "two computing at trust 5",
                5,
                vec![replicate(S::Computing, None), replicate(S::Assigned, None)],
                1,
            ),
            ("one agreeing vote at trust 3", 3, vec![replicate(S::Contributed, Some(1))], 1),
            (
                "disagreement at trust 3 adds replicates",
                3,
                vec![replicate(S::Contributed, Some(1)), replicate(S::Contributed, Some(2))],
                2,
            ),
            (
                "a lost worker no longer counts",
                5,
                vec![replicate(S::Lost, None), replicate(S::Computing, None)],
                2,
            ),
            ("a failed worker no longer counts", 3, vec![replicate(S::Failed, None)], 2),
            (
                "consensus reached",
                3,
                vec![replicate(S::Contributed, Some(1)), replicate(S::Contributed, Some(1))],
                0,
            ),
        ];
        for (case, trust, replicates, expected) in cases {
            assert_eq!(replicates_wanted(t(trust), &replicates, U256::ZERO), expected, "{case}");
        }
    }
}
