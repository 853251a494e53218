//! `poco app`: register and show apps; `poco app run` (in `run.rs`) buys their execution.

use crate::{
    commands::sha256_file,
    context::Context,
    exit::CliError,
    output::{Output, emit},
};
use alloy_primitives::{Address, B256, Bytes};
use clap::{Args, Subcommand};
use poco_sdk::market_api::Book;
use poco_sdk::{AppAddress, AppInfo, AppSpec, Deployed};
use std::path::PathBuf;

/// `poco app …`
#[derive(Debug, Subcommand)]
pub(crate) enum AppCommand {
    /// Register an app in the App registry, owned by the wallet (or --owner).
    #[command(after_help = "Examples:
  poco app deploy --key-file ./me.key --name hello --type WASM \\
      --multiaddr https://example.com/hello.wasm --file apps/hello/hello.wasm
  poco app deploy --key-file ./me.key --name hello --type DOCKER \\
      --multiaddr docker.io/me/hello:1.0 --checksum 0x…")]
    Deploy(DeployArgs),
    /// Run an app: buy its execution from the market's best orders, then follow the tasks
    /// (--watch) and fetch their results (--download).
    #[command(after_help = crate::commands::run::RUN_HELP)]
    Run(crate::commands::run::RunArgs),
    /// Sign an app order with the wallet and publish it on the market.
    #[command(after_help = "Examples:
  poco app publish 0x… --price 1RLC --volume 10 --key-file ./me.key")]
    Publish(crate::commands::order::PublishArgs),
    /// Take the wallet's orders for it out of the market (the last published, or --all).
    #[command(after_help = "Examples:
  poco app unpublish 0x… --all --key-file ./me.key")]
    Unpublish(crate::commands::order::UnpublishAssetArgs),
    /// Show a registered app.
    #[command(after_help = "Examples:
  poco app show 0x…
  poco --chain dev --json app show 0x…")]
    Show {
        /// The app's address.
        address: AppAddress,
    },
}

/// `poco app deploy` options.
#[derive(Debug, Args)]
pub(crate) struct DeployArgs {
    /// The app's name.
    #[arg(long)]
    name: String,
    /// The app's type: WASM or DOCKER.
    #[arg(long = "type", default_value = "WASM")]
    app_type: String,
    /// Where workers fetch it: a URL (WASM module) or a Docker image.
    #[arg(long)]
    multiaddr: String,
    /// The module's SHA-256 (or the image digest), in hex.
    #[arg(long, conflicts_with = "file")]
    checksum: Option<B256>,
    /// A file whose SHA-256 is the checksum (the WASM module).
    #[arg(long)]
    file: Option<PathBuf>,
    /// The TEE enclave description, in hex (empty for a standard app).
    #[arg(long, default_value = "0x")]
    mrenclave: Bytes,
    /// The owner (default: the wallet).
    #[arg(long)]
    owner: Option<Address>,
}

impl Output for Deployed<AppAddress> {
    fn human(&self) -> String {
        format!("app: {}\ntx:  {} (block {})", self.address, self.tx.hash, self.tx.block)
    }
}

impl Output for AppInfo {
    fn human(&self) -> String {
        format!(
            "app:       {}\nowner:     {}\nname:      {}\ntype:      {}\nmultiaddr: {}\n\
             checksum:  {}\nmrenclave: {}",
            self.address,
            self.owner,
            self.name,
            self.app_type,
            self.multiaddr,
            self.checksum,
            self.mrenclave
        )
    }
}

pub(crate) async fn run(context: &Context, command: AppCommand) -> Result<(), CliError> {
    match command {
        AppCommand::Publish(args) => {
            return crate::commands::order::publish_asset(context, Book::App, args).await;
        }
        AppCommand::Unpublish(args) => {
            return crate::commands::order::unpublish_asset(context, Book::App, args).await;
        }
        AppCommand::Deploy(args) => {
            let checksum = match (&args.checksum, &args.file) {
                (Some(checksum), _) => *checksum,
                (None, Some(file)) => sha256_file(file).await?,
                (None, None) => B256::ZERO,
            };
            let poco = context.connect_signed().await?;
            let spec = AppSpec {
                owner: args.owner,
                name: args.name,
                app_type: args.app_type,
                multiaddr: args.multiaddr,
                checksum,
                mrenclave: args.mrenclave,
            };
            emit(&poco.deploy_app(spec).await?, context.json());
        }
        AppCommand::Show { address } => {
            let poco = context.connect().await?;
            emit(&poco.show_app(address).await?, context.json());
        }
        AppCommand::Run(args) => return crate::commands::run::run(context, args).await,
    }
    Ok(())
}
