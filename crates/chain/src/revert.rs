//! Revert data, decoded into the hub's typed custom errors when possible.

use alloy::{
    primitives::{Bytes, U256},
    sol_types::{Panic, Revert as RevertString, SolError},
    transports::TransportError,
};
use poco_contracts::{bindings::IPoco::IPocoErrors, decode_hub_error};
use std::fmt;

/// Why a call or a transaction reverted, decoded from its revert data.
///
/// Decoding is tried in order: the hub's custom errors ([`IPocoErrors`], which also declares the
/// ERC-20 and `Ownable` errors the hub can raise), then Solidity's `Error(string)` and
/// `Panic(uint256)`; anything else is kept as raw bytes (another contract's custom error, or an
/// empty revert).
#[derive(Clone, Debug, PartialEq)]
pub enum Revert {
    /// A custom error of the hub.
    Hub(IPocoErrors),
    /// `Error(string)`: a `require` message or `revert("…")`.
    Reason(String),
    /// `Panic(uint256)`: a failed assertion, an arithmetic overflow, a division by zero, …
    Panic(U256),
    /// Revert data this crate does not know how to decode (possibly empty).
    Raw(Bytes),
}

// === impl Revert ===

impl Revert {
    /// Decodes revert data.
    pub fn decode(data: &[u8]) -> Self {
        if let Some(error) = decode_hub_error(data) {
            return Self::Hub(error);
        }
        if let Ok(revert) = RevertString::abi_decode(data) {
            return Self::Reason(revert.reason);
        }
        if let Ok(panic) = Panic::abi_decode(data) {
            return Self::Panic(panic.code);
        }
        Self::Raw(Bytes::copy_from_slice(data))
    }

    /// The revert carried by a JSON-RPC error response (`eth_call`, `eth_estimateGas`), if the
    /// error is a revert. A revert without data (a bare `revert()`) gives `Raw` of no bytes.
    pub fn from_rpc_error(error: &TransportError) -> Option<Self> {
        let payload = error.as_error_resp()?;
        if let Some(data) = payload.as_revert_data() {
            return Some(Self::decode(&data));
        }
        // Code 3 is "execution reverted" (EIP-1474 / geth); some nodes only say it in the message.
        let reverted = payload.code == 3 || payload.message.to_ascii_lowercase().contains("revert");
        reverted.then(|| Self::Raw(Bytes::new()))
    }

    /// The hub's custom error, if that is what this revert is.
    pub const fn hub(&self) -> Option<&IPocoErrors> {
        match self {
            Self::Hub(error) => Some(error),
            _ => None,
        }
    }
}

impl fmt::Display for Revert {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Hub(error) => write!(f, "hub error {error:?}"),
            Self::Reason(reason) => write!(f, "reverted with reason {reason:?}"),
            Self::Panic(code) => write!(f, "panicked with code {code:#x}"),
            Self::Raw(data) if data.is_empty() => f.write_str("reverted without data"),
            Self::Raw(data) => write!(f, "reverted with data {data}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy::sol_types::SolInterface;
    use poco_contracts::bindings::IPoco;

    #[test]
    fn decodes_in_order() {
        let hub = IPocoErrors::UnknownCategory(IPoco::UnknownCategory {
            category: U256::from(999),
            count: U256::from(5),
        });
        let table: [(Vec<u8>, Revert); 4] = [
            (hub.abi_encode(), Revert::Hub(hub.clone())),
            (RevertString { reason: "nope".into() }.abi_encode(), Revert::Reason("nope".into())),
            (Panic { code: U256::from(0x11) }.abi_encode(), Revert::Panic(U256::from(0x11))),
            (vec![0xde, 0xad], Revert::Raw(Bytes::from_static(&[0xde, 0xad]))),
        ];
        for (data, expected) in table {
            assert_eq!(Revert::decode(&data), expected);
        }
        assert_eq!(Revert::decode(&hub.abi_encode()).hub(), Some(&hub));
    }
}
