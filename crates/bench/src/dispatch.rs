//! The scheduler's dispatch under load (the `dispatch-bench` binary): the `poco-scheduler`
//! binary on the `poco-devchain` binary, and `workers` simulated workers in this process, each
//! with its own key, talking real HTTP with real signatures (signed-challenge login, bearer
//! session, registration, the SSE push channel, the `GET /v1/work` long poll).
//!
//! ```text
//!  1. connect   every worker logs in, registers, opens its push stream and a long poll
//!               → the scheduler's resident memory before and after: memory per worker
//!  2. latency   a deal of `latency_tasks` tasks while the workers wait: each task from
//!               INITIALIZED to its replicate ASSIGNED (the scheduler's own timeline)
//!  3. backlog   a deal of `backlog_tasks` tasks, initialized while nobody asks; then every
//!               worker asks at once, again and again: assignments per second, ask round trips
//! ```
//!
//! Tasks are at trust 1 (one replicate each), so every assignment is one task dispatched. The
//! workers never run what they get: the benchmark measures the scheduler, not the apps.

use std::{
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use alloy::{primitives::U256, signers::local::PrivateKeySigner};
use futures_util::StreamExt;
use poco_compat::{
    Driver, Role,
    driver::{APP_PRICE, WORKERPOOL_PRICE},
};
use poco_primitives::{DealId, TaskId};
use poco_scheduler_api::{
    Assignment, Challenge, Executor, PoolStats, Registration, Session, Subject, TaskState,
    Timeline, paths,
};
use serde::Serialize;
use tokio::sync::Mutex;

use crate::{error::BenchError, node::Node, stats::LatencySummary, tasks};

/// What to run.
#[derive(Clone, Debug, Serialize)]
pub struct DispatchParams {
    /// Simulated workers connected at once.
    pub workers: usize,
    /// Tasks each worker may hold (`maxParallelTasks`).
    pub slots: u32,
    /// Tasks of the latency deal (made while the workers wait).
    pub latency_tasks: u64,
    /// Tasks of the backlog deal (initialized before anyone asks).
    pub backlog_tasks: u64,
    /// Longest long poll a worker asks for, in ms.
    pub wait_ms: u64,
}

impl DispatchParams {
    fn check(&self) -> crate::Result<()> {
        if self.workers == 0 || self.latency_tasks == 0 || self.backlog_tasks == 0 {
            return Err(BenchError::Params("workers and tasks must be above 0".into()));
        }
        let capacity = self.workers as u64 * u64::from(self.slots);
        if self.latency_tasks > self.workers as u64
            || self.latency_tasks + self.backlog_tasks > capacity
        {
            return Err(BenchError::Params(format!(
                "{} workers with {} slots hold {capacity} tasks: not enough for {} + {} \
                 (the latency deal needs one waiting worker per task)",
                self.workers, self.slots, self.latency_tasks, self.backlog_tasks
            )));
        }
        Ok(())
    }
}

/// The scheduler's resident memory.
#[derive(Clone, Debug, Default, Serialize)]
pub struct MemoryFigures {
    /// With no worker connected (deals followed, nothing else), KiB.
    pub idle_kib: u64,
    /// With every worker logged in, registered, streaming and long-polling, KiB.
    pub connected_kib: u64,
    /// (connected − idle) / workers, KiB.
    pub per_worker_kib: f64,
    /// The peak resident size of the whole run (`VmHWM`), KiB.
    pub peak_kib: u64,
}

/// Phase 2: tasks reaching workers that already wait.
#[derive(Clone, Debug, Default, Serialize)]
pub struct LatencyFigures {
    /// Tasks dispatched.
    pub tasks: usize,
    /// From the task's INITIALIZED to its replicate's ASSIGNED, per the scheduler's timeline.
    pub initialized_to_assigned: LatencySummary,
}

/// Phase 3: a backlog of initialized tasks and every worker asking at once.
#[derive(Clone, Debug, Default, Serialize)]
pub struct BacklogFigures {
    /// Tasks dispatched.
    pub tasks: usize,
    /// From the workers' release to the last assignment, in seconds.
    pub seconds: f64,
    /// Tasks dispatched per second.
    pub tasks_per_second: f64,
    /// Round trip of each ask that got a task (queueing behind the others included).
    pub ask_round_trip: LatencySummary,
    /// Asks answered "nothing for you now" (204) or "no free slot" (409).
    pub empty_answers: usize,
}

/// Everything measured.
#[derive(Clone, Debug, Default, Serialize)]
pub struct DispatchFigures {
    /// Time to log in, register and open the streams of every worker, in seconds.
    pub connect_seconds: f64,
    /// The scheduler's memory.
    pub memory: MemoryFigures,
    /// Phase 2.
    pub latency: LatencyFigures,
    /// Phase 3.
    pub backlog: BacklogFigures,
}

/// Runs the three phases (see the module docs).
pub async fn run(
    devchain_binary: &Path,
    scheduler_binary: &Path,
    params: &DispatchParams,
    progress: impl Fn(&str),
) -> crate::Result<DispatchFigures> {
    params.check()?;
    progress("starting the devchain");
    let node = Node::devchain(devchain_binary).await?;
    let mut driver = tasks::prepare(&node).await?;
    let tasks = params.latency_tasks + params.backlog_tasks;
    let price = U256::from(APP_PRICE + WORKERPOOL_PRICE) * U256::from(tasks);
    driver.fund(Role::Requester, price).await?;
    // matchOrders locks 30 % of the pool's price per task from the scheduler's account.
    driver.fund(Role::Scheduler, U256::from(WORKERPOOL_PRICE) * U256::from(tasks)).await?;
    let workerpool = driver.workerpool_order(1, 1)?.workerpool;

    let dir = tempfile::tempdir().map_err(|error| io("temp dir", &error))?;
    let scheduler = SchedulerProcess::start(
        scheduler_binary,
        &node,
        &driver,
        workerpool,
        dir.path(),
        params.wait_ms,
    )?;
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(usize::MAX)
        .build()
        .map_err(|error| BenchError::Scheduler(format!("http client: {error}")))?;
    scheduler.wait_ready(&http).await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let idle_kib = scheduler.memory()?.0;

    progress(&format!("connecting {} workers (login, register, push stream)", params.workers));
    let started = Instant::now();
    let mut workers = Vec::with_capacity(params.workers);
    let mut joining = tokio::task::JoinSet::new();
    for _ in 0..params.workers {
        let worker = Arc::new(SimWorker::new(http.clone(), scheduler.url.clone()));
        workers.push(Arc::clone(&worker));
        let slots = params.slots;
        joining.spawn(async move { worker.join(slots).await });
    }
    while let Some(joined) = joining.join_next().await {
        joined.map_err(|error| BenchError::Scheduler(format!("a worker panicked: {error}")))??;
    }
    let connect_seconds = started.elapsed().as_secs_f64();

    // Phase 2: everybody waits in a long poll; a deal arrives.
    let assigned = Arc::new(Mutex::new(Vec::<TaskId>::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let mut polling = tokio::task::JoinSet::new();
    for worker in &workers {
        let (worker, assigned, stop) =
            (Arc::clone(worker), Arc::clone(&assigned), Arc::clone(&stop));
        let wait_ms = params.wait_ms;
        polling.spawn(async move {
            while !stop.load(Ordering::SeqCst) {
                if let Asked::Task(task, _) = worker.ask(wait_ms).await? {
                    assigned.lock().await.push(task);
                    break;
                }
            }
            Ok::<_, BenchError>(())
        });
    }
    tokio::time::sleep(Duration::from_millis(1_000)).await;
    let connected_kib = scheduler.memory()?.0;
    progress(&format!(
        "{} workers connected in {connect_seconds:.1} s; scheduler {idle_kib} KiB idle, \
         {connected_kib} KiB with them",
        params.workers
    ));

    progress(&format!(
        "latency: a deal of {} tasks reaches the waiting workers",
        params.latency_tasks
    ));
    let deal = make_deal(&mut driver, params.latency_tasks).await?;
    let expected = usize::try_from(params.latency_tasks).unwrap_or(usize::MAX);
    wait_for(Duration::from_secs(300), "the latency deal's assignments", async || {
        Ok(assigned.lock().await.len() >= expected)
    })
    .await?;
    stop.store(true, Ordering::SeqCst);
    while let Some(done) = polling.join_next().await {
        done.map_err(|error| BenchError::Scheduler(format!("a worker panicked: {error}")))??;
    }
    let mut samples = Vec::with_capacity(expected);
    for task in deal_tasks(deal, params.latency_tasks) {
        samples.push(initialized_to_assigned(&http, &scheduler.url, task).await?);
    }
    let latency = LatencyFigures {
        tasks: samples.len(),
        initialized_to_assigned: LatencySummary::of(&samples),
    };
    progress(&format!(
        "latency: INITIALIZED → ASSIGNED p50 {:.1} ms, p99 {:.1} ms",
        latency.initialized_to_assigned.p50_ms, latency.initialized_to_assigned.p99_ms
    ));

    // Phase 3: a backlog, then everybody asks at once.
    progress(&format!(
        "backlog: a deal of {} tasks, initialized before anyone asks",
        params.backlog_tasks
    ));
    make_deal(&mut driver, params.backlog_tasks).await?;
    wait_for(Duration::from_secs(600), "the backlog's initialization", async || {
        let stats = stats(&http, &scheduler.url).await?;
        let initialized = stats
            .tasks
            .iter()
            .find(|(state, _)| *state == TaskState::Initialized)
            .map_or(0, |(_, count)| *count);
        Ok(initialized >= params.backlog_tasks)
    })
    .await?;
    progress(&format!("backlog: {} workers ask at once", params.workers));
    let target = usize::try_from(params.backlog_tasks).unwrap_or(usize::MAX);
    let dispatched = Arc::new(AtomicUsize::new(0));
    let empty = Arc::new(AtomicUsize::new(0));
    let trips = Arc::new(Mutex::new(Vec::with_capacity(target)));
    let last = Arc::new(Mutex::new(Instant::now()));
    let release = Instant::now();
    let mut asking = tokio::task::JoinSet::new();
    for worker in &workers {
        let worker = Arc::clone(worker);
        let (dispatched, empty, trips, last) =
            (Arc::clone(&dispatched), Arc::clone(&empty), Arc::clone(&trips), Arc::clone(&last));
        asking.spawn(async move {
            while dispatched.load(Ordering::SeqCst) < target {
                match worker.ask(0).await? {
                    Asked::Task(_, trip) => {
                        dispatched.fetch_add(1, Ordering::SeqCst);
                        trips.lock().await.push(trip);
                        *last.lock().await = Instant::now();
                    }
                    Asked::Nothing => {
                        empty.fetch_add(1, Ordering::SeqCst);
                    }
                    Asked::Full => {
                        empty.fetch_add(1, Ordering::SeqCst);
                        break;
                    }
                }
            }
            Ok::<_, BenchError>(())
        });
    }
    while let Some(done) = asking.join_next().await {
        done.map_err(|error| BenchError::Scheduler(format!("a worker panicked: {error}")))??;
    }
    let seconds = last.lock().await.duration_since(release).as_secs_f64();
    let tasks_done = dispatched.load(Ordering::SeqCst);
    if tasks_done < target {
        return Err(BenchError::Scheduler(format!(
            "only {tasks_done} of {target} backlog tasks were dispatched"
        )));
    }
    let backlog = BacklogFigures {
        tasks: tasks_done,
        seconds,
        tasks_per_second: tasks_done as f64 / seconds.max(f64::EPSILON),
        ask_round_trip: LatencySummary::of(&trips.lock().await),
        empty_answers: empty.load(Ordering::SeqCst),
    };
    progress(&format!(
        "backlog: {} tasks in {seconds:.2} s ({:.0}/s), ask p50 {:.1} ms p99 {:.1} ms",
        backlog.tasks,
        backlog.tasks_per_second,
        backlog.ask_round_trip.p50_ms,
        backlog.ask_round_trip.p99_ms
    ));
    let peak_kib = scheduler.memory()?.1;
    let per_worker_kib = connected_kib.saturating_sub(idle_kib) as f64 / params.workers as f64;
    Ok(DispatchFigures {
        connect_seconds,
        memory: MemoryFigures { idle_kib, connected_kib, per_worker_kib, peak_kib },
        latency,
        backlog,
    })
}

/// A deal of `volume` tasks at trust 1 with the driver's default orders.
async fn make_deal(driver: &mut Driver, volume: u64) -> crate::Result<DealId> {
    let orders = driver.market(volume, 1)?;
    Ok(driver.match_orders(&orders).await?)
}

fn deal_tasks(deal: DealId, volume: u64) -> impl Iterator<Item = TaskId> {
    (0..volume).map(move |index| deal.task(U256::from(index)))
}

/// Polls `done` every 50 ms until it holds, for at most `limit`.
async fn wait_for(
    limit: Duration,
    what: &str,
    mut done: impl AsyncFnMut() -> crate::Result<bool>,
) -> crate::Result<()> {
    let deadline = Instant::now() + limit;
    while !done().await? {
        if Instant::now() >= deadline {
            return Err(BenchError::Scheduler(format!("timed out waiting for {what}")));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(())
}

async fn stats(http: &reqwest::Client, base: &str) -> crate::Result<PoolStats> {
    get_json(http, &format!("{base}{}", paths::STATS)).await
}

async fn get_json<T: serde::de::DeserializeOwned>(
    http: &reqwest::Client,
    url: &str,
) -> crate::Result<T> {
    let response = successful(send(http.get(url), url).await?, &format!("GET {url}")).await?;
    response.json().await.map_err(|error| http_error(url, &error))
}

/// Sends `request` (to `url`).
async fn send(request: reqwest::RequestBuilder, url: &str) -> crate::Result<reqwest::Response> {
    request.send().await.map_err(|error| http_error(url, &error))
}

/// `response` if it is a success, else an error naming `what`, the status and the body.
async fn successful(response: reqwest::Response, what: &str) -> crate::Result<reqwest::Response> {
    if response.status().is_success() {
        return Ok(response);
    }
    let status = response.status();
    let body = response.text().await.unwrap_or_default();
    Err(BenchError::Scheduler(format!("{what}: {status}: {body}")))
}

/// The task's INITIALIZED → its first replicate's ASSIGNED, from its timeline.
async fn initialized_to_assigned(
    http: &reqwest::Client,
    base: &str,
    task: TaskId,
) -> crate::Result<Duration> {
    let path = paths::TIMELINE.replace("{task_id}", &task.to_string());
    let timeline: Timeline = get_json(http, &format!("{base}{path}")).await?;
    let at = |task_side: bool, to: &str| {
        timeline
            .entries
            .iter()
            .find(|entry| matches!(entry.subject, Subject::Task) == task_side && entry.to == to)
            .map(|entry| entry.at_ms)
    };
    match (at(true, "INITIALIZED"), at(false, "ASSIGNED")) {
        (Some(initialized), Some(assigned)) => Ok(Duration::from_millis(
            u64::try_from(assigned.saturating_sub(initialized)).unwrap_or(0),
        )),
        _ => Err(BenchError::Scheduler(format!("task {task}: no INITIALIZED or ASSIGNED entry"))),
    }
}

fn http_error(url: &str, error: &reqwest::Error) -> BenchError {
    BenchError::Scheduler(format!("{url}: {error}"))
}

fn io(what: &str, error: &std::io::Error) -> BenchError {
    BenchError::Scheduler(format!("{what}: {error}"))
}

/// What an ask got.
enum Asked {
    /// A task, and the ask's round trip.
    Task(TaskId, Duration),
    /// Nothing now (204).
    Nothing,
    /// No free slot (409).
    Full,
}

/// A simulated worker: its key, its session, and the push stream kept open.
struct SimWorker {
    key: PrivateKeySigner,
    http: reqwest::Client,
    base: String,
    token: std::sync::OnceLock<String>,
}

impl SimWorker {
    fn new(http: reqwest::Client, base: String) -> Self {
        Self { key: PrivateKeySigner::random(), http, base, token: std::sync::OnceLock::new() }
    }

    fn token(&self) -> &str {
        self.token.get().map_or("", String::as_str)
    }

    /// Logs in (signed challenge), registers with `slots` slots and opens the push stream
    /// (drained by a task of its own for as long as the scheduler keeps it open).
    async fn join(&self, slots: u32) -> crate::Result<()> {
        let address = self.key.address();
        let url = format!("{}{}?worker={address}", self.base, paths::CHALLENGE);
        let challenge: Challenge = get_json(&self.http, &url).await?;
        let login = challenge
            .sign(&self.key)
            .map_err(|error| BenchError::Scheduler(format!("signing the login: {error}")))?;
        let url = format!("{}{}", self.base, paths::LOGIN);
        let session: Session = self
            .post(&url, &login, false)
            .await?
            .json()
            .await
            .map_err(|error| http_error(&url, &error))?;
        let _ = self.token.set(session.token);
        let registration = Registration {
            name: format!("sim-{}", &address.to_string()[..10]),
            version: env!("CARGO_PKG_VERSION").into(),
            cores: slots.max(1),
            memory_mib: 1024,
            gpus: 0,
            executors: [Executor::Docker, Executor::Wasm].into(),
            tags: poco_primitives::Tag::NONE,
            max_parallel_tasks: slots,
        };
        self.post(&format!("{}{}", self.base, paths::REGISTER), &registration, true).await?;
        let url = format!("{}{}", self.base, paths::EVENTS);
        let request = self.http.get(&url).bearer_auth(self.token());
        let response = successful(send(request, &url).await?, &format!("GET {url}")).await?;
        tokio::spawn(async move {
            let mut stream = response.bytes_stream();
            while let Some(Ok(_)) = stream.next().await {}
        });
        Ok(())
    }

    async fn post(
        &self,
        url: &str,
        body: &impl Serialize,
        bearer: bool,
    ) -> crate::Result<reqwest::Response> {
        let mut request = self.http.post(url).json(body);
        if bearer {
            request = request.bearer_auth(self.token());
        }
        successful(send(request, url).await?, &format!("POST {url}")).await
    }

    /// One `GET /v1/work?waitMs=`.
    async fn ask(&self, wait_ms: u64) -> crate::Result<Asked> {
        let url = format!("{}{}?waitMs={wait_ms}", self.base, paths::WORK);
        let sent = Instant::now();
        let response = send(self.http.get(&url).bearer_auth(self.token()), &url).await?;
        match response.status().as_u16() {
            200 => {
                let assignment: Assignment =
                    response.json().await.map_err(|error| http_error(&url, &error))?;
                if assignment.authorization.worker != self.key.address() {
                    return Err(BenchError::Scheduler(format!(
                        "an authorization for {} given to {}",
                        assignment.authorization.worker,
                        self.key.address()
                    )));
                }
                Ok(Asked::Task(assignment.task.task_id, sent.elapsed()))
            }
            204 => Ok(Asked::Nothing),
            409 => Ok(Asked::Full),
            status => {
                let body = response.text().await.unwrap_or_default();
                Err(BenchError::Scheduler(format!("{url}: {status}: {body}")))
            }
        }
    }
}

/// The `poco-scheduler` binary as a child process on a free port, SQLite in a temp folder.
struct SchedulerProcess {
    child: Child,
    url: String,
    log: PathBuf,
}

impl SchedulerProcess {
    fn start(
        binary: &Path,
        node: &Node,
        driver: &Driver,
        workerpool: alloy::primitives::Address,
        dir: &Path,
        wait_ms: u64,
    ) -> crate::Result<Self> {
        if !binary.is_file() {
            return Err(BenchError::ToolMissing(binary.to_owned()));
        }
        let key_file = dir.join("scheduler.key");
        std::fs::write(&key_file, driver.key(Role::Scheduler).to_bytes().to_string())
            .map_err(|error| io("writing the scheduler's key", &error))?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .map_err(|error| io("finding a free port", &error))?
            .port();
        let log = dir.join("scheduler.log");
        let log_file = std::fs::File::create(&log).map_err(|error| io("scheduler log", &error))?;
        let hour = "3600000";
        let child = Command::new(binary)
            .args(["--rpc-url", node.endpoint().as_str()])
            .args(["--chain-id", &node.chain_id().to_string()])
            .args(["--hub", &node.deployment().hub.to_string()])
            .args(["--workerpool", &workerpool.to_string()])
            .arg("--key-file")
            .arg(&key_file)
            .arg("--data-dir")
            .arg(dir.join("scheduler"))
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .args(["--heartbeat-period-ms", hour, "--lost-after-ms", hour])
            .args(["--max-wait-ms", &wait_ms.to_string()])
            .args(["--poll-interval-ms", "50"])
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log_file)
            .spawn()
            .map_err(|source| BenchError::Spawn { program: binary.to_owned(), source })?;
        Ok(Self { child, url: format!("http://127.0.0.1:{port}"), log })
    }

    async fn wait_ready(&self, http: &reqwest::Client) -> crate::Result<()> {
        let url = format!("{}{}", self.url, paths::CONFIG);
        let log = self.log.display().to_string();
        wait_for(Duration::from_secs(60), &format!("the scheduler (log: {log})"), async || {
            Ok(http.get(&url).send().await.is_ok_and(|r| r.status().is_success()))
        })
        .await
    }

    /// `(VmRSS, VmHWM)` in KiB.
    fn memory(&self) -> crate::Result<(u64, u64)> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .map_err(|error| io("reading the scheduler's /proc status", &error))?;
        let field = |name: &str| {
            status
                .lines()
                .find_map(|line| line.strip_prefix(name))
                .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
                .ok_or_else(|| BenchError::Scheduler(format!("no {name} in /proc status")))
        };
        Ok((field("VmRSS:")?, field("VmHWM:")?))
    }
}

impl Drop for SchedulerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The `poco-scheduler` binary next to this executable (built by the same cargo profile).
pub fn sibling_scheduler() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let path = exe.parent()?.join(format!("poco-scheduler{}", std::env::consts::EXE_SUFFIX));
    path.is_file().then_some(path)
}

/// Where and how the figures were measured.
#[derive(Clone, Debug, Serialize)]
pub struct DispatchContext {
    /// When (UTC).
    pub date: String,
    /// The workspace's commit.
    pub commit: String,
    /// The cargo profile of the benchmark and the binaries it ran.
    pub profile: String,
    /// The scheduler's database.
    pub database: String,
    /// Logical CPUs of the machine (shared by the chain, the scheduler and every worker).
    pub cpus: usize,
}

/// The file `dispatch-bench` writes.
#[derive(Clone, Debug, Serialize)]
pub struct DispatchReport {
    /// Where and how.
    pub context: DispatchContext,
    /// The parameters.
    pub params: DispatchParams,
    /// The figures.
    pub figures: DispatchFigures,
}

impl DispatchReport {
    /// The report as Markdown.
    pub fn to_markdown(&self) -> String {
        let (c, p, f) = (&self.context, &self.params, &self.figures);
        let (m, l, b) = (&f.memory, &f.latency.initialized_to_assigned, &f.backlog);
        let mut md = String::from("# Scheduler dispatch\n\n");
        md.push_str(&format!(
            "{} · commit `{}` · profile `{}` · {} · {} CPUs shared by the devchain, the \
             scheduler and the workers\n\n",
            c.date, c.commit, c.profile, c.database, c.cpus
        ));
        md.push_str(&format!(
            "{} simulated workers ({} slots each) over real HTTP with real signatures: \
             signed login, registration, the SSE push stream and the long poll \
             (waitMs {}). Tasks at trust 1: one assignment is one task.\n\n",
            p.workers, p.slots, p.wait_ms
        ));
        md.push_str("| figure | value |\n| --- | ---: |\n");
        let mut row = |figure: String, value: String| {
            md.push_str(&format!("| {figure} | {value} |\n"));
        };
        row("workers connected in".into(), format!("{:.2} s", f.connect_seconds));
        row("scheduler memory, idle".into(), format!("{} KiB", m.idle_kib));
        row(
            format!("scheduler memory, {} workers connected", p.workers),
            format!("{} KiB", m.connected_kib),
        );
        row("**memory per connected worker**".into(), format!("**{:.1} KiB**", m.per_worker_kib));
        row("scheduler peak memory".into(), format!("{} KiB", m.peak_kib));
        row(
            format!("INITIALIZED → ASSIGNED, {} tasks to waiting workers, p50", f.latency.tasks),
            format!("{:.1} ms", l.p50_ms),
        );
        row("INITIALIZED → ASSIGNED, p99".into(), format!("{:.1} ms", l.p99_ms));
        row(
            format!("**dispatched per second**, backlog of {} tasks, every worker asking", b.tasks),
            format!("**{:.0}**", b.tasks_per_second),
        );
        row("backlog dispatched in".into(), format!("{:.2} s", b.seconds));
        row(
            "ask round trip (queueing included), p50".into(),
            format!("{:.1} ms", b.ask_round_trip.p50_ms),
        );
        row("ask round trip, p99".into(), format!("{:.1} ms", b.ask_round_trip.p99_ms));
        row("empty answers (204/409) during the backlog".into(), b.empty_answers.to_string());
        md
    }
}
