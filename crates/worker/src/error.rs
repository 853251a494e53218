//! Errors of the worker agent: [`Error`] for the agent as a whole, [`Failure`] for one task
//! (mapped to a [`ReplicateFailureCause`] once, when it is reported).

use alloy_primitives::U256;
use poco_scheduler_api::{ErrorCode, ReplicateFailureCause};
use std::path::PathBuf;

/// A `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why the agent as a whole cannot go on (start-up, journal, chain set-up).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The configuration is not usable.
    #[error("invalid configuration: {0}")]
    Config(String),
    /// The journal database could not be opened.
    #[error("journal database")]
    Db(#[from] poco_db::DbError),
    /// A journal query failed.
    #[error("journal query")]
    Sql(#[from] sqlx::Error),
    /// A journal row is not readable.
    #[error("journal row for task {task}: {reason}")]
    Journal {
        /// The task.
        task: String,
        /// What is wrong.
        reason: String,
    },
    /// The chain could not be reached or read.
    #[error("chain")]
    Chain(#[source] Box<poco_chain::ChainError>),
    /// An executor could not be set up.
    #[error("sandbox")]
    Sandbox(#[source] Box<poco_sandbox::SandboxError>),
    /// The scheduler refused or could not be reached.
    #[error("scheduler")]
    Scheduler(#[from] ClientError),
    /// A file operation on the data folder failed.
    #[error("{op} {path}")]
    Io {
        /// What was done.
        op: &'static str,
        /// On what.
        path: PathBuf,
        /// Why it failed.
        #[source]
        source: std::io::Error,
    },
}

// Boxed: the chain's and the sandbox's errors are large, and every `Result` of the worker carries
// this enum.
impl From<poco_chain::ChainError> for Error {
    fn from(error: poco_chain::ChainError) -> Self {
        Error::Chain(Box::new(error))
    }
}

impl From<poco_sandbox::SandboxError> for Error {
    fn from(error: poco_sandbox::SandboxError) -> Self {
        Error::Sandbox(Box::new(error))
    }
}

/// A refusal or failure of an HTTP call to the scheduler or the results service.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The service answered with one of its error codes.
    #[error("{status} {code:?}: {message}")]
    Api {
        /// The HTTP status.
        status: u16,
        /// The machine-readable code (the scheduler's; the results service's codes are kept in
        /// `message`).
        code: Option<ErrorCode>,
        /// The message.
        message: String,
    },
    /// The service could not be reached, or the answer was cut.
    #[error("HTTP request failed")]
    Http(#[from] reqwest::Error),
    /// The answer is not the documented shape.
    #[error("unexpected answer: {0}")]
    Unexpected(String),
    /// The worker's key could not sign.
    #[error("signing failed")]
    Sign(#[from] poco_primitives::Error),
}

impl ClientError {
    /// The scheduler's code, if it answered with one.
    pub const fn code(&self) -> Option<ErrorCode> {
        match self {
            Self::Api { code, .. } => *code,
            _ => None,
        }
    }

    /// Whether trying again later may work (the service is down, busy or out of service).
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Http(_) => true,
            Self::Api { status, .. } => *status >= 500 || *status == 429,
            Self::Unexpected(_) | Self::Sign(_) => false,
        }
    }

    /// Whether the session is gone and a new login (and registration) is needed.
    pub fn needs_login(&self) -> bool {
        matches!(
            self.code(),
            Some(
                ErrorCode::TokenExpired
                    | ErrorCode::MissingToken
                    | ErrorCode::WorkerLost
                    | ErrorCode::NotRegistered
            )
        )
    }
}

/// Why one task could not go on, with the cause reported to the scheduler.
#[derive(Debug, thiserror::Error)]
#[error("{cause}: {detail}")]
pub struct Failure {
    /// The cause reported.
    pub cause: ReplicateFailureCause,
    /// What happened, for people (deterministic when it goes into an error result: no paths,
    /// no times).
    pub detail: String,
}

impl Failure {
    /// A failure with `cause`.
    pub fn new(cause: ReplicateFailureCause, detail: impl Into<String>) -> Self {
        Self { cause, detail: detail.into() }
    }

    /// The worker's free stake is short of the deal's worker stake.
    pub fn insufficient_stake(free: U256, needed: U256) -> Self {
        let missing = needed.saturating_sub(free);
        Self::new(
            ReplicateFailureCause::InsufficientStake,
            format!(
                "free stake {free} nRLC is below the deal's worker stake {needed} nRLC: deposit at least {missing} nRLC more"
            ),
        )
    }
}
