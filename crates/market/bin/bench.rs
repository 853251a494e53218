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
//!
//! `--phases` runs some of 2-4 only (the queries alone measure latency without the publisher's
//! load). Every phase reports the machine's load average and the CPU time the process spent
//! (the market, SQLite and the in-process devchain together), so figures taken while other
//! work shares the cores can be told apart.

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
    /// Phases to run, comma-separated (the queries of every phase are drawn either way, so a
    /// phase run alone measures the same requests as in a full run).
    #[arg(long, value_delimiter = ',', default_value = "match,list,publish")]
    phases: Vec<Phase>,
    /// Where the JSON figures go (a Markdown summary is written beside it; the notes below
    /// its `<!-- notes -->` line are kept).
    #[arg(long, default_value = "bench-results/market.json")]
    out: PathBuf,
}

/// A measured phase.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum Phase {
    /// Best match.
    Match,
    /// Filtered listings.
    List,
    /// Publications.
    Publish,
}

/// The machine's 1-minute load average (`/proc/loadavg`), if readable.
fn load_average() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/loadavg").ok()?;
    text.split_whitespace().next()?.parse().ok()
}

/// CPU time this process used so far (user + system, every thread), if readable.
fn cpu_seconds() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which may hold spaces) start after the last ')'.
    let fields: Vec<&str> = text.rsplit_once(')')?.1.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

/// The conditions of one phase.
#[derive(Debug, Serialize)]
struct Conditions {
    /// 1-minute load average when the phase started and when it ended.
    load_before: Option<f64>,
    load_after: Option<f64>,
    /// CPU seconds the process used during the phase.
    cpu_seconds: Option<f64>,
    /// Wall seconds of the phase.
    wall_seconds: f64,
}

/// Measures the conditions around a phase.
struct Meter {
    load: Option<f64>,
    cpu: Option<f64>,
    started: Instant,
}

impl Meter {
    fn start() -> Self {
        Self { load: load_average(), cpu: cpu_seconds(), started: Instant::now() }
    }

    fn stop(self) -> Conditions {
        Conditions {
            load_before: self.load,
            load_after: load_average(),
            cpu_seconds: cpu_seconds().zip(self.cpu).map(|(now, then)| now - then),
            wall_seconds: self.started.elapsed().as_secs_f64(),
        }
    }
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

/// The order as stored; `None` when only the generator's sequence is wanted (a reused book).
fn new_order<O: BookOrder>(
    build: bool,
    order: O,
    signer: Address,
    pool: Option<PoolMetadata>,
    published_at: i64,
) -> Option<NewOrder> {
    if !build {
        return None;
    }
    let signed = SignedOrder::new(order, Bytes::from(vec![0x1b; 65]));
    let domain = poco_domain(31337, Address::repeat_byte(0xee));
    Some(NewOrder {
        hash: signed.hash(&domain),
        book: O::BOOK,
        signer,
        columns: signed.order.columns(),
        volume: signed.order.volume(),
        consumed: U256::ZERO,
        published_at,
        pool,
        body: serde_json::to_string(&signed).unwrap_or_default(),
    })
}

/// Order `i` of the book (drawn either way; built, hashed and encoded only if `build`).
fn random_order(rng: &mut Rng, i: u64, build: bool) -> Option<NewOrder> {
    let salt = B256::from(U256::from(i));
    let volume = U256::from(1 + rng.below(100));
    let published = 1_700_000_000_000 + i64::try_from(i).unwrap_or(0);
    match rng.below(10) {
        0..=2 => {
            let app = rng.below(APPS);
            new_order(
                build,
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
                build,
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
                build,
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
                build,
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
    /// to draw the generator's sequence again.
    reused_book: bool,
    load_seconds: f64,
    /// Phases not run are absent (`--phases`).
    best_match: Option<MatchFigures>,
    list: Option<ListFigures>,
    publish: Option<PublishFigures>,
    targets: Targets,
}

#[derive(Debug, Serialize)]
struct MatchFigures {
    latency: Latency,
    found: usize,
    conditions: Conditions,
}

#[derive(Debug, Serialize)]
struct ListFigures {
    latency: Latency,
    conditions: Conditions,
}

#[derive(Debug, Serialize)]
struct PublishFigures {
    orders: usize,
    concurrency: usize,
    seconds: f64,
    per_second: f64,
    /// Process CPU time per publication (market, SQLite and devchain together).
    cpu_ms_per_order: Option<f64>,
    latency: Latency,
    conditions: Conditions,
    batching: Batching,
}

/// How the publications' chain reads and insertions were grouped.
#[derive(Debug, Serialize)]
struct Batching {
    /// `eth_call`s the checks asked for, sent (identical ones of a round once), and the requests
    /// that carried them.
    chain_calls_asked: u64,
    chain_calls_sent: u64,
    chain_requests: u64,
    /// Group commits, and the orders they wrote.
    group_commits: u64,
    orders_committed: u64,
}

/// Whether each target was met (`None`: the phase was not run).
#[derive(Debug, Serialize)]
struct Targets {
    p99_ms_at_most: f64,
    publishes_per_second_at_least: f64,
    best_match_p99_met: Option<bool>,
    list_p99_met: Option<bool>,
    publish_rate_met: Option<bool>,
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
        if reuse { "reusing the book of" } else { "loading" },
        args.orders
    );
    let started = Instant::now();
    let mut batch = Vec::with_capacity(10_000);
    for i in 0..args.orders {
        batch.extend(random_order(&mut rng, i, !reuse));
        if batch.len() == 10_000 {
            store.insert_many(&batch).await?;
            batch.clear();
        }
    }
    store.insert_many(&batch).await?;
    let load_seconds = started.elapsed().as_secs_f64();
    eprintln!("done in {load_seconds:.1} s");
    if !reuse {
        // The planner's statistics, kept in the book for later runs.
        sqlx::query("ANALYZE").execute(store.pool()).await?;
    }
    // The book's file is read once, so the queries find it in memory as they would on a server
    // that has been up a while (a reused book may have left the page cache since it was built).
    let started = Instant::now();
    let mut file = std::fs::File::open(dir.join("market.sqlite"))?;
    let warmed = std::io::copy(&mut file, &mut std::io::sink())?;
    eprintln!("read the book's {warmed} bytes in {:.1} s", started.elapsed().as_secs_f64());

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

    // The requests of phases 2 and 3, drawn in the order earlier versions drew them.
    let matches: Vec<MatchQuery> = (0..args.queries)
        .map(|_| MatchQuery {
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
        })
        .collect();
    let lists: Vec<(Book, BookQuery)> = (0..args.queries)
        .map(|i| match i % 4 {
            0 => (
                Book::App,
                BookQuery {
                    app: Some(fake(1, rng.below(APPS))),
                    requester: Some(fake(4, rng.below(REQUESTERS))),
                    max_price: Some(rng.below(1_000)),
                    ..BookQuery::default()
                },
            ),
            1 => (
                Book::Workerpool,
                BookQuery {
                    category: Some(rng.below(5)),
                    min_trust: Some(rng.below(10)),
                    region: Some(REGIONS[rng.below(4) as usize].into()),
                    energy: rng.chance(50).then(|| ENERGIES[rng.below(3) as usize].into()),
                    min_tag: Some(Tag::TEE),
                    max_price: Some(1_000 + rng.below(9_000)),
                    ..BookQuery::default()
                },
            ),
            2 => (
                Book::Dataset,
                BookQuery {
                    dataset: Some(fake(2, rng.below(DATASETS))),
                    min_volume: Some(rng.below(50)),
                    ..BookQuery::default()
                },
            ),
            _ => (
                Book::Request,
                BookQuery {
                    category: Some(rng.below(5)),
                    max_trust: Some(rng.below(10)),
                    min_price: Some(rng.below(5_000)),
                    ..BookQuery::default()
                },
            ),
        })
        .collect();

    // 2. Best match.
    let best_match = if args.phases.contains(&Phase::Match) {
        let meter = Meter::start();
        let mut samples = Vec::with_capacity(matches.len());
        let mut found = 0;
        let mut slowest: Vec<(Duration, MatchQuery)> = Vec::new();
        for query in matches {
            let started = Instant::now();
            let answer = market.best_match(query.clone()).await?;
            let elapsed = started.elapsed();
            samples.push(elapsed);
            found += usize::from(answer.best.is_some());
            slowest.push((elapsed, query));
            slowest.sort_by_key(|(elapsed, _)| std::cmp::Reverse(*elapsed));
            slowest.truncate(5);
        }
        for (elapsed, query) in &slowest {
            eprintln!("slow best match ({elapsed:?}): {query:?}");
        }
        let figures = MatchFigures { latency: latency(samples), found, conditions: meter.stop() };
        eprintln!("best match: {figures:?}");
        Some(figures)
    } else {
        None
    };

    // 3. Filtered listings.
    let list = if args.phases.contains(&Phase::List) {
        let meter = Meter::start();
        let mut samples = Vec::with_capacity(lists.len());
        for (book, query) in lists {
            let started = Instant::now();
            match book {
                Book::App => drop(market.list::<AppOrder>(query).await?),
                Book::Workerpool => drop(market.list::<WorkerpoolOrder>(query).await?),
                Book::Dataset => drop(market.list::<DatasetOrder>(query).await?),
                Book::Request => drop(market.list::<RequestOrder>(query).await?),
            }
            samples.push(started.elapsed());
        }
        let figures = ListFigures { latency: latency(samples), conditions: meter.stop() };
        eprintln!("lists: {figures:?}");
        Some(figures)
    } else {
        None
    };

    // 4. Publications with every check: a real app on the devchain, orders signed by its owner.
    let publish = if args.phases.contains(&Phase::Publish) {
        let figures = publish_phase(&market, &devchain, &keys[1], &url, &args).await?;
        eprintln!("publish: {figures:?}");
        let open = store.count_open(Book::App).await?;
        eprintln!("app orders open after the run: {open} (published at {})", now_ms());
        Some(figures)
    } else {
        None
    };

    let p99_met = |latency: Option<&Latency>| latency.map(|l| l.p99_ms <= 5.0);
    let targets = Targets {
        p99_ms_at_most: 5.0,
        publishes_per_second_at_least: 2_000.0,
        best_match_p99_met: p99_met(best_match.as_ref().map(|m| &m.latency)),
        list_p99_met: p99_met(list.as_ref().map(|l| &l.latency)),
        publish_rate_met: publish.as_ref().map(|p| p.per_second >= 2_000.0),
    };
    let figures = Figures {
        machine: format!("{} cores", std::thread::available_parallelism().map_or(0, usize::from)),
        database: "sqlite",
        open_orders: args.orders,
        reused_book: reuse,
        load_seconds,
        best_match,
        list,
        publish,
        targets,
    };
    if let Some(parent) = args.out.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(&args.out, serde_json::to_string_pretty(&figures)? + "\n")?;
    let md_path = args.out.with_extension("md");
    let notes = std::fs::read_to_string(&md_path)
        .ok()
        .and_then(|text| text.find(NOTES).map(|at| text[at..].to_owned()));
    let mut md = summary(&figures);
    if let Some(notes) = notes {
        md.push('\n');
        md.push_str(&notes);
    }
    std::fs::write(&md_path, md)?;
    println!("{}", serde_json::to_string_pretty(&figures)?);
    store.close_pool().await;
    let _ = devchain.shutdown().await;
    if temporary {
        let _ = std::fs::remove_dir_all(&dir);
    }
    Ok(())
}

/// The line of the Markdown summary after which hand-written notes start (kept across runs).
const NOTES: &str = "<!-- notes -->";

/// Phase 4 (see the module docs).
async fn publish_phase(
    market: &Market,
    devchain: &poco_devchain::DevChainHandle,
    key: &alloy::signers::local::PrivateKeySigner,
    url: &url::Url,
    args: &Args,
) -> eyre::Result<PublishFigures> {
    let deployment =
        *devchain.deployment().ok_or_else(|| eyre::eyre!("no protocol on the devchain"))?;
    let wallet = EthereumWallet::from(key.clone());
    let provider = ProviderBuilder::new().wallet(wallet).connect_http(url.clone()).erased();
    let owner = key.address();
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
            sign_order(key, order, &domain)
        })
        .collect::<Result<_, _>>()?;
    let calls_before = market.chain().call_stats();
    let commits_before = market.store().group_commits();
    let meter = Meter::start();
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
    let conditions = meter.stop();
    let cpu_ms_per_order =
        conditions.cpu_seconds.map(|cpu| cpu * 1e3 / samples.len().max(1) as f64);
    let calls = market.chain().call_stats();
    let commits = market.store().group_commits();
    let batching = Batching {
        chain_calls_asked: calls.asked - calls_before.asked,
        chain_calls_sent: calls.sent - calls_before.sent,
        chain_requests: calls.requests - calls_before.requests,
        group_commits: commits.0 - commits_before.0,
        orders_committed: commits.1 - commits_before.1,
    };
    Ok(PublishFigures {
        orders: samples.len(),
        concurrency: args.concurrency,
        seconds,
        per_second,
        cpu_ms_per_order,
        latency: latency(samples),
        conditions,
        batching,
    })
}

/// The Markdown summary of a run.
fn summary(figures: &Figures) -> String {
    let mut md = format!(
        "# market benchmark\n\n`cargo run --release -p poco-market --features bench --bin market-bench` on {machine}, SQLite, {orders} open orders ({loaded}).\n\n\
         | measure | p50 | p99 | target | load average (start → end) | process CPU |\n| --- | ---: | ---: | --- | --- | ---: |\n",
        machine = figures.machine,
        orders = figures.open_orders,
        loaded = if figures.reused_book {
            "a book loaded by an earlier run, reused with `--data-dir`".to_owned()
        } else {
            format!("loaded in {:.0} s", figures.load_seconds)
        },
    );
    let load = |c: &Conditions| {
        let show = |v: Option<f64>| v.map_or("?".to_owned(), |v| format!("{v:.2}"));
        format!("{} → {}", show(c.load_before), show(c.load_after))
    };
    let cpu = |c: &Conditions| {
        c.cpu_seconds.map_or("?".to_owned(), |cpu| {
            format!("{cpu:.1} s in {:.1} s ({:.0} %)", c.wall_seconds, 100.0 * cpu / c.wall_seconds)
        })
    };
    let yes = |met: Option<bool>| match met {
        Some(true) => "met",
        Some(false) => "**not met**",
        None => "not run",
    };
    if let Some(m) = &figures.best_match {
        md += &format!(
            "| best match ({} random requests, {} matched) | {:.2} ms | {:.2} ms | p99 ≤ 5 ms: {} | {} | {} |\n",
            m.latency.count,
            m.found,
            m.latency.p50_ms,
            m.latency.p99_ms,
            yes(figures.targets.best_match_p99_met),
            load(&m.conditions),
            cpu(&m.conditions),
        );
    }
    if let Some(l) = &figures.list {
        md += &format!(
            "| filtered list, page of 100 ({} queries over the four books) | {:.2} ms | {:.2} ms | p99 ≤ 5 ms: {} | {} | {} |\n",
            l.latency.count,
            l.latency.p50_ms,
            l.latency.p99_ms,
            yes(figures.targets.list_p99_met),
            load(&l.conditions),
            cpu(&l.conditions),
        );
    }
    if let Some(p) = &figures.publish {
        md += &format!(
            "| publish with every check ({} app orders, {} in flight) | {:.2} ms | {:.2} ms | — | {} | {} |\n",
            p.orders,
            p.concurrency,
            p.latency.p50_ms,
            p.latency.p99_ms,
            load(&p.conditions),
            cpu(&p.conditions),
        );
        md += &format!(
            "\nPublication throughput: **{:.0} orders/s** (target ≥ 2,000/s: {}), {} ms of process CPU per order; each publication recovers the EIP-712 signature and reads owner, consumption and balance from an in-process devchain over HTTP JSON-RPC, then writes into the {}-order book.\n",
            p.per_second,
            yes(figures.targets.publish_rate_met),
            p.cpu_ms_per_order.map_or("?".to_owned(), |ms| format!("{ms:.2}")),
            figures.open_orders,
        );
        let b = &p.batching;
        md += &format!(
            "Grouping: {} chain reads asked, {} sent in {} requests to the node; {} orders written in {} group commits.\n",
            b.chain_calls_asked,
            b.chain_calls_sent,
            b.chain_requests,
            b.orders_committed,
            b.group_commits,
        );
    }
    md
}

fn tempfile_dir() -> eyre::Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("poco-market-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
