//! [`ResultStore`]: archives by content address and the task index, both in one object store.
//!
//! ```text
//!  staging/<random>            an upload being streamed (multipart); removed on refusal
//!  blobs/sha256/<hex>          an archive, named by its SHA-256 (written once, never changed)
//!  tasks/<0xtaskid>.json       the index: task → archive (ResultRecord), created atomically
//!                              (PutMode::Create): the first accepted upload wins
//!  checks/<0xtaskid>.json      the final check of a finalized task against the chain
//! ```
//!
//! Why the index lives in the object store rather than in SQL: the store is then the one source
//! of truth (no database to keep consistent with the blobs after a crash between two writes:
//! the blob is written first, the record last, and a record always names a present blob), the
//! service keeps no state of its own (several instances can serve one bucket), and the only
//! transaction the index needs — "create the task's record unless it exists" — is a conditional
//! put that both the local filesystem and S3 provide (`If-None-Match: *`). Nothing queries the
//! index other than by task id.

use alloy_primitives::{Address, B256};
use bytes::Bytes;
use futures_util::{StreamExt, stream::BoxStream};
use object_store::{
    ObjectStore, ObjectStoreExt, PutMode, PutOptions, PutPayload, WriteMultipart,
    local::LocalFileSystem, path::Path,
};
use poco_primitives::TaskId;
use poco_results_api::CheckReport;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

use crate::config::StoreConfig;

/// Errors of the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The local folder could not be created.
    #[error("could not create the store folder {path}")]
    CreateDir {
        /// The folder.
        path: std::path::PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The object store refused an operation.
    #[error("object store: {0}")]
    ObjectStore(#[from] object_store::Error),
    /// An S3 option name is not one of `AmazonS3ConfigKey`.
    #[error("unknown S3 option {key:?}")]
    UnknownOption {
        /// The name given.
        key: String,
        /// object_store's refusal.
        #[source]
        source: object_store::Error,
    },
    /// S3 was configured but the binary was built without the `s3` feature.
    #[error("S3 stores need the `s3` feature")]
    S3Disabled,
    /// A record could not be (de)serialized.
    #[error("corrupt record {path}")]
    Record {
        /// The object.
        path: String,
        /// Why.
        #[source]
        source: serde_json::Error,
    },
}

/// The index entry of a task's archive.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResultRecord {
    /// The task.
    pub task_id: TaskId,
    /// The worker whose upload was accepted.
    pub worker: Address,
    /// The archive's SHA-256 (its content address).
    pub sha256: B256,
    /// The archive's size in bytes.
    pub size: u64,
    /// The content type given at upload.
    pub content_type: String,
}

/// The archives and their index (see the module docs).
#[derive(Clone, Debug)]
pub struct ResultStore {
    inner: Arc<dyn ObjectStore>,
}

/// An archive being streamed into the store (under `staging/`).
pub struct Staging {
    path: Path,
    writer: WriteMultipart,
}

impl std::fmt::Debug for Staging {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Staging").field("path", &self.path).finish_non_exhaustive()
    }
}

// === impl ResultStore ===

impl ResultStore {
    /// Opens the store `config` describes.
    pub fn open(config: &StoreConfig) -> Result<Self, StoreError> {
        let inner: Arc<dyn ObjectStore> = match config {
            StoreConfig::Local { root } => {
                std::fs::create_dir_all(root)
                    .map_err(|source| StoreError::CreateDir { path: root.clone(), source })?;
                Arc::new(LocalFileSystem::new_with_prefix(root)?.with_automatic_cleanup(true))
            }
            StoreConfig::S3 { url, options } => s3(url, options)?,
        };
        Ok(Self { inner })
    }

    /// A store over any object store (tests, other backends).
    pub fn from_object_store(inner: Arc<dyn ObjectStore>) -> Self {
        Self { inner }
    }

    /// The underlying object store.
    pub fn object_store(&self) -> &Arc<dyn ObjectStore> {
        &self.inner
    }

    fn blob_path(sha256: B256) -> Path {
        Path::from(format!("blobs/sha256/{}", alloy_primitives::hex::encode(sha256)))
    }

    fn record_path(task_id: TaskId) -> Path {
        Path::from(format!("tasks/{task_id}.json"))
    }

    fn check_path(task_id: TaskId) -> Path {
        Path::from(format!("checks/{task_id}.json"))
    }

    async fn read_json<T: serde::de::DeserializeOwned>(
        &self,
        path: &Path,
    ) -> Result<Option<T>, StoreError> {
        match self.inner.get(path).await {
            Ok(found) => {
                let bytes = found.bytes().await?;
                serde_json::from_slice(&bytes)
                    .map(Some)
                    .map_err(|source| StoreError::Record { path: path.to_string(), source })
            }
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(error) => Err(error.into()),
        }
    }

    /// The record of `task_id`'s archive, if one was accepted.
    pub async fn record(&self, task_id: TaskId) -> Result<Option<ResultRecord>, StoreError> {
        self.read_json(&Self::record_path(task_id)).await
    }

    /// Starts streaming an archive into `staging/`.
    pub async fn stage(&self) -> Result<Staging, StoreError> {
        let path = Path::from(format!("staging/{:032x}", rand::random::<u128>()));
        let upload = self.inner.put_multipart(&path).await?;
        Ok(Staging { path, writer: WriteMultipart::new(upload) })
    }

    /// Moves a completed staging object to its content address; `true` when the blob was not
    /// there before (another upload of the same bytes may have put it first).
    pub async fn promote(&self, staged: &Path, sha256: B256) -> Result<bool, StoreError> {
        let blob = Self::blob_path(sha256);
        match self.inner.head(&blob).await {
            Ok(_) => {
                self.inner.delete(staged).await?;
                Ok(false)
            }
            Err(object_store::Error::NotFound { .. }) => {
                // Same name, same bytes: overwriting a concurrent twin is harmless.
                self.inner.rename(staged, &blob).await?;
                Ok(true)
            }
            Err(error) => Err(error.into()),
        }
    }

    /// Deletes a staging object that will not be promoted.
    pub async fn discard(&self, staged: &Path) -> Result<(), StoreError> {
        Ok(self.inner.delete(staged).await?)
    }

    /// Deletes the blob of `sha256` (an archive no record names).
    pub async fn delete_blob(&self, sha256: B256) -> Result<(), StoreError> {
        match self.inner.delete(&Self::blob_path(sha256)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(error) => Err(error.into()),
        }
    }

    /// Creates `record` unless the task already has one; returns the record in force (the new
    /// one, or the one that was there).
    pub async fn create_record(
        &self,
        record: &ResultRecord,
    ) -> Result<(bool, ResultRecord), StoreError> {
        let path = Self::record_path(record.task_id);
        let json = serde_json::to_vec(record)
            .map_err(|source| StoreError::Record { path: path.to_string(), source })?;
        let options = PutOptions { mode: PutMode::Create, ..Default::default() };
        match self.inner.put_opts(&path, PutPayload::from(json), options).await {
            Ok(_) => Ok((true, record.clone())),
            Err(object_store::Error::AlreadyExists { .. }) => {
                let existing = self.record(record.task_id).await?.ok_or_else(|| {
                    StoreError::ObjectStore(object_store::Error::NotFound {
                        path: path.to_string(),
                        source: "record vanished after a conflicting create".into(),
                    })
                })?;
                Ok((false, existing))
            }
            Err(error) => Err(error.into()),
        }
    }

    /// The archive of a record, as a stream of chunks.
    pub async fn open_blob(
        &self,
        sha256: B256,
    ) -> Result<BoxStream<'static, Result<Bytes, object_store::Error>>, StoreError> {
        Ok(self.inner.get(&Self::blob_path(sha256)).await?.into_stream())
    }

    /// The whole archive in memory (its size is bounded by the upload limit).
    pub async fn read_blob(&self, sha256: B256) -> Result<Bytes, StoreError> {
        Ok(self.inner.get(&Self::blob_path(sha256)).await?.bytes().await?)
    }

    /// The final check of a task, if one was recorded.
    pub async fn check(&self, task_id: TaskId) -> Result<Option<CheckReport>, StoreError> {
        self.read_json(&Self::check_path(task_id)).await
    }

    /// Records the final check of a task.
    pub async fn put_check(&self, report: &CheckReport) -> Result<(), StoreError> {
        let path = Self::check_path(report.task_id);
        let json = serde_json::to_vec(report)
            .map_err(|source| StoreError::Record { path: path.to_string(), source })?;
        self.inner.put(&path, PutPayload::from(json)).await?;
        Ok(())
    }

    /// Tasks with an archive but no final check yet (what the background checker visits).
    pub async fn unchecked_tasks(&self) -> Result<Vec<TaskId>, StoreError> {
        let tasks = self.task_ids("tasks").await?;
        let checked = self.task_ids("checks").await?;
        Ok(tasks.into_iter().filter(|task| !checked.contains(task)).collect())
    }

    async fn task_ids(&self, prefix: &str) -> Result<Vec<TaskId>, StoreError> {
        let mut list = self.inner.list(Some(&Path::from(prefix)));
        let mut ids = Vec::new();
        while let Some(meta) = list.next().await {
            let meta = meta?;
            let parsed = meta
                .location
                .filename()
                .and_then(|name| name.strip_suffix(".json"))
                .and_then(|id| id.parse::<B256>().ok());
            if let Some(id) = parsed {
                ids.push(TaskId(id));
            }
        }
        ids.sort();
        Ok(ids)
    }

    /// Every object in the store (tests and operators: what is there).
    pub async fn list_all(&self) -> Result<Vec<String>, StoreError> {
        let mut list = self.inner.list(None);
        let mut paths = Vec::new();
        while let Some(meta) = list.next().await {
            paths.push(meta?.location.to_string());
        }
        paths.sort();
        Ok(paths)
    }
}

// === impl Staging ===

impl Staging {
    /// The staging object's path.
    pub const fn path(&self) -> &Path {
        &self.path
    }

    /// Appends a chunk (uploads parts in the background, at most a few at a time).
    pub async fn write(&mut self, chunk: Bytes) -> Result<(), StoreError> {
        self.writer.put(chunk);
        self.writer.wait_for_capacity(4).await?;
        Ok(())
    }

    /// Completes the staging object.
    pub async fn finish(self) -> Result<Path, StoreError> {
        self.writer.finish().await?;
        Ok(self.path)
    }

    /// Drops everything written so far.
    pub async fn abort(self) -> Result<(), StoreError> {
        self.writer.abort().await?;
        Ok(())
    }
}

#[cfg(feature = "s3")]
fn s3(url: &str, options: &[(String, String)]) -> Result<Arc<dyn ObjectStore>, StoreError> {
    use object_store::aws::{AmazonS3Builder, AmazonS3ConfigKey};
    let mut builder = AmazonS3Builder::new().with_url(url);
    for (key, value) in options {
        let key: AmazonS3ConfigKey =
            key.parse().map_err(|source| StoreError::UnknownOption { key: key.clone(), source })?;
        builder = builder.with_config(key, value);
    }
    Ok(Arc::new(builder.build()?))
}

#[cfg(not(feature = "s3"))]
fn s3(_url: &str, _options: &[(String, String)]) -> Result<Arc<dyn ObjectStore>, StoreError> {
    Err(StoreError::S3Disabled)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(feature = "s3")]
    #[test]
    fn s3_stores_are_configured_through_the_builder() {
        let options = |pairs: &[(&str, &str)]| {
            pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect::<Vec<_>>()
        };
        let good = StoreConfig::S3 {
            url: "s3://results".to_owned(),
            options: options(&[
                ("aws_region", "eu-west-1"),
                ("aws_endpoint", "http://127.0.0.1:9000"),
                ("aws_allow_http", "true"),
                ("aws_access_key_id", "id"),
                ("aws_secret_access_key", "secret"),
            ]),
        };
        let store = ResultStore::open(&good).unwrap();
        assert!(store.object_store().to_string().contains("results"), "{}", store.object_store());
        let unknown = StoreConfig::S3 {
            url: "s3://results".to_owned(),
            options: options(&[("aws_colour", "blue")]),
        };
        assert!(matches!(
            ResultStore::open(&unknown),
            Err(StoreError::UnknownOption { key, .. }) if key == "aws_colour"
        ));
    }

    #[tokio::test]
    async fn local_layout_and_create_once() {
        let dir = tempfile::tempdir().unwrap();
        let store =
            ResultStore::open(&StoreConfig::Local { root: dir.path().join("nested/store") })
                .unwrap();
        let task_id = TaskId(B256::repeat_byte(9));
        let mut staging = store.stage().await.unwrap();
        staging.write(Bytes::from_static(b"abc")).await.unwrap();
        let staged = staging.finish().await.unwrap();
        let sha = crate::digest::sha256(b"abc");
        assert!(store.promote(&staged, sha).await.unwrap());
        let record = ResultRecord {
            task_id,
            worker: Address::repeat_byte(1),
            sha256: sha,
            size: 3,
            content_type: "application/zip".to_owned(),
        };
        assert_eq!(store.create_record(&record).await.unwrap(), (true, record.clone()));
        let other = ResultRecord { sha256: B256::repeat_byte(2), ..record.clone() };
        assert_eq!(store.create_record(&other).await.unwrap(), (false, record.clone()));
        assert_eq!(store.read_blob(sha).await.unwrap().as_ref(), b"abc");
        assert_eq!(store.unchecked_tasks().await.unwrap(), vec![task_id]);
        let sha_hex = alloy_primitives::hex::encode(sha);
        assert_eq!(
            store.list_all().await.unwrap(),
            vec![format!("blobs/sha256/{sha_hex}"), format!("tasks/{task_id}.json")]
        );
        // An aborted staging object leaves nothing.
        let mut staging = store.stage().await.unwrap();
        staging.write(Bytes::from_static(b"partial")).await.unwrap();
        staging.abort().await.unwrap();
        assert_eq!(store.list_all().await.unwrap().len(), 2);
    }
}
