//! poco's `results` service: where workers put the result archive of a task, and where
//! requesters (and anyone) fetch it, in the role of iExec's result proxy (offchain reference
//! §4.1) but with the archive served by the service itself.
//!
//! ```text
//!  PUT /v1/results/{taskId} ─▶ headers parsed ─▶ worker signature (upload_message) ─▶ chain:
//!    viewTask (ACTIVE|REVEALING), viewDeal → workerpool owner (or TEE broker) signed the
//!    authorization ─▶ one archive per task ─▶ body streamed to staging/ (SHA-256, size limit)
//!    ─▶ blobs/sha256/<hex> ─▶ tasks/<taskId>.json (create-if-absent) ─▶ 201 UploadReceipt
//!  GET|HEAD /v1/results/{taskId} ─▶ record ─▶ archive stream, content-length, sha256, etag
//!  GET /v1/results/{taskId}/check ─▶ after finalize: on-chain `results` is this archive's
//!    link, and the archive's result digest (reference rules) is the on-chain resultDigest
//!  GET /metrics (Prometheus), GET /health
//! ```
//!
//! - [`spawn`] a [`ResultsConfig`] → [`ResultsHandle`]; [`router`] for in-process use.
//! - [`ResultStore`]: object_store layout and why the index lives there (not in SQL).
//! - [`ChainReader`]: hub reads through `poco-chain`.
//! - [`archive_result_digest`]: the reference worker's digest rules over a zip.
//! - Errors answer an `ErrorBody` with a stable `ErrorCode` from `poco-results-api`.
//!
//! Feature `s3` (default): S3 stores through object_store's `AmazonS3Builder`; feature `cli`
//! (default): the `poco-results` binary.
//!
//! # Running it
//!
//! ```text
//! poco-results --data-dir ./results --listen 127.0.0.1:13200 \
//!              --rpc-url http://127.0.0.1:8545 --chain-id 31337 \
//!              --hub 0x0165878A594ca255338adfa4d48449f69242Eb8F --max-size 10485760
//! ```
//!
//! With `--store-url s3://bucket` the archives go to S3 (or any S3-compatible store) instead of
//! `--data-dir`; `--store-config <file>` gives the builder's options as `key=value` lines, with
//! the names of object_store's `AmazonS3ConfigKey` (`aws_region`, `aws_endpoint`,
//! `aws_access_key_id`, `aws_secret_access_key`, `aws_session_token`, `aws_allow_http`, …), so
//! credentials stay out of the command line. The index needs conditional creates
//! (`If-None-Match: *`), which AWS S3 and most compatible stores support.
//!
//! # Rules
//!
//! - Accepted while the task is ACTIVE or REVEALING; refused for an uninitialized task
//!   (`TASK_NOT_FOUND`) and a COMPLETED or FAILED one (`TASK_NOT_ACTIVE`).
//! - The authorization must recover to the signer `contribute` would accept: the deal's
//!   workerpool owner, or the TEE broker when the authorization has an enclave challenge and a
//!   broker is set.
//! - One archive per task: the first accepted wins; the same bytes again answer `200` with
//!   `created: false`; other bytes answer `ALREADY_UPLOADED`.
//! - The size limit is checked against `content-length` before anything is read, and counted
//!   while streaming otherwise; a refused upload leaves nothing in the store.
//! - Downloads are public (as IPFS links are in iExec): confidential results must be encrypted
//!   by the app or the enclave before upload.
#![cfg_attr(not(test), warn(unused_crate_dependencies))]

// Dependencies of the `poco-results` binary only.
#[cfg(feature = "cli")]
use {clap as _, eyre as _, tracing_subscriber as _};
// Only selects the deflate backend of `zip`.
use flate2 as _;
use url as _;

mod chain;
mod config;
mod digest;
mod error;
mod metrics;
mod server;
mod store;

pub use chain::ChainReader;
pub use config::{
    DEFAULT_CHECK_INTERVAL, DEFAULT_IDLE_TIMEOUT, DEFAULT_LISTEN, DEFAULT_MAX_SIZE, ResultsConfig,
    StoreConfig,
};
pub use digest::{DigestError, archive_result_digest, sha256};
pub use error::{ApiError, Error};
pub use metrics::Metrics;
pub use server::{AppState, check_task, router};
pub use store::{ResultRecord, ResultStore, Staging, StoreError};

use poco_chain::ChainClient;
use std::{net::SocketAddr, time::Duration};
use tokio::{net::TcpListener, sync::watch, task::JoinHandle};
use tracing::{debug, info, warn};

/// A running service.
#[derive(Debug)]
pub struct ResultsHandle {
    local_addr: SocketAddr,
    state: AppState,
    shutdown: watch::Sender<bool>,
    task: JoinHandle<std::io::Result<()>>,
    checker: Option<JoinHandle<()>>,
}

/// Starts a service: opens the store, connects to the chain, listens.
pub async fn spawn(config: ResultsConfig) -> Result<ResultsHandle, Error> {
    let store = ResultStore::open(&config.store)?;
    let client = ChainClient::connect(config.chain.clone()).await?;
    let chain = ChainReader::new(client, config.hub);
    let state = AppState::new(store, chain, config.max_size, config.idle_timeout);
    let listener = TcpListener::bind(config.listen)
        .await
        .map_err(|source| Error::Bind { addr: config.listen, source })?;
    let local_addr =
        listener.local_addr().map_err(|source| Error::Bind { addr: config.listen, source })?;
    let (shutdown, stop) = watch::channel(false);
    let app = router(state.clone());
    let mut server_stop = stop.clone();
    let task = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                // A dropped sender stops the server too.
                let _ = server_stop.wait_for(|stopped| *stopped).await;
            })
            .await
    });
    let checker = config
        .check_interval
        .map(|interval| tokio::spawn(check_loop(state.clone(), interval, stop)));
    info!(%local_addr, hub = %config.hub, max_size = config.max_size, "Results service listening.");
    Ok(ResultsHandle { local_addr, state, shutdown, task, checker })
}

/// Every `interval`, checks the archives whose task has no final check yet (see
/// [`check_task`]), until `stop` turns true.
async fn check_loop(state: AppState, interval: Duration, mut stop: watch::Receiver<bool>) {
    let mut ticks = tokio::time::interval(interval);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = stop.wait_for(|stopped| *stopped) => return,
            _ = ticks.tick() => {}
        }
        let tasks = match state.store().unchecked_tasks().await {
            Ok(tasks) => tasks,
            Err(error) => {
                warn!(%error, "Could not list the archives to check.");
                continue;
            }
        };
        for task_id in tasks {
            match check_task(&state, task_id).await {
                Ok(report) => debug!(%task_id, state = report.state.as_str(), "Checked."),
                Err(error) => warn!(%task_id, %error, "Check failed; retried next round."),
            }
        }
    }
}

impl ResultsHandle {
    /// The address the service listens on.
    pub const fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// `http://<addr>`.
    pub fn url(&self) -> String {
        format!("http://{}", self.local_addr)
    }

    /// The service's store.
    pub fn store(&self) -> &ResultStore {
        self.state.store()
    }

    /// Waits until the server stops (it only stops on [`Self::shutdown`] or an error).
    pub async fn stopped(&mut self) -> Result<(), Error> {
        match (&mut self.task).await {
            Ok(result) => result.map_err(Error::Serve),
            Err(join) => Err(Error::Serve(std::io::Error::other(join))),
        }
    }

    /// Stops accepting connections and the background checks, lets requests in flight
    /// finish, and waits.
    pub async fn shutdown(mut self) -> Result<(), Error> {
        self.shutdown.send_replace(true);
        if let Some(checker) = self.checker.take() {
            // The loop returns at its next await point; a panic in it is not the server's.
            let _ = checker.await;
        }
        self.stopped().await
    }
}
