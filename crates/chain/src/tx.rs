//! [`TxManager`]: sends transactions for one signer.
//!
//! ```text
//!  send(request)
//!    ├─ eth_estimateGas ── revert? ──► TxError::EstimateReverted (typed hub error)
//!    ├─ gas limit = estimate × margin
//!    ├─ fees: eth_feeHistory (EIP-1559: 2 × next base fee + priority) or eth_gasPrice (legacy)
//!    ├─ nonce: allocated under a mutex (reuses released nonces first)
//!    ├─ sign locally (hash known before sending) ─► eth_sendRawTransaction
//!    │     ├─ "already known" / lost answer but tx known by hash ─► sent
//!    │     ├─ "nonce too low" / "replacement underpriced" ─► resync from the chain, new nonce
//!    │     └─ other refusal ─► nonce released (reused next; if later nonces wait behind it,
//!    │                         a zero-value self-transfer fills it) ─► TxError::Rejected
//!    └─ wait: receipt + confirmations (still canonical), timeout (then nonce resync)
//!          └─ status 0 ─► replay on the parent block ─► TxError::Reverted (typed hub error)
//! ```
//!
//! Transient RPC errors are retried underneath by the client (see [`crate::RetryConfig`]).

use crate::{
    client::ChainClient,
    config::{FeeStrategy, TxConfig},
    error::{TxError, TxStage},
    retry::is_transient,
    revert::Revert,
};
use alloy::{
    consensus::Transaction as _,
    eips::{BlockId, BlockNumberOrTag, eip2718::Encodable2718},
    network::{
        Ethereum, EthereumWallet, NetworkTransactionBuilder, NetworkWallet, TransactionBuilder,
    },
    primitives::{Address, B256},
    providers::{DynProvider, Provider},
    rpc::types::{TransactionReceipt, TransactionRequest},
    sol_types::SolCall,
    transports::TransportError,
};
use std::{collections::BTreeSet, sync::Arc};
use tokio::{sync::Mutex, time::Instant};
use tracing::{debug, info, warn};

/// A transaction accepted by the node, not yet confirmed.
#[derive(Clone, Debug)]
pub struct PendingTx {
    /// Transaction hash.
    pub hash: B256,
    /// Its nonce.
    pub nonce: u64,
    /// The request it was built from (gas and fees filled in), used to replay a revert.
    pub request: TransactionRequest,
}

/// A transaction mined successfully, with its confirmations.
#[derive(Clone, Debug)]
pub struct Landed {
    /// Transaction hash.
    pub hash: B256,
    /// Its nonce.
    pub nonce: u64,
    /// Its receipt (status 1).
    pub receipt: TransactionReceipt,
}

impl Landed {
    /// Block the transaction was mined in.
    pub fn block_number(&self) -> u64 {
        self.receipt.block_number.unwrap_or_default()
    }
}

/// Fees of one transaction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fees {
    /// EIP-1559 fees.
    Eip1559 {
        /// `maxFeePerGas`, wei.
        max_fee_per_gas: u128,
        /// `maxPriorityFeePerGas`, wei.
        max_priority_fee_per_gas: u128,
    },
    /// A legacy gas price, wei.
    Legacy {
        /// `gasPrice`, wei.
        gas_price: u128,
    },
}

impl Fees {
    /// Sets these fees on `request`.
    pub fn apply(self, request: &mut TransactionRequest) {
        match self {
            Self::Eip1559 { max_fee_per_gas, max_priority_fee_per_gas } => {
                request.max_fee_per_gas = Some(max_fee_per_gas);
                request.max_priority_fee_per_gas = Some(max_priority_fee_per_gas);
            }
            Self::Legacy { gas_price } => request.gas_price = Some(gas_price),
        }
    }
}

/// Sends transactions for one signer, safely from many tasks at once: nonces are allocated
/// locally under a mutex, so concurrent sends never share or skip a nonce. Cheap to clone.
#[derive(Clone, Debug)]
pub struct TxManager {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    client: ChainClient,
    wallet: EthereumWallet,
    from: Address,
    config: TxConfig,
    nonces: Mutex<NonceState>,
}

// === impl TxManager ===

impl TxManager {
    /// A manager sending from `wallet`'s default signer (e.g. a [`crate::PrivateKeySigner`]
    /// loaded by [`crate::SignerSource::load`]).
    pub fn new(client: ChainClient, wallet: impl Into<EthereumWallet>, config: TxConfig) -> Self {
        let wallet = wallet.into();
        let from = NetworkWallet::<Ethereum>::default_signer_address(&wallet);
        let nonces = Mutex::new(NonceState::default());
        Self { inner: Arc::new(Inner { client, wallet, from, config, nonces }) }
    }

    /// The sending address.
    pub fn address(&self) -> Address {
        self.inner.from
    }

    /// The client this manager sends through.
    pub fn client(&self) -> &ChainClient {
        &self.inner.client
    }

    /// The gas and fee policy.
    pub fn config(&self) -> &TxConfig {
        &self.inner.config
    }

    fn provider(&self) -> &DynProvider<Ethereum> {
        self.inner.client.provider()
    }

    /// Sends `request` and waits for its receipt and confirmations: [`Self::submit`] then
    /// [`Self::wait`].
    pub async fn send(&self, request: TransactionRequest) -> Result<Landed, TxError> {
        let pending = self.submit(request).await?;
        self.wait(&pending).await
    }

    /// Sends the ABI-encoded `call` to the contract at `to` and waits for it. For a binding's
    /// call builder, pass `builder.into_transaction_request()` to [`Self::send`] instead.
    pub async fn send_call<C: SolCall>(&self, to: Address, call: &C) -> Result<Landed, TxError> {
        let request = TransactionRequest::default().with_to(to).with_input(call.abi_encode());
        self.send(request).await
    }

    /// Fills in gas (estimate × margin, unless `request.gas` is set), fees (unless set), chain
    /// id and nonce, signs and sends. `request.from` and `request.nonce` are overwritten.
    pub async fn submit(&self, mut request: TransactionRequest) -> Result<PendingTx, TxError> {
        request.from = Some(self.inner.from);
        request.chain_id = Some(self.inner.client.chain_id());
        request.nonce = None;
        if request.gas.is_none() {
            let estimate =
                self.provider().estimate_gas(request.clone()).await.map_err(|source| {
                    match Revert::from_rpc_error(&source) {
                        Some(revert) => TxError::EstimateReverted { revert },
                        None => TxError::Rpc { stage: TxStage::EstimateGas, source },
                    }
                })?;
            request.gas = Some(self.inner.config.gas_limit(estimate));
        }
        if request.gas_price.is_none() && request.max_fee_per_gas.is_none() {
            self.fees().await?.apply(&mut request);
        }

        let attempts = self.inner.config.nonce_attempts.max(1);
        let mut nonce = 0;
        for _ in 0..attempts {
            nonce = self.allocate_nonce().await?;
            request.nonce = Some(nonce);
            let envelope = match request.clone().build(&self.inner.wallet).await {
                Ok(envelope) => envelope,
                Err(error) => {
                    self.release_nonce(nonce).await;
                    return Err(TxError::Build(Box::new(error)));
                }
            };
            let hash = *envelope.tx_hash();
            let raw = envelope.encoded_2718();
            let error = match self.provider().send_raw_transaction(&raw).await {
                Ok(_) => None,
                Err(error) if is_already_known(&error) => None,
                Err(error) => Some(error),
            };
            let Some(source) = error else {
                self.nonce_sent(nonce).await;
                info!(from = %self.inner.from, %hash, nonce, gas = envelope.gas_limit(), "Transaction sent.");
                return Ok(PendingTx { hash, nonce, request });
            };
            // An earlier attempt (whose answer was lost) may have landed: then this is ours.
            if (is_nonce_conflict(&source) || is_transient(&source)) && self.is_known(hash).await {
                self.nonce_sent(nonce).await;
                info!(from = %self.inner.from, %hash, nonce, "Transaction sent (found by hash).");
                return Ok(PendingTx { hash, nonce, request });
            }
            if is_nonce_conflict(&source) {
                warn!(from = %self.inner.from, nonce, error = %source, "Nonce taken by another transaction; resyncing.");
                self.nonce_taken(nonce).await?;
                continue;
            }
            self.release_nonce(nonce).await;
            if is_transient(&source) {
                return Err(TxError::Rpc { stage: TxStage::Send, source });
            }
            warn!(from = %self.inner.from, %hash, nonce, error = %source, "Transaction refused by the node.");
            return Err(TxError::Rejected { hash, nonce, source });
        }
        Err(TxError::NonceConflict { attempts, nonce })
    }

    /// Waits until `pending` is mined with the configured confirmations (and its block is still
    /// on the chain), up to the configured receipt timeout. A reverted transaction gives
    /// [`TxError::Reverted`] with the revert recovered by replaying it on the parent block.
    pub async fn wait(&self, pending: &PendingTx) -> Result<Landed, TxError> {
        let config = self.inner.client.config();
        let started = Instant::now();
        let deadline = started + config.receipt_timeout;
        loop {
            match self.confirmed_receipt(pending.hash, config.confirmations).await {
                Ok(Some(receipt)) => return self.outcome(pending, receipt).await,
                // Not mined: maybe stuck behind the nonce of a refused transaction.
                Ok(None) => self.fill_gaps(pending.nonce).await,
                Err(error) => {
                    warn!(hash = %pending.hash, %error, "Receipt poll failed; polling on.");
                }
            }
            let now = Instant::now();
            if now >= deadline {
                warn!(hash = %pending.hash, nonce = pending.nonce, "Transaction not confirmed in time; resyncing the nonce.");
                if let Err(error) = self.resync_nonce().await {
                    warn!(%error, "Nonce resync failed.");
                }
                return Err(TxError::ReceiptTimeout {
                    hash: pending.hash,
                    nonce: pending.nonce,
                    waited: now - started,
                });
            }
            tokio::time::sleep(config.poll_interval.min(deadline - now)).await;
        }
    }

    /// Re-reads the pending nonce from the chain, keeping the nonces of transactions being sent
    /// right now; returns the next fresh nonce. Done automatically on nonce conflicts and receipt
    /// timeouts (a transaction dropped from the pool leaves a gap).
    pub async fn resync_nonce(&self) -> Result<u64, TxError> {
        let mut state = self.inner.nonces.lock().await;
        let chain = self.chain_nonce().await?;
        let next = state.resync(chain);
        debug!(from = %self.inner.from, chain_nonce = chain, next, "Nonce resynced.");
        Ok(next)
    }

    /// Fees a transaction sent now would offer, per the configured strategy.
    pub async fn fees(&self) -> Result<Fees, TxError> {
        let config = &self.inner.config;
        let rpc = |source| TxError::Rpc { stage: TxStage::Fees, source };
        if config.fee_strategy == FeeStrategy::Legacy {
            return self.legacy_fees().await;
        }
        let (base_fee, tips) = match self
            .provider()
            .get_fee_history(
                config.fee_history_blocks.max(1),
                BlockNumberOrTag::Latest,
                &[config.priority_fee_percentile],
            )
            .await
        {
            Ok(history) => {
                let base_fee = history.next_block_base_fee().filter(|&fee| fee > 0);
                let tips: Vec<u128> = history
                    .reward
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|rewards| rewards.first().copied())
                    .filter(|&tip| tip > 0)
                    .collect();
                (base_fee, tips)
            }
            Err(error) => {
                debug!(%error, "eth_feeHistory failed; using the latest block's base fee.");
                (None, Vec::new())
            }
        };
        let base_fee = match base_fee {
            Some(fee) => Some(fee),
            None => self
                .provider()
                .get_block_by_number(BlockNumberOrTag::Latest)
                .await
                .map_err(rpc)?
                .and_then(|block| block.header.base_fee_per_gas)
                .map(u128::from),
        };
        let Some(base_fee) = base_fee else {
            if config.fee_strategy == FeeStrategy::Eip1559 {
                warn!("The chain has no base fee; paying a legacy gas price.");
            }
            return self.legacy_fees().await;
        };
        let priority = median(tips).unwrap_or(0).max(config.min_priority_fee);
        let mut max_fee = base_fee.saturating_mul(2).saturating_add(priority);
        if let Some(cap) = config.max_fee_cap {
            max_fee = max_fee.min(cap);
        }
        Ok(Fees::Eip1559 {
            max_fee_per_gas: max_fee,
            max_priority_fee_per_gas: priority.min(max_fee),
        })
    }

    /// Sends a zero-value transfer to self with each released nonce below `below`: the nonce of
    /// a refused transaction leaves a gap that blocks the later ones until it is used, and no
    /// other send may come to reuse it.
    async fn fill_gaps(&self, below: u64) {
        let nonces: Vec<u64> = {
            let mut state = self.inner.nonces.lock().await;
            let gaps: Vec<u64> = state.released.range(..below).copied().collect();
            for nonce in &gaps {
                state.released.remove(nonce);
                state.unsent.insert(*nonce);
            }
            gaps
        };
        if nonces.is_empty() {
            return;
        }
        let fees = match self.fees().await {
            Ok(fees) => fees,
            Err(error) => {
                warn!(%error, "Fee discovery failed; the nonce gap stays for now.");
                for nonce in nonces {
                    self.release_nonce(nonce).await;
                }
                return;
            }
        };
        let from = self.inner.from;
        for nonce in nonces {
            let mut request = TransactionRequest::default()
                .with_from(from)
                .with_to(from)
                .with_gas_limit(21_000)
                .with_chain_id(self.inner.client.chain_id())
                .with_nonce(nonce);
            fees.apply(&mut request);
            let envelope = match request.build(&self.inner.wallet).await {
                Ok(envelope) => envelope,
                Err(error) => {
                    warn!(%error, nonce, "Could not sign a gap filler.");
                    self.release_nonce(nonce).await;
                    continue;
                }
            };
            match self.provider().send_raw_transaction(&envelope.encoded_2718()).await {
                Ok(_) => {
                    self.nonce_sent(nonce).await;
                    info!(%from, nonce, hash = %envelope.tx_hash(), "Nonce gap filled with a self-transfer.");
                }
                Err(error) if is_already_known(&error) => self.nonce_sent(nonce).await,
                Err(error) if is_nonce_conflict(&error) => {
                    if let Err(error) = self.nonce_taken(nonce).await {
                        warn!(%error, "Nonce resync failed.");
                    }
                }
                Err(error) => {
                    warn!(%from, nonce, %error, "Gap filler refused; the nonce gap stays for now.");
                    self.release_nonce(nonce).await;
                }
            }
        }
    }

    async fn legacy_fees(&self) -> Result<Fees, TxError> {
        let price = self
            .provider()
            .get_gas_price()
            .await
            .map_err(|source| TxError::Rpc { stage: TxStage::Fees, source })?;
        let gas_price = self.inner.config.max_fee_cap.map_or(price, |cap| price.min(cap));
        Ok(Fees::Legacy { gas_price })
    }

    async fn confirmed_receipt(
        &self,
        hash: B256,
        confirmations: u64,
    ) -> Result<Option<TransactionReceipt>, TransportError> {
        let Some(receipt) = self.provider().get_transaction_receipt(hash).await? else {
            return Ok(None);
        };
        let Some(block) = receipt.block_number else { return Ok(None) };
        if confirmations == 0 {
            return Ok(Some(receipt));
        }
        let head = self.provider().get_block_number().await?;
        if head < block.saturating_add(confirmations) {
            return Ok(None);
        }
        // Confirmed only if its block is still the chain's block at that height.
        let canonical = self
            .provider()
            .get_block_by_number(BlockNumberOrTag::Number(block))
            .await?
            .map(|block| block.header.hash);
        Ok((canonical.is_some() && canonical == receipt.block_hash).then_some(receipt))
    }

    async fn outcome(
        &self,
        pending: &PendingTx,
        receipt: TransactionReceipt,
    ) -> Result<Landed, TxError> {
        let block = receipt.block_number.unwrap_or_default();
        if receipt.status() {
            debug!(hash = %pending.hash, nonce = pending.nonce, block, gas_used = receipt.gas_used, "Transaction confirmed.");
            return Ok(Landed { hash: pending.hash, nonce: pending.nonce, receipt });
        }
        let mut replay = pending.request.clone();
        replay.nonce = None;
        replay.gas_price = None;
        replay.max_fee_per_gas = None;
        replay.max_priority_fee_per_gas = None;
        let revert = match self
            .provider()
            .call(replay)
            .block(BlockId::number(block.saturating_sub(1)))
            .await
        {
            Ok(_) => None,
            Err(error) => Revert::from_rpc_error(&error),
        };
        warn!(hash = %pending.hash, nonce = pending.nonce, block, revert = ?revert, "Transaction reverted.");
        Err(TxError::Reverted {
            hash: pending.hash,
            nonce: pending.nonce,
            block,
            gas_used: receipt.gas_used,
            revert,
        })
    }

    async fn is_known(&self, hash: B256) -> bool {
        matches!(self.provider().get_transaction_by_hash(hash).await, Ok(Some(_)))
    }

    async fn chain_nonce(&self) -> Result<u64, TxError> {
        self.provider()
            .get_transaction_count(self.inner.from)
            .pending()
            .await
            .map_err(|source| TxError::Rpc { stage: TxStage::Nonce, source })
    }

    async fn allocate_nonce(&self) -> Result<u64, TxError> {
        let mut state = self.inner.nonces.lock().await;
        if state.next.is_none() {
            let chain = self.chain_nonce().await?;
            state.next = Some(chain);
        }
        Ok(state.allocate())
    }

    async fn nonce_sent(&self, nonce: u64) {
        self.inner.nonces.lock().await.sent(nonce);
    }

    async fn release_nonce(&self, nonce: u64) {
        self.inner.nonces.lock().await.release(nonce);
        debug!(from = %self.inner.from, nonce, "Nonce released for reuse.");
    }

    async fn nonce_taken(&self, nonce: u64) -> Result<(), TxError> {
        let mut state = self.inner.nonces.lock().await;
        state.unsent.remove(&nonce);
        let chain = self.chain_nonce().await?;
        state.resync(chain);
        Ok(())
    }
}

/// Local nonce bookkeeping.
#[derive(Debug, Default)]
struct NonceState {
    /// Next fresh nonce (`None` until read from the chain).
    next: Option<u64>,
    /// Nonces handed out whose transaction was refused: reused first, so no gap stays.
    released: BTreeSet<u64>,
    /// Nonces handed out whose transaction is being signed and sent.
    unsent: BTreeSet<u64>,
}

impl NonceState {
    fn allocate(&mut self) -> u64 {
        let nonce = match self.released.pop_first() {
            Some(nonce) => nonce,
            None => {
                let nonce = self.next.unwrap_or_default();
                self.next = Some(nonce + 1);
                nonce
            }
        };
        self.unsent.insert(nonce);
        nonce
    }

    fn sent(&mut self, nonce: u64) {
        self.unsent.remove(&nonce);
    }

    fn release(&mut self, nonce: u64) {
        self.unsent.remove(&nonce);
        self.released.insert(nonce);
    }

    /// Aligns with the chain's pending nonce: nonces below it are used. With nothing in flight
    /// locally, the chain is trusted even when behind (transactions dropped from the pool);
    /// otherwise the local counter only moves forward.
    fn resync(&mut self, chain: u64) -> u64 {
        self.released.retain(|&nonce| nonce >= chain);
        let next = match self.next {
            Some(next) if !self.unsent.is_empty() || !self.released.is_empty() => next.max(chain),
            _ => chain,
        };
        self.next = Some(next);
        next
    }
}

fn node_message(error: &TransportError) -> Option<String> {
    error.as_error_resp().map(|payload| payload.message.to_ascii_lowercase())
}

fn is_already_known(error: &TransportError) -> bool {
    node_message(error).is_some_and(|message| {
        message.contains("already known")
            || message.contains("known transaction")
            || message.contains("already imported")
            || message.contains("already in the pool")
    })
}

fn is_nonce_conflict(error: &TransportError) -> bool {
    node_message(error).is_some_and(|message| {
        message.contains("nonce too low")
            || message.contains("replacement transaction underpriced")
            || message.contains("transaction underpriced: replacement")
            || message.contains("nonce has already been used")
    })
}

fn median(mut values: Vec<u128>) -> Option<u128> {
    values.sort_unstable();
    values.get(values.len() / 2).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonces_are_unique_and_released_ones_reused_first() {
        let mut state = NonceState { next: Some(7), ..NonceState::default() };
        let handed: Vec<u64> = (0..4).map(|_| state.allocate()).collect();
        assert_eq!(handed, [7, 8, 9, 10]);
        state.sent(7);
        state.release(8);
        state.sent(9);
        state.sent(10);
        assert_eq!(state.allocate(), 8, "a released nonce fills its gap");
        assert_eq!(state.allocate(), 11);
    }

    #[test]
    fn resync_table() {
        // (next, released, unsent, chain) -> next
        type Row = (Option<u64>, &'static [u64], &'static [u64], u64, u64);
        let table: [Row; 5] = [
            (None, &[], &[], 5, 5),
            (Some(10), &[], &[], 12, 12), // another sender used nonces
            (Some(10), &[], &[], 8, 8),   // two transactions dropped from the pool
            (Some(10), &[], &[9], 8, 10), // one still being sent: never go back
            (Some(10), &[7, 9], &[], 8, 10),
        ];
        for (next, released, unsent, chain, expected) in table {
            let mut state = NonceState {
                next,
                released: released.iter().copied().collect(),
                unsent: unsent.iter().copied().collect(),
            };
            assert_eq!(state.resync(chain), expected, "{next:?} {released:?} {unsent:?} {chain}");
            assert!(state.released.iter().all(|&nonce| nonce >= chain));
        }
    }

    #[test]
    fn median_of_tips() {
        assert_eq!(median(vec![]), None);
        assert_eq!(median(vec![3, 1, 2]), Some(2));
    }
}
