//! [`EventStream`]: logs of given addresses and topics, delivered block by block to a
//! [`Handler`], with a persisted [`Cursor`], confirmations and reorg handling.
//!
//! ```text
//!  poll_once:
//!    head ─► safe = head − confirmations
//!    cursor.head still on the chain? ── no ─► walk back `recent` to the common ancestor
//!    │                                        ─► handler.on_rollback(ancestor) ─► cursor = ancestor
//!    yes ─► range [cursor + 1, min(safe, cursor + max_block_range)]
//!           ─► hashes of the range's last `reorg_window` blocks, eth_getLogs(range)
//!           ─► range still canonical? (block hashes and the logs' block hashes agree)
//!           ─► per block with logs: handler.on_logs(block, logs) ─► cursor saved
//! ```
//!
//! **Handlers must be idempotent.** The cursor is saved *after* the handler returns, so after a
//! crash between the two the same block's logs are delivered again. A handler writing to a
//! database should store the cursor in the same transaction as its writes (a [`CursorStore`] over
//! that database), or make its writes upserts keyed by (block hash, log index). After
//! [`Handler::on_rollback`]`(to)`, everything the handler derived from blocks above `to` must be
//! undone: those blocks are no longer on the chain, and their replacement logs come next.

mod cursor;

pub use cursor::{BlockRef, Cursor, CursorStore, JsonFileCursorStore, MemoryCursorStore};

use crate::{
    client::ChainClient,
    error::{ChainError, StreamError},
};
use alloy::{
    primitives::B256,
    rpc::types::{Filter, Log},
};
use serde::{Deserialize, Serialize};
use std::{collections::BTreeMap, future::Future};
use tracing::{debug, info, warn};

/// Receives the logs of an [`EventStream`], block by block, and its rollbacks.
///
/// **Handlers must be idempotent.** The cursor is saved *after* the handler returns, so after a
/// crash (or a handler error) between the two, the same block's logs are delivered again. A
/// handler writing to a database should store the cursor in the same transaction as its writes
/// (a [`CursorStore`] over that database), or make its writes upserts keyed by (block hash, log
/// index). After [`Handler::on_rollback`]`(to)`, everything derived from blocks above `to` must be
/// undone: those blocks are no longer on the chain, and their replacement logs come next.
pub trait Handler: Send {
    /// The handler's error; it stops the stream without moving the cursor past the block.
    type Error: std::error::Error + Send + Sync + 'static;

    /// The matching logs of `block` (never empty), in log-index order.
    fn on_logs(
        &mut self,
        block: BlockRef,
        logs: Vec<Log>,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send;

    /// The chain reorganised: blocks above `to` (the common ancestor) are gone. Undo what was
    /// derived from them.
    fn on_rollback(&mut self, to: BlockRef)
    -> impl Future<Output = Result<(), Self::Error>> + Send;
}

/// Settings of one [`EventStream`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StreamConfig {
    /// First block to read when no cursor is saved (e.g. the protocol's deployment block).
    pub start_block: u64,
    /// Confirmations required before a block's logs are delivered; `None` takes the client's.
    pub confirmations: Option<u64>,
    /// Most blocks per `eth_getLogs` request.
    pub max_block_range: u64,
    /// Recent block hashes remembered to find the common ancestor of a reorg: the deepest reorg
    /// handled. Deeper ones stop the stream with [`StreamError::ReorgTooDeep`].
    pub reorg_window: usize,
}

impl Default for StreamConfig {
    fn default() -> Self {
        Self { start_block: 0, confirmations: None, max_block_range: 1000, reorg_window: 128 }
    }
}

/// What one [`EventStream::poll_once`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Progress {
    /// Blocks `from..=to` were handled.
    Delivered {
        /// First block of the range.
        from: u64,
        /// Last block of the range (the new cursor).
        to: u64,
        /// Logs delivered.
        logs: usize,
    },
    /// A reorg was detected; the cursor moved back to this common ancestor.
    RolledBack(BlockRef),
    /// The chain moved while reading (a reorg in progress); nothing was delivered.
    Raced,
    /// Nothing new: the cursor is at the last block with enough confirmations.
    CaughtUp {
        /// The chain's head.
        head: u64,
    },
}

/// Logs of given addresses and topics, from a start block, with a persisted cursor.
///
/// ```text
///  poll_once:
///    head ─► safe = head − confirmations
///    cursor.head still on the chain? ── no ─► walk back `recent` to the common ancestor
///    │                                        ─► handler.on_rollback(ancestor) ─► cursor = ancestor
///    yes ─► range [cursor + 1, min(safe, cursor + max_block_range)]
///           ─► hashes of the range's last `reorg_window` blocks, eth_getLogs(range)
///           ─► range still canonical? (block hashes and the logs' block hashes agree)
///           ─► per block with logs: handler.on_logs(block, logs) ─► cursor saved
/// ```
///
/// Delivery is at least once, in block order; see [`Handler`] for what that asks of handlers.
#[derive(Debug)]
pub struct EventStream<S> {
    client: ChainClient,
    filter: Filter,
    config: StreamConfig,
    store: S,
    cursor: Option<Cursor>,
    loaded: bool,
}

// === impl EventStream ===

impl<S: CursorStore> EventStream<S> {
    /// A stream of the logs matching `filter`'s addresses and topics (its block range is
    /// ignored), resuming from `store`'s cursor or else from `config.start_block`.
    pub fn new(client: ChainClient, filter: Filter, config: StreamConfig, store: S) -> Self {
        Self { client, filter, config, store, cursor: None, loaded: false }
    }

    /// The current cursor (`None` before the first poll, or when starting at block 0 and nothing
    /// was handled yet).
    pub const fn cursor(&self) -> Option<&Cursor> {
        self.cursor.as_ref()
    }

    /// The cursor store.
    pub const fn store(&self) -> &S {
        &self.store
    }

    /// Gives the cursor store back.
    pub fn into_store(self) -> S {
        self.store
    }

    fn confirmations(&self) -> u64 {
        self.config.confirmations.unwrap_or(self.client.config().confirmations)
    }

    /// Runs until `shutdown` completes: catches up, then polls every poll interval. RPC failures
    /// (after the client's retries) are logged and retried at the next poll; handler, cursor and
    /// too-deep-reorg errors stop the stream. `shutdown` is only checked between polls, never in
    /// the middle of a handler call.
    pub async fn run<H: Handler>(
        &mut self,
        handler: &mut H,
        shutdown: impl Future<Output = ()>,
    ) -> Result<(), StreamError> {
        tokio::pin!(shutdown);
        loop {
            let idle = match self.poll_once(handler).await {
                Ok(Progress::CaughtUp { .. } | Progress::Raced) => true,
                Ok(_) => false,
                Err(StreamError::Chain(error @ ChainError::Rpc { .. })) => {
                    warn!(%error, "Event stream poll failed; retrying at the next poll.");
                    true
                }
                Err(error) => return Err(error),
            };
            let pause = if idle { self.client.config().poll_interval } else { Default::default() };
            tokio::select! {
                biased;
                () = &mut shutdown => return Ok(()),
                () = tokio::time::sleep(pause) => {}
            }
        }
    }

    /// Polls until caught up with the chain (every block with enough confirmations handled);
    /// returns the cursor's block number.
    pub async fn catch_up<H: Handler>(&mut self, handler: &mut H) -> Result<u64, StreamError> {
        loop {
            match self.poll_once(handler).await? {
                Progress::CaughtUp { .. } => {
                    return Ok(self.cursor.as_ref().map_or(0, |cursor| cursor.head.number));
                }
                // The chain is moving under us: give it a poll interval.
                Progress::Raced => tokio::time::sleep(self.client.config().poll_interval).await,
                Progress::Delivered { .. } | Progress::RolledBack(_) => {}
            }
        }
    }

    /// One step: handles a reorg, or delivers one block range, or reports being caught up.
    pub async fn poll_once<H: Handler>(
        &mut self,
        handler: &mut H,
    ) -> Result<Progress, StreamError> {
        if !self.loaded {
            self.cursor = self.store.load().await?;
            self.loaded = true;
            if let Some(cursor) = &self.cursor {
                info!(head = %cursor.head, "Event stream resumes from its cursor.");
            }
        }
        let head = self.client.block_number().await?;
        if self.cursor.is_none() && self.config.start_block > 0 {
            // Anchor on the block before the start, so a reorg of the first blocks is detected.
            let Some(anchor) = self.client.block_ref(self.config.start_block - 1).await? else {
                return Ok(Progress::CaughtUp { head });
            };
            self.cursor = Some(Cursor::at(anchor));
        }

        if let Some(cursor) = &self.cursor
            && let Some(ancestor) = self.common_ancestor(cursor, head).await?
        {
            let from = cursor.head;
            warn!(from = %from, to = %ancestor, "Chain reorganised; rolling back.");
            handler
                .on_rollback(ancestor)
                .await
                .map_err(|error| handler_error(ancestor.number, error))?;
            let cursor = self.cursor.get_or_insert_with(|| Cursor::at(ancestor));
            cursor.rollback(ancestor);
            self.store.save(cursor).await?;
            return Ok(Progress::RolledBack(ancestor));
        }

        if self.cursor.as_ref().is_some_and(|cursor| cursor.head.number > head) {
            return Ok(Progress::CaughtUp { head });
        }
        let safe = match head.checked_sub(self.confirmations()) {
            Some(safe) => safe,
            None => return Ok(Progress::CaughtUp { head }),
        };
        let from = self.cursor.as_ref().map_or(self.config.start_block, |c| c.head.number + 1);
        if from > safe {
            return Ok(Progress::CaughtUp { head });
        }
        let to = safe.min(from.saturating_add(self.config.max_block_range.max(1) - 1));

        // Hashes of the blocks to remember (the range's tail), read before the logs.
        let window = self.config.reorg_window.max(1) as u64;
        let remembered_from = from.max(to.saturating_sub(window - 1));
        let mut hashes = BTreeMap::new();
        for number in remembered_from..=to {
            match self.client.block_ref(number).await? {
                Some(block) => hashes.insert(number, block.hash),
                None => return Ok(Progress::Raced),
            };
        }
        let filter = self.filter.clone().from_block(from).to_block(to);
        let logs = self.client.logs(&filter).await?;

        // Group by block; a log whose block hash disagrees means the chain moved meanwhile.
        let mut blocks: BTreeMap<u64, (B256, Vec<Log>)> = BTreeMap::new();
        for log in logs {
            if log.removed {
                continue;
            }
            let (Some(number), Some(hash)) = (log.block_number, log.block_hash) else {
                continue;
            };
            if hashes.get(&number).is_some_and(|known| *known != hash) {
                return Ok(Progress::Raced);
            }
            let entry = blocks.entry(number).or_insert_with(|| (hash, Vec::new()));
            if entry.0 != hash {
                return Ok(Progress::Raced);
            }
            entry.1.push(log);
        }
        // The range's last block, and the cursor's, must still be the chain's: then every block
        // in between is (hashes chain), and so are the logs read in between.
        let still = self.client.block_ref(to).await?.map(|block| block.hash);
        if still != hashes.get(&to).copied() {
            return Ok(Progress::Raced);
        }
        if let Some(cursor) = &self.cursor
            && self.client.block_ref(cursor.head.number).await?.map(|b| b.hash)
                != Some(cursor.head.hash)
        {
            return Ok(Progress::Raced);
        }

        // Deliver, in block order, remembering the hashes of the range's tail.
        let mut steps: BTreeMap<u64, (B256, Option<Vec<Log>>)> =
            hashes.into_iter().map(|(number, hash)| (number, (hash, None))).collect();
        for (number, (hash, mut logs)) in blocks {
            logs.sort_by_key(|log| log.log_index);
            steps.insert(number, (hash, Some(logs)));
        }
        let mut delivered = 0;
        let reorg_window = self.config.reorg_window;
        for (number, (hash, logs)) in steps {
            let block = BlockRef { number, hash };
            let saved = match logs {
                Some(logs) => {
                    let count = logs.len();
                    debug!(block = %block, logs = count, "Delivering logs.");
                    handler
                        .on_logs(block, logs)
                        .await
                        .map_err(|error| handler_error(number, error))?;
                    delivered += count;
                    true
                }
                None => false,
            };
            let cursor = self.cursor.get_or_insert_with(|| Cursor::at(block));
            cursor.advance(block, reorg_window);
            if saved {
                self.store.save(cursor).await?;
            }
        }
        if let Some(cursor) = &self.cursor {
            self.store.save(cursor).await?;
        }
        debug!(from, to, logs = delivered, "Block range handled.");
        Ok(Progress::Delivered { from, to, logs: delivered })
    }

    /// `None` if the cursor's head is still on the chain; otherwise the most recent remembered
    /// block that still is (the common ancestor).
    ///
    /// A node whose head is below the cursor (a lagging node behind a load balancer) is not a
    /// reorg as long as the last remembered block it has matches: the stream waits for it.
    async fn common_ancestor(
        &self,
        cursor: &Cursor,
        head: u64,
    ) -> Result<Option<BlockRef>, StreamError> {
        let probe = if cursor.head.number <= head {
            Some(cursor.head)
        } else {
            cursor.recent.iter().rev().find(|block| block.number <= head).copied()
        };
        match probe {
            // Every remembered block is above the node's head: nothing to compare yet.
            None if cursor.head.number > head => return Ok(None),
            Some(probe) if self.client.block_ref(probe.number).await? == Some(probe) => {
                if probe != cursor.head {
                    debug!(cursor = %cursor.head, head, "Node behind the cursor; waiting for it.");
                }
                return Ok(None);
            }
            _ => {}
        }
        for known in cursor.recent.iter().rev().filter(|block| block.number < cursor.head.number) {
            if self.client.block_ref(known.number).await? == Some(*known) {
                return Ok(Some(*known));
            }
        }
        let oldest = cursor.recent.first().copied().unwrap_or(cursor.head);
        Err(StreamError::ReorgTooDeep { cursor: cursor.head, oldest })
    }
}

fn handler_error(block: u64, error: impl std::error::Error + Send + Sync + 'static) -> StreamError {
    StreamError::Handler { block, source: Box::new(error) }
}
