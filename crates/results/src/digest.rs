//! The result digest of an archive, by the reference worker's rules (offchain reference §2.4),
//! recomputed from the uploaded zip.
//!
//! ```text
//!  computed.json (at the archive's root, or in its one top folder, e.g. iexec_out/)
//!    "callback-data": "0x…"             → keccak256(callback bytes)        ("web3" result)
//!    "deterministic-output-path": p     → p a file:   SHA-256(file)
//!                                          p a folder: keccak256(SHA-256(f1) ‖ SHA-256(f2) ‖ …)
//!                                                      over the regular files directly in p,
//!                                                      sorted by name (byte order)
//! ```
//!
//! `p` is given as the app saw it (`/iexec_out/result.txt`) or relative to the output folder;
//! `/iexec_out` (the app's output folder) is the archive's root.

use alloy_primitives::{B256, hex, keccak256};
use sha2::{Digest, Sha256};
use std::io::{Cursor, Read};

/// Why an archive has no result digest.
#[derive(Debug, thiserror::Error)]
pub enum DigestError {
    /// Not a zip archive.
    #[error("not a zip archive")]
    Zip(#[from] zip::result::ZipError),
    /// An entry could not be read.
    #[error("could not read {name}")]
    Read {
        /// The entry.
        name: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// No `computed.json` in the archive.
    #[error("no computed.json in the archive")]
    NoComputedJson,
    /// `computed.json` is not the expected JSON.
    #[error("computed.json is not valid")]
    ComputedJson(#[source] serde_json::Error),
    /// `computed.json` has neither `deterministic-output-path` nor `callback-data`.
    #[error("computed.json names neither a deterministic-output-path nor callback-data")]
    NoDeterministicOutput,
    /// `callback-data` is not hex.
    #[error("callback-data is not hex")]
    CallbackHex(#[from] hex::FromHexError),
    /// The deterministic output is not in the archive.
    #[error("deterministic output {0:?} is not in the archive")]
    OutputMissing(String),
}

#[derive(serde::Deserialize)]
struct Computed {
    #[serde(rename = "deterministic-output-path")]
    deterministic_output_path: Option<String>,
    #[serde(rename = "callback-data")]
    callback_data: Option<String>,
}

/// The result digest of a zip archive (see the module docs).
pub fn archive_result_digest(archive: &[u8]) -> Result<B256, DigestError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(archive))?;
    let names: Vec<String> = zip
        .file_names()
        .map(|name| name.map(std::borrow::Cow::into_owned))
        .collect::<Result<_, _>>()?;
    let root = if names.iter().any(|name| name == "computed.json") {
        String::new()
    } else {
        names
            .iter()
            .filter_map(|name| {
                let (top, rest) = name.split_once('/')?;
                (rest == "computed.json").then(|| format!("{top}/"))
            })
            .next()
            .ok_or(DigestError::NoComputedJson)?
    };
    let computed: Computed =
        serde_json::from_slice(&read_entry(&mut zip, &format!("{root}computed.json"))?)
            .map_err(DigestError::ComputedJson)?;
    if let Some(callback) = computed.callback_data.filter(|data| !data.is_empty()) {
        return Ok(keccak256(hex::decode(callback.trim())?));
    }
    let output = computed.deterministic_output_path.ok_or(DigestError::NoDeterministicOutput)?;
    let relative = output
        .trim()
        .trim_start_matches("/iexec_out")
        .trim_start_matches("iexec_out/")
        .trim_matches('/')
        .to_owned();
    let file = format!("{root}{relative}");
    if !relative.is_empty() && names.contains(&file) {
        return Ok(sha256(&read_entry(&mut zip, &file)?));
    }
    let folder = if relative.is_empty() { root.clone() } else { format!("{file}/") };
    let mut files: Vec<&String> = names
        .iter()
        .filter(|name| {
            name.strip_prefix(&folder).is_some_and(|rest| !rest.is_empty() && !rest.contains('/'))
        })
        .collect();
    let is_folder = relative.is_empty() || names.iter().any(|name| name.starts_with(&folder));
    if !is_folder {
        return Err(DigestError::OutputMissing(output));
    }
    files.sort();
    let mut hashes = Vec::with_capacity(files.len() * 32);
    for name in files {
        hashes.extend_from_slice(sha256(&read_entry(&mut zip, name)?).as_slice());
    }
    Ok(keccak256(hashes))
}

fn read_entry(
    zip: &mut zip::ZipArchive<Cursor<&[u8]>>,
    name: &str,
) -> Result<Vec<u8>, DigestError> {
    let mut entry = zip.by_name(name)?;
    let mut bytes = Vec::new();
    entry
        .read_to_end(&mut bytes)
        .map_err(|source| DigestError::Read { name: name.to_owned(), source })?;
    Ok(bytes)
}

/// SHA-256 of `bytes`.
pub fn sha256(bytes: &[u8]) -> B256 {
    B256::from_slice(&Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use zip::write::SimpleFileOptions;

    fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, content) in entries {
            writer.start_file(*name, SimpleFileOptions::default()).unwrap();
            writer.write_all(content).unwrap();
        }
        writer.finish().unwrap().into_inner()
    }

    #[test]
    fn digests_by_the_reference_rules() {
        let file = br#"{"deterministic-output-path":"/iexec_out/result.txt"}"#;
        let relative = br#"{"deterministic-output-path":"result.txt"}"#;
        let folder = br#"{"deterministic-output-path":"/iexec_out/out"}"#;
        let whole = br#"{"deterministic-output-path":"/iexec_out"}"#;
        let callback = br#"{"callback-data":"0x0000000000000000000000000000000000000000000000000000000000000001"}"#;
        let folder_digest = {
            let mut cat = sha256(b"A").to_vec();
            cat.extend_from_slice(sha256(b"B").as_slice());
            keccak256(cat)
        };
        let whole_digest = {
            let mut cat = sha256(whole).to_vec();
            cat.extend_from_slice(sha256(b"hello").as_slice());
            keccak256(cat)
        };
        let cases: Vec<(&str, Vec<u8>, B256)> = vec![
            (
                "file",
                zip_of(&[("computed.json", file), ("result.txt", b"hello")]),
                sha256(b"hello"),
            ),
            (
                "relative file in a top folder",
                zip_of(&[
                    ("iexec_out/computed.json", relative),
                    ("iexec_out/result.txt", b"hello"),
                ]),
                sha256(b"hello"),
            ),
            (
                "folder, sorted, nested folders ignored",
                zip_of(&[
                    ("computed.json", folder),
                    ("out/b.txt", b"B"),
                    ("out/a.txt", b"A"),
                    ("out/deeper/c.txt", b"C"),
                ]),
                folder_digest,
            ),
            (
                "the whole output folder",
                zip_of(&[("computed.json", whole), ("result.txt", b"hello")]),
                whole_digest,
            ),
            (
                "callback",
                zip_of(&[("computed.json", callback)]),
                // Spec §18: the digest of abi.encode(uint256(1)).
                alloy_primitives::b256!(
                    "b10e2d527612073b26eecdfd717e6a320cf44b4afac2b0732d9fcbe2b7fa0cf6"
                ),
            ),
        ];
        for (name, archive, expected) in cases {
            assert_eq!(archive_result_digest(&archive).unwrap(), expected, "{name}");
        }
    }

    #[test]
    fn archives_without_a_digest() {
        let cases: Vec<(&str, Vec<u8>)> = vec![
            ("not a zip", b"plain bytes".to_vec()),
            ("no computed.json", zip_of(&[("result.txt", b"x")])),
            ("bad json", zip_of(&[("computed.json", b"{")])),
            ("no output", zip_of(&[("computed.json", b"{}")])),
            (
                "missing output",
                zip_of(&[("computed.json", br#"{"deterministic-output-path":"/iexec_out/nope"}"#)]),
            ),
        ];
        for (name, archive) in cases {
            assert!(archive_result_digest(&archive).is_err(), "{name}");
        }
    }
}
