//! Integration tests: a devchain spawned in-process on 127.0.0.1:0, driven through alloy (as any
//! client would) and through raw HTTP for the JSON-RPC envelope.
#![allow(missing_docs, unreachable_pub, clippy::unwrap_used)]

mod anvil_parity;
mod common;
mod dev;
mod jsonrpc;
mod logs;
mod mining;
mod node;
mod persistence;
mod protocol;
mod rejections;
mod scenarios;
mod streams;
mod wallet;
