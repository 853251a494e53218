//! The genesis block: dev accounts funded, and the poco protocol deployed by dev account 0 with
//! real signed transactions, in the order and with the constructor arguments of
//! [`poco_contracts::deploy_protocol`]. The contracts therefore sit at the `CREATE` addresses of
//! account 0's nonces 0 to 6 (the same on every devchain started from the same mnemonic), and the
//! deployment's events are in block 0's receipts, where an indexer finds them.
//!
//! ```text
//!  nonce 0 RLC · 1 AppRegistry · 2 DatasetRegistry · 3 WorkerpoolRegistry · 4 PocoViews
//!        5 PocoModule(rlc, views) · 6 PocoHub(module, registries, owner)
//!  nonce 7.. RLC.transfer(account i, rlc_per_account) for i in 1..N
//! ```

use alloy::{
    consensus::{SignableTransaction, TxEip1559, TxEnvelope, transaction::Recovered},
    primitives::{Address, Bytes, TxKind, U256},
    rpc::types::TransactionRequest,
    signers::SignerSync,
    sol_types::{SolCall, SolConstructor},
};
use poco_contracts::{
    Deployment,
    bindings::{
        AppRegistry, DatasetRegistry, PocoHub, PocoModule, PocoViews, RLC, WorkerpoolRegistry,
    },
};

use crate::{
    accounts::DevAccount,
    chain::{BlockBuilder, error::ChainError},
    error::Error,
};

/// Deploys the protocol in the genesis block being built; `accounts[0]` deploys and owns it.
pub(crate) fn deploy(
    builder: &mut BlockBuilder<'_>,
    accounts: &[DevAccount],
    rlc_per_account: U256,
) -> Result<Deployment, Error> {
    let deployer = accounts.first().ok_or(Error::NoDeployer)?;
    let owner = deployer.address;
    let chain_id = builder.chain_id();
    let mut send = |step: &'static str, to: TxKind, input: Bytes| {
        send(builder, deployer, to, input).map_err(|source| Error::Genesis { step, source })
    };
    let create = TxKind::Create;
    let registry = |bytecode: &Bytes| {
        let args = AppRegistry::constructorCall::new((owner, String::new())).abi_encode();
        [bytecode.as_ref(), &args].concat().into()
    };

    let rlc = send("deploy the RLC token", create, RLC::BYTECODE.clone())?;
    let app_registry = send("deploy the App registry", create, registry(&AppRegistry::BYTECODE))?;
    let dataset_registry =
        send("deploy the Dataset registry", create, registry(&DatasetRegistry::BYTECODE))?;
    let workerpool_registry =
        send("deploy the Workerpool registry", create, registry(&WorkerpoolRegistry::BYTECODE))?;
    let views = send("deploy the hub's views", create, PocoViews::BYTECODE.clone())?;
    let module_args = PocoModule::constructorCall::new((rlc, views)).abi_encode();
    let module = send(
        "deploy the hub's module",
        create,
        [PocoModule::BYTECODE.as_ref(), &module_args].concat().into(),
    )?;
    let hub_args = PocoHub::constructorCall::new((
        module,
        app_registry,
        dataset_registry,
        workerpool_registry,
        owner,
    ))
    .abi_encode();
    let hub =
        send("deploy the hub", create, [PocoHub::BYTECODE.as_ref(), &hub_args].concat().into())?;

    for account in accounts.iter().skip(1).filter(|_| !rlc_per_account.is_zero()) {
        let transfer = RLC::transferCall { to: account.address, value: rlc_per_account };
        send("give RLC to the dev accounts", TxKind::Call(rlc), transfer.abi_encode().into())?;
    }

    Ok(Deployment {
        chain_id,
        hub,
        rlc,
        app_registry,
        dataset_registry,
        workerpool_registry,
        module,
        views,
        owner,
    })
}

/// Signs and executes one transaction of `from`; returns the created contract (or `to`).
fn send(
    builder: &mut BlockBuilder<'_>,
    from: &DevAccount,
    to: TxKind,
    input: Bytes,
) -> Result<Address, ChainError> {
    let request = TransactionRequest {
        from: Some(from.address),
        to: Some(to),
        input: input.clone().into(),
        ..Default::default()
    };
    let gas_limit = builder.estimate_gas(&request)?;
    let tx = TxEip1559 {
        chain_id: builder.chain_id(),
        nonce: builder.nonce(from.address),
        gas_limit,
        max_fee_per_gas: u128::from(builder.env().base_fee),
        max_priority_fee_per_gas: 0,
        to,
        value: U256::ZERO,
        access_list: Default::default(),
        input,
    };
    let signature = from
        .signer
        .sign_hash_sync(&tx.signature_hash())
        .map_err(|error| ChainError::Evm(format!("signing failed: {error}")))?;
    let envelope = TxEnvelope::from(tx.into_signed(signature));
    let mined = builder.apply(Recovered::new_unchecked(envelope, from.address))?;
    if !mined.receipt.status() {
        return Err(ChainError::Evm("the transaction reverted".to_owned()));
    }
    Ok(mined.contract_address.unwrap_or_else(|| to.to().copied().unwrap_or_default()))
}
