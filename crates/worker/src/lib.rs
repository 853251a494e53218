//! The worker agent of poco: what a provider runs to earn from its machine.
//!
//! It joins one workerpool's scheduler (signed login, registration, heartbeat), asks for work,
//! and for each task it is given: fetches the app (a WASM module by URL or path, or a local
//! Docker image) and checks it against the app's on-chain checksum, fetches the dataset and the
//! input files, runs the app in a sandbox (`poco-sandbox`) under the reference app contract,
//! sends the app's logs, computes the result digest by the reference rules, checks its stake,
//! contributes on chain with the scheduler's authorization, reveals when asked, uploads the
//! result archive to the results service when chosen, and reports each step.
//!
//! ```text
//!   scheduler ◄──HTTP── SchedulerClient ◄── agent (session, heartbeat, push, work loop)
//!                                               │ one task per assignment
//!                                               ▼
//!   journal (SQL) ◄── task::run: fetch ─► sandbox ─► result ─► contribute ─► reveal ─► upload
//!                                                               │   chain (hub)   │  results service
//! ```
//!
//! Every step that cannot be taken back is journaled first ([`journal`]); a restarted worker
//! asks the chain (`viewContribution`) before sending anything again, so it never contributes
//! twice.
//!
//! Main types: [`WorkerConfig`], [`spawn`] → [`WorkerHandle`], [`SchedulerClient`], [`Journal`].
//! Feature `cli` (default): the `poco-worker` binary.
#![cfg_attr(not(test), warn(unused_crate_dependencies))]

mod agent;
pub mod chain;
pub mod client;
mod config;
mod error;
pub mod fetch;
pub mod journal;
pub mod result;
pub mod task;

pub use agent::{WorkerHandle, spawn};
pub use client::SchedulerClient;
pub use config::{Backoff, Faults, FetchLimits, WorkerConfig};
pub use error::{ClientError, Error, Failure, Result};
pub use journal::{Entry, Journal, Step};

// Used by the binary only.
#[cfg(feature = "cli")]
use clap as _;
#[cfg(feature = "cli")]
use eyre as _;
#[cfg(feature = "cli")]
use toml as _;
#[cfg(feature = "cli")]
use tracing_subscriber as _;
// Deflate for the result archives (zip's flate2 backend) and the id of its pure-Rust backend.
use flate2 as _;
