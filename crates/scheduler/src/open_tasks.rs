//! Dispatch's index of open tasks: the `INITIALIZED` and `RUNNING` tasks, with their deals and
//! replicates, in memory; those that still want replicates in dispatch order (earliest
//! contribution deadline first, then task id).
//!
//! **Freshness.** Every transition of a task or of one of its replicates bumps the task's
//! `version` and `updated_at` in the same transaction. The index re-reads the tasks updated
//! since the latest `updated_at` it saw, less [`SLACK_MS`] for writes that committed late, at
//! most every [`REFRESH_EVERY`] or at once when marked stale (a task initialized, a replicate
//! lost or failed), and rebuilds itself from scratch every [`RELOAD_EVERY`]. It only proposes
//! candidates: the assignment checks the task's version in the transaction that stores the
//! replicate, so a stale entry costs a retry, never a wrong assignment.

use std::{
    collections::{BTreeSet, HashMap},
    sync::Arc,
    time::{Duration, Instant},
};

use poco_primitives::TaskId;
use poco_scheduler_api::TaskState;

use crate::{
    deals::DealInfo,
    store::{ReplicateRecord, TaskRecord},
};

/// Re-read window before the latest `updated_at` seen (ms).
pub(crate) const SLACK_MS: i64 = 2_000;

/// Most time between two incremental refreshes.
pub(crate) const REFRESH_EVERY: Duration = Duration::from_millis(100);

/// Most time between two full reloads.
pub(crate) const RELOAD_EVERY: Duration = Duration::from_secs(30);

/// The states in which a task may get replicates.
pub(crate) const OPEN_STATES: &[TaskState] = &[TaskState::Initialized, TaskState::Running];

/// One open task.
#[derive(Debug)]
pub(crate) struct OpenTask {
    pub(crate) record: TaskRecord,
    pub(crate) deal: Arc<DealInfo>,
    pub(crate) replicates: Vec<ReplicateRecord>,
}

/// What the index needs next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Refresh {
    /// Nothing yet.
    None,
    /// The tasks updated since this time (ms).
    Since(i64),
    /// Everything.
    Full,
}

/// See the module docs.
#[derive(Debug, Default)]
pub(crate) struct OpenTasks {
    tasks: HashMap<TaskId, OpenTask>,
    /// The tasks wanting replicates, in dispatch order.
    wanting: BTreeSet<(u64, TaskId)>,
    /// The latest `updated_at` read (ms).
    seen_ms: i64,
    refreshed: Option<Instant>,
    reloaded: Option<Instant>,
    stale: bool,
}

impl OpenTasks {
    /// What to read from the store now.
    pub(crate) fn due(&self, now: Instant) -> Refresh {
        let older =
            |at: Option<Instant>, period| at.is_none_or(|at| now.duration_since(at) >= period);
        if older(self.reloaded, RELOAD_EVERY) {
            Refresh::Full
        } else if self.stale || older(self.refreshed, REFRESH_EVERY) {
            Refresh::Since(self.seen_ms.saturating_sub(SLACK_MS))
        } else {
            Refresh::None
        }
    }

    /// Forgets everything before a full reload.
    pub(crate) fn clear(&mut self) {
        self.tasks.clear();
        self.wanting.clear();
    }

    /// A refresh of kind `refresh` was read at `now`.
    pub(crate) fn refreshed(&mut self, refresh: Refresh, now: Instant) {
        if refresh == Refresh::Full {
            self.reloaded = Some(now);
        }
        self.refreshed = Some(now);
        self.stale = false;
    }

    /// The next ask refreshes whatever the time.
    pub(crate) fn mark_stale(&mut self) {
        self.stale = true;
    }

    /// Records the latest `updated_at` read.
    pub(crate) fn saw(&mut self, updated_at: i64) {
        self.seen_ms = self.seen_ms.max(updated_at);
    }

    /// Whether `record` differs from what the index holds (new, moved or ended).
    pub(crate) fn differs(&self, record: &TaskRecord) -> bool {
        match self.tasks.get(&record.task_id) {
            Some(known) => known.record.version != record.version,
            None => OPEN_STATES.contains(&record.state),
        }
    }

    /// Stores `task` (replacing what was known), wanting replicates or not.
    pub(crate) fn put(&mut self, task: OpenTask, wants: bool) {
        let key = (task.record.contribution_deadline, task.record.task_id);
        if wants {
            self.wanting.insert(key);
        } else {
            self.wanting.remove(&key);
        }
        self.tasks.insert(task.record.task_id, task);
    }

    /// Drops a task that is no longer open.
    pub(crate) fn remove(&mut self, task_id: TaskId) {
        if let Some(task) = self.tasks.remove(&task_id) {
            self.wanting.remove(&(task.record.contribution_deadline, task_id));
        }
    }

    /// The tasks wanting replicates whose contribution deadline is after `min_deadline`, in
    /// dispatch order.
    pub(crate) fn candidates(&self, min_deadline: u64) -> impl Iterator<Item = &OpenTask> {
        self.wanting
            .range((min_deadline.saturating_add(1), TaskId::ZERO)..)
            .filter_map(|(_, task_id)| self.tasks.get(task_id))
    }

    /// How many tasks the index holds, and how many of them want replicates.
    #[cfg(test)]
    pub(crate) fn len(&self) -> (usize, usize) {
        (self.tasks.len(), self.wanting.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::{Address, B256, U256};
    use poco_primitives::{DealId, Tag};
    use poco_scheduler_api::{Executor, worker::AppSpec};

    fn task(byte: u8, deadline: u64, version: u64, state: TaskState) -> TaskRecord {
        TaskRecord {
            task_id: TaskId::repeat_byte(byte),
            deal_id: DealId::ZERO,
            task_index: u64::from(byte),
            state,
            version,
            contribution_deadline: deadline,
            final_deadline: deadline + 100,
        }
    }

    fn open(record: TaskRecord) -> OpenTask {
        let deal = DealInfo {
            deal_id: DealId::ZERO,
            app: AppSpec {
                address: Address::ZERO,
                executor: Executor::Wasm,
                multiaddr: String::new(),
                checksum: B256::ZERO,
            },
            dataset: None,
            trust: U256::from(1),
            category: 0,
            time_ref: 10,
            tag: Tag(B256::ZERO),
            requester: Address::ZERO,
            beneficiary: Address::ZERO,
            callback: Address::ZERO,
            params: String::new(),
            start_time: 0,
            bot_first: 0,
            bot_size: 1,
        };
        OpenTask { record, deal: Arc::new(deal), replicates: vec![] }
    }

    #[test]
    fn candidates_follow_the_deadline_then_the_id_and_skip_the_saturated_and_the_late() {
        let mut index = OpenTasks::default();
        index.put(open(task(3, 200, 1, TaskState::Initialized)), true);
        index.put(open(task(1, 300, 1, TaskState::Initialized)), true);
        index.put(open(task(2, 200, 1, TaskState::Running)), true);
        index.put(open(task(4, 100, 1, TaskState::Running)), true);
        index.put(open(task(5, 150, 2, TaskState::Running)), false);
        let order: Vec<u8> = index.candidates(100).map(|t| t.record.task_id.0[0]).collect();
        assert_eq!(order, vec![2, 3, 1]);
        assert_eq!(index.len(), (5, 4));

        // A task that became saturated, then one that ended.
        index.put(open(task(2, 200, 2, TaskState::Running)), false);
        index.remove(TaskId::repeat_byte(3));
        let order: Vec<u8> = index.candidates(0).map(|t| t.record.task_id.0[0]).collect();
        assert_eq!(order, vec![4, 1]);
        assert_eq!(index.len(), (4, 2));
    }

    #[test]
    fn refreshes_are_incremental_with_slack_and_full_ones_periodic() {
        let start = Instant::now();
        let mut index = OpenTasks::default();
        assert_eq!(index.due(start), Refresh::Full);
        index.refreshed(Refresh::Full, start);
        index.saw(10_000);
        assert_eq!(index.due(start), Refresh::None);
        assert_eq!(index.due(start + REFRESH_EVERY), Refresh::Since(10_000 - SLACK_MS));
        index.mark_stale();
        assert_eq!(index.due(start), Refresh::Since(10_000 - SLACK_MS));
        index.refreshed(Refresh::Since(8_000), start);
        assert_eq!(index.due(start), Refresh::None);
        assert_eq!(index.due(start + RELOAD_EVERY), Refresh::Full);
    }

    #[test]
    fn a_version_change_or_a_new_open_task_differs() {
        let mut index = OpenTasks::default();
        index.put(open(task(1, 100, 3, TaskState::Running)), true);
        assert!(!index.differs(&task(1, 100, 3, TaskState::Running)));
        assert!(index.differs(&task(1, 100, 4, TaskState::ConsensusReached)));
        assert!(index.differs(&task(2, 100, 1, TaskState::Initialized)));
        assert!(!index.differs(&task(3, 100, 9, TaskState::Completed)), "unknown and ended");
    }
}
