//! Integration tests of the results service against the in-process devchain: deals and tasks
//! are driven on chain by the compatibility driver, authorizations are signed by the
//! workerpool owner's key and checked by the service through the hub, archives go to a real
//! folder through object_store.
#![allow(missing_docs, unreachable_pub, clippy::unwrap_used)]

mod binary;
mod common;
mod download;
mod races;
mod refusals;
mod tee;
mod verification;
