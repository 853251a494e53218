//! Positional JSON-RPC parameters, read one by one so trailing optional ones may be left out.

use alloy::eips::BlockId;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::error::RpcError;

/// The `params` of a request.
#[derive(Debug, Default)]
pub(crate) struct Params(Vec<Value>);

impl Params {
    /// Positional parameters: an array, or nothing.
    pub(crate) fn new(params: Option<Value>) -> Result<Self, RpcError> {
        match params {
            None | Some(Value::Null) => Ok(Self::default()),
            Some(Value::Array(params)) => Ok(Self(params)),
            Some(_) => Err(RpcError::invalid_params("params must be an array")),
        }
    }

    pub(crate) fn get(&self, index: usize) -> Option<&Value> {
        self.0.get(index)
    }

    /// Parameter `index`, which must be there.
    pub(crate) fn required<T: DeserializeOwned>(&self, index: usize) -> Result<T, RpcError> {
        match self.0.get(index) {
            None => Err(RpcError::invalid_params(format!(
                "missing value for required argument {index}"
            ))),
            Some(value) => parse(index, value),
        }
    }

    /// Parameter `index`, if given and not null.
    pub(crate) fn optional<T: DeserializeOwned>(
        &self,
        index: usize,
    ) -> Result<Option<T>, RpcError> {
        match self.0.get(index) {
            None | Some(Value::Null) => Ok(None),
            Some(value) => parse(index, value).map(Some),
        }
    }

    /// A block parameter, `latest` when left out.
    pub(crate) fn block(&self, index: usize) -> Result<BlockId, RpcError> {
        Ok(self.optional(index)?.unwrap_or_default())
    }

    /// A number given as a JSON number, a hex quantity or a decimal string.
    pub(crate) fn quantity(&self, index: usize) -> Result<u64, RpcError> {
        self.optional_quantity(index)?.ok_or_else(|| {
            RpcError::invalid_params(format!("missing value for required argument {index}"))
        })
    }

    /// [`Self::quantity`], if given.
    pub(crate) fn optional_quantity(&self, index: usize) -> Result<Option<u64>, RpcError> {
        match self.0.get(index) {
            None | Some(Value::Null) => Ok(None),
            Some(value) => parse_quantity(value).map(Some),
        }
    }
}

fn parse<T: DeserializeOwned>(index: usize, value: &Value) -> Result<T, RpcError> {
    T::deserialize(value)
        .map_err(|error| RpcError::invalid_params(format!("invalid argument {index}: {error}")))
}

/// A number given as a JSON number, a hex quantity or a decimal string.
pub(crate) fn parse_quantity(value: &Value) -> Result<u64, RpcError> {
    let invalid = || RpcError::invalid_params(format!("invalid quantity: {value}"));
    match value {
        Value::Number(number) => number.as_u64().ok_or_else(invalid),
        Value::String(text) => match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
            Some(hex) => u64::from_str_radix(hex, 16).map_err(|_| invalid()),
            None => text.parse().map_err(|_| invalid()),
        },
        _ => Err(invalid()),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn quantities() {
        for (value, expected) in [
            (json!(10), Some(10)),
            (json!("0x10"), Some(16)),
            (json!("42"), Some(42)),
            (json!("0xzz"), None),
            (json!(-1), None),
            (json!([]), None),
        ] {
            assert_eq!(parse_quantity(&value).ok(), expected, "{value}");
        }
    }

    #[test]
    fn optional_and_required() {
        let params = Params::new(Some(json!(["0x1", null]))).unwrap();
        assert_eq!(params.quantity(0).unwrap(), 1);
        assert_eq!(params.optional::<bool>(1).unwrap(), None);
        assert_eq!(params.block(2).unwrap(), BlockId::default());
        assert_eq!(params.required::<bool>(3).unwrap_err().code, -32602);
        assert!(Params::new(Some(json!({"a": 1}))).is_err());
    }
}
