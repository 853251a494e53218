//! Typed 32-byte ids: deals, tasks and order hashes, and the protocol's derivations between them.
//!
//! ```text
//! request order ──EIP-712 digest──▶ OrderHash ──H(hash ‖ consumed)──▶ DealId ──H(deal ‖ idx)──▶ TaskId
//! ```
//!
//! Each id is its own type, so a task id can never be passed where a deal id is expected; all
//! serialize as `0x`-prefixed hex.

use alloy_primitives::{U256, keccak256, wrap_fixed_bytes};
use alloy_sol_types::SolValue;

wrap_fixed_bytes!(
    /// The on-chain hash of an order: its full EIP-712 digest (`H(0x1901 ‖ separator ‖
    /// structHash)`), the key of the hub's `consumed` and `presigned` maps and the hash carried
    /// by `OrdersMatched`. Computed by [`order_hash`](crate::orders::order_hash).
    pub struct OrderHash<32>;
);

wrap_fixed_bytes!(
    /// The id of a deal (a bag of tasks created by `matchOrders`).
    pub struct DealId<32>;
);

wrap_fixed_bytes!(
    /// The id of a task: one run of the app inside a deal.
    pub struct TaskId<32>;
);

impl DealId {
    /// The deal id `matchOrders` creates: `H(requestOrderHash ‖ uint256(consumed))`, where
    /// `consumed_before` is how much of the request order was consumed *before* this match
    /// (spec §4.2). The first deal of a request order has `consumed_before = 0`.
    pub fn derive(request_order_hash: OrderHash, consumed_before: U256) -> Self {
        Self(keccak256((request_order_hash.0, consumed_before).abi_encode_packed()))
    }

    /// The id of the task at index `idx` of this deal (see [`TaskId::derive`]).
    pub fn task(&self, idx: U256) -> TaskId {
        TaskId::derive(*self, idx)
    }
}

impl TaskId {
    /// The task id `initialize` and `pushResultBoost` use: `H(dealId ‖ uint256(idx))` (spec §6).
    ///
    /// Classic deals index tasks inside the request order: `botFirst ≤ idx < botFirst + botSize`.
    /// Boost deals index them inside the deal: `0 ≤ idx < botSize` (spec §19.1).
    pub fn derive(deal_id: DealId, idx: U256) -> Self {
        Self(keccak256((deal_id.0, idx).abi_encode_packed()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::b256;

    /// Spec §18: the request order of the test vectors, its first deal and that deal's task 0.
    const REQUEST_HASH: OrderHash =
        OrderHash(b256!("a7053ae8692f032cdd0665e65e08bcd074dd42bd152a8d3923c670ecccc5daa8"));
    const DEAL_ID: DealId =
        DealId(b256!("bde85161d2e8ad8d94aa50e5a79b8e22bcca9ef0df7ab79e66bef5ca89f1d586"));
    const TASK_ID: TaskId =
        TaskId(b256!("9e8d2b5971eafd4952b86ff24d8102748082db0d20d3ba7e49b687c1026e013a"));

    #[test]
    fn deal_id_vector() {
        assert_eq!(DealId::derive(REQUEST_HASH, U256::ZERO), DEAL_ID);
    }

    #[test]
    fn task_id_vector() {
        assert_eq!(TaskId::derive(DEAL_ID, U256::ZERO), TASK_ID);
        assert_eq!(DEAL_ID.task(U256::ZERO), TASK_ID);
    }

    #[test]
    fn derivations_depend_on_every_input() {
        let cases = [
            (DealId::derive(REQUEST_HASH, U256::from(1)), "consumed"),
            (DealId::derive(OrderHash::ZERO, U256::ZERO), "order hash"),
        ];
        for (id, what) in cases {
            assert_ne!(id, DEAL_ID, "{what}");
        }
        assert_ne!(DEAL_ID.task(U256::from(1)), TASK_ID);
    }

    #[test]
    fn serde_is_0x_hex() {
        let json = serde_json::to_string(&TASK_ID).unwrap();
        assert_eq!(json, "\"0x9e8d2b5971eafd4952b86ff24d8102748082db0d20d3ba7e49b687c1026e013a\"");
        assert_eq!(serde_json::from_str::<TaskId>(&json).unwrap(), TASK_ID);
        assert_eq!(TASK_ID.to_string().parse::<TaskId>().unwrap(), TASK_ID);
    }
}
