//! The signed message that takes orders out of a book: an EIP-712 [`Unpublish`] under the
//! market's domain (name `poco-market`, version `1`, the deployment's chain id and hub), so a
//! signature for one chain or hub is worthless on another.
//!
//! A message is valid for [`UNPUBLISH_VALIDITY_SECS`] around its `issuedAt`; replaying it in
//! that window takes out nothing more than the signer asked for.

use alloy_primitives::{Address, B256, Bytes};
use alloy_signer::SignerSync;
use alloy_sol_types::{Eip712Domain, SolStruct, sol};
use poco_primitives::{OrderHash, signature};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

use crate::book::{Book, UnpublishTarget};

/// The EIP-712 domain name of unpublish messages.
pub const MARKET_DOMAIN_NAME: &str = "poco-market";
/// The EIP-712 domain version of unpublish messages.
pub const MARKET_DOMAIN_VERSION: &str = "1";
/// How far `issuedAt` may be from the market's clock, in seconds, either way.
pub const UNPUBLISH_VALIDITY_SECS: u64 = 300;

sol! {
    /// What a signer signs to take orders out of a book.
    #[derive(Debug, PartialEq, Eq)]
    struct Unpublish {
        /// The book: `app`, `dataset`, `workerpool` or `request`.
        string book;
        /// `order`, `last` or `all`.
        string target;
        /// The order (target `order`), zero otherwise.
        bytes32 orderHash;
        /// Only orders of this app, dataset, workerpool (or, in the request book, app); zero for
        /// any.
        address resource;
        /// When the message was signed, in seconds since the Unix epoch.
        uint64 issuedAt;
    }
}

/// The market's EIP-712 domain on a deployment.
pub fn market_domain(chain_id: u64, hub: Address) -> Eip712Domain {
    Eip712Domain::new(
        Some(Cow::Borrowed(MARKET_DOMAIN_NAME)),
        Some(Cow::Borrowed(MARKET_DOMAIN_VERSION)),
        Some(alloy_primitives::U256::from(chain_id)),
        Some(hub),
        None,
    )
}

/// The body of `POST /v1/orders/{book}/unpublish`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UnpublishRequest {
    /// Which orders.
    pub target: UnpublishTarget,
    /// The order, for target `order`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_hash: Option<OrderHash>,
    /// Only orders of this resource (for `last` and `all`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<Address>,
    /// When the message was signed (seconds since the Unix epoch).
    pub issued_at: u64,
    /// Who signed: only this signer's orders are taken out.
    pub signer: Address,
    /// The signature of [`Unpublish`] under [`market_domain`].
    pub sign: Bytes,
}

impl UnpublishRequest {
    /// The message this request carries, for `book`.
    pub fn message(&self, book: Book) -> Unpublish {
        Unpublish {
            book: book.as_str().to_owned(),
            target: self.target.as_str().to_owned(),
            orderHash: self.order_hash.map_or(B256::ZERO, |hash| hash.0),
            resource: self.resource.unwrap_or_default(),
            issuedAt: self.issued_at,
        }
    }

    /// The digest the signature covers.
    pub fn digest(&self, book: Book, domain: &Eip712Domain) -> B256 {
        self.message(book).eip712_signing_hash(domain)
    }

    /// Builds and signs a request with `signer`'s key.
    #[allow(clippy::too_many_arguments)]
    pub fn sign<S: SignerSync + ?Sized>(
        signer: &S,
        signer_address: Address,
        book: Book,
        target: UnpublishTarget,
        order_hash: Option<OrderHash>,
        resource: Option<Address>,
        issued_at: u64,
        domain: &Eip712Domain,
    ) -> Result<Self, poco_primitives::Error> {
        let mut request = Self {
            target,
            order_hash,
            resource,
            issued_at,
            signer: signer_address,
            sign: Bytes::new(),
        };
        request.sign = signature::sign_hash(signer, &request.digest(book, domain))?;
        Ok(request)
    }

    /// The EOA whose key signed the message (contract signers go through ERC-1271 on-chain).
    pub fn recover(
        &self,
        book: Book,
        domain: &Eip712Domain,
    ) -> Result<Address, poco_primitives::Error> {
        signature::recover_signer(&self.digest(book, domain), &self.sign)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::address;
    use alloy_signer_local::PrivateKeySigner;

    #[test]
    fn sign_then_recover_and_domain_binding() {
        let key = PrivateKeySigner::random();
        let hub = address!("0165878A594ca255338adfa4d48449f69242Eb8F");
        let domain = market_domain(31337, hub);
        let request = UnpublishRequest::sign(
            &key,
            key.address(),
            Book::App,
            UnpublishTarget::All,
            None,
            None,
            1_700_000_000,
            &domain,
        )
        .unwrap();
        assert_eq!(request.recover(Book::App, &domain).unwrap(), key.address());
        // Another book, chain or hub: another digest, so another (random) signer.
        assert_ne!(request.recover(Book::Request, &domain).ok(), Some(key.address()));
        assert_ne!(request.recover(Book::App, &market_domain(1, hub)).ok(), Some(key.address()));
        let json = serde_json::to_value(&request).unwrap();
        assert_eq!(json["target"], "all");
        assert_eq!(json["issuedAt"], 1_700_000_000);
        assert_eq!(serde_json::from_value::<UnpublishRequest>(json).unwrap(), request);
    }
}
