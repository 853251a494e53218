//! [`Store`]: the books in SQLite or PostgreSQL, through one sqlx `Any` pool.
//!
//! One schema serves both databases (`migrations/`, embedded with `sqlx::migrate!`): TEXT and
//! BIGINT columns, `$n` parameters, standard `ON CONFLICT` upserts. Queries are built at run
//! time and read rows with `FromRow`: nothing needs a live database at compile time.

use alloy::primitives::{Address, U256};
use poco_chain::{Cursor, CursorError, CursorStore};
use poco_market_api::{Book, OrderStatus, PoolMetadata, UnpublishTarget};
use poco_primitives::{OrderHash, Tag};
use sqlx::{AnyPool, Row, any::AnyRow};
use std::sync::Arc;
use std::{path::Path, str::FromStr};
use tokio::sync::{Mutex, oneshot};
use tracing::{debug, info};

use crate::{
    error::{MarketError, Result},
    orders::{Columns, address_text, saturate, tag_from_words, tag_words},
};

/// The embedded migrations.
static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

pub use poco_db::Backend;

/// An order about to be stored.
#[derive(Clone, Debug)]
pub struct NewOrder {
    /// Its hash.
    pub hash: OrderHash,
    /// Its book.
    pub book: Book,
    /// Who signed it.
    pub signer: Address,
    /// Its filter and sort columns.
    pub columns: Columns,
    /// Its volume.
    pub volume: U256,
    /// What the chain consumed of it.
    pub consumed: U256,
    /// When it was accepted (ms since the epoch).
    pub published_at: i64,
    /// The pool's metadata (workerpool orders).
    pub pool: Option<PoolMetadata>,
    /// The signed order, JSON.
    pub body: String,
}

impl NewOrder {
    /// The row [`Store::insert`] writes for this order.
    pub fn row(&self) -> OrderRow {
        let pool = self.pool.clone().unwrap_or_default();
        OrderRow {
            hash: format!("{:#x}", self.hash.0),
            book: self.book.index(),
            status: OrderStatus::Open.index(),
            signer: address_text(self.signer),
            price: saturate(self.columns.price),
            volume: self.volume.to_string(),
            consumed: self.consumed.to_string(),
            published_at: self.published_at,
            region: pool.region,
            energy: pool.energy,
            hardware: pool.hardware,
            body: self.body.clone(),
        }
    }
}

/// A stored order.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct OrderRow {
    /// Hash (0x hex).
    pub hash: String,
    /// Book number.
    pub book: i64,
    /// Status number.
    pub status: i64,
    /// Signer (0x hex).
    pub signer: String,
    /// Sort price.
    pub price: i64,
    /// Volume (decimal).
    pub volume: String,
    /// Consumed (decimal).
    pub consumed: String,
    /// Publication time (ms).
    pub published_at: i64,
    /// Pool region.
    pub region: Option<String>,
    /// Pool energy.
    pub energy: Option<String>,
    /// Pool hardware.
    pub hardware: Option<String>,
    /// The signed order, JSON.
    pub body: String,
}

const ROW_COLUMNS: &str = "hash, book, status, signer, price, volume, consumed, published_at, region, energy, hardware, body";

/// What the best-match search reads of an open order: its sort key, its tag and the workerpool
/// column (the pool of a workerpool order, the workerpool restriction of the others).
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct CandidateRow {
    /// Hash (0x hex).
    pub hash: String,
    /// Sort price (saturated at `i64::MAX`).
    pub price: i64,
    /// Publication time (ms).
    pub published_at: i64,
    /// Tag, bits 0-63.
    pub tag0: i64,
    /// Tag, bits 64-127.
    pub tag1: i64,
    /// Tag, bits 128-191.
    pub tag2: i64,
    /// Tag, bits 192-255.
    pub tag3: i64,
    /// The workerpool column (0x hex).
    pub workerpool: String,
}

const CANDIDATE_COLUMNS: &str = "hash, price, published_at, tag0, tag1, tag2, tag3, workerpool";

impl CandidateRow {
    /// The cursor after this row.
    pub fn cursor(&self) -> PageCursor {
        PageCursor { price: self.price, published_at: self.published_at, hash: self.hash.clone() }
    }

    /// The tag.
    pub fn tag(&self) -> Tag {
        tag_from_words([self.tag0, self.tag1, self.tag2, self.tag3])
    }

    /// The order's hash.
    pub fn order_hash(&self) -> Result<OrderHash> {
        OrderHash::from_str(&self.hash).map_err(|error| self.corrupt(error.to_string()))
    }

    /// The workerpool column.
    pub fn workerpool(&self) -> Result<Address> {
        Address::from_str(&self.workerpool).map_err(|error| self.corrupt(error.to_string()))
    }

    fn corrupt(&self, detail: String) -> MarketError {
        MarketError::Corrupt { what: format!("order {}", self.hash), detail }
    }
}

impl OrderRow {
    fn corrupt(&self, detail: impl Into<String>) -> MarketError {
        MarketError::Corrupt { what: format!("order {}", self.hash), detail: detail.into() }
    }

    /// The order's hash.
    pub fn order_hash(&self) -> Result<OrderHash> {
        OrderHash::from_str(&self.hash).map_err(|error| self.corrupt(error.to_string()))
    }

    /// The book.
    pub fn book(&self) -> Result<Book> {
        Book::from_index(self.book).ok_or_else(|| self.corrupt("unknown book"))
    }

    /// The status.
    pub fn status(&self) -> Result<OrderStatus> {
        OrderStatus::from_index(self.status).ok_or_else(|| self.corrupt("unknown status"))
    }

    /// The signer.
    pub fn signer(&self) -> Result<Address> {
        Address::from_str(&self.signer).map_err(|error| self.corrupt(error.to_string()))
    }

    /// Volume minus consumed (zero once cancelled or filled).
    pub fn remaining(&self) -> Result<U256> {
        let volume =
            U256::from_str(&self.volume).map_err(|error| self.corrupt(error.to_string()))?;
        let consumed =
            U256::from_str(&self.consumed).map_err(|error| self.corrupt(error.to_string()))?;
        if self.status == OrderStatus::Canceled.index() {
            return Ok(U256::ZERO);
        }
        Ok(volume.saturating_sub(consumed))
    }

    /// The pool metadata, if any.
    pub fn pool(&self) -> Option<PoolMetadata> {
        let metadata = PoolMetadata {
            region: self.region.clone(),
            energy: self.energy.clone(),
            hardware: self.hardware.clone(),
        };
        (metadata != PoolMetadata::default()).then_some(metadata)
    }
}

/// The address columns of the `orders` table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AddressColumn {
    /// `app`.
    App,
    /// `dataset`.
    Dataset,
    /// `workerpool`.
    Workerpool,
    /// `requester`.
    Requester,
    /// `beneficiary`.
    Beneficiary,
    /// `signer`.
    Signer,
}

impl AddressColumn {
    const fn name(self) -> &'static str {
        match self {
            Self::App => "app",
            Self::Dataset => "dataset",
            Self::Workerpool => "workerpool",
            Self::Requester => "requester",
            Self::Beneficiary => "beneficiary",
            Self::Signer => "signer",
        }
    }

    /// The column holding a book's own asset (the app for request orders).
    pub const fn asset_of(book: Book) -> Self {
        match book {
            Book::App | Book::Request => Self::App,
            Book::Dataset => Self::Dataset,
            Book::Workerpool => Self::Workerpool,
        }
    }
}

/// What a listing keeps (the store's form of a `BookQuery`, checked by the service).
#[derive(Clone, Debug, Default)]
pub struct ListFilter {
    /// `column = address`.
    pub exact: Vec<(AddressColumn, Address)>,
    /// `column IN (0x0, address)`: restrictions admitting `address`.
    pub admits: Vec<(AddressColumn, Address)>,
    /// Category.
    pub category: Option<i64>,
    /// `trust >= …`.
    pub min_trust: Option<i64>,
    /// `trust <= …`.
    pub max_trust: Option<i64>,
    /// Every bit of this tag is set.
    pub min_tag: Option<Tag>,
    /// No bit outside this tag.
    pub max_tag: Option<Tag>,
    /// `remaining >= …`.
    pub min_remaining: Option<i64>,
    /// `price <= …`.
    pub max_price: Option<i64>,
    /// `price >= …`.
    pub min_price: Option<i64>,
    /// Pool region.
    pub region: Option<String>,
    /// Pool energy.
    pub energy: Option<String>,
    /// Pool hardware.
    pub hardware: Option<String>,
}

/// Where a page starts: after this (price, publication time, hash).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageCursor {
    /// Sort price of the last order of the previous page.
    pub price: i64,
    /// Its publication time.
    pub published_at: i64,
    /// Its hash.
    pub hash: String,
}

impl PageCursor {
    /// The cursor after `row`.
    pub fn after(row: &OrderRow) -> Self {
        Self { price: row.price, published_at: row.published_at, hash: row.hash.clone() }
    }

    /// The opaque text form (`price.published.hash`).
    pub fn encode(&self) -> String {
        format!("{}.{}.{}", self.price, self.published_at, self.hash)
    }

    /// Parses [`Self::encode`]'s form.
    pub fn decode(text: &str) -> Option<Self> {
        let mut parts = text.splitn(3, '.');
        let price = parts.next()?.parse().ok()?;
        let published_at = parts.next()?.parse().ok()?;
        let hash = parts.next()?;
        OrderHash::from_str(hash).ok()?;
        Some(Self { price, published_at, hash: hash.to_ascii_lowercase() })
    }
}

/// A value bound to a query parameter.
#[derive(Clone, Debug)]
enum Bind {
    Int(i64),
    Text(String),
}

/// A query under construction: SQL text with `$n` parameters and their values.
#[derive(Debug, Default)]
struct Sql {
    text: String,
    binds: Vec<Bind>,
}

impl Sql {
    fn new(text: &str) -> Self {
        Self { text: text.to_owned(), binds: Vec::new() }
    }

    fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    fn int(&mut self, value: i64) -> &mut Self {
        self.binds.push(Bind::Int(value));
        let n = self.binds.len();
        self.text.push_str(&format!("${n}"));
        self
    }

    fn text(&mut self, value: impl Into<String>) -> &mut Self {
        self.binds.push(Bind::Text(value.into()));
        let n = self.binds.len();
        self.text.push_str(&format!("${n}"));
        self
    }

    fn query(&self) -> sqlx::query::Query<'_, sqlx::Any, sqlx::any::AnyArguments<'_>> {
        let mut query = sqlx::query(&self.text);
        for bind in &self.binds {
            query = match bind {
                Bind::Int(value) => query.bind(*value),
                Bind::Text(value) => query.bind(value.as_str()),
            };
        }
        query
    }

    fn query_as<T>(&self) -> sqlx::query::QueryAs<'_, sqlx::Any, T, sqlx::any::AnyArguments<'_>>
    where
        T: for<'r> sqlx::FromRow<'r, AnyRow>,
    {
        let mut query = sqlx::query_as::<_, T>(&self.text);
        for bind in &self.binds {
            query = match bind {
                Bind::Int(value) => query.bind(*value),
                Bind::Text(value) => query.bind(value.as_str()),
            };
        }
        query
    }
}

/// The books' storage (see the module docs).
#[derive(Debug)]
pub struct Store {
    pool: AnyPool,
    /// Where writes and the publication's own reads go (see [`Store::connect`]).
    writer: AnyPool,
    backend: Backend,
    /// Serialises check-then-write sequences (open-order limit, watcher updates).
    write: Arc<Mutex<()>>,
    /// Insertions waiting for the next group commit (see [`Store::insert`]).
    pending: std::sync::Mutex<Vec<PendingInsert>>,
    /// Group commits so far, and the insertions they carried.
    commits: std::sync::atomic::AtomicU64,
    committed: std::sync::atomic::AtomicU64,
}

/// An insertion waiting for a group commit, and where its answer goes.
#[derive(Debug)]
struct PendingInsert {
    order: NewOrder,
    max_open: u32,
    reply: oneshot::Sender<Result<bool>>,
}

impl Store {
    /// Connects to `url` (`sqlite://…` or `postgres://…`) and brings the schema up to date.
    ///
    /// On a SQLite file, every write goes through one connection of its own, the reads through
    /// the others. A SQLite connection that sees the database changed by another connection
    /// drops its whole page cache and unmaps its memory map before reading again: with writes
    /// spread over the pool, every group commit and the write after it paid for that (a fifth of
    /// the SQLite thread's time went to unmapping and faulting pages back in). The writer only
    /// ever sees its own changes. The publication's duplicate check stays on the readers: on the
    /// writer it would queue behind every group commit. PostgreSQL has no such cost: one pool.
    pub async fn connect(url: &str) -> Result<Self> {
        let (pool, backend) = poco_db::connect_with(url, &MIGRATOR, &tuning(None)).await?;
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        let writer = if backend == Backend::Sqlite && !in_memory {
            poco_db::connect_with(url, &MIGRATOR, &tuning(Some(1))).await?.0
        } else {
            pool.clone()
        };
        info!(?backend, "Order store ready.");
        Ok(Self {
            pool,
            writer,
            backend,
            write: Arc::new(Mutex::new(())),
            pending: std::sync::Mutex::new(Vec::new()),
            commits: std::sync::atomic::AtomicU64::new(0),
            committed: std::sync::atomic::AtomicU64::new(0),
        })
    }

    /// The SQLite URL of the default database in `data_dir` (created if missing).
    pub fn sqlite_url(data_dir: &Path) -> String {
        poco_db::sqlite_url(data_dir, "market.sqlite")
    }

    /// The database behind the store.
    pub const fn backend(&self) -> Backend {
        self.backend
    }

    /// The pool.
    pub const fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Stores `order` unless an open order with its hash exists (`Ok(false)`), or its signer
    /// already has `max_open` open orders in the book (`Err` `too_many_open_orders`). A
    /// previously unpublished, dead, filled or cancelled record of the same hash is replaced.
    ///
    /// Group commit: concurrent insertions queue up; whoever takes the write lock next writes
    /// every queued order in one transaction (each with its own limit check, in queue order)
    /// and answers each caller. The batch runs in its own task, so a caller that goes away
    /// (a closed HTTP connection) never leaves a batch half done.
    pub async fn insert(&self, order: NewOrder, max_open: u32) -> Result<bool> {
        let (reply, mut answer) = oneshot::channel();
        lock(&self.pending).push(PendingInsert { order, max_open, reply });
        let guard = Arc::clone(&self.write).lock_owned().await;
        // The batch before ours may have taken our order already.
        if let Ok(result) = answer.try_recv() {
            return result;
        }
        let batch = std::mem::take(&mut *lock(&self.pending));
        self.commits.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.committed.fetch_add(batch.len() as u64, std::sync::atomic::Ordering::Relaxed);
        let (pool, backend) = (self.writer.clone(), self.backend);
        tokio::spawn(async move {
            write_batch(&pool, backend, batch).await;
            drop(guard);
        });
        answer.await.unwrap_or_else(|_| {
            Err(MarketError::Corrupt {
                what: "order insertion".into(),
                detail: "the group commit stopped before answering".into(),
            })
        })
    }

    /// Group commits so far, and the insertions they carried (how well [`Self::insert`] groups).
    pub fn group_commits(&self) -> (u64, u64) {
        let load = |n: &std::sync::atomic::AtomicU64| n.load(std::sync::atomic::Ordering::Relaxed);
        (load(&self.commits), load(&self.committed))
    }

    /// Stores already-checked orders in one transaction, without the open-order limit (bulk
    /// loads: imports, benchmarks). Returns how many were stored (an order whose hash is
    /// already open is skipped).
    ///
    /// One statement per order: the SQLite driver looks each `$n` parameter up by name, so a
    /// statement of many rows costs time quadratic in its parameters.
    pub async fn insert_many(&self, orders: &[NewOrder]) -> Result<u64> {
        let _guard = self.write.lock().await;
        let mut tx = poco_db::begin_write(&self.writer, self.backend).await?;
        let mut stored = 0;
        for order in orders {
            stored += insert_sql(order).query().execute(&mut *tx).await?.rows_affected();
        }
        tx.commit().await?;
        Ok(stored)
    }

    /// The order with this hash, in any status.
    pub async fn get(&self, hash: OrderHash) -> Result<Option<OrderRow>> {
        let mut sql = Sql::new(&format!("SELECT {ROW_COLUMNS} FROM orders WHERE hash = "));
        sql.text(format!("{:#x}", hash.0));
        Ok(sql.query_as::<OrderRow>().fetch_optional(&self.pool).await?)
    }

    /// Whether an order is in the book and open.
    pub async fn is_open(&self, hash: OrderHash) -> Result<bool> {
        let mut sql = Sql::new("SELECT status FROM orders WHERE hash = ");
        sql.text(format!("{:#x}", hash.0));
        let status: Option<i64> = match sql.query().fetch_optional(&self.pool).await? {
            Some(row) => Some(row.try_get("status")?),
            None => None,
        };
        Ok(status == Some(OrderStatus::Open.index()))
    }

    /// One page of `book` in `status`, best first, after `cursor`.
    pub async fn list(
        &self,
        book: Book,
        status: OrderStatus,
        filter: &ListFilter,
        cursor: Option<&PageCursor>,
        limit: u32,
    ) -> Result<Vec<OrderRow>> {
        let sql = page_sql(ROW_COLUMNS, book, status, filter, cursor, limit);
        Ok(sql.query_as::<OrderRow>().fetch_all(&self.pool).await?)
    }

    /// Like [`Self::list`], but only the columns the best-match search needs (no JSON body).
    pub async fn candidates(
        &self,
        book: Book,
        filter: &ListFilter,
        cursor: Option<&PageCursor>,
        limit: u32,
    ) -> Result<Vec<CandidateRow>> {
        let sql = page_sql(CANDIDATE_COLUMNS, book, OrderStatus::Open, filter, cursor, limit);
        Ok(sql.query_as::<CandidateRow>().fetch_all(&self.pool).await?)
    }

    /// Unpublishes the `signer`'s open orders of `book` that `target` names; returns their
    /// hashes. `resource` narrows `last` and `all` to one asset.
    pub async fn unpublish(
        &self,
        book: Book,
        signer: Address,
        target: UnpublishTarget,
        hash: Option<OrderHash>,
        resource: Option<Address>,
    ) -> Result<Vec<String>> {
        let _guard = self.write.lock().await;
        let mut select = Sql::new(&format!(
            "SELECT hash FROM orders WHERE book = {} AND status = {} AND signer = ",
            book.index(),
            OrderStatus::Open.index()
        ));
        select.text(address_text(signer));
        if let Some(hash) = hash.filter(|_| target == UnpublishTarget::Order) {
            select.push(" AND hash = ").text(format!("{:#x}", hash.0));
        }
        if let Some(resource) = resource.filter(|_| target != UnpublishTarget::Order) {
            let column = AddressColumn::asset_of(book).name();
            select.push(&format!(" AND {column} = ")).text(address_text(resource));
        }
        if target == UnpublishTarget::Last {
            select.push(" ORDER BY published_at DESC, hash DESC LIMIT 1");
        }
        let hashes: Vec<String> = select
            .query()
            .fetch_all(&self.writer)
            .await?
            .iter()
            .map(|row| row.try_get::<String, _>("hash"))
            .collect::<Result<_, _>>()?;
        for hash in &hashes {
            self.set_status_locked(hash, OrderStatus::Unpublished).await?;
        }
        Ok(hashes)
    }

    async fn set_status_locked(&self, hash: &str, status: OrderStatus) -> Result<()> {
        let mut sql = Sql::new("UPDATE orders SET status = ");
        sql.int(status.index()).push(" WHERE hash = ").text(hash);
        sql.query().execute(&self.writer).await?;
        Ok(())
    }

    /// Records what the chain consumed of an order; an open order with nothing left becomes
    /// filled. Returns the updated row when the order is in the book.
    pub async fn set_consumed(&self, hash: OrderHash, consumed: U256) -> Result<Option<OrderRow>> {
        let _guard = self.write.lock().await;
        let Some(row) = self.get(hash).await? else { return Ok(None) };
        let volume = U256::from_str(&row.volume).map_err(|error| row.corrupt(error.to_string()))?;
        let remaining = volume.saturating_sub(consumed);
        let status = if row.status == OrderStatus::Open.index() && remaining.is_zero() {
            OrderStatus::Filled.index()
        } else {
            row.status
        };
        let mut sql = Sql::new("UPDATE orders SET consumed = ");
        sql.text(consumed.to_string()).push(", remaining = ").int(saturate(remaining));
        sql.push(", status = ").int(status).push(" WHERE hash = ").text(row.hash.clone());
        sql.query().execute(&self.writer).await?;
        drop(_guard);
        self.get(hash).await
    }

    /// Records an on-chain cancellation (`ClosedXxxOrder`) of an order, published or not;
    /// returns the order's row when it is in the book.
    pub async fn close(&self, hash: OrderHash, block: u64) -> Result<Option<OrderRow>> {
        let _guard = self.write.lock().await;
        let text = format!("{:#x}", hash.0);
        let mut insert = Sql::new("INSERT INTO closed_orders (hash, block) VALUES (");
        insert.text(text.clone()).push(", ").int(saturate(U256::from(block)));
        insert.push(") ON CONFLICT (hash) DO NOTHING");
        insert.query().execute(&self.writer).await?;
        let mut update = Sql::new("UPDATE orders SET status = ");
        update.int(OrderStatus::Canceled.index()).push(", remaining = 0 WHERE hash = ");
        update.text(text).push(" AND status IN (");
        update.int(OrderStatus::Open.index()).push(", ").int(OrderStatus::Filled.index());
        update.push(")");
        update.query().execute(&self.writer).await?;
        drop(_guard);
        self.get(hash).await
    }

    /// Whether the chain cancelled this order (as far as the watcher has seen).
    pub async fn is_closed(&self, hash: OrderHash) -> Result<bool> {
        let mut sql = Sql::new("SELECT hash FROM closed_orders WHERE hash = ");
        sql.text(format!("{:#x}", hash.0));
        Ok(sql.query().fetch_optional(&self.pool).await?.is_some())
    }

    /// An app, dataset or workerpool changed hands: the open orders of `book` on `asset` not
    /// signed by `new_owner` die. Returns their rows.
    pub async fn kill_asset(
        &self,
        book: Book,
        asset: Address,
        new_owner: Address,
    ) -> Result<Vec<OrderRow>> {
        let _guard = self.write.lock().await;
        let column = AddressColumn::asset_of(book).name();
        let mut select = Sql::new(&format!(
            "SELECT {ROW_COLUMNS} FROM orders WHERE book = {} AND status = {} AND {column} = ",
            book.index(),
            OrderStatus::Open.index()
        ));
        select.text(address_text(asset));
        select.push(" AND signer <> ").text(address_text(new_owner));
        let mut rows = select.query_as::<OrderRow>().fetch_all(&self.writer).await?;
        for row in &mut rows {
            self.set_status_locked(&row.hash, OrderStatus::Dead).await?;
            row.status = OrderStatus::Dead.index();
        }
        Ok(rows)
    }

    /// Open orders of `book` (for the benchmark and checks).
    pub async fn count_open(&self, book: Book) -> Result<i64> {
        let sql = Sql::new(&format!(
            "SELECT COUNT(*) AS n FROM orders WHERE book = {} AND status = {}",
            book.index(),
            OrderStatus::Open.index()
        ));
        Ok(sql.query().fetch_one(&self.pool).await?.try_get("n")?)
    }

    /// The watcher's saved cursor.
    pub async fn load_cursor(&self) -> Result<Option<Cursor>> {
        let row = sqlx::query("SELECT cursor FROM watcher_cursor WHERE id = 1")
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let text: String = row.try_get("cursor")?;
        serde_json::from_str(&text).map(Some).map_err(|error| MarketError::Corrupt {
            what: "watcher cursor".into(),
            detail: error.to_string(),
        })
    }

    /// Saves the watcher's cursor.
    pub async fn save_cursor(&self, cursor: &Cursor) -> Result<()> {
        let text = serde_json::to_string(cursor).map_err(|error| MarketError::Corrupt {
            what: "watcher cursor".into(),
            detail: error.to_string(),
        })?;
        let mut sql = Sql::new("INSERT INTO watcher_cursor (id, cursor) VALUES (1, ");
        sql.text(text).push(") ON CONFLICT (id) DO UPDATE SET cursor = excluded.cursor");
        sql.query().execute(&self.writer).await?;
        Ok(())
    }

    /// Closes the pool.
    pub async fn close_pool(&self) {
        self.pool.close().await;
        self.writer.close().await;
    }
}

/// The market's database settings: a large page cache and memory-mapped reads on SQLite (a
/// million-order book is about a gigabyte; the default 2 MB cache made every read and every
/// insertion go to the file), temporary sorts in memory; `max_connections` as poco-db's default
/// when `None`.
fn tuning(max_connections: Option<u32>) -> poco_db::Tuning {
    poco_db::Tuning {
        max_connections,
        sqlite_pragmas: vec![
            // 64 MB of page cache per connection.
            "PRAGMA cache_size = -65536",
            // Reads through a 4 GB map (address space, not memory).
            "PRAGMA mmap_size = 4294967296",
            "PRAGMA temp_store = MEMORY",
        ],
    }
}

fn lock<T>(mutex: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Writes a group of insertions in one transaction and answers each. A database error on any
/// of them rolls the group back and writes each one alone, so one bad order fails only itself.
async fn write_batch(pool: &AnyPool, backend: Backend, batch: Vec<PendingInsert>) {
    if batch.is_empty() {
        return;
    }
    let started = std::time::Instant::now();
    let size = batch.len();
    if batch.len() > 1 {
        let orders: Vec<(&NewOrder, u32)> = batch.iter().map(|p| (&p.order, p.max_open)).collect();
        match write_in_one(pool, backend, &orders).await {
            Ok(results) => {
                for (pending, result) in batch.into_iter().zip(results) {
                    // The caller may be gone.
                    let _ = pending.reply.send(result);
                }
                debug!(size, elapsed_us = started.elapsed().as_micros(), "Group commit.");
                return;
            }
            Err(error) => {
                debug!(%error, size, "Group commit failed; writing its orders one by one.");
            }
        }
    }
    for pending in batch {
        let result = match write_in_one(pool, backend, &[(&pending.order, pending.max_open)]).await
        {
            Ok(mut results) => results.pop().unwrap_or(Ok(false)),
            Err(error) => Err(error),
        };
        let _ = pending.reply.send(result);
    }
}

/// One transaction of insertions: `Err` for a database error (nothing written), otherwise each
/// order's answer (a refusal writes nothing of that order).
async fn write_in_one(
    pool: &AnyPool,
    backend: Backend,
    orders: &[(&NewOrder, u32)],
) -> Result<Vec<Result<bool>>> {
    let mut tx = poco_db::begin_write(pool, backend).await?;
    let mut results = Vec::with_capacity(orders.len());
    for (order, max_open) in orders {
        let signer = address_text(order.signer);
        if *max_open == u32::MAX {
            // No limit (bulk tools, benchmarks): nothing to count.
            let done = insert_sql(order).query().execute(&mut *tx).await?;
            results.push(Ok(done.rows_affected() > 0));
            continue;
        }
        // Counting stops at the limit: a signer with many orders costs no more than that.
        let mut count = Sql::new(&format!(
            "SELECT COUNT(*) AS n FROM (SELECT 1 FROM orders WHERE signer = $1 AND book = {} \
             AND status = {} LIMIT {max_open}) AS open_orders",
            order.book.index(),
            OrderStatus::Open.index(),
        ));
        count.binds.push(Bind::Text(signer.clone()));
        let open: i64 = count.query().fetch_one(&mut *tx).await?.try_get("n")?;
        if open >= i64::from(*max_open) {
            results.push(Err(MarketError::refused(
                poco_market_api::ErrorCode::TooManyOpenOrders,
                format!(
                    "{signer} already has {open} open {} orders (the limit is {max_open})",
                    order.book
                ),
            )));
            continue;
        }
        let done = insert_sql(order).query().execute(&mut *tx).await?;
        results.push(Ok(done.rows_affected() > 0));
    }
    tx.commit().await?;
    Ok(results)
}

/// `SELECT columns FROM orders` for one page of `book` (see [`Store::list`]).
///
/// The book and the status are written into the SQL text (they are our own small integers, not
/// input) so that SQLite's planner can use the partial indexes of each book; everything else is
/// a parameter.
fn page_sql(
    columns: &str,
    book: Book,
    status: OrderStatus,
    filter: &ListFilter,
    cursor: Option<&PageCursor>,
    limit: u32,
) -> Sql {
    let mut sql = Sql::new(&format!(
        "SELECT {columns} FROM orders WHERE book = {} AND status = {}",
        book.index(),
        status.index()
    ));
    for (column, address) in &filter.exact {
        sql.push(&format!(" AND {} = ", column.name())).text(address_text(*address));
    }
    for (column, address) in &filter.admits {
        sql.push(&format!(" AND {} IN (", column.name()))
            .text(address_text(Address::ZERO))
            .push(", ")
            .text(address_text(*address))
            .push(")");
    }
    let ranges = [
        ("category", "=", filter.category),
        ("trust", ">=", filter.min_trust),
        ("trust", "<=", filter.max_trust),
        ("remaining", ">=", filter.min_remaining),
        ("price", "<=", filter.max_price),
        ("price", ">=", filter.min_price),
    ];
    for (column, op, value) in ranges {
        if let Some(value) = value {
            sql.push(&format!(" AND {column} {op} ")).int(value);
        }
    }
    if let Some(tag) = filter.min_tag {
        for (i, word) in tag_words(tag).into_iter().enumerate() {
            if word != 0 {
                sql.push(&format!(" AND (tag{i} & ")).int(word).push(") = ").int(word);
            }
        }
    }
    if let Some(tag) = filter.max_tag {
        for (i, word) in tag_words(tag).into_iter().enumerate() {
            let outside = !word;
            if outside != 0 {
                sql.push(&format!(" AND (tag{i} & ")).int(outside).push(") = 0");
            }
        }
    }
    for (column, value) in
        [("region", &filter.region), ("energy", &filter.energy), ("hardware", &filter.hardware)]
    {
        if let Some(value) = value {
            sql.push(&format!(" AND {column} = ")).text(value.clone());
        }
    }
    let descending = book == Book::Request;
    if let Some(cursor) = cursor {
        let beyond = if descending { "<" } else { ">" };
        sql.push(&format!(" AND (price {beyond} ")).int(cursor.price);
        sql.push(" OR (price = ").int(cursor.price);
        sql.push(" AND (published_at > ").int(cursor.published_at);
        sql.push(" OR (published_at = ").int(cursor.published_at);
        sql.push(" AND hash > ").text(cursor.hash.clone()).push("))))");
    }
    let direction = if descending { "DESC" } else { "ASC" };
    sql.push(&format!(" ORDER BY price {direction}, published_at ASC, hash ASC LIMIT "));
    sql.int(i64::from(limit));
    sql
}

/// The upsert of one order (see [`Store::insert`]).
fn insert_sql(order: &NewOrder) -> Sql {
    let mut sql = Sql::new(
        "INSERT INTO orders (hash, book, status, signer, app, dataset, workerpool, requester, \
         beneficiary, price, app_max_price, dataset_max_price, category, trust, tag0, tag1, \
         tag2, tag3, volume, consumed, remaining, published_at, region, energy, hardware, \
         body) VALUES ",
    );
    push_values(&mut sql, order);
    sql.push(
        " ON CONFLICT (hash) DO UPDATE SET status = excluded.status, signer = excluded.signer, \
         consumed = excluded.consumed, remaining = excluded.remaining, \
         published_at = excluded.published_at, region = excluded.region, \
         energy = excluded.energy, hardware = excluded.hardware, body = excluded.body \
         WHERE orders.status <> ",
    );
    sql.int(OrderStatus::Open.index());
    sql
}

/// `(…)`: the values of one order's row.
fn push_values(sql: &mut Sql, order: &NewOrder) {
    let c = &order.columns;
    let tag = tag_words(c.tag);
    let remaining = order.volume.saturating_sub(order.consumed);
    sql.push("(");
    sql.text(format!("{:#x}", order.hash.0)).push(", ");
    sql.int(order.book.index()).push(", ");
    sql.int(OrderStatus::Open.index()).push(", ");
    sql.text(address_text(order.signer)).push(", ");
    for address in [c.app, c.dataset, c.workerpool, c.requester, c.beneficiary] {
        sql.text(address_text(address)).push(", ");
    }
    for value in [c.price, c.app_max_price, c.dataset_max_price, c.category, c.trust] {
        sql.int(saturate(value)).push(", ");
    }
    for word in tag {
        sql.int(word).push(", ");
    }
    sql.text(order.volume.to_string()).push(", ");
    sql.text(order.consumed.to_string()).push(", ");
    sql.int(saturate(remaining)).push(", ");
    sql.int(order.published_at).push(", ");
    let pool = order.pool.clone().unwrap_or_default();
    for value in [pool.region, pool.energy, pool.hardware] {
        match value {
            Some(value) => sql.text(value),
            None => sql.push("NULL"),
        };
        sql.push(", ");
    }
    sql.text(order.body.clone()).push(")");
}

/// A [`CursorStore`] over the store's `watcher_cursor` table.
#[derive(Clone, Debug)]
pub struct DbCursorStore(pub std::sync::Arc<Store>);

impl CursorStore for DbCursorStore {
    async fn load(&mut self) -> Result<Option<Cursor>, CursorError> {
        self.0.load_cursor().await.map_err(cursor_error)
    }

    async fn save(&mut self, cursor: &Cursor) -> Result<(), CursorError> {
        self.0.save_cursor(cursor).await.map_err(cursor_error)
    }
}

fn cursor_error(error: MarketError) -> CursorError {
    CursorError::Backend(Box::new(error))
}
