//! ERC-20 transfers: RLC `transfer`s, signed ahead of time, sent as raw transactions by several
//! senders at once (each sender's in nonce order), timed from send to receipt.

use std::time::{Duration, Instant};

use alloy::{
    consensus::{SignableTransaction, TxEip1559, TxEnvelope},
    eips::eip2718::Encodable2718,
    primitives::{Address, B256, Bytes, TxKind, U256, keccak256},
    providers::{DynProvider, Provider},
    signers::{SignerSync, local::PrivateKeySigner},
    sol_types::SolCall,
};
use poco_contracts::bindings::RLC;

use crate::{
    error::{BenchError, Result, rpc},
    node::Node,
};

/// Gas limit of a benchmark transfer (an RLC transfer to a fresh holder uses about 52 000).
const GAS_LIMIT: u64 = 100_000;
/// Fee cap: far above the base fee of either node, which starts at 1 gwei and falls.
const MAX_FEE: u128 = 100_000_000_000;
/// Priority fee.
const TIP: u128 = 1_000_000_000;
/// How often a missing receipt is asked for again, and for how long.
const RECEIPT_POLL: Duration = Duration::from_millis(1);
const RECEIPT_TIMEOUT: Duration = Duration::from_secs(30);

/// What one transfer run measured.
#[derive(Clone, Debug)]
pub struct TransferRun {
    /// Transactions sent (all mined, all successful).
    pub txs: usize,
    /// Wall time from the first send to the last receipt.
    pub elapsed: Duration,
    /// Send-to-receipt latency of each transaction.
    pub latencies: Vec<Duration>,
}

impl TransferRun {
    /// Transactions per second.
    pub fn tps(&self) -> f64 {
        self.txs as f64 / self.elapsed.as_secs_f64()
    }
}

/// Sends `count` RLC transfers from `senders` dev accounts (keys 1 to `senders`) at once: each
/// sender sends its share one after the other, so `senders` transactions are in flight. The
/// senders are first given RLC by key 0 (not timed). `salt` makes the recipients fresh
/// addresses (each transfer creates a new holder, as most real transfers do).
pub async fn run(node: &Node, count: usize, senders: usize, salt: u64) -> Result<TransferRun> {
    let keys = node.keys();
    if senders == 0 || senders >= keys.len() {
        return Err(BenchError::Params(format!(
            "senders must be between 1 and {} (dev accounts but the owner)",
            keys.len() - 1
        )));
    }
    let rlc = node.deployment().rlc;
    let provider = node.plain_provider();
    fund_senders(node, &keys[1..=senders], U256::from(count as u64 + 1)).await?;

    // Sign everything first: signing is the client's cost, not the node's.
    let mut batches: Vec<Vec<(Bytes, B256)>> = Vec::with_capacity(senders);
    for (index, key) in keys[1..=senders].iter().enumerate() {
        let share = count / senders + usize::from(index < count % senders);
        let nonce = provider
            .get_transaction_count(key.address())
            .pending()
            .await
            .map_err(rpc("eth_getTransactionCount"))?;
        let batch = (0..share)
            .map(|n| {
                let to = fresh_address(salt, index, n);
                sign_transfer(key, node.chain_id(), rlc, nonce + n as u64, to)
            })
            .collect::<Result<Vec<_>>>()?;
        batches.push(batch);
    }

    let start = Instant::now();
    let streams: Vec<_> = batches
        .into_iter()
        .map(|batch| {
            let provider = provider.clone();
            tokio::spawn(async move { send_in_order(&provider, batch).await })
        })
        .collect();
    let mut latencies = Vec::with_capacity(count);
    for stream in streams {
        let stream = stream
            .await
            .map_err(|error| BenchError::Transaction(format!("sender task failed: {error}")))?;
        latencies.extend(stream?);
    }
    let elapsed = start.elapsed();
    Ok(TransferRun { txs: latencies.len(), elapsed, latencies })
}

/// Sends one sender's transactions in order, each once the previous one has its receipt.
async fn send_in_order(provider: &DynProvider, batch: Vec<(Bytes, B256)>) -> Result<Vec<Duration>> {
    let mut latencies = Vec::with_capacity(batch.len());
    for (raw, hash) in batch {
        let sent = Instant::now();
        let pending =
            provider.send_raw_transaction(&raw).await.map_err(rpc("eth_sendRawTransaction"))?;
        if *pending.tx_hash() != hash {
            return Err(BenchError::Transaction(format!(
                "{hash}: the node answered hash {}",
                pending.tx_hash()
            )));
        }
        wait_success(provider, hash).await?;
        latencies.push(sent.elapsed());
    }
    Ok(latencies)
}

/// Polls for the receipt of `hash` and fails unless the transaction succeeded.
pub async fn wait_success(provider: &DynProvider, hash: B256) -> Result<()> {
    let deadline = Instant::now() + RECEIPT_TIMEOUT;
    loop {
        match provider
            .get_transaction_receipt(hash)
            .await
            .map_err(rpc("eth_getTransactionReceipt"))?
        {
            Some(receipt) if receipt.status() => return Ok(()),
            Some(_) => return Err(BenchError::Transaction(format!("{hash} reverted"))),
            None if Instant::now() < deadline => tokio::time::sleep(RECEIPT_POLL).await,
            None => return Err(BenchError::Transaction(format!("{hash}: no receipt in time"))),
        }
    }
}

/// Key 0 (the RLC holder) gives each sender `amount` nRLC.
async fn fund_senders(node: &Node, senders: &[PrivateKeySigner], amount: U256) -> Result<()> {
    let wallet = node.wallet_provider();
    let provider = node.plain_provider();
    let rlc = RLC::new(node.deployment().rlc, &wallet);
    for sender in senders {
        let pending = rlc
            .transfer(sender.address(), amount)
            .send()
            .await
            .map_err(|error| BenchError::Transaction(format!("funding a sender: {error}")))?;
        wait_success(&provider, *pending.tx_hash()).await?;
    }
    Ok(())
}

/// A signed EIP-1559 `RLC.transfer(to, 1)`: its EIP-2718 bytes and hash.
fn sign_transfer(
    key: &PrivateKeySigner,
    chain_id: u64,
    rlc: Address,
    nonce: u64,
    to: Address,
) -> Result<(Bytes, B256)> {
    let tx = TxEip1559 {
        chain_id,
        nonce,
        gas_limit: GAS_LIMIT,
        max_fee_per_gas: MAX_FEE,
        max_priority_fee_per_gas: TIP,
        to: TxKind::Call(rlc),
        value: U256::ZERO,
        access_list: Default::default(),
        input: RLC::transferCall { to, value: U256::from(1) }.abi_encode().into(),
    };
    let signature = key
        .sign_hash_sync(&tx.signature_hash())
        .map_err(|error| BenchError::Transaction(format!("signing: {error}")))?;
    let envelope = TxEnvelope::from(tx.into_signed(signature));
    Ok((envelope.encoded_2718().into(), *envelope.tx_hash()))
}

/// A recipient no one has used: derived from the run's salt, the sender and the index.
pub fn fresh_address(salt: u64, sender: usize, index: usize) -> Address {
    let seed =
        [salt.to_be_bytes(), (sender as u64).to_be_bytes(), (index as u64).to_be_bytes()].concat();
    Address::from_word(keccak256(seed))
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy::consensus::transaction::SignerRecoverable;
    use alloy::eips::eip2718::Decodable2718;

    #[test]
    fn transfers_are_signed_by_the_sender_for_the_chain() {
        let key = PrivateKeySigner::random();
        let rlc = Address::repeat_byte(7);
        let (raw, hash) = sign_transfer(&key, 31337, rlc, 5, Address::repeat_byte(9)).unwrap();
        let envelope = TxEnvelope::decode_2718_exact(&raw).unwrap();
        assert_eq!(*envelope.tx_hash(), hash);
        assert_eq!(envelope.recover_signer().unwrap(), key.address());
        use alloy::consensus::Transaction as _;
        assert_eq!(envelope.chain_id(), Some(31337));
        assert_eq!(envelope.nonce(), 5);
        assert_eq!(envelope.to(), Some(rlc));
        let call = RLC::transferCall::abi_decode(envelope.input()).unwrap();
        assert_eq!((call.to, call.value), (Address::repeat_byte(9), U256::from(1)));
    }

    #[test]
    fn recipients_are_distinct() {
        let a = fresh_address(1, 0, 0);
        assert_ne!(a, fresh_address(1, 0, 1));
        assert_ne!(a, fresh_address(1, 1, 0));
        assert_ne!(a, fresh_address(2, 0, 0));
    }
}
