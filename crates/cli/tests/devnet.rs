//! `poco devnet` as a real process: it starts, prints one line of JSON, writes a chain file that
//! `poco` commands use, stops with exit code 0 on SIGINT or SIGTERM, and resumes the same chain
//! and pool on its folder.
// A test binary: an unwrap is an assertion.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::{
    io::{BufRead, BufReader},
    path::Path,
    process::{Child, Command, ExitStatus, Stdio},
    sync::mpsc,
    time::{Duration, Instant},
};

const POCO: &str = env!("CARGO_BIN_EXE_poco");
/// How long a start (first one: genesis, the pool, the stakes) may take.
const START: Duration = Duration::from_secs(180);
/// How long a clean stop may take.
const STOP: Duration = Duration::from_secs(60);

/// A running `poco devnet`, killed if the test fails before stopping it.
struct Running {
    child: Option<Child>,
    ready: serde_json::Value,
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Running {
    fn start(dir: &Path) -> Self {
        let mut child = Command::new(POCO)
            .args(["devnet", "--workers", "1", "--any-ports", "--json", "--data-dir"])
            .arg(dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (sender, receiver) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let read = BufReader::new(stdout).read_line(&mut line);
            let _ = sender.send(read.map(|_| line));
        });
        let mut running = Self { child: Some(child), ready: serde_json::Value::Null };
        let line = match receiver.recv_timeout(START) {
            Ok(line) => line.unwrap(),
            Err(_) => panic!("`poco devnet` printed nothing within {START:?}"),
        };
        running.ready = serde_json::from_str(&line)
            .unwrap_or_else(|error| panic!("not one line of JSON ({error}): {line:?}"));
        running
    }

    /// Sends `signal` (`INT`, `TERM`) and waits (bounded) for the exit.
    fn stop(mut self, signal: &str) -> ExitStatus {
        let mut child = self.child.take().unwrap();
        let sent = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(child.id().to_string())
            .status()
            .unwrap();
        assert!(sent.success(), "kill -{signal} failed");
        let deadline = Instant::now() + STOP;
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                return status;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                panic!("`poco devnet` did not stop within {STOP:?} of SIG{signal}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

#[test]
fn poco_devnet_serves_poco_commands_stops_on_signals_and_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("devnet");
    let devnet = Running::start(&data);
    let ready = devnet.ready.clone();

    let chain_file = data.join("chain.json");
    assert_eq!(ready["chainFile"].as_str().unwrap(), chain_file.to_str().unwrap());
    let hub = ready["deployment"]["hub"].as_str().unwrap().to_owned();
    let pool = ready["workerpool"].as_str().unwrap().to_owned();
    for url in ["rpcUrl", "marketUrl", "schedulerUrl", "resultsUrl"] {
        assert!(ready[url].as_str().unwrap().starts_with("http://127.0.0.1:"), "{url}: {ready}");
    }
    let accounts = ready["accounts"].as_array().unwrap();
    let roles: Vec<String> = accounts.iter().map(|a| a["role"].to_string()).collect();
    assert_eq!(
        roles,
        [
            "\"deployer\"",
            "\"appDeveloper\"",
            "\"datasetOwner\"",
            "\"poolOwner\"",
            "\"requester\"",
            "{\"worker\":0}"
        ]
    );
    let requester = &accounts[4];

    // The chain file names the devnet as `dev`, its default.
    let file: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&chain_file).unwrap()).unwrap();
    assert_eq!(file["default"], "dev");
    assert_eq!(file["chains"]["dev"]["hub"].as_str().unwrap().to_lowercase(), hub.to_lowercase());
    assert_eq!(
        file["chains"]["dev"]["market_url"].as_str().unwrap().trim_end_matches('/'),
        ready["marketUrl"].as_str().unwrap().trim_end_matches('/')
    );

    // `poco account show` against it, as the requester.
    let key_file = dir.path().join("requester.key");
    std::fs::write(&key_file, requester["privateKey"].as_str().unwrap()).unwrap();
    let output = Command::new(POCO)
        .arg("--chain-file")
        .arg(&chain_file)
        .arg("--key-file")
        .arg(&key_file)
        .args(["account", "show", "--json"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "account show failed: {stderr}");
    let shown: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        shown["address"].as_str().unwrap().to_lowercase(),
        requester["address"].as_str().unwrap().to_lowercase()
    );
    assert_ne!(shown["wallet"], "0", "the requester is funded: {shown}");

    let status = devnet.stop("INT");
    assert_eq!(status.code(), Some(0), "Ctrl-C: {status}");

    // Again on the same folder: the same chain and pool.
    let devnet = Running::start(&data);
    assert_eq!(devnet.ready["deployment"]["hub"].as_str().unwrap(), hub);
    assert_eq!(devnet.ready["workerpool"].as_str().unwrap(), pool);
    let status = devnet.stop("TERM");
    assert_eq!(status.code(), Some(0), "SIGTERM: {status}");
}

#[test]
fn a_broken_devnet_folder_is_refused_with_a_hint_and_exit_code_9() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("devnet.json"), b"{not json").unwrap();
    let output = Command::new(POCO)
        .args(["devnet", "--workers", "1", "--any-ports", "--data-dir"])
        .arg(dir.path())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(9), "{stderr}");
    assert!(stderr.contains("devnet.json"), "{stderr}");
    assert!(stderr.contains("hint: "), "{stderr}");
    assert!(stderr.contains("--data-dir"), "{stderr}");
}

#[test]
fn a_busy_port_is_refused_with_a_hint_and_exit_code_5() {
    let dir = tempfile::tempdir().unwrap();
    // The default ports: hold 8545 (the RPC) unless something else already does.
    let holder = std::net::TcpListener::bind("127.0.0.1:8545");
    let output = Command::new(POCO)
        .args(["--json", "devnet", "--workers", "1", "--data-dir"])
        .arg(dir.path())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    drop(holder);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(5), "{stderr}");
    let error: serde_json::Value = serde_json::from_str(stderr.lines().last().unwrap()).unwrap();
    assert_eq!(error["error"]["exit_code"], 5);
    assert!(error["error"]["hint"].as_str().unwrap().contains("--any-ports"), "{stderr}");
}
