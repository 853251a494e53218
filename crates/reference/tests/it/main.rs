//! Integration tests of the reference harness: one binary (see STYLE.md §2.2).
//!
//! `compat` needs no chain: it compares the reference ABIs with our committed artifacts.
//! `deploy` and `anvil` start anvil (`npm run setup` in contracts/ first) and fail, never skip,
//! when a tool is missing.

mod anvil;
mod compat;
mod deploy;

use std::{error::Error, fmt::Write};

/// Unwraps, or panics with the whole error chain (which says how to fix a missing tool).
pub(crate) trait OrPanic<T> {
    fn or_panic(self, what: &str) -> T;
}

impl<T, E: Error> OrPanic<T> for Result<T, E> {
    fn or_panic(self, what: &str) -> T {
        self.unwrap_or_else(|error| {
            let mut message = format!("{what}: {error}");
            let mut source = error.source();
            while let Some(cause) = source {
                let _ = write!(message, "\n  caused by: {cause}");
                source = cause.source();
            }
            panic!("{message}")
        })
    }
}
