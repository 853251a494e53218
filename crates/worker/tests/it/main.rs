//! Integration tests of the worker agent on the in-process devchain, with the real results
//! service, real WASM sandboxes (Docker when `DOCKER_HOST` is set; required with
//! `POCO_REQUIRE_DOCKER=1`), real signatures and the journal on SQLite and PostgreSQL. The
//! scheduler's side of the protocol is played by a small axum server (`scheduler.rs`) that
//! checks the login signature and records every report; it is replaced by the real scheduler in
//! `crates/e2e`.
#![allow(missing_docs, unreachable_pub, clippy::unwrap_used, clippy::expect_used)]

mod common;
mod journal;
mod scheduler;
mod tasks;
