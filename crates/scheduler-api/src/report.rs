//! What a worker reports about its replicate, and what the scheduler answers.

use alloy_primitives::{B256, Bytes};
use serde::{Deserialize, Serialize};

use crate::states::{AbortCause, ReplicateFailureCause};

/// `POST /v1/replicates/{taskId}/status` (bearer): one step of the worker's replicate. The
/// scheduler applies it only if it is a transition allowed from the replicate's state
/// (`INVALID_TRANSITION` otherwise, `ALREADY_REPORTED` for a repeat), and checks on chain what
/// the chain can tell (a contribution, a reveal).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "SCREAMING_SNAKE_CASE", deny_unknown_fields)]
pub enum ReplicateReport {
    /// Fetching the app, dataset and input files.
    Downloading,
    /// The app runs.
    Computing,
    /// The app ended; `failure` is set when a download failed and an error result was produced
    /// instead (which is still contributed, so the requester learns why).
    #[serde(rename_all = "camelCase")]
    Computed {
        /// The download failure behind an error result, if any.
        #[serde(default)]
        failure: Option<ReplicateFailureCause>,
    },
    /// `contribute` sent.
    #[serde(rename_all = "camelCase")]
    Contributing {
        /// The transaction.
        tx_hash: B256,
    },
    /// `contribute` mined.
    #[serde(rename_all = "camelCase")]
    Contributed {
        /// The committed result hash (checked against the chain).
        result_hash: B256,
        /// The transaction.
        tx_hash: B256,
    },
    /// `reveal` sent.
    #[serde(rename_all = "camelCase")]
    Revealing {
        /// The transaction.
        tx_hash: B256,
    },
    /// `reveal` mined.
    #[serde(rename_all = "camelCase")]
    Revealed {
        /// The transaction.
        tx_hash: B256,
    },
    /// The upload started.
    Uploading,
    /// The result is stored.
    #[serde(rename_all = "camelCase")]
    Uploaded {
        /// The result link to finalize with (the results service's link bytes).
        result_link: Bytes,
        /// The callback data, if the deal has a callback.
        #[serde(default)]
        callback_data: Option<Bytes>,
    },
    /// The replicate failed.
    Failed {
        /// Why.
        cause: ReplicateFailureCause,
    },
}

/// What the worker should do next (the answer to a report, and the push channel's messages).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum NextAction {
    /// Carry on with the task.
    Continue,
    /// Wait for a push message (consensus, upload choice).
    Wait,
    /// Reveal the contribution.
    #[serde(rename_all = "camelCase")]
    Reveal {
        /// The block in which consensus was reached (read the task from it or later).
        consensus_block: u64,
    },
    /// Upload the result to the pool's results service.
    #[serde(rename_all = "camelCase")]
    Upload {
        /// The results service's base URL.
        results_url: String,
    },
    /// Nothing more to do: the task completed.
    Complete,
    /// Stop working on the task and drop its files.
    Abort {
        /// Why.
        cause: AbortCause,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reports_are_tagged_by_status() {
        let report: ReplicateReport =
            serde_json::from_value(json!({"status": "COMPUTED", "failure": "APP_DOWNLOAD_FAILED"}))
                .unwrap();
        assert_eq!(
            report,
            ReplicateReport::Computed { failure: Some(ReplicateFailureCause::AppDownloadFailed) }
        );
        let report: ReplicateReport =
            serde_json::from_value(json!({"status": "COMPUTED"})).unwrap();
        assert_eq!(report, ReplicateReport::Computed { failure: None });
        let json = serde_json::to_value(ReplicateReport::Contributed {
            result_hash: B256::repeat_byte(1),
            tx_hash: B256::repeat_byte(2),
        })
        .unwrap();
        assert_eq!(json["status"], "CONTRIBUTED");
        assert!(json["resultHash"].is_string() && json["txHash"].is_string());
        // An unknown status or cause is refused, not ignored.
        assert!(serde_json::from_value::<ReplicateReport>(json!({"status": "DONE"})).is_err());
        assert!(
            serde_json::from_value::<ReplicateReport>(json!({"status": "FAILED", "cause": "OOPS"}))
                .is_err()
        );
    }

    #[test]
    fn actions_are_tagged() {
        let json = serde_json::to_value(NextAction::Abort { cause: AbortCause::ConsensusReached })
            .unwrap();
        assert_eq!(json, json!({"action": "ABORT", "cause": "CONSENSUS_REACHED"}));
        let json = serde_json::to_value(NextAction::Reveal { consensus_block: 7 }).unwrap();
        assert_eq!(json, json!({"action": "REVEAL", "consensusBlock": 7}));
    }
}
