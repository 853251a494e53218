//! The reference API's login: `GET /challenge` hands out an EIP-712 typed message (domain
//! `iExec Gateway`, version `1`, the chain id; one `string challenge` field), the client signs
//! it, and sends `Authorization: <challengeHash>_<signature>_<address>` with the request that
//! needs it (publish, unpublish).
//!
//! A challenge is stored (table `reference_challenges`) under its EIP-712 digest with the
//! address and chain it was issued for and an expiry; it authorizes one request: the first
//! request that presents it consumes it. The signature is checked as the hub checks order
//! signatures: EOA recovery, or ERC-1271 for a contract account.

use alloy::{
    primitives::{Address, B256, Bytes, U256},
    sol,
    sol_types::{Eip712Domain, SolStruct},
};
use poco_primitives::signature::recover_signer;
use serde_json::{Value, json};
use sqlx::Row;
use std::{borrow::Cow, str::FromStr, time::Duration};
use tracing::debug;

use super::{RefCode, RefFailure};
use crate::{error::MarketError, orders::address_text, service::Market, service::now_ms};

/// The EIP-712 domain name of login challenges (the reference's).
pub const CHALLENGE_DOMAIN_NAME: &str = "iExec Gateway";
/// The EIP-712 domain version of login challenges.
pub const CHALLENGE_DOMAIN_VERSION: &str = "1";
/// The text a challenge starts with; a random hex string follows.
pub const CHALLENGE_PREFIX: &str = "Sign this message to log into iExec Gateway: ";
/// How long a challenge may be used after it was handed out.
pub const CHALLENGE_VALIDITY: Duration = Duration::from_secs(300);

sol! {
    /// The message a client signs to log in.
    #[derive(Debug, PartialEq, Eq)]
    struct Challenge {
        /// [`CHALLENGE_PREFIX`] and a random hex string.
        string challenge;
    }
}

/// The domain of login challenges on chain `chain_id` (no verifying contract, as the
/// reference's).
pub fn challenge_domain(chain_id: u64) -> Eip712Domain {
    Eip712Domain::new(
        Some(Cow::Borrowed(CHALLENGE_DOMAIN_NAME)),
        Some(Cow::Borrowed(CHALLENGE_DOMAIN_VERSION)),
        Some(U256::from(chain_id)),
        None,
        None,
    )
}

/// The typed data of a challenge, in the JSON shape `eth_signTypedData_v4` (and ethers'
/// `signTypedData`) take.
pub fn typed_data(chain_id: u64, challenge: &str) -> Value {
    json!({
        "types": {
            "EIP712Domain": [
                { "name": "name", "type": "string" },
                { "name": "version", "type": "string" },
                { "name": "chainId", "type": "uint256" },
            ],
            "Challenge": [{ "name": "challenge", "type": "string" }],
        },
        "domain": {
            "name": CHALLENGE_DOMAIN_NAME,
            "version": CHALLENGE_DOMAIN_VERSION,
            "chainId": chain_id,
        },
        "primaryType": "Challenge",
        "message": { "challenge": challenge },
    })
}

/// The digest a client signs for `challenge` on `chain_id`.
pub fn challenge_hash(chain_id: u64, challenge: &str) -> B256 {
    Challenge { challenge: challenge.to_owned() }.eip712_signing_hash(&challenge_domain(chain_id))
}

/// A parsed `Authorization` header: `<challengeHash>_<signature>_<address>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthHeader {
    /// The digest of the challenge.
    pub hash: B256,
    /// The signature of the digest.
    pub signature: Bytes,
    /// Who claims to have signed.
    pub address: Address,
}

impl FromStr for AuthHeader {
    type Err = RefFailure;

    fn from_str(text: &str) -> Result<Self, RefFailure> {
        let malformed = |why: &str| {
            RefFailure::reference(
                RefCode::BadAuthHeader,
                format!(
                    "the authorization header must be <challengeHash>_<signature>_<address>: {why}"
                ),
            )
        };
        let mut parts = text.trim().split('_');
        let (Some(hash), Some(signature), Some(address), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(malformed("it does not have three parts"));
        };
        Ok(Self {
            hash: B256::from_str(hash).map_err(|_| malformed("bad challenge hash"))?,
            signature: Bytes::from_str(signature).map_err(|_| malformed("bad signature"))?,
            address: Address::from_str(address).map_err(|_| malformed("bad address"))?,
        })
    }
}

/// Hands out a new challenge for `address` on the market's chain; returns its typed data.
pub async fn issue(market: &Market, address: Address) -> Result<Value, RefFailure> {
    let chain_id = market.chain().chain_id();
    let random: [u8; 16] = rand::random();
    let challenge = format!("{CHALLENGE_PREFIX}{}", alloy::hex::encode(random));
    let hash = challenge_hash(chain_id, &challenge);
    let now = now_ms();
    let validity = i64::try_from(CHALLENGE_VALIDITY.as_millis()).unwrap_or(i64::MAX);
    let pool = market.store().pool();
    sqlx::query("DELETE FROM reference_challenges WHERE expires_at < $1")
        .bind(now)
        .execute(pool)
        .await
        .map_err(MarketError::from)?;
    sqlx::query(
        "INSERT INTO reference_challenges (hash, address, chain_id, expires_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(format!("{hash:#x}"))
    .bind(address_text(address))
    .bind(i64::try_from(chain_id).unwrap_or(i64::MAX))
    .bind(now.saturating_add(validity))
    .execute(pool)
    .await
    .map_err(MarketError::from)?;
    debug!(%address, %hash, "Challenge issued.");
    Ok(typed_data(chain_id, &challenge))
}

/// Checks an `Authorization` header and consumes its challenge; returns the authenticated
/// address. Nothing is consumed when the header is refused.
pub async fn authenticate(market: &Market, header: Option<&str>) -> Result<Address, RefFailure> {
    let Some(header) = header else {
        return Err(RefFailure::reference(
            RefCode::AuthRequired,
            "this request needs an authorization header: get a challenge at GET /challenge, sign \
             it, send <challengeHash>_<signature>_<address>",
        ));
    };
    let auth = AuthHeader::from_str(header)?;
    let pool = market.store().pool();
    let hash_text = format!("{:#x}", auth.hash);
    let row = sqlx::query(
        "SELECT address, chain_id, expires_at FROM reference_challenges WHERE hash = $1",
    )
    .bind(hash_text.as_str())
    .fetch_optional(pool)
    .await
    .map_err(MarketError::from)?;
    let unknown = || {
        RefFailure::reference(
            RefCode::UnknownChallenge,
            format!(
                "challenge {:#x} was not handed out to {} on this chain, or was used already",
                auth.hash, auth.address
            ),
        )
    };
    let Some(row) = row else { return Err(unknown()) };
    let address: String = row.try_get("address").map_err(MarketError::from)?;
    let chain_id: i64 = row.try_get("chain_id").map_err(MarketError::from)?;
    let expires_at: i64 = row.try_get("expires_at").map_err(MarketError::from)?;
    let this_chain = i64::try_from(market.chain().chain_id()).unwrap_or(i64::MAX);
    if address != address_text(auth.address) || chain_id != this_chain {
        return Err(unknown());
    }
    if expires_at < now_ms() {
        return Err(RefFailure::market(MarketError::refused(
            poco_market_api::ErrorCode::AuthExpired,
            format!(
                "challenge {:#x} expired (challenges are valid {} s); get a new one",
                auth.hash,
                CHALLENGE_VALIDITY.as_secs()
            ),
        )));
    }
    let signed = match recover_signer(&auth.hash, &auth.signature) {
        Ok(signer) if signer == auth.address => true,
        _ if market.chain().is_contract(auth.address).await? => {
            market.chain().verify_signature(auth.address, auth.hash, auth.signature.clone()).await?
        }
        _ => false,
    };
    if !signed {
        return Err(RefFailure::market(MarketError::refused(
            poco_market_api::ErrorCode::BadAuthSignature,
            format!("the challenge {:#x} is not signed by {}", auth.hash, auth.address),
        )));
    }
    let consumed = sqlx::query("DELETE FROM reference_challenges WHERE hash = $1")
        .bind(hash_text.as_str())
        .execute(pool)
        .await
        .map_err(MarketError::from)?;
    if consumed.rows_affected() != 1 {
        return Err(unknown()); // another request used it in between
    }
    Ok(auth.address)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_parsing() {
        let hash = B256::repeat_byte(0x11);
        let address = Address::repeat_byte(0x22);
        let text = format!("{hash:#x}_0x{}_{address}", "33".repeat(65));
        let header = AuthHeader::from_str(&text).unwrap();
        assert_eq!(header.hash, hash);
        assert_eq!(header.signature.len(), 65);
        assert_eq!(header.address, address);
        for bad in ["", "0x11", &format!("{hash:#x}_0x33"), &format!("{text}_x"), "a_b_c"] {
            let error = AuthHeader::from_str(bad).unwrap_err();
            assert_eq!(error.code(), "bad_auth_header", "{bad:?}");
        }
    }

    #[test]
    fn the_typed_data_hashes_like_the_struct() {
        // The digest the client computes from the typed data must be the one stored; the
        // JSON's fields are those of `Challenge` and the domain.
        let data = typed_data(31337, "hello");
        assert_eq!(data["domain"]["chainId"], 31337);
        assert_eq!(data["types"]["Challenge"][0]["type"], "string");
        assert_ne!(challenge_hash(31337, "hello"), challenge_hash(1, "hello"));
        assert_ne!(challenge_hash(31337, "hello"), challenge_hash(31337, "hellO"));
    }
}
