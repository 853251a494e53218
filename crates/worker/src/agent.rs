//! The agent: [`spawn`] sets up the journal, the chain, the executors and the scheduler client,
//! then runs the session and the work loop until [`WorkerHandle::shutdown`].
//!
//! ```text
//!  spawn ─► resume the journal's in-flight replicates (the chain is asked before any tx)
//!        ─► login + register (backoff while the scheduler is down)
//!        ├─► heartbeat loop: running tasks → {configHash, assigned, abandon}
//!        ├─► push loop: GET /v1/workers/events → each task's action channel
//!        └─► work loop: a free slot → GET /v1/work (long poll) → journal → run the replicate
//! ```

use crate::{
    WorkerConfig,
    chain::WorkerChain,
    client::SchedulerClient,
    error::{Error, Failure, Result},
    journal::{Entry, Journal},
    task::{self, Ending},
};
use poco_chain::{ChainClient, PrivateKeySigner, TxConfig, TxManager};
use poco_primitives::{Tag, TaskId};
use poco_sandbox::{DockerConfig, DockerExecutor, WasmConfig, WasmExecutor};
use poco_scheduler_api::{
    ErrorCode, Executor, NextAction, PushMessage, Registration, ReplicateFailureCause as Cause,
    ReplicateReport, worker::AppSpec,
};
use std::{
    collections::{HashMap, HashSet},
    sync::{Arc, Mutex},
    time::Duration,
};
use tokio::{
    sync::{Semaphore, mpsc, watch},
    task::JoinSet,
};
use tracing::{info, warn};

/// The executors this worker has.
#[derive(Clone, Default)]
pub(crate) struct Executors {
    pub(crate) wasm: Option<Arc<WasmExecutor>>,
    pub(crate) docker: Option<Arc<DockerExecutor>>,
}

/// What every replicate shares.
pub(crate) struct Ctx {
    pub(crate) config: WorkerConfig,
    pub(crate) client: SchedulerClient,
    pub(crate) chain: WorkerChain,
    pub(crate) journal: Journal,
    pub(crate) signer: PrivateKeySigner,
    pub(crate) executors: Executors,
    pub(crate) http: reqwest::Client,
    /// The action channel of each running replicate.
    tasks: Mutex<HashMap<TaskId, mpsc::Sender<NextAction>>>,
}

impl Ctx {
    fn running(&self) -> Vec<TaskId> {
        self.tasks.lock().map(|t| t.keys().copied().collect()).unwrap_or_default()
    }

    fn sender(&self, task_id: TaskId) -> Option<mpsc::Sender<NextAction>> {
        self.tasks.lock().ok().and_then(|t| t.get(&task_id).cloned())
    }
}

/// A running worker agent.
#[derive(Debug)]
pub struct WorkerHandle {
    address: alloy_primitives::Address,
    shutdown: watch::Sender<bool>,
    join: tokio::task::JoinHandle<Result<()>>,
}

impl WorkerHandle {
    /// The worker's address.
    pub const fn address(&self) -> alloy_primitives::Address {
        self.address
    }

    /// Stops the agent: every loop and replicate stops where it is (the journal has what the
    /// next start needs).
    pub async fn shutdown(self) -> Result<()> {
        let _ = self.shutdown.send(true);
        match self.join.await {
            Ok(result) => result,
            Err(error) if error.is_cancelled() => Ok(()),
            Err(error) => Err(Error::Config(format!("the agent panicked: {error}"))),
        }
    }

    /// Kills the agent at once, as a crash would (for tests of the resume path).
    pub fn kill(self) {
        self.join.abort();
    }
}

/// Starts a worker agent with `signer` as its wallet.
pub async fn spawn(config: WorkerConfig, signer: PrivateKeySigner) -> Result<WorkerHandle> {
    if config.executors.is_empty() {
        return Err(Error::Config("at least one executor (wasm, docker) is needed".to_owned()));
    }
    if config.parallel_tasks == 0 || config.parallel_tasks > config.cores {
        return Err(Error::Config("parallel tasks must be 1..=cores".to_owned()));
    }
    let io = |op: &'static str, path: &std::path::Path| {
        let path = path.to_path_buf();
        move |source| Error::Io { op, path, source }
    };
    let tasks_dir = config.data_dir.join("tasks");
    tokio::fs::create_dir_all(&tasks_dir).await.map_err(io("create", &tasks_dir))?;
    let journal = Journal::open(&config.journal_url()).await?;

    let client = ChainClient::connect(config.chain.clone()).await?;
    let tx = TxManager::new(client, signer.clone(), TxConfig::default());
    let chain = WorkerChain::new(tx, config.hub);

    let mut executors = Executors::default();
    if config.executors.contains(&Executor::Wasm) {
        let cache_dir = config.data_dir.join("wasm-cache");
        tokio::fs::create_dir_all(&cache_dir).await.map_err(io("create", &cache_dir))?;
        let wasm =
            WasmExecutor::new(WasmConfig { cache_dir: Some(cache_dir), ..WasmConfig::default() })?;
        executors.wasm = Some(Arc::new(wasm));
    }
    if config.executors.contains(&Executor::Docker) {
        let host =
            config.docker_host.clone().unwrap_or_else(|| "unix:///var/run/docker.sock".to_owned());
        let docker_config = DockerConfig::from_docker_host(&host)
            .ok_or_else(|| Error::Config(format!("docker host {host} is not unix:///path")))?;
        let docker = DockerExecutor::connect(docker_config).await?;
        let removed = docker.remove_stale_containers().await?;
        if removed > 0 {
            info!(removed, "Removed containers a previous run left.");
        }
        executors.docker = Some(Arc::new(docker));
    }

    let registration = Registration {
        name: config.name.clone(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
        cores: config.cores,
        memory_mib: config.memory_mib,
        gpus: 0,
        executors: config.executors.clone(),
        tags: Tag::NONE,
        max_parallel_tasks: config.parallel_tasks,
    };
    registration.validate().map_err(|e| Error::Config(e.to_string()))?;
    let scheduler = SchedulerClient::new(
        config.scheduler_url.clone(),
        signer.clone(),
        registration,
        config.http_timeout,
    )?;
    let http = reqwest::Client::builder()
        .timeout(config.http_timeout)
        .build()
        .map_err(crate::ClientError::Http)?;
    let address = signer.address();
    let ctx = Arc::new(Ctx {
        config,
        client: scheduler,
        chain,
        journal,
        signer,
        executors,
        http,
        tasks: Mutex::new(HashMap::new()),
    });
    let (shutdown, stop) = watch::channel(false);
    let join = tokio::spawn(run(ctx, stop));
    info!(worker = %address, "Worker agent started.");
    Ok(WorkerHandle { address, shutdown, join })
}

/// Checks that a Docker app's image is in the local daemon and that its id (or one of its
/// repository digests) is the app's on-chain checksum.
pub(crate) async fn check_image(docker: &DockerExecutor, app: &AppSpec) -> Result<(), Failure> {
    let reference = app.multiaddr.trim();
    let image = match docker.client().inspect_image(reference).await {
        Ok(image) => image,
        Err(bollard::errors::Error::DockerResponseServerError { status_code: 404, .. }) => {
            return Err(Failure::new(
                Cause::AppNotFound,
                format!("image {reference} is not in the worker's Docker daemon"),
            ));
        }
        Err(error) => return Err(Failure::new(Cause::SandboxFailed, format!("docker: {error}"))),
    };
    if app.checksum.is_zero() {
        warn!(image = reference, "No checksum on chain: image not verified.");
        return Ok(());
    }
    let expected = format!("sha256:{}", alloy_primitives::hex::encode(app.checksum));
    let id_matches = image.id.as_deref() == Some(expected.as_str());
    let digest_matches = image
        .repo_digests
        .iter()
        .flatten()
        .any(|d| d.rsplit_once('@').is_some_and(|(_, digest)| digest == expected));
    if id_matches || digest_matches {
        return Ok(());
    }
    Err(Failure::new(
        Cause::AppChecksumMismatch,
        format!(
            "image {reference}: neither its id nor its digests are the on-chain checksum {}",
            app.checksum
        ),
    ))
}

async fn run(ctx: Arc<Ctx>, mut stop: watch::Receiver<bool>) -> Result<()> {
    let slots = Arc::new(Semaphore::new(ctx.config.parallel_tasks as usize));
    let mut replicates: JoinSet<(TaskId, Ending)> = JoinSet::new();

    // 1. Resume what the journal has in flight, before asking for anything new.
    for entry in ctx.journal.in_flight().await? {
        let permit = Arc::clone(&slots).try_acquire_owned().ok();
        info!(task_id = %entry.task_id(), step = entry.step.as_str(), "Resuming replicate.");
        start(&ctx, &mut replicates, entry, permit);
    }

    // 2. A session (backoff while the scheduler is down).
    let mut attempt = 0;
    loop {
        match ctx.client.connect().await {
            Ok(_) => break,
            Err(error) => {
                let delay = ctx.config.backoff.delay(attempt);
                warn!(%error, delay_ms = delay.as_millis() as u64, "Cannot reach the scheduler; retrying.");
                attempt += 1;
                tokio::select! {
                    () = tokio::time::sleep(delay) => {}
                    _ = stop.changed() => return Ok(()),
                }
            }
        }
    }

    // 3. The loops.
    let mut loops = JoinSet::new();
    loops.spawn(heartbeat_loop(Arc::clone(&ctx)));
    loops.spawn(push_loop(Arc::clone(&ctx)));
    let mut attempt = 0u32;
    loop {
        let permit = tokio::select! {
            permit = Arc::clone(&slots).acquire_owned() => permit.map_err(|_| Error::Config("slots closed".to_owned()))?,
            Some(done) = replicates.join_next() => { ended(&ctx, done); continue; }
            _ = stop.changed() => break,
        };
        let asked = tokio::select! {
            asked = ctx.client.work(ctx.config.wait_ms) => asked,
            _ = stop.changed() => break,
        };
        match asked {
            Ok(Some(assignment)) => {
                attempt = 0;
                let task_id = assignment.task.task_id;
                if assignment.authorization.worker != ctx.chain.worker()
                    || assignment.authorization.task_id != task_id
                {
                    warn!(%task_id, "Assignment with an authorization for someone else; refused.");
                    let failed = ReplicateReport::Failed { cause: Cause::Unknown };
                    let _ = ctx.client.report(task_id, &failed).await;
                    continue;
                }
                match ctx.journal.insert(&assignment).await {
                    Ok(true) => {
                        info!(%task_id, app = %assignment.task.app.address, "Task assigned.");
                        match ctx.journal.get(task_id).await {
                            Ok(Some(entry)) => start(&ctx, &mut replicates, entry, Some(permit)),
                            Ok(None) => warn!(%task_id, "Journaled assignment vanished."),
                            Err(error) => warn!(%error, "Journal read failed."),
                        }
                    }
                    Ok(false) => info!(%task_id, "Assignment already held."),
                    Err(error) => {
                        warn!(%error, %task_id, "Journal write failed; assignment dropped.")
                    }
                }
            }
            Ok(None) => {}
            Err(error) => {
                drop(permit);
                let delay = match error.code() {
                    Some(ErrorCode::NoFreeSlot) => ctx.config.backoff.min,
                    _ => ctx.config.backoff.delay(attempt),
                };
                attempt = attempt.saturating_add(1);
                warn!(%error, delay_ms = delay.as_millis() as u64, "Ask for work failed.");
                tokio::select! {
                    () = tokio::time::sleep(delay) => {}
                    _ = stop.changed() => break,
                }
            }
        }
    }
    loops.shutdown().await;
    replicates.shutdown().await;
    ctx.journal.close().await;
    info!("Worker agent stopped.");
    Ok(())
}

fn start(
    ctx: &Arc<Ctx>,
    replicates: &mut JoinSet<(TaskId, Ending)>,
    entry: Entry,
    permit: Option<tokio::sync::OwnedSemaphorePermit>,
) {
    let task_id = entry.task_id();
    let (sender, receiver) = mpsc::channel(16);
    if let Ok(mut tasks) = ctx.tasks.lock() {
        tasks.insert(task_id, sender);
    }
    let ctx = Arc::clone(ctx);
    replicates.spawn(async move {
        let ending = task::run(Arc::clone(&ctx), entry, receiver).await;
        drop(permit);
        (task_id, ending)
    });
}

fn ended(ctx: &Ctx, done: Result<(TaskId, Ending), tokio::task::JoinError>) {
    match done {
        Ok((task_id, ending)) => {
            if let Ok(mut tasks) = ctx.tasks.lock() {
                tasks.remove(&task_id);
            }
            info!(%task_id, ?ending, "Replicate ended.");
        }
        Err(error) => warn!(%error, "A replicate task panicked."),
    }
}

async fn heartbeat_loop(ctx: Arc<Ctx>) {
    let mut first = true;
    let mut known_hash = ctx.client.pool().await.map(|p| p.config_hash);
    let mut attempt = 0;
    loop {
        let period = ctx.client.pool().await.map_or(10_000, |p| p.heartbeat_period_ms.max(100));
        match ctx.client.heartbeat(ctx.running()).await {
            Ok(ack) => {
                attempt = 0;
                if known_hash.is_some_and(|h| h != ack.config_hash) {
                    info!(config_hash = %ack.config_hash, "Pool configuration changed; re-reading it.");
                    if let Err(error) = ctx.client.refresh_config().await {
                        warn!(%error, "Pool configuration not re-read.");
                    }
                }
                known_hash = Some(ack.config_hash);
                for task_id in ack.abandon {
                    if let Some(sender) = ctx.sender(task_id) {
                        let abort =
                            NextAction::Abort { cause: poco_scheduler_api::AbortCause::Replaced };
                        let _ = sender.send(abort).await;
                    }
                }
                if first {
                    // What the scheduler thinks this worker holds but the journal does not know
                    // (lost with a wiped data folder): say so, so the task does not wait for it.
                    let running: HashSet<TaskId> = ctx.running().into_iter().collect();
                    for task_id in ack.assigned.into_iter().filter(|t| !running.contains(t)) {
                        if matches!(ctx.journal.get(task_id).await, Ok(None)) {
                            warn!(%task_id, "Assigned task unknown to this worker; reporting it failed.");
                            let failed = ReplicateReport::Failed { cause: Cause::Unknown };
                            let _ = ctx.client.report(task_id, &failed).await;
                        }
                    }
                    first = false;
                }
                tokio::time::sleep(Duration::from_millis(period)).await;
            }
            Err(error) => {
                let delay = ctx.config.backoff.delay(attempt);
                attempt += 1;
                warn!(%error, "Heartbeat failed.");
                tokio::time::sleep(delay).await;
            }
        }
    }
}

async fn push_loop(ctx: Arc<Ctx>) {
    let (sender, mut receiver) = mpsc::channel::<PushMessage>(64);
    let router = {
        let ctx = Arc::clone(&ctx);
        async move {
            while let Some(message) = receiver.recv().await {
                match ctx.sender(message.task_id) {
                    Some(task) => {
                        let _ = task.send(message.action).await;
                    }
                    None => {
                        warn!(task_id = %message.task_id, "Push message for a task not running here.")
                    }
                }
            }
        }
    };
    let reader = async move {
        let mut attempt = 0;
        loop {
            match ctx.client.events(&sender).await {
                Ok(_) => attempt = 0,
                Err(error) => warn!(%error, "Push channel failed."),
            }
            tokio::time::sleep(ctx.config.backoff.delay(attempt)).await;
            attempt += 1;
        }
    };
    tokio::join!(router, reader);
}
