//! The command line (and the optional TOML file with the same keys).

use alloy_primitives::Address;
use clap::Parser;
use eyre::{WrapErr, bail, eyre};
use poco_chain::{ChainConfig, PrivateKeySigner, SignerSource};
use poco_scheduler_api::Executor;
use poco_worker::{FetchLimits, WorkerConfig};
use serde::Deserialize;
use std::path::PathBuf;
use url::Url;

/// The poco worker agent: joins a workerpool, runs its tasks in a sandbox (WASM or Docker),
/// contributes the results on chain and uploads them.
///
/// Every option can also come from a TOML file (`--config`, keys as the long options, e.g.
/// `scheduler-url = "http://pool.example:7070"`) or from the environment variable shown; the
/// command line wins over the file. The key comes from an encrypted keystore (`--keystore` with
/// `--password-file`) or a key file (`--key-file`), never from a flag.
///
/// Example:
///
///   poco-worker --scheduler-url http://127.0.0.1:7070 --rpc-url http://127.0.0.1:8545 \
///     --chain-id 31337 --hub 0x… --key-file worker.key --data-dir ./worker-data \
///     --executors wasm,docker --parallel-tasks 2 --cores 4 --memory-mib 8192
#[derive(Debug, Default, Parser, Deserialize)]
#[command(name = "poco-worker", version, about, long_about, verbatim_doc_comment)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct Args {
    /// A TOML file with any of the options below.
    #[arg(long, env = "POCO_WORKER_CONFIG")]
    #[serde(skip)]
    pub(crate) config: Option<PathBuf>,

    /// The pool's scheduler.
    #[arg(long, env = "POCO_SCHEDULER_URL", help_heading = "Pool")]
    pub(crate) scheduler_url: Option<Url>,
    /// The name shown on the pool's dashboards [default: poco-worker].
    #[arg(long, env = "POCO_WORKER_NAME", help_heading = "Pool")]
    pub(crate) name: Option<String>,

    /// The chain's JSON-RPC endpoint.
    #[arg(long, env = "POCO_RPC_URL", help_heading = "Chain")]
    pub(crate) rpc_url: Option<Url>,
    /// The chain id the endpoint must report.
    #[arg(long, env = "POCO_CHAIN_ID", help_heading = "Chain")]
    pub(crate) chain_id: Option<u64>,
    /// The hub's address.
    #[arg(long, env = "POCO_HUB", help_heading = "Chain")]
    pub(crate) hub: Option<Address>,

    /// An encrypted keystore (Web3 Secret Storage JSON) holding the worker's key.
    #[arg(long, env = "POCO_KEYSTORE", help_heading = "Key", conflicts_with = "key_file")]
    pub(crate) keystore: Option<PathBuf>,
    /// The file holding the keystore's password.
    #[arg(long, env = "POCO_KEYSTORE_PASSWORD_FILE", help_heading = "Key")]
    pub(crate) password_file: Option<PathBuf>,
    /// A file holding the worker's private key in hex (protect it with file permissions).
    #[arg(long, env = "POCO_KEY_FILE", help_heading = "Key")]
    pub(crate) key_file: Option<PathBuf>,

    /// Where task folders and the journal live [default: ./poco-worker-data].
    #[arg(long, env = "POCO_WORKER_DATA_DIR", help_heading = "Storage")]
    pub(crate) data_dir: Option<PathBuf>,
    /// The journal database (`postgres://…`); a SQLite file in the data folder by default.
    #[arg(long, env = "POCO_WORKER_DB_URL", help_heading = "Storage")]
    pub(crate) db_url: Option<String>,

    /// How this worker runs apps: `wasm`, `docker`, or both (comma separated) [default: wasm].
    #[arg(long, value_delimiter = ',', env = "POCO_WORKER_EXECUTORS", help_heading = "Resources")]
    pub(crate) executors: Option<Vec<String>>,
    /// The Docker daemon (`unix:///var/run/docker.sock`).
    #[arg(long, env = "DOCKER_HOST", help_heading = "Resources")]
    pub(crate) docker_host: Option<String>,
    /// Most tasks at once [default: 1].
    #[arg(long, env = "POCO_WORKER_PARALLEL_TASKS", help_heading = "Resources")]
    pub(crate) parallel_tasks: Option<u32>,
    /// Cores given to tasks [default: the parallel tasks].
    #[arg(long, env = "POCO_WORKER_CORES", help_heading = "Resources")]
    pub(crate) cores: Option<u32>,
    /// Memory given to tasks, in MiB, shared between parallel tasks [default: 1024].
    #[arg(long, env = "POCO_WORKER_MEMORY_MIB", help_heading = "Resources")]
    pub(crate) memory_mib: Option<u64>,

    /// Largest app module downloaded, in MiB [default: 64].
    #[arg(long, help_heading = "Limits")]
    pub(crate) max_app_mib: Option<u64>,
    /// Largest dataset or input file downloaded, in MiB [default: 256].
    #[arg(long, help_heading = "Limits")]
    pub(crate) max_input_mib: Option<u64>,
    /// Largest result archive, in MiB [default: 64].
    #[arg(long, help_heading = "Limits")]
    pub(crate) max_result_mib: Option<u64>,
    /// Bytes kept of each of the app's stdout and stderr [default: 100000].
    #[arg(long, help_heading = "Limits")]
    pub(crate) log_cap_bytes: Option<usize>,

    /// Log filter (tracing's `RUST_LOG` syntax).
    #[arg(long, env = "RUST_LOG", default_value = "info")]
    #[serde(skip)]
    pub(crate) log: String,
}

macro_rules! overlay {
    ($args:ident, $file:ident, $($field:ident),*) => {
        $( if $args.$field.is_none() { $args.$field = $file.$field.take(); } )*
    };
}

impl Args {
    /// The configuration and the worker's key.
    pub(crate) async fn load(mut self) -> eyre::Result<(WorkerConfig, PrivateKeySigner)> {
        if let Some(path) = self.config.clone() {
            let text = std::fs::read_to_string(&path)
                .wrap_err_with(|| format!("reading {}", path.display()))?;
            let mut file: Self =
                toml::from_str(&text).wrap_err_with(|| format!("parsing {}", path.display()))?;
            overlay!(
                self,
                file,
                scheduler_url,
                name,
                rpc_url,
                chain_id,
                hub,
                keystore,
                password_file,
                key_file,
                data_dir,
                db_url,
                executors,
                docker_host,
                parallel_tasks,
                cores,
                memory_mib,
                max_app_mib,
                max_input_mib,
                max_result_mib,
                log_cap_bytes
            );
        }
        let missing = |what: &str| eyre!("--{what} is required (or `{what}` in the --config file)");
        let scheduler_url = self.scheduler_url.ok_or_else(|| missing("scheduler-url"))?;
        let rpc_url = self.rpc_url.ok_or_else(|| missing("rpc-url"))?;
        let chain_id = self.chain_id.ok_or_else(|| missing("chain-id"))?;
        let hub = self.hub.ok_or_else(|| missing("hub"))?;
        let source = match (self.keystore, self.password_file, self.key_file) {
            (Some(path), Some(password_file), None) => {
                SignerSource::Keystore { path, password_file }
            }
            (Some(_), None, None) => bail!("--keystore needs --password-file"),
            (None, _, Some(path)) => SignerSource::KeyFile { path },
            (Some(_), _, Some(_)) => bail!("give either --keystore or --key-file, not both"),
            (None, _, None) => {
                bail!("a key is required: --keystore with --password-file, or --key-file")
            }
        };
        let signer = source.load().await.wrap_err("loading the worker's key")?;
        let data_dir = self.data_dir.unwrap_or_else(|| PathBuf::from("poco-worker-data"));
        let mut config =
            WorkerConfig::new(scheduler_url, ChainConfig::new(rpc_url, chain_id), hub, data_dir);
        if let Some(name) = self.name {
            config.name = name;
        }
        config.db_url = self.db_url;
        if let Some(executors) = self.executors {
            let parsed: eyre::Result<Vec<Executor>> = executors
                .iter()
                .map(|e| match e.trim() {
                    "wasm" => Ok(Executor::Wasm),
                    "docker" => Ok(Executor::Docker),
                    other => Err(eyre!("unknown executor {other:?} (wasm, docker)")),
                })
                .collect();
            config = config.with_executors(parsed?);
        }
        config.docker_host = self.docker_host;
        config = config.with_parallel_tasks(self.parallel_tasks.unwrap_or(1));
        if let Some(cores) = self.cores {
            config.cores = cores;
        }
        if let Some(memory) = self.memory_mib {
            config.memory_mib = memory;
        }
        let defaults = FetchLimits::default();
        config.limits = FetchLimits {
            max_app_bytes: self.max_app_mib.map_or(defaults.max_app_bytes, |m| m << 20),
            max_input_bytes: self.max_input_mib.map_or(defaults.max_input_bytes, |m| m << 20),
            max_result_bytes: self.max_result_mib.map_or(defaults.max_result_bytes, |m| m << 20),
            log_cap_bytes: self.log_cap_bytes.unwrap_or(defaults.log_cap_bytes),
        };
        Ok((config, signer))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_flags_parse_to_nothing_set() {
        let args = Args::try_parse_from(["poco-worker"]).unwrap();
        assert!(args.scheduler_url.is_none() && args.key_file.is_none());
        assert_eq!(args.log, "info");
    }

    #[test]
    fn a_key_is_never_a_flag_and_the_file_fills_gaps() {
        assert!(Args::try_parse_from(["poco-worker", "--private-key", "0x01"]).is_err());
        let file: Args = toml::from_str(
            "scheduler-url = \"http://127.0.0.1:7070\"\nexecutors = [\"wasm\", \"docker\"]\ncores = 4\n",
        )
        .unwrap();
        assert_eq!(file.cores, Some(4));
        assert!(toml::from_str::<Args>("surprise = 1").is_err());
    }
}
