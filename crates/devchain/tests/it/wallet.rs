//! The dev accounts as a node wallet: eth_sendTransaction, eth_sign, personal_sign,
//! eth_signTypedData_v4.

use alloy::{
    dyn_abi::TypedData,
    primitives::{Address, B256, Bytes, Signature, U256, hex},
    providers::Provider,
};
use serde_json::{Value, json};

use crate::common::TestChain;

fn result<T: serde::de::DeserializeOwned>(mut response: Value) -> T {
    assert!(response.get("error").is_none(), "{response}");
    serde_json::from_value(response["result"].take()).unwrap()
}

#[tokio::test]
async fn send_transaction_fills_and_signs() {
    let chain = TestChain::start().await;
    let (from, to) = (chain.account(1), Address::repeat_byte(0x21));
    let hash: B256 = result(
        chain
            .rpc("eth_sendTransaction", json!([{ "from": from, "to": to, "value": "0x64" }]))
            .await,
    );
    let receipt = chain.provider.get_transaction_receipt(hash).await.unwrap().unwrap();
    assert!(receipt.status());
    assert_eq!(receipt.from, from);
    assert_eq!(chain.provider.get_balance(to).await.unwrap(), U256::from(100));

    // A deployment (no `to`), then a legacy one with a gas price.
    let code = "0x600a600c600039600a6000f3602a60005260206000f3";
    let hash: B256 =
        result(chain.rpc("eth_sendTransaction", json!([{ "from": from, "data": code }])).await);
    let receipt = chain.provider.get_transaction_receipt(hash).await.unwrap().unwrap();
    let created = receipt.contract_address.unwrap();
    assert_eq!(created, from.create(1));
    assert!(!chain.provider.get_code_at(created).await.unwrap().is_empty());
    let gas_price = chain.provider.get_gas_price().await.unwrap();
    let legacy = json!([{ "from": from, "to": to, "gasPrice": format!("{gas_price:#x}") }]);
    let hash: B256 = result(chain.rpc("eth_sendTransaction", legacy).await);
    let receipt = chain.provider.get_transaction_receipt(hash).await.unwrap().unwrap();
    assert_eq!(receipt.inner.tx_type(), alloy::consensus::TxType::Legacy);

    // eth_signTransaction signs without sending.
    let raw: Bytes =
        result(chain.rpc("eth_signTransaction", json!([{ "from": from, "to": to }])).await);
    let before = chain.block_number().await;
    let hash = chain.provider.send_raw_transaction(&raw).await.unwrap().watch().await.unwrap();
    assert_eq!(chain.block_number().await, before + 1);
    assert!(chain.provider.get_transaction_receipt(hash).await.unwrap().is_some());

    let unknown = chain
        .rpc("eth_sendTransaction", json!([{ "from": Address::repeat_byte(1), "to": to }]))
        .await;
    assert_eq!(unknown["error"]["code"], -32000);
    assert_eq!(unknown["error"]["message"], "unknown account");
}

#[tokio::test]
async fn sign_messages() {
    let chain = TestChain::start().await;
    let account = chain.account(2);
    let message = b"hello poco";
    for (method, params) in [
        ("eth_sign", json!([account, hex::encode_prefixed(message)])),
        ("personal_sign", json!([hex::encode_prefixed(message), account])),
    ] {
        let signature: Bytes = result(chain.rpc(method, params).await);
        assert_eq!(signature.len(), 65);
        assert!(matches!(signature[64], 27 | 28), "v is 27 or 28");
        let signature = Signature::try_from(signature.as_ref()).unwrap();
        assert_eq!(signature.recover_address_from_msg(message).unwrap(), account, "{method}");
    }
}

#[tokio::test]
async fn sign_typed_data_v4() {
    let chain = TestChain::start().await;
    let account = chain.account(3);
    let typed = json!({
        "types": {
            "EIP712Domain": [
                { "name": "name", "type": "string" },
                { "name": "version", "type": "string" },
                { "name": "chainId", "type": "uint256" },
                { "name": "verifyingContract", "type": "address" }
            ],
            "Person": [{ "name": "name", "type": "string" }, { "name": "wallet", "type": "address" }],
            "Mail": [
                { "name": "from", "type": "Person" },
                { "name": "to", "type": "Person" },
                { "name": "contents", "type": "string" }
            ]
        },
        "primaryType": "Mail",
        "domain": {
            "name": "Ether Mail",
            "version": "1",
            "chainId": 1,
            "verifyingContract": "0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC"
        },
        "message": {
            "from": { "name": "Cow", "wallet": "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826" },
            "to": { "name": "Bob", "wallet": "0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB" },
            "contents": "Hello, Bob!"
        }
    });
    let hash = serde_json::from_value::<TypedData>(typed.clone()).unwrap().eip712_signing_hash();
    let hash = hash.unwrap();
    // The EIP-712 example's signing hash.
    assert_eq!(
        hash,
        alloy::primitives::b256!(
            "be609aee343fb3c4b28e1df9e632fca64fcfaede20f02e86244efddf30957bd2"
        )
    );
    // As an object, and as a JSON string (what some wallets' clients send).
    for data in [typed.clone(), Value::String(typed.to_string())] {
        let signature: Bytes =
            result(chain.rpc("eth_signTypedData_v4", json!([account, data])).await);
        let signature = Signature::try_from(signature.as_ref()).unwrap();
        assert_eq!(signature.recover_address_from_prehash(&hash).unwrap(), account);
    }
}
