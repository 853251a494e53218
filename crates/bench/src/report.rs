//! The figures of a run: per node, per workload, and the devchain/anvil ratios; as JSON and as
//! a Markdown table.

use serde::Serialize;

use crate::{
    stats::{LatencySummary, median},
    tasks::TaskRun,
    transfers::TransferRun,
};

/// Transfer figures of one node over every round.
#[derive(Clone, Debug, Serialize)]
pub struct TransferFigures {
    /// Transactions per round.
    pub txs_per_round: usize,
    /// Throughput of each round (tx/s).
    pub tps_rounds: Vec<f64>,
    /// The median round's throughput (tx/s): the headline figure.
    pub tps: f64,
    /// Send-to-receipt latency over every transaction of every round.
    pub latency: LatencySummary,
}

impl TransferFigures {
    /// The figures of `runs`.
    pub fn of(runs: &[TransferRun]) -> Self {
        let tps_rounds: Vec<f64> = runs.iter().map(TransferRun::tps).collect();
        let samples: Vec<_> = runs.iter().flat_map(|run| run.latencies.iter().copied()).collect();
        Self {
            txs_per_round: runs.first().map_or(0, |run| run.txs),
            tps: median(&tps_rounds),
            tps_rounds,
            latency: LatencySummary::of(&samples),
        }
    }
}

/// Task figures of one node over every round.
#[derive(Clone, Debug, Serialize)]
pub struct TaskFigures {
    /// Tasks per round.
    pub tasks_per_round: usize,
    /// Transactions per task.
    pub txs_per_task: usize,
    /// Tasks per second of each round.
    pub tasks_per_s_rounds: Vec<f64>,
    /// The median round's tasks per second: the headline figure.
    pub tasks_per_s: f64,
    /// The median round's transactions per second.
    pub tps: f64,
    /// Latency of each protocol call (estimate, fees, nonce, send, receipt) over every round.
    pub latency: LatencySummary,
}

impl TaskFigures {
    /// The figures of `runs`.
    pub fn of(runs: &[TaskRun]) -> Self {
        let tasks_per_s_rounds: Vec<f64> = runs.iter().map(TaskRun::tasks_per_second).collect();
        let tps_rounds: Vec<f64> = runs.iter().map(TaskRun::tps).collect();
        let samples: Vec<_> = runs.iter().flat_map(|run| run.latencies.iter().copied()).collect();
        let first = runs.first();
        Self {
            tasks_per_round: first.map_or(0, |run| run.tasks),
            txs_per_task: first.map_or(0, |run| run.txs / run.tasks.max(1)),
            tasks_per_s: median(&tasks_per_s_rounds),
            tps: median(&tps_rounds),
            tasks_per_s_rounds,
            latency: LatencySummary::of(&samples),
        }
    }
}

/// One node's figures.
#[derive(Clone, Debug, Serialize)]
pub struct NodeFigures {
    /// ERC-20 transfers.
    pub transfers: TransferFigures,
    /// Full PoCo tasks.
    pub tasks: TaskFigures,
}

/// devchain / anvil for each headline figure (above 1 means the devchain is faster for a
/// throughput, slower for a latency).
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Ratios {
    /// Transfer throughput.
    pub transfers_tps: f64,
    /// Transfer p50 latency.
    pub transfers_p50: f64,
    /// Transfer p99 latency.
    pub transfers_p99: f64,
    /// Tasks per second.
    pub tasks_per_s: f64,
    /// Task transactions per second.
    pub tasks_tps: f64,
    /// Task call p50 latency.
    pub tasks_p50: f64,
    /// Task call p99 latency.
    pub tasks_p99: f64,
}

impl Ratios {
    /// The ratios of `devchain` to `anvil`.
    pub fn of(devchain: &NodeFigures, anvil: &NodeFigures) -> Self {
        let ratio = |ours: f64, theirs: f64| if theirs > 0.0 { ours / theirs } else { 0.0 };
        let (dt, at) = (&devchain.transfers, &anvil.transfers);
        let (dk, ak) = (&devchain.tasks, &anvil.tasks);
        Self {
            transfers_tps: ratio(dt.tps, at.tps),
            transfers_p50: ratio(dt.latency.p50_ms, at.latency.p50_ms),
            transfers_p99: ratio(dt.latency.p99_ms, at.latency.p99_ms),
            tasks_per_s: ratio(dk.tasks_per_s, ak.tasks_per_s),
            tasks_tps: ratio(dk.tps, ak.tps),
            tasks_p50: ratio(dk.latency.p50_ms, ak.latency.p50_ms),
            tasks_p99: ratio(dk.latency.p99_ms, ak.latency.p99_ms),
        }
    }

    /// The target: the devchain's throughput at least anvil's, for both workloads.
    pub fn meets_target(&self) -> bool {
        self.transfers_tps >= 1.0 && self.tasks_per_s >= 1.0
    }
}

/// Parameters of a run.
#[derive(Clone, Debug, Serialize)]
pub struct Params {
    /// Transfers per round.
    pub transfers: usize,
    /// Concurrent senders of transfers.
    pub senders: usize,
    /// Tasks per round.
    pub tasks: usize,
    /// Rounds (nodes alternate within each round).
    pub rounds: usize,
    /// Untimed transfers sent to each node first.
    pub warmup: usize,
    /// anvil's `--prune-history` (states kept, in memory only); `None`: anvil's default (every
    /// state, older ones on disk).
    pub anvil_prune_history: Option<usize>,
}

/// Where and how the run was made.
#[derive(Clone, Debug, Serialize)]
pub struct Context {
    /// UTC date and time.
    pub date: String,
    /// The workspace's commit.
    pub commit: String,
    /// The cargo profile the benchmark and the devchain were built with (`debug` or an
    /// optimized one).
    pub profile: String,
    /// The devchain binary measured.
    pub devchain_binary: String,
    /// The anvil version.
    pub anvil: String,
    /// Logical CPUs of the machine.
    pub cpus: usize,
}

/// The whole report.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// Where and how.
    pub context: Context,
    /// The parameters.
    pub params: Params,
    /// The devchain's figures.
    pub devchain: NodeFigures,
    /// anvil's figures.
    pub anvil: NodeFigures,
    /// devchain / anvil.
    pub ratio: Ratios,
    /// Whether the devchain's throughput is at least anvil's in both workloads.
    pub meets_target: bool,
}

impl Report {
    /// The report of both nodes' figures.
    pub fn new(
        context: Context,
        params: Params,
        devchain: NodeFigures,
        anvil: NodeFigures,
    ) -> Self {
        let ratio = Ratios::of(&devchain, &anvil);
        Self { context, params, meets_target: ratio.meets_target(), devchain, anvil, ratio }
    }

    /// The report as Markdown.
    pub fn to_markdown(&self) -> String {
        let c = &self.context;
        let p = &self.params;
        let (d, a, r) = (&self.devchain, &self.anvil, &self.ratio);
        let mut md = String::new();
        md.push_str("# devchain vs anvil\n\n");
        md.push_str(&format!(
            "{} · commit `{}` · profile `{}` · {} · {} CPUs\n\n",
            c.date, c.commit, c.profile, c.anvil, c.cpus
        ));
        md.push_str(&format!(
            "{} rounds (nodes alternating); per round {} RLC transfers from {} concurrent \
             senders and {} full tasks; throughput is the median round's, latency over every \
             round. anvil {}.\n\n",
            p.rounds,
            p.transfers,
            p.senders,
            p.tasks,
            match p.anvil_prune_history {
                Some(states) => format!(
                    "with `--prune-history {states}` (the last {states} states in memory, like \
                     the devchain)"
                ),
                None => "with its defaults (every state kept, older ones on disk)".to_owned(),
            }
        ));
        md.push_str("| workload | figure | devchain | anvil | devchain/anvil |\n");
        md.push_str("| --- | --- | ---: | ---: | ---: |\n");
        let mut row = |workload: &str, figure: &str, ours: f64, theirs: f64, ratio: f64| {
            md.push_str(&format!(
                "| {workload} | {figure} | {ours:.2} | {theirs:.2} | {ratio:.2} |\n"
            ));
        };
        row("ERC-20 transfers", "tx/s", d.transfers.tps, a.transfers.tps, r.transfers_tps);
        row(
            "ERC-20 transfers",
            "p50 ms",
            d.transfers.latency.p50_ms,
            a.transfers.latency.p50_ms,
            r.transfers_p50,
        );
        row(
            "ERC-20 transfers",
            "p99 ms",
            d.transfers.latency.p99_ms,
            a.transfers.latency.p99_ms,
            r.transfers_p99,
        );
        row("PoCo task", "tasks/s", d.tasks.tasks_per_s, a.tasks.tasks_per_s, r.tasks_per_s);
        row("PoCo task", "tx/s", d.tasks.tps, a.tasks.tps, r.tasks_tps);
        row(
            "PoCo task",
            "p50 ms per tx",
            d.tasks.latency.p50_ms,
            a.tasks.latency.p50_ms,
            r.tasks_p50,
        );
        row(
            "PoCo task",
            "p99 ms per tx",
            d.tasks.latency.p99_ms,
            a.tasks.latency.p99_ms,
            r.tasks_p99,
        );
        md.push_str(&format!(
            "\nTarget (devchain throughput ≥ anvil's in both workloads): {}\n",
            if self.meets_target { "met" } else { "NOT met" }
        ));
        md
    }
}
