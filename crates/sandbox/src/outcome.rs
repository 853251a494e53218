//! What a run gives back: [`RunOutcome`] with its typed [`ExitCause`], the captured output and
//! the timings.

use serde::Serialize;
use std::time::Duration;

/// Why the app stopped. Every run that got as far as starting the app ends with one of these;
/// failures of the sandbox itself are [`crate::SandboxError`]s instead.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "cause", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ExitCause {
    /// The app exited with code 0.
    Completed,
    /// The app exited with a non-zero code (a graceful failure writes `error.txt` first).
    Failed {
        /// The exit code (128 + n when a signal n killed a container's process).
        exit_code: i32,
    },
    /// The app ran past [`crate::Limits::timeout`] and was killed.
    Timeout,
    /// The app needed more than [`crate::Limits::memory_bytes`] and was stopped (container
    /// killed by the kernel's OOM killer, or a module's memory growth refused).
    OutOfMemory,
    /// The module used up [`crate::Limits::fuel`].
    OutOfFuel,
    /// The module trapped (an `unreachable`, an out-of-bounds access, a stack overflow, …).
    Crashed {
        /// What the runtime reported.
        reason: String,
    },
}

impl ExitCause {
    /// A stable machine-readable code: `COMPLETED`, `APP_FAILED`, `TIMEOUT`, `OUT_OF_MEMORY`,
    /// `OUT_OF_FUEL` or `APP_CRASHED`.
    pub const fn code(&self) -> &'static str {
        match self {
            Self::Completed => "COMPLETED",
            Self::Failed { .. } => "APP_FAILED",
            Self::Timeout => "TIMEOUT",
            Self::OutOfMemory => "OUT_OF_MEMORY",
            Self::OutOfFuel => "OUT_OF_FUEL",
            Self::Crashed { .. } => "APP_CRASHED",
        }
    }

    /// Whether the app exited with code 0.
    pub const fn is_success(&self) -> bool {
        matches!(self, Self::Completed)
    }

    /// The app's exit code when it exited by itself.
    pub const fn exit_code(&self) -> Option<i32> {
        match self {
            Self::Completed => Some(0),
            Self::Failed { exit_code } => Some(*exit_code),
            _ => None,
        }
    }
}

/// One output stream of the app, capped: the last [`crate::Limits::output_cap_bytes`] bytes are
/// kept, `total_bytes` counts everything written (for a container: everything its rotated log
/// still held at the end, at least 8 times the cap).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CapturedOutput {
    /// The kept bytes (the end of the stream when it was cut).
    pub bytes: Vec<u8>,
    /// How many bytes the app wrote in all.
    pub total_bytes: u64,
    /// Whether bytes were dropped from the start.
    pub truncated: bool,
}

impl CapturedOutput {
    /// The kept bytes as text (invalid UTF-8 replaced).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }
}

/// Where the time went.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RunTimings {
    /// Preparing the run: loading or compiling the module, loading the image, creating the
    /// container.
    pub setup: Duration,
    /// From the app's start to its exit (or kill).
    pub run: Duration,
    /// From [`crate::Executor::run`]'s call to its return.
    pub total: Duration,
}

/// The result of a run that started the app.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RunOutcome {
    /// Why the app stopped.
    pub cause: ExitCause,
    /// Its standard output, capped.
    pub stdout: CapturedOutput,
    /// Its standard error, capped.
    pub stderr: CapturedOutput,
    /// Timings.
    pub timings: RunTimings,
}

/// A tail-keeping byte sink: keeps the last `cap` bytes of what is written, counts the rest.
#[derive(Debug)]
#[cfg_attr(not(any(feature = "wasm", feature = "docker")), allow(dead_code))]
pub(crate) struct TailBuffer {
    cap: usize,
    buf: Vec<u8>,
    total: u64,
}

#[cfg_attr(not(any(feature = "wasm", feature = "docker")), allow(dead_code))]
impl TailBuffer {
    pub(crate) const fn new(cap: usize) -> Self {
        Self { cap, buf: Vec::new(), total: 0 }
    }

    pub(crate) fn push(&mut self, bytes: &[u8]) {
        self.total += bytes.len() as u64;
        if bytes.len() >= self.cap {
            self.buf.clear();
            self.buf.extend_from_slice(&bytes[bytes.len() - self.cap..]);
            return;
        }
        self.buf.extend_from_slice(bytes);
        // Trim lazily (at twice the cap) so that pushing stays linear overall.
        if self.buf.len() > self.cap.saturating_mul(2).max(4096) {
            let excess = self.buf.len() - self.cap;
            self.buf.drain(..excess);
        }
    }

    pub(crate) fn finish(mut self) -> CapturedOutput {
        if self.buf.len() > self.cap {
            let excess = self.buf.len() - self.cap;
            self.buf.drain(..excess);
        }
        let truncated = self.total > self.buf.len() as u64;
        CapturedOutput { bytes: self.buf, total_bytes: self.total, truncated }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tail_buffer_keeps_the_last_bytes_and_counts_all() {
        // (cap, writes, kept, truncated)
        type Case<'a> = (usize, &'a [&'a [u8]], &'a [u8], bool);
        let cases: &[Case<'_>] = &[
            (10, &[b"hello"], b"hello", false),
            (5, &[b"hello"], b"hello", false),
            (4, &[b"hello"], b"ello", true),
            (3, &[b"ab", b"cd", b"ef"], b"def", true),
            (0, &[b"abc"], b"", true),
        ];
        for (cap, pushes, kept, truncated) in cases {
            let mut tail = TailBuffer::new(*cap);
            for p in *pushes {
                tail.push(p);
            }
            let out = tail.finish();
            assert_eq!(out.bytes, *kept, "cap {cap}");
            assert_eq!(out.truncated, *truncated, "cap {cap}");
            assert_eq!(out.total_bytes, pushes.iter().map(|p| p.len() as u64).sum::<u64>());
        }
        // many small writes past the lazy-trim threshold
        let mut tail = TailBuffer::new(100);
        for i in 0..10_000u32 {
            tail.push(format!("{:04}\n", i % 10_000).as_bytes());
        }
        let out = tail.finish();
        assert_eq!(out.bytes.len(), 100);
        assert!(out.text().ends_with("9999\n"));
        assert_eq!(out.total_bytes, 50_000);
    }

    #[test]
    fn causes_have_stable_codes() {
        let json = serde_json::to_value(ExitCause::Failed { exit_code: 3 }).unwrap();
        assert_eq!(json, serde_json::json!({"cause": "FAILED", "exit_code": 3}));
        assert_eq!(ExitCause::Failed { exit_code: 3 }.exit_code(), Some(3));
        assert_eq!(ExitCause::Timeout.exit_code(), None);
        assert_eq!(ExitCause::OutOfMemory.code(), "OUT_OF_MEMORY");
        assert!(ExitCause::Completed.is_success());
    }
}
