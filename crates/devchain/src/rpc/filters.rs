//! Polled filters: `eth_newFilter`, `eth_newBlockFilter`, `eth_newPendingTransactionFilter`,
//! `eth_getFilterChanges`, `eth_getFilterLogs`, `eth_uninstallFilter`. A filter not polled for
//! five minutes is dropped, as geth does.
//!
//! As on anvil, a log filter created with an explicit `fromBlock` (or a `blockHash`) reports on
//! its first poll the logs it already matched when it was installed, then the new ones; without
//! a `fromBlock` it reports only logs of blocks mined after it.

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

use alloy::{
    eips::BlockNumberOrTag,
    primitives::{B256, U128},
    rpc::types::{Filter, FilterBlockOption, Log},
};

use crate::chain::{Chain, error::ChainResult};

/// How long an unpolled filter lives.
const FILTER_TIMEOUT: Duration = Duration::from_secs(5 * 60);

#[derive(Clone, Debug)]
enum Kind {
    Blocks,
    PendingTransactions,
    Logs(Box<Filter>),
}

#[derive(Clone, Debug)]
struct Installed {
    kind: Kind,
    /// The last block whose changes were reported.
    last_block: u64,
    /// The chain's revert count at the last poll.
    reverts: usize,
    last_poll: Instant,
    /// Pending transactions seen since the last poll.
    pending: Vec<B256>,
    /// Logs matched at installation, reported by the first poll.
    historic: Vec<Log>,
}

/// What `eth_getFilterChanges` answers.
#[derive(Debug)]
pub(crate) enum Changes {
    Hashes(Vec<B256>),
    Logs(Vec<Log>),
}

/// The installed filters.
#[derive(Debug, Default)]
pub(crate) struct Filters {
    installed: Mutex<HashMap<u128, Installed>>,
    next_id: Mutex<u128>,
}

impl Filters {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u128, Installed>> {
        let mut installed =
            self.installed.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        installed.retain(|_, filter| filter.last_poll.elapsed() < FILTER_TIMEOUT);
        installed
    }

    fn install(&self, kind: Kind, chain: &Chain, historic: Vec<Log>) -> U128 {
        let head = chain.block_number();
        let id = {
            let mut next = self.next_id.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            *next += 1;
            *next
        };
        let filter = Installed {
            kind,
            last_block: head,
            reverts: chain.revert_count(),
            last_poll: Instant::now(),
            pending: Vec::new(),
            historic,
        };
        self.lock().insert(id, filter);
        U128::from(id)
    }

    /// A log filter; its changes start after the head, preceded on the first poll by the logs it
    /// matches now when it names where to start (`fromBlock` or `blockHash`).
    pub(crate) fn new_logs(&self, filter: Filter, chain: &Chain) -> ChainResult<U128> {
        let historic = match filter.block_option {
            FilterBlockOption::Range { from_block: None, .. } => Vec::new(),
            // A start after the head: nothing yet, the logs will come as changes.
            FilterBlockOption::Range { from_block: Some(from), .. }
                if from.as_number().is_some_and(|from| from > chain.block_number()) =>
            {
                Vec::new()
            }
            _ => chain.logs(&filter)?,
        };
        Ok(self.install(Kind::Logs(Box::new(filter)), chain, historic))
    }

    /// A filter of new block hashes.
    pub(crate) fn new_blocks(&self, chain: &Chain) -> U128 {
        self.install(Kind::Blocks, chain, Vec::new())
    }

    /// A filter of new pending transaction hashes.
    pub(crate) fn new_pending_transactions(&self, chain: &Chain) -> U128 {
        self.install(Kind::PendingTransactions, chain, Vec::new())
    }

    /// Records a transaction accepted into the pool, for the pending-transaction filters.
    pub(crate) fn transaction_accepted(&self, hash: B256) {
        for filter in self.lock().values_mut() {
            if matches!(filter.kind, Kind::PendingTransactions) {
                filter.pending.push(hash);
            }
        }
    }

    /// `eth_uninstallFilter`.
    pub(crate) fn uninstall(&self, id: U128) -> bool {
        self.lock().remove(&id.to::<u128>()).is_some()
    }

    /// `eth_getFilterChanges`; `None` for an unknown filter.
    pub(crate) fn changes(&self, id: U128, chain: &Chain) -> Option<ChainResult<Changes>> {
        let mut installed = self.lock();
        let filter = installed.get_mut(&id.to::<u128>())?;
        filter.last_poll = Instant::now();
        let head = chain.block_number();
        // After a revert, report again from where the chain went back to.
        let reverted = chain.reverted_since(filter.reverts).unwrap_or(u64::MAX);
        let from = filter.last_block.min(reverted).min(head) + 1;
        filter.last_block = head;
        filter.reverts = chain.revert_count();
        // Logs matched at installation, less those of blocks a revert dropped since.
        let mut historic = std::mem::take(&mut filter.historic);
        historic.retain(|log| log.block_number.is_some_and(|number| number <= reverted));
        Some(match &filter.kind {
            Kind::Blocks => Ok(Changes::Hashes(chain.block_hashes(from..=head))),
            Kind::PendingTransactions => Ok(Changes::Hashes(std::mem::take(&mut filter.pending))),
            Kind::Logs(logs) => {
                if from > head {
                    return Some(Ok(Changes::Logs(historic)));
                }
                let (start, end) = match logs.block_option {
                    FilterBlockOption::Range { from_block, to_block } => (
                        from_block.and_then(|block| block.as_number()).unwrap_or(0).max(from),
                        to_block.and_then(|block| block.as_number()).unwrap_or(head).min(head),
                    ),
                    FilterBlockOption::AtBlockHash(_) => (from, head),
                };
                if start > end {
                    return Some(Ok(Changes::Logs(historic)));
                }
                let range = Filter {
                    block_option: FilterBlockOption::Range {
                        from_block: Some(BlockNumberOrTag::Number(start)),
                        to_block: Some(BlockNumberOrTag::Number(end)),
                    },
                    ..(**logs).clone()
                };
                chain.logs(&range).map(|logs| {
                    historic.extend(logs);
                    Changes::Logs(historic)
                })
            }
        })
    }

    /// `eth_getFilterLogs`: every log of a log filter; `None` for an unknown or non-log filter.
    pub(crate) fn logs(&self, id: U128, chain: &Chain) -> Option<ChainResult<Vec<Log>>> {
        let mut installed = self.lock();
        let filter = installed.get_mut(&id.to::<u128>())?;
        filter.last_poll = Instant::now();
        match &filter.kind {
            Kind::Logs(logs) => Some(chain.logs(logs)),
            _ => None,
        }
    }
}
