//! [`RpcError`]: a JSON-RPC error object, and the one mapping from [`ChainError`] to codes.

use alloy::primitives::hex;
use serde::Serialize;
use serde_json::Value;

use crate::chain::error::ChainError;

/// Invalid JSON.
pub(crate) const PARSE_ERROR: i64 = -32700;
/// Not a valid request object.
pub(crate) const INVALID_REQUEST: i64 = -32600;
/// No such method.
pub(crate) const METHOD_NOT_FOUND: i64 = -32601;
/// Bad parameters.
pub(crate) const INVALID_PARAMS: i64 = -32602;
/// Internal failure.
pub(crate) const INTERNAL_ERROR: i64 = -32603;
/// geth's code for refused transactions and failed queries.
pub(crate) const SERVER_ERROR: i64 = -32000;
/// geth's code for reverted calls; `data` holds the revert data.
pub(crate) const EXECUTION_REVERTED: i64 = 3;

/// A JSON-RPC error object.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub(crate) struct RpcError {
    pub(crate) code: i64,
    pub(crate) message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) data: Option<Value>,
}

impl RpcError {
    pub(crate) fn new(code: i64, message: impl Into<String>) -> Self {
        Self { code, message: message.into(), data: None }
    }

    pub(crate) fn parse_error(message: impl std::fmt::Display) -> Self {
        Self::new(PARSE_ERROR, format!("Parse error: {message}"))
    }

    pub(crate) fn invalid_request(message: impl Into<String>) -> Self {
        Self::new(INVALID_REQUEST, message)
    }

    pub(crate) fn method_not_found(method: &str) -> Self {
        Self::new(METHOD_NOT_FOUND, format!("the method {method} does not exist/is not available"))
    }

    pub(crate) fn invalid_params(message: impl Into<String>) -> Self {
        Self::new(INVALID_PARAMS, message)
    }

    pub(crate) fn internal(message: impl Into<String>) -> Self {
        Self::new(INTERNAL_ERROR, message)
    }
}

impl From<ChainError> for RpcError {
    fn from(error: ChainError) -> Self {
        let message = error.to_string();
        match error {
            ChainError::Reverted(data) => Self {
                code: EXECUTION_REVERTED,
                message: custom_error_message(&data).unwrap_or(message),
                data: Some(Value::String(hex::encode_prefixed(&data))),
            },
            ChainError::Decode(_) | ChainError::InvalidInput(_) => {
                Self::new(INVALID_PARAMS, message)
            }
            _ => Self::new(SERVER_ERROR, message),
        }
    }
}

/// The message of a revert by a custom error (a selector that is neither `Error(string)` nor
/// `Panic(uint256)`), worded as anvil words it so tools that show it (cast) print the same:
/// `execution reverted: custom error 0x<selector>: <arguments in hex>`.
fn custom_error_message(data: &[u8]) -> Option<String> {
    if data.len() < 4 || crate::chain::error::revert_reason(data).is_some() {
        return None;
    }
    let (selector, arguments) = data.split_at(4);
    let mut message =
        format!("execution reverted: custom error {}", hex::encode_prefixed(selector));
    if !arguments.is_empty() {
        message.push_str(": ");
        message.push_str(&hex::encode(arguments));
    }
    Some(message)
}

#[cfg(test)]
mod tests {
    use alloy::primitives::{Bytes, address};

    use super::*;

    #[test]
    fn chain_errors_map_to_geths_codes() {
        let revert: RpcError = ChainError::Reverted(Bytes::from_static(&[0xde, 0xad])).into();
        assert_eq!(revert.code, 3);
        assert_eq!(revert.message, "execution reverted");
        let empty: RpcError = ChainError::Reverted(Bytes::new()).into();
        assert_eq!((empty.message.as_str(), empty.data), ("execution reverted", Some("0x".into())));
        assert_eq!(revert.data, Some(Value::String("0xdead".into())));

        let low: RpcError = ChainError::NonceTooLow {
            address: address!("f39Fd6e51aad88F6F4ce6aB8827279cffFb92266"),
            tx: 1,
            state: 2,
        }
        .into();
        assert_eq!(low.code, -32000);
        assert!(low.message.starts_with("nonce too low"), "{}", low.message);

        let decode: RpcError = ChainError::Decode("bad".into()).into();
        assert_eq!(decode.code, -32602);
    }

    #[test]
    fn revert_reasons_are_in_the_message() {
        use alloy::sol_types::{Revert, SolError};
        let data = Revert::from("not allowed").abi_encode();
        let error: RpcError = ChainError::Reverted(data.into()).into();
        assert_eq!(error.message, "execution reverted: not allowed");
    }

    #[test]
    fn custom_errors_are_named_by_selector_like_anvil() {
        let data =
            hex::decode("db42144d00000000000000000000000000000000000000000000000000000000000000ff")
                .unwrap();
        let error: RpcError = ChainError::Reverted(data.into()).into();
        assert_eq!(
            error.message,
            "execution reverted: custom error 0xdb42144d: \
             00000000000000000000000000000000000000000000000000000000000000ff"
        );
        let bare: RpcError = ChainError::Reverted(Bytes::from_static(&[1, 2, 3, 4])).into();
        assert_eq!(bare.message, "execution reverted: custom error 0x01020304");
        assert_eq!(bare.data, Some(Value::String("0x01020304".into())));
    }
}
