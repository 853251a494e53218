//! `run-bench`: `poco app run` end to end on a real `poco devnet`, processes only. Latency: the
//! wall time from starting `poco app run <hello> … --download DIR` (a child process) to its exit
//! with `result.txt` on disk, at trust 1 with one worker and at trust 5 with three. Throughput:
//! the tasks finalized per second by a devnet of 8 workers. Writes `<out>` (JSON) and the same
//! path with `.md` (the tables), and prints the tables.
//!
//! ```text
//!  poco devnet --any-ports --json --workers K ──▶ ready line (URLs, dev keys, chain file)
//!  poco app deploy hello.wasm, app publish, account deposit        (untimed set-up)
//!  latency:    [offer on the market?] ─▶ ⏱ poco app run … --download DIR ─▶ exit, result.txt ⏱
//!  throughput: poco app run --volume N (no --watch), again until N bought ─▶ TaskFinalize logs
//!              (eth_getLogs on the hub) until every task is finalized ─▶ poco deal show: COMPLETED
//! ```

use std::{
    collections::{HashMap, HashSet},
    fs::File,
    io::{BufRead, BufReader},
    path::{Path, PathBuf},
    process::{Child, Command, ExitStatus, Stdio},
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
        mpsc,
    },
    thread,
    time::{Duration, Instant},
};

use alloy::{
    primitives::{Address, B256},
    providers::Provider,
    rpc::types::Filter,
    sol_types::SolEvent,
    transports::http::reqwest::Url,
};
use clap::{Parser, ValueEnum};
use eyre::{WrapErr, bail, eyre};
use poco_bench::{client::plain_provider, output, stats::percentile};
use poco_contracts::bindings::IPoco;
use serde::Serialize;
use serde_json::Value;

/// How long `poco devnet` may take to print its ready line.
const START: Duration = Duration::from_secs(180);
/// How long a clean stop (SIGTERM) may take.
const STOP: Duration = Duration::from_secs(60);
/// How long one timed `poco app run` may take before it is killed.
const RUN_TIMEOUT: Duration = Duration::from_secs(90);
/// Attempts per latency sample (a run that fails is retried, and counted as failed).
const ATTEMPTS: usize = 3;
/// The most volume one workerpool order of the devnet's pool carries (the scheduler
/// publisher's `max_volume`).
const POOL_MAX_VOLUME: u64 = 64;
/// The target of the throughput phase.
const TARGET_TASKS_PER_S: f64 = 20.0;
/// Dev accounts by their index in the devnet's list.
const APP_DEVELOPER: usize = 1;
const REQUESTER: usize = 4;

/// `poco app run` on a real `poco devnet`: latency to the result file (trust 1 with one worker,
/// trust 5 with three) and tasks finalized per second with 8 workers. Every devnet is a child
/// process on free ports in a temporary folder, stopped with SIGTERM.
///
/// The `poco` binary is taken from next to this executable (same target folder and profile):
///
///   cargo build -p poco-cli -p poco-bench --bins
///   target/debug/run-bench --out bench-results/run.json
#[derive(Debug, Parser)]
#[command(name = "run-bench", verbatim_doc_comment)]
struct Args {
    /// The `poco` binary (default: the one next to this executable).
    #[arg(long)]
    poco: Option<PathBuf>,
    /// The hello app's WASM module (default: apps/hello/hello.wasm of this workspace).
    #[arg(long)]
    wasm: Option<PathBuf>,
    /// Timed runs per latency case.
    #[arg(long, default_value_t = 10)]
    runs: usize,
    /// Untimed runs first in each latency case.
    #[arg(long, default_value_t = 1)]
    warmup: usize,
    /// Tasks bought in the throughput phase (in as many deals as the pool's orders need).
    #[arg(long, default_value_t = 200)]
    tasks: u64,
    /// Workers of the throughput devnet.
    #[arg(long, default_value_t = 8)]
    workers: usize,
    /// Tasks each worker of the throughput devnet runs at once (`poco devnet --worker-slots`):
    /// its pool sells workers × slots tasks at a time, at most 64 per order.
    #[arg(long, default_value_t = 8)]
    worker_slots: u32,
    /// The phases to run.
    #[arg(long, value_delimiter = ',', default_values = ["latency", "throughput"])]
    phases: Vec<Phase>,
    /// The most the whole benchmark may take, in seconds: past it, it stops with an error
    /// (the devnets stopped) and writes no figures.
    #[arg(long, default_value_t = 300)]
    time_limit: u64,
    /// Where to write the JSON figures (the Markdown goes next to it, as `.md`).
    #[arg(long, default_value = "bench-results/run.json")]
    out: PathBuf,
}

/// A phase of the benchmark.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Phase {
    /// Both latency cases.
    Latency,
    /// Tasks finalized per second.
    Throughput,
}

fn say(line: &str) {
    eprintln!("run-bench: {line}");
}

/// The 1-minute load average (`/proc/loadavg`), if readable.
fn load_average() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/loadavg").ok()?;
    text.split_whitespace().next()?.parse().ok()
}

/// The load average at the start and at the end of a phase's measurements.
#[derive(Clone, Copy, Debug, Serialize)]
struct Load {
    start: Option<f64>,
    end: Option<f64>,
}

impl Load {
    fn text(self) -> String {
        let one = |value: Option<f64>| value.map_or_else(|| "?".to_owned(), |v| format!("{v:.2}"));
        format!("{} → {}", one(self.start), one(self.end))
    }
}

/// A number as `poco --json` prints it: a JSON number, a decimal string or a `0x` hex string.
fn json_u64(value: &Value) -> Option<u64> {
    if let Some(number) = value.as_u64() {
        return Some(number);
    }
    let text = value.as_str()?;
    match text.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => text.parse().ok(),
    }
}

/// The last `lines` lines of a file (a child's log), for an error message.
fn tail(path: &Path, lines: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

// === Devnet: a `poco devnet` child process ===

/// What one `poco` command did.
#[derive(Debug)]
struct Ran {
    code: Option<i32>,
    json: Value,
    stderr: String,
}

impl Ran {
    /// Its JSON output if it succeeded; otherwise an error with its stderr.
    fn ok(self, what: &str) -> eyre::Result<Value> {
        if self.code != Some(0) {
            bail!("`poco {what}` failed (exit {:?}): {}", self.code, self.stderr.trim());
        }
        Ok(self.json)
    }
}

/// A running `poco devnet`, killed if the benchmark fails before stopping it.
struct Devnet {
    child: Option<Child>,
    poco: PathBuf,
    dir: PathBuf,
    log: PathBuf,
    ready: Value,
}

impl Drop for Devnet {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Devnet {
    /// Starts `poco devnet --any-ports --json --workers <workers> [--worker-slots <slots>]` on
    /// `dir/devnet` (its log in `dir/devnet.log`) and waits for its ready line.
    fn start(
        poco: &Path,
        dir: &Path,
        workers: usize,
        slots: Option<u32>,
        deadline: Instant,
    ) -> eyre::Result<Self> {
        std::fs::create_dir_all(dir)?;
        let log = dir.join("devnet.log");
        let mut command = Command::new(poco);
        command.args(["devnet", "--any-ports", "--json", "--workers", &workers.to_string()]);
        if let Some(slots) = slots {
            command.args(["--worker-slots", &slots.to_string()]);
        }
        command
            .arg("--data-dir")
            .arg(dir.join("devnet"))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(File::create(&log)?);
        let mut child =
            command.spawn().wrap_err_with(|| format!("starting `{} devnet`", poco.display()))?;
        let stdout = child.stdout.take().ok_or_else(|| eyre!("no stdout of `poco devnet`"))?;
        let mut devnet = Self {
            child: Some(child),
            poco: poco.to_owned(),
            dir: dir.to_owned(),
            log,
            ready: Value::Null,
        };
        let (sender, receiver) = mpsc::channel();
        thread::spawn(move || {
            let mut line = String::new();
            let read = BufReader::new(stdout).read_line(&mut line);
            let _ = sender.send(read.map(|_| line));
        });
        let bound = START.min(deadline.saturating_duration_since(Instant::now()));
        let line = match receiver.recv_timeout(bound) {
            Ok(Ok(line)) if !line.trim().is_empty() => line,
            _ => bail!(
                "`poco devnet` printed no ready line within {bound:?} (--time-limit); the end of \
                 its log ({}):\n{}",
                devnet.log.display(),
                tail(&devnet.log, 30)
            ),
        };
        devnet.ready = serde_json::from_str(&line)
            .wrap_err_with(|| format!("`poco devnet --json` printed {line:?}"))?;
        if devnet.ready["chainFile"].as_str().is_none() {
            bail!("no chainFile in the ready line of `poco devnet`: {line}");
        }
        Ok(devnet)
    }

    fn chain_file(&self) -> PathBuf {
        PathBuf::from(self.ready["chainFile"].as_str().unwrap_or_default())
    }

    /// Writes the private key of the dev account at `index` into the benchmark's folder.
    fn key_file(&self, index: usize) -> eyre::Result<PathBuf> {
        let key = self.ready["accounts"][index]["privateKey"]
            .as_str()
            .ok_or_else(|| eyre!("no dev account {index} in the ready line of `poco devnet`"))?;
        let path = self.dir.join(format!("account-{index}.key"));
        std::fs::write(&path, key)?;
        Ok(path)
    }

    /// `poco --json --chain-file <the devnet's> [--key-file key] args…`, to its exit.
    fn poco(&self, key: Option<&Path>, args: &[&str]) -> eyre::Result<Ran> {
        let mut command = Command::new(&self.poco);
        command.arg("--json").arg("--chain-file").arg(self.chain_file());
        if let Some(key) = key {
            command.arg("--key-file").arg(key);
        }
        let output = command
            .args(args)
            .stdin(Stdio::null())
            .output()
            .wrap_err_with(|| format!("running {}", self.poco.display()))?;
        Ok(Ran {
            code: output.status.code(),
            json: serde_json::from_slice(&output.stdout).unwrap_or(Value::Null),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        })
    }

    /// Sends SIGTERM and waits (bounded) for the exit.
    fn stop(mut self) -> eyre::Result<ExitStatus> {
        let Some(mut child) = self.child.take() else { bail!("the devnet was already stopped") };
        let sent = Command::new("kill").arg("-TERM").arg(child.id().to_string()).status()?;
        if !sent.success() {
            bail!("kill -TERM {} failed", child.id());
        }
        let deadline = Instant::now() + STOP;
        loop {
            if let Some(status) = child.try_wait()? {
                return Ok(status);
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                bail!("`poco devnet` did not stop within {STOP:?} of SIGTERM");
            }
            thread::sleep(Duration::from_millis(50));
        }
    }

    /// Stops the devnet; a stop that is not clean is said, not fatal (the figures are taken).
    fn stop_reporting(self) -> Option<i32> {
        match self.stop() {
            Ok(status) => {
                if !status.success() {
                    say(&format!("warning: `poco devnet` exited with {status} on SIGTERM"));
                }
                status.code()
            }
            Err(error) => {
                say(&format!("warning: {error}"));
                None
            }
        }
    }
}

/// The hello app registered and offered, and the requester's key with a deposit.
struct Hello {
    app: String,
    requester: PathBuf,
}

/// As the app developer: `app deploy` hello (WASM, served from the local file) and `app publish`
/// a free order for it; as the requester: `account deposit 10RLC`.
fn set_up_hello(devnet: &Devnet, wasm: &Path) -> eyre::Result<Hello> {
    let developer = devnet.key_file(APP_DEVELOPER)?;
    let wasm_text = wasm.to_str().ok_or_else(|| eyre!("{} is not UTF-8", wasm.display()))?;
    let multiaddr = format!("file://{wasm_text}");
    let deployed = devnet
        .poco(
            Some(&developer),
            &[
                "app",
                "deploy",
                "--name",
                "hello",
                "--type",
                "WASM",
                "--multiaddr",
                &multiaddr,
                "--file",
                wasm_text,
            ],
        )?
        .ok("app deploy")?;
    let app = deployed["address"]
        .as_str()
        .ok_or_else(|| eyre!("`poco app deploy` printed no address: {deployed}"))?
        .to_owned();
    devnet
        .poco(Some(&developer), &["app", "publish", &app, "--price", "0", "--volume", "100000"])?
        .ok("app publish")?;
    let requester = devnet.key_file(REQUESTER)?;
    devnet.poco(Some(&requester), &["account", "deposit", "10RLC"])?.ok("account deposit")?;
    Ok(Hello { app, requester })
}

/// The devnet's market, read over HTTP (`GET /v1/orders/workerpool`): cheaper than a `poco
/// orderbook` process per look while the system is measured.
struct Market {
    http: reqwest::Client,
    orders: String,
}

impl Market {
    fn of(devnet: &Devnet) -> eyre::Result<Self> {
        let url = devnet.ready["marketUrl"]
            .as_str()
            .ok_or_else(|| eyre!("no marketUrl in the devnet's ready line"))?;
        let http = reqwest::Client::builder().timeout(Duration::from_secs(10)).build()?;
        Ok(Self {
            http,
            orders: format!("{}/v1/orders/workerpool?category=0", url.trim_end_matches('/')),
        })
    }

    /// Tasks the pool offers: the remaining volume of its open orders of category 0, those in
    /// `spent` (known consumed on chain) left out.
    async fn offered(&self, spent: &HashSet<String>) -> eyre::Result<u64> {
        let page: Value =
            self.http.get(&self.orders).send().await?.error_for_status()?.json().await?;
        Ok(page["orders"]
            .as_array()
            .map(|orders| {
                orders
                    .iter()
                    .filter(|order| order["status"] == "open")
                    .filter(|order| {
                        order["orderHash"]
                            .as_str()
                            .is_none_or(|hash| !spent.contains(&hash.to_lowercase()))
                    })
                    .filter_map(|order| json_u64(&order["remaining"]))
                    .sum()
            })
            .unwrap_or(0))
    }

    /// Waits until the pool offers at least `min` tasks, looking every 50 ms; after `patience`,
    /// settles for any offer; past `deadline`, gives up. Gives the volume offered.
    async fn wait_for_offer(
        &self,
        min: u64,
        patience: Duration,
        spent: &HashSet<String>,
        deadline: Instant,
    ) -> eyre::Result<u64> {
        let started = Instant::now();
        loop {
            let offered = match self.offered(spent).await {
                Ok(offered) => offered,
                Err(error) if Instant::now() < deadline => {
                    say(&format!("warning: reading the market's workerpool orders: {error:#}"));
                    0
                }
                Err(error) => return Err(error.wrap_err("reading the market's workerpool orders")),
            };
            if offered >= min || (offered > 0 && started.elapsed() > patience) {
                return Ok(offered);
            }
            if Instant::now() > deadline {
                bail!(
                    "the devnet's pool offered no task on the market within {:?} (--time-limit; \
                     {})",
                    started.elapsed(),
                    self.orders
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

// === Latency ===

/// One latency case.
#[derive(Clone, Copy, Debug)]
struct Case {
    name: &'static str,
    workers: usize,
    trust: u64,
    target_ms: f64,
}

const CASES: [Case; 2] = [
    Case { name: "a", workers: 1, trust: 1, target_ms: 1_000.0 },
    Case { name: "b", workers: 3, trust: 5, target_ms: 2_000.0 },
];

/// One timed run.
#[derive(Clone, Copy, Debug)]
struct Sample {
    /// Start of `poco app run` to its exit.
    total: Duration,
    /// Start to its `Deal 0x…` line on stderr (printed once `matchOrders` is mined and the deal
    /// read back), if seen.
    to_deal: Option<Duration>,
}

/// Runs `poco app run <hello> --args <args> --trust <trust> --download <dir>` (human output:
/// its stderr lines are read as they come to time the deal), checks `result.txt`.
fn timed_run(
    devnet: &Devnet,
    hello: &Hello,
    trust: u64,
    args: &str,
    dir: &Path,
    deadline: Instant,
) -> eyre::Result<Sample> {
    let mut command = Command::new(&devnet.poco);
    command
        .arg("--chain-file")
        .arg(devnet.chain_file())
        .arg("--key-file")
        .arg(&hello.requester)
        .args(["app", "run", &hello.app, "--args", args, "--trust", &trust.to_string()])
        .arg("--download")
        .arg(dir)
        .args(["--timeout", "60"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let started = Instant::now();
    let mut child =
        command.spawn().wrap_err_with(|| format!("running {}", devnet.poco.display()))?;
    let stderr = child.stderr.take().ok_or_else(|| eyre!("no stderr of `poco app run`"))?;
    let pid = child.id();
    let reader = thread::spawn(move || {
        let mut to_deal = None;
        let mut text = String::new();
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if to_deal.is_none() && line.starts_with("Deal 0x") {
                to_deal = Some(started.elapsed());
            }
            text.push_str(&line);
            text.push('\n');
        }
        (to_deal, text)
    });
    let (sender, receiver) = mpsc::channel();
    thread::spawn(move || {
        let status = child.wait();
        let _ = sender.send((status, started.elapsed()));
    });
    let bound = RUN_TIMEOUT.min(deadline.saturating_duration_since(Instant::now()));
    let (status, total) = match receiver.recv_timeout(bound) {
        Ok((status, total)) => (status?, total),
        Err(_) => {
            let _ = Command::new("kill").arg("-KILL").arg(pid.to_string()).status();
            bail!("`poco app run` did not exit within {bound:?} (or --time-limit); killed");
        }
    };
    let (to_deal, text) = reader.join().map_err(|_| eyre!("the stderr reader panicked"))?;
    if !status.success() {
        let last: Vec<&str> = text.lines().rev().take(3).collect();
        bail!(
            "`poco app run` exited with {status}: {}",
            last.into_iter().rev().collect::<Vec<_>>().join(" | ")
        );
    }
    let path = dir.join("result.txt");
    let result = std::fs::read_to_string(&path)
        .wrap_err_with(|| format!("`poco app run` succeeded but left no {}", path.display()))?;
    let expected = format!("Hello, {args}!\n");
    if result != expected {
        bail!("{} says {result:?}, not {expected:?}", path.display());
    }
    Ok(Sample { total, to_deal })
}

/// Milliseconds: median, 90th percentile (nearest rank), largest, mean.
#[derive(Clone, Copy, Debug, Serialize)]
struct Summary {
    p50_ms: f64,
    p90_ms: f64,
    max_ms: f64,
    mean_ms: f64,
}

impl Summary {
    fn of(samples: &[f64]) -> Option<Self> {
        if samples.is_empty() {
            return None;
        }
        let mut sorted = samples.to_vec();
        sorted.sort_by(f64::total_cmp);
        Some(Self {
            p50_ms: percentile(&sorted, 50.0),
            p90_ms: percentile(&sorted, 90.0),
            max_ms: sorted[sorted.len() - 1],
            mean_ms: sorted.iter().sum::<f64>() / sorted.len() as f64,
        })
    }
}

fn ms(duration: Duration) -> f64 {
    (duration.as_secs_f64() * 1_000_000.0).round() / 1_000.0
}

/// The figures of one latency case.
#[derive(Debug, Serialize)]
struct LatencyFigures {
    case: &'static str,
    workers: usize,
    trust: u64,
    runs: usize,
    warmup: usize,
    /// Start of `poco app run` to its exit, the result on disk.
    total: Summary,
    /// Start to the deal (`matchOrders` mined, the deal read back).
    to_deal: Option<Summary>,
    /// The deal to the exit: the task run, its consensus, the result downloaded.
    after_deal: Option<Summary>,
    samples_ms: Vec<f64>,
    to_deal_samples_ms: Vec<f64>,
    /// Attempts that failed (retried; not in the samples), with their error.
    failed_attempts: Vec<String>,
    target_ms: f64,
    /// Whether the median is within the target.
    met: bool,
    load: Load,
    devnet_exit: Option<i32>,
}

async fn latency_case(
    poco: &Path,
    wasm: &Path,
    tmp: &Path,
    case: Case,
    args: &Args,
    deadline: Instant,
) -> eyre::Result<LatencyFigures> {
    let dir = tmp.join(format!("latency-{}", case.name));
    say(&format!(
        "latency {}: trust {}, `poco devnet --workers {}` …",
        case.name, case.trust, case.workers
    ));
    let devnet = Devnet::start(poco, &dir, case.workers, None, deadline)?;
    let hello = set_up_hello(&devnet, wasm)?;
    let market = Market::of(&devnet)?;
    let none = HashSet::new();
    let mut samples = Vec::new();
    let mut failed = Vec::new();
    let load_start = load_average();
    for run in 0..args.warmup + args.runs {
        let mut attempt = 0;
        let sample = loop {
            if Instant::now() > deadline {
                bail!("latency {}: not done within --time-limit {} s", case.name, args.time_limit);
            }
            attempt += 1;
            // An offer on the market first (the pool republishes freed capacity every 2 s):
            // the run measured is a requester's when the pool has room.
            market.wait_for_offer(1, Duration::from_secs(10), &none, deadline).await?;
            let text = format!("bench {run}.{attempt}");
            match timed_run(
                &devnet,
                &hello,
                case.trust,
                &text,
                &dir.join(format!("run-{run}-{attempt}")),
                deadline,
            ) {
                Ok(sample) => break sample,
                Err(error) if attempt < ATTEMPTS => {
                    say(&format!(
                        "latency {}: run {run} attempt {attempt} failed: {error:#}",
                        case.name
                    ));
                    failed.push(format!("{error:#}"));
                }
                Err(error) => {
                    return Err(error.wrap_err(format!(
                        "latency {}: run {run} failed {ATTEMPTS} times; devnet log: {}",
                        case.name,
                        devnet.log.display()
                    )));
                }
            }
        };
        let warm = run < args.warmup;
        say(&format!(
            "latency {}: {} {} ms (deal after {} ms)",
            case.name,
            if warm { "warm-up" } else { "run" },
            ms(sample.total),
            sample.to_deal.map_or_else(|| "?".to_owned(), |d| ms(d).to_string())
        ));
        if !warm {
            samples.push(sample);
        }
    }
    let load = Load { start: load_start, end: load_average() };
    let devnet_exit = devnet.stop_reporting();
    let totals: Vec<f64> = samples.iter().map(|s| ms(s.total)).collect();
    let to_deal: Vec<f64> = samples.iter().filter_map(|s| s.to_deal.map(ms)).collect();
    let after_deal: Vec<f64> =
        samples.iter().filter_map(|s| s.to_deal.map(|d| ms(s.total.saturating_sub(d)))).collect();
    let total =
        Summary::of(&totals).ok_or_else(|| eyre!("latency {}: no runs (--runs 0)", case.name))?;
    Ok(LatencyFigures {
        case: case.name,
        workers: case.workers,
        trust: case.trust,
        runs: args.runs,
        warmup: args.warmup,
        met: total.p50_ms <= case.target_ms,
        total,
        to_deal: Summary::of(&to_deal),
        after_deal: Summary::of(&after_deal),
        samples_ms: totals,
        to_deal_samples_ms: to_deal,
        failed_attempts: failed,
        target_ms: case.target_ms,
        load,
        devnet_exit,
    })
}

// === Throughput ===

/// One deal bought in the throughput phase.
#[derive(Debug, Serialize)]
struct Deal {
    deal_id: String,
    volume: u64,
    /// `poco app run` started, seconds from the phase's clock.
    started_s: f64,
    /// `poco app run` exited (the deal made), seconds from the phase's clock.
    matched_s: f64,
    /// Its last task seen finalized.
    last_finalized_s: f64,
    #[serde(skip)]
    tasks: Vec<B256>,
}

/// The throughput phase's figures.
#[derive(Debug, Serialize)]
struct ThroughputFigures {
    workers: usize,
    worker_slots: u32,
    tasks: u64,
    deals: Vec<Deal>,
    /// Failed `poco app run` attempts (made again), with their error.
    failed_attempts: Vec<String>,
    /// Seconds from the first deal made to the first task finalized.
    first_finalized_s: f64,
    /// Seconds from the first deal made to the last task finalized.
    elapsed_s: f64,
    tasks_per_s: f64,
    /// The first deal alone: its tasks over the time from its match to its last finalize.
    first_deal_tasks_per_s: f64,
    /// Blocks mined from the first `app run` to the last finalize (the devnet's chain mines
    /// one block per transaction): every transaction of the phase, the deals' included.
    blocks: u64,
    /// Tasks checked COMPLETED with `poco deal show` at the end.
    completed: u64,
    target_tasks_per_s: f64,
    met: bool,
    load: Load,
    devnet_exit: Option<i32>,
}

/// Reads the hub's `TaskFinalize` logs from block `from` on, every 100 ms (one `eth_getLogs`
/// each), until `stop`: each task id with when it was first seen (from `clock`).
async fn follow_finalized(
    rpc: Url,
    hub: Address,
    mut from: u64,
    clock: Instant,
    seen: Arc<Mutex<HashMap<B256, Duration>>>,
    stop: Arc<AtomicBool>,
) {
    let provider = plain_provider(&rpc);
    let mut errors = 0u32;
    while !stop.load(Ordering::SeqCst) {
        let filter = Filter::new()
            .address(hub)
            .event_signature(IPoco::TaskFinalize::SIGNATURE_HASH)
            .from_block(from);
        match provider.get_logs(&filter).await {
            Ok(logs) => {
                let now = clock.elapsed();
                if let Ok(mut seen) = seen.lock() {
                    for log in logs {
                        // The next read starts at the last block seen (the devchain refuses a
                        // range past its head; a task seen twice keeps its first time).
                        if let Some(block) = log.block_number {
                            from = from.max(block);
                        }
                        if let Ok(event) = IPoco::TaskFinalize::decode_log(&log.inner) {
                            seen.entry(event.data.taskid).or_insert(now);
                        }
                    }
                }
            }
            Err(error) => {
                errors += 1;
                if errors <= 3 {
                    say(&format!("warning: reading TaskFinalize logs: {error}"));
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Buys `args.tasks` tasks at trust 1 with `poco app run --volume N` (no --watch), in as many
/// deals as the pool's orders need, waiting for an offer between them.
async fn buy(
    devnet: &Devnet,
    hello: &Hello,
    market: &Market,
    clock: Instant,
    args: &Args,
    deadline: Instant,
) -> eyre::Result<Bought> {
    let mut bought = Bought::default();
    let mut total = 0u64;
    // Workerpool orders our deals emptied (the market may list them a moment longer).
    let mut spent = HashSet::new();
    while total < args.tasks {
        if Instant::now() > deadline {
            bail!("throughput: only {total} of {} tasks bought within --time-limit", args.tasks);
        }
        market.wait_for_offer(1, Duration::ZERO, &spent, deadline).await?;
        let wanted = args.tasks - total;
        let volume_text = wanted.to_string();
        let started = clock.elapsed();
        let ran = devnet.poco(
            Some(&hello.requester),
            &[
                "app",
                "run",
                &hello.app,
                "--volume",
                &volume_text,
                "--trust",
                "1",
                "--args",
                "throughput",
            ],
        )?;
        let matched = clock.elapsed();
        if ran.code != Some(0) {
            let error = format!("exit {:?}: {}", ran.code, ran.stderr.trim());
            say(&format!("throughput: `poco app run` failed ({error}); again"));
            bought.failed.push(error);
            if bought.failed.len() > 20 {
                bail!(
                    "throughput: `poco app run` failed {} times; devnet log: {}",
                    bought.failed.len(),
                    devnet.log.display()
                );
            }
            continue;
        }
        let deal = &ran.json["deal"];
        let tasks: Vec<B256> = deal["tasks"]
            .as_array()
            .map(|tasks| tasks.iter().filter_map(|t| t.as_str()?.parse().ok()).collect())
            .unwrap_or_default();
        let volume = json_u64(&deal["volume"]).unwrap_or(tasks.len() as u64);
        if tasks.len() as u64 != volume || volume == 0 {
            bail!(
                "`poco app run` printed a deal of {volume} task(s) with {} task id(s): {deal}",
                tasks.len()
            );
        }
        if volume < wanted {
            // Fewer than asked: the pool's order is empty now.
            if let Some(hash) = ran.json["orders"]["workerpool"].as_str() {
                spent.insert(hash.to_lowercase());
            }
        }
        let deal_id = deal["dealId"].as_str().unwrap_or_default().to_owned();
        say(&format!(
            "throughput: deal {deal_id} of {volume} task(s) at {:.2} s",
            matched.as_secs_f64()
        ));
        total += volume;
        bought.deals.push(Deal {
            deal_id,
            volume,
            started_s: started.as_secs_f64(),
            matched_s: matched.as_secs_f64(),
            last_finalized_s: 0.0,
            tasks,
        });
    }
    Ok(bought)
}

/// What [`buy`] bought.
#[derive(Debug, Default)]
struct Bought {
    deals: Vec<Deal>,
    failed: Vec<String>,
}

async fn throughput(
    poco: &Path,
    wasm: &Path,
    tmp: &Path,
    args: &Args,
    deadline: Instant,
) -> eyre::Result<ThroughputFigures> {
    let dir = tmp.join("throughput");
    say(&format!(
        "throughput: {} tasks, `poco devnet --workers {} --worker-slots {}` …",
        args.tasks, args.workers, args.worker_slots
    ));
    let devnet = Devnet::start(poco, &dir, args.workers, Some(args.worker_slots), deadline)?;
    let hello = set_up_hello(&devnet, wasm)?;
    let market = Market::of(&devnet)?;
    let rpc: Url = devnet.ready["rpcUrl"]
        .as_str()
        .ok_or_else(|| eyre!("no rpcUrl in the devnet's ready line"))?
        .parse()?;
    let hub: Address = devnet.ready["deployment"]["hub"]
        .as_str()
        .ok_or_else(|| eyre!("no deployment.hub in the devnet's ready line"))?
        .parse()?;
    // The pool's whole capacity on the market before the clock starts.
    let capacity =
        (args.workers as u64 * u64::from(args.worker_slots)).min(POOL_MAX_VOLUME).min(args.tasks);
    let offered =
        market.wait_for_offer(capacity, Duration::from_secs(15), &HashSet::new(), deadline).await?;
    say(&format!("throughput: {offered} task(s) offered by the pool; buying …"));

    let provider = plain_provider(&rpc);
    let from = provider.get_block_number().await?;
    let clock = Instant::now();
    let seen = Arc::new(Mutex::new(HashMap::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let follower =
        tokio::spawn(follow_finalized(rpc, hub, from, clock, seen.clone(), stop.clone()));
    let load_start = load_average();
    let bought = buy(&devnet, &hello, &market, clock, args, deadline).await;
    let Bought { mut deals, failed } = match bought {
        Ok(bought) => bought,
        Err(error) => {
            stop.store(true, Ordering::SeqCst);
            return Err(error);
        }
    };
    let all: Vec<B256> = deals.iter().flat_map(|deal| deal.tasks.iter().copied()).collect();
    loop {
        let done = seen
            .lock()
            .map(|seen| all.iter().filter(|task| seen.contains_key(*task)).count())
            .unwrap_or(0);
        if done == all.len() {
            break;
        }
        if Instant::now() > deadline {
            stop.store(true, Ordering::SeqCst);
            bail!(
                "throughput: {done} of {} tasks finalized within --time-limit {} s; devnet log: {}",
                all.len(),
                args.time_limit,
                devnet.log.display()
            );
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let load = Load { start: load_start, end: load_average() };
    let blocks = provider.get_block_number().await?.saturating_sub(from);
    stop.store(true, Ordering::SeqCst);
    let _ = follower.await;
    let seen = seen.lock().map_err(|_| eyre!("the log follower panicked"))?.clone();
    let finalized_at = |tasks: &[B256]| -> Vec<f64> {
        tasks.iter().filter_map(|task| seen.get(task)).map(Duration::as_secs_f64).collect()
    };

    // What the chain says, through the CLI: every task COMPLETED.
    let mut completed = 0u64;
    for deal in &mut deals {
        let shown = devnet.poco(None, &["deal", "show", &deal.deal_id])?.ok("deal show")?;
        let details = shown["taskDetails"].as_array().cloned().unwrap_or_default();
        completed += details.iter().filter(|task| task["status"] == "COMPLETED").count() as u64;
        deal.last_finalized_s = finalized_at(&deal.tasks).into_iter().fold(0.0, f64::max);
    }
    let devnet_exit = devnet.stop_reporting();
    let tasks = all.len() as u64;
    if completed != tasks {
        bail!("throughput: `poco deal show` says {completed} of {tasks} tasks COMPLETED");
    }
    let first_match = deals.first().map_or(0.0, |deal| deal.matched_s);
    let finalized = finalized_at(&all);
    let last = finalized.iter().copied().fold(0.0, f64::max);
    let first = finalized.iter().copied().fold(f64::INFINITY, f64::min);
    let rate = |count: u64, seconds: f64| if seconds > 0.0 { count as f64 / seconds } else { 0.0 };
    let elapsed_s = last - first_match;
    let tasks_per_s = rate(tasks, elapsed_s);
    let first_deal_tasks_per_s =
        deals.first().map_or(0.0, |deal| rate(deal.volume, deal.last_finalized_s - deal.matched_s));
    Ok(ThroughputFigures {
        workers: args.workers,
        worker_slots: args.worker_slots,
        tasks,
        deals,
        failed_attempts: failed,
        first_finalized_s: first - first_match,
        elapsed_s,
        tasks_per_s,
        first_deal_tasks_per_s,
        blocks,
        completed,
        target_tasks_per_s: TARGET_TASKS_PER_S,
        met: tasks_per_s >= TARGET_TASKS_PER_S,
        load,
        devnet_exit,
    })
}

// === Report ===

#[derive(Debug, Serialize)]
struct RunContext {
    date: String,
    commit: String,
    /// The build of `run-bench` itself.
    profile: String,
    /// The `poco` binary measured, and its build (the target folder it sits in).
    poco_binary: String,
    poco_profile: String,
    cpus: usize,
}

#[derive(Debug, Serialize)]
struct RunParams {
    runs: usize,
    warmup: usize,
    tasks: u64,
    workers: usize,
    worker_slots: u32,
}

#[derive(Debug, Serialize)]
struct RunReport {
    context: RunContext,
    params: RunParams,
    latency: Vec<LatencyFigures>,
    throughput: Option<ThroughputFigures>,
}

fn met(ok: bool) -> &'static str {
    if ok { "met" } else { "**not met**" }
}

fn opt_ms(summary: Option<Summary>, pick: fn(&Summary) -> f64) -> String {
    summary.map_or_else(|| "—".to_owned(), |s| format!("{:.0}", pick(&s)))
}

impl RunReport {
    fn to_markdown(&self) -> String {
        let c = &self.context;
        let mut md =
            String::from("# `poco app run` benchmark: latency and throughput on `poco devnet`\n\n");
        md.push_str(&format!(
            "{} · commit {} · `poco` measured: {} build (`{}`) · run-bench: {} build · {} CPUs\n",
            c.date, c.commit, c.poco_profile, c.poco_binary, c.profile, c.cpus
        ));
        if !self.latency.is_empty() {
            md.push_str(
                "\n## Latency: `poco app run <hello> --args … --trust T --download DIR`, start to exit \
                 (result.txt on disk)\n\n",
            );
            md.push_str(
                "| case | devnet | runs | p50 ms | p90 ms | max ms | to the deal p50 | after the deal p50 | \
                 target (p50) | load (start → end) |\n| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |\n",
            );
            for case in &self.latency {
                md.push_str(&format!(
                    "| {}: trust {} | {} worker(s) | {} (+{} warm-up) | {:.0} | {:.0} | {:.0} | {} | {} | ≤ {:.0} ms: {} | {} |\n",
                    case.case,
                    case.trust,
                    case.workers,
                    case.runs,
                    case.warmup,
                    case.total.p50_ms,
                    case.total.p90_ms,
                    case.total.max_ms,
                    opt_ms(case.to_deal, |s| s.p50_ms),
                    opt_ms(case.after_deal, |s| s.p50_ms),
                    case.target_ms,
                    met(case.met),
                    case.load.text(),
                ));
            }
            let failed: usize = self.latency.iter().map(|case| case.failed_attempts.len()).sum();
            if failed > 0 {
                md.push_str(&format!(
                    "\n{failed} attempt(s) failed and were made again (see run.json).\n"
                ));
            }
        }
        if let Some(t) = &self.throughput {
            md.push_str(&format!(
                "\n## Throughput: {} tasks at trust 1, {} workers × {} slots\n\n",
                t.tasks, t.workers, t.worker_slots
            ));
            md.push_str(
                "| deals | first deal → first finalize | first deal → last finalize | tasks/s | target | load (start → end) |\n\
                 | ---: | ---: | ---: | ---: | --- | --- |\n",
            );
            md.push_str(&format!(
                "| {} | {:.2} s | {:.2} s | **{:.1}** | ≥ {:.0}/s: {} | {} |\n\n",
                t.deals.len(),
                t.first_finalized_s,
                t.elapsed_s,
                t.tasks_per_s,
                t.target_tasks_per_s,
                met(t.met),
                t.load.text(),
            ));
            md.push_str("| deal | tasks | `app run` start (s) | deal made (s) | last finalize (s) |\n| --- | ---: | ---: | ---: | ---: |\n");
            for deal in &t.deals {
                md.push_str(&format!(
                    "| {}… | {} | {:.2} | {:.2} | {:.2} |\n",
                    deal.deal_id.get(..10).unwrap_or(&deal.deal_id),
                    deal.volume,
                    deal.started_s,
                    deal.matched_s,
                    deal.last_finalized_s
                ));
            }
            md.push_str(&format!(
                "\nThe first deal alone: {:.1} tasks/s. Transactions (one per block on the devnet's \
                 chain): {} in all, {:.1} per task, {:.0}/s. `poco app run` failed {} time(s) (made \
                 again); `poco deal show` saw {} task(s) COMPLETED.\n",
                t.first_deal_tasks_per_s,
                t.blocks,
                t.blocks as f64 / t.tasks.max(1) as f64,
                if t.elapsed_s > 0.0 { t.blocks as f64 / t.elapsed_s } else { 0.0 },
                t.failed_attempts.len(),
                t.completed
            ));
        }
        md
    }
}

/// The folder name of the target profile a binary sits in (`debug`, `release`, …).
fn profile_of(binary: &Path) -> String {
    binary
        .parent()
        .and_then(Path::file_name)
        .and_then(|name| name.to_str())
        .map_or_else(|| "unknown".to_owned(), str::to_owned)
}

fn sibling_poco() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let path = exe.parent()?.join(format!("poco{}", std::env::consts::EXE_SUFFIX));
    path.is_file().then_some(path)
}

#[tokio::main]
async fn main() -> eyre::Result<()> {
    let args = Args::parse();
    let poco = match args.poco.clone() {
        Some(path) => path,
        None => sibling_poco().ok_or_else(|| {
            eyre!(
                "no poco next to this executable: build it with the same profile \
                 (cargo build -p poco-cli -p poco-bench --bins) or pass --poco"
            )
        })?,
    };
    let poco =
        poco.canonicalize().wrap_err_with(|| format!("no poco binary at {}", poco.display()))?;
    let wasm = args
        .wasm
        .clone()
        .unwrap_or_else(|| poco_reference::workspace_root().join("apps/hello/hello.wasm"));
    let wasm = wasm
        .canonicalize()
        .wrap_err_with(|| format!("no hello module at {} (pass --wasm)", wasm.display()))?;
    let deadline = Instant::now() + Duration::from_secs(args.time_limit);
    let tmp = tempfile::Builder::new().prefix("run-bench-").tempdir()?;
    let context = RunContext {
        date: output::utc_now(),
        commit: output::commit(),
        profile: output::profile(),
        poco_binary: poco.display().to_string(),
        poco_profile: profile_of(&poco),
        cpus: output::cpus(),
    };
    let mut latency = Vec::new();
    if args.phases.contains(&Phase::Latency) {
        for case in CASES {
            latency.push(latency_case(&poco, &wasm, tmp.path(), case, &args, deadline).await?);
        }
    }
    let throughput = if args.phases.contains(&Phase::Throughput) {
        Some(throughput(&poco, &wasm, tmp.path(), &args, deadline).await?)
    } else {
        None
    };
    let params = RunParams {
        runs: args.runs,
        warmup: args.warmup,
        tasks: args.tasks,
        workers: args.workers,
        worker_slots: args.worker_slots,
    };
    let report = RunReport { context, params, latency, throughput };
    let markdown = report.to_markdown();
    let json = serde_json::to_string_pretty(&report)?;
    output::write_report(&args.out, &json, &markdown)
        .wrap_err_with(|| format!("writing {} and its .md", args.out.display()))?;
    println!("{markdown}");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags() {
        let args = Args::parse_from(["run-bench"]);
        assert_eq!(
            (args.runs, args.warmup, args.tasks, args.workers, args.worker_slots),
            (10, 1, 200, 8, 8)
        );
        assert_eq!(args.phases, vec![Phase::Latency, Phase::Throughput]);
        assert_eq!(args.out, PathBuf::from("bench-results/run.json"));
        let args = Args::parse_from(["run-bench", "--phases", "throughput", "--tasks", "64"]);
        assert_eq!(args.time_limit, 300);
        assert_eq!((args.phases, args.tasks), (vec![Phase::Throughput], 64));
    }

    #[test]
    fn numbers_as_poco_prints_them() {
        assert_eq!(json_u64(&serde_json::json!(64)), Some(64));
        assert_eq!(json_u64(&serde_json::json!("64")), Some(64));
        assert_eq!(json_u64(&serde_json::json!("0x40")), Some(64));
        assert_eq!(json_u64(&serde_json::json!("sixty")), None);
        assert_eq!(json_u64(&Value::Null), None);
    }

    #[test]
    fn summaries() {
        let samples: Vec<f64> = (1..=10).map(f64::from).collect();
        let summary = Summary::of(&samples).expect("samples");
        assert_eq!((summary.p50_ms, summary.p90_ms, summary.max_ms), (5.0, 9.0, 10.0));
        assert!(Summary::of(&[]).is_none());
        assert_eq!(profile_of(Path::new("/t/debug/poco")), "debug");
    }
}
