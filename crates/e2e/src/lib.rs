//! poco's end-to-end tests (no library code): each suite in `tests/` starts real services in
//! one process — the in-process devchain (`poco-devchain`), the market (`poco_market::spawn`),
//! the scheduler (`poco_scheduler::spawn`) — through the shared `tests/common` module, and drives
//! them over real HTTP with real signatures, on SQLite and on PostgreSQL.
//!
//! | suite | what it shows |
//! | --- | --- |
//! | `tests/publisher.rs` | the scheduler keeps the pool's workerpool orders on the real market at the pool's free capacity as workers come and go, republishes what deals consume, never publishes twice across a restart, and withdraws its orders on shutdown |
//! | `tests/public.rs` | the scheduler's public reads and the requester-only app logs against a real deal |
//! | `tests/worker.rs` | four real worker agents (`poco_worker::spawn`: WASM sandbox, journal, contribute/reveal, upload) with the scheduler's engine and the real results service: 5 tasks at trust 5 complete (timelines, result matching the consensus, scores and stakes by the protocol's rules, no double contribution); a worker killed mid-task is declared lost and replaced; a worker restarted between `contribute` and its receipt resumes from its journal without contributing twice |
