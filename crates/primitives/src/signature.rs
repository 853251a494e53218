//! ECDSA signatures as the hub makes and checks them (spec §3.3): 65-byte `r ‖ s ‖ v` with
//! `v` ∈ {27, 28}, or 64-byte EIP-2098 `r ‖ vs`; low `s` only (OpenZeppelin v5
//! `ECDSA.tryRecover`); and EIP-191 `ethSigned` hashes for the messages that are not EIP-712.

use alloy_primitives::{Address, B256, Bytes, Signature, U256, eip191_hash_message, uint};
use alloy_signer::SignerSync;

use crate::error::{Error, Result};

/// Half the order of secp256k1: signatures with a larger `s` are refused (malleability).
const HALF_CURVE_ORDER: U256 =
    uint!(0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0_U256);

/// `ethSigned(h) = H("\x19Ethereum Signed Message:\n32" ‖ h)`: the EIP-191 personal-sign digest
/// of a 32-byte hash, which the worker authorization and enclave signatures sign.
pub fn eth_signed_hash(hash: &B256) -> B256 {
    eip191_hash_message(hash)
}

/// Signs a 32-byte digest as is (no EIP-191 prefix) and returns the 65-byte `r ‖ s ‖ v`
/// signature with `v` ∈ {27, 28}, the form the hub accepts.
pub fn sign_hash<S: SignerSync + ?Sized>(signer: &S, hash: &B256) -> Result<Bytes> {
    let signature = signer.sign_hash_sync(hash)?;
    Ok(signature_bytes(&signature))
}

/// The 65 bytes `r ‖ s ‖ v` (`v` = 27 + y-parity) of a signature.
pub fn signature_bytes(signature: &Signature) -> Bytes {
    Bytes::copy_from_slice(&signature.as_bytes())
}

/// The EOA whose key signed `hash`, under the hub's rules for EOAs: 65 bytes with `v` ∈
/// {27, 28} or 64 bytes (EIP-2098), and `s` in the lower half of the curve order. (Contracts
/// sign through ERC-1271, which only the chain can answer.)
pub fn recover_signer(hash: &B256, sign: &[u8]) -> Result<Address> {
    let signature = parse_signature(sign)?;
    Ok(signature.recover_address_from_prehash(hash)?)
}

/// Splits a 65- or 64-byte signature into `(r, s, parity)` under the hub's rules.
pub fn parse_signature(sign: &[u8]) -> Result<Signature> {
    let signature = match sign.len() {
        65 => {
            let parity = match sign[64] {
                27 => false,
                28 => true,
                v => return Err(Error::SignatureV(v)),
            };
            Signature::from_bytes_and_parity(&sign[..64], parity)
        }
        64 => Signature::from_erc2098(sign),
        len => return Err(Error::SignatureLength(len)),
    };
    if signature.s() > HALF_CURVE_ORDER {
        return Err(Error::SignatureHighS);
    }
    Ok(signature)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::{b256, keccak256};
    use alloy_signer_local::PrivateKeySigner;

    /// secp256k1's group order.
    const N: U256 = uint!(0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141_U256);

    fn signed() -> (PrivateKeySigner, B256, Bytes) {
        let signer = PrivateKeySigner::random();
        let hash = keccak256(b"poco");
        let sign = sign_hash(&signer, &hash).unwrap();
        (signer, hash, sign)
    }

    /// Whether an error is the one a case expects.
    type IsExpected = fn(&Error) -> bool;

    #[test]
    fn eth_signed_is_eip191() {
        let h = b256!("7afb8dbda10b2f417e8ff36569dfca901215d5b41065bf227b7f13b872db9e2c");
        let mut message = b"\x19Ethereum Signed Message:\n32".to_vec();
        message.extend_from_slice(h.as_slice());
        assert_eq!(eth_signed_hash(&h), keccak256(message));
    }

    #[test]
    fn recovers_65_and_64_byte_forms() {
        let (signer, hash, sign) = signed();
        assert_eq!(sign.len(), 65);
        assert_eq!(recover_signer(&hash, &sign).unwrap(), signer.address());
        let compact = parse_signature(&sign).unwrap().as_erc2098();
        assert_eq!(recover_signer(&hash, &compact).unwrap(), signer.address());
    }

    #[test]
    fn refuses_what_the_hub_refuses() {
        let (_, hash, sign) = signed();
        let mut bad_v = sign.to_vec();
        bad_v[64] -= 27; // 0 or 1: accepted by 5.3.0, refused since 5.5
        let mut high_s = sign.to_vec();
        let s = U256::from_be_slice(&sign[32..64]);
        high_s[32..64].copy_from_slice(&(N - s).to_be_bytes::<32>());
        high_s[64] = 55 - high_s[64]; // 27 <-> 28: the same key, a valid but malleable signature
        let cases: [(&[u8], IsExpected); 5] = [
            (&[], |e| matches!(e, Error::SignatureLength(0))),
            (&sign[..63], |e| matches!(e, Error::SignatureLength(63))),
            (&[sign.as_ref(), &[0]].concat(), |e| matches!(e, Error::SignatureLength(66))),
            (&bad_v, |e| matches!(e, Error::SignatureV(0 | 1))),
            (&high_s, |e| matches!(e, Error::SignatureHighS)),
        ];
        for (i, (sign, is_expected)) in cases.into_iter().enumerate() {
            let err = recover_signer(&hash, sign).unwrap_err();
            assert!(is_expected(&err), "case {i}: {err:?}");
        }
    }

    #[test]
    fn another_hash_gives_another_signer() {
        let (signer, _, sign) = signed();
        let other = recover_signer(&keccak256(b"other"), &sign);
        assert!(other.is_err() || other.is_ok_and(|a| a != signer.address()));
    }
}
