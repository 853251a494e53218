//! The command line: global options and the command tree. Each command's arguments live in its
//! file under `commands/`.

use crate::commands::{account, app, chain, dataset, deal, devnet, task, wallet, workerpool};
use crate::commands::{category, order, orderbook};
use clap::{ArgAction, Args, Parser, Subcommand};
use std::path::PathBuf;

/// The exit codes, documented in `--help` (see `crate::exit`).
macro_rules! exit_codes {
    () => {
        "\
Exit codes:
  0  success
  1  unexpected failure (a bug: please report it)
  2  bad command line (unknown option, missing argument)
  3  chain file or chain name (--chain, --chain-file)
  4  wallet (key file, keystore, password file; no wallet given; not the hub's owner)
  5  node or service (market, …) unreachable, wrong chain id, no hub; a devnet port in use
  6  balance too small (the message says how much is missing)
  7  transaction refused or reverted
  8  not found (no such app, dataset, workerpool, order hash or category)
  9  invalid input (malformed amount or file, already deployed; a broken devnet folder)
  10 a wait ran out of time (--timeout); the task or deal goes on"
    };
}

#[cfg(test)]
const EXIT_CODES: &str = exit_codes!();

const AFTER_HELP: &str = concat!(
    "\
Examples:
  poco wallet create --key-file ./me.key
  poco --chain dev --key-file ./me.key account deposit 5RLC
  poco --json app show 0x…

Chains: `dev` (the devchain on 127.0.0.1:8545) is built in; more are named in a chain file
(--chain-file, default ./poco-chain.json; `poco chain --help` shows the format).

",
    exit_codes!()
);

/// poco: an open marketplace for computing power, from the command line.
#[derive(Debug, Parser)]
#[command(name = "poco", version, after_help = AFTER_HELP)]
pub(crate) struct Cli {
    /// Options every command takes.
    #[command(flatten)]
    pub(crate) global: GlobalArgs,
    /// The command.
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// Options every command takes.
#[derive(Clone, Debug, Default, Args)]
pub(crate) struct GlobalArgs {
    /// Print the command's data as JSON on stdout (messages and errors stay on stderr; an error
    /// is a JSON object there too).
    #[arg(long, global = true)]
    pub(crate) json: bool,
    /// The chain to use: a name in the chain file (`dev` is built in).
    #[arg(long, global = true, env = "POCO_CHAIN")]
    pub(crate) chain: Option<String>,
    /// The chain file naming deployments [default: ./poco-chain.json when present].
    #[arg(long, global = true, env = "POCO_CHAIN_FILE", value_name = "FILE")]
    pub(crate) chain_file: Option<PathBuf>,
    /// The wallet: a file holding a hex private key.
    #[arg(
        long,
        global = true,
        env = "POCO_KEY_FILE",
        value_name = "FILE",
        conflicts_with = "keystore"
    )]
    pub(crate) key_file: Option<PathBuf>,
    /// The wallet: an encrypted keystore (Web3 Secret Storage), unlocked with --password-file.
    #[arg(long, global = true, env = "POCO_KEYSTORE", value_name = "FILE")]
    pub(crate) keystore: Option<PathBuf>,
    /// The file holding the keystore's password.
    #[arg(long, global = true, env = "POCO_PASSWORD_FILE", value_name = "FILE")]
    pub(crate) password_file: Option<PathBuf>,
    /// More logs on stderr (-v: info, -vv: debug); RUST_LOG overrides.
    #[arg(short, long, global = true, action = ArgAction::Count)]
    pub(crate) verbose: u8,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Create a wallet, show its balances.
    #[command(
        subcommand,
        after_help = "Examples:\n  poco wallet create --key-file ./me.key\n  poco wallet show --key-file ./me.key"
    )]
    Wallet(wallet::WalletCommand),
    /// The account on the hub: deposited and locked RLC, deposit, withdraw.
    #[command(
        subcommand,
        after_help = "Examples:\n  poco account deposit 5RLC --key-file ./me.key\n  poco account show --key-file ./me.key"
    )]
    Account(account::AccountCommand),
    /// Register and show apps.
    #[command(
        subcommand,
        after_help = "Examples:\n  poco app deploy --key-file ./me.key --name hello --multiaddr https://example.com/hello.wasm --file hello.wasm\n  poco app show 0x…"
    )]
    App(app::AppCommand),
    /// Register and show datasets.
    #[command(
        subcommand,
        after_help = "Examples:\n  poco dataset deploy --key-file ./me.key --name prices --multiaddr https://example.com/prices.csv --file prices.csv\n  poco dataset show 0x…"
    )]
    Dataset(dataset::DatasetCommand),
    /// Register and show workerpools.
    #[command(
        subcommand,
        after_help = "Examples:\n  poco workerpool deploy --key-file ./scheduler.key --description \"my pool\"\n  poco workerpool show 0x…"
    )]
    Workerpool(workerpool::WorkerpoolCommand),
    /// What a match bought: show a deal and its tasks, claim the tasks that ran out of time.
    #[command(
        subcommand,
        after_help = "Examples:\n  poco deal show 0x… --watch\n  poco deal claim 0x… --key-file ./me.key"
    )]
    Deal(deal::DealCommand),
    /// One task: show it, follow it, download its result, claim it, read its timeline.
    #[command(
        subcommand,
        after_help = "Examples:\n  poco task show 0x… --watch --download ./result\n  poco task claim 0x… --key-file ./me.key"
    )]
    Task(task::TaskCommand),
    /// Sign, publish, unpublish, show, cancel and fill orders.
    #[command(
        subcommand,
        after_help = "Examples:\n  poco order sign --app 0x… --price 1RLC --key-file ./dev.key --out app.json\n  poco order publish app.json --key-file ./dev.key\n  poco order fill --app 0x…(hash) --workerpool 0x…(hash) --key-file ./me.key"
    )]
    Order(order::OrderCommand),
    /// The market's books: app, dataset, workerpool and request orders, best first.
    #[command(
        subcommand,
        after_help = "Examples:\n  poco orderbook app 0x…\n  poco orderbook workerpool --category 0 --min-trust 1"
    )]
    Orderbook(orderbook::OrderbookCommand),
    /// The categories (task sizes) of the deployment.
    #[command(subcommand, after_help = "Examples:\n  poco category count\n  poco category show 0")]
    Category(category::CategoryCommand),
    /// The chains of the chain file, and the protocol's addresses on one.
    #[command(subcommand, after_help = chain::CHAIN_FILE_FORMAT)]
    Chain(chain::ChainCommand),
    /// Run the whole system on this machine (chain, market, results, a pool and its workers)
    /// until Ctrl-C.
    #[command(after_help = devnet::DEVNET_HELP)]
    Devnet(devnet::DevnetArgs),
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn command_tree_is_valid_and_every_command_has_an_example() {
        Cli::command().debug_assert();
        fn walk(command: &clap::Command, path: &str) {
            for sub in command.get_subcommands() {
                let path = format!("{path} {}", sub.get_name());
                let after = sub.get_after_help().map(ToString::to_string).unwrap_or_default();
                assert!(after.contains("Example"), "`{path}` has no example in its help");
                walk(sub, &path);
            }
        }
        walk(&Cli::command(), "poco");
    }

    #[test]
    fn exit_codes_are_in_the_help() {
        let help = Cli::command().render_long_help().to_string();
        assert!(help.contains(EXIT_CODES), "{help}");
    }
}
