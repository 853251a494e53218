//! `poco-worker`: the worker agent's binary (see `poco-worker --help`).

mod args;

use clap::Parser;

#[tokio::main]
async fn main() -> eyre::Result<()> {
    let args = args::Args::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_new(&args.log).unwrap_or_else(|_| "info".into()),
        )
        .init();
    let (config, signer) = args.load().await?;
    let worker = poco_worker::spawn(config, signer).await?;
    tokio::signal::ctrl_c().await?;
    tracing::info!("Interrupted; stopping.");
    worker.shutdown().await?;
    Ok(())
}
