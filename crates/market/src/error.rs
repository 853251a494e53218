//! [`MarketError`]: everything that can go wrong in the market, and its [`ErrorCode`].

use poco_market_api::{ApiError, ErrorCode};

/// An error of the market. Refusals of bad input carry their stable [`ErrorCode`]; failures
/// of the market's own parts (database, chain) map to 500 and 503.
#[derive(Debug, thiserror::Error)]
pub enum MarketError {
    /// The request was refused (bad input, or a check against the chain failed).
    #[error("{0}")]
    Refused(ApiError),
    /// The database failed.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// The database schema could not be brought up to date.
    #[error("database migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The chain could not be read.
    #[error("chain: {0}")]
    Chain(#[source] Box<poco_chain::ChainError>),
    /// A stored record could not be read back.
    #[error("corrupt record {what}: {detail}")]
    Corrupt {
        /// Which record.
        what: String,
        /// What is wrong with it.
        detail: String,
    },
    /// Binding the listener failed.
    #[error("listening on {addr}: {source}")]
    Bind {
        /// The address.
        addr: std::net::SocketAddr,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The Prometheus recorder could not be installed.
    #[error("metrics: {0}")]
    Metrics(String),
}

impl MarketError {
    /// A refusal with a code and a message.
    pub fn refused(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::Refused(ApiError::new(code, message))
    }

    /// The code of the error.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Refused(error) => error.error,
            Self::Chain(_) => ErrorCode::ChainUnavailable,
            _ => ErrorCode::Internal,
        }
    }

    /// The body of the HTTP answer: a refusal's own message, a generic one otherwise (the
    /// details go to the log, not to the client).
    pub fn to_api(&self) -> ApiError {
        match self {
            Self::Refused(error) => error.clone(),
            Self::Chain(_) => {
                ApiError::new(ErrorCode::ChainUnavailable, "the chain could not be read; retry")
            }
            _ => ApiError::new(ErrorCode::Internal, "internal error; nothing was stored"),
        }
    }
}

/// The market's result.
pub type Result<T, E = MarketError> = std::result::Result<T, E>;

impl From<poco_db::DbError> for MarketError {
    fn from(error: poco_db::DbError) -> Self {
        match error {
            poco_db::DbError::Connect(e) => Self::Database(e),
            poco_db::DbError::Migrate(e) => Self::Migrate(e),
        }
    }
}
