//! The Docker executor: containers through bollard, on a local daemon's unix socket.
//!
//! ```text
//!   run(spec) ─► image present? ─no─► load the `docker save` archive (or IMAGE_NOT_FOUND)
//!             ─► create: network none, read-only root, non-root user, no capabilities,
//!                no-new-privileges, memory (= memory + swap), CPU, pids limits,
//!                bind mounts input → /iexec_in (read-only), output → /iexec_out
//!             ─► start ─► wait (timeout ⇒ kill: TIMEOUT) ─► inspect (OOMKilled ⇒ OUT_OF_MEMORY)
//!             ─► logs (tail-capped) ─► remove
//! ```
//!
//! No image is ever pulled. The container runs as [`DockerConfig::user`] (default
//! `65534:65534`, nobody); when this process runs as root, the output folder is handed to that
//! user so the app can write there, and the input folder is made traversable by others. A
//! container left behind by a cancelled run is removed in the background.

use crate::{
    AppImage, Executor, ExecutorKind, ExitCause, NetworkPolicy, RunOutcome, RunSpec, RunTimings,
    SandboxError,
    outcome::{CapturedOutput, TailBuffer},
    spec::{IEXEC_IN, IEXEC_OUT},
};
use async_trait::async_trait;
use bollard::{
    API_DEFAULT_VERSION, Docker,
    container::LogOutput,
    errors::Error as BollardError,
    models::{ContainerCreateBody, HostConfig, HostConfigLogConfig, Mount, MountType},
    query_parameters::{
        CreateContainerOptions, ImportImageOptions, KillContainerOptions, ListContainersOptions,
        LogsOptions, RemoveContainerOptions, WaitContainerOptions,
    },
};
use bytes::Bytes;
use futures_util::{StreamExt, TryStreamExt};
use std::{
    collections::HashMap,
    os::unix::fs::{MetadataExt, PermissionsExt},
    path::{Path, PathBuf},
    sync::atomic::{AtomicU64, Ordering},
    time::{Duration, Instant},
};
use tokio::io::AsyncReadExt;
use tracing::{debug, info, warn};

/// The label every sandbox container carries.
pub const CONTAINER_LABEL: &str = "network.poco.sandbox";

/// How long a call to the daemon other than waiting for the app may take.
const CALL_TIMEOUT: Duration = Duration::from_secs(60);

/// Configuration of a [`DockerExecutor`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DockerConfig {
    /// The daemon's unix socket.
    pub socket: PathBuf,
    /// The user (`uid`, `gid`) apps run as; never root.
    pub user: (u32, u32),
    /// Container names start with this.
    pub name_prefix: String,
}

impl Default for DockerConfig {
    /// `/var/run/docker.sock`, user nobody (65534:65534), names `poco-sandbox-…`.
    fn default() -> Self {
        Self {
            socket: PathBuf::from("/var/run/docker.sock"),
            user: (65534, 65534),
            name_prefix: "poco-sandbox".to_owned(),
        }
    }
}

impl DockerConfig {
    /// The default configuration with the socket of a `DOCKER_HOST` value (`unix:///path`);
    /// `None` for another scheme.
    pub fn from_docker_host(docker_host: &str) -> Option<Self> {
        let path = docker_host.strip_prefix("unix://")?;
        (!path.is_empty()).then(|| Self { socket: PathBuf::from(path), ..Self::default() })
    }
}

/// Runs Docker images ([`AppImage::Docker`]) on a local daemon. Cheap to clone.
#[derive(Clone, Debug)]
pub struct DockerExecutor {
    docker: Docker,
    config: DockerConfig,
}

static RUN_COUNTER: AtomicU64 = AtomicU64::new(0);

// === impl DockerExecutor ===

impl DockerExecutor {
    /// Connects to the daemon and agrees on an API version.
    pub async fn connect(config: DockerConfig) -> Result<Self, SandboxError> {
        if config.user.0 == 0 {
            return Err(SandboxError::InvalidSpec {
                field: "user",
                reason: "apps never run as root".to_owned(),
            });
        }
        let socket = config.socket.display().to_string();
        let unavailable =
            |reason: String| SandboxError::DockerUnavailable { socket: socket.clone(), reason };
        // The client's own timeout bounds every request, waiting for an app included: make it
        // longer than any task (the largest category is 10 hours); shorter calls have their own.
        let docker = Docker::connect_with_unix(&socket, 12 * 3600, API_DEFAULT_VERSION)
            .map_err(|e| unavailable(e.to_string()))?;
        let docker = tokio::time::timeout(CALL_TIMEOUT, docker.negotiate_version())
            .await
            .map_err(|_| unavailable("no answer".to_owned()))?
            .map_err(|e| unavailable(e.to_string()))?;
        tokio::time::timeout(CALL_TIMEOUT, docker.ping())
            .await
            .map_err(|_| unavailable("no answer".to_owned()))?
            .map_err(|e| unavailable(e.to_string()))?;
        debug!(socket = %socket, api = ?docker.client_version(), "Connected to dockerd.");
        Ok(Self { docker, config })
    }

    /// The bollard client (for tests and tools).
    pub const fn client(&self) -> &Docker {
        &self.docker
    }

    /// Makes sure the daemon has `reference`, loading `archive` (a `docker save` tar) if it
    /// does not. Nothing is pulled.
    pub async fn ensure_image(
        &self,
        reference: &str,
        archive: Option<&Path>,
    ) -> Result<(), SandboxError> {
        match self.docker.inspect_image(reference).await {
            Ok(_) => return Ok(()),
            Err(err) if is_not_found(&err) => {}
            Err(source) => return Err(SandboxError::Docker { op: "inspect image", source }),
        }
        let Some(archive) = archive else {
            return Err(SandboxError::ImageNotFound { reference: reference.to_owned() });
        };
        let load_error = |reason: String| SandboxError::ImageLoad {
            reference: reference.to_owned(),
            archive: archive.to_owned(),
            reason,
        };
        let file = tokio::fs::File::open(archive).await.map_err(|e| load_error(e.to_string()))?;
        let chunks = futures_util::stream::unfold(Some(file), |state| async move {
            let mut file = state?;
            let mut buf = vec![0u8; 256 * 1024];
            match file.read(&mut buf).await {
                Ok(0) => None,
                Ok(n) => {
                    buf.truncate(n);
                    Some((Ok(Bytes::from(buf)), Some(file)))
                }
                Err(err) => Some((Err(err), None)),
            }
        });
        let options = ImportImageOptions { quiet: true, ..Default::default() };
        let mut progress = self.docker.import_image_stream(options, chunks, None);
        while let Some(item) = progress.next().await {
            let info = item.map_err(|e| load_error(e.to_string()))?;
            if let Some(detail) = info.error_detail.and_then(|d| d.message) {
                return Err(load_error(detail));
            }
        }
        match self.docker.inspect_image(reference).await {
            Ok(_) => {
                info!(image = reference, archive = %archive.display(), "Image loaded.");
                Ok(())
            }
            Err(err) if is_not_found(&err) => {
                Err(load_error("the archive does not hold this image".to_owned()))
            }
            Err(source) => Err(SandboxError::Docker { op: "inspect image", source }),
        }
    }

    /// Removes every container this executor's configuration names (label
    /// [`CONTAINER_LABEL`] and [`DockerConfig::name_prefix`]), running or not: what a worker
    /// killed mid-task left behind. Call it at start-up, before any run. Returns how many were
    /// removed.
    pub async fn remove_stale_containers(&self) -> Result<usize, SandboxError> {
        let filters = HashMap::from([("label".to_owned(), vec![CONTAINER_LABEL.to_owned()])]);
        let options =
            ListContainersOptions { all: true, filters: Some(filters), ..Default::default() };
        let containers = self
            .docker
            .list_containers(Some(options))
            .await
            .map_err(|source| SandboxError::Docker { op: "list containers", source })?;
        let prefix = format!("/{}-", self.config.name_prefix);
        let mut removed = 0;
        for container in containers {
            let ours = container.names.iter().flatten().any(|name| name.starts_with(&prefix));
            if let (true, Some(id)) = (ours, container.id) {
                remove_container(&self.docker, &id).await;
                removed += 1;
            }
        }
        if removed > 0 {
            info!(removed, "Stale sandbox containers removed.");
        }
        Ok(removed)
    }

    /// Gives the container user what it needs on the host folders: write access to the output
    /// folder (handed over when running as root), traversal of the input folder.
    fn prepare_folders(&self, spec: &RunSpec) -> Result<(u32, u32), SandboxError> {
        let io = |op: &'static str, path: &Path| {
            let path = path.to_owned();
            move |source| SandboxError::Io { op, path, source }
        };
        let (uid, gid) = self.config.user;
        let out = std::fs::metadata(&spec.output_dir).map_err(io("inspect", &spec.output_dir))?;
        let user = if out.uid() == uid {
            (uid, gid)
        } else {
            match std::os::unix::fs::chown(&spec.output_dir, Some(uid), Some(gid)) {
                Ok(()) => (uid, gid),
                // Not root: run as the folder's owner, if that is not root either.
                Err(_) if out.uid() != 0 => (out.uid(), out.gid()),
                Err(source) => {
                    return Err(io("hand the output folder to the app user", &spec.output_dir)(
                        source,
                    ));
                }
            }
        };
        let input = std::fs::metadata(&spec.input_dir).map_err(io("inspect", &spec.input_dir))?;
        let mode = input.permissions().mode();
        if input.uid() != user.0 && mode & 0o005 != 0o005 {
            std::fs::set_permissions(
                &spec.input_dir,
                std::fs::Permissions::from_mode(mode | 0o005),
            )
            .map_err(io("open the input folder to the app user", &spec.input_dir))?;
        }
        Ok(user)
    }
}

/// The container's configuration: the sandbox's whole security policy is here.
fn container_body(spec: &RunSpec, image: &str, user: (u32, u32)) -> ContainerCreateBody {
    let limits = &spec.limits;
    let memory = i64::try_from(limits.memory_bytes).unwrap_or(i64::MAX);
    // json-file logs, rotated so that a chatty app cannot fill the disk. Two files of 8 times
    // the cap each (JSON framing costs bytes on every line) always hold the tail we keep.
    let log_kib = (limits.output_cap_bytes.saturating_mul(8) / 1024).max(256);
    let host_config = HostConfig {
        // mounts, not `binds` strings: a host path may hold any character
        mounts: Some(vec![
            bind(&spec.input_dir, IEXEC_IN, true),
            bind(&spec.output_dir, IEXEC_OUT, false),
        ]),
        network_mode: Some(
            match spec.network {
                NetworkPolicy::None => "none",
                NetworkPolicy::Allowed => "default",
            }
            .to_owned(),
        ),
        memory: Some(memory),
        memory_swap: Some(memory),
        nano_cpus: Some(i64::from(limits.cpu_millis) * 1_000_000),
        pids_limit: Some(i64::from(limits.pids)),
        readonly_rootfs: Some(true),
        cap_drop: Some(vec!["ALL".to_owned()]),
        security_opt: Some(vec!["no-new-privileges".to_owned()]),
        log_config: Some(HostConfigLogConfig {
            typ: Some("json-file".to_owned()),
            config: Some(HashMap::from([
                ("max-size".to_owned(), format!("{log_kib}k")),
                ("max-file".to_owned(), "2".to_owned()),
            ])),
        }),
        ..Default::default()
    };
    ContainerCreateBody {
        image: Some(image.to_owned()),
        cmd: Some(spec.args.clone()),
        env: Some(spec.full_env().into_iter().map(|(k, v)| format!("{k}={v}")).collect()),
        user: Some(format!("{}:{}", user.0, user.1)),
        network_disabled: Some(spec.network == NetworkPolicy::None),
        labels: Some(HashMap::from([(CONTAINER_LABEL.to_owned(), "1".to_owned())])),
        host_config: Some(host_config),
        ..Default::default()
    }
}

fn bind(host: &Path, target: &str, read_only: bool) -> Mount {
    Mount {
        target: Some(target.to_owned()),
        source: Some(host.display().to_string()),
        typ: Some(MountType::BIND),
        read_only: Some(read_only),
        ..Default::default()
    }
}

impl DockerExecutor {
    fn container_name(&self, spec: &RunSpec) -> String {
        let label: String = spec
            .label
            .as_deref()
            .unwrap_or("run")
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
            .take(80)
            .collect();
        let n = RUN_COUNTER.fetch_add(1, Ordering::Relaxed);
        format!("{}-{label}-{}-{n}", self.config.name_prefix, std::process::id())
    }

    /// Starts the created container and follows it to its end.
    async fn follow(
        &self,
        id: &str,
        timeout: Duration,
    ) -> Result<(ExitCause, Duration), SandboxError> {
        let docker_error = |op| move |source| SandboxError::Docker { op, source };
        self.docker.start_container(id, None).await.map_err(docker_error("start container"))?;
        let started = Instant::now();
        let mut wait = self.docker.wait_container(id, None::<WaitContainerOptions>);
        let waited = tokio::time::timeout(timeout, wait.next()).await;
        drop(wait);
        let timed_out = match waited {
            Err(_elapsed) => true,
            // bollard reports a non-zero exit as an error; inspect below has the truth.
            Ok(Some(Ok(_)) | Some(Err(BollardError::DockerContainerWaitError { .. }))) => false,
            Ok(Some(Err(source))) => {
                return Err(SandboxError::Docker { op: "wait container", source });
            }
            Ok(None) => false,
        };
        if timed_out {
            let kill = KillContainerOptions { signal: "KILL".to_owned() };
            match self.docker.kill_container(id, Some(kill)).await {
                Ok(()) => {}
                // it may have exited between the timeout and the kill
                Err(err) if is_conflict(&err) => {}
                Err(source) => return Err(SandboxError::Docker { op: "kill container", source }),
            }
            let _ = self.docker.wait_container(id, None::<WaitContainerOptions>).next().await;
        }
        let run = started.elapsed();
        let state = self
            .docker
            .inspect_container(id, None)
            .await
            .map_err(docker_error("inspect container"))?
            .state
            .unwrap_or_default();
        let exit_code = state.exit_code.unwrap_or(-1);
        let cause = if state.oom_killed == Some(true) {
            ExitCause::OutOfMemory
        } else if timed_out {
            ExitCause::Timeout
        } else if exit_code == 0 {
            ExitCause::Completed
        } else {
            ExitCause::Failed { exit_code: i32::try_from(exit_code).unwrap_or(i32::MIN) }
        };
        Ok((cause, run))
    }

    /// The container's stdout and stderr, each keeping its tail.
    async fn logs(
        &self,
        id: &str,
        cap: usize,
    ) -> Result<(CapturedOutput, CapturedOutput), SandboxError> {
        let options = LogsOptions { stdout: true, stderr: true, ..Default::default() };
        let mut stdout = TailBuffer::new(cap);
        let mut stderr = TailBuffer::new(cap);
        let mut stream = self.docker.logs(id, Some(options));
        while let Some(item) = stream.try_next().await.transpose() {
            match item.map_err(|source| SandboxError::Docker { op: "read logs", source })? {
                LogOutput::StdOut { message } | LogOutput::Console { message } => {
                    stdout.push(&message)
                }
                LogOutput::StdErr { message } => stderr.push(&message),
                LogOutput::StdIn { .. } => {}
            }
        }
        Ok((stdout.finish(), stderr.finish()))
    }
}

#[async_trait]
impl Executor for DockerExecutor {
    fn kind(&self) -> ExecutorKind {
        ExecutorKind::Docker
    }

    #[tracing::instrument(name = "docker_run", skip_all, fields(label = spec.label.as_deref().unwrap_or("")))]
    async fn run(&self, spec: RunSpec) -> Result<RunOutcome, SandboxError> {
        let started = Instant::now();
        let AppImage::Docker { reference, archive } = &spec.app else {
            return Err(SandboxError::WrongFormat { executor: "docker", app: "wasm module" });
        };
        spec.validate()?;
        self.ensure_image(reference, archive.as_deref()).await?;
        let user = self.prepare_folders(&spec)?;
        let name = self.container_name(&spec);
        let options = CreateContainerOptions { name: Some(name.clone()), ..Default::default() };
        let body = container_body(&spec, reference, user);
        self.docker
            .create_container(Some(options), body)
            .await
            .map_err(|source| SandboxError::Docker { op: "create container", source })?;
        let guard = ContainerGuard { docker: self.docker.clone(), name: Some(name.clone()) };
        let setup = started.elapsed();

        let result = async {
            let (cause, run) = self.follow(&name, spec.limits.timeout).await?;
            let (stdout, stderr) = self.logs(&name, spec.limits.output_cap_bytes).await?;
            Ok::<_, SandboxError>((cause, run, stdout, stderr))
        }
        .await;
        guard.remove().await;
        let (cause, run, stdout, stderr) = result?;
        let timings = RunTimings { setup, run, total: started.elapsed() };
        info!(
            image = %reference,
            cause = cause.code(),
            run_ms = timings.run.as_secs_f64() * 1e3,
            "Container run finished."
        );
        Ok(RunOutcome { cause, stdout, stderr, timings })
    }
}

/// Removes the container: explicitly after a run, or in the background if the run's future
/// was dropped midway.
struct ContainerGuard {
    docker: Docker,
    name: Option<String>,
}

impl ContainerGuard {
    async fn remove(mut self) {
        if let Some(name) = self.name.take() {
            remove_container(&self.docker, &name).await;
        }
    }
}

impl Drop for ContainerGuard {
    fn drop(&mut self) {
        if let Some(name) = self.name.take()
            && let Ok(handle) = tokio::runtime::Handle::try_current()
        {
            let docker = self.docker.clone();
            handle.spawn(async move { remove_container(&docker, &name).await });
        }
    }
}

async fn remove_container(docker: &Docker, name: &str) {
    let options = RemoveContainerOptions { force: true, v: true, ..Default::default() };
    match tokio::time::timeout(CALL_TIMEOUT, docker.remove_container(name, Some(options))).await {
        Ok(Ok(())) => {}
        Ok(Err(err)) if is_not_found(&err) => {}
        Ok(Err(err)) => warn!(container = name, error = %err, "Could not remove a container."),
        Err(_) => warn!(container = name, "Removing a container timed out."),
    }
}

fn is_not_found(err: &BollardError) -> bool {
    matches!(err, BollardError::DockerResponseServerError { status_code: 404, .. })
}

fn is_conflict(err: &BollardError) -> bool {
    matches!(err, BollardError::DockerResponseServerError { status_code: 409, .. })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_container_policy() {
        let spec = RunSpec::new(
            AppImage::Docker { reference: "app:1".into(), archive: None },
            "/host/in:x",
            "/host/out",
        )
        .with_args(["a", "b c"])
        .with_env([("K", "v")])
        .with_limits(crate::Limits::default().with_memory_bytes(64 << 20));
        let body = container_body(&spec, "app:1", (65534, 65534));
        assert_eq!(body.user.as_deref(), Some("65534:65534"));
        assert_eq!(body.cmd, Some(vec!["a".to_owned(), "b c".to_owned()]));
        assert_eq!(body.network_disabled, Some(true));
        let env = body.env.unwrap();
        assert!(
            env.contains(&"K=v".to_owned()) && env.contains(&"IEXEC_OUT=/iexec_out".to_owned())
        );
        let host = body.host_config.unwrap();
        assert_eq!(host.network_mode.as_deref(), Some("none"));
        assert_eq!(host.readonly_rootfs, Some(true));
        assert_eq!(host.memory, Some(64 << 20));
        assert_eq!(host.memory_swap, Some(64 << 20), "no swap beyond the memory limit");
        assert_eq!(host.nano_cpus, Some(1_000_000_000));
        assert_eq!(host.pids_limit, Some(256));
        assert_eq!(host.cap_drop, Some(vec!["ALL".to_owned()]));
        assert_eq!(host.security_opt, Some(vec!["no-new-privileges".to_owned()]));
        assert!(host.binds.is_none() && host.privileged.is_none() && host.devices.is_none());
        let mounts = host.mounts.unwrap();
        assert_eq!(mounts.len(), 2);
        assert_eq!(mounts[0].source.as_deref(), Some("/host/in:x"));
        assert_eq!(mounts[0].target.as_deref(), Some("/iexec_in"));
        assert_eq!(mounts[0].read_only, Some(true));
        assert_eq!(mounts[1].target.as_deref(), Some("/iexec_out"));
        assert_eq!(mounts[1].read_only, Some(false));
    }

    #[test]
    fn docker_host_parsing() {
        let config = DockerConfig::from_docker_host("unix:///tmp/d/docker.sock").unwrap();
        assert_eq!(config.socket, PathBuf::from("/tmp/d/docker.sock"));
        assert_eq!(config.user, (65534, 65534));
        assert!(DockerConfig::from_docker_host("tcp://127.0.0.1:2375").is_none());
        assert!(DockerConfig::from_docker_host("unix://").is_none());
    }
}
