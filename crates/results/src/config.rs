//! [`ResultsConfig`]: everything the service needs, as plain data (the binary builds it from its
//! flags; tests build it directly).

use alloy_primitives::Address;
use poco_chain::ChainConfig;
use std::{net::SocketAddr, path::PathBuf, time::Duration};

/// The default listen address (iExec's result proxy port, on the loopback).
pub const DEFAULT_LISTEN: SocketAddr =
    SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), 13200);

/// The default size limit of one archive: 10 MiB (the reference proxy's request limit).
pub const DEFAULT_MAX_SIZE: u64 = 10 * 1024 * 1024;

/// The default period of the background check of finalized tasks.
pub const DEFAULT_CHECK_INTERVAL: Duration = Duration::from_secs(30);

/// The default longest wait for the next bytes of an upload's body.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(30);

/// Where archives and their index live.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreConfig {
    /// A folder on the local filesystem (created if missing).
    Local {
        /// The folder.
        root: PathBuf,
    },
    /// An S3 (or S3-compatible) bucket, through object_store's `AmazonS3Builder` (feature `s3`).
    S3 {
        /// `s3://bucket` (or any URL `AmazonS3Builder::with_url` takes).
        url: String,
        /// Builder options as `AmazonS3ConfigKey` names and values (`aws_region`,
        /// `aws_endpoint`, `aws_access_key_id`, `aws_secret_access_key`, `aws_allow_http`, …).
        options: Vec<(String, String)>,
    },
}

/// The configuration of a results service.
#[derive(Clone, Debug)]
pub struct ResultsConfig {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// Where archives are kept.
    pub store: StoreConfig,
    /// The chain (RPC URL, chain id, timeouts).
    pub chain: ChainConfig,
    /// The hub's address.
    pub hub: Address,
    /// Largest accepted archive, in bytes.
    pub max_size: u64,
    /// How often stored archives whose task has not been checked yet are checked against the
    /// chain in the background (`None`: only when asked, at `/v1/results/{taskId}/check`).
    pub check_interval: Option<Duration>,
    /// Longest wait for the next bytes of an upload's body before it is refused (a stalled
    /// client does not hold a staging object forever).
    pub idle_timeout: Duration,
}

impl ResultsConfig {
    /// A configuration with the default listen address and size limit.
    pub fn new(store: StoreConfig, chain: ChainConfig, hub: Address) -> Self {
        Self {
            listen: DEFAULT_LISTEN,
            store,
            chain,
            hub,
            max_size: DEFAULT_MAX_SIZE,
            check_interval: Some(DEFAULT_CHECK_INTERVAL),
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
        }
    }

    /// Sets the listen address (port 0: any free port).
    pub const fn with_listen(mut self, listen: SocketAddr) -> Self {
        self.listen = listen;
        self
    }

    /// Sets the period of the background check (`None` turns it off).
    pub const fn with_check_interval(mut self, check_interval: Option<Duration>) -> Self {
        self.check_interval = check_interval;
        self
    }

    /// Sets the idle timeout of upload bodies.
    pub const fn with_idle_timeout(mut self, idle_timeout: Duration) -> Self {
        self.idle_timeout = idle_timeout;
        self
    }

    /// Sets the size limit.
    pub const fn with_max_size(mut self, max_size: u64) -> Self {
        self.max_size = max_size;
        self
    }
}
