//! The off-chain states of a task and of a replicate (one worker's part in a task), with the
//! typed causes carried by failures and aborts. The transition tables live in the scheduler;
//! these are the names the API shows.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! named_enum {
    ($(#[doc = $tdoc:literal])* $name:ident { $( $(#[doc = $doc:literal])* $variant:ident = $text:literal, )* }) => {
        $(#[doc = $tdoc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name {
            $( $(#[doc = $doc])* #[serde(rename = $text)] $variant, )*
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),*];

            /// The value as serialized (and stored).
            pub const fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text,)* }
            }

            /// Parses a serialized value.
            pub fn parse(text: &str) -> Option<Self> {
                match text { $($text => Some(Self::$variant),)* _ => None }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

named_enum! {
    /// Where a task is, as the scheduler drives it.
    TaskState {
        /// Seen in a deal; not initialized on chain yet.
        Received = "RECEIVED",
        /// `initialize` sent, not mined yet.
        Initializing = "INITIALIZING",
        /// Initialized on chain; waiting for workers to take it.
        Initialized = "INITIALIZED",
        /// At least one worker started it.
        Running = "RUNNING",
        /// The chain reached consensus: winners are asked to reveal.
        ConsensusReached = "CONSENSUS_REACHED",
        /// At least one winner revealed.
        Revealed = "REVEALED",
        /// One revealed worker was asked to upload the result.
        ResultUploading = "RESULT_UPLOADING",
        /// The result is stored; finalize can be sent.
        ResultUploaded = "RESULT_UPLOADED",
        /// `finalize` sent, not mined yet.
        Finalizing = "FINALIZING",
        /// Nobody revealed in time: `reopen` sent, not mined yet.
        Reopening = "REOPENING",
        /// Finalized on chain: everyone paid. Final.
        Completed = "COMPLETED",
        /// Given up with a [`TaskFailureCause`]; claimable on chain after the final deadline. Final.
        Failed = "FAILED",
    }
}

impl TaskState {
    /// Whether nothing more happens to the task.
    pub const fn is_final(self) -> bool {
        matches!(self, Self::Completed | Self::Failed)
    }
}

named_enum! {
    /// Where one worker's replicate of a task is.
    ReplicateState {
        /// Handed to the worker with its authorization.
        Assigned = "ASSIGNED",
        /// The worker fetches the app, dataset and input files.
        Downloading = "DOWNLOADING",
        /// The app runs.
        Computing = "COMPUTING",
        /// The result digest is known (or an error result after a download failure).
        Computed = "COMPUTED",
        /// `contribute` sent, not mined yet.
        Contributing = "CONTRIBUTING",
        /// Contributed on chain.
        Contributed = "CONTRIBUTED",
        /// `reveal` sent, not mined yet.
        Revealing = "REVEALING",
        /// Revealed on chain.
        Revealed = "REVEALED",
        /// Chosen to upload the result.
        UploadRequested = "UPLOAD_REQUESTED",
        /// The upload is under way.
        Uploading = "UPLOADING",
        /// The result is stored.
        Uploaded = "UPLOADED",
        /// The worker stopped pinging; it may come back.
        Lost = "LOST",
        /// The worker came back after being lost or restarted, and resumes.
        Recovering = "RECOVERING",
        /// The task finished with this replicate on the winning side. Final.
        Completed = "COMPLETED",
        /// The replicate failed with a [`ReplicateFailureCause`]. Final.
        Failed = "FAILED",
        /// The scheduler stopped the replicate with an [`AbortCause`]. Final.
        Aborted = "ABORTED",
    }
}

impl ReplicateState {
    /// Whether nothing more happens to the replicate.
    pub const fn is_final(self) -> bool {
        matches!(self, Self::Completed | Self::Failed | Self::Aborted)
    }
}

named_enum! {
    /// Why a task was given up.
    TaskFailureCause {
        /// The deal was seen after its contribution deadline.
        SeenTooLate = "SEEN_TOO_LATE",
        /// `initialize` could not be mined.
        InitializeFailed = "INITIALIZE_FAILED",
        /// The contribution deadline passed before consensus.
        ContributionTimeout = "CONTRIBUTION_TIMEOUT",
        /// `reopen` could not be mined.
        ReopenFailed = "REOPEN_FAILED",
        /// No revealed worker could upload the result.
        ResultUploadFailed = "RESULT_UPLOAD_FAILED",
        /// `finalize` could not be mined.
        FinalizeFailed = "FINALIZE_FAILED",
        /// The final deadline passed.
        FinalDeadlineReached = "FINAL_DEADLINE_REACHED",
        /// Someone claimed the task on chain.
        ClaimedOnChain = "CLAIMED_ON_CHAIN",
    }
}

named_enum! {
    /// Why a replicate failed (reported by the worker, or set by the scheduler).
    ReplicateFailureCause {
        /// The app image or module could not be fetched.
        AppDownloadFailed = "APP_DOWNLOAD_FAILED",
        /// The app is not where its multiaddr says (no such file, URL or local image).
        AppNotFound = "APP_NOT_FOUND",
        /// The app's checksum does not match the chain's.
        AppChecksumMismatch = "APP_CHECKSUM_MISMATCH",
        /// The dataset could not be fetched.
        DatasetDownloadFailed = "DATASET_DOWNLOAD_FAILED",
        /// The dataset's checksum does not match the chain's.
        DatasetChecksumMismatch = "DATASET_CHECKSUM_MISMATCH",
        /// An input file could not be fetched.
        InputFileDownloadFailed = "INPUT_FILE_DOWNLOAD_FAILED",
        /// The worker has no executor for the app.
        ExecutorUnavailable = "EXECUTOR_UNAVAILABLE",
        /// The app ran past the category's time.
        ComputeTimeout = "COMPUTE_TIMEOUT",
        /// The app ran out of memory.
        OutOfMemory = "OUT_OF_MEMORY",
        /// The app crashed (a trap, a signal, a non-zero exit) without writing `computed.json`.
        AppCrashed = "APP_CRASHED",
        /// The app's output breaks the result rules (a name longer than 31 characters, no
        /// readable deterministic output).
        ResultInvalid = "RESULT_INVALID",
        /// The sandbox failed (not the app).
        SandboxFailed = "SANDBOX_FAILED",
        /// `contribute` reverted or could not be sent.
        ContributeFailed = "CONTRIBUTE_FAILED",
        /// The contribution deadline passed before the worker contributed.
        ContributionTimeout = "CONTRIBUTION_TIMEOUT",
        /// `reveal` reverted or could not be sent.
        RevealFailed = "REVEAL_FAILED",
        /// The reveal deadline passed before the worker revealed.
        RevealTimeout = "REVEAL_TIMEOUT",
        /// The upload was refused or broke.
        UploadFailed = "UPLOAD_FAILED",
        /// The chosen uploader took too long.
        UploadTimeout = "UPLOAD_TIMEOUT",
        /// The worker's free stake is below the deal's worker stake.
        InsufficientStake = "INSUFFICIENT_STAKE",
        /// The worker's wallet cannot pay for gas.
        InsufficientGas = "INSUFFICIENT_GAS",
        /// The worker could not reach the chain.
        ChainUnreachable = "CHAIN_UNREACHABLE",
        /// The worker was lost and did not come back in time: its part went to another worker.
        WorkerLost = "WORKER_LOST",
        /// Anything else.
        Unknown = "UNKNOWN",
    }
}

named_enum! {
    /// Why the scheduler stopped a replicate.
    AbortCause {
        /// Consensus was reached on another result, or without this worker.
        ConsensusReached = "CONSENSUS_REACHED",
        /// The contribution deadline passed.
        ContributionTimeout = "CONTRIBUTION_TIMEOUT",
        /// The task completed.
        TaskCompleted = "TASK_COMPLETED",
        /// The task failed.
        TaskFailed = "TASK_FAILED",
        /// The worker was replaced.
        Replaced = "REPLACED",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_through_json_and_text() {
        fn check<T>(all: &[T], text: fn(T) -> &'static str, parse: fn(&str) -> Option<T>)
        where
            T: Copy + PartialEq + fmt::Debug + Serialize + serde::de::DeserializeOwned,
        {
            let mut seen = std::collections::HashSet::new();
            for &value in all {
                assert!(seen.insert(text(value)), "duplicate name {}", text(value));
                assert_eq!(serde_json::to_value(value).unwrap(), serde_json::json!(text(value)));
                assert_eq!(
                    serde_json::from_value::<T>(serde_json::json!(text(value))).unwrap(),
                    value
                );
                assert_eq!(parse(text(value)), Some(value));
            }
            assert_eq!(parse("NOPE"), None);
        }
        check(TaskState::ALL, TaskState::as_str, TaskState::parse);
        check(ReplicateState::ALL, ReplicateState::as_str, ReplicateState::parse);
        check(TaskFailureCause::ALL, TaskFailureCause::as_str, TaskFailureCause::parse);
        check(
            ReplicateFailureCause::ALL,
            ReplicateFailureCause::as_str,
            ReplicateFailureCause::parse,
        );
        check(AbortCause::ALL, AbortCause::as_str, AbortCause::parse);
    }
}
