//! `poco-devchain`: an in-process EVM chain with the poco protocol deployed at genesis; anvil's
//! flags. stdout gets one JSON line (endpoint, chain id, accounts with keys, deployment); logs go
//! to stderr.

use std::{net::IpAddr, path::PathBuf, time::Duration};

use clap::Parser;
use eyre::WrapErr;
use poco_devchain::{DEFAULT_CHAIN_ID, DEFAULT_MNEMONIC, DEFAULT_PORT, DevChainConfig};

/// Command-line arguments (anvil's names).
#[derive(Debug, Parser, PartialEq)]
#[command(name = "poco-devchain", version, about)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1", env = "ANVIL_IP_ADDR")]
    host: IpAddr,
    /// Port to listen on (0: any free port).
    #[arg(long, short, default_value_t = DEFAULT_PORT)]
    port: u16,
    /// Chain id.
    #[arg(long, default_value_t = DEFAULT_CHAIN_ID)]
    chain_id: u64,
    /// Seconds between blocks (interval mining); automine when left out.
    #[arg(long, short)]
    block_time: Option<u64>,
    /// Number of dev accounts.
    #[arg(long, short, default_value_t = 10)]
    accounts: u32,
    /// Mnemonic of the dev accounts.
    #[arg(long, short, default_value = DEFAULT_MNEMONIC)]
    mnemonic: String,
    /// Folder where state and blocks are kept across restarts.
    #[arg(long)]
    data_dir: Option<PathBuf>,
}

impl Args {
    fn config(self) -> DevChainConfig {
        let mut config = DevChainConfig::default()
            .with_host(self.host)
            .with_port(self.port)
            .with_chain_id(self.chain_id)
            .with_accounts(self.accounts)
            .with_mnemonic(self.mnemonic)
            .with_block_time(self.block_time.map(Duration::from_secs));
        config.data_dir = self.data_dir;
        config
    }
}

#[tokio::main]
async fn main() -> eyre::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "poco_devchain=info".into()),
        )
        .init();
    let mut handle =
        poco_devchain::spawn(Args::parse().config()).await.wrap_err("could not start")?;
    let accounts: Vec<_> = handle
        .dev_accounts()
        .iter()
        .map(|account| {
            serde_json::json!({
                "address": account.address,
                "privateKey": account.signer.to_bytes(),
            })
        })
        .collect();
    let banner = serde_json::json!({
        "endpoint": handle.http_endpoint(),
        "chainId": handle.chain_id(),
        "accounts": accounts,
        "deployment": handle.deployment(),
    });
    println!("{banner}");
    tokio::select! {
        served = handle.stopped() => served.wrap_err("the server stopped")?,
        _ = tokio::signal::ctrl_c() => handle.shutdown().await.wrap_err("could not stop")?,
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_flags_give_the_default_config() {
        let config = Args::parse_from(["poco-devchain"]).config();
        let default = DevChainConfig::default();
        assert_eq!(config.port, default.port);
        assert_eq!(config.chain_id, default.chain_id);
        assert_eq!(config.accounts, default.accounts);
        assert_eq!(config.mnemonic, default.mnemonic);
        assert_eq!(config.host, default.host);
        assert!(config.block_time.is_none() && config.data_dir.is_none());
    }

    #[test]
    fn anvils_flags() {
        let config = Args::parse_from([
            "poco-devchain",
            "--host",
            "0.0.0.0",
            "--port",
            "9545",
            "--chain-id",
            "65535",
            "--block-time",
            "2",
            "--accounts",
            "20",
            "--mnemonic",
            "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about",
            "--data-dir",
            "/tmp/chain",
        ])
        .config();
        assert_eq!(config.host.to_string(), "0.0.0.0");
        assert_eq!((config.port, config.chain_id, config.accounts), (9545, 65535, 20));
        assert_eq!(config.block_time, Some(Duration::from_secs(2)));
        assert!(config.mnemonic.starts_with("abandon"));
        assert_eq!(config.data_dir, Some(PathBuf::from("/tmp/chain")));
    }
}
