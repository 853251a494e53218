//! Shared helpers: the apps, task folders, a host listener that must never be reached.

use poco_sandbox::{ExitCause, RunOutcome};
use std::{
    net::TcpListener,
    path::{Path, PathBuf},
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
};

/// `apps/<name>/<name>.wasm`.
pub(crate) fn module(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../apps").join(name).join(format!("{name}.wasm"))
}

/// The input and output folders of one run.
pub(crate) struct TaskDirs {
    pub(crate) input: tempfile::TempDir,
    pub(crate) output: tempfile::TempDir,
}

impl TaskDirs {
    pub(crate) fn new() -> Self {
        Self { input: tempfile::tempdir().unwrap(), output: tempfile::tempdir().unwrap() }
    }

    pub(crate) fn with_inputs(files: &[(&str, &[u8])]) -> Self {
        let dirs = Self::new();
        for (name, bytes) in files {
            std::fs::write(dirs.input.path().join(name), bytes).unwrap();
        }
        dirs
    }

    pub(crate) fn out(&self, name: &str) -> String {
        std::fs::read_to_string(self.output.path().join(name))
            .unwrap_or_else(|e| panic!("{name} in the output folder: {e}"))
    }

    pub(crate) fn out_names(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.output.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    pub(crate) fn input_names(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.input.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

/// The `deterministic-output-path` of `computed.json`.
pub(crate) fn deterministic_output(dirs: &TaskDirs) -> String {
    let computed: serde_json::Value = serde_json::from_str(&dirs.out("computed.json")).unwrap();
    computed["deterministic-output-path"].as_str().unwrap().to_owned()
}

/// Asserts the cause, showing the app's output when it differs.
pub(crate) fn assert_cause(outcome: &RunOutcome, expected: &ExitCause) {
    assert_eq!(
        &outcome.cause,
        expected,
        "stdout: {}\nstderr: {}",
        outcome.stdout.text(),
        outcome.stderr.text()
    );
}

/// The probe app's report, as (probe, "ok"/"err", detail) triples.
pub(crate) fn probe_report(text: &str) -> Vec<(String, String, String)> {
    text.lines()
        .map(|line| {
            let mut parts = line.splitn(3, ' ');
            let probe = parts.next().unwrap_or_default().to_owned();
            let status = parts.next().unwrap_or_default().to_owned();
            let detail = parts.next().unwrap_or_default().to_owned();
            (probe, status, detail)
        })
        .collect()
}

/// The status ("ok"/"err") of one probe in a report.
pub(crate) fn probe_status(report: &[(String, String, String)], probe: &str) -> String {
    report
        .iter()
        .find(|(p, _, _)| p == probe)
        .map(|(_, s, d)| format!("{s} {d}"))
        .unwrap_or_else(|| panic!("no {probe} in {report:?}"))
}

/// A TCP listener on the host's loopback that counts the connections it accepts.
pub(crate) struct HostListener {
    pub(crate) port: u16,
    pub(crate) accepted: Arc<AtomicUsize>,
}

impl HostListener {
    pub(crate) fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let accepted = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&accepted);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stream.is_ok() {
                    counter.fetch_add(1, Ordering::SeqCst);
                }
            }
        });
        Self { port, accepted }
    }

    pub(crate) fn accepted(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }
}

/// A file on the host, outside both task folders, that no app may see.
pub(crate) fn host_secret() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("secret.txt");
    std::fs::write(&path, "host secret\n").unwrap();
    (dir, path)
}
