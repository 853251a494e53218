//! [`WorkerConfig`]: everything a worker agent needs, but its key (given to [`crate::spawn`]
//! separately, loaded by the binary from a keystore or a key file).

use poco_chain::ChainConfig;
use poco_scheduler_api::Executor;
use serde::{Deserialize, Serialize};
use std::{collections::BTreeSet, path::PathBuf, time::Duration};
use url::Url;

/// Sizes the worker accepts and keeps.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FetchLimits {
    /// Largest app module downloaded (bytes).
    pub max_app_bytes: u64,
    /// Largest dataset or input file downloaded (bytes, each).
    pub max_input_bytes: u64,
    /// Bytes kept of each of the app's stdout and stderr (at most the scheduler's 100 000).
    pub log_cap_bytes: usize,
    /// Largest result archive (bytes).
    pub max_result_bytes: u64,
}

impl Default for FetchLimits {
    /// 64 MiB apps, 256 MiB inputs, 100 000-byte logs, 64 MiB results.
    fn default() -> Self {
        Self {
            max_app_bytes: 64 << 20,
            max_input_bytes: 256 << 20,
            log_cap_bytes: poco_scheduler_api::views::LOGS_MAX_BYTES,
            max_result_bytes: 64 << 20,
        }
    }
}

/// How long to wait between attempts when the scheduler cannot be reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Backoff {
    /// The first wait.
    pub min: Duration,
    /// The longest wait (doubling from `min`).
    pub max: Duration,
}

impl Default for Backoff {
    /// 250 ms doubling up to 15 s.
    fn default() -> Self {
        Self { min: Duration::from_millis(250), max: Duration::from_secs(15) }
    }
}

impl Backoff {
    /// The wait before attempt `n` (0-based).
    pub fn delay(&self, attempt: u32) -> Duration {
        self.min.saturating_mul(1u32 << attempt.min(16)).min(self.max)
    }
}

/// Misbehaviour on purpose, for tests of the protocol's defences (never set in production: a
/// faulty worker loses its stake and score).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Faults {
    /// Contribute a result digest that differs from the app's real output.
    pub wrong_result: bool,
}

/// The worker agent's configuration.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkerConfig {
    /// The pool's scheduler (`http://host:port`).
    pub scheduler_url: Url,
    /// The chain: RPC URL, chain id, confirmations, timeouts.
    pub chain: ChainConfig,
    /// The hub's address on that chain.
    pub hub: alloy_primitives::Address,
    /// Where task folders and the journal live.
    pub data_dir: PathBuf,
    /// The journal database: a SQLite file in `data_dir` when `None`, or a `postgres://` URL.
    #[serde(default)]
    pub db_url: Option<String>,
    /// The name shown on the pool's dashboards.
    pub name: String,
    /// How this worker runs apps.
    pub executors: BTreeSet<Executor>,
    /// `unix:///path` of the Docker daemon (for the Docker executor).
    #[serde(default)]
    pub docker_host: Option<String>,
    /// Most tasks at once.
    pub parallel_tasks: u32,
    /// Cores given to tasks (declared to the scheduler).
    pub cores: u32,
    /// Memory given to tasks, in MiB (declared; each task gets its share).
    pub memory_mib: u64,
    /// Download, log and result sizes.
    #[serde(default)]
    pub limits: FetchLimits,
    /// How long one ask for work is held by the scheduler (ms).
    #[serde(default = "default_wait_ms")]
    pub wait_ms: u64,
    /// Waits when the scheduler is down.
    #[serde(default)]
    pub backoff: Backoff,
    /// Timeout of each HTTP call to the scheduler, the results service and downloads.
    #[serde(default = "default_http_timeout")]
    pub http_timeout: Duration,
    /// Faults injected on purpose (tests only; none by default).
    #[serde(default)]
    pub faults: Faults,
}

const fn default_wait_ms() -> u64 {
    20_000
}

const fn default_http_timeout() -> Duration {
    Duration::from_secs(60)
}

impl WorkerConfig {
    /// A configuration with the defaults: the WASM executor, one task at a time on one core with
    /// 1 GiB.
    pub fn new(
        scheduler_url: Url,
        chain: ChainConfig,
        hub: alloy_primitives::Address,
        data_dir: impl Into<PathBuf>,
    ) -> Self {
        Self {
            scheduler_url,
            chain,
            hub,
            data_dir: data_dir.into(),
            db_url: None,
            name: "poco-worker".to_owned(),
            executors: [Executor::Wasm].into(),
            docker_host: None,
            parallel_tasks: 1,
            cores: 1,
            memory_mib: 1024,
            limits: FetchLimits::default(),
            wait_ms: default_wait_ms(),
            backoff: Backoff::default(),
            http_timeout: default_http_timeout(),
            faults: Faults::default(),
        }
    }

    /// Sets the executors.
    pub fn with_executors(mut self, executors: impl IntoIterator<Item = Executor>) -> Self {
        self.executors = executors.into_iter().collect();
        self
    }

    /// Sets the Docker daemon.
    pub fn with_docker_host(mut self, host: impl Into<String>) -> Self {
        self.docker_host = Some(host.into());
        self
    }

    /// Sets the parallel tasks (and at least as many cores).
    pub fn with_parallel_tasks(mut self, n: u32) -> Self {
        self.parallel_tasks = n;
        self.cores = self.cores.max(n);
        self
    }

    /// Sets the long-poll wait.
    pub const fn with_wait_ms(mut self, wait_ms: u64) -> Self {
        self.wait_ms = wait_ms;
        self
    }

    /// Sets the limits.
    pub fn with_limits(mut self, limits: FetchLimits) -> Self {
        self.limits = limits;
        self
    }

    /// Sets the backoff.
    pub const fn with_backoff(mut self, backoff: Backoff) -> Self {
        self.backoff = backoff;
        self
    }

    /// Sets the journal database URL.
    pub fn with_db_url(mut self, url: impl Into<String>) -> Self {
        self.db_url = Some(url.into());
        self
    }

    /// The journal's URL.
    pub fn journal_url(&self) -> String {
        self.db_url.clone().unwrap_or_else(|| poco_db::sqlite_url(&self.data_dir, "worker.sqlite"))
    }

    /// The folder of one task.
    pub fn task_dir(&self, task_id: poco_primitives::TaskId) -> PathBuf {
        self.data_dir.join("tasks").join(task_id.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_its_cap() {
        let backoff = Backoff { min: Duration::from_millis(100), max: Duration::from_secs(1) };
        let delays: Vec<u128> = (0..6).map(|n| backoff.delay(n).as_millis()).collect();
        assert_eq!(delays, [100, 200, 400, 800, 1000, 1000]);
        assert_eq!(backoff.delay(u32::MAX), Duration::from_secs(1));
    }
}
