//! [`ChainError`]: why the chain refused a request. The JSON-RPC layer turns it into an error
//! response in one place (`rpc::error`); messages follow geth's, which clients match on.

use alloy::primitives::{Address, B256, Bytes, U256};

/// Result of the chain's operations.
pub(crate) type ChainResult<T> = Result<T, ChainError>;

/// Why the chain refused a transaction, a call or a query.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    /// The raw transaction is not a valid EIP-2718 envelope.
    #[error("failed to decode signed transaction: {0}")]
    Decode(String),
    /// A transaction type this chain does not accept (EIP-4844 blobs, EIP-7702).
    #[error("transaction type not supported")]
    UnsupportedTxType,
    /// The signature does not recover to a sender.
    #[error("invalid sender")]
    InvalidSender,
    /// The transaction is signed for another chain.
    #[error("invalid chain id for signer: have {have} want {want}")]
    InvalidChainId {
        /// The transaction's chain id.
        have: u64,
        /// This chain's id.
        want: u64,
    },
    /// The nonce was already used.
    #[error("nonce too low: address {address}, tx: {tx} state: {state}")]
    NonceTooLow {
        /// The sender.
        address: Address,
        /// The transaction's nonce.
        tx: u64,
        /// The sender's next nonce.
        state: u64,
    },
    /// The same transaction is already known (mined or queued).
    #[error("already known")]
    AlreadyKnown,
    /// A queued transaction with the same nonce pays at least as much.
    #[error("replacement transaction underpriced")]
    ReplacementUnderpriced,
    /// Too many transactions are queued for this sender.
    #[error("txpool is full")]
    PoolFull,
    /// The gas limit is below the transaction's intrinsic gas.
    #[error("intrinsic gas too low: have {have}, want {want}")]
    IntrinsicGasTooLow {
        /// The transaction's gas limit.
        have: u64,
        /// Its intrinsic gas.
        want: u64,
    },
    /// The gas limit is above the block gas limit.
    #[error("exceeds block gas limit")]
    GasLimitTooHigh,
    /// The priority fee is above the fee cap.
    #[error("max priority fee per gas higher than max fee per gas")]
    TipAboveFeeCap,
    /// The fee cap (or gas price) is below the next block's base fee.
    #[error(
        "max fee per gas less than block base fee: address {address}, maxFeePerGas: {fee_cap}, baseFee: {base_fee}"
    )]
    FeeCapTooLow {
        /// The sender.
        address: Address,
        /// The transaction's fee cap (or gas price).
        fee_cap: u128,
        /// The next block's base fee.
        base_fee: u64,
    },
    /// The sender cannot pay for gas and value.
    #[error(
        "insufficient funds for gas * price + value: address {address} have {have} want {want}"
    )]
    InsufficientFunds {
        /// The sender.
        address: Address,
        /// Its balance.
        have: U256,
        /// What the transaction may cost.
        want: U256,
    },
    /// The init code is larger than EIP-3860 allows.
    #[error("max initcode size exceeded: code size {size} limit {limit}")]
    InitCodeTooLarge {
        /// The init code's size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// A call or gas estimate reverted; `data` is the revert data (custom error or reason).
    #[error("execution reverted{}", revert_reason(.0).map(|r| format!(": {r}")).unwrap_or_default())]
    Reverted(Bytes),
    /// A call halted (out of gas, invalid opcode...).
    #[error("{0}")]
    Halted(String),
    /// The gas estimate found no gas limit under the cap that makes the call succeed.
    #[error("gas required exceeds allowance ({0})")]
    GasRequiredExceedsAllowance(u64),
    /// Any other refusal from the EVM.
    #[error("{0}")]
    Evm(String),
    /// The block does not exist.
    #[error("block not found: {0}")]
    BlockNotFound(String),
    /// The block exists but its state is no longer kept.
    #[error("state of block {number} is not available: only the last {kept} blocks keep theirs")]
    StateUnavailable {
        /// The block.
        number: u64,
        /// How many blocks keep their state.
        kept: usize,
    },
    /// A block hash given to a query is unknown.
    #[error("unknown block hash {0}")]
    UnknownBlockHash(B256),
    /// A timestamp is before the last block's.
    #[error("timestamp {timestamp} is lower than the previous block's timestamp {last}")]
    TimestampTooLow {
        /// The requested timestamp.
        timestamp: u64,
        /// The last block's timestamp.
        last: u64,
    },
    /// A log query asks for too many blocks or returns too many logs.
    #[error("query exceeds the limit of {0} results")]
    TooManyResults(usize),
    /// A log query's range is inverted.
    #[error("invalid block range: from {from} is after to {to}")]
    InvalidBlockRange {
        /// First block.
        from: u64,
        /// Last block.
        to: u64,
    },
    /// A journal's block does not replay to the block it recorded.
    #[error("journal block {number} replays to {replayed}, not to the recorded {recorded}")]
    ReplayMismatch {
        /// The block.
        number: u64,
        /// The hash in the journal.
        recorded: B256,
        /// The hash the replay gave.
        replayed: B256,
    },
    /// A request is malformed (bad field combination).
    #[error("{0}")]
    InvalidInput(String),
}

/// The reason of an `Error(string)` or `Panic(uint256)` revert, if that is what `data` holds;
/// custom errors have none (clients decode them from the error's `data`).
pub(crate) fn revert_reason(data: &[u8]) -> Option<String> {
    use alloy::sol_types::{Panic, Revert, SolError};
    if let Ok(revert) = Revert::abi_decode(data) {
        return Some(revert.reason);
    }
    Panic::abi_decode(data).ok().map(|panic| panic.to_string())
}
