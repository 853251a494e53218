//! poco's end-to-end tests (no library code): each suite in `tests/` starts real services in
//! one process — the in-process devchain (`poco-devchain`), the market (`poco_market::spawn`),
//! the scheduler (`poco_scheduler::spawn`) — through the shared `tests/common` module, and drives
//! them over real HTTP with real signatures, on SQLite and on PostgreSQL.
//!
//! | suite | what it shows |
//! | --- | --- |
//! | `tests/publisher.rs` | the scheduler keeps the pool's workerpool orders on the real market at the pool's free capacity as workers come and go, republishes what deals consume, never publishes twice across a restart, and withdraws its orders on shutdown |
//! | `tests/public.rs` | the scheduler's public reads and the requester-only app logs against a real deal |
