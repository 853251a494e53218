//! The best-match query: the cheapest app + dataset + workerpool orders a request can be
//! matched with, under the hub's `matchOrders` rules (spec §4.1).
//!
//! Each book is first narrowed by the rules that involve the request alone (asset, category,
//! trust, max price, the restrictions on the app, dataset and requester, the request's tag, and
//! for a TEE request the TEE bit of the app);
//! what couples the three sell orders (their workerpool restrictions, the deal tag the pool must
//! offer, the TEE bit) is checked in memory. The books are read cheapest first, a page at a time:
//! a match is returned once no order beyond the pages read could make a cheaper set, so the
//! answer is exact; the search reads at most [`MAX_CANDIDATES`] orders of each book. Once every
//! app and dataset candidate is read, the tag bits any fitting pair asks of a pool narrow the
//! pool book's next pages, and a search where no app and dataset fit together (the TEE rule)
//! stops without reading pools further.
//!
//! Restrictions naming a group contract (ERC-734) are treated as not admitting the account: the
//! market does not resolve groups, so it never proposes a set that could fail on them.

use alloy::primitives::{Address, U256};
use poco_market_api::{BestMatch, Book, ErrorCode, MatchQuery, MatchResponse, OrderRecord};
use poco_primitives::{AppOrder, DatasetOrder, OrderHash, Tag, WorkerpoolOrder};
use std::time::Instant;

use crate::{
    error::{MarketError, Result},
    metrics,
    orders::BookOrder,
    service::{Market, record},
    store::{AddressColumn, ListFilter, PageCursor, Store},
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

/// What the search knows of one candidate order (read without its JSON body).
#[derive(Clone, Debug)]
struct Candidate {
    hash: OrderHash,
    /// The exact ask.
    price: U256,
    tag: Tag,
    /// The pool of a workerpool order, the workerpool restriction of an app or dataset order.
    workerpool: Address,
}

/// The orders read so far from one book, cheapest first, and where the next page starts.
#[derive(Debug)]
struct BookCandidates {
    book: Book,
    orders: Vec<Candidate>,
    /// The sort price (saturated) of the first and of the last order read: lower bounds of
    /// every order of the book and of every order not read yet.
    first_key: Option<i64>,
    last_key: Option<i64>,
    next: Option<PageCursor>,
    exhausted: bool,
}

impl BookCandidates {
    const fn new(book: Book) -> Self {
        Self {
            book,
            orders: Vec::new(),
            first_key: None,
            last_key: None,
            next: None,
            exhausted: false,
        }
    }

    /// Lower bound of the ask of any order of the book.
    fn floor(&self) -> U256 {
        U256::from(self.first_key.unwrap_or_default().max(0))
    }

    /// Lower bound of the ask of any order not read yet.
    fn beyond(&self) -> U256 {
        U256::from(self.last_key.unwrap_or_default().max(0))
    }

    /// Reads up to `want` orders in all (keyset pages: nothing is read twice).
    async fn fill(&mut self, store: &Store, filter: &ListFilter, want: u32) -> Result<()> {
        let have = u32::try_from(self.orders.len()).unwrap_or(u32::MAX);
        if self.exhausted || have >= want {
            return Ok(());
        }
        let more = want - have;
        let rows = store.candidates(self.book, filter, self.next.as_ref(), more).await?;
        self.exhausted = rows.len() < more as usize;
        for row in rows {
            self.first_key.get_or_insert(row.price);
            self.last_key = Some(row.price);
            self.next = Some(row.cursor());
            let hash = row.order_hash()?;
            // The sort column saturates at 2^63 - 1: the exact ask of such an order is in its body.
            let price = if row.price == i64::MAX {
                exact_price(store, self.book, hash).await?
            } else {
                U256::from(row.price.max(0))
            };
            self.orders.push(Candidate {
                hash,
                price,
                tag: row.tag(),
                workerpool: row.workerpool()?,
            });
        }
        // Saturated sort keys tie: keep the search's cheapest-first order exact.
        self.orders.sort_by_key(|a| a.price);
        Ok(())
    }
}

/// The exact ask of a stored sell order, from its signed body.
async fn exact_price(store: &Store, book: Book, hash: OrderHash) -> Result<U256> {
    let row = store.get(hash).await?.ok_or_else(|| MarketError::Corrupt {
        what: format!("order {hash}"),
        detail: "vanished during a best-match search".into(),
    })?;
    Ok(match book {
        Book::App => record::<AppOrder>(&row, 0)?.order.order.appprice,
        Book::Dataset => record::<DatasetOrder>(&row, 0)?.order.order.datasetprice,
        Book::Workerpool => record::<WorkerpoolOrder>(&row, 0)?.order.order.workerpoolprice,
        Book::Request => U256::from(row.price.max(0)),
    })
}

impl Market {
    /// The cheapest compatible set of orders for `query` (see the module docs).
    pub async fn best_match(&self, query: MatchQuery) -> Result<MatchResponse> {
        let started = Instant::now();
        let best = self.best_match_inner(&query).await?;
        metrics::best_match(best.is_some(), started.elapsed());
        Ok(MatchResponse { best })
    }

    /// The full record of a winning order.
    async fn winner<O: BookOrder>(&self, candidate: &Candidate) -> Result<OrderRecord<O>> {
        let row = self.store().get(candidate.hash).await?.ok_or_else(|| MarketError::Corrupt {
            what: format!("order {}", candidate.hash),
            detail: "vanished during a best-match search".into(),
        })?;
        record::<O>(&row, self.chain().chain_id())
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
            // A TEE deal needs a TEE app: under a TEE request, the others never fit (and as the
            // cheapest apps, they made the search read far more pools to prove its answer).
            min_tag: request_tag.is_tee().then_some(Tag::TEE),
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
        let mut pool_filter = ListFilter {
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

        let store = self.store();
        let mut apps = BookCandidates::new(Book::App);
        let mut datasets = query.dataset.map(|_| BookCandidates::new(Book::Dataset));
        let mut pools = BookCandidates::new(Book::Workerpool);
        // How many orders each book should have read; a book grows only while an order beyond
        // what it read could still make a cheaper set.
        let mut want = [FIRST_PAGE; 3];
        loop {
            // The books are read at once, each on its own connection.
            let dataset_fill = async {
                match datasets.as_mut() {
                    Some(datasets) => datasets.fill(store, &dataset_filter, want[1]).await,
                    None => Ok(()),
                }
            };
            tokio::try_join!(
                apps.fill(store, &app_filter, want[0]),
                dataset_fill,
                pools.fill(store, &pool_filter, want[2]),
            )?;
            if apps.orders.is_empty()
                || pools.orders.is_empty()
                || datasets.as_ref().is_some_and(|d| d.orders.is_empty())
            {
                return Ok(None);
            }
            if apps.exhausted && datasets.as_ref().is_none_or(|d| d.exhausted) {
                // Every app and dataset order that could take part is read: what a pool must
                // offer to fit any of them is known, and no pool helps if none fit together.
                let Some(floor) = pool_tag_floor(
                    &apps.orders,
                    datasets.as_ref().map(|d| &d.orders[..]),
                    request_tag,
                ) else {
                    return Ok(None);
                };
                // The next pages skip pools without these bits (they could not fit); the pages
                // read stay valid bounds, being read in the same order under a wider filter.
                pool_filter.min_tag = Some(floor);
            }
            let best = search(
                &apps.orders,
                datasets.as_ref().map(|d| &d.orders[..]),
                &pools.orders,
                request_tag,
            );
            // A set using an order beyond a book's pages costs at least that book's last sort
            // price plus the cheapest of the other books.
            let floors = [
                apps.floor(),
                datasets.as_ref().map_or(U256::ZERO, BookCandidates::floor),
                pools.floor(),
            ];
            let floor_total = floors.iter().copied().fold(U256::ZERO, U256::saturating_add);
            let books = [Some(&apps), datasets.as_ref(), Some(&pools)];
            let mut proven = true;
            for (i, book) in books.iter().enumerate() {
                let Some(book) = book else { continue };
                let open = !book.exhausted
                    && best.as_ref().is_none_or(|(total, ..)| {
                        (floor_total - floors[i]).saturating_add(book.beyond()) < *total
                    });
                if open && want[i] < MAX_CANDIDATES {
                    want[i] = want[i].saturating_mul(4).min(MAX_CANDIDATES);
                    proven = false;
                }
            }
            if proven {
                let Some((task_price, a, d, w)) = best else { return Ok(None) };
                let dataset = async {
                    match (d, datasets.as_ref()) {
                        (Some(d), Some(datasets)) => {
                            self.winner::<DatasetOrder>(&datasets.orders[d]).await.map(Some)
                        }
                        _ => Ok(None),
                    }
                };
                let (app, dataset, workerpool) = tokio::try_join!(
                    self.winner::<AppOrder>(&apps.orders[a]),
                    dataset,
                    self.winner::<WorkerpoolOrder>(&pools.orders[w]),
                )?;
                let volume = [
                    Some(app.remaining),
                    dataset.as_ref().map(|d| d.remaining),
                    Some(workerpool.remaining),
                ]
                .into_iter()
                .flatten()
                .min()
                .unwrap_or_default();
                return Ok(Some(BestMatch { app, dataset, workerpool, task_price, volume }));
            }
        }
    }
}

/// The tag bits a pool must offer to fit with some (app, dataset) pair of the candidates under a
/// request of tag `request_tag` (each fitting pair asks its own bits; their common bits are
/// asked by all); `None` when no pair passes the TEE rule of `matchOrders` (a TEE deal needs a
/// TEE app and a TEE app makes a TEE deal), so no pool can make a set with them.
fn pool_tag_floor(
    apps: &[Candidate],
    datasets: Option<&[Candidate]>,
    request_tag: Tag,
) -> Option<Tag> {
    let mut floor: Option<Tag> = None;
    let mut consider = |app: &Candidate, tag: Tag| {
        if tag.is_tee() == app.tag.is_tee() {
            floor = Some(floor.map_or(tag, |floor| floor & tag));
        }
    };
    for app in apps {
        match datasets {
            None => consider(app, app.tag | request_tag),
            Some(datasets) => {
                for dataset in datasets {
                    consider(app, app.tag | dataset.tag | request_tag);
                }
            }
        }
    }
    floor
}

/// The cheapest fitting (app, dataset, pool) among the candidates, as indexes with the total
/// price: O(pools × (apps + datasets)).
fn search(
    apps: &[Candidate],
    datasets: Option<&[Candidate]>,
    pools: &[Candidate],
    request_tag: Tag,
) -> Option<(U256, usize, Option<usize>, usize)> {
    let mut best: Option<(U256, usize, Option<usize>, usize)> = None;
    for (w, pool) in pools.iter().enumerate() {
        // The cheapest app for this pool, and the cheapest TEE app (candidates are sorted).
        let fits = |app: &Candidate| {
            admits(app.workerpool, pool.workerpool) && pool.tag.is_superset_of(&app.tag)
        };
        let any_app = apps.iter().position(fits);
        let tee_app = apps.iter().position(|a| fits(a) && a.tag.is_tee());
        let mut consider = |a: Option<usize>, d: Option<usize>, dataset_price: U256| {
            let Some(a) = a else { return };
            let total = apps[a].price.saturating_add(dataset_price).saturating_add(pool.price);
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
                    if !admits(dataset.workerpool, pool.workerpool)
                        || !pool.tag.is_superset_of(&dataset.tag)
                    {
                        continue;
                    }
                    let needs_tee = (dataset.tag | request_tag).is_tee();
                    let a = if needs_tee { tee_app } else { any_app };
                    consider(a, Some(d), dataset.price);
                }
            }
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidate(tag: Tag) -> Candidate {
        Candidate { hash: OrderHash::default(), price: U256::ZERO, tag, workerpool: Address::ZERO }
    }

    #[test]
    fn pool_tag_floor_follows_the_tee_rule() {
        let [plain, gpu, scone] = [Tag::NONE, Tag::GPU, Tag::TEE_SCONE];
        let books = |tags: &[Tag]| tags.iter().map(|tag| candidate(*tag)).collect::<Vec<_>>();
        let floor = |apps: &[Tag], datasets: Option<&[Tag]>, request: Tag| {
            let datasets = datasets.map(books);
            pool_tag_floor(&books(apps), datasets.as_deref(), request)
        };
        // A TEE request needs a TEE app: none, no set.
        assert_eq!(floor(&[plain, gpu], None, Tag::TEE), None);
        // With one, the pool must offer what that app and the request ask.
        assert_eq!(floor(&[plain, scone], None, Tag::TEE), Some(Tag::TEE_SCONE));
        // Without TEE, the common bits of the fitting apps (a TEE app still fits).
        assert_eq!(floor(&[gpu, scone], None, Tag::NONE), Some(Tag::NONE));
        assert_eq!(floor(&[gpu], None, Tag::NONE), Some(Tag::GPU));
        // A TEE dataset needs a TEE app too.
        assert_eq!(floor(&[plain], Some(&[scone]), Tag::NONE), None);
        assert_eq!(floor(&[plain, scone], Some(&[scone]), Tag::NONE), Some(Tag::TEE_SCONE));
        // Pairs that fit ask different bits: only the common ones bind every pool.
        assert_eq!(floor(&[plain, scone], Some(&[gpu, scone]), Tag::NONE), Some(Tag::NONE));
    }
}
