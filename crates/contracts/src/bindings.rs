//! `sol!` bindings generated from `contracts/artifacts/*.json` (ABI and bytecode).
//!
//! Each contract gets a module with its calls, events, errors, an RPC instance type and, for
//! deployable contracts, `deploy`. [`IPoco`] is the hub's whole interface (the hub, its module
//! and its views answer it at one address).
#![allow(missing_docs, unreachable_pub, clippy::too_many_arguments)]

use alloy::sol;

sol!(
    #[sol(rpc, all_derives)]
    IPoco,
    "../../contracts/artifacts/IPoco.json"
);

sol!(
    #[sol(rpc)]
    PocoHub,
    "../../contracts/artifacts/PocoHub.json"
);

sol!(
    #[sol(rpc)]
    PocoModule,
    "../../contracts/artifacts/PocoModule.json"
);

sol!(
    #[sol(rpc)]
    PocoViews,
    "../../contracts/artifacts/PocoViews.json"
);

sol!(
    #[sol(rpc, all_derives)]
    RLC,
    "../../contracts/artifacts/RLC.json"
);

sol!(
    #[sol(rpc, all_derives)]
    AppRegistry,
    "../../contracts/artifacts/AppRegistry.json"
);

sol!(
    #[sol(rpc, all_derives)]
    DatasetRegistry,
    "../../contracts/artifacts/DatasetRegistry.json"
);

sol!(
    #[sol(rpc, all_derives)]
    WorkerpoolRegistry,
    "../../contracts/artifacts/WorkerpoolRegistry.json"
);

sol!(
    #[sol(rpc, all_derives)]
    App,
    "../../contracts/artifacts/App.json"
);

sol!(
    #[sol(rpc, all_derives)]
    Dataset,
    "../../contracts/artifacts/Dataset.json"
);

sol!(
    #[sol(rpc, all_derives)]
    Workerpool,
    "../../contracts/artifacts/Workerpool.json"
);

sol!(
    #[sol(rpc, all_derives)]
    IOracleConsumer,
    "../../contracts/artifacts/IOracleConsumer.json"
);
