//! Deals: what `matchOrders` bought, read back from the hub, and the claim of every task of a
//! deal that ended without a result.

use crate::{
    Poco, TxOutcome,
    error::{Error, Result},
    tasks::TaskInfo,
};
use alloy::{
    primitives::{Address, B256, U256},
    rpc::types::TransactionRequest,
    sol_types::SolCall,
};
use poco_contracts::bindings::IPoco;
use poco_primitives::{DealId, TaskId};
use serde::Serialize;
use tracing::info;

/// One of the three resources of a deal (app, dataset, workerpool) at the price paid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DealResource {
    /// The asset (zero for "no dataset").
    pub address: Address,
    /// Its owner when the deal was made.
    pub owner: Address,
    /// The price of one task (nRLC).
    #[serde(serialize_with = "crate::amount::serialize_decimal")]
    pub price: U256,
}

impl From<IPoco::Resource> for DealResource {
    fn from(resource: IPoco::Resource) -> Self {
        Self { address: resource.pointer, owner: resource.owner, price: resource.price }
    }
}

/// A deal as the hub keeps it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DealInfo {
    /// The deal.
    pub deal_id: DealId,
    /// The app.
    pub app: DealResource,
    /// The dataset (zero address when none).
    pub dataset: DealResource,
    /// The workerpool.
    pub workerpool: DealResource,
    /// Trust asked for.
    #[serde(serialize_with = "crate::amount::serialize_decimal")]
    pub trust: U256,
    /// Category (task size).
    #[serde(serialize_with = "crate::amount::serialize_decimal")]
    pub category: U256,
    /// Requirements tag.
    pub tag: B256,
    /// Who asked.
    pub requester: Address,
    /// Who may read the results.
    pub beneficiary: Address,
    /// The contract called with each task's result (zero when none).
    pub callback: Address,
    /// The request's parameters (JSON: `iexec_args`, `iexec_input_files`, …).
    pub params: String,
    /// When the deal was made (seconds since the epoch, chain time).
    pub start_time: u64,
    /// The index of its first task in the request order.
    #[serde(serialize_with = "crate::amount::serialize_decimal")]
    pub first_task_index: U256,
    /// How many tasks it bought.
    #[serde(serialize_with = "crate::amount::serialize_decimal")]
    pub volume: U256,
    /// Stake each contributing worker locks.
    #[serde(serialize_with = "crate::amount::serialize_decimal")]
    pub worker_stake: U256,
    /// Share of the workerpool price kept by the scheduler (percent).
    #[serde(serialize_with = "crate::amount::serialize_decimal")]
    pub scheduler_reward_ratio: U256,
    /// Who pays (the requester, or a sponsor).
    pub sponsor: Address,
    /// Price of one task: app + dataset + workerpool (nRLC).
    #[serde(serialize_with = "crate::amount::serialize_decimal")]
    pub task_price: U256,
    /// Its tasks' ids, in index order.
    pub tasks: Vec<TaskId>,
}

/// What [`Poco::claim_deal`] did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DealClaim {
    /// The tasks claimed (refunded) by this call.
    pub claimed: Vec<TaskId>,
    /// The transaction, when something was claimed.
    pub tx: Option<TxOutcome>,
}

/// At most this many task ids are listed in a [`DealInfo`] (a deal may hold many more).
pub const MAX_LISTED_TASKS: u64 = 10_000;

// === impl Poco: deals ===

impl Poco {
    /// The deal `deal_id`, or [`Error::UnknownDeal`].
    pub async fn show_deal(&self, deal_id: DealId) -> Result<DealInfo> {
        let deal = self
            .client()
            .call(self.contracts().hub, &IPoco::viewDealCall { id: deal_id.0 })
            .await?;
        if deal.botSize.is_zero() {
            return Err(Error::UnknownDeal { deal: deal_id });
        }
        let listed = deal.botSize.min(U256::from(MAX_LISTED_TASKS));
        let first = deal.botFirst;
        let tasks = (0..listed.to::<u64>()).map(|i| deal_id.task(first + U256::from(i))).collect();
        let start_time = u64::try_from(deal.startTime).unwrap_or(u64::MAX);
        Ok(DealInfo {
            deal_id,
            task_price: deal.app.price + deal.dataset.price + deal.workerpool.price,
            app: deal.app.into(),
            dataset: deal.dataset.into(),
            workerpool: deal.workerpool.into(),
            trust: deal.trust,
            category: deal.category,
            tag: deal.tag,
            requester: deal.requester,
            beneficiary: deal.beneficiary,
            callback: deal.callback,
            params: deal.params,
            start_time,
            first_task_index: first,
            volume: deal.botSize,
            worker_stake: deal.workerStake,
            scheduler_reward_ratio: deal.schedulerRewardRatio,
            sponsor: deal.sponsor,
            tasks,
        })
    }

    /// The tasks of `deal_id` with their state on chain.
    pub async fn deal_tasks(&self, deal_id: DealId) -> Result<(DealInfo, Vec<TaskInfo>)> {
        let deal = self.show_deal(deal_id).await?;
        let mut tasks = Vec::with_capacity(deal.tasks.len());
        for task in &deal.tasks {
            tasks.push(self.show_task(*task).await?);
        }
        Ok((deal, tasks))
    }

    /// Claims every task of `deal_id` that is claimable now (past its final deadline without a
    /// result): the payer is refunded their price. Nothing claimable gives
    /// an empty [`DealClaim`].
    pub async fn claim_deal(&self, deal_id: DealId) -> Result<DealClaim> {
        self.tx()?;
        let (_, tasks) = self.deal_tasks(deal_id).await?;
        let now = self.chain_time().await?;
        let (mut unset_deals, mut unset_indexes, mut started) =
            (Vec::new(), Vec::new(), Vec::new());
        let mut claimed = Vec::new();
        for task in tasks.iter().filter(|task| task.claimable_at(now)) {
            claimed.push(task.task_id);
            if task.status == poco_primitives::TaskStatus::Unset {
                unset_deals.push(deal_id.0);
                unset_indexes.push(task.index);
            } else {
                started.push(task.task_id.0);
            }
        }
        if claimed.is_empty() {
            return Ok(DealClaim { claimed, tx: None });
        }
        let hub = self.contracts().hub;
        // Started tasks by `claimArray`, never-initialized ones by `initializeAndClaimArray`:
        // one transaction each (two only when the deal has both).
        let mut tx = None;
        if !started.is_empty() {
            let call = IPoco::claimArrayCall { taskIds: started };
            let request = TransactionRequest::default().to(hub).input(call.abi_encode().into());
            tx = Some(self.send("claim", request).await?);
        }
        if !unset_deals.is_empty() {
            let call =
                IPoco::initializeAndClaimArrayCall { dealIds: unset_deals, indexes: unset_indexes };
            let request = TransactionRequest::default().to(hub).input(call.abi_encode().into());
            tx = Some(self.send("claim", request).await?);
        }
        info!(deal = %deal_id, tasks = claimed.len(), "Claimed.");
        Ok(DealClaim { claimed, tx })
    }
}
