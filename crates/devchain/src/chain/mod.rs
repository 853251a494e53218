//! The chain: state, blocks, transactions and receipts, the pool, mining and time.
//!
//! ```text
//!  raw tx ─▶ decode (EIP-2718) ─▶ recover sender ─▶ validate (chain id, nonce, gas, fees, funds)
//!         ─▶ pool ─▶ (automine) mine: execute with revm, commit, receipt ─▶ seal block
//!  call / estimate ─▶ execute on a state view, commit nothing
//! ```
//!
//! The head state is changed in place by mining; the states of the last
//! [`ChainSpec::state_history`] blocks are read through the undo records of the blocks after them
//! (see [`undo`]). The state is behind an `Arc` for snapshots: the first change after a snapshot
//! copies it once.

pub(crate) mod block;
mod builder;
mod call;
pub(crate) mod error;
pub(crate) mod evm;
pub(crate) mod journal;
mod pool;
mod recover;
#[cfg(test)]
mod tests;
mod time;
pub(crate) mod undo;

use std::{
    collections::{BTreeMap, HashMap},
    sync::Arc,
};

use alloy::{
    consensus::{Transaction as _, TxEnvelope, transaction::Recovered},
    eips::{
        BlockId, BlockNumberOrTag,
        eip1559::{BaseFeeParams, calc_next_block_base_fee},
        eip2718::Decodable2718,
    },
    primitives::{Address, B256, Bytes, TxKind, U256, keccak256},
    rpc::types::{
        Block as RpcBlock, FeeHistory, Filter, FilterBlockOption, Log, Transaction,
        TransactionReceipt, TransactionRequest,
    },
};

use self::{
    block::MinedBlock,
    error::{ChainError, ChainResult},
    evm::{BlockEnvironment, StateDb, StateView},
    journal::{Entry, Journal},
    pool::{Pool, Refused},
    time::{ChainTime, unix_now},
    undo::Undo,
};
pub(crate) use self::{builder::BlockBuilder, time::unix_now as time_now};

/// The most blocks `eth_feeHistory` reports at once (geth's limit).
const MAX_FEE_HISTORY: u64 = 1_024;

/// The chain's fixed parameters.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ChainSpec {
    pub(crate) chain_id: u64,
    pub(crate) gas_limit: u64,
    pub(crate) state_history: usize,
    /// Mine a block as soon as a transaction is ready.
    pub(crate) automine: bool,
}

#[derive(Clone)]
struct Snapshot {
    head: u64,
    state: Arc<StateDb>,
    history: Vec<Arc<Undo>>,
    pending: Undo,
    time: ChainTime,
}

/// The chain (see the module docs).
#[derive(Debug)]
pub(crate) struct Chain {
    spec: ChainSpec,
    /// The state after the head block (plus dev-method edits).
    state: Arc<StateDb>,
    /// Undo records of the last blocks (up to the head), oldest first: what each overwrote.
    history: Vec<Arc<Undo>>,
    /// What dev-method edits overwrote since the head block (part of the next block's record).
    pending: Undo,
    blocks: Vec<MinedBlock>,
    /// Block hashes by number.
    hashes: Vec<B256>,
    numbers: HashMap<B256, u64>,
    /// Mined transactions: block number and index.
    txs: HashMap<B256, (u64, usize)>,
    pool: Pool,
    time: ChainTime,
    snapshots: BTreeMap<u64, Snapshot>,
    next_snapshot: u64,
    /// The head after each `evm_revert`, in order: how far back pollers must look.
    reverts: Vec<u64>,
    /// Where changes are recorded, when the chain persists.
    journal: Option<Journal>,
}

impl std::fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Snapshot").field("head", &self.head).finish_non_exhaustive()
    }
}

// === impl Chain ===

impl Chain {
    /// A chain whose genesis block (number 0) holds `alloc`'s balances and whatever `build`
    /// executes in it (the protocol deployment).
    pub(crate) fn genesis<T, E>(
        spec: ChainSpec,
        base_fee: u64,
        timestamp: u64,
        alloc: &[(Address, U256)],
        build: impl FnOnce(&mut BlockBuilder<'_>) -> Result<T, E>,
    ) -> Result<(Self, T), E> {
        recover::install_precompile_crypto();
        let mut state = StateDb::default();
        for (address, balance) in alloc {
            evm::set_balance(&mut state, *address, *balance);
        }
        let env = BlockEnvironment {
            number: 0,
            timestamp,
            base_fee,
            gas_limit: spec.gas_limit,
            coinbase: Address::ZERO,
            prevrandao: B256::ZERO,
        };
        let mut undo = Undo::default();
        let mut builder = BlockBuilder::new(&mut state, &mut undo, &[], env, spec.chain_id);
        let out = build(&mut builder)?;
        let block = builder.finish(B256::ZERO, B256::ZERO);
        let mut chain = Self {
            spec,
            state: Arc::new(state),
            history: Vec::new(),
            pending: Undo::default(),
            blocks: Vec::new(),
            hashes: Vec::new(),
            numbers: HashMap::new(),
            txs: HashMap::new(),
            pool: Pool::default(),
            time: ChainTime::new(timestamp, unix_now()),
            snapshots: BTreeMap::new(),
            next_snapshot: 1,
            reverts: Vec::new(),
            journal: None,
        };
        chain.push_block(block, None, unix_now());
        Ok((chain, out))
    }

    /// The genesis block's hash.
    pub(crate) fn genesis_hash(&self) -> B256 {
        self.hashes[0]
    }

    pub(crate) const fn chain_id(&self) -> u64 {
        self.spec.chain_id
    }

    /// The head block's number.
    pub(crate) fn block_number(&self) -> u64 {
        self.head().number()
    }

    fn head(&self) -> &MinedBlock {
        self.blocks.last().expect("invariant: the chain always has its genesis block")
    }

    /// The base fee of the next block (EIP-1559).
    pub(crate) fn next_base_fee(&self) -> u64 {
        next_base_fee(&self.head().header)
    }

    /// The environment the next block will execute in.
    fn pending_env(&self) -> BlockEnvironment {
        let head = self.head();
        BlockEnvironment {
            number: head.number() + 1,
            timestamp: self.time.next_timestamp(unix_now()),
            base_fee: self.next_base_fee(),
            gas_limit: self.spec.gas_limit,
            coinbase: Address::ZERO,
            prevrandao: keccak256(head.hash),
        }
    }

    fn head_view(&self) -> StateView<'_> {
        StateView::head(&self.state, &self.hashes)
    }

    // --- blocks ---

    /// The number `id` names. Tags `latest`, `pending`, `safe` and `finalized` name the head.
    pub(crate) fn resolve(&self, id: BlockId) -> ChainResult<u64> {
        match id {
            BlockId::Hash(hash) => self
                .numbers
                .get(&hash.block_hash)
                .copied()
                .ok_or(ChainError::UnknownBlockHash(hash.block_hash)),
            BlockId::Number(tag) => {
                let number = self.tag_number(tag);
                if number > self.block_number() {
                    return Err(ChainError::BlockNotFound(number.to_string()));
                }
                Ok(number)
            }
        }
    }

    fn tag_number(&self, tag: BlockNumberOrTag) -> u64 {
        match tag {
            BlockNumberOrTag::Earliest => 0,
            BlockNumberOrTag::Number(number) => number,
            BlockNumberOrTag::Latest
            | BlockNumberOrTag::Pending
            | BlockNumberOrTag::Safe
            | BlockNumberOrTag::Finalized => self.block_number(),
        }
    }

    fn block(&self, number: u64) -> Option<&MinedBlock> {
        self.blocks.get(usize::try_from(number).ok()?)
    }

    /// The block `id` names, if it exists.
    pub(crate) fn block_by_id(&self, id: BlockId, full: bool) -> Option<RpcBlock> {
        let number = self.resolve(id).ok()?;
        self.block(number).map(|block| block.to_rpc(full))
    }

    /// Hashes of the blocks in `numbers` (those that exist).
    pub(crate) fn block_hashes(&self, numbers: std::ops::RangeInclusive<u64>) -> Vec<B256> {
        numbers.map_while(|number| self.block(number).map(|block| block.hash)).collect()
    }

    /// The header and the logs of block `number`, for subscriptions.
    pub(crate) fn block_event(&self, number: u64) -> Option<(alloy::rpc::types::Header, Vec<Log>)> {
        let block = self.block(number)?;
        let logs = (0..block.transactions.len()).flat_map(|index| block.rpc_logs(index)).collect();
        Some((block.to_rpc(false).header, logs))
    }

    /// Number of transactions in block `id`.
    pub(crate) fn block_transaction_count(&self, id: BlockId) -> Option<usize> {
        let number = self.resolve(id).ok()?;
        self.block(number).map(|block| block.transactions.len())
    }

    // --- transactions ---

    /// A mined or pending transaction.
    pub(crate) fn transaction(&self, hash: B256) -> Option<Transaction> {
        if let Some((number, index)) = self.txs.get(&hash) {
            return self.block(*number).map(|block| block.rpc_transaction(*index));
        }
        self.pool.get(&hash).map(block::rpc_pending_transaction)
    }

    /// The transaction at `index` in block `id`.
    pub(crate) fn transaction_by_block(&self, id: BlockId, index: usize) -> Option<Transaction> {
        let block = self.block(self.resolve(id).ok()?)?;
        (index < block.transactions.len()).then(|| block.rpc_transaction(index))
    }

    /// The receipt of a mined transaction.
    pub(crate) fn receipt(&self, hash: B256) -> Option<TransactionReceipt> {
        let (number, index) = self.txs.get(&hash)?;
        self.block(*number).map(|block| block.rpc_receipt(*index))
    }

    /// The receipts of block `id`.
    pub(crate) fn block_receipts(&self, id: BlockId) -> Option<Vec<TransactionReceipt>> {
        let block = self.block(self.resolve(id).ok()?)?;
        Some((0..block.transactions.len()).map(|index| block.rpc_receipt(index)).collect())
    }

    /// Decodes, checks and accepts a signed transaction; with automine, mines it.
    pub(crate) fn send_raw_transaction(&mut self, raw: &[u8]) -> ChainResult<B256> {
        let envelope = TxEnvelope::decode_2718_exact(raw)
            .map_err(|error| ChainError::Decode(error.to_string()))?;
        self.submit(envelope)
    }

    /// Checks and accepts a signed transaction; with automine, mines it.
    pub(crate) fn submit(&mut self, envelope: TxEnvelope) -> ChainResult<B256> {
        if envelope.is_eip4844() || envelope.is_eip7702() {
            return Err(ChainError::UnsupportedTxType);
        }
        if let Some(have) = envelope.chain_id()
            && have != self.spec.chain_id
        {
            return Err(ChainError::InvalidChainId { have, want: self.spec.chain_id });
        }
        let sender = recover::sender(&envelope)?;
        let hash = *envelope.tx_hash();
        if self.txs.contains_key(&hash) {
            return Err(ChainError::AlreadyKnown);
        }
        let tx = Recovered::new_unchecked(envelope, sender);
        self.validate(&tx)?;
        self.pool.insert(tx).map_err(|refused| match refused {
            Refused::AlreadyKnown => ChainError::AlreadyKnown,
            Refused::Underpriced => ChainError::ReplacementUnderpriced,
            Refused::Full => ChainError::PoolFull,
        })?;
        tracing::debug!(%hash, %sender, "Transaction accepted.");
        if self.spec.automine {
            self.mine_ready();
        }
        Ok(hash)
    }

    /// The checks a node's pool makes, against the head state and the next base fee.
    fn validate(&self, tx: &Recovered<TxEnvelope>) -> ChainResult<()> {
        let sender = tx.signer();
        let inner = tx.inner();
        let account = evm::account(&self.head_view(), sender);
        if inner.nonce() < account.nonce {
            return Err(ChainError::NonceTooLow {
                address: sender,
                tx: inner.nonce(),
                state: account.nonce,
            });
        }
        if inner.gas_limit() > self.spec.gas_limit {
            return Err(ChainError::GasLimitTooHigh);
        }
        if inner.kind() == TxKind::Create && inner.input().len() > evm::MAX_INITCODE_SIZE {
            return Err(ChainError::InitCodeTooLarge {
                size: inner.input().len(),
                limit: evm::MAX_INITCODE_SIZE,
            });
        }
        let intrinsic = evm::intrinsic_gas(&evm::tx_env(inner, sender));
        if inner.gas_limit() < intrinsic {
            return Err(ChainError::IntrinsicGasTooLow {
                have: inner.gas_limit(),
                want: intrinsic,
            });
        }
        if inner.max_priority_fee_per_gas().is_some_and(|tip| tip > inner.max_fee_per_gas()) {
            return Err(ChainError::TipAboveFeeCap);
        }
        let base_fee = self.next_base_fee();
        if inner.max_fee_per_gas() < u128::from(base_fee) {
            return Err(ChainError::FeeCapTooLow {
                address: sender,
                fee_cap: inner.max_fee_per_gas(),
                base_fee,
            });
        }
        let want =
            U256::from(inner.gas_limit()) * U256::from(inner.max_fee_per_gas()) + inner.value();
        if account.balance < want {
            return Err(ChainError::InsufficientFunds {
                address: sender,
                have: account.balance,
                want,
            });
        }
        Ok(())
    }

    // --- mining ---

    /// Mines one block per ready transaction (automine).
    fn mine_ready(&mut self) {
        loop {
            let view = self.head_view();
            if !self.pool.has_ready(|address| evm::account(&view, address).nonce) {
                break;
            }
            self.mine(Some(1), None);
        }
    }

    /// Mines a block with up to `max_txs` ready transactions (all that fit if `None`), at
    /// `timestamp` or the chain's next one. Returns the block's number.
    pub(crate) fn mine(&mut self, max_txs: Option<usize>, timestamp: Option<u64>) -> u64 {
        let now = unix_now();
        let mut env = self.pending_env();
        if let Some(timestamp) = timestamp {
            env.timestamp = timestamp;
        }
        let (parent_hash, parent_state_root) = (self.head().hash, self.head().header.state_root);
        let chain_id = self.spec.chain_id;
        let state = Arc::make_mut(&mut self.state);
        let mut builder = BlockBuilder::new(state, &mut self.pending, &self.hashes, env, chain_id);
        let mut deferred = None;
        let mut count = 0;
        while max_txs.is_none_or(|max| count < max) {
            let Some(tx) =
                self.pool.take_ready(|address| evm::account(&builder.view(), address).nonce)
            else {
                break;
            };
            if tx.inner().gas_limit() > builder.gas_left() {
                deferred = Some(tx);
                break;
            }
            let hash = *tx.inner().tx_hash();
            match builder.apply(tx) {
                Ok(_) => count += 1,
                Err(error) => tracing::warn!(%hash, %error, "Transaction dropped at mining."),
            }
        }
        let block = builder.finish(parent_hash, parent_state_root);
        if let Some(tx) = deferred {
            // It was in the pool a moment ago, under the same rules.
            let _ = self.pool.insert(tx);
        }
        let undo = std::mem::take(&mut self.pending);
        self.seal(block, undo, now)
    }

    /// Mines a block of exactly `txs` at `timestamp` (a journal's block, replayed).
    fn mine_exact(&mut self, txs: Vec<Recovered<TxEnvelope>>, timestamp: u64) -> B256 {
        let env = BlockEnvironment { timestamp, ..self.pending_env() };
        let (parent_hash, parent_state_root) = (self.head().hash, self.head().header.state_root);
        let chain_id = self.spec.chain_id;
        let state = Arc::make_mut(&mut self.state);
        let mut builder = BlockBuilder::new(state, &mut self.pending, &self.hashes, env, chain_id);
        for tx in txs {
            let hash = *tx.inner().tx_hash();
            if let Err(error) = builder.apply(tx) {
                tracing::warn!(%hash, %error, "A journal transaction fails on replay.");
            }
        }
        let block = builder.finish(parent_hash, parent_state_root);
        let hash = block.hash;
        let undo = std::mem::take(&mut self.pending);
        self.seal(block, undo, unix_now());
        hash
    }

    /// Adds a built block (and what it overwrote) to the chain and the journal.
    fn seal(&mut self, block: MinedBlock, undo: Undo, now: u64) -> u64 {
        let number = block.number();
        tracing::debug!(number, hash = %block.hash, txs = block.transactions.len(), "Block mined.");
        if self.journal.is_some() {
            let transactions = block
                .transactions
                .iter()
                .map(|tx| alloy::eips::eip2718::Encodable2718::encoded_2718(tx.tx.inner()).into())
                .collect();
            let entry = Entry::Block {
                number,
                timestamp: block.header.timestamp,
                hash: block.hash,
                transactions,
            };
            self.record(&entry);
        }
        self.push_block(block, Some(undo), now);
        number
    }

    /// Appends `entry` to the journal, if the chain persists.
    fn record(&mut self, entry: &Entry) {
        if let Some(journal) = &mut self.journal
            && let Err(error) = journal.append(entry)
        {
            tracing::error!(path = %journal.path().display(), %error, "Could not write the journal.");
        }
    }

    /// Records every later change in `journal`.
    pub(crate) fn attach_journal(&mut self, journal: Journal) {
        self.journal = Some(journal);
    }

    /// Replays a journal's entries (the chain must be at the journal's genesis, not journaling).
    pub(crate) fn replay(&mut self, entries: Vec<Entry>) -> ChainResult<()> {
        for entry in entries {
            match entry {
                Entry::Block { number, timestamp, hash, transactions } => {
                    let mut txs = Vec::with_capacity(transactions.len());
                    for raw in transactions {
                        let tx = TxEnvelope::decode_2718_exact(&raw)
                            .map_err(|error| ChainError::Decode(error.to_string()))?;
                        let sender = recover::sender(&tx)?;
                        txs.push(Recovered::new_unchecked(tx, sender));
                    }
                    let replayed = self.mine_exact(txs, timestamp);
                    if replayed != hash || self.block_number() != number {
                        return Err(ChainError::ReplayMismatch {
                            number,
                            recorded: hash,
                            replayed,
                        });
                    }
                }
                Entry::SetBalance { address, balance } => self.set_balance(address, balance),
                Entry::SetNonce { address, nonce } => self.set_nonce(address, nonce),
                Entry::SetCode { address, code } => self.set_code(address, code),
                Entry::SetStorage { address, slot, value } => {
                    self.set_storage(address, slot, value)
                }
                Entry::Snapshot { .. } => {
                    self.snapshot();
                }
                Entry::Revert { id } => {
                    self.revert(id);
                }
            }
        }
        // Time goes on from the last block, or from now if that is later.
        self.time = ChainTime::resume(self.time.last(), unix_now());
        Ok(())
    }

    fn push_block(&mut self, block: MinedBlock, undo: Option<Undo>, now: u64) {
        let number = block.number();
        for (index, tx) in block.transactions.iter().enumerate() {
            self.txs.insert(tx.hash(), (number, index));
        }
        self.numbers.insert(block.hash, number);
        self.hashes.push(block.hash);
        self.time.mined(block.header.timestamp, now);
        self.blocks.push(block);
        // The head's state is the state itself: `state_history` states need one record fewer.
        let keep = self.spec.state_history.saturating_sub(1);
        if let Some(undo) = undo
            && keep > 0
        {
            self.history.push(Arc::new(undo));
            if self.history.len() > keep {
                let excess = self.history.len() - keep;
                self.history.drain(..excess);
            }
        }
    }

    // --- state ---

    /// The state after block `number` (the head's is the current state).
    fn view_at(&self, number: u64) -> ChainResult<StateView<'_>> {
        let hashes =
            &self.hashes[..usize::try_from(number).unwrap_or(usize::MAX).min(self.hashes.len())];
        let head = self.block_number();
        if number == head {
            return Ok(StateView::head(&self.state, hashes));
        }
        // Blocks `number + 1 ..= head` each have a record: the last `back` ones.
        let back = usize::try_from(head.saturating_sub(number)).unwrap_or(usize::MAX);
        if number > head || back >= self.spec.state_history || back > self.history.len() {
            return Err(ChainError::StateUnavailable { number, kept: self.spec.state_history });
        }
        Ok(StateView {
            state: &self.state,
            hashes,
            undo: &self.history[self.history.len() - back..],
            pending: Some(&self.pending),
        })
    }

    fn view(&self, id: BlockId) -> ChainResult<StateView<'_>> {
        self.view_at(self.resolve(id)?)
    }

    pub(crate) fn balance(&self, address: Address, id: BlockId) -> ChainResult<U256> {
        Ok(evm::account(&self.view(id)?, address).balance)
    }

    /// The nonce of `address` at `id`; at `pending`, after its queued transactions.
    pub(crate) fn nonce(&self, address: Address, id: BlockId) -> ChainResult<u64> {
        if id == BlockId::Number(BlockNumberOrTag::Pending) {
            return Ok(self.pending_nonce(address));
        }
        Ok(evm::account(&self.view(id)?, address).nonce)
    }

    /// The nonce a new transaction of `address` should take: after its queued ones.
    pub(crate) fn pending_nonce(&self, address: Address) -> u64 {
        let nonce = evm::account(&self.head_view(), address).nonce;
        self.pool.next_free_nonce(address, nonce)
    }

    pub(crate) fn code(&self, address: Address, id: BlockId) -> ChainResult<Bytes> {
        Ok(evm::code(&self.view(id)?, address))
    }

    pub(crate) fn storage(&self, address: Address, slot: U256, id: BlockId) -> ChainResult<B256> {
        use revm::DatabaseRef;
        let view = self.view(id)?;
        let value = view.storage_ref(address, slot).unwrap_or_else(|never| match never {});
        Ok(B256::from(value))
    }

    /// The state and block environment a call at `id` executes in: `pending` (or `None` when
    /// `pending_by_default`) is the next block on the head state; otherwise the block itself.
    fn call_context(
        &self,
        id: Option<BlockId>,
        pending_by_default: bool,
    ) -> ChainResult<(StateView<'_>, BlockEnvironment)> {
        let pending = match id {
            None => pending_by_default,
            Some(BlockId::Number(BlockNumberOrTag::Pending)) => true,
            Some(_) => false,
        };
        if pending {
            return Ok((self.head_view(), self.pending_env()));
        }
        let number = self.resolve(id.unwrap_or_default())?;
        let block =
            self.block(number).ok_or_else(|| ChainError::BlockNotFound(number.to_string()))?;
        let env = BlockEnvironment {
            number,
            timestamp: block.header.timestamp,
            base_fee: block.header.base_fee_per_gas.unwrap_or_default(),
            gas_limit: block.header.gas_limit,
            coinbase: block.header.beneficiary,
            prevrandao: block.header.mix_hash,
        };
        Ok((self.view_at(number)?, env))
    }

    /// `eth_call`.
    pub(crate) fn call(
        &self,
        request: &TransactionRequest,
        id: Option<BlockId>,
    ) -> ChainResult<Bytes> {
        let (view, env) = self.call_context(id, false)?;
        call::call(view, &env, self.spec.chain_id, request)
    }

    /// `eth_estimateGas` (on the pending block by default).
    pub(crate) fn estimate_gas(
        &self,
        request: &TransactionRequest,
        id: Option<BlockId>,
    ) -> ChainResult<u64> {
        let (view, env) = self.call_context(id, true)?;
        call::estimate_gas(view, &env, self.spec.chain_id, request)
    }

    // --- logs and fees ---

    /// `eth_getLogs`.
    pub(crate) fn logs(&self, filter: &Filter) -> ChainResult<Vec<Log>> {
        let (from, to) = match filter.block_option {
            FilterBlockOption::AtBlockHash(hash) => {
                let number = *self.numbers.get(&hash).ok_or(ChainError::UnknownBlockHash(hash))?;
                (number, number)
            }
            FilterBlockOption::Range { from_block, to_block } => {
                let from = self.tag_number(from_block.unwrap_or_default());
                let to = self.tag_number(to_block.unwrap_or_default());
                if from > to {
                    return Err(ChainError::InvalidBlockRange { from, to });
                }
                (from, to.min(self.block_number()))
            }
        };
        let mut logs = Vec::new();
        for number in from..=to {
            let Some(block) = self.block(number) else { break };
            if !filter.matches_bloom(block.header.logs_bloom) {
                continue;
            }
            for (index, tx) in block.transactions.iter().enumerate() {
                for (position, log) in tx.receipt.logs().iter().enumerate() {
                    if filter.matches(log) {
                        logs.push(block.rpc_log(index, tx.first_log_index + position as u64, log));
                    }
                }
            }
        }
        Ok(logs)
    }

    /// `eth_feeHistory`.
    pub(crate) fn fee_history(
        &self,
        count: u64,
        newest: BlockNumberOrTag,
        percentiles: Option<&[f64]>,
    ) -> ChainResult<FeeHistory> {
        if let Some(percentiles) = percentiles
            && (percentiles.windows(2).any(|pair| pair[0] > pair[1])
                || percentiles.iter().any(|p| !(0.0..=100.0).contains(p)))
        {
            return Err(ChainError::InvalidInput(
                "reward percentiles must be increasing values between 0 and 100".to_owned(),
            ));
        }
        let newest = self.resolve(BlockId::Number(newest))?;
        let count = count.min(MAX_FEE_HISTORY).min(newest + 1);
        let oldest = newest + 1 - count;
        let mut history = FeeHistory { oldest_block: oldest, ..FeeHistory::default() };
        for number in oldest..=newest {
            let block =
                self.block(number).ok_or_else(|| ChainError::BlockNotFound(number.to_string()))?;
            let header = &block.header;
            history.base_fee_per_gas.push(u128::from(header.base_fee_per_gas.unwrap_or_default()));
            history.gas_used_ratio.push(header.gas_used as f64 / header.gas_limit as f64);
            history.base_fee_per_blob_gas.push(1);
            history.blob_gas_used_ratio.push(0.0);
            if let Some(percentiles) = percentiles {
                history.reward.get_or_insert_with(Vec::new).push(rewards(block, percentiles));
            }
        }
        let newest_header = &self.block(newest).expect("invariant: resolved above").header;
        history.base_fee_per_gas.push(u128::from(next_base_fee(newest_header)));
        history.base_fee_per_blob_gas.push(1);
        if count == 0 {
            history.base_fee_per_gas.clear();
            history.base_fee_per_blob_gas.clear();
        }
        Ok(history)
    }

    // --- dev methods ---

    /// Whether a block is mined as soon as a transaction is ready.
    pub(crate) const fn automine(&self) -> bool {
        self.spec.automine
    }

    /// `evm_setAutomine`: turning it on mines what is ready.
    pub(crate) fn set_automine(&mut self, on: bool) {
        self.spec.automine = on;
        if on {
            self.mine_ready();
        }
    }

    /// `evm_increaseTime`: returns the total offset from the wall clock.
    pub(crate) fn increase_time(&mut self, seconds: u64) -> i64 {
        self.time.increase(seconds)
    }

    /// `evm_setNextBlockTimestamp`.
    pub(crate) fn set_next_block_timestamp(&mut self, timestamp: u64) -> ChainResult<()> {
        self.time
            .set_next(timestamp)
            .map_err(|last| ChainError::TimestampTooLow { timestamp, last })
    }

    /// `evm_mine`: mines `blocks` blocks with whatever is ready, the first at `timestamp`.
    pub(crate) fn mine_blocks(&mut self, blocks: u64, timestamp: Option<u64>) -> ChainResult<()> {
        if let Some(timestamp) = timestamp
            && timestamp < self.time.last()
        {
            return Err(ChainError::TimestampTooLow { timestamp, last: self.time.last() });
        }
        for block in 0..blocks {
            self.mine(None, if block == 0 { timestamp } else { None });
        }
        Ok(())
    }

    /// `evm_snapshot`: returns the snapshot's id.
    pub(crate) fn snapshot(&mut self) -> u64 {
        let id = self.next_snapshot;
        self.next_snapshot += 1;
        self.snapshots.insert(
            id,
            Snapshot {
                head: self.block_number(),
                state: Arc::clone(&self.state),
                history: self.history.clone(),
                pending: self.pending.clone(),
                time: self.time,
            },
        );
        self.record(&Entry::Snapshot { id });
        id
    }

    /// `evm_revert`: back to snapshot `id` (which is used up, with every later one); `false` if
    /// there is no such snapshot.
    pub(crate) fn revert(&mut self, id: u64) -> bool {
        let Some(snapshot) = self.snapshots.remove(&id) else {
            return false;
        };
        self.snapshots.retain(|other, _| *other < id);
        let keep = usize::try_from(snapshot.head).unwrap_or(usize::MAX).saturating_add(1);
        for block in self.blocks.drain(keep..) {
            self.numbers.remove(&block.hash);
            for tx in &block.transactions {
                self.txs.remove(&tx.hash());
            }
        }
        self.hashes.truncate(keep);
        self.state = snapshot.state;
        self.history = snapshot.history;
        self.pending = snapshot.pending;
        self.time = snapshot.time;
        self.pool.clear();
        self.reverts.push(snapshot.head);
        self.record(&Entry::Revert { id });
        true
    }

    /// How many reverts happened so far (a cursor for [`Self::reverted_since`]).
    pub(crate) fn revert_count(&self) -> usize {
        self.reverts.len()
    }

    /// The lowest head the chain went back to after the first `seen` reverts, if it reverted.
    pub(crate) fn reverted_since(&self, seen: usize) -> Option<u64> {
        self.reverts.get(seen..)?.iter().copied().min()
    }

    /// `anvil_setBalance`.
    pub(crate) fn set_balance(&mut self, address: Address, balance: U256) {
        let state = Arc::make_mut(&mut self.state);
        self.pending.record_account(state, address);
        evm::set_balance(state, address, balance);
        self.record(&Entry::SetBalance { address, balance });
    }

    /// `anvil_setNonce`.
    pub(crate) fn set_nonce(&mut self, address: Address, nonce: u64) {
        let state = Arc::make_mut(&mut self.state);
        self.pending.record_account(state, address);
        evm::set_nonce(state, address, nonce);
        self.record(&Entry::SetNonce { address, nonce });
    }

    /// `anvil_setCode`.
    pub(crate) fn set_code(&mut self, address: Address, code: Bytes) {
        let state = Arc::make_mut(&mut self.state);
        self.pending.record_account(state, address);
        evm::set_code(state, address, code.clone());
        self.record(&Entry::SetCode { address, code });
    }

    /// `anvil_setStorageAt`.
    pub(crate) fn set_storage(&mut self, address: Address, slot: U256, value: U256) {
        let state = Arc::make_mut(&mut self.state);
        self.pending.record_account(state, address);
        self.pending.record_slot(state, address, slot);
        evm::set_storage(state, address, slot, value);
        self.record(&Entry::SetStorage { address, slot, value });
    }
}

fn next_base_fee(header: &alloy::consensus::Header) -> u64 {
    calc_next_block_base_fee(
        header.gas_used,
        header.gas_limit,
        header.base_fee_per_gas.unwrap_or_default(),
        BaseFeeParams::ethereum(),
    )
}

/// The priority fees paid at each percentile of the block's gas (geth's algorithm).
fn rewards(block: &MinedBlock, percentiles: &[f64]) -> Vec<u128> {
    let base_fee = block.header.base_fee_per_gas.unwrap_or_default();
    let mut tips: Vec<(u128, u64)> = block
        .transactions
        .iter()
        .map(|tx| (tx.tx.inner().effective_tip_per_gas(base_fee).unwrap_or_default(), tx.gas_used))
        .collect();
    if tips.is_empty() {
        return vec![0; percentiles.len()];
    }
    tips.sort_unstable_by_key(|(tip, _)| *tip);
    let gas_used = block.header.gas_used as f64;
    let mut rewards = Vec::with_capacity(percentiles.len());
    let (mut index, mut cumulative) = (0, tips[0].1 as f64);
    for percentile in percentiles {
        let threshold = gas_used * percentile / 100.0;
        while cumulative < threshold && index + 1 < tips.len() {
            index += 1;
            cumulative += tips[index].1 as f64;
        }
        rewards.push(tips[index].0);
    }
    rewards
}
