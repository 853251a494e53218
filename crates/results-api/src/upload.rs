//! The worker's signature over an upload: it binds the archive (by its SHA-256) to the task and
//! to the worker the scheduler authorized, so neither a copied authorization nor a swapped body
//! is accepted.
//!
//! ```text
//! upload_message      = keccak256("poco-results:upload:v1" ‖ taskId32 ‖ sha256(archive)32)
//! upload_signing_hash = ethSigned(upload_message)     (EIP-191, what `personal_sign` signs)
//! ```
//!
//! The domain prefix keeps the message apart from every hash the hub checks (`resultHash`,
//! `resultSeal`, authorizations, enclave messages are all unprefixed packed hashes), so an upload
//! signature can never be replayed as a contribution, and the other way round.

use alloy_primitives::{Address, B256, Bytes, keccak256};
use alloy_signer::SignerSync;
use poco_primitives::{
    TaskId,
    signature::{eth_signed_hash, recover_signer, sign_hash},
};

/// The domain prefix of [`upload_message`].
pub const UPLOAD_DOMAIN: &[u8] = b"poco-results:upload:v1";

/// `keccak256(UPLOAD_DOMAIN ‖ taskId ‖ archiveSha256)`.
pub fn upload_message(task_id: TaskId, archive_sha256: B256) -> B256 {
    let mut packed = Vec::with_capacity(UPLOAD_DOMAIN.len() + 64);
    packed.extend_from_slice(UPLOAD_DOMAIN);
    packed.extend_from_slice(task_id.as_slice());
    packed.extend_from_slice(archive_sha256.as_slice());
    keccak256(packed)
}

/// `ethSigned(upload_message(…))`: the digest the worker's key signs.
pub fn upload_signing_hash(task_id: TaskId, archive_sha256: B256) -> B256 {
    eth_signed_hash(&upload_message(task_id, archive_sha256))
}

/// Signs an upload as the worker: 65 bytes `r ‖ s ‖ v`.
pub fn sign_upload<S: SignerSync + ?Sized>(
    worker: &S,
    task_id: TaskId,
    archive_sha256: B256,
) -> poco_primitives::Result<Bytes> {
    sign_hash(worker, &upload_signing_hash(task_id, archive_sha256))
}

/// The EOA that signed an upload of `archive_sha256` for `task_id` (to compare with the
/// authorization's worker).
pub fn recover_uploader(
    task_id: TaskId,
    archive_sha256: B256,
    signature: &[u8],
) -> poco_primitives::Result<Address> {
    recover_signer(&upload_signing_hash(task_id, archive_sha256), signature)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::b256;
    use alloy_signer_local::PrivateKeySigner;

    const TASK: TaskId =
        TaskId(b256!("9e8d2b5971eafd4952b86ff24d8102748082db0d20d3ba7e49b687c1026e013a"));
    const SHA: B256 = b256!("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");

    #[test]
    fn message_is_the_prefixed_packed_hash() {
        let mut packed = b"poco-results:upload:v1".to_vec();
        packed.extend_from_slice(TASK.as_slice());
        packed.extend_from_slice(SHA.as_slice());
        assert_eq!(packed.len(), 22 + 64);
        assert_eq!(upload_message(TASK, SHA), keccak256(&packed));
        assert_eq!(upload_signing_hash(TASK, SHA), eth_signed_hash(&keccak256(&packed)));
        // Not the bare H(taskid ‖ digest) the hub uses as a result hash.
        assert_ne!(
            upload_message(TASK, SHA),
            poco_primitives::contribution::result_hash(TASK, SHA)
        );
    }

    #[test]
    fn signature_binds_task_digest_and_worker() {
        let worker = PrivateKeySigner::random();
        let sign = sign_upload(&worker, TASK, SHA).unwrap();
        assert_eq!(recover_uploader(TASK, SHA, &sign).unwrap(), worker.address());
        let other_task = TaskId(B256::repeat_byte(1));
        let other_sha = B256::repeat_byte(2);
        for (task, sha) in [(other_task, SHA), (TASK, other_sha)] {
            assert_ne!(recover_uploader(task, sha, &sign).ok(), Some(worker.address()));
        }
        assert!(recover_uploader(TASK, SHA, &sign[..10]).is_err());
    }
}
