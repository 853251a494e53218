//! Test databases on both backends.
//!
//! Every database test of a service runs twice: on a SQLite file in a temp folder, and on a
//! fresh database of the PostgreSQL server at `POCO_TEST_POSTGRES_URL` (CI starts one with
//! `scripts/ci/postgres.sh`). Without that variable the PostgreSQL runs **fail**, unless
//! `POCO_ALLOW_NO_POSTGRES=1` is set (local development without PostgreSQL), in which case
//! [`postgres_url`] says so and the test returns.

use crate::{Backend, sqlite_url};
use rand::RngCore;
use sqlx::Connection;

/// The variable naming the tests' PostgreSQL server.
pub const POSTGRES_URL_VAR: &str = "POCO_TEST_POSTGRES_URL";
/// The variable that lets PostgreSQL tests pass without a server (local development only).
pub const ALLOW_NO_POSTGRES_VAR: &str = "POCO_ALLOW_NO_POSTGRES";

/// The tests' PostgreSQL server, `None` when it is missing and that is allowed.
///
/// # Panics
/// When `POCO_TEST_POSTGRES_URL` is not set and `POCO_ALLOW_NO_POSTGRES=1` is not either: a
/// PostgreSQL test must not pass by not running.
// The tests' edge: their configuration comes from the environment CI sets.
#[allow(clippy::disallowed_methods)]
pub fn postgres_url() -> Option<String> {
    match std::env::var(POSTGRES_URL_VAR) {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var(ALLOW_NO_POSTGRES_VAR).is_ok_and(|v| v == "1") => {
            eprintln!(
                "{POSTGRES_URL_VAR} is not set and {ALLOW_NO_POSTGRES_VAR}=1: PostgreSQL test not run"
            );
            None
        }
        _ => panic!(
            "{POSTGRES_URL_VAR} is not set: start a server with `eval \"$(scripts/ci/postgres.sh start)\"` \
             (or set {ALLOW_NO_POSTGRES_VAR}=1 to run without PostgreSQL locally)"
        ),
    }
}

/// A database for one test: a SQLite file in a temp folder, or a fresh PostgreSQL database.
#[derive(Debug)]
pub struct TestDb {
    /// Its URL, for the service's `connect`.
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    /// A new empty database on `backend`; `prefix` names PostgreSQL databases (`<prefix>_<hex>`)
    /// and SQLite files (`<prefix>.sqlite`).
    ///
    /// # Panics
    /// When the temp folder or the PostgreSQL database cannot be made, or PostgreSQL is asked for
    /// while [`postgres_url`] has none: tests must check [`postgres_url`] first.
    #[allow(clippy::unwrap_used)]
    pub async fn new(backend: Backend, prefix: &str) -> Self {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                Self { url: sqlite_url(dir.path(), &format!("{prefix}.sqlite")), _dir: Some(dir) }
            }
            Backend::Postgres => {
                let server = postgres_url().unwrap();
                sqlx::any::install_default_drivers();
                let mut suffix = [0u8; 8];
                rand::thread_rng().fill_bytes(&mut suffix);
                let hex: String = suffix.iter().map(|b| format!("{b:02x}")).collect();
                let name = format!("{prefix}_{hex}");
                let mut admin = sqlx::AnyConnection::connect(&server).await.unwrap();
                sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut admin).await.unwrap();
                admin.close().await.unwrap();
                let base = server.rsplit_once('/').map_or(server.as_str(), |(base, _)| base);
                Self { url: format!("{base}/{name}"), _dir: None }
            }
        }
    }
}

/// Runs each named `async fn(Backend)` twice, as the tests `<name>::sqlite` and
/// `<name>::postgres` (multi-threaded tokio runtimes: the calling crate needs tokio's `macros`
/// and `rt-multi-thread`). The PostgreSQL run follows [`postgres_url`].
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::Backend::Sqlite).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if $crate::testing::postgres_url().is_none() {
                    return;
                }
                super::$name($crate::Backend::Postgres).await;
            }
        }
    )*};
}
