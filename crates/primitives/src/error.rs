//! The errors of this crate: parsing failures, refused signatures, and arithmetic the contracts
//! would revert on.

use alloy_primitives::{B256, U256, hex};

/// Everything that can fail in `poco-primitives`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A tag name that is none of the known bits (see [`crate::tags::TagBit`]).
    #[error("unknown tag name {0:?} (known: tee, scone, gramine, tdx, gpu, bit0..bit255, none)")]
    UnknownTagName(String),
    /// A `bitN` tag name whose `N` is not a bit index of a `bytes32`.
    #[error("tag bit {0:?} is out of range (bit0..bit255)")]
    TagBitOutOfRange(String),
    /// A `0x…` tag that is not hexadecimal.
    #[error("invalid tag hex {input:?}")]
    TagHex {
        /// What was parsed.
        input: String,
        /// Why the hex decoder refused it.
        #[source]
        source: hex::FromHexError,
    },
    /// A `0x…` tag longer than 32 bytes.
    #[error("tag {0:?} is longer than 32 bytes")]
    TagTooLong(String),
    /// A byte that is not a `TaskStatusEnum` value (0..=4).
    #[error("invalid task status {0} (expected 0..=4)")]
    InvalidTaskStatus(u8),
    /// A byte that is not a `ContributionStatusEnum` value (0..=3).
    #[error("invalid contribution status {0} (expected 0..=3)")]
    InvalidContributionStatus(u8),
    /// A number that is not an `OrderOperationEnum` value (0 = sign, 1 = close).
    #[error("invalid order operation {0} (expected 0 = sign or 1 = close)")]
    InvalidOrderOperation(U256),
    /// The signer refused or failed to sign.
    #[error("signing failed")]
    Signer(#[from] alloy_signer::Error),
    /// An EOA signature must be 65 bytes (`r ‖ s ‖ v`) or 64 bytes (EIP-2098 `r ‖ vs`); the
    /// contract reverts with `invalid-signature-format` on any other length.
    #[error("a signature is 65 bytes (r, s, v) or 64 bytes (EIP-2098), not {0}")]
    SignatureLength(usize),
    /// A 65-byte signature whose `v` is not 27 or 28.
    #[error("signature v must be 27 or 28, not {0}")]
    SignatureV(u8),
    /// A signature whose `s` is in the upper half of the curve order (malleable; refused by
    /// OpenZeppelin's `ECDSA.tryRecover`).
    #[error("signature s is in the upper half of the curve order")]
    SignatureHighS,
    /// No public key can be recovered from the signature.
    #[error("cannot recover a signer from the signature")]
    SignatureRecovery(#[from] alloy_primitives::SignatureError),
    /// A `uint256` operation overflowed (or divided by zero) where the contract's checked
    /// arithmetic would revert the whole transaction; the argument names the operation.
    #[error("arithmetic overflow in {0}: the contract would revert")]
    Overflow(&'static str),
    /// A contribution to a task that already reached consensus (the contract only accepts
    /// contributions to `ACTIVE` tasks).
    #[error("the task already reached consensus on {0}")]
    ConsensusReached(B256),
    /// `reopen` of a task that has not reached consensus.
    #[error("the task has not reached consensus")]
    NoConsensus,
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = core::result::Result<T, E>;
