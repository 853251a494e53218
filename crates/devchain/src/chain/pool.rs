//! Transactions accepted but not mined yet: the ready one of each sender (its nonce is the
//! account's) and those waiting for a nonce gap to fill, like a node's queue.

use std::collections::{BTreeMap, HashMap};

use alloy::{
    consensus::{Transaction as _, TxEnvelope, transaction::Recovered},
    primitives::{Address, B256},
};

/// Most transactions one sender may keep waiting.
pub(crate) const MAX_PER_SENDER: usize = 1_024;

#[derive(Clone, Debug)]
struct Pooled {
    tx: Recovered<TxEnvelope>,
    /// Arrival order, so senders are served first come, first served.
    seq: u64,
}

/// The pool.
#[derive(Clone, Debug, Default)]
pub(crate) struct Pool {
    by_sender: HashMap<Address, BTreeMap<u64, Pooled>>,
    by_hash: HashMap<B256, (Address, u64)>,
    seq: u64,
}

/// What [`Pool::insert`] did.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Inserted {
    /// Added.
    New,
    /// Replaced a transaction with the same nonce that paid less.
    Replaced,
}

/// Why [`Pool::insert`] refused.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Refused {
    AlreadyKnown,
    Underpriced,
    Full,
}

impl Pool {
    /// Adds `tx`; a transaction with the same sender and nonce is replaced only by one paying
    /// at least 10% more (geth's rule).
    pub(crate) fn insert(&mut self, tx: Recovered<TxEnvelope>) -> Result<Inserted, Refused> {
        let hash = *tx.inner().tx_hash();
        if self.by_hash.contains_key(&hash) {
            return Err(Refused::AlreadyKnown);
        }
        let sender = tx.signer();
        let nonce = tx.inner().nonce();
        let queue = self.by_sender.entry(sender).or_default();
        let mut outcome = Inserted::New;
        if let Some(existing) = queue.get(&nonce) {
            let old = existing.tx.inner();
            let new = tx.inner();
            let bumped = |old: u128| old.saturating_add(old / 10);
            if new.max_fee_per_gas() < bumped(old.max_fee_per_gas())
                || new.priority_fee_or_price() < bumped(old.priority_fee_or_price())
            {
                return Err(Refused::Underpriced);
            }
            self.by_hash.remove(old.tx_hash());
            outcome = Inserted::Replaced;
        } else if queue.len() >= MAX_PER_SENDER {
            return Err(Refused::Full);
        }
        self.seq += 1;
        queue.insert(nonce, Pooled { tx, seq: self.seq });
        self.by_hash.insert(hash, (sender, nonce));
        Ok(outcome)
    }

    /// The pooled transaction with this hash.
    pub(crate) fn get(&self, hash: &B256) -> Option<&Recovered<TxEnvelope>> {
        let (sender, nonce) = self.by_hash.get(hash)?;
        self.by_sender.get(sender)?.get(nonce).map(|pooled| &pooled.tx)
    }

    /// The first nonce from `nonce` on that `sender` has no transaction queued for.
    pub(crate) fn next_free_nonce(&self, sender: Address, mut nonce: u64) -> u64 {
        if let Some(queue) = self.by_sender.get(&sender) {
            while queue.contains_key(&nonce) {
                nonce += 1;
            }
        }
        nonce
    }

    /// Whether some transaction is ready: its nonce is its sender's `nonce_of`.
    pub(crate) fn has_ready(&self, mut nonce_of: impl FnMut(Address) -> u64) -> bool {
        self.by_sender.iter().any(|(sender, queue)| queue.contains_key(&nonce_of(*sender)))
    }

    /// Takes the oldest ready transaction: one whose nonce is its sender's `nonce_of`. Drops
    /// transactions whose nonce was used meanwhile.
    pub(crate) fn take_ready(
        &mut self,
        mut nonce_of: impl FnMut(Address) -> u64,
    ) -> Option<Recovered<TxEnvelope>> {
        let mut best: Option<(u64, Address, u64)> = None;
        let mut stale = Vec::new();
        for (sender, queue) in &self.by_sender {
            let next = nonce_of(*sender);
            for (&nonce, pooled) in queue.range(..next) {
                stale.push((*sender, nonce, *pooled.tx.inner().tx_hash()));
            }
            if let Some(pooled) = queue.get(&next)
                && best.is_none_or(|(seq, _, _)| pooled.seq < seq)
            {
                best = Some((pooled.seq, *sender, next));
            }
        }
        for (sender, nonce, hash) in stale {
            self.remove(sender, nonce, hash);
        }
        let (_, sender, nonce) = best?;
        let pooled = self.by_sender.get_mut(&sender)?.remove(&nonce)?;
        self.by_hash.remove(pooled.tx.inner().tx_hash());
        if self.by_sender.get(&sender).is_some_and(BTreeMap::is_empty) {
            self.by_sender.remove(&sender);
        }
        Some(pooled.tx)
    }

    fn remove(&mut self, sender: Address, nonce: u64, hash: B256) {
        self.by_hash.remove(&hash);
        if let Some(queue) = self.by_sender.get_mut(&sender) {
            queue.remove(&nonce);
            if queue.is_empty() {
                self.by_sender.remove(&sender);
            }
        }
    }

    /// Empties the pool.
    pub(crate) fn clear(&mut self) {
        *self = Self::default();
    }
}
