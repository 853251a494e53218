//! Getting what a task needs into its folder, checked: the app (a WASM module by URL or local
//! path, or a local Docker image), the dataset (by URL, SHA-256 against the chain's checksum) and
//! the input files (by URL), each within its size limit while it streams.
//!
//! Every failure is a [`Failure`] with the cause the scheduler is told (`APP_NOT_FOUND`,
//! `APP_CHECKSUM_MISMATCH`, `DATASET_…`, `INPUT_FILE_DOWNLOAD_FAILED`) and a detail that is the
//! same on every worker (it goes into the error result replicas must agree on).

use crate::error::Failure;
use alloy_primitives::B256;
use futures_util::StreamExt;
use poco_scheduler_api::{ReplicateFailureCause as Cause, worker::AppSpec};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use tokio::io::AsyncWriteExt;
use tracing::warn;

/// Where a multiaddr points.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    /// An `http://` or `https://` URL.
    Url(url::Url),
    /// A file on the worker's machine (a path, or a `file://` URL).
    File(PathBuf),
}

impl Location {
    /// Reads a multiaddr (`None` when it is neither a URL nor a path: `/ipfs/…` has no gateway
    /// here).
    pub fn parse(multiaddr: &str) -> Option<Self> {
        let text = multiaddr.trim();
        if text.starts_with("http://") || text.starts_with("https://") {
            return url::Url::parse(text).ok().map(Self::Url);
        }
        if let Some(path) = text.strip_prefix("file://") {
            return Some(Self::File(PathBuf::from(path)));
        }
        if text.starts_with('/') && !text.starts_with("/ipfs/") {
            return Some(Self::File(PathBuf::from(text)));
        }
        None
    }
}

/// What a download gave: where it is and its SHA-256.
#[derive(Clone, Debug)]
pub struct Fetched {
    /// The file written.
    pub path: PathBuf,
    /// Its SHA-256.
    pub sha256: B256,
    /// Its size.
    pub size: u64,
}

/// Why one fetch failed, before it is turned into a cause.
#[derive(Debug)]
enum FetchError {
    Missing(String),
    TooLarge(u64),
    Broken(String),
}

/// Copies or downloads `location` to `dest`, at most `max_bytes`, hashing as it goes.
async fn fetch(
    http: &reqwest::Client,
    location: &Location,
    dest: &Path,
    max_bytes: u64,
) -> Result<Fetched, FetchError> {
    let broken = |e: &dyn std::fmt::Display| FetchError::Broken(e.to_string());
    let mut out = tokio::fs::File::create(dest).await.map_err(|e| broken(&e))?;
    let mut hasher = Sha256::new();
    let mut size = 0u64;
    let mut add = |chunk: &[u8]| -> Result<(), FetchError> {
        size += chunk.len() as u64;
        if size > max_bytes {
            return Err(FetchError::TooLarge(max_bytes));
        }
        hasher.update(chunk);
        Ok(())
    };
    match location {
        Location::Url(url) => {
            let response = http.get(url.clone()).send().await.map_err(|e| broken(&e))?;
            if response.status() == reqwest::StatusCode::NOT_FOUND {
                return Err(FetchError::Missing(format!("{url} answered 404")));
            }
            if !response.status().is_success() {
                return Err(FetchError::Broken(format!("{url} answered {}", response.status())));
            }
            if response.content_length().is_some_and(|len| len > max_bytes) {
                return Err(FetchError::TooLarge(max_bytes));
            }
            let mut stream = response.bytes_stream();
            while let Some(chunk) = stream.next().await {
                let chunk = chunk.map_err(|e| broken(&e))?;
                add(&chunk)?;
                out.write_all(&chunk).await.map_err(|e| broken(&e))?;
            }
        }
        Location::File(path) => {
            let mut file = match tokio::fs::File::open(path).await {
                Ok(file) => file,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    return Err(FetchError::Missing(format!("no file {}", path.display())));
                }
                Err(e) => return Err(broken(&e)),
            };
            let mut buf = vec![0u8; 256 * 1024];
            loop {
                let n = tokio::io::AsyncReadExt::read(&mut file, &mut buf)
                    .await
                    .map_err(|e| broken(&e))?;
                if n == 0 {
                    break;
                }
                add(&buf[..n])?;
                out.write_all(&buf[..n]).await.map_err(|e| broken(&e))?;
            }
        }
    }
    out.flush().await.map_err(|e| broken(&e))?;
    Ok(Fetched { path: dest.to_path_buf(), sha256: B256::from_slice(&hasher.finalize()), size })
}

/// Fetches a WASM app's module into `dir/app.wasm` and checks its SHA-256 against the app's
/// on-chain checksum (a zero checksum is only warned about, as the reference does).
pub async fn wasm_app(
    http: &reqwest::Client,
    app: &AppSpec,
    dir: &Path,
    max_bytes: u64,
) -> Result<Fetched, Failure> {
    let location = Location::parse(&app.multiaddr).ok_or_else(|| {
        Failure::new(
            Cause::AppNotFound,
            format!("app multiaddr {:?} is not a URL or a path", app.multiaddr),
        )
    })?;
    let fetched =
        fetch(http, &location, &dir.join("app.wasm"), max_bytes).await.map_err(|e| match e {
            FetchError::Missing(_) => Failure::new(
                Cause::AppNotFound,
                format!("app {} not found at {}", app.address, app.multiaddr),
            ),
            FetchError::TooLarge(max) => Failure::new(
                Cause::AppDownloadFailed,
                format!("app {} is larger than {max} bytes", app.address),
            ),
            FetchError::Broken(why) => Failure::new(
                Cause::AppDownloadFailed,
                format!("app {} could not be fetched: {why}", app.address),
            ),
        })?;
    check(&fetched, app.checksum, Cause::AppChecksumMismatch, &format!("app {}", app.address))?;
    Ok(fetched)
}

fn check(fetched: &Fetched, expected: B256, cause: Cause, what: &str) -> Result<(), Failure> {
    if expected.is_zero() {
        warn!(what, sha256 = %fetched.sha256, "No checksum on chain: not verified.");
        return Ok(());
    }
    if fetched.sha256 != expected {
        return Err(Failure::new(
            cause,
            format!(
                "{what}: SHA-256 {} differs from the on-chain checksum {expected}",
                fetched.sha256
            ),
        ));
    }
    Ok(())
}

/// Fetches a public dataset into `input_dir/<dataset address>` and checks its SHA-256.
pub async fn dataset(
    http: &reqwest::Client,
    address: alloy_primitives::Address,
    multiaddr: &str,
    checksum: B256,
    input_dir: &Path,
    max_bytes: u64,
) -> Result<Fetched, Failure> {
    let what = format!("dataset {address}");
    let location = Location::parse(multiaddr).ok_or_else(|| {
        Failure::new(
            Cause::DatasetDownloadFailed,
            format!("{what}: {multiaddr:?} is not a URL or a path"),
        )
    })?;
    let dest = input_dir.join(address.to_string());
    let fetched = fetch(http, &location, &dest, max_bytes).await.map_err(|e| {
        Failure::new(Cause::DatasetDownloadFailed, format!("{what}: {}", describe(&e)))
    })?;
    check(&fetched, checksum, Cause::DatasetChecksumMismatch, &what)?;
    Ok(fetched)
}

/// The name an input file gets in `/iexec_in`: the SHA-256 of its URL, hex (the reference's
/// rule: two URLs never collide, and the app learns the names from `IEXEC_INPUT_FILE_NAME_n`).
pub fn input_file_name(url: &str) -> String {
    alloy_primitives::hex::encode(Sha256::digest(url.as_bytes()))
}

/// Downloads each input file (URLs only) into `input_dir`; returns their names in order.
pub async fn input_files(
    http: &reqwest::Client,
    urls: &[String],
    input_dir: &Path,
    max_bytes: u64,
) -> Result<Vec<String>, Failure> {
    let mut names = Vec::with_capacity(urls.len());
    for (i, url) in urls.iter().enumerate() {
        let failure = |why: String| {
            Failure::new(
                Cause::InputFileDownloadFailed,
                format!("input file {} ({url}): {why}", i + 1),
            )
        };
        let location = match url::Url::parse(url) {
            Ok(parsed) if matches!(parsed.scheme(), "http" | "https") => Location::Url(parsed),
            _ => return Err(failure("not an http(s) URL".to_owned())),
        };
        let name = input_file_name(url);
        fetch(http, &location, &input_dir.join(&name), max_bytes)
            .await
            .map_err(|e| failure(describe(&e)))?;
        names.push(name);
    }
    Ok(names)
}

fn describe(error: &FetchError) -> String {
    match error {
        FetchError::Missing(why) => format!("not found ({why})"),
        FetchError::TooLarge(max) => format!("larger than {max} bytes"),
        FetchError::Broken(why) => format!("download failed ({why})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multiaddrs() {
        let cases = [
            ("https://example.org/app.wasm", true),
            ("http://127.0.0.1:8080/a", true),
            ("file:///opt/apps/hello.wasm", true),
            ("/opt/apps/hello.wasm", true),
            ("/ipfs/QmW2WQi7j6c7UgJTarActp7tDNikE4B2qXtFCfLPdsgaTQ", false),
            ("docker.io/iexechub/app:1", false),
            ("", false),
        ];
        for (text, ok) in cases {
            assert_eq!(Location::parse(text).is_some(), ok, "{text}");
        }
        assert_eq!(
            Location::parse("file:///x/y.wasm"),
            Some(Location::File(PathBuf::from("/x/y.wasm")))
        );
    }

    #[tokio::test]
    async fn local_files_are_hashed_limited_and_checked() {
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("module.wasm");
        std::fs::write(&source, b"\0asm module bytes").unwrap();
        let sha = B256::from_slice(&Sha256::digest(b"\0asm module bytes"));
        let http = reqwest::Client::new();
        let app = |multiaddr: String, checksum| AppSpec {
            address: alloy_primitives::Address::repeat_byte(1),
            executor: poco_scheduler_api::Executor::Wasm,
            multiaddr,
            checksum,
        };
        let out = tempfile::tempdir().unwrap();
        let path = source.display().to_string();
        let fetched = wasm_app(&http, &app(path.clone(), sha), out.path(), 1024).await.unwrap();
        assert_eq!(fetched.sha256, sha);
        assert_eq!(std::fs::read(&fetched.path).unwrap(), b"\0asm module bytes");

        let cases = [
            (app(path.clone(), B256::repeat_byte(9)), 1024, Cause::AppChecksumMismatch),
            (app(format!("{path}.missing"), sha), 1024, Cause::AppNotFound),
            (app(path.clone(), sha), 4, Cause::AppDownloadFailed),
            (app("/ipfs/Qm".to_owned(), sha), 1024, Cause::AppNotFound),
        ];
        for (spec, max, cause) in cases {
            let failure = wasm_app(&http, &spec, out.path(), max).await.unwrap_err();
            assert_eq!(failure.cause, cause, "{failure}");
            // Nothing machine-specific in the detail but the multiaddr the chain holds.
            assert!(!failure.detail.contains(&out.path().display().to_string()), "{failure}");
        }
    }
}
