//! `poco-deploy`: deploys the poco protocol (RLC, registries, hub) on any EVM chain and prints
//! the deployment (addresses) as JSON on stdout.
#![allow(missing_docs)]

use std::path::PathBuf;

use alloy::{
    network::EthereumWallet,
    primitives::Address,
    providers::ProviderBuilder,
    signers::local::{MnemonicBuilder, PrivateKeySigner, coins_bip39::English},
};
use clap::Parser;
use eyre::{WrapErr, eyre};
use poco_contracts::{DeployOptions, deploy_protocol};

/// The mnemonic of every dev chain's funded accounts (anvil, hardhat, poco devchain).
const DEV_MNEMONIC: &str = "test test test test test test test test test test test junk";

/// Deploy the poco protocol: the RLC token (unless --rlc is given), the App, Dataset and
/// Workerpool registries, and the hub with its five default categories.
///
/// Prints the deployment as JSON on stdout (chain id and every address); progress goes to stderr.
///
/// Examples:
///   poco-deploy --rpc-url http://127.0.0.1:8545 --dev-account 0
///   poco-deploy --rpc-url https://rpc.example.org --private-key-file ~/.poco/deployer.key --rlc 0x…
#[derive(Debug, Parser)]
#[command(version, about, long_about, verbatim_doc_comment)]
struct Args {
    /// JSON-RPC endpoint of the chain.
    #[arg(long, env = "ETH_RPC_URL", default_value = "http://127.0.0.1:8545")]
    rpc_url: url::Url,

    /// File holding the deployer's private key (hex, with or without 0x).
    #[arg(long, conflicts_with = "dev_account", required_unless_present = "dev_account")]
    private_key_file: Option<PathBuf>,

    /// Use dev account N of the standard test mnemonic (dev chains only: anvil, poco devchain).
    #[arg(long, value_name = "N")]
    dev_account: Option<u32>,

    /// Use this existing RLC token instead of deploying one.
    #[arg(long)]
    rlc: Option<Address>,

    /// Protocol owner (defaults to the deployer).
    #[arg(long)]
    owner: Option<Address>,

    /// Base URI of the registries' NFT metadata.
    #[arg(long, default_value = "")]
    base_uri: String,
}

fn signer(args: &Args) -> eyre::Result<PrivateKeySigner> {
    if let Some(index) = args.dev_account {
        return MnemonicBuilder::<English>::default()
            .phrase(DEV_MNEMONIC)
            .index(index)
            .wrap_err("invalid dev account index")?
            .build()
            .wrap_err("could not derive the dev account");
    }
    let path = args
        .private_key_file
        .as_ref()
        .ok_or_else(|| eyre!("give --private-key-file or --dev-account"))?;
    let text = std::fs::read_to_string(path)
        .wrap_err_with(|| format!("could not read {}", path.display()))?;
    text.trim()
        .parse()
        .wrap_err_with(|| format!("{} does not hold a hex private key", path.display()))
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> eyre::Result<()> {
    let args = Args::parse();
    let signer = signer(&args)?;
    let deployer = signer.address();
    let provider = ProviderBuilder::new()
        .wallet(EthereumWallet::from(signer))
        .connect_http(args.rpc_url.clone());
    eprintln!("deploying poco from {deployer} on {}", args.rpc_url);
    let deployment = deploy_protocol(
        &provider,
        DeployOptions { rlc: args.rlc, owner: args.owner, base_uri: args.base_uri.clone() },
    )
    .await
    .wrap_err("deployment failed")?;
    eprintln!("deployed: hub {} on chain {}", deployment.hub, deployment.chain_id);
    println!("{}", serde_json::to_string_pretty(&deployment)?);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_dev_account() {
        let args = Args::try_parse_from(["poco-deploy", "--dev-account", "0"]).unwrap();
        assert_eq!(args.dev_account, Some(0));
        assert_eq!(args.rpc_url.as_str(), "http://127.0.0.1:8545/");
        let key = signer(&args).unwrap();
        // first account of the standard test mnemonic
        assert_eq!(
            key.address(),
            "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266".parse::<Address>().unwrap()
        );
    }

    #[test]
    fn requires_a_key_source() {
        assert!(Args::try_parse_from(["poco-deploy"]).is_err());
        assert!(
            Args::try_parse_from(["poco-deploy", "--dev-account", "0", "--private-key-file", "k"])
                .is_err()
        );
    }
}
