//! The best-match query: the cheapest app + dataset + workerpool orders a request can be
//! matched with, under the hub's `matchOrders` rules (spec §4.1).
//!
//! Each book is first narrowed by the rules that involve the request alone (asset, category,
//! trust, max price, the restrictions on the app, dataset and requester, the request's tag);
//! what couples the three sell orders (their workerpool restrictions, the deal tag the pool must
//! offer, the TEE bit) is checked in memory. The books are read cheapest first, a page at a time:
//! a match is returned once no order beyond the pages read could make a cheaper set, so the
//! answer is exact; the search reads at most [`MAX_CANDIDATES`] orders of each book.
//!
//! Restrictions naming a group contract (ERC-734) are treated as not admitting the account: the
//! market does not resolve groups, so it never proposes a set that could fail on them.

use alloy::primitives::{Address, U256};
use poco_market_api::{BestMatch, ErrorCode, MatchQuery, MatchResponse, OrderRecord, OrderStatus};
use poco_primitives::{AppOrder, DatasetOrder, Tag, WorkerpoolOrder};
use std::time::Instant;

use crate::{
    error::{MarketError, Result},
    metrics,
    orders::BookOrder,
    service::{Market, record},
    store::{AddressColumn, ListFilter},
};

/// The first page read from each book.
pub const FIRST_PAGE: u32 = 16;
/// The most orders read from one book.
pub const MAX_CANDIDATES: u32 = 4096;

/// What the three sell orders must satisfy together, besides the per-book filters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RequestSpec {
    /// The request's tag.
    pub tag: Tag,
}

/// `authorized(restriction, account)` without group contracts (spec §4.3).
pub fn admits(restriction: Address, account: Address) -> bool {
    restriction.is_zero() || restriction == account
}

/// Whether three sell orders fit together and with a request of tag `request_tag` (the checks
/// of `matchOrders` that the per-book filters leave: workerpool restrictions, the tag the pool
/// must offer, the TEE bit).
pub fn fit(
    app: &AppOrder,
    dataset: Option<&DatasetOrder>,
    pool: &WorkerpoolOrder,
    request_tag: Tag,
) -> bool {
    let dataset_tag = dataset.map_or(Tag::NONE, |d| Tag(d.tag));
    let tag = Tag(app.tag) | dataset_tag | request_tag;
    admits(app.workerpoolrestrict, pool.workerpool)
        && dataset.is_none_or(|d| admits(d.workerpoolrestrict, pool.workerpool))
        && Tag(pool.tag).is_superset_of(&tag)
        && tag.is_tee() == Tag(app.tag).is_tee()
}

/// The whole `matchOrders` compatibility of a candidate set with a query, as a brute-force
/// search would check it (tests use it as the reference).
pub fn compatible(
    query: &MatchQuery,
    app: &AppOrder,
    dataset: Option<&DatasetOrder>,
    pool: &WorkerpoolOrder,
) -> bool {
    let requester = query.requester.unwrap_or_default();
    let dataset_address = query.dataset.unwrap_or_default();
    let request_tag = query.tag.unwrap_or(Tag::NONE);
    let max = |price: Option<u64>| price.map_or(U256::MAX, U256::from);
    let dataset_ok = match (dataset, query.dataset) {
        (Some(d), Some(wanted)) => {
            d.dataset == wanted
                && d.datasetprice <= max(query.dataset_max_price)
                && admits(d.apprestrict, app.app)
                && admits(d.requesterrestrict, requester)
        }
        (None, None) => true,
        _ => false,
    };
    dataset_ok
        && app.app == query.app
        && app.appprice <= max(query.app_max_price)
        && admits(app.datasetrestrict, dataset_address)
        && admits(app.requesterrestrict, requester)
        && pool.category == U256::from(query.category)
        && pool.trust >= U256::from(query.trust.unwrap_or(0))
        && pool.workerpoolprice <= max(query.workerpool_max_price)
        && admits(pool.apprestrict, app.app)
        && admits(pool.datasetrestrict, dataset_address)
        && admits(pool.requesterrestrict, requester)
        && query.workerpool.is_none_or(|wanted| admits(wanted, pool.workerpool))
        && fit(app, dataset, pool, request_tag)
}

struct Candidates<O> {
    records: Vec<OrderRecord<O>>,
    exhausted: bool,
}

impl<O: BookOrderPrice> Candidates<O> {
    fn cheapest(&self) -> Option<U256> {
        self.records.first().map(|r| price_of(r))
    }

    fn last(&self) -> Option<U256> {
        self.records.last().map(|r| price_of(r))
    }
}

fn price_of<O>(record: &OrderRecord<O>) -> U256
where
    O: BookOrderPrice,
{
    record.order.order.ask()
}

/// The ask of a sell order.
trait BookOrderPrice {
    fn ask(&self) -> U256;
}

impl BookOrderPrice for AppOrder {
    fn ask(&self) -> U256 {
        self.appprice
    }
}

impl BookOrderPrice for DatasetOrder {
    fn ask(&self) -> U256 {
        self.datasetprice
    }
}

impl BookOrderPrice for WorkerpoolOrder {
    fn ask(&self) -> U256 {
        self.workerpoolprice
    }
}

impl Market {
    /// The cheapest compatible set of orders for `query` (see the module docs).
    pub async fn best_match(&self, query: MatchQuery) -> Result<MatchResponse> {
        let started = Instant::now();
        let best = self.best_match_inner(&query).await?;
        metrics::best_match(best.is_some(), started.elapsed());
        Ok(MatchResponse { best })
    }

    async fn candidates<O: BookOrder>(
        &self,
        filter: &ListFilter,
        limit: u32,
    ) -> Result<Candidates<O>> {
        let rows = self.store().list(O::BOOK, OrderStatus::Open, filter, None, limit).await?;
        let exhausted = rows.len() < limit as usize;
        let chain_id = self.chain().chain_id();
        let records = rows.iter().map(|row| record::<O>(row, chain_id)).collect::<Result<_>>()?;
        Ok(Candidates { records, exhausted })
    }

    async fn best_match_inner(&self, query: &MatchQuery) -> Result<Option<BestMatch>> {
        if query.trust.is_some_and(|trust| trust > u64::from(u32::MAX)) {
            return Err(MarketError::refused(ErrorCode::TrustTooLarge, "trust above 2^32 - 1"));
        }
        let requester = query.requester.unwrap_or_default();
        let dataset = query.dataset.unwrap_or_default();
        let request_tag = query.tag.unwrap_or(Tag::NONE);
        let price = |max: Option<u64>| max.map(|max| i64::try_from(max).unwrap_or(i64::MAX));
        let app_filter = ListFilter {
            exact: vec![(AddressColumn::App, query.app)],
            admits: vec![(AddressColumn::Dataset, dataset), (AddressColumn::Requester, requester)],
            max_price: price(query.app_max_price),
            min_remaining: Some(1),
            ..Default::default()
        };
        let dataset_filter = ListFilter {
            exact: vec![(AddressColumn::Dataset, dataset)],
            admits: vec![(AddressColumn::App, query.app), (AddressColumn::Requester, requester)],
            max_price: price(query.dataset_max_price),
            min_remaining: Some(1),
            ..Default::default()
        };
        let mut pool_exact = Vec::new();
        if let Some(pool) = query.workerpool.filter(|pool| !pool.is_zero()) {
            pool_exact.push((AddressColumn::Workerpool, pool));
        }
        let pool_filter = ListFilter {
            exact: pool_exact,
            admits: vec![
                (AddressColumn::App, query.app),
                (AddressColumn::Dataset, dataset),
                (AddressColumn::Requester, requester),
            ],
            category: Some(i64::try_from(query.category).unwrap_or(i64::MAX)),
            min_trust: Some(i64::try_from(query.trust.unwrap_or(0)).unwrap_or(i64::MAX)),
            min_tag: Some(request_tag),
            max_price: price(query.workerpool_max_price),
            min_remaining: Some(1),
            ..Default::default()
        };

        let mut limit = FIRST_PAGE;
        loop {
            let apps = self.candidates::<AppOrder>(&app_filter, limit).await?;
            let datasets = match query.dataset {
                Some(_) => Some(self.candidates::<DatasetOrder>(&dataset_filter, limit).await?),
                None => None,
            };
            let pools = self.candidates::<WorkerpoolOrder>(&pool_filter, limit).await?;
            if apps.records.is_empty()
                || pools.records.is_empty()
                || datasets.as_ref().is_some_and(|d| d.records.is_empty())
            {
                return Ok(None);
            }
            let best = search(
                &apps.records,
                datasets.as_ref().map(|d| &d.records[..]),
                &pools.records,
                request_tag,
            );
            // A set using an order beyond a book's page costs at least that page's last price
            // plus the cheapest of the other books.
            let cheapest = [
                apps.cheapest(),
                datasets.as_ref().and_then(Candidates::cheapest),
                pools.cheapest(),
            ]
            .map(|price| price.unwrap_or_default());
            let floor_total: U256 = cheapest.iter().copied().fold(U256::ZERO, U256::saturating_add);
            let bounds = [
                (apps.exhausted, apps.last(), cheapest[0]),
                (
                    datasets.as_ref().is_none_or(|d| d.exhausted),
                    datasets.as_ref().and_then(Candidates::last),
                    cheapest[1],
                ),
                (pools.exhausted, pools.last(), cheapest[2]),
            ];
            let proven = bounds.iter().all(|(exhausted, last, cheapest)| {
                *exhausted
                    || best.as_ref().is_some_and(|(total, ..)| {
                        let beyond = floor_total - *cheapest + last.unwrap_or_default();
                        beyond >= *total
                    })
            });
            if proven || limit >= MAX_CANDIDATES {
                return Ok(best.map(|(task_price, a, d, w)| {
                    let app = apps.records[a].clone();
                    let dataset = d.and_then(|d| datasets.as_ref().map(|ds| ds.records[d].clone()));
                    let workerpool = pools.records[w].clone();
                    let volume = [
                        Some(app.remaining),
                        dataset.as_ref().map(|d| d.remaining),
                        Some(workerpool.remaining),
                    ]
                    .into_iter()
                    .flatten()
                    .min()
                    .unwrap_or_default();
                    BestMatch { app, dataset, workerpool, task_price, volume }
                }));
            }
            limit = limit.saturating_mul(4).min(MAX_CANDIDATES);
        }
    }
}

/// The cheapest fitting (app, dataset, pool) among the candidates, as indexes with the total
/// price: O(pools × (apps + datasets)).
fn search(
    apps: &[OrderRecord<AppOrder>],
    datasets: Option<&[OrderRecord<DatasetOrder>]>,
    pools: &[OrderRecord<WorkerpoolOrder>],
    request_tag: Tag,
) -> Option<(U256, usize, Option<usize>, usize)> {
    let mut best: Option<(U256, usize, Option<usize>, usize)> = None;
    for (w, pool) in pools.iter().enumerate() {
        let pool = &pool.order.order;
        let pool_tag = Tag(pool.tag);
        // The cheapest app for this pool, and the cheapest TEE app (candidates are sorted).
        let fits = |app: &AppOrder| {
            admits(app.workerpoolrestrict, pool.workerpool)
                && pool_tag.is_superset_of(&Tag(app.tag))
        };
        let any_app = apps.iter().position(|a| fits(&a.order.order));
        let tee_app =
            apps.iter().position(|a| fits(&a.order.order) && Tag(a.order.order.tag).is_tee());
        let mut consider = |a: Option<usize>, d: Option<usize>, dataset_price: U256| {
            let Some(a) = a else { return };
            let total = apps[a]
                .order
                .order
                .appprice
                .saturating_add(dataset_price)
                .saturating_add(pool.workerpoolprice);
            if best.as_ref().is_none_or(|(current, ..)| total < *current) {
                best = Some((total, a, d, w));
            }
        };
        match datasets {
            None => {
                let a = if request_tag.is_tee() { tee_app } else { any_app };
                consider(a, None, U256::ZERO);
            }
            Some(datasets) => {
                for (d, dataset) in datasets.iter().enumerate() {
                    let dataset = &dataset.order.order;
                    if !admits(dataset.workerpoolrestrict, pool.workerpool)
                        || !pool_tag.is_superset_of(&Tag(dataset.tag))
                    {
                        continue;
                    }
                    let needs_tee = (Tag(dataset.tag) | request_tag).is_tee();
                    let a = if needs_tee { tee_app } else { any_app };
                    consider(a, Some(d), dataset.datasetprice);
                }
            }
        }
    }
    best
}
