//! The sender of a signed transaction, recovered from its signature (SEC 1 §4.1.6 public key
//! recovery on secp256k1, with k256's arithmetic).
//!
//! The generic recovery (`VerifyingKey::recover_from_prehash`, what alloy's `recover_signer`
//! calls) verifies the signature against the recovered key afterwards: a second double scalar
//! multiplication that cannot fail, since `Q = r⁻¹(s·R − z·G)` gives `s⁻¹(z·G + r·Q) = R` by
//! construction. It was half the devchain's work per transaction. Recovery here is the one
//! multiplication, under the same rules: `r` and `s` in `[1, n)`, `s ≤ n/2` (EIP-2), `R` on
//! the curve, `Q` not the point at infinity.

use alloy::{
    consensus::{TxEnvelope, crypto::SECP256K1N_HALF},
    primitives::{Address, B256, U256, keccak256},
};
use k256::{
    AffinePoint, FieldBytes, ProjectivePoint, Scalar,
    elliptic_curve::{
        Group, PrimeField,
        ops::{Invert, LinearCombination, Reduce},
        point::DecompressPoint,
        sec1::ToEncodedPoint,
        subtle::Choice,
    },
};

use super::error::ChainError;

/// The address that signed `envelope`.
pub(crate) fn sender(envelope: &TxEnvelope) -> Result<Address, ChainError> {
    let signature = envelope.signature();
    recover(envelope.signature_hash(), signature.r(), signature.s(), signature.v())
        .ok_or(ChainError::InvalidSender)
}

/// The address whose key made the transaction signature `(r, s, y_odd)` of `prehash`, if it is
/// valid (EIP-2: `s ≤ n/2`).
pub(crate) fn recover(prehash: B256, r: U256, s: U256, y_odd: bool) -> Option<Address> {
    if s > SECP256K1N_HALF {
        return None;
    }
    recover_any_s(prehash, r, s, y_odd)
}

/// [`recover`] for any `s` in `[1, n)`, as the `ecrecover` precompile takes it.
fn recover_any_s(prehash: B256, r: U256, s: U256, y_odd: bool) -> Option<Address> {
    let r_bytes = FieldBytes::from(r.to_be_bytes::<32>());
    let r = Option::<Scalar>::from(Scalar::from_repr(r_bytes))?;
    let s = Option::<Scalar>::from(Scalar::from_repr(FieldBytes::from(s.to_be_bytes::<32>())))?;
    if bool::from(r.is_zero() | s.is_zero()) {
        return None;
    }
    // R: the curve point whose x is r, with the parity the signature names.
    let big_r = Option::<AffinePoint>::from(AffinePoint::decompress(
        &r_bytes,
        Choice::from(u8::from(y_odd)),
    ))?;
    let z = <Scalar as Reduce<k256::U256>>::reduce_bytes(&FieldBytes::from(prehash.0));
    // r is public: no need for a constant-time inverse.
    let r_inv = Option::<Scalar>::from(r.invert_vartime())?;
    let q = ProjectivePoint::lincomb(
        &ProjectivePoint::GENERATOR,
        &-(r_inv * z),
        &ProjectivePoint::from(big_r),
        &(r_inv * s),
    );
    if bool::from(q.is_identity()) {
        return None;
    }
    let point = q.to_affine().to_encoded_point(false);
    // The address: the last 20 bytes of the key's hash (the key without its 0x04 tag).
    Some(Address::from_slice(&keccak256(&point.as_bytes()[1..])[12..]))
}

/// The precompiles' crypto with this recovery for `ecrecover` (signed orders and worker
/// authorizations on the hub call it); everything else is revm's.
#[derive(Debug)]
struct DevchainCrypto;

impl revm::precompile::Crypto for DevchainCrypto {
    fn secp256k1_ecrecover(
        &self,
        sig: &[u8; 64],
        recid: u8,
        msg: &[u8; 32],
    ) -> Result<[u8; 32], revm::precompile::PrecompileHalt> {
        let (r, s) = (U256::from_be_slice(&sig[..32]), U256::from_be_slice(&sig[32..]));
        let address = (recid <= 1)
            .then(|| recover_any_s(B256::from(*msg), r, s, recid == 1))
            .flatten()
            .ok_or(revm::precompile::PrecompileHalt::Secp256k1RecoverFailed)?;
        let mut word = [0; 32];
        word[12..].copy_from_slice(address.as_slice());
        Ok(word)
    }
}

/// Makes revm's `ecrecover` precompile use [`DevchainCrypto`] in this process (once; a crypto
/// installed before is kept).
pub(crate) fn install_precompile_crypto() {
    let _ = revm::install_crypto(DevchainCrypto);
}

#[cfg(test)]
mod tests {
    use alloy::{
        consensus::{
            SignableTransaction, TxEip1559, TxEip2930, TxLegacy, transaction::SignerRecoverable,
        },
        primitives::{Bytes, Signature, TxKind},
        signers::{SignerSync, local::PrivateKeySigner},
    };

    use super::*;

    fn signed<T>(key: &PrivateKeySigner, tx: T) -> TxEnvelope
    where
        T: SignableTransaction<Signature>,
        TxEnvelope: From<alloy::consensus::Signed<T>>,
    {
        let signature = key.sign_hash_sync(&tx.signature_hash()).unwrap();
        TxEnvelope::from(tx.into_signed(signature))
    }

    fn envelopes(key: &PrivateKeySigner, nonce: u64) -> Vec<TxEnvelope> {
        let to = TxKind::Call(Address::repeat_byte(0x42));
        let input = Bytes::from(nonce.to_be_bytes().to_vec());
        vec![
            signed(
                key,
                TxLegacy { chain_id: None, nonce, gas_limit: 21_000, to, ..Default::default() },
            ),
            signed(
                key,
                TxLegacy {
                    chain_id: Some(31337),
                    nonce,
                    gas_limit: 21_000,
                    to,
                    input: input.clone(),
                    ..Default::default()
                },
            ),
            signed(
                key,
                TxEip2930 {
                    chain_id: 31337,
                    nonce,
                    gas_limit: 30_000,
                    to,
                    input: input.clone(),
                    ..Default::default()
                },
            ),
            signed(
                key,
                TxEip1559 {
                    chain_id: 1,
                    nonce,
                    gas_limit: 50_000,
                    max_fee_per_gas: 7,
                    to,
                    input,
                    ..Default::default()
                },
            ),
        ]
    }

    #[test]
    fn recovers_what_alloy_recovers_for_every_transaction_type() {
        for round in 0..50 {
            let key = PrivateKeySigner::random();
            for envelope in envelopes(&key, round) {
                assert_eq!(sender(&envelope).unwrap(), key.address());
                assert_eq!(sender(&envelope).unwrap(), envelope.recover_signer().unwrap());
            }
        }
    }

    #[test]
    fn the_precompile_recovers_like_revms_own_high_s_included() {
        use revm::precompile::Crypto;
        #[derive(Debug)]
        struct Revm;
        impl Crypto for Revm {}
        let key = PrivateKeySigner::random();
        let prehash = keccak256(b"order");
        let signature = key.sign_hash_sync(&prehash).unwrap();
        let order = SECP256K1N_HALF * U256::from(2) + U256::from(1);
        let high_s = order - signature.s();
        for (s, y_odd) in [(signature.s(), signature.v()), (high_s, !signature.v())] {
            let mut sig = [0; 64];
            sig[..32].copy_from_slice(&signature.r().to_be_bytes::<32>());
            sig[32..].copy_from_slice(&s.to_be_bytes::<32>());
            let recid = u8::from(y_odd);
            let ours = DevchainCrypto.secp256k1_ecrecover(&sig, recid, &prehash.0).unwrap();
            assert_eq!(ours, Revm.secp256k1_ecrecover(&sig, recid, &prehash.0).unwrap());
            assert_eq!(&ours[12..], key.address().as_slice());
            assert_eq!(ours[..12], [0; 12]);
        }
        let zero = [0; 64];
        assert!(DevchainCrypto.secp256k1_ecrecover(&zero, 0, &prehash.0).is_err());
        assert!(Revm.secp256k1_ecrecover(&zero, 0, &prehash.0).is_err());
    }

    #[test]
    fn invalid_signatures_are_refused_like_alloy_refuses_them() {
        let key = PrivateKeySigner::random();
        let prehash = keccak256(b"poco");
        let signature = key.sign_hash_sync(&prehash).unwrap();
        let (r, s, v) = (signature.r(), signature.s(), signature.v());
        assert_eq!(recover(prehash, r, s, v), Some(key.address()));
        // The other parity names the other R: some other key, as for any client.
        let other = recover(prehash, r, s, !v);
        assert_ne!(other, Some(key.address()));
        assert_eq!(
            other,
            alloy::consensus::crypto::secp256k1::recover_signer(&Signature::new(r, s, !v), prehash)
                .ok()
        );
        // EIP-2: the high-s twin of a valid signature is refused.
        let order = SECP256K1N_HALF * U256::from(2) + U256::from(1);
        assert_eq!(recover(prehash, r, order - s, !v), None);
        // Zero or out-of-range scalars.
        assert_eq!(recover(prehash, U256::ZERO, s, v), None);
        assert_eq!(recover(prehash, r, U256::ZERO, v), None);
        assert_eq!(recover(prehash, order, s, v), None);
        assert_eq!(recover(prehash, U256::MAX, s, v), None);
        // An r that is no curve point's x: x = 5 gives x³ + 7 = 132, not a square mod p.
        let not_on_curve = U256::from(5);
        assert_eq!(
            recover(prehash, not_on_curve, s, v),
            alloy::consensus::crypto::secp256k1::recover_signer(
                &Signature::new(not_on_curve, s, v),
                prehash
            )
            .ok()
        );
    }
}
