//! `poco-market`: serve poco's orderbook for one deployment.

use clap::Parser;
use eyre::WrapErr;
use poco_market::{ApiConfig, Limits, MarketConfig, RateLimit, Store};
use std::{net::SocketAddr, path::PathBuf, time::Duration};
use url::Url;

/// poco's marketplace: the orderbook where app, dataset, workerpool and request orders meet.
///
/// Orders are checked against the chain before they enter a book (EIP-712 signature under the
/// deployment's domain, ownership in the registries, volume left, funds or stake for one task),
/// and a watcher of the chain's events keeps remaining volumes right afterwards.
///
/// Example, against a local devchain (`poco-devchain` on port 8545):
///
///   poco-market --rpc-url http://127.0.0.1:8545 --chain-id 31337 \
///     --hub 0x0165878A594ca255338adfa4d48449f69242Eb8F --data-dir ./market
///
/// then `curl 'http://127.0.0.1:8080/v1/orders/app?limit=10'`; the API is described at
/// `/v1/openapi.json`, metrics are at `/metrics`.
///
/// The same server also speaks iExec's marketplace API (`/apporders`, `/datasetorders`,
/// `/workerpoolorders`, `/requestorders`, `/challenge`, `/version`), so the reference SDK and
/// CLI (npm `iexec@9`) work with it: name this server as `iexecGateway` in their `chain.json`.
#[derive(Debug, Parser)]
#[command(name = "poco-market", version, about, long_about, verbatim_doc_comment)]
struct Args {
    /// Folder of the default SQLite database (`market.sqlite`), created if missing.
    #[arg(long, env = "POCO_MARKET_DATA_DIR", default_value = "./market-data")]
    data_dir: PathBuf,
    /// Database URL: `sqlite://<file>?mode=rwc` or `postgres://user@host/db`; defaults to the
    /// SQLite file in --data-dir.
    #[arg(long, env = "POCO_MARKET_DATABASE_URL")]
    database_url: Option<String>,
    /// JSON-RPC endpoint of the chain (http, https, ws or wss).
    #[arg(long, env = "POCO_RPC_URL", default_value = "http://127.0.0.1:8545")]
    rpc_url: Url,
    /// Chain id the node must serve (orders are signed for it).
    #[arg(long, env = "POCO_CHAIN_ID", default_value_t = 31337)]
    chain_id: u64,
    /// Address of the hub (the EIP-712 verifying contract of every order).
    #[arg(long, env = "POCO_HUB", default_value = "0x0165878A594ca255338adfa4d48449f69242Eb8F")]
    hub: alloy::primitives::Address,
    /// Address the HTTP API listens on.
    #[arg(long, env = "POCO_MARKET_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Open orders one signer may have in each book.
    #[arg(long, default_value_t = 50)]
    max_open_orders: u32,
    /// Sustained requests per second per client IP.
    #[arg(long, default_value_t = 20)]
    rate_limit: u32,
    /// Requests a client may send at once above the sustained rate.
    #[arg(long, default_value_t = 100)]
    rate_burst: u32,
    /// Do not rate-limit (trusted networks, benchmarks).
    #[arg(long)]
    no_rate_limit: bool,
    /// Largest request body, in bytes.
    #[arg(long, default_value_t = 64 * 1024)]
    body_limit: usize,
    /// Do not watch the chain (remaining volumes are then only checked at publication).
    #[arg(long)]
    no_watch: bool,
    /// First block the watcher reads when it has no saved cursor (the deployment's block).
    #[arg(long, default_value_t = 0)]
    start_block: u64,
    /// How often to poll the chain for new blocks, in milliseconds.
    #[arg(long, default_value_t = 500)]
    poll_interval_ms: u64,
}

#[tokio::main]
async fn main() -> eyre::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    let database_url = match args.database_url {
        Some(url) => url,
        None => {
            std::fs::create_dir_all(&args.data_dir)
                .wrap_err_with(|| format!("creating {}", args.data_dir.display()))?;
            Store::sqlite_url(&args.data_dir)
        }
    };
    let mut config = MarketConfig::new(database_url, args.rpc_url, args.chain_id, args.hub);
    config.listen = args.listen;
    config.limits = Limits { max_open_orders: args.max_open_orders };
    config.api = ApiConfig {
        rate_limit: (!args.no_rate_limit)
            .then_some(RateLimit { per_second: args.rate_limit, burst: args.rate_burst }),
        body_limit: args.body_limit,
    };
    config.watch = !args.no_watch;
    config.start_block = args.start_block;
    config.poll_interval = Duration::from_millis(args.poll_interval_ms);
    let handle = poco_market::spawn(config).await.wrap_err("starting the market")?;
    eprintln!("poco-market listening on {}", handle.url());
    tokio::signal::ctrl_c().await.wrap_err("waiting for ctrl-c")?;
    handle.shutdown().await.wrap_err("stopping the market")?;
    Ok(())
}
