//! Integration tests of the sandbox executors with the example apps (`apps/`): real wasmtime,
//! real dockerd (started by `scripts/ci/docker.sh` in CI, which sets `POCO_REQUIRE_DOCKER=1`).

// A test binary: an unwrap in a helper is an assertion (clippy only exempts `#[test]` bodies).
#![allow(clippy::unwrap_used)]

mod common;
mod docker;
mod wasm;
