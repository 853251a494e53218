//! The types of poco's marketplace API, shared by the market service and its clients (SDK,
//! CLI, scheduler): clients depend on this crate, never on the service.
//!
//! | module | what it holds |
//! | --- | --- |
//! | [`book`] | [`Book`], [`OrderStatus`], [`OrderRecord`], [`PublishRequest`], [`BookQuery`] (filters), [`BookPage`] |
//! | [`unpublish`] | the EIP-712 [`Unpublish`] message and [`UnpublishRequest`] |
//! | [`matching`] | [`MatchQuery`] (what a requester wants) and [`BestMatch`] |
//! | [`metadata`] | [`PoolMetadata`] (region, energy, hardware) from a pool's description |
//! | [`feed`] | [`FeedEvent`]s of the live feed |
//! | [`error`] | [`ErrorCode`] (stable codes, HTTP statuses) and the [`ApiError`] body |
//!
//! Endpoints of the native API (all JSON; errors are [`ApiError`] with a 4xx or 5xx status):
//!
//! ```text
//! POST /v1/orders/{book}              PublishRequest<Order>  → OrderRecord<Order>   (201)
//! GET  /v1/orders/{book}?<BookQuery>                          → BookPage<Order>
//! GET  /v1/orders/{book}/{orderHash}                          → OrderRecord<Order>
//! POST /v1/orders/{book}/unpublish    UnpublishRequest        → Unpublished
//! GET  /v1/match?<MatchQuery>                                 → MatchResponse
//! GET  /v1/feed                                               → text/event-stream of FeedEvent
//! GET  /v1/openapi.json · /metrics · /health
//! ```
#![cfg_attr(not(test), warn(unused_crate_dependencies))]

pub mod book;
pub mod error;
pub mod feed;
pub mod matching;
pub mod metadata;
pub mod unpublish;

pub use book::{
    Book, BookPage, BookQuery, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, OrderRecord, OrderStatus,
    PublishRequest, UnpublishTarget, Unpublished,
};
pub use error::{ApiError, ErrorCode};
pub use feed::{FeedEvent, FeedEventKind};
pub use matching::{BestMatch, MatchQuery, MatchResponse};
pub use metadata::PoolMetadata;
pub use unpublish::{Unpublish, UnpublishRequest, market_domain};
