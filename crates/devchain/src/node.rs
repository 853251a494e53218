//! [`spawn`]: build the genesis, start the JSON-RPC server, hand back a [`DevChainHandle`].

use std::{
    net::SocketAddr,
    sync::{Arc, RwLock},
    time::Duration,
};

use alloy::primitives::{Address, U256};
use poco_contracts::Deployment;
use tokio::{net::TcpListener, sync::watch, task::JoinHandle};

use crate::{
    accounts::{self, DevAccount},
    chain::{Chain, ChainSpec, time_now},
    config::DevChainConfig,
    error::Error,
    genesis, persist,
    rpc::{RpcContext, SharedContext, server},
};

/// A running devchain. Dropping it stops the server; [`DevChainHandle::shutdown`] stops it and
/// waits for it.
#[derive(Debug)]
pub struct DevChainHandle {
    addr: SocketAddr,
    chain_id: u64,
    accounts: Vec<DevAccount>,
    deployment: Option<Deployment>,
    shutdown: watch::Sender<bool>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

/// Builds the chain of `config` (genesis, protocol) and serves its JSON-RPC over HTTP.
pub async fn spawn(config: DevChainConfig) -> Result<DevChainHandle, Error> {
    let accounts = accounts::derive(&config.mnemonic, config.accounts)?;
    let block_time = config.block_time.filter(|interval| !interval.is_zero());
    let spec = ChainSpec {
        chain_id: config.chain_id,
        gas_limit: config.gas_limit,
        state_history: config.state_history,
        automine: block_time.is_none(),
    };
    let alloc: Vec<(Address, U256)> =
        accounts.iter().map(|account| (account.address, config.balance)).collect();
    // A data folder fixes the genesis timestamp at its creation.
    let recorded = match &config.data_dir {
        Some(dir) => persist::prepare(dir)?,
        None => None,
    };
    let timestamp = recorded
        .as_ref()
        .map(|genesis| genesis.timestamp)
        .or(config.genesis_timestamp)
        .unwrap_or_else(time_now);
    let (mut chain, deployment) =
        Chain::genesis(spec, config.base_fee, timestamp, &alloc, |builder| {
            if config.deploy_protocol {
                genesis::deploy(builder, &accounts, config.rlc_per_account).map(Some)
            } else {
                Ok(None)
            }
        })?;

    if let Some(dir) = &config.data_dir {
        persist::resume(dir, &mut chain, recorded, timestamp)?;
    }

    let addr = SocketAddr::new(config.host, config.port);
    let listener = TcpListener::bind(addr).await.map_err(|source| Error::Bind { addr, source })?;
    let addr = listener.local_addr().map_err(|source| Error::Bind { addr, source })?;
    let context = Arc::new(RpcContext::new(RwLock::new(chain), accounts.clone()));
    let (shutdown, stop) = watch::channel(false);
    let miner = block_time
        .map(|interval| tokio::spawn(mine_every(Arc::clone(&context), interval, stop.clone())));
    let app = server::router(context);
    let server_stop = stop;
    let task = tokio::spawn(async move {
        let served = axum::serve(listener, app)
            // A shutdown request, or the handle dropped.
            .with_graceful_shutdown(stopped(server_stop))
            .await;
        if let Some(miner) = miner {
            let _ = miner.await;
        }
        served
    });
    tracing::info!(%addr, chain_id = config.chain_id, "Devchain listening.");
    Ok(DevChainHandle {
        addr,
        chain_id: config.chain_id,
        accounts,
        deployment,
        shutdown,
        task: Some(task),
    })
}

// === impl DevChainHandle ===

impl DevChainHandle {
    /// The address the server listens on.
    pub const fn socket_address(&self) -> SocketAddr {
        self.addr
    }

    /// The HTTP JSON-RPC endpoint, e.g. `http://127.0.0.1:8545`.
    pub fn http_endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The WebSocket JSON-RPC endpoint (the same port), e.g. `ws://127.0.0.1:8545`.
    pub fn ws_endpoint(&self) -> String {
        format!("ws://{}", self.addr)
    }

    /// The chain id.
    pub const fn chain_id(&self) -> u64 {
        self.chain_id
    }

    /// The funded dev accounts, with their keys.
    pub fn dev_accounts(&self) -> &[DevAccount] {
        &self.accounts
    }

    /// The protocol deployed at genesis (`None` when the config asked for none).
    pub const fn deployment(&self) -> Option<&Deployment> {
        self.deployment.as_ref()
    }

    /// Waits until the server stops (it only stops on [`Self::shutdown`] or an I/O failure).
    pub async fn stopped(&mut self) -> Result<(), Error> {
        match self.task.as_mut() {
            Some(task) => {
                let served = task.await;
                self.task = None;
                served?.map_err(Error::Serve)
            }
            None => Ok(()),
        }
    }

    /// Stops the server and waits for it.
    pub async fn shutdown(mut self) -> Result<(), Error> {
        self.shutdown.send_replace(true);
        self.stopped().await
    }
}

impl Drop for DevChainHandle {
    fn drop(&mut self) {
        self.shutdown.send_replace(true);
    }
}

/// Interval mining: a block every `interval` with whatever is ready, until `stop`.
async fn mine_every(context: SharedContext, interval: Duration, stop: watch::Receiver<bool>) {
    let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + interval, interval);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let stopped = stopped(stop);
    tokio::pin!(stopped);
    loop {
        tokio::select! {
            _ = ticks.tick() => {
                let context = Arc::clone(&context);
                if let Err(error) = tokio::task::spawn_blocking(move || context.mine_block()).await {
                    tracing::error!(%error, "Mining a block panicked.");
                }
            }
            () = &mut stopped => break,
        }
    }
}

/// Resolves once a stop is asked for (or the handle is gone).
async fn stopped(mut stop: watch::Receiver<bool>) {
    let _ = stop.wait_for(|stop| *stop).await;
}
