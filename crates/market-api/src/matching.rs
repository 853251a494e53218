//! The best-match query: what a requester wants, and the cheapest compatible set of orders.

use alloy_primitives::{Address, U256};
use poco_primitives::{AppOrder, DatasetOrder, Tag, WorkerpoolOrder};
use serde::{Deserialize, Serialize};

use crate::book::OrderRecord;

/// What a requester wants (`GET /v1/match`, camelCase query parameters).
///
/// Absent max prices mean "any price". Without `requester`, only orders open to every requester
/// are considered. Without `dataset`, only app and pool orders that accept running without one.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MatchQuery {
    /// The app to run.
    pub app: Address,
    /// The dataset to use, if any.
    pub dataset: Option<Address>,
    /// The requester (for requester restrictions).
    pub requester: Option<Address>,
    /// The category (task size).
    pub category: u64,
    /// The trust asked for (0 by default).
    pub trust: Option<u64>,
    /// Requirements (names like `tee,scone` or hex).
    #[serde(default, with = "crate::book::tag_text")]
    pub tag: Option<Tag>,
    /// The most to pay the app owner per task.
    pub app_max_price: Option<u64>,
    /// The most to pay the dataset owner per task.
    pub dataset_max_price: Option<u64>,
    /// The most to pay the workerpool per task.
    pub workerpool_max_price: Option<u64>,
    /// Only this workerpool.
    pub workerpool: Option<Address>,
}

/// The cheapest compatible orders for a [`MatchQuery`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BestMatch {
    /// The app order.
    pub app: OrderRecord<AppOrder>,
    /// The dataset order (when the query names a dataset).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dataset: Option<OrderRecord<DatasetOrder>>,
    /// The workerpool order.
    pub workerpool: OrderRecord<WorkerpoolOrder>,
    /// Price of one task: the sum of the three ask prices.
    pub task_price: U256,
    /// Tasks the three orders can still serve together (their smallest remaining volume).
    pub volume: U256,
}

/// The answer of `GET /v1/match`: the best match, or `null` when no set of published orders is
/// compatible.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MatchResponse {
    /// The match, if any.
    #[serde(rename = "match")]
    pub best: Option<BestMatch>,
}
