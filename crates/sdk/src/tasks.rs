//! Tasks: their state on chain (the authority) and in the workerpool's scheduler (the detail:
//! replicates, timeline), watching one until it ends, claiming one that ran out of time, and
//! downloading its result from the results service, checked against the on-chain link.
//!
//! ```text
//!  show_task ── viewTask (+ viewDeal for a task not initialized yet)
//!  watch_task ─ show_task every poll ─► Completed | Failed | Claimable   (+ scheduler state)
//!  claim_task ─ claim, or initializeAndClaimArray for a task never initialized
//!  download_result ── results link on chain ─► GET {results_url}/v1/results/{task}
//!                     ─► SHA-256 == link.sha256 ─► unzip into the folder
//! ```

use crate::{
    Poco, TxOutcome,
    error::{Error, Result, Service},
    http::service_error,
};
use alloy::{
    eips::BlockNumberOrTag,
    primitives::{Address, B256, Bytes, U256},
    providers::Provider,
    rpc::types::TransactionRequest,
    sol_types::SolCall,
};
use poco_contracts::bindings::IPoco;
use poco_primitives::{ContributionStatus, DealId, TaskId, TaskStatus};
use poco_results_api::ResultLink;
use poco_scheduler_api::{TaskView, Timeline};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::{
    path::{Path, PathBuf},
    time::Duration,
};
use tracing::{debug, info};

/// The category durations' multiples that give a task's final deadline (spec: 10 × the
/// category's reference time after the deal's start).
const FINAL_DEADLINE_RATIO: u64 = 10;

/// A task as the hub keeps it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskInfo {
    /// The task.
    pub task_id: TaskId,
    /// Its deal.
    pub deal_id: DealId,
    /// Its index (in the request order).
    #[serde(serialize_with = "crate::amount::serialize_decimal")]
    pub index: U256,
    /// Its status (`UNSET` until the scheduler initializes it).
    pub status: TaskStatus,
    /// Contributions close (seconds since the epoch; 0 before initialization).
    pub contribution_deadline: u64,
    /// Reveals close (0 before consensus).
    pub reveal_deadline: u64,
    /// After this, an unfinished task can be claimed (the payer is refunded).
    pub final_deadline: u64,
    /// The agreed result hash (once consensus is reached).
    pub consensus: B256,
    /// Workers that contributed.
    pub contributors: Vec<Address>,
    /// Each contributor's vote and standing, in the order of `contributors`.
    pub contributions: Vec<ContributionInfo>,
    /// Reveals so far.
    #[serde(serialize_with = "crate::amount::serialize_decimal")]
    pub reveal_count: U256,
    /// The result digest the winners revealed.
    pub result_digest: B256,
    /// What the scheduler published as the result (a results-service link, for poco's pools).
    pub results: Bytes,
    /// The results link, when `results` is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result_link: Option<ResultLink>,
    /// The callback data given to the deal's callback contract.
    pub results_callback: Bytes,
}

impl TaskInfo {
    /// Whether the task can be claimed at chain time `now`: not ended, and past its final
    /// deadline.
    pub const fn claimable_at(&self, now: u64) -> bool {
        !self.status.is_final() && now >= self.final_deadline
    }
}

/// One worker's contribution to a task, and its standing now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContributionInfo {
    /// The worker.
    pub worker: Address,
    /// `CONTRIBUTED` (voted; a loser once the task is finalized), `PROVED` (revealed the
    /// consensus: a winner) or `REJECTED` (voted for a consensus nobody revealed).
    pub status: ContributionStatus,
    /// Its vote: `H(taskId ‖ resultDigest)`.
    pub result_hash: B256,
    /// Whether it voted for the consensus.
    pub agrees: bool,
    /// The weight its vote carried (log2 of its score's weight).
    #[serde(serialize_with = "crate::amount::serialize_decimal")]
    pub weight: U256,
    /// The worker's score now.
    #[serde(serialize_with = "crate::amount::serialize_decimal")]
    pub score: U256,
}

/// How a watched task ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TaskEnd {
    /// Finalized with a result.
    Completed,
    /// Claimed: the payer was refunded.
    Failed,
    /// Past its final deadline without a result: `poco task claim` refunds the payer.
    Claimable,
}

/// One observation of a watched task.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskProgress {
    /// On chain.
    pub task: TaskInfo,
    /// In the scheduler (`None` when it is not reachable or does not know the task).
    pub scheduler: Option<TaskView>,
}

/// What [`Poco::download_result`] wrote.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DownloadedResult {
    /// The task.
    pub task_id: TaskId,
    /// The folder the archive was unpacked into.
    pub dir: PathBuf,
    /// The files unpacked, relative to `dir`, sorted.
    pub files: Vec<PathBuf>,
    /// SHA-256 of the archive (equal to the on-chain link's).
    pub sha256: B256,
    /// Size of the archive in bytes.
    pub size: u64,
}

// === impl Poco: tasks ===

impl Poco {
    /// The chain's time: the latest block's timestamp (deadlines are compared to it).
    pub async fn chain_time(&self) -> Result<u64> {
        let block =
            self.client().provider().get_block_by_number(BlockNumberOrTag::Latest).await.map_err(
                |source| poco_chain::ChainError::Rpc { method: "eth_getBlockByNumber", source },
            )?;
        Ok(block.map_or(0, |block| block.header.timestamp))
    }

    /// The task `task_id` on chain. A task of a known deal that is not initialized yet is shown
    /// `UNSET` with the final deadline it will have (its deal is found through the scheduler:
    /// a task id does not name its deal); an id of no deal's task is [`Error::UnknownTask`].
    pub async fn show_task(&self, task_id: TaskId) -> Result<TaskInfo> {
        self.read_task(task_id, None).await
    }

    /// [`Self::show_task`], with the task's deal when the caller knows it.
    async fn read_task(&self, task_id: TaskId, deal: Option<&crate::DealInfo>) -> Result<TaskInfo> {
        let hub = self.contracts().hub;
        let task = self.client().call(hub, &IPoco::viewTaskCall { id: task_id.0 }).await?;
        let status =
            TaskStatus::try_from(task.status).map_err(|_| Error::UnknownTask { task: task_id })?;
        if status != TaskStatus::Unset {
            let result_link = ResultLink::from_results(&task.results);
            // While ACTIVE the hub keeps a running total in the consensus slot, not a hash.
            let consensus = match status {
                TaskStatus::Revealing | TaskStatus::Completed => task.consensusValue,
                _ => B256::ZERO,
            };
            let contributions = self.contributions(task_id, &task.contributors, consensus).await?;
            return Ok(TaskInfo {
                task_id,
                deal_id: DealId(task.dealid),
                index: task.idx,
                status,
                contribution_deadline: saturating_u64(task.contributionDeadline),
                reveal_deadline: saturating_u64(task.revealDeadline),
                final_deadline: saturating_u64(task.finalDeadline),
                consensus,
                contributors: task.contributors,
                contributions,
                reveal_count: task.revealCounter,
                result_digest: task.resultDigest,
                results: task.results,
                result_link,
                results_callback: task.resultsCallback,
            });
        }
        let position = deal.and_then(|deal| deal.tasks.iter().position(|id| *id == task_id));
        match (deal, position) {
            (Some(deal), Some(position)) => {
                self.unset_task_of(deal, deal.first_task_index + U256::from(position)).await
            }
            _ => self.unset_task(task_id).await,
        }
    }

    /// A task not initialized yet: found through the deals of the scheduler (its id does not
    /// name its deal), or unknown.
    async fn unset_task(&self, task_id: TaskId) -> Result<TaskInfo> {
        let view: Option<TaskView> =
            self.get_json(Service::Scheduler, &format!("/v1/tasks/{task_id}")).await.ok().flatten();
        let Some(view) = view else { return Err(Error::UnknownTask { task: task_id }) };
        let deal = self.show_deal(view.deal_id).await?;
        let index = deal.first_task_index + U256::from(view.task_index);
        if deal.deal_id.task(index) != task_id {
            return Err(Error::UnknownTask { task: task_id });
        }
        self.unset_task_of(&deal, index).await
    }

    /// The `UNSET` view of the task at `index` of `deal`.
    pub(crate) async fn unset_task_of(
        &self,
        deal: &crate::DealInfo,
        index: U256,
    ) -> Result<TaskInfo> {
        let category = self
            .client()
            .call(self.contracts().hub, &IPoco::viewCategoryCall { _catid: deal.category })
            .await?;
        let timeref = saturating_u64(category.workClockTimeRef);
        Ok(TaskInfo {
            task_id: deal.deal_id.task(index),
            deal_id: deal.deal_id,
            index,
            status: TaskStatus::Unset,
            contribution_deadline: 0,
            reveal_deadline: 0,
            final_deadline: deal
                .start_time
                .saturating_add(timeref.saturating_mul(FINAL_DEADLINE_RATIO)),
            consensus: B256::ZERO,
            contributors: Vec::new(),
            contributions: Vec::new(),
            reveal_count: U256::ZERO,
            result_digest: B256::ZERO,
            results: Bytes::new(),
            result_link: None,
            results_callback: Bytes::new(),
        })
    }

    /// The contributions of `workers` to `task_id`, with their scores.
    async fn contributions(
        &self,
        task_id: TaskId,
        workers: &[Address],
        consensus: B256,
    ) -> Result<Vec<ContributionInfo>> {
        let hub = self.contracts().hub;
        let mut contributions = Vec::with_capacity(workers.len());
        for worker in workers {
            let view = IPoco::viewContributionCall { _taskid: task_id.0, _worker: *worker };
            let score = IPoco::viewScoreCall { _worker: *worker };
            let (contribution, score) =
                tokio::try_join!(self.client().call(hub, &view), self.client().call(hub, &score))?;
            let status = ContributionStatus::try_from(contribution.status).unwrap_or_default();
            contributions.push(ContributionInfo {
                worker: *worker,
                status,
                result_hash: contribution.resultHash,
                agrees: !consensus.is_zero() && contribution.resultHash == consensus,
                weight: contribution.weight,
                score,
            });
        }
        Ok(contributions)
    }

    /// The scheduler's view of the task (replicates, state), `None` when it does not know it.
    pub async fn scheduler_task(&self, task_id: TaskId) -> Result<Option<TaskView>> {
        self.get_json(Service::Scheduler, &format!("/v1/tasks/{task_id}")).await
    }

    /// Every transition of the task and of its replicates, as the scheduler recorded them.
    pub async fn timeline(&self, task_id: TaskId) -> Result<Timeline> {
        self.get_json(Service::Scheduler, &format!("/v1/tasks/{task_id}/timeline"))
            .await?
            .ok_or(Error::UnknownTask { task: task_id })
    }

    /// Watches the task until it ends ([`TaskEnd`]): reads it every `poll` and calls `progress`
    /// with each observation whose chain status or scheduler state changed. The scheduler is
    /// asked too when the chain file names one; its being down only hides the detail. `deal`,
    /// when the caller has it, places a task not initialized yet without asking the scheduler.
    /// Gives [`Error::WatchTimeout`] after `timeout`.
    pub async fn watch_task(
        &self,
        task_id: TaskId,
        deal: Option<&crate::DealInfo>,
        poll: Duration,
        timeout: Duration,
        mut progress: impl FnMut(&TaskProgress),
    ) -> Result<(TaskEnd, TaskInfo)> {
        let deadline = tokio::time::Instant::now() + timeout;
        let with_scheduler = self.chain().spec.scheduler_url.is_some();
        let mut last: Option<(TaskStatus, Option<String>)> = None;
        loop {
            let task = self.read_task(task_id, deal).await?;
            let scheduler = if with_scheduler && !task.status.is_final() {
                self.scheduler_task(task_id).await.ok().flatten()
            } else {
                None
            };
            let seen = (task.status, scheduler.as_ref().map(|view| view.state.to_string()));
            if last.as_ref() != Some(&seen) {
                let observed = TaskProgress { task, scheduler };
                progress(&observed);
                last = Some(seen);
                if let Some(end) = self.end_of(&observed.task).await? {
                    return Ok((end, observed.task));
                }
            } else if let Some(end) = self.end_of(&task).await? {
                return Ok((end, task));
            }
            if tokio::time::Instant::now() >= deadline {
                return Err(Error::WatchTimeout {
                    task: task_id,
                    status: last.map_or(TaskStatus::Unset, |(status, _)| status),
                    waited: timeout,
                });
            }
            tokio::time::sleep(poll).await;
        }
    }

    async fn end_of(&self, task: &TaskInfo) -> Result<Option<TaskEnd>> {
        Ok(match task.status {
            TaskStatus::Completed => Some(TaskEnd::Completed),
            TaskStatus::Failed => Some(TaskEnd::Failed),
            // A task whose deadline is unknown (not found yet) is not claimable.
            _ if task.final_deadline == 0 => None,
            _ => task.claimable_at(self.chain_time().await?).then_some(TaskEnd::Claimable),
        })
    }

    /// Claims `task_id` (past its final deadline, without a result): the payer is refunded its
    /// price and the pool's stake for it is seized. A task not initialized is initialized and
    /// claimed in one transaction. Too early, or already ended, is [`Error::NotClaimable`].
    pub async fn claim_task(&self, task_id: TaskId) -> Result<TxOutcome> {
        self.tx()?;
        let task = self.show_task(task_id).await?;
        let now = self.chain_time().await?;
        if task.status.is_final() {
            return Err(Error::NotClaimable {
                task: task_id,
                reason: format!("it already ended ({})", task.status),
            });
        }
        if now < task.final_deadline {
            return Err(Error::NotClaimable {
                task: task_id,
                reason: format!(
                    "its final deadline is {} (chain time), {} s from now",
                    task.final_deadline,
                    task.final_deadline - now
                ),
            });
        }
        let hub = self.contracts().hub;
        let input = if task.status == TaskStatus::Unset {
            IPoco::initializeAndClaimArrayCall {
                dealIds: vec![task.deal_id.0],
                indexes: vec![task.index],
            }
            .abi_encode()
        } else {
            IPoco::claimCall { taskId: task_id.0 }.abi_encode()
        };
        let tx =
            self.send("claim", TransactionRequest::default().to(hub).input(input.into())).await?;
        info!(task = %task_id, tx = %tx.hash, "Claimed.");
        Ok(tx)
    }

    /// Downloads the result of a completed task into `dir` (created if needed): fetches the
    /// archive its on-chain link names from the results service, checks its SHA-256 against
    /// the link, and unpacks it.
    pub async fn download_result(&self, task_id: TaskId, dir: &Path) -> Result<DownloadedResult> {
        let task = self.show_task(task_id).await?;
        if task.status != TaskStatus::Completed {
            return Err(Error::NoResult {
                task: task_id,
                reason: format!("the task is {}, not COMPLETED", task.status),
            });
        }
        let Some(link) = task.result_link else {
            return Err(Error::NoResult {
                task: task_id,
                reason: format!(
                    "its on-chain results ({}) are not a link to a results service",
                    String::from_utf8_lossy(&task.results)
                ),
            });
        };
        let url = self.service_url(Service::Results, &link.location)?;
        let response = self
            .http()
            .get(url.clone())
            .send()
            .await
            .map_err(|error| service_error(Service::Results, &url, error))?;
        if !response.status().is_success() {
            let status = response.status();
            return Err(service_error(Service::Results, &url, format!("HTTP {status}")));
        }
        let archive =
            response.bytes().await.map_err(|error| service_error(Service::Results, &url, error))?;
        let sha256 = B256::from_slice(&Sha256::digest(&archive));
        if sha256 != link.sha256 {
            return Err(service_error(
                Service::Results,
                &url,
                format!(
                    "the archive's SHA-256 is {sha256}, but the result published on chain is {}: \
                     it is not the task's result",
                    link.sha256
                ),
            ));
        }
        let size = archive.len() as u64;
        let target = dir.to_path_buf();
        let files = tokio::task::spawn_blocking(move || unpack(&archive, &target))
            .await
            .map_err(|error| Error::ResultArchive { task: task_id, reason: error.to_string() })?
            .map_err(|reason| Error::ResultArchive { task: task_id, reason })?;
        debug!(task = %task_id, files = files.len(), size, "Result downloaded.");
        Ok(DownloadedResult { task_id, dir: dir.to_path_buf(), files, sha256, size })
    }
}

/// Unpacks a zip archive into `dir` (entries that would land outside it are refused by the
/// zip crate), and lists the files written.
fn unpack(archive: &[u8], dir: &Path) -> std::result::Result<Vec<PathBuf>, String> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(archive))
        .map_err(|error| format!("not a zip archive: {error}"))?;
    std::fs::create_dir_all(dir).map_err(|error| format!("{}: {error}", dir.display()))?;
    let mut files: Vec<PathBuf> = (0..zip.len())
        .filter_map(|i| {
            let entry = zip.by_index(i).ok()?;
            if entry.is_dir() { None } else { entry.enclosed_name() }
        })
        .collect();
    zip.extract(dir).map_err(|error| format!("unpacking into {}: {error}", dir.display()))?;
    files.sort();
    Ok(files)
}

fn saturating_u64(value: U256) -> u64 {
    u64::try_from(value).unwrap_or(u64::MAX)
}
