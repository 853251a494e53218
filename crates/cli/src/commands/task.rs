//! `poco task`: one task of a deal — show (and watch, and download its result), claim, timeline.

use crate::{
    context::Context,
    exit::CliError,
    output::{Output, Progress, emit, message},
};
use clap::{Args, Subcommand};
use poco_scheduler_api::{ReplicateState, Subject, Timeline};
use poco_sdk::{
    DealInfo, DownloadedResult, Poco, TaskEnd, TaskId, TaskInfo, TaskProgress, TaskStatus,
    TxOutcome,
};
use serde::Serialize;
use std::{path::PathBuf, time::Duration};

/// How often a watched task is read.
pub(crate) const WATCH_POLL: Duration = Duration::from_millis(100);

/// `poco task …`
#[derive(Debug, Subcommand)]
pub(crate) enum TaskCommand {
    /// Show a task: its status on chain, deadlines, consensus and result; --watch follows it
    /// until it ends, --download fetches its result.
    #[command(after_help = "Examples:
  poco task show 0x…
  poco task show 0x… --watch --download ./result      # wait for it, then unpack its result
  poco --json task show 0x…")]
    Show {
        /// The task id.
        task: TaskId,
        #[command(flatten)]
        wait: WaitArgs,
    },
    /// Claim a task that did not complete by its final deadline: the requester gets its price
    /// back and the pool's stake for it is seized.
    #[command(after_help = "Examples:
  poco task claim 0x… --key-file ./me.key")]
    Claim {
        /// The task id.
        task: TaskId,
    },
    /// Every step the pool's scheduler recorded for a task and its replicates.
    #[command(after_help = "Examples:
  poco task timeline 0x…
  poco --json task timeline 0x…")]
    Timeline {
        /// The task id.
        task: TaskId,
    },
}

/// Waiting for tasks and fetching their results (`task show`, `deal show`, `app run`).
#[derive(Clone, Debug, Args)]
pub(crate) struct WaitArgs {
    /// Follow the task (a progress line on stderr) until it completes, fails or can be claimed.
    #[arg(long)]
    pub(crate) watch: bool,
    /// Unpack the result into this folder once the task completed (implies --watch)
    /// [default folder: ./<task id>].
    #[arg(long, value_name = "DIR", num_args = 0..=1, default_missing_value = "")]
    pub(crate) download: Option<PathBuf>,
    /// Give up watching after this many seconds (exit 10; the task goes on).
    #[arg(long, value_name = "SECONDS", default_value_t = 3600)]
    pub(crate) timeout: u64,
}

impl WaitArgs {
    /// Whether to wait for the end.
    pub(crate) const fn waits(&self) -> bool {
        self.watch || self.download.is_some()
    }

    /// The folder to download `task`'s result into.
    pub(crate) fn download_dir(&self, task: TaskId) -> Option<PathBuf> {
        self.download.as_ref().map(|dir| {
            if dir.as_os_str().is_empty() { PathBuf::from(task.to_string()) } else { dir.clone() }
        })
    }
}

impl Output for TaskInfo {
    fn human(&self) -> String {
        let mut text = format!(
            "task:         {}\ndeal:         {} (task index {})\nstatus:       {}\n",
            self.task_id, self.deal_id, self.index, self.status
        );
        if self.status != TaskStatus::Unset {
            text.push_str(&format!(
                "deadlines:    contributions {}, final {} (chain time, s)\n",
                self.contribution_deadline, self.final_deadline
            ));
        } else {
            text.push_str(&format!(
                "deadlines:    final {} (chain time, s); not initialized yet\n",
                self.final_deadline
            ));
        }
        if !self.contributions.is_empty() {
            text.push_str(&format!("contributors: {}\n", self.contributions.len()));
            for contribution in &self.contributions {
                let vote = if self.consensus.is_zero() {
                    ""
                } else if contribution.agrees {
                    ", voted for the consensus"
                } else {
                    ", voted AGAINST the consensus"
                };
                text.push_str(&format!(
                    "  {} {}{vote}, score {}\n",
                    contribution.worker, contribution.status, contribution.score
                ));
            }
        }
        if !self.consensus.is_zero() {
            text.push_str(&format!("consensus:    {}\n", self.consensus));
        }
        if !self.result_digest.is_zero() {
            text.push_str(&format!("result:       {}\n", self.result_digest));
        }
        match &self.result_link {
            Some(link) => text
                .push_str(&format!("archive:      {} (sha256 {})\n", link.location, link.sha256)),
            None if !self.results.is_empty() => text
                .push_str(&format!("results:      {}\n", String::from_utf8_lossy(&self.results))),
            None => {}
        }
        if !self.results_callback.is_empty() {
            text.push_str(&format!("callback:     {}\n", self.results_callback));
        }
        text.trim_end().to_owned()
    }
}

/// What `task show` prints: the task, and how a wait ended and what was downloaded.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Shown {
    #[serde(flatten)]
    pub(crate) task: TaskInfo,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) end: Option<TaskEnd>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) download: Option<DownloadedResult>,
}

impl Output for Shown {
    fn human(&self) -> String {
        let mut text = self.task.human();
        if let Some(TaskEnd::Claimable) = self.end {
            text.push_str(&format!(
                "\n\nThe task ran out of time: `poco task claim {}` refunds it.",
                self.task.task_id
            ));
        }
        if let Some(download) = &self.download {
            text.push_str(&format!("\n\nResult in {}:", download.dir.display()));
            for file in &download.files {
                text.push_str(&format!("\n  {}", file.display()));
            }
        }
        text
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Claimed {
    task_id: TaskId,
    tx: TxOutcome,
    task: TaskInfo,
}

impl Output for Claimed {
    fn human(&self) -> String {
        format!("{}\ntx:           {} (block {})", self.task.human(), self.tx.hash, self.tx.block)
    }
}

impl Output for Timeline {
    fn human(&self) -> String {
        let mut text = format!("task {}\n", self.task_id);
        for entry in &self.entries {
            let who = match entry.subject {
                Subject::Task => "task".to_owned(),
                Subject::Replicate { worker } => format!("worker {worker}"),
            };
            let cause =
                entry.cause.as_deref().map(|cause| format!(" ({cause})")).unwrap_or_default();
            text.push_str(&format!(
                "{:>4} {:>13} {:<50} {} → {}{}\n",
                entry.seq,
                entry.at_ms,
                who,
                entry.from.as_deref().unwrap_or("-"),
                entry.to,
                cause
            ));
        }
        text.trim_end().to_owned()
    }
}

pub(crate) async fn run(context: &Context, command: TaskCommand) -> Result<(), CliError> {
    match command {
        TaskCommand::Show { task, wait } => {
            let poco = context.connect().await?;
            let shown = show(context, &poco, task, None, &wait).await?;
            emit(&shown, context.json());
        }
        TaskCommand::Claim { task } => {
            let poco = context.connect_signed().await?;
            let tx = poco.claim_task(task).await?;
            message(context.json(), "Claimed: the requester was refunded.");
            let task_info = poco.show_task(task).await?;
            emit(&Claimed { task_id: task, tx, task: task_info }, context.json());
        }
        TaskCommand::Timeline { task } => {
            let poco = context.connect().await?;
            emit(&poco.timeline(task).await?, context.json());
        }
    }
    Ok(())
}

/// Shows `task`, after waiting for its end and downloading its result when `wait` says so.
pub(crate) async fn show(
    context: &Context,
    poco: &Poco,
    task: TaskId,
    deal: Option<&DealInfo>,
    wait: &WaitArgs,
) -> Result<Shown, CliError> {
    if !wait.waits() {
        return Ok(Shown { task: poco.show_task(task).await?, end: None, download: None });
    }
    let (end, info) = watch(context, poco, task, deal, wait.timeout).await?;
    let download = match (end, wait.download_dir(task)) {
        (TaskEnd::Completed, Some(dir)) => {
            let progress =
                Progress::start(context.json(), format!("Downloading the result of {task} …"));
            let downloaded = poco.download_result(task, &dir).await;
            progress.finish();
            Some(downloaded?)
        }
        _ => None,
    };
    Ok(Shown { task: info, end: Some(end), download })
}

/// Follows `task` with a progress line until it ends.
pub(crate) async fn watch(
    context: &Context,
    poco: &Poco,
    task: TaskId,
    deal: Option<&DealInfo>,
    timeout: u64,
) -> Result<(TaskEnd, TaskInfo), CliError> {
    let mut progress = Progress::start(context.json(), format!("Task {task}: waiting …"));
    let watched = poco
        .watch_task(task, deal, WATCH_POLL, Duration::from_secs(timeout), |seen| {
            progress.set(describe(seen));
        })
        .await;
    progress.finish();
    Ok(watched?)
}

/// One line saying where a task is: its status on chain, and the scheduler's detail.
pub(crate) fn describe(seen: &TaskProgress) -> String {
    let task = &seen.task;
    let mut text = format!("Task {}: {}", task.task_id, task.status);
    if let Some(view) = &seen.scheduler {
        let count = |wanted: &[ReplicateState]| {
            view.replicates.iter().filter(|replicate| wanted.contains(&replicate.state)).count()
        };
        let contributed = count(&[
            ReplicateState::Contributed,
            ReplicateState::Revealing,
            ReplicateState::Revealed,
            ReplicateState::UploadRequested,
            ReplicateState::Uploading,
            ReplicateState::Uploaded,
            ReplicateState::Completed,
        ]);
        text.push_str(&format!(
            " · scheduler {} · {} worker(s), {} contributed",
            view.state,
            view.replicates.len(),
            contributed
        ));
    }
    text
}
