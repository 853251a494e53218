//! The worker's side of the session: registration, heartbeat and asking for work.

use alloy_primitives::{Address, B256, U256};
use poco_primitives::{DealId, Tag, TaskId, contribution::WorkerpoolAuthorization};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// How a worker can run apps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Executor {
    /// OCI images through a local Docker daemon.
    Docker,
    /// WebAssembly modules (WASI preview 1).
    Wasm,
}

/// Upper bounds a registration must respect (sanity, not policy).
pub mod limits {
    /// Most cores a worker may declare.
    pub const MAX_CORES: u32 = 4096;
    /// Most GPUs a worker may declare.
    pub const MAX_GPUS: u32 = 64;
    /// Most parallel tasks a worker may declare.
    pub const MAX_PARALLEL_TASKS: u32 = 1024;
    /// Longest worker name, in bytes.
    pub const MAX_NAME_LEN: usize = 64;
}

/// `POST /v1/workers/register` (bearer): what the worker offers. Registering again replaces it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Registration {
    /// A name for the operator's dashboards (1–64 printable characters).
    pub name: String,
    /// The worker software's version (semver text).
    pub version: String,
    /// CPU cores the worker gives to tasks.
    pub cores: u32,
    /// Memory the worker gives to tasks, in MiB.
    pub memory_mib: u64,
    /// GPUs the worker gives to tasks.
    pub gpus: u32,
    /// How it runs apps (at least one).
    pub executors: BTreeSet<Executor>,
    /// What it can serve (TEE frameworks, GPU): the tag bits of the tasks it accepts.
    pub tags: Tag,
    /// Most tasks it runs at once (1 ≤ n ≤ cores); the scheduler never hands out more.
    pub max_parallel_tasks: u32,
}

/// Why a registration is refused (answered as `INVALID_REGISTRATION`).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RegistrationError {
    /// The name is empty, too long or has control characters.
    #[error("name must be 1-{} printable characters", limits::MAX_NAME_LEN)]
    Name,
    /// `cores` is zero or above the limit.
    #[error("cores must be 1-{}", limits::MAX_CORES)]
    Cores,
    /// `memoryMib` is zero.
    #[error("memoryMib must be positive")]
    Memory,
    /// `gpus` is above the limit.
    #[error("gpus must be at most {}", limits::MAX_GPUS)]
    Gpus,
    /// No executor.
    #[error("executors must name at least one of docker, wasm")]
    Executors,
    /// `maxParallelTasks` is zero, above `cores` or above the limit.
    #[error("maxParallelTasks must be 1-min(cores, {})", limits::MAX_PARALLEL_TASKS)]
    MaxParallelTasks,
    /// The GPU tag bit is set without any GPU.
    #[error("the GPU tag needs gpus > 0")]
    GpuTagWithoutGpu,
}

impl Registration {
    /// Checks the fields' ranges.
    pub fn validate(&self) -> Result<(), RegistrationError> {
        if self.name.is_empty()
            || self.name.len() > limits::MAX_NAME_LEN
            || self.name.chars().any(char::is_control)
        {
            return Err(RegistrationError::Name);
        }
        if self.cores == 0 || self.cores > limits::MAX_CORES {
            return Err(RegistrationError::Cores);
        }
        if self.memory_mib == 0 {
            return Err(RegistrationError::Memory);
        }
        if self.gpus > limits::MAX_GPUS {
            return Err(RegistrationError::Gpus);
        }
        if self.executors.is_empty() {
            return Err(RegistrationError::Executors);
        }
        if self.max_parallel_tasks == 0
            || self.max_parallel_tasks > self.cores
            || self.max_parallel_tasks > limits::MAX_PARALLEL_TASKS
        {
            return Err(RegistrationError::MaxParallelTasks);
        }
        if self.tags.has_bit(poco_primitives::TagBit::Gpu.index()) && self.gpus == 0 {
            return Err(RegistrationError::GpuTagWithoutGpu);
        }
        Ok(())
    }
}

/// The answer to a registration, and `GET /v1/workers/config`: how the pool wants to be used.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PoolConfig {
    /// The chain id.
    pub chain_id: u64,
    /// The workerpool.
    pub workerpool: Address,
    /// The address that signs authorizations (the pool's owner).
    pub scheduler: Address,
    /// Where results are uploaded (the results service's base URL).
    pub results_url: String,
    /// Ping at least this often (ms); silence for `lostAfterMs` declares the worker lost.
    pub heartbeat_period_ms: u64,
    /// Silence after which the worker is lost and its replicates reassigned (ms).
    pub lost_after_ms: u64,
    /// The longest an ask-for-work long poll is held (ms).
    pub max_wait_ms: u64,
    /// Changes whenever anything above changes: a worker seeing a new value re-reads the config.
    pub config_hash: B256,
}

/// `POST /v1/workers/heartbeat` (bearer): the worker is alive and runs these tasks.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Heartbeat {
    /// The tasks the worker is working on.
    pub running: Vec<TaskId>,
}

/// The answer to a heartbeat.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HeartbeatAck {
    /// The pool config's hash ([`PoolConfig::config_hash`]).
    pub config_hash: B256,
    /// Tasks the scheduler believes the worker holds (a restarted worker resumes these).
    pub assigned: Vec<TaskId>,
    /// Tasks the worker reported that it should drop (aborted, completed or never assigned).
    pub abandon: Vec<TaskId>,
}

/// `GET /v1/work?waitMs=` (bearer): ask for a task, held up to `waitMs` (capped by the pool's
/// `maxWaitMs`) until one is available. Answered with [`Assignment`] (200) or nothing (204).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkQuery {
    /// How long to hold the request when nothing is available (ms; 0 answers at once).
    #[serde(default)]
    pub wait_ms: u64,
}

/// What the app is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppSpec {
    /// The app's registry address.
    pub address: Address,
    /// How it runs.
    pub executor: Executor,
    /// Where it is (image reference or module URL; the app's on-chain multiaddr).
    pub multiaddr: String,
    /// Its on-chain checksum (image digest or module SHA-256).
    pub checksum: B256,
}

/// The dataset a task reads, if any.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DatasetSpec {
    /// The dataset's registry address.
    pub address: Address,
    /// Where it is.
    pub multiaddr: String,
    /// Its on-chain checksum.
    pub checksum: B256,
}

/// Everything a worker needs to run one task.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskSpec {
    /// The task.
    pub task_id: TaskId,
    /// Its deal.
    pub deal_id: DealId,
    /// Its index in the deal.
    pub task_index: U256,
    /// The app.
    pub app: AppSpec,
    /// The dataset, if any.
    pub dataset: Option<DatasetSpec>,
    /// The requester's arguments (`iexec_args`).
    pub args: String,
    /// Input file URLs.
    pub input_files: Vec<String>,
    /// The deal's tag.
    pub tag: Tag,
    /// The deal's trust.
    pub trust: U256,
    /// The longest the app may run (the category's work clock, in seconds).
    pub max_run_seconds: u64,
    /// Contributions after this are refused on chain (seconds since the epoch).
    pub contribution_deadline: u64,
    /// The task is claimable after this (seconds since the epoch).
    pub final_deadline: u64,
    /// The deal's beneficiary (results are for them).
    pub beneficiary: Address,
    /// The callback contract, zero if none.
    pub callback: Address,
}

/// The answer to an ask for work: the task and the scheduler's signed authorization, which the
/// worker passes to `contribute` and to the results service.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Assignment {
    /// The task.
    pub task: TaskSpec,
    /// The scheduler's authorization for this worker and task.
    pub authorization: WorkerpoolAuthorization,
}

#[cfg(test)]
mod tests {
    use super::*;
    use poco_primitives::TagBit;

    fn registration() -> Registration {
        Registration {
            name: "w1".into(),
            version: "0.1.0".into(),
            cores: 4,
            memory_mib: 8192,
            gpus: 0,
            executors: [Executor::Docker, Executor::Wasm].into(),
            tags: Tag::NONE,
            max_parallel_tasks: 4,
        }
    }

    #[test]
    fn registration_ranges_are_checked() {
        assert_eq!(registration().validate(), Ok(()));
        type Edit = fn(&mut Registration);
        let cases: [(Edit, RegistrationError); 8] = [
            (|r| r.name.clear(), RegistrationError::Name),
            (|r| r.name = "a\nb".into(), RegistrationError::Name),
            (|r| r.cores = 0, RegistrationError::Cores),
            (|r| r.memory_mib = 0, RegistrationError::Memory),
            (|r| r.executors.clear(), RegistrationError::Executors),
            (|r| r.max_parallel_tasks = 0, RegistrationError::MaxParallelTasks),
            (|r| r.max_parallel_tasks = 5, RegistrationError::MaxParallelTasks),
            (|r| r.tags = Tag::from_bits([TagBit::Gpu]), RegistrationError::GpuTagWithoutGpu),
        ];
        for (edit, expected) in cases {
            let mut r = registration();
            edit(&mut r);
            assert_eq!(r.validate(), Err(expected));
        }
    }

    #[test]
    fn registration_json_is_camel_case_and_strict() {
        let json = serde_json::to_value(registration()).unwrap();
        assert_eq!(json["maxParallelTasks"], 4);
        assert_eq!(json["executors"], serde_json::json!(["docker", "wasm"]));
        let mut extra = json;
        extra["surprise"] = serde_json::json!(1);
        assert!(serde_json::from_value::<Registration>(extra).is_err());
    }
}
