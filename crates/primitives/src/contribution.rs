//! What a worker's contribution carries (spec §7.2, §10.2, §11.2): the commit (result hash and
//! seal), the scheduler's authorization, and the enclave's signature; all plain `keccak256`
//! over packed fields, signed (where signed) as EIP-191 `ethSigned` messages.
//!
//! ```text
//! resultDigest ─┬─ H(taskid ‖ digest) ─────────▶ resultHash  (the vote; equal for honest workers)
//!               └─ H(worker ‖ taskid ‖ digest) ─▶ resultSeal  (proof of knowledge, per worker)
//! scheduler signs ethSigned(H(worker ‖ taskid ‖ enclaveChallenge))       (the authorization)
//! enclave signs   ethSigned(H(resultHash ‖ resultSeal))                  (classic TEE)
//!                 ethSigned(H(worker ‖ taskid ‖ digest))                 (Boost TEE)
//! ```

use alloy_primitives::{Address, B256, Bytes, keccak256};
use alloy_signer::SignerSync;
use alloy_sol_types::SolValue;
use serde::{Deserialize, Serialize};

use crate::{
    error::Result,
    ids::TaskId,
    signature::{eth_signed_hash, recover_signer, sign_hash},
};

/// The digest of a result delivered through a callback ("web3" result):
/// `H(resultsCallback)`, which `finalize` checks against the revealed digest.
pub fn callback_result_digest(results_callback: &[u8]) -> B256 {
    keccak256(results_callback)
}

/// `resultHash = H(taskid ‖ resultDigest)`: the vote a worker commits to.
pub fn result_hash(task_id: TaskId, result_digest: B256) -> B256 {
    keccak256((task_id.0, result_digest).abi_encode_packed())
}

/// `resultSeal = H(worker ‖ taskid ‖ resultDigest)`: binds the vote to the worker, so a worker
/// cannot copy another's commit without knowing the digest.
pub fn result_seal(worker: Address, task_id: TaskId, result_digest: B256) -> B256 {
    keccak256((worker, task_id.0, result_digest).abi_encode_packed())
}

/// `H(worker ‖ taskid ‖ enclaveChallenge)`: the message of a worker authorization
/// (`enclave_challenge` is zero outside TEE).
pub fn authorization_hash(worker: Address, task_id: TaskId, enclave_challenge: Address) -> B256 {
    keccak256((worker, task_id.0, enclave_challenge).abi_encode_packed())
}

/// `ethSigned(authorization_hash(…))`: the digest the scheduler (or TEE broker) signs.
pub fn authorization_signing_hash(
    worker: Address,
    task_id: TaskId,
    enclave_challenge: Address,
) -> B256 {
    eth_signed_hash(&authorization_hash(worker, task_id, enclave_challenge))
}

/// `H(resultHash ‖ resultSeal)`: what the enclave signs in a classic TEE contribution.
pub fn enclave_message(result_hash: B256, result_seal: B256) -> B256 {
    keccak256((result_hash, result_seal).abi_encode_packed())
}

/// `ethSigned(enclave_message(…))`: the digest the enclave key signs (classic).
pub fn enclave_signing_hash(result_hash: B256, result_seal: B256) -> B256 {
    eth_signed_hash(&enclave_message(result_hash, result_seal))
}

/// `H(worker ‖ taskid ‖ resultDigest)`: what the enclave signs in `pushResultBoost` (equal to
/// the classic [`result_seal`]).
pub fn boost_enclave_message(worker: Address, task_id: TaskId, result_digest: B256) -> B256 {
    result_seal(worker, task_id, result_digest)
}

/// `ethSigned(boost_enclave_message(…))`: the digest the enclave key signs (Boost).
pub fn boost_enclave_signing_hash(worker: Address, task_id: TaskId, result_digest: B256) -> B256 {
    eth_signed_hash(&boost_enclave_message(worker, task_id, result_digest))
}

/// Signs a worker authorization as the scheduler (the workerpool owner) or TEE broker does.
pub fn sign_authorization<S: SignerSync + ?Sized>(
    scheduler: &S,
    worker: Address,
    task_id: TaskId,
    enclave_challenge: Address,
) -> Result<Bytes> {
    sign_hash(scheduler, &authorization_signing_hash(worker, task_id, enclave_challenge))
}

/// Signs a classic contribution's commit with the enclave challenge key.
pub fn sign_enclave_message<S: SignerSync + ?Sized>(
    enclave: &S,
    result_hash: B256,
    result_seal: B256,
) -> Result<Bytes> {
    sign_hash(enclave, &enclave_signing_hash(result_hash, result_seal))
}

/// Signs a Boost result with the enclave challenge key.
pub fn sign_boost_enclave_message<S: SignerSync + ?Sized>(
    enclave: &S,
    worker: Address,
    task_id: TaskId,
    result_digest: B256,
) -> Result<Bytes> {
    sign_hash(enclave, &boost_enclave_signing_hash(worker, task_id, result_digest))
}

/// A worker's commit to a result: the digest it keeps secret until the reveal, and the hash
/// and seal it sends to `contribute`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Commitment {
    /// The result digest (revealed by `reveal`).
    pub result_digest: B256,
    /// `H(taskid ‖ digest)`.
    pub result_hash: B256,
    /// `H(worker ‖ taskid ‖ digest)`.
    pub result_seal: B256,
}

impl Commitment {
    /// The commit of `worker` to `result_digest` for a task.
    pub fn new(worker: Address, task_id: TaskId, result_digest: B256) -> Self {
        Self {
            result_digest,
            result_hash: result_hash(task_id, result_digest),
            result_seal: result_seal(worker, task_id, result_digest),
        }
    }

    /// What the enclave signs for this commit (classic TEE).
    pub fn enclave_message(&self) -> B256 {
        enclave_message(self.result_hash, self.result_seal)
    }
}

/// The scheduler's permission for a worker to contribute to a task (iExec's
/// "WorkerpoolAuthorization"), with its signature.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkerpoolAuthorization {
    /// The worker allowed to contribute.
    pub worker: Address,
    /// The task it may contribute to.
    pub task_id: TaskId,
    /// The enclave challenge address for a TEE task, zero otherwise.
    pub enclave_challenge: Address,
    /// The scheduler's (or TEE broker's) signature of [`Self::signing_hash`].
    pub sign: Bytes,
}

impl WorkerpoolAuthorization {
    /// Signs an authorization for `worker` on `task_id` as `scheduler`.
    pub fn sign<S: SignerSync + ?Sized>(
        scheduler: &S,
        worker: Address,
        task_id: TaskId,
        enclave_challenge: Address,
    ) -> Result<Self> {
        let sign = sign_authorization(scheduler, worker, task_id, enclave_challenge)?;
        Ok(Self { worker, task_id, enclave_challenge, sign })
    }

    /// `H(worker ‖ taskid ‖ enclaveChallenge)`.
    pub fn hash(&self) -> B256 {
        authorization_hash(self.worker, self.task_id, self.enclave_challenge)
    }

    /// The EIP-191 digest that was signed.
    pub fn signing_hash(&self) -> B256 {
        eth_signed_hash(&self.hash())
    }

    /// The EOA that signed the authorization (to compare with the deal's workerpool owner).
    pub fn recover_signer(&self) -> Result<Address> {
        recover_signer(&self.signing_hash(), &self.sign)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::{U256, address, b256};
    use alloy_signer_local::PrivateKeySigner;

    // Spec §18.
    const TASK_ID: TaskId =
        TaskId(b256!("9e8d2b5971eafd4952b86ff24d8102748082db0d20d3ba7e49b687c1026e013a"));
    const WORKER: Address = address!("5555555555555555555555555555555555555555");
    const ENCLAVE: Address = address!("6666666666666666666666666666666666666666");
    const DIGEST: B256 = b256!("b10e2d527612073b26eecdfd717e6a320cf44b4afac2b0732d9fcbe2b7fa0cf6");
    const RESULT_HASH: B256 =
        b256!("24660b573e796216f95cb50d56542bca609d6def2bb696a5b8dc62e77571d859");
    const RESULT_SEAL: B256 =
        b256!("c95d3c932cdec8b17cd10fb70f45c29c6f6c7684e510348b8fb78d45e559836e");

    #[test]
    fn spec_vectors() {
        let callback_data = U256::from(1).abi_encode();
        let cases: [(&str, B256, B256); 10] = [
            ("resultDigest", callback_result_digest(&callback_data), DIGEST),
            ("resultHash", result_hash(TASK_ID, DIGEST), RESULT_HASH),
            ("resultSeal", result_seal(WORKER, TASK_ID, DIGEST), RESULT_SEAL),
            (
                "authorization",
                authorization_hash(WORKER, TASK_ID, ENCLAVE),
                b256!("7afb8dbda10b2f417e8ff36569dfca901215d5b41065bf227b7f13b872db9e2c"),
            ),
            (
                "authorization ethSigned",
                authorization_signing_hash(WORKER, TASK_ID, ENCLAVE),
                b256!("ce7b206500cc9ce767c40db573af4ee1fe63990a461c786baff60344862555ff"),
            ),
            (
                "enclave message",
                enclave_message(RESULT_HASH, RESULT_SEAL),
                b256!("9dbd752369aeefdf517daef194aeed74504a6a89c2bd6a9cd118692f529a6a84"),
            ),
            (
                "enclave ethSigned",
                enclave_signing_hash(RESULT_HASH, RESULT_SEAL),
                b256!("0bc2b310429ceb6f7a881f84f1320899582d1b33baedabdfe426fca9c8332feb"),
            ),
            ("boost enclave message", boost_enclave_message(WORKER, TASK_ID, DIGEST), RESULT_SEAL),
            (
                "boost enclave ethSigned",
                boost_enclave_signing_hash(WORKER, TASK_ID, DIGEST),
                b256!("92ba3cddb5206346513653ea9b65fd334584987339e716348aa3513d295b17ad"),
            ),
            (
                "commitment enclave message",
                Commitment::new(WORKER, TASK_ID, DIGEST).enclave_message(),
                b256!("9dbd752369aeefdf517daef194aeed74504a6a89c2bd6a9cd118692f529a6a84"),
            ),
        ];
        for (name, got, expected) in cases {
            assert_eq!(got, expected, "{name}");
        }
        let commitment = Commitment::new(WORKER, TASK_ID, DIGEST);
        assert_eq!(
            (commitment.result_digest, commitment.result_hash, commitment.result_seal),
            (DIGEST, RESULT_HASH, RESULT_SEAL)
        );
    }

    #[test]
    fn authorization_signed_by_scheduler() {
        let scheduler = PrivateKeySigner::random();
        let auth =
            WorkerpoolAuthorization::sign(&scheduler, WORKER, TASK_ID, Address::ZERO).unwrap();
        assert_eq!(auth.sign.len(), 65);
        assert_eq!(auth.recover_signer().unwrap(), scheduler.address());
        // The same bytes as the bare helper, and bound to the worker.
        assert_eq!(
            auth.sign,
            sign_authorization(&scheduler, WORKER, TASK_ID, Address::ZERO).unwrap()
        );
        let stolen = WorkerpoolAuthorization { worker: ENCLAVE, ..auth };
        assert_ne!(stolen.recover_signer().ok(), Some(scheduler.address()));
    }

    #[test]
    fn enclave_signatures_recover_the_enclave() {
        let enclave = PrivateKeySigner::random();
        let classic = sign_enclave_message(&enclave, RESULT_HASH, RESULT_SEAL).unwrap();
        let boost = sign_boost_enclave_message(&enclave, WORKER, TASK_ID, DIGEST).unwrap();
        let cases = [
            (classic, enclave_signing_hash(RESULT_HASH, RESULT_SEAL)),
            (boost, boost_enclave_signing_hash(WORKER, TASK_ID, DIGEST)),
        ];
        for (sign, digest) in cases {
            assert_eq!(recover_signer(&digest, &sign).unwrap(), enclave.address());
        }
    }

    #[test]
    fn authorization_json() {
        let auth = WorkerpoolAuthorization {
            worker: WORKER,
            task_id: TASK_ID,
            enclave_challenge: ENCLAVE,
            sign: Bytes::from_static(&[0xab]),
        };
        let json = serde_json::to_value(&auth).unwrap();
        assert_eq!(json["taskId"], serde_json::json!(TASK_ID.to_string()));
        assert_eq!(json["enclaveChallenge"], serde_json::json!(ENCLAVE.to_checksum(None)));
        assert_eq!(serde_json::from_value::<WorkerpoolAuthorization>(json).unwrap(), auth);
    }
}
