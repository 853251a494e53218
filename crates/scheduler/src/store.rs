//! [`Store`]: tasks, replicates and their timeline in SQLite or PostgreSQL, through one sqlx
//! `Any` pool (the market's pattern: one embedded schema, TEXT and BIGINT columns, queries built
//! at run time).
//!
//! Every transition is one transaction: the row's state moves only if it still holds the state
//! the caller expected (`UPDATE … WHERE state = $expected`), the task's `version` counts one more
//! entry, and the timeline row takes that number as its `seq`. A concurrent or repeated event
//! finds the state moved and is refused with [`StoreError::Stale`]; nothing is written.

use alloy_primitives::{Address, B256};
use poco_primitives::{DealId, TaskId};
use poco_scheduler_api::{ReplicateState, Subject, TaskState, TimelineEntry};
use sqlx::{Any, AnyPool, Row, Transaction, any::AnyRow};
use std::{
    path::Path,
    str::FromStr,
    time::{Duration, SystemTime, UNIX_EPOCH},
};
use tokio::sync::Mutex;
use tracing::{debug, info};

use crate::{
    error::{Result, StoreError},
    machine::{ReplicateEvent, TaskEvent, replicate_transition, task_transition},
};

/// The embedded migrations.
static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

pub use poco_db::Backend;

/// A task about to be stored (seen in a deal), in state `RECEIVED`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewTask {
    /// The task.
    pub task_id: TaskId,
    /// Its deal.
    pub deal_id: DealId,
    /// Its index in the deal.
    pub task_index: u64,
    /// Contribution deadline (seconds since the epoch).
    pub contribution_deadline: u64,
    /// Final deadline (seconds since the epoch).
    pub final_deadline: u64,
}

/// A stored task.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskRecord {
    /// The task.
    pub task_id: TaskId,
    /// Its deal.
    pub deal_id: DealId,
    /// Its index in the deal.
    pub task_index: u64,
    /// Where it is.
    pub state: TaskState,
    /// How many timeline entries it has.
    pub version: u64,
    /// Contribution deadline (seconds since the epoch).
    pub contribution_deadline: u64,
    /// Final deadline (seconds since the epoch).
    pub final_deadline: u64,
}

/// A stored replicate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReplicateRecord {
    /// The task.
    pub task_id: TaskId,
    /// The worker.
    pub worker: Address,
    /// Where it is.
    pub state: ReplicateState,
    /// The committed result hash, once contributed.
    pub result_hash: Option<B256>,
}

/// Tasks, replicates and timelines in SQL.
#[derive(Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// SQLite has one writer at a time: transactions queue here instead of failing busy.
    write: Mutex<()>,
}

fn now_ms() -> i64 {
    let since = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or(Duration::ZERO);
    i64::try_from(since.as_millis()).unwrap_or(i64::MAX)
}

fn hex<T: AsRef<[u8]>>(bytes: T) -> String {
    let bytes = bytes.as_ref();
    let mut out = String::with_capacity(2 + 2 * bytes.len());
    out.push_str("0x");
    for byte in bytes {
        out.push_str(&format!("{byte:02x}"));
    }
    out
}

fn to_i64(value: u64, what: &str) -> Result<i64> {
    i64::try_from(value).map_err(|_| StoreError::Corrupt {
        what: what.to_owned(),
        detail: format!("{value} does not fit a BIGINT"),
    })
}

// Called from `map_err` closures that own the error.
#[allow(clippy::needless_pass_by_value)]
fn corrupt(what: impl Into<String>, detail: impl ToString) -> StoreError {
    StoreError::Corrupt { what: what.into(), detail: detail.to_string() }
}

fn parse_task_state(text: &str, what: &str) -> Result<TaskState> {
    TaskState::parse(text).ok_or_else(|| corrupt(what, format!("unknown task state {text}")))
}

fn parse_replicate_state(text: &str, what: &str) -> Result<ReplicateState> {
    ReplicateState::parse(text)
        .ok_or_else(|| corrupt(what, format!("unknown replicate state {text}")))
}

fn task_record(row: &AnyRow) -> Result<TaskRecord> {
    let id: String = row.try_get("task_id")?;
    let what = format!("task {id}");
    let deal: String = row.try_get("deal_id")?;
    let state: String = row.try_get("state")?;
    let u64_of = |column: &str| -> Result<u64> {
        let value: i64 = row.try_get(column)?;
        u64::try_from(value).map_err(|error| corrupt(what.clone(), error))
    };
    Ok(TaskRecord {
        task_id: TaskId::from_str(&id).map_err(|error| corrupt(what.clone(), error))?,
        deal_id: DealId::from_str(&deal).map_err(|error| corrupt(what.clone(), error))?,
        task_index: u64_of("task_index")?,
        state: parse_task_state(&state, &what)?,
        version: u64_of("version")?,
        contribution_deadline: u64_of("contribution_deadline")?,
        final_deadline: u64_of("final_deadline")?,
    })
}

fn replicate_record(row: &AnyRow) -> Result<ReplicateRecord> {
    let task: String = row.try_get("task_id")?;
    let worker: String = row.try_get("worker")?;
    let what = format!("replicate {task}/{worker}");
    let state: String = row.try_get("state")?;
    let result_hash: Option<String> = row.try_get("result_hash")?;
    Ok(ReplicateRecord {
        task_id: TaskId::from_str(&task).map_err(|error| corrupt(what.clone(), error))?,
        worker: Address::from_str(&worker).map_err(|error| corrupt(what.clone(), error))?,
        state: parse_replicate_state(&state, &what)?,
        result_hash: result_hash
            .map(|text| B256::from_str(&text).map_err(|error| corrupt(what.clone(), error)))
            .transpose()?,
    })
}

/// One timeline row about to be written.
struct Entry<'a> {
    task: &'a str,
    seq: i64,
    at_ms: i64,
    worker: Option<&'a str>,
    from: Option<&'a str>,
    to: &'a str,
    event: &'a str,
    cause: Option<&'a str>,
    details: Option<String>,
}

impl Store {
    /// Connects to `url` (`sqlite://…` or `postgres://…`) and runs the migrations.
    pub async fn connect(url: &str) -> Result<Self> {
        let (pool, backend) = poco_db::connect(url, &MIGRATOR).await?;
        info!(?backend, "Scheduler store ready.");
        Ok(Self { pool, backend, write: Mutex::new(()) })
    }

    /// The SQLite URL of the default database in `data_dir` (created if missing).
    pub fn sqlite_url(data_dir: &Path) -> String {
        poco_db::sqlite_url(data_dir, "scheduler.sqlite")
    }

    /// The database behind the store.
    pub const fn backend(&self) -> Backend {
        self.backend
    }

    async fn begin(
        &self,
    ) -> Result<(Transaction<'static, Any>, Option<tokio::sync::MutexGuard<'_, ()>>)> {
        let guard = match self.backend {
            Backend::Sqlite => Some(self.write.lock().await),
            Backend::Postgres => None,
        };
        Ok((poco_db::begin_write(&self.pool, self.backend).await?, guard))
    }

    async fn insert_entry(tx: &mut Transaction<'static, Any>, entry: Entry<'_>) -> Result<()> {
        sqlx::query(
            "INSERT INTO timeline (task_id, seq, at_ms, worker, from_state, to_state, event, cause, details) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(entry.task)
        .bind(entry.seq)
        .bind(entry.at_ms)
        .bind(entry.worker)
        .bind(entry.from)
        .bind(entry.to)
        .bind(entry.event)
        .bind(entry.cause)
        .bind(entry.details)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    /// Stores a task in `RECEIVED`, its timeline starting with a `CREATED` entry. A task stored
    /// before is refused ([`StoreError::TaskExists`]) and left as it is.
    pub async fn create_task(&self, task: &NewTask) -> Result<TaskRecord> {
        let id = hex(task.task_id);
        // The time is read once the write is ours: `updated_at` then follows commit order.
        let (mut tx, _guard) = self.begin().await?;
        let at = now_ms();
        let inserted = sqlx::query(
            "INSERT INTO tasks (task_id, deal_id, task_index, state, version, contribution_deadline, \
             final_deadline, created_at, updated_at) VALUES ($1, $2, $3, $4, 1, $5, $6, $7, $7) \
             ON CONFLICT (task_id) DO NOTHING",
        )
        .bind(&id)
        .bind(hex(task.deal_id))
        .bind(to_i64(task.task_index, "task index")?)
        .bind(TaskState::Received.as_str())
        .bind(to_i64(task.contribution_deadline, "contribution deadline")?)
        .bind(to_i64(task.final_deadline, "final deadline")?)
        .bind(at)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if inserted == 0 {
            return Err(StoreError::TaskExists(id));
        }
        let entry = Entry {
            task: &id,
            seq: 1,
            at_ms: at,
            worker: None,
            from: None,
            to: TaskState::Received.as_str(),
            event: "CREATED",
            cause: None,
            details: None,
        };
        Self::insert_entry(&mut tx, entry).await?;
        tx.commit().await?;
        debug!(task = %id, "Task stored.");
        Ok(TaskRecord {
            task_id: task.task_id,
            deal_id: task.deal_id,
            task_index: task.task_index,
            state: TaskState::Received,
            version: 1,
            contribution_deadline: task.contribution_deadline,
            final_deadline: task.final_deadline,
        })
    }

    /// Counts one more timeline entry for the task (inside `tx`) and returns its number.
    async fn bump(tx: &mut Transaction<'static, Any>, id: &str, at: i64) -> Result<i64> {
        let seq: Option<i64> = sqlx::query_scalar(
            "UPDATE tasks SET version = version + 1, updated_at = $1 WHERE task_id = $2 RETURNING version",
        )
        .bind(at)
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
        seq.ok_or_else(|| StoreError::TaskNotFound(id.to_owned()))
    }

    /// Applies `event` to the task if it is still in `expected`: the state moves to the
    /// machine's answer and the timeline gets the entry, in one transaction. Returns the new
    /// state.
    pub async fn apply_task(
        &self,
        task_id: TaskId,
        expected: TaskState,
        event: TaskEvent,
        details: Option<&serde_json::Value>,
    ) -> Result<TaskState> {
        let to = task_transition(expected, event)?;
        let id = hex(task_id);
        // The time is read once the write is ours: `updated_at` then follows commit order.
        let (mut tx, _guard) = self.begin().await?;
        let at = now_ms();
        let seq: Option<i64> = sqlx::query_scalar(
            "UPDATE tasks SET state = $1, version = version + 1, updated_at = $2 \
             WHERE task_id = $3 AND state = $4 RETURNING version",
        )
        .bind(to.as_str())
        .bind(at)
        .bind(&id)
        .bind(expected.as_str())
        .fetch_optional(&mut *tx)
        .await?;
        let Some(seq) = seq else {
            let actual: Option<String> =
                sqlx::query_scalar("SELECT state FROM tasks WHERE task_id = $1")
                    .bind(&id)
                    .fetch_optional(&mut *tx)
                    .await?;
            return Err(match actual {
                None => StoreError::TaskNotFound(id),
                Some(actual) => StoreError::Stale {
                    what: format!("task {id}"),
                    expected: expected.to_string(),
                    actual,
                },
            });
        };
        let entry = Entry {
            task: &id,
            seq,
            at_ms: at,
            worker: None,
            from: Some(expected.as_str()),
            to: to.as_str(),
            event: event.name(),
            cause: event.cause(),
            details: details.map(ToString::to_string),
        };
        Self::insert_entry(&mut tx, entry).await?;
        tx.commit().await?;
        debug!(task = %id, from = %expected, to = %to, event = %event, "Task transition.");
        Ok(to)
    }

    /// Gives `worker` a replicate of a live task, in `ASSIGNED`. A worker never holds two
    /// replicates of one task ([`StoreError::AlreadyAssigned`]).
    pub async fn assign_replicate(
        &self,
        task_id: TaskId,
        worker: Address,
        details: Option<&serde_json::Value>,
    ) -> Result<ReplicateRecord> {
        let id = hex(task_id);
        let who = hex(worker);
        // The time is read once the write is ours: `updated_at` then follows commit order.
        let (mut tx, _guard) = self.begin().await?;
        let at = now_ms();
        let state: Option<String> =
            sqlx::query_scalar("SELECT state FROM tasks WHERE task_id = $1")
                .bind(&id)
                .fetch_optional(&mut *tx)
                .await?;
        let state = state.ok_or_else(|| StoreError::TaskNotFound(id.clone()))?;
        if parse_task_state(&state, &id)?.is_final() {
            return Err(StoreError::TaskNotLive { task: id, state });
        }
        Self::insert_replicate(&mut tx, &id, &who, at, details).await?;
        tx.commit().await?;
        debug!(task = %id, worker = %who, "Replicate assigned.");
        Ok(ReplicateRecord { task_id, worker, state: ReplicateState::Assigned, result_hash: None })
    }

    /// Inserts `who`'s replicate of task `id` in `ASSIGNED` with its timeline entry (inside
    /// `tx`); returns the entry's number.
    async fn insert_replicate(
        tx: &mut Transaction<'static, Any>,
        id: &str,
        who: &str,
        at: i64,
        details: Option<&serde_json::Value>,
    ) -> Result<i64> {
        let inserted = sqlx::query(
            "INSERT INTO replicates (task_id, worker, state, result_hash, created_at, updated_at) \
             VALUES ($1, $2, $3, NULL, $4, $4) ON CONFLICT (task_id, worker) DO NOTHING",
        )
        .bind(id)
        .bind(who)
        .bind(ReplicateState::Assigned.as_str())
        .bind(at)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        if inserted == 0 {
            return Err(StoreError::AlreadyAssigned {
                task: id.to_owned(),
                worker: who.to_owned(),
            });
        }
        let seq = Self::bump(tx, id, at).await?;
        let entry = Entry {
            task: id,
            seq,
            at_ms: at,
            worker: Some(who),
            from: None,
            to: ReplicateState::Assigned.as_str(),
            event: "ASSIGNED",
            cause: None,
            details: details.map(ToString::to_string),
        };
        Self::insert_entry(tx, entry).await?;
        Ok(seq)
    }

    /// Gives `worker` a replicate of `task` if the task is still at `task.version` (dispatch
    /// decided on that version): the replicate in `ASSIGNED` and, for an `INITIALIZED` task,
    /// its move to `RUNNING`, in one transaction. Returns the task as it now is. A task that
    /// moved meanwhile is [`StoreError::Stale`]; one that ended is [`StoreError::TaskNotLive`].
    pub async fn assign_at_version(
        &self,
        task: &TaskRecord,
        worker: Address,
        details: Option<&serde_json::Value>,
    ) -> Result<TaskRecord> {
        let id = hex(task.task_id);
        let who = hex(worker);
        let (mut tx, _guard) = self.begin().await?;
        let at = now_ms();
        let row = sqlx::query("SELECT state, version FROM tasks WHERE task_id = $1")
            .bind(&id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::TaskNotFound(id.clone()))?;
        let state: String = row.try_get("state")?;
        let version: i64 = row.try_get("version")?;
        let state = parse_task_state(&state, &id)?;
        if state.is_final() {
            return Err(StoreError::TaskNotLive { task: id, state: state.to_string() });
        }
        if u64::try_from(version).ok() != Some(task.version) {
            return Err(StoreError::Stale {
                what: format!("task {id}"),
                expected: format!("version {}", task.version),
                actual: format!("version {version}"),
            });
        }
        let mut seq = Self::insert_replicate(&mut tx, &id, &who, at, details).await?;
        let mut now_state = state;
        if state == TaskState::Initialized {
            let event = TaskEvent::ReplicateStarted;
            let to = task_transition(state, event)?;
            seq = sqlx::query_scalar(
                "UPDATE tasks SET state = $1, version = version + 1, updated_at = $2 \
                 WHERE task_id = $3 RETURNING version",
            )
            .bind(to.as_str())
            .bind(at)
            .bind(&id)
            .fetch_one(&mut *tx)
            .await?;
            let entry = Entry {
                task: &id,
                seq,
                at_ms: at,
                worker: None,
                from: Some(state.as_str()),
                to: to.as_str(),
                event: event.name(),
                cause: event.cause(),
                details: None,
            };
            Self::insert_entry(&mut tx, entry).await?;
            now_state = to;
        }
        tx.commit().await?;
        debug!(task = %id, worker = %who, "Replicate assigned.");
        Ok(TaskRecord {
            state: now_state,
            version: u64::try_from(seq).map_err(|error| corrupt(id, error))?,
            ..task.clone()
        })
    }

    /// The latest `updated_at` of any task (ms), if there is a task.
    pub async fn latest_update(&self) -> Result<Option<i64>> {
        Ok(sqlx::query_scalar("SELECT MAX(updated_at) FROM tasks").fetch_one(&self.pool).await?)
    }

    /// Every task in one of `states`, with no limit (dispatch's full reload).
    pub async fn tasks_in_states(&self, states: &[TaskState]) -> Result<Vec<TaskRecord>> {
        if states.is_empty() {
            return Ok(Vec::new());
        }
        let placeholders: Vec<String> = (1..=states.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT task_id, deal_id, task_index, state, version, contribution_deadline, \
             final_deadline FROM tasks WHERE state IN ({})",
            placeholders.join(", ")
        );
        let mut query = sqlx::query(&sql);
        for state in states {
            query = query.bind(state.as_str());
        }
        query.fetch_all(&self.pool).await?.iter().map(task_record).collect()
    }

    /// The tasks whose state or replicates changed at or after `since_ms` (every transition
    /// bumps the task's `version` and `updated_at`), each with its `updated_at`.
    pub async fn tasks_updated_since(&self, since_ms: i64) -> Result<Vec<(TaskRecord, i64)>> {
        let rows = sqlx::query(
            "SELECT task_id, deal_id, task_index, state, version, contribution_deadline, \
             final_deadline, updated_at FROM tasks WHERE updated_at >= $1",
        )
        .bind(since_ms)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| Ok((task_record(row)?, row.try_get::<i64, _>("updated_at")?)))
            .collect()
    }

    /// Applies `event` to `worker`'s replicate of the task if it is still in `expected`, in one
    /// transaction with its timeline entry; `result_hash` is recorded when given (a
    /// contribution). Returns the new state.
    pub async fn apply_replicate(
        &self,
        task_id: TaskId,
        worker: Address,
        expected: ReplicateState,
        event: ReplicateEvent,
        result_hash: Option<B256>,
        details: Option<&serde_json::Value>,
    ) -> Result<ReplicateState> {
        let to = replicate_transition(expected, event)?;
        let id = hex(task_id);
        let who = hex(worker);
        // The time is read once the write is ours: `updated_at` then follows commit order.
        let (mut tx, _guard) = self.begin().await?;
        let at = now_ms();
        let updated = sqlx::query(
            "UPDATE replicates SET state = $1, result_hash = COALESCE($2, result_hash), updated_at = $3 \
             WHERE task_id = $4 AND worker = $5 AND state = $6",
        )
        .bind(to.as_str())
        .bind(result_hash.map(hex))
        .bind(at)
        .bind(&id)
        .bind(&who)
        .bind(expected.as_str())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if updated == 0 {
            let actual: Option<String> = sqlx::query_scalar(
                "SELECT state FROM replicates WHERE task_id = $1 AND worker = $2",
            )
            .bind(&id)
            .bind(&who)
            .fetch_optional(&mut *tx)
            .await?;
            return Err(match actual {
                None => StoreError::ReplicateNotFound { task: id, worker: who },
                Some(actual) => StoreError::Stale {
                    what: format!("replicate {id}/{who}"),
                    expected: expected.to_string(),
                    actual,
                },
            });
        }
        let seq = Self::bump(&mut tx, &id, at).await?;
        let entry = Entry {
            task: &id,
            seq,
            at_ms: at,
            worker: Some(&who),
            from: Some(expected.as_str()),
            to: to.as_str(),
            event: event.name(),
            cause: event.cause(),
            details: details.map(ToString::to_string),
        };
        Self::insert_entry(&mut tx, entry).await?;
        tx.commit().await?;
        debug!(task = %id, worker = %who, from = %expected, to = %to, event = %event, "Replicate transition.");
        Ok(to)
    }

    /// The task, if stored.
    pub async fn task(&self, task_id: TaskId) -> Result<Option<TaskRecord>> {
        let row = sqlx::query(
            "SELECT task_id, deal_id, task_index, state, version, contribution_deadline, final_deadline \
             FROM tasks WHERE task_id = $1",
        )
        .bind(hex(task_id))
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(task_record).transpose()
    }

    /// Tasks in `state`, earliest contribution deadline first (at most `limit`).
    pub async fn tasks_in(&self, state: TaskState, limit: u32) -> Result<Vec<TaskRecord>> {
        self.tasks_in_after(state, None, limit).await
    }

    /// A page of the tasks in `state`, earliest contribution deadline then task id first,
    /// starting after `after` (the last task of the previous page) in that order.
    pub async fn tasks_in_after(
        &self,
        state: TaskState,
        after: Option<(u64, TaskId)>,
        limit: u32,
    ) -> Result<Vec<TaskRecord>> {
        let (after_deadline, after_task) = after.map_or((-1, String::new()), |(deadline, task)| {
            (i64::try_from(deadline).unwrap_or(i64::MAX), hex(task))
        });
        let rows = sqlx::query(
            "SELECT task_id, deal_id, task_index, state, version, contribution_deadline, final_deadline \
             FROM tasks WHERE state = $1 \
             AND (contribution_deadline > $2 OR (contribution_deadline = $2 AND task_id > $3)) \
             ORDER BY contribution_deadline, task_id LIMIT $4",
        )
        .bind(state.as_str())
        .bind(after_deadline)
        .bind(after_task)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(task_record).collect()
    }

    /// The replicates of each of `tasks` (tasks without any are absent).
    pub async fn replicates_of_tasks(
        &self,
        tasks: &[TaskId],
    ) -> Result<std::collections::HashMap<TaskId, Vec<ReplicateRecord>>> {
        let mut out: std::collections::HashMap<TaskId, Vec<ReplicateRecord>> =
            std::collections::HashMap::new();
        // Well under SQLite's and PostgreSQL's bind limits per query.
        for chunk in tasks.chunks(500) {
            let placeholders: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT task_id, worker, state, result_hash FROM replicates \
                 WHERE task_id IN ({}) ORDER BY task_id, worker",
                placeholders.join(", ")
            );
            let mut query = sqlx::query(&sql);
            for task in chunk {
                query = query.bind(hex(*task));
            }
            for row in query.fetch_all(&self.pool).await? {
                let record = replicate_record(&row)?;
                out.entry(record.task_id).or_default().push(record);
            }
        }
        Ok(out)
    }

    /// How many tasks are in each state (every state, zero included).
    pub async fn count_by_state(&self) -> Result<Vec<(TaskState, u64)>> {
        let rows = sqlx::query("SELECT state, COUNT(*) AS n FROM tasks GROUP BY state")
            .fetch_all(&self.pool)
            .await?;
        let mut counts: Vec<(TaskState, u64)> = TaskState::ALL.iter().map(|&s| (s, 0)).collect();
        for row in rows {
            let state: String = row.try_get("state")?;
            let n: i64 = row.try_get("n")?;
            let state = parse_task_state(&state, "task count")?;
            if let Some(slot) = counts.iter_mut().find(|(s, _)| *s == state) {
                slot.1 = u64::try_from(n).unwrap_or(0);
            }
        }
        Ok(counts)
    }

    /// The task's replicates, by worker.
    pub async fn replicates(&self, task_id: TaskId) -> Result<Vec<ReplicateRecord>> {
        let rows = sqlx::query(
            "SELECT task_id, worker, state, result_hash FROM replicates WHERE task_id = $1 ORDER BY worker",
        )
        .bind(hex(task_id))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(replicate_record).collect()
    }

    /// The worker's replicates in any of `states`.
    pub async fn replicates_of(
        &self,
        worker: Address,
        states: &[ReplicateState],
    ) -> Result<Vec<ReplicateRecord>> {
        let rows = sqlx::query(
            "SELECT task_id, worker, state, result_hash FROM replicates WHERE worker = $1 ORDER BY task_id",
        )
        .bind(hex(worker))
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::new();
        for row in &rows {
            let record = replicate_record(row)?;
            if states.contains(&record.state) {
                out.push(record);
            }
        }
        Ok(out)
    }

    /// The workers holding a replicate in one of `states`.
    pub async fn workers_in(&self, states: &[ReplicateState]) -> Result<Vec<Address>> {
        if states.is_empty() {
            return Ok(Vec::new());
        }
        let placeholders: Vec<String> = (1..=states.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT DISTINCT worker FROM replicates WHERE state IN ({}) ORDER BY worker",
            placeholders.join(", ")
        );
        let mut query = sqlx::query_scalar::<_, String>(&sql);
        for state in states {
            query = query.bind(state.as_str());
        }
        query
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|text| {
                Address::from_str(text).map_err(|error| StoreError::Corrupt {
                    what: "replicate worker".into(),
                    detail: error.to_string(),
                })
            })
            .collect()
    }

    /// The task's timeline, oldest first.
    pub async fn timeline(&self, task_id: TaskId) -> Result<Vec<TimelineEntry>> {
        let id = hex(task_id);
        let rows = sqlx::query(
            "SELECT seq, at_ms, worker, from_state, to_state, event, cause, details \
             FROM timeline WHERE task_id = $1 ORDER BY seq",
        )
        .bind(&id)
        .fetch_all(&self.pool)
        .await?;
        let what = format!("timeline of {id}");
        rows.iter()
            .map(|row| {
                let seq: i64 = row.try_get("seq")?;
                let worker: Option<String> = row.try_get("worker")?;
                let details: Option<String> = row.try_get("details")?;
                Ok(TimelineEntry {
                    seq: u64::try_from(seq).map_err(|error| corrupt(what.clone(), error))?,
                    at_ms: row.try_get("at_ms")?,
                    subject: match worker {
                        None => Subject::Task,
                        Some(worker) => Subject::Replicate {
                            worker: Address::from_str(&worker)
                                .map_err(|error| corrupt(what.clone(), error))?,
                        },
                    },
                    from: row.try_get("from_state")?,
                    to: row.try_get("to_state")?,
                    event: row.try_get("event")?,
                    cause: row.try_get("cause")?,
                    details: details
                        .map(|text| serde_json::from_str(&text))
                        .transpose()
                        .map_err(|error| corrupt(what.clone(), error))?,
                })
            })
            .collect()
    }
}

/// Access for the crate's other SQL (`store_public.rs`, the publisher): the pool and the
/// serialized write transaction, so their queries follow the same rules without touching this
/// file.
impl Store {
    pub(crate) const fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub(crate) async fn begin_write(
        &self,
    ) -> Result<(Transaction<'static, Any>, Option<tokio::sync::MutexGuard<'_, ()>>)> {
        self.begin().await
    }
}
