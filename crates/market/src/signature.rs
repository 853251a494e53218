//! Order signature recovery for the publication path, through libsecp256k1.
//!
//! `poco_primitives::signature::recover_signer` goes through k256's generic recovery: a
//! constant-time double multiplication (needless for a public signature), then a check of the
//! signature against the recovered key, a second multiplication that cannot fail since
//! `Q = r⁻¹(s·R − z·G)` satisfies `s⁻¹(z·G + r·Q) = R` by construction. On the publication path
//! that recovery was the largest cost of the market. Here the signature is parsed by the same
//! function under the same hub rules (65 bytes with `v` ∈ {27, 28} or 64 bytes, low `s`), and
//! `Q` is computed once by libsecp256k1's variable-time multiplication with precomputed tables
//! (the C library Bitcoin Core and geth use). Anything it cannot recover (`r` or `s` zero or not
//! below the group order, `r` not on the curve, `Q` at infinity) goes to the generic recovery,
//! which gives the same error as before.

use alloy::primitives::{Address, B256, Signature, keccak256};
use poco_primitives::signature::{parse_signature, recover_signer};
use secp256k1::{
    Message, Secp256k1, VerifyOnly,
    ecdsa::{RecoverableSignature, RecoveryId},
};
use std::sync::LazyLock;

/// A verification context (its tables are static; made once).
static CONTEXT: LazyLock<Secp256k1<VerifyOnly>> = LazyLock::new(Secp256k1::verification_only);

/// The EOA whose key signed `hash` (see the module docs; same answers and errors as
/// `recover_signer`).
pub fn recover(hash: &B256, sign: &[u8]) -> Result<Address, poco_primitives::error::Error> {
    let signature = parse_signature(sign)?;
    match recover_once(hash, &signature) {
        Some(address) => Ok(address),
        None => recover_signer(hash, sign),
    }
}

fn recover_once(prehash: &B256, signature: &Signature) -> Option<Address> {
    let mut compact = [0u8; 64];
    compact[..32].copy_from_slice(&signature.r().to_be_bytes::<32>());
    compact[32..].copy_from_slice(&signature.s().to_be_bytes::<32>());
    let id = RecoveryId::try_from(i32::from(signature.v())).ok()?;
    let signature = RecoverableSignature::from_compact(&compact, id).ok()?;
    let key = CONTEXT.recover_ecdsa(Message::from_digest(prehash.0), &signature).ok()?;
    // The address is the last 20 bytes of the hash of the key's 64 bytes (no 0x04 tag).
    let encoded = key.serialize_uncompressed();
    Some(Address::from_slice(&keccak256(&encoded[1..])[12..]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy::signers::{SignerSync, local::PrivateKeySigner};
    use poco_primitives::signature::signature_bytes;

    #[test]
    fn recovers_what_the_generic_recovery_recovers() {
        for i in 0u64..200 {
            let key = PrivateKeySigner::random();
            let hash = keccak256(i.to_be_bytes());
            let signature = key.sign_hash_sync(&hash).unwrap();
            let long = signature_bytes(&signature);
            let short = signature.as_erc2098();
            for sign in [&long[..], &short[..]] {
                assert_eq!(recover(&hash, sign).unwrap(), key.address());
                assert_eq!(recover(&hash, sign).ok(), recover_signer(&hash, sign).ok());
            }
            // Another hash recovers another address, as the generic recovery does.
            let other = keccak256(hash);
            assert_eq!(recover(&other, &long).ok(), recover_signer(&other, &long).ok());
            assert_ne!(recover(&other, &long).ok(), Some(key.address()));
        }
    }

    #[test]
    fn refuses_what_the_generic_recovery_refuses() {
        let key = PrivateKeySigner::random();
        let hash = keccak256("order");
        let good = signature_bytes(&key.sign_hash_sync(&hash).unwrap()).to_vec();
        let mut bad_v = good.clone();
        bad_v[64] = 29;
        let mut high_s = good.clone();
        high_s[32] = 0xff;
        // r = 0 and an x that is not on the curve (x = 5 has no y on secp256k1).
        let mut zero_r = good.clone();
        zero_r[..32].fill(0);
        let mut off_curve = good.clone();
        off_curve[..32].fill(0);
        off_curve[31] = 5;
        for sign in [&bad_v[..], &high_s[..], &zero_r[..], &off_curve[..], &good[..10]] {
            let fast = recover(&hash, sign).map_err(|e| e.to_string());
            let generic = recover_signer(&hash, sign).map_err(|e| e.to_string());
            assert!(generic.is_err(), "{sign:?}");
            assert_eq!(fast, generic);
        }
    }
}
