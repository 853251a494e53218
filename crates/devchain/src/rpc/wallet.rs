//! The dev accounts as a node wallet: `eth_sendTransaction` (fields filled like geth does),
//! `eth_sign`/`personal_sign` (EIP-191) and `eth_signTypedData_v4` (EIP-712).

use alloy::{
    consensus::{SignableTransaction, TxEnvelope},
    dyn_abi::TypedData,
    primitives::{Address, Bytes, Signature, TxKind},
    rpc::types::TransactionRequest,
    signers::SignerSync,
};

use super::error::{RpcError, SERVER_ERROR};
use crate::{accounts::DevAccount, chain::Chain};

/// The priority fee put in transactions that give none: 1 gwei.
pub(crate) const DEFAULT_TIP: u128 = 1_000_000_000;

/// The dev account `address`, or geth's "unknown account".
pub(crate) fn account(accounts: &[DevAccount], address: Address) -> Result<&DevAccount, RpcError> {
    accounts
        .iter()
        .find(|account| account.address == address)
        .ok_or_else(|| RpcError::new(SERVER_ERROR, "unknown account"))
}

/// Fills what `request` leaves out (nonce, gas, fees, chain id) and signs it with `from`.
pub(crate) fn sign_transaction(
    chain: &Chain,
    from: &DevAccount,
    mut request: TransactionRequest,
) -> Result<TxEnvelope, RpcError> {
    request.from = Some(from.address);
    if request.to.is_none() {
        request.to = Some(TxKind::Create);
    }
    request.chain_id = Some(chain.chain_id());
    if request.nonce.is_none() {
        request.nonce = Some(chain.pending_nonce(from.address));
    }
    if request.gas_price.is_none() {
        let base_fee = u128::from(chain.next_base_fee());
        let tip = request.max_priority_fee_per_gas.unwrap_or(DEFAULT_TIP);
        let max_fee = request.max_fee_per_gas.unwrap_or(2 * base_fee + tip);
        request.max_fee_per_gas = Some(max_fee);
        request.max_priority_fee_per_gas = Some(tip.min(max_fee));
    }
    if request.gas.is_none() {
        request.gas = Some(chain.estimate_gas(&request, None)?);
    }
    let tx = request
        .build_typed_tx()
        .map_err(|_| RpcError::invalid_params("cannot build a transaction from these fields"))?;
    let signature = sign_hash(from, &tx.signature_hash())?;
    Ok(TxEnvelope::new_unhashed(tx, signature))
}

fn sign_hash(from: &DevAccount, hash: &alloy::primitives::B256) -> Result<Signature, RpcError> {
    from.signer.sign_hash_sync(hash).map_err(|error| RpcError::internal(error.to_string()))
}

/// EIP-191 `personal_sign` of `message`.
pub(crate) fn sign_message(from: &DevAccount, message: &Bytes) -> Result<Signature, RpcError> {
    from.signer.sign_message_sync(message).map_err(|error| RpcError::internal(error.to_string()))
}

/// EIP-712 signature of `typed`.
pub(crate) fn sign_typed_data(from: &DevAccount, typed: &TypedData) -> Result<Signature, RpcError> {
    let hash = typed
        .eip712_signing_hash()
        .map_err(|error| RpcError::invalid_params(format!("invalid typed data: {error}")))?;
    sign_hash(from, &hash)
}
