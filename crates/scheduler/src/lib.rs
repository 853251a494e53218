//! poco's workerpool scheduler (foundations): the task and replicate state machines as explicit
//! transition tables ([`machine`]) and the SQL [`Store`] that applies them atomically, keeping
//! every transition with its time, event and cause as the task's timeline; the worker
//! [`Registry`] (signed login, sessions, registration, heartbeat, loss detection) and its HTTP
//! routes ([`router`]).
//!
//! The HTTP contract with workers and requesters is in `poco-scheduler-api`.
#![cfg_attr(not(test), warn(unused_crate_dependencies))]

pub mod api;
mod error;
pub mod machine;
pub mod registry;
mod store;

pub use api::{WorkerApi, router};
pub use error::{Result, StoreError};
pub use machine::{
    ReplicateEvent, TaskEvent, TransitionError, replicate_transition, task_transition,
};
pub use registry::{Registry, RegistryConfig};
pub use store::{Backend, NewTask, ReplicateRecord, Store, TaskRecord};
