//! Best match, as a property: on random books and random requests, every answer passes
//! `matchOrders` on the devchain (simulated with `eth_call`, the requester signing the request),
//! and when the market answers "none", the chain itself refuses every combination of the
//! published orders (brute force).

use crate::{
    APP_OWNER, DATASET_OWNER, Db, Env, REQUESTER, SCHEDULER, abi_app, abi_dataset, abi_pool,
    abi_request,
};
use alloy::primitives::{Address, U256};
use poco_market_api::{Book, MatchQuery, UnpublishTarget};
use poco_primitives::{AppOrder, DatasetOrder, RequestOrder, SignedOrder, Tag, WorkerpoolOrder};
use proptest::{
    prelude::*,
    test_runner::{Config, RngAlgorithm, TestRng, TestRunner},
};

#[test]
fn best_match_is_matchable_and_none_is_confirmed_sqlite() {
    property(Db::Sqlite);
}

#[test]
fn best_match_is_matchable_and_none_is_confirmed_postgres() {
    if crate::postgres_url().is_some() {
        property(Db::Postgres);
    }
}

/// Which address a restriction names: none, the right one, the other pool, or a stranger.
#[derive(Clone, Copy, Debug)]
enum Pick {
    Zero,
    Right,
    Other,
    Stranger,
}

fn pick() -> impl Strategy<Value = Pick> {
    prop_oneof![8 => Just(Pick::Zero), 2 => Just(Pick::Right), 1 => Just(Pick::Other), 1 => Just(Pick::Stranger)]
}

fn tag() -> impl Strategy<Value = Tag> {
    prop_oneof![
        8 => Just(Tag::NONE),
        1 => Just(Tag::TEE),
        1 => Just(Tag::TEE_SCONE),
        1 => Just(Tag::GPU),
    ]
}

#[derive(Clone, Debug)]
struct AppSpec {
    price: u64,
    dataset: Pick,
    pool: Pick,
    requester: Pick,
    tag: Tag,
}
#[derive(Clone, Debug)]
struct DatasetSpec {
    price: u64,
    app: Pick,
    pool: Pick,
    requester: Pick,
    tag: Tag,
}
#[derive(Clone, Debug)]
struct PoolSpec {
    second: bool,
    price: u64,
    category: u64,
    trust: u64,
    app: Pick,
    dataset: Pick,
    requester: Pick,
    tag: Tag,
}
#[derive(Clone, Debug)]
struct QuerySpec {
    dataset: bool,
    category: u64,
    trust: u64,
    tag: Tag,
    app_max: Option<u64>,
    dataset_max: Option<u64>,
    pool_max: Option<u64>,
    pool: Option<bool>,
    requester: bool,
}

#[derive(Clone, Debug)]
struct Case {
    apps: Vec<AppSpec>,
    datasets: Vec<DatasetSpec>,
    pools: Vec<PoolSpec>,
    query: QuerySpec,
}

fn case() -> impl Strategy<Value = Case> {
    let app = (1..6u64, pick(), pick(), pick(), tag()).prop_map(
        |(price, dataset, pool, requester, tag)| AppSpec { price, dataset, pool, requester, tag },
    );
    let dataset =
        (0..4u64, pick(), pick(), pick(), tag()).prop_map(|(price, app, pool, requester, tag)| {
            DatasetSpec { price, app, pool, requester, tag }
        });
    let pool = (any::<bool>(), 1..8u64, prop_oneof![3 => Just(0u64), 1 => Just(1u64)], 0..4u64, (pick(), pick(), pick()), prop_oneof![2 => Just(Tag::NONE), 1 => Just(Tag::TEE_SCONE), 1 => Just(Tag::TEE_SCONE | Tag::GPU), 1 => Just(Tag::GPU)])
        .prop_map(|(second, price, category, trust, (app, dataset, requester), tag)| PoolSpec { second, price, category, trust, app, dataset, requester, tag });
    let query = (
        any::<bool>(),
        prop_oneof![3 => Just(0u64), 1 => Just(1u64)],
        0..3u64,
        tag(),
        proptest::option::of(1..6u64),
        proptest::option::of(0..4u64),
        proptest::option::of(1..8u64),
        proptest::option::weighted(0.2, any::<bool>()),
        proptest::bool::weighted(0.8),
    )
        .prop_map(
            |(dataset, category, trust, tag, app_max, dataset_max, pool_max, pool, requester)| {
                QuerySpec {
                    dataset,
                    category,
                    trust,
                    tag,
                    app_max,
                    dataset_max,
                    pool_max,
                    pool,
                    requester,
                }
            },
        );
    (
        proptest::collection::vec(app, 0..6),
        proptest::collection::vec(dataset, 0..4),
        proptest::collection::vec(pool, 0..6),
        query,
    )
        .prop_map(|(apps, datasets, pools, query)| Case { apps, datasets, pools, query })
}

fn property(db: Db) {
    let runtime =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let env = runtime.block_on(Env::new(db));
    // A fixed seed and enough cases that both answers always occur: compatible sets are rare in
    // random books (about one case in 24), and a property that may not see them is no test.
    let mut runner = TestRunner::new_with_rng(
        Config { cases: 96, failure_persistence: None, ..Config::default() },
        TestRng::deterministic_rng(RngAlgorithm::ChaCha),
    );
    let found = std::sync::atomic::AtomicU32::new(0);
    let none = std::sync::atomic::AtomicU32::new(0);
    runner
        .run(&case(), |case| {
            let answered = runtime.block_on(check(&env, &case));
            let counter = if answered { &found } else { &none };
            counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            Ok(())
        })
        .unwrap();
    let (found, none) = (found.into_inner(), none.into_inner());
    eprintln!("best match property on {db:?}: {found} matches, {none} confirmed none");
    assert!(found > 0 && none > 0, "the cases exercised both answers ({found} found, {none} none)");
}

fn resolve(env: &Env, pick: Pick, right: Address, other: Address) -> Address {
    match pick {
        Pick::Zero => Address::ZERO,
        Pick::Right => right,
        Pick::Other => other,
        Pick::Stranger => env.address(crate::STRANGER),
    }
}

/// Publishes the case's books (after clearing the previous case's), asks for the best match and
/// checks the answer against the chain. Returns whether a match was found.
async fn check(env: &Env, case: &Case) -> bool {
    let store = env.market.store();
    for (book, signer) in
        [(Book::App, APP_OWNER), (Book::Dataset, DATASET_OWNER), (Book::Workerpool, SCHEDULER)]
    {
        store.unpublish(book, env.address(signer), UnpublishTarget::All, None, None).await.unwrap();
    }
    let requester = env.address(REQUESTER);
    let mut apps = Vec::new();
    for spec in &case.apps {
        let order = AppOrder {
            appprice: U256::from(spec.price),
            datasetrestrict: resolve(env, spec.dataset, env.dataset, Address::repeat_byte(0x44)),
            workerpoolrestrict: resolve(env, spec.pool, env.pool, env.pool2),
            requesterrestrict: resolve(env, spec.requester, requester, Address::repeat_byte(0x45)),
            tag: spec.tag.0,
            ..env.app_order(0)
        };
        let signed = env.sign(APP_OWNER, order);
        env.publish("app", &signed).await;
        apps.push(signed);
    }
    let mut datasets = Vec::new();
    for spec in &case.datasets {
        let order = DatasetOrder {
            datasetprice: U256::from(spec.price),
            apprestrict: resolve(env, spec.app, env.app, Address::repeat_byte(0x46)),
            workerpoolrestrict: resolve(env, spec.pool, env.pool, env.pool2),
            requesterrestrict: resolve(env, spec.requester, requester, Address::repeat_byte(0x47)),
            tag: spec.tag.0,
            ..env.dataset_order(0)
        };
        let signed = env.sign(DATASET_OWNER, order);
        env.publish("dataset", &signed).await;
        datasets.push(signed);
    }
    let mut pools = Vec::new();
    for spec in &case.pools {
        let order = WorkerpoolOrder {
            workerpool: if spec.second { env.pool2 } else { env.pool },
            workerpoolprice: U256::from(spec.price),
            category: U256::from(spec.category),
            trust: U256::from(spec.trust),
            apprestrict: resolve(env, spec.app, env.app, Address::repeat_byte(0x48)),
            datasetrestrict: resolve(env, spec.dataset, env.dataset, Address::repeat_byte(0x49)),
            requesterrestrict: resolve(env, spec.requester, requester, Address::repeat_byte(0x4a)),
            tag: spec.tag.0,
            ..env.pool_order(0)
        };
        let signed = env.sign(SCHEDULER, order);
        env.publish("workerpool", &signed).await;
        pools.push(signed);
    }

    let q = &case.query;
    let query = MatchQuery {
        app: env.app,
        dataset: q.dataset.then_some(env.dataset),
        requester: q.requester.then_some(requester),
        category: q.category,
        trust: Some(q.trust),
        tag: Some(q.tag),
        app_max_price: q.app_max,
        dataset_max_price: q.dataset_max,
        workerpool_max_price: q.pool_max,
        workerpool: q.pool.map(|second| if second { env.pool2 } else { env.pool }),
    };
    // Without `requester`, the market only proposes orders open to anyone; the request is then
    // signed by the requester all the same (any requester must be able to use the answer).
    let request = env.sign(
        REQUESTER,
        RequestOrder {
            app: env.app,
            appmaxprice: U256::from(q.app_max.unwrap_or(1_000_000)),
            dataset: query.dataset.unwrap_or_default(),
            datasetmaxprice: U256::from(q.dataset_max.unwrap_or(1_000_000)),
            workerpool: query.workerpool.unwrap_or_default(),
            workerpoolmaxprice: U256::from(q.pool_max.unwrap_or(1_000_000)),
            category: U256::from(q.category),
            trust: U256::from(q.trust),
            tag: q.tag.0,
            volume: U256::from(1),
            ..env.request_order(REQUESTER)
        },
    );
    let answer = env.market.best_match(query.clone()).await.unwrap();
    let hub = env.hub();
    match answer.best {
        Some(best) => {
            let dataset = best.dataset.as_ref().map(|d| &d.order);
            let call = hub.matchOrders(
                abi_app(&best.app.order),
                abi_dataset(dataset),
                abi_pool(&best.workerpool.order),
                abi_request(&request),
            );
            if let Err(error) = call.from(requester).call().await {
                panic!(
                    "the best match does not pass matchOrders: {error}\ncase: {case:?}\nanswer: {best:?}"
                );
            }
            // And it is the cheapest: no compatible combination costs less.
            let cheaper = combinations(&apps, &datasets, &pools, query.dataset.is_some())
                .filter(|(a, d, w)| total(a, *d, w) < best.task_price)
                .collect::<Vec<_>>();
            for (a, d, w) in cheaper {
                let call =
                    hub.matchOrders(abi_app(a), abi_dataset(d), abi_pool(w), abi_request(&request));
                assert!(
                    call.from(requester).call().await.is_err() || !query_allows(&query, a, d, w),
                    "a cheaper set passes matchOrders\ncase: {case:?}"
                );
            }
            true
        }
        None => {
            for (a, d, w) in combinations(&apps, &datasets, &pools, query.dataset.is_some()) {
                let call =
                    hub.matchOrders(abi_app(a), abi_dataset(d), abi_pool(w), abi_request(&request));
                let passes = call.from(requester).call().await.is_ok();
                assert!(
                    !(passes && query_allows(&query, a, d, w)),
                    "the market found no match but this set passes matchOrders\ncase: {case:?}\napp {a:?}\ndataset {d:?}\npool {w:?}"
                );
            }
            false
        }
    }
}

/// Restrictions on the requester the chain cannot see: without `requester` in the query the
/// market only proposes orders open to every requester.
fn query_allows(
    query: &MatchQuery,
    a: &SignedOrder<AppOrder>,
    d: Option<&SignedOrder<DatasetOrder>>,
    w: &SignedOrder<WorkerpoolOrder>,
) -> bool {
    query.requester.is_some()
        || (a.requesterrestrict.is_zero()
            && d.is_none_or(|d| d.requesterrestrict.is_zero())
            && w.requesterrestrict.is_zero())
}

fn total(
    a: &SignedOrder<AppOrder>,
    d: Option<&SignedOrder<DatasetOrder>>,
    w: &SignedOrder<WorkerpoolOrder>,
) -> U256 {
    a.appprice + d.map_or(U256::ZERO, |d| d.datasetprice) + w.workerpoolprice
}

type Set<'a> = (
    &'a SignedOrder<AppOrder>,
    Option<&'a SignedOrder<DatasetOrder>>,
    &'a SignedOrder<WorkerpoolOrder>,
);

fn combinations<'a>(
    apps: &'a [SignedOrder<AppOrder>],
    datasets: &'a [SignedOrder<DatasetOrder>],
    pools: &'a [SignedOrder<WorkerpoolOrder>],
    with_dataset: bool,
) -> impl Iterator<Item = Set<'a>> {
    let datasets: Vec<Option<&'a SignedOrder<DatasetOrder>>> =
        if with_dataset { datasets.iter().map(Some).collect() } else { vec![None] };
    apps.iter().flat_map(move |a| {
        let datasets = datasets.clone();
        pools.iter().flat_map(move |w| datasets.clone().into_iter().map(move |d| (a, d, w)))
    })
}
