//! Run any app safely: the executors behind one trait.
//!
//! An app is run under the reference app contract (ARCHITECTURE.md decision 4,
//! offchain-reference §2): its inputs in `/iexec_in` (read-only), its outputs in `/iexec_out`
//! (the only writable place), the reference environment variables ([`AppEnv`]), its arguments;
//! the app writes `computed.json` (and `error.txt` on a graceful failure). Nothing else of the
//! host is visible, and there is no network unless the spec allows it.
//!
//! ```text
//!   worker ──RunSpec──► dyn Executor ──┬─► WasmExecutor   (wasmtime, WASI preview 1)
//!                                      └─► DockerExecutor (bollard → local dockerd)
//!          ◄─RunOutcome{cause, stdout, stderr, timings}── or SandboxError
//! ```
//!
//! - [`Executor::run`] returns a [`RunOutcome`] whenever the app started: its [`ExitCause`]
//!   (`Completed`, `Failed { exit_code }`, `Timeout`, `OutOfMemory`, `OutOfFuel`, `Crashed`), the
//!   tail of stdout and stderr (capped), and timings. A [`SandboxError`] means the sandbox could
//!   not run the app at all (bad spec, invalid module, missing image, daemon down); each has a
//!   stable [`SandboxError::code`].
//! - [`Limits`]: wall-clock timeout, memory, CPU and processes (Docker), fuel (WASM), output cap.
//!
//! Feature flags: `wasm` (wasmtime) and `docker` (bollard), both on by default.
//!
//! ```no_run
//! # async fn example() -> Result<(), poco_sandbox::SandboxError> {
//! use poco_sandbox::{AppImage, Executor, RunSpec, WasmConfig, WasmExecutor};
//! let executor = WasmExecutor::new(WasmConfig::default())?;
//! let spec = RunSpec::new(AppImage::Wasm { module: "apps/hello/hello.wasm".into() }, "in", "out")
//!     .with_args(["world"]);
//! let outcome = executor.run(spec).await?;
//! assert!(outcome.cause.is_success());
//! # Ok(()) }
//! ```

#![cfg_attr(not(test), warn(unused_crate_dependencies))]
// Without an executor the runtime dependencies have nothing to do.
#![cfg_attr(not(any(feature = "wasm", feature = "docker")), allow(unused_crate_dependencies))]

mod env;
mod error;
mod outcome;
mod spec;

#[cfg(feature = "docker")]
pub mod docker;
#[cfg(feature = "wasm")]
pub mod wasm;

pub use env::AppEnv;
pub use error::SandboxError;
pub use outcome::{CapturedOutput, ExitCause, RunOutcome, RunTimings};
pub use spec::{AppImage, IEXEC_IN, IEXEC_OUT, Limits, NetworkPolicy, RunSpec};

#[cfg(feature = "docker")]
pub use docker::{DockerConfig, DockerExecutor};
#[cfg(feature = "wasm")]
pub use wasm::{WasmConfig, WasmExecutor};

// Used by the benchmark binary only.
use clap as _;
use eyre as _;
use serde_json as _;
use tempfile as _;
use tracing_subscriber as _;

/// Which executor runs an app.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ExecutorKind {
    /// WASM modules under wasmtime.
    Wasm,
    /// Docker containers.
    Docker,
}

/// Runs an app described by a [`RunSpec`] in a sandbox, and says how it ended.
///
/// Implementations are cheap to share (`Arc<dyn Executor>`) and run many specs at once.
#[async_trait::async_trait]
pub trait Executor: Send + Sync {
    /// Which executor this is.
    fn kind(&self) -> ExecutorKind;

    /// Runs the app to its end (or its kill). `Ok` whenever the app started, whatever its end;
    /// `Err` when it could not be started, in which case nothing ran.
    async fn run(&self, spec: RunSpec) -> Result<RunOutcome, SandboxError>;
}
