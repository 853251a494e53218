//! The hub's ABI orders from poco-primitives' EIP-712 orders: moved to
//! [`poco_contracts::orders`] so the SDK shares them; re-exported here for the harness.

pub use poco_contracts::orders::{AbiOrder, MatchOrders, abi};
