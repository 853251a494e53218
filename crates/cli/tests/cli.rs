//! The real `poco` binary against an in-process devchain: wallets, account moves checked on
//! chain, app deploy and show, and the error paths (message, hint and exit code).

#![allow(clippy::unwrap_used)] // test code: a panic is a failure with its message

mod common;

use alloy::primitives::{Address, U256};
use common::{Env, ONE_RLC, path_str, u256};
use poco_contracts::bindings::AppRegistry;
use serde_json::Value;
use std::process::Command;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wallet_create_then_show() {
    let env = Env::new().await;
    let key = env.path("new.key");
    let created = env.poco(&["--json", "wallet", "create", "--key-file", path_str(&key)]).success();
    let address: Address = created.json()["address"].as_str().unwrap().parse().unwrap();
    let content = std::fs::read_to_string(&key).unwrap();
    let signer: alloy::signers::local::PrivateKeySigner = content.trim().parse().unwrap();
    assert_eq!(signer.address(), address);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    let shown = env.poco(&["--json", "wallet", "show", "--key-file", path_str(&key)]).success();
    let shown = shown.json();
    assert_eq!(shown["address"].as_str().unwrap().parse::<Address>().unwrap(), address);
    assert_eq!(u256(&shown["eth"]), U256::ZERO);
    assert_eq!(u256(&shown["rlc"]), U256::ZERO);

    // A funded dev account, by address, in text.
    let (_, dev) = env.dev_key_file(1);
    let text = env.poco(&["wallet", "show", &dev.to_string()]).success();
    assert!(text.stdout.contains("RLC:     1000000 RLC"), "{text:?}");
    assert!(text.stdout.contains("ETH:     10000 ETH"), "{text:?}");

    // Never overwritten.
    let again = env.poco(&["wallet", "create", "--key-file", path_str(&key)]);
    assert_eq!(again.code, 4, "{again:?}");
    assert!(again.stderr.contains("already exists"), "{again:?}");
    assert_eq!(std::fs::read_to_string(&key).unwrap(), content);

    // A keystore, unlocked with its password file.
    let keystore = env.path("new.json");
    let password = env.path("password.txt");
    std::fs::write(&password, "correct horse\n").unwrap();
    let args = ["--keystore", path_str(&keystore), "--password-file", path_str(&password)];
    let created = env.poco(&[&["--json", "wallet", "create"], &args[..]].concat()).success();
    let address = created.json()["address"].as_str().unwrap().to_owned();
    let shown = env.poco(&[&["--json", "wallet", "show"], &args[..]].concat()).success();
    assert_eq!(shown.json()["address"].as_str().unwrap(), address);
    std::fs::write(&password, "wrong\n").unwrap();
    let wrong = env.poco(&[&["wallet", "show"], &args[..]].concat());
    assert_eq!(wrong.code, 4, "{wrong:?}");
    assert!(wrong.stderr.contains("could not decrypt the keystore"), "{wrong:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn account_deposit_show_withdraw() {
    let env = Env::new().await;
    let (key, me) = env.dev_key_file(2);
    let key = path_str(&key);
    let (wallet0, deposited0, _) = env.balances(me).await;
    assert_eq!(deposited0, U256::ZERO);

    let deposit = env.poco(&["--json", "--key-file", key, "account", "deposit", "5RLC"]).success();
    let deposit = deposit.json();
    assert_eq!(u256(&deposit["amount"]), U256::from(5 * ONE_RLC));
    let (wallet1, deposited1, locked1) = env.balances(me).await;
    assert_eq!(deposited1, U256::from(5 * ONE_RLC));
    assert_eq!(wallet1, wallet0 - U256::from(5 * ONE_RLC));
    assert_eq!(locked1, U256::ZERO);
    assert_eq!(u256(&deposit["balances"]["deposited"]), deposited1);
    assert_eq!(u256(&deposit["balances"]["wallet"]), wallet1);

    let show = env.poco(&["--json", "account", "show", &me.to_string()]).success().json();
    assert_eq!(u256(&show["deposited"]), deposited1);
    assert_eq!(u256(&show["wallet"]), wallet1);
    assert_eq!(u256(&show["locked"]), U256::ZERO);
    let text = env.poco(&["--key-file", key, "account", "show"]).success();
    assert!(text.stdout.contains("deposited: 5 RLC"), "{text:?}");

    // 1.5 RLC in nRLC, the default unit.
    let withdraw =
        env.poco(&["--json", "--key-file", key, "account", "withdraw", "1500000000"]).success();
    let (wallet2, deposited2, _) = env.balances(me).await;
    assert_eq!(deposited2, U256::from(3_500_000_000u64));
    assert_eq!(wallet2, wallet1 + U256::from(1_500_000_000u64));
    assert_eq!(u256(&withdraw.json()["balances"]["deposited"]), deposited2);

    // More than deposited: nothing sent, the message says what is missing.
    let too_much = env.poco(&["--key-file", key, "account", "withdraw", "10RLC"]);
    assert_eq!(too_much.code, 6, "{too_much:?}");
    assert!(too_much.stdout.is_empty(), "{too_much:?}");
    assert!(
        too_much.stderr.contains("10 RLC needed, 3.5 RLC available, 6.5 RLC missing"),
        "{too_much:?}"
    );
    assert!(too_much.stderr.contains("at most 3.5 RLC can be withdrawn"), "{too_much:?}");
    assert_eq!(env.balances(me).await.1, deposited2);

    // The same as JSON on stderr.
    let json = env.poco(&["--json", "--key-file", key, "account", "withdraw", "10RLC"]);
    assert_eq!(json.code, 6, "{json:?}");
    let error: Value = serde_json::from_str(json.stderr.trim()).unwrap();
    assert_eq!(error["error"]["kind"], "insufficient_funds");
    assert_eq!(error["error"]["exit_code"], 6);

    // A deposit above the wallet's RLC.
    let (fresh, _) = {
        let key = env.path("empty.key");
        env.poco(&["wallet", "create", "--key-file", path_str(&key)]).success();
        (key, ())
    };
    let broke = env.poco(&["--key-file", path_str(&fresh), "account", "deposit", "1RLC"]);
    assert_eq!(broke.code, 6, "{broke:?}");
    assert!(broke.stderr.contains("1 RLC missing"), "{broke:?}");

    // Malformed amounts and no wallet.
    let bad = env.poco(&["--key-file", key, "account", "deposit", "5 ETH"]);
    assert_eq!(bad.code, 9, "{bad:?}");
    assert!(bad.stderr.contains("invalid amount `5 ETH`"), "{bad:?}");
    let no_wallet = env.poco(&["account", "deposit", "5RLC"]);
    assert_eq!(no_wallet.code, 4, "{no_wallet:?}");
    assert!(no_wallet.stderr.contains("--key-file"), "{no_wallet:?}");
    assert_eq!(env.balances(me).await.1, deposited2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn app_deploy_then_show() {
    let env = Env::new().await;
    let (key, me) = env.dev_key_file(3);
    let key = path_str(&key);
    let module = env.path("hello.wasm");
    std::fs::write(&module, b"\0asm not really").unwrap();
    let checksum = alloy::primitives::B256::from_slice(&{
        use sha2::Digest;
        sha2::Sha256::digest(b"\0asm not really")
    });
    let deploy = [
        "--json",
        "--key-file",
        key,
        "app",
        "deploy",
        "--name",
        "hello",
        "--type",
        "WASM",
        "--multiaddr",
        "https://example.com/hello.wasm",
        "--file",
        path_str(&module),
    ];
    let deployed = env.poco(&deploy).success().json();
    let app: Address = deployed["address"].as_str().unwrap().parse().unwrap();
    let registry = env.devchain.deployment().unwrap().app_registry;
    let registered =
        env.client.call(registry, &AppRegistry::isRegisteredCall { entry: app }).await.unwrap();
    assert!(registered);

    let shown = env.poco(&["--json", "app", "show", &app.to_string()]).success().json();
    assert_eq!(shown["owner"].as_str().unwrap().parse::<Address>().unwrap(), me);
    assert_eq!(shown["name"], "hello");
    assert_eq!(shown["app_type"], "WASM");
    assert_eq!(shown["multiaddr"], "https://example.com/hello.wasm");
    assert_eq!(
        shown["checksum"].as_str().unwrap().parse::<alloy::primitives::B256>().unwrap(),
        checksum
    );

    // The same app again: refused before sending, with its address.
    let again = env.poco(&deploy[1..]);
    assert_eq!(again.code, 9, "{again:?}");
    assert!(again.stderr.contains(&format!("already deployed at {app}")), "{again:?}");

    // Not an app.
    let missing = env.poco(&["app", "show", &me.to_string()]);
    assert_eq!(missing.code, 8, "{missing:?}");
    assert!(missing.stderr.contains("is not a registered app"), "{missing:?}");
    assert!(missing.stderr.contains("poco app deploy"), "{missing:?}");

    // A workerpool and a dataset, same pattern.
    let pool = env
        .poco(&["--json", "--key-file", key, "workerpool", "deploy", "--description", "pool"])
        .success()
        .json();
    let pool = pool["address"].as_str().unwrap().to_owned();
    let shown = env.poco(&["--json", "workerpool", "show", &pool]).success().json();
    assert_eq!(shown["description"], "pool");
    let dataset = env
        .poco(&[
            "--json",
            "--key-file",
            key,
            "dataset",
            "deploy",
            "--name",
            "data",
            "--multiaddr",
            "https://example.com/data.csv",
            "--checksum",
            "0x1111111111111111111111111111111111111111111111111111111111111111",
        ])
        .success()
        .json();
    let dataset = dataset["address"].as_str().unwrap().to_owned();
    let shown = env.poco(&["--json", "dataset", "show", &dataset]).success().json();
    assert_eq!(shown["name"], "data");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn error_paths() {
    let env = Env::new().await;
    let (key, _) = env.dev_key_file(4);

    let unknown = env.poco_on("nope", &["account", "show", &Address::ZERO.to_string()]);
    assert_eq!(unknown.code, 3, "{unknown:?}");
    assert!(
        unknown.stderr.contains("unknown chain `nope` (known: dev, down, test)"),
        "{unknown:?}"
    );
    assert!(unknown.stderr.contains("hint: pick a known chain with --chain"), "{unknown:?}");

    let missing_file = Command::new(env!("CARGO_BIN_EXE_poco"))
        .args(["--chain-file", "/nonexistent/chains.json", "chain", "list"])
        .output()
        .unwrap();
    assert_eq!(missing_file.status.code(), Some(3));

    let bad_key = env.path("bad.key");
    std::fs::write(&bad_key, "not a key\n").unwrap();
    let bad = env.poco(&["--key-file", path_str(&bad_key), "account", "deposit", "1RLC"]);
    assert_eq!(bad.code, 4, "{bad:?}");
    assert!(bad.stderr.contains("does not hold a valid hex private key"), "{bad:?}");
    assert!(!bad.stderr.contains("not a key"), "the key file's content leaked: {bad:?}");
    assert!(bad.stderr.contains("hint: check the wallet"), "{bad:?}");

    let absent = env.poco(&["--key-file", path_str(&env.path("absent.key")), "wallet", "show"]);
    assert_eq!(absent.code, 4, "{absent:?}");
    assert!(absent.stderr.contains("could not read"), "{absent:?}");

    let down = env.poco_on("down", &["--key-file", path_str(&key), "account", "show"]);
    assert_eq!(down.code, 5, "{down:?}");
    assert!(down.stderr.contains("could not connect to chain `down`"), "{down:?}");
    assert!(down.stderr.contains("is the node running?"), "{down:?}");

    let usage = env.poco(&["account", "deposit"]);
    assert_eq!(usage.code, 2, "{usage:?}");

    let help = env.poco(&["account", "withdraw", "--help"]).success();
    assert!(help.stdout.contains("Examples:"), "{help:?}");
    let help = env.poco(&["--help"]).success();
    assert!(help.stdout.contains("Exit codes:"), "{help:?}");

    let chains = env.poco(&["--json", "chain", "list"]).success().json();
    assert_eq!(chains["chains"]["dev"]["chain_id"], 31337);
    let shown = env.poco(&["--json", "chain", "show"]).success().json();
    assert_eq!(shown["contracts"]["hub"].as_str().unwrap().parse::<Address>().unwrap(), env.hub());
}
