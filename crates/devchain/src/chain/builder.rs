//! Building a block: transactions executed one after the other on the state, receipts with
//! cumulative gas and block-wide log indexes, then the sealed header.

use alloy::{
    consensus::{
        Header, Receipt, ReceiptEnvelope, ReceiptWithBloom, Transaction as _, TxEnvelope,
        constants::{EMPTY_OMMER_ROOT_HASH, EMPTY_WITHDRAWALS},
        transaction::Recovered,
    },
    eips::eip7685::EMPTY_REQUESTS_HASH,
    primitives::{Address, B256, logs_bloom},
    rpc::types::TransactionRequest,
};
use revm::context::result::ExecutionResult;

use super::{
    block::{MinedBlock, MinedTx},
    error::ChainError,
    evm::{self, BlockEnvironment, Mode, StateDb, StateView},
    undo::Undo,
};

/// A block being built on `state`.
pub(crate) struct BlockBuilder<'a> {
    state: &'a mut StateDb,
    /// Where what the block overwrites is recorded.
    undo: &'a mut Undo,
    hashes: &'a [B256],
    env: BlockEnvironment,
    chain_id: u64,
    txs: Vec<MinedTx>,
    gas_used: u64,
    log_count: u64,
}

impl<'a> BlockBuilder<'a> {
    /// Starts block `env.number` on `state`, recording in `undo` what it overwrites; `hashes`
    /// are those of the blocks before it.
    pub(crate) const fn new(
        state: &'a mut StateDb,
        undo: &'a mut Undo,
        hashes: &'a [B256],
        env: BlockEnvironment,
        chain_id: u64,
    ) -> Self {
        Self { state, undo, hashes, env, chain_id, txs: Vec::new(), gas_used: 0, log_count: 0 }
    }

    /// The state as the transactions so far left it.
    pub(crate) fn view(&self) -> StateView<'_> {
        StateView::head(self.state, self.hashes)
    }

    pub(crate) const fn env(&self) -> &BlockEnvironment {
        &self.env
    }

    pub(crate) const fn chain_id(&self) -> u64 {
        self.chain_id
    }

    /// The next nonce of `address` in the block so far.
    pub(crate) fn nonce(&self, address: Address) -> u64 {
        evm::account(&self.view(), address).nonce
    }

    /// Estimates the gas of `request` on the block so far.
    pub(crate) fn estimate_gas(&self, request: &TransactionRequest) -> Result<u64, ChainError> {
        super::call::estimate_gas(self.view(), &self.env, self.chain_id, request)
    }

    /// Gas the block can still take.
    pub(crate) const fn gas_left(&self) -> u64 {
        self.env.gas_limit.saturating_sub(self.gas_used)
    }

    /// Executes `tx` and adds it to the block with its receipt. A transaction the EVM refuses
    /// (bad nonce, funds...) is not added and leaves the state as it was.
    pub(crate) fn apply(&mut self, tx: Recovered<TxEnvelope>) -> Result<&MinedTx, ChainError> {
        if tx.inner().gas_limit() > self.gas_left() {
            return Err(ChainError::GasLimitTooHigh);
        }
        let env = evm::tx_env(tx.inner(), tx.signer());
        let executed = evm::execute(self.view(), &self.env, self.chain_id, Mode::Transact, env)?;
        let gas_used = executed.gas_used();
        let contract_address = match &executed.result {
            ExecutionResult::Success { .. } => executed.result.created_address(),
            _ => None,
        };
        let status = executed.result.is_success();
        let logs = executed.result.logs().to_vec();
        evm::commit(self.state, executed.changes, self.undo);

        self.gas_used += gas_used;
        let bloom = logs_bloom(logs.iter());
        let log_count = logs.len() as u64;
        let receipt = ReceiptWithBloom {
            receipt: Receipt { status: status.into(), cumulative_gas_used: self.gas_used, logs },
            logs_bloom: bloom,
        };
        let base_fee = self.env.base_fee;
        let effective_gas_price = tx
            .inner()
            .effective_tip_per_gas(base_fee)
            .map_or(tx.inner().max_fee_per_gas(), |tip| tip + u128::from(base_fee));
        self.txs.push(MinedTx {
            receipt: ReceiptEnvelope::from_typed(tx.inner().tx_type(), receipt),
            tx,
            gas_used,
            effective_gas_price,
            contract_address,
            first_log_index: self.log_count,
        });
        self.log_count += log_count;
        Ok(self.txs.last().expect("invariant: a transaction was just pushed"))
    }

    /// Seals the block on `parent_hash`. The state root is a placeholder (see the crate docs):
    /// a hash chaining the parent's state root with this block's transactions and receipts.
    pub(crate) fn finish(self, parent_hash: B256, parent_state_root: B256) -> MinedBlock {
        let header = Header {
            parent_hash,
            ommers_hash: EMPTY_OMMER_ROOT_HASH,
            beneficiary: self.env.coinbase,
            number: self.env.number,
            gas_limit: self.env.gas_limit,
            timestamp: self.env.timestamp,
            mix_hash: self.env.prevrandao,
            base_fee_per_gas: Some(self.env.base_fee),
            withdrawals_root: Some(EMPTY_WITHDRAWALS),
            blob_gas_used: Some(0),
            excess_blob_gas: Some(0),
            parent_beacon_block_root: Some(B256::ZERO),
            requests_hash: Some(EMPTY_REQUESTS_HASH),
            ..Header::default()
        };
        MinedBlock::seal(header, self.txs, parent_state_root)
    }
}
