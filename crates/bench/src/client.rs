//! The benchmark's JSON-RPC client: alloy over HTTP, with a transport that asks again for a
//! receipt the node does not have yet, at once and then every millisecond, for a short while.
//!
//! anvil answers `eth_sendRawTransaction` before its miner has mined the transaction, so the
//! first `eth_getTransactionReceipt` is often `null`; the compat driver then waits 20 ms before
//! asking again, which would measure the driver's pause, not the node. With this transport every
//! client of the benchmark sees a receipt within about a millisecond of its mining, on either
//! node. (The devchain mines before it answers the send, so it never needs the retry.)

use std::{
    task::{Context, Poll},
    time::{Duration, Instant},
};

use alloy::{
    network::EthereumWallet,
    providers::{DynProvider, Provider, ProviderBuilder},
    rpc::{
        client::ClientBuilder,
        json_rpc::{RequestPacket, ResponsePacket},
    },
    signers::local::PrivateKeySigner,
    transports::{TransportError, TransportFut, http::reqwest::Url},
};
use tower::{Layer, Service};

/// How long a `null` receipt is asked for again before the caller gets it.
const RECEIPT_WAIT: Duration = Duration::from_millis(200);
/// Immediate retries before the retries every millisecond.
const EAGER_RETRIES: u32 = 3;
/// The pause between later retries.
const RETRY_PAUSE: Duration = Duration::from_millis(1);

/// Wraps a transport in [`ReceiptWait`].
#[derive(Clone, Copy, Debug, Default)]
pub struct ReceiptWaitLayer;

impl<S> Layer<S> for ReceiptWaitLayer {
    type Service = ReceiptWait<S>;

    fn layer(&self, inner: S) -> ReceiptWait<S> {
        ReceiptWait { inner }
    }
}

/// A transport that retries `eth_getTransactionReceipt` while the node answers `null` (see the
/// module docs); every other request goes through as is.
#[derive(Clone, Debug)]
pub struct ReceiptWait<S> {
    inner: S,
}

impl<S> Service<RequestPacket> for ReceiptWait<S>
where
    S: Service<
            RequestPacket,
            Response = ResponsePacket,
            Error = TransportError,
            Future = TransportFut<'static>,
        > + Clone
        + Send
        + Sync
        + 'static,
{
    type Response = ResponsePacket;
    type Error = TransportError;
    type Future = TransportFut<'static>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), TransportError>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: RequestPacket) -> TransportFut<'static> {
        let is_receipt = matches!(
            &request,
            RequestPacket::Single(single) if single.method() == "eth_getTransactionReceipt"
        );
        if !is_receipt {
            return self.inner.call(request);
        }
        let mut inner = self.inner.clone();
        Box::pin(async move {
            let deadline = Instant::now() + RECEIPT_WAIT;
            let mut attempt = 0;
            loop {
                std::future::poll_fn(|cx| inner.poll_ready(cx)).await?;
                let response = inner.call(request.clone()).await?;
                if !is_null(&response) || Instant::now() >= deadline {
                    return Ok(response);
                }
                attempt += 1;
                if attempt <= EAGER_RETRIES {
                    tokio::task::yield_now().await;
                } else {
                    tokio::time::sleep(RETRY_PAUSE).await;
                }
            }
        })
    }
}

/// Whether a single response's result is JSON `null`.
fn is_null(response: &ResponsePacket) -> bool {
    match response {
        ResponsePacket::Single(single) => {
            single.payload.as_success().is_some_and(|raw| raw.get().trim() == "null")
        }
        ResponsePacket::Batch(_) => false,
    }
}

/// A provider with no fillers: requests go to the node as given.
pub fn plain_provider(endpoint: &Url) -> DynProvider {
    let client = ClientBuilder::default().layer(ReceiptWaitLayer).http(endpoint.clone());
    ProviderBuilder::default().connect_client(client).erased()
}

/// A provider signing for `default` (the default sender) and `others`, filling gas (estimate),
/// EIP-1559 fees and nonces (read from the node for each transaction) like the compat
/// harness's.
pub fn wallet_provider(
    endpoint: &Url,
    default: &PrivateKeySigner,
    others: &[PrivateKeySigner],
    chain_id: u64,
) -> DynProvider {
    let mut wallet = EthereumWallet::from(default.clone());
    for key in others {
        wallet.register_signer(key.clone());
    }
    let client = ClientBuilder::default().layer(ReceiptWaitLayer).http(endpoint.clone());
    ProviderBuilder::default()
        .with_gas_estimation()
        .with_simple_nonce_management()
        .with_chain_id(chain_id)
        .wallet(wallet)
        .connect_client(client)
        .erased()
}
