//! A local anvil node owned by the test: started on a free port, killed when dropped.

use crate::{Error, Result, workspace_root};
use alloy::{
    network::{Ethereum, EthereumWallet},
    primitives::Address,
    providers::{Provider, ProviderBuilder, RootProvider, WalletProvider},
    signers::local::{MnemonicBuilder, PrivateKeySigner, coins_bip39::English},
    transports::http::reqwest::Url,
};
use std::{
    io::{BufRead, BufReader, Read},
    net::SocketAddr,
    path::PathBuf,
    process::{Child, Command, Stdio},
    sync::{Arc, Mutex},
    thread,
    time::Duration,
};
use tokio::{
    sync::oneshot,
    time::{Instant, sleep, timeout},
};

/// The standard dev mnemonic: anvil's, hardhat's and ganache's default accounts.
pub const DEV_MNEMONIC: &str = "test test test test test test test test test test test junk";

/// Chain id anvil is started with unless told otherwise.
pub const DEFAULT_CHAIN_ID: u64 = 31337;

/// Path of the pinned anvil, relative to the workspace root (installed by `npm run setup` in contracts/).
pub const ANVIL_PATH: &str = "contracts/node_modules/.bin/anvil-native";

/// How to start anvil. `Default` is chain 31337, 20 accounts of 1 000 000 ETH, anvil's default
/// hardfork, code-size limit on (EIP-170, 24 KiB).
#[derive(Debug, Clone)]
pub struct AnvilBuilder {
    binary: Option<PathBuf>,
    chain_id: u64,
    accounts: u32,
    balance_ether: u64,
    hardfork: Option<String>,
    startup_timeout: Duration,
}

impl Default for AnvilBuilder {
    fn default() -> Self {
        Self {
            binary: None,
            chain_id: DEFAULT_CHAIN_ID,
            accounts: 20,
            balance_ether: 1_000_000,
            hardfork: None,
            startup_timeout: Duration::from_secs(20),
        }
    }
}

impl AnvilBuilder {
    /// Uses this anvil binary instead of the workspace's pinned one.
    pub fn with_binary(mut self, binary: impl Into<PathBuf>) -> Self {
        self.binary = Some(binary.into());
        self
    }

    /// Sets the chain id.
    pub const fn with_chain_id(mut self, chain_id: u64) -> Self {
        self.chain_id = chain_id;
        self
    }

    /// Sets the number of dev accounts (derived from [`DEV_MNEMONIC`]).
    pub const fn with_accounts(mut self, accounts: u32) -> Self {
        self.accounts = accounts;
        self
    }

    /// Sets the balance of every dev account, in ether.
    pub const fn with_balance_ether(mut self, balance_ether: u64) -> Self {
        self.balance_ether = balance_ether;
        self
    }

    /// Sets the EVM hardfork (`--hardfork`), e.g. `"cancun"`.
    pub fn with_hardfork(mut self, hardfork: impl Into<String>) -> Self {
        self.hardfork = Some(hardfork.into());
        self
    }

    /// Sets how long to wait for anvil to answer JSON-RPC.
    pub const fn with_startup_timeout(mut self, startup_timeout: Duration) -> Self {
        self.startup_timeout = startup_timeout;
        self
    }

    /// Starts anvil on 127.0.0.1 (port chosen by the OS) and waits until it answers `eth_chainId`.
    pub async fn spawn(self) -> Result<Anvil> {
        let binary = self.binary.clone().unwrap_or_else(|| workspace_root().join(ANVIL_PATH));
        if !binary.is_file() {
            return Err(Error::ToolMissing(binary));
        }
        let keys = (0..self.accounts)
            .map(|index| MnemonicBuilder::<English>::try_from_phrase_nth(DEV_MNEMONIC, index))
            .collect::<Result<Vec<_>, _>>()?;

        // anvil keeps old states under `$HOME/.foundry/anvil/tmp` and only removes them on a
        // graceful exit: its home is a temp folder the guard deletes, so nothing piles up.
        let home = tempfile::Builder::new()
            .prefix("poco-anvil-home-")
            .tempdir()
            .map_err(|source| Error::Spawn { program: binary.clone(), source })?;
        let mut command = Command::new(&binary);
        command
            .env("HOME", home.path())
            .args(["--host", "127.0.0.1", "--port", "0", "--mnemonic", DEV_MNEMONIC])
            .args(["--chain-id", &self.chain_id.to_string()])
            .args(["--accounts", &self.accounts.to_string()])
            .args(["--balance", &self.balance_ether.to_string()]);
        if let Some(hardfork) = &self.hardfork {
            command.args(["--hardfork", hardfork]);
        }
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|source| Error::Spawn { program: binary.clone(), source })?;

        // Both pipes are drained for anvil's whole life so it never blocks on a full pipe; stdout
        // reports the bound address, stderr is kept (bounded) for error messages.
        let (listening_tx, listening_rx) = oneshot::channel();
        if let Some(stdout) = child.stdout.take() {
            thread::spawn(move || drain_stdout(stdout, listening_tx));
        }
        let stderr_log = Arc::new(Mutex::new(String::new()));
        let stderr_thread = child.stderr.take().map(|stderr| {
            let log = Arc::clone(&stderr_log);
            thread::spawn(move || drain_stderr(stderr, &log))
        });
        // From here on the guard owns the process: any early return kills it.
        let mut process = Process(child, home);

        let deadline = Instant::now() + self.startup_timeout;
        let address = match timeout(self.startup_timeout, listening_rx).await {
            Ok(Ok(address)) => address,
            Ok(Err(_closed)) => {
                // stdout closed: anvil is exiting; make sure it is gone before reading stderr.
                let status = process.0.try_wait().ok().flatten();
                drop(process);
                if let Some(thread) = stderr_thread {
                    let _ = thread.join();
                }
                let stderr = stderr_log.lock().map(|log| log.clone()).unwrap_or_default();
                return Err(Error::AnvilExited { status, stderr });
            }
            Err(_elapsed) => return Err(Error::AnvilTimeout(self.startup_timeout)),
        };
        let endpoint = Url::parse(&format!("http://{address}"))
            .expect("invariant: an http URL made of a socket address parses");
        let anvil = Anvil { process, endpoint, chain_id: self.chain_id, keys };

        let provider = RootProvider::<Ethereum>::new_http(anvil.endpoint.clone());
        loop {
            match provider.get_chain_id().await {
                Ok(actual) if actual == self.chain_id => return Ok(anvil),
                Ok(actual) => {
                    return Err(Error::ChainIdMismatch { expected: self.chain_id, actual });
                }
                Err(_) if Instant::now() < deadline => sleep(Duration::from_millis(20)).await,
                Err(source) => {
                    return Err(Error::Rpc {
                        what: format!("eth_chainId on {address}"),
                        source: Box::new(source),
                    });
                }
            }
        }
    }
}

/// A running anvil, killed (by PID) and reaped when dropped.
#[derive(Debug)]
pub struct Anvil {
    process: Process,
    endpoint: Url,
    chain_id: u64,
    keys: Vec<PrivateKeySigner>,
}

impl Anvil {
    /// Starts anvil with the default settings (see [`AnvilBuilder`]).
    pub async fn spawn() -> Result<Self> {
        AnvilBuilder::default().spawn().await
    }

    /// A builder to change the defaults.
    pub fn builder() -> AnvilBuilder {
        AnvilBuilder::default()
    }

    /// The HTTP JSON-RPC endpoint, e.g. `http://127.0.0.1:38005/`.
    pub fn endpoint(&self) -> &Url {
        &self.endpoint
    }

    /// The chain id.
    pub const fn chain_id(&self) -> u64 {
        self.chain_id
    }

    /// Process id of anvil.
    pub fn pid(&self) -> u32 {
        self.process.0.id()
    }

    /// The funded dev accounts' keys, derived from [`DEV_MNEMONIC`] (m/44'/60'/0'/0/i).
    pub fn keys(&self) -> &[PrivateKeySigner] {
        &self.keys
    }

    /// The dev accounts' addresses.
    pub fn addresses(&self) -> Vec<Address> {
        self.keys.iter().map(PrivateKeySigner::address).collect()
    }

    /// A provider signing with dev account `index` (recommended fillers: gas, nonce, chain id).
    ///
    /// # Panics
    /// If `index` is not below the number of accounts.
    pub fn provider(&self, index: usize) -> impl Provider + WalletProvider + Clone + use<> {
        let wallet = EthereumWallet::from(self.keys[index].clone());
        ProviderBuilder::new().wallet(wallet).connect_http(self.endpoint.clone())
    }
}

/// Owns the anvil process and its home folder: kills it (SIGKILL to its PID), reaps it, then
/// removes the folder when dropped.
#[derive(Debug)]
struct Process(Child, #[allow(dead_code)] tempfile::TempDir);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn drain_stdout(stdout: impl Read, listening: oneshot::Sender<SocketAddr>) {
    let mut listening = Some(listening);
    for line in BufReader::new(stdout).lines() {
        let Ok(line) = line else { break };
        if let Some(address) = line.trim().strip_prefix("Listening on ")
            && let Ok(address) = address.trim().parse::<SocketAddr>()
            && let Some(sender) = listening.take()
        {
            let _ = sender.send(address);
        }
    }
}

fn drain_stderr(stderr: impl Read, log: &Mutex<String>) {
    const KEEP: usize = 16 * 1024;
    for line in BufReader::new(stderr).lines() {
        let Ok(line) = line else { break };
        if let Ok(mut log) = log.lock()
            && log.len() < KEEP
        {
            log.push_str(&line);
            log.push('\n');
        }
    }
}
