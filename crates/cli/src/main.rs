//! `poco`: the command line of poco, a thin layer over the `poco-sdk` crate.
//!
//! One file per command group under `commands/`; every command prints its data on stdout (JSON
//! with `--json`), messages and errors on stderr, and exits with a code per kind of error
//! (`poco --help` lists them).

mod cli;
mod commands;
mod context;
mod exit;
mod output;

use clap::Parser;
use std::process::ExitCode;
use tracing_subscriber::EnvFilter;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    init_tracing(cli.global.verbose);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: could not start the async runtime: {error}");
            return ExitCode::from(exit::INTERNAL);
        }
    };
    let context = context::Context { global: cli.global };
    match runtime.block_on(commands::run(&context, cli.command)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => error.report(context.json()),
    }
}

fn init_tracing(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
}
