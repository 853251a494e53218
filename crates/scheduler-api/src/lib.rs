//! The HTTP contract of poco's workerpool scheduler, shared by the scheduler (`poco-scheduler`),
//! the worker and the SDK: routes, headers, JSON bodies, the signed login and requester access,
//! the task and replicate states with their typed causes, and the machine-readable error codes.
//! Plain data and hashing, no I/O. The protocol is described in
//! `docs/design/scheduler-protocol.md`.
//!
//! ```text
//!  worker ── GET  /v1/workers/challenge?worker=0x… ─────────▶ Challenge {domain, nonce, expiresAt}
//!         ── POST /v1/workers/login  Login {signature} ──────▶ Session {token, expiresAt}
//!         ── POST /v1/workers/register  Registration ───────▶ PoolConfig            (bearer)
//!         ── POST /v1/workers/heartbeat  Heartbeat ─────────▶ HeartbeatAck          (bearer)
//!         ── GET  /v1/workers/events (SSE) ◀──────────────── PushMessage …          (bearer)
//!         ── GET  /v1/work?waitMs= (long poll) ─────────────▶ Assignment | 204      (bearer)
//!         ── POST /v1/replicates/{taskId}/status  ReplicateReport ▶ NextAction      (bearer)
//!         ── PUT  /v1/replicates/{taskId}/logs  AppLogs ────▶ 204                   (bearer)
//!  anyone ── GET  /v1/tasks/{taskId}  /timeline  /replicates/{worker} ▶ TaskView, Timeline, ReplicateView
//!  requester GET  /v1/tasks/{taskId}/replicates/{worker}/logs ▶ AppLogs  (x-poco-requester-* headers)
//!  anyone ── GET  /v1/stats ▶ PoolStats;  GET /metrics (Prometheus)
//! ```
#![cfg_attr(not(test), warn(unused_crate_dependencies))]

pub mod auth;
mod error;
pub mod push;
pub mod report;
pub mod states;
pub mod views;
pub mod worker;

pub use auth::{Challenge, Login, RequesterAccess, SchedulerDomain, Session};
pub use error::{ErrorBody, ErrorCode};
pub use push::PushMessage;
pub use report::{NextAction, ReplicateReport};
pub use states::{AbortCause, ReplicateFailureCause, ReplicateState, TaskFailureCause, TaskState};
pub use views::{AppLogs, PoolStats, ReplicateView, Subject, TaskView, Timeline, TimelineEntry};
pub use worker::{
    Assignment, Executor, Heartbeat, HeartbeatAck, PoolConfig, Registration, RegistrationError,
    TaskSpec, WorkQuery,
};

/// The routes (axum path syntax).
pub mod paths {
    /// `GET`, query `worker`: a login challenge.
    pub const CHALLENGE: &str = "/v1/workers/challenge";
    /// `POST` [`crate::Login`]: a session token.
    pub const LOGIN: &str = "/v1/workers/login";
    /// `POST` [`crate::Registration`] (bearer).
    pub const REGISTER: &str = "/v1/workers/register";
    /// `GET`: the [`crate::PoolConfig`] (public).
    pub const CONFIG: &str = "/v1/workers/config";
    /// `POST` [`crate::Heartbeat`] (bearer).
    pub const HEARTBEAT: &str = "/v1/workers/heartbeat";
    /// `GET` server-sent events of [`crate::PushMessage`] (bearer).
    pub const EVENTS: &str = "/v1/workers/events";
    /// `GET`, query [`crate::WorkQuery`]: long poll for an [`crate::Assignment`] (bearer).
    pub const WORK: &str = "/v1/work";
    /// `POST` [`crate::ReplicateReport`] (bearer).
    pub const REPLICATE_STATUS: &str = "/v1/replicates/{task_id}/status";
    /// `PUT` [`crate::AppLogs`] (bearer).
    pub const REPLICATE_LOGS: &str = "/v1/replicates/{task_id}/logs";
    /// `GET` [`crate::TaskView`].
    pub const TASK: &str = "/v1/tasks/{task_id}";
    /// `GET` [`crate::Timeline`].
    pub const TIMELINE: &str = "/v1/tasks/{task_id}/timeline";
    /// `GET` [`crate::ReplicateView`].
    pub const REPLICATE: &str = "/v1/tasks/{task_id}/replicates/{worker}";
    /// `GET` [`crate::AppLogs`] (requester headers).
    pub const LOGS: &str = "/v1/tasks/{task_id}/replicates/{worker}/logs";
    /// `GET` [`crate::PoolStats`].
    pub const STATS: &str = "/v1/stats";
    /// `GET` Prometheus text.
    pub const METRICS: &str = "/metrics";
}

/// Header names of the requester's signed access ([`RequesterAccess`]).
pub mod headers {
    /// The requester's address.
    pub const REQUESTER: &str = "x-poco-requester";
    /// The access expiry (decimal seconds since the epoch).
    pub const EXPIRES: &str = "x-poco-expires";
    /// The requester's signature (0x hex, 65 bytes).
    pub const SIGNATURE: &str = "x-poco-signature";
}
