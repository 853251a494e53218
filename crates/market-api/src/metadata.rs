//! Pool metadata: where a workerpool runs, on what energy and hardware, declared in the pool's
//! on-chain description (fixed at `createWorkerpool`) so requesters can choose by it.
//!
//! A description that is a JSON object may carry `region`, `energy` and `hardware` strings
//! beside anything else (`{"name":"eu-solar","region":"eu-west","energy":"solar",
//! "hardware":"cpu"}`); any other description has no metadata. Values are trimmed, lowercased
//! and at most [`MAX_METADATA_LEN`] characters, so filters compare them exactly.

use serde::{Deserialize, Serialize};

/// Longest metadata value kept (longer ones are ignored).
pub const MAX_METADATA_LEN: usize = 64;

/// What a pool declares about itself.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PoolMetadata {
    /// Where the pool's workers run (e.g. `eu-west`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The energy source (e.g. `solar`, `hydro`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub energy: Option<String>,
    /// The hardware (e.g. `cpu`, `gpu`, `sgx`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hardware: Option<String>,
}

impl PoolMetadata {
    /// The metadata of a pool description; `None` when it declares none.
    pub fn from_description(description: &str) -> Option<Self> {
        let value: serde_json::Value = serde_json::from_str(description).ok()?;
        let object = value.as_object()?;
        let field = |name: &str| {
            let text = object.get(name)?.as_str()?.trim().to_ascii_lowercase();
            (!text.is_empty() && text.chars().count() <= MAX_METADATA_LEN).then_some(text)
        };
        let metadata =
            Self { region: field("region"), energy: field("energy"), hardware: field("hardware") };
        (metadata != Self::default()).then_some(metadata)
    }

    /// A pool description naming the pool and declaring this metadata.
    pub fn to_description(&self, name: &str) -> String {
        let mut object = serde_json::Map::new();
        object.insert("name".into(), name.into());
        for (key, value) in
            [("region", &self.region), ("energy", &self.energy), ("hardware", &self.hardware)]
        {
            if let Some(value) = value {
                object.insert(key.into(), value.as_str().into());
            }
        }
        serde_json::Value::Object(object).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions() {
        let full = PoolMetadata {
            region: Some("eu-west".into()),
            energy: Some("solar".into()),
            hardware: Some("gpu".into()),
        };
        let cases = [
            (full.to_description("pool"), Some(full.clone())),
            (
                r#"{"region":" EU-West ","extra":1}"#.to_owned(),
                Some(PoolMetadata { region: Some("eu-west".into()), ..Default::default() }),
            ),
            ("my pool".to_owned(), None),
            (r#"{"name":"x"}"#.to_owned(), None),
            (r#"{"region":5}"#.to_owned(), None),
            (format!(r#"{{"region":"{}"}}"#, "a".repeat(65)), None),
            ("[1,2]".to_owned(), None),
        ];
        for (description, expected) in cases {
            assert_eq!(PoolMetadata::from_description(&description), expected, "{description}");
        }
    }
}
