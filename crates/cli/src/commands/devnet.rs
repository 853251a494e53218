//! `poco devnet`: the whole system on this machine, in one data folder, until Ctrl-C.

use crate::{
    context::Context,
    exit::CliError,
    output::{Progress, message},
};
use clap::Args;
use poco_devnet::{Devnet, DevnetConfig, DevnetInfo, Ports, Role};
use poco_scheduler_api::Executor;
use poco_sdk::{ChainFile, ChainName, ChainSpec, chains::DEV_CHAIN};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// The data folder used when --data-dir is not given (relative to the current folder).
pub(crate) const DEFAULT_DATA_DIR: &str = ".poco-devnet";
/// The chain file written into the data folder.
pub(crate) const CHAIN_FILE_NAME: &str = "chain.json";

pub(crate) const DEVNET_HELP: &str = "Examples:
  poco devnet                                   # ./.poco-devnet, 2 workers, ports 8545/8080/7070/13200
  poco devnet --data-dir /tmp/dn --workers 4 --any-ports
  poco --chain-file /tmp/dn/chain.json --key-file ./requester.key account show

Starts the devchain (the protocol deployed at genesis), the market, the results service, one
workerpool's scheduler and its workers, all kept in the data folder; writes <data-dir>/chain.json
(a chain file whose `dev` entry names this devnet) and prints the URLs and the funded dev
accounts (dev keys: public knowledge, never use them elsewhere). Ctrl-C (or SIGTERM) stops
everything cleanly; starting again on the same folder resumes the same chain and pool.
With --json, one line of JSON on stdout once everything is ready (the URLs, the deployment,
the pool, the accounts and `chainFile`).";

/// `poco devnet`
#[derive(Debug, Args)]
pub(crate) struct DevnetArgs {
    /// Where the chain, the market, the results, the scheduler and the workers keep their data
    /// (created if missing; an existing devnet folder is resumed).
    #[arg(long, value_name = "DIR", default_value = DEFAULT_DATA_DIR)]
    data_dir: PathBuf,
    /// Worker agents in the pool.
    #[arg(long, default_value_t = 2, value_name = "N")]
    workers: usize,
    /// Tasks each worker runs at once (the pool sells workers × slots tasks at a time).
    #[arg(long, default_value_t = 2, value_name = "N")]
    worker_slots: u32,
    /// Listen on any free ports instead of 8545 (RPC), 8080 (market), 7070 (scheduler) and
    /// 13200 (results); the chain file names the ones taken.
    #[arg(long)]
    any_ports: bool,
    /// Workers also run Docker apps (needs a reachable Docker daemon).
    #[arg(long)]
    docker: bool,
    /// The Docker daemon the workers use with --docker [default: the local one].
    #[arg(long, env = "DOCKER_HOST", value_name = "URL")]
    docker_host: Option<String>,
    /// How many of the workers (the last ones) contribute wrong results on purpose: watch
    /// the consensus outvote them and the hub seize their stake (tests and demos).
    #[arg(long, default_value_t = 0, value_name = "N")]
    faulty_workers: usize,
}

/// What `--json` prints once the devnet is ready.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Ready<'a> {
    #[serde(flatten)]
    info: &'a DevnetInfo,
    chain_file: &'a Path,
}

/// The role's name in the table.
fn role_name(role: Role) -> String {
    match role {
        Role::Deployer => "deployer".to_owned(),
        Role::AppDeveloper => "app developer".to_owned(),
        Role::DatasetOwner => "dataset owner".to_owned(),
        Role::PoolOwner => "pool owner".to_owned(),
        Role::Requester => "requester".to_owned(),
        Role::Worker(n) => format!("worker {n}"),
    }
}

/// The readable summary printed on stderr.
fn table(info: &DevnetInfo, chain_file: &Path) -> String {
    let mut text = format!(
        "Devnet ready in {}\n\n\
         chain id    {}\n\
         rpc         {}\n\
         market      {}\n\
         scheduler   {}\n\
         results     {}\n\
         hub         {}\n\
         RLC         {}\n\
         workerpool  {}\n\
         chain file  {}\n\n\
         {:<14} {:<42} private key (dev only)\n",
        info.data_dir.display(),
        info.chain_id,
        info.rpc_url,
        info.market_url,
        info.scheduler_url,
        info.results_url,
        info.deployment.hub,
        info.deployment.rlc,
        info.workerpool,
        chain_file.display(),
        "role",
        "address",
    );
    for account in &info.accounts {
        text.push_str(&format!(
            "{:<14} {} {}\n",
            role_name(account.role),
            account.address,
            account.private_key
        ));
    }
    text.push_str(&format!(
        "\nUse it: poco --chain-file {} --key-file <key file> …\nCtrl-C stops the devnet.",
        chain_file.display()
    ));
    text
}

/// The chain file naming this devnet as `dev` (and the default).
fn chain_file(info: &DevnetInfo) -> Result<ChainFile, CliError> {
    let url = |what: &str, text: &str| {
        url::Url::parse(text).map_err(|error| CliError::Input {
            message: format!("the devnet's {what} URL `{text}` does not parse: {error}"),
            hint: "this is a bug: please report it".to_owned(),
        })
    };
    let spec = ChainSpec {
        chain_id: info.chain_id,
        rpc_url: url("RPC", &info.rpc_url)?,
        hub: info.deployment.hub,
        market_url: Some(url("market", &info.market_url)?),
        results_url: Some(url("results", &info.results_url)?),
        scheduler_url: Some(url("scheduler", &info.scheduler_url)?),
        confirmations: 0,
    };
    let name = ChainName(DEV_CHAIN.to_owned());
    Ok(ChainFile { default: Some(name.clone()), chains: [(name, spec)].into() })
}

/// Waits for Ctrl-C or SIGTERM.
async fn stop_signal() -> Result<(), CliError> {
    let failed = CliError::Signals;
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .map_err(failed)?;
        tokio::select! {
            result = tokio::signal::ctrl_c() => result.map_err(failed),
            _ = term.recv() => Ok(()),
        }
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c().await.map_err(failed)
    }
}

pub(crate) async fn run(context: &Context, args: DevnetArgs) -> Result<(), CliError> {
    let json = context.json();
    let mut config = DevnetConfig::new(&args.data_dir);
    config.workers = args.workers;
    config.worker_slots = args.worker_slots.max(1);
    config.faulty_workers = args.faulty_workers.min(args.workers);
    if args.any_ports {
        config.ports = Ports::ANY;
    }
    if args.docker {
        config.executors.push(Executor::Docker);
        config.docker_host = args.docker_host;
    }
    let progress =
        Progress::start(json, format!("Starting the devnet in {} …", args.data_dir.display()));
    let started = Devnet::start(config).await;
    progress.finish();
    let devnet = started.map_err(|error| CliError::Devnet(Box::new(error)))?;
    let info = devnet.info().clone();

    let path = info.data_dir.join(CHAIN_FILE_NAME);
    let written = async {
        let text =
            serde_json::to_string_pretty(&chain_file(&info)?).map_err(|error| CliError::Input {
                message: format!("could not encode the chain file: {error}"),
                hint: "this is a bug: please report it".to_owned(),
            })?;
        tokio::fs::write(&path, text).await.map_err(|error| CliError::Input {
            message: format!("could not write {}: {error}", path.display()),
            hint: "check that the data folder is writable".to_owned(),
        })
    }
    .await;
    if let Err(error) = written {
        let _ = devnet.shutdown().await;
        return Err(error);
    }

    if json {
        let ready = Ready { info: &info, chain_file: &path };
        match serde_json::to_string(&ready) {
            Ok(text) => println!("{text}"),
            Err(error) => eprintln!("error: could not encode the output as JSON: {error}"),
        }
    } else {
        eprintln!("{}", table(&info, &path));
    }

    let signal = stop_signal().await;
    let progress = Progress::start(json, "Stopping the devnet …");
    let stopped = devnet.shutdown().await.map_err(|error| CliError::Devnet(Box::new(error)));
    progress.finish();
    signal?;
    stopped?;
    message(json, "Devnet stopped.");
    Ok(())
}
