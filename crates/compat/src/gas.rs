//! Gas of every transaction a driver sends, labelled for aggregation.

use alloy::primitives::B256;
use serde::Serialize;

/// One mined transaction.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GasRecord {
    /// The scenario it belongs to.
    pub scenario: String,
    /// The call: the hub function (`matchOrders`, `contribute`, …) or a setup call
    /// (`RLC.transfer`, `createApp`, …).
    pub call: &'static str,
    /// The scenario step: the call with its labelled arguments, e.g.
    /// `contribute(deal#0/0, worker1)`.
    pub step: String,
    /// The receipt's `gasUsed`.
    pub gas: u64,
    /// The transaction hash.
    pub tx: B256,
}

impl GasRecord {
    /// `call @ step`, the record's label.
    pub fn label(&self) -> String {
        format!("{} @ {}", self.call, self.step)
    }
}

/// The calls of the hub's PoCo flow (what the benchmark measures), as opposed to setup calls.
pub const FLOW_CALLS: [&str; 11] = [
    "matchOrders",
    "sponsorMatchOrders",
    "initialize",
    "initializeArray",
    "contribute",
    "reveal",
    "reopen",
    "finalize",
    "contributeAndFinalize",
    "claim",
    "claimArray",
];

/// Whether a call is part of the PoCo flow (see [`FLOW_CALLS`]).
pub fn is_flow_call(call: &str) -> bool {
    FLOW_CALLS.contains(&call)
}
