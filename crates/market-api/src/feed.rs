//! Live feed events (`GET /v1/feed`, server-sent events): one per change of a book.

use alloy_primitives::U256;
use poco_primitives::OrderHash;
use serde::{Deserialize, Serialize};

use crate::book::{Book, OrderStatus};

/// What happened to an order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FeedEventKind {
    /// Accepted into the book.
    Published,
    /// Taken out by its signer.
    Unpublished,
    /// Its remaining volume or status changed on-chain (a match, a cancellation, an ownership
    /// change).
    Updated,
}

/// One change of a book; the SSE event name is the `event` field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FeedEvent {
    /// What happened.
    pub event: FeedEventKind,
    /// The book.
    pub book: Book,
    /// The order.
    pub order_hash: OrderHash,
    /// Its status now.
    pub status: OrderStatus,
    /// Its remaining volume now.
    pub remaining: U256,
}
