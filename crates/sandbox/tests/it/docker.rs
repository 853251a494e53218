//! The Docker executor with the example apps' images (`apps/build.sh docker`).
//!
//! These tests need a daemon (`DOCKER_HOST`, default `/var/run/docker.sock`) with the
//! `poco-apps/*` images. Without one they say so and pass, unless `POCO_REQUIRE_DOCKER=1` (set
//! by `.ci/run`), where they fail.

use crate::common::*;
use futures_util::StreamExt;
use poco_sandbox::{
    AppImage, DockerConfig, DockerExecutor, Executor, ExitCause, Limits, RunSpec,
    docker::CONTAINER_LABEL,
};
use std::{collections::HashMap, time::Duration};

/// The executor, or `None` (with a note) when no daemon or images are around and they are not
/// required.
async fn executor() -> Option<DockerExecutor> {
    let (host, required) = (docker_host(), docker_required());
    let unavailable = |why: String| {
        assert!(!required, "POCO_REQUIRE_DOCKER=1 but {why}");
        eprintln!("docker tests not run: {why} (set POCO_REQUIRE_DOCKER=1 to make this an error)");
        None
    };
    let Some(config) = DockerConfig::from_docker_host(&host) else {
        return unavailable(format!("DOCKER_HOST={host} is not a unix socket"));
    };
    let executor = match DockerExecutor::connect(config).await {
        Ok(executor) => executor,
        Err(err) => return unavailable(err.to_string()),
    };
    for app in ["hello", "fail", "busyloop", "probe", "sha256sum", "random"] {
        if let Err(err) = executor.ensure_image(&image(app), None).await {
            return unavailable(format!("{err} (run apps/build.sh docker)"));
        }
    }
    Some(executor)
}

/// `DOCKER_HOST`, or the default socket. (The test's edge: the environment is read here.)
#[allow(clippy::disallowed_methods)]
fn docker_host() -> String {
    std::env::var("DOCKER_HOST").unwrap_or_else(|_| "unix:///var/run/docker.sock".to_owned())
}

/// Whether `POCO_REQUIRE_DOCKER=1`.
#[allow(clippy::disallowed_methods)]
fn docker_required() -> bool {
    std::env::var("POCO_REQUIRE_DOCKER").is_ok_and(|v| v == "1")
}

/// The configuration of [`docker_host`] (checked by [`executor`] first).
fn docker_config() -> DockerConfig {
    DockerConfig::from_docker_host(&docker_host()).unwrap()
}

fn image(name: &str) -> String {
    format!("poco-apps/{name}:latest")
}

fn spec(name: &str, dirs: &TaskDirs) -> RunSpec {
    RunSpec::new(
        AppImage::Docker { reference: image(name), archive: None },
        dirs.input.path(),
        dirs.output.path(),
    )
    .with_label(format!("test-{name}"))
    .with_limits(Limits::default().with_timeout(Duration::from_secs(60)))
}

async fn sandbox_containers(executor: &DockerExecutor) -> usize {
    let filters = HashMap::from([("label".to_owned(), vec![CONTAINER_LABEL.to_owned()])]);
    let options = bollard::query_parameters::ListContainersOptions {
        all: true,
        filters: Some(filters),
        ..Default::default()
    };
    executor.client().list_containers(Some(options)).await.unwrap().len()
}

#[tokio::test]
async fn hello_writes_its_arguments_and_computed_json() {
    let Some(executor) = executor().await else { return };
    let dirs = TaskDirs::new();
    let outcome = executor.run(spec("hello", &dirs).with_args(["poco", "world"])).await.unwrap();
    assert_cause(&outcome, &ExitCause::Completed);
    assert_eq!(dirs.out("result.txt"), "Hello, poco world!\n");
    assert_eq!(deterministic_output(&dirs), "/iexec_out/result.txt");
    assert_eq!(outcome.stdout.text(), "Hello, poco world!\n");
    assert_eq!(dirs.out_names(), ["computed.json", "result.txt"]);
}

#[tokio::test]
async fn the_same_sources_give_the_same_results_as_wasm() {
    let Some(executor) = executor().await else { return };
    let inputs: [(&str, &[u8]); 1] = [("a.txt", b"first input\n")];
    let dirs = TaskDirs::with_inputs(&inputs);
    let env = [("IEXEC_INPUT_FILES_NUMBER", "1"), ("IEXEC_INPUT_FILE_NAME_1", "a.txt")];
    let outcome =
        executor.run(spec("sha256sum", &dirs).with_env(env).with_args(["x"])).await.unwrap();
    assert_cause(&outcome, &ExitCause::Completed);

    let wasm = poco_sandbox::WasmExecutor::new(Default::default()).unwrap();
    let wasm_dirs = TaskDirs::with_inputs(&inputs);
    let wasm_spec = RunSpec::new(
        AppImage::Wasm { module: module("sha256sum") },
        wasm_dirs.input.path(),
        wasm_dirs.output.path(),
    )
    .with_env(env)
    .with_args(["x"]);
    assert_cause(&wasm.run(wasm_spec).await.unwrap(), &ExitCause::Completed);
    assert_eq!(dirs.out("result.txt"), wasm_dirs.out("result.txt"));
    assert_eq!(dirs.out("computed.json"), wasm_dirs.out("computed.json"));
}

#[tokio::test]
async fn a_graceful_failure_leaves_error_txt_and_its_exit_code() {
    let Some(executor) = executor().await else { return };
    let dirs = TaskDirs::new();
    let outcome = executor.run(spec("fail", &dirs).with_args(["7"])).await.unwrap();
    assert_cause(&outcome, &ExitCause::Failed { exit_code: 7 });
    assert!(dirs.out("error.txt").contains("exit code 7"));
    assert_eq!(deterministic_output(&dirs), "/iexec_out/error.txt");
    assert!(outcome.stderr.text().contains("failed on purpose"), "{}", outcome.stderr.text());
}

#[tokio::test]
async fn an_overrun_is_killed_with_timeout_and_removed() {
    let Some(executor) = executor().await else { return };
    let dirs = TaskDirs::new();
    let limits = Limits::default().with_timeout(Duration::from_secs(1));
    let outcome = executor
        .run(spec("busyloop", &dirs).with_label("test-timeout").with_limits(limits))
        .await
        .unwrap();
    assert_cause(&outcome, &ExitCause::Timeout);
    assert!(outcome.timings.run >= Duration::from_secs(1), "{:?}", outcome.timings);
    assert!(outcome.timings.run < Duration::from_secs(10), "{:?}", outcome.timings);
    assert!(outcome.stdout.text().contains("spinning"), "{:?}", outcome.stdout);
}

#[tokio::test]
async fn memory_past_the_limit_is_out_of_memory() {
    let Some(executor) = executor().await else { return };
    let limits =
        Limits::default().with_memory_bytes(32 << 20).with_timeout(Duration::from_secs(60));
    let dirs = TaskDirs::new();
    let outcome = executor
        .run(spec("probe", &dirs).with_args(["alloc:256"]).with_limits(limits.clone()))
        .await
        .unwrap();
    assert_cause(&outcome, &ExitCause::OutOfMemory);

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
    let Some(executor) = executor().await else { return };
    let (_secret_dir, secret) = host_secret();
    let listener = HostListener::start();
    let dirs = TaskDirs::with_inputs(&[("input.txt", b"input")]);
    let connect = format!("connect:127.0.0.1:{}", listener.port);
    let read_secret = format!("read:{}", secret.display());
    let probes = [
        "read:/iexec_in/input.txt",
        "write:/iexec_out/ok.txt",
        "list:/",
        "line:/proc/self/status:Uid:",
        "line:/proc/self/mounts:overlay",
        read_secret.as_str(),
        "read:/etc/passwd",
        "write:/iexec_in/x",
        "write:/tmp/x",
        "write:/x",
        "write:/etc/x",
        connect.as_str(),
    ];
    let outcome = executor.run(spec("probe", &dirs).with_args(probes)).await.unwrap();
    assert_cause(&outcome, &ExitCause::Completed);
    let report = probe_report(&dirs.out("report.txt"));
    assert_eq!(report.len(), probes.len(), "{report:?}");
    assert_eq!(probe_status(&report, "read:/iexec_in/input.txt"), "ok 5 bytes");
    assert_eq!(probe_status(&report, "write:/iexec_out/ok.txt"), "ok written");
    // the root holds the image's files and Docker's own, nothing of the host
    assert_eq!(
        probe_status(&report, "list:/"),
        "ok .dockerenv,app,dev,etc,iexec_in,iexec_out,proc,sys"
    );
    // a non-root user, on a read-only root
    assert_eq!(
        probe_status(&report, "line:/proc/self/status:Uid:"),
        "ok Uid: 65534 65534 65534 65534"
    );
    let root_mount = probe_status(&report, "line:/proc/self/mounts:overlay");
    assert!(root_mount.starts_with("ok overlay / overlay ro,"), "{root_mount}");
    for denied in &probes[5..] {
        assert!(probe_status(&report, denied).starts_with("err"), "{denied}: {report:?}");
    }
    assert_eq!(listener.accepted(), 0);
    assert_eq!(dirs.input_names(), ["input.txt"], "nothing written to the input folder");
    assert_eq!(dirs.out_names(), ["ok.txt", "report.txt"]);

    // the container sees no interface but its loopback
    let outcome =
        executor.run(spec("probe", &dirs).with_args(["list:/sys/class/net"])).await.unwrap();
    assert_cause(&outcome, &ExitCause::Completed);
    assert_eq!(dirs.out("report.txt"), "list:/sys/class/net ok lo\n");
}

#[tokio::test]
async fn images_load_from_an_archive_and_missing_ones_are_refused() {
    let Some(executor) = executor().await else { return };
    let docker = executor.client();
    let tag = "poco-sandbox-test/hello-archive";
    // a second name for hello, saved to a tar, then removed from the daemon
    let options = bollard::query_parameters::TagImageOptions {
        repo: Some(tag.to_owned()),
        tag: Some("latest".to_owned()),
    };
    docker.tag_image(&image("hello"), Some(options)).await.unwrap();
    let archive_dir = tempfile::tempdir().unwrap();
    let archive = archive_dir.path().join("hello.tar");
    let mut tar = Vec::new();
    let mut chunks = docker.export_image(&format!("{tag}:latest"));
    while let Some(chunk) = chunks.next().await {
        tar.extend_from_slice(&chunk.unwrap());
    }
    std::fs::write(&archive, tar).unwrap();
    docker
        .remove_image(
            &format!("{tag}:latest"),
            None::<bollard::query_parameters::RemoveImageOptions>,
            None,
        )
        .await
        .unwrap();

    let dirs = TaskDirs::new();
    let missing = RunSpec::new(
        AppImage::Docker { reference: format!("{tag}:latest"), archive: None },
        dirs.input.path(),
        dirs.output.path(),
    );
    assert_eq!(executor.run(missing.clone()).await.unwrap_err().code(), "IMAGE_NOT_FOUND");

    let bad_archive = archive_dir.path().join("junk.tar");
    std::fs::write(&bad_archive, b"not a tar").unwrap();
    let junk = RunSpec {
        app: AppImage::Docker { reference: format!("{tag}:latest"), archive: Some(bad_archive) },
        ..missing.clone()
    };
    assert_eq!(executor.run(junk).await.unwrap_err().code(), "IMAGE_LOAD_FAILED");
    assert_eq!(dirs.out_names(), Vec::<String>::new(), "nothing ran");

    let loaded = RunSpec {
        app: AppImage::Docker { reference: format!("{tag}:latest"), archive: Some(archive) },
        ..missing
    }
    .with_args(["from", "tar"]);
    let outcome = executor.run(loaded).await.unwrap();
    assert_cause(&outcome, &ExitCause::Completed);
    assert_eq!(dirs.out("result.txt"), "Hello, from tar!\n");
    docker
        .remove_image(
            &format!("{tag}:latest"),
            None::<bollard::query_parameters::RemoveImageOptions>,
            None,
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn no_container_is_left_behind() {
    let Some(executor) = executor().await else { return };
    for app in ["hello", "fail"] {
        let dirs = TaskDirs::new();
        let label = format!("leftover-check-{app}");
        executor.run(spec(app, &dirs).with_label(&label)).await.unwrap();
        let filters = HashMap::from([("name".to_owned(), vec![label.clone()])]);
        let options = bollard::query_parameters::ListContainersOptions {
            all: true,
            filters: Some(filters),
            ..Default::default()
        };
        let left = executor.client().list_containers(Some(options)).await.unwrap();
        assert!(left.is_empty(), "{left:?}");
    }
    // the count of all sandbox containers is bounded by the runs in flight (other tests)
    assert!(sandbox_containers(&executor).await < 16);
}

async fn containers_named(executor: &DockerExecutor, name: &str) -> usize {
    let filters = HashMap::from([("name".to_owned(), vec![name.to_owned()])]);
    let options = bollard::query_parameters::ListContainersOptions {
        all: true,
        filters: Some(filters),
        ..Default::default()
    };
    executor.client().list_containers(Some(options)).await.unwrap().len()
}

#[tokio::test]
async fn a_cancelled_run_leaves_no_container() {
    let Some(executor) = executor().await else { return };
    let dirs = TaskDirs::new();
    let run = executor.run(spec("busyloop", &dirs).with_label("cancelled-run"));
    assert!(tokio::time::timeout(Duration::from_secs(2), run).await.is_err(), "still running");
    // the dropped run removes its container in the background
    for _ in 0..100 {
        if containers_named(&executor, "cancelled-run").await == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the cancelled run's container is still there after 10 s");
}

#[tokio::test]
async fn containers_left_by_a_killed_worker_are_removed_at_start() {
    let Some(executor) = executor().await else { return };
    // what a worker killed mid-task leaves: a running container with the sandbox label and
    // the worker's name prefix; another worker's container (another prefix) must stay
    let create = |name: &str| {
        let body = bollard::models::ContainerCreateBody {
            image: Some(image("busyloop")),
            user: Some("65534:65534".to_owned()),
            network_disabled: Some(true),
            labels: Some(HashMap::from([(CONTAINER_LABEL.to_owned(), "1".to_owned())])),
            host_config: Some(bollard::models::HostConfig {
                network_mode: Some("none".to_owned()),
                ..Default::default()
            }),
            ..Default::default()
        };
        let options = bollard::query_parameters::CreateContainerOptions {
            name: Some(name.to_owned()),
            ..Default::default()
        };
        let docker = executor.client().clone();
        let name = name.to_owned();
        async move {
            docker.create_container(Some(options), body).await.unwrap();
            docker.start_container(&name, None).await.unwrap();
        }
    };
    create("poco-stale-test-a-1").await;
    create("poco-stale-test-a-2").await;
    create("poco-stale-test-b-1").await;

    let config = DockerConfig { name_prefix: "poco-stale-test-a".to_owned(), ..docker_config() };
    let restarted = DockerExecutor::connect(config).await.unwrap();
    assert_eq!(restarted.remove_stale_containers().await.unwrap(), 2);
    assert_eq!(containers_named(&executor, "poco-stale-test-a").await, 0);
    assert_eq!(containers_named(&executor, "poco-stale-test-b").await, 1);

    let other = DockerConfig { name_prefix: "poco-stale-test-b".to_owned(), ..docker_config() };
    let other = DockerExecutor::connect(other).await.unwrap();
    assert_eq!(other.remove_stale_containers().await.unwrap(), 1);
    assert_eq!(containers_named(&executor, "poco-stale-test").await, 0);
}

#[tokio::test]
async fn a_chatty_app_keeps_its_last_bytes() {
    let Some(executor) = executor().await else { return };
    let dirs = TaskDirs::new();
    let limits = Limits::default().with_output_cap(1000).with_timeout(Duration::from_secs(60));
    let spec = spec("probe", &dirs).with_args(["spam:50000"]).with_limits(limits);
    let outcome = executor.run(spec).await.unwrap();
    assert_cause(&outcome, &ExitCause::Completed);
    let text = outcome.stdout.text();
    assert_eq!(outcome.stdout.bytes.len(), 1000);
    assert!(outcome.stdout.truncated);
    assert!(text.ends_with("spam line 50000\nspam:50000 ok 50000 lines\n"), "{text}");
    assert!(text.contains("spam line 49950\n"), "{text}");
}
