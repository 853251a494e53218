//! The data folder: `genesis.json` (chain id, genesis timestamp and hash, written once) and the
//! journal `chain.jsonl` (see `chain::journal`). On restart the genesis is rebuilt with the
//! recorded timestamp, checked against the recorded hash, and the journal is replayed.

use std::path::Path;

use alloy::primitives::B256;
use serde::{Deserialize, Serialize};

use crate::{
    chain::{Chain, journal::Journal},
    error::Error,
};

/// The genesis file's name.
const GENESIS_FILE: &str = "genesis.json";

/// What `genesis.json` records.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct GenesisRecord {
    pub(crate) chain_id: u64,
    pub(crate) timestamp: u64,
    pub(crate) hash: B256,
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::DataDir { path: path.to_owned(), source }
}

/// Creates `dir` if needed and reads its genesis record, if any.
pub(crate) fn prepare(dir: &Path) -> Result<Option<GenesisRecord>, Error> {
    std::fs::create_dir_all(dir).map_err(io_error(dir))?;
    let path = dir.join(GENESIS_FILE);
    match std::fs::read(&path) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|error| io_error(&path)(std::io::Error::other(error))),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(io_error(&path)(error)),
    }
}

/// Checks (or records) the genesis, replays the journal and journals from now on.
pub(crate) fn resume(
    dir: &Path,
    chain: &mut Chain,
    recorded: Option<GenesisRecord>,
    timestamp: u64,
) -> Result<(), Error> {
    let ours = chain.genesis_hash();
    match recorded {
        Some(genesis) if genesis.hash != ours => {
            return Err(Error::ForeignDataDir {
                path: dir.to_owned(),
                recorded: genesis.hash,
                ours,
            });
        }
        Some(_) => {}
        None => {
            let record = GenesisRecord { chain_id: chain.chain_id(), timestamp, hash: ours };
            let path = dir.join(GENESIS_FILE);
            let json = serde_json::to_vec_pretty(&record).map_err(std::io::Error::other);
            std::fs::write(&path, json.map_err(io_error(&path))?).map_err(io_error(&path))?;
        }
    }
    let entries = Journal::read(dir).map_err(io_error(dir))?;
    let replayed = entries.len();
    chain.replay(entries).map_err(Error::Replay)?;
    chain.attach_journal(Journal::open(dir).map_err(io_error(dir))?);
    tracing::info!(dir = %dir.display(), entries = replayed, head = chain.block_number(), "Data folder loaded.");
    Ok(())
}
