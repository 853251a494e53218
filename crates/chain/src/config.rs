//! Typed configuration: [`ChainConfig`] (connection, waits, retries) and [`TxConfig`] (gas and
//! fees). Both are plain serde structs with defaults; binaries build them from their flags.

use serde::{Deserialize, Serialize};
use std::time::Duration;
use url::Url;

/// How to reach a chain and how patiently.
///
/// Durations are (de)serialised as milliseconds, in fields suffixed `_ms`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChainConfig {
    /// JSON-RPC endpoint: `http://`, `https://`, `ws://` or `wss://`.
    pub rpc_url: Url,
    /// The chain id the node must report; connecting to another chain fails with
    /// [`crate::ChainError::WrongChain`].
    pub chain_id: u64,
    /// Blocks required on top of a transaction's (or a log's) block before it counts: a receipt
    /// or log in block `b` is final once `head >= b + confirmations`. 0 accepts the head block.
    #[serde(default)]
    pub confirmations: u64,
    /// How often to poll for receipts and new blocks.
    #[serde(
        rename = "poll_interval_ms",
        with = "duration_ms",
        default = "defaults::poll_interval"
    )]
    pub poll_interval: Duration,
    /// Timeout of one JSON-RPC request (one attempt).
    #[serde(
        rename = "request_timeout_ms",
        with = "duration_ms",
        default = "defaults::request_timeout"
    )]
    pub request_timeout: Duration,
    /// How long [`crate::TxManager`] waits for a receipt and its confirmations.
    #[serde(
        rename = "receipt_timeout_ms",
        with = "duration_ms",
        default = "defaults::receipt_timeout"
    )]
    pub receipt_timeout: Duration,
    /// Retries of transient RPC errors.
    #[serde(default)]
    pub retry: RetryConfig,
}

impl ChainConfig {
    /// A configuration with the defaults for everything but the endpoint and chain id.
    pub fn new(rpc_url: Url, chain_id: u64) -> Self {
        Self {
            rpc_url,
            chain_id,
            confirmations: 0,
            poll_interval: defaults::poll_interval(),
            request_timeout: defaults::request_timeout(),
            receipt_timeout: defaults::receipt_timeout(),
            retry: RetryConfig::default(),
        }
    }

    /// Sets the confirmations.
    pub const fn with_confirmations(mut self, confirmations: u64) -> Self {
        self.confirmations = confirmations;
        self
    }

    /// Sets the poll interval.
    pub const fn with_poll_interval(mut self, poll_interval: Duration) -> Self {
        self.poll_interval = poll_interval;
        self
    }

    /// Sets the timeout of one request.
    pub const fn with_request_timeout(mut self, request_timeout: Duration) -> Self {
        self.request_timeout = request_timeout;
        self
    }

    /// Sets the receipt timeout.
    pub const fn with_receipt_timeout(mut self, receipt_timeout: Duration) -> Self {
        self.receipt_timeout = receipt_timeout;
        self
    }

    /// Sets the retry policy.
    pub const fn with_retry(mut self, retry: RetryConfig) -> Self {
        self.retry = retry;
        self
    }
}

/// Retries of transient RPC errors: connection refused or reset, timeouts, HTTP 429 and 5xx,
/// rate limits (JSON-RPC -32005 and the like). Reverts and other answers of the node are never
/// retried. The delay doubles from `initial_backoff` up to `max_backoff`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RetryConfig {
    /// Retries after the first attempt (0 disables retrying).
    pub max_retries: u32,
    /// Delay before the first retry.
    #[serde(rename = "initial_backoff_ms", with = "duration_ms")]
    pub initial_backoff: Duration,
    /// Longest delay between two attempts.
    #[serde(rename = "max_backoff_ms", with = "duration_ms")]
    pub max_backoff: Duration,
}

impl Default for RetryConfig {
    fn default() -> Self {
        Self {
            max_retries: 8,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(5),
        }
    }
}

impl RetryConfig {
    /// The delay before retry number `retry` (0-based).
    pub fn backoff(&self, retry: u32) -> Duration {
        let factor = 1u32.checked_shl(retry.min(20)).unwrap_or(u32::MAX);
        self.initial_backoff.saturating_mul(factor).min(self.max_backoff)
    }
}

/// Which kind of fees to pay.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeeStrategy {
    /// EIP-1559 when the chain has a base fee, legacy gas price otherwise.
    #[default]
    Auto,
    /// Always EIP-1559 (fails on a chain without base fee).
    Eip1559,
    /// Always a legacy gas price (`eth_gasPrice`).
    Legacy,
}

/// Gas and fee policy of [`crate::TxManager`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TxConfig {
    /// The gas limit is the estimate times this margin.
    pub gas_margin: f64,
    /// Which kind of fees to pay.
    pub fee_strategy: FeeStrategy,
    /// Blocks of `eth_feeHistory` to look at for the priority fee.
    pub fee_history_blocks: u64,
    /// Percentile of the priority fees paid in those blocks to offer.
    pub priority_fee_percentile: f64,
    /// Lowest priority fee offered, in wei.
    pub min_priority_fee: u128,
    /// Highest `maxFeePerGas` (or legacy gas price) ever offered, in wei; `None` for no cap.
    pub max_fee_cap: Option<u128>,
    /// Attempts at sending with a fresh nonce when the nonce collides with another sender of the
    /// same key.
    pub nonce_attempts: u32,
}

impl Default for TxConfig {
    fn default() -> Self {
        Self {
            gas_margin: 1.2,
            fee_strategy: FeeStrategy::Auto,
            fee_history_blocks: 10,
            priority_fee_percentile: 50.0,
            min_priority_fee: 1_000_000,
            max_fee_cap: None,
            nonce_attempts: 5,
        }
    }
}

impl TxConfig {
    /// Applies the margin to a gas estimate (rounded up, saturating).
    pub fn gas_limit(&self, estimate: u64) -> u64 {
        let margin = if self.gas_margin.is_finite() && self.gas_margin >= 1.0 {
            self.gas_margin
        } else {
            1.0
        };
        let limit = (estimate as f64 * margin).ceil();
        if limit >= u64::MAX as f64 { u64::MAX } else { (limit as u64).max(estimate) }
    }
}

mod defaults {
    use std::time::Duration;

    pub(super) const fn poll_interval() -> Duration {
        Duration::from_secs(1)
    }

    pub(super) const fn request_timeout() -> Duration {
        Duration::from_secs(30)
    }

    pub(super) const fn receipt_timeout() -> Duration {
        Duration::from_secs(300)
    }
}

/// `Duration` as whole milliseconds.
pub(crate) mod duration_ms {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::time::Duration;

    pub(crate) fn serialize<S: Serializer>(
        value: &Duration,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.serialize_u64(u64::try_from(value.as_millis()).unwrap_or(u64::MAX))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Duration, D::Error> {
        u64::deserialize(deserializer).map(Duration::from_millis)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gas_margin_rounds_up_and_never_lowers() {
        let table = [(1.2, 21_000, 25_200), (1.2, 1, 2), (0.5, 100, 100), (f64::NAN, 7, 7)];
        for (gas_margin, estimate, expected) in table {
            let config = TxConfig { gas_margin, ..TxConfig::default() };
            assert_eq!(config.gas_limit(estimate), expected, "margin {gas_margin}");
        }
        assert_eq!(TxConfig::default().gas_limit(u64::MAX), u64::MAX);
    }

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let retry = RetryConfig {
            max_retries: 10,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_millis(1000),
        };
        let delays: Vec<_> = (0..6).map(|n| retry.backoff(n).as_millis()).collect();
        assert_eq!(delays, [100, 200, 400, 800, 1000, 1000]);
        assert_eq!(retry.backoff(u32::MAX), Duration::from_millis(1000));
    }

    #[test]
    fn config_json_round_trip_with_defaults() {
        let json = r#"{"rpc_url":"http://127.0.0.1:8545","chain_id":31337}"#;
        let config: ChainConfig = serde_json::from_str(json).unwrap();
        let expected = ChainConfig::new("http://127.0.0.1:8545".parse().unwrap(), 31337);
        assert_eq!(config, expected);
        let back: ChainConfig =
            serde_json::from_str(&serde_json::to_string(&config).unwrap()).unwrap();
        assert_eq!(back, config);
        let tx: TxConfig = serde_json::from_str("{}").unwrap();
        assert_eq!(tx, TxConfig::default());
    }
}
