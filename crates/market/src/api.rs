//! The HTTP API (axum): the native `/v1` routes, the live feed, `/metrics`, the OpenAPI
//! document. One error mapping for every route: [`Failure`] → status + [`ApiError`] body.

use axum::{
    Json, Router,
    body::Bytes,
    extract::{
        DefaultBodyLimit, Path, Query, State,
        rejection::{BytesRejection, QueryRejection},
    },
    http::{StatusCode, header},
    response::{
        IntoResponse, Response,
        sse::{Event, KeepAlive, Sse},
    },
    routing::{get, post},
};
use poco_market_api::{
    ApiError, Book, BookQuery, ErrorCode, MatchQuery, PublishRequest, UnpublishRequest,
};
use poco_primitives::{
    AppOrder, DatasetOrder, OrderHash, RequestOrder, SignedOrder, WorkerpoolOrder,
};
use serde::de::DeserializeOwned;
use std::{convert::Infallible, str::FromStr, sync::Arc, time::Duration};
use tokio::sync::broadcast;
use tower_governor::{
    GovernorError, GovernorLayer, governor::GovernorConfigBuilder,
    key_extractor::PeerIpKeyExtractor,
};
use tracing::error;

use crate::{error::MarketError, metrics, openapi, orders::BookOrder, service::Market};

/// A request rate limit per client IP.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimit {
    /// Sustained requests per second.
    pub per_second: u32,
    /// Requests allowed at once above the sustained rate.
    pub burst: u32,
}

impl Default for RateLimit {
    fn default() -> Self {
        Self { per_second: 20, burst: 100 }
    }
}

/// Settings of the HTTP API.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiConfig {
    /// Per-IP rate limit; `None` disables it (benchmarks, trusted networks).
    pub rate_limit: Option<RateLimit>,
    /// Largest request body, in bytes.
    pub body_limit: usize,
}

impl Default for ApiConfig {
    fn default() -> Self {
        Self { rate_limit: Some(RateLimit::default()), body_limit: 64 * 1024 }
    }
}

/// A failed request: the one place errors become HTTP answers.
#[derive(Debug)]
pub struct Failure(pub MarketError);

impl From<MarketError> for Failure {
    fn from(error: MarketError) -> Self {
        Self(error)
    }
}

fn failure(code: ErrorCode, message: impl Into<String>) -> Failure {
    Failure(MarketError::refused(code, message))
}

/// The JSON answer of an error.
pub fn error_response(body: &ApiError) -> Response {
    let status = StatusCode::from_u16(body.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, Json(body)).into_response()
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        if !matches!(self.0, MarketError::Refused(_)) {
            error!(error = %self.0, "Request failed.");
        }
        error_response(&self.0.to_api())
    }
}

type Answer<T> = Result<T, Failure>;

/// The router of the market's API over `market`.
pub fn router(market: Market, config: &ApiConfig) -> Router {
    let api = Router::new()
        .route("/v1/orders/{book}", post(publish).get(list))
        .route("/v1/orders/{book}/unpublish", post(unpublish))
        .route("/v1/orders/{book}/{hash}", get(get_order))
        .route("/v1/match", get(best_match))
        .route("/v1/feed", get(feed))
        .route("/v1/openapi.json", get(openapi_document))
        .route("/metrics", get(metrics_text))
        .route("/health", get(|| async { "ok" }))
        .merge(crate::reference::routes())
        .fallback(|| async { failure(ErrorCode::NotFound, "no such route").into_response() })
        .with_state(market)
        .layer(DefaultBodyLimit::max(config.body_limit))
        .layer(tower_http::trace::TraceLayer::new_for_http());
    match config.rate_limit {
        Some(limit) => {
            let period = Duration::from_secs(1) / limit.per_second.max(1);
            let governor = GovernorConfigBuilder::default()
                .period(period)
                .burst_size(limit.burst.max(1))
                .key_extractor(PeerIpKeyExtractor)
                .finish()
                .map(Arc::new);
            match governor {
                Some(governor) => {
                    api.layer(GovernorLayer::new(governor).error_handler(rate_limited))
                }
                None => api,
            }
        }
        None => api,
    }
}

fn rate_limited(error: GovernorError) -> Response {
    let message = match error {
        GovernorError::TooManyRequests { wait_time, .. } => {
            format!("too many requests; retry in {wait_time} s")
        }
        other => other.to_string(),
    };
    let mut response = error_response(&ApiError::new(ErrorCode::RateLimited, message));
    response.headers_mut().insert(header::RETRY_AFTER, header::HeaderValue::from_static("1"));
    response
}

fn parse_book(text: &str) -> Answer<Book> {
    Book::from_str(text).map_err(|error| failure(ErrorCode::NotFound, error.to_string()))
}

fn parse_hash(text: &str) -> Answer<OrderHash> {
    OrderHash::from_str(text).map_err(|_| {
        failure(ErrorCode::InvalidQuery, format!("{text:?} is not a 32-byte hex hash"))
    })
}

/// Parses a JSON body, with `unknown_field` for fields the type does not know.
fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Answer<T> {
    serde_json::from_slice(body).map_err(|error| {
        let message = error.to_string();
        let code = if message.starts_with("unknown field") {
            ErrorCode::UnknownField
        } else {
            ErrorCode::InvalidJson
        };
        failure(code, message)
    })
}

fn body_bytes(body: Result<Bytes, BytesRejection>) -> Answer<Bytes> {
    body.map_err(|rejection| {
        let code = if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ErrorCode::PayloadTooLarge
        } else {
            ErrorCode::InvalidJson
        };
        failure(code, rejection.body_text())
    })
}

/// `SignedOrder` flattens the order's fields, which serde cannot check for unknown fields:
/// compare the keys of `order` with those of the order type.
fn check_order_fields<O: BookOrder>(body: &serde_json::Value) -> Answer<()> {
    let Some(order) = body.get("order").and_then(serde_json::Value::as_object) else {
        return Ok(()); // typed parsing reports it
    };
    let known = serde_json::to_value(SignedOrder::<O>::default())
        .map_err(|error| failure(ErrorCode::Internal, error.to_string()))?;
    let known =
        known.as_object().map(|o| o.keys().cloned().collect::<Vec<_>>()).unwrap_or_default();
    match order.keys().find(|key| !known.contains(key)) {
        Some(key) => Err(failure(
            ErrorCode::UnknownField,
            format!("unknown field `{key}` in a {} order", O::BOOK),
        )),
        None => Ok(()),
    }
}

async fn publish(
    State(market): State<Market>,
    Path(book): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Answer<Response> {
    let body = body_bytes(body)?;
    match parse_book(&book)? {
        Book::App => publish_as::<AppOrder>(&market, &body).await,
        Book::Dataset => publish_as::<DatasetOrder>(&market, &body).await,
        Book::Workerpool => publish_as::<WorkerpoolOrder>(&market, &body).await,
        Book::Request => publish_as::<RequestOrder>(&market, &body).await,
    }
}

async fn publish_as<O: BookOrder>(market: &Market, body: &[u8]) -> Answer<Response> {
    let value: serde_json::Value = parse_json(body)?;
    check_order_fields::<O>(&value)?;
    let request: PublishRequest<O> = parse_json(body)?;
    let record = market.publish(request).await?;
    Ok((StatusCode::CREATED, Json(record)).into_response())
}

fn query<T>(query: Result<Query<T>, QueryRejection>) -> Answer<T> {
    query
        .map(|Query(query)| query)
        .map_err(|rejection| failure(ErrorCode::InvalidQuery, rejection.body_text()))
}

async fn list(
    State(market): State<Market>,
    Path(book): Path<String>,
    filters: Result<Query<BookQuery>, QueryRejection>,
) -> Answer<Response> {
    let book = parse_book(&book)?;
    let filters = query(filters)?;
    Ok(match book {
        Book::App => Json(market.list::<AppOrder>(filters).await?).into_response(),
        Book::Dataset => Json(market.list::<DatasetOrder>(filters).await?).into_response(),
        Book::Workerpool => Json(market.list::<WorkerpoolOrder>(filters).await?).into_response(),
        Book::Request => Json(market.list::<RequestOrder>(filters).await?).into_response(),
    })
}

async fn get_order(
    State(market): State<Market>,
    Path((book, hash)): Path<(String, String)>,
) -> Answer<Response> {
    let book = parse_book(&book)?;
    let hash = parse_hash(&hash)?;
    Ok(match book {
        Book::App => Json(market.get::<AppOrder>(hash).await?).into_response(),
        Book::Dataset => Json(market.get::<DatasetOrder>(hash).await?).into_response(),
        Book::Workerpool => Json(market.get::<WorkerpoolOrder>(hash).await?).into_response(),
        Book::Request => Json(market.get::<RequestOrder>(hash).await?).into_response(),
    })
}

async fn unpublish(
    State(market): State<Market>,
    Path(book): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Answer<Response> {
    let book = parse_book(&book)?;
    let body = body_bytes(body)?;
    let request: UnpublishRequest = parse_json(&body)?;
    Ok(Json(market.unpublish(book, request).await?).into_response())
}

async fn best_match(
    State(market): State<Market>,
    wanted: Result<Query<MatchQuery>, QueryRejection>,
) -> Answer<Response> {
    let wanted = query(wanted)?;
    Ok(Json(market.best_match(wanted).await?).into_response())
}

async fn feed(
    State(market): State<Market>,
) -> Sse<impl futures_util::Stream<Item = Result<Event, Infallible>>> {
    let receiver = market.subscribe();
    let stream = futures_util::stream::unfold(receiver, |mut receiver| async move {
        let event = match receiver.recv().await {
            Ok(event) => {
                let name = match event.event {
                    poco_market_api::FeedEventKind::Published => "published",
                    poco_market_api::FeedEventKind::Unpublished => "unpublished",
                    poco_market_api::FeedEventKind::Updated => "updated",
                };
                let data = serde_json::to_string(&event).unwrap_or_default();
                Event::default().event(name).data(data)
            }
            Err(broadcast::error::RecvError::Lagged(missed)) => {
                Event::default().event("lagged").data(format!("{{\"missed\":{missed}}}"))
            }
            Err(broadcast::error::RecvError::Closed) => return None,
        };
        Some((Ok(event), receiver))
    });
    Sse::new(stream).keep_alive(KeepAlive::default())
}

async fn openapi_document() -> Response {
    Json(openapi::document()).into_response()
}

async fn metrics_text() -> Response {
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], metrics::render()).into_response()
}
