//! The real `poco` binary against an in-process devchain (and, for the order tests, the real
//! market over it): a folder holding a chain file naming them `test`, runs of the binary, and
//! reads of the chain to check what the commands did.
// Shared by several test binaries: each uses a part of it; an unwrap is an assertion.
#![allow(clippy::unwrap_used, dead_code, unreachable_pub, missing_docs)]

use alloy::primitives::{Address, U256};
use poco_chain::{ChainClient, ChainConfig};
use poco_contracts::bindings::{IPoco, RLC};
use poco_devchain::{DevChainConfig, DevChainHandle};
use poco_market::{MarketConfig, MarketHandle};
use serde_json::Value;
use std::{
    path::{Path, PathBuf},
    process::Command,
    time::Duration,
};

pub const ONE_RLC: u64 = 1_000_000_000;

/// A devchain, a folder holding a chain file naming it `test` (and `down`, a node that does not
/// answer), and a client of the chain.
pub struct Env {
    pub devchain: DevChainHandle,
    pub dir: tempfile::TempDir,
    pub chain_file: PathBuf,
    pub client: ChainClient,
    /// The market, when started ([`Env::with_market`]).
    pub market: Option<MarketHandle>,
}

/// One run of the binary.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|error| panic!("stdout is not JSON ({error}): {self:?}"))
    }

    pub fn success(self) -> Self {
        assert_eq!(self.code, 0, "poco failed: {self:?}");
        self
    }
}

impl Env {
    pub async fn new() -> Self {
        let devchain = poco_devchain::spawn(DevChainConfig::test()).await.unwrap();
        let hub = devchain.deployment().unwrap().hub;
        let dir = tempfile::tempdir().unwrap();
        let chain_file = dir.path().join("chains.json");
        let chains = serde_json::json!({ "chains": {
            "test": { "chain_id": devchain.chain_id(), "rpc_url": devchain.http_endpoint(), "hub": hub },
            "down": { "chain_id": devchain.chain_id(), "rpc_url": "http://127.0.0.1:9", "hub": hub },
        }});
        std::fs::write(&chain_file, chains.to_string()).unwrap();
        let config =
            ChainConfig::new(devchain.http_endpoint().parse().unwrap(), devchain.chain_id());
        let client = ChainClient::connect(config).await.unwrap();
        Self { devchain, dir, chain_file, client, market: None }
    }

    /// [`Self::new`] plus the real market over the devchain (SQLite in the folder), named in the
    /// chain file as `test`'s `market_url`; the chain `nomarket` names a market that does not
    /// answer.
    pub async fn with_market() -> Self {
        let mut env = Self::new().await;
        let hub = env.hub();
        let rpc_url: url::Url = env.devchain.http_endpoint().parse().unwrap();
        let database = format!("sqlite://{}?mode=rwc", env.path("market.sqlite").display());
        let mut config = MarketConfig::new(database, rpc_url, env.devchain.chain_id(), hub);
        config.listen = "127.0.0.1:0".parse().unwrap();
        config.api.rate_limit = None;
        config.poll_interval = Duration::from_millis(100);
        let market = poco_market::spawn(config).await.unwrap();
        let chains = serde_json::json!({ "chains": {
            "test": { "chain_id": env.devchain.chain_id(), "rpc_url": env.devchain.http_endpoint(),
                      "hub": hub, "market_url": market.url() },
            "nomarket": { "chain_id": env.devchain.chain_id(), "rpc_url": env.devchain.http_endpoint(),
                          "hub": hub, "market_url": "http://127.0.0.1:9" },
        }});
        std::fs::write(&env.chain_file, chains.to_string()).unwrap();
        env.market = Some(market);
        env
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Writes dev account `index`'s key to a key file.
    pub fn dev_key_file(&self, index: usize) -> (PathBuf, Address) {
        let account = &self.devchain.dev_accounts()[index];
        let path = self.path(&format!("dev{index}.key"));
        std::fs::write(&path, format!("{}\n", account.signer.to_bytes())).unwrap();
        (path, account.address)
    }

    /// Runs `poco --chain-file <file> --chain test <args>` (blocking: the devchain serves from
    /// the runtime's worker threads meanwhile).
    pub fn poco(&self, args: &[&str]) -> Run {
        self.poco_on("test", args)
    }

    pub fn poco_on(&self, chain: &str, args: &[&str]) -> Run {
        let output = Command::new(env!("CARGO_BIN_EXE_poco"))
            .arg("--chain-file")
            .arg(&self.chain_file)
            .args(["--chain", chain])
            .args(args)
            .current_dir(self.dir.path())
            .env_remove("POCO_CHAIN")
            .env_remove("POCO_CHAIN_FILE")
            .env_remove("POCO_KEY_FILE")
            .env_remove("POCO_KEYSTORE")
            .env_remove("POCO_PASSWORD_FILE")
            .env_remove("RUST_LOG")
            .output()
            .unwrap();
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Runs `poco --json --key-file <key> <args>` (a deploy), which must succeed; answers the
    /// `address` it prints.
    pub fn deployed(&self, key: &str, args: &[&str]) -> String {
        let run = self.poco(&[&["--json", "--key-file", key][..], args].concat()).success();
        run.json()["address"].as_str().unwrap().to_owned()
    }

    pub fn hub(&self) -> Address {
        self.devchain.deployment().unwrap().hub
    }

    /// (wallet RLC, deposited, locked) of `who`, read from the chain.
    pub async fn balances(&self, who: Address) -> (U256, U256, U256) {
        let rlc = self.devchain.deployment().unwrap().rlc;
        let wallet = self.client.call(rlc, &RLC::balanceOfCall { account: who }).await.unwrap();
        let account =
            self.client.call(self.hub(), &IPoco::viewAccountCall { account: who }).await.unwrap();
        (wallet, account.stake, account.locked)
    }
}

pub fn path_str(path: &Path) -> &str {
    path.to_str().unwrap()
}

pub fn u256(value: &Value) -> U256 {
    value.as_str().unwrap_or_else(|| panic!("not a string: {value}")).parse().unwrap()
}
