//! One file per command group; each parses its arguments (clap derive), calls the SDK and
//! prints through `crate::output`.

pub(crate) mod account;
pub(crate) mod app;
pub(crate) mod category;
pub(crate) mod chain;
pub(crate) mod dataset;
pub(crate) mod deal;
pub(crate) mod devnet;
pub(crate) mod order;
pub(crate) mod orderbook;
pub(crate) mod run;
pub(crate) mod task;
pub(crate) mod wallet;
pub(crate) mod workerpool;

use crate::{cli::Command, context::Context, exit::CliError};
use alloy_primitives::B256;
use sha2::{Digest, Sha256};
use std::path::Path;

/// Runs `command`.
pub(crate) async fn run(context: &Context, command: Command) -> Result<(), CliError> {
    match command {
        Command::Wallet(command) => wallet::run(context, command).await,
        Command::Account(command) => account::run(context, command).await,
        Command::App(command) => app::run(context, command).await,
        Command::Dataset(command) => dataset::run(context, command).await,
        Command::Workerpool(command) => workerpool::run(context, command).await,
        Command::Deal(command) => deal::run(context, command).await,
        Command::Task(command) => task::run(context, command).await,
        Command::Order(command) => order::run(context, command).await,
        Command::Orderbook(command) => orderbook::run(context, command).await,
        Command::Category(command) => category::run(context, command).await,
        Command::Chain(command) => chain::run(context, command).await,
        Command::Devnet(args) => devnet::run(context, args).await,
    }
}

/// The SHA-256 of a file, as registries store checksums.
pub(crate) async fn sha256_file(path: &Path) -> Result<B256, CliError> {
    let bytes = tokio::fs::read(path).await.map_err(|error| CliError::Input {
        message: format!("could not read {}: {error}", path.display()),
        hint: "check the path given to --file".to_owned(),
    })?;
    Ok(B256::from_slice(&Sha256::digest(&bytes)))
}
