//! The driver: one tick reconciles every live task with the chain and moves it on.
//!
//! | local state | chain says | the driver |
//! | --- | --- | --- |
//! | `RECEIVED` | — | past the contribution deadline: `FAILED SEEN_TOO_LATE`; else `initializeArray` (→ `INITIALIZED`, or `INITIALIZE_FAILED`) |
//! | `INITIALIZING` | `UNSET` / set | a crash while sending: retry / `INITIALIZED` |
//! | `INITIALIZED`, `RUNNING` | `REVEALING` | `CONSENSUS_REACHED`: winners get `REVEAL`, the others `ABORT` |
//! | `INITIALIZED`, `RUNNING` | `ACTIVE`, past contribution deadline | `FAILED CONTRIBUTION_TIMEOUT` |
//! | `CONSENSUS_REACHED` | a reveal | `REVEALED` |
//! | `CONSENSUS_REACHED` | no reveal, past reveal deadline | `reopen` (→ `RUNNING`), or `REOPEN_FAILED` |
//! | `REVEALED` | — | one revealed worker is asked to upload (`UPLOAD`) |
//! | `RESULT_UPLOADING` | — | the uploader failed, was lost or timed out: another one |
//! | `RESULT_UPLOADED` | every winner revealed, or reveal deadline passed | `finalize` (→ `COMPLETED`) |
//! | any live | `FAILED` (claimed) / past final deadline | `FAILED CLAIMED_ON_CHAIN` / `FINAL_DEADLINE_REACHED` |

use alloy_primitives::{Address, U256};
use poco_contracts::bindings::IPoco;
use poco_primitives::TaskId;
use poco_scheduler_api::{
    AbortCause, NextAction, PushMessage, ReplicateFailureCause, ReplicateState, TaskFailureCause,
    TaskState,
};
use serde_json::json;
use std::{collections::HashSet, time::Instant};
use tracing::{info, warn};

use crate::{
    engine::{Engine, EngineError},
    machine::{ReplicateEvent, TaskEvent},
    store::TaskRecord,
};

/// On-chain task statuses (`TaskStatusEnum`).
pub(crate) mod chain_status {
    pub(crate) const UNSET: u8 = 0;
    pub(crate) const ACTIVE: u8 = 1;
    pub(crate) const REVEALING: u8 = 2;
    pub(crate) const COMPLETED: u8 = 3;
    pub(crate) const FAILED: u8 = 4;
}

/// On-chain contribution statuses (`ContributionStatusEnum`).
pub(crate) mod contribution_status {
    pub(crate) const CONTRIBUTED: u8 = 1;
    pub(crate) const PROVED: u8 = 2;
}

const LIVE_TASK_STATES: &[TaskState] = &[
    TaskState::Initializing,
    TaskState::Initialized,
    TaskState::Running,
    TaskState::ConsensusReached,
    TaskState::Revealed,
    TaskState::ResultUploading,
    TaskState::ResultUploaded,
    TaskState::Finalizing,
    TaskState::Reopening,
];

const PAGE: u32 = 500;

/// Replicate states in which the worker has sent nothing to the chain.
const BEFORE_CONTRIBUTION: &[ReplicateState] = &[
    ReplicateState::Assigned,
    ReplicateState::Downloading,
    ReplicateState::Computing,
    ReplicateState::Computed,
];

fn u64_of(value: U256) -> u64 {
    u64::try_from(value).unwrap_or(u64::MAX)
}

impl Engine {
    /// One pass over every task that is not final (see the module docs).
    pub async fn tick(&self) -> Result<(), EngineError> {
        let now = self.chain_time().await?;
        self.initialize_received(now).await?;
        let sweep = self.sweep_due();
        for &state in LIVE_TASK_STATES {
            let mut after = None;
            loop {
                let tasks = self.inner.store.tasks_in_after(state, after, PAGE).await?;
                let Some(last) = tasks.last() else { break };
                after = Some((last.contribution_deadline, last.task_id));
                let full = tasks.len() == PAGE as usize;
                let quiet = if sweep { HashSet::new() } else { self.quiet(&tasks, now).await? };
                for task in tasks {
                    let id = task.task_id;
                    if quiet.contains(&id) {
                        continue;
                    }
                    if let Err(error) = self.drive(task, now).await {
                        warn!(task = %id, %error, "Task step failed; retrying at the next tick.");
                    }
                }
                if !full {
                    break;
                }
            }
        }
        Ok(())
    }

    /// Whether this tick reads the chain for every live task, quiet or not (`sweep_period`).
    fn sweep_due(&self) -> bool {
        let mut swept = self.inner.swept.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let due = swept.is_none_or(|at| at.elapsed() >= self.inner.config.sweep_period);
        if due {
            *swept = Some(Instant::now());
        }
        due
    }

    /// The `INITIALIZED` and `RUNNING` tasks of `tasks` the chain can have nothing new about:
    /// before both deadlines, and no replicate went past `COMPUTED` (no contribution, so no
    /// consensus). The driver skips their `viewTask` between sweeps.
    async fn quiet(&self, tasks: &[TaskRecord], now: u64) -> Result<HashSet<TaskId>, EngineError> {
        let ids: Vec<TaskId> = tasks
            .iter()
            .filter(|task| matches!(task.state, TaskState::Initialized | TaskState::Running))
            .filter(|task| now < task.contribution_deadline && now < task.final_deadline)
            .map(|task| task.task_id)
            .collect();
        if ids.is_empty() {
            return Ok(HashSet::new());
        }
        let replicates = self.inner.store.replicates_of_tasks(&ids).await?;
        Ok(ids
            .into_iter()
            .filter(|id| {
                replicates.get(id).is_none_or(|replicates| {
                    replicates
                        .iter()
                        .all(|replicate| BEFORE_CONTRIBUTION.contains(&replicate.state))
                })
            })
            .collect())
    }

    async fn task_transition(
        &self,
        task: &TaskRecord,
        from: TaskState,
        event: TaskEvent,
    ) -> Result<TaskState, EngineError> {
        let to = self.inner.store.apply_task(task.task_id, from, event, None).await?;
        info!(task = %task.task_id, %from, %to, %event, "Task moved.");
        Ok(to)
    }

    async fn initialize_received(&self, now: u64) -> Result<(), EngineError> {
        let received = self.inner.store.tasks_in(TaskState::Received, PAGE).await?;
        let mut batch = Vec::new();
        for task in received {
            if now >= task.contribution_deadline {
                self.task_transition(
                    &task,
                    TaskState::Received,
                    TaskEvent::Fail(TaskFailureCause::SeenTooLate),
                )
                .await?;
                continue;
            }
            let view = self.view_task(task.task_id).await?;
            if view.status != chain_status::UNSET {
                // Initialized by someone else (or by us before a crash).
                self.task_transition(&task, TaskState::Received, TaskEvent::Initialized).await?;
                self.work_available();
                continue;
            }
            batch.push(task);
        }
        for chunk in batch.chunks(self.inner.config.initialize_batch.max(1)) {
            for task in chunk {
                self.task_transition(task, TaskState::Received, TaskEvent::InitializeSent).await?;
            }
            let call = IPoco::initializeArrayCall {
                dealIds: chunk.iter().map(|task| task.deal_id.0).collect(),
                indexes: chunk.iter().map(|task| U256::from(task.task_index)).collect(),
            };
            match self.inner.tx.send_call(self.inner.hub, &call).await {
                Ok(landed) => {
                    for task in chunk {
                        self.inner
                            .store
                            .apply_task(
                                task.task_id,
                                TaskState::Initializing,
                                TaskEvent::Initialized,
                                Some(&json!({"txHash": landed.hash})),
                            )
                            .await?;
                    }
                    info!(tasks = chunk.len(), "Tasks initialized.");
                }
                Err(error) => {
                    warn!(%error, tasks = chunk.len(), "initializeArray failed; initializing one by one.");
                    for task in chunk {
                        self.initialize_one(task).await?;
                    }
                }
            }
            self.work_available();
        }
        Ok(())
    }

    async fn initialize_one(&self, task: &TaskRecord) -> Result<(), EngineError> {
        if self.view_task(task.task_id).await?.status != chain_status::UNSET {
            self.task_transition(task, TaskState::Initializing, TaskEvent::Initialized).await?;
            return Ok(());
        }
        let call =
            IPoco::initializeCall { dealId: task.deal_id.0, index: U256::from(task.task_index) };
        match self.inner.tx.send_call(self.inner.hub, &call).await {
            Ok(_) => {
                self.task_transition(task, TaskState::Initializing, TaskEvent::Initialized).await?;
            }
            Err(error) => {
                warn!(task = %task.task_id, %error, "initialize failed.");
                self.inner
                    .store
                    .apply_task(
                        task.task_id,
                        TaskState::Initializing,
                        TaskEvent::Fail(TaskFailureCause::InitializeFailed),
                        Some(&json!({"error": error.to_string()})),
                    )
                    .await?;
            }
        }
        Ok(())
    }

    pub(crate) async fn view_task(&self, task_id: TaskId) -> Result<IPoco::Task, EngineError> {
        Ok(self.inner.client.call(self.inner.hub, &IPoco::viewTaskCall { id: task_id.0 }).await?)
    }

    pub(crate) async fn view_contribution(
        &self,
        task_id: TaskId,
        worker: Address,
    ) -> Result<IPoco::Contribution, EngineError> {
        Ok(self
            .inner
            .client
            .call(
                self.inner.hub,
                &IPoco::viewContributionCall { _taskid: task_id.0, _worker: worker },
            )
            .await?)
    }

    async fn drive(&self, task: TaskRecord, now: u64) -> Result<(), EngineError> {
        let view = self.view_task(task.task_id).await?;
        let state = task.state;
        if view.status == chain_status::FAILED {
            return self.fail(&task, state, TaskFailureCause::ClaimedOnChain).await;
        }
        if view.status == chain_status::COMPLETED {
            if matches!(state, TaskState::ResultUploaded | TaskState::Finalizing) {
                self.task_transition(&task, state, TaskEvent::Finalized).await?;
                self.settle_replicates(task.task_id, true).await?;
            }
            return Ok(());
        }
        if now >= task.final_deadline {
            return self.fail(&task, state, TaskFailureCause::FinalDeadlineReached).await;
        }
        match state {
            TaskState::Initializing => {
                if view.status == chain_status::UNSET {
                    self.task_transition(&task, state, TaskEvent::InitializeRetry).await?;
                } else {
                    self.task_transition(&task, state, TaskEvent::Initialized).await?;
                    self.work_available();
                }
            }
            TaskState::Initialized | TaskState::Running => {
                if view.status == chain_status::REVEALING {
                    self.consensus_reached(&task, state, &view).await?;
                } else if now >= task.contribution_deadline {
                    self.fail(&task, state, TaskFailureCause::ContributionTimeout).await?;
                }
            }
            TaskState::ConsensusReached => {
                if view.revealCounter > U256::ZERO {
                    self.task_transition(&task, state, TaskEvent::Revealed).await?;
                    self.choose_uploader(&task).await?;
                } else if view.status == chain_status::REVEALING
                    && now >= u64_of(view.revealDeadline)
                {
                    self.task_transition(&task, state, TaskEvent::RevealTimeout).await?;
                    self.reopen(&task).await?;
                }
            }
            TaskState::Reopening => {
                if view.status == chain_status::ACTIVE {
                    self.reopened(&task).await?;
                } else {
                    self.reopen(&task).await?;
                }
            }
            TaskState::Revealed => self.choose_uploader(&task).await?,
            TaskState::ResultUploading => self.check_uploader(&task).await?,
            TaskState::ResultUploaded => {
                let all_revealed = view.revealCounter == view.winnerCounter;
                if all_revealed || now >= u64_of(view.revealDeadline) {
                    self.finalize(&task).await?;
                }
            }
            TaskState::Finalizing => {
                // `finalize` was sent before a crash and is not on chain: send it again.
                self.task_transition(&task, state, TaskEvent::FinalizeRetry).await?;
            }
            TaskState::Received | TaskState::Completed | TaskState::Failed => {}
        }
        Ok(())
    }

    async fn fail(
        &self,
        task: &TaskRecord,
        state: TaskState,
        cause: TaskFailureCause,
    ) -> Result<(), EngineError> {
        self.task_transition(task, state, TaskEvent::Fail(cause)).await?;
        warn!(task = %task.task_id, %cause, "Task failed: claimable on chain after its final deadline.");
        let abort = if cause == TaskFailureCause::ContributionTimeout {
            AbortCause::ContributionTimeout
        } else {
            AbortCause::TaskFailed
        };
        for replicate in self.inner.store.replicates(task.task_id).await? {
            if !replicate.state.is_final() {
                self.abort(task.task_id, replicate.worker, replicate.state, abort).await;
            }
        }
        Ok(())
    }

    async fn abort(
        &self,
        task_id: TaskId,
        worker: Address,
        state: ReplicateState,
        cause: AbortCause,
    ) {
        match self
            .inner
            .store
            .apply_replicate(task_id, worker, state, ReplicateEvent::Abort(cause), None, None)
            .await
        {
            Ok(_) => {
                self.push(worker, PushMessage { task_id, action: NextAction::Abort { cause } })
            }
            Err(error) => warn!(task = %task_id, %worker, %error, "Replicate not aborted."),
        }
    }

    async fn consensus_reached(
        &self,
        task: &TaskRecord,
        state: TaskState,
        view: &IPoco::Task,
    ) -> Result<(), EngineError> {
        let mut state = state;
        if state == TaskState::Initialized {
            state = self.task_transition(task, state, TaskEvent::ReplicateStarted).await?;
        }
        let block = self.inner.client.block_number().await?;
        let value = view.consensusValue;
        self.inner
            .store
            .set_consensus(task.task_id, value, block, u64_of(view.revealDeadline))
            .await?;
        self.inner
            .store
            .apply_task(
                task.task_id,
                state,
                TaskEvent::ConsensusReached,
                Some(&json!({"consensusValue": value, "block": block})),
            )
            .await?;
        info!(task = %task.task_id, consensus = %value, "Consensus reached.");
        for replicate in self.inner.store.replicates(task.task_id).await? {
            if replicate.state.is_final() {
                continue;
            }
            let contribution = self.view_contribution(task.task_id, replicate.worker).await?;
            // PROVED too: a winner told to reveal by the answer to its CONTRIBUTED report
            // (the consensus is stored above) may have revealed already.
            let winner = matches!(
                contribution.status,
                contribution_status::CONTRIBUTED | contribution_status::PROVED
            ) && contribution.resultHash == value;
            if winner {
                if replicate.state == ReplicateState::Contributed
                    && contribution.status == contribution_status::CONTRIBUTED
                {
                    self.push(
                        replicate.worker,
                        PushMessage {
                            task_id: task.task_id,
                            action: NextAction::Reveal { consensus_block: block },
                        },
                    );
                }
            } else if replicate.state != ReplicateState::Lost || replicate.result_hash.is_none() {
                self.abort(
                    task.task_id,
                    replicate.worker,
                    replicate.state,
                    AbortCause::ConsensusReached,
                )
                .await;
            }
        }
        Ok(())
    }

    async fn reopen(&self, task: &TaskRecord) -> Result<(), EngineError> {
        match self
            .inner
            .tx
            .send_call(self.inner.hub, &IPoco::reopenCall { taskId: task.task_id.0 })
            .await
        {
            Ok(_) => self.reopened(task).await,
            Err(error) => {
                warn!(task = %task.task_id, %error, "reopen failed.");
                self.inner
                    .store
                    .apply_task(
                        task.task_id,
                        TaskState::Reopening,
                        TaskEvent::Fail(TaskFailureCause::ReopenFailed),
                        Some(&json!({"error": error.to_string()})),
                    )
                    .await?;
                Ok(())
            }
        }
    }

    async fn reopened(&self, task: &TaskRecord) -> Result<(), EngineError> {
        self.task_transition(task, TaskState::Reopening, TaskEvent::Reopened).await?;
        let consensus = self.inner.store.progress(task.task_id).await?.consensus_value;
        self.inner.store.clear_consensus(task.task_id).await?;
        // The winners who did not reveal are rejected on chain: their part is over.
        for replicate in self.inner.store.replicates(task.task_id).await? {
            if !replicate.state.is_final()
                && replicate.result_hash.is_some()
                && replicate.result_hash == consensus
            {
                let _ = self
                    .inner
                    .store
                    .apply_replicate(
                        task.task_id,
                        replicate.worker,
                        replicate.state,
                        ReplicateEvent::Fail(ReplicateFailureCause::RevealTimeout),
                        None,
                        None,
                    )
                    .await;
                self.push(
                    replicate.worker,
                    PushMessage {
                        task_id: task.task_id,
                        action: NextAction::Abort { cause: AbortCause::ContributionTimeout },
                    },
                );
            }
        }
        self.work_available();
        Ok(())
    }

    async fn choose_uploader(&self, task: &TaskRecord) -> Result<(), EngineError> {
        let replicates = self.inner.store.replicates(task.task_id).await?;
        let Some(chosen) = replicates.iter().find(|r| r.state == ReplicateState::Revealed) else {
            return Ok(()); // a reveal is on chain but its worker has not reported it yet
        };
        self.inner
            .store
            .apply_replicate(
                task.task_id,
                chosen.worker,
                ReplicateState::Revealed,
                ReplicateEvent::UploadRequested,
                None,
                None,
            )
            .await?;
        self.inner.store.set_uploader(task.task_id, Some(chosen.worker), self.now_ms()).await?;
        self.task_transition(task, TaskState::Revealed, TaskEvent::UploadRequested).await?;
        let results_url = self.inner.api.config.results_url.clone();
        self.push(
            chosen.worker,
            PushMessage { task_id: task.task_id, action: NextAction::Upload { results_url } },
        );
        info!(task = %task.task_id, worker = %chosen.worker, "Uploader chosen.");
        Ok(())
    }

    async fn check_uploader(&self, task: &TaskRecord) -> Result<(), EngineError> {
        let progress = self.inner.store.progress(task.task_id).await?;
        let replicates = self.inner.store.replicates(task.task_id).await?;
        let uploader =
            progress.uploader.and_then(|worker| replicates.iter().find(|r| r.worker == worker));
        let timed_out = progress.upload_requested_at.is_some_and(|at| {
            self.now_ms().saturating_sub(at)
                > u64::try_from(self.inner.config.upload_timeout.as_millis()).unwrap_or(u64::MAX)
        });
        match uploader {
            Some(replicate) if replicate.state == ReplicateState::Uploaded => {
                self.task_transition(task, TaskState::ResultUploading, TaskEvent::ResultUploaded)
                    .await?;
                self.inner.wake.notify_one();
            }
            Some(replicate)
                if matches!(
                    replicate.state,
                    ReplicateState::UploadRequested
                        | ReplicateState::Uploading
                        | ReplicateState::Recovering
                ) && !timed_out => {}
            other => {
                if let Some(replicate) = other
                    && !replicate.state.is_final()
                {
                    let _ = self
                        .inner
                        .store
                        .apply_replicate(
                            task.task_id,
                            replicate.worker,
                            replicate.state,
                            ReplicateEvent::Fail(ReplicateFailureCause::UploadTimeout),
                            None,
                            None,
                        )
                        .await;
                }
                warn!(task = %task.task_id, "Uploader failed or timed out; choosing another.");
                self.inner.store.set_uploader(task.task_id, None, self.now_ms()).await?;
                let others = replicates.iter().any(|r| r.state == ReplicateState::Revealed);
                if others {
                    self.task_transition(task, TaskState::ResultUploading, TaskEvent::UploadFailed)
                        .await?;
                    let task = TaskRecord { state: TaskState::Revealed, ..task.clone() };
                    self.choose_uploader(&task).await?;
                } else {
                    self.task_transition(
                        task,
                        TaskState::ResultUploading,
                        TaskEvent::Fail(TaskFailureCause::ResultUploadFailed),
                    )
                    .await?;
                    self.settle_replicates(task.task_id, false).await?;
                }
            }
        }
        Ok(())
    }

    async fn finalize(&self, task: &TaskRecord) -> Result<(), EngineError> {
        let progress = self.inner.store.progress(task.task_id).await?;
        let link = progress.result_link.unwrap_or_default();
        let callback = progress.callback_data.unwrap_or_default();
        self.task_transition(task, TaskState::ResultUploaded, TaskEvent::FinalizeSent).await?;
        let call = IPoco::finalizeCall {
            taskId: task.task_id.0,
            results: link,
            resultsCallback: callback,
        };
        match self.inner.tx.send_call(self.inner.hub, &call).await {
            Ok(landed) => {
                self.inner
                    .store
                    .apply_task(
                        task.task_id,
                        TaskState::Finalizing,
                        TaskEvent::Finalized,
                        Some(&json!({"txHash": landed.hash})),
                    )
                    .await?;
                info!(task = %task.task_id, "Task finalized.");
                self.settle_replicates(task.task_id, true).await?;
            }
            Err(error) => {
                warn!(task = %task.task_id, %error, "finalize failed; retrying at the next tick.");
                self.inner
                    .store
                    .apply_task(
                        task.task_id,
                        TaskState::Finalizing,
                        TaskEvent::FinalizeRetry,
                        Some(&json!({"error": error.to_string()})),
                    )
                    .await?;
            }
        }
        Ok(())
    }

    /// After the task ended: winners complete (if it completed), every other live replicate is
    /// aborted (but a winner not yet reported REVEALED, which its report completes).
    async fn settle_replicates(&self, task_id: TaskId, completed: bool) -> Result<(), EngineError> {
        let replicates = self.inner.store.replicates(task_id).await?;
        if completed {
            // The finalize rewarded or punished the contributors: their scores moved.
            self.forget_scores(replicates.iter().map(|replicate| replicate.worker));
        }
        for replicate in replicates {
            if replicate.state.is_final() {
                continue;
            }
            let winner =
                matches!(replicate.state, ReplicateState::Revealed | ReplicateState::Uploaded);
            if completed && winner {
                // A replicate that moved meanwhile (its own report completed it) is left as it
                // is; the others are settled all the same.
                match self
                    .inner
                    .store
                    .apply_replicate(
                        task_id,
                        replicate.worker,
                        replicate.state,
                        ReplicateEvent::Complete,
                        None,
                        None,
                    )
                    .await
                {
                    Ok(_) => self.push(
                        replicate.worker,
                        PushMessage { task_id, action: NextAction::Complete },
                    ),
                    Err(error) => {
                        warn!(task = %task_id, worker = %replicate.worker, %error, "Winner not completed.");
                    }
                }
            } else if completed
                && self.view_contribution(task_id, replicate.worker).await?.status
                    == contribution_status::PROVED
            {
                // A winner whose REVEALED report is still on its way: that report completes it
                // (see `Engine::report`).
                continue;
            } else {
                let cause =
                    if completed { AbortCause::TaskCompleted } else { AbortCause::TaskFailed };
                self.abort(task_id, replicate.worker, replicate.state, cause).await;
            }
        }
        self.work_available();
        Ok(())
    }
}
