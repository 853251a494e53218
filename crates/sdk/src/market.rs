//! A typed client of poco's market (the orderbooks): publish signed orders, read one by hash,
//! list a book with filters and cursor pagination, take orders out of a book with a signed
//! [`Unpublish`](poco_market_api::Unpublish) message, and ask for the best match of a request.
//!
//! ```text
//!  Poco::market() ─► MarketClient ─► POST /v1/orders/{book}             publish
//!  (market_url of the chain file)    GET  /v1/orders/{book}/{hash}       order, find_order
//!                                    GET  /v1/orders/{book}?filters      list
//!                                    POST /v1/orders/{book}/unpublish    unpublish
//!                                    GET  /v1/match?query                best_match
//! ```
//!
//! A refusal of the market is [`Error::Market`] with its stable [`ErrorCode`]; a market that
//! cannot be reached, or answers something its API does not define, is [`Error::Service`].

use crate::{
    client::Poco,
    error::{Error, Result, Service},
    http::service_error,
};
use alloy::primitives::{Address, U256};
use poco_market_api::{
    ApiError, BestMatch, Book, BookPage, BookQuery, ErrorCode, MatchQuery, MatchResponse,
    OrderRecord, OrderStatus, PublishRequest, UnpublishRequest, UnpublishTarget, Unpublished,
    market_domain,
};
use poco_primitives::{
    AppOrder, DatasetOrder, Order, OrderHash, RequestOrder, SignedOrder, WorkerpoolOrder,
};
use serde::{Serialize, de::DeserializeOwned};
use std::time::{SystemTime, UNIX_EPOCH};
use tracing::{debug, info};
use url::Url;

/// An order the market keeps in a book: the four kinds of order.
pub trait BookOrder: Order + Serialize + DeserializeOwned + Send + Sync + 'static {
    /// Its book.
    fn book() -> Book {
        Book::from(Self::KIND)
    }
}

impl<O: Order + Serialize + DeserializeOwned + Send + Sync + 'static> BookOrder for O {}

/// A record of any of the four books (serialized as the record itself, whose `book` field says
/// which).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum AnyOrderRecord {
    /// An app order.
    App(OrderRecord<AppOrder>),
    /// A dataset order.
    Dataset(OrderRecord<DatasetOrder>),
    /// A workerpool order.
    Workerpool(OrderRecord<WorkerpoolOrder>),
    /// A request order.
    Request(OrderRecord<RequestOrder>),
}

macro_rules! any_record_field {
    ($self:ident . $field:ident) => {
        match $self {
            Self::App(record) => record.$field,
            Self::Dataset(record) => record.$field,
            Self::Workerpool(record) => record.$field,
            Self::Request(record) => record.$field,
        }
    };
}

impl AnyOrderRecord {
    /// Its book.
    pub const fn book(&self) -> Book {
        any_record_field!(self.book)
    }

    /// Its hash.
    pub const fn order_hash(&self) -> OrderHash {
        any_record_field!(self.order_hash)
    }

    /// Its status in the book.
    pub const fn status(&self) -> OrderStatus {
        any_record_field!(self.status)
    }

    /// Who signed it.
    pub const fn signer(&self) -> Address {
        any_record_field!(self.signer)
    }

    /// What is left of its volume.
    pub const fn remaining(&self) -> U256 {
        any_record_field!(self.remaining)
    }
}

/// A client of one market.
#[derive(Clone, Debug)]
pub struct MarketClient {
    base: Url,
    http: reqwest::Client,
}

// === impl MarketClient ===

impl MarketClient {
    /// A client of the market at `base` (e.g. `http://127.0.0.1:8080`), through `http`.
    pub const fn new(base: Url, http: reqwest::Client) -> Self {
        Self { base, http }
    }

    /// The market's base URL.
    pub const fn url(&self) -> &Url {
        &self.base
    }

    fn endpoint(&self, path: &str) -> Result<Url> {
        self.base.join(path).map_err(|error| service_error(Service::Market, &self.base, error))
    }

    /// Sends `request` to `url`; answers its JSON body, `None` for a 404 whose code is
    /// `order_not_found` (when `absent_ok`), [`Error::Market`] for any other refusal.
    async fn exchange<T: DeserializeOwned>(
        &self,
        request: reqwest::RequestBuilder,
        url: &Url,
        absent_ok: bool,
    ) -> Result<Option<T>> {
        let response =
            request.send().await.map_err(|error| service_error(Service::Market, url, error))?;
        let status = response.status();
        if status.is_success() {
            let body = response.json().await;
            return body.map(Some).map_err(|error| service_error(Service::Market, url, error));
        }
        let text = response.text().await.unwrap_or_default();
        match serde_json::from_str::<ApiError>(&text) {
            Ok(error) if absent_ok && error.error == ErrorCode::OrderNotFound => Ok(None),
            Ok(error) => {
                debug!(%url, code = %error.error, message = %error.message, "The market refused.");
                Err(Error::Market { code: error.error, message: error.message })
            }
            Err(_) => Err(service_error(Service::Market, url, format!("HTTP {status}: {text}"))),
        }
    }

    /// Publishes a signed order in its book; `signer` (the owner, or the requester), when
    /// given, is checked by the market, which then says `not_owner` rather than
    /// `bad_signature` for an order signed by someone else.
    pub async fn publish<O: BookOrder>(
        &self,
        order: &SignedOrder<O>,
        signer: Option<Address>,
    ) -> Result<OrderRecord<O>> {
        let url = self.endpoint(&format!("/v1/orders/{}", O::book()))?;
        let body = PublishRequest { order: order.clone(), signer };
        let record = self.exchange(self.http.post(url.clone()).json(&body), &url, false).await?;
        record.ok_or_else(|| service_error(Service::Market, &url, "no record in the answer"))
    }

    /// The order with `hash` in `O`'s book, if the book holds it (in any status).
    pub async fn order<O: BookOrder>(&self, hash: OrderHash) -> Result<Option<OrderRecord<O>>> {
        let url = self.endpoint(&format!("/v1/orders/{}/{:#x}", O::book(), hash.0))?;
        self.exchange(self.http.get(url.clone()), &url, true).await
    }

    /// The order with `hash`, whichever book holds it (the four are asked at once).
    pub async fn find_order(&self, hash: OrderHash) -> Result<Option<AnyOrderRecord>> {
        let (app, dataset, workerpool, request) = tokio::try_join!(
            self.order::<AppOrder>(hash),
            self.order::<DatasetOrder>(hash),
            self.order::<WorkerpoolOrder>(hash),
            self.order::<RequestOrder>(hash),
        )?;
        Ok(app
            .map(AnyOrderRecord::App)
            .or(dataset.map(AnyOrderRecord::Dataset))
            .or(workerpool.map(AnyOrderRecord::Workerpool))
            .or(request.map(AnyOrderRecord::Request)))
    }

    /// One page of `O`'s book under `query`'s filters, best first; pass the page's
    /// `next_cursor` as `query.cursor` for the next one.
    pub async fn list<O: BookOrder>(&self, query: &BookQuery) -> Result<BookPage<O>> {
        let url = self.endpoint(&format!("/v1/orders/{}", O::book()))?;
        let page = self.exchange(self.http.get(url.clone()).query(query), &url, false).await?;
        page.ok_or_else(|| service_error(Service::Market, &url, "no page in the answer"))
    }

    /// Takes orders out of `book` with a signed request (see [`Poco::unpublish`]).
    pub async fn unpublish(&self, book: Book, request: &UnpublishRequest) -> Result<Unpublished> {
        let url = self.endpoint(&format!("/v1/orders/{book}/unpublish"))?;
        let answer = self.exchange(self.http.post(url.clone()).json(request), &url, false).await?;
        answer.ok_or_else(|| service_error(Service::Market, &url, "no answer"))
    }

    /// The cheapest compatible app, dataset and workerpool orders for `query`, or `None` when
    /// no set of published orders fits.
    pub async fn best_match(&self, query: &MatchQuery) -> Result<Option<BestMatch>> {
        let url = self.endpoint("/v1/match")?;
        let answer: Option<MatchResponse> =
            self.exchange(self.http.get(url.clone()).query(query), &url, false).await?;
        Ok(answer.and_then(|answer| answer.best))
    }
}

// === impl Poco: market ===

impl Poco {
    /// A client of the chain's market (`market_url` of the chain file).
    pub fn market(&self) -> Result<MarketClient> {
        let base = self.service_url(Service::Market, "/")?;
        Ok(MarketClient::new(base, self.http().clone()))
    }

    /// Publishes a signed order, declaring the wallet (when there is one) as its signer.
    pub async fn publish_order<O: BookOrder>(
        &self,
        order: &SignedOrder<O>,
    ) -> Result<OrderRecord<O>> {
        let record = self.market()?.publish(order, self.signer_address()).await?;
        info!(book = %record.book, hash = %record.order_hash, "Order published.");
        Ok(record)
    }

    /// The order with `hash` in the market, whichever its book; [`Error::OrderNotFound`] when
    /// no book holds it.
    pub async fn show_order(&self, hash: OrderHash) -> Result<AnyOrderRecord> {
        self.market()?.find_order(hash).await?.ok_or(Error::OrderNotFound { hash })
    }

    /// The best match of `query` on the market (see [`MarketClient::best_match`]).
    pub async fn best_match(&self, query: &MatchQuery) -> Result<Option<BestMatch>> {
        self.market()?.best_match(query).await
    }

    /// Takes the wallet's orders out of `book`: the order `order_hash` (target `Order`), its
    /// last published open order or all of them (of `resource`, when given), with an
    /// [`Unpublish`](poco_market_api::Unpublish) message signed now under the market's domain.
    pub async fn unpublish(
        &self,
        book: Book,
        target: UnpublishTarget,
        order_hash: Option<OrderHash>,
        resource: Option<Address>,
    ) -> Result<Unpublished> {
        let signer = self.signer()?;
        let issued_at = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        let domain = market_domain(self.chain().spec.chain_id, self.contracts().hub);
        let request = UnpublishRequest::sign(
            signer,
            signer.address(),
            book,
            target,
            order_hash,
            resource,
            issued_at,
            &domain,
        )
        .map_err(Error::Sign)?;
        let answer = self.market()?.unpublish(book, &request).await?;
        info!(%book, target = target.as_str(), count = answer.unpublished.len(), "Unpublished.");
        Ok(answer)
    }

    /// Takes the order `hash` out of its book (found by asking the market); an order that is
    /// not open any more is left as it is and not listed in the answer.
    pub async fn unpublish_order(&self, hash: OrderHash) -> Result<Unpublished> {
        let book = self.show_order(hash).await?.book();
        self.unpublish(book, UnpublishTarget::Order, Some(hash), None).await
    }
}
