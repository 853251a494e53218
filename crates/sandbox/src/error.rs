//! [`SandboxError`]: the sandbox could not run the app (as opposed to the app failing, which is
//! an [`crate::ExitCause`]).

use std::path::PathBuf;

/// Why a run could not happen. Each variant has a stable machine-readable [`Self::code`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SandboxError {
    /// The spec is malformed; nothing was run.
    #[error("invalid run spec ({field}): {reason}")]
    InvalidSpec {
        /// The offending field.
        field: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// The app is in a format this executor does not run.
    #[error("the {executor} executor cannot run this app ({app})")]
    WrongFormat {
        /// The executor that was asked.
        executor: &'static str,
        /// The app's format.
        app: &'static str,
    },
    /// The spec asks for network access this executor cannot give.
    #[error("the {executor} executor has no network to give")]
    NetworkUnsupported {
        /// The executor that was asked.
        executor: &'static str,
    },
    /// The module file could not be read.
    #[error("cannot read the module {path}: {source}")]
    ModuleRead {
        /// The module file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The module is not a valid WASI preview 1 command (does not compile, imports something
    /// other than WASI preview 1, has no `_start`).
    #[error("invalid module (sha256 {digest}): {reason}")]
    ModuleInvalid {
        /// The module's SHA-256, hex.
        digest: String,
        /// What the runtime reported.
        reason: String,
    },
    /// The image is not in the daemon and no archive was given.
    #[error("image {reference} is not present and no archive was given")]
    ImageNotFound {
        /// The image reference.
        reference: String,
    },
    /// The image archive could not be loaded, or did not hold the image.
    #[error("cannot load image {reference} from {archive}: {reason}")]
    ImageLoad {
        /// The image reference.
        reference: String,
        /// The archive.
        archive: PathBuf,
        /// What went wrong.
        reason: String,
    },
    /// The Docker daemon cannot be reached.
    #[error("docker daemon unreachable at {socket}: {reason}")]
    DockerUnavailable {
        /// The daemon's socket.
        socket: String,
        /// What went wrong.
        reason: String,
    },
    /// A Docker API call failed.
    #[cfg(feature = "docker")]
    #[error("docker {op} failed: {source}")]
    Docker {
        /// The call.
        op: &'static str,
        /// The error.
        #[source]
        source: bollard::errors::Error,
    },
    /// A host file operation failed.
    #[error("{op} {path}: {source}")]
    Io {
        /// The operation.
        op: &'static str,
        /// The path.
        path: PathBuf,
        /// The error.
        #[source]
        source: std::io::Error,
    },
    /// The runtime failed outside the app (instantiation, a panicked worker thread).
    #[error("sandbox runtime failure: {reason}")]
    Runtime {
        /// What went wrong.
        reason: String,
    },
}

impl SandboxError {
    /// A stable machine-readable code for logs and APIs.
    pub const fn code(&self) -> &'static str {
        match self {
            Self::InvalidSpec { .. } => "INVALID_SPEC",
            Self::WrongFormat { .. } => "WRONG_APP_FORMAT",
            Self::NetworkUnsupported { .. } => "NETWORK_UNSUPPORTED",
            Self::ModuleRead { .. } => "MODULE_NOT_READABLE",
            Self::ModuleInvalid { .. } => "MODULE_INVALID",
            Self::ImageNotFound { .. } => "IMAGE_NOT_FOUND",
            Self::ImageLoad { .. } => "IMAGE_LOAD_FAILED",
            Self::DockerUnavailable { .. } => "DOCKER_UNAVAILABLE",
            #[cfg(feature = "docker")]
            Self::Docker { .. } => "DOCKER_ERROR",
            Self::Io { .. } => "HOST_IO_ERROR",
            Self::Runtime { .. } => "SANDBOX_RUNTIME_ERROR",
        }
    }
}
