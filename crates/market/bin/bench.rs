//! `market-bench`: the market under load, figures to `bench-results/market.json` (and `.md`).
//!
//! 1. Loads `--orders` open orders (1,000,000 by default) into a fresh SQLite book, spread over
//!    many apps, datasets, pools (with metadata), categories, tags and requesters.
//! 2. Best match: random requests (app, maybe a dataset, category, trust, tag, max prices),
//!    latency p50/p99.
//! 3. Filtered listings: random filters on each book (page of 100), latency p50/p99.
//! 4. Publication throughput through the whole check path (EIP-712 signature recovery, owner,
//!    consumption and balance read from an in-process devchain, insertion into the 1M-order
//!    book), `--concurrency` publications in flight.

use alloy::{
    network::EthereumWallet,
    primitives::{Address, B256, Bytes, U256, keccak256},
    providers::{Provider, ProviderBuilder},
};
use clap::Parser;
use eyre::WrapErr;
use poco_contracts::bindings::AppRegistry;
use poco_market::{
    Limits, Market, Store, chain::ChainView, orders::BookOrder, service::now_ms, store::NewOrder,
};
use poco_market_api::{Book, BookQuery, MatchQuery, PoolMetadata, PublishRequest};
use poco_primitives::{
    AppOrder, DatasetOrder, RequestOrder, SignedOrder, Tag, WorkerpoolOrder, poco_domain,
    sign_order,
};
use serde::Serialize;
use std::{
    path::PathBuf,
    sync::Arc,
    time::{Duration, Instant},
};

/// Benchmark of the market: 1M orders in SQLite; best match, listings, publications.
#[derive(Debug, Parser)]
#[command(name = "market-bench", version, about)]
struct Args {
    /// Open orders loaded before measuring.
    #[arg(long, default_value_t = 1_000_000)]
    orders: u64,
    /// Best-match and listing queries measured (each).
    #[arg(long, default_value_t = 2_000)]
    queries: usize,
    /// Orders published (with every check) to measure throughput.
    #[arg(long, default_value_t = 4_000)]
    publishes: usize,
    /// Publications in flight.
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
    /// Keep the SQLite database in this folder (default: a temporary folder, removed at the
    /// end). A folder holding a book of at least `--orders` open orders from an earlier run
    /// is reused as it is: the load is skipped.
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// Where the JSON figures go (a Markdown summary is written beside it).
    #[arg(long, default_value = "bench-results/market.json")]
    out: PathBuf,
}

/// A small deterministic generator (xorshift), so runs are comparable.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

const APPS: u64 = 2_000;
const DATASETS: u64 = 1_000;
const POOLS: u64 = 200;
const REQUESTERS: u64 = 5_000;
const REGIONS: [&str; 4] = ["eu-west", "us-east", "ap-south", "sa-east"];
const ENERGIES: [&str; 3] = ["solar", "hydro", "grid"];
const HARDWARE: [&str; 3] = ["cpu", "gpu", "sgx"];

fn fake(kind: u8, i: u64) -> Address {
    let mut bytes = [0u8; 20];
    bytes[0] = kind;
    bytes[12..].copy_from_slice(&i.to_be_bytes());
    Address::from(bytes)
}

fn tag(rng: &mut Rng) -> Tag {
    match rng.below(10) {
        0 => Tag::TEE_SCONE,
        1 => Tag::GPU,
        2 => Tag::TEE,
        _ => Tag::NONE,
    }
}

fn restriction(rng: &mut Rng, kind: u8, n: u64) -> Address {
    if rng.chance(85) { Address::ZERO } else { fake(kind, rng.below(n)) }
}

fn new_order<O: BookOrder>(
    order: O,
    signer: Address,
    pool: Option<PoolMetadata>,
    published_at: i64,
) -> NewOrder {
    let signed = SignedOrder::new(order, Bytes::from(vec![0x1b; 65]));
    let domain = poco_domain(31337, Address::repeat_byte(0xee));
    NewOrder {
        hash: signed.hash(&domain),
        book: O::BOOK,
        signer,
        columns: signed.order.columns(),
        volume: signed.order.volume(),
        consumed: U256::ZERO,
        published_at,
        pool,
        body: serde_json::to_string(&signed).unwrap_or_default(),
    }
}

fn random_order(rng: &mut Rng, i: u64) -> NewOrder {
    let salt = B256::from(U256::from(i));
    let volume = U256::from(1 + rng.below(100));
    let published = 1_700_000_000_000 + i64::try_from(i).unwrap_or(0);
    match rng.below(10) {
        0..=2 => {
            let app = rng.below(APPS);
            new_order(
                AppOrder {
                    app: fake(1, app),
                    appprice: U256::from(rng.below(1_000)),
                    volume,
                    tag: tag(rng).0,
                    datasetrestrict: restriction(rng, 2, DATASETS),
                    workerpoolrestrict: restriction(rng, 3, POOLS),
                    requesterrestrict: restriction(rng, 4, REQUESTERS),
                    salt,
                },
                fake(9, app),
                None,
                published,
            )
        }
        3..=4 => {
            let dataset = rng.below(DATASETS);
            new_order(
                DatasetOrder {
                    dataset: fake(2, dataset),
                    datasetprice: U256::from(rng.below(1_000)),
                    volume,
                    tag: tag(rng).0,
                    apprestrict: restriction(rng, 1, APPS),
                    workerpoolrestrict: restriction(rng, 3, POOLS),
                    requesterrestrict: restriction(rng, 4, REQUESTERS),
                    salt,
                },
                fake(8, dataset),
                None,
                published,
            )
        }
        5..=8 => {
            let pool = rng.below(POOLS);
            let metadata = PoolMetadata {
                region: Some(REGIONS[(pool % 4) as usize].into()),
                energy: Some(ENERGIES[(pool % 3) as usize].into()),
                hardware: Some(HARDWARE[(pool % 3) as usize].into()),
            };
            new_order(
                WorkerpoolOrder {
                    workerpool: fake(3, pool),
                    workerpoolprice: U256::from(rng.below(10_000)),
                    volume,
                    tag: (tag(rng) | Tag::TEE_SCONE).0,
                    category: U256::from(rng.below(5)),
                    trust: U256::from(rng.below(10)),
                    apprestrict: restriction(rng, 1, APPS),
                    datasetrestrict: restriction(rng, 2, DATASETS),
                    requesterrestrict: restriction(rng, 4, REQUESTERS),
                    salt,
                },
                fake(7, pool),
                Some(metadata),
                published,
            )
        }
        _ => {
            let requester = fake(4, rng.below(REQUESTERS));
            new_order(
                RequestOrder {
                    app: fake(1, rng.below(APPS)),
                    appmaxprice: U256::from(rng.below(1_000)),
                    dataset: if rng.chance(50) {
                        fake(2, rng.below(DATASETS))
                    } else {
                        Address::ZERO
                    },
                    datasetmaxprice: U256::from(rng.below(1_000)),
                    workerpool: Address::ZERO,
                    workerpoolmaxprice: U256::from(rng.below(10_000)),
                    requester,
                    volume,
                    tag: tag(rng).0,
                    category: U256::from(rng.below(5)),
                    trust: U256::from(rng.below(10)),
                    beneficiary: requester,
                    callback: Address::ZERO,
                    params: "{\"iexec_args\":\"bench\"}".into(),
                    salt,
                },
                requester,
                None,
                published,
            )
        }
    }
}

#[derive(Debug, Serialize)]
struct Latency {
    count: usize,
    p50_ms: f64,
    p99_ms: f64,
    max_ms: f64,
}

fn latency(mut samples: Vec<Duration>) -> Latency {
    samples.sort();
    let at = |q: f64| {
        let index = ((samples.len() as f64 - 1.0) * q).round() as usize;
        samples.get(index).map_or(0.0, |d| d.as_secs_f64() * 1e3)
    };
    Latency { count: samples.len(), p50_ms: at(0.5), p99_ms: at(0.99), max_ms: at(1.0) }
}

#[derive(Debug, Serialize)]
struct Figures {
    machine: String,
    database: &'static str,
    open_orders: u64,
    /// The book came from an earlier run (`--data-dir`): `load_seconds` is then only the time
    /// to generate the orders again, not to load them.
    reused_book: bool,
    load_seconds: f64,
    best_match: Latency,
    best_match_found: usize,
    list: Latency,
    publish: PublishFigures,
    targets: Targets,
}

#[derive(Debug, Serialize)]
struct PublishFigures {
    orders: usize,
    concurrency: usize,
    seconds: f64,
    per_second: f64,
    latency: Latency,
}

#[derive(Debug, Serialize)]
struct Targets {
    p99_ms_at_most: f64,
    publishes_per_second_at_least: f64,
    best_match_p99_met: bool,
    list_p99_met: bool,
    publish_rate_met: bool,
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> eyre::Result<()> {
    let args = Args::parse();
    let (dir, temporary) = match &args.data_dir {
        Some(dir) => (dir.clone(), false),
        None => (tempfile_dir()?, true),
    };
    std::fs::create_dir_all(&dir)?;
    let store = Arc::new(Store::connect(&Store::sqlite_url(&dir)).await?);

    // 1. Load (the generator runs either way: the queries below continue its sequence).
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut open = 0;
    for book in [Book::App, Book::Dataset, Book::Workerpool, Book::Request] {
        open += store.count_open(book).await?;
    }
    let reuse = u64::try_from(open).unwrap_or(0) >= args.orders;
    eprintln!(
        "{} {} orders into SQLite...",
        if reuse { "reusing the book, generating" } else { "loading" },
        args.orders
    );
    let started = Instant::now();
    let mut batch = Vec::with_capacity(10_000);
    for i in 0..args.orders {
        batch.push(random_order(&mut rng, i));
        if batch.len() == 10_000 {
            if !reuse {
                store.insert_many(&batch).await?;
            }
            batch.clear();
        }
    }
    if !reuse {
        store.insert_many(&batch).await?;
    }
    let load_seconds = started.elapsed().as_secs_f64();
    eprintln!("done in {load_seconds:.1} s");
    sqlx::query("ANALYZE").execute(store.pool()).await?;

    // The chain, for the market's checks and the publications.
    let devchain = poco_devchain::spawn(poco_devchain::DevChainConfig::test()).await?;
    let deployment =
        *devchain.deployment().ok_or_else(|| eyre::eyre!("no protocol on the devchain"))?;
    let keys: Vec<_> = devchain.dev_accounts().iter().map(|a| a.signer.clone()).collect();
    let url: url::Url = devchain.http_endpoint().parse()?;
    let config = poco_chain::ChainConfig::new(url.clone(), devchain.chain_id());
    let client = poco_chain::ChainClient::connect(config).await?;
    let chain = Arc::new(ChainView::connect(client, deployment.hub).await?);
    let market = Market::new(Arc::clone(&store), chain, Limits { max_open_orders: u32::MAX });

    // 2. Best match.
    let mut samples = Vec::with_capacity(args.queries);
    let mut found = 0;
    for _ in 0..args.queries {
        let query = MatchQuery {
            app: fake(1, rng.below(APPS)),
            dataset: rng.chance(30).then(|| fake(2, rng.below(DATASETS))),
            requester: Some(fake(4, rng.below(REQUESTERS))),
            category: rng.below(5),
            trust: Some(rng.below(5)),
            tag: Some(if rng.chance(20) { Tag::TEE_SCONE } else { Tag::NONE }),
            app_max_price: Some(500 + rng.below(500)),
            dataset_max_price: Some(500 + rng.below(500)),
            workerpool_max_price: Some(2_000 + rng.below(8_000)),
            workerpool: None,
        };
        let started = Instant::now();
        let answer = market.best_match(query).await?;
        samples.push(started.elapsed());
        found += usize::from(answer.best.is_some());
    }
    let best_match = latency(samples);
    eprintln!("best match: {best_match:?}, {found} found");

    // 3. Filtered listings.
    let mut samples = Vec::with_capacity(args.queries);
    for i in 0..args.queries {
        let started = Instant::now();
        match i % 4 {
            0 => {
                let query = BookQuery {
                    app: Some(fake(1, rng.below(APPS))),
                    requester: Some(fake(4, rng.below(REQUESTERS))),
                    max_price: Some(rng.below(1_000)),
                    ..BookQuery::default()
                };
                market.list::<AppOrder>(query).await?;
            }
            1 => {
                let query = BookQuery {
                    category: Some(rng.below(5)),
                    min_trust: Some(rng.below(10)),
                    region: Some(REGIONS[rng.below(4) as usize].into()),
                    energy: rng.chance(50).then(|| ENERGIES[rng.below(3) as usize].into()),
                    min_tag: Some(Tag::TEE),
                    max_price: Some(1_000 + rng.below(9_000)),
                    ..BookQuery::default()
                };
                market.list::<WorkerpoolOrder>(query).await?;
            }
            2 => {
                let query = BookQuery {
                    dataset: Some(fake(2, rng.below(DATASETS))),
                    min_volume: Some(rng.below(50)),
                    ..BookQuery::default()
                };
                market.list::<DatasetOrder>(query).await?;
            }
            _ => {
                let query = BookQuery {
                    category: Some(rng.below(5)),
                    max_trust: Some(rng.below(10)),
                    min_price: Some(rng.below(5_000)),
                    ..BookQuery::default()
                };
                market.list::<RequestOrder>(query).await?;
            }
        }
        samples.push(started.elapsed());
    }
    let list = latency(samples);
    eprintln!("lists: {list:?}");

    // 4. Publications with every check: a real app on the devchain, orders signed by its owner.
    let wallet = EthereumWallet::from(keys[1].clone());
    let provider = ProviderBuilder::new().wallet(wallet).connect_http(url).erased();
    let owner = keys[1].address();
    let registry = AppRegistry::new(deployment.app_registry, provider.clone());
    let create = registry.createApp(
        owner,
        "bench app".into(),
        "DOCKER".into(),
        Bytes::from_static(b"docker.io/bench/app:1"),
        keccak256("bench"),
        Bytes::new(),
    );
    let app = create.clone().from(owner).call().await?;
    create.from(owner).send().await?.get_receipt().await?;
    let domain = poco_domain(devchain.chain_id(), deployment.hub);
    // Salts unique to this run: a reused book already holds the last run's orders.
    let run = U256::from(u64::try_from(now_ms()).unwrap_or(0)) << 64;
    let orders: Vec<SignedOrder<AppOrder>> = (0..args.publishes)
        .map(|i| {
            let order = AppOrder {
                app,
                appprice: U256::from(i % 1000),
                volume: U256::from(10),
                salt: B256::from(run | U256::from(i)),
                ..AppOrder::default()
            };
            sign_order(&keys[1], order, &domain)
        })
        .collect::<Result<_, _>>()?;
    let started = Instant::now();
    let queue = Arc::new(tokio::sync::Mutex::new(orders.into_iter()));
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..args.concurrency {
        let queue = Arc::clone(&queue);
        let market = market.clone();
        workers.spawn(async move {
            let mut samples = Vec::new();
            loop {
                let Some(order) = queue.lock().await.next() else { break };
                let begun = Instant::now();
                market
                    .publish(PublishRequest { order, signer: None })
                    .await
                    .map_err(|error| eyre::eyre!("publication refused: {error}"))?;
                samples.push(begun.elapsed());
            }
            Ok::<_, eyre::Report>(samples)
        });
    }
    let mut samples = Vec::new();
    while let Some(done) = workers.join_next().await {
        samples.extend(done.wrap_err("publisher task")??);
    }
    let seconds = started.elapsed().as_secs_f64();
    let per_second = samples.len() as f64 / seconds;
    let publish = PublishFigures {
        orders: samples.len(),
        concurrency: args.concurrency,
        seconds,
        per_second,
        latency: latency(samples),
    };
    eprintln!("publish: {publish:?}");
    let open = store.count_open(Book::App).await?;
    eprintln!("app orders open after the run: {open} (published at {})", now_ms());

    let figures = Figures {
        machine: format!("{} cores", std::thread::available_parallelism().map_or(0, usize::from)),
        database: "sqlite",
        open_orders: args.orders,
        reused_book: reuse,
        load_seconds,
        best_match_found: found,
        targets: Targets {
            p99_ms_at_most: 5.0,
            publishes_per_second_at_least: 2_000.0,
            best_match_p99_met: best_match.p99_ms <= 5.0,
            list_p99_met: list.p99_ms <= 5.0,
            publish_rate_met: publish.per_second >= 2_000.0,
        },
        best_match,
        list,
        publish,
    };
    if let Some(parent) = args.out.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(&args.out, serde_json::to_string_pretty(&figures)? + "\n")?;
    let md = format!(
        "# market benchmark\n\n`cargo run --release -p poco-market --features bench --bin market-bench` on {machine}, SQLite, {orders} open orders ({loaded}).\n\n\
         | measure | p50 | p99 | target |\n| --- | ---: | ---: | --- |\n\
         | best match ({bm_n} random requests, {found} matched) | {bm50:.2} ms | {bm99:.2} ms | p99 ≤ 5 ms: {bm_ok} |\n\
         | filtered list, page of 100 ({l_n} queries over the four books) | {l50:.2} ms | {l99:.2} ms | p99 ≤ 5 ms: {l_ok} |\n\
         | publish with every check ({p_n} app orders, {conc} in flight) | {p50:.2} ms | {p99:.2} ms | — |\n\n\
         Publication throughput: **{rate:.0} orders/s** (target ≥ 2,000/s: {p_ok}); each publication recovers the EIP-712 signature and reads owner, consumption and balance from an in-process devchain over HTTP JSON-RPC, then writes into the {orders}-order book.\n",
        machine = figures.machine,
        orders = figures.open_orders,
        loaded = if figures.reused_book {
            "a book loaded by an earlier run, reused with `--data-dir`".to_owned()
        } else {
            format!("loaded in {:.0} s", figures.load_seconds)
        },
        bm_n = figures.best_match.count,
        found = figures.best_match_found,
        bm50 = figures.best_match.p50_ms,
        bm99 = figures.best_match.p99_ms,
        bm_ok = yes(figures.targets.best_match_p99_met),
        l_n = figures.list.count,
        l50 = figures.list.p50_ms,
        l99 = figures.list.p99_ms,
        l_ok = yes(figures.targets.list_p99_met),
        p_n = figures.publish.orders,
        conc = figures.publish.concurrency,
        p50 = figures.publish.latency.p50_ms,
        p99 = figures.publish.latency.p99_ms,
        rate = figures.publish.per_second,
        p_ok = yes(figures.targets.publish_rate_met),
    );
    std::fs::write(args.out.with_extension("md"), md)?;
    println!("{}", serde_json::to_string_pretty(&figures)?);
    store.close_pool().await;
    drop(provider);
    let _ = devchain.shutdown().await;
    if temporary {
        let _ = std::fs::remove_dir_all(&dir);
    }
    Ok(())
}

fn yes(met: bool) -> &'static str {
    if met { "met" } else { "**not met**" }
}

fn tempfile_dir() -> eyre::Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("poco-market-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
