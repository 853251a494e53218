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
    contribution::WorkerpoolAuthorization,
    signature::{eth_signed_hash, recover_signer, sign_hash},
};

use crate::headers;

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

/// The `x-poco-*` headers of an upload, as a worker builds them from the authorization the
/// scheduler gave it and the archive it is about to send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UploadHeaders {
    /// The scheduler's authorization (worker, task, enclave challenge, signature).
    pub authorization: WorkerpoolAuthorization,
    /// The worker's signature of [`upload_signing_hash`].
    pub worker_signature: Bytes,
    /// SHA-256 of the archive.
    pub archive_sha256: B256,
}

impl UploadHeaders {
    /// Signs the upload of the archive whose SHA-256 is `archive_sha256` with `worker`'s key
    /// (which should be `authorization.worker`'s).
    pub fn sign<S: SignerSync + ?Sized>(
        worker: &S,
        authorization: WorkerpoolAuthorization,
        archive_sha256: B256,
    ) -> poco_primitives::Result<Self> {
        let worker_signature = sign_upload(worker, authorization.task_id, archive_sha256)?;
        Ok(Self { authorization, worker_signature, archive_sha256 })
    }

    /// The path to upload to: `/v1/results/{taskId}`.
    pub fn path(&self) -> String {
        crate::paths::result(self.authorization.task_id)
    }

    /// `(name, value)` pairs to set on the request (the enclave challenge only when not zero).
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = vec![
            (headers::WORKER, self.authorization.worker.to_string()),
            (headers::AUTHORIZATION, self.authorization.sign.to_string()),
            (headers::WORKER_SIGNATURE, self.worker_signature.to_string()),
            (headers::ARCHIVE_SHA256, self.archive_sha256.to_string()),
        ];
        if !self.authorization.enclave_challenge.is_zero() {
            pairs.push((
                headers::ENCLAVE_CHALLENGE,
                self.authorization.enclave_challenge.to_string(),
            ));
        }
        pairs
    }
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

    #[test]
    fn headers_of_an_upload() {
        let scheduler = PrivateKeySigner::random();
        let worker = PrivateKeySigner::random();
        let enclave = Address::repeat_byte(0xe1);
        for challenge in [Address::ZERO, enclave] {
            let authorization =
                WorkerpoolAuthorization::sign(&scheduler, worker.address(), TASK, challenge)
                    .unwrap();
            let upload = UploadHeaders::sign(&worker, authorization.clone(), SHA).unwrap();
            assert_eq!(upload.path(), format!("/v1/results/{TASK}"));
            let pairs = upload.pairs();
            let get = |name| pairs.iter().find(|(n, _)| *n == name).map(|(_, v)| v.clone());
            assert_eq!(get(headers::WORKER), Some(worker.address().to_string()));
            assert_eq!(get(headers::AUTHORIZATION), Some(authorization.sign.to_string()));
            assert_eq!(get(headers::ARCHIVE_SHA256), Some(SHA.to_string()));
            let signature: Bytes = get(headers::WORKER_SIGNATURE).unwrap().parse().unwrap();
            assert_eq!(recover_uploader(TASK, SHA, &signature).unwrap(), worker.address());
            let expected_enclave = (!challenge.is_zero()).then(|| enclave.to_string());
            assert_eq!(get(headers::ENCLAVE_CHALLENGE), expected_enclave);
        }
    }
}
