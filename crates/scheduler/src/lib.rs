//! poco's workerpool scheduler (foundations): the task and replicate state machines as explicit
//! transition tables ([`machine`]) and the SQL [`Store`] that applies them atomically, keeping
//! every transition with its time, event and cause as the task's timeline; the worker
//! [`Registry`] (signed login, sessions, registration, heartbeat, loss detection) and its HTTP
//! routes ([`router`]).
//!
//! The HTTP contract with workers and requesters is in `poco-scheduler-api`.
#![cfg_attr(not(test), warn(unused_crate_dependencies))]

// Dependencies of the `poco-scheduler` binary only.
#[cfg(feature = "cli")]
use {clap as _, eyre as _};

pub mod api;
mod config;
mod deals;
pub mod dispatch;
mod driver;
mod engine;
mod engine_store;
mod error;
#[cfg(feature = "cli")]
pub mod logs;
pub mod machine;
pub mod metrics;
mod open_tasks;
pub mod public;
pub mod publisher;
pub mod registry;
mod reports;
mod service;
mod store;
mod store_public;

pub use api::{WorkerApi, router};
pub use config::SchedulerConfig;
pub use deals::{DealInfo, executor_of};
pub use engine::{Engine, EngineConfig, EngineError};
pub use engine_store::TaskProgress;
pub use error::{Result, StoreError};
pub use machine::{
    ReplicateEvent, TaskEvent, TransitionError, replicate_transition, task_transition,
};
pub use metrics::Metrics;
pub use public::{PublicApi, RequesterSource, pool_stats, public_router};
pub use publisher::{
    PassReport, PublishedOrder, PublishedState, Publisher, PublisherConfig, PublisherError,
};
pub use registry::{Registry, RegistryConfig};
pub use service::{SchedulerHandle, SpawnError, spawn};
pub use store::{Backend, NewTask, ReplicateRecord, Store, TaskRecord};
