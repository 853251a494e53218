//! [`Market`]: the books' logic — publication checks, listings, unpublishing, the feed —
//! between the HTTP API and the [`Store`] and [`ChainView`].
//!
//! Publication, in order (each refusal has its own [`ErrorCode`] and stores nothing):
//!
//! ```text
//! hash (deployment domain) ─▶ already open? ─▶ volume, price, trust, category ─▶ owner (registry)
//!  ─▶ declared signer = owner? ─▶ signature (EOA recovery, ERC-1271 or presign through the hub)
//!  ─▶ remaining = volume − viewConsumed > 0 (cancelled or consumed) ─▶ funds / pool stake for one
//!  task ─▶ pool metadata ─▶ open-order limit + insert ─▶ feed
//! ```

use alloy::primitives::{Address, U256};
use poco_market_api::unpublish::UNPUBLISH_VALIDITY_SECS;
use poco_market_api::{
    Book, BookPage, BookQuery, DEFAULT_PAGE_SIZE, ErrorCode, FeedEvent, FeedEventKind,
    MAX_PAGE_SIZE, OrderRecord, OrderStatus, PoolMetadata, PublishRequest, UnpublishRequest,
    UnpublishTarget, Unpublished, market_domain,
};
use poco_primitives::{
    OrderHash, SignedOrder, rewards::scheduler_stake, signature::recover_signer,
};
use std::{
    str::FromStr,
    sync::Arc,
    time::{Duration, SystemTime, UNIX_EPOCH},
};
use tokio::sync::broadcast;
use tracing::{debug, info};

use crate::{
    chain::ChainView,
    error::{MarketError, Result},
    metrics,
    orders::{BookOrder, saturate},
    store::{AddressColumn, ListFilter, NewOrder, OrderRow, PageCursor, Store},
};

/// Limits of the market.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Open orders one signer may have in each book (`u32::MAX`: no limit).
    pub max_open_orders: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Self { max_open_orders: 50 }
    }
}

/// The books' logic (see the module docs). Cheap to clone.
#[derive(Clone, Debug)]
pub struct Market {
    store: Arc<Store>,
    chain: Arc<ChainView>,
    limits: Limits,
    feed: broadcast::Sender<FeedEvent>,
}

fn refused(code: ErrorCode, message: impl Into<String>) -> MarketError {
    MarketError::refused(code, message)
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    let since = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or(Duration::ZERO);
    i64::try_from(since.as_millis()).unwrap_or(i64::MAX)
}

impl Market {
    /// The market over a store and a chain.
    pub fn new(store: Arc<Store>, chain: Arc<ChainView>, limits: Limits) -> Self {
        let (feed, _) = broadcast::channel(4096);
        Self { store, chain, limits, feed }
    }

    /// The store.
    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }

    /// The chain.
    pub fn chain(&self) -> &Arc<ChainView> {
        &self.chain
    }

    /// A receiver of the live feed.
    pub fn subscribe(&self) -> broadcast::Receiver<FeedEvent> {
        self.feed.subscribe()
    }

    /// Announces a change of an order on the feed.
    pub fn announce(&self, event: FeedEventKind, row: &OrderRow) {
        let (Ok(book), Ok(order_hash), Ok(status), Ok(remaining)) =
            (row.book(), row.order_hash(), row.status(), row.remaining())
        else {
            return;
        };
        // Nobody listening is fine.
        let _ = self.feed.send(FeedEvent { event, book, order_hash, status, remaining });
    }

    /// Checks and stores a signed order (see the module docs).
    pub async fn publish<O: BookOrder>(
        &self,
        request: PublishRequest<O>,
    ) -> Result<OrderRecord<O>> {
        let started = std::time::Instant::now();
        let result = self.publish_inner(request).await;
        metrics::publish(O::BOOK, result.as_ref().err().map(MarketError::code), started.elapsed());
        result
    }

    async fn publish_inner<O: BookOrder>(
        &self,
        request: PublishRequest<O>,
    ) -> Result<OrderRecord<O>> {
        let PublishRequest { order: signed, signer: declared } = request;
        let chain = &self.chain;
        let hash = signed.hash(chain.domain());
        if self.store.is_open(hash).await? {
            return Err(refused(
                ErrorCode::AlreadyPublished,
                format!("order {hash} is already in the book"),
            ));
        }
        let columns = signed.order.columns();
        let volume = signed.order.volume();
        if volume.is_zero() {
            return Err(refused(ErrorCode::ZeroVolume, "the order's volume is 0"));
        }
        if O::BOOK != Book::Request && columns.price > U256::from(u64::MAX) {
            return Err(refused(
                ErrorCode::PriceTooLarge,
                format!(
                    "price {} is above 2^64 - 1 nRLC, which the hub never settles",
                    columns.price
                ),
            ));
        }
        if O::BOOK == Book::Request && columns.trust > U256::from(u32::MAX) {
            return Err(refused(
                ErrorCode::TrustTooLarge,
                format!("trust {} is above 2^32 - 1, which the hub refuses", columns.trust),
            ));
        }
        if matches!(O::BOOK, Book::Workerpool | Book::Request)
            && !chain.category_exists(columns.category).await?
        {
            return Err(refused(
                ErrorCode::UnknownCategory,
                format!("category {} does not exist on this chain", columns.category),
            ));
        }

        // Owner, consumption: independent reads.
        let owner = async {
            match (signed.order.asset(), signed.order.requester()) {
                (Some(asset), _) => chain.owner(O::BOOK, asset).await?.ok_or_else(|| {
                    refused(
                        ErrorCode::UnknownAsset,
                        format!("{asset} is not registered in the {} registry", O::BOOK),
                    )
                }),
                (None, Some(requester)) => Ok(requester),
                (None, None) => Err(MarketError::Corrupt {
                    what: format!("order {hash}"),
                    detail: "neither asset nor requester".into(),
                }),
            }
        };
        let (owner, consumed) = tokio::join!(owner, chain.consumed(hash));
        let (owner, consumed) = (owner?, consumed?);
        if let Some(declared) = declared
            && declared != owner
        {
            return Err(refused(
                ErrorCode::NotOwner,
                format!("{declared} is not the owner of the order ({owner} is)"),
            ));
        }
        self.check_signature(&signed, hash, owner).await?;

        if consumed >= volume {
            return Err(if self.store.is_closed(hash).await? {
                refused(ErrorCode::OrderCancelled, format!("order {hash} was cancelled on-chain"))
            } else {
                refused(
                    ErrorCode::OrderConsumed,
                    format!(
                        "order {hash} has no volume left on-chain ({consumed} of {volume} consumed)"
                    ),
                )
            });
        }

        match O::BOOK {
            Book::Request => {
                let needed = columns
                    .app_max_price
                    .saturating_add(columns.dataset_max_price)
                    .saturating_add(columns.price);
                let balance = chain.balance(owner).await?;
                if balance < needed {
                    return Err(refused(
                        ErrorCode::InsufficientFunds,
                        format!(
                            "{owner} has {balance} nRLC free on the hub; one task at the order's max prices needs {needed}"
                        ),
                    ));
                }
            }
            Book::Workerpool => {
                let stake = scheduler_stake(columns.price).unwrap_or(U256::MAX);
                let balance = chain.balance(owner).await?;
                if balance < stake {
                    return Err(refused(
                        ErrorCode::InsufficientStake,
                        format!(
                            "{owner} has {balance} nRLC free on the hub; the scheduler stake of one task is {stake}"
                        ),
                    ));
                }
            }
            Book::App | Book::Dataset => {}
        }

        let pool = match (O::BOOK, signed.order.asset()) {
            (Book::Workerpool, Some(pool)) => {
                PoolMetadata::from_description(&chain.pool_description(pool).await?)
            }
            _ => None,
        };
        let body = serde_json::to_string(&signed).map_err(|error| MarketError::Corrupt {
            what: format!("order {hash}"),
            detail: error.to_string(),
        })?;
        // What `OrderRow::pool` reads back: no metadata at all is no metadata.
        let pool = pool.filter(|pool| *pool != PoolMetadata::default());
        let published_at = now_ms();
        let new = NewOrder {
            hash,
            book: O::BOOK,
            signer: owner,
            columns,
            volume,
            consumed,
            published_at,
            pool: pool.clone(),
            body,
        };
        if !self.store.insert(new, self.limits.max_open_orders).await? {
            return Err(refused(
                ErrorCode::AlreadyPublished,
                format!("order {hash} is already in the book"),
            ));
        }
        // What the insertion wrote (an older closed record of the hash is overwritten whole),
        // from what is in hand rather than read back.
        let remaining = volume.saturating_sub(consumed);
        debug!(book = %O::BOOK, %hash, signer = %owner, "Order published.");
        // Nobody listening is fine.
        let _ = self.feed.send(FeedEvent {
            event: FeedEventKind::Published,
            book: O::BOOK,
            order_hash: hash,
            status: OrderStatus::Open,
            remaining,
        });
        Ok(OrderRecord {
            order_hash: hash,
            book: O::BOOK,
            chain_id: self.chain.chain_id(),
            signer: owner,
            status: OrderStatus::Open,
            remaining,
            publication_timestamp: published_at,
            order: signed,
            pool,
        })
    }

    /// The signature rules of the hub (spec §3.3): the owner's EOA signature, a contract
    /// owner's ERC-1271 answer, or an on-chain presignature for an empty `sign`.
    async fn check_signature<O: BookOrder>(
        &self,
        signed: &SignedOrder<O>,
        hash: OrderHash,
        owner: Address,
    ) -> Result<()> {
        let chain = &self.chain;
        if signed.sign.is_empty() {
            if chain.presigned(hash).await? == owner {
                return Ok(());
            }
            return Err(refused(
                ErrorCode::BadSignature,
                format!("order {hash} has no signature and {owner} did not presign it"),
            ));
        }
        let recovered = crate::signature::recover(&hash.0, &signed.sign);
        if recovered.as_ref().is_ok_and(|signer| *signer == owner) {
            return Ok(());
        }
        if chain.is_contract(owner).await? {
            if chain.verify_signature(owner, hash.0, signed.sign.clone()).await? {
                return Ok(());
            }
            return Err(refused(
                ErrorCode::BadSignature,
                format!(
                    "contract {owner} does not accept this signature of order {hash} (ERC-1271)"
                ),
            ));
        }
        Err(match recovered {
            Err(error) => refused(ErrorCode::MalformedSignature, error.to_string()),
            Ok(signer) => refused(
                ErrorCode::BadSignature,
                format!(
                    "the signature recovers to {signer}, not to the owner {owner}, under this \
                     deployment's domain (chain {}, hub {})",
                    chain.chain_id(),
                    chain.hub()
                ),
            ),
        })
    }

    /// The order with this hash, in book `O`.
    pub async fn get<O: BookOrder>(&self, hash: OrderHash) -> Result<OrderRecord<O>> {
        match self.store.get(hash).await? {
            Some(row) if row.book == O::BOOK.index() => record(&row, self.chain.chain_id()),
            _ => Err(refused(ErrorCode::OrderNotFound, format!("no {} order {hash}", O::BOOK))),
        }
    }

    /// One page of book `O`.
    pub async fn list<O: BookOrder>(&self, query: BookQuery) -> Result<BookPage<O>> {
        let started = std::time::Instant::now();
        let filter = list_filter(O::BOOK, &query)?;
        let limit = query.limit.unwrap_or(DEFAULT_PAGE_SIZE);
        if !(1..=MAX_PAGE_SIZE).contains(&limit) {
            return Err(refused(
                ErrorCode::InvalidQuery,
                format!("limit must be between 1 and {MAX_PAGE_SIZE}"),
            ));
        }
        let cursor = match &query.cursor {
            Some(text) => Some(PageCursor::decode(text).ok_or_else(|| {
                refused(ErrorCode::InvalidQuery, format!("cursor {text:?} is not one of ours"))
            })?),
            None => None,
        };
        let status = query.status.unwrap_or(OrderStatus::Open);
        let mut rows =
            self.store.list(O::BOOK, status, &filter, cursor.as_ref(), limit + 1).await?;
        let next_cursor = if rows.len() > limit as usize {
            rows.truncate(limit as usize);
            rows.last().map(|row| PageCursor::after(row).encode())
        } else {
            None
        };
        let orders =
            rows.iter().map(|row| record(row, self.chain.chain_id())).collect::<Result<_>>()?;
        metrics::list(O::BOOK, started.elapsed());
        Ok(BookPage { orders, next_cursor })
    }

    /// Takes the signer's orders out of book `book`, after checking the signed message.
    pub async fn unpublish(&self, book: Book, request: UnpublishRequest) -> Result<Unpublished> {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or(Duration::ZERO).as_secs();
        if now.abs_diff(request.issued_at) > UNPUBLISH_VALIDITY_SECS {
            return Err(refused(
                ErrorCode::AuthExpired,
                format!(
                    "issuedAt {} is more than {} s from the market's clock ({now})",
                    request.issued_at, UNPUBLISH_VALIDITY_SECS
                ),
            ));
        }
        if request.target == UnpublishTarget::Order && request.order_hash.is_none() {
            return Err(refused(ErrorCode::InvalidJson, "target `order` needs an orderHash"));
        }
        let domain = market_domain(self.chain.chain_id(), self.chain.hub());
        let digest = request.digest(book, &domain);
        let signed = match recover_signer(&digest, &request.sign) {
            Ok(signer) if signer == request.signer => true,
            _ if self.chain.is_contract(request.signer).await? => {
                self.chain.verify_signature(request.signer, digest, request.sign.clone()).await?
            }
            _ => false,
        };
        if !signed {
            return Err(refused(
                ErrorCode::BadAuthSignature,
                format!("the unpublish message is not signed by {}", request.signer),
            ));
        }
        if request.target == UnpublishTarget::Order
            && let Some(hash) = request.order_hash
        {
            match self.store.get(hash).await? {
                Some(row)
                    if row.book == book.index() && row.status == OrderStatus::Open.index() =>
                {
                    if row.signer()? != request.signer {
                        return Err(refused(
                            ErrorCode::NotOwner,
                            format!("order {hash} was not published by {}", request.signer),
                        ));
                    }
                }
                _ => {
                    return Err(refused(
                        ErrorCode::OrderNotFound,
                        format!("no open {book} order {hash}"),
                    ));
                }
            }
        }
        let hashes = self
            .store
            .unpublish(book, request.signer, request.target, request.order_hash, request.resource)
            .await?;
        let mut unpublished = Vec::with_capacity(hashes.len());
        for hash in hashes {
            let hash = OrderHash::from_str(&hash).map_err(|error| MarketError::Corrupt {
                what: format!("order {hash}"),
                detail: error.to_string(),
            })?;
            if let Some(row) = self.store.get(hash).await? {
                self.announce(FeedEventKind::Unpublished, &row);
            }
            unpublished.push(hash);
        }
        info!(%book, signer = %request.signer, count = unpublished.len(), "Orders unpublished.");
        Ok(Unpublished { unpublished })
    }
}

/// The record of a stored order.
pub fn record<O: BookOrder>(row: &OrderRow, chain_id: u64) -> Result<OrderRecord<O>> {
    let order: SignedOrder<O> = serde_json::from_str(&row.body).map_err(|error| {
        MarketError::Corrupt { what: format!("order {}", row.hash), detail: error.to_string() }
    })?;
    Ok(OrderRecord {
        order_hash: row.order_hash()?,
        book: row.book()?,
        chain_id,
        signer: row.signer()?,
        status: row.status()?,
        remaining: row.remaining()?,
        publication_timestamp: row.published_at,
        order,
        pool: row.pool(),
    })
}

/// Checks a [`BookQuery`] against a book and turns it into the store's [`ListFilter`].
pub fn list_filter(book: Book, query: &BookQuery) -> Result<ListFilter> {
    let mut filter = ListFilter::default();
    let strict = query.strict.unwrap_or(false);
    let invalid = |name: &str| {
        Err(refused(
            ErrorCode::InvalidQuery,
            format!("filter `{name}` does not apply to the {book} book"),
        ))
    };
    // (filter, column, whether the book's own field is exact)
    let addresses = [
        ("app", AddressColumn::App, query.app, matches!(book, Book::App | Book::Request)),
        (
            "dataset",
            AddressColumn::Dataset,
            query.dataset,
            matches!(book, Book::Dataset | Book::Request),
        ),
        ("workerpool", AddressColumn::Workerpool, query.workerpool, book == Book::Workerpool),
        ("requester", AddressColumn::Requester, query.requester, book == Book::Request),
    ];
    for (_, column, address, exact) in addresses {
        let Some(address) = address else { continue };
        if exact || strict {
            filter.exact.push((column, address));
        } else {
            filter.admits.push((column, address));
        }
    }
    if let Some(beneficiary) = query.beneficiary {
        if book != Book::Request {
            return invalid("beneficiary");
        }
        filter.exact.push((AddressColumn::Beneficiary, beneficiary));
    }
    if let Some(owner) = query.owner {
        filter.exact.push((AddressColumn::Signer, owner));
    }
    let orders_with_category = matches!(book, Book::Workerpool | Book::Request);
    if let Some(category) = query.category {
        if !orders_with_category {
            return invalid("category");
        }
        filter.category = Some(saturate(U256::from(category)));
    }
    if let Some(trust) = query.min_trust {
        if book != Book::Workerpool {
            return invalid("minTrust");
        }
        filter.min_trust = Some(saturate(U256::from(trust)));
    }
    if let Some(trust) = query.max_trust {
        if book != Book::Request {
            return invalid("maxTrust");
        }
        filter.max_trust = Some(saturate(U256::from(trust)));
    }
    if let Some(price) = query.min_price {
        if book != Book::Request {
            return invalid("minPrice");
        }
        filter.min_price = Some(saturate(U256::from(price)));
    }
    filter.max_price = query.max_price.map(|price| saturate(U256::from(price)));
    filter.min_remaining = query.min_volume.map(|volume| saturate(U256::from(volume)));
    filter.min_tag = query.min_tag;
    filter.max_tag = query.max_tag;
    for (name, value, slot) in [
        ("region", &query.region, &mut filter.region),
        ("energy", &query.energy, &mut filter.energy),
        ("hardware", &query.hardware, &mut filter.hardware),
    ] {
        if let Some(value) = value {
            if book != Book::Workerpool {
                return invalid(name);
            }
            *slot = Some(value.trim().to_ascii_lowercase());
        }
    }
    Ok(filter)
}
