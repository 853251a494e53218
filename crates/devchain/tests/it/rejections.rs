//! Transactions a real node refuses, refused with geth's codes and messages; future nonces
//! queued until the gap fills.

use alloy::{
    consensus::{SignableTransaction, TxEip1559, TxEnvelope, TxLegacy},
    eips::eip2718::Encodable2718,
    primitives::{Address, Bytes, Signature, TxKind, U256, hex},
    providers::Provider,
    signers::{SignerSync, local::PrivateKeySigner},
};
use serde_json::{Value, json};

use crate::common::TestChain;

const GWEI: u128 = 1_000_000_000;

fn transfer(chain_id: u64, nonce: u64) -> TxEip1559 {
    TxEip1559 {
        chain_id,
        nonce,
        gas_limit: 21_000,
        max_fee_per_gas: 10 * GWEI,
        max_priority_fee_per_gas: GWEI,
        to: TxKind::Call(Address::repeat_byte(0x77)),
        value: U256::from(1),
        ..Default::default()
    }
}

fn sign(key: &PrivateKeySigner, tx: TxEip1559) -> Bytes {
    let signature = key.sign_hash_sync(&tx.signature_hash()).unwrap();
    TxEnvelope::from(tx.into_signed(signature)).encoded_2718().into()
}

async fn send(chain: &TestChain, raw: &Bytes) -> Value {
    chain.rpc("eth_sendRawTransaction", json!([hex::encode_prefixed(raw)])).await
}

/// The error of a response, as (code, message).
fn error(response: &Value) -> (i64, String) {
    let error = &response["error"];
    assert!(error.is_object(), "expected an error, got {response}");
    (error["code"].as_i64().unwrap(), error["message"].as_str().unwrap().to_owned())
}

fn assert_refused(response: &Value, code: i64, message: &str) {
    let (actual_code, actual_message) = error(response);
    assert_eq!(actual_code, code, "{actual_message}");
    assert!(
        actual_message.starts_with(message),
        "{actual_message:?} should start with {message:?}"
    );
}

#[tokio::test]
async fn wrong_chain_id() {
    let chain = TestChain::start().await;
    let raw = sign(&chain.key(1), transfer(1, 0));
    assert_refused(
        &send(&chain, &raw).await,
        -32000,
        "invalid chain id for signer: have 1 want 31337",
    );
}

#[tokio::test]
async fn bad_signatures() {
    let chain = TestChain::start().await;
    // r = 0 recovers no key.
    let tx = transfer(31337, 0);
    let bad = Signature::new(U256::ZERO, U256::from(1), false);
    let raw: Bytes = TxEnvelope::from(tx.into_signed(bad)).encoded_2718().into();
    assert_refused(&send(&chain, &raw).await, -32000, "invalid sender");

    // A high s (EIP-2) is refused too.
    let tx = transfer(31337, 0);
    let good = chain.key(1).sign_hash_sync(&tx.signature_hash()).unwrap();
    let order = U256::from_be_slice(&hex!(
        "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141"
    ));
    let high = Signature::new(good.r(), order - good.s(), !good.v());
    let raw: Bytes = TxEnvelope::from(tx.into_signed(high)).encoded_2718().into();
    assert_refused(&send(&chain, &raw).await, -32000, "invalid sender");

    // Garbage is not a transaction.
    assert_refused(
        &send(&chain, &Bytes::from_static(&[0x02, 0xc0])).await,
        -32602,
        "failed to decode",
    );
}

#[tokio::test]
async fn nonce_too_low_and_already_known() {
    let chain = TestChain::start().await;
    let key = chain.key(1);
    let first = sign(&key, transfer(31337, 0));
    let answer = send(&chain, &first).await;
    assert!(answer["result"].is_string(), "{answer}");
    assert_eq!(chain.block_number().await, 1);

    assert_refused(&send(&chain, &first).await, -32000, "already known");
    let mut again = transfer(31337, 0);
    again.value = U256::from(2);
    let address = key.address();
    assert_refused(
        &send(&chain, &sign(&key, again)).await,
        -32000,
        &format!("nonce too low: address {address}, tx: 0 state: 1"),
    );
}

#[tokio::test]
async fn insufficient_funds() {
    let chain = TestChain::start().await;
    let poor = PrivateKeySigner::random();
    let raw = sign(&poor, transfer(31337, 0));
    assert_refused(&send(&chain, &raw).await, -32000, "insufficient funds for gas * price + value");

    // Enough for the value, not for the gas.
    chain.rpc("anvil_setBalance", json!([poor.address(), "0x1"])).await;
    assert_refused(&send(&chain, &raw).await, -32000, "insufficient funds for gas * price + value");
}

#[tokio::test]
async fn gas_and_fee_checks() {
    let chain = TestChain::start().await;
    let key = chain.key(1);

    let mut low_gas = transfer(31337, 0);
    low_gas.gas_limit = 20_000;
    assert_refused(&send(&chain, &sign(&key, low_gas)).await, -32000, "intrinsic gas too low");

    let mut huge_gas = transfer(31337, 0);
    huge_gas.gas_limit = 31_000_000;
    assert_refused(&send(&chain, &sign(&key, huge_gas)).await, -32000, "exceeds block gas limit");

    let mut cheap = transfer(31337, 0);
    cheap.max_fee_per_gas = 1;
    cheap.max_priority_fee_per_gas = 1;
    assert_refused(
        &send(&chain, &sign(&key, cheap)).await,
        -32000,
        "max fee per gas less than block base fee",
    );

    let mut tip_above_cap = transfer(31337, 0);
    tip_above_cap.max_priority_fee_per_gas = 11 * GWEI;
    assert_refused(
        &send(&chain, &sign(&key, tip_above_cap)).await,
        -32000,
        "max priority fee per gas higher than max fee per gas",
    );
    assert_eq!(chain.block_number().await, 0, "nothing was mined");
}

#[tokio::test]
async fn pre_eip155_legacy_transactions_are_accepted() {
    let chain = TestChain::start().await;
    let key = chain.key(3);
    let tx = TxLegacy {
        chain_id: None,
        nonce: 0,
        gas_price: 10 * GWEI,
        gas_limit: 21_000,
        to: TxKind::Call(Address::repeat_byte(0x55)),
        value: U256::from(9),
        input: Bytes::new(),
    };
    let signature = key.sign_hash_sync(&tx.signature_hash()).unwrap();
    let raw: Bytes = TxEnvelope::from(tx.into_signed(signature)).encoded_2718().into();
    let answer = send(&chain, &raw).await;
    assert!(answer["result"].is_string(), "{answer}");
    assert_eq!(
        chain.provider.get_balance(Address::repeat_byte(0x55)).await.unwrap(),
        U256::from(9)
    );
}

#[tokio::test]
async fn future_nonces_wait_for_the_gap() {
    let chain = TestChain::start().await;
    let key = chain.key(2);
    let later = sign(&key, transfer(31337, 1));
    let answer = send(&chain, &later).await;
    let hash: alloy::primitives::B256 = serde_json::from_value(answer["result"].clone()).unwrap();
    assert_eq!(chain.block_number().await, 0, "queued, not mined");
    let pending = chain.provider.get_transaction_by_hash(hash).await.unwrap().unwrap();
    assert_eq!(pending.block_number, None);
    assert!(chain.provider.get_transaction_receipt(hash).await.unwrap().is_none());

    let first = sign(&key, transfer(31337, 0));
    assert!(send(&chain, &first).await["result"].is_string());
    assert_eq!(chain.block_number().await, 2, "both mined, one block each");
    let receipt = chain.provider.get_transaction_receipt(hash).await.unwrap().unwrap();
    assert_eq!(receipt.block_number, Some(2));
    assert_eq!(chain.provider.get_transaction_count(key.address()).await.unwrap(), 2);
}
