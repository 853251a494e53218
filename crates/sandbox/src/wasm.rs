//! The WASM executor: WASI preview 1 modules under wasmtime.
//!
//! ```text
//!   run(spec) ──► read module ─► sha256 ─► cache? ──no──► compile (or load the serialized
//!                                            │ yes        module from the disk cache) ─► link
//!                                            ▼
//!   async: store (fuel, memory limiter, epoch deadline) ─► instantiate ─► _start, under a
//!          wall-clock timeout; stdout/stderr ─► tail buffers; /iexec_in (read-only), /iexec_out
//! ```
//!
//! - **Isolation.** The module sees exactly two folders (preopened: `/iexec_in` read-only,
//!   `/iexec_out` read-write), its arguments and the given environment; no sockets (WASI
//!   preview 1 has no way to open one, and the context denies TCP, UDP and name lookups).
//! - **Limits.** Linear memories are capped by a [`ResourceLimiter`] (growth refused past
//!   [`Limits::memory_bytes`](crate::Limits::memory_bytes): [`ExitCause::OutOfMemory`]); fuel
//!   ([`ExitCause::OutOfFuel`]); wall-clock time ([`ExitCause::Timeout`]): modules run as async
//!   calls, so a module asleep or blocked in a WASI call is dropped when its timeout fires, and
//!   a module computing is interrupted by epochs: one engine-wide thread ticks every
//!   [`EPOCH_TICK`], and on each tick a store checks its deadline and otherwise yields to the
//!   async runtime (so long computations share the runtime's threads fairly). Host memory used
//!   by wasmtime itself is not counted.
//! - **Cache.** Compiled modules are kept in memory by SHA-256 of their bytes (as ready-to-link
//!   `InstancePre`s), and optionally serialized to a disk folder so a restarted worker does not
//!   compile again.
//! - **Determinism.** NaNs are canonicalized, so float results agree across machines; the
//!   clocks and the random source are the host's (a module that reads them is not
//!   deterministic, as the reference expects of such apps).

use crate::{
    AppImage, Executor, ExecutorKind, ExitCause, NetworkPolicy, RunOutcome, RunSpec, RunTimings,
    SandboxError,
    outcome::{CapturedOutput, TailBuffer},
    spec::{IEXEC_IN, IEXEC_OUT},
};
use async_trait::async_trait;
use bytes::Bytes;
use sha2::{Digest, Sha256};
use std::{
    collections::{HashMap, VecDeque},
    fmt::Write as _,
    io,
    path::{Path, PathBuf},
    pin::Pin,
    sync::{
        Arc, Mutex, PoisonError,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    task::{Context, Poll},
    thread::JoinHandle,
    time::{Duration, Instant},
};
use tokio::{io::AsyncWrite, sync::OnceCell};
use tracing::{debug, info};
use wasmtime::{
    Config, Engine, ExternType, InstancePre, Linker, Module, ResourceLimiter, Store, Trap,
    UpdateDeadline,
};
use wasmtime_wasi::{
    FsPerms, I32Exit, WasiCtxBuilder,
    cli::{IsTerminal, StdoutStream},
    p1::{self, WasiP1Ctx},
    p2::{OutputStream, Pollable, StreamResult},
};

/// How often the epoch advances: the precision of timeouts.
pub const EPOCH_TICK: Duration = Duration::from_millis(5);

/// Tables may not grow past this many elements (function tables of real modules are far
/// smaller; this only bounds host memory).
const MAX_TABLE_ELEMENTS: usize = 1 << 20;

/// Configuration of a [`WasmExecutor`].
#[derive(Clone, Debug)]
pub struct WasmConfig {
    /// A folder for serialized compiled modules (`<sha256>.cwasm`), reused across restarts.
    /// It must be private to this process's user: its files are loaded as native code.
    pub cache_dir: Option<PathBuf>,
    /// How many compiled modules the memory cache keeps (the oldest goes first).
    pub max_cached_modules: usize,
}

impl Default for WasmConfig {
    /// No disk cache; 64 modules in memory.
    fn default() -> Self {
        Self { cache_dir: None, max_cached_modules: 64 }
    }
}

/// Runs WASI preview 1 modules ([`AppImage::Wasm`]). Cheap to clone (shares the engine and
/// the module cache).
#[derive(Clone)]
pub struct WasmExecutor {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for WasmExecutor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WasmExecutor").field("config", &self.inner.config).finish_non_exhaustive()
    }
}

struct Inner {
    engine: Engine,
    linker: Linker<RunState>,
    cache: Mutex<ModuleCache>,
    compilations: AtomicU64,
    config: WasmConfig,
    _ticker: EpochTicker,
}

/// Per-run state held by the store.
struct RunState {
    wasi: WasiP1Ctx,
    memory: MemoryLimiter,
    timed_out: bool,
}

// === impl WasmExecutor ===

impl WasmExecutor {
    /// An executor with its engine (cranelift, fuel, epoch interruption, NaN canonicalization),
    /// the WASI preview 1 imports, and the epoch thread.
    pub fn new(config: WasmConfig) -> Result<Self, SandboxError> {
        let runtime = |e: wasmtime::Error| SandboxError::Runtime { reason: format!("{e:#}") };
        let mut wasm_config = Config::new();
        wasm_config
            .consume_fuel(true)
            .epoch_interruption(true)
            .cranelift_nan_canonicalization(true);
        let engine = Engine::new(&wasm_config).map_err(runtime)?;
        let mut linker: Linker<RunState> = Linker::new(&engine);
        p1::add_to_linker_async(&mut linker, |state: &mut RunState| &mut state.wasi)
            .map_err(runtime)?;
        if let Some(dir) = &config.cache_dir {
            std::fs::create_dir_all(dir).map_err(|source| SandboxError::Io {
                op: "create the module cache folder",
                path: dir.clone(),
                source,
            })?;
        }
        let ticker = EpochTicker::start(engine.clone())?;
        let cache = Mutex::new(ModuleCache::new(config.max_cached_modules));
        let inner = Inner {
            engine,
            linker,
            cache,
            compilations: AtomicU64::new(0),
            config,
            _ticker: ticker,
        };
        Ok(Self { inner: Arc::new(inner) })
    }

    /// Compiles (or finds in a cache) the module at `path`; returns its SHA-256 (hex). A
    /// worker can call this when it fetches an app, so that the first run starts at once.
    pub async fn prepare(&self, path: &Path) -> Result<String, SandboxError> {
        let (digest, _) = self.load(path).await?;
        Ok(hex(&digest))
    }

    /// How many modules this executor compiled (loads from the disk cache not counted).
    pub fn compilations(&self) -> u64 {
        self.inner.compilations.load(Ordering::Relaxed)
    }

    /// How many compiled modules the memory cache holds.
    pub fn cached_modules(&self) -> usize {
        self.inner.cache.lock().unwrap_or_else(PoisonError::into_inner).ready()
    }

    async fn load(&self, path: &Path) -> Result<([u8; 32], InstancePre<RunState>), SandboxError> {
        let bytes = tokio::fs::read(path)
            .await
            .map_err(|source| SandboxError::ModuleRead { path: path.to_owned(), source })?;
        let digest: [u8; 32] = Sha256::digest(&bytes).into();
        // One compilation per digest, even when many runs of a new module start at once: they
        // all wait on the same cell.
        let cell = self.inner.cache.lock().unwrap_or_else(PoisonError::into_inner).cell(digest);
        let pre = cell
            .get_or_try_init(|| async {
                let inner = Arc::clone(&self.inner);
                tokio::task::spawn_blocking(move || inner.compile(digest, &bytes))
                    .await
                    .map_err(|e| SandboxError::Runtime { reason: format!("compile task: {e}") })?
            })
            .await?;
        Ok((digest, pre.clone()))
    }
}

#[async_trait]
impl Executor for WasmExecutor {
    fn kind(&self) -> ExecutorKind {
        ExecutorKind::Wasm
    }

    #[tracing::instrument(name = "wasm_run", skip_all, fields(label = spec.label.as_deref().unwrap_or("")))]
    async fn run(&self, spec: RunSpec) -> Result<RunOutcome, SandboxError> {
        let started = Instant::now();
        let AppImage::Wasm { module } = &spec.app else {
            return Err(SandboxError::WrongFormat { executor: "wasm", app: "docker image" });
        };
        if spec.network == NetworkPolicy::Allowed {
            return Err(SandboxError::NetworkUnsupported { executor: "wasm" });
        }
        spec.validate()?;
        let (digest, pre) = self.load(module).await?;
        let setup = started.elapsed();
        let executed = self.inner.execute(&pre, &spec).await?;
        let timings = RunTimings { setup, run: executed.run, total: started.elapsed() };
        info!(
            module = %hex(&digest),
            cause = executed.cause.code(),
            run_ms = timings.run.as_secs_f64() * 1e3,
            "Module run finished."
        );
        Ok(RunOutcome {
            cause: executed.cause,
            stdout: executed.stdout,
            stderr: executed.stderr,
            timings,
        })
    }
}

// === impl Inner ===

struct Executed {
    cause: ExitCause,
    stdout: CapturedOutput,
    stderr: CapturedOutput,
    run: Duration,
}

impl Inner {
    fn compile(
        &self,
        digest: [u8; 32],
        bytes: &[u8],
    ) -> Result<InstancePre<RunState>, SandboxError> {
        let invalid = |reason: String| SandboxError::ModuleInvalid { digest: hex(&digest), reason };
        let cached_file =
            self.config.cache_dir.as_ref().map(|d| d.join(format!("{}.cwasm", hex(&digest))));
        let module = match cached_file.as_deref().and_then(|file| self.deserialize(file)) {
            Some(module) => module,
            None => {
                let started = Instant::now();
                self.compilations.fetch_add(1, Ordering::Relaxed);
                let module =
                    Module::new(&self.engine, bytes).map_err(|e| invalid(format!("{e:#}")))?;
                debug!(module = %hex(&digest), ms = started.elapsed().as_secs_f64() * 1e3, "Module compiled.");
                if let Some(file) = &cached_file {
                    self.serialize(&module, file);
                }
                module
            }
        };
        match module.get_export("_start") {
            Some(ExternType::Func(_)) => {}
            _ => return Err(invalid("no `_start` function: not a WASI command".to_owned())),
        }
        self.linker.instantiate_pre(&module).map_err(|e| invalid(format!("{e:#}")))
    }

    /// Loads a module serialized by [`Self::serialize`]; `None` (compile again) when the file
    /// is absent or was made by another engine version or configuration. The file is read
    /// into memory (not mapped), so a later change to it cannot affect a loaded module.
    #[allow(unsafe_code)]
    fn deserialize(&self, file: &Path) -> Option<Module> {
        let bytes = std::fs::read(file).ok()?;
        // SAFETY: the bytes come from a file written by `serialize` below, by this process's
        // user, in the cache folder the operator gave as private (`WasmConfig::cache_dir`);
        // wasmtime checks their header (version, target and engine settings) and refuses any
        // mismatch, which we answer by compiling again.
        match unsafe { Module::deserialize(&self.engine, &bytes) } {
            Ok(module) => Some(module),
            Err(err) => {
                debug!(file = %file.display(), error = %err, "Cached module refused; compiling again.");
                None
            }
        }
    }

    /// Writes the compiled module next to the others (best effort: a failure only costs a
    /// compilation later).
    fn serialize(&self, module: &Module, file: &Path) {
        let written =
            module.serialize().map_err(|e| io::Error::other(format!("{e:#}"))).and_then(|bytes| {
                let tmp = file.with_extension(format!("tmp{}", std::process::id()));
                std::fs::write(&tmp, bytes)?;
                std::fs::rename(&tmp, file)
            });
        if let Err(err) = written {
            debug!(file = %file.display(), error = %err, "Could not cache the compiled module.");
        }
    }

    async fn execute(
        &self,
        pre: &InstancePre<RunState>,
        spec: &RunSpec,
    ) -> Result<Executed, SandboxError> {
        let runtime = |e: wasmtime::Error| SandboxError::Runtime { reason: format!("{e:#}") };
        let stdout = CapturePipe::new(spec.limits.output_cap_bytes);
        let stderr = CapturePipe::new(spec.limits.output_cap_bytes);
        let program = match &spec.app {
            AppImage::Wasm { module } => {
                module.file_stem().map(|s| s.to_string_lossy().into_owned())
            }
            AppImage::Docker { .. } => None,
        };
        let mut argv = vec![program.unwrap_or_else(|| "app".to_owned())];
        argv.extend(spec.args.iter().cloned());

        let mut builder = WasiCtxBuilder::new();
        builder
            .stdout(stdout.clone())
            .stderr(stderr.clone())
            .args(&argv)
            .allow_tcp(false)
            .allow_udp(false)
            .allow_ip_name_lookup(false);
        for (name, value) in spec.full_env() {
            builder.env(name, value);
        }
        builder.preopened_dir(&spec.input_dir, IEXEC_IN, FsPerms::ReadOnly).map_err(runtime)?;
        builder.preopened_dir(&spec.output_dir, IEXEC_OUT, FsPerms::ReadWrite).map_err(runtime)?;

        let memory = MemoryLimiter {
            max_bytes: usize::try_from(spec.limits.memory_bytes).unwrap_or(usize::MAX),
            refused: false,
        };
        let mut store = Store::new(
            &self.engine,
            RunState { wasi: builder.build_p1(), memory, timed_out: false },
        );
        store.limiter(|state| &mut state.memory);
        store.set_fuel(spec.limits.fuel.unwrap_or(u64::MAX)).map_err(runtime)?;
        let started = Instant::now();
        let deadline = started + spec.limits.timeout;
        store.set_epoch_deadline(1);
        store.epoch_deadline_callback(move |mut ctx| {
            if Instant::now() >= deadline {
                ctx.data_mut().timed_out = true;
                Ok(UpdateDeadline::Interrupt)
            } else {
                Ok(UpdateDeadline::Yield(1))
            }
        });

        let call = async {
            let instance = pre.instantiate_async(&mut store).await?;
            let start = instance.get_typed_func::<(), ()>(&mut store, "_start")?;
            start.call_async(&mut store, ()).await
        };
        // A module computing past its deadline traps at the next epoch tick; one waiting in a
        // host call (a sleep, a blocking read) is dropped here.
        let result = tokio::time::timeout(spec.limits.timeout, call).await;
        let run = started.elapsed();
        let cause = match result {
            Ok(result) => classify(result, store.data()),
            Err(_elapsed) => ExitCause::Timeout,
        };
        drop(store);
        Ok(Executed { cause, stdout: stdout.finish(), stderr: stderr.finish(), run })
    }
}

/// Turns the end of `_start` into an [`ExitCause`].
fn classify(result: wasmtime::Result<()>, state: &RunState) -> ExitCause {
    let err = match result {
        Ok(()) => return ExitCause::Completed,
        Err(err) => err,
    };
    if let Some(I32Exit(code)) = err.downcast_ref::<I32Exit>() {
        return match code {
            0 => ExitCause::Completed,
            _ if state.memory.refused => ExitCause::OutOfMemory,
            code => ExitCause::Failed { exit_code: *code },
        };
    }
    match err.downcast_ref::<Trap>() {
        Some(Trap::OutOfFuel) => ExitCause::OutOfFuel,
        _ if state.timed_out => ExitCause::Timeout,
        _ if state.memory.refused => ExitCause::OutOfMemory,
        Some(trap) => ExitCause::Crashed { reason: trap.to_string() },
        None => ExitCause::Crashed { reason: format!("{err:#}") },
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

// === impl MemoryLimiter ===

/// Caps the linear memories of one store and remembers a refusal (to tell an out-of-memory
/// abort from another crash).
struct MemoryLimiter {
    max_bytes: usize,
    refused: bool,
}

impl ResourceLimiter for MemoryLimiter {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > self.max_bytes {
            self.refused = true;
            return Ok(false);
        }
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(desired <= MAX_TABLE_ELEMENTS)
    }

    fn instances(&self) -> usize {
        1
    }

    fn memories(&self) -> usize {
        4
    }

    fn tables(&self) -> usize {
        4
    }
}

// === impl ModuleCache ===

/// Compiled modules by digest; a cell is filled by the first run that needs it.
struct ModuleCache {
    map: HashMap<[u8; 32], Arc<OnceCell<InstancePre<RunState>>>>,
    order: VecDeque<[u8; 32]>,
    capacity: usize,
}

impl ModuleCache {
    fn new(capacity: usize) -> Self {
        Self { map: HashMap::new(), order: VecDeque::new(), capacity: capacity.max(1) }
    }

    /// The cell of `digest`, made (and the oldest cells dropped past the capacity) if new.
    fn cell(&mut self, digest: [u8; 32]) -> Arc<OnceCell<InstancePre<RunState>>> {
        if let Some(cell) = self.map.get(&digest) {
            return Arc::clone(cell);
        }
        let cell = Arc::new(OnceCell::new());
        self.map.insert(digest, Arc::clone(&cell));
        self.order.push_back(digest);
        while self.map.len() > self.capacity {
            match self.order.pop_front() {
                Some(oldest) => {
                    self.map.remove(&oldest);
                }
                None => break,
            }
        }
        cell
    }

    /// How many modules are compiled and ready.
    fn ready(&self) -> usize {
        self.map.values().filter(|cell| cell.initialized()).count()
    }
}

// === impl EpochTicker ===

/// The thread that advances the engine's epoch every [`EPOCH_TICK`]; stopped on drop.
struct EpochTicker {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl EpochTicker {
    fn start(engine: Engine) -> Result<Self, SandboxError> {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let thread = std::thread::Builder::new()
            .name("wasm-epoch".to_owned())
            .spawn(move || {
                while !flag.load(Ordering::Relaxed) {
                    std::thread::sleep(EPOCH_TICK);
                    engine.increment_epoch();
                }
            })
            .map_err(|e| SandboxError::Runtime { reason: format!("epoch thread: {e}") })?;
        Ok(Self { stop, thread: Some(thread) })
    }
}

impl Drop for EpochTicker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

// === impl CapturePipe ===

/// stdout or stderr of a module: never blocks or fails the app, keeps the tail.
#[derive(Clone)]
struct CapturePipe(Arc<Mutex<TailBuffer>>);

impl CapturePipe {
    fn new(cap: usize) -> Self {
        Self(Arc::new(Mutex::new(TailBuffer::new(cap))))
    }

    fn push(&self, bytes: &[u8]) {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).push(bytes);
    }

    fn finish(&self) -> CapturedOutput {
        let mut guard = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        std::mem::replace(&mut *guard, TailBuffer::new(0)).finish()
    }
}

impl IsTerminal for CapturePipe {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdoutStream for CapturePipe {
    fn p2_stream(&self) -> Box<dyn OutputStream> {
        Box::new(self.clone())
    }

    fn async_stream(&self) -> Box<dyn AsyncWrite + Send + Sync> {
        Box::new(self.clone())
    }
}

#[async_trait]
impl Pollable for CapturePipe {
    async fn ready(&mut self) {}
}

impl OutputStream for CapturePipe {
    fn write(&mut self, bytes: Bytes) -> StreamResult<()> {
        self.push(&bytes);
        Ok(())
    }

    fn flush(&mut self) -> StreamResult<()> {
        Ok(())
    }

    fn check_write(&mut self) -> StreamResult<usize> {
        Ok(1 << 16)
    }
}

impl AsyncWrite for CapturePipe {
    fn poll_write(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.push(buf);
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}
