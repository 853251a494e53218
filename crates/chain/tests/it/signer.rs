//! Signers from a keystore (Web3 Secret Storage) or a key file.

use crate::{Node, OrPanic, connect};
use alloy::{
    network::TransactionBuilder,
    primitives::{B256, U256},
    rpc::types::TransactionRequest,
};
use poco_chain::{
    PrivateKeySigner, SignerError, SignerSource, TxConfig, TxManager, write_keystore,
};

fn known_signer() -> PrivateKeySigner {
    PrivateKeySigner::from_bytes(&B256::repeat_byte(0x42)).unwrap()
}

#[tokio::test]
async fn keystore_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let signer = known_signer();
    let path = write_keystore(dir.path(), &signer, "correct horse", Some("worker.json"))
        .await
        .or_panic("writing the keystore");
    assert_eq!(path, dir.path().join("worker.json"));
    let password_file = dir.path().join("password");
    std::fs::write(&password_file, "correct horse\n").unwrap();

    // As a service config would give it.
    let json = serde_json::json!({
        "kind": "keystore", "path": path, "password_file": password_file,
    });
    let source: SignerSource = serde_json::from_value(json).unwrap();
    let loaded = source.load().await.or_panic("loading the keystore");
    assert_eq!(loaded.address(), signer.address());

    std::fs::write(&password_file, "wrong horse").unwrap();
    let error = source.load().await.unwrap_err();
    assert!(matches!(error, SignerError::Keystore { .. }), "{error:?}");

    std::fs::write(&password_file, "\n").unwrap();
    let error = source.load().await.unwrap_err();
    assert!(matches!(error, SignerError::EmptyPassword { .. }), "{error:?}");
}

#[tokio::test]
async fn key_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("key");
    let signer = known_signer();
    std::fs::write(&path, format!("  0x{}\n", alloy::hex::encode(signer.to_bytes()))).unwrap();
    let source = SignerSource::KeyFile { path: path.clone() };
    assert_eq!(source.load().await.or_panic("key file").address(), signer.address());

    std::fs::write(&path, "not-a-key-but-maybe-a-secret").unwrap();
    let error = source.load().await.unwrap_err();
    assert!(matches!(error, SignerError::InvalidKey { .. }));
    assert!(!format!("{error} {error:?}").contains("maybe-a-secret"), "the content leaked");

    let missing = SignerSource::KeyFile { path: dir.path().join("missing") };
    assert!(matches!(missing.load().await.unwrap_err(), SignerError::Read { .. }));
}

async fn a_keystore_signer_sends_transactions(node: &Node) {
    let client = connect(node).await;
    let dir = tempfile::tempdir().unwrap();
    let path = write_keystore(dir.path(), &known_signer(), "pw", None).await.or_panic("write");
    let password_file = dir.path().join("password");
    std::fs::write(&password_file, "pw").unwrap();
    let signer = SignerSource::Keystore { path, password_file }.load().await.or_panic("load");

    let funder = crate::manager(&client, node, 0);
    let fund = TransactionRequest::default()
        .with_to(signer.address())
        .with_value(U256::from(10u64.pow(18)));
    funder.send(fund).await.or_panic("funding");

    let manager = TxManager::new(client.clone(), signer, TxConfig::default());
    let back = TransactionRequest::default().with_to(node.addresses()[0]).with_value(U256::from(1));
    let landed = manager.send(back).await.or_panic("sending from the keystore's key");
    assert_eq!(landed.nonce, 0);
    assert_eq!(landed.receipt.from, manager.address());
}

crate::on_both!(a_keystore_signer_sends_transactions);
