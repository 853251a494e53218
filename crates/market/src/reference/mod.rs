//! The reference marketplace API (offchain-reference §5.1), the one iExec's SDK and CLI
//! (`iexec@9`) speak to their `iexecGateway`: an adapter over [`Market`], so the reference
//! tools list, publish and unpublish orders through poco unchanged.
//!
//! ```text
//! GET  /version                                   {ok, version}
//! GET  /challenge?chainId&address                 {ok, data: EIP-712 typed data}      (auth)
//! GET  /{app,dataset,workerpool,request}orders?chainId&<filters>&pageIndex&pageSize
//!                                                 {ok, orders: [record], count, nextPage?}
//! GET  /{…}orders/{orderHash}?chainId             {ok, …record}
//! POST /{…}orders?chainId   {order}               {ok, published: record}      Authorization
//! PUT  /{…}orders?chainId   {target, orderHash | app | dataset | workerpool | requester}
//!                                                 {ok, unpublished: [orderHash]} Authorization
//! ```
//!
//! A record is `{orderHash, chainId, signer, status, remaining, publicationTimestamp (ISO 8601),
//! tagArray, order}` with the order's numbers as JSON numbers (decimal strings above 2^53 − 1).
//! Every refusal is `{ok: false, error: <message>, code: <stable code>}` with a 4xx status: the
//! native API's [`ErrorCode`]s, plus the reference's own ([`RefCode`]). Publication runs the
//! native checks ([`Market::publish`]) with the authenticated address as the declared signer,
//! so an order of someone else's asset is `not_owner`. The login is in [`auth`], the filters
//! and pages in [`books`].
//!
//! Not served (the SDK calls them only for the commands named): `/deals` (`iexec order show
//! --deals`, `iexec deal show`), `/categories`, `/ohlc`, the Socket.IO feed (the native
//! `/v1/feed` is the live feed).

pub mod auth;
pub mod books;

use alloy::primitives::{Address, U256};
use axum::{
    Json, Router,
    body::Bytes,
    extract::{
        Path, Query, State,
        rejection::{BytesRejection, QueryRejection},
    },
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use poco_market_api::{
    Book, ErrorCode, FeedEventKind, OrderStatus, PublishRequest, UnpublishTarget,
};
use poco_primitives::{
    AppOrder, DatasetOrder, OrderHash, RequestOrder, SignedOrder, Tag, WorkerpoolOrder,
};
use serde::{Deserialize, de::DeserializeOwned};
use serde_json::{Value, json};
use std::str::FromStr;
use tracing::{error, info};

use crate::{
    error::MarketError,
    orders::BookOrder,
    service::{Market, record},
    store::OrderRow,
};

pub use books::BookParams;

/// The reference's own refusals (the others are the native [`ErrorCode`]s).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RefCode {
    /// `chainId` is not the chain this market serves (400).
    UnsupportedChain,
    /// The request needs an `Authorization` header and has none (401).
    AuthRequired,
    /// The `Authorization` header is not `<challengeHash>_<signature>_<address>` (401).
    BadAuthHeader,
    /// The challenge was not handed out to this address on this chain, or was used (401).
    UnknownChallenge,
}

impl RefCode {
    /// Every code.
    pub const ALL: [Self; 4] =
        [Self::UnsupportedChain, Self::AuthRequired, Self::BadAuthHeader, Self::UnknownChallenge];

    /// The stable code.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::UnsupportedChain => "unsupported_chain",
            Self::AuthRequired => "auth_required",
            Self::BadAuthHeader => "bad_auth_header",
            Self::UnknownChallenge => "unknown_challenge",
        }
    }

    /// The HTTP status.
    pub const fn status(self) -> u16 {
        match self {
            Self::UnsupportedChain => 400,
            Self::AuthRequired | Self::BadAuthHeader | Self::UnknownChallenge => 401,
        }
    }
}

/// A failed reference request: a native refusal or failure, or one of the reference's own.
#[derive(Debug, thiserror::Error)]
pub enum RefFailure {
    /// A refusal or failure of the market.
    #[error(transparent)]
    Market(#[from] MarketError),
    /// A refusal of the reference API.
    #[error("{}: {message}", .code.as_str())]
    Reference {
        /// The code.
        code: RefCode,
        /// What went wrong, for people.
        message: String,
    },
}

impl RefFailure {
    /// A refusal of the reference API.
    pub fn reference(code: RefCode, message: impl Into<String>) -> Self {
        Self::Reference { code, message: message.into() }
    }

    /// A failure of the market.
    pub const fn market(error: MarketError) -> Self {
        Self::Market(error)
    }

    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Market(error) => error.code().as_str(),
            Self::Reference { code, .. } => code.as_str(),
        }
    }

    fn status(&self) -> StatusCode {
        let status = match self {
            Self::Market(error) => error.code().status(),
            Self::Reference { code, .. } => code.status(),
        };
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

fn refused(code: ErrorCode, message: impl Into<String>) -> RefFailure {
    RefFailure::Market(MarketError::refused(code, message))
}

impl IntoResponse for RefFailure {
    fn into_response(self) -> Response {
        let message = match &self {
            Self::Market(error @ MarketError::Refused(_)) => error.to_api().message,
            Self::Market(error) => {
                error!(%error, "Reference API request failed.");
                error.to_api().message
            }
            Self::Reference { message, .. } => message.clone(),
        };
        let body = json!({ "ok": false, "error": message, "code": self.code() });
        (self.status(), Json(body)).into_response()
    }
}

type Answer = Result<Response, RefFailure>;

/// The routes of the reference API, to merge into the market's router.
pub fn routes() -> Router<Market> {
    Router::new()
        .route("/version", get(version))
        .route("/challenge", get(challenge))
        .route(
            "/apporders",
            get(list::<AppOrder>).post(publish::<AppOrder>).put(unpublish::<AppOrder>),
        )
        .route(
            "/datasetorders",
            get(list::<DatasetOrder>).post(publish::<DatasetOrder>).put(unpublish::<DatasetOrder>),
        )
        .route(
            "/workerpoolorders",
            get(list::<WorkerpoolOrder>)
                .post(publish::<WorkerpoolOrder>)
                .put(unpublish::<WorkerpoolOrder>),
        )
        .route(
            "/requestorders",
            get(list::<RequestOrder>).post(publish::<RequestOrder>).put(unpublish::<RequestOrder>),
        )
        .route("/apporders/{hash}", get(get_one::<AppOrder>))
        .route("/datasetorders/{hash}", get(get_one::<DatasetOrder>))
        .route("/workerpoolorders/{hash}", get(get_one::<WorkerpoolOrder>))
        .route("/requestorders/{hash}", get(get_one::<RequestOrder>))
}

fn ok(mut body: Value) -> Response {
    if let Some(object) = body.as_object_mut() {
        object.insert("ok".into(), Value::Bool(true));
    }
    Json(body).into_response()
}

fn query<T>(query: Result<Query<T>, QueryRejection>) -> Result<T, RefFailure> {
    query
        .map(|Query(query)| query)
        .map_err(|rejection| refused(ErrorCode::InvalidQuery, rejection.body_text()))
}

async fn version() -> Response {
    ok(json!({ "version": format!("poco-market {}", env!("CARGO_PKG_VERSION")) }))
}

/// `?chainId` alone.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ChainParam {
    chain_id: Option<String>,
}

/// `?chainId&address`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ChallengeParams {
    chain_id: Option<String>,
    address: Option<String>,
}

async fn challenge(
    State(market): State<Market>,
    params: Result<Query<ChallengeParams>, QueryRejection>,
) -> Answer {
    let params = query(params)?;
    books::check_chain(params.chain_id.as_deref(), market.chain().chain_id())?;
    let address = params
        .address
        .as_deref()
        .map(Address::from_str)
        .transpose()
        .map_err(|_| refused(ErrorCode::InvalidQuery, "`address` is not an address"))?
        .ok_or_else(|| refused(ErrorCode::InvalidQuery, "`address` is required"))?;
    let data = auth::issue(&market, address).await?;
    Ok(ok(json!({ "data": data })))
}

async fn list<O: BookOrder>(
    State(market): State<Market>,
    params: Result<Query<BookParams>, QueryRejection>,
) -> Answer {
    let params = query(params)?;
    let chain_id = market.chain().chain_id();
    params.check_chain(chain_id)?;
    let filter = params.filter(O::BOOK)?;
    let page = params.page()?;
    let store = market.store();
    let (count, rows) = tokio::try_join!(
        books::count(store, O::BOOK, &filter),
        books::page(store, O::BOOK, &filter, page),
    )?;
    let orders =
        rows.iter().map(|row| record_json::<O>(row, chain_id)).collect::<Result<Vec<_>, _>>()?;
    let seen = page.offset.saturating_add(orders.len() as u64);
    let mut body = json!({ "orders": orders, "count": count });
    if seen < count
        && let Some(object) = body.as_object_mut()
    {
        object.insert("nextPage".into(), json!(page.index.saturating_add(1)));
    }
    Ok(ok(body))
}

async fn get_one<O: BookOrder>(
    State(market): State<Market>,
    Path(hash): Path<String>,
    params: Result<Query<ChainParam>, QueryRejection>,
) -> Answer {
    let params = query(params)?;
    let chain_id = market.chain().chain_id();
    books::check_chain(params.chain_id.as_deref(), chain_id)?;
    let hash = OrderHash::from_str(&hash).map_err(|_| {
        refused(ErrorCode::InvalidQuery, format!("{hash:?} is not a 32-byte hex hash"))
    })?;
    let not_found = || {
        refused(
            ErrorCode::OrderNotFound,
            format!("{}order {hash} not found", books::book_path_name(O::BOOK)),
        )
    };
    let row = market.store().get(hash).await?.ok_or_else(not_found)?;
    // Unpublished orders are out of the reference's books.
    if row.book != O::BOOK.index() || row.status == OrderStatus::Unpublished.index() {
        return Err(not_found());
    }
    Ok(ok(record_json::<O>(&row, chain_id)?))
}

/// Parses a JSON body: `invalid_json`, or `unknown_field` for a field the type does not know.
fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, RefFailure> {
    serde_json::from_slice(body).map_err(|error| {
        let message = error.to_string();
        let code = if message.starts_with("unknown field") {
            ErrorCode::UnknownField
        } else {
            ErrorCode::InvalidJson
        };
        refused(code, message)
    })
}

fn body_bytes(body: Result<Bytes, BytesRejection>) -> Result<Bytes, RefFailure> {
    body.map_err(|rejection| {
        let code = if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ErrorCode::PayloadTooLarge
        } else {
            ErrorCode::InvalidJson
        };
        refused(code, rejection.body_text())
    })
}

/// The body of a publication.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PublishBody<O> {
    order: SignedOrder<O>,
}

/// `SignedOrder` flattens the order's fields, which serde cannot check for unknown fields.
fn check_order_fields<O: BookOrder>(body: &Value) -> Result<(), RefFailure> {
    let Some(order) = body.get("order").and_then(Value::as_object) else {
        return Ok(()); // typed parsing reports it
    };
    let known = serde_json::to_value(SignedOrder::<O>::default())
        .map_err(|error| refused(ErrorCode::Internal, error.to_string()))?;
    match order.keys().find(|key| known.get(key.as_str()).is_none()) {
        Some(key) => Err(refused(
            ErrorCode::UnknownField,
            format!("unknown field `{key}` in a {} order", O::BOOK),
        )),
        None => Ok(()),
    }
}

fn authorization(headers: &HeaderMap) -> Result<Option<&str>, RefFailure> {
    headers
        .get(header::AUTHORIZATION)
        .map(|value| {
            value.to_str().map_err(|_| {
                RefFailure::reference(
                    RefCode::BadAuthHeader,
                    "the authorization header is not text",
                )
            })
        })
        .transpose()
}

async fn publish<O: BookOrder>(
    State(market): State<Market>,
    params: Result<Query<ChainParam>, QueryRejection>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Answer {
    let params = query(params)?;
    let chain_id = market.chain().chain_id();
    books::check_chain(params.chain_id.as_deref(), chain_id)?;
    let body = body_bytes(body)?;
    let value: Value = parse_json(&body)?;
    check_order_fields::<O>(&value)?;
    let PublishBody::<O> { order } = parse_json(&body)?;
    let signer = auth::authenticate(&market, authorization(&headers)?).await?;
    let published = market.publish(PublishRequest { order, signer: Some(signer) }).await?;
    let row =
        market.store().get(published.order_hash).await?.ok_or_else(|| MarketError::Corrupt {
            what: format!("order {}", published.order_hash),
            detail: "vanished right after its publication".into(),
        })?;
    info!(book = %O::BOOK, hash = %published.order_hash, %signer, "Order published through the reference API.");
    Ok(ok(json!({ "published": record_json::<O>(&row, chain_id)? })))
}

/// The body of an unpublication.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct UnpublishBody {
    target: Option<String>,
    order_hash: Option<OrderHash>,
    app: Option<Address>,
    dataset: Option<Address>,
    workerpool: Option<Address>,
    requester: Option<Address>,
}

impl UnpublishBody {
    /// The target, and the address of the book's field (`app` for apporders…).
    fn target(&self, book: Book) -> Result<(UnpublishTarget, Option<Address>), RefFailure> {
        let target = match self.target.as_deref().unwrap_or("unpublish_orderHash") {
            "unpublish_orderHash" => UnpublishTarget::Order,
            "unpublish_last" => UnpublishTarget::Last,
            "unpublish_all" => UnpublishTarget::All,
            other => {
                return Err(refused(
                    ErrorCode::InvalidJson,
                    format!(
                        "target {other:?} is not unpublish_orderHash, unpublish_last or unpublish_all"
                    ),
                ));
            }
        };
        let fields = [
            ("app", self.app, Book::App),
            ("dataset", self.dataset, Book::Dataset),
            ("workerpool", self.workerpool, Book::Workerpool),
            ("requester", self.requester, Book::Request),
        ];
        let mut resource = None;
        for (name, value, of) in fields {
            match value {
                Some(_) if of != book || target == UnpublishTarget::Order => {
                    return Err(refused(
                        ErrorCode::InvalidJson,
                        format!(
                            "`{name}` does not apply to {} with target {:?}",
                            books::book_path_name(book),
                            self.target.as_deref().unwrap_or("unpublish_orderHash")
                        ),
                    ));
                }
                Some(address) => resource = Some(address),
                None => {}
            }
        }
        match target {
            UnpublishTarget::Order if self.order_hash.is_none() => {
                Err(refused(ErrorCode::InvalidJson, "unpublish_orderHash needs `orderHash`"))
            }
            UnpublishTarget::Last | UnpublishTarget::All if resource.is_none() => Err(refused(
                ErrorCode::InvalidJson,
                format!("unpublish_last and unpublish_all need `{}`", books::book_path_name(book)),
            )),
            _ if self.order_hash.is_some() && target != UnpublishTarget::Order => Err(refused(
                ErrorCode::InvalidJson,
                "`orderHash` goes with target unpublish_orderHash only",
            )),
            _ => Ok((target, resource)),
        }
    }
}

async fn unpublish<O: BookOrder>(
    State(market): State<Market>,
    params: Result<Query<ChainParam>, QueryRejection>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Answer {
    let params = query(params)?;
    books::check_chain(params.chain_id.as_deref(), market.chain().chain_id())?;
    let body: UnpublishBody = parse_json(&body_bytes(body)?)?;
    let (target, resource) = body.target(O::BOOK)?;
    let signer = auth::authenticate(&market, authorization(&headers)?).await?;
    let store = market.store();
    let book = O::BOOK;
    let (hash, resource) = match (target, body.order_hash) {
        (UnpublishTarget::Order, Some(hash)) => {
            let row = store.get(hash).await?;
            match row {
                Some(row)
                    if row.book == book.index() && row.status == OrderStatus::Open.index() =>
                {
                    if row.signer()? != signer {
                        return Err(refused(
                            ErrorCode::NotOwner,
                            format!("order {hash} was not published by {signer}"),
                        ));
                    }
                }
                _ => {
                    return Err(refused(
                        ErrorCode::OrderNotFound,
                        format!("no open {}order {hash}", books::book_path_name(book)),
                    ));
                }
            }
            (Some(hash), None)
        }
        // The request book's field is the requester: the signer's own orders only.
        _ if book == Book::Request => {
            if resource != Some(signer) {
                return Err(refused(
                    ErrorCode::NotOwner,
                    format!("{signer} may only unpublish its own request orders"),
                ));
            }
            (None, None)
        }
        _ => (None, resource),
    };
    let hashes = store.unpublish(book, signer, target, hash, resource).await?;
    if hashes.is_empty() {
        return Err(refused(
            ErrorCode::OrderNotFound,
            format!(
                "{signer} has no open {}order{} to unpublish",
                books::book_path_name(book),
                resource.map(|address| format!(" of {address}")).unwrap_or_default()
            ),
        ));
    }
    let mut unpublished = Vec::with_capacity(hashes.len());
    for text in hashes {
        let hash = OrderHash::from_str(&text).map_err(|error| MarketError::Corrupt {
            what: format!("order {text}"),
            detail: error.to_string(),
        })?;
        if let Some(row) = store.get(hash).await? {
            market.announce(FeedEventKind::Unpublished, &row);
        }
        unpublished.push(hash);
    }
    info!(%book, %signer, count = unpublished.len(), "Orders unpublished through the reference API.");
    Ok(ok(json!({ "unpublished": unpublished })))
}

/// The largest integer a JavaScript number holds exactly.
const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// A number as the reference writes it: a JSON number when JavaScript holds it exactly, a
/// decimal string otherwise.
fn number(value: U256) -> Value {
    match u64::try_from(value) {
        Ok(small) if small <= MAX_SAFE_INTEGER => json!(small),
        _ => json!(value.to_string()),
    }
}

/// The order's numeric fields.
const NUMERIC_FIELDS: [&str; 9] = [
    "appprice",
    "datasetprice",
    "workerpoolprice",
    "appmaxprice",
    "datasetmaxprice",
    "workerpoolmaxprice",
    "volume",
    "category",
    "trust",
];

/// The reference's record of a stored order.
pub fn record_json<O: BookOrder>(row: &OrderRow, chain_id: u64) -> Result<Value, RefFailure> {
    let record = record::<O>(row, chain_id)?;
    let corrupt = |detail: String| MarketError::Corrupt {
        what: format!("order {}", record.order_hash),
        detail,
    };
    let mut order =
        serde_json::to_value(&record.order).map_err(|error| corrupt(error.to_string()))?;
    let mut tag = Tag::NONE;
    if let Some(fields) = order.as_object_mut() {
        for name in NUMERIC_FIELDS {
            if let Some(field) = fields.get_mut(name) {
                let value: U256 = serde_json::from_value(field.clone())
                    .map_err(|error| corrupt(format!("{name}: {error}")))?;
                *field = number(value);
            }
        }
        if let Some(text) = fields.get("tag").and_then(Value::as_str) {
            tag = Tag::from_str(text).map_err(|error| corrupt(format!("tag: {error}")))?;
        }
    }
    Ok(json!({
        "orderHash": record.order_hash,
        "chainId": chain_id,
        "signer": record.signer,
        "status": record.status.as_str(),
        "remaining": number(record.remaining),
        "publicationTimestamp": iso_timestamp(record.publication_timestamp),
        "tagArray": tag.bits().collect::<Vec<u8>>(),
        "order": order,
    }))
}

/// Milliseconds since the Unix epoch as ISO 8601 UTC (`2026-12-02T04:30:00.000Z`), as
/// JavaScript's `Date.toISOString` writes it.
pub fn iso_timestamp(ms: i64) -> String {
    let ms = ms.max(0);
    let (days, in_day) = (ms.div_euclid(86_400_000), ms.rem_euclid(86_400_000));
    // Days to a civil date (proleptic Gregorian), after Howard Hinnant's algorithm.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let (hours, minutes, seconds, millis) =
        (in_day / 3_600_000, in_day / 60_000 % 60, in_day / 1000 % 60, in_day % 1000);
    format!("{year:04}-{month:02}-{day:02}T{hours:02}:{minutes:02}:{seconds:02}.{millis:03}Z")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_timestamps_like_javascript() {
        // new Date(0).toISOString(), new Date(951782400000).toISOString() (a leap day), …
        assert_eq!(iso_timestamp(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso_timestamp(951_782_400_000), "2000-02-29T00:00:00.000Z");
        assert_eq!(iso_timestamp(1_796_185_800_123), "2026-12-02T04:30:00.123Z");
        assert_eq!(iso_timestamp(4_102_444_799_999), "2099-12-31T23:59:59.999Z");
    }

    #[test]
    fn numbers_as_the_reference_writes_them() {
        assert_eq!(number(U256::from(5)), json!(5));
        assert_eq!(number(U256::from(MAX_SAFE_INTEGER)), json!(MAX_SAFE_INTEGER));
        assert_eq!(number(U256::from(MAX_SAFE_INTEGER + 1)), json!("9007199254740992"));
        assert_eq!(number(U256::MAX), json!(U256::MAX.to_string()));
    }

    #[test]
    fn codes_are_distinct_from_the_native_ones() {
        for code in RefCode::ALL {
            assert!(ErrorCode::ALL.iter().all(|native| native.as_str() != code.as_str()));
            assert!((400..500).contains(&code.status()));
        }
    }
}
