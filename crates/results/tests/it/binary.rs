//! The `poco-results` binary: flags reach the service (listen, data folder, chain, hub, size
//! limit), it prints its URL, and serves; stopped by PID.

use poco_compat::Role;
use poco_results_api::{ErrorCode, paths};
use std::{
    io::{BufRead, BufReader},
    process::{Child, Command, Stdio},
};

use crate::common::{Env, Upload, W0, code_of};

/// Kills the child on drop (a failing assertion must not leave the server running).
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn the_binary_serves_with_its_flags() {
    let mut env = Env::start().await;
    let task = env.task().await;
    let data_dir = tempfile::tempdir().unwrap();
    let hub = env.driver.protocol().hub;
    let mut server = Server(
        Command::new(env!("CARGO_BIN_EXE_poco-results"))
            .args(["--listen", "127.0.0.1:0", "--max-size", "100", "--check-interval", "0"])
            .arg("--data-dir")
            .arg(data_dir.path())
            .args(["--rpc-url", &env.chain.http_endpoint(), "--hub", &hub.to_string()])
            .args(["--chain-id", &env.chain.chain_id().to_string()])
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap(),
    );
    let stdout = server.0.stdout.take().unwrap();
    let line = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).unwrap();
        line
    })
    .await
    .unwrap();
    let started: serde_json::Value = serde_json::from_str(&line).unwrap();
    let url = started["url"].as_str().unwrap().to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");

    let health = env.http.get(format!("{url}{}", paths::HEALTH)).send().await.unwrap();
    assert_eq!(health.text().await.unwrap(), "ok");

    let scheduler = env.key(Role::Scheduler);
    let worker = env.key(W0);
    let too_big = Upload::new(task, &worker, &scheduler, &[7; 101]);
    let answer = too_big.request_to(&env, &url).body(too_big.body.clone()).send().await.unwrap();
    let (status, json) = crate::common::answer(answer).await;
    assert_eq!(code_of(status, &json), ErrorCode::PayloadTooLarge, "{json}");

    let fits = Upload::new(task, &worker, &scheduler, &[7; 100]);
    let answer = fits.request_to(&env, &url).body(fits.body.clone()).send().await.unwrap();
    assert_eq!(answer.status().as_u16(), 201);
    let blob = data_dir.path().join("blobs/sha256").join(&fits.sha256.to_string()[2..]);
    assert_eq!(std::fs::read(blob).unwrap(), fits.body);
    drop(server);
    env.shutdown().await;
}
