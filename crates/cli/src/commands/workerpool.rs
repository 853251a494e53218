//! `poco workerpool`: register and show workerpools.

use crate::{
    context::Context,
    exit::CliError,
    output::{Output, emit},
};
use alloy_primitives::Address;
use clap::{Args, Subcommand};
use poco_sdk::market_api::Book;
use poco_sdk::{Deployed, WorkerpoolAddress, WorkerpoolInfo, WorkerpoolSpec};

/// `poco workerpool …`
#[derive(Debug, Subcommand)]
pub(crate) enum WorkerpoolCommand {
    /// Register a workerpool in the Workerpool registry, owned by the wallet (or --owner).
    #[command(after_help = "Examples:
  poco workerpool deploy --key-file ./scheduler.key --description \"my pool\"")]
    Deploy(DeployArgs),
    /// Sign a workerpool order with the wallet and publish it on the market.
    #[command(after_help = "Examples:
  poco workerpool publish 0x… --price 0.1RLC --volume 100 --category 0 --trust 1 --key-file ./pool.key")]
    Publish(crate::commands::order::PublishArgs),
    /// Take the wallet's orders for it out of the market (the last published, or --all).
    #[command(after_help = "Examples:
  poco workerpool unpublish 0x… --all --key-file ./pool.key")]
    Unpublish(crate::commands::order::UnpublishAssetArgs),
    /// Show a registered workerpool.
    #[command(after_help = "Examples:
  poco workerpool show 0x…")]
    Show {
        /// The workerpool's address.
        address: WorkerpoolAddress,
    },
}

/// `poco workerpool deploy` options.
#[derive(Debug, Args)]
pub(crate) struct DeployArgs {
    /// The workerpool's description.
    #[arg(long)]
    description: String,
    /// The owner (default: the wallet).
    #[arg(long)]
    owner: Option<Address>,
}

impl Output for Deployed<WorkerpoolAddress> {
    fn human(&self) -> String {
        format!(
            "workerpool: {}\ntx:         {} (block {})",
            self.address, self.tx.hash, self.tx.block
        )
    }
}

impl Output for WorkerpoolInfo {
    fn human(&self) -> String {
        format!(
            "workerpool:             {}\nowner:                  {}\ndescription:            {}\n\
             worker stake ratio:     {} %\nscheduler reward ratio: {} %",
            self.address,
            self.owner,
            self.description,
            self.worker_stake_ratio,
            self.scheduler_reward_ratio
        )
    }
}

pub(crate) async fn run(context: &Context, command: WorkerpoolCommand) -> Result<(), CliError> {
    match command {
        WorkerpoolCommand::Publish(args) => {
            return crate::commands::order::publish_asset(context, Book::Workerpool, args).await;
        }
        WorkerpoolCommand::Unpublish(args) => {
            return crate::commands::order::unpublish_asset(context, Book::Workerpool, args).await;
        }
        WorkerpoolCommand::Deploy(args) => {
            let poco = context.connect_signed().await?;
            let spec = WorkerpoolSpec { owner: args.owner, description: args.description };
            emit(&poco.deploy_workerpool(spec).await?, context.json());
        }
        WorkerpoolCommand::Show { address } => {
            let poco = context.connect().await?;
            emit(&poco.show_workerpool(address).await?, context.json());
        }
    }
    Ok(())
}
