//! `poco-scheduler`: run one workerpool's scheduler.

use clap::{Args as ClapArgs, Parser};
use eyre::{WrapErr, bail};
use poco_chain::{PrivateKeySigner, SignerSource};
use poco_primitives::Tag;
use poco_scheduler::{PublisherConfig, RegistryConfig, SchedulerConfig, Store};
use std::{net::SocketAddr, path::PathBuf, time::Duration};
use url::Url;

/// poco's workerpool scheduler: sells a pool's capacity on the market and drives its workers
/// through every task (deals, task initialization, dispatch, consensus, reveal, finalize).
///
/// Workers log in with a signed challenge and register what they offer; the scheduler keeps
/// signed workerpool orders on the market sized to the pool's free slots (with --market-url),
/// follows the pool's deals on the chain, hands each task to workers with a signed
/// authorization, and finalizes it. Its state lives in SQL (SQLite in --data-dir by default,
/// PostgreSQL with --database-url), so a restarted scheduler resumes where it was.
///
/// The signing key is the workerpool owner's: an encrypted keystore (--keystore with
/// --password-file or --password-env) or a file holding the hex key (--key-file). A key is
/// never accepted on the command line.
///
/// Example, against a local devchain and market:
///
///   poco-scheduler --rpc-url http://127.0.0.1:8545 --chain-id 31337 \
///     --hub 0x0165878A594ca255338adfa4d48449f69242Eb8F --workerpool 0x… \
///     --key-file ./scheduler.key --data-dir ./scheduler \
///     --market-url http://127.0.0.1:8080 --results-url http://127.0.0.1:13200 \
///     --price 1000000 --max-volume 16
///
/// Then: workers connect to http://127.0.0.1:7070; `curl 127.0.0.1:7070/v1/stats` shows the
/// pool, `/v1/tasks/{taskId}/timeline` a task's history, `/metrics` Prometheus figures.
/// SIGTERM or Ctrl-C stops it after taking its orders off the market.
#[derive(Debug, Parser)]
#[command(name = "poco-scheduler", version, about, long_about, verbatim_doc_comment)]
struct Args {
    #[command(flatten)]
    chain: ChainArgs,
    #[command(flatten)]
    key: KeyArgs,
    #[command(flatten)]
    storage: StorageArgs,
    #[command(flatten)]
    http: HttpArgs,
    #[command(flatten)]
    orders: OrderArgs,
    #[command(flatten)]
    timers: TimerArgs,
    /// Log as JSON lines (one object per event) instead of text.
    #[arg(long, help_heading = "Logs")]
    json: bool,
}

#[derive(Debug, ClapArgs)]
#[command(next_help_heading = "Chain")]
struct ChainArgs {
    /// JSON-RPC endpoint of the chain (http, https, ws or wss).
    #[arg(long, env = "POCO_RPC_URL", default_value = "http://127.0.0.1:8545")]
    rpc_url: Url,
    /// Chain id the node must serve.
    #[arg(long, env = "POCO_CHAIN_ID", default_value_t = 31337)]
    chain_id: u64,
    /// Address of the hub.
    #[arg(long, env = "POCO_HUB", default_value = "0x0165878A594ca255338adfa4d48449f69242Eb8F")]
    hub: alloy_primitives::Address,
    /// The workerpool this scheduler runs (the key must be its owner's).
    #[arg(long, env = "POCO_WORKERPOOL")]
    workerpool: alloy_primitives::Address,
}

#[derive(Debug, ClapArgs)]
#[command(next_help_heading = "Key (the workerpool owner's)")]
struct KeyArgs {
    /// Encrypted keystore (Web3 Secret Storage JSON, as geth, cast or the iExec SDK write).
    #[arg(long, env = "POCO_KEYSTORE", conflicts_with = "key_file")]
    keystore: Option<PathBuf>,
    /// File holding the keystore's password.
    #[arg(
        long,
        env = "POCO_PASSWORD_FILE",
        requires = "keystore",
        conflicts_with = "password_env"
    )]
    password_file: Option<PathBuf>,
    /// Name of an environment variable holding the keystore's password (the name, not the
    /// password: e.g. `--password-env POCO_KEYSTORE_PASSWORD`).
    #[arg(long, value_name = "VAR", requires = "keystore")]
    password_env: Option<String>,
    /// File holding the private key in hex (protect it with file permissions).
    #[arg(long, env = "POCO_KEY_FILE")]
    key_file: Option<PathBuf>,
}

#[derive(Debug, ClapArgs)]
#[command(next_help_heading = "Storage")]
struct StorageArgs {
    /// Folder of the default SQLite database (`scheduler.sqlite`), created if missing.
    #[arg(long, env = "POCO_SCHEDULER_DATA_DIR", default_value = "./scheduler-data")]
    data_dir: PathBuf,
    /// Database URL: `postgres://user@host/db` (or `sqlite://<file>?mode=rwc`); defaults to the
    /// SQLite file in --data-dir.
    #[arg(long, env = "POCO_SCHEDULER_DATABASE_URL")]
    database_url: Option<String>,
}

#[derive(Debug, ClapArgs)]
#[command(next_help_heading = "HTTP")]
struct HttpArgs {
    /// Address the API (workers, public reads, /metrics) listens on.
    #[arg(long, env = "POCO_SCHEDULER_LISTEN", default_value = "127.0.0.1:7070")]
    listen: SocketAddr,
    /// The results service workers upload to.
    #[arg(long, env = "POCO_RESULTS_URL", default_value = "http://127.0.0.1:13200")]
    results_url: String,
    /// The market to keep the pool's orders on; without it no order is published.
    #[arg(long, env = "POCO_MARKET_URL")]
    market_url: Option<Url>,
    /// Only these workers may log in (repeat the flag); anyone by default.
    #[arg(long = "allow-worker", value_name = "ADDRESS")]
    allow_workers: Vec<alloy_primitives::Address>,
}

#[derive(Debug, ClapArgs)]
#[command(next_help_heading = "Workerpool orders (with --market-url)")]
struct OrderArgs {
    /// Price per task, in nRLC (1 RLC = 1000000000).
    #[arg(long, default_value_t = 0)]
    price: u64,
    /// Category sold (task size, as registered on the hub).
    #[arg(long, default_value_t = 0)]
    category: u64,
    /// Highest trust the pool accepts.
    #[arg(long, default_value_t = 1)]
    trust: u64,
    /// Tag offered: names (`tee,gpu`) or 0x hex.
    #[arg(
        long,
        default_value = "0x0000000000000000000000000000000000000000000000000000000000000000"
    )]
    tag: Tag,
    /// Sell only to this app (or app group).
    #[arg(long)]
    app_restrict: Option<alloy_primitives::Address>,
    /// Sell only with this dataset (or dataset group).
    #[arg(long)]
    dataset_restrict: Option<alloy_primitives::Address>,
    /// Sell only to this requester (or requester group).
    #[arg(long)]
    requester_restrict: Option<alloy_primitives::Address>,
    /// Most tasks offered at once, whatever the free capacity.
    #[arg(long, default_value_t = 64)]
    max_volume: u64,
    /// Most orders open at once (more are merged into one).
    #[arg(long, default_value_t = 3)]
    max_orders: usize,
}

#[derive(Debug, ClapArgs)]
#[command(next_help_heading = "Timers (milliseconds)")]
struct TimerArgs {
    /// How often the publisher resizes the orders.
    #[arg(long, default_value_t = 10_000)]
    publish_period_ms: u64,
    /// How often workers must ping.
    #[arg(long, default_value_t = 10_000)]
    heartbeat_period_ms: u64,
    /// Silence after which a worker is lost and its replicates reassigned.
    #[arg(long, default_value_t = 60_000)]
    lost_after_ms: u64,
    /// Longest ask-for-work long poll.
    #[arg(long, default_value_t = 20_000)]
    max_wait_ms: u64,
    /// How often the chain is polled.
    #[arg(long, default_value_t = 500)]
    poll_interval_ms: u64,
    /// How often every live task is reconciled with the chain (also at once after a report
    /// that may move it).
    #[arg(long, default_value_t = 2_000)]
    tick_period_ms: u64,
    /// A chosen uploader that has not uploaded the result after this is replaced by another
    /// winner.
    #[arg(long, default_value_t = 300_000)]
    upload_timeout_ms: u64,
}

fn init_logs(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if json {
        builder.event_format(poco_scheduler::logs::JsonLines).init();
    } else {
        builder.init();
    }
}

// The edge: the password variable is named by a flag and read here, once.
#[allow(clippy::disallowed_methods)]
async fn signer(key: &KeyArgs) -> eyre::Result<PrivateKeySigner> {
    let source = match (&key.keystore, &key.password_file, &key.password_env, &key.key_file) {
        (Some(path), Some(password_file), None, None) => {
            SignerSource::Keystore { path: path.clone(), password_file: password_file.clone() }
        }
        (Some(path), None, Some(var), None) => {
            let password = std::env::var(var)
                .wrap_err_with(|| format!("reading the keystore password from ${var}"))?;
            let path = path.clone();
            return tokio::task::spawn_blocking(move || {
                PrivateKeySigner::decrypt_keystore(&path, password)
                    .wrap_err_with(|| format!("decrypting {}", path.display()))
            })
            .await?;
        }
        (None, None, None, Some(path)) => SignerSource::KeyFile { path: path.clone() },
        (Some(_), None, None, None) => bail!("--keystore needs --password-file or --password-env"),
        _ => bail!("give the workerpool owner's key: --keystore (+ password) or --key-file"),
    };
    Ok(source.load().await?)
}

fn config(args: &Args) -> eyre::Result<SchedulerConfig> {
    let database_url = match &args.storage.database_url {
        Some(url) => url.clone(),
        None => {
            std::fs::create_dir_all(&args.storage.data_dir)
                .wrap_err_with(|| format!("creating {}", args.storage.data_dir.display()))?;
            Store::sqlite_url(&args.storage.data_dir)
        }
    };
    let timers = &args.timers;
    let mut config = SchedulerConfig::new(
        database_url,
        args.chain.rpc_url.clone(),
        args.chain.chain_id,
        args.chain.hub,
        args.chain.workerpool,
    );
    config.listen = args.http.listen;
    config.results_url.clone_from(&args.http.results_url);
    config.registry =
        RegistryConfig { lost_after_ms: timers.lost_after_ms, ..RegistryConfig::default() };
    config.heartbeat_period = Duration::from_millis(timers.heartbeat_period_ms);
    config.max_wait = Duration::from_millis(timers.max_wait_ms);
    config.poll_interval = Duration::from_millis(timers.poll_interval_ms);
    config.engine.tick_period = Duration::from_millis(timers.tick_period_ms.max(10));
    config.engine.loss_period = Duration::from_millis((timers.lost_after_ms / 4).clamp(100, 5_000));
    config.engine.upload_timeout = Duration::from_millis(timers.upload_timeout_ms);
    config.allowed_workers =
        (!args.http.allow_workers.is_empty()).then(|| args.http.allow_workers.clone());
    config.publisher = args.http.market_url.clone().map(|market_url| {
        let orders = &args.orders;
        PublisherConfig {
            price: alloy_primitives::U256::from(orders.price),
            category: alloy_primitives::U256::from(orders.category),
            trust: alloy_primitives::U256::from(orders.trust),
            tag: orders.tag,
            app_restrict: orders.app_restrict.unwrap_or_default(),
            dataset_restrict: orders.dataset_restrict.unwrap_or_default(),
            requester_restrict: orders.requester_restrict.unwrap_or_default(),
            max_volume: orders.max_volume,
            max_orders: orders.max_orders.max(1),
            period: Duration::from_millis(timers.publish_period_ms),
            ..PublisherConfig::new(market_url)
        }
    });
    Ok(config)
}

async fn terminated() -> eyre::Result<()> {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .wrap_err("listening for SIGTERM")?;
    tokio::select! {
        ctrl_c = tokio::signal::ctrl_c() => ctrl_c.wrap_err("waiting for Ctrl-C")?,
        _ = term.recv() => {}
    }
    Ok(())
}

#[tokio::main]
async fn main() -> eyre::Result<()> {
    let args = Args::parse();
    init_logs(args.json);
    let config = config(&args)?;
    let signer = signer(&args.key).await.wrap_err("loading the scheduler's key")?;
    let handle = poco_scheduler::spawn(config, signer).await.wrap_err("starting the scheduler")?;
    tracing::info!(url = %handle.url(), "poco-scheduler ready.");
    terminated().await?;
    handle.shutdown().await.wrap_err("stopping the scheduler")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_is_well_formed_and_defaults_hold() {
        Args::command().debug_assert();
        let args = Args::try_parse_from([
            "poco-scheduler",
            "--workerpool",
            "0x1111111111111111111111111111111111111111",
            "--key-file",
            "k",
        ])
        .unwrap();
        let config = config(&Args {
            storage: StorageArgs { database_url: Some("sqlite::memory:".into()), ..args.storage },
            ..args
        })
        .unwrap();
        assert_eq!(config.chain_id, 31337);
        assert!(config.publisher.is_none());
        assert_eq!(config.listen.to_string(), "127.0.0.1:7070");
    }

    #[test]
    fn a_key_is_never_a_flag() {
        assert!(
            Args::try_parse_from([
                "poco-scheduler",
                "--workerpool",
                "0x1111111111111111111111111111111111111111",
                "--private-key",
                "0xabc"
            ])
            .is_err()
        );
    }
}
