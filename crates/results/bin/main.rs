//! `poco-results`: the results service. Logs go to stderr; stdout gets one JSON line with the
//! listen URL once the service is up.

use std::{net::SocketAddr, path::PathBuf, time::Duration};

use alloy_primitives::Address;
use clap::Parser;
use eyre::WrapErr;
use poco_chain::ChainConfig;
use poco_results::{
    DEFAULT_CHECK_INTERVAL, DEFAULT_IDLE_TIMEOUT, DEFAULT_LISTEN, DEFAULT_MAX_SIZE, ResultsConfig,
    StoreConfig,
};
use url::Url;

/// Stores task result archives uploaded by authorized workers and serves them by task id.
#[derive(Debug, Parser, PartialEq)]
#[command(name = "poco-results", version, about)]
struct Args {
    /// Address to listen on.
    #[arg(long, env = "POCO_RESULTS_LISTEN", default_value_t = DEFAULT_LISTEN)]
    listen: SocketAddr,
    /// Folder of the local store (archives and index), created if missing. Ignored with --store-url.
    #[arg(long, env = "POCO_RESULTS_DATA_DIR", default_value = "poco-results-data")]
    data_dir: PathBuf,
    /// An S3 bucket instead of the local folder (`s3://bucket`).
    #[arg(long, env = "POCO_RESULTS_STORE_URL")]
    store_url: Option<String>,
    /// A file of `key=value` lines: object_store S3 options (aws_region, aws_endpoint,
    /// aws_access_key_id, aws_secret_access_key, aws_allow_http, …). Secrets go here, not in flags.
    #[arg(long, env = "POCO_RESULTS_STORE_CONFIG", requires = "store_url")]
    store_config: Option<PathBuf>,
    /// JSON-RPC endpoint of the chain.
    #[arg(long, env = "POCO_RPC_URL", default_value = "http://127.0.0.1:8545")]
    rpc_url: Url,
    /// Chain id the node must serve.
    #[arg(long, env = "POCO_CHAIN_ID", default_value_t = 31337)]
    chain_id: u64,
    /// The hub's address (default: the devchain's).
    #[arg(long, env = "POCO_HUB", default_value = "0x0165878A594ca255338adfa4d48449f69242Eb8F")]
    hub: Address,
    /// Largest accepted archive, in bytes.
    #[arg(long, env = "POCO_RESULTS_MAX_SIZE", default_value_t = DEFAULT_MAX_SIZE)]
    max_size: u64,
    /// Seconds between background checks of stored archives against finalized tasks (0: only
    /// on request).
    #[arg(long, env = "POCO_RESULTS_CHECK_INTERVAL", default_value_t = DEFAULT_CHECK_INTERVAL.as_secs())]
    check_interval: u64,
    /// Seconds to wait for the next bytes of an upload before refusing it.
    #[arg(long, env = "POCO_RESULTS_IDLE_TIMEOUT", default_value_t = DEFAULT_IDLE_TIMEOUT.as_secs())]
    idle_timeout: u64,
}

fn store(args: &Args) -> eyre::Result<StoreConfig> {
    let Some(url) = args.store_url.clone() else {
        return Ok(StoreConfig::Local { root: args.data_dir.clone() });
    };
    let mut options = Vec::new();
    if let Some(file) = &args.store_config {
        let text = std::fs::read_to_string(file)
            .wrap_err_with(|| format!("reading {}", file.display()))?;
        for line in text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
            let (key, value) =
                line.split_once('=').ok_or_else(|| eyre::eyre!("not key=value: {line:?}"))?;
            options.push((key.trim().to_owned(), value.trim().to_owned()));
        }
    }
    Ok(StoreConfig::S3 { url, options })
}

#[tokio::main]
async fn main() -> eyre::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "poco_results=info,poco_chain=info".into()),
        )
        .init();
    let args = Args::parse();
    let config = ResultsConfig::new(
        store(&args)?,
        ChainConfig::new(args.rpc_url.clone(), args.chain_id),
        args.hub,
    )
    .with_listen(args.listen)
    .with_max_size(args.max_size)
    .with_check_interval(
        (args.check_interval > 0).then(|| Duration::from_secs(args.check_interval)),
    )
    .with_idle_timeout(Duration::from_secs(args.idle_timeout.max(1)));
    let handle = poco_results::spawn(config).await.wrap_err("starting the results service")?;
    println!("{}", serde_json::json!({ "url": handle.url() }));
    tokio::signal::ctrl_c().await.wrap_err("waiting for ctrl-c")?;
    handle.shutdown().await.wrap_err("stopping")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_flags() {
        let args = Args::try_parse_from(["poco-results"]).unwrap();
        assert_eq!(args.listen, DEFAULT_LISTEN);
        assert_eq!(args.max_size, DEFAULT_MAX_SIZE);
        assert_eq!(args.check_interval, 30);
        assert_eq!(args.idle_timeout, 30);
        assert_eq!(store(&args).unwrap(), StoreConfig::Local { root: "poco-results-data".into() });
        let args = Args::try_parse_from([
            "poco-results",
            "--data-dir",
            "/tmp/r",
            "--listen",
            "127.0.0.1:0",
            "--rpc-url",
            "ws://127.0.0.1:9",
            "--hub",
            "0x0000000000000000000000000000000000000001",
            "--max-size",
            "42",
        ])
        .unwrap();
        assert_eq!(args.max_size, 42);
        assert_eq!(args.hub, Address::with_last_byte(1));
        assert_eq!(store(&args).unwrap(), StoreConfig::Local { root: "/tmp/r".into() });
        assert!(Args::try_parse_from(["poco-results", "--store-config", "f"]).is_err());
        assert!(Args::try_parse_from(["poco-results", "--max-size", "big"]).is_err());
    }
}
