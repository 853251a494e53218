//! `gas-bench`: the gas of poco's PoCo flow against the reference iExec PoCo 6.1.0.
//!
//! One anvil, both protocols deployed; each scenario runs on each protocol from the same chain
//! state (fresh actors, fresh assets), and the receipts' `gasUsed` of the flow's calls are
//! compared (setup calls — RLC transfers, deposits, asset creation — are left out).
//!
//! ```text
//! cargo run -p poco-compat --release --bin gas-bench -- --out bench-results/gas.json
//! ```
//!
//! Writes the JSON (`--out`) and a Markdown table (`gas.md` beside it unless `--markdown`),
//! prints the table, and says whether each scenario meets the target ratio (≤ 0.5). A scenario
//! that reverts fails the run; missing the target does not.

use std::{
    collections::BTreeMap,
    fmt::Write as _,
    path::{Path, PathBuf},
    process::Command,
    time::{SystemTime, UNIX_EPOCH},
};

use clap::Parser;
use eyre::{Result, WrapErr};
use poco_compat::{Driver, Flavor, Harness, gas::is_flow_call, scenarios};
use serde_json::{Value, json};

/// The ratio poco aims at: half the reference's gas.
const TARGET: f64 = 0.5;

#[derive(Debug, Parser)]
#[command(about = "Gas of poco vs the reference iExec PoCo 6.1.0, per call and per task")]
struct Args {
    /// Where to write the JSON results.
    #[arg(long, default_value = "bench-results/gas.json")]
    out: PathBuf,
    /// Where to write the Markdown table (default: `gas.md` next to `--out`).
    #[arg(long)]
    markdown: Option<PathBuf>,
}

/// One row: a call's gas on both protocols.
#[derive(Debug, Clone)]
struct Row {
    name: String,
    poco: u64,
    reference: u64,
    count: usize,
}

impl Row {
    fn ratio(&self) -> f64 {
        ratio(self.poco, self.reference)
    }
}

/// One scenario's results.
#[derive(Debug)]
struct Measured {
    key: &'static str,
    title: &'static str,
    tasks: u64,
    rows: Vec<Row>,
    per_task: Row,
}

impl Measured {
    fn meets_target(&self) -> bool {
        self.per_task.ratio() <= TARGET
    }
}

fn ratio(poco: u64, reference: u64) -> f64 {
    if reference == 0 { f64::NAN } else { poco as f64 / reference as f64 }
}

fn round3(value: f64) -> f64 {
    (value * 1000.0).round() / 1000.0
}

/// The flow calls' gas in order: `(call, gas)`.
fn flow_gas(driver: &Driver) -> Vec<(&'static str, u64)> {
    driver.gas().iter().filter(|r| is_flow_call(r.call)).map(|r| (r.call, r.gas)).collect()
}

/// Rows of one protocol: a call made once per task or less is one row (its mean); a call made
/// `m > 1` times per task gets `m` rows (`contribute #1`, …), each the mean over the tasks —
/// the records come task by task, so the `j`-th of a task is record `j mod m`.
fn rows(records: &[(&'static str, u64)], tasks: u64) -> Vec<(String, u64, usize)> {
    let mut order: Vec<&'static str> = Vec::new();
    let mut by_call: BTreeMap<&'static str, Vec<u64>> = BTreeMap::new();
    for (call, gas) in records {
        if !by_call.contains_key(call) {
            order.push(call);
        }
        by_call.entry(call).or_default().push(*gas);
    }
    let mut out = Vec::new();
    for call in order {
        let gas = &by_call[call];
        let per_task = gas.len() as u64 / tasks.max(1);
        if per_task > 1 && (gas.len() as u64).is_multiple_of(tasks) {
            for j in 0..per_task as usize {
                let nth: Vec<u64> =
                    gas.iter().skip(j).step_by(per_task as usize).copied().collect();
                let mean = nth.iter().sum::<u64>() / nth.len() as u64;
                out.push((format!("{call} #{}", j + 1), mean, nth.len()));
            }
        } else {
            out.push((call.to_owned(), gas.iter().sum::<u64>() / gas.len() as u64, gas.len()));
        }
    }
    out
}

async fn measure<F>(
    harness: &mut Harness,
    key: &'static str,
    title: &'static str,
    tasks: u64,
    scenario: F,
) -> Result<Measured>
where
    F: AsyncFn(&mut Driver) -> poco_compat::Result<()>,
{
    let mut runs = Vec::new();
    for flavor in Flavor::BOTH {
        let driver = harness
            .run(flavor, key, &scenario)
            .await
            .wrap_err_with(|| format!("scenario {key} reverted or failed on {flavor}"))?;
        runs.push(flow_gas(&driver));
    }
    let [poco, reference] = [&runs[0], &runs[1]];
    let calls =
        |records: &[(&'static str, u64)]| records.iter().map(|(c, _)| *c).collect::<Vec<_>>();
    eyre::ensure!(
        calls(poco) == calls(reference),
        "scenario {key}: the protocols made different calls: {:?} vs {:?}",
        calls(poco),
        calls(reference)
    );
    let ours = rows(poco, tasks);
    let theirs = rows(reference, tasks);
    let rows = ours
        .into_iter()
        .zip(theirs)
        .map(|((name, poco, count), (_, reference, _))| Row { name, poco, reference, count })
        .collect();
    let total = |records: &[(&str, u64)]| records.iter().map(|(_, gas)| gas).sum::<u64>();
    let per_task = Row {
        name: "per task".into(),
        poco: total(poco) / tasks,
        reference: total(reference) / tasks,
        count: tasks as usize,
    };
    Ok(Measured { key, title, tasks, rows, per_task })
}

fn to_json(results: &[Measured], date: &str, commit: &str, dirty: bool) -> Value {
    let mut root = serde_json::Map::new();
    for m in results {
        let calls: serde_json::Map<String, Value> = m
            .rows
            .iter()
            .map(|row| {
                let value = json!({
                    "poco": row.poco,
                    "reference": row.reference,
                    "ratio": round3(row.ratio()),
                    "count": row.count,
                });
                (row.name.clone(), value)
            })
            .collect();
        root.insert(
            m.key.to_owned(),
            json!({
                "title": m.title,
                "tasks": m.tasks,
                "calls": calls,
                "per_task": {
                    "poco": m.per_task.poco,
                    "reference": m.per_task.reference,
                    "ratio": round3(m.per_task.ratio()),
                },
                "meets_target": m.meets_target(),
            }),
        );
    }
    root.insert("target".into(), json!(TARGET));
    root.insert("date".into(), json!(date));
    root.insert("commit".into(), json!(commit));
    root.insert("contracts_dirty".into(), json!(dirty));
    Value::Object(root)
}

fn to_markdown(results: &[Measured], date: &str, commit: &str, dirty: bool) -> String {
    let mut md = String::new();
    let _ = writeln!(md, "# Gas: poco vs reference iExec PoCo 6.1.0\n");
    let dirty = if dirty { " (contracts modified in the working tree)" } else { "" };
    let _ = writeln!(
        md,
        "{date} · commit `{commit}`{dirty} · receipts' `gasUsed` · target ratio ≤ {TARGET}\n"
    );
    let _ = writeln!(md, "| scenario | poco / task | reference / task | ratio | ≤ {TARGET} |");
    let _ = writeln!(md, "| --- | ---: | ---: | ---: | :---: |");
    for m in results {
        let _ = writeln!(
            md,
            "| {} {} | {} | {} | {:.3} | {} |",
            m.key,
            m.title,
            m.per_task.poco,
            m.per_task.reference,
            m.per_task.ratio(),
            if m.meets_target() { "yes" } else { "**no**" }
        );
    }
    for m in results {
        let _ = writeln!(md, "\n## {} {}\n", m.key, m.title);
        let _ = writeln!(md, "| call | poco | reference | ratio |");
        let _ = writeln!(md, "| --- | ---: | ---: | ---: |");
        for row in &m.rows {
            let name = if row.count > 1 {
                format!("{} (mean of {})", row.name, row.count)
            } else {
                row.name.clone()
            };
            let _ =
                writeln!(md, "| {name} | {} | {} | {:.3} |", row.poco, row.reference, row.ratio());
        }
        let _ = writeln!(
            md,
            "| **per task** ({} task{}) | **{}** | **{}** | **{:.3}** |",
            m.tasks,
            if m.tasks == 1 { "" } else { "s" },
            m.per_task.poco,
            m.per_task.reference,
            m.per_task.ratio()
        );
    }
    md
}

/// `YYYY-MM-DDTHH:MM:SSZ` of the current time.
fn utc_now() -> String {
    let secs = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // Howard Hinnant's civil_from_days.
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// The commit of the workspace and whether the contracts differ from it.
fn git_state(root: &Path) -> (String, bool) {
    let git = |args: &[&str]| {
        Command::new("git")
            .args(args)
            .current_dir(root)
            .output()
            .ok()
            .filter(|out| out.status.success())
            .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_owned())
    };
    let commit = git(&["rev-parse", "HEAD"]).unwrap_or_else(|| "unknown".into());
    let dirty = git(&["status", "--porcelain", "--", "contracts/src", "contracts/artifacts"])
        .is_some_and(|status| !status.is_empty());
    (commit, dirty)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<()> {
    let args = Args::parse();
    let mut harness = Harness::start().await.wrap_err("starting anvil and deploying")?;

    let results = vec![
        measure(&mut harness, "a", "trust 1, one worker, classic", 1, scenarios::one_worker_trust1)
            .await?,
        measure(
            &mut harness,
            "b",
            "trust 5, three workers agreeing, classic",
            1,
            scenarios::three_workers_trust5,
        )
        .await?,
        measure(
            &mut harness,
            "c",
            "trust 1, contributeAndFinalize",
            1,
            scenarios::contribute_and_finalize,
        )
        .await?,
        measure(
            &mut harness,
            "d",
            "deal of 10 tasks, trust 1, classic",
            10,
            scenarios::ten_tasks_per_task,
        )
        .await?,
    ];

    let (commit, dirty) = git_state(&poco_reference::workspace_root());
    let date = utc_now();
    let json = to_json(&results, &date, &commit, dirty);
    let markdown = to_markdown(&results, &date, &commit, dirty);

    if let Some(dir) = args.out.parent().filter(|dir| !dir.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).wrap_err_with(|| format!("creating {}", dir.display()))?;
    }
    std::fs::write(&args.out, serde_json::to_string_pretty(&json)? + "\n")
        .wrap_err_with(|| format!("writing {}", args.out.display()))?;
    let md_path = args.markdown.unwrap_or_else(|| args.out.with_file_name("gas.md"));
    std::fs::write(&md_path, &markdown)
        .wrap_err_with(|| format!("writing {}", md_path.display()))?;

    println!("{markdown}");
    for m in &results {
        let verdict = if m.meets_target() { "MEETS" } else { "MISSES" };
        println!(
            "scenario {} ({}): {verdict} the target: per-task ratio {:.3} (target ≤ {TARGET})",
            m.key,
            m.title,
            m.per_task.ratio()
        );
    }
    println!("\nwrote {} and {}", args.out.display(), md_path.display());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_calls_get_ordinals_and_per_task_calls_a_mean() {
        let one_task = [("matchOrders", 10), ("contribute", 5), ("contribute", 7), ("finalize", 3)];
        let rows = rows(&one_task, 1);
        let names: Vec<_> = rows.iter().map(|(n, g, c)| (n.as_str(), *g, *c)).collect();
        assert_eq!(
            names,
            [
                ("matchOrders", 10, 1),
                ("contribute #1", 5, 1),
                ("contribute #2", 7, 1),
                ("finalize", 3, 1)
            ]
        );
        let two_tasks = [("matchOrders", 10), ("initialize", 4), ("initialize", 6)];
        let rows = super::rows(&two_tasks, 2);
        assert_eq!(rows[1], ("initialize".to_owned(), 5, 2));
    }

    #[test]
    fn utc_date_shape() {
        let now = utc_now();
        assert_eq!(now.len(), 20, "{now}");
        assert!(now.ends_with('Z') && now.as_bytes()[10] == b'T');
    }
}
