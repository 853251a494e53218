//! The SQL layer every poco service shares.
//!
//! A service keeps its state in one database reached through sqlx's `Any` driver: a SQLite file
//! in its data folder by default (embedded, nothing to install), PostgreSQL when it is given a
//! `postgres://` URL. [`connect`] opens the pool with the settings each backend needs and brings
//! the service's embedded migrations up to date; [`Backend`] tells the service which SQL dialect
//! it talks, for the few statements that differ.
//!
//! With the `testing` feature, [`testing::TestDb`] gives each test its own database on either
//! backend (see that module for how CI provides PostgreSQL).

use sqlx::{
    AnyPool,
    any::{AnyConnectOptions, AnyPoolOptions},
    migrate::Migrator,
};
use std::{path::Path, str::FromStr, time::Duration};

#[cfg(feature = "testing")]
pub mod testing;

/// What can go wrong opening a database.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The URL is neither a SQLite nor a PostgreSQL one, or the server refused the connection.
    #[error("cannot open the database: {0}")]
    Connect(#[from] sqlx::Error),
    /// The embedded migrations do not apply (a database of another service or a newer version?).
    #[error("cannot migrate the database: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// The database behind a pool.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// SQLite (a file in the data folder by default).
    Sqlite,
    /// PostgreSQL (`postgres://` URLs).
    Postgres,
}

impl Backend {
    /// The backend a URL names: PostgreSQL for `postgres://` and `postgresql://`, SQLite otherwise.
    pub fn of_url(url: &str) -> Self {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Self::Postgres
        } else {
            Self::Sqlite
        }
    }
}

/// The URL of the SQLite database `file` in `data_dir` (the file is created on first use).
pub fn sqlite_url(data_dir: &Path, file: &str) -> String {
    format!("sqlite://{}?mode=rwc", data_dir.join(file).display())
}

/// Settings a service may add to [`connect`]'s (see [`connect_with`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tuning {
    /// Connections in the pool (default: 4 on SQLite, 8 on PostgreSQL).
    pub max_connections: Option<u32>,
    /// SQLite statements run on each new connection after the standard pragmas, e.g.
    /// `"PRAGMA cache_size = -65536"` (ignored on PostgreSQL).
    pub sqlite_pragmas: Vec<&'static str>,
}

/// Opens a pool on `url` and runs `migrator`.
///
/// SQLite connections get a 10 s busy timeout, WAL, `synchronous = NORMAL` and foreign keys;
/// SQLite gets 4 connections, PostgreSQL 8.
pub async fn connect(url: &str, migrator: &Migrator) -> Result<(AnyPool, Backend), DbError> {
    connect_with(url, migrator, &Tuning::default()).await
}

/// [`connect`] with a service's own [`Tuning`] on top of the defaults.
pub async fn connect_with(
    url: &str,
    migrator: &Migrator,
    tuning: &Tuning,
) -> Result<(AnyPool, Backend), DbError> {
    sqlx::any::install_default_drivers();
    let backend = Backend::of_url(url);
    let options = AnyConnectOptions::from_str(url)?;
    let extra = tuning.sqlite_pragmas.clone();
    let pool = AnyPoolOptions::new()
        .max_connections(tuning.max_connections.unwrap_or(match backend {
            Backend::Sqlite => 4,
            Backend::Postgres => 8,
        }))
        .acquire_timeout(Duration::from_secs(10))
        .after_connect(move |conn, _meta| {
            let extra = extra.clone();
            Box::pin(async move {
                if backend == Backend::Sqlite {
                    // The busy timeout first: switching to WAL takes a lock that a connection
                    // opening at the same time may hold.
                    for pragma in [
                        "PRAGMA busy_timeout = 10000",
                        "PRAGMA journal_mode = WAL",
                        "PRAGMA synchronous = NORMAL",
                        "PRAGMA foreign_keys = ON",
                    ] {
                        sqlx::query(pragma).execute(&mut *conn).await?;
                    }
                    for pragma in extra {
                        sqlx::query(pragma).execute(&mut *conn).await?;
                    }
                }
                Ok(())
            })
        })
        .connect_with(options)
        .await?;
    migrator.run(&pool).await?;
    tracing::debug!(?backend, "Database ready.");
    Ok((pool, backend))
}

/// Begins a transaction that will write: `BEGIN IMMEDIATE` on SQLite, so the write lock is
/// taken up front and waits out the busy timeout (a deferred transaction that reads, then
/// writes, fails at once with "database is locked" when another writer got there between);
/// a plain `BEGIN` on PostgreSQL.
pub async fn begin_write(
    pool: &AnyPool,
    backend: Backend,
) -> Result<sqlx::Transaction<'static, sqlx::Any>, sqlx::Error> {
    match backend {
        Backend::Sqlite => pool.begin_with("BEGIN IMMEDIATE").await,
        Backend::Postgres => pool.begin().await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_their_backend() {
        assert_eq!(Backend::of_url("postgres://u@127.0.0.1/db"), Backend::Postgres);
        assert_eq!(Backend::of_url("postgresql://u@127.0.0.1/db"), Backend::Postgres);
        assert_eq!(Backend::of_url("sqlite://x.sqlite?mode=rwc"), Backend::Sqlite);
        let url = sqlite_url(Path::new("/data"), "market.sqlite");
        assert_eq!(url, "sqlite:///data/market.sqlite?mode=rwc");
    }

    #[tokio::test]
    async fn a_sqlite_database_is_created_with_its_pragmas() {
        static EMPTY: Migrator = Migrator::DEFAULT;
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
        let url = sqlite_url(dir.path(), "t.sqlite");
        let (pool, backend) =
            connect(&url, &EMPTY).await.unwrap_or_else(|e| panic!("connect: {e}"));
        assert_eq!(backend, Backend::Sqlite);
        let (mode,): (String,) = sqlx::query_as("PRAGMA journal_mode")
            .fetch_one(&pool)
            .await
            .unwrap_or_else(|e| panic!("pragma: {e}"));
        assert_eq!(mode, "wal");
        assert!(dir.path().join("t.sqlite").exists());
    }

    #[tokio::test]
    async fn tuning_pragmas_apply_to_every_connection() {
        static EMPTY: Migrator = Migrator::DEFAULT;
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
        let url = sqlite_url(dir.path(), "t.sqlite");
        let tuning =
            Tuning { max_connections: Some(2), sqlite_pragmas: vec!["PRAGMA cache_size = -12345"] };
        let (pool, _) =
            connect_with(&url, &EMPTY, &tuning).await.unwrap_or_else(|e| panic!("connect: {e}"));
        // Two connections at once: both have the pragma.
        let mut a = pool.acquire().await.unwrap_or_else(|e| panic!("acquire: {e}"));
        let mut b = pool.acquire().await.unwrap_or_else(|e| panic!("acquire: {e}"));
        for conn in [&mut a, &mut b] {
            let (size,): (i64,) = sqlx::query_as("PRAGMA cache_size")
                .fetch_one(&mut **conn)
                .await
                .unwrap_or_else(|e| panic!("pragma: {e}"));
            assert_eq!(size, -12345);
        }
        assert_eq!(pool.size(), 2);
    }

    #[tokio::test]
    async fn a_bad_url_is_a_connect_error() {
        static EMPTY: Migrator = Migrator::DEFAULT;
        let error = connect("mysql://nowhere/x", &EMPTY).await.err();
        assert!(matches!(error, Some(DbError::Connect(_))), "{error:?}");
    }
}
