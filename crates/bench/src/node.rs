//! The two nodes under test, each a separate process on 127.0.0.1: the `poco-devchain` binary
//! (protocol at genesis) and the pinned anvil (protocol deployed by dev key 0 with
//! `deploy_protocol`, so at the same addresses).

use std::{
    io::{BufRead, BufReader, Read},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::mpsc,
    thread,
    time::Duration,
};

use alloy::{
    primitives::B256, providers::DynProvider, signers::local::PrivateKeySigner,
    transports::http::reqwest::Url,
};
use poco_compat::harness::dev_provider;
use poco_contracts::{DeployOptions, Deployment, deploy_protocol};
use poco_reference::Anvil;
use serde::Deserialize;

use crate::{
    client,
    error::{BenchError, Result},
};

/// How many dev accounts each node is started with (the PoCo actors need 14).
pub const ACCOUNTS: u32 = 20;

/// How long the devchain may take to print its banner.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(60);

/// Which node.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NodeKind {
    /// poco's devchain (the `poco-devchain` binary).
    Devchain,
    /// anvil (npm `@foundry-rs/anvil`).
    Anvil,
}

impl NodeKind {
    /// `devchain` or `anvil`.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Devchain => "devchain",
            Self::Anvil => "anvil",
        }
    }
}

/// A running node with the protocol deployed, and the dev keys it funds.
#[derive(Debug)]
pub struct Node {
    kind: NodeKind,
    endpoint: Url,
    chain_id: u64,
    keys: Vec<PrivateKeySigner>,
    deployment: Deployment,
    pid: Option<u32>,
    /// The process: dropping it stops the node.
    _devchain: Option<DevchainProcess>,
    _anvil: Option<Anvil>,
}

impl Node {
    /// Starts the `poco-devchain` binary at `binary` on a free port with [`ACCOUNTS`] accounts.
    pub async fn devchain(binary: &Path) -> Result<Self> {
        let binary = binary.to_owned();
        let (process, banner) =
            tokio::task::spawn_blocking(move || DevchainProcess::spawn(&binary))
                .await
                .map_err(|error| BenchError::Node(format!("devchain start panicked: {error}")))??;
        let endpoint: Url = banner
            .endpoint
            .parse()
            .map_err(|error| BenchError::Node(format!("devchain endpoint: {error}")))?;
        let keys = banner
            .accounts
            .iter()
            .map(|account| PrivateKeySigner::from_bytes(&account.private_key))
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|error| BenchError::Node(format!("devchain key: {error}")))?;
        if keys.len() < ACCOUNTS as usize {
            return Err(BenchError::Node(format!("the devchain has {} accounts", keys.len())));
        }
        let deployment = banner
            .deployment
            .ok_or_else(|| BenchError::Node("the devchain has no protocol deployed".into()))?;
        Ok(Self {
            kind: NodeKind::Devchain,
            endpoint,
            chain_id: banner.chain_id,
            keys,
            deployment,
            pid: Some(process.child.id()),
            _devchain: Some(process),
            _anvil: None,
        })
    }

    /// Starts the pinned anvil with [`ACCOUNTS`] accounts and deploys the protocol with dev key 0.
    /// With `prune_history`, anvil keeps that many states in memory and none on disk
    /// (`--prune-history N`, as the devchain keeps its last `state_history` states); without,
    /// anvil's default (every state, the older ones written to disk).
    pub async fn anvil(prune_history: Option<usize>) -> Result<Self> {
        let mut builder = Anvil::builder().with_accounts(ACCOUNTS);
        let wrapper = match prune_history {
            Some(states) => {
                let wrapper = anvil_wrapper(states)?;
                builder = builder.with_binary(&wrapper);
                Some(wrapper)
            }
            None => None,
        };
        let spawned = builder.spawn().await;
        if let Some(wrapper) = wrapper {
            // anvil has replaced the script (exec) by now, or failed to start.
            let _ = std::fs::remove_file(wrapper);
        }
        let anvil = spawned?;
        if anvil.keys().len() < ACCOUNTS as usize {
            return Err(BenchError::Node(format!("anvil has {} accounts", anvil.keys().len())));
        }
        let chain_id = anvil.chain_id();
        let provider = dev_provider(anvil.endpoint().clone(), anvil.keys(), chain_id);
        let deployment = deploy_protocol(&provider, DeployOptions::default()).await?;
        Ok(Self {
            kind: NodeKind::Anvil,
            endpoint: anvil.endpoint().clone(),
            chain_id,
            keys: anvil.keys().to_vec(),
            deployment,
            pid: Some(anvil.pid()),
            _devchain: None,
            _anvil: Some(anvil),
        })
    }

    /// Which node this is.
    pub const fn kind(&self) -> NodeKind {
        self.kind
    }

    /// The HTTP JSON-RPC endpoint.
    pub const fn endpoint(&self) -> &Url {
        &self.endpoint
    }

    /// The chain id.
    pub const fn chain_id(&self) -> u64 {
        self.chain_id
    }

    /// The funded dev keys, in derivation order (key 0 deployed the protocol).
    pub fn keys(&self) -> &[PrivateKeySigner] {
        &self.keys
    }

    /// The protocol's addresses.
    pub const fn deployment(&self) -> &Deployment {
        &self.deployment
    }

    /// The node's process id (`None` for a node this benchmark did not start).
    pub const fn pid(&self) -> Option<u32> {
        self.pid
    }

    /// A node already running elsewhere (an in-process devchain in tests, another machine's
    /// node): its endpoint, chain id, at least [`ACCOUNTS`] funded keys (key 0 holding RLC) and
    /// the protocol's addresses.
    pub fn attach(
        kind: NodeKind,
        endpoint: Url,
        chain_id: u64,
        keys: Vec<PrivateKeySigner>,
        deployment: Deployment,
    ) -> Result<Self> {
        if keys.len() < ACCOUNTS as usize {
            return Err(BenchError::Node(format!("{} keys, {ACCOUNTS} needed", keys.len())));
        }
        Ok(Self {
            kind,
            endpoint,
            chain_id,
            keys,
            deployment,
            pid: None,
            _devchain: None,
            _anvil: None,
        })
    }

    /// A provider signing for every dev key (gas, fees and nonces filled in from the node).
    pub fn wallet_provider(&self) -> DynProvider {
        // Both constructors check that there are ACCOUNTS keys.
        let (default, others) = self.keys.split_at(1);
        client::wallet_provider(&self.endpoint, &default[0], others, self.chain_id)
    }

    /// A provider with no fillers.
    pub fn plain_provider(&self) -> DynProvider {
        client::plain_provider(&self.endpoint)
    }
}

/// A script that runs the pinned anvil (`exec`, so the guard's PID is anvil's) with the guard's
/// flags and `--prune-history <states>`: the guard takes no extra flags.
fn anvil_wrapper(states: usize) -> Result<PathBuf> {
    let anvil = poco_reference::workspace_root().join(poco_reference::ANVIL_PATH);
    if !anvil.is_file() {
        return Err(BenchError::ToolMissing(anvil));
    }
    let path = std::env::temp_dir().join(format!("poco-bench-anvil-{}.sh", std::process::id()));
    let script = format!(
        "#!/bin/sh\nexec '{}' \"$@\" --prune-history {states}\n",
        anvil.display().to_string().replace('\'', "'\\''")
    );
    let io = |source| BenchError::Spawn { program: path.clone(), source };
    std::fs::write(&path, script).map_err(io)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).map_err(io)?;
    }
    Ok(path)
}

/// The devchain binary next to this executable (built by the same cargo profile).
pub fn sibling_devchain() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let path = exe.parent()?.join(format!("poco-devchain{}", std::env::consts::EXE_SUFFIX));
    path.is_file().then_some(path)
}

/// The JSON line `poco-devchain` prints on stdout once it listens.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Banner {
    endpoint: String,
    chain_id: u64,
    accounts: Vec<BannerAccount>,
    deployment: Option<Deployment>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct BannerAccount {
    private_key: B256,
}

/// The `poco-devchain` child process, killed (by its PID) and reaped when dropped.
#[derive(Debug)]
struct DevchainProcess {
    child: Child,
}

impl DevchainProcess {
    fn spawn(binary: &Path) -> Result<(Self, Banner)> {
        if !binary.is_file() {
            return Err(BenchError::ToolMissing(binary.to_owned()));
        }
        let mut child = Command::new(binary)
            .args(["--host", "127.0.0.1", "--port", "0", "--accounts", &ACCOUNTS.to_string()])
            .env("RUST_LOG", "poco_devchain=warn")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|source| BenchError::Spawn { program: binary.to_owned(), source })?;
        let stdout = child.stdout.take();
        let process = Self { child };
        let stdout =
            stdout.ok_or_else(|| BenchError::Node("the devchain's stdout is not piped".into()))?;
        let (tx, rx) = mpsc::channel();
        // stdout is drained for the process's whole life, so it never blocks on a full pipe.
        thread::spawn(move || drain(stdout, &tx));
        let line = rx.recv_timeout(STARTUP_TIMEOUT).map_err(|_| {
            BenchError::Node("the devchain printed no banner (it exited or is too slow)".into())
        })?;
        let banner: Banner = serde_json::from_str(&line)
            .map_err(|error| BenchError::Node(format!("devchain banner {line:?}: {error}")))?;
        Ok((process, banner))
    }
}

fn drain(stdout: impl Read, first: &mpsc::Sender<String>) {
    let mut lines = BufReader::new(stdout).lines();
    if let Some(Ok(line)) = lines.next() {
        let _ = first.send(line);
    }
    for _ in lines {}
}

impl Drop for DevchainProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
