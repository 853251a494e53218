//! The real `poco` binary against an in-process devchain and the real market over it: orders
//! published, listed, shown, filled into a deal (read back from the chain), unpublished and
//! cancelled; categories; and the error paths with their messages and exit codes.

#![allow(clippy::unwrap_used)] // test code: a panic is a failure with its message

mod common;

use alloy::primitives::{Address, B256, U256};
use common::{Env, ONE_RLC, Run, path_str};
use poco_contracts::bindings::IPoco;
use poco_primitives::{AppOrder, poco_domain, sign_order};
use serde_json::Value;
use std::time::Duration;

const APP_OWNER: usize = 1;
const POOL_OWNER: usize = 3;
const REQUESTER: usize = 4;

/// A number the market answers as a hex or decimal string.
fn number(value: &Value) -> U256 {
    value.as_str().unwrap_or_else(|| panic!("not a string: {value}")).parse().unwrap()
}

/// Keys of the actors, an app and a workerpool deployed through the CLI, the pool owner's stake.
struct Actors {
    app_owner: String,
    pool_owner: String,
    requester: String,
    requester_address: Address,
    app: String,
    pool: String,
}

/// Dev account `index`'s key file.
fn key(env: &Env, index: usize) -> String {
    path_str(&env.dev_key_file(index).0).to_owned()
}

fn set_up(env: &Env) -> Actors {
    let (app_owner, pool_owner) = (key(env, APP_OWNER), key(env, POOL_OWNER));
    let requester = key(env, REQUESTER);
    let app_args =
        ["app", "deploy", "--name", "hello", "--multiaddr", "https://example.com/a.wasm"];
    let app = env.deployed(&app_owner, &app_args);
    let pool = env.deployed(&pool_owner, &["workerpool", "deploy", "--description", "p"]);
    env.poco(&["--key-file", &pool_owner, "account", "deposit", "10RLC"]).success();
    let requester_address = env.devchain.dev_accounts()[REQUESTER].address;
    Actors { app_owner, pool_owner, requester, requester_address, app, pool }
}

/// Polls `poco order show <hash>` (bounded) until the market gives it `status`.
async fn wait_status(env: &Env, hash: &str, status: &str) -> Run {
    for _ in 0..100 {
        let shown = env.poco(&["--json", "order", "show", hash]).success();
        if shown.json()["status"] == status {
            return shown;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("order {hash} never became {status}: {:?}", env.poco(&["order", "show", hash]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn publish_list_show_fill_unpublish_cancel() {
    let env = Env::with_market().await;
    let a = set_up(&env);

    // Sign and publish in one go, for an app and a workerpool.
    let app_record = env
        .poco(&[
            "--json",
            "--key-file",
            &a.app_owner,
            "app",
            "publish",
            &a.app,
            "--price",
            "1RLC",
            "--volume",
            "5",
        ])
        .success()
        .json();
    assert_eq!(app_record["book"], "app");
    assert_eq!(app_record["status"], "open");
    assert_eq!(number(&app_record["remaining"]), U256::from(5));
    assert_eq!(app_record["order"]["appprice"], "0x3b9aca00");
    let app_hash = app_record["orderHash"].as_str().unwrap().to_owned();
    let pool_record = env
        .poco(&[
            "--json",
            "--key-file",
            &a.pool_owner,
            "workerpool",
            "publish",
            &a.pool,
            "--price",
            "2RLC",
            "--volume",
            "5",
            "--category",
            "0",
            "--trust",
            "1",
        ])
        .success()
        .json();
    let pool_hash = pool_record["orderHash"].as_str().unwrap().to_owned();

    // The books list them, as records with --json and as a table without.
    let book = env.poco(&["--json", "orderbook", "app", &a.app]).success().json();
    let hashes: Vec<&str> = book["orders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["orderHash"].as_str().unwrap())
        .collect();
    assert_eq!(hashes, [app_hash.as_str()]);
    let table = env.poco(&["orderbook", "workerpool", "--category", "0", "--min-trust", "1"]);
    let table = table.success();
    assert!(table.stdout.contains(&pool_hash), "{table:?}");
    assert!(table.stdout.contains("2 RLC"), "{table:?}");
    let none = env.poco(&["orderbook", "workerpool", "--max-price", "1RLC"]).success();
    assert!(none.stdout.contains("no order"), "{none:?}");
    let paged = env.poco(&["--json", "orderbook", "workerpool", "--limit", "1"]).success().json();
    assert_eq!(paged["orders"].as_array().unwrap().len(), 1);

    // One order by hash, in text.
    let shown = env.poco(&["order", "show", &app_hash]).success();
    assert!(shown.stdout.contains("status:"), "{shown:?}");
    assert!(shown.stdout.contains("remaining:   5 of 5"), "{shown:?}");
    assert!(shown.stdout.contains("price:       1 RLC"), "{shown:?}");

    // A fill the requester cannot pay: nothing sent, the message says what is missing.
    let fill = ["order", "fill", "--app", &app_hash, "--workerpool", &pool_hash, "--volume", "2"];
    let broke = env.poco(&[&["--key-file", a.requester.as_str()][..], &fill[..]].concat());
    assert_eq!(broke.code, 6, "{broke:?}");
    assert!(broke.stderr.contains("6 RLC needed, 0 RLC available, 6 RLC missing"), "{broke:?}");
    assert!(broke.stderr.contains("poco account deposit 6RLC"), "{broke:?}");

    // Deposit, then fill: the deal is on chain, for the requester, two tasks of the app.
    env.poco(&["--key-file", &a.requester, "account", "deposit", "10RLC"]).success();
    let filled =
        env.poco(&[&["--json", "--key-file", a.requester.as_str()][..], &fill[..]].concat());
    let filled = filled.success().json();
    assert_eq!(filled["volume"], "2");
    assert_eq!(filled["task_price"], (3 * ONE_RLC).to_string());
    let deal: B256 = filled["deal_id"].as_str().unwrap().parse().unwrap();
    let deal = env.client.call(env.hub(), &IPoco::viewDealCall { id: deal }).await.unwrap();
    assert_eq!(deal.app.pointer, a.app.parse::<Address>().unwrap());
    assert_eq!(deal.workerpool.pointer, a.pool.parse::<Address>().unwrap());
    assert_eq!(deal.requester, a.requester_address);
    assert_eq!(deal.botSize, U256::from(2));
    let (_, deposited, locked) = env.balances(a.requester_address).await;
    assert_eq!((deposited, locked), (U256::from(4 * ONE_RLC), U256::from(6 * ONE_RLC)));
    wait_status(&env, &app_hash, "open").await;

    // With a dataset: its order by hash too; the deal names it and pays its price.
    let data_args = ["dataset", "deploy", "--name", "d", "--multiaddr", "https://example.com/d"];
    let dataset = env.deployed(&a.app_owner, &data_args);
    let dataset_record = env
        .poco(&[
            "--json",
            "--key-file",
            &a.app_owner,
            "dataset",
            "publish",
            &dataset,
            "--price",
            "0.5RLC",
        ])
        .success()
        .json();
    let dataset_hash = dataset_record["orderHash"].as_str().unwrap();
    let with_dataset = env
        .poco(&[
            "--json",
            "--key-file",
            &a.requester,
            "order",
            "fill",
            "--app",
            &app_hash,
            "--dataset",
            dataset_hash,
            "--workerpool",
            &pool_hash,
        ])
        .success()
        .json();
    assert_eq!(with_dataset["task_price"], "3500000000");
    let deal: B256 = with_dataset["deal_id"].as_str().unwrap().parse().unwrap();
    let deal = env.client.call(env.hub(), &IPoco::viewDealCall { id: deal }).await.unwrap();
    assert_eq!(deal.dataset.pointer, dataset.parse::<Address>().unwrap());
    assert_eq!(deal.botSize, U256::from(1));
    let mixed = env.poco(&[
        "--key-file",
        &a.requester,
        "order",
        "fill",
        "--app",
        dataset_hash,
        "--workerpool",
        &pool_hash,
    ]);
    assert_eq!(mixed.code, 9, "{mixed:?}");
    assert!(
        mixed.stderr.contains("--app takes an order of the app book, not one of the dataset book"),
        "{mixed:?}"
    );

    // Unpublish the app order: gone from the book.
    let out = env.poco(&["--json", "--key-file", &a.app_owner, "app", "unpublish", &a.app]);
    assert_eq!(out.success().json()["unpublished"][0], app_hash.as_str());
    wait_status(&env, &app_hash, "unpublished").await;
    let book = env.poco(&["--json", "orderbook", "app", &a.app]).success().json();
    assert!(book["orders"].as_array().unwrap().is_empty(), "{book}");

    // A workerpool order through files: sign, publish, cancel on chain; the market marks it
    // cancelled and a fill with it fails before sending.
    let pool_file = env.path("pool.json");
    let app_file = env.path("app.json");
    env.poco(&[
        "--key-file",
        &a.pool_owner,
        "order",
        "sign",
        "--workerpool",
        &a.pool,
        "--price",
        "1RLC",
        "--out",
        path_str(&pool_file),
    ])
    .success();
    let signed = env
        .poco(&["--json", "--key-file", &a.app_owner, "order", "sign", "--app", &a.app])
        .success();
    std::fs::write(&app_file, &signed.stdout).unwrap();
    let published = env
        .poco(&["--json", "--key-file", &a.pool_owner, "order", "publish", path_str(&pool_file)])
        .success()
        .json();
    let cancelled_hash = published["orderHash"].as_str().unwrap().to_owned();
    let cancelled = env
        .poco(&["--json", "--key-file", &a.pool_owner, "order", "cancel", path_str(&pool_file)])
        .success()
        .json();
    assert_eq!(cancelled["order_hash"], cancelled_hash.as_str());
    wait_status(&env, &cancelled_hash, "canceled").await;
    let late = env.poco(&[
        "--key-file",
        &a.requester,
        "order",
        "fill",
        "--app",
        path_str(&app_file),
        "--workerpool",
        path_str(&pool_file),
    ]);
    assert_eq!(late.code, 9, "{late:?}");
    assert!(late.stderr.contains("cannot be matched"), "{late:?}");
    assert!(late.stderr.contains("hint: sign a new order"), "{late:?}");

    // Unpublish by hash, and everything left of the pool owner's.
    let again =
        env.poco(&["--json", "--key-file", &a.pool_owner, "order", "unpublish", &pool_hash]);
    assert_eq!(again.success().json()["unpublished"][0], pool_hash.as_str());
    let all = env
        .poco(&[
            "--json",
            "--key-file",
            &a.pool_owner,
            "order",
            "unpublish",
            "--all",
            "--workerpool",
        ])
        .success();
    assert!(all.json()["unpublished"].as_array().unwrap().is_empty(), "{all:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn categories() {
    let env = Env::new().await;
    let count = env.poco(&["--json", "category", "count"]).success().json();
    assert_eq!(count["count"], 5);
    let xl = env.poco(&["--json", "category", "show", "4"]).success().json();
    assert_eq!(xl["name"], "XL");
    assert_eq!(xl["work_clock_time_ref"], 36_000);

    let owner = key(&env, 0);
    let created = env
        .poco(&[
            "--json",
            "--key-file",
            &owner,
            "category",
            "create",
            "--name",
            "XXL",
            "--description",
            "two days",
            "--time",
            "172800",
        ])
        .success()
        .json();
    assert_eq!(created["category"]["id"], 5);
    let shown = env.poco(&["category", "show", "5"]).success();
    assert!(shown.stdout.contains("XXL") && shown.stdout.contains("172800 s"), "{shown:?}");

    let missing = env.poco(&["category", "show", "9"]);
    assert_eq!(missing.code, 8, "{missing:?}");
    assert!(missing.stderr.contains("no category 9 on the hub (it has 6"), "{missing:?}");
    let stranger = key(&env, 2);
    let refused =
        env.poco(&["--key-file", &stranger, "category", "create", "--name", "X", "--time", "1"]);
    assert_eq!(refused.code, 4, "{refused:?}");
    assert!(refused.stderr.contains("is not the hub's owner"), "{refused:?}");
    assert!(refused.stderr.contains("dev account 0"), "{refused:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn order_error_paths() {
    let env = Env::with_market().await;
    let a = set_up(&env);

    // An app order signed for another chain: the market refuses it with its code.
    let app: Address = a.app.parse().unwrap();
    let order = AppOrder { app, volume: U256::from(1), salt: B256::random(), ..Default::default() };
    let signer = &env.devchain.dev_accounts()[APP_OWNER].signer;
    let foreign = sign_order(signer, order, &poco_domain(1, env.hub())).unwrap();
    let file = env.path("foreign.json");
    std::fs::write(&file, serde_json::to_string(&foreign).unwrap()).unwrap();
    let refused = env.poco(&["--key-file", &a.app_owner, "order", "publish", path_str(&file)]);
    assert_eq!(refused.code, 9, "{refused:?}");
    assert!(refused.stderr.contains("the market refused"), "{refused:?}");
    assert!(refused.stderr.contains("(bad_signature)"), "{refused:?}");
    assert!(refused.stderr.contains("holds the chain id"), "{refused:?}");
    let json =
        env.poco(&["--json", "--key-file", &a.app_owner, "order", "publish", path_str(&file)]);
    let error: Value = serde_json::from_str(json.stderr.trim()).unwrap();
    assert_eq!(error["error"]["kind"], "invalid_input");
    assert_eq!(error["error"]["exit_code"], 9);

    // An order for an app the wallet does not own: refused before signing.
    let stranger = env.poco(&["--key-file", &a.requester, "order", "sign", "--app", &a.app]);
    assert_eq!(stranger.code, 9, "{stranger:?}");
    assert!(stranger.stderr.contains("does not own app"), "{stranger:?}");
    // An option that means nothing for the kind.
    let odd =
        env.poco(&["--key-file", &a.app_owner, "order", "sign", "--app", &a.app, "--trust", "1"]);
    assert_eq!(odd.code, 9, "{odd:?}");
    assert!(odd.stderr.contains("--trust does not apply to app orders"), "{odd:?}");
    // Not an order file.
    std::fs::write(env.path("junk.json"), "{\"x\":1}").unwrap();
    let junk = env.poco(&["--key-file", &a.app_owner, "order", "publish", "junk.json"]);
    assert_eq!(junk.code, 9, "{junk:?}");
    assert!(junk.stderr.contains("does not hold a signed order"), "{junk:?}");

    // An unknown hash.
    let unknown = format!("{:#x}", B256::repeat_byte(7));
    let missing = env.poco(&["order", "show", &unknown]);
    assert_eq!(missing.code, 8, "{missing:?}");
    assert!(missing.stderr.contains("no order"), "{missing:?}");
    assert!(missing.stderr.contains("poco orderbook"), "{missing:?}");
    let fill_missing = env.poco(&[
        "--key-file",
        &a.requester,
        "order",
        "fill",
        "--app",
        &unknown,
        "--workerpool",
        &unknown,
    ]);
    assert_eq!(fill_missing.code, 8, "{fill_missing:?}");

    // A market that does not answer.
    let down = env.poco_on("nomarket", &["orderbook", "workerpool"]);
    assert_eq!(down.code, 5, "{down:?}");
    assert!(down.stderr.contains("the market at http://127.0.0.1:9"), "{down:?}");
    assert!(down.stderr.contains("hint: is the market running?"), "{down:?}");

    // A pool order whose owner has no stake on the hub: the market's code, exit 6.
    let poor = key(&env, 5);
    let pool = env.deployed(&poor, &["workerpool", "deploy", "--description", "q"]);
    let stake = env.poco(&["--key-file", &poor, "workerpool", "publish", &pool, "--price", "1RLC"]);
    assert_eq!(stake.code, 6, "{stake:?}");
    assert!(stake.stderr.contains("(insufficient_stake)"), "{stake:?}");

    let help = env.poco(&["order", "fill", "--help"]).success();
    assert!(help.stdout.contains("Examples:"), "{help:?}");
}
