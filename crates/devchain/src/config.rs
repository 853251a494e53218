//! [`DevChainConfig`]: everything [`crate::spawn`] needs, with anvil's defaults.

use std::{net::IpAddr, path::PathBuf, time::Duration};

use alloy::primitives::{U256, utils::Unit};

/// The standard development mnemonic (hardhat, anvil, foundry).
pub const DEFAULT_MNEMONIC: &str = "test test test test test test test test test test test junk";
/// The default chain id (anvil's and hardhat's).
pub const DEFAULT_CHAIN_ID: u64 = 31337;
/// The default number of dev accounts.
pub const DEFAULT_ACCOUNTS: u32 = 10;
/// The default port (anvil's).
pub const DEFAULT_PORT: u16 = 8545;
/// The default block gas limit (anvil's).
pub const DEFAULT_GAS_LIMIT: u64 = 30_000_000;
/// The base fee of the genesis block: 1 gwei (anvil's).
pub const DEFAULT_BASE_FEE: u64 = 1_000_000_000;
/// How many recent blocks keep their state for calls at an older block (geth keeps 128).
pub const DEFAULT_STATE_HISTORY: usize = 128;

/// 1 RLC in nRLC (the token has 9 decimals).
pub const ONE_RLC: u64 = 1_000_000_000;

/// Configuration of a devchain. `Default` is the binary's default (port 8545); tests start from
/// [`DevChainConfig::test`] (an ephemeral port on 127.0.0.1) and chain the `with_*` setters.
#[derive(Clone, Debug)]
pub struct DevChainConfig {
    /// Chain id (EIP-155), 31337 by default.
    pub chain_id: u64,
    /// Mnemonic the dev accounts derive from (`m/44'/60'/0'/0/<index>`).
    pub mnemonic: String,
    /// Number of dev accounts.
    pub accounts: u32,
    /// ETH balance of each dev account at genesis, in wei (10 000 ETH by default).
    pub balance: U256,
    /// Deploy the poco protocol at genesis (the default).
    pub deploy_protocol: bool,
    /// RLC each dev account but the first receives at genesis, in nRLC (1 000 000 RLC by default);
    /// the deployer (account 0) keeps the rest of the supply.
    pub rlc_per_account: U256,
    /// `None` (or zero): automine, one block per transaction. `Some(interval)`: a block every
    /// `interval` with every ready transaction.
    pub block_time: Option<Duration>,
    /// Block gas limit (30 M by default).
    pub gas_limit: u64,
    /// Base fee of the genesis block, in wei (1 gwei by default); EIP-1559 moves it afterwards.
    pub base_fee: u64,
    /// Timestamp of the genesis block; the current time by default.
    pub genesis_timestamp: Option<u64>,
    /// How many recent blocks keep their state, for calls at an older block.
    pub state_history: usize,
    /// Folder where the chain is kept across restarts (a journal of every change, replayed on
    /// start; see the crate docs). The genesis timestamp is fixed when the folder is created.
    pub data_dir: Option<PathBuf>,
    /// Address the JSON-RPC server listens on.
    pub host: IpAddr,
    /// Port the JSON-RPC server listens on (`0`: any free port).
    pub port: u16,
}

impl Default for DevChainConfig {
    fn default() -> Self {
        Self {
            chain_id: DEFAULT_CHAIN_ID,
            mnemonic: DEFAULT_MNEMONIC.to_owned(),
            accounts: DEFAULT_ACCOUNTS,
            balance: Unit::ETHER.wei() * U256::from(10_000u64),
            deploy_protocol: true,
            rlc_per_account: U256::from(1_000_000u64) * U256::from(ONE_RLC),
            block_time: None,
            gas_limit: DEFAULT_GAS_LIMIT,
            base_fee: DEFAULT_BASE_FEE,
            genesis_timestamp: None,
            state_history: DEFAULT_STATE_HISTORY,
            data_dir: None,
            host: IpAddr::from([127, 0, 0, 1]),
            port: DEFAULT_PORT,
        }
    }
}

impl DevChainConfig {
    /// The configuration for tests: the defaults on 127.0.0.1 and a free port.
    pub fn test() -> Self {
        Self { port: 0, ..Self::default() }
    }

    /// Sets the chain id.
    pub const fn with_chain_id(mut self, chain_id: u64) -> Self {
        self.chain_id = chain_id;
        self
    }

    /// Sets the mnemonic of the dev accounts.
    pub fn with_mnemonic(mut self, mnemonic: impl Into<String>) -> Self {
        self.mnemonic = mnemonic.into();
        self
    }

    /// Sets the number of dev accounts.
    pub const fn with_accounts(mut self, accounts: u32) -> Self {
        self.accounts = accounts;
        self
    }

    /// Sets the ETH balance of each dev account, in wei.
    pub const fn with_balance(mut self, balance: U256) -> Self {
        self.balance = balance;
        self
    }

    /// Deploys the protocol at genesis, or not.
    pub const fn with_protocol(mut self, deploy: bool) -> Self {
        self.deploy_protocol = deploy;
        self
    }

    /// Sets the RLC each dev account receives at genesis, in nRLC.
    pub const fn with_rlc_per_account(mut self, amount: U256) -> Self {
        self.rlc_per_account = amount;
        self
    }

    /// Sets the block time (`None`: automine).
    pub const fn with_block_time(mut self, block_time: Option<Duration>) -> Self {
        self.block_time = block_time;
        self
    }

    /// Sets the block gas limit.
    pub const fn with_gas_limit(mut self, gas_limit: u64) -> Self {
        self.gas_limit = gas_limit;
        self
    }

    /// Sets the base fee of the genesis block.
    pub const fn with_base_fee(mut self, base_fee: u64) -> Self {
        self.base_fee = base_fee;
        self
    }

    /// Sets the timestamp of the genesis block.
    pub const fn with_genesis_timestamp(mut self, timestamp: u64) -> Self {
        self.genesis_timestamp = Some(timestamp);
        self
    }

    /// Sets how many recent blocks keep their state.
    pub const fn with_state_history(mut self, blocks: usize) -> Self {
        self.state_history = blocks;
        self
    }

    /// Sets the data folder.
    pub fn with_data_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.data_dir = Some(dir.into());
        self
    }

    /// Sets the listening address.
    pub const fn with_host(mut self, host: IpAddr) -> Self {
        self.host = host;
        self
    }

    /// Sets the listening port.
    pub const fn with_port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_anvils() {
        let config = DevChainConfig::default();
        assert_eq!(config.chain_id, 31337);
        assert_eq!(config.accounts, 10);
        assert_eq!(config.port, 8545);
        assert_eq!(config.balance, U256::from(10_000u64) * U256::from(10u64).pow(U256::from(18)));
        assert!(config.block_time.is_none());
        assert_eq!(DevChainConfig::test().port, 0);
    }
}
