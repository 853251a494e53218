//! The SQL behind the public reads and the requester's logs: app logs (`app_logs`), task
//! requesters (`task_requesters`), busy slots and transition counts. Same rules as
//! [`Store`](crate::Store)'s own queries: one schema for SQLite and PostgreSQL, `$n`
//! parameters, lowercase `0x` hex.

use alloy_primitives::Address;
use poco_primitives::{DealId, TaskId};
use poco_scheduler_api::{AppLogs, ReplicateState};
use sqlx::Row;
use std::{
    collections::{HashMap, HashSet},
    str::FromStr,
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use crate::{
    error::{Result, StoreError},
    store::Store,
};

pub(crate) fn hex_task(task_id: TaskId) -> String {
    format!("{:#x}", task_id.0)
}

pub(crate) fn hex_address(address: Address) -> String {
    format!("{address:#x}")
}

pub(crate) fn now_ms() -> i64 {
    let since = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or(Duration::ZERO);
    i64::try_from(since.as_millis()).unwrap_or(i64::MAX)
}

// Called from `map_err`, which owns the error.
#[allow(clippy::needless_pass_by_value)]
fn corrupt(what: &str, detail: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt { what: what.to_owned(), detail: detail.to_string() }
}

/// `$first, $first+1, …` for `n` bound values.
pub(crate) fn placeholders(first: usize, n: usize) -> String {
    (first..first + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

impl Store {
    /// Stores (or replaces) `worker`'s app logs for the task.
    pub async fn put_logs(&self, task_id: TaskId, worker: Address, logs: &AppLogs) -> Result<()> {
        let (mut tx, _guard) = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO app_logs (task_id, worker, stdout, stderr, exit_code, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (task_id, worker) DO UPDATE SET \
             stdout = excluded.stdout, stderr = excluded.stderr, exit_code = excluded.exit_code, \
             updated_at = excluded.updated_at",
        )
        .bind(hex_task(task_id))
        .bind(hex_address(worker))
        .bind(&logs.stdout)
        .bind(&logs.stderr)
        .bind(logs.exit_code.map(i64::from))
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// `worker`'s app logs for the task, if uploaded.
    pub async fn logs(&self, task_id: TaskId, worker: Address) -> Result<Option<AppLogs>> {
        let row = sqlx::query(
            "SELECT stdout, stderr, exit_code FROM app_logs WHERE task_id = $1 AND worker = $2",
        )
        .bind(hex_task(task_id))
        .bind(hex_address(worker))
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else { return Ok(None) };
        let exit_code: Option<i64> = row.try_get("exit_code")?;
        Ok(Some(AppLogs {
            stdout: row.try_get("stdout")?,
            stderr: row.try_get("stderr")?,
            exit_code: exit_code
                .map(|code| i32::try_from(code).map_err(|error| corrupt("app logs", error)))
                .transpose()?,
        }))
    }

    /// The workers that uploaded logs for the task.
    pub async fn workers_with_logs(&self, task_id: TaskId) -> Result<HashSet<Address>> {
        let rows = sqlx::query("SELECT worker FROM app_logs WHERE task_id = $1")
            .bind(hex_task(task_id))
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|row| {
                let worker: String = row.try_get("worker")?;
                Address::from_str(&worker).map_err(|error| corrupt("app logs", error))
            })
            .collect()
    }

    /// The task's requester, if known.
    pub async fn requester(&self, task_id: TaskId) -> Result<Option<Address>> {
        let requester: Option<String> =
            sqlx::query_scalar("SELECT requester FROM task_requesters WHERE task_id = $1")
                .bind(hex_task(task_id))
                .fetch_optional(self.pool())
                .await?;
        requester
            .map(|text| Address::from_str(&text).map_err(|error| corrupt("task requester", error)))
            .transpose()
    }

    /// Records the task's requester (a second call for the same task changes nothing: a task's
    /// requester never changes).
    pub async fn set_requester(
        &self,
        task_id: TaskId,
        deal_id: DealId,
        requester: Address,
    ) -> Result<()> {
        let (mut tx, _guard) = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO task_requesters (task_id, deal_id, requester, created_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (task_id) DO NOTHING",
        )
        .bind(hex_task(task_id))
        .bind(format!("{:#x}", deal_id.0))
        .bind(hex_address(requester))
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// How many replicates in `states` each worker holds (workers holding none are absent).
    pub async fn replicates_per_worker(
        &self,
        states: &[ReplicateState],
    ) -> Result<HashMap<Address, u64>> {
        if states.is_empty() {
            return Ok(HashMap::new());
        }
        let sql = format!(
            "SELECT worker, COUNT(*) AS n FROM replicates WHERE state IN ({}) GROUP BY worker",
            placeholders(1, states.len())
        );
        let mut query = sqlx::query(&sql);
        for state in states {
            query = query.bind(state.as_str());
        }
        let rows = query.fetch_all(self.pool()).await?;
        let mut out = HashMap::with_capacity(rows.len());
        for row in rows {
            let worker: String = row.try_get("worker")?;
            let n: i64 = row.try_get("n")?;
            out.insert(
                Address::from_str(&worker).map_err(|error| corrupt("replicate", error))?,
                u64::try_from(n).unwrap_or(0),
            );
        }
        Ok(out)
    }

    /// Tasks not final that no worker holds in `live` states: work already sold (a deal was
    /// made) but not handed out yet, which the publisher must not sell again.
    pub async fn waiting_tasks(&self, live: &[ReplicateState]) -> Result<u64> {
        let finals: Vec<&str> = poco_scheduler_api::TaskState::ALL
            .iter()
            .filter(|state| state.is_final())
            .map(|state| state.as_str())
            .collect();
        let sql = format!(
            "SELECT COUNT(*) FROM tasks t WHERE t.state NOT IN ({}) AND NOT EXISTS \
             (SELECT 1 FROM replicates r WHERE r.task_id = t.task_id AND r.state IN ({}))",
            placeholders(1, finals.len()),
            placeholders(1 + finals.len(), live.len().max(1))
        );
        let mut query = sqlx::query_scalar::<_, i64>(&sql);
        for state in &finals {
            query = query.bind(*state);
        }
        if live.is_empty() {
            query = query.bind("");
        }
        for state in live {
            query = query.bind(state.as_str());
        }
        let n = query.fetch_one(self.pool()).await?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// How many timeline entries each event wrote (the transitions counter).
    pub async fn transitions_per_event(&self) -> Result<Vec<(String, u64)>> {
        let rows =
            sqlx::query("SELECT event, COUNT(*) AS n FROM timeline GROUP BY event ORDER BY event")
                .fetch_all(self.pool())
                .await?;
        rows.iter()
            .map(|row| {
                let n: i64 = row.try_get("n")?;
                Ok((row.try_get("event")?, u64::try_from(n).unwrap_or(0)))
            })
            .collect()
    }
}
