//! The journal: where each replicate stands, in SQL (SQLite in the data folder by default,
//! PostgreSQL by URL), written **before** each step that cannot be taken back.
//!
//! ```text
//!  Assigned ─► Computed ─► Contributing ─► Contributed ─► Revealing ─► Revealed ─► Uploaded ─► Done
//!      └──────────┴─────────────┴──────────────┴──────────────┴────────────┴──────────────► Failed
//! ```
//!
//! `Contributing` is written with the commitment before `contribute` is sent: a worker restarted
//! in that state asks the chain (`viewContribution`) whether the transaction landed before it
//! does anything, so it never contributes twice.

use crate::error::{Error, Result};
use alloy_primitives::B256;
use poco_db::Backend;
use poco_primitives::TaskId;
use poco_scheduler_api::{Assignment, ReplicateFailureCause};
use sqlx::{AnyPool, Row};
use std::str::FromStr;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Where a replicate stands in the worker.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Step {
    /// Received from the scheduler; nothing produced yet.
    Assigned,
    /// The result (or error result) is in the task folder, its digest known.
    Computed,
    /// `contribute` is about to be sent, or was sent.
    Contributing,
    /// The contribution is on chain.
    Contributed,
    /// `reveal` is about to be sent, or was sent.
    Revealing,
    /// The reveal is on chain.
    Revealed,
    /// The result archive is on the results service.
    Uploaded,
    /// Nothing more to do (completed or aborted); the task folder is gone.
    Done,
    /// Given up (the cause was reported).
    Failed,
}

impl Step {
    const ALL: [Self; 9] = [
        Self::Assigned,
        Self::Computed,
        Self::Contributing,
        Self::Contributed,
        Self::Revealing,
        Self::Revealed,
        Self::Uploaded,
        Self::Done,
        Self::Failed,
    ];

    /// The stored name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Assigned => "ASSIGNED",
            Self::Computed => "COMPUTED",
            Self::Contributing => "CONTRIBUTING",
            Self::Contributed => "CONTRIBUTED",
            Self::Revealing => "REVEALING",
            Self::Revealed => "REVEALED",
            Self::Uploaded => "UPLOADED",
            Self::Done => "DONE",
            Self::Failed => "FAILED",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|step| step.as_str() == text)
    }

    /// Whether nothing more happens to the replicate.
    pub const fn is_final(self) -> bool {
        matches!(self, Self::Done | Self::Failed)
    }
}

/// One replicate as journaled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The scheduler's assignment.
    pub assignment: Assignment,
    /// Where it stands.
    pub step: Step,
    /// The result digest committed to, once computed.
    pub result_digest: Option<B256>,
    /// SHA-256 of the result archive, once computed.
    pub archive_sha256: Option<B256>,
    /// The cause behind an error result or a failure.
    pub failure: Option<ReplicateFailureCause>,
    /// The `contribute` transaction, once sent.
    pub contribute_tx: Option<B256>,
    /// The `reveal` transaction, once sent.
    pub reveal_tx: Option<B256>,
    /// How many times the row changed.
    pub version: i64,
}

impl Entry {
    /// The task.
    pub const fn task_id(&self) -> TaskId {
        self.assignment.task.task_id
    }
}

/// The journal database.
#[derive(Clone, Debug)]
pub struct Journal {
    pool: AnyPool,
    backend: Backend,
}

// === impl Journal ===

impl Journal {
    /// Opens (and migrates) the journal at `url`.
    pub async fn open(url: &str) -> Result<Self> {
        let (pool, backend) = poco_db::connect(url, &MIGRATOR).await?;
        Ok(Self { pool, backend })
    }

    /// The backend.
    pub const fn backend(&self) -> Backend {
        self.backend
    }

    /// Records a new assignment (step `Assigned`). An assignment already journaled is left as it
    /// is; returns whether it was new.
    pub async fn insert(&self, assignment: &Assignment) -> Result<bool> {
        let json = serde_json::to_string(assignment).map_err(|e| Error::Journal {
            task: assignment.task.task_id.to_string(),
            reason: e.to_string(),
        })?;
        let done = sqlx::query(
            "INSERT INTO replicates (task_id, assignment, step, version) VALUES ($1, $2, $3, 1) \
             ON CONFLICT (task_id) DO NOTHING",
        )
        .bind(assignment.task.task_id.to_string())
        .bind(json)
        .bind(Step::Assigned.as_str())
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Records the result: its digest, its archive's SHA-256 and the cause of an error result.
    pub async fn computed(
        &self,
        task_id: TaskId,
        result_digest: B256,
        archive_sha256: B256,
        failure: Option<ReplicateFailureCause>,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE replicates SET step = $2, result_digest = $3, archive_sha256 = $4, \
             failure = $5, version = version + 1 WHERE task_id = $1",
        )
        .bind(task_id.to_string())
        .bind(Step::Computed.as_str())
        .bind(result_digest.to_string())
        .bind(archive_sha256.to_string())
        .bind(failure.map(|f| f.as_str().to_owned()))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Moves to `step`.
    pub async fn step(&self, task_id: TaskId, step: Step) -> Result<()> {
        sqlx::query("UPDATE replicates SET step = $2, version = version + 1 WHERE task_id = $1")
            .bind(task_id.to_string())
            .bind(step.as_str())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Records the `contribute` transaction's hash.
    pub async fn contribute_tx(&self, task_id: TaskId, tx: B256) -> Result<()> {
        self.tx("contribute_tx", task_id, tx).await
    }

    /// Records the `reveal` transaction's hash.
    pub async fn reveal_tx(&self, task_id: TaskId, tx: B256) -> Result<()> {
        self.tx("reveal_tx", task_id, tx).await
    }

    async fn tx(&self, column: &'static str, task_id: TaskId, tx: B256) -> Result<()> {
        sqlx::query(&format!(
            "UPDATE replicates SET {column} = $2, version = version + 1 WHERE task_id = $1"
        ))
        .bind(task_id.to_string())
        .bind(tx.to_string())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Gives up on a replicate with `cause`.
    pub async fn fail(&self, task_id: TaskId, cause: ReplicateFailureCause) -> Result<()> {
        sqlx::query(
            "UPDATE replicates SET step = $2, failure = $3, version = version + 1 WHERE task_id = $1",
        )
        .bind(task_id.to_string())
        .bind(Step::Failed.as_str())
        .bind(cause.as_str())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// One replicate.
    pub async fn get(&self, task_id: TaskId) -> Result<Option<Entry>> {
        let row = sqlx::query(
            "SELECT task_id, assignment, step, result_digest, archive_sha256, failure, \
             contribute_tx, reveal_tx, version FROM replicates WHERE task_id = $1",
        )
        .bind(task_id.to_string())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| entry(&row)).transpose()
    }

    /// Every replicate not done nor failed, oldest first.
    pub async fn in_flight(&self) -> Result<Vec<Entry>> {
        let rows = sqlx::query(
            "SELECT task_id, assignment, step, result_digest, archive_sha256, failure, \
             contribute_tx, reveal_tx, version FROM replicates \
             WHERE step <> $1 AND step <> $2 ORDER BY task_id",
        )
        .bind(Step::Done.as_str())
        .bind(Step::Failed.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(entry).collect()
    }

    /// Closes the pool.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

fn entry(row: &sqlx::any::AnyRow) -> Result<Entry> {
    let task: String = row.try_get("task_id")?;
    let bad = |reason: String| Error::Journal { task: task.clone(), reason };
    let assignment: Assignment = serde_json::from_str(&row.try_get::<String, _>("assignment")?)
        .map_err(|e| bad(e.to_string()))?;
    let step_text: String = row.try_get("step")?;
    let step = Step::parse(&step_text).ok_or_else(|| bad(format!("unknown step {step_text}")))?;
    let hash = |column: &str| -> Result<Option<B256>> {
        let text: Option<String> = row.try_get(column)?;
        text.map(|t| B256::from_str(&t).map_err(|e| bad(format!("{column}: {e}")))).transpose()
    };
    let failure: Option<String> = row.try_get("failure")?;
    let failure = failure
        .map(|f| ReplicateFailureCause::parse(&f).ok_or_else(|| bad(format!("unknown cause {f}"))))
        .transpose()?;
    Ok(Entry {
        step,
        result_digest: hash("result_digest")?,
        archive_sha256: hash("archive_sha256")?,
        failure,
        contribute_tx: hash("contribute_tx")?,
        reveal_tx: hash("reveal_tx")?,
        version: row.try_get("version")?,
        assignment,
    })
}
