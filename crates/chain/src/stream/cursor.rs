//! Where an [`super::EventStream`] stands: the last handled block and the recent block hashes,
//! persisted by a [`CursorStore`].

use crate::error::CursorError;
use alloy::primitives::B256;
use serde::{Deserialize, Serialize};
use std::{
    fmt,
    future::Future,
    path::{Path, PathBuf},
    sync::{Arc, Mutex},
};

/// A block: its number and hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct BlockRef {
    /// Block number.
    pub number: u64,
    /// Block hash.
    pub hash: B256,
}

impl fmt::Display for BlockRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{} ({})", self.number, self.hash)
    }
}

/// The stream's position: every matching log up to `head` included has been handled.
///
/// `recent` holds the hashes of the last blocks the stream saw (ascending, ending with `head`),
/// so that a reorg can be walked back to the common ancestor, also after a restart.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    /// The last handled block.
    pub head: BlockRef,
    /// Recent blocks, ascending by number, the last one being `head`.
    pub recent: Vec<BlockRef>,
}

impl Cursor {
    /// A cursor standing at `block`.
    pub fn at(block: BlockRef) -> Self {
        Self { head: block, recent: vec![block] }
    }

    /// Moves forward to `block` (ignored unless above the head), remembering at most `window`
    /// recent blocks.
    pub fn advance(&mut self, block: BlockRef, window: usize) {
        if block.number <= self.head.number {
            return;
        }
        self.head = block;
        self.recent.push(block);
        let excess = self.recent.len().saturating_sub(window.max(1));
        self.recent.drain(..excess);
    }

    /// Moves back to `ancestor`, forgetting the blocks above it.
    pub fn rollback(&mut self, ancestor: BlockRef) {
        self.recent.retain(|block| block.number < ancestor.number);
        self.recent.push(ancestor);
        self.head = ancestor;
    }
}

/// Persists a stream's [`Cursor`].
///
/// Implementations: [`MemoryCursorStore`] (tests, throw-away consumers) and
/// [`JsonFileCursorStore`]; a consumer writing to a database should store the cursor in the same
/// transaction as its writes.
pub trait CursorStore: Send {
    /// The saved cursor, `None` if nothing was saved yet.
    fn load(&mut self) -> impl Future<Output = Result<Option<Cursor>, CursorError>> + Send;

    /// Saves `cursor` durably (the stream calls it after each handled block with logs, after a
    /// rollback, and at the end of each block range).
    fn save(&mut self, cursor: &Cursor) -> impl Future<Output = Result<(), CursorError>> + Send;
}

/// A cursor kept in memory; clones share it (so a test can look at it).
#[derive(Clone, Debug, Default)]
pub struct MemoryCursorStore {
    cursor: Arc<Mutex<Option<Cursor>>>,
}

impl MemoryCursorStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// The cursor saved last.
    pub fn get(&self) -> Option<Cursor> {
        self.cursor.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).clone()
    }
}

impl CursorStore for MemoryCursorStore {
    async fn load(&mut self) -> Result<Option<Cursor>, CursorError> {
        Ok(self.get())
    }

    async fn save(&mut self, cursor: &Cursor) -> Result<(), CursorError> {
        *self.cursor.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(cursor.clone());
        Ok(())
    }
}

/// A cursor kept in a JSON file, replaced atomically (write to `<file>.tmp`, fsync, rename, fsync
/// the folder).
#[derive(Clone, Debug)]
pub struct JsonFileCursorStore {
    path: PathBuf,
}

impl JsonFileCursorStore {
    /// A store in `path` (its folder must exist).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl CursorStore for JsonFileCursorStore {
    async fn load(&mut self) -> Result<Option<Cursor>, CursorError> {
        let io = |source| CursorError::Io { path: self.path.clone(), source };
        let bytes = match tokio::fs::read(&self.path).await {
            Ok(bytes) => bytes,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(error) => return Err(io(error)),
        };
        serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|source| CursorError::Json { path: self.path.clone(), source })
    }

    async fn save(&mut self, cursor: &Cursor) -> Result<(), CursorError> {
        let json = serde_json::to_vec_pretty(cursor)
            .map_err(|source| CursorError::Json { path: self.path.clone(), source })?;
        let mut tmp = self.path.clone().into_os_string();
        tmp.push(".tmp");
        let tmp = PathBuf::from(tmp);
        let io = |source| CursorError::Io { path: tmp.clone(), source };
        let mut file = tokio::fs::File::create(&tmp).await.map_err(io)?;
        tokio::io::AsyncWriteExt::write_all(&mut file, &json).await.map_err(io)?;
        file.sync_all().await.map_err(io)?;
        drop(file);
        let io = |source| CursorError::Io { path: self.path.clone(), source };
        tokio::fs::rename(&tmp, &self.path).await.map_err(io)?;
        // Make the rename itself durable.
        if let Some(dir) = self.path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
            tokio::fs::File::open(dir).await.map_err(io)?.sync_all().await.map_err(io)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(number: u64) -> BlockRef {
        BlockRef { number, hash: B256::with_last_byte(number as u8) }
    }

    #[test]
    fn advance_keeps_a_bounded_ascending_window() {
        let mut cursor = Cursor::at(block(1));
        for number in [2, 3, 3, 1, 4, 5] {
            cursor.advance(block(number), 3);
        }
        assert_eq!(cursor.head, block(5));
        assert_eq!(cursor.recent, [block(3), block(4), block(5)]);
        cursor.rollback(block(3));
        assert_eq!(cursor.head, block(3));
        assert_eq!(cursor.recent, [block(3)]);
    }

    #[tokio::test]
    async fn json_file_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = JsonFileCursorStore::new(dir.path().join("cursor.json"));
        assert_eq!(store.load().await.unwrap(), None);
        let mut cursor = Cursor::at(block(7));
        cursor.advance(block(9), 10);
        store.save(&cursor).await.unwrap();
        assert_eq!(JsonFileCursorStore::new(store.path()).load().await.unwrap(), Some(cursor));
        tokio::fs::write(store.path(), b"{").await.unwrap();
        assert!(matches!(store.load().await, Err(CursorError::Json { .. })));
    }
}
