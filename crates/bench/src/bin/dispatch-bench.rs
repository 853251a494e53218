//! `dispatch-bench`: the scheduler's dispatch with simulated workers (see
//! `poco_bench::dispatch`). Writes `<out>` (JSON) and the same path with `.md` (a table), and
//! prints the table.

use std::path::PathBuf;

use clap::Parser;
use eyre::{WrapErr, eyre};
use poco_bench::{
    dispatch::{self, DispatchContext, DispatchParams, DispatchReport, sibling_scheduler},
    node::sibling_devchain,
    output,
};

/// The scheduler's dispatch under load: N simulated workers (real HTTP, real signatures) log in,
/// register and wait for work; figures: memory per connected worker, INITIALIZED → ASSIGNED
/// latency, and tasks dispatched per second from a backlog.
///
/// The `poco-devchain` and `poco-scheduler` binaries are taken from next to this executable:
///
///   cargo build --release -p poco-devchain -p poco-scheduler -p poco-bench --bins
///   target/release/dispatch-bench --out bench-results/dispatch.json
#[derive(Debug, Parser)]
#[command(name = "dispatch-bench", verbatim_doc_comment)]
struct Args {
    /// The `poco-devchain` binary (default: the one next to this executable).
    #[arg(long)]
    devchain: Option<PathBuf>,
    /// The `poco-scheduler` binary (default: the one next to this executable).
    #[arg(long)]
    scheduler: Option<PathBuf>,
    /// Simulated workers.
    #[arg(long, default_value_t = 1_000)]
    workers: usize,
    /// Tasks each worker may hold at once.
    #[arg(long, default_value_t = 3)]
    slots: u32,
    /// Tasks of the deal made while the workers wait (latency).
    #[arg(long, default_value_t = 200)]
    latency_tasks: u64,
    /// Tasks of the deal initialized before the workers ask (throughput).
    #[arg(long, default_value_t = 2_000)]
    backlog_tasks: u64,
    /// Longest long poll, in ms.
    #[arg(long, default_value_t = 5_000)]
    wait_ms: u64,
    /// Where to write the JSON figures (the Markdown goes next to it, as `.md`).
    #[arg(long, default_value = "bench-results/dispatch.json")]
    out: PathBuf,
}

#[tokio::main]
async fn main() -> eyre::Result<()> {
    let args = Args::parse();
    let sibling = |found: Option<PathBuf>, name: &str| {
        found.ok_or_else(|| {
            eyre!(
                "no {name} next to this executable: build it with the same profile \
                 (cargo build -p poco-devchain -p poco-scheduler -p poco-bench --bins) or pass \
                 its path"
            )
        })
    };
    let devchain = match args.devchain.clone() {
        Some(path) => path,
        None => sibling(sibling_devchain(), "poco-devchain")?,
    };
    let scheduler = match args.scheduler.clone() {
        Some(path) => path,
        None => sibling(sibling_scheduler(), "poco-scheduler")?,
    };
    let params = DispatchParams {
        workers: args.workers,
        slots: args.slots,
        latency_tasks: args.latency_tasks,
        backlog_tasks: args.backlog_tasks,
        wait_ms: args.wait_ms,
    };
    let figures = dispatch::run(&devchain, &scheduler, &params, |line| {
        eprintln!("dispatch-bench: {line}");
    })
    .await?;
    let context = DispatchContext {
        date: output::utc_now(),
        commit: output::commit(),
        profile: output::profile(),
        database: "SQLite".into(),
        cpus: output::cpus(),
    };
    let report = DispatchReport { context, params, figures };
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
        let args = Args::parse_from(["dispatch-bench", "--workers", "10"]);
        assert_eq!((args.workers, args.slots, args.backlog_tasks), (10, 3, 2_000));
        assert_eq!(args.out, PathBuf::from("bench-results/dispatch.json"));
    }
}
