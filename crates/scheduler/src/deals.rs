//! Deals: the hub's `SchedulerNotice(workerpool, dealid)` for our pool, followed through
//! `poco-chain`'s [`EventStream`] with its cursor in the store, and a detector that re-reads the
//! notices of the last blocks to find any the stream missed. Each deal is read from the chain
//! (`viewDeal`, `viewApp`, `viewDataset`, `viewCategory`) and stored with its tasks in
//! `RECEIVED`; both inserts are idempotent, so a notice delivered twice changes nothing.

use alloy::{
    rpc::types::{Filter, Log},
    sol_types::SolEvent,
};
use alloy_primitives::{Address, B256, U256};
use poco_chain::{BlockRef, EventStream, Handler};
use poco_contracts::bindings::IPoco;
use poco_primitives::{
    DealId, Tag, TaskId,
    categories::{CONTRIBUTION_DEADLINE_RATIO, FINAL_DEADLINE_RATIO},
};
use poco_scheduler_api::Executor;
use poco_scheduler_api::worker::{AppSpec, DatasetSpec};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use tracing::{debug, info, warn};

use crate::{
    engine::{Engine, EngineError},
    engine_store::DbCursor,
    error::StoreError,
    store::NewTask,
};

/// What the engine keeps of a deal (read from the chain once, when its notice is handled).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DealInfo {
    /// The deal.
    pub deal_id: DealId,
    /// The app.
    pub app: AppSpec,
    /// The dataset, if any.
    pub dataset: Option<DatasetSpec>,
    /// The deal's trust (as the hub stores it: at least 1).
    pub trust: U256,
    /// Its category.
    pub category: u64,
    /// The category's work clock (seconds).
    pub time_ref: u64,
    /// Its tag.
    pub tag: Tag,
    /// Who pays.
    pub requester: Address,
    /// Who gets the results.
    pub beneficiary: Address,
    /// The callback contract (zero if none).
    pub callback: Address,
    /// The request's params (JSON: `iexec_args`, `iexec_input_files`, …).
    pub params: String,
    /// Deal start (seconds).
    pub start_time: u64,
    /// First task index.
    pub bot_first: u64,
    /// Number of tasks.
    pub bot_size: u64,
}

impl DealInfo {
    /// Contribution deadline of every task of the deal.
    pub const fn contribution_deadline(&self) -> u64 {
        self.start_time + CONTRIBUTION_DEADLINE_RATIO * self.time_ref
    }

    /// Final deadline of every task of the deal.
    pub const fn final_deadline(&self) -> u64 {
        self.start_time + FINAL_DEADLINE_RATIO * self.time_ref
    }

    /// The requester's arguments and input files from the params (empty when the params are
    /// not JSON: a worker then runs the app without arguments).
    pub fn args_and_inputs(&self) -> (String, Vec<String>) {
        #[derive(Deserialize)]
        struct Params {
            #[serde(default)]
            iexec_args: String,
            #[serde(default)]
            iexec_input_files: Vec<String>,
        }
        serde_json::from_str::<Params>(&self.params)
            .map(|params| (params.iexec_args, params.iexec_input_files))
            .unwrap_or_default()
    }
}

fn small(value: U256, what: &str, deal: DealId) -> Result<u64, EngineError> {
    u64::try_from(value).map_err(|_| EngineError::BadDeal {
        deal: deal.to_string(),
        detail: format!("{what} {value}"),
    })
}

/// The executor of an on-chain app type (`DOCKER`, `WASM`, …).
pub fn executor_of(app_type: &str) -> Executor {
    if app_type.to_ascii_lowercase().contains("wasm") { Executor::Wasm } else { Executor::Docker }
}

/// The filter of our pool's notices.
pub(crate) fn notice_filter(engine: &Engine) -> Filter {
    Filter::new()
        .address(engine.inner.hub)
        .event_signature(IPoco::SchedulerNotice::SIGNATURE_HASH)
        .topic1(engine.inner.workerpool.into_word())
}

impl Engine {
    /// Reads deal `deal_id` from the chain and stores it with its tasks (idempotent). Returns
    /// whether the deal was new.
    pub async fn handle_notice(&self, deal_id: DealId, block: u64) -> Result<bool, EngineError> {
        let store = &self.inner.store;
        if store.deal_info(deal_id).await?.is_none() {
            let info = self.read_deal(deal_id).await?;
            if info.app.address.is_zero() {
                warn!(deal = %deal_id, "Notice of a deal not on chain; ignored.");
                return Ok(false);
            }
            let json = serde_json::to_value(&info).map_err(|error| EngineError::BadDeal {
                deal: deal_id.to_string(),
                detail: error.to_string(),
            })?;
            store.insert_deal(deal_id, &json, block, self.now_ms()).await?;
        }
        let info = self.deal(deal_id).await?;
        let mut created = 0;
        for index in info.bot_first..info.bot_first + info.bot_size {
            let task = NewTask {
                task_id: TaskId::derive(deal_id, U256::from(index)),
                deal_id,
                task_index: index,
                contribution_deadline: info.contribution_deadline(),
                final_deadline: info.final_deadline(),
            };
            match store.create_task(&task).await {
                Ok(_) => created += 1,
                Err(StoreError::TaskExists(_)) => {}
                Err(error) => return Err(error.into()),
            }
        }
        if created > 0 {
            info!(deal = %deal_id, tasks = created, trust = %info.trust, "Deal received.");
            self.inner.wake.notify_one();
        }
        Ok(created > 0)
    }

    /// A stored deal (read from the store once, then kept: a stored deal never changes).
    pub(crate) async fn deal(&self, deal_id: DealId) -> Result<Arc<DealInfo>, EngineError> {
        let cached = self
            .inner
            .deals
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(&deal_id)
            .cloned();
        if let Some(info) = cached {
            return Ok(info);
        }
        let json = self.inner.store.deal_info(deal_id).await?.ok_or_else(|| {
            EngineError::BadDeal { deal: deal_id.to_string(), detail: "not stored".into() }
        })?;
        let info: Arc<DealInfo> = Arc::new(serde_json::from_value(json).map_err(|error| {
            EngineError::BadDeal { deal: deal_id.to_string(), detail: error.to_string() }
        })?);
        self.inner
            .deals
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(deal_id, Arc::clone(&info));
        Ok(info)
    }

    async fn read_deal(&self, deal_id: DealId) -> Result<DealInfo, EngineError> {
        let (client, hub) = (&self.inner.client, self.inner.hub);
        let deal = client.call(hub, &IPoco::viewDealCall { id: deal_id.0 }).await?;
        let app = client.call(hub, &IPoco::viewAppCall { app: deal.app.pointer }).await?;
        let dataset = if deal.dataset.pointer.is_zero() {
            None
        } else {
            let info =
                client.call(hub, &IPoco::viewDatasetCall { dataset: deal.dataset.pointer }).await?;
            Some(DatasetSpec {
                address: deal.dataset.pointer,
                multiaddr: String::from_utf8_lossy(&info.m_datasetMultiaddr).into_owned(),
                checksum: info.m_datasetChecksum,
            })
        };
        let category = client.call(hub, &IPoco::viewCategoryCall { _catid: deal.category }).await?;
        Ok(DealInfo {
            deal_id,
            app: AppSpec {
                address: deal.app.pointer,
                executor: executor_of(&app.m_appType),
                multiaddr: String::from_utf8_lossy(&app.m_appMultiaddr).into_owned(),
                checksum: app.m_appChecksum,
            },
            dataset,
            trust: deal.trust,
            category: small(deal.category, "category", deal_id)?,
            time_ref: small(category.workClockTimeRef, "time ref", deal_id)?,
            tag: Tag::from(deal.tag),
            requester: deal.requester,
            beneficiary: deal.beneficiary,
            callback: deal.callback,
            params: deal.params,
            start_time: small(deal.startTime, "start time", deal_id)?,
            bot_first: small(deal.botFirst, "botFirst", deal_id)?,
            bot_size: small(deal.botSize, "botSize", deal_id)?,
        })
    }

    /// The missed-deal detector: re-reads our pool's notices from `detector_window` blocks
    /// before the stream's cursor up to it, and stores any deal not stored yet. Returns how many
    /// deals it found.
    pub async fn detect_missed_deals(&self) -> Result<u64, EngineError> {
        let Some(cursor) = self.inner.store.engine_cursor().await? else { return Ok(0) };
        let to = cursor.head.number;
        let from = to.saturating_sub(self.inner.config.detector_window);
        let logs =
            self.inner.client.logs(&notice_filter(self).from_block(from).to_block(to)).await?;
        let mut found = 0;
        for log in &logs {
            let Some(deal_id) = decode_notice(log) else { continue };
            if self.inner.store.deal_info(deal_id).await?.is_none() {
                warn!(deal = %deal_id, block = ?log.block_number, "Deal missed by the stream.");
                if self.handle_notice(deal_id, log.block_number.unwrap_or(0)).await? {
                    found += 1;
                }
            }
        }
        Ok(found)
    }
}

fn decode_notice(log: &Log) -> Option<DealId> {
    IPoco::SchedulerNotice::decode_log(&log.inner).ok().map(|event| DealId(event.data.dealid))
}

/// The stream's handler.
struct Follower {
    engine: Engine,
}

impl Handler for Follower {
    type Error = EngineError;

    async fn on_logs(&mut self, block: BlockRef, logs: Vec<Log>) -> Result<(), EngineError> {
        for log in &logs {
            let Some(deal_id) = decode_notice(log) else { continue };
            debug!(deal = %deal_id, block = block.number, "Scheduler notice.");
            self.engine.handle_notice(deal_id, block.number).await?;
        }
        Ok(())
    }

    async fn on_rollback(&mut self, to: BlockRef) -> Result<(), EngineError> {
        // A deal dropped by a reorg has no tasks on chain: `initialize` reverts and its tasks
        // end INITIALIZE_FAILED; a deal re-mined elsewhere comes back through its new notice.
        warn!(to = %to, "Chain reorganised under the deal stream.");
        Ok(())
    }
}

/// Follows our pool's notices until `stopped` turns true.
pub(crate) async fn follow(
    engine: Engine,
    mut stopped: tokio::sync::watch::Receiver<bool>,
) -> Result<(), EngineError> {
    let mut stream = EventStream::new(
        engine.inner.client.clone(),
        notice_filter(&engine),
        engine.inner.config.stream.clone(),
        DbCursor(std::sync::Arc::clone(&engine.inner.store)),
    );
    let mut follower = Follower { engine };
    let shutdown = async move {
        let _ = stopped.wait_for(|stop| *stop).await;
    };
    stream.run(&mut follower, shutdown).await?;
    Ok(())
}

/// The zero hash (a vote no real contribution can carry: the hub refuses it).
pub(crate) const FRESH: B256 = B256::ZERO;
