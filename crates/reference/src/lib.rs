//! Test harness: a local anvil, and the **reference** iExec PoCo protocol (`@iexec/poco@6.1.0`)
//! deployed on it, for the compatibility tests and the gas benchmark.
//!
//! The reference is used strictly as a black box: its ABIs, its compiled artifacts and the
//! creation bytecode recorded in its `deployments/` files, read from the npm package unpacked in
//! `contracts/.reference/package` (gitignored; fetched by `contracts/tools/fetch-reference.sh`).
//! Nothing of it is copied into this repository.
//!
//! ```text
//!  Anvil::spawn()                       ReferencePackage::locate()
//!  (contracts/node_modules/.bin/         ($POCO_REFERENCE_DIR, else contracts/.reference/package,
//!   anvil-native, free port, 31337)      fetched by the script when absent)
//!        │ provider(i)                          │ deployments/arbitrum/*.json, artifacts/, abis/
//!        └──────────────► deploy_reference(&provider, &package) ──► ReferenceDeployment
//!                                                                   { hub, rlc, registries, … }
//! ```
//!
//! **Which bytecode.** Everything is deployed from `deployments/arbitrum/` (the bytecode running on
//! Arbitrum One), so the gas figures are those of production. Most facets there were built from an
//! older source than the package's `artifacts/` (only `IexecPoco1Facet` and `IexecPocoAccessorsFacet`
//! match them): they expose a few extra public getters (`KITTY_MIN()`, `owner()`, …) that are not
//! part of `IexecInterfaceToken` and are therefore not routed. The facets' library references
//! (`PUSH20 <Arbitrum IexecLibOrders_v5>`) are relinked to our library, their count checked against
//! the artifacts' `linkReferences`. The Diamond's deployment bytecode has the mainnet constructor
//! arguments appended, so its creation code is taken from its artifact (checked to be a prefix).
//!
//! This crate sits outside the product's layers: it is a dev/test dependency only.
#![cfg_attr(not(test), warn(unused_crate_dependencies))]

mod anvil;
mod deploy;
mod error;
mod package;

pub use anvil::{ANVIL_PATH, Anvil, AnvilBuilder, DEFAULT_CHAIN_ID, DEV_MNEMONIC};
pub use deploy::{
    DEFAULT_CATEGORIES, DEFAULT_CATEGORY_DESCRIPTION, DIAMOND_FACETS, DeployedFacet,
    FALLBACK_SELECTOR, HUB_DECIMALS, HUB_NAME, HUB_SYMBOL, LIB_ORDERS, POCO_FACETS,
    RECEIVE_SELECTOR, ReferenceDeployment, deploy_reference,
};
pub use error::{Error, Result};
pub use package::{
    Artifact, DEFAULT_PACKAGE_DIR, DEPLOYMENTS_NETWORK, Deployment, FETCH_SCRIPT, PACKAGE_DIR_ENV,
    REFERENCE_VERSION, ReferencePackage,
};

use std::path::{Path, PathBuf};

/// Root of the cargo workspace this crate was built in (`crates/reference/../..`).
pub fn workspace_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.ancestors().nth(2).unwrap_or(manifest_dir).to_path_buf()
}
