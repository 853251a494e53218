//! What to run and under which limits: [`RunSpec`], [`AppImage`], [`Limits`], [`NetworkPolicy`].

use crate::error::SandboxError;
use std::{collections::BTreeMap, path::PathBuf, time::Duration};

/// Where the app sees its inputs (read-only).
pub const IEXEC_IN: &str = "/iexec_in";
/// Where the app writes its outputs (the only writable place).
pub const IEXEC_OUT: &str = "/iexec_out";

/// The app to run, in one of the two formats.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AppImage {
    /// A WASI preview 1 module (a `.wasm` file on the host), run by the WASM executor.
    Wasm {
        /// The module file.
        module: PathBuf,
    },
    /// A Docker image, run by the Docker executor.
    Docker {
        /// The image reference (`name:tag` or `sha256:…`), looked up in the local daemon.
        reference: String,
        /// A `docker save` archive to load when the daemon does not have the image.
        archive: Option<PathBuf>,
    },
}

/// Whether the app may use the network. Nothing reaches a network unless the app's order
/// allows it (ARCHITECTURE.md decision 4).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum NetworkPolicy {
    /// No network at all: a container gets only its own loopback; a WASM module gets no sockets.
    #[default]
    None,
    /// The daemon's default network (Docker only; the WASM executor refuses it).
    Allowed,
}

/// Resource limits of one run. Every run has all of them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Wall-clock time from start to exit; past it the app is killed ([`crate::ExitCause::Timeout`]).
    pub timeout: Duration,
    /// Memory the app may use, in bytes: a container's cgroup limit (no swap), a module's linear
    /// memories. Past it: [`crate::ExitCause::OutOfMemory`].
    pub memory_bytes: u64,
    /// CPU share in thousandths of a core (1000 = one core). Docker only.
    pub cpu_millis: u32,
    /// Most processes or threads inside a container. Docker only.
    pub pids: u32,
    /// WASM fuel (about one unit per instruction); `None` is unlimited. Past it:
    /// [`crate::ExitCause::OutOfFuel`].
    pub fuel: Option<u64>,
    /// Bytes kept of each of stdout and stderr (the last ones: where the error usually is).
    pub output_cap_bytes: usize,
}

impl Default for Limits {
    /// The reference's smallest category (XS: 5 minutes), 512 MiB, one core, 256 processes,
    /// no fuel limit, 100,000 bytes of each output stream.
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(300),
            memory_bytes: 512 << 20,
            cpu_millis: 1000,
            pids: 256,
            fuel: None,
            output_cap_bytes: 100_000,
        }
    }
}

impl Limits {
    /// Sets the wall-clock timeout.
    pub const fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }
    /// Sets the memory limit in bytes.
    pub const fn with_memory_bytes(mut self, bytes: u64) -> Self {
        self.memory_bytes = bytes;
        self
    }
    /// Sets the WASM fuel.
    pub const fn with_fuel(mut self, fuel: Option<u64>) -> Self {
        self.fuel = fuel;
        self
    }
    /// Sets the bytes kept of each output stream.
    pub const fn with_output_cap(mut self, bytes: usize) -> Self {
        self.output_cap_bytes = bytes;
        self
    }
}

/// One run of an app under the reference app contract: `input_dir` is mounted read-only at
/// [`IEXEC_IN`], `output_dir` read-write at [`IEXEC_OUT`], and nothing else of the host is
/// visible. `IEXEC_IN` and `IEXEC_OUT` are always in the environment; the other reference
/// variables come from [`crate::AppEnv`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunSpec {
    /// The app.
    pub app: AppImage,
    /// The app's arguments (the deal's `iexec_args`, split), without a program name.
    pub args: Vec<String>,
    /// Environment variables.
    pub env: BTreeMap<String, String>,
    /// Host folder seen as [`IEXEC_IN`] (read-only). Must exist.
    pub input_dir: PathBuf,
    /// Host folder seen as [`IEXEC_OUT`] (read-write). Must exist.
    pub output_dir: PathBuf,
    /// Limits.
    pub limits: Limits,
    /// Network access.
    pub network: NetworkPolicy,
    /// A short label for logs and container names (e.g. the task id).
    pub label: Option<String>,
}

impl RunSpec {
    /// A run of `app` with no arguments, default limits and no network.
    pub fn new(
        app: AppImage,
        input_dir: impl Into<PathBuf>,
        output_dir: impl Into<PathBuf>,
    ) -> Self {
        Self {
            app,
            args: Vec::new(),
            env: BTreeMap::new(),
            input_dir: input_dir.into(),
            output_dir: output_dir.into(),
            limits: Limits::default(),
            network: NetworkPolicy::None,
            label: None,
        }
    }

    /// Sets the arguments.
    pub fn with_args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.args = args.into_iter().map(Into::into).collect();
        self
    }

    /// Adds environment variables.
    pub fn with_env<I, K, V>(mut self, vars: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        self.env.extend(vars.into_iter().map(|(k, v)| (k.into(), v.into())));
        self
    }

    /// Sets the limits.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Sets the network policy.
    pub const fn with_network(mut self, network: NetworkPolicy) -> Self {
        self.network = network;
        self
    }

    /// Sets the label.
    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// The environment the app gets: [`Self::env`] plus `IEXEC_IN` and `IEXEC_OUT` (which
    /// always point at the mounts).
    pub fn full_env(&self) -> BTreeMap<String, String> {
        let mut env = self.env.clone();
        env.insert("IEXEC_IN".to_owned(), IEXEC_IN.to_owned());
        env.insert("IEXEC_OUT".to_owned(), IEXEC_OUT.to_owned());
        env
    }

    /// Checks the spec before anything runs: folders exist and differ, arguments and variables
    /// hold no NUL byte, variable names are well formed, limits are positive.
    pub fn validate(&self) -> Result<(), SandboxError> {
        let invalid =
            |field: &'static str, reason: String| SandboxError::InvalidSpec { field, reason };
        for (field, dir) in [("input_dir", &self.input_dir), ("output_dir", &self.output_dir)] {
            if !dir.is_dir() {
                return Err(invalid(field, format!("{} is not a folder", dir.display())));
            }
        }
        let same = match (self.input_dir.canonicalize(), self.output_dir.canonicalize()) {
            (Ok(a), Ok(b)) => a == b,
            _ => false,
        };
        if same {
            return Err(invalid("output_dir", "the output folder is the input folder".to_owned()));
        }
        if let Some(arg) = self.args.iter().find(|a| a.contains('\0')) {
            return Err(invalid("args", format!("argument {arg:?} holds a NUL byte")));
        }
        for (name, value) in &self.env {
            let well_formed = !name.is_empty()
                && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
                && !name.as_bytes()[0].is_ascii_digit();
            if !well_formed {
                return Err(invalid("env", format!("{name:?} is not a variable name")));
            }
            if value.contains('\0') {
                return Err(invalid("env", format!("the value of {name} holds a NUL byte")));
            }
        }
        if self.limits.timeout.is_zero() {
            return Err(invalid("limits.timeout", "must be positive".to_owned()));
        }
        if self.limits.memory_bytes < (4 << 20) {
            return Err(invalid("limits.memory_bytes", "must be at least 4 MiB".to_owned()));
        }
        if self.limits.cpu_millis == 0 || self.limits.pids == 0 {
            return Err(invalid("limits", "cpu_millis and pids must be positive".to_owned()));
        }
        if let AppImage::Docker { reference, .. } = &self.app
            && (reference.is_empty()
                || reference.chars().any(|c| c.is_whitespace() || c.is_control()))
        {
            return Err(invalid("app", format!("{reference:?} is not an image reference")));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dirs() -> (tempfile::TempDir, tempfile::TempDir) {
        (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap())
    }

    #[test]
    fn validate_accepts_a_plain_spec_and_refuses_bad_input() {
        let (input, output) = dirs();
        let app = AppImage::Wasm { module: "app.wasm".into() };
        let ok = RunSpec::new(app.clone(), input.path(), output.path()).with_args(["a b", "c"]);
        ok.validate().unwrap();

        let cases: Vec<(RunSpec, &str)> = vec![
            (RunSpec::new(app.clone(), input.path().join("missing"), output.path()), "input_dir"),
            (RunSpec::new(app.clone(), input.path(), input.path()), "output_dir"),
            (ok.clone().with_args(["nul\0"]), "args"),
            (ok.clone().with_env([("1BAD", "x")]), "env"),
            (ok.clone().with_env([("A=B", "x")]), "env"),
            (ok.clone().with_env([("GOOD", "nul\0")]), "env"),
            (
                ok.clone().with_limits(Limits::default().with_timeout(Duration::ZERO)),
                "limits.timeout",
            ),
            (
                ok.clone().with_limits(Limits::default().with_memory_bytes(1024)),
                "limits.memory_bytes",
            ),
            (
                RunSpec::new(
                    AppImage::Docker { reference: "bad ref".into(), archive: None },
                    input.path(),
                    output.path(),
                ),
                "app",
            ),
        ];
        for (spec, field) in cases {
            match spec.validate() {
                Err(SandboxError::InvalidSpec { field: f, .. }) => assert_eq!(f, field, "{spec:?}"),
                other => panic!("{spec:?} gave {other:?}"),
            }
        }
    }

    #[test]
    fn full_env_pins_the_mount_points() {
        let (input, output) = dirs();
        let spec = RunSpec::new(AppImage::Wasm { module: "m".into() }, input.path(), output.path())
            .with_env([("IEXEC_OUT", "/elsewhere"), ("X", "1")]);
        let env = spec.full_env();
        assert_eq!(env["IEXEC_OUT"], IEXEC_OUT);
        assert_eq!(env["IEXEC_IN"], IEXEC_IN);
        assert_eq!(env["X"], "1");
    }
}
