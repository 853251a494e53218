//! The unpacked `@iexec/poco` npm package: where it is, and typed reads of its JSON files.

use crate::{Error, Result, workspace_root};
use alloy::{
    hex,
    json_abi::JsonAbi,
    primitives::{Address, Bytes},
};
use serde_json::Value;
use std::{
    path::{Path, PathBuf},
    process::Command,
};

/// Version of `@iexec/poco` the harness is written against.
pub const REFERENCE_VERSION: &str = "6.1.0";

/// Environment variable that overrides where the unpacked package is.
pub const PACKAGE_DIR_ENV: &str = "POCO_REFERENCE_DIR";

/// Default location of the unpacked package, relative to the workspace root.
pub const DEFAULT_PACKAGE_DIR: &str = "contracts/.reference/package";

/// Script that fetches and unpacks the package, relative to the workspace root.
pub const FETCH_SCRIPT: &str = "contracts/tools/fetch-reference.sh";

/// The `deployments/` network whose creation bytecode is deployed: Arbitrum One, i.e. the bytecode
/// that runs in production (see the crate docs for how it differs from `artifacts/`).
pub const DEPLOYMENTS_NETWORK: &str = "arbitrum";

/// The unpacked reference package (`npm pack @iexec/poco@6.1.0`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferencePackage {
    root: PathBuf,
}

impl ReferencePackage {
    /// Finds the package: `$POCO_REFERENCE_DIR` if set, else `contracts/.reference/package`,
    /// which is fetched with [`FETCH_SCRIPT`] when absent.
    pub fn locate() -> Result<Self> {
        // A test harness has no CLI: this variable is its only configuration edge.
        if let Some(dir) = std::env::var_os(PACKAGE_DIR_ENV) {
            return Self::at(dir);
        }
        let root = workspace_root().join(DEFAULT_PACKAGE_DIR);
        if !root.join("package.json").is_file() {
            Self::fetch()?;
        }
        Self::at(root)
    }

    /// Uses the package unpacked at `root` (checks its name and version).
    pub fn at(root: impl Into<PathBuf>) -> Result<Self> {
        let root = root.into();
        let manifest = root.join("package.json");
        if !manifest.is_file() {
            return Err(Error::PackageMissing(root));
        }
        let json = read_json(&manifest)?;
        let name = json.get("name").and_then(Value::as_str).unwrap_or_default();
        let version = json.get("version").and_then(Value::as_str).unwrap_or_default();
        if name != "@iexec/poco" || version != REFERENCE_VERSION {
            return Err(Error::PackageVersion {
                path: root,
                found: format!("{name}@{version}"),
                expected: REFERENCE_VERSION,
            });
        }
        Ok(Self { root })
    }

    /// Runs [`FETCH_SCRIPT`] (npm pack + integrity check + unpack; does nothing if present).
    pub fn fetch() -> Result<()> {
        let script = workspace_root().join(FETCH_SCRIPT);
        let status = Command::new("bash")
            .arg(&script)
            .status()
            .map_err(|source| Error::Spawn { program: script.clone(), source })?;
        if !status.success() {
            return Err(Error::FetchFailed { script, status });
        }
        Ok(())
    }

    /// Root of the unpacked package (holds `package.json`, `abis/`, `artifacts/`, `deployments/`).
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `deployments/<DEPLOYMENTS_NETWORK>/<name>.json`.
    pub fn deployment(&self, name: &str) -> Result<Deployment> {
        let path =
            self.root.join("deployments").join(DEPLOYMENTS_NETWORK).join(format!("{name}.json"));
        let json = read_json(&path)?;
        let address = json
            .get("address")
            .and_then(Value::as_str)
            .and_then(|address| address.parse().ok())
            .ok_or_else(|| Error::Field { path: path.clone(), field: "address" })?;
        let abi = match json.get("abi") {
            Some(abi) => Some(parse_abi(&path, abi.clone())?),
            None => None,
        };
        let bytecode = hex_field(&path, &json, "bytecode")?;
        Ok(Deployment { name: name.to_owned(), address, abi, bytecode })
    }

    /// `artifacts/contracts/<source>/<name>.json`, e.g. `("facets/IexecPoco1Facet.sol", "IexecPoco1Facet")`.
    pub fn artifact(&self, source: &str, name: &str) -> Result<Artifact> {
        let path = self.root.join("artifacts/contracts").join(source).join(format!("{name}.json"));
        let json = read_json(&path)?;
        let abi = json
            .get("abi")
            .cloned()
            .ok_or_else(|| Error::Field { path: path.clone(), field: "abi" })
            .and_then(|abi| parse_abi(&path, abi))?;
        Ok(Artifact { name: name.to_owned(), path, abi, json })
    }

    /// `abis/contracts/<path>.json`, e.g. `"IexecInterfaceToken"` or `"registries/apps/AppRegistry"`.
    pub fn abi(&self, path: &str) -> Result<JsonAbi> {
        let path = self.root.join("abis/contracts").join(format!("{path}.json"));
        let json = read_json(&path)?;
        parse_abi(&path, json)
    }

    /// `abis/human-readable-abis/<path>.json`, e.g. `"rlc-faucet-contract/contracts/RLC.sol/RLC"`.
    pub fn human_readable_abi(&self, path: &str) -> Result<JsonAbi> {
        let path = self.root.join("abis/human-readable-abis").join(format!("{path}.json"));
        let json = read_json(&path)?;
        let items = json
            .as_array()
            .and_then(|items| items.iter().map(Value::as_str).collect::<Option<Vec<_>>>())
            .ok_or_else(|| Error::Field { path: path.clone(), field: "[]" })?;
        JsonAbi::parse(items).map_err(|source| Error::HumanReadableAbi { path, source })
    }
}

/// One `deployments/<network>/<name>.json` file.
#[derive(Debug, Clone)]
pub struct Deployment {
    /// Contract name (file stem).
    pub name: String,
    /// Where it lives on the deployments' network (not on our chain).
    pub address: Address,
    /// Its ABI (the RLC file has none).
    pub abi: Option<JsonAbi>,
    /// Creation bytecode as recorded by hardhat-deploy. Libraries are linked to their addresses
    /// on the deployments' network; for the Diamond, the constructor arguments are appended.
    pub bytecode: Bytes,
}

/// One hardhat artifact (`artifacts/contracts/**/<name>.json`).
#[derive(Debug, Clone)]
pub struct Artifact {
    /// Contract name.
    pub name: String,
    /// The file.
    pub path: PathBuf,
    /// Its ABI.
    pub abi: JsonAbi,
    json: Value,
}

impl Artifact {
    /// Creation bytecode; fails if it still holds library placeholders.
    pub fn bytecode(&self) -> Result<Bytes> {
        hex_field(&self.path, &self.json, "bytecode")
    }

    /// How many times the creation bytecode references `library` (from `linkReferences`).
    pub fn link_reference_count(&self, library: &str) -> usize {
        self.json
            .get("linkReferences")
            .and_then(Value::as_object)
            .map(|sources| {
                sources
                    .values()
                    .filter_map(|libraries| libraries.get(library)?.as_array().map(Vec::len))
                    .sum()
            })
            .unwrap_or(0)
    }
}

fn read_json(path: &Path) -> Result<Value> {
    let text = std::fs::read_to_string(path)
        .map_err(|source| Error::Io { path: path.to_owned(), source })?;
    serde_json::from_str(&text).map_err(|source| Error::Json { path: path.to_owned(), source })
}

fn parse_abi(path: &Path, abi: Value) -> Result<JsonAbi> {
    serde_json::from_value(abi).map_err(|source| Error::Json { path: path.to_owned(), source })
}

fn hex_field(path: &Path, json: &Value, field: &'static str) -> Result<Bytes> {
    let text = json
        .get(field)
        .and_then(Value::as_str)
        .ok_or_else(|| Error::Field { path: path.to_owned(), field })?;
    hex::decode(text).map(Bytes::from).map_err(|source| Error::Bytecode {
        path: path.to_owned(),
        field,
        source,
    })
}
