//! The one place that talks to revm: the state database, the block and transaction environments,
//! and execution. Nothing of revm leaves this crate.

use std::{convert::Infallible, sync::Arc};

use alloy::{
    consensus::{Transaction as _, TxEnvelope},
    eips::eip2930::AccessList,
    primitives::{Address, B256, Bytes, TxKind, U256},
    rpc::types::TransactionRequest,
};
use revm::{
    Context, DatabaseRef, ExecuteEvm, MainBuilder, MainContext,
    bytecode::Bytecode,
    context::{
        BlockEnv, CfgEnv, TxEnv,
        result::{EVMError, ExecutionResult, HaltReason, InvalidTransaction, OutOfGasError},
    },
    context_interface::cfg::gas::calculate_initial_tx_gas_for_tx,
    database::{CacheDB, EmptyDB},
    primitives::hardfork::SpecId,
    state::{AccountInfo, EvmState},
};

use super::{error::ChainError, undo::Undo};

/// The hard fork the chain runs (the contracts are compiled for Cancun, a subset).
pub(crate) const SPEC: SpecId = SpecId::PRAGUE;
/// EIP-3860: the largest init code.
pub(crate) const MAX_INITCODE_SIZE: usize = 2 * 24_576;

/// The world state: accounts, code and storage, in memory.
pub(crate) type StateDb = CacheDB<EmptyDB>;

/// The block a transaction or call executes in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct BlockEnvironment {
    pub(crate) number: u64,
    pub(crate) timestamp: u64,
    pub(crate) base_fee: u64,
    pub(crate) gas_limit: u64,
    pub(crate) coinbase: Address,
    pub(crate) prevrandao: B256,
}

impl BlockEnvironment {
    fn to_revm(self) -> BlockEnv {
        BlockEnv {
            number: U256::from(self.number),
            beneficiary: self.coinbase,
            timestamp: U256::from(self.timestamp),
            gas_limit: self.gas_limit,
            basefee: self.base_fee,
            difficulty: U256::ZERO,
            prevrandao: Some(self.prevrandao),
            blob_excess_gas_and_price: Some(
                revm::context_interface::block::BlobExcessGasAndPrice::new(
                    0,
                    revm::primitives::eip4844::BLOB_BASE_FEE_UPDATE_FRACTION_PRAGUE,
                ),
            ),
            slot_num: 0,
        }
    }
}

/// A read-only view of the state at some block, and the hashes of the blocks before it
/// (for `BLOCKHASH`). An older block's state is the head's read through undo records (see
/// [`super::undo`]).
#[derive(Clone, Copy)]
pub(crate) struct StateView<'a> {
    /// The head state.
    pub(crate) state: &'a StateDb,
    /// Hashes of blocks `0..hashes.len()`.
    pub(crate) hashes: &'a [B256],
    /// Undo records of the blocks after the viewed one, oldest first (none for the head).
    pub(crate) undo: &'a [Arc<Undo>],
    /// Changes made since the head block (dev methods), for a view of an older block.
    pub(crate) pending: Option<&'a Undo>,
}

impl<'a> StateView<'a> {
    /// A view of `state` itself.
    pub(crate) const fn head(state: &'a StateDb, hashes: &'a [B256]) -> Self {
        Self { state, hashes, undo: &[], pending: None }
    }

    /// The undo records to read through, oldest first.
    fn layers(&self) -> impl Iterator<Item = &'a Undo> + use<'a> {
        self.undo.iter().map(|undo| &**undo).chain(self.pending)
    }
}

impl DatabaseRef for StateView<'_> {
    type Error = Infallible;

    fn basic_ref(&self, address: Address) -> Result<Option<AccountInfo>, Infallible> {
        if let Some(before) = self.layers().find_map(|undo| undo.account(address)) {
            return Ok(before);
        }
        self.state.basic_ref(address)
    }

    fn code_by_hash_ref(&self, code_hash: B256) -> Result<Bytecode, Infallible> {
        self.state.code_by_hash_ref(code_hash)
    }

    fn storage_ref(&self, address: Address, index: U256) -> Result<U256, Infallible> {
        if let Some(before) = self.layers().find_map(|undo| undo.slot(address, index)) {
            return Ok(before);
        }
        self.state.storage_ref(address, index)
    }

    fn block_hash_ref(&self, number: u64) -> Result<B256, Infallible> {
        Ok(usize::try_from(number)
            .ok()
            .and_then(|number| self.hashes.get(number))
            .copied()
            .unwrap_or_default())
    }
}

/// What executing a transaction gave: the result and the state changes, not yet committed.
pub(crate) struct Executed {
    pub(crate) result: ExecutionResult,
    pub(crate) changes: EvmState,
}

impl Executed {
    /// Gas used as the receipt reports it (after refunds).
    pub(crate) const fn gas_used(&self) -> u64 {
        self.result.tx_gas_used()
    }

    /// Gas spent before refunds: what a gas limit must cover for the call to succeed.
    pub(crate) const fn gas_spent(&self) -> u64 {
        self.result.gas().total_gas_spent()
    }
}

/// How checks are relaxed: calls and estimates do not need a nonce or a fee.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    /// A transaction being mined: every check.
    Transact,
    /// `eth_call`/`eth_estimateGas`: no nonce check, no base fee check when no fee is given.
    Call {
        /// The request gives no fee: execute at gas price 0 under any base fee.
        free: bool,
    },
}

fn cfg(chain_id: u64, mode: Mode) -> CfgEnv {
    let mut cfg = CfgEnv::new_with_spec(SPEC);
    cfg.chain_id = chain_id;
    if let Mode::Call { free } = mode {
        cfg.disable_nonce_check = true;
        cfg.disable_base_fee = free;
        cfg.disable_block_gas_limit = true;
        cfg.disable_eip3607 = true;
    }
    cfg
}

/// Executes `tx` on `view` without committing anything.
pub(crate) fn execute(
    view: StateView<'_>,
    block: &BlockEnvironment,
    chain_id: u64,
    mode: Mode,
    tx: TxEnv,
) -> Result<Executed, ChainError> {
    let mut evm = Context::mainnet()
        .with_ref_db(view)
        .with_block(block.to_revm())
        .with_cfg(cfg(chain_id, mode))
        .build_mainnet();
    let caller = tx.caller;
    match evm.transact(tx) {
        Ok(out) => Ok(Executed { result: out.result, changes: out.state }),
        Err(EVMError::Transaction(invalid)) => Err(invalid_transaction(invalid, caller)),
        Err(EVMError::Header(header)) => Err(ChainError::Evm(header.to_string())),
        Err(EVMError::Database(never)) => match never {},
        Err(EVMError::Custom(message)) => Err(ChainError::Evm(message)),
        Err(EVMError::CustomAny(error)) => Err(ChainError::Evm(error.to_string())),
    }
}

/// Maps revm's validation errors to geth's messages where a node would say the same.
fn invalid_transaction(invalid: InvalidTransaction, caller: Address) -> ChainError {
    match invalid {
        // A call or estimate whose value and gas the sender cannot pay: geth's message, which
        // clients (ethers: INSUFFICIENT_FUNDS) recognize.
        InvalidTransaction::LackOfFundForMaxFee { fee, balance } => {
            ChainError::InsufficientFunds { address: caller, have: *balance, want: *fee }
        }
        InvalidTransaction::PriorityFeeGreaterThanMaxFee => ChainError::TipAboveFeeCap,
        InvalidTransaction::CallerGasLimitMoreThanBlock => ChainError::GasLimitTooHigh,
        InvalidTransaction::CallGasCostMoreThanGasLimit { initial_gas, gas_limit }
        | InvalidTransaction::GasFloorMoreThanGasLimit { gas_floor: initial_gas, gas_limit } => {
            ChainError::IntrinsicGasTooLow { have: gas_limit, want: initial_gas }
        }
        InvalidTransaction::CreateInitCodeSizeLimit => {
            ChainError::InitCodeTooLarge { size: 0, limit: MAX_INITCODE_SIZE }
        }
        other => ChainError::Evm(other.to_string()),
    }
}

/// The message of a halt, as geth words it.
pub(crate) fn halt_message(reason: &HaltReason) -> String {
    match reason {
        HaltReason::OutOfGas(OutOfGasError::Basic | OutOfGasError::InvalidOperand) => {
            "out of gas".to_owned()
        }
        HaltReason::OutOfGas(_) => "out of gas".to_owned(),
        HaltReason::OpcodeNotFound | HaltReason::InvalidFEOpcode => "invalid opcode".to_owned(),
        HaltReason::InvalidJump => "invalid jump destination".to_owned(),
        HaltReason::StackUnderflow => "stack underflow".to_owned(),
        HaltReason::StackOverflow => "stack limit reached 1024".to_owned(),
        HaltReason::CreateCollision => "contract address collision".to_owned(),
        HaltReason::CreateContractSizeLimit => "max code size exceeded".to_owned(),
        HaltReason::CreateInitCodeSizeLimit => "max initcode size exceeded".to_owned(),
        HaltReason::OutOfFunds => "insufficient balance for transfer".to_owned(),
        HaltReason::CallTooDeep => "max call depth exceeded".to_owned(),
        other => format!("{other:?}"),
    }
}

/// The revm environment of a signed transaction from `sender`.
pub(crate) fn tx_env(tx: &TxEnvelope, sender: Address) -> TxEnv {
    TxEnv {
        tx_type: tx.tx_type() as u8,
        caller: sender,
        gas_limit: tx.gas_limit(),
        gas_price: tx.max_fee_per_gas(),
        kind: tx.kind(),
        value: tx.value(),
        data: tx.input().clone(),
        nonce: tx.nonce(),
        chain_id: tx.chain_id(),
        access_list: tx.access_list().cloned().unwrap_or_default(),
        gas_priority_fee: tx.max_priority_fee_per_gas(),
        blob_hashes: Vec::new(),
        max_fee_per_blob_gas: 0,
        authorization_list: Vec::new(),
    }
}

/// The revm environment of a call request (`eth_call`, `eth_estimateGas`), executed at `gas`.
pub(crate) fn call_env(
    request: &TransactionRequest,
    sender_nonce: u64,
    chain_id: u64,
    gas: u64,
) -> (TxEnv, bool) {
    let gas_price = request.gas_price.or(request.max_fee_per_gas);
    let priority =
        if request.gas_price.is_some() { None } else { request.max_priority_fee_per_gas };
    let access_list = request.access_list.clone().unwrap_or_default();
    let tx_type = if priority.is_some() || request.max_fee_per_gas.is_some() {
        2
    } else if !access_list.is_empty() {
        1
    } else {
        0
    };
    let env = TxEnv {
        tx_type,
        caller: request.from.unwrap_or_default(),
        gas_limit: gas,
        gas_price: gas_price.unwrap_or_default(),
        kind: request.to.unwrap_or(TxKind::Create),
        value: request.value.unwrap_or_default(),
        data: request.input.input().cloned().unwrap_or_default(),
        nonce: sender_nonce,
        chain_id: Some(chain_id),
        access_list,
        gas_priority_fee: priority.or(if tx_type == 2 { Some(0) } else { None }),
        blob_hashes: Vec::new(),
        max_fee_per_blob_gas: 0,
        authorization_list: Vec::new(),
    };
    (env, gas_price.is_none())
}

/// The intrinsic gas of a transaction (EIP-7623's floor included).
pub(crate) fn intrinsic_gas(tx: &TxEnv) -> u64 {
    let gas = calculate_initial_tx_gas_for_tx(tx, SPEC, None);
    gas.initial_regular_gas.max(gas.floor_gas)
}

/// Account fields read by the RPC.
pub(crate) fn account(view: &StateView<'_>, address: Address) -> AccountInfo {
    view.basic_ref(address).ok().flatten().unwrap_or_default()
}

/// The code at `address`.
pub(crate) fn code(view: &StateView<'_>, address: Address) -> Bytes {
    let info = account(view, address);
    match info.code {
        Some(code) if !code.is_empty() => code.original_bytes(),
        _ => view
            .state
            .code_by_hash_ref(info.code_hash)
            .map(|code| code.original_bytes())
            .unwrap_or_default(),
    }
}

/// Sets the balance of `address` (creating the account if needed).
pub(crate) fn set_balance(state: &mut StateDb, address: Address, balance: U256) {
    let mut info = state.basic_ref(address).ok().flatten().unwrap_or_default();
    info.balance = balance;
    state.insert_account_info(address, info);
}

/// Sets the nonce of `address`.
pub(crate) fn set_nonce(state: &mut StateDb, address: Address, nonce: u64) {
    let mut info = state.basic_ref(address).ok().flatten().unwrap_or_default();
    info.nonce = nonce;
    state.insert_account_info(address, info);
}

/// Sets the code of `address`.
pub(crate) fn set_code(state: &mut StateDb, address: Address, code: Bytes) {
    let mut info = state.basic_ref(address).ok().flatten().unwrap_or_default();
    let bytecode = Bytecode::new_raw(code);
    info.code_hash = bytecode.hash_slow();
    info.code = Some(bytecode);
    state.insert_account_info(address, info);
}

/// Sets one storage slot of `address`.
pub(crate) fn set_storage(state: &mut StateDb, address: Address, slot: U256, value: U256) {
    if state.basic_ref(address).ok().flatten().is_none() {
        state.insert_account_info(address, AccountInfo::default());
    }
    // The account exists now, so inserting a slot cannot fail.
    let _ = state.insert_account_storage(address, slot, value);
}

/// Commits the changes of an executed transaction, recording in `undo` what they overwrite.
pub(crate) fn commit(state: &mut StateDb, changes: EvmState, undo: &mut Undo) {
    use revm::DatabaseCommit;
    for (address, account) in &changes {
        // What `CacheDB::commit` writes: touched accounts only; their info, their storage
        // cleared when created or self-destructed, and their slots.
        if !account.is_touched() {
            continue;
        }
        undo.record_account(state, *address);
        if account.is_selfdestructed() || account.is_created() {
            undo.record_wipe(state, *address);
        }
        for (slot, value) in &account.storage {
            if value.is_changed() {
                undo.record_slot(state, *address, *slot);
            }
        }
    }
    state.commit(changes);
}

/// The access list type of revm is alloy's.
const _: fn(AccessList) -> revm::context_interface::transaction::AccessList = |list| list;
