//! `run`: buy the execution of an app in one call — the cheapest compatible app, dataset and
//! workerpool orders from the market, a request order signed for them, `matchOrders`, and the
//! deal read back. Following the tasks and fetching results is [`Poco::watch_task`] and
//! [`Poco::download_result`].
//!
//! ```text
//!  RunRequest ─► market: GET /v1/match ─► BestMatch (app, dataset?, pool orders)
//!             ─► request order (params, trust, tag, callback, volume) ─► sign (EIP-712)
//!             ─► fill: matchOrders ─► deal id ─► viewDeal ─► RunStarted
//! ```

use crate::{
    AppAddress, DatasetAddress, DealInfo, Poco, WorkerpoolAddress,
    error::{Error, Result},
    orders::{Filled, request_for},
};
use alloy::primitives::{Address, U256};
use poco_market_api::{BestMatch, MatchQuery};
use poco_primitives::{OrderHash, Tag};
use serde::Serialize;
use tracing::info;

/// What a requester wants run.
#[derive(Clone, Debug, Default)]
pub struct RunRequest {
    /// The app.
    pub app: AppAddress,
    /// A dataset for it, if any.
    pub dataset: Option<DatasetAddress>,
    /// Only this workerpool (any otherwise).
    pub workerpool: Option<WorkerpoolAddress>,
    /// Category (task size) to buy.
    pub category: u64,
    /// Trust (0 and 1: one worker; higher: replication until the consensus is that sure).
    pub trust: u64,
    /// Requirements the pool must meet (TEE, GPU, …).
    pub tag: Tag,
    /// The app's arguments (`iexec_args`).
    pub args: Option<String>,
    /// URLs the workers download into the app's input folder (`iexec_input_files`).
    pub input_files: Vec<String>,
    /// A contract called with each task's result.
    pub callback: Option<Address>,
    /// Who may read the results (the requester by default).
    pub beneficiary: Option<Address>,
    /// How many tasks (at most what the orders have left).
    pub volume: u64,
    /// The most to pay the app's owner per task (any price by default).
    pub app_max_price: Option<U256>,
    /// The most to pay the dataset's owner per task.
    pub dataset_max_price: Option<U256>,
    /// The most to pay the workerpool per task.
    pub workerpool_max_price: Option<U256>,
}

/// A deal bought by [`Poco::run`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RunStarted {
    /// The deal as the hub keeps it (its tasks included).
    pub deal: DealInfo,
    /// The `matchOrders` that made it.
    pub filled: Filled,
    /// The orders it consumed.
    pub orders: RunOrders,
}

/// The hashes of the orders a run consumed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RunOrders {
    /// The app order.
    pub app: OrderHash,
    /// The dataset order, if any.
    pub dataset: Option<OrderHash>,
    /// The workerpool order.
    pub workerpool: OrderHash,
    /// The request order signed for this run.
    pub request: OrderHash,
}

// === impl Poco: run ===

impl Poco {
    /// Buys `request`: asks the market for the cheapest compatible orders, signs a request order
    /// for them with the wallet and matches them on chain. No compatible orders is
    /// [`Error::NoMatch`]; a deposit too small for the deal is [`Error::Insufficient`].
    pub async fn run(&self, request: &RunRequest) -> Result<RunStarted> {
        let requester = self.tx()?.address();
        let query = MatchQuery {
            app: request.app.0,
            dataset: request.dataset.map(|dataset| dataset.0),
            requester: Some(requester),
            category: request.category,
            trust: Some(request.trust),
            tag: (!request.tag.0.is_zero()).then_some(request.tag),
            app_max_price: request.app_max_price.map(saturating_u64),
            dataset_max_price: request.dataset_max_price.map(saturating_u64),
            workerpool_max_price: request.workerpool_max_price.map(saturating_u64),
            workerpool: request.workerpool.map(|pool| pool.0),
        };
        let best = self.best_match(&query).await?.ok_or_else(|| Error::NoMatch {
            app: request.app.0,
            category: request.category,
            trust: request.trust,
        })?;
        let BestMatch { app, dataset, workerpool, volume: available, .. } = best;
        let mut order = request_for(
            &app.order.order,
            dataset.as_ref().map(|d| &d.order.order),
            &workerpool.order.order,
            requester,
        );
        order.trust = U256::from(request.trust);
        order.tag |= request.tag.0;
        order.params = params(request);
        order.callback = request.callback.unwrap_or_default();
        order.beneficiary = request.beneficiary.unwrap_or(requester);
        order.volume = U256::from(request.volume.max(1)).min(available.max(U256::from(1)));
        let signed = self.sign_request_order(order)?;
        let filled = self
            .fill(&app.order, dataset.as_ref().map(|d| &d.order), &workerpool.order, &signed)
            .await?;
        let orders = RunOrders {
            app: app.order_hash,
            dataset: dataset.as_ref().map(|dataset| dataset.order_hash),
            workerpool: workerpool.order_hash,
            request: self.order_hash(&signed.order),
        };
        let deal = self.show_deal(filled.deal_id).await?;
        info!(deal = %filled.deal_id, tasks = %filled.volume, app = %request.app, "Run started.");
        Ok(RunStarted { deal, filled, orders })
    }
}

/// The request's `params`: the reference's JSON keys, only those given.
fn params(request: &RunRequest) -> String {
    let mut params = serde_json::Map::new();
    if let Some(args) = &request.args {
        params.insert("iexec_args".to_owned(), args.clone().into());
    }
    if !request.input_files.is_empty() {
        params.insert("iexec_input_files".to_owned(), request.input_files.clone().into());
    }
    if params.is_empty() { String::new() } else { serde_json::Value::Object(params).to_string() }
}

fn saturating_u64(value: U256) -> u64 {
    u64::try_from(value).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_name_only_what_is_given() {
        let mut request = RunRequest::default();
        assert_eq!(params(&request), "");
        request.args = Some("hello world".into());
        assert_eq!(params(&request), r#"{"iexec_args":"hello world"}"#);
        request.input_files = vec!["https://example.org/a.txt".into()];
        assert_eq!(
            params(&request),
            r#"{"iexec_args":"hello world","iexec_input_files":["https://example.org/a.txt"]}"#
        );
    }
}
