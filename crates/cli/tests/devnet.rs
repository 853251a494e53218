//! `poco devnet` as a real process: it starts, prints one line of JSON, writes a chain file that
//! `poco` commands use, stops with exit code 0 on SIGINT or SIGTERM, and resumes the same chain
//! and pool on its folder.
// A test binary: an unwrap is an assertion.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod support;

use std::process::{Command, Stdio};
use support::{POCO, Running};

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
