//! Benchmarks of poco's devchain against anvil, process against process over HTTP JSON-RPC, in
//! the same run on the same machine (the `chain-bench` binary).
//!
//! ```text
//!  poco-devchain (protocol at genesis) ┐                  ┌ transfers: N RLC transfers, S senders
//!  anvil + deploy_protocol (key 0)     ┴▶ rounds, nodes ─▶┤   at once: tx/s, send→receipt p50/p99
//!                                          alternating    └ tasks: K PoCo tasks (match, initialize,
//!                                                           contribute, reveal, finalize) through
//!                                                           poco-compat's Driver: tasks/s, tx/s,
//!                                                           per-call p50/p99
//! ```
//!
//! Both nodes run the same contracts at the same addresses and get the same requests. The
//! devchain runs as its own process (the `poco-devchain` binary of the same cargo profile as the
//! benchmark), so neither node shares the client's runtime.
#![cfg_attr(not(test), warn(unused_crate_dependencies))]

pub mod client;
pub mod dispatch;
pub mod error;
pub mod node;
pub mod output;
pub mod report;
pub mod stats;
pub mod tasks;
pub mod transfers;

use std::path::Path;

// The chain-bench binary's dependencies.
use {clap as _, eyre as _};

pub use error::{BenchError, Result};
pub use node::{Node, NodeKind};
pub use report::{Context, NodeFigures, Params, Report, TaskFigures, TransferFigures};

/// Salt of the warm-up transfers' recipients (the rounds use their index).
const WARMUP_SALT: u64 = u64::MAX;

/// Starts both nodes, warms them up, runs `params.rounds` rounds of both workloads on each
/// (alternating which node goes first) and returns both nodes' figures.
pub async fn run(
    devchain_binary: &Path,
    params: &Params,
    progress: impl Fn(&str),
) -> Result<(NodeFigures, NodeFigures)> {
    if params.rounds == 0 || params.transfers == 0 || params.tasks == 0 {
        return Err(BenchError::Params("rounds, transfers and tasks must be above 0".into()));
    }
    progress("starting the devchain and anvil (anvil: deploying the protocol)");
    let devchain = Node::devchain(devchain_binary).await?;
    let anvil = Node::anvil(params.anvil_prune_history).await?;
    let nodes = [&devchain, &anvil];

    let mut drivers = Vec::with_capacity(2);
    for node in nodes {
        let pid = node.pid().map_or_else(|| "attached".to_owned(), |pid| format!("pid {pid}"));
        progress(&format!("{}: warm-up and setup ({pid})", node.kind().name()));
        if params.warmup > 0 {
            transfers::run(node, params.warmup, params.senders, WARMUP_SALT).await?;
        }
        drivers.push(tasks::prepare(node).await?);
    }

    let mut transfer_runs = [Vec::new(), Vec::new()];
    let mut task_runs = [Vec::new(), Vec::new()];
    for round in 0..params.rounds {
        let order = if round % 2 == 0 { [0, 1] } else { [1, 0] };
        for index in order {
            let node = nodes[index];
            let transfers =
                transfers::run(node, params.transfers, params.senders, round as u64).await?;
            let tasks = tasks::run(&mut drivers[index], params.tasks).await?;
            progress(&format!(
                "round {}/{} {}: {:.0} transfers/s, {:.2} tasks/s",
                round + 1,
                params.rounds,
                node.kind().name(),
                transfers.tps(),
                tasks.tasks_per_second()
            ));
            transfer_runs[index].push(transfers);
            task_runs[index].push(tasks);
        }
    }
    let figures = |index: usize| NodeFigures {
        transfers: TransferFigures::of(&transfer_runs[index]),
        tasks: TaskFigures::of(&task_runs[index]),
    };
    Ok((figures(0), figures(1)))
}
