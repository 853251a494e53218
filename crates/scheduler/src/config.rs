//! [`SchedulerConfig`]: everything [`spawn`](crate::spawn) needs, with defaults for a local
//! deployment. No clap here: the `poco-scheduler` binary maps its flags onto it.

use alloy_primitives::Address;
use std::{net::SocketAddr, time::Duration};
use url::Url;

use crate::{engine::EngineConfig, publisher::PublisherConfig, registry::RegistryConfig};

/// One scheduler: its chain, pool, database, HTTP address, periods and order settings.
#[derive(Clone, Debug)]
pub struct SchedulerConfig {
    /// `sqlite://…` or `postgres://…`.
    pub database_url: String,
    /// The chain's JSON-RPC endpoint.
    pub rpc_url: Url,
    /// The chain id the node must serve.
    pub chain_id: u64,
    /// The hub of the deployment.
    pub hub: Address,
    /// The workerpool this scheduler runs (its owner is the signer).
    pub workerpool: Address,
    /// Where the HTTP API listens.
    pub listen: SocketAddr,
    /// The results service's base URL, handed to workers.
    pub results_url: String,
    /// Login, session and loss periods.
    pub registry: RegistryConfig,
    /// How often workers must ping.
    pub heartbeat_period: Duration,
    /// The longest an ask-for-work long poll is held.
    pub max_wait: Duration,
    /// How often the chain client polls, and the last block is read for `/v1/stats`.
    pub poll_interval: Duration,
    /// Only these workers may log in (`None`: anyone).
    pub allowed_workers: Option<Vec<Address>>,
    /// The order publisher (`None`: the operator publishes orders by hand).
    pub publisher: Option<PublisherConfig>,
    /// The engine's periods and limits (deal stream, ticks, dispatch margin, upload timeout).
    pub engine: EngineConfig,
}

impl SchedulerConfig {
    /// A configuration with the defaults for a deployment (no publisher).
    pub fn new(
        database_url: String,
        rpc_url: Url,
        chain_id: u64,
        hub: Address,
        workerpool: Address,
    ) -> Self {
        Self {
            database_url,
            rpc_url,
            chain_id,
            hub,
            workerpool,
            listen: SocketAddr::from(([127, 0, 0, 1], 7070)),
            results_url: "http://127.0.0.1:13200".into(),
            registry: RegistryConfig::default(),
            heartbeat_period: Duration::from_secs(10),
            max_wait: Duration::from_secs(20),
            poll_interval: Duration::from_millis(500),
            allowed_workers: None,
            publisher: None,
            engine: EngineConfig::default(),
        }
    }
}
