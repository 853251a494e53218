//! Signed access: the worker's login and the requester's reads.
//!
//! Both sign an EIP-191 (`personal_sign`) message over a domain-prefixed packed hash that binds
//! the chain id and the workerpool, so a signature made for one pool or chain is refused by every
//! other, and an expiry, so a leaked one stops working:
//!
//! ```text
//! login_message     = keccak256("poco-scheduler:login:v1"     ‖ chainId32 ‖ workerpool20 ‖ worker20    ‖ nonce32  ‖ expiresAt8)
//! requester_message = keccak256("poco-scheduler:requester:v1" ‖ chainId32 ‖ workerpool20 ‖ requester20 ‖ taskId32 ‖ expiresAt8)
//! signature         = sign(ethSigned(message))               65 bytes r ‖ s ‖ v
//! ```
//!
//! The prefixes keep these messages apart from every hash the hub checks and from the results
//! service's upload message. `expiresAt` is seconds since the Unix epoch, big-endian.

use alloy_primitives::{Address, B256, Bytes, U256, keccak256};
use alloy_signer::SignerSync;
use poco_primitives::{
    TaskId,
    signature::{eth_signed_hash, recover_signer, sign_hash},
};
use serde::{Deserialize, Serialize};

/// The domain prefix of [`login_message`].
pub const LOGIN_DOMAIN: &[u8] = b"poco-scheduler:login:v1";
/// The domain prefix of [`requester_message`].
pub const REQUESTER_DOMAIN: &[u8] = b"poco-scheduler:requester:v1";

/// What binds a signature to one scheduler: the chain and the workerpool it serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SchedulerDomain {
    /// The chain id.
    pub chain_id: u64,
    /// The workerpool's address.
    pub workerpool: Address,
}

fn packed(
    prefix: &[u8],
    domain: SchedulerDomain,
    signer: Address,
    subject: B256,
    expires_at: u64,
) -> B256 {
    let mut bytes = Vec::with_capacity(prefix.len() + 32 + 20 + 20 + 32 + 8);
    bytes.extend_from_slice(prefix);
    bytes.extend_from_slice(&U256::from(domain.chain_id).to_be_bytes::<32>());
    bytes.extend_from_slice(domain.workerpool.as_slice());
    bytes.extend_from_slice(signer.as_slice());
    bytes.extend_from_slice(subject.as_slice());
    bytes.extend_from_slice(&expires_at.to_be_bytes());
    keccak256(bytes)
}

/// `GET /v1/workers/challenge?worker=0x…`: a one-time nonce to sign.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Challenge {
    /// The scheduler the login is for.
    pub domain: SchedulerDomain,
    /// The worker that asked.
    pub worker: Address,
    /// 32 random bytes, usable once.
    pub nonce: B256,
    /// When the challenge stops being accepted (seconds since the epoch).
    pub expires_at: u64,
}

impl Challenge {
    /// [`login_message`] of this challenge.
    pub fn message(&self) -> B256 {
        login_message(self.domain, self.worker, self.nonce, self.expires_at)
    }

    /// Signs the challenge as the worker and builds the login request.
    pub fn sign<S: SignerSync + ?Sized>(&self, worker: &S) -> poco_primitives::Result<Login> {
        let signature = sign_hash(worker, &eth_signed_hash(&self.message()))?;
        Ok(Login { worker: self.worker, nonce: self.nonce, signature })
    }
}

/// `keccak256(LOGIN_DOMAIN ‖ chainId ‖ workerpool ‖ worker ‖ nonce ‖ expiresAt)`.
pub fn login_message(
    domain: SchedulerDomain,
    worker: Address,
    nonce: B256,
    expires_at: u64,
) -> B256 {
    packed(LOGIN_DOMAIN, domain, worker, nonce, expires_at)
}

/// The EOA that signed a login message.
pub fn recover_login(message: B256, signature: &[u8]) -> poco_primitives::Result<Address> {
    recover_signer(&eth_signed_hash(&message), signature)
}

/// `POST /v1/workers/login`: the signed challenge.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Login {
    /// The worker's address (the challenge's).
    pub worker: Address,
    /// The challenge's nonce.
    pub nonce: B256,
    /// The worker's signature of `ethSigned(login_message(…))`.
    pub signature: Bytes,
}

/// The answer to a login: a bearer token for every worker route.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Session {
    /// Sent back as `Authorization: Bearer <token>`; opaque to the worker.
    pub token: String,
    /// When the token stops being accepted (seconds since the epoch); log in again before.
    pub expires_at: u64,
}

/// `keccak256(REQUESTER_DOMAIN ‖ chainId ‖ workerpool ‖ requester ‖ taskId ‖ expiresAt)`.
pub fn requester_message(
    domain: SchedulerDomain,
    requester: Address,
    task_id: TaskId,
    expires_at: u64,
) -> B256 {
    packed(REQUESTER_DOMAIN, domain, requester, task_id.0, expires_at)
}

/// The requester's access to one task's logs, sent as three headers ([`crate::headers`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequesterAccess {
    /// The task's requester (checked against the deal on chain).
    pub requester: Address,
    /// When the signature stops being accepted (seconds since the epoch; the scheduler refuses
    /// expiries further than one hour ahead).
    pub expires_at: u64,
    /// The requester's signature of `ethSigned(requester_message(…))`.
    pub signature: Bytes,
}

impl RequesterAccess {
    /// Signs access to `task_id` as `requester`.
    pub fn sign<S: SignerSync + alloy_signer::Signer + ?Sized>(
        requester: &S,
        domain: SchedulerDomain,
        task_id: TaskId,
        expires_at: u64,
    ) -> poco_primitives::Result<Self> {
        let address = requester.address();
        let message = requester_message(domain, address, task_id, expires_at);
        let signature = sign_hash(requester, &eth_signed_hash(&message))?;
        Ok(Self { requester: address, expires_at, signature })
    }

    /// Whether the signature was made by [`Self::requester`] for this scheduler and task.
    pub fn verify(&self, domain: SchedulerDomain, task_id: TaskId) -> bool {
        let message = requester_message(domain, self.requester, task_id, self.expires_at);
        recover_signer(&eth_signed_hash(&message), &self.signature)
            .is_ok_and(|signer| signer == self.requester)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::address;
    use alloy_signer_local::PrivateKeySigner;

    const DOMAIN: SchedulerDomain = SchedulerDomain {
        chain_id: 31337,
        workerpool: address!("0x1111111111111111111111111111111111111111"),
    };

    #[test]
    fn a_signed_challenge_recovers_to_the_worker_and_nothing_else() {
        let key = PrivateKeySigner::random();
        let challenge = Challenge {
            domain: DOMAIN,
            worker: key.address(),
            nonce: B256::repeat_byte(7),
            expires_at: 1_900_000_000,
        };
        let login = challenge.sign(&key).unwrap();
        assert_eq!(recover_login(challenge.message(), &login.signature).unwrap(), key.address());

        // Any other pool, chain, nonce or expiry gives another message: the signature recovers
        // to some other address.
        let others = [
            Challenge { domain: SchedulerDomain { chain_id: 1, ..DOMAIN }, ..challenge.clone() },
            Challenge {
                domain: SchedulerDomain { workerpool: Address::ZERO, ..DOMAIN },
                ..challenge.clone()
            },
            Challenge { nonce: B256::repeat_byte(8), ..challenge.clone() },
            Challenge { expires_at: challenge.expires_at + 1, ..challenge.clone() },
        ];
        for other in others {
            assert_ne!(other.message(), challenge.message());
            assert_ne!(recover_login(other.message(), &login.signature).ok(), Some(key.address()));
        }
    }

    #[test]
    fn requester_access_is_bound_to_its_task_and_scheduler() {
        let key = PrivateKeySigner::random();
        let task = TaskId::repeat_byte(3);
        let access = RequesterAccess::sign(&key, DOMAIN, task, 1_900_000_000).unwrap();
        assert!(access.verify(DOMAIN, task));
        assert!(!access.verify(DOMAIN, TaskId::repeat_byte(4)));
        assert!(!access.verify(SchedulerDomain { chain_id: 1, ..DOMAIN }, task));
        let forged = RequesterAccess { requester: Address::repeat_byte(9), ..access.clone() };
        assert!(!forged.verify(DOMAIN, task));
        let later = RequesterAccess { expires_at: access.expires_at + 60, ..access };
        assert!(!later.verify(DOMAIN, task));
    }

    #[test]
    fn login_and_requester_messages_never_collide() {
        let who = Address::repeat_byte(1);
        let subject = B256::repeat_byte(2);
        assert_ne!(
            login_message(DOMAIN, who, subject, 5),
            requester_message(DOMAIN, who, TaskId::from(subject), 5)
        );
    }
}
