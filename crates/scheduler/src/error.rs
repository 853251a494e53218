//! The store's errors.

use crate::machine::TransitionError;

/// Why a store operation did nothing.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The event is not allowed from the expected state (nothing was written).
    #[error(transparent)]
    Transition(#[from] TransitionError),
    /// The row is not in the expected state any more: another (or the same, repeated) event was
    /// applied first. Nothing was written.
    #[error("{what} is {actual}, not {expected}")]
    Stale {
        /// The task or replicate.
        what: String,
        /// The state the caller expected.
        expected: String,
        /// The state found.
        actual: String,
    },
    /// No such task.
    #[error("task {0} not found")]
    TaskNotFound(String),
    /// No such replicate.
    #[error("no replicate of task {task} for worker {worker}")]
    ReplicateNotFound {
        /// The task.
        task: String,
        /// The worker.
        worker: String,
    },
    /// The task is already stored.
    #[error("task {0} already exists")]
    TaskExists(String),
    /// The worker already holds a replicate of the task.
    #[error("worker {worker} already has a replicate of task {task}")]
    AlreadyAssigned {
        /// The task.
        task: String,
        /// The worker.
        worker: String,
    },
    /// Replicates are only assigned to live tasks.
    #[error("task {task} is {state}: no replicate can be assigned")]
    TaskNotLive {
        /// The task.
        task: String,
        /// Its state.
        state: String,
    },
    /// A stored value does not parse (the database was edited by hand or is from a newer
    /// version).
    #[error("corrupt {what}: {detail}")]
    Corrupt {
        /// Which row.
        what: String,
        /// What is wrong.
        detail: String,
    },
    /// The database failed.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// A migration failed.
    #[error("migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// The store's result.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

impl From<poco_db::DbError> for StoreError {
    fn from(error: poco_db::DbError) -> Self {
        match error {
            poco_db::DbError::Connect(e) => Self::Database(e),
            poco_db::DbError::Migrate(e) => Self::Migrate(e),
        }
    }
}
