//! The WASM executor with the example apps.

use crate::common::*;
use alloy_primitives::B256;
use poco_primitives::ids::{DealId, TaskId};
use poco_sandbox::{
    AppEnv, AppImage, Executor, ExitCause, Limits, NetworkPolicy, RunSpec, SandboxError,
    WasmConfig, WasmExecutor,
};
use sha2::{Digest, Sha256};
use std::time::Duration;

fn executor() -> WasmExecutor {
    WasmExecutor::new(WasmConfig::default()).unwrap()
}

fn app(name: &str) -> AppImage {
    AppImage::Wasm { module: module(name) }
}

fn spec(name: &str, dirs: &TaskDirs) -> RunSpec {
    RunSpec::new(app(name), dirs.input.path(), dirs.output.path())
        .with_label(format!("test-{name}"))
}

#[tokio::test]
async fn hello_writes_its_arguments_and_computed_json() {
    let dirs = TaskDirs::new();
    let outcome = executor().run(spec("hello", &dirs).with_args(["poco", "world"])).await.unwrap();
    assert_cause(&outcome, &ExitCause::Completed);
    assert_eq!(dirs.out("result.txt"), "Hello, poco world!\n");
    assert_eq!(deterministic_output(&dirs), "/iexec_out/result.txt");
    assert_eq!(outcome.stdout.text(), "Hello, poco world!\n");
    assert_eq!(dirs.out_names(), ["computed.json", "result.txt"]);
    assert!(outcome.timings.run <= outcome.timings.total);
}

#[tokio::test]
async fn sha256sum_hashes_the_inputs_named_by_the_reference_variables() {
    let inputs: [(&str, &[u8]); 3] =
        [("a.txt", b"first input\n"), ("b.bin", &[0u8, 1, 2, 255]), ("0xdataset", b"dataset")];
    let env = AppEnv {
        deal_id: DealId::from(B256::repeat_byte(1)),
        task_index: 0,
        task_id: TaskId::from(B256::repeat_byte(2)),
        bot_size: 1,
        bot_first_index: 0,
        dataset: None,
        input_files: vec!["a.txt".into(), "b.bin".into()],
    };
    let hex =
        |bytes: &[u8]| Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect::<String>();
    let expected = format!(
        "{}  0xdataset\n{}  a.txt\n{}  b.bin\n{}  arg:x\n",
        hex(b"dataset"),
        hex(b"first input\n"),
        hex(&[0u8, 1, 2, 255]),
        hex(b"x")
    );
    let executor = executor();
    let mut results = Vec::new();
    for _ in 0..2 {
        let dirs = TaskDirs::with_inputs(&inputs);
        let spec = spec("sha256sum", &dirs)
            .with_env(env.vars())
            .with_env([("IEXEC_DATASET_FILENAME", "0xdataset")])
            .with_args(["x"]);
        let outcome = executor.run(spec).await.unwrap();
        assert_cause(&outcome, &ExitCause::Completed);
        assert_eq!(deterministic_output(&dirs), "/iexec_out/result.txt");
        results.push(dirs.out("result.txt"));
    }
    assert_eq!(results[0], expected);
    assert_eq!(results[0], results[1], "a deterministic app gives the same bytes twice");

    // a missing input is a graceful failure
    let dirs = TaskDirs::new();
    let outcome = executor.run(spec("sha256sum", &dirs).with_env(env.vars())).await.unwrap();
    assert_cause(&outcome, &ExitCause::Failed { exit_code: 2 });
    assert!(dirs.out("error.txt").contains("a.txt"), "{}", dirs.out("error.txt"));
    assert_eq!(deterministic_output(&dirs), "/iexec_out/error.txt");
}

#[tokio::test]
async fn a_graceful_failure_leaves_error_txt_and_its_exit_code() {
    let dirs = TaskDirs::new();
    let outcome = executor().run(spec("fail", &dirs).with_args(["7"])).await.unwrap();
    assert_cause(&outcome, &ExitCause::Failed { exit_code: 7 });
    assert_eq!(outcome.cause.code(), "APP_FAILED");
    assert!(dirs.out("error.txt").contains("exit code 7"));
    assert_eq!(deterministic_output(&dirs), "/iexec_out/error.txt");
    assert!(outcome.stderr.text().contains("failed on purpose"), "{}", outcome.stderr.text());
}

#[tokio::test]
async fn the_random_app_differs_between_runs() {
    let executor = executor();
    let mut results = Vec::new();
    for _ in 0..2 {
        let dirs = TaskDirs::new();
        let outcome = executor.run(spec("random", &dirs)).await.unwrap();
        assert_cause(&outcome, &ExitCause::Completed);
        results.push(dirs.out("result.txt"));
    }
    assert_ne!(results[0], results[1]);
}

#[tokio::test]
async fn an_overrun_is_killed_with_timeout() {
    let dirs = TaskDirs::new();
    let limits = Limits::default().with_timeout(Duration::from_millis(300));
    let outcome = executor().run(spec("busyloop", &dirs).with_limits(limits)).await.unwrap();
    assert_cause(&outcome, &ExitCause::Timeout);
    assert!(outcome.timings.run >= Duration::from_millis(300), "{:?}", outcome.timings);
    assert!(outcome.timings.run < Duration::from_secs(3), "{:?}", outcome.timings);
    assert!(outcome.stdout.text().contains("spinning"));
}

#[tokio::test]
async fn an_app_asleep_in_a_host_call_is_killed_on_time() {
    let dirs = TaskDirs::new();
    let limits = Limits::default().with_timeout(Duration::from_millis(300));
    let spec = spec("probe", &dirs).with_args(["sleep:20000"]).with_limits(limits);
    let outcome = executor().run(spec).await.unwrap();
    assert_cause(&outcome, &ExitCause::Timeout);
    assert!(outcome.timings.run < Duration::from_secs(3), "{:?}", outcome.timings);
}

#[tokio::test]
async fn fuel_runs_out() {
    let dirs = TaskDirs::new();
    let limits = Limits::default().with_fuel(Some(5_000_000));
    let outcome = executor().run(spec("busyloop", &dirs).with_limits(limits)).await.unwrap();
    assert_cause(&outcome, &ExitCause::OutOfFuel);

    // enough fuel for hello
    let dirs = TaskDirs::new();
    let limits = Limits::default().with_fuel(Some(50_000_000));
    let outcome = executor().run(spec("hello", &dirs).with_limits(limits)).await.unwrap();
    assert_cause(&outcome, &ExitCause::Completed);
}

#[tokio::test]
async fn memory_past_the_limit_is_out_of_memory() {
    let executor = executor();
    let limits = Limits::default().with_memory_bytes(32 << 20);
    let dirs = TaskDirs::new();
    let outcome = executor
        .run(spec("probe", &dirs).with_args(["alloc:256"]).with_limits(limits.clone()))
        .await
        .unwrap();
    assert_cause(&outcome, &ExitCause::OutOfMemory);
    assert_eq!(outcome.cause.code(), "OUT_OF_MEMORY");

    // under the limit it is fine
    let dirs = TaskDirs::new();
    let outcome = executor
        .run(spec("probe", &dirs).with_args(["alloc:8"]).with_limits(limits))
        .await
        .unwrap();
    assert_cause(&outcome, &ExitCause::Completed);
    assert_eq!(dirs.out("report.txt"), "alloc:8 ok 8 MiB held\n");
}

#[tokio::test]
async fn the_host_is_out_of_reach() {
    let (_secret_dir, secret) = host_secret();
    let listener = HostListener::start();
    let dirs = TaskDirs::with_inputs(&[("input.txt", b"input")]);
    let connect = format!("connect:127.0.0.1:{}", listener.port);
    let read_secret = format!("read:{}", secret.display());
    let probes = [
        "read:/iexec_in/input.txt",
        "write:/iexec_out/ok.txt",
        read_secret.as_str(),
        "read:/etc/passwd",
        "list:/",
        "write:/iexec_in/x",
        "write:/tmp/x",
        "write:/x",
        "write:/iexec_out/../escape",
        connect.as_str(),
        "env:IEXEC_OUT",
    ];
    let outcome = executor().run(spec("probe", &dirs).with_args(probes)).await.unwrap();
    assert_cause(&outcome, &ExitCause::Completed);
    let report = probe_report(&dirs.out("report.txt"));
    assert_eq!(report.len(), probes.len(), "{report:?}");
    assert_eq!(probe_status(&report, "read:/iexec_in/input.txt"), "ok 5 bytes");
    assert_eq!(probe_status(&report, "write:/iexec_out/ok.txt"), "ok written");
    assert_eq!(probe_status(&report, "env:IEXEC_OUT"), "ok /iexec_out");
    for denied in &probes[2..10] {
        assert!(probe_status(&report, denied).starts_with("err"), "{denied}: {report:?}");
    }
    assert_eq!(listener.accepted(), 0);
    assert_eq!(dirs.input_names(), ["input.txt"], "nothing written to the input folder");
    assert_eq!(dirs.out_names(), ["ok.txt", "report.txt"]);
    assert!(!dirs.output.path().parent().unwrap().join("escape").exists());
}

#[tokio::test]
async fn output_is_capped_to_its_tail() {
    let dirs = TaskDirs::new();
    let limits = Limits::default().with_output_cap(8);
    let outcome =
        executor().run(spec("hello", &dirs).with_args(["abc"]).with_limits(limits)).await.unwrap();
    assert_cause(&outcome, &ExitCause::Completed);
    assert_eq!(outcome.stdout.text(), "o, abc!\n");
    assert!(outcome.stdout.truncated);
    assert_eq!(outcome.stdout.total_bytes, "Hello, abc!\n".len() as u64);
}

#[tokio::test]
async fn a_chatty_app_keeps_its_last_bytes() {
    let dirs = TaskDirs::new();
    let limits = Limits::default().with_output_cap(1000);
    let spec = spec("probe", &dirs).with_args(["spam:50000"]).with_limits(limits);
    let outcome = executor().run(spec).await.unwrap();
    assert_cause(&outcome, &ExitCause::Completed);
    let text = outcome.stdout.text();
    assert_eq!(outcome.stdout.bytes.len(), 1000);
    assert!(outcome.stdout.truncated);
    let expected_total: usize =
        (1..=50000).map(|i| format!("spam line {i}\n").len()).sum::<usize>()
            + "spam:50000 ok 50000 lines\n".len();
    assert_eq!(outcome.stdout.total_bytes, expected_total as u64);
    assert!(text.ends_with("spam line 50000\nspam:50000 ok 50000 lines\n"), "{text}");
}

#[tokio::test]
async fn bad_input_is_refused_before_anything_runs() {
    let executor = executor();
    let dirs = TaskDirs::new();

    let missing = RunSpec::new(
        AppImage::Wasm { module: dirs.input.path().join("nope.wasm") },
        dirs.input.path(),
        dirs.output.path(),
    );
    let err = executor.run(missing).await.unwrap_err();
    assert_eq!(err.code(), "MODULE_NOT_READABLE", "{err}");

    std::fs::write(dirs.input.path().join("junk.wasm"), b"\0asm junk").unwrap();
    let junk = RunSpec::new(
        AppImage::Wasm { module: dirs.input.path().join("junk.wasm") },
        dirs.input.path(),
        dirs.output.path(),
    );
    let err = executor.run(junk).await.unwrap_err();
    assert!(matches!(err, SandboxError::ModuleInvalid { .. }), "{err}");

    let docker = RunSpec::new(
        AppImage::Docker { reference: "poco-apps/hello:latest".into(), archive: None },
        dirs.input.path(),
        dirs.output.path(),
    );
    assert_eq!(executor.run(docker).await.unwrap_err().code(), "WRONG_APP_FORMAT");

    let networked = spec("hello", &dirs).with_network(NetworkPolicy::Allowed);
    assert_eq!(executor.run(networked).await.unwrap_err().code(), "NETWORK_UNSUPPORTED");

    let same = RunSpec::new(app("hello"), dirs.input.path(), dirs.input.path());
    assert_eq!(executor.run(same).await.unwrap_err().code(), "INVALID_SPEC");

    assert_eq!(dirs.out_names(), Vec::<String>::new(), "nothing ran");
}

#[tokio::test]
async fn modules_compile_once_and_survive_a_restart_through_the_disk_cache() {
    let cache = tempfile::tempdir().unwrap();
    let config = WasmConfig { cache_dir: Some(cache.path().to_owned()), ..WasmConfig::default() };
    let executor = WasmExecutor::new(config.clone()).unwrap();
    let digest = executor.prepare(&module("hello")).await.unwrap();
    let bytes = std::fs::read(module("hello")).unwrap();
    let expected: String = Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(digest, expected);
    for _ in 0..3 {
        let dirs = TaskDirs::new();
        let outcome = executor.run(spec("hello", &dirs)).await.unwrap();
        assert_cause(&outcome, &ExitCause::Completed);
    }
    assert_eq!(executor.cached_modules(), 1);
    assert_eq!(executor.compilations(), 1);
    assert!(cache.path().join(format!("{digest}.cwasm")).is_file());
    drop(executor);

    // a new executor (a restarted worker) loads the serialized module
    let executor = WasmExecutor::new(config.clone()).unwrap();
    let dirs = TaskDirs::new();
    let outcome = executor.run(spec("hello", &dirs).with_args(["again"])).await.unwrap();
    assert_cause(&outcome, &ExitCause::Completed);
    assert_eq!(dirs.out("result.txt"), "Hello, again!\n");
    assert_eq!(executor.compilations(), 0, "loaded from the disk cache");
    drop(executor);

    // a corrupted cache file is not trusted: compiled again
    std::fs::write(cache.path().join(format!("{digest}.cwasm")), b"garbage").unwrap();
    let executor = WasmExecutor::new(config).unwrap();
    let dirs = TaskDirs::new();
    let outcome = executor.run(spec("hello", &dirs)).await.unwrap();
    assert_cause(&outcome, &ExitCause::Completed);
    assert_eq!(executor.compilations(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_runs_keep_to_their_own_folders() {
    let executor = executor();
    let mut handles = Vec::new();
    for i in 0..8 {
        let executor = executor.clone();
        handles.push(tokio::spawn(async move {
            let dirs = TaskDirs::new();
            let outcome =
                executor.run(spec("hello", &dirs).with_args([format!("run{i}")])).await.unwrap();
            assert_cause(&outcome, &ExitCause::Completed);
            assert_eq!(dirs.out("result.txt"), format!("Hello, run{i}!\n"));
        }));
    }
    for handle in handles {
        handle.await.unwrap();
    }
    assert_eq!(executor.compilations(), 1, "compiled once for all eight runs");
    assert_eq!(executor.cached_modules(), 1);
}
