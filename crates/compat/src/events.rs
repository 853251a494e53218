//! The hub's events, decoded from the `IPoco` ABI and rendered through [`Labels`], so the
//! events of one protocol compare with the other's (same names, same arguments, same order).

use alloy::{
    dyn_abi::{DynSolValue, EventExt},
    json_abi::{Event, JsonAbi},
    primitives::{B256, Log},
};
use std::{collections::HashMap, sync::LazyLock};

use crate::snapshot::{Labels, show_bytes};

/// The hub's events by topic 0, from `contracts/artifacts/IPoco.json` (our ABI, which has every
/// event of the reference's `IexecInterfaceToken` with the same signature).
static EVENTS: LazyLock<HashMap<B256, Event>> = LazyLock::new(|| {
    let path = poco_reference::workspace_root().join("contracts/artifacts/IPoco.json");
    let abi = std::fs::read_to_string(&path)
        .ok()
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
        .and_then(|artifact| serde_json::from_value::<JsonAbi>(artifact["abi"].clone()).ok())
        .unwrap_or_default();
    abi.events().map(|event| (event.selector(), event.clone())).collect()
});

fn show_value(value: &DynSolValue, labels: &Labels) -> String {
    match value {
        DynSolValue::Address(address) => labels.show_address(address),
        DynSolValue::FixedBytes(word, _) => labels.show_word(word),
        DynSolValue::Uint(value, _) => value.to_string(),
        DynSolValue::Int(value, _) => value.to_string(),
        DynSolValue::Bool(value) => value.to_string(),
        DynSolValue::Bytes(bytes) => show_bytes(&bytes.clone().into()),
        DynSolValue::String(text) => format!("{text:?}"),
        DynSolValue::Tuple(values)
        | DynSolValue::Array(values)
        | DynSolValue::FixedArray(values) => {
            let inner: Vec<String> = values.iter().map(|v| show_value(v, labels)).collect();
            format!("({})", inner.join(", "))
        }
        other => format!("{other:?}"),
    }
}

/// `Name(arg, …)` with labelled arguments in declaration order; an unknown log is shown raw.
pub fn render(log: &Log, labels: &Labels) -> String {
    let topics = log.topics();
    let Some(event) = topics.first().and_then(|topic| EVENTS.get(topic)) else {
        let words: Vec<String> = topics.iter().map(|t| labels.show_word(t)).collect();
        return format!("unknown[{}]({})", words.join(", "), log.data.data);
    };
    let Ok(decoded) = event.decode_log_parts(topics.iter().copied(), &log.data.data) else {
        return format!("{}(undecodable {})", event.name, log.data.data);
    };
    let (mut indexed, mut body) = (decoded.indexed.iter(), decoded.body.iter());
    let args: Vec<String> = event
        .inputs
        .iter()
        .filter_map(|input| if input.indexed { indexed.next() } else { body.next() })
        .map(|value| show_value(value, labels))
        .collect();
    format!("{}({})", event.name, args.join(", "))
}

/// Whether the hub's ABI was found (the renderer falls back to raw logs otherwise).
pub fn abi_loaded() -> bool {
    !EVENTS.is_empty()
}
