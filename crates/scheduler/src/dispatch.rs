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

use alloy_primitives::{Address, U256};
use poco_contracts::bindings::IPoco;
use poco_primitives::{TaskId, consensus::Consensus, contribution::WorkerpoolAuthorization};
use poco_scheduler_api::{Assignment, ErrorCode, ReplicateState, TaskSpec, TaskState};
use serde_json::json;
use tracing::info;

use crate::{
    api::LIVE_REPLICATE_STATES,
    deals::{DealInfo, FRESH},
    engine::{Engine, EngineError},
    machine::TaskEvent,
    registry::{Refusal, WorkerInfo},
    store::ReplicateRecord,
    store::TaskRecord,
};

/// Tasks read per dispatch query.
const DISPATCH_PAGE: u32 = 128;

/// Most saturated tasks remembered (a few MiB at most).
const SATURATED_KEPT: usize = 65_536;

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
    /// A worker's on-chain score (read once per ask, kept for planning).
    async fn score(&self, worker: Address) -> Result<U256, EngineError> {
        let score = self
            .inner
            .client
            .call(self.inner.hub, &IPoco::viewScoreCall { _worker: worker })
            .await?;
        self.inner
            .scores
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(worker, score);
        Ok(score)
    }

    fn known_score(&self, worker: Address) -> U256 {
        self.inner
            .scores
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(&worker)
            .copied()
            .unwrap_or_default()
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
        let _guard = self.inner.dispatch.lock().await;
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
        let mut after = None;
        loop {
            let page = store
                .dispatch_page(worker, min_deadline, after, DISPATCH_PAGE)
                .await
                .map_err(|error| out_of_service(error.into()))?;
            let Some(last) = page.last() else { return Ok(None) };
            after = Some((last.contribution_deadline, last.task_id));
            let open: Vec<&TaskRecord> =
                page.iter().filter(|task| !self.known_saturated(task)).collect();
            let ids: Vec<TaskId> = open.iter().map(|task| task.task_id).collect();
            let mut replicates_of = store
                .replicates_of_tasks(&ids)
                .await
                .map_err(|error| out_of_service(error.into()))?;
            for task in open {
                let deal = self.deal(task.deal_id).await.map_err(out_of_service)?;
                let replicates = replicates_of.remove(&task.task_id).unwrap_or_default();
                let scored: Vec<_> =
                    replicates.iter().map(|r| (r.clone(), self.known_score(r.worker))).collect();
                // Wanting none from a worker of score 0 is wanting none from anybody.
                if replicates_wanted(deal.trust, &scored, U256::ZERO) == 0 {
                    self.mark_saturated(task);
                    continue;
                }
                if !info.registration.tags.is_superset_of(&deal.tag)
                    || !info.registration.executors.contains(&deal.app.executor)
                    || replicates_wanted(deal.trust, &scored, score) == 0
                {
                    continue;
                }
                return self.assign(worker, task, &deal, replicates.len(), score).await.map(Some);
            }
            if page.len() < DISPATCH_PAGE as usize {
                return Ok(None);
            }
        }
    }

    /// Whether dispatch found `task` saturated at its current version.
    fn known_saturated(&self, task: &TaskRecord) -> bool {
        self.inner
            .saturated
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(&task.task_id)
            .is_some_and(|version| *version == task.version)
    }

    fn mark_saturated(&self, task: &TaskRecord) {
        let mut saturated =
            self.inner.saturated.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if saturated.len() >= SATURATED_KEPT {
            // Entries of ended tasks are never read again: start over rather than grow.
            saturated.clear();
        }
        saturated.insert(task.task_id, task.version);
    }

    /// Gives `task` to `worker`: signs the authorization, stores the replicate (and the task's
    /// `RUNNING`).
    async fn assign(
        &self,
        worker: Address,
        task: &TaskRecord,
        deal: &DealInfo,
        replicates_before: usize,
        score: U256,
    ) -> Result<Assignment, Refusal> {
        let out_of_service = |error: EngineError| {
            tracing::warn!(%worker, %error, "Dispatch failed.");
            Refusal::new(ErrorCode::Internal, "internal error")
        };
        let store = &self.inner.store;
        let authorization =
            WorkerpoolAuthorization::sign(&self.inner.signer, worker, task.task_id, Address::ZERO)
                .map_err(|error| out_of_service(error.into()))?;
        store
            .assign_replicate(task.task_id, worker, Some(&json!({"score": score})))
            .await
            .map_err(|error| out_of_service(error.into()))?;
        if task.state == TaskState::Initialized {
            // The driver may have moved it meanwhile (consensus needs RUNNING first): ignore.
            let _ = store
                .apply_task(task.task_id, TaskState::Initialized, TaskEvent::ReplicateStarted, None)
                .await;
        }
        info!(task = %task.task_id, %worker, replicates = replicates_before + 1, "Replicate assigned.");
        Ok(Assignment { task: spec(deal, task.task_id, task.task_index), authorization })
    }
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
