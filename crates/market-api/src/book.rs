//! The four books, the order records they hold, publication bodies, list filters and pages.

use alloy_primitives::{Address, U256};
use poco_primitives::{
    AppOrder, DatasetOrder, OrderHash, OrderKind, RequestOrder, SignedOrder, Tag, WorkerpoolOrder,
};
use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};

use crate::metadata::PoolMetadata;

/// Default page size of a book listing.
pub const DEFAULT_PAGE_SIZE: u32 = 100;
/// Largest page size of a book listing.
pub const MAX_PAGE_SIZE: u32 = 1000;

/// One of the four books (the path segment of `/v1/orders/{book}`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Book {
    /// App orders (sell side).
    App,
    /// Dataset orders (sell side).
    Dataset,
    /// Workerpool orders (sell side).
    Workerpool,
    /// Request orders (buy side).
    Request,
}

impl Book {
    /// The four books.
    pub const ALL: [Self; 4] = [Self::App, Self::Dataset, Self::Workerpool, Self::Request];

    /// The path segment and JSON name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::App => "app",
            Self::Dataset => "dataset",
            Self::Workerpool => "workerpool",
            Self::Request => "request",
        }
    }

    /// A small number for storage (0 app, 1 dataset, 2 workerpool, 3 request).
    pub const fn index(self) -> i64 {
        match self {
            Self::App => 0,
            Self::Dataset => 1,
            Self::Workerpool => 2,
            Self::Request => 3,
        }
    }

    /// The book with this storage number.
    pub fn from_index(index: i64) -> Option<Self> {
        Self::ALL.into_iter().find(|book| book.index() == index)
    }
}

impl From<OrderKind> for Book {
    fn from(kind: OrderKind) -> Self {
        match kind {
            OrderKind::App => Self::App,
            OrderKind::Dataset => Self::Dataset,
            OrderKind::Workerpool => Self::Workerpool,
            OrderKind::Request => Self::Request,
        }
    }
}

impl From<Book> for OrderKind {
    fn from(book: Book) -> Self {
        match book {
            Book::App => Self::App,
            Book::Dataset => Self::Dataset,
            Book::Workerpool => Self::Workerpool,
            Book::Request => Self::Request,
        }
    }
}

impl fmt::Display for Book {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A book name that is not one of the four.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown book {0:?} (app, dataset, workerpool or request)")]
pub struct UnknownBook(pub String);

impl FromStr for Book {
    type Err = UnknownBook;

    fn from_str(s: &str) -> Result<Self, UnknownBook> {
        Self::ALL.into_iter().find(|book| book.as_str() == s).ok_or_else(|| UnknownBook(s.into()))
    }
}

/// Where an order stands in the book.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OrderStatus {
    /// In the book, with volume left.
    Open,
    /// Its whole volume was consumed by deals.
    Filled,
    /// Cancelled on-chain by its owner.
    Canceled,
    /// No longer usable: the asset changed owner, or the owner's funds or stake ran out.
    Dead,
    /// Taken out of the book by its signer.
    Unpublished,
}

impl OrderStatus {
    /// Every status.
    pub const ALL: [Self; 5] =
        [Self::Open, Self::Filled, Self::Canceled, Self::Dead, Self::Unpublished];

    /// A small number for storage.
    pub const fn index(self) -> i64 {
        match self {
            Self::Open => 0,
            Self::Filled => 1,
            Self::Canceled => 2,
            Self::Dead => 3,
            Self::Unpublished => 4,
        }
    }

    /// The status with this storage number.
    pub fn from_index(index: i64) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.index() == index)
    }

    /// The JSON name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Filled => "filled",
            Self::Canceled => "canceled",
            Self::Dead => "dead",
            Self::Unpublished => "unpublished",
        }
    }
}

impl FromStr for OrderStatus {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|status| status.as_str() == s)
            .ok_or_else(|| format!("unknown status {s:?}"))
    }
}

/// The body of `POST /v1/orders/{book}`: a signed order and, optionally, who claims to have
/// signed it (so a signer who is not the owner gets `not_owner` rather than `bad_signature`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PublishRequest<O> {
    /// The order in its ABI JSON shape: its fields plus `sign` (empty when presigned).
    pub order: SignedOrder<O>,
    /// The account that signed (the owner, or the requester); checked when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signer: Option<Address>,
}

/// An order in a book, as the market answers it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderRecord<O> {
    /// The order's on-chain hash (EIP-712 digest under the deployment's domain).
    pub order_hash: OrderHash,
    /// The book.
    pub book: Book,
    /// The chain of the deployment.
    pub chain_id: u64,
    /// The owner (or requester) whose signature the market checked.
    pub signer: Address,
    /// Where the order stands.
    pub status: OrderStatus,
    /// Tasks left: volume minus what the chain consumed.
    pub remaining: U256,
    /// When the market accepted it, in milliseconds since the Unix epoch.
    pub publication_timestamp: i64,
    /// The signed order.
    pub order: SignedOrder<O>,
    /// The workerpool's metadata (workerpool orders whose pool describes itself).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pool: Option<PoolMetadata>,
}

/// An app order record.
pub type AppOrderRecord = OrderRecord<AppOrder>;
/// A dataset order record.
pub type DatasetOrderRecord = OrderRecord<DatasetOrder>;
/// A workerpool order record.
pub type WorkerpoolOrderRecord = OrderRecord<WorkerpoolOrder>;
/// A request order record.
pub type RequestOrderRecord = OrderRecord<RequestOrder>;

/// One page of a book.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BookPage<O> {
    /// The orders, best first: sell books by price ascending, the request book by workerpool
    /// max price descending; then by publication time, then by hash.
    pub orders: Vec<OrderRecord<O>>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// Filters of `GET /v1/orders/{book}` (all optional; camelCase query parameters).
///
/// Filters on an address that a book's orders *restrict* (e.g. `dataset` on the app book) keep
/// the orders that admit it: restricted to it, or unrestricted (unless `strict`, which keeps only
/// the orders naming it). A filter that means nothing for a book is refused (`invalid_query`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BookQuery {
    /// App: the app of app orders and request orders; the app restriction of the others.
    pub app: Option<Address>,
    /// Dataset: of dataset and request orders; the dataset restriction of app and pool orders.
    pub dataset: Option<Address>,
    /// Workerpool: of workerpool orders; the workerpool restriction of the others.
    pub workerpool: Option<Address>,
    /// Requester: of request orders; the requester restriction of the sell orders.
    pub requester: Option<Address>,
    /// Beneficiary (request book).
    pub beneficiary: Option<Address>,
    /// The signer (owner or requester).
    pub owner: Option<Address>,
    /// Only restrictions naming the address exactly (no unrestricted orders).
    pub strict: Option<bool>,
    /// Category (workerpool and request books).
    pub category: Option<u64>,
    /// Trust at least this (workerpool book).
    pub min_trust: Option<u64>,
    /// Trust at most this (request book).
    pub max_trust: Option<u64>,
    /// Tag: every bit of this tag is set in the order's (names like `tee,gpu` or hex).
    #[serde(default, with = "tag_text")]
    pub min_tag: Option<Tag>,
    /// Tag: the order's tag has no bit outside this one.
    #[serde(default, with = "tag_text")]
    pub max_tag: Option<Tag>,
    /// Remaining volume at least this.
    pub min_volume: Option<u64>,
    /// Price at most this (sell books).
    pub max_price: Option<u64>,
    /// Workerpool max price at least this (request book).
    pub min_price: Option<u64>,
    /// Pool region (workerpool book), as the pool's description declares it.
    pub region: Option<String>,
    /// Pool energy source (workerpool book).
    pub energy: Option<String>,
    /// Pool hardware (workerpool book).
    pub hardware: Option<String>,
    /// Status (`open` by default).
    pub status: Option<OrderStatus>,
    /// Page size (1 to 1000, 100 by default).
    pub limit: Option<u32>,
    /// Where the previous page ended (its `nextCursor`).
    pub cursor: Option<String>,
}

/// How `POST /v1/orders/{book}/unpublish` targets orders.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UnpublishTarget {
    /// The order with `orderHash`.
    Order,
    /// The signer's most recently published open order (of `resource`, if given).
    Last,
    /// Every open order of the signer (of `resource`, if given).
    All,
}

impl UnpublishTarget {
    /// The name signed in the message.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Order => "order",
            Self::Last => "last",
            Self::All => "all",
        }
    }
}

/// The answer to an unpublish: the hashes taken out of the book.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Unpublished {
    /// The orders now unpublished.
    pub unpublished: Vec<OrderHash>,
}

/// Tags in query strings: names (`tee,gpu`) or hex, as [`Tag`]'s `FromStr` and `Display`.
pub(crate) mod tag_text {
    use poco_primitives::Tag;
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub(crate) fn serialize<S: Serializer>(tag: &Option<Tag>, s: S) -> Result<S::Ok, S::Error> {
        match tag {
            Some(tag) => s.collect_str(tag),
            None => s.serialize_none(),
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Tag>, D::Error> {
        let text = Option::<String>::deserialize(d)?;
        text.map(|text| text.parse::<Tag>().map_err(D::Error::custom)).transpose()
    }
}
