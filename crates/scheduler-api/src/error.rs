//! Machine-readable refusals: every error the scheduler answers carries one [`ErrorCode`] in an
//! [`ErrorBody`], with a fixed HTTP status.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! codes {
    ($( $(#[doc = $doc:literal])* $variant:ident = $name:literal => $status:literal, )*) => {
        /// Why a request was refused. Serialized as `SCREAMING_SNAKE_CASE` (e.g. `"TOKEN_EXPIRED"`).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[non_exhaustive]
        pub enum ErrorCode {
            $( $(#[doc = $doc])* #[serde(rename = $name)] $variant, )*
        }

        impl ErrorCode {
            /// Every code.
            pub const ALL: &'static [Self] = &[$(Self::$variant),*];

            /// The HTTP status answered with this code.
            pub const fn http_status(self) -> u16 {
                match self { $(Self::$variant => $status,)* }
            }

            /// The code as serialized (`"TOKEN_EXPIRED"`).
            pub const fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $name,)* }
            }
        }
    };
}

codes! {
    /// The body or query is not valid JSON / not the documented shape.
    MalformedRequest = "MALFORMED_REQUEST" => 400,
    /// A path or query value (task id, address) does not parse.
    InvalidParameter = "INVALID_PARAMETER" => 400,
    /// A registration field is out of range (the message names it).
    InvalidRegistration = "INVALID_REGISTRATION" => 400,
    /// The login nonce is unknown, already used or expired: ask for a new challenge.
    UnknownChallenge = "UNKNOWN_CHALLENGE" => 401,
    /// The login signature does not recover to the worker's address.
    BadLoginSignature = "BAD_LOGIN_SIGNATURE" => 401,
    /// No `Authorization: Bearer` token, or not one this scheduler issued.
    MissingToken = "MISSING_TOKEN" => 401,
    /// The bearer token expired: log in again.
    TokenExpired = "TOKEN_EXPIRED" => 401,
    /// The requester's signature is missing, malformed, expired or not the task's requester.
    BadRequesterSignature = "BAD_REQUESTER_SIGNATURE" => 401,
    /// The worker is not admitted by this pool (allow list).
    WorkerNotAllowed = "WORKER_NOT_ALLOWED" => 403,
    /// The worker logged in but has not registered yet.
    NotRegistered = "NOT_REGISTERED" => 403,
    /// The worker was declared lost; it must log in and register again.
    WorkerLost = "WORKER_LOST" => 403,
    /// The task is not known to this scheduler.
    TaskNotFound = "TASK_NOT_FOUND" => 404,
    /// The worker holds no replicate of this task.
    ReplicateNotFound = "REPLICATE_NOT_FOUND" => 404,
    /// The report is not a transition allowed from the replicate's current state.
    InvalidTransition = "INVALID_TRANSITION" => 409,
    /// The same report was already applied (a retry): nothing changed.
    AlreadyReported = "ALREADY_REPORTED" => 409,
    /// The contribution or reveal the report claims is not on chain (or not with that result
    /// hash): report it once its transaction is mined.
    NotOnChain = "NOT_ON_CHAIN" => 409,
    /// The worker already runs as many tasks as it declared.
    NoFreeSlot = "NO_FREE_SLOT" => 409,
    /// The logs are larger than the scheduler keeps.
    LogsTooLarge = "LOGS_TOO_LARGE" => 413,
    /// The worker asked for work faster than the pool's period.
    TooManyRequests = "TOO_MANY_REQUESTS" => 429,
    /// The chain is unreachable or behind: the scheduler is out of service for now.
    OutOfService = "OUT_OF_SERVICE" => 503,
    /// Anything else (details are in the scheduler's log, never in the answer).
    Internal = "INTERNAL" => 500,
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
    fn codes_serialize_as_their_names_with_an_error_status() {
        for &code in ErrorCode::ALL {
            let json = serde_json::to_value(code).unwrap();
            assert_eq!(json, serde_json::json!(code.as_str()));
            assert_eq!(serde_json::from_value::<ErrorCode>(json).unwrap(), code);
            assert!((400..600).contains(&code.http_status()), "{code}");
        }
        let body = ErrorBody { code: ErrorCode::TokenExpired, message: "log in again".into() };
        assert_eq!(
            serde_json::to_string(&body).unwrap(),
            r#"{"code":"TOKEN_EXPIRED","message":"log in again"}"#
        );
    }
}
