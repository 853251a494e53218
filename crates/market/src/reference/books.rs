//! The reference API's book listings: its query parameters turned into the store's
//! [`ListFilter`], and the page (offset, `count`) queries over the `orders` table.
//!
//! Restriction filters follow the reference: for a kind of account the book's orders restrict
//! (e.g. `dataset` on the app book), no parameter keeps only the orders **without** such a
//! restriction, an address keeps the orders that admit it (restricted to it, or unrestricted;
//! only the former with `is…Strict=true`), and `any` keeps them all. The book's own fields (the
//! app of app orders, the app, dataset, requester and beneficiary of request orders) are exact
//! filters, and `any` or no parameter means every one.

use alloy::primitives::{Address, U256};
use poco_market_api::{Book, ErrorCode, OrderStatus};
use poco_primitives::Tag;
use serde::Deserialize;
use sqlx::Row;
use std::str::FromStr;

use super::{RefCode, RefFailure};
use crate::{
    error::MarketError,
    orders::{address_text, saturate, tag_words},
    store::{AddressColumn, ListFilter, OrderRow, Store},
};

/// Default page size (the SDK's).
pub const DEFAULT_PAGE_SIZE: u32 = 20;
/// Smallest page size.
pub const MIN_PAGE_SIZE: u32 = 10;
/// Largest page size.
pub const MAX_PAGE_SIZE: u32 = 1000;

/// The query parameters of the four `GET /…orders` listings (the reference's names; which ones
/// a book takes is checked by [`BookParams::filter`]).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BookParams {
    /// The chain (required).
    pub chain_id: Option<String>,
    /// App address or `any`.
    pub app: Option<String>,
    /// Owner of the app (app book).
    pub app_owner: Option<String>,
    /// Dataset address or `any`.
    pub dataset: Option<String>,
    /// Owner of the dataset (dataset book).
    pub dataset_owner: Option<String>,
    /// Workerpool address or `any`.
    pub workerpool: Option<String>,
    /// Owner of the workerpool (workerpool book).
    pub workerpool_owner: Option<String>,
    /// Requester address or `any`.
    pub requester: Option<String>,
    /// Beneficiary (request book).
    pub beneficiary: Option<String>,
    /// Only orders restricted to `app` exactly.
    pub is_app_strict: Option<bool>,
    /// Only orders restricted to `dataset` exactly.
    pub is_dataset_strict: Option<bool>,
    /// Only orders restricted to `workerpool` exactly.
    pub is_workerpool_strict: Option<bool>,
    /// Only orders restricted to `requester` exactly.
    pub is_requester_strict: Option<bool>,
    /// Category (workerpool and request books).
    pub category: Option<u64>,
    /// Every bit of this tag set (bytes32 hex, or names like `tee,gpu`).
    pub min_tag: Option<String>,
    /// No bit outside this tag.
    pub max_tag: Option<String>,
    /// Trust at least (workerpool book).
    pub min_trust: Option<u64>,
    /// Trust at most (request book).
    pub max_trust: Option<u64>,
    /// Remaining volume at least.
    pub min_volume: Option<u64>,
    /// Dataset book: only bulk orders (not supported: refused when `true`).
    pub bulk_only: Option<bool>,
    /// Page number, from 0.
    pub page_index: Option<u32>,
    /// Orders per page (10 to 1000, 20 by default).
    pub page_size: Option<u32>,
    /// Legacy: how many orders to skip (instead of `pageIndex`).
    pub page: Option<u32>,
}

/// An address parameter: an address or `any`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Param {
    Any,
    Is(Address),
}

fn address_param(name: &str, value: Option<&String>) -> Result<Option<Param>, RefFailure> {
    let Some(text) = value else { return Ok(None) };
    if text.eq_ignore_ascii_case("any") {
        return Ok(Some(Param::Any));
    }
    Address::from_str(text)
        .map(|address| Some(Param::Is(address)))
        .map_err(|_| invalid(format!("`{name}` must be an address or \"any\", not {text:?}")))
}

fn invalid(message: impl Into<String>) -> RefFailure {
    RefFailure::market(MarketError::refused(ErrorCode::InvalidQuery, message))
}

fn tag_param(name: &str, value: Option<&String>) -> Result<Option<Tag>, RefFailure> {
    value
        .map(|text| Tag::from_str(text).map_err(|error| invalid(format!("`{name}`: {error}"))))
        .transpose()
}

/// A page request: skip `offset`, take `size`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageRequest {
    /// The page number (for `nextPage`), when asked by `pageIndex`.
    pub index: u32,
    /// Orders to skip.
    pub offset: u64,
    /// Orders per page.
    pub size: u32,
}

impl BookParams {
    /// Checks the chain id against the market's.
    pub fn check_chain(&self, chain_id: u64) -> Result<(), RefFailure> {
        check_chain(self.chain_id.as_deref(), chain_id)
    }

    /// The page asked for.
    pub fn page(&self) -> Result<PageRequest, RefFailure> {
        let size = self.page_size.unwrap_or(DEFAULT_PAGE_SIZE);
        if !(MIN_PAGE_SIZE..=MAX_PAGE_SIZE).contains(&size) {
            return Err(invalid(format!(
                "pageSize must be between {MIN_PAGE_SIZE} and {MAX_PAGE_SIZE}, not {size}"
            )));
        }
        Ok(match (self.page_index, self.page) {
            (Some(_), Some(_)) => return Err(invalid("give pageIndex or page, not both")),
            (Some(index), None) => {
                PageRequest { index, offset: u64::from(index) * u64::from(size), size }
            }
            (None, Some(skip)) => PageRequest { index: 0, offset: u64::from(skip), size },
            (None, None) => PageRequest { index: 0, offset: 0, size },
        })
    }

    /// The store filter of `book` (see the module docs); a parameter the book does not take
    /// is refused.
    pub fn filter(&self, book: Book) -> Result<ListFilter, RefFailure> {
        let mut filter = ListFilter::default();
        let refuse = |name: &str| {
            Err(invalid(format!("`{name}` does not apply to {}orders", book_path_name(book))))
        };
        // (name, value, strict flag name, strict flag, column, whether it is the book's own field)
        let addresses = [
            ("app", &self.app, "isAppStrict", self.is_app_strict, AddressColumn::App),
            (
                "dataset",
                &self.dataset,
                "isDatasetStrict",
                self.is_dataset_strict,
                AddressColumn::Dataset,
            ),
            (
                "workerpool",
                &self.workerpool,
                "isWorkerpoolStrict",
                self.is_workerpool_strict,
                AddressColumn::Workerpool,
            ),
            (
                "requester",
                &self.requester,
                "isRequesterStrict",
                self.is_requester_strict,
                AddressColumn::Requester,
            ),
        ];
        for (name, value, strict_name, strict, column) in addresses {
            let own = matches!(
                (book, column),
                (Book::App, AddressColumn::App)
                    | (Book::Dataset, AddressColumn::Dataset)
                    | (Book::Workerpool, AddressColumn::Workerpool)
                    | (
                        Book::Request,
                        AddressColumn::App | AddressColumn::Dataset | AddressColumn::Requester,
                    )
            );
            let param = address_param(name, value.as_ref())?;
            if own {
                if strict.is_some() {
                    return refuse(strict_name);
                }
                if let Some(Param::Is(address)) = param {
                    filter.exact.push((column, address));
                }
                continue;
            }
            match param {
                None if strict == Some(true) => {
                    return Err(invalid(format!("`{strict_name}` needs `{name}`")));
                }
                None => filter.exact.push((column, Address::ZERO)),
                Some(Param::Any) => {}
                Some(Param::Is(address)) if strict == Some(true) => {
                    filter.exact.push((column, address));
                }
                Some(Param::Is(address)) => filter.admits.push((column, address)),
            }
        }
        for (name, value, applies) in [
            ("appOwner", &self.app_owner, book == Book::App),
            ("datasetOwner", &self.dataset_owner, book == Book::Dataset),
            ("workerpoolOwner", &self.workerpool_owner, book == Book::Workerpool),
        ] {
            let Some(param) = address_param(name, value.as_ref())? else { continue };
            if !applies {
                return refuse(name);
            }
            if let Param::Is(owner) = param {
                filter.exact.push((AddressColumn::Signer, owner));
            }
        }
        match book {
            Book::App if self.app.is_none() && self.app_owner.is_none() => {
                return Err(invalid("apporders needs `app` or `appOwner`"));
            }
            Book::Dataset if self.dataset.is_none() && self.dataset_owner.is_none() => {
                return Err(invalid("datasetorders needs `dataset` or `datasetOwner`"));
            }
            _ => {}
        }
        if let Some(beneficiary) = address_param("beneficiary", self.beneficiary.as_ref())? {
            if book != Book::Request {
                return refuse("beneficiary");
            }
            if let Param::Is(beneficiary) = beneficiary {
                filter.exact.push((AddressColumn::Beneficiary, beneficiary));
            }
        }
        if let Some(category) = self.category {
            if !matches!(book, Book::Workerpool | Book::Request) {
                return refuse("category");
            }
            filter.category = Some(saturate(U256::from(category)));
        }
        if let Some(trust) = self.min_trust {
            if book != Book::Workerpool {
                return refuse("minTrust");
            }
            filter.min_trust = Some(saturate(U256::from(trust)));
        }
        if let Some(trust) = self.max_trust {
            if book != Book::Request {
                return refuse("maxTrust");
            }
            filter.max_trust = Some(saturate(U256::from(trust)));
        }
        match self.bulk_only {
            Some(_) if book != Book::Dataset => return refuse("bulkOnly"),
            Some(true) => {
                return Err(invalid("bulkOnly=true: bulk dataset orders are not supported"));
            }
            _ => {}
        }
        filter.min_tag = tag_param("minTag", self.min_tag.as_ref())?;
        filter.max_tag = tag_param("maxTag", self.max_tag.as_ref())?;
        filter.min_remaining = self.min_volume.map(|volume| saturate(U256::from(volume)));
        Ok(filter)
    }
}

/// Checks a `chainId` parameter against the market's chain.
pub fn check_chain(given: Option<&str>, chain_id: u64) -> Result<(), RefFailure> {
    let Some(given) = given else {
        return Err(invalid("the `chainId` query parameter is required"));
    };
    match given.parse::<u64>() {
        Ok(given) if given == chain_id => Ok(()),
        _ => Err(RefFailure::reference(
            RefCode::UnsupportedChain,
            format!("this market serves chain {chain_id}, not {given:?}"),
        )),
    }
}

/// The path of a book (`app` → `apporders`), without the `orders`.
pub const fn book_path_name(book: Book) -> &'static str {
    match book {
        Book::App => "app",
        Book::Dataset => "dataset",
        Book::Workerpool => "workerpool",
        Book::Request => "request",
    }
}

/// A value bound to a query parameter.
#[derive(Clone, Debug)]
enum Bind {
    Int(i64),
    Text(String),
}

/// A query under construction: SQL text with `$n` parameters and their values.
#[derive(Debug, Default)]
struct Sql {
    text: String,
    binds: Vec<Bind>,
}

impl Sql {
    fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    fn bind(&mut self, value: Bind) -> &mut Self {
        self.binds.push(value);
        let n = self.binds.len();
        self.text.push_str(&format!("${n}"));
        self
    }

    fn int(&mut self, value: i64) -> &mut Self {
        self.bind(Bind::Int(value))
    }

    fn address(&mut self, address: Address) -> &mut Self {
        self.bind(Bind::Text(address_text(address)))
    }

    fn query(&self) -> sqlx::query::Query<'_, sqlx::Any, sqlx::any::AnyArguments<'_>> {
        let mut query = sqlx::query(&self.text);
        for bind in &self.binds {
            query = match bind {
                Bind::Int(value) => query.bind(*value),
                Bind::Text(value) => query.bind(value.as_str()),
            };
        }
        query
    }

    fn query_as<T>(&self) -> sqlx::query::QueryAs<'_, sqlx::Any, T, sqlx::any::AnyArguments<'_>>
    where
        T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow>,
    {
        let mut query = sqlx::query_as::<_, T>(&self.text);
        for bind in &self.binds {
            query = match bind {
                Bind::Int(value) => query.bind(*value),
                Bind::Text(value) => query.bind(value.as_str()),
            };
        }
        query
    }
}

const fn column_name(column: AddressColumn) -> &'static str {
    match column {
        AddressColumn::App => "app",
        AddressColumn::Dataset => "dataset",
        AddressColumn::Workerpool => "workerpool",
        AddressColumn::Requester => "requester",
        AddressColumn::Beneficiary => "beneficiary",
        AddressColumn::Signer => "signer",
    }
}

/// Appends the `WHERE` clause of the open orders of `book` that `filter` keeps.
fn where_clause(sql: &mut Sql, book: Book, filter: &ListFilter) {
    // Book and status as literals (our own small integers), so both planners can pick the
    // books' partial indexes.
    sql.push(&format!(" WHERE book = {} AND status = {}", book.index(), OrderStatus::Open.index()));
    for (column, address) in &filter.exact {
        sql.push(&format!(" AND {} = ", column_name(*column))).address(*address);
    }
    for (column, address) in &filter.admits {
        let name = column_name(*column);
        sql.push(&format!(" AND ({name} = ")).address(Address::ZERO);
        sql.push(&format!(" OR {name} = ")).address(*address).push(")");
    }
    for (column, op, value) in [
        ("category", "=", filter.category),
        ("trust", ">=", filter.min_trust),
        ("trust", "<=", filter.max_trust),
        ("remaining", ">=", filter.min_remaining),
        ("price", "<=", filter.max_price),
        ("price", ">=", filter.min_price),
    ] {
        if let Some(value) = value {
            sql.push(&format!(" AND {column} {op} ")).int(value);
        }
    }
    if let Some(tag) = filter.min_tag {
        for (i, word) in tag_words(tag).into_iter().enumerate() {
            if word != 0 {
                sql.push(&format!(" AND (tag{i} & ")).int(word).push(") = ").int(word);
            }
        }
    }
    if let Some(tag) = filter.max_tag {
        for (i, word) in tag_words(tag).into_iter().enumerate() {
            let outside = !word;
            if outside != 0 {
                sql.push(&format!(" AND (tag{i} & ")).int(outside).push(") = 0");
            }
        }
    }
}

/// How many open orders of `book` `filter` keeps.
pub async fn count(store: &Store, book: Book, filter: &ListFilter) -> Result<u64, MarketError> {
    let mut sql = Sql::default();
    sql.push("SELECT COUNT(*) AS n FROM orders");
    where_clause(&mut sql, book, filter);
    let row = sql.query().fetch_one(store.pool()).await?;
    let n: i64 = row.try_get("n")?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// One page of the open orders of `book` that `filter` keeps, best first: sell books by price
/// ascending, the request book by workerpool max price descending; then by publication time,
/// then by hash.
pub async fn page(
    store: &Store,
    book: Book,
    filter: &ListFilter,
    page: PageRequest,
) -> Result<Vec<OrderRow>, MarketError> {
    let mut sql = Sql::default();
    sql.push(
        "SELECT hash, book, status, signer, price, volume, consumed, published_at, region, \
         energy, hardware, body FROM orders",
    );
    where_clause(&mut sql, book, filter);
    let direction = if book == Book::Request { "DESC" } else { "ASC" };
    sql.push(&format!(" ORDER BY price {direction}, published_at ASC, hash ASC LIMIT "));
    sql.int(i64::from(page.size))
        .push(" OFFSET ")
        .int(i64::try_from(page.offset).unwrap_or(i64::MAX));
    Ok(sql.query_as::<OrderRow>().fetch_all(store.pool()).await?)
}
