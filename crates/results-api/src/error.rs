//! Machine-readable refusals: every error the service answers carries one [`ErrorCode`] in an
//! [`ErrorBody`], with a fixed HTTP status.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Why a request was refused. Serialized as `SCREAMING_SNAKE_CASE` (e.g. `"BAD_AUTHORIZATION"`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum ErrorCode {
    /// The path's task id is not a `0x`-prefixed 32-byte hex string.
    InvalidTaskId,
    /// A required request header is missing (the message names it).
    MissingHeader,
    /// A request header is not what it should be (address, signature, 32-byte hex).
    InvalidHeader,
    /// The archive is larger than the service's limit (announced or counted while streaming).
    PayloadTooLarge,
    /// The body's SHA-256 differs from `x-poco-archive-sha256`.
    ArchiveDigestMismatch,
    /// The request body could not be read to its end (client gone, broken chunking).
    BodyRead,
    /// The request body stalled: no bytes for longer than the service's idle timeout.
    UploadTimeout,
    /// The worker signature does not recover to `x-poco-worker` for this task and digest.
    BadWorkerSignature,
    /// The authorization was not signed by the deal's workerpool owner (or the TEE broker) for
    /// this worker, task and enclave challenge.
    BadAuthorization,
    /// The task does not exist on chain (never initialized).
    TaskNotFound,
    /// The task is no longer accepting results (COMPLETED or FAILED).
    TaskNotActive,
    /// Another archive is already stored for the task (one archive per task).
    AlreadyUploaded,
    /// No archive is stored for the task.
    ResultNotFound,
    /// The chain could not be read.
    ChainUnavailable,
    /// The object store failed.
    Storage,
    /// Anything else (details are in the service's log, never in the answer).
    Internal,
}

impl ErrorCode {
    /// The HTTP status answered with this code.
    pub const fn http_status(self) -> u16 {
        match self {
            Self::InvalidTaskId
            | Self::MissingHeader
            | Self::InvalidHeader
            | Self::ArchiveDigestMismatch
            | Self::BodyRead => 400,
            Self::BadWorkerSignature | Self::BadAuthorization => 403,
            Self::TaskNotFound | Self::ResultNotFound => 404,
            Self::TaskNotActive | Self::AlreadyUploaded => 409,
            Self::UploadTimeout => 408,
            Self::PayloadTooLarge => 413,
            Self::Storage | Self::Internal => 500,
            Self::ChainUnavailable => 503,
        }
    }

    /// The code as serialized (`"BAD_AUTHORIZATION"`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::InvalidTaskId => "INVALID_TASK_ID",
            Self::MissingHeader => "MISSING_HEADER",
            Self::InvalidHeader => "INVALID_HEADER",
            Self::PayloadTooLarge => "PAYLOAD_TOO_LARGE",
            Self::ArchiveDigestMismatch => "ARCHIVE_DIGEST_MISMATCH",
            Self::BodyRead => "BODY_READ",
            Self::UploadTimeout => "UPLOAD_TIMEOUT",
            Self::BadWorkerSignature => "BAD_WORKER_SIGNATURE",
            Self::BadAuthorization => "BAD_AUTHORIZATION",
            Self::TaskNotFound => "TASK_NOT_FOUND",
            Self::TaskNotActive => "TASK_NOT_ACTIVE",
            Self::AlreadyUploaded => "ALREADY_UPLOADED",
            Self::ResultNotFound => "RESULT_NOT_FOUND",
            Self::ChainUnavailable => "CHAIN_UNAVAILABLE",
            Self::Storage => "STORAGE",
            Self::Internal => "INTERNAL",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The JSON body of every refusal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// What went wrong, for programs.
    pub code: ErrorCode,
    /// What went wrong, for people (safe to show: no internal details).
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_serialize_as_their_names() {
        let all = [
            ErrorCode::InvalidTaskId,
            ErrorCode::MissingHeader,
            ErrorCode::InvalidHeader,
            ErrorCode::PayloadTooLarge,
            ErrorCode::ArchiveDigestMismatch,
            ErrorCode::BodyRead,
            ErrorCode::UploadTimeout,
            ErrorCode::BadWorkerSignature,
            ErrorCode::BadAuthorization,
            ErrorCode::TaskNotFound,
            ErrorCode::TaskNotActive,
            ErrorCode::AlreadyUploaded,
            ErrorCode::ResultNotFound,
            ErrorCode::ChainUnavailable,
            ErrorCode::Storage,
            ErrorCode::Internal,
        ];
        for code in all {
            let json = serde_json::to_value(code).unwrap();
            assert_eq!(json, serde_json::json!(code.as_str()));
            assert_eq!(serde_json::from_value::<ErrorCode>(json).unwrap(), code);
            assert!((400..600).contains(&code.http_status()), "{code}");
        }
        let body = ErrorBody { code: ErrorCode::PayloadTooLarge, message: "too big".into() };
        assert_eq!(
            serde_json::to_string(&body).unwrap(),
            r#"{"code":"PAYLOAD_TOO_LARGE","message":"too big"}"#
        );
    }
}
