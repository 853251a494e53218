//! What the public and the requester read: a task with its timeline and replicates, logs, and
//! the pool's stats.

use alloy_primitives::{Address, B256};
use poco_primitives::{DealId, TaskId};
use serde::{Deserialize, Serialize};

use crate::states::{ReplicateState, TaskState};

/// Whose state a timeline entry changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum Subject {
    /// The task itself.
    Task,
    /// One worker's replicate.
    Replicate {
        /// The worker.
        worker: Address,
    },
}

/// One stored transition of a task or of one of its replicates.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TimelineEntry {
    /// Position in the task's timeline (1, 2, …; gapless).
    pub seq: u64,
    /// When (ms since the epoch).
    pub at_ms: i64,
    /// The task or a replicate.
    pub subject: Subject,
    /// The state before (`null` for the entry that created the subject).
    pub from: Option<String>,
    /// The state after.
    pub to: String,
    /// The event that caused it (`CONTRIBUTED`, `FAIL`, `WORKER_LOST`, …).
    pub event: String,
    /// The cause carried by the event, if any (a failure or abort cause).
    pub cause: Option<String>,
    /// Event details (transaction hashes, result hash), JSON.
    pub details: Option<serde_json::Value>,
}

/// `GET /v1/tasks/{taskId}`: public.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskView {
    /// The task.
    pub task_id: TaskId,
    /// Its deal.
    pub deal_id: DealId,
    /// Its index in the deal.
    pub task_index: u64,
    /// Where it is.
    pub state: TaskState,
    /// Contribution deadline (seconds since the epoch).
    pub contribution_deadline: u64,
    /// Final deadline (seconds since the epoch).
    pub final_deadline: u64,
    /// Why it failed (`FAILED` only): the cause of its last transition, e.g.
    /// `CONTRIBUTION_TIMEOUT`; the task is claimable on chain after its final deadline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<String>,
    /// Its replicates.
    pub replicates: Vec<ReplicateView>,
}

/// One replicate, in a [`TaskView`] and `GET /v1/tasks/{taskId}/replicates/{worker}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReplicateView {
    /// The worker.
    pub worker: Address,
    /// Where it is.
    pub state: ReplicateState,
    /// The committed result hash, once contributed.
    pub result_hash: Option<B256>,
    /// Whether app logs were uploaded (readable by the requester).
    pub has_logs: bool,
}

/// `GET /v1/tasks/{taskId}/timeline`: public.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Timeline {
    /// The task.
    pub task_id: TaskId,
    /// Every transition, oldest first.
    pub entries: Vec<TimelineEntry>,
}

/// `PUT /v1/replicates/{taskId}/logs` (bearer, worker) and
/// `GET /v1/tasks/{taskId}/replicates/{worker}/logs` (requester signature): the app's output,
/// each stream's tail up to [`LOGS_MAX_BYTES`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AppLogs {
    /// Standard output (tail).
    pub stdout: String,
    /// Standard error (tail).
    pub stderr: String,
    /// The app's exit code, if it exited.
    pub exit_code: Option<i32>,
}

/// The most bytes of each stream a worker may upload (larger uploads get `LOGS_TOO_LARGE`).
pub const LOGS_MAX_BYTES: usize = 100_000;

/// `GET /v1/stats`: public.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PoolStats {
    /// Workers that pinged recently.
    pub alive_workers: u64,
    /// Their cores.
    pub registered_cores: u64,
    /// Their GPUs.
    pub registered_gpus: u64,
    /// Task slots they declared (sum of `maxParallelTasks`).
    pub slots: u64,
    /// Slots holding a live replicate.
    pub busy_slots: u64,
    /// Tasks per state (every state, zero included).
    pub tasks: Vec<(TaskState, u64)>,
    /// The last block the scheduler processed.
    pub last_block: u64,
}
