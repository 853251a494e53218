//! The task and replicate state machines as explicit transition tables.
//!
//! Each machine is one `match` over `(state, event)`: a pair that is not listed is refused with
//! a [`TransitionError`]. Events carry their cause (a failure or abort reason) but no other data:
//! transaction hashes and result hashes travel beside them, in the stored details. Final states
//! (`COMPLETED`, `FAILED`, `ABORTED`) accept nothing.

use poco_scheduler_api::{
    AbortCause, ReplicateFailureCause, ReplicateState, TaskFailureCause, TaskState,
};
use std::fmt;

/// A refused transition.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{event} is not allowed from {from}")]
pub struct TransitionError {
    /// The state the event was applied to.
    pub from: String,
    /// The event (with its cause).
    pub event: String,
}

/// What happens to a task.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TaskEvent {
    /// `initialize` sent.
    InitializeSent,
    /// The task is initialized on chain (mined, or found so by a detector).
    Initialized,
    /// The `initialize` transaction was dropped: send it again.
    InitializeRetry,
    /// A worker started a replicate.
    ReplicateStarted,
    /// The chain reached consensus (the task is REVEALING on chain).
    ConsensusReached,
    /// A winner revealed.
    Revealed,
    /// A revealed worker was asked to upload the result.
    UploadRequested,
    /// The chosen uploader failed or timed out: choose another.
    UploadFailed,
    /// The result is stored.
    ResultUploaded,
    /// `finalize` sent.
    FinalizeSent,
    /// The `finalize` transaction was dropped: send it again.
    FinalizeRetry,
    /// The task is finalized on chain.
    Finalized,
    /// The reveal deadline passed without any reveal: `reopen` sent.
    RevealTimeout,
    /// `reopen` mined: contributions are accepted again.
    Reopened,
    /// The task is given up.
    Fail(TaskFailureCause),
}

impl TaskEvent {
    /// Every event, each cause included.
    pub fn all() -> Vec<Self> {
        let mut all = vec![
            Self::InitializeSent,
            Self::Initialized,
            Self::InitializeRetry,
            Self::ReplicateStarted,
            Self::ConsensusReached,
            Self::Revealed,
            Self::UploadRequested,
            Self::UploadFailed,
            Self::ResultUploaded,
            Self::FinalizeSent,
            Self::FinalizeRetry,
            Self::Finalized,
            Self::RevealTimeout,
            Self::Reopened,
        ];
        all.extend(TaskFailureCause::ALL.iter().map(|&cause| Self::Fail(cause)));
        all
    }

    /// The event's name as stored (`INITIALIZE_SENT`, `FAIL`, …).
    pub const fn name(self) -> &'static str {
        match self {
            Self::InitializeSent => "INITIALIZE_SENT",
            Self::Initialized => "INITIALIZED",
            Self::InitializeRetry => "INITIALIZE_RETRY",
            Self::ReplicateStarted => "REPLICATE_STARTED",
            Self::ConsensusReached => "CONSENSUS_REACHED",
            Self::Revealed => "REVEALED",
            Self::UploadRequested => "UPLOAD_REQUESTED",
            Self::UploadFailed => "UPLOAD_FAILED",
            Self::ResultUploaded => "RESULT_UPLOADED",
            Self::FinalizeSent => "FINALIZE_SENT",
            Self::FinalizeRetry => "FINALIZE_RETRY",
            Self::Finalized => "FINALIZED",
            Self::RevealTimeout => "REVEAL_TIMEOUT",
            Self::Reopened => "REOPENED",
            Self::Fail(_) => "FAIL",
        }
    }

    /// The cause it carries, as stored.
    pub const fn cause(self) -> Option<&'static str> {
        match self {
            Self::Fail(cause) => Some(cause.as_str()),
            _ => None,
        }
    }
}

impl fmt::Display for TaskEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.cause() {
            Some(cause) => write!(f, "{}({cause})", self.name()),
            None => f.write_str(self.name()),
        }
    }
}

/// The task machine: the state after `event` in `from`, or why not.
pub fn task_transition(from: TaskState, event: TaskEvent) -> Result<TaskState, TransitionError> {
    use TaskEvent as E;
    use TaskFailureCause as C;
    use TaskState as S;
    let to = match (from, event) {
        (S::Received, E::InitializeSent) => S::Initializing,
        (S::Received | S::Initializing, E::Initialized) => S::Initialized,
        (S::Initializing, E::InitializeRetry) => S::Received,
        (S::Initialized, E::ReplicateStarted) => S::Running,
        (S::Running, E::ConsensusReached) => S::ConsensusReached,
        (S::ConsensusReached, E::Revealed) => S::Revealed,
        (S::Revealed, E::UploadRequested) => S::ResultUploading,
        (S::ResultUploading, E::UploadFailed) => S::Revealed,
        (S::ResultUploading, E::ResultUploaded) => S::ResultUploaded,
        (S::ResultUploaded, E::FinalizeSent) => S::Finalizing,
        (S::Finalizing, E::FinalizeRetry) => S::ResultUploaded,
        (S::ResultUploaded | S::Finalizing, E::Finalized) => S::Completed,
        (S::ConsensusReached, E::RevealTimeout) => S::Reopening,
        (S::Reopening, E::Reopened) => S::Running,
        // Failures, each from the states where its cause can happen.
        (S::Received, E::Fail(C::SeenTooLate))
        | (S::Received | S::Initializing, E::Fail(C::InitializeFailed))
        | (
            S::Received | S::Initializing | S::Initialized | S::Running | S::Reopening,
            E::Fail(C::ContributionTimeout),
        )
        | (S::Reopening, E::Fail(C::ReopenFailed))
        | (S::Revealed | S::ResultUploading, E::Fail(C::ResultUploadFailed))
        | (S::ResultUploaded | S::Finalizing, E::Fail(C::FinalizeFailed)) => S::Failed,
        (from, E::Fail(C::FinalDeadlineReached | C::ClaimedOnChain)) if !from.is_final() => {
            S::Failed
        }
        _ => {
            return Err(TransitionError { from: from.to_string(), event: event.to_string() });
        }
    };
    Ok(to)
}

/// What happens to a replicate: the worker's reports and the scheduler's decisions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReplicateEvent {
    /// Worker: fetching the app and data.
    Downloading,
    /// Worker: the app runs.
    Computing,
    /// Worker: the result (or an error result) is ready.
    Computed,
    /// Worker: `contribute` sent.
    Contributing,
    /// Worker: `contribute` mined.
    Contributed,
    /// Worker: `reveal` sent.
    Revealing,
    /// Worker: `reveal` mined.
    Revealed,
    /// Worker: upload started.
    Uploading,
    /// Worker: result stored.
    Uploaded,
    /// Scheduler: this worker is chosen to upload.
    UploadRequested,
    /// Scheduler: the task completed with this replicate on the winning side.
    Complete,
    /// Scheduler: the worker stopped pinging.
    WorkerLost,
    /// Scheduler: the lost (or restarted) worker is back.
    Recover,
    /// Worker or scheduler: the replicate failed.
    Fail(ReplicateFailureCause),
    /// Scheduler: the replicate is stopped.
    Abort(AbortCause),
}

impl ReplicateEvent {
    /// Every event, each cause included.
    pub fn all() -> Vec<Self> {
        let mut all = vec![
            Self::Downloading,
            Self::Computing,
            Self::Computed,
            Self::Contributing,
            Self::Contributed,
            Self::Revealing,
            Self::Revealed,
            Self::Uploading,
            Self::Uploaded,
            Self::UploadRequested,
            Self::Complete,
            Self::WorkerLost,
            Self::Recover,
        ];
        all.extend(ReplicateFailureCause::ALL.iter().map(|&cause| Self::Fail(cause)));
        all.extend(AbortCause::ALL.iter().map(|&cause| Self::Abort(cause)));
        all
    }

    /// The event's name as stored.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Downloading => "DOWNLOADING",
            Self::Computing => "COMPUTING",
            Self::Computed => "COMPUTED",
            Self::Contributing => "CONTRIBUTING",
            Self::Contributed => "CONTRIBUTED",
            Self::Revealing => "REVEALING",
            Self::Revealed => "REVEALED",
            Self::Uploading => "UPLOADING",
            Self::Uploaded => "UPLOADED",
            Self::UploadRequested => "UPLOAD_REQUESTED",
            Self::Complete => "COMPLETE",
            Self::WorkerLost => "WORKER_LOST",
            Self::Recover => "RECOVER",
            Self::Fail(_) => "FAIL",
            Self::Abort(_) => "ABORT",
        }
    }

    /// The cause it carries, as stored.
    pub const fn cause(self) -> Option<&'static str> {
        match self {
            Self::Fail(cause) => Some(cause.as_str()),
            Self::Abort(cause) => Some(cause.as_str()),
            _ => None,
        }
    }
}

impl fmt::Display for ReplicateEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.cause() {
            Some(cause) => write!(f, "{}({cause})", self.name()),
            None => f.write_str(self.name()),
        }
    }
}

impl From<&poco_scheduler_api::ReplicateReport> for ReplicateEvent {
    fn from(report: &poco_scheduler_api::ReplicateReport) -> Self {
        use poco_scheduler_api::ReplicateReport as R;
        match report {
            R::Downloading => Self::Downloading,
            R::Computing => Self::Computing,
            R::Computed { .. } => Self::Computed,
            R::Contributing { .. } => Self::Contributing,
            R::Contributed { .. } => Self::Contributed,
            R::Revealing { .. } => Self::Revealing,
            R::Revealed { .. } => Self::Revealed,
            R::Uploading => Self::Uploading,
            R::Uploaded { .. } => Self::Uploaded,
            R::Failed { cause } => Self::Fail(*cause),
        }
    }
}

/// The replicate machine: the state after `event` in `from`, or why not.
pub fn replicate_transition(
    from: ReplicateState,
    event: ReplicateEvent,
) -> Result<ReplicateState, TransitionError> {
    use ReplicateEvent as E;
    use ReplicateState as S;
    let to = match (from, event) {
        (S::Assigned | S::Recovering, E::Downloading) => S::Downloading,
        (S::Downloading | S::Recovering, E::Computing) => S::Computing,
        // From DOWNLOADING: a download failed and an error result was produced.
        (S::Downloading | S::Computing | S::Recovering, E::Computed) => S::Computed,
        (S::Computed | S::Recovering, E::Contributing) => S::Contributing,
        (S::Computed | S::Contributing | S::Recovering, E::Contributed) => S::Contributed,
        (S::Contributed | S::Recovering, E::Revealing) => S::Revealing,
        (S::Contributed | S::Revealing | S::Recovering, E::Revealed) => S::Revealed,
        (S::Revealed, E::UploadRequested) => S::UploadRequested,
        (S::UploadRequested | S::Recovering, E::Uploading) => S::Uploading,
        (S::UploadRequested | S::Uploading | S::Recovering, E::Uploaded) => S::Uploaded,
        (S::Revealed | S::Uploaded, E::Complete) => S::Completed,
        (S::Lost, E::Recover) => S::Recovering,
        (from, E::WorkerLost) if !from.is_final() && from != S::Lost => S::Lost,
        (from, E::Fail(_)) if !from.is_final() => S::Failed,
        (from, E::Abort(_)) if !from.is_final() => S::Aborted,
        _ => {
            return Err(TransitionError { from: from.to_string(), event: event.to_string() });
        }
    };
    Ok(to)
}

#[cfg(test)]
#[path = "machine_tests.rs"]
mod tests;
