//! Mined blocks, transactions and receipts as the chain keeps them, and their JSON-RPC views.

use alloy::{
    consensus::{
        Header, Receipt, ReceiptEnvelope, ReceiptWithBloom, Transaction as _, TxEnvelope,
        transaction::Recovered,
    },
    primitives::{Address, B256, Log as PrimitiveLog, U256, keccak256},
    rlp::Encodable,
    rpc::types::{
        Block as RpcBlock, BlockTransactions, Header as RpcHeader, Log, Transaction,
        TransactionInfo, TransactionReceipt,
    },
};

/// A transaction in a mined block, with its receipt.
#[derive(Clone, Debug)]
pub(crate) struct MinedTx {
    /// The signed transaction and its recovered sender.
    pub(crate) tx: Recovered<TxEnvelope>,
    /// The consensus receipt (status, cumulative gas, logs, bloom).
    pub(crate) receipt: ReceiptEnvelope,
    /// Gas used by this transaction alone.
    pub(crate) gas_used: u64,
    /// The price paid per gas.
    pub(crate) effective_gas_price: u128,
    /// The contract created, if any.
    pub(crate) contract_address: Option<Address>,
    /// Index in the block of this transaction's first log.
    pub(crate) first_log_index: u64,
}

impl MinedTx {
    pub(crate) fn hash(&self) -> B256 {
        *self.tx.inner().tx_hash()
    }
}

/// A mined block.
#[derive(Clone, Debug)]
pub(crate) struct MinedBlock {
    pub(crate) header: Header,
    pub(crate) hash: B256,
    pub(crate) transactions: Vec<MinedTx>,
    /// RLP size of the block.
    pub(crate) size: u64,
}

impl MinedBlock {
    /// Seals `header` over `transactions`: fills the roots, the bloom and the gas used.
    ///
    /// The state root is a placeholder, not the Merkle-Patricia root of the state (see the crate
    /// docs): a hash chaining the parent's with this block's number and transaction and receipt
    /// roots, so it differs from block to block.
    pub(crate) fn seal(
        mut header: Header,
        transactions: Vec<MinedTx>,
        parent_state_root: B256,
    ) -> Self {
        let envelopes: Vec<&TxEnvelope> = transactions.iter().map(|tx| tx.tx.inner()).collect();
        header.transactions_root = alloy::consensus::proofs::calculate_transaction_root(&envelopes);
        let receipts: Vec<&ReceiptEnvelope> = transactions.iter().map(|tx| &tx.receipt).collect();
        header.receipts_root = alloy::consensus::proofs::calculate_receipt_root(&receipts);
        header.logs_bloom = transactions.iter().fold(Default::default(), |mut bloom, tx| {
            bloom |= *tx.receipt.logs_bloom();
            bloom
        });
        header.gas_used = transactions.last().map_or(0, |tx| tx.receipt.cumulative_gas_used());
        header.state_root = keccak256(
            [
                parent_state_root.as_slice(),
                &header.number.to_be_bytes(),
                header.transactions_root.as_slice(),
                header.receipts_root.as_slice(),
            ]
            .concat(),
        );
        let hash = header.hash_slow();
        let txs_length: usize = envelopes.iter().map(|tx| tx.length()).sum();
        // header + transactions list + empty ommers list + empty withdrawals list
        let payload = header.length() + list_length(txs_length) + 1 + 1;
        let size = list_length(payload) as u64;
        Self { header, hash, transactions, size }
    }

    pub(crate) const fn number(&self) -> u64 {
        self.header.number
    }

    /// The block's JSON-RPC view, with full transactions or their hashes.
    pub(crate) fn to_rpc(&self, full: bool) -> RpcBlock {
        let transactions = if full {
            BlockTransactions::Full(
                (0..self.transactions.len()).map(|index| self.rpc_transaction(index)).collect(),
            )
        } else {
            BlockTransactions::Hashes(self.transactions.iter().map(MinedTx::hash).collect())
        };
        RpcBlock {
            header: RpcHeader {
                hash: self.hash,
                inner: self.header.clone(),
                total_difficulty: Some(U256::ZERO),
                size: Some(U256::from(self.size)),
            },
            uncles: Vec::new(),
            transactions,
            withdrawals: Some(Default::default()),
        }
    }

    /// The JSON-RPC view of the transaction at `index`.
    pub(crate) fn rpc_transaction(&self, index: usize) -> Transaction {
        let tx = &self.transactions[index];
        Transaction::from_transaction(
            tx.tx.clone(),
            TransactionInfo {
                hash: Some(tx.hash()),
                index: Some(index as u64),
                block_hash: Some(self.hash),
                block_number: Some(self.number()),
                base_fee: self.header.base_fee_per_gas,
                block_timestamp: Some(self.header.timestamp),
            },
        )
    }

    /// The JSON-RPC logs of the transaction at `index`.
    pub(crate) fn rpc_logs(&self, index: usize) -> Vec<Log> {
        let tx = &self.transactions[index];
        tx.receipt
            .logs()
            .iter()
            .enumerate()
            .map(|(position, log)| self.rpc_log(index, tx.first_log_index + position as u64, log))
            .collect()
    }

    pub(crate) fn rpc_log(&self, tx_index: usize, log_index: u64, log: &PrimitiveLog) -> Log {
        Log {
            inner: log.clone(),
            block_hash: Some(self.hash),
            block_number: Some(self.number()),
            block_timestamp: Some(self.header.timestamp),
            transaction_hash: Some(self.transactions[tx_index].hash()),
            transaction_index: Some(tx_index as u64),
            log_index: Some(log_index),
            removed: false,
        }
    }

    /// The JSON-RPC receipt of the transaction at `index`.
    pub(crate) fn rpc_receipt(&self, index: usize) -> TransactionReceipt {
        let tx = &self.transactions[index];
        let logs = self.rpc_logs(index);
        let receipt = ReceiptWithBloom {
            receipt: Receipt {
                status: tx.receipt.status().into(),
                cumulative_gas_used: tx.receipt.cumulative_gas_used(),
                logs,
            },
            logs_bloom: *tx.receipt.logs_bloom(),
        };
        TransactionReceipt {
            inner: ReceiptEnvelope::from_typed(tx.tx.inner().tx_type(), receipt),
            transaction_hash: tx.hash(),
            transaction_index: Some(index as u64),
            block_hash: Some(self.hash),
            block_number: Some(self.number()),
            gas_used: tx.gas_used,
            effective_gas_price: tx.effective_gas_price,
            blob_gas_used: None,
            blob_gas_price: None,
            from: tx.tx.signer(),
            to: tx.tx.inner().to(),
            contract_address: tx.contract_address,
        }
    }
}

/// RLP length of a list whose payload is `payload` bytes long.
const fn list_length(payload: usize) -> usize {
    alloy::rlp::length_of_length(payload) + payload
}

/// The JSON-RPC view of a transaction not mined yet.
pub(crate) fn rpc_pending_transaction(tx: &Recovered<TxEnvelope>) -> Transaction {
    Transaction {
        inner: tx.clone(),
        block_hash: None,
        block_number: None,
        transaction_index: None,
        effective_gas_price: None,
        block_timestamp: None,
    }
}
