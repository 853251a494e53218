//! The chain file: named deployments (chain id, RPC URL, hub, service URLs), and the built-in
//! `dev` entry matching the devchain's defaults.
//!
//! ```json
//! {
//!   "default": "dev",
//!   "chains": {
//!     "dev": {
//!       "chain_id": 31337,
//!       "rpc_url": "http://127.0.0.1:8545",
//!       "hub": "0x0165878A594ca255338adfa4d48449f69242Eb8F",
//!       "market_url": "http://127.0.0.1:8080",
//!       "results_url": "http://127.0.0.1:13200",
//!       "scheduler_url": "http://127.0.0.1:7070"
//!     }
//!   }
//! }
//! ```
//!
//! Entries of a file are added to the built-in ones and replace a built-in entry of the same
//! name.

use crate::error::{Error, Result};
use alloy::primitives::{Address, address};
use serde::{Deserialize, Serialize};
use std::{collections::BTreeMap, fmt, path::Path};
use url::Url;

/// The name of the built-in devchain entry.
pub const DEV_CHAIN: &str = "dev";
/// The devchain's chain id (`poco_devchain::DEFAULT_CHAIN_ID`).
pub const DEV_CHAIN_ID: u64 = 31337;
/// The hub the devchain deploys at genesis (and `poco-deploy` on a fresh anvil).
pub const DEV_HUB: Address = address!("0165878A594ca255338adfa4d48449f69242Eb8F");
/// The devchain's default RPC URL (`poco_devchain::DEFAULT_PORT`).
pub const DEV_RPC_URL: &str = "http://127.0.0.1:8545";
/// The market's default URL (`poco-market --listen`).
pub const DEV_MARKET_URL: &str = "http://127.0.0.1:8080";
/// The results service's default URL (`poco-results --listen`).
pub const DEV_RESULTS_URL: &str = "http://127.0.0.1:13200";
/// The scheduler's default URL (`poco-scheduler --listen`).
pub const DEV_SCHEDULER_URL: &str = "http://127.0.0.1:7070";

/// The name of a chain in the chain file.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ChainName(pub String);

impl fmt::Display for ChainName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One deployment of poco.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChainSpec {
    /// The chain id the node must report.
    pub chain_id: u64,
    /// JSON-RPC endpoint (http, https, ws, wss).
    pub rpc_url: Url,
    /// The hub's address.
    pub hub: Address,
    /// The market's base URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub market_url: Option<Url>,
    /// The results service's base URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub results_url: Option<Url>,
    /// A workerpool scheduler's base URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduler_url: Option<Url>,
    /// Blocks to wait on top of a transaction's block (0 on a devchain).
    #[serde(default)]
    pub confirmations: u64,
}

impl ChainSpec {
    /// The built-in `dev` entry: the devchain and the services on their default ports.
    pub fn dev() -> Self {
        let url = |s: &str| Url::parse(s).ok();
        Self {
            chain_id: DEV_CHAIN_ID,
            rpc_url: Url::parse(DEV_RPC_URL).unwrap_or_else(|_| unreachable!("constant URL")),
            hub: DEV_HUB,
            market_url: url(DEV_MARKET_URL),
            results_url: url(DEV_RESULTS_URL),
            scheduler_url: url(DEV_SCHEDULER_URL),
            confirmations: 0,
        }
    }
}

/// A chain picked by name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NamedChain {
    /// Its name.
    pub name: ChainName,
    /// The deployment.
    #[serde(flatten)]
    pub spec: ChainSpec,
}

/// The chain file's content: named deployments and an optional default.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChainFile {
    /// The chain used when none is named (else `dev`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<ChainName>,
    /// The deployments by name.
    #[serde(default)]
    pub chains: BTreeMap<ChainName, ChainSpec>,
}

impl Default for ChainFile {
    fn default() -> Self {
        Self::builtin()
    }
}

impl ChainFile {
    /// The built-in chains: `dev`.
    pub fn builtin() -> Self {
        let chains = BTreeMap::from([(ChainName(DEV_CHAIN.to_owned()), ChainSpec::dev())]);
        Self { default: None, chains }
    }

    /// Parses a chain file's JSON and adds its entries to the built-in ones.
    pub fn from_json(json: &str, path: &Path) -> Result<Self> {
        let file: Self = serde_json::from_str(json)
            .map_err(|source| Error::ChainFileParse { path: path.to_path_buf(), source })?;
        let mut merged = Self::builtin();
        merged.chains.extend(file.chains);
        merged.default = file.default;
        Ok(merged)
    }

    /// Reads the chain file at `path` (see [`Self::from_json`]).
    pub async fn load(path: &Path) -> Result<Self> {
        let json = tokio::fs::read_to_string(path)
            .await
            .map_err(|source| Error::ChainFileRead { path: path.to_path_buf(), source })?;
        Self::from_json(&json, path)
    }

    /// Reads the chain file at `path` if given (it must exist), else `default_path` if it
    /// exists, else the built-in chains.
    pub async fn discover(path: Option<&Path>, default_path: &Path) -> Result<Self> {
        match path {
            Some(path) => Self::load(path).await,
            None if tokio::fs::try_exists(default_path).await.unwrap_or(false) => {
                Self::load(default_path).await
            }
            None => Ok(Self::builtin()),
        }
    }

    /// The chain named `name`, else the file's default, else `dev`.
    pub fn select(&self, name: Option<&str>) -> Result<NamedChain> {
        let name = match (name, &self.default) {
            (Some(name), _) => name.to_owned(),
            (None, Some(default)) => default.0.clone(),
            (None, None) => DEV_CHAIN.to_owned(),
        };
        let name = ChainName(name);
        match self.chains.get(&name) {
            Some(spec) => Ok(NamedChain { name, spec: spec.clone() }),
            None => Err(Error::UnknownChain {
                name: name.0,
                known: self.chains.keys().map(|name| name.0.clone()).collect(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_dev_and_file_entries() {
        let file = ChainFile::builtin();
        let dev = file.select(None).unwrap();
        assert_eq!(dev.name.0, "dev");
        assert_eq!(dev.spec.hub, DEV_HUB);

        let json = r#"{"default":"mine","chains":{"mine":{"chain_id":5,
            "rpc_url":"http://node:8545","hub":"0x0000000000000000000000000000000000000001"}}}"#;
        let file = ChainFile::from_json(json, Path::new("x.json")).unwrap();
        assert_eq!(file.select(None).unwrap().spec.chain_id, 5);
        assert_eq!(file.select(Some("dev")).unwrap().spec.chain_id, DEV_CHAIN_ID);
        let error = file.select(Some("nope")).unwrap_err();
        assert_eq!(error.to_string(), "unknown chain `nope` (known: dev, mine)");

        let bad = r#"{"chains":{"x":{"chain_id":5}}}"#;
        assert!(matches!(
            ChainFile::from_json(bad, Path::new("x.json")),
            Err(Error::ChainFileParse { .. })
        ));
    }
}
