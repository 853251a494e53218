//! Replicate reports: `POST /v1/replicates/{taskId}/status`, through the replicate transition
//! table, with what the chain can tell checked on chain, answered with the worker's
//! [`NextAction`].
//!
//! | report | checked | refused with |
//! | --- | --- | --- |
//! | any | the worker holds a replicate of the task | `TASK_NOT_FOUND`, `REPLICATE_NOT_FOUND` |
//! | any | the transition table | `ALREADY_REPORTED` (the replicate is already there), `INVALID_TRANSITION` |
//! | `CONTRIBUTED` | `viewContribution`: contributed, with the reported result hash | `NOT_ON_CHAIN` |
//! | `REVEALED` | `viewContribution`: proved | `NOT_ON_CHAIN` |
//!
//! A refused report changes nothing. A lost worker's replicate (`LOST`) recovers
//! (`RECOVERING`) on its next report, if the task still runs. A report on a replicate the
//! scheduler ended answers its end (`ABORT` or `COMPLETE`) rather than a refusal, so a worker
//! that missed the push learns it.

use alloy_primitives::Address;
use poco_primitives::TaskId;
use poco_scheduler_api::{
    AbortCause, ErrorCode, NextAction, ReplicateReport, ReplicateState, TaskState,
};
use serde_json::json;
use tracing::{debug, warn};

use crate::{
    driver::contribution_status,
    engine::{Engine, EngineError},
    error::StoreError,
    machine::{ReplicateEvent, TaskEvent, replicate_transition},
    registry::Refusal,
};

/// The state a report moves a replicate to (its repeat finds the replicate there already).
const fn target(report: &ReplicateReport) -> ReplicateState {
    match report {
        ReplicateReport::Downloading => ReplicateState::Downloading,
        ReplicateReport::Computing => ReplicateState::Computing,
        ReplicateReport::Computed { .. } => ReplicateState::Computed,
        ReplicateReport::Contributing { .. } => ReplicateState::Contributing,
        ReplicateReport::Contributed { .. } => ReplicateState::Contributed,
        ReplicateReport::Revealing { .. } => ReplicateState::Revealing,
        ReplicateReport::Revealed { .. } => ReplicateState::Revealed,
        ReplicateReport::Uploading => ReplicateState::Uploading,
        ReplicateReport::Uploaded { .. } => ReplicateState::Uploaded,
        ReplicateReport::Failed { .. } => ReplicateState::Failed,
    }
}

fn internal(error: impl Into<EngineError>) -> Refusal {
    let error = error.into();
    warn!(%error, "Report handling failed.");
    match error {
        EngineError::Chain(_) => Refusal::new(ErrorCode::OutOfService, "the chain is unreachable"),
        _ => Refusal::new(ErrorCode::Internal, "internal error"),
    }
}

impl Engine {
    /// Applies `worker`'s report on its replicate of `task_id` (see the module docs).
    pub async fn report(
        &self,
        worker: Address,
        task_id: TaskId,
        report: ReplicateReport,
    ) -> Result<NextAction, Refusal> {
        let store = &self.inner.store;
        let task = store.task(task_id).await.map_err(internal)?.ok_or_else(|| {
            Refusal::new(ErrorCode::TaskNotFound, format!("task {task_id} is not known"))
        })?;
        let replicate = store
            .replicates(task_id)
            .await
            .map_err(internal)?
            .into_iter()
            .find(|r| r.worker == worker)
            .ok_or_else(|| {
                Refusal::new(
                    ErrorCode::ReplicateNotFound,
                    format!("no replicate of {task_id} for this worker"),
                )
            })?;
        let mut state = replicate.state;
        match state {
            ReplicateState::Aborted | ReplicateState::Failed => {
                let cause = match task.state {
                    TaskState::Completed => AbortCause::TaskCompleted,
                    TaskState::Failed => AbortCause::TaskFailed,
                    _ => AbortCause::Replaced,
                };
                return Ok(NextAction::Abort { cause });
            }
            ReplicateState::Completed => return Ok(NextAction::Complete),
            _ => {}
        }
        let to = target(&report);
        let event = ReplicateEvent::from(&report);
        if state == ReplicateState::Lost && !task.state.is_final() {
            state = store
                .apply_replicate(task_id, worker, state, ReplicateEvent::Recover, None, None)
                .await
                .map_err(internal)?;
        }
        if let Err(error) = replicate_transition(state, event) {
            return Err(if state == to {
                Refusal::new(ErrorCode::AlreadyReported, format!("the replicate is already {to}"))
            } else {
                Refusal::new(ErrorCode::InvalidTransition, error.to_string())
            });
        }
        let mut result_hash = None;
        let details = match &report {
            ReplicateReport::Contributed { result_hash: hash, tx_hash } => {
                let contribution =
                    self.view_contribution(task_id, worker).await.map_err(internal)?;
                let on_chain = matches!(
                    contribution.status,
                    contribution_status::CONTRIBUTED | contribution_status::PROVED
                ) && contribution.resultHash == *hash;
                if !on_chain {
                    return Err(Refusal::new(
                        ErrorCode::NotOnChain,
                        "no contribution of this worker with this result hash on chain",
                    ));
                }
                result_hash = Some(*hash);
                Some(json!({"resultHash": hash, "txHash": tx_hash}))
            }
            ReplicateReport::Revealed { tx_hash } => {
                let contribution =
                    self.view_contribution(task_id, worker).await.map_err(internal)?;
                if contribution.status != contribution_status::PROVED {
                    return Err(Refusal::new(
                        ErrorCode::NotOnChain,
                        "no reveal of this worker on chain",
                    ));
                }
                Some(json!({"txHash": tx_hash}))
            }
            ReplicateReport::Contributing { tx_hash } | ReplicateReport::Revealing { tx_hash } => {
                Some(json!({"txHash": tx_hash}))
            }
            ReplicateReport::Computed { failure: Some(failure) } => {
                Some(json!({"failure": failure}))
            }
            ReplicateReport::Uploaded { result_link, callback_data } => {
                store
                    .set_result(task_id, result_link, callback_data.as_ref())
                    .await
                    .map_err(internal)?;
                Some(json!({"resultLink": result_link}))
            }
            _ => None,
        };
        let applied = store
            .apply_replicate(task_id, worker, state, event, result_hash, details.as_ref())
            .await;
        match applied {
            Ok(_) => {}
            Err(StoreError::Stale { actual, .. }) if actual == to.as_str() => {
                return Err(Refusal::new(
                    ErrorCode::AlreadyReported,
                    format!("the replicate is already {to}"),
                ));
            }
            Err(StoreError::Stale { .. }) => {
                return Err(Refusal::new(
                    ErrorCode::InvalidTransition,
                    "the replicate moved meanwhile",
                ));
            }
            Err(error) => return Err(internal(error)),
        }
        debug!(task = %task_id, %worker, %event, "Report applied.");
        if to == ReplicateState::Revealed {
            // The task may have completed while this report was on its way: the driver then
            // left this winner to it.
            let completed = store.task(task_id).await.map_err(internal)?;
            if completed.is_some_and(|task| task.state == TaskState::Completed) {
                match store
                    .apply_replicate(task_id, worker, to, ReplicateEvent::Complete, None, None)
                    .await
                {
                    Ok(_) => return Ok(NextAction::Complete),
                    Err(error) => warn!(task = %task_id, %worker, %error, "Winner not completed."),
                }
            }
        }
        match report {
            ReplicateReport::Uploaded { .. } => {
                if task.state == TaskState::ResultUploading {
                    let _ = store
                        .apply_task(
                            task_id,
                            TaskState::ResultUploading,
                            TaskEvent::ResultUploaded,
                            None,
                        )
                        .await;
                }
                self.inner.wake.notify_one();
            }
            ReplicateReport::Contributed { .. } | ReplicateReport::Revealed { .. } => {
                self.inner.wake.notify_one()
            }
            ReplicateReport::Failed { .. } => {
                self.work_available();
                self.inner.wake.notify_one();
            }
            _ => {}
        }
        self.next_action(task_id, worker).await.map_err(internal)
    }

    /// What the worker should do next on its replicate of `task_id`, from the stored state
    /// (also how a worker that missed a push message learns it).
    pub async fn next_action(
        &self,
        task_id: TaskId,
        worker: Address,
    ) -> Result<NextAction, EngineError> {
        let store = &self.inner.store;
        let Some(replicate) =
            store.replicates(task_id).await?.into_iter().find(|r| r.worker == worker)
        else {
            return Ok(NextAction::Wait);
        };
        Ok(match replicate.state {
            // A worker back from a loss (RECOVERING) that had contributed reveals too.
            ReplicateState::Contributed | ReplicateState::Recovering
                if replicate.result_hash.is_some() =>
            {
                let progress = store.progress(task_id).await?;
                match (progress.consensus_value, progress.consensus_block) {
                    (Some(value), Some(block)) if replicate.result_hash == Some(value) => {
                        NextAction::Reveal { consensus_block: block }
                    }
                    _ => NextAction::Wait,
                }
            }
            ReplicateState::UploadRequested => {
                NextAction::Upload { results_url: self.inner.api.config.results_url.clone() }
            }
            ReplicateState::Revealed | ReplicateState::Uploaded | ReplicateState::Lost => {
                NextAction::Wait
            }
            ReplicateState::Completed | ReplicateState::Failed => NextAction::Complete,
            ReplicateState::Aborted => NextAction::Abort { cause: AbortCause::Replaced },
            _ => NextAction::Continue,
        })
    }
}
