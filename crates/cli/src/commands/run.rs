//! `poco app run`: buy the execution of an app from the market's best orders, then (with
//! --watch or --download) follow its tasks to their results.

use crate::{
    commands::{
        deal::show_tasks,
        order::MaxPrices,
        task::{Shown, WaitArgs},
    },
    context::Context,
    exit::CliError,
    output::{Output, Progress, emit, message},
};
use alloy_primitives::Address;
use clap::Args;
use poco_primitives::Tag;
use poco_sdk::{
    AppAddress, DatasetAddress, RunRequest, RunStarted, WorkerpoolAddress,
    amount::{format_rlc, parse_rlc},
};
use serde::Serialize;

/// The `after_help` of `poco app run`.
pub(crate) const RUN_HELP: &str = "Examples:
  poco app run 0x… --key-file ./me.key --args \"hello world\" --watch --download ./result
  poco app run 0x… --key-file ./me.key --trust 5 --category 0 --workerpool 0x…
  poco app run 0x… --key-file ./me.key --input-files https://example.com/a.csv --volume 3

What it does: asks the market for the cheapest app, dataset and workerpool orders that fit
(category, trust, tag, max prices), signs a request order for them with your wallet, and
matches them on chain (the price is locked from your deposit: `poco account deposit`). With
--watch it follows each task until it completes; with --download it unpacks each result.";

/// `poco app run` options.
#[derive(Debug, Args)]
pub(crate) struct RunArgs {
    /// The app to run.
    app: AppAddress,
    /// A dataset for the app.
    #[arg(long)]
    dataset: Option<DatasetAddress>,
    /// Only this workerpool (the cheapest fitting one otherwise).
    #[arg(long)]
    workerpool: Option<WorkerpoolAddress>,
    /// The app's arguments, as one string (split like a shell would).
    #[arg(long)]
    args: Option<String>,
    /// URLs the workers download into the app's input folder.
    #[arg(long = "input-files", value_name = "URL", num_args = 1.., value_delimiter = ',')]
    input_files: Vec<String>,
    /// Category: the size of the task (`poco category show 0`).
    #[arg(long, default_value_t = 0)]
    category: u64,
    /// Trust: 0 or 1 for one worker; higher replicates until the consensus is that sure.
    #[arg(long, default_value_t = 0)]
    trust: u64,
    /// Requirements the pool must meet: names (`tee,scone`, `gpu`) or a 0x… hex tag.
    #[arg(long)]
    tag: Option<Tag>,
    /// A contract called with each task's result (its `receiveResult`).
    #[arg(long)]
    callback: Option<Address>,
    /// Who may read the results (default: you).
    #[arg(long)]
    beneficiary: Option<Address>,
    /// How many tasks to buy.
    #[arg(long, default_value_t = 1)]
    volume: u64,
    #[command(flatten)]
    prices: MaxPrices,
    #[command(flatten)]
    wait: WaitArgs,
}

/// What `poco app run` prints.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Ran {
    #[serde(flatten)]
    started: RunStarted,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tasks: Vec<Shown>,
}

impl Output for Ran {
    fn human(&self) -> String {
        let deal = &self.started.deal;
        let mut text = format!(
            "deal:   {}\nprice:  {} per task, {} task(s)\ntx:     {} (block {})\ntasks:",
            deal.deal_id,
            format_rlc(deal.task_price),
            deal.volume,
            self.started.filled.tx.hash,
            self.started.filled.tx.block
        );
        if self.tasks.is_empty() {
            for task in &deal.tasks {
                text.push_str(&format!("\n  {task}"));
            }
            text.push_str(&format!("\n\nFollow it: poco deal show {} --watch", deal.deal_id));
        } else {
            for shown in &self.tasks {
                text.push_str(&format!("\n\n{}", shown.human()));
            }
        }
        text
    }
}

pub(crate) async fn run(context: &Context, args: RunArgs) -> Result<(), CliError> {
    let price = |text: &Option<String>| text.as_deref().map(parse_rlc).transpose();
    let request = RunRequest {
        app: args.app,
        dataset: args.dataset,
        workerpool: args.workerpool,
        category: args.category,
        trust: args.trust,
        tag: args.tag.unwrap_or_default(),
        args: args.args,
        input_files: args.input_files,
        callback: args.callback,
        beneficiary: args.beneficiary,
        volume: args.volume,
        app_max_price: price(&args.prices.app_max_price)?,
        dataset_max_price: price(&args.prices.dataset_max_price)?,
        workerpool_max_price: price(&args.prices.workerpool_max_price)?,
    };
    let poco = context.connect_signed().await?;
    let progress = Progress::start(context.json(), "Looking for orders and matching them …");
    let started = poco.run(&request).await;
    progress.finish();
    let started = started?;
    message(
        context.json(),
        &format!(
            "Deal {}: {} task(s) at {} each.",
            started.deal.deal_id,
            started.deal.volume,
            format_rlc(started.deal.task_price)
        ),
    );
    let tasks = if args.wait.waits() {
        show_tasks(context, &poco, &started.deal, &args.wait).await?
    } else {
        Vec::new()
    };
    emit(&Ran { started, tasks }, context.json());
    Ok(())
}
