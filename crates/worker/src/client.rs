//! [`SchedulerClient`]: the worker's side of the scheduler protocol
//! (`docs/design/scheduler-protocol.md`) over HTTP, with its session: challenge, signed login,
//! registration, and a new login whenever the scheduler says the session is gone
//! (`TOKEN_EXPIRED`, `WORKER_LOST`, …).

use crate::error::ClientError;
use futures_util::StreamExt;
use poco_chain::PrivateKeySigner;
use poco_primitives::TaskId;
use poco_scheduler_api::{
    AppLogs, Assignment, Challenge, ErrorBody, Heartbeat, HeartbeatAck, NextAction, PoolConfig,
    PushMessage, Registration, ReplicateReport, Session, paths,
};
use reqwest::{Method, StatusCode};
use serde::{Serialize, de::DeserializeOwned};
use std::{sync::Arc, time::Duration};
use tokio::sync::{Mutex, mpsc};
use tracing::{debug, info, warn};
use url::Url;

/// A client of one scheduler, logged in as one worker. Cheap to clone.
#[derive(Clone, Debug)]
pub struct SchedulerClient {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    http: reqwest::Client,
    base: Url,
    signer: PrivateKeySigner,
    registration: Registration,
    timeout: Duration,
    /// The bearer token, `None` before the first login.
    token: Mutex<Option<String>>,
    /// The pool's configuration, as last read.
    pool: Mutex<Option<PoolConfig>>,
}

// === impl SchedulerClient ===

impl SchedulerClient {
    /// A client of the scheduler at `base` for `signer`'s worker, which declares `registration`.
    pub fn new(
        base: Url,
        signer: PrivateKeySigner,
        registration: Registration,
        timeout: Duration,
    ) -> Result<Self, ClientError> {
        let http = reqwest::Client::builder().build()?;
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                base,
                signer,
                registration,
                timeout,
                token: Mutex::new(None),
                pool: Mutex::new(None),
            }),
        })
    }

    fn url(&self, path: &str) -> Result<Url, ClientError> {
        self.inner.base.join(path).map_err(|e| ClientError::Unexpected(format!("{path}: {e}")))
    }

    /// The pool's configuration as last read (after [`Self::connect`]).
    pub async fn pool(&self) -> Option<PoolConfig> {
        self.inner.pool.lock().await.clone()
    }

    /// Logs in (challenge, signature, session) and registers; keeps the pool configuration.
    pub async fn connect(&self) -> Result<PoolConfig, ClientError> {
        let worker = self.inner.signer.address();
        let mut url = self.url(paths::CHALLENGE)?;
        url.query_pairs_mut().append_pair("worker", &worker.to_string());
        let challenge: Challenge =
            decode(self.inner.http.get(url).timeout(self.inner.timeout).send().await?).await?;
        let login = challenge.sign(&self.inner.signer)?;
        let session: Session = decode(
            self.inner
                .http
                .post(self.url(paths::LOGIN)?)
                .timeout(self.inner.timeout)
                .json(&login)
                .send()
                .await?,
        )
        .await?;
        *self.inner.token.lock().await = Some(session.token.clone());
        let pool: PoolConfig = decode(
            self.inner
                .http
                .post(self.url(paths::REGISTER)?)
                .bearer_auth(&session.token)
                .timeout(self.inner.timeout)
                .json(&self.inner.registration)
                .send()
                .await?,
        )
        .await?;
        info!(%worker, workerpool = %pool.workerpool, chain_id = pool.chain_id, "Logged in and registered.");
        *self.inner.pool.lock().await = Some(pool.clone());
        Ok(pool)
    }

    /// Re-reads the pool's public configuration.
    pub async fn refresh_config(&self) -> Result<PoolConfig, ClientError> {
        let pool: PoolConfig = decode(
            self.inner
                .http
                .get(self.url(paths::CONFIG)?)
                .timeout(self.inner.timeout)
                .send()
                .await?,
        )
        .await?;
        *self.inner.pool.lock().await = Some(pool.clone());
        Ok(pool)
    }

    /// Sends an authenticated request; when the session is gone, logs in again and retries
    /// once. `None` for a 204.
    async fn authed<B: Serialize, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
        timeout: Duration,
    ) -> Result<Option<T>, ClientError> {
        let mut relogged = false;
        loop {
            let token = self.inner.token.lock().await.clone();
            let token = match token {
                Some(token) => token,
                None => {
                    self.connect().await?;
                    relogged = true;
                    continue;
                }
            };
            let mut request = self
                .inner
                .http
                .request(method.clone(), self.url(path)?)
                .bearer_auth(token)
                .timeout(timeout);
            if let Some(body) = body {
                request = request.json(body);
            }
            let response = request.send().await?;
            if response.status() == StatusCode::NO_CONTENT {
                return Ok(None);
            }
            match decode(response).await {
                Ok(value) => return Ok(Some(value)),
                Err(error) if error.needs_login() && !relogged => {
                    warn!(%error, "Session gone; logging in again.");
                    *self.inner.token.lock().await = None;
                    self.connect().await?;
                    relogged = true;
                }
                Err(error) => return Err(error),
            }
        }
    }

    /// `POST /v1/workers/heartbeat`.
    pub async fn heartbeat(&self, running: Vec<TaskId>) -> Result<HeartbeatAck, ClientError> {
        self.authed(
            Method::POST,
            paths::HEARTBEAT,
            Some(&Heartbeat { running }),
            self.inner.timeout,
        )
        .await?
        .ok_or_else(|| ClientError::Unexpected("an empty heartbeat answer".to_owned()))
    }

    /// `GET /v1/work?waitMs=`: an assignment, or `None` when nothing came up.
    pub async fn work(&self, wait_ms: u64) -> Result<Option<Assignment>, ClientError> {
        let path = format!("{}?waitMs={wait_ms}", paths::WORK);
        let timeout = self.inner.timeout + Duration::from_millis(wait_ms);
        self.authed::<(), Assignment>(Method::GET, &path, None, timeout).await
    }

    /// `POST /v1/replicates/{taskId}/status`: one report; the answer is what to do next.
    pub async fn report(
        &self,
        task_id: TaskId,
        report: &ReplicateReport,
    ) -> Result<NextAction, ClientError> {
        let path = paths::REPLICATE_STATUS.replace("{task_id}", &task_id.to_string());
        debug!(%task_id, ?report, "Reporting.");
        self.authed(Method::POST, &path, Some(report), self.inner.timeout)
            .await?
            .ok_or_else(|| ClientError::Unexpected("an empty report answer".to_owned()))
    }

    /// `PUT /v1/replicates/{taskId}/logs`.
    pub async fn logs(&self, task_id: TaskId, logs: &AppLogs) -> Result<(), ClientError> {
        let path = paths::REPLICATE_LOGS.replace("{task_id}", &task_id.to_string());
        self.authed::<_, serde_json::Value>(Method::PUT, &path, Some(logs), self.inner.timeout)
            .await
            .map(drop)
    }

    /// Opens the push channel (`GET /v1/workers/events`) and forwards its messages to `sink`
    /// until the stream ends or `sink` is closed. Returns how many messages came through.
    pub async fn events(&self, sink: &mpsc::Sender<PushMessage>) -> Result<usize, ClientError> {
        let mut relogged = false;
        let response = loop {
            let token = self.inner.token.lock().await.clone();
            let Some(token) = token else {
                self.connect().await?;
                relogged = true;
                continue;
            };
            let response = self
                .inner
                .http
                .get(self.url(paths::EVENTS)?)
                .bearer_auth(token)
                .header("accept", "text/event-stream")
                .send()
                .await?;
            if response.status().is_success() {
                break response;
            }
            let error = error_of(response).await;
            if error.needs_login() && !relogged {
                *self.inner.token.lock().await = None;
                self.connect().await?;
                relogged = true;
                continue;
            }
            return Err(error);
        };
        let mut stream = response.bytes_stream();
        let mut parser = SseParser::default();
        let mut delivered = 0;
        while let Some(chunk) = stream.next().await {
            for data in parser.push(&chunk?) {
                match serde_json::from_str::<PushMessage>(&data) {
                    Ok(message) => {
                        delivered += 1;
                        if sink.send(message).await.is_err() {
                            return Ok(delivered);
                        }
                    }
                    Err(error) => warn!(%error, data, "Unreadable push message; skipped."),
                }
            }
        }
        Ok(delivered)
    }
}

/// Reads a JSON answer, or the error body of a refusal.
async fn decode<T: DeserializeOwned>(response: reqwest::Response) -> Result<T, ClientError> {
    if !response.status().is_success() {
        return Err(error_of(response).await);
    }
    let bytes = response.bytes().await?;
    serde_json::from_slice(&bytes).map_err(|e| ClientError::Unexpected(e.to_string()))
}

async fn error_of(response: reqwest::Response) -> ClientError {
    let status = response.status().as_u16();
    let bytes = response.bytes().await.unwrap_or_default();
    match serde_json::from_slice::<ErrorBody>(&bytes) {
        Ok(body) => ClientError::Api { status, code: Some(body.code), message: body.message },
        Err(_) => ClientError::Api {
            status,
            code: None,
            message: String::from_utf8_lossy(&bytes).chars().take(512).collect(),
        },
    }
}

/// A server-sent-events parser: bytes in, the `data` of each complete event out.
#[derive(Debug, Default)]
pub(crate) struct SseParser {
    buffer: String,
    data: Vec<String>,
}

impl SseParser {
    pub(crate) fn push(&mut self, bytes: &[u8]) -> Vec<String> {
        self.buffer.push_str(&String::from_utf8_lossy(bytes));
        let mut events = Vec::new();
        while let Some(end) = self.buffer.find('\n') {
            let line: String = self.buffer.drain(..=end).collect();
            let line = line.trim_end_matches(['\n', '\r']);
            if line.is_empty() {
                if !self.data.is_empty() {
                    events.push(self.data.join("\n"));
                    self.data.clear();
                }
            } else if let Some(value) = line.strip_prefix("data:") {
                self.data.push(value.strip_prefix(' ').unwrap_or(value).to_owned());
            }
            // `event:`, `id:`, `retry:` and comments carry nothing the worker needs.
        }
        events
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sse_events_are_split_on_blank_lines_across_chunks() {
        let mut parser = SseParser::default();
        assert!(parser.push(b": keep-alive\n\nevent: REVEAL\ndata: {\"a\"").is_empty());
        assert_eq!(parser.push(b":1}\n\ndata: x\r\ndata: y\r\n\r\n"), ["{\"a\":1}", "x\ny"]);
        assert!(parser.push(b"data: partial\n").is_empty());
        assert_eq!(parser.push(b"\n"), ["partial"]);
    }
}
