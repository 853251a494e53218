//! [`Metrics`]: the service's Prometheus metrics, recorded into a recorder of its own (so that
//! several services in one process, as in tests, keep apart) and rendered at `/metrics`.
//!
//! | metric | labels | meaning |
//! | --- | --- | --- |
//! | `poco_results_uploads_total` | `outcome` (`created`, `duplicate`, or an error code) | upload requests |
//! | `poco_results_upload_bytes_total` | — | bytes of accepted new archives |
//! | `poco_results_upload_seconds` | — | time to handle an upload (summary) |
//! | `poco_results_downloads_total` | `method` (`GET`, `HEAD`), `outcome` | download requests |
//! | `poco_results_checks_total` | `state` (a `CheckState`) | checks against the chain |

use metrics::{Key, Label, Level, Metadata, Recorder, Unit};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle, PrometheusRecorder};
use std::sync::Arc;

const UPLOADS: &str = "poco_results_uploads_total";
const UPLOAD_BYTES: &str = "poco_results_upload_bytes_total";
const UPLOAD_SECONDS: &str = "poco_results_upload_seconds";
const DOWNLOADS: &str = "poco_results_downloads_total";
const CHECKS: &str = "poco_results_checks_total";

/// The metrics of one service.
#[derive(Clone)]
pub struct Metrics {
    recorder: Arc<PrometheusRecorder>,
    handle: PrometheusHandle,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

fn metadata() -> Metadata<'static> {
    Metadata::new(module_path!(), Level::INFO, Some(module_path!()))
}

impl Metrics {
    /// A fresh set of metrics, described.
    pub fn new() -> Self {
        let recorder = PrometheusBuilder::new().build_recorder();
        let handle = recorder.handle();
        let describe: [(&'static str, Option<Unit>, &'static str); 5] = [
            (UPLOADS, None, "Upload requests, by outcome (created, duplicate, or error code)."),
            (UPLOAD_BYTES, Some(Unit::Bytes), "Bytes of newly stored archives."),
            (UPLOAD_SECONDS, Some(Unit::Seconds), "Time to handle an upload request."),
            (DOWNLOADS, None, "Download requests, by method and outcome."),
            (CHECKS, None, "Checks of archives against the chain, by state."),
        ];
        for (name, unit, help) in describe {
            if name == UPLOAD_SECONDS {
                recorder.describe_histogram(name.into(), unit, help.into());
            } else {
                recorder.describe_counter(name.into(), unit, help.into());
            }
        }
        Self { recorder: Arc::new(recorder), handle }
    }

    fn counter(&self, name: &'static str, labels: Vec<Label>) -> metrics::Counter {
        self.recorder.register_counter(&Key::from_parts(name, labels), &metadata())
    }

    /// One upload request ended with `outcome`, after `seconds`; `new_bytes` were stored.
    pub fn upload(&self, outcome: &'static str, new_bytes: u64, seconds: f64) {
        self.counter(UPLOADS, vec![Label::new("outcome", outcome)]).increment(1);
        if new_bytes > 0 {
            self.counter(UPLOAD_BYTES, Vec::new()).increment(new_bytes);
        }
        self.recorder
            .register_histogram(&Key::from_name(UPLOAD_SECONDS), &metadata())
            .record(seconds);
    }

    /// One download (`GET` or `HEAD`) ended with `outcome`.
    pub fn download(&self, method: &'static str, outcome: &'static str) {
        self.counter(DOWNLOADS, vec![Label::new("method", method), Label::new("outcome", outcome)])
            .increment(1);
    }

    /// One check ended in `state`.
    pub fn check(&self, state: &'static str) {
        self.counter(CHECKS, vec![Label::new("state", state)]).increment(1);
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        self.handle.run_upkeep();
        self.handle.render()
    }
}
