use crate::OrPanic;
use alloy::{
    network::TransactionBuilder,
    primitives::{Bytes, address},
    providers::Provider,
    rpc::types::TransactionRequest,
};
use poco_reference::{Anvil, DEFAULT_CHAIN_ID};
use std::path::Path;

#[tokio::test]
async fn anvil_starts_with_dev_keys_and_is_killed_on_drop() {
    let anvil = Anvil::spawn().await.or_panic("starting anvil");
    assert_eq!(anvil.chain_id(), DEFAULT_CHAIN_ID);
    assert_eq!(anvil.keys().len(), 20);
    // The standard `test test … junk` accounts.
    assert_eq!(anvil.addresses()[0], address!("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"));
    assert_eq!(anvil.addresses()[1], address!("0x70997970C51812dc3A010C7d01b50e0d17dc79C8"));

    let provider = anvil.provider(0);
    assert_eq!(provider.get_chain_id().await.or_panic("eth_chainId"), DEFAULT_CHAIN_ID);
    let accounts = provider.get_accounts().await.or_panic("eth_accounts");
    assert_eq!(accounts, anvil.addresses(), "anvil's accounts are the derived keys'");

    let pid = anvil.pid();
    let proc = format!("/proc/{pid}");
    assert!(Path::new(&proc).exists());
    drop(anvil);
    assert!(!Path::new(&proc).exists(), "anvil (pid {pid}) still running after drop");
}

#[tokio::test]
async fn anvil_keeps_the_eip170_code_size_limit() {
    let anvil = Anvil::spawn().await.or_panic("starting anvil");
    let provider = anvil.provider(0);
    // Init code returning `size` zero bytes of memory: PUSH2 size, PUSH1 0, RETURN.
    let deploy = async |size: u16| {
        let [hi, lo] = size.to_be_bytes();
        let code = Bytes::from(vec![0x61, hi, lo, 0x60, 0x00, 0xf3]);
        let request =
            TransactionRequest::default().with_deploy_code(code).with_gas_limit(10_000_000);
        let receipt = provider
            .send_transaction(request)
            .await
            .or_panic("sending")
            .get_receipt()
            .await
            .or_panic("receipt");
        receipt.status()
    };
    assert!(deploy(24_576).await, "24 KiB of code must deploy");
    assert!(!deploy(24_577).await, "24 KiB + 1 must not deploy: the limit is on");
}

#[tokio::test]
async fn a_missing_anvil_says_how_to_install_it() {
    let error =
        Anvil::builder().with_binary("/nonexistent/anvil-native").spawn().await.unwrap_err();
    assert!(matches!(error, poco_reference::Error::ToolMissing(_)));
    assert!(error.to_string().contains("npm run setup"), "{error}");
}
