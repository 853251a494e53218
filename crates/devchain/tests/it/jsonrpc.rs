//! The JSON-RPC envelope over raw HTTP: errors, batches, notifications, revert data.

use alloy::{primitives::hex, sol_types::SolCall};
use poco_contracts::bindings::IPoco;
use serde_json::{Value, json};

use crate::common::TestChain;

fn code(response: &Value) -> i64 {
    response["error"]["code"].as_i64().unwrap_or_else(|| panic!("no error in {response}"))
}

#[tokio::test]
async fn malformed_json_is_a_parse_error() {
    let chain = TestChain::start().await;
    let (status, response) = chain.post("{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\"").await;
    assert_eq!(status, 200);
    assert_eq!(code(&response), -32700);
    assert_eq!(response["id"], Value::Null);
    assert_eq!(response["jsonrpc"], "2.0");
}

#[tokio::test]
async fn invalid_requests() {
    let chain = TestChain::start().await;
    for body in [
        r#"{"jsonrpc":"2.0","id":1}"#,
        "42",
        "[]",
        r#"{"jsonrpc":"1.0","id":1,"method":"eth_chainId"}"#,
    ] {
        let (_, response) = chain.post(body).await;
        assert_eq!(code(&response), -32600, "{body}: {response}");
    }
}

#[tokio::test]
async fn unknown_method() {
    let chain = TestChain::start().await;
    let response = chain.rpc("eth_doesNotExist", json!([])).await;
    assert_eq!(code(&response), -32601);
    assert_eq!(response["id"], 1);
}

#[tokio::test]
async fn invalid_params() {
    let chain = TestChain::start().await;
    for (method, params) in [
        ("eth_getBalance", json!(["0xnot-an-address"])),
        ("eth_getBalance", json!([])),
        ("eth_getBlockByNumber", json!(["nope", false])),
        ("eth_call", json!("not an array")),
        ("eth_sendRawTransaction", json!(["0x"])),
    ] {
        let response = chain.rpc(method, params.clone()).await;
        assert_eq!(code(&response), -32602, "{method} {params}: {response}");
    }
}

#[tokio::test]
async fn batches_answer_each_request_in_order() {
    let chain = TestChain::start().await;
    let body = json!([
        { "jsonrpc": "2.0", "id": 1, "method": "eth_chainId" },
        { "jsonrpc": "2.0", "id": "two", "method": "nope" },
        { "jsonrpc": "2.0", "method": "eth_blockNumber" },
        { "jsonrpc": "2.0", "id": 3, "method": "eth_blockNumber", "params": [] },
        17,
    ]);
    let (status, response) = chain.post(&body.to_string()).await;
    assert_eq!(status, 200);
    let answers = response.as_array().unwrap();
    assert_eq!(answers.len(), 4, "the notification gets no answer: {response}");
    assert_eq!(answers[0], json!({ "jsonrpc": "2.0", "id": 1, "result": "0x7a69" }));
    assert_eq!((answers[1]["id"].clone(), code(&answers[1])), (json!("two"), -32601));
    assert_eq!(answers[2]["result"], "0x0");
    assert_eq!(code(&answers[3]), -32600);
}

#[tokio::test]
async fn notifications_get_no_answer() {
    let chain = TestChain::start().await;
    let (status, response) = chain.post(r#"{"jsonrpc":"2.0","method":"eth_chainId"}"#).await;
    assert_eq!(status, 204);
    assert_eq!(response, Value::Null);
}

#[tokio::test]
async fn reverted_calls_carry_the_revert_data() {
    let chain = TestChain::start().await;
    let deployment = *chain.handle.deployment().unwrap();
    let data = IPoco::withdrawCall::new((alloy::primitives::U256::from(1),)).abi_encode();
    let from = chain.account(1);
    let request =
        json!({ "from": from, "to": deployment.hub, "data": hex::encode_prefixed(&data) });
    for method in ["eth_call", "eth_estimateGas"] {
        let response = chain.rpc(method, json!([request, "latest"])).await;
        assert_eq!(code(&response), 3, "{method}: {response}");
        let data = hex::decode(response["error"]["data"].as_str().unwrap()).unwrap();
        // A custom error is named by its selector and arguments, as anvil words it.
        let message = format!(
            "execution reverted: custom error {}: {}",
            hex::encode_prefixed(&data[..4]),
            hex::encode(&data[4..])
        );
        assert_eq!(response["error"]["message"], message);
        let error = poco_contracts::decode_hub_error(&data).unwrap();
        assert!(matches!(error, IPoco::IPocoErrors::ERC20InsufficientBalance(_)), "{error:?}");
    }
}

#[tokio::test]
async fn node_methods() {
    let chain = TestChain::start().await;
    for (method, expected) in [
        ("net_version", json!("31337")),
        ("eth_chainId", json!("0x7a69")),
        ("net_listening", json!(true)),
        ("eth_syncing", json!(false)),
        ("web3_sha3", json!("0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")),
    ] {
        let params = if method == "web3_sha3" { json!(["0x"]) } else { json!([]) };
        assert_eq!(chain.rpc(method, params).await["result"], expected, "{method}");
    }
}
