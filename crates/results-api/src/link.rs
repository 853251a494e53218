//! The result link: what the scheduler passes as `results` to `finalize` for an archive kept by
//! the results service, in the shape iExec workers give their links
//! (`{"storage": "ipfs", "location": "/ipfs/<cid>"}`), plus the archive's SHA-256 so the link
//! names one exact archive.
//!
//! ```json
//! {"storage":"poco","location":"/v1/results/0x…taskId","sha256":"0x…"}
//! ```
//!
//! `location` is the path on the results service (any service holding the task's archive serves
//! it); the hub stores the bytes as given and never reads them (spec §7.6).

use alloy_primitives::B256;
use poco_primitives::TaskId;
use serde::{Deserialize, Serialize};

/// The `storage` of links to the results service.
pub const RESULT_LINK_STORAGE: &str = "poco";

/// A link to a task's archive on the results service (see the module docs).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultLink {
    /// Always [`RESULT_LINK_STORAGE`] for links made here.
    pub storage: String,
    /// The archive's path: `/v1/results/{taskId}`.
    pub location: String,
    /// The archive's SHA-256.
    pub sha256: B256,
}

impl ResultLink {
    /// The link to `task_id`'s archive whose SHA-256 is `sha256`.
    pub fn new(task_id: TaskId, sha256: B256) -> Self {
        Self {
            storage: RESULT_LINK_STORAGE.to_owned(),
            location: crate::paths::result(task_id),
            sha256,
        }
    }

    /// The bytes for `finalize`'s `results` (compact JSON).
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("invariant: a struct of strings and hex serializes")
    }

    /// Reads a link from `results` bytes; `None` when they are not a link of this service
    /// (another storage, or not JSON at all).
    pub fn from_results(results: &[u8]) -> Option<Self> {
        let link: Self = serde_json::from_slice(results).ok()?;
        (link.storage == RESULT_LINK_STORAGE).then_some(link)
    }

    /// Whether this link names `task_id`'s archive with SHA-256 `sha256`.
    pub fn names(&self, task_id: TaskId, sha256: B256) -> bool {
        self.storage == RESULT_LINK_STORAGE
            && self.location == crate::paths::result(task_id)
            && self.sha256 == sha256
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_foreign_links() {
        let task = TaskId(B256::repeat_byte(0xaa));
        let sha = B256::repeat_byte(0xbb);
        let link = ResultLink::new(task, sha);
        let bytes = link.to_bytes();
        let text = std::str::from_utf8(&bytes).unwrap();
        assert_eq!(
            text,
            format!(r#"{{"storage":"poco","location":"/v1/results/{task}","sha256":"{sha}"}}"#)
        );
        let back = ResultLink::from_results(&bytes).unwrap();
        assert_eq!(back, link);
        assert!(back.names(task, sha));
        assert!(!back.names(TaskId(B256::repeat_byte(1)), sha));
        assert!(!back.names(task, B256::repeat_byte(1)));
        let foreign: [&[u8]; 3] = [
            b"/ipfs/QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG",
            br#"{"storage":"ipfs","location":"/ipfs/Qm","sha256":"0x0000000000000000000000000000000000000000000000000000000000000000"}"#,
            b"",
        ];
        for results in foreign {
            assert_eq!(ResultLink::from_results(results), None);
        }
    }
}
