//! `chain-bench`: the devchain against anvil (see the `poco-bench` crate docs). Writes
//! `<out>` (JSON) and the same path with `.md` (a table), and prints the table.

use std::{
    path::{Path, PathBuf},
    process::Command,
};

use clap::Parser;
use eyre::{WrapErr, eyre};
use poco_bench::{Context, Params, Report, node::sibling_devchain};

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
    let root = poco_reference::workspace_root();
    let context = Context {
        date: utc_now(),
        commit: git(&root, &["rev-parse", "--short=12", "HEAD"])
            .unwrap_or_else(|| "unknown".into()),
        profile: if cfg!(debug_assertions) { "debug" } else { "optimized" }.into(),
        devchain_binary: devchain.display().to_string(),
        anvil: version(&root.join(poco_reference::ANVIL_PATH)),
        cpus: std::thread::available_parallelism().map_or(1, std::num::NonZero::get),
    };
    let report = Report::new(context, params, ours, anvil);
    let markdown = report.to_markdown();
    if let Some(dir) = args.out.parent().filter(|dir| !dir.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).wrap_err_with(|| format!("creating {}", dir.display()))?;
    }
    let json = serde_json::to_string_pretty(&report)?;
    std::fs::write(&args.out, json + "\n")
        .wrap_err_with(|| format!("writing {}", args.out.display()))?;
    let md_path = args.out.with_extension("md");
    std::fs::write(&md_path, &markdown)
        .wrap_err_with(|| format!("writing {}", md_path.display()))?;
    println!("{markdown}");
    Ok(())
}

fn git(root: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).current_dir(root).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// `anvil --version`'s first line.
fn version(binary: &Path) -> String {
    Command::new(binary)
        .arg("--version")
        .output()
        .ok()
        .and_then(|out| String::from_utf8(out.stdout).ok())
        .and_then(|text| text.lines().next().map(str::to_owned))
        .unwrap_or_else(|| "anvil (unknown version)".into())
}

/// The current UTC time as `YYYY-MM-DDTHH:MM:SSZ`.
fn utc_now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs());
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let (year, month, day) = civil_from_days(days as i64);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3_600,
        rest % 3_600 / 60,
        rest % 60
    )
}

/// Days since 1970-01-01 to a (year, month, day) of the proleptic Gregorian calendar.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_723), (2024, 1, 1));
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
    }

    #[test]
    fn flags() {
        let args = Args::parse_from(["chain-bench", "--transfers", "10", "--rounds", "1"]);
        assert_eq!((args.transfers, args.rounds, args.senders), (10, 1, 8));
        assert_eq!(args.out, PathBuf::from("bench-results/devchain.json"));
    }
}
