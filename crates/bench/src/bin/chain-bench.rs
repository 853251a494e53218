//! `chain-bench`: the devchain against anvil (see the `poco-bench` crate docs). Writes
//! `<out>` (JSON) and the same path with `.md` (a table), and prints the table.

use std::path::PathBuf;

use clap::Parser;
use eyre::{WrapErr, eyre};
use poco_bench::{Context, Params, Report, node::sibling_devchain, output};

/// Command-line arguments.
#[derive(Debug, Parser)]
#[command(name = "chain-bench", about = "devchain vs anvil: ERC-20 transfers and PoCo tasks")]
struct Args {
    /// The `poco-devchain` binary (default: the one next to this executable).
    #[arg(long)]
    devchain: Option<PathBuf>,
    /// RLC transfers per round.
    #[arg(long, default_value_t = 1_000)]
    transfers: usize,
    /// Concurrent transfer senders (dev accounts 1 to N).
    #[arg(long, default_value_t = 8)]
    senders: usize,
    /// Full PoCo tasks per round.
    #[arg(long, default_value_t = 20)]
    tasks: usize,
    /// Rounds (the nodes alternate in each).
    #[arg(long, default_value_t = 3)]
    rounds: usize,
    /// Untimed transfers sent to each node first.
    #[arg(long, default_value_t = 200)]
    warmup: usize,
    /// anvil keeps this many states, in memory only (`--prune-history`); the devchain keeps
    /// its last 128.
    #[arg(long, default_value_t = 128, conflicts_with = "anvil_full_history")]
    anvil_prune_history: usize,
    /// Run anvil with its default history instead (every state kept, older ones on disk).
    #[arg(long)]
    anvil_full_history: bool,
    /// Where to write the JSON figures (the Markdown goes next to it, as `.md`).
    #[arg(long, default_value = "bench-results/devchain.json")]
    out: PathBuf,
}

#[tokio::main]
async fn main() -> eyre::Result<()> {
    let args = Args::parse();
    let devchain = match args.devchain.clone() {
        Some(path) => path,
        None => sibling_devchain().ok_or_else(|| {
            eyre!(
                "no poco-devchain next to this executable: build it with the same profile \
                 (cargo build -p poco-devchain -p poco-bench --bins) or pass --devchain"
            )
        })?,
    };
    let params = Params {
        transfers: args.transfers,
        senders: args.senders,
        tasks: args.tasks,
        rounds: args.rounds,
        warmup: args.warmup,
        anvil_prune_history: (!args.anvil_full_history).then_some(args.anvil_prune_history),
    };
    let (ours, anvil) =
        poco_bench::run(&devchain, &params, |line| eprintln!("chain-bench: {line}")).await?;
    let context = Context {
        date: output::utc_now(),
        commit: output::commit(),
        profile: output::profile(),
        devchain_binary: devchain.display().to_string(),
        anvil: output::version(
            &poco_reference::workspace_root().join(poco_reference::ANVIL_PATH),
            "anvil (unknown version)",
        ),
        cpus: output::cpus(),
    };
    let report = Report::new(context, params, ours, anvil);
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
        let args = Args::parse_from(["chain-bench", "--transfers", "10", "--rounds", "1"]);
        assert_eq!((args.transfers, args.rounds, args.senders), (10, 1, 8));
        assert_eq!(args.out, PathBuf::from("bench-results/devchain.json"));
    }
}
