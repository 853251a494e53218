//! `eth_call` and `eth_estimateGas`: execution on a state that is never committed.

use alloy::{
    primitives::{Bytes, TxKind, U256},
    rpc::types::TransactionRequest,
};
use revm::context::result::ExecutionResult;

use super::{
    error::{ChainError, ChainResult},
    evm::{self, BlockEnvironment, Executed, Mode, StateView},
};

/// The gas of a plain ETH transfer.
const TRANSFER_GAS: u64 = 21_000;
/// geth stops the estimate's binary search once within this ratio of the answer.
const ESTIMATE_ERROR_RATIO: f64 = 0.015;

fn run(
    view: StateView<'_>,
    env: &BlockEnvironment,
    chain_id: u64,
    request: &TransactionRequest,
    gas: u64,
) -> ChainResult<Executed> {
    let nonce = evm::account(&view, request.from.unwrap_or_default()).nonce;
    let (tx, free) = evm::call_env(request, nonce, chain_id, gas);
    evm::execute(view, env, chain_id, Mode::Call { free }, tx)
}

/// The default and largest gas of a call: the block gas limit.
fn gas_cap(env: &BlockEnvironment, request: &TransactionRequest) -> u64 {
    request.gas.map_or(env.gas_limit, |gas| gas.min(env.gas_limit))
}

/// Executes `request` and returns its output; a revert is [`ChainError::Reverted`] with its data.
pub(crate) fn call(
    view: StateView<'_>,
    env: &BlockEnvironment,
    chain_id: u64,
    request: &TransactionRequest,
) -> ChainResult<Bytes> {
    let executed = run(view, env, chain_id, request, gas_cap(env, request))?;
    match executed.result {
        ExecutionResult::Success { output, .. } => Ok(output.into_data()),
        ExecutionResult::Revert { output, .. } => Err(ChainError::Reverted(output)),
        ExecutionResult::Halt { reason, .. } => Err(ChainError::Halted(evm::halt_message(&reason))),
    }
}

/// The smallest gas limit (within geth's 1.5%) that makes `request` succeed.
pub(crate) fn estimate_gas(
    view: StateView<'_>,
    env: &BlockEnvironment,
    chain_id: u64,
    request: &TransactionRequest,
) -> ChainResult<u64> {
    let mut hi = gas_cap(env, request);
    // What the sender can pay for limits the gas, when the request sets a price.
    if let Some(price) = request.gas_price.or(request.max_fee_per_gas).filter(|price| *price > 0) {
        let balance = evm::account(&view, request.from.unwrap_or_default()).balance;
        let available = balance.saturating_sub(request.value.unwrap_or_default());
        let affordable = available / U256::from(price);
        hi = hi.min(u64::try_from(affordable).unwrap_or(u64::MAX));
    }

    // A plain transfer to an account without code needs no search.
    let data_empty = request.input.input().is_none_or(|input| input.is_empty());
    let no_access_list = request.access_list.as_ref().is_none_or(|list| list.is_empty());
    if let Some(TxKind::Call(to)) = request.to
        && data_empty
        && no_access_list
        && evm::code(&view, to).is_empty()
        && hi >= TRANSFER_GAS
        && run(view, env, chain_id, request, TRANSFER_GAS)
            .is_ok_and(|executed| executed.result.is_success())
    {
        return Ok(TRANSFER_GAS);
    }

    let executed = run(view, env, chain_id, request, hi)?;
    match &executed.result {
        ExecutionResult::Success { .. } => {}
        ExecutionResult::Revert { output, .. } => return Err(ChainError::Reverted(output.clone())),
        ExecutionResult::Halt { reason, .. } => {
            return Err(match reason {
                revm::context::result::HaltReason::OutOfGas(_) => {
                    ChainError::GasRequiredExceedsAllowance(hi)
                }
                reason => ChainError::Halted(evm::halt_message(reason)),
            });
        }
    }

    // Binary search between what was used and the cap, starting with geth's optimistic guess.
    let mut lo = executed.gas_used().saturating_sub(1);
    let optimistic = executed.gas_spent().saturating_mul(64) / 63;
    if optimistic < hi {
        match run(view, env, chain_id, request, optimistic) {
            Ok(executed) if executed.result.is_success() => hi = optimistic,
            _ => lo = optimistic,
        }
    }
    while lo + 1 < hi {
        if (hi - lo) as f64 / hi as f64 <= ESTIMATE_ERROR_RATIO {
            break;
        }
        let mid = lo + (hi - lo) / 2;
        match run(view, env, chain_id, request, mid) {
            Ok(executed) if executed.result.is_success() => hi = mid,
            _ => lo = mid,
        }
    }
    Ok(hi)
}
