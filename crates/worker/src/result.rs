//! The result of a task, by the reference rules (offchain reference §2.4): `computed.json` in the
//! output folder names the deterministic output (a file or a folder) or carries callback data;
//! the result digest is computed from it; names longer than 31 characters are refused; the
//! output folder is zipped into the archive that is uploaded.
//!
//! ```text
//!  "callback-data": "0x…"           → keccak256(bytes)
//!  "deterministic-output-path": p   → a file:   SHA-256(file)
//!                                     a folder: keccak256(SHA-256(f1) ‖ SHA-256(f2) ‖ …) over the
//!                                               regular files directly in p, sorted by name
//! ```
//!
//! When the app failed without a usable `computed.json`, [`write_error_result`] writes
//! `error.txt` and a `computed.json` pointing to it, so replicas still agree on a "failed" result.

use crate::error::Failure;
use alloy_primitives::{B256, Bytes, hex, keccak256};
use poco_scheduler_api::ReplicateFailureCause as Cause;
use sha2::{Digest, Sha256};
use std::{
    io::{Read, Write},
    path::{Path, PathBuf},
};

/// The longest file name the reference accepts in a result.
pub const MAX_RESULT_NAME_LEN: usize = 31;
/// The app's view of its output folder.
const IEXEC_OUT: &str = "/iexec_out";

/// What `computed.json` says.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
pub struct Computed {
    /// The output the digest is computed over.
    #[serde(rename = "deterministic-output-path", skip_serializing_if = "Option::is_none")]
    pub deterministic_output_path: Option<String>,
    /// The callback data (web3 results).
    #[serde(rename = "callback-data", skip_serializing_if = "Option::is_none")]
    pub callback_data: Option<String>,
    /// Why the app failed, when it says.
    #[serde(rename = "error-message", skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
}

/// A result ready to contribute.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskResult {
    /// The result digest.
    pub digest: B256,
    /// The callback data, for callback deals.
    pub callback_data: Option<Bytes>,
}

/// Reads `computed.json` in `out_dir` (`None` when there is none or it is not valid JSON).
pub fn read_computed(out_dir: &Path) -> Option<Computed> {
    let bytes = std::fs::read(out_dir.join("computed.json")).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// The result digest of the output folder, by its `computed.json`.
pub fn result_digest(out_dir: &Path) -> Result<TaskResult, Failure> {
    let invalid = |detail: String| Failure::new(Cause::ResultInvalid, detail);
    let computed =
        read_computed(out_dir).ok_or_else(|| invalid("no readable computed.json".to_owned()))?;
    if let Some(data) = computed.callback_data.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
        let bytes = hex::decode(data).map_err(|e| invalid(format!("callback-data: {e}")))?;
        return Ok(TaskResult { digest: keccak256(&bytes), callback_data: Some(bytes.into()) });
    }
    let output = computed
        .deterministic_output_path
        .ok_or_else(|| invalid("computed.json names no deterministic-output-path".to_owned()))?;
    let path = inside(out_dir, &output).ok_or_else(|| {
        invalid(format!("deterministic-output-path {output:?} is outside /iexec_out"))
    })?;
    let io = |e: std::io::Error| invalid(format!("{output}: {e}"));
    let meta = std::fs::symlink_metadata(&path).map_err(io)?;
    if meta.is_file() {
        return Ok(TaskResult { digest: sha256_file(&path).map_err(io)?, callback_data: None });
    }
    if !meta.is_dir() {
        return Err(invalid(format!("{output} is neither a file nor a folder")));
    }
    let mut files: Vec<(Vec<u8>, PathBuf)> = Vec::new();
    for entry in std::fs::read_dir(&path).map_err(io)? {
        let entry = entry.map_err(io)?;
        if entry.file_type().map_err(io)?.is_file() {
            files.push((entry.file_name().into_encoded_bytes(), entry.path()));
        }
    }
    files.sort();
    let mut cat = Vec::with_capacity(files.len() * 32);
    for (_, file) in files {
        cat.extend_from_slice(sha256_file(&file).map_err(io)?.as_slice());
    }
    Ok(TaskResult { digest: keccak256(cat), callback_data: None })
}

/// `p` as the app gave it (`/iexec_out/x` or `x`), on the host; `None` when it leaves the folder.
fn inside(out_dir: &Path, given: &str) -> Option<PathBuf> {
    let relative = given.trim().strip_prefix(IEXEC_OUT).unwrap_or(given.trim());
    let mut path = out_dir.to_path_buf();
    for part in relative.split('/') {
        match part {
            "" | "." => {}
            ".." => return None,
            part => path.push(part),
        }
    }
    Some(path)
}

fn sha256_file(path: &Path) -> std::io::Result<B256> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(B256::from_slice(&hasher.finalize()))
}

/// Checks every name in the output folder against [`MAX_RESULT_NAME_LEN`].
pub fn check_names(out_dir: &Path) -> Result<(), Failure> {
    let mut stack = vec![out_dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|e| {
            Failure::new(Cause::ResultInvalid, format!("cannot list the output: {e}"))
        })?;
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.chars().count() > MAX_RESULT_NAME_LEN {
                return Err(Failure::new(
                    Cause::ResultInvalid,
                    format!(
                        "result file name {name:?} is longer than {MAX_RESULT_NAME_LEN} characters"
                    ),
                ));
            }
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                stack.push(entry.path());
            }
        }
    }
    Ok(())
}

/// Replaces the output folder's content by an error result: `error.txt` holding `cause` and
/// `detail`, and a `computed.json` pointing to it. The text is the same on every worker.
pub fn write_error_result(out_dir: &Path, cause: Cause, detail: &str) -> std::io::Result<()> {
    if out_dir.exists() {
        std::fs::remove_dir_all(out_dir)?;
    }
    std::fs::create_dir_all(out_dir)?;
    std::fs::write(out_dir.join("error.txt"), format!("{cause}: {detail}\n"))?;
    let computed = Computed {
        deterministic_output_path: Some(format!("{IEXEC_OUT}/error.txt")),
        callback_data: None,
        error_message: Some(format!("{cause}: {detail}")),
    };
    let json = serde_json::to_vec(&computed).map_err(std::io::Error::other)?;
    std::fs::write(out_dir.join("computed.json"), json)
}

/// Zips the output folder (names relative to it, sorted, fixed timestamps: the same output gives
/// the same archive). Refuses archives over `max_bytes`.
pub fn zip_folder(out_dir: &Path, max_bytes: u64) -> Result<Vec<u8>, Failure> {
    let fail = |detail: String| Failure::new(Cause::ResultInvalid, detail);
    let mut files = Vec::new();
    let mut stack = vec![out_dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).map_err(|e| fail(e.to_string()))?.flatten() {
            let kind = entry.file_type().map_err(|e| fail(e.to_string()))?;
            if kind.is_dir() {
                stack.push(entry.path());
            } else if kind.is_file() {
                files.push(entry.path());
            }
        }
    }
    files.sort();
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let mut total = 0u64;
    for file in files {
        let name = file
            .strip_prefix(out_dir)
            .map_err(|e| fail(e.to_string()))?
            .to_string_lossy()
            .replace('\\', "/");
        let bytes = std::fs::read(&file).map_err(|e| fail(format!("{name}: {e}")))?;
        total += bytes.len() as u64;
        if total > max_bytes {
            return Err(fail(format!("the result is larger than {max_bytes} bytes")));
        }
        writer.start_file(name.as_str(), options).map_err(|e| fail(e.to_string()))?;
        writer.write_all(&bytes).map_err(|e| fail(e.to_string()))?;
    }
    let archive = writer.finish().map_err(|e| fail(e.to_string()))?.into_inner();
    if archive.len() as u64 > max_bytes {
        return Err(fail(format!("the archive is larger than {max_bytes} bytes")));
    }
    Ok(archive)
}

/// SHA-256 of bytes.
pub fn sha256(bytes: &[u8]) -> B256 {
    B256::from_slice(&Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn out(files: &[(&str, &[u8])]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (name, bytes) in files {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, bytes).unwrap();
        }
        dir
    }

    #[test]
    fn digests_by_the_reference_rules() {
        let folder = {
            let mut cat = sha256(b"A").to_vec();
            cat.extend_from_slice(sha256(b"B").as_slice());
            keccak256(cat)
        };
        type Files<'a> = &'a [(&'a str, &'a [u8])];
        let cases: Vec<(Files<'_>, B256)> = vec![
            (
                &[("computed.json", br#"{"deterministic-output-path":"/iexec_out/result.txt"}"#), ("result.txt", b"hi")],
                sha256(b"hi"),
            ),
            (
                &[("computed.json", br#"{"deterministic-output-path":"result.txt"}"#), ("result.txt", b"hi")],
                sha256(b"hi"),
            ),
            (
                &[
                    ("computed.json", br#"{"deterministic-output-path":"/iexec_out/out"}"#),
                    ("out/b.txt", b"B"),
                    ("out/a.txt", b"A"),
                    ("out/deeper/c.txt", b"C"),
                ],
                folder,
            ),
            (
                &[("computed.json", br#"{"callback-data":"0x0000000000000000000000000000000000000000000000000000000000000001"}"#)],
                alloy_primitives::b256!("b10e2d527612073b26eecdfd717e6a320cf44b4afac2b0732d9fcbe2b7fa0cf6"),
            ),
        ];
        for (files, expected) in cases {
            let dir = out(files);
            assert_eq!(result_digest(dir.path()).unwrap().digest, expected, "{files:?}");
        }
    }

    #[test]
    fn bad_outputs_are_result_invalid() {
        let cases: Vec<&[(&str, &[u8])]> = vec![
            &[],
            &[("computed.json", b"not json")],
            &[("computed.json", b"{}")],
            &[("computed.json", br#"{"deterministic-output-path":"/iexec_out/missing"}"#)],
            &[("computed.json", br#"{"deterministic-output-path":"/iexec_out/../../etc/passwd"}"#)],
            &[("computed.json", br#"{"callback-data":"0xzz"}"#)],
        ];
        for files in cases {
            let dir = out(files);
            assert_eq!(
                result_digest(dir.path()).unwrap_err().cause,
                Cause::ResultInvalid,
                "{files:?}"
            );
        }
        let long = "a".repeat(32);
        let dir = out(&[(&format!("sub/{long}"), b"x")]);
        assert_eq!(check_names(dir.path()).unwrap_err().cause, Cause::ResultInvalid);
        let dir = out(&[(&"a".repeat(31), b"x")]);
        check_names(dir.path()).unwrap();
    }

    #[test]
    fn error_results_are_the_same_everywhere_and_zip_deterministically() {
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        for dir in [&a, &b] {
            std::fs::write(dir.path().join("partial.txt"), b"left over").unwrap();
            write_error_result(dir.path(), Cause::ComputeTimeout, "the app ran past 5 s").unwrap();
            assert!(!dir.path().join("partial.txt").exists());
        }
        let (da, db) = (result_digest(a.path()).unwrap(), result_digest(b.path()).unwrap());
        assert_eq!(da, db);
        assert_eq!(da.digest, sha256(b"COMPUTE_TIMEOUT: the app ran past 5 s\n"));
        let (za, zb) =
            (zip_folder(a.path(), 1 << 20).unwrap(), zip_folder(b.path(), 1 << 20).unwrap());
        assert_eq!(za, zb);
        assert_eq!(zip_folder(a.path(), 10).unwrap_err().cause, Cause::ResultInvalid);
    }
}
