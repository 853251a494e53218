//! Retries of transient RPC errors, as a tower layer under every request of a
//! [`crate::ChainClient`] (reads, contract views, sends), with a timeout per attempt.
//!
//! Replaying a request is safe for every method this crate uses: reads are idempotent, and
//! `eth_sendRawTransaction` resends the same signed bytes, whose possible outcomes ("already
//! known", "nonce too low" because the first attempt landed) the transaction manager resolves by
//! looking the transaction up by hash.

use crate::config::RetryConfig;
use alloy::{
    rpc::json_rpc::{RequestPacket, ResponsePacket},
    transports::{TransportError, TransportErrorKind, TransportFut},
};
use std::{
    error::Error as StdError,
    io,
    task::{Context, Poll},
    time::Duration,
};
use tower::{Layer, Service};
use tracing::{debug, warn};

/// A request attempt that took longer than the configured request timeout.
#[derive(Debug, thiserror::Error)]
#[error("request timed out after {0:?}")]
pub struct RequestTimedOut(pub Duration);

/// Whether an RPC error is transient: worth retrying the same request.
///
/// Transient: connection refused, reset or closed; timeouts; HTTP 429 and 5xx; rate-limit
/// JSON-RPC errors (-32005, 429, …); a closed websocket backend. Never transient: reverts and
/// every other answer of the node.
pub fn is_transient(error: &TransportError) -> bool {
    match error {
        TransportError::Transport(kind) => match kind {
            TransportErrorKind::HttpError(http) => http.status == 429 || http.status >= 500,
            TransportErrorKind::HttpErrorWithRetryAfter { .. }
            | TransportErrorKind::BackendGone
            | TransportErrorKind::MissingBatchResponse(_) => true,
            TransportErrorKind::Custom(custom) => is_transient_source(custom.as_ref()),
            _ => false,
        },
        TransportError::ErrorResp(payload) => payload.is_retry_err(),
        _ => false,
    }
}

/// Walks an error's source chain looking for a timeout or a connection failure.
fn is_transient_source(error: &(dyn StdError + 'static)) -> bool {
    let mut current = Some(error);
    while let Some(error) = current {
        if error.is::<RequestTimedOut>() {
            return true;
        }
        if let Some(reqwest) = error.downcast_ref::<alloy::transports::http::reqwest::Error>()
            && (reqwest.is_connect() || reqwest.is_timeout() || reqwest.is_request())
        {
            return true;
        }
        if let Some(io) = error.downcast_ref::<io::Error>()
            && matches!(
                io.kind(),
                io::ErrorKind::ConnectionRefused
                    | io::ErrorKind::ConnectionReset
                    | io::ErrorKind::ConnectionAborted
                    | io::ErrorKind::NotConnected
                    | io::ErrorKind::BrokenPipe
                    | io::ErrorKind::TimedOut
                    | io::ErrorKind::UnexpectedEof
            )
        {
            return true;
        }
        if error.to_string().contains("429 Too Many Requests") {
            return true;
        }
        current = error.source();
    }
    false
}

/// The tower layer: a timeout per attempt, and retries with exponential backoff.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RetryLayer {
    retry: RetryConfig,
    request_timeout: Duration,
}

impl RetryLayer {
    pub(crate) const fn new(retry: RetryConfig, request_timeout: Duration) -> Self {
        Self { retry, request_timeout }
    }
}

impl<S> Layer<S> for RetryLayer {
    type Service = RetryService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RetryService { inner, retry: self.retry, request_timeout: self.request_timeout }
    }
}

/// The service of [`RetryLayer`].
#[derive(Clone, Debug)]
pub(crate) struct RetryService<S> {
    inner: S,
    retry: RetryConfig,
    request_timeout: Duration,
}

impl<S> Service<RequestPacket> for RetryService<S>
where
    S: Service<RequestPacket, Response = ResponsePacket, Error = TransportError>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
{
    type Response = ResponsePacket;
    type Error = TransportError;
    type Future = TransportFut<'static>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: RequestPacket) -> Self::Future {
        // The clone that was polled ready serves the first attempt (tower's contract).
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let retry = self.retry;
        let request_timeout = self.request_timeout;
        Box::pin(async move {
            let mut attempt = 0u32;
            loop {
                let error = match tokio::time::timeout(request_timeout, inner.call(request.clone()))
                    .await
                {
                    Ok(Ok(response)) => match response.as_error() {
                        Some(payload) if payload.is_retry_err() => {
                            TransportError::ErrorResp(payload.clone())
                        }
                        _ => return Ok(response),
                    },
                    Ok(Err(error)) => error,
                    Err(_elapsed) => TransportErrorKind::custom(RequestTimedOut(request_timeout)),
                };
                let method = request.method_names().next().unwrap_or("?").to_owned();
                if attempt >= retry.max_retries || !is_transient(&error) {
                    if attempt > 0 {
                        warn!(%method, attempts = attempt + 1, %error, "RPC request failed after retries.");
                    }
                    return Err(error);
                }
                let backoff = retry.backoff(attempt);
                debug!(%method, attempt, backoff_ms = backoff.as_millis() as u64, %error, "Transient RPC error, retrying.");
                tokio::time::sleep(backoff).await;
                attempt += 1;
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy::{rpc::json_rpc::ErrorPayload, transports::HttpError};

    fn payload(code: i64, message: &str) -> TransportError {
        TransportError::ErrorResp(ErrorPayload {
            code,
            message: message.to_owned().into(),
            data: None,
        })
    }

    #[test]
    fn classification() {
        let http =
            |status| TransportErrorKind::HttpError(HttpError { status, body: String::new() });
        let table: [(TransportError, bool); 10] = [
            (payload(3, "execution reverted"), false),
            (payload(-32000, "nonce too low"), false),
            (payload(-32005, "limit exceeded"), true),
            (payload(429, "too many requests"), true),
            (TransportError::Transport(http(503)), true),
            (TransportError::Transport(http(429)), true),
            (TransportError::Transport(http(400)), false),
            (TransportError::Transport(TransportErrorKind::BackendGone), true),
            (TransportErrorKind::custom(RequestTimedOut(Duration::from_secs(1))), true),
            (TransportErrorKind::custom(io::Error::from(io::ErrorKind::ConnectionRefused)), true),
        ];
        for (error, transient) in table {
            assert_eq!(is_transient(&error), transient, "{error}");
        }
        assert!(!is_transient(&TransportErrorKind::custom(io::Error::other("no"))));
    }
}
