//! Shared by the tests that run `poco devnet` as a real process: start it (one JSON line on
//! stdout when ready), stop it with a signal, and run `poco` commands against its chain file.
// A test module: an unwrap is an assertion; not every test binary uses every helper.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code, unreachable_pub)]

use std::{
    io::{BufRead, BufReader},
    path::{Path, PathBuf},
    process::{Child, Command, ExitStatus, Stdio},
    sync::mpsc,
    time::{Duration, Instant},
};

pub const POCO: &str = env!("CARGO_BIN_EXE_poco");
/// How long a start (first one: genesis, the pool, the stakes) may take.
const START: Duration = Duration::from_secs(180);
/// How long a clean stop may take.
const STOP: Duration = Duration::from_secs(60);

/// A running `poco devnet`, killed if the test fails before stopping it.
pub struct Running {
    child: Option<Child>,
    pub ready: serde_json::Value,
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
    /// Starts `poco devnet` on `dir` with one worker.
    pub fn start(dir: &Path) -> Self {
        Self::start_with(dir, &["--workers", "1"])
    }

    /// Starts `poco devnet` on `dir` with these extra options.
    pub fn start_with(dir: &Path, options: &[&str]) -> Self {
        let mut child = Command::new(POCO)
            .args(["devnet", "--any-ports", "--json"])
            .args(options)
            .arg("--data-dir")
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
    pub fn stop(mut self, signal: &str) -> ExitStatus {
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

/// What a `poco` command did.
#[derive(Debug)]
pub struct Ran {
    /// Its exit code.
    pub code: Option<i32>,
    /// Its stdout, parsed as JSON (`Null` when it is not).
    pub json: serde_json::Value,
    /// Its stdout.
    pub stdout: String,
    /// Its stderr.
    pub stderr: String,
}

impl Ran {
    /// Asserts the command succeeded, and gives its JSON output.
    pub fn ok(self) -> serde_json::Value {
        assert_eq!(self.code, Some(0), "failed: {}\n{}", self.stderr, self.stdout);
        self.json
    }

    /// The JSON error object `poco --json` printed last on stderr.
    pub fn error(&self) -> serde_json::Value {
        let last = self.stderr.lines().last().unwrap_or_default();
        serde_json::from_str(last).unwrap_or_else(|_| panic!("no JSON error: {}", self.stderr))
    }
}

impl Running {
    /// The chain file the devnet wrote.
    pub fn chain_file(&self) -> PathBuf {
        PathBuf::from(self.ready["chainFile"].as_str().unwrap())
    }

    /// Writes the private key of the dev account at `index` of the devnet's list (0 deployer,
    /// 1 app developer, 2 dataset owner, 3 pool owner, 4 requester, 5… workers) into `dir`.
    pub fn key_file(&self, index: usize, dir: &Path) -> PathBuf {
        let account = &self.ready["accounts"][index];
        let path = dir.join(format!("account-{index}.key"));
        std::fs::write(&path, account["privateKey"].as_str().unwrap()).unwrap();
        path
    }

    /// The address of the dev account at `index`.
    pub fn address(&self, index: usize) -> String {
        self.ready["accounts"][index]["address"].as_str().unwrap().to_owned()
    }

    /// Runs `poco --json --chain-file <the devnet's> [--key-file key] args…`.
    pub fn poco(&self, key: Option<&Path>, args: &[&str]) -> Ran {
        let mut command = Command::new(POCO);
        command.arg("--json").arg("--chain-file").arg(self.chain_file());
        if let Some(key) = key {
            command.arg("--key-file").arg(key);
        }
        let output = command.args(args).stdin(Stdio::null()).output().unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        Ran {
            code: output.status.code(),
            json: serde_json::from_str(&stdout).unwrap_or(serde_json::Value::Null),
            stdout,
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}
