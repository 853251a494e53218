//! Stable error codes: every refusal of the market has its own [`ErrorCode`], an HTTP status and
//! a JSON body ([`ApiError`]).

use serde::{Deserialize, Serialize};
use std::fmt;

/// Why the market refused a request. The `snake_case` name is the machine-readable `error` field
/// of the response body and never changes meaning.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ErrorCode {
    /// The body is not JSON, or a field has the wrong type (400).
    InvalidJson,
    /// The body has a field the API does not know (400).
    UnknownField,
    /// A query parameter is malformed, unknown or does not apply to this book (400).
    InvalidQuery,
    /// No such path, or no such order kind (404).
    NotFound,
    /// No order with this hash (404).
    OrderNotFound,
    /// The body is larger than the limit (413).
    PayloadTooLarge,
    /// An ask price above what the hub can ever settle (it keeps prices in 64 bits) (422).
    PriceTooLarge,
    /// The order's volume is zero (422).
    ZeroVolume,
    /// A trust above what the hub accepts (32 bits) (422).
    TrustTooLarge,
    /// The category does not exist on the chain (422).
    UnknownCategory,
    /// The app, dataset or workerpool is not registered in the deployment's registry (422).
    UnknownAsset,
    /// The signature is not 65 or 64 bytes with `v` in {27, 28} and a low `s` (422).
    MalformedSignature,
    /// The signature does not come from the order's owner under this deployment's EIP-712
    /// domain (another key, another chain or another hub), and the order is not presigned (422).
    BadSignature,
    /// The declared signer is not the owner of the app, dataset or workerpool, or not the
    /// request's requester (403).
    NotOwner,
    /// The order is already in the book and open (409).
    AlreadyPublished,
    /// The order was cancelled on-chain (`manage…Order(CLOSE)`) (409).
    OrderCancelled,
    /// Nothing is left of the order on-chain: its whole volume was consumed (409).
    OrderConsumed,
    /// The requester's free balance on the hub cannot pay one task at the order's max prices
    /// (422).
    InsufficientFunds,
    /// The workerpool owner's free balance cannot cover the scheduler stake of one task (422).
    InsufficientStake,
    /// The signer already has the maximum number of open orders of this kind (422).
    TooManyOpenOrders,
    /// Too many requests from this client; retry later (429).
    RateLimited,
    /// An unpublish message outside its validity window (401).
    AuthExpired,
    /// An unpublish message not signed by the declared signer (401).
    BadAuthSignature,
    /// The chain could not be read; nothing was stored (503).
    ChainUnavailable,
    /// A failure inside the market; nothing was stored (500).
    Internal,
}

impl ErrorCode {
    /// Every code.
    pub const ALL: [Self; 25] = [
        Self::InvalidJson,
        Self::UnknownField,
        Self::InvalidQuery,
        Self::NotFound,
        Self::OrderNotFound,
        Self::PayloadTooLarge,
        Self::PriceTooLarge,
        Self::ZeroVolume,
        Self::TrustTooLarge,
        Self::UnknownCategory,
        Self::UnknownAsset,
        Self::MalformedSignature,
        Self::BadSignature,
        Self::NotOwner,
        Self::AlreadyPublished,
        Self::OrderCancelled,
        Self::OrderConsumed,
        Self::InsufficientFunds,
        Self::InsufficientStake,
        Self::TooManyOpenOrders,
        Self::RateLimited,
        Self::AuthExpired,
        Self::BadAuthSignature,
        Self::ChainUnavailable,
        Self::Internal,
    ];

    /// The HTTP status that goes with the code.
    pub const fn status(self) -> u16 {
        match self {
            Self::InvalidJson | Self::UnknownField | Self::InvalidQuery => 400,
            Self::AuthExpired | Self::BadAuthSignature => 401,
            Self::NotOwner => 403,
            Self::NotFound | Self::OrderNotFound => 404,
            Self::AlreadyPublished | Self::OrderCancelled | Self::OrderConsumed => 409,
            Self::PayloadTooLarge => 413,
            Self::PriceTooLarge
            | Self::ZeroVolume
            | Self::TrustTooLarge
            | Self::UnknownCategory
            | Self::UnknownAsset
            | Self::MalformedSignature
            | Self::BadSignature
            | Self::InsufficientFunds
            | Self::InsufficientStake
            | Self::TooManyOpenOrders => 422,
            Self::RateLimited => 429,
            Self::Internal => 500,
            Self::ChainUnavailable => 503,
        }
    }

    /// The code as it appears in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidJson => "invalid_json",
            Self::UnknownField => "unknown_field",
            Self::InvalidQuery => "invalid_query",
            Self::NotFound => "not_found",
            Self::OrderNotFound => "order_not_found",
            Self::PayloadTooLarge => "payload_too_large",
            Self::PriceTooLarge => "price_too_large",
            Self::ZeroVolume => "zero_volume",
            Self::TrustTooLarge => "trust_too_large",
            Self::UnknownCategory => "unknown_category",
            Self::UnknownAsset => "unknown_asset",
            Self::MalformedSignature => "malformed_signature",
            Self::BadSignature => "bad_signature",
            Self::NotOwner => "not_owner",
            Self::AlreadyPublished => "already_published",
            Self::OrderCancelled => "order_cancelled",
            Self::OrderConsumed => "order_consumed",
            Self::InsufficientFunds => "insufficient_funds",
            Self::InsufficientStake => "insufficient_stake",
            Self::TooManyOpenOrders => "too_many_open_orders",
            Self::RateLimited => "rate_limited",
            Self::AuthExpired => "auth_expired",
            Self::BadAuthSignature => "bad_auth_signature",
            Self::ChainUnavailable => "chain_unavailable",
            Self::Internal => "internal",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The body of every error response: `{"error": "<code>", "message": "<for people>"}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(deny_unknown_fields)]
#[error("{error}: {message}")]
pub struct ApiError {
    /// The stable code.
    pub error: ErrorCode,
    /// What went wrong, for people (its wording may change).
    pub message: String,
}

impl ApiError {
    /// An error with a code and a message.
    pub fn new(error: ErrorCode, message: impl Into<String>) -> Self {
        Self { error, message: message.into() }
    }

    /// The HTTP status of the error.
    pub const fn status(&self) -> u16 {
        self.error.status()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable_snake_case_and_4xx_or_5xx() {
        for code in ErrorCode::ALL {
            let json = serde_json::to_value(code).unwrap();
            assert_eq!(json, serde_json::Value::String(code.as_str().to_owned()));
            assert_eq!(serde_json::from_value::<ErrorCode>(json).unwrap(), code);
            assert!((400..600).contains(&code.status()), "{code}");
        }
        let body = ApiError::new(ErrorCode::BadSignature, "nope");
        assert_eq!(
            serde_json::to_value(&body).unwrap(),
            serde_json::json!({"error": "bad_signature", "message": "nope"})
        );
        assert_eq!(body.status(), 422);
    }
}
