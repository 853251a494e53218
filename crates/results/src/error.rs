//! The errors of the service and their one mapping to HTTP answers ([`ApiError`] →
//! `ErrorBody` with a stable [`ErrorCode`]).

use alloy_primitives::{Address, B256};
use axum::{
    Json,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use poco_chain::ChainError;
use poco_primitives::{TaskId, TaskStatus};
use poco_results_api::{ErrorBody, ErrorCode};

use crate::store::StoreError;

/// Errors of starting the service.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The store could not be opened.
    #[error("could not open the store")]
    Store(#[from] StoreError),
    /// The chain could not be reached.
    #[error("could not connect to the chain")]
    Chain(#[from] ChainError),
    /// The listen address could not be bound.
    #[error("could not listen on {addr}")]
    Bind {
        /// The address.
        addr: std::net::SocketAddr,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The server stopped with an error.
    #[error("the HTTP server failed")]
    Serve(#[source] std::io::Error),
}

/// Why a request was refused (or failed); each maps to one [`ErrorCode`].
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The path's task id is not 32 bytes of hex.
    #[error("invalid task id {0:?}")]
    InvalidTaskId(String),
    /// A required header is missing.
    #[error("missing header {0}")]
    MissingHeader(&'static str),
    /// A header is malformed.
    #[error("invalid header {name}: {reason}")]
    InvalidHeader {
        /// The header.
        name: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The archive is over the limit.
    #[error("archive larger than the limit of {limit} bytes")]
    PayloadTooLarge {
        /// The limit.
        limit: u64,
    },
    /// The body's digest is not the announced one.
    #[error("archive SHA-256 is {actual}, the request announced {announced}")]
    ArchiveDigestMismatch {
        /// `x-poco-archive-sha256`.
        announced: B256,
        /// The body's.
        actual: B256,
    },
    /// The body could not be read.
    #[error("could not read the request body")]
    BodyRead(#[source] axum::Error),
    /// The body stalled.
    #[error("no bytes of the body for {0:?}")]
    UploadTimeout(std::time::Duration),
    /// The worker signature is not the worker's.
    #[error("the upload is not signed by worker {worker}")]
    BadWorkerSignature {
        /// The worker named by the request.
        worker: Address,
    },
    /// The authorization is not the scheduler's for this worker and task.
    #[error("the authorization is not signed by {expected} for this worker and task")]
    BadAuthorization {
        /// Who should have signed (the deal's workerpool owner, or the TEE broker).
        expected: Address,
    },
    /// The task does not exist on chain.
    #[error("task {0} does not exist on chain")]
    TaskNotFound(TaskId),
    /// The task is completed or failed.
    #[error("task {task_id} is {status:?}: it accepts no result")]
    TaskNotActive {
        /// The task.
        task_id: TaskId,
        /// Its status.
        status: TaskStatus,
    },
    /// Another archive is stored for the task.
    #[error("task {task_id} already has archive {sha256}")]
    AlreadyUploaded {
        /// The task.
        task_id: TaskId,
        /// The stored archive's digest.
        sha256: B256,
    },
    /// No archive for the task.
    #[error("no result stored for task {0}")]
    ResultNotFound(TaskId),
    /// A chain read failed (boxed: rare and large).
    #[error("chain read failed")]
    Chain(#[source] Box<ChainError>),
    /// The store failed (boxed: rare and large).
    #[error("store failed")]
    Store(#[source] Box<StoreError>),
    /// A background job failed.
    #[error("internal task failed")]
    Join(#[from] tokio::task::JoinError),
}

impl ApiError {
    /// The code answered.
    pub const fn code(&self) -> ErrorCode {
        match self {
            Self::InvalidTaskId(_) => ErrorCode::InvalidTaskId,
            Self::MissingHeader(_) => ErrorCode::MissingHeader,
            Self::InvalidHeader { .. } => ErrorCode::InvalidHeader,
            Self::PayloadTooLarge { .. } => ErrorCode::PayloadTooLarge,
            Self::ArchiveDigestMismatch { .. } => ErrorCode::ArchiveDigestMismatch,
            Self::BodyRead(_) => ErrorCode::BodyRead,
            Self::UploadTimeout(_) => ErrorCode::UploadTimeout,
            Self::BadWorkerSignature { .. } => ErrorCode::BadWorkerSignature,
            Self::BadAuthorization { .. } => ErrorCode::BadAuthorization,
            Self::TaskNotFound(_) => ErrorCode::TaskNotFound,
            Self::TaskNotActive { .. } => ErrorCode::TaskNotActive,
            Self::AlreadyUploaded { .. } => ErrorCode::AlreadyUploaded,
            Self::ResultNotFound(_) => ErrorCode::ResultNotFound,
            Self::Chain(_) => ErrorCode::ChainUnavailable,
            Self::Store(_) => ErrorCode::Storage,
            Self::Join(_) => ErrorCode::Internal,
        }
    }
}

impl From<ChainError> for ApiError {
    fn from(error: ChainError) -> Self {
        Self::Chain(Box::new(error))
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        Self::Store(Box::new(error))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let code = self.code();
        let status =
            StatusCode::from_u16(code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let message = if status.is_server_error() {
            // Internal details go to the log, once, never into the answer.
            tracing::error!(code = %code, error = %ErrorChain(&self), "Request failed.");
            match code {
                ErrorCode::ChainUnavailable => "the chain could not be read".to_owned(),
                ErrorCode::Storage => "the store failed".to_owned(),
                _ => "internal error".to_owned(),
            }
        } else {
            tracing::debug!(code = %code, error = %self, "Request refused.");
            self.to_string()
        };
        (status, Json(ErrorBody { code, message })).into_response()
    }
}

/// Displays an error with its sources (`a: b: c`).
struct ErrorChain<'a>(&'a dyn std::error::Error);

impl std::fmt::Display for ErrorChain<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)?;
        let mut source = self.0.source();
        while let Some(error) = source {
            write!(f, ": {error}")?;
            source = error.source();
        }
        Ok(())
    }
}
