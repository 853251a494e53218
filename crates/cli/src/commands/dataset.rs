//! `poco dataset`: register and show datasets.

use crate::{
    commands::sha256_file,
    context::Context,
    exit::CliError,
    output::{Output, emit},
};
use alloy_primitives::{Address, B256};
use clap::{Args, Subcommand};
use poco_sdk::market_api::Book;
use poco_sdk::{DatasetAddress, DatasetInfo, DatasetSpec, Deployed};
use std::path::PathBuf;

/// `poco dataset …`
#[derive(Debug, Subcommand)]
pub(crate) enum DatasetCommand {
    /// Register a dataset in the Dataset registry, owned by the wallet (or --owner).
    #[command(after_help = "Examples:
  poco dataset deploy --key-file ./me.key --name prices \\
      --multiaddr https://example.com/prices.csv --file ./prices.csv")]
    Deploy(DeployArgs),
    /// Sign a dataset order with the wallet and publish it on the market.
    #[command(after_help = "Examples:
  poco dataset publish 0x… --price 2RLC --app-restrict 0x… --key-file ./me.key")]
    Publish(crate::commands::order::PublishArgs),
    /// Take the wallet's orders for it out of the market (the last published, or --all).
    #[command(after_help = "Examples:
  poco dataset unpublish 0x… --key-file ./me.key")]
    Unpublish(crate::commands::order::UnpublishAssetArgs),
    /// Show a registered dataset.
    #[command(after_help = "Examples:
  poco dataset show 0x…")]
    Show {
        /// The dataset's address.
        address: DatasetAddress,
    },
}

/// `poco dataset deploy` options.
#[derive(Debug, Args)]
pub(crate) struct DeployArgs {
    /// The dataset's name.
    #[arg(long)]
    name: String,
    /// Where workers fetch it (a URL).
    #[arg(long)]
    multiaddr: String,
    /// The file's SHA-256, in hex.
    #[arg(long, conflicts_with = "file")]
    checksum: Option<B256>,
    /// A file whose SHA-256 is the checksum.
    #[arg(long)]
    file: Option<PathBuf>,
    /// The owner (default: the wallet).
    #[arg(long)]
    owner: Option<Address>,
}

impl Output for Deployed<DatasetAddress> {
    fn human(&self) -> String {
        format!("dataset: {}\ntx:      {} (block {})", self.address, self.tx.hash, self.tx.block)
    }
}

impl Output for DatasetInfo {
    fn human(&self) -> String {
        format!(
            "dataset:   {}\nowner:     {}\nname:      {}\nmultiaddr: {}\nchecksum:  {}",
            self.address, self.owner, self.name, self.multiaddr, self.checksum
        )
    }
}

pub(crate) async fn run(context: &Context, command: DatasetCommand) -> Result<(), CliError> {
    match command {
        DatasetCommand::Publish(args) => {
            return crate::commands::order::publish_asset(context, Book::Dataset, args).await;
        }
        DatasetCommand::Unpublish(args) => {
            return crate::commands::order::unpublish_asset(context, Book::Dataset, args).await;
        }
        DatasetCommand::Deploy(args) => {
            let checksum = match (&args.checksum, &args.file) {
                (Some(checksum), _) => *checksum,
                (None, Some(file)) => sha256_file(file).await?,
                (None, None) => B256::ZERO,
            };
            let poco = context.connect_signed().await?;
            let spec = DatasetSpec {
                owner: args.owner,
                name: args.name,
                multiaddr: args.multiaddr,
                checksum,
            };
            emit(&poco.deploy_dataset(spec).await?, context.json());
        }
        DatasetCommand::Show { address } => {
            let poco = context.connect().await?;
            emit(&poco.show_dataset(address).await?, context.json());
        }
    }
    Ok(())
}
