//! Integration tests of the compatibility harness: one binary (STYLE.md §2.2).
//!
//! Every test starts its own anvil and deploys both ours and the reference PoCo 6.1.0 on it
//! (`npm run setup` in contracts/ first; a missing tool fails the test, never skips it).
//!
//! - `differential`: scripted scenarios run on both; end states compared field by field.
//! - `eip712`: random orders hashed by Rust and by both hubs; signatures verified by both.
//! - `deploy`: our deployment read back through `IPoco`.
//! - `errors`: refused matches decode into our typed custom errors.

mod deploy;
mod differential;
mod eip712;
mod errors;

use poco_compat::Harness;
use std::{error::Error, fmt::Write};

/// The error and its whole source chain, one cause per line.
pub(crate) fn chain(error: &dyn Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let _ = write!(message, "\n  caused by: {cause}");
        source = cause.source();
    }
    message
}

/// Unwraps, or panics with the whole error chain (which says how to fix a missing tool).
pub(crate) trait OrPanic<T> {
    fn or_panic(self, what: &str) -> T;
}

impl<T, E: Error> OrPanic<T> for Result<T, E> {
    fn or_panic(self, what: &str) -> T {
        self.unwrap_or_else(|error| panic!("{what}: {}", chain(&error)))
    }
}

/// anvil with both protocols deployed.
pub(crate) async fn harness() -> Harness {
    Harness::start().await.or_panic("starting anvil and deploying both protocols")
}
