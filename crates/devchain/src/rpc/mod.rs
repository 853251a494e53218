//! Ethereum JSON-RPC: request parsing (single and batch), the method table, and the answers.
//!
//! ```text
//!  body ─▶ JSON? (else -32700) ─▶ object or batch ─▶ each: valid request? (else -32600)
//!       ─▶ method known? (else -32601) ─▶ params (else -32602) ─▶ chain ─▶ result | error
//! ```

pub(crate) mod error;
mod filters;
mod params;
pub(crate) mod server;
mod wallet;
mod ws;

use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

use alloy::{
    eips::{BlockId, BlockNumberOrTag},
    primitives::{Address, B256, Bytes, U64, U256, keccak256},
    rpc::types::{Filter, Header, Log, TransactionRequest},
};
use serde::Serialize;
use serde_json::{Value, json};

use tokio::sync::broadcast;

use self::{
    error::RpcError,
    filters::{Changes, Filters},
    params::Params,
};
use crate::{
    accounts::DevAccount,
    chain::{Chain, error::ChainError},
};

/// The priority fee the chain suggests: 1 gwei (anvil's).
const SUGGESTED_TIP: u128 = 1_000_000_000;

/// What subscriptions hear about.
#[derive(Clone, Debug)]
pub(crate) enum ChainEvent {
    /// A block was mined: its header and logs.
    Block(Arc<(Header, Vec<Log>)>),
    /// A transaction was accepted.
    PendingTransaction(B256),
}

/// How many events a slow subscriber may fall behind before it misses some.
const EVENT_BUFFER: usize = 4_096;

/// What the handlers share: the chain, the dev accounts, the filters and the event feed.
#[derive(Debug)]
pub(crate) struct RpcContext {
    chain: RwLock<Chain>,
    accounts: Vec<DevAccount>,
    filters: Filters,
    events: broadcast::Sender<ChainEvent>,
}

type RpcResult = Result<Value, RpcError>;

/// Answers some methods before the method table does (`None`: not one of them).
pub(crate) type Intercept<'a> = &'a (dyn Fn(&str, &Params) -> Option<RpcResult> + 'a);

fn to_value<T: Serialize>(value: T) -> RpcResult {
    serde_json::to_value(value).map_err(|error| RpcError::internal(error.to_string()))
}

fn quantity(value: u64) -> Value {
    Value::String(format!("{value:#x}"))
}

impl RpcContext {
    pub(crate) fn new(chain: RwLock<Chain>, accounts: Vec<DevAccount>) -> Self {
        let (events, _) = broadcast::channel(EVENT_BUFFER);
        Self { chain, accounts, filters: Filters::default(), events }
    }

    /// Mines one block with every ready transaction (interval mining).
    pub(crate) fn mine_block(&self) {
        self.mining(|chain| chain.mine(None, None));
    }

    /// Tells subscribers about the blocks mined after `before`.
    fn publish_blocks(&self, chain: &Chain, before: u64) {
        if self.events.receiver_count() == 0 {
            return;
        }
        for number in before + 1..=chain.block_number() {
            if let Some(event) = chain.block_event(number) {
                let _ = self.events.send(ChainEvent::Block(Arc::new(event)));
            }
        }
    }

    /// Tells filters and subscribers about an accepted transaction.
    fn publish_transaction(&self, hash: B256) {
        self.filters.transaction_accepted(hash);
        if self.events.receiver_count() > 0 {
            let _ = self.events.send(ChainEvent::PendingTransaction(hash));
        }
    }

    /// Runs `action` on the chain under the write lock, then tells subscribers about the blocks
    /// it mined.
    fn mining<T>(&self, action: impl FnOnce(&mut Chain) -> T) -> T {
        let mut chain = self.write();
        let before = chain.block_number();
        let out = action(&mut chain);
        self.publish_blocks(&chain, before);
        out
    }

    fn read(&self) -> RwLockReadGuard<'_, Chain> {
        self.chain.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> RwLockWriteGuard<'_, Chain> {
        self.chain.write().unwrap_or_else(PoisonError::into_inner)
    }

    /// Answers an HTTP body: a request or a batch. `None` when nothing is to be answered (only
    /// notifications).
    pub(crate) fn handle_body(&self, body: &[u8]) -> Option<Value> {
        self.handle_body_with(body, &|_, _| None)
    }

    /// [`Self::handle_body`], where `intercept` may answer a method first (the WebSocket's
    /// subscriptions).
    pub(crate) fn handle_body_with(&self, body: &[u8], intercept: Intercept<'_>) -> Option<Value> {
        let request: Value = match serde_json::from_slice(body) {
            Ok(request) => request,
            Err(error) => return Some(response(Value::Null, Err(RpcError::parse_error(error)))),
        };
        match request {
            Value::Array(batch) if batch.is_empty() => {
                Some(response(Value::Null, Err(RpcError::invalid_request("empty batch"))))
            }
            Value::Array(batch) => {
                let answers: Vec<Value> = batch
                    .into_iter()
                    .filter_map(|request| self.handle_request(request, intercept))
                    .collect();
                (!answers.is_empty()).then_some(Value::Array(answers))
            }
            request => self.handle_request(request, intercept),
        }
    }

    /// Answers one request object; `None` for a notification (no `id`).
    fn handle_request(&self, request: Value, intercept: Intercept<'_>) -> Option<Value> {
        let Value::Object(mut object) = request else {
            return Some(response(
                Value::Null,
                Err(RpcError::invalid_request("not a request object")),
            ));
        };
        let id = object.remove("id");
        let answer_id = id.clone().unwrap_or(Value::Null);
        if !matches!(answer_id, Value::Null | Value::Number(_) | Value::String(_)) {
            return Some(response(Value::Null, Err(RpcError::invalid_request("invalid id"))));
        }
        if object.get("jsonrpc").is_some_and(|version| version != "2.0") {
            return Some(response(
                answer_id,
                Err(RpcError::invalid_request("jsonrpc must be \"2.0\"")),
            ));
        }
        let Some(Value::String(method)) = object.remove("method") else {
            return Some(response(answer_id, Err(RpcError::invalid_request("missing method"))));
        };
        let result = Params::new(object.remove("params")).and_then(|params| {
            intercept(&method, &params).unwrap_or_else(|| self.call(&method, &params))
        });
        if let Err(error) = &result {
            tracing::debug!(method, code = error.code, message = %error.message, "Request failed.");
        }
        id.map(|_| response(answer_id, result))
    }

    /// Runs one method.
    fn call(&self, method: &str, params: &Params) -> RpcResult {
        match method {
            // --- node ---
            "web3_clientVersion" => to_value(concat!("poco-devchain/v", env!("CARGO_PKG_VERSION"))),
            "web3_sha3" => to_value(keccak256(params.required::<Bytes>(0)?)),
            "net_version" => to_value(self.read().chain_id().to_string()),
            "net_listening" => Ok(Value::Bool(true)),
            "net_peerCount" => Ok(quantity(0)),
            "eth_chainId" => Ok(quantity(self.read().chain_id())),
            "eth_syncing" => Ok(Value::Bool(false)),
            "eth_mining" => Ok(Value::Bool(true)),
            "eth_hashrate" => Ok(quantity(0)),
            "eth_coinbase" => to_value(Address::ZERO),
            "eth_accounts" => {
                to_value(self.accounts.iter().map(|account| account.address).collect::<Vec<_>>())
            }
            "eth_protocolVersion" => Ok(quantity(65)),

            // --- state ---
            "eth_blockNumber" => Ok(quantity(self.read().block_number())),
            "eth_getBalance" => {
                let (address, block) = (params.required(0)?, params.block(1)?);
                to_value(self.read().balance(address, block)?)
            }
            "eth_getTransactionCount" => {
                let (address, block) = (params.required(0)?, params.block(1)?);
                Ok(quantity(self.read().nonce(address, block)?))
            }
            "eth_getCode" => {
                let (address, block) = (params.required(0)?, params.block(1)?);
                to_value(self.read().code(address, block)?)
            }
            "eth_getStorageAt" => {
                let (address, slot, block) =
                    (params.required(0)?, params.required::<U256>(1)?, params.block(2)?);
                to_value(self.read().storage(address, slot, block)?)
            }
            "eth_call" => {
                let request: TransactionRequest = params.required(0)?;
                if params.get(2).is_some_and(|overrides| !overrides.is_null()) {
                    return Err(RpcError::invalid_params("state overrides are not supported"));
                }
                to_value(self.read().call(&request, params.optional::<BlockId>(1)?)?)
            }
            "eth_estimateGas" => {
                let request: TransactionRequest = params.required(0)?;
                Ok(quantity(self.read().estimate_gas(&request, params.optional::<BlockId>(1)?)?))
            }

            // --- fees ---
            "eth_gasPrice" => {
                to_value(U256::from(u128::from(self.read().next_base_fee()) + SUGGESTED_TIP))
            }
            "eth_maxPriorityFeePerGas" => to_value(U256::from(SUGGESTED_TIP)),
            "eth_blobBaseFee" => Ok(quantity(1)),
            "eth_feeHistory" => {
                let count = params.quantity(0)?;
                let newest: BlockNumberOrTag = params.required(1)?;
                let percentiles: Option<Vec<f64>> = params.optional(2)?;
                to_value(self.read().fee_history(count, newest, percentiles.as_deref())?)
            }

            // --- transactions ---
            "eth_sendRawTransaction" => {
                let raw: Bytes = params.required(0)?;
                let mut chain = self.write();
                let before = chain.block_number();
                let hash = chain.send_raw_transaction(&raw)?;
                self.publish_transaction(hash);
                self.publish_blocks(&chain, before);
                to_value(hash)
            }
            "eth_sendTransaction" => {
                let request: TransactionRequest = params.required(0)?;
                let from = request.from.ok_or_else(|| RpcError::invalid_params("missing from"))?;
                let account = wallet::account(&self.accounts, from)?;
                let mut chain = self.write();
                let before = chain.block_number();
                let tx = wallet::sign_transaction(&chain, account, request)?;
                let hash = chain.submit(tx)?;
                self.publish_transaction(hash);
                self.publish_blocks(&chain, before);
                to_value(hash)
            }
            "eth_signTransaction" => {
                let request: TransactionRequest = params.required(0)?;
                let from = request.from.ok_or_else(|| RpcError::invalid_params("missing from"))?;
                let account = wallet::account(&self.accounts, from)?;
                let tx = wallet::sign_transaction(&self.read(), account, request)?;
                to_value(Bytes::from(alloy::eips::eip2718::Encodable2718::encoded_2718(&tx)))
            }
            "eth_sign" | "personal_sign" => {
                let (address, message) = if method == "eth_sign" { (0, 1) } else { (1, 0) };
                let account = wallet::account(&self.accounts, params.required(address)?)?;
                let signature = wallet::sign_message(account, &params.required(message)?)?;
                to_value(Bytes::from(signature.as_bytes()))
            }
            "eth_signTypedData_v4" | "eth_signTypedData" => {
                let account = wallet::account(&self.accounts, params.required(0)?)?;
                // Some clients send the typed data as a JSON string.
                let typed = match params.get(1) {
                    Some(Value::String(text)) => serde_json::from_str(text).map_err(|error| {
                        RpcError::invalid_params(format!("invalid typed data: {error}"))
                    })?,
                    _ => params.required(1)?,
                };
                to_value(Bytes::from(wallet::sign_typed_data(account, &typed)?.as_bytes()))
            }
            "eth_getTransactionByHash" => to_value(self.read().transaction(params.required(0)?)),
            "eth_getTransactionReceipt" => to_value(self.read().receipt(params.required(0)?)),
            "eth_getTransactionByBlockHashAndIndex" | "eth_getTransactionByBlockNumberAndIndex" => {
                let block = params.required::<BlockId>(0)?;
                let index = usize::try_from(params.quantity(1)?).unwrap_or(usize::MAX);
                to_value(self.read().transaction_by_block(block, index))
            }

            // --- blocks ---
            "eth_getBlockByNumber" | "eth_getBlockByHash" => {
                let block = params.required::<BlockId>(0)?;
                let full = params.optional::<bool>(1)?.unwrap_or(false);
                to_value(self.read().block_by_id(block, full))
            }
            "eth_getBlockTransactionCountByNumber" | "eth_getBlockTransactionCountByHash" => {
                let block = params.required::<BlockId>(0)?;
                Ok(self
                    .read()
                    .block_transaction_count(block)
                    .map_or(Value::Null, |count| quantity(count as u64)))
            }
            "eth_getUncleCountByBlockNumber" | "eth_getUncleCountByBlockHash" => Ok(quantity(0)),
            "eth_getBlockReceipts" => to_value(self.read().block_receipts(params.required(0)?)),

            // --- logs ---
            "eth_getLogs" => {
                let filter: Filter = params.required(0)?;
                let chain = self.read();
                check_range_start(&filter, chain.block_number())?;
                to_value(chain.logs(&filter)?)
            }

            // --- filters ---
            "eth_newFilter" => {
                let filter: Filter = params.required(0)?;
                to_value(self.filters.new_logs(filter, &self.read())?)
            }
            "eth_newBlockFilter" => to_value(self.filters.new_blocks(&self.read())),
            "eth_newPendingTransactionFilter" => {
                to_value(self.filters.new_pending_transactions(&self.read()))
            }
            "eth_getFilterChanges" => {
                let chain = self.read();
                match self.filters.changes(params.required(0)?, &chain) {
                    None => Err(filter_not_found()),
                    Some(changes) => match changes? {
                        Changes::Hashes(hashes) => to_value(hashes),
                        Changes::Logs(logs) => to_value(logs),
                    },
                }
            }
            "eth_getFilterLogs" => {
                let chain = self.read();
                to_value(
                    self.filters
                        .logs(params.required(0)?, &chain)
                        .ok_or_else(filter_not_found)??,
                )
            }
            "eth_uninstallFilter" => to_value(self.filters.uninstall(params.required(0)?)),

            // --- dev methods (anvil, hardhat, ganache names) ---
            "evm_mine" | "anvil_mine" | "hardhat_mine" => self.mine(method, params),
            "evm_setAutomine" | "anvil_setAutomine" => {
                let on: bool = params.required(0)?;
                self.mining(|chain| chain.set_automine(on));
                Ok(Value::Null)
            }
            "anvil_getAutomine" | "hardhat_getAutomine" => Ok(Value::Bool(self.read().automine())),
            "evm_increaseTime" | "anvil_increaseTime" => {
                let seconds = params.quantity(0)?;
                Ok(json!(self.write().increase_time(seconds)))
            }
            "evm_setNextBlockTimestamp" | "anvil_setNextBlockTimestamp" => {
                self.write().set_next_block_timestamp(params.quantity(0)?)?;
                Ok(Value::Null)
            }
            "evm_snapshot" | "anvil_snapshot" => to_value(U64::from(self.write().snapshot())),
            "evm_revert" | "anvil_revert" => {
                let id = params.quantity(0)?;
                Ok(Value::Bool(self.write().revert(id)))
            }
            "anvil_setBalance" | "hardhat_setBalance" => {
                let (address, balance) = (params.required(0)?, params.required::<U256>(1)?);
                self.write().set_balance(address, balance);
                Ok(Value::Null)
            }
            "anvil_setNonce" | "hardhat_setNonce" => {
                let (address, nonce) = (params.required(0)?, params.quantity(1)?);
                self.write().set_nonce(address, nonce);
                Ok(Value::Null)
            }
            "anvil_setCode" | "hardhat_setCode" => {
                let (address, code) = (params.required(0)?, params.required::<Bytes>(1)?);
                self.write().set_code(address, code);
                Ok(Value::Null)
            }
            "anvil_setStorageAt" | "hardhat_setStorageAt" => {
                let (address, slot, value) =
                    (params.required(0)?, params.required::<U256>(1)?, params.required::<B256>(2)?);
                self.write().set_storage(address, slot, value.into());
                Ok(Value::Bool(true))
            }
            _ => Err(RpcError::method_not_found(method)),
        }
    }

    /// `evm_mine [timestamp | {timestamp, blocks}]`, `anvil_mine [blocks, interval]`.
    fn mine(&self, method: &str, params: &Params) -> RpcResult {
        let (blocks, timestamp) = if method == "evm_mine" {
            match params.get(0) {
                None | Some(Value::Null) => (1, None),
                Some(Value::Object(options)) => {
                    let field =
                        |name: &str| options.get(name).map(params::parse_quantity).transpose();
                    (field("blocks")?.unwrap_or(1), field("timestamp")?)
                }
                Some(_) => (1, Some(params.quantity(0)?)),
            }
        } else {
            let blocks = params.optional_quantity(0)?.unwrap_or(1);
            if let Some(interval) = params.optional_quantity(1)?.filter(|interval| *interval > 0) {
                self.mining(|chain| {
                    for _ in 0..blocks {
                        chain.increase_time(interval);
                        chain.mine_blocks(1, None)?;
                    }
                    Ok::<_, ChainError>(())
                })?;
                return Ok(Value::Null);
            }
            (blocks, None)
        };
        self.mining(|chain| chain.mine_blocks(blocks, timestamp))?;
        Ok(Value::String("0x0".to_owned()))
    }
}

/// A log query starting after the head is refused, as anvil refuses it (`-32602`): no block to
/// search yet, and an empty answer would look like "no logs there".
fn check_range_start(filter: &Filter, head: u64) -> Result<(), RpcError> {
    if let Some(from) = filter.get_from_block().filter(|from| *from > head) {
        return Err(RpcError::invalid_params(format!(
            "block range starts after the head: head is {head}, requested {from}"
        )));
    }
    Ok(())
}

fn filter_not_found() -> RpcError {
    RpcError::new(error::SERVER_ERROR, "filter not found")
}

/// A response object.
fn response(id: Value, result: RpcResult) -> Value {
    let mut object = serde_json::Map::with_capacity(3);
    object.insert("jsonrpc".to_owned(), Value::String("2.0".to_owned()));
    object.insert("id".to_owned(), id);
    match result {
        Ok(result) => object.insert("result".to_owned(), result),
        Err(error) => object.insert("error".to_owned(), json!(error)),
    };
    Value::Object(object)
}

/// A shared context.
pub(crate) type SharedContext = Arc<RpcContext>;
