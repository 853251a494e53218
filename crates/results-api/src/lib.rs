//! The HTTP contract of poco's `results` service, shared by the service (`poco-results`), the
//! worker that uploads and the SDK that downloads: paths, request and response headers, the
//! worker's upload signature, JSON bodies, the result link the scheduler publishes on chain and
//! the machine-readable error codes. Plain data and hashing, no I/O.
//!
//! ```text
//!  worker ── PUT /v1/results/{taskId} ──────────────────────────▶ results service
//!            body: the archive (raw bytes, streamed)
//!            x-poco-worker, x-poco-enclave-challenge              ─┐ the scheduler's
//!            x-poco-authorization  (scheduler: ethSigned(H(worker ‖ taskId ‖ enclave)))   ─┘ authorization
//!            x-poco-archive-sha256 (SHA-256 of the body)
//!            x-poco-worker-signature (worker: ethSigned(upload_message(taskId, sha256)))
//!         ◀── 201 UploadReceipt { link } (200 when the same archive was already there)
//!  scheduler ── finalize(taskId, results = link.to_bytes(), "") ──▶ hub
//!  anyone ──── GET | HEAD /v1/results/{taskId} ─────────────────▶ archive, sha256 in headers
//!  anyone ──── GET /v1/results/{taskId}/check ──────────────────▶ CheckReport (after finalize:
//!                                   on-chain link and result digest against the archive)
//! ```
//!
//! - [`upload_message`] / [`sign_upload`] / [`recover_uploader`]: the worker's signature;
//!   [`UploadHeaders`]: every header of an upload, built from the authorization.
//! - [`headers`]: header names; [`paths`]: the routes.
//! - [`UploadReceipt`], [`CheckReport`], [`ResultLink`]: JSON bodies.
//! - [`ErrorCode`] and [`ErrorBody`]: every refusal, with its HTTP status.
#![cfg_attr(not(test), warn(unused_crate_dependencies))]

mod error;
mod link;
mod upload;

pub use error::{ErrorBody, ErrorCode};
pub use link::{RESULT_LINK_STORAGE, ResultLink};
pub use upload::{
    UPLOAD_DOMAIN, UploadHeaders, recover_uploader, sign_upload, upload_message,
    upload_signing_hash,
};

use alloy_primitives::{Address, B256};
use poco_primitives::{TaskId, TaskStatus};
use serde::{Deserialize, Serialize};

/// Header names of requests and responses (lower case, as HTTP/2 sends them).
pub mod headers {
    /// Request: the uploading worker's address (the authorization's `worker`).
    pub const WORKER: &str = "x-poco-worker";
    /// Request: the enclave challenge of the authorization; zero (or absent) outside TEE.
    pub const ENCLAVE_CHALLENGE: &str = "x-poco-enclave-challenge";
    /// Request: the scheduler's (or TEE broker's) authorization signature, `0x` hex.
    pub const AUTHORIZATION: &str = "x-poco-authorization";
    /// Request: the worker's signature of [`crate::upload_signing_hash`], `0x` hex.
    pub const WORKER_SIGNATURE: &str = "x-poco-worker-signature";
    /// Request and response: the SHA-256 of the archive, `0x` hex (32 bytes).
    pub const ARCHIVE_SHA256: &str = "x-poco-archive-sha256";
}

/// Paths of the service.
pub mod paths {
    use poco_primitives::TaskId;

    /// Prometheus metrics (text exposition format).
    pub const METRICS: &str = "/metrics";
    /// Liveness: `200 ok`.
    pub const HEALTH: &str = "/health";

    /// `PUT` (or `POST`) uploads, `GET` downloads, `HEAD` describes a task's archive.
    pub fn result(task_id: TaskId) -> String {
        format!("/v1/results/{task_id}")
    }

    /// `GET`: the [`crate::CheckReport`] of a task's archive against the chain.
    pub fn check(task_id: TaskId) -> String {
        format!("/v1/results/{task_id}/check")
    }
}

/// The content type stored when an upload names none.
pub const DEFAULT_CONTENT_TYPE: &str = "application/zip";

/// The answer to an accepted upload.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UploadReceipt {
    /// The task.
    pub task_id: TaskId,
    /// The worker that uploaded (first upload).
    pub worker: Address,
    /// SHA-256 of the archive: its content address.
    pub sha256: B256,
    /// Size of the archive in bytes.
    pub size: u64,
    /// `false` when the same archive was already stored for the task (idempotent re-upload).
    pub created: bool,
    /// What the scheduler passes as `results` to `finalize`.
    pub link: ResultLink,
}

/// Where a stored archive stands against the chain (see [`CheckReport`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CheckState {
    /// No archive stored for the task.
    NotUploaded,
    /// The task is not finalized yet (ACTIVE or REVEALING): nothing to compare.
    Pending,
    /// Finalized; the on-chain `results` is this archive's link and the archive's result digest
    /// equals the task's `resultDigest`.
    Verified,
    /// Finalized, but the on-chain `results` does not point at this archive (another storage,
    /// another digest, another task).
    LocationMismatch,
    /// Finalized with a link to this archive, but the archive's result digest differs from the
    /// on-chain `resultDigest`.
    DigestMismatch,
    /// Finalized, but the archive holds no result digest to compare (no readable
    /// `computed.json`, or a `deterministic-output-path` that is not in it).
    Unverifiable,
    /// The task was claimed (FAILED): no result was accepted on chain.
    TaskFailed,
}

impl CheckState {
    /// The state as serialized (`"VERIFIED"`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::NotUploaded => "NOT_UPLOADED",
            Self::Pending => "PENDING",
            Self::Verified => "VERIFIED",
            Self::LocationMismatch => "LOCATION_MISMATCH",
            Self::DigestMismatch => "DIGEST_MISMATCH",
            Self::Unverifiable => "UNVERIFIABLE",
            Self::TaskFailed => "TASK_FAILED",
        }
    }

    /// Whether the state can still change (only [`Self::Pending`] and [`Self::NotUploaded`]).
    pub const fn is_final(self) -> bool {
        !matches!(self, Self::Pending | Self::NotUploaded)
    }
}

/// The check of a task's archive against the chain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckReport {
    /// The task.
    pub task_id: TaskId,
    /// The outcome.
    pub state: CheckState,
    /// The task's on-chain status when checked.
    pub task_status: TaskStatus,
    /// SHA-256 of the stored archive, if any.
    pub archive_sha256: Option<B256>,
    /// The result digest recomputed from the archive by the reference rules, if it has one.
    pub archive_result_digest: Option<B256>,
    /// The task's on-chain `resultDigest` (zero until a reveal).
    pub onchain_result_digest: B256,
    /// Whether the on-chain `results` is this archive's [`ResultLink`] (`None` before finalize).
    pub link_matches: Option<bool>,
    /// Why the state is what it is, for people.
    pub detail: String,
}
