//! The user's scenarios end to end: the real `poco` binary against a real `poco devnet` (a
//! child process: devchain, market, results, the pool's scheduler and its workers), nothing
//! mocked. Each test starts its own devnet on free ports in a temporary folder.
// A test binary: an unwrap is an assertion.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod support;

use std::path::{Path, PathBuf};
use support::Running;

/// Dev accounts by their index in the devnet's list.
const APP_DEVELOPER: usize = 1;
const REQUESTER: usize = 4;

/// The hello app's WASM module, committed in the repository.
fn hello_wasm() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../apps/hello/hello.wasm")
        .canonicalize()
        .unwrap()
}

/// Registers hello (WASM, served from the local file) as the app developer, and publishes a
/// free app order for it; gives its address.
fn deploy_hello(devnet: &Running, dir: &Path) -> String {
    let developer = devnet.key_file(APP_DEVELOPER, dir);
    let wasm = hello_wasm();
    let multiaddr = format!("file://{}", wasm.display());
    let deployed = devnet
        .poco(
            Some(&developer),
            &[
                "app",
                "deploy",
                "--name",
                "hello",
                "--type",
                "WASM",
                "--multiaddr",
                &multiaddr,
                "--file",
                wasm.to_str().unwrap(),
            ],
        )
        .ok();
    let app = deployed["address"].as_str().unwrap().to_owned();
    devnet
        .poco(Some(&developer), &["app", "publish", &app, "--price", "0", "--volume", "1000"])
        .ok();
    app
}

#[test]
fn hello_wasm_at_trust_1_runs_to_its_result_file() {
    let dir = tempfile::tempdir().unwrap();
    let devnet = Running::start(&dir.path().join("devnet"));
    let app = deploy_hello(&devnet, dir.path());
    let requester = devnet.key_file(REQUESTER, dir.path());
    devnet.poco(Some(&requester), &["account", "deposit", "10RLC"]).ok();
    let before = devnet.poco(Some(&requester), &["account", "show"]).ok();

    let result_dir = dir.path().join("result");
    let ran = devnet
        .poco(
            Some(&requester),
            &[
                "app",
                "run",
                &app,
                "--args",
                "poco world",
                "--trust",
                "1",
                "--download",
                result_dir.to_str().unwrap(),
                "--timeout",
                "120",
            ],
        )
        .ok();
    // The result file, as the app wrote it.
    let text = std::fs::read_to_string(result_dir.join("result.txt")).unwrap();
    assert_eq!(text, "Hello, poco world!\n");
    let task = &ran["tasks"][0];
    assert_eq!(task["end"], "COMPLETED", "{ran}");
    assert_eq!(task["status"], "COMPLETED", "{ran}");
    let files: Vec<&str> =
        task["download"]["files"].as_array().unwrap().iter().map(|f| f.as_str().unwrap()).collect();
    assert!(files.contains(&"result.txt"), "{files:?}");
    assert!(files.contains(&"computed.json"), "{files:?}");
    let deal_id = ran["deal"]["dealId"].as_str().unwrap().to_owned();
    let task_id = task["taskId"].as_str().unwrap().to_owned();
    assert_eq!(ran["deal"]["tasks"][0], task_id);

    // What the chain says, through the other commands.
    let shown = devnet.poco(None, &["task", "show", &task_id]).ok();
    assert_eq!(shown["status"], "COMPLETED");
    assert_eq!(shown["dealId"], deal_id);
    assert_eq!(shown["contributors"].as_array().unwrap().len(), 1, "{shown}");
    let deal = devnet.poco(None, &["deal", "show", &deal_id]).ok();
    assert_eq!(deal["app"]["address"].as_str().unwrap().to_lowercase(), app.to_lowercase());
    assert_eq!(
        deal["requester"].as_str().unwrap().to_lowercase(),
        devnet.address(REQUESTER).to_lowercase()
    );
    assert_eq!(deal["params"], r#"{"iexec_args":"poco world"}"#);
    assert_eq!(deal["taskDetails"][0]["status"], "COMPLETED");
    let timeline = devnet.poco(None, &["task", "timeline", &task_id]).ok();
    let steps: Vec<&str> = timeline["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|entry| entry["subject"]["kind"] == "task")
        .map(|entry| entry["to"].as_str().unwrap())
        .collect();
    assert_eq!(steps.last(), Some(&"COMPLETED"), "{steps:?}");
    // The requester paid the task's price: the deposit went down by exactly that.
    let after = devnet.poco(Some(&requester), &["account", "show"]).ok();
    let price: u128 = ran["deal"]["taskPrice"].as_str().unwrap().parse().unwrap();
    let deposited = |account: &serde_json::Value| -> u128 {
        account["deposited"].as_str().unwrap().parse().unwrap()
    };
    assert_eq!(deposited(&before) - deposited(&after), price);

    // Error paths, each with its exit code and a hint.
    let again = devnet.poco(Some(&requester), &["task", "claim", &task_id]);
    assert_eq!(again.code, Some(9), "{}", again.stderr);
    assert!(again.error()["error"]["message"].as_str().unwrap().contains("already ended"));
    let other = devnet.poco(None, &["task", "show", &format!("0x{}", "ab".repeat(32))]);
    assert_eq!(other.code, Some(8), "{}", other.stderr);
    let no_orders =
        devnet.poco(Some(&requester), &["app", "run", &app, "--category", "4", "--trust", "1"]);
    assert_eq!(no_orders.code, Some(8), "{}", no_orders.stderr);
    assert!(no_orders.error()["error"]["hint"].as_str().unwrap().contains("poco orderbook"));

    let status = devnet.stop("TERM");
    assert_eq!(status.code(), Some(0));
}

/// The cheater is the last of the devnet's workers; dev accounts 5… are the workers.
const FIRST_WORKER: usize = 5;

#[test]
fn a_cheating_worker_is_outvoted_at_trust_5_and_loses_its_stake() {
    // Six workers of one slot each, the last one contributing wrong results. At trust 5 with
    // fresh scores (vote weight 2 each), three agreeing workers reach consensus alone, and four
    // are needed against one dissenting vote (`group · 5 > total · 4`): four honest workers
    // let every task complete, a fifth leaves room for one declared lost on a loaded machine.
    // Two tasks want three replicates each at first: all six workers, the cheater included,
    // get one.
    let dir = tempfile::tempdir().unwrap();
    let devnet = Running::start_with(
        &dir.path().join("devnet"),
        &["--workers", "6", "--worker-slots", "1", "--faulty-workers", "1"],
    );
    let app = deploy_hello(&devnet, dir.path());
    let requester = devnet.key_file(REQUESTER, dir.path());
    devnet.poco(Some(&requester), &["account", "deposit", "10RLC"]).ok();
    let workers: Vec<String> =
        (FIRST_WORKER..FIRST_WORKER + 6).map(|i| devnet.address(i)).collect();
    let cheater = workers[5].to_lowercase();
    let stake = |address: &str| -> u128 {
        let account = devnet.poco(None, &["account", "show", address]).ok();
        account["deposited"].as_str().unwrap().parse().unwrap()
    };
    let before: Vec<u128> = workers.iter().map(|worker| stake(worker)).collect();

    let result_dir = dir.path().join("results");
    let ran = devnet
        .poco(
            Some(&requester),
            &[
                "app",
                "run",
                &app,
                "--args",
                "consensus",
                "--trust",
                "5",
                "--volume",
                "2",
                "--download",
                result_dir.to_str().unwrap(),
                "--timeout",
                "120",
            ],
        )
        .ok();
    let worker_stake: u128 = ran["deal"]["workerStake"].as_str().unwrap().parse().unwrap();
    let tasks = ran["tasks"].as_array().unwrap();
    assert_eq!(tasks.len(), 2, "{ran}");
    let mut cheated = 0u128;
    let mut wins = std::collections::HashMap::<String, u128>::new();
    for task in tasks {
        assert_eq!(task["end"], "COMPLETED", "{task}");
        let task_id = task["taskId"].as_str().unwrap();
        // The right result, whatever the cheater said.
        let text = std::fs::read_to_string(result_dir.join(task_id).join("result.txt")).unwrap();
        assert_eq!(text, "Hello, consensus!\n");
        // `poco task show` tells who voted what.
        let shown = devnet.poco(None, &["task", "show", task_id]).ok();
        for contribution in shown["contributions"].as_array().unwrap() {
            let worker = contribution["worker"].as_str().unwrap().to_lowercase();
            if worker == cheater {
                assert_eq!(contribution["agrees"], false, "{shown}");
                assert_eq!(contribution["status"], "CONTRIBUTED", "the loser: {shown}");
                cheated += 1;
            } else {
                assert_eq!(contribution["agrees"], true, "{shown}");
                if contribution["status"] == "PROVED" {
                    *wins.entry(worker).or_default() += 1;
                }
            }
        }
    }
    assert!(cheated >= 1, "the cheater took part in no task: {ran}");
    for (worker, before) in workers.iter().zip(&before) {
        let key = worker.to_lowercase();
        let after = stake(worker);
        if key == cheater {
            // Its stake for each task it lied in is seized.
            assert_eq!(before - after, worker_stake * cheated, "cheater's stake");
        } else if wins.get(&key).copied().unwrap_or(0) > 0 {
            // The winners are paid.
            assert!(after > *before, "winner {worker} was not paid: {before} → {after}");
        }
    }
    // Scores: +1 per task won for the honest, nothing for the cheater.
    let score = |task: &serde_json::Value, who: &str| -> Option<u128> {
        task["contributions"].as_array().unwrap().iter().find_map(|c| {
            (c["worker"].as_str().unwrap().to_lowercase() == who)
                .then(|| c["score"].as_str().unwrap().parse().unwrap())
        })
    };
    let last = devnet.poco(None, &["task", "show", tasks[1]["taskId"].as_str().unwrap()]).ok();
    let first = devnet.poco(None, &["task", "show", tasks[0]["taskId"].as_str().unwrap()]).ok();
    for (worker, won) in &wins {
        let seen = score(&first, worker).or_else(|| score(&last, worker)).unwrap();
        assert_eq!(seen, *won, "score of {worker}");
    }
    if let Some(seen) = score(&first, &cheater).or_else(|| score(&last, &cheater)) {
        assert_eq!(seen, 0, "the cheater's score");
    }

    let status = devnet.stop("TERM");
    assert_eq!(status.code(), Some(0));
}

/// The pool owner among the dev accounts.
const POOL_OWNER: usize = 3;

/// Calls a JSON-RPC method of the devnet's chain.
fn rpc(devnet: &Running, method: &str, params: &serde_json::Value) -> serde_json::Value {
    let url = devnet.ready["rpcUrl"].as_str().unwrap().to_owned();
    let body = serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let answer: serde_json::Value = reqwest::Client::new()
            .post(url)
            .json(&body)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(answer.get("error").is_none(), "{method}: {answer}");
        answer["result"].clone()
    })
}

#[test]
fn with_no_worker_online_the_requester_claims_a_full_refund_after_the_final_deadline() {
    let dir = tempfile::tempdir().unwrap();
    let devnet = Running::start_with(&dir.path().join("devnet"), &["--workers", "0"]);
    let app = deploy_hello(&devnet, dir.path());
    // No worker: the pool owner sells one task by hand.
    let owner = devnet.key_file(POOL_OWNER, dir.path());
    let pool = devnet.ready["workerpool"].as_str().unwrap().to_owned();
    devnet
        .poco(
            Some(&owner),
            &["workerpool", "publish", &pool, "--price", "1000", "--volume", "1", "--trust", "1"],
        )
        .ok();
    let requester = devnet.key_file(REQUESTER, dir.path());
    devnet.poco(Some(&requester), &["account", "deposit", "10RLC"]).ok();
    let before = devnet.poco(Some(&requester), &["account", "show"]).ok();

    let ran = devnet.poco(Some(&requester), &["app", "run", &app, "--trust", "1"]).ok();
    let task = ran["deal"]["tasks"][0].as_str().unwrap().to_owned();
    let price: u128 = ran["deal"]["taskPrice"].as_str().unwrap().parse().unwrap();
    let during = devnet.poco(Some(&requester), &["account", "show"]).ok();
    let locked = |account: &serde_json::Value| -> u128 {
        account["locked"].as_str().unwrap().parse().unwrap()
    };
    let deposited = |account: &serde_json::Value| -> u128 {
        account["deposited"].as_str().unwrap().parse().unwrap()
    };
    assert_eq!(locked(&during) - locked(&before), price, "the price is locked");

    // Too early: refused, and nothing changes.
    let early = devnet.poco(Some(&requester), &["task", "claim", &task]);
    assert_eq!(early.code, Some(9), "{}", early.stderr);
    assert!(early.error()["error"]["message"].as_str().unwrap().contains("final deadline"));
    let shown = devnet.poco(None, &["task", "show", &task]).ok();
    assert!(matches!(shown["status"].as_str(), Some("UNSET" | "ACTIVE")), "{shown}");
    let final_deadline = shown["finalDeadline"].as_u64().unwrap();
    assert!(final_deadline > 0, "{shown}");

    // Past the final deadline (devchain time travel): the task is claimable, then claimed.
    let now = u64::from_str_radix(
        rpc(&devnet, "eth_getBlockByNumber", &serde_json::json!(["latest", false]))["timestamp"]
            .as_str()
            .unwrap()
            .trim_start_matches("0x"),
        16,
    )
    .unwrap();
    rpc(&devnet, "evm_increaseTime", &serde_json::json!([final_deadline - now + 10]));
    rpc(&devnet, "evm_mine", &serde_json::json!([]));
    let watched = devnet.poco(None, &["task", "show", &task, "--watch", "--timeout", "30"]).ok();
    assert_eq!(watched["end"], "CLAIMABLE", "{watched}");
    let claimed = devnet.poco(Some(&requester), &["task", "claim", &task]).ok();
    assert_eq!(claimed["task"]["status"], "FAILED", "{claimed}");

    // A full refund: the deposit is back where it was, nothing locked.
    let after = devnet.poco(Some(&requester), &["account", "show"]).ok();
    assert_eq!(deposited(&after), deposited(&before));
    assert_eq!(locked(&after), locked(&before));
    let again = devnet.poco(Some(&requester), &["task", "claim", &task]);
    assert_eq!(again.code, Some(9), "{}", again.stderr);

    let status = devnet.stop("TERM");
    assert_eq!(status.code(), Some(0));
}
