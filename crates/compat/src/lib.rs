//! Compatibility harness of poco with the reference iExec PoCo 6.1.0.
//!
//! Scripted PoCo flows run through the `IPoco` interface against either implementation,
//! deployed side by side on one anvil; their end states are compared field by field
//! (differential tests, `tests/it`) and the gas of every transaction is recorded (the
//! `gas-bench` binary). A dev/test crate: nothing in the product depends on it.
//!
//! ```text
//!  Harness::start()  anvil (fixed 1 s block interval) + deploy_protocol + deploy_reference
//!        │             + evm_snapshot of that base state
//!        ├─ run(Poco, scenario)       ─ revert to base ─▶ Driver ─▶ scenario ─▶ Snapshot, gas
//!        └─ run(Reference, scenario)  ─ revert to base ─▶ Driver ─▶ scenario ─▶ Snapshot, gas
//!  Snapshot::diff(ours, reference)  → field-by-field differences (labels, not addresses)
//! ```
//!
//! Both runs start from the same chain state and send the same transactions, so block
//! timestamps are identical and every time field (deadlines, start times) compares directly.
//!
//! - [`Protocol`]: hub, RLC, registries, chain id — from either deployment.
//! - [`Driver`]: funding, assets, order signing/presigning/closing, matching, the task
//!   lifecycle, time travel; gas of every receipt as [`GasRecord`]s; [`Driver::snapshot`].
//! - [`scenarios`]: the scripted flows shared by the tests and the benchmark.
//! - [`Harness`]: anvil, both deployments, and running a scenario on each.
#![cfg_attr(not(test), warn(unused_crate_dependencies))]

pub mod actors;
pub mod driver;
mod error;
pub mod events;
pub mod gas;
pub mod harness;
pub mod orders;
mod protocol;
pub mod scenarios;
pub mod snapshot;

pub use actors::{Actors, Role};
pub use driver::Driver;
pub use error::{Error, Result};
pub use gas::GasRecord;
pub use harness::Harness;
pub use protocol::{Flavor, Protocol};
pub use snapshot::Snapshot;

// The gas-bench binary's dependencies.
use clap as _;
use eyre as _;
use tokio as _;
