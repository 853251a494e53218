//! `poco chain`: the chains of the chain file, and the protocol's addresses on one.

use crate::{
    context::Context,
    exit::CliError,
    output::{Output, emit},
};
use clap::Subcommand;
use poco_sdk::{ChainFile, Contracts, NamedChain};
use serde::Serialize;

pub(crate) const CHAIN_FILE_FORMAT: &str = "Examples:
  poco chain list
  poco --chain-file ./chains.json --chain mine --json chain show

The chain file (JSON; --chain-file, default ./poco-chain.json) adds chains to the built-in `dev`:
  {
    \"default\": \"mine\",
    \"chains\": {
      \"mine\": {
        \"chain_id\": 31337,
        \"rpc_url\": \"http://127.0.0.1:8545\",
        \"hub\": \"0x0165878A594ca255338adfa4d48449f69242Eb8F\",
        \"market_url\": \"http://127.0.0.1:8080\",
        \"results_url\": \"http://127.0.0.1:13200\",
        \"scheduler_url\": \"http://127.0.0.1:7070\",
        \"confirmations\": 0
      }
    }
  }";

/// `poco chain …`
#[derive(Debug, Subcommand)]
pub(crate) enum ChainCommand {
    /// List the chains (the built-in `dev` and the chain file's).
    #[command(after_help = CHAIN_FILE_FORMAT)]
    List,
    /// Connect to the chosen chain and show its protocol addresses (hub, RLC, registries).
    #[command(after_help = CHAIN_FILE_FORMAT)]
    Show,
}

impl Output for ChainFile {
    fn human(&self) -> String {
        let default = self.default.as_ref().map_or("dev", |name| name.0.as_str());
        self.chains
            .iter()
            .map(|(name, spec)| {
                let mark = if name.0 == default { " (default)" } else { "" };
                format!(
                    "{name}{mark}: chain id {}, {}, hub {}",
                    spec.chain_id, spec.rpc_url, spec.hub
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// `poco chain show`'s output.
#[derive(Debug, Serialize)]
struct ChainView {
    #[serde(flatten)]
    chain: NamedChain,
    contracts: Contracts,
    block: u64,
}

impl Output for ChainView {
    fn human(&self) -> String {
        let url = |url: &Option<url::Url>| url.as_ref().map_or("-".to_owned(), ToString::to_string);
        format!(
            "chain:               {} (chain id {})\nrpc:                 {}\nblock:               {}\n\
             hub:                 {}\nRLC:                 {}\napp registry:        {}\n\
             dataset registry:    {}\nworkerpool registry: {}\nmarket:              {}\n\
             results:             {}\nscheduler:           {}",
            self.chain.name,
            self.chain.spec.chain_id,
            self.chain.spec.rpc_url,
            self.block,
            self.contracts.hub,
            self.contracts.rlc,
            self.contracts.app_registry,
            self.contracts.dataset_registry,
            self.contracts.workerpool_registry,
            url(&self.chain.spec.market_url),
            url(&self.chain.spec.results_url),
            url(&self.chain.spec.scheduler_url),
        )
    }
}

pub(crate) async fn run(context: &Context, command: ChainCommand) -> Result<(), CliError> {
    match command {
        ChainCommand::List => emit(&context.chain_file().await?, context.json()),
        ChainCommand::Show => {
            let poco = context.connect().await?;
            let block = poco.client().block_number().await.map_err(poco_sdk::Error::from)?;
            let view =
                ChainView { chain: poco.chain().clone(), contracts: *poco.contracts(), block };
            emit(&view, context.json());
        }
    }
    Ok(())
}
