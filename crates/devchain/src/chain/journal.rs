//! Persistence: every change to the chain, one JSON line each, appended to `chain.jsonl` in the
//! data folder and replayed on restart (blocks are re-executed from their raw transactions and
//! checked against their recorded hashes). Each line is flushed to the OS as it is written, so a
//! killed process loses nothing it mined; a torn last line (a crash mid-write) is ignored.

use std::{
    fs::{File, OpenOptions},
    io::{BufRead, BufReader, Write},
    path::{Path, PathBuf},
};

use alloy::primitives::{Address, B256, Bytes, U256};
use serde::{Deserialize, Serialize};

/// The journal's file name in the data folder.
pub(crate) const JOURNAL_FILE: &str = "chain.jsonl";

/// One change to the chain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "camelCase")]
pub(crate) enum Entry {
    /// A mined block: its transactions (EIP-2718 bytes) in order, its timestamp and hash.
    #[serde(rename_all = "camelCase")]
    Block { number: u64, timestamp: u64, hash: B256, transactions: Vec<Bytes> },
    /// `anvil_setBalance`.
    SetBalance { address: Address, balance: U256 },
    /// `anvil_setNonce`.
    SetNonce { address: Address, nonce: u64 },
    /// `anvil_setCode`.
    SetCode { address: Address, code: Bytes },
    /// `anvil_setStorageAt`.
    SetStorage { address: Address, slot: U256, value: U256 },
    /// `evm_snapshot`.
    Snapshot { id: u64 },
    /// `evm_revert`.
    Revert { id: u64 },
}

/// The open journal.
#[derive(Debug)]
pub(crate) struct Journal {
    path: PathBuf,
    file: File,
}

impl Journal {
    /// Opens (or creates) the journal of `dir` for appending.
    pub(crate) fn open(dir: &Path) -> std::io::Result<Self> {
        let path = dir.join(JOURNAL_FILE);
        let file = OpenOptions::new().create(true).append(true).open(&path)?;
        Ok(Self { path, file })
    }

    /// The entries of `dir`'s journal (none if there is no journal yet).
    pub(crate) fn read(dir: &Path) -> std::io::Result<Vec<Entry>> {
        let path = dir.join(JOURNAL_FILE);
        let file = match File::open(&path) {
            Ok(file) => file,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(error) => return Err(error),
        };
        let mut entries = Vec::new();
        let mut lines = BufReader::new(file).lines().peekable();
        while let Some(line) = lines.next() {
            let line = line?;
            match serde_json::from_str(&line) {
                Ok(entry) => entries.push(entry),
                // A crash mid-write leaves a torn last line: what it held was not acknowledged.
                Err(_) if lines.peek().is_none() => {
                    tracing::warn!(path = %path.display(), "Ignoring a torn last journal line.");
                }
                Err(error) => {
                    return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, error));
                }
            }
        }
        Ok(entries)
    }

    /// Appends `entry` and hands it to the OS.
    pub(crate) fn append(&mut self, entry: &Entry) -> std::io::Result<()> {
        let mut line = serde_json::to_vec(entry).map_err(std::io::Error::other)?;
        line.push(b'\n');
        self.file.write_all(&line)?;
        self.file.flush()
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_round_trip_and_a_torn_tail_is_ignored() {
        let dir =
            std::env::temp_dir().join(format!("poco-devchain-journal-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let _ = std::fs::remove_file(dir.join(JOURNAL_FILE));
        let entries = vec![
            Entry::Block {
                number: 1,
                timestamp: 7,
                hash: B256::repeat_byte(1),
                transactions: vec![Bytes::from_static(&[2, 3])],
            },
            Entry::SetBalance { address: Address::repeat_byte(4), balance: U256::from(5) },
            Entry::Snapshot { id: 1 },
            Entry::Revert { id: 1 },
        ];
        let mut journal = Journal::open(&dir).unwrap();
        for entry in &entries {
            journal.append(entry).unwrap();
        }
        journal.file.write_all(b"{\"op\":\"blo").unwrap();
        assert_eq!(Journal::read(&dir).unwrap(), entries);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
