//! `poco deal`: what a match bought — show (and watch every task), claim the tasks that ran out
//! of time.

use crate::{
    commands::task::{Shown, WaitArgs, show},
    context::Context,
    exit::CliError,
    output::{Output, emit, message},
};
use clap::Subcommand;
use poco_sdk::{DealClaim, DealId, DealInfo, amount::format_rlc};
use serde::Serialize;

/// `poco deal …`
#[derive(Debug, Subcommand)]
pub(crate) enum DealCommand {
    /// Show a deal: its app, dataset, pool, prices, requester and the status of each task;
    /// --watch follows every task until it ends, --download fetches their results.
    #[command(after_help = "Examples:
  poco deal show 0x…
  poco deal show 0x… --watch --download ./results     # one folder per task inside
  poco --json deal show 0x…")]
    Show {
        /// The deal id (printed by `poco app run` and `poco order fill`).
        deal: DealId,
        #[command(flatten)]
        wait: WaitArgs,
    },
    /// Claim every task of a deal that did not complete by its final deadline: the requester
    /// is refunded their price.
    #[command(after_help = "Examples:
  poco deal claim 0x… --key-file ./me.key")]
    Claim {
        /// The deal id.
        deal: DealId,
    },
}

/// What `deal show` prints.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DealShown {
    #[serde(flatten)]
    pub(crate) deal: DealInfo,
    /// Each task (its end and download when waited for).
    #[serde(rename = "taskDetails")]
    pub(crate) details: Vec<Shown>,
}

impl Output for DealInfo {
    fn human(&self) -> String {
        let mut text = format!(
            "deal:        {}\napp:         {} ({} per task)\n",
            self.deal_id,
            self.app.address,
            format_rlc(self.app.price)
        );
        if !self.dataset.address.is_zero() {
            text.push_str(&format!(
                "dataset:     {} ({} per task)\n",
                self.dataset.address,
                format_rlc(self.dataset.price)
            ));
        }
        text.push_str(&format!(
            "workerpool:  {} ({} per task)\nrequester:   {}\nbeneficiary: {}\ncategory:    {}\ntrust:       {}\ntag:         {}\nparams:      {}\nvolume:      {} task(s) at {} each\nstarted:     {} (chain time, s)\n",
            self.workerpool.address,
            format_rlc(self.workerpool.price),
            self.requester,
            self.beneficiary,
            self.category,
            self.trust,
            self.tag,
            self.params,
            self.volume,
            format_rlc(self.task_price),
            self.start_time
        ));
        if !self.callback.is_zero() {
            text.push_str(&format!("callback:    {}\n", self.callback));
        }
        text.trim_end().to_owned()
    }
}

impl Output for DealShown {
    fn human(&self) -> String {
        let mut text = self.deal.human();
        text.push_str("\n\ntasks:");
        for shown in &self.details {
            text.push_str(&format!("\n  {} {}", shown.task.task_id, shown.task.status));
            if let Some(download) = &shown.download {
                text.push_str(&format!(" → {}", download.dir.display()));
            }
        }
        text
    }
}

impl Output for DealClaim {
    fn human(&self) -> String {
        if self.claimed.is_empty() {
            return "Nothing to claim: every task completed, was claimed, or is before its final \
                    deadline."
                .to_owned();
        }
        let mut text = format!("claimed {} task(s):", self.claimed.len());
        for task in &self.claimed {
            text.push_str(&format!("\n  {task}"));
        }
        if let Some(tx) = &self.tx {
            text.push_str(&format!("\ntx: {} (block {})", tx.hash, tx.block));
        }
        text
    }
}

pub(crate) async fn run(context: &Context, command: DealCommand) -> Result<(), CliError> {
    match command {
        DealCommand::Show { deal, wait } => {
            let poco = context.connect().await?;
            let info = poco.show_deal(deal).await?;
            let details = show_tasks(context, &poco, &info, &wait).await?;
            emit(&DealShown { deal: info, details }, context.json());
        }
        DealCommand::Claim { deal } => {
            let poco = context.connect_signed().await?;
            let claim = poco.claim_deal(deal).await?;
            if !claim.claimed.is_empty() {
                message(context.json(), "Claimed: the requester was refunded.");
            }
            emit(&claim, context.json());
        }
    }
    Ok(())
}

/// Each task of `deal`: its state, or (when `wait` says so) its end and downloaded result;
/// with several tasks, each result goes into a folder named after the task inside the
/// download folder.
pub(crate) async fn show_tasks(
    context: &Context,
    poco: &poco_sdk::Poco,
    deal: &DealInfo,
    wait: &WaitArgs,
) -> Result<Vec<Shown>, CliError> {
    let mut details = Vec::with_capacity(deal.tasks.len());
    for task in &deal.tasks {
        let mut per_task = wait.clone();
        if deal.tasks.len() > 1 {
            per_task.download = wait.download_dir(*task).map(|dir| {
                if dir.as_os_str() == task.to_string().as_str() {
                    dir
                } else {
                    dir.join(task.to_string())
                }
            });
        }
        details.push(show(context, poco, *task, Some(deal), &per_task).await?);
    }
    Ok(details)
}
