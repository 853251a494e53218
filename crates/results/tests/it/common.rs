//! A devchain with a deal, a results service over it, and an HTTP client that uploads like a
//! worker does.

use alloy::providers::Provider;
use alloy_primitives::{Address, B256, Bytes};
use poco_chain::{ChainConfig, PrivateKeySigner};
use poco_compat::{Actors, Driver, Protocol, Role, harness::dev_provider};
use poco_devchain::{DevChainConfig, DevChainHandle};
use poco_primitives::{TaskId, contribution::WorkerpoolAuthorization};
use poco_results::{ResultsConfig, ResultsHandle, StoreConfig, sha256};
use poco_results_api::{ErrorBody, ErrorCode, UploadHeaders, headers};
use std::path::{Path, PathBuf};

/// The size limit of the services under test.
pub const MAX_SIZE: u64 = 64 * 1024;

pub const W0: Role = Role::Worker(0);
pub const W1: Role = Role::Worker(1);

pub struct Env {
    pub chain: DevChainHandle,
    pub driver: Driver,
    pub results: ResultsHandle,
    pub store_dir: tempfile::TempDir,
    pub http: reqwest::Client,
}

impl Env {
    /// A devchain, the driver's actors funded with their assets created, and a results service
    /// that checks only on request.
    pub async fn start() -> Self {
        Self::start_with(None).await
    }

    /// The same, with background checks every `check_interval`.
    pub async fn start_with(check_interval: Option<std::time::Duration>) -> Self {
        Self::start_inner(check_interval, MAX_SIZE, poco_results::DEFAULT_IDLE_TIMEOUT).await
    }

    /// A service with every knob given.
    pub async fn start_inner(
        check_interval: Option<std::time::Duration>,
        max_size: u64,
        idle_timeout: std::time::Duration,
    ) -> Self {
        let chain = poco_devchain::spawn(DevChainConfig::test().with_accounts(14))
            .await
            .expect("the devchain starts");
        let keys: Vec<_> = chain.dev_accounts().iter().map(|a| a.signer.clone()).collect();
        let url: reqwest::Url = chain.http_endpoint().parse().unwrap();
        let provider = Provider::erased(dev_provider(url.clone(), &keys, chain.chain_id()));
        let deployment = *chain.deployment().unwrap();
        let mut driver =
            Driver::new(provider, Protocol::poco(&deployment), Actors::new(&keys), "results");
        driver.setup().await.unwrap();
        let store_dir = tempfile::tempdir().unwrap();
        let config = ResultsConfig::new(
            StoreConfig::Local { root: store_dir.path().join("store") },
            ChainConfig::new(url, chain.chain_id()),
            deployment.hub,
        )
        .with_listen("127.0.0.1:0".parse().unwrap())
        .with_max_size(max_size)
        .with_check_interval(check_interval)
        .with_idle_timeout(idle_timeout);
        let results = poco_results::spawn(config).await.expect("the results service starts");
        Self { chain, driver, results, store_dir, http: reqwest::Client::new() }
    }

    /// A new deal of `volume` tasks at trust 1, its task `idx` initialized.
    pub async fn task(&mut self) -> TaskId {
        let orders = self.driver.market(1, 1).unwrap();
        let deal = self.driver.match_orders(&orders).await.unwrap();
        self.driver.initialize(deal, 0).await.unwrap()
    }

    pub fn key(&self, role: Role) -> PrivateKeySigner {
        self.driver.key(role).clone()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.results.url())
    }

    /// Every object in the store, and every file under its folder.
    pub async fn stored(&self) -> (Vec<String>, Vec<PathBuf>) {
        let objects = self.results.store().list_all().await.unwrap();
        let mut files = Vec::new();
        walk(self.store_dir.path(), &mut files);
        (objects, files)
    }

    pub async fn assert_store_empty(&self, case: &str) {
        let (objects, files) = self.stored().await;
        assert!(objects.is_empty() && files.is_empty(), "{case}: stored {objects:?} {files:?}");
    }

    pub async fn shutdown(self) {
        self.results.shutdown().await.unwrap();
        self.chain.shutdown().await.unwrap();
    }
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            walk(&path, files);
        } else {
            files.push(path);
        }
    }
}

/// An upload as a worker makes it; each field can be spoiled by a test.
#[derive(Clone)]
pub struct Upload {
    pub task_path: String,
    pub worker: Address,
    pub authorization: Option<Bytes>,
    pub worker_signature: Bytes,
    pub sha256: B256,
    pub body: Vec<u8>,
    pub content_type: Option<&'static str>,
    /// `x-poco-enclave-challenge`, when set.
    pub enclave: Option<Address>,
    /// POST instead of PUT.
    pub post: bool,
}

impl Upload {
    /// A correct upload of `body` for `task` by `worker`, authorized by `scheduler`.
    pub fn new(
        task: TaskId,
        worker: &PrivateKeySigner,
        scheduler: &PrivateKeySigner,
        body: &[u8],
    ) -> Self {
        let authorization =
            WorkerpoolAuthorization::sign(scheduler, worker.address(), task, Address::ZERO)
                .unwrap();
        // What a worker sends, built by the API crate's helper.
        let headers = UploadHeaders::sign(worker, authorization, sha256(body)).unwrap();
        Self {
            task_path: headers.path(),
            worker: headers.authorization.worker,
            authorization: Some(headers.authorization.sign),
            worker_signature: headers.worker_signature,
            sha256: headers.archive_sha256,
            body: body.to_vec(),
            content_type: Some("application/zip"),
            enclave: None,
            post: false,
        }
    }

    pub fn request(&self, env: &Env) -> reqwest::RequestBuilder {
        self.request_to(env, &env.results.url())
    }

    /// The request, to the service at `base`.
    pub fn request_to(&self, env: &Env, base: &str) -> reqwest::RequestBuilder {
        let url = format!("{base}{}", self.task_path);
        let mut request = if self.post { env.http.post(url) } else { env.http.put(url) };
        request = request
            .header(headers::WORKER, self.worker.to_string())
            .header(headers::WORKER_SIGNATURE, self.worker_signature.to_string())
            .header(headers::ARCHIVE_SHA256, self.sha256.to_string());
        if let Some(authorization) = &self.authorization {
            request = request.header(headers::AUTHORIZATION, authorization.to_string());
        }
        if let Some(enclave) = self.enclave {
            request = request.header(headers::ENCLAVE_CHALLENGE, enclave.to_string());
        }
        if let Some(content_type) = self.content_type {
            request = request.header("content-type", content_type);
        }
        request
    }

    /// Sends the body with its length.
    pub async fn send(&self, env: &Env) -> (u16, serde_json::Value) {
        answer(self.request(env).body(self.body.clone()).send().await.unwrap()).await
    }

    /// Sends the body in 4 KiB chunks, without a length (chunked transfer).
    pub async fn send_chunked(&self, env: &Env) -> (u16, serde_json::Value) {
        let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
            self.body.chunks(4096).map(|chunk| Ok(chunk.to_vec())).collect();
        let body = reqwest::Body::wrap_stream(futures_util::stream::iter(chunks));
        answer(self.request(env).body(body).send().await.unwrap()).await
    }
}

pub async fn answer(response: reqwest::Response) -> (u16, serde_json::Value) {
    let status = response.status().as_u16();
    let bytes = response.bytes().await.unwrap();
    let json = if bytes.is_empty() {
        serde_json::Value::Null
    } else {
        serde_json::from_slice(&bytes).unwrap_or_else(|error| {
            panic!("{status}: not JSON ({error}): {}", String::from_utf8_lossy(&bytes))
        })
    };
    (status, json)
}

/// The error code of a refusal (and checks that its status is the code's).
pub fn code_of(status: u16, json: &serde_json::Value) -> ErrorCode {
    let body: ErrorBody = serde_json::from_value(json.clone())
        .unwrap_or_else(|_| panic!("not an error body ({status}): {json}"));
    assert_eq!(status, body.code.http_status(), "{json}");
    body.code
}

/// A zip archive as the worker makes it: `computed.json` naming `result.txt`, which holds
/// `content`; and the result digest of that archive (SHA-256 of `content`).
pub fn result_archive(content: &[u8]) -> (Vec<u8>, B256) {
    use std::io::Write;
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    writer.start_file("computed.json", options).unwrap();
    writer.write_all(br#"{"deterministic-output-path":"/iexec_out/result.txt"}"#).unwrap();
    writer.start_file("result.txt", options).unwrap();
    writer.write_all(content).unwrap();
    (writer.finish().unwrap().into_inner(), sha256(content))
}
