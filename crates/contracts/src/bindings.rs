//! `sol!` bindings, one module per contract.
#![allow(missing_docs, unreachable_pub, clippy::too_many_arguments)]

use alloy::sol;

sol!(
    #[sol(rpc, all_derives)]
    IPoco,
    "../../contracts/artifacts/IPoco.json"
);
