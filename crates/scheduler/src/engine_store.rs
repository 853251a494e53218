//! The engine's SQL beside the [`Store`]'s tasks and replicates (migration `0002_engine.sql`):
//! the event stream's cursor, the deals of the pool, and per task what the chain said and what
//! the workers gave. Same rules as the store: TEXT and BIGINT columns, writes serialized on
//! SQLite, every insert idempotent.

use alloy_primitives::{Address, B256, Bytes};
use poco_chain::{Cursor, CursorError, CursorStore};
use poco_primitives::{DealId, TaskId};
use sqlx::Row;
use std::{str::FromStr, sync::Arc};

use crate::{
    error::{Result, StoreError},
    store::Store,
};

fn hex<T: AsRef<[u8]>>(bytes: T) -> String {
    format!("0x{}", alloy_primitives::hex::encode(bytes.as_ref()))
}

fn corrupt(what: &str, detail: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt { what: what.to_owned(), detail: detail.to_string() }
}

fn parse<T: FromStr>(text: Option<String>, what: &str) -> Result<Option<T>>
where
    T::Err: std::fmt::Display,
{
    text.map(|text| T::from_str(&text).map_err(|error| corrupt(what, error))).transpose()
}

fn to_i64(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// What the engine learnt about one task while driving it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TaskProgress {
    /// The result hash the chain reached consensus on.
    pub consensus_value: Option<B256>,
    /// The block in which the engine saw the consensus.
    pub consensus_block: Option<u64>,
    /// The reveal deadline set by the consensus (seconds).
    pub reveal_deadline: Option<u64>,
    /// The worker asked to upload the result.
    pub uploader: Option<Address>,
    /// When it was asked (ms since the epoch).
    pub upload_requested_at: Option<u64>,
    /// The result link the uploader gave.
    pub result_link: Option<Bytes>,
    /// The callback data the uploader gave.
    pub callback_data: Option<Bytes>,
}

impl Store {
    /// The event stream's saved cursor.
    pub async fn engine_cursor(&self) -> Result<Option<Cursor>> {
        let text: Option<String> =
            sqlx::query_scalar("SELECT cursor FROM engine_cursor WHERE id = 1")
                .fetch_optional(self.pool())
                .await?;
        text.map(|text| {
            serde_json::from_str(&text).map_err(|error| corrupt("engine cursor", error))
        })
        .transpose()
    }

    /// Saves the event stream's cursor.
    pub async fn save_engine_cursor(&self, cursor: &Cursor) -> Result<()> {
        let text =
            serde_json::to_string(cursor).map_err(|error| corrupt("engine cursor", error))?;
        let (mut tx, _guard) = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO engine_cursor (id, cursor) VALUES (1, $1) \
             ON CONFLICT (id) DO UPDATE SET cursor = excluded.cursor",
        )
        .bind(text)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Stores a deal's description (JSON) unless it is stored already; returns whether it was
    /// new.
    pub async fn insert_deal(
        &self,
        deal_id: DealId,
        info: &serde_json::Value,
        block: u64,
        now_ms: u64,
    ) -> Result<bool> {
        let (mut tx, _guard) = self.begin_write().await?;
        let inserted = sqlx::query(
            "INSERT INTO deals (deal_id, info, block_number, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (deal_id) DO NOTHING",
        )
        .bind(hex(deal_id))
        .bind(info.to_string())
        .bind(to_i64(block))
        .bind(to_i64(now_ms))
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(inserted == 1)
    }

    /// A stored deal's description.
    pub async fn deal_info(&self, deal_id: DealId) -> Result<Option<serde_json::Value>> {
        let text: Option<String> = sqlx::query_scalar("SELECT info FROM deals WHERE deal_id = $1")
            .bind(hex(deal_id))
            .fetch_optional(self.pool())
            .await?;
        text.map(|text| serde_json::from_str(&text).map_err(|error| corrupt("deal info", error)))
            .transpose()
    }

    /// How many deals are stored.
    pub async fn deal_count(&self) -> Result<u64> {
        let n: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM deals").fetch_one(self.pool()).await?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// What the engine learnt about the task (all `None` if nothing yet).
    pub async fn progress(&self, task_id: TaskId) -> Result<TaskProgress> {
        let row = sqlx::query(
            "SELECT consensus_value, consensus_block, reveal_deadline, uploader, upload_requested_at, \
             result_link, callback_data FROM task_progress WHERE task_id = $1",
        )
        .bind(hex(task_id))
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else { return Ok(TaskProgress::default()) };
        let what = "task progress";
        let num = |column: &str| -> Result<Option<u64>> {
            let value: Option<i64> = row.try_get(column)?;
            Ok(value.and_then(|value| u64::try_from(value).ok()))
        };
        Ok(TaskProgress {
            consensus_value: parse(row.try_get("consensus_value")?, what)?,
            consensus_block: num("consensus_block")?,
            reveal_deadline: num("reveal_deadline")?,
            uploader: parse(row.try_get("uploader")?, what)?,
            upload_requested_at: num("upload_requested_at")?,
            result_link: parse(row.try_get("result_link")?, what)?,
            callback_data: parse(row.try_get("callback_data")?, what)?,
        })
    }

    async fn upsert_progress(
        &self,
        task_id: TaskId,
        set: &str,
        values: Vec<Option<String>>,
    ) -> Result<()> {
        let (mut tx, _guard) = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO task_progress (task_id) VALUES ($1) ON CONFLICT (task_id) DO NOTHING",
        )
        .bind(hex(task_id))
        .execute(&mut *tx)
        .await?;
        let sql = format!("UPDATE task_progress SET {set} WHERE task_id = $1");
        let mut query = sqlx::query(&sql).bind(hex(task_id));
        for value in values {
            query = query.bind(value);
        }
        query.execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records the consensus the chain reached.
    pub async fn set_consensus(
        &self,
        task_id: TaskId,
        value: B256,
        block: u64,
        reveal_deadline: u64,
    ) -> Result<()> {
        let (mut tx, _guard) = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO task_progress (task_id) VALUES ($1) ON CONFLICT (task_id) DO NOTHING",
        )
        .bind(hex(task_id))
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE task_progress SET consensus_value = $2, consensus_block = $3, reveal_deadline = $4, \
             uploader = NULL, upload_requested_at = NULL WHERE task_id = $1",
        )
        .bind(hex(task_id))
        .bind(hex(value))
        .bind(to_i64(block))
        .bind(to_i64(reveal_deadline))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Forgets the consensus (the task was reopened).
    pub async fn clear_consensus(&self, task_id: TaskId) -> Result<()> {
        self.upsert_progress(
            task_id,
            "consensus_value = NULL, consensus_block = NULL, reveal_deadline = NULL, uploader = NULL, \
             upload_requested_at = NULL",
            Vec::new(),
        )
        .await
    }

    /// Records the worker asked to upload (`None`: nobody is, after a failed upload).
    pub async fn set_uploader(
        &self,
        task_id: TaskId,
        worker: Option<Address>,
        at_ms: u64,
    ) -> Result<()> {
        let (mut tx, _guard) = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO task_progress (task_id) VALUES ($1) ON CONFLICT (task_id) DO NOTHING",
        )
        .bind(hex(task_id))
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE task_progress SET uploader = $2, upload_requested_at = $3 WHERE task_id = $1",
        )
        .bind(hex(task_id))
        .bind(worker.map(hex))
        .bind(worker.map(|_| to_i64(at_ms)))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records the uploaded result's link and callback data.
    pub async fn set_result(
        &self,
        task_id: TaskId,
        link: &Bytes,
        callback: Option<&Bytes>,
    ) -> Result<()> {
        self.upsert_progress(
            task_id,
            "result_link = $2, callback_data = $3",
            vec![Some(link.to_string()), callback.map(ToString::to_string)],
        )
        .await
    }
}

/// The engine's event-stream cursor, in the store.
#[derive(Clone, Debug)]
pub(crate) struct DbCursor(pub(crate) Arc<Store>);

impl CursorStore for DbCursor {
    async fn load(&mut self) -> Result<Option<Cursor>, CursorError> {
        self.0.engine_cursor().await.map_err(|error| CursorError::Backend(Box::new(error)))
    }

    async fn save(&mut self, cursor: &Cursor) -> Result<(), CursorError> {
        self.0
            .save_engine_cursor(cursor)
            .await
            .map_err(|error| CursorError::Backend(Box::new(error)))
    }
}
