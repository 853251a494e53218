//! The HTTP API: [`router`] and its handlers (upload, download, HEAD, check, metrics).

use alloy_primitives::{Address, B256, Bytes as AlloyBytes, hex};
use axum::{
    Json, Router,
    body::Body,
    extract::{DefaultBodyLimit, Path, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use futures_util::{StreamExt, TryStreamExt};
use poco_primitives::{TaskId, TaskStatus, contribution::WorkerpoolAuthorization};
use poco_results_api::{
    CheckReport, CheckState, DEFAULT_CONTENT_TYPE, ResultLink, UploadReceipt, headers, paths,
    recover_uploader,
};
use sha2::{Digest, Sha256};
use std::{
    sync::Arc,
    time::{Duration, Instant},
};
use tower_http::trace::TraceLayer;
use tracing::{info, warn};

use crate::{
    chain::ChainReader,
    digest::archive_result_digest,
    error::ApiError,
    metrics::Metrics,
    store::{ResultRecord, ResultStore},
};

/// Longest accepted `content-type` of an upload.
const MAX_CONTENT_TYPE: usize = 255;

/// What the handlers share.
#[derive(Clone, Debug)]
pub struct AppState(Arc<Inner>);

#[derive(Debug)]
struct Inner {
    store: ResultStore,
    chain: ChainReader,
    max_size: u64,
    idle_timeout: Duration,
    metrics: Metrics,
}

impl AppState {
    /// The state of a service over `store` and `chain`, refusing archives over `max_size` bytes
    /// and bodies that stall for `idle_timeout`.
    pub fn new(
        store: ResultStore,
        chain: ChainReader,
        max_size: u64,
        idle_timeout: Duration,
    ) -> Self {
        Self(Arc::new(Inner { store, chain, max_size, idle_timeout, metrics: Metrics::new() }))
    }

    /// The store.
    pub fn store(&self) -> &ResultStore {
        &self.0.store
    }

    /// The metrics.
    pub fn metrics(&self) -> &Metrics {
        &self.0.metrics
    }
}

/// The service's routes (see `poco_results_api::paths`).
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/v1/results/{task_id}", get(download).head(head).put(upload).post(upload))
        .route("/v1/results/{task_id}/check", get(check))
        .route(paths::METRICS, get(metrics))
        .route(paths::HEALTH, get(|| async { "ok" }))
        // The upload limit is enforced while streaming (see `upload`), not by axum's buffering
        // extractors.
        .layer(DefaultBodyLimit::disable())
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

// ------------------------------------------------------------------ request parsing

fn parse_task_id(raw: &str) -> Result<TaskId, ApiError> {
    let hex_part = raw.strip_prefix("0x").ok_or_else(|| ApiError::InvalidTaskId(raw.to_owned()))?;
    if hex_part.len() != 64 {
        return Err(ApiError::InvalidTaskId(raw.to_owned()));
    }
    raw.parse::<B256>().map(TaskId).map_err(|_| ApiError::InvalidTaskId(raw.to_owned()))
}

fn header_str<'a>(map: &'a HeaderMap, name: &'static str) -> Result<Option<&'a str>, ApiError> {
    map.get(name)
        .map(|value| {
            value
                .to_str()
                .map(str::trim)
                .map_err(|_| ApiError::InvalidHeader { name, reason: "not visible ASCII" })
        })
        .transpose()
}

fn required<'a>(map: &'a HeaderMap, name: &'static str) -> Result<&'a str, ApiError> {
    header_str(map, name)?.ok_or(ApiError::MissingHeader(name))
}

fn parse_address(value: &str, name: &'static str) -> Result<Address, ApiError> {
    value.parse().map_err(|_| ApiError::InvalidHeader { name, reason: "not a 20-byte hex address" })
}

fn parse_b256(value: &str, name: &'static str) -> Result<B256, ApiError> {
    let bytes = hex::decode(value)
        .map_err(|_| ApiError::InvalidHeader { name, reason: "not 32 bytes of hex" })?;
    (bytes.len() == 32)
        .then(|| B256::from_slice(&bytes))
        .ok_or(ApiError::InvalidHeader { name, reason: "not 32 bytes of hex" })
}

fn parse_signature(value: &str, name: &'static str) -> Result<AlloyBytes, ApiError> {
    let bytes =
        hex::decode(value).map_err(|_| ApiError::InvalidHeader { name, reason: "not hex" })?;
    if !matches!(bytes.len(), 64 | 65) {
        return Err(ApiError::InvalidHeader { name, reason: "a signature is 64 or 65 bytes" });
    }
    Ok(bytes.into())
}

/// An upload request's headers, parsed.
struct UploadRequest {
    authorization: WorkerpoolAuthorization,
    worker_signature: AlloyBytes,
    sha256: B256,
    content_type: String,
    content_length: Option<u64>,
}

impl UploadRequest {
    fn parse(task_id: TaskId, map: &HeaderMap) -> Result<Self, ApiError> {
        let worker = parse_address(required(map, headers::WORKER)?, headers::WORKER)?;
        let enclave_challenge = header_str(map, headers::ENCLAVE_CHALLENGE)?
            .map(|value| parse_address(value, headers::ENCLAVE_CHALLENGE))
            .transpose()?
            .unwrap_or(Address::ZERO);
        let sign = parse_signature(required(map, headers::AUTHORIZATION)?, headers::AUTHORIZATION)?;
        let worker_signature =
            parse_signature(required(map, headers::WORKER_SIGNATURE)?, headers::WORKER_SIGNATURE)?;
        let sha256 = parse_b256(required(map, headers::ARCHIVE_SHA256)?, headers::ARCHIVE_SHA256)?;
        let content_type = match header_str(map, header::CONTENT_TYPE.as_str())? {
            Some(value) if value.len() > MAX_CONTENT_TYPE => {
                return Err(ApiError::InvalidHeader { name: "content-type", reason: "too long" });
            }
            Some(value) if !value.is_empty() => value.to_owned(),
            _ => DEFAULT_CONTENT_TYPE.to_owned(),
        };
        let content_length = header_str(map, header::CONTENT_LENGTH.as_str())?
            .map(|value| {
                value.parse::<u64>().map_err(|_| ApiError::InvalidHeader {
                    name: "content-length",
                    reason: "not a number",
                })
            })
            .transpose()?;
        Ok(Self {
            authorization: WorkerpoolAuthorization { worker, task_id, enclave_challenge, sign },
            worker_signature,
            sha256,
            content_type,
            content_length,
        })
    }
}

// ------------------------------------------------------------------ upload

/// The result of an accepted upload.
struct Accepted {
    receipt: UploadReceipt,
    new_bytes: u64,
}

#[tracing::instrument(name = "upload", skip_all, fields(task_id = %raw_task_id))]
async fn upload(
    State(state): State<AppState>,
    Path(raw_task_id): Path<String>,
    map: HeaderMap,
    body: Body,
) -> Response {
    let started = Instant::now();
    let outcome = accept_upload(&state, &raw_task_id, &map, body).await;
    let seconds = started.elapsed().as_secs_f64();
    match outcome {
        Ok(Accepted { receipt, new_bytes }) => {
            let (label, status) = if receipt.created {
                ("created", StatusCode::CREATED)
            } else {
                ("duplicate", StatusCode::OK)
            };
            state.metrics().upload(label, new_bytes, seconds);
            (status, Json(receipt)).into_response()
        }
        Err(error) => {
            state.metrics().upload(error.code().as_str(), 0, seconds);
            error.into_response()
        }
    }
}

/// Checks the request (headers, worker signature, chain authorization), then streams the body
/// into the store; nothing is left in the store unless everything holds.
async fn accept_upload(
    state: &AppState,
    raw_task_id: &str,
    map: &HeaderMap,
    body: Body,
) -> Result<Accepted, ApiError> {
    let task_id = parse_task_id(raw_task_id)?;
    let request = UploadRequest::parse(task_id, map)?;
    let limit = state.0.max_size;
    if request.content_length.is_some_and(|length| length > limit) {
        return Err(ApiError::PayloadTooLarge { limit });
    }
    let worker = request.authorization.worker;

    // (b) the worker signed this upload of these bytes for this task
    let uploader = recover_uploader(task_id, request.sha256, &request.worker_signature).ok();
    if uploader != Some(worker) {
        return Err(ApiError::BadWorkerSignature { worker });
    }

    // (a) the task is live on chain and the deal's scheduler authorized this worker on it
    let task = state.0.chain.task(task_id).await?;
    let status = TaskStatus::try_from(task.status).unwrap_or_default();
    match status {
        TaskStatus::Unset => return Err(ApiError::TaskNotFound(task_id)),
        TaskStatus::Completed | TaskStatus::Failed => {
            return Err(ApiError::TaskNotActive { task_id, status });
        }
        TaskStatus::Active | TaskStatus::Revealing => {}
    }
    let deal = state.0.chain.deal(task.dealid).await?;
    let expected =
        state.0.chain.authorization_signer(&deal, request.authorization.enclave_challenge).await?;
    if request.authorization.recover_signer().ok() != Some(expected) {
        return Err(ApiError::BadAuthorization { expected });
    }

    // one archive per task; the same one again is fine
    let store = state.store();
    if let Some(existing) = store.record(task_id).await? {
        return if existing.sha256 == request.sha256 {
            Ok(Accepted { receipt: receipt(&existing, false), new_bytes: 0 })
        } else {
            Err(ApiError::AlreadyUploaded { task_id, sha256: existing.sha256 })
        };
    }

    let (staged, size) =
        stream_into_store(store, body, limit, state.0.idle_timeout, request.sha256).await?;
    let blob_created = store.promote(&staged, request.sha256).await?;
    let record = ResultRecord {
        task_id,
        worker,
        sha256: request.sha256,
        size,
        content_type: request.content_type,
    };
    let (created, in_force) = store.create_record(&record).await?;
    if !created {
        // Another upload for this task won the race.
        if in_force.sha256 == record.sha256 {
            return Ok(Accepted { receipt: receipt(&in_force, false), new_bytes: 0 });
        }
        if blob_created {
            store.delete_blob(record.sha256).await?;
        }
        return Err(ApiError::AlreadyUploaded { task_id, sha256: in_force.sha256 });
    }
    info!(task_id = %task_id, worker = %worker, sha256 = %record.sha256, size, "Result archive stored.");
    Ok(Accepted { receipt: receipt(&record, true), new_bytes: if blob_created { size } else { 0 } })
}

/// Streams `body` into a staging object, counting and hashing; refuses (and removes the staging
/// object) past `limit` bytes, on a broken body, when no bytes come for `idle`, or when the
/// bytes are not `announced`.
async fn stream_into_store(
    store: &ResultStore,
    body: Body,
    limit: u64,
    idle: Duration,
    announced: B256,
) -> Result<(object_store::path::Path, u64), ApiError> {
    let mut staging = store.stage().await?;
    let mut stream = body.into_data_stream();
    let mut hasher = Sha256::new();
    let mut size: u64 = 0;
    let failure = loop {
        let Ok(next) = tokio::time::timeout(idle, stream.next()).await else {
            break Some(ApiError::UploadTimeout(idle));
        };
        match next {
            None => break None,
            Some(Err(error)) => break Some(ApiError::BodyRead(error)),
            Some(Ok(chunk)) => {
                size = size.saturating_add(chunk.len() as u64);
                if size > limit {
                    break Some(ApiError::PayloadTooLarge { limit });
                }
                hasher.update(&chunk);
                if let Err(error) = staging.write(chunk).await {
                    break Some(error.into());
                }
            }
        }
    };
    if let Some(error) = failure {
        if let Err(abort) = staging.abort().await {
            warn!(error = %abort, "Could not remove a refused upload's staging object.");
        }
        return Err(error);
    }
    let actual = B256::from_slice(&hasher.finalize());
    let staged = staging.finish().await?;
    if actual != announced {
        store.discard(&staged).await?;
        return Err(ApiError::ArchiveDigestMismatch { announced, actual });
    }
    Ok((staged, size))
}

fn receipt(record: &ResultRecord, created: bool) -> UploadReceipt {
    UploadReceipt {
        task_id: record.task_id,
        worker: record.worker,
        sha256: record.sha256,
        size: record.size,
        created,
        link: ResultLink::new(record.task_id, record.sha256),
    }
}

// ------------------------------------------------------------------ download

fn archive_headers(record: &ResultRecord) -> Result<HeaderMap, ApiError> {
    let mut map = HeaderMap::new();
    let sha = record.sha256.to_string();
    let value = |text: &str| {
        HeaderValue::from_str(text)
            .map_err(|_| ApiError::InvalidHeader { name: "content-type", reason: "not storable" })
    };
    map.insert(header::CONTENT_TYPE, value(&record.content_type)?);
    map.insert(header::CONTENT_LENGTH, HeaderValue::from(record.size));
    map.insert(header::ETAG, value(&format!("\"{sha}\""))?);
    map.insert(headers::ARCHIVE_SHA256, value(&sha)?);
    map.insert(headers::WORKER, value(&record.worker.to_string())?);
    Ok(map)
}

async fn find(state: &AppState, raw_task_id: &str) -> Result<ResultRecord, ApiError> {
    let task_id = parse_task_id(raw_task_id)?;
    state.store().record(task_id).await?.ok_or(ApiError::ResultNotFound(task_id))
}

#[tracing::instrument(name = "download", skip_all, fields(task_id = %raw_task_id))]
async fn download(State(state): State<AppState>, Path(raw_task_id): Path<String>) -> Response {
    let outcome = async {
        let record = find(&state, &raw_task_id).await?;
        let map = archive_headers(&record)?;
        let stream = state.store().open_blob(record.sha256).await?;
        Ok::<_, ApiError>((map, Body::from_stream(stream.map_err(std::io::Error::other))))
    }
    .await;
    match outcome {
        Ok((map, body)) => {
            state.metrics().download("GET", "ok");
            (map, body).into_response()
        }
        Err(error) => {
            state.metrics().download("GET", error.code().as_str());
            error.into_response()
        }
    }
}

#[tracing::instrument(name = "head", skip_all, fields(task_id = %raw_task_id))]
async fn head(State(state): State<AppState>, Path(raw_task_id): Path<String>) -> Response {
    let outcome = async {
        let record = find(&state, &raw_task_id).await?;
        archive_headers(&record)
    }
    .await;
    match outcome {
        Ok(map) => {
            state.metrics().download("HEAD", "ok");
            (map, Body::empty()).into_response()
        }
        Err(error) => {
            state.metrics().download("HEAD", error.code().as_str());
            error.into_response()
        }
    }
}

// ------------------------------------------------------------------ check

#[tracing::instrument(name = "check", skip_all, fields(task_id = %raw_task_id))]
async fn check(State(state): State<AppState>, Path(raw_task_id): Path<String>) -> Response {
    let outcome = async {
        let task_id = parse_task_id(&raw_task_id)?;
        check_task(&state, task_id).await
    }
    .await;
    match outcome {
        Ok(report) => Json(report).into_response(),
        Err(error) => error.into_response(),
    }
}

/// Checks `task_id`'s archive against the chain (see [`CheckState`]); final outcomes are kept in
/// the store and answered from there afterwards.
pub async fn check_task(state: &AppState, task_id: TaskId) -> Result<CheckReport, ApiError> {
    let store = state.store();
    if let Some(report) = store.check(task_id).await? {
        return Ok(report);
    }
    let record = store.record(task_id).await?;
    let task = state.0.chain.task(task_id).await?;
    let task_status = TaskStatus::try_from(task.status).unwrap_or_default();
    let mut report = CheckReport {
        task_id,
        state: CheckState::Pending,
        task_status,
        archive_sha256: record.as_ref().map(|record| record.sha256),
        archive_result_digest: None,
        onchain_result_digest: task.resultDigest,
        link_matches: None,
        detail: String::new(),
    };
    let Some(record) = record else {
        report.state = CheckState::NotUploaded;
        report.detail = "no archive stored for this task".to_owned();
        state.metrics().check(report.state.as_str());
        return Ok(report);
    };
    match task_status {
        TaskStatus::Unset | TaskStatus::Active | TaskStatus::Revealing => {
            report.detail = format!("task is {task_status}: not finalized yet");
        }
        TaskStatus::Failed => {
            report.state = CheckState::TaskFailed;
            report.detail = "task was claimed: no result was accepted".to_owned();
        }
        TaskStatus::Completed => {
            let link_matches = ResultLink::from_results(&task.results)
                .is_some_and(|link| link.names(task_id, record.sha256));
            report.link_matches = Some(link_matches);
            let archive = store.read_blob(record.sha256).await?;
            let digest =
                tokio::task::spawn_blocking(move || archive_result_digest(&archive)).await?;
            (report.state, report.detail) = match (&digest, link_matches) {
                (_, false) => (
                    CheckState::LocationMismatch,
                    "the on-chain results do not link to this archive".to_owned(),
                ),
                (Err(error), true) => (CheckState::Unverifiable, error.to_string()),
                (Ok(digest), true) if *digest == task.resultDigest => (
                    CheckState::Verified,
                    "the archive's result digest is the on-chain resultDigest".to_owned(),
                ),
                (Ok(_), true) => (
                    CheckState::DigestMismatch,
                    "the archive's result digest differs from the on-chain resultDigest".to_owned(),
                ),
            };
            report.archive_result_digest = digest.ok();
        }
    }
    if report.state.is_final() {
        store.put_check(&report).await?;
        info!(task_id = %task_id, state = report.state.as_str(), "Result archive checked.");
    }
    state.metrics().check(report.state.as_str());
    Ok(report)
}

// ------------------------------------------------------------------ metrics

async fn metrics(State(state): State<AppState>) -> Response {
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], state.metrics().render())
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_ids_are_strict() {
        let good = format!("0x{}", "ab".repeat(32));
        assert!(parse_task_id(&good).is_ok());
        for bad in [
            "",
            "0x",
            "abab",
            &"ab".repeat(32),
            &format!("0x{}", "ab".repeat(31)),
            &format!("0x{}zz", "ab".repeat(31)),
        ] {
            assert!(matches!(parse_task_id(bad), Err(ApiError::InvalidTaskId(_))), "{bad}");
        }
    }
}
