//! [`ChainView`]: what the market reads from the chain to accept an order — registries,
//! owners, consumption, presignatures, balances, contract signatures, categories, pool
//! descriptions — through `poco-chain`'s [`ChainClient`] and the hub's bindings.
//!
//! **Batching.** Every view goes through [`ChainView::call`]: the `eth_call`s of concurrent
//! publications queue up and leave together, as one JSON-RPC batch per round (one HTTP request
//! instead of one per call), with one call per distinct contract and input (two publications of
//! the same signer read its balance once). Each caller gets the node's answer to its own call.
//!
//! **What is kept in memory**, and why it stays true:
//!
//! | fact | kept | forgotten |
//! | --- | --- | --- |
//! | registry addresses, domain | for the process | never (fixed by the hub) |
//! | category count | until an order names a larger one | never lowered: categories are only ever added |
//! | pool description | for the process | never: set when the pool is created, immutable |
//! | asset owner | [`OWNER_CACHE_TTL`] | at the asset's `Transfer` (the watcher) |
//!
//! Never kept: consumption, presignatures, balances, contract code, ERC-1271 answers: they change
//! with every block and each publication reads them.

use alloy::{
    eips::BlockId,
    network::{Ethereum, TransactionBuilder},
    primitives::{Address, B256, Bytes, U256},
    providers::{DynProvider, Provider},
    rpc::{client::BatchRequest, types::TransactionRequest},
    sol,
    sol_types::{Eip712Domain, SolCall},
    transports::{RpcError, TransportErrorKind, TransportResult},
};
use poco_chain::{ChainClient, ChainError, Revert};
use poco_contracts::bindings::{IPoco, Workerpool};
use poco_market_api::Book;
use poco_primitives::{OrderHash, poco_domain};
use std::{
    collections::{HashMap, hash_map::Entry},
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};
use tokio::sync::{Semaphore, oneshot};

/// How long an asset's owner is trusted without asking the chain again. The watcher forgets an
/// owner as soon as it sees the asset's `Transfer`; the limit bounds staleness without it.
pub const OWNER_CACHE_TTL: Duration = Duration::from_secs(10);

use crate::error::MarketError;

sol! {
    /// The registry views the market needs (the same on the three registries).
    interface IRegistryView {
        function isRegistered(address entry) external view returns (bool);
        function ownerOf(uint256 tokenId) external view returns (address);
    }
}

/// The protocol addresses the market works with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Registries {
    /// The App registry.
    pub app: Address,
    /// The Dataset registry.
    pub dataset: Address,
    /// The Workerpool registry.
    pub workerpool: Address,
}

impl Registries {
    /// The registry of a sell book (`None` for the request book).
    pub const fn of(&self, book: Book) -> Option<Address> {
        match book {
            Book::App => Some(self.app),
            Book::Dataset => Some(self.dataset),
            Book::Workerpool => Some(self.workerpool),
            Book::Request => None,
        }
    }

    /// The sell book whose registry is `address`.
    pub fn book_of(&self, address: Address) -> Option<Book> {
        [Book::App, Book::Dataset, Book::Workerpool]
            .into_iter()
            .find(|book| self.of(*book) == Some(address))
    }
}

/// Reads of one deployment (see the module docs). Cheap to share behind an `Arc`.
#[derive(Debug)]
pub struct ChainView {
    client: ChainClient,
    hub: Address,
    registries: Registries,
    domain: Eip712Domain,
    /// The category count only grows: cached, refreshed when an order names a larger one.
    categories: Mutex<u64>,
    /// Owners of registered assets, with when they were read.
    owners: Mutex<HashMap<(Book, Address), (Address, Instant)>>,
    /// Pool descriptions (a pool's description never changes).
    descriptions: Mutex<HashMap<Address, String>>,
    /// Calls waiting to be sent together.
    calls: CallQueue,
}

/// Most calls in one JSON-RPC batch (a larger round goes as several batches): public nodes
/// commonly accept 100.
pub const MAX_BATCH: usize = 100;
/// Rounds of calls in flight at once.
pub const ROUNDS_IN_FLIGHT: usize = 2;

/// The `eth_call`s of concurrent checks, waiting to be sent together (see [`ChainView::call`]).
#[derive(Debug)]
struct CallQueue {
    pending: Mutex<Vec<PendingCall>>,
    rounds: Arc<Semaphore>,
    /// Calls asked, and calls sent (identical calls of a round are sent once).
    asked: AtomicU64,
    sent: AtomicU64,
    /// Requests sent to the node (a batch or a lone call).
    requests: Arc<AtomicU64>,
}

impl CallQueue {
    fn new() -> Self {
        Self {
            pending: Mutex::new(Vec::new()),
            rounds: Arc::new(Semaphore::new(ROUNDS_IN_FLIGHT)),
            asked: AtomicU64::new(0),
            sent: AtomicU64::new(0),
            requests: Arc::new(AtomicU64::new(0)),
        }
    }
}

/// One queued `eth_call` and where its answer goes.
#[derive(Debug)]
struct PendingCall {
    to: Address,
    input: Bytes,
    reply: oneshot::Sender<TransportResult<Bytes>>,
}

/// How many calls the checks asked for, how many went to the node, in how many requests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CallStats {
    /// Calls asked by the checks.
    pub asked: u64,
    /// Calls sent (a call asked twice in one round is sent once).
    pub sent: u64,
    /// HTTP or websocket requests (a batch counts once).
    pub requests: u64,
}

fn rpc(error: ChainError) -> MarketError {
    MarketError::Chain(Box::new(error))
}

impl ChainView {
    /// Reads the registries of the hub at `hub`.
    pub async fn connect(client: ChainClient, hub: Address) -> Result<Self, MarketError> {
        let app = client.call(hub, &IPoco::appregistryCall {}).await.map_err(rpc)?;
        let dataset = client.call(hub, &IPoco::datasetregistryCall {}).await.map_err(rpc)?;
        let workerpool = client.call(hub, &IPoco::workerpoolregistryCall {}).await.map_err(rpc)?;
        let categories = client.call(hub, &IPoco::countCategoryCall {}).await.map_err(rpc)?;
        let domain = poco_domain(client.chain_id(), hub);
        Ok(Self {
            client,
            hub,
            registries: Registries { app, dataset, workerpool },
            domain,
            categories: Mutex::new(saturate(categories)),
            owners: Mutex::new(HashMap::new()),
            descriptions: Mutex::new(HashMap::new()),
            calls: CallQueue::new(),
        })
    }

    /// The client.
    pub const fn client(&self) -> &ChainClient {
        &self.client
    }

    /// The hub.
    pub const fn hub(&self) -> Address {
        self.hub
    }

    /// The chain id.
    pub fn chain_id(&self) -> u64 {
        self.client.chain_id()
    }

    /// The registries.
    pub const fn registries(&self) -> &Registries {
        &self.registries
    }

    /// The hub's EIP-712 domain (orders are hashed and signed under it).
    pub const fn domain(&self) -> &Eip712Domain {
        &self.domain
    }

    /// Calls a view of `to` at the latest block, together with the other calls in flight (see
    /// the module docs).
    ///
    /// The call joins a queue; whoever gets one of the [`ROUNDS_IN_FLIGHT`] slots sends everything
    /// queued (its own call too, unless a round in flight took it) and answers each caller. The
    /// answer is the node's answer to this call alone: its output, or its revert or error, as
    /// [`ChainClient::call`] gives them.
    pub async fn call<C: SolCall>(&self, to: Address, call: &C) -> Result<C::Return, ChainError> {
        let (reply, mut answer) = oneshot::channel();
        let input = Bytes::from(call.abi_encode());
        self.calls.asked.fetch_add(1, Ordering::Relaxed);
        lock(&self.calls.pending).push(PendingCall { to, input, reply });
        // The semaphore is never closed.
        let slot = Arc::clone(&self.calls.rounds).acquire_owned().await.ok();
        let output = match answer.try_recv() {
            Ok(output) => output,
            Err(_) => {
                let round = std::mem::take(&mut *lock(&self.calls.pending));
                if round.is_empty() {
                    drop(slot);
                } else {
                    let provider = self.client.provider().clone();
                    let requests = Arc::clone(&self.calls.requests);
                    self.calls.sent.fetch_add(distinct_calls(&round), Ordering::Relaxed);
                    // Its own task: a caller that goes away never leaves a round unanswered.
                    tokio::spawn(async move {
                        send_round(&provider, round, &requests).await;
                        drop(slot);
                    });
                }
                answer.await.unwrap_or_else(|_| {
                    Err(TransportErrorKind::custom_str(
                        "the round of calls stopped before answering",
                    ))
                })
            }
        };
        match output {
            Ok(output) => {
                C::abi_decode_returns(&output).map_err(|source| ChainError::Decode { to, source })
            }
            Err(source) => Err(match Revert::from_rpc_error(&source) {
                Some(revert) => ChainError::Reverted { to, revert },
                None => ChainError::Rpc { method: "eth_call", source },
            }),
        }
    }

    /// Counts of the calls so far (see [`CallStats`]).
    pub fn call_stats(&self) -> CallStats {
        CallStats {
            asked: self.calls.asked.load(Ordering::Relaxed),
            sent: self.calls.sent.load(Ordering::Relaxed),
            requests: self.calls.requests.load(Ordering::Relaxed),
        }
    }

    /// The owner of an app, dataset or workerpool; `None` if the registry of `book` does not
    /// know it.
    pub async fn owner(&self, book: Book, asset: Address) -> Result<Option<Address>, MarketError> {
        let Some(registry) = self.registries.of(book) else { return Ok(None) };
        let cached = self
            .owners
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .get(&(book, asset))
            .filter(|(_, read)| read.elapsed() < OWNER_CACHE_TTL)
            .map(|(owner, _)| *owner);
        if let Some(owner) = cached {
            return Ok(Some(owner));
        }
        let registered = self
            .call(registry, &IRegistryView::isRegisteredCall { entry: asset })
            .await
            .map_err(rpc)?;
        if !registered {
            return Ok(None);
        }
        let token = U256::from_be_slice(asset.as_slice());
        let owner = self
            .call(registry, &IRegistryView::ownerOfCall { tokenId: token })
            .await
            .map_err(rpc)?;
        self.owners
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .insert((book, asset), (owner, Instant::now()));
        Ok(Some(owner))
    }

    /// Forgets the cached owner of an asset (it changed hands).
    pub fn forget_owner(&self, book: Book, asset: Address) {
        self.owners.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).remove(&(book, asset));
    }

    /// How many tasks of an order the chain consumed (`viewConsumed`).
    pub async fn consumed(&self, hash: OrderHash) -> Result<U256, MarketError> {
        self.call(self.hub, &IPoco::viewConsumedCall { _id: hash.0 }).await.map_err(rpc)
    }

    /// Who presigned an order (`viewPresigned`), zero if nobody.
    pub async fn presigned(&self, hash: OrderHash) -> Result<Address, MarketError> {
        self.call(self.hub, &IPoco::viewPresignedCall { _id: hash.0 }).await.map_err(rpc)
    }

    /// An account's free balance on the hub (staked RLC, nRLC).
    pub async fn balance(&self, account: Address) -> Result<U256, MarketError> {
        self.call(self.hub, &IPoco::balanceOfCall { account }).await.map_err(rpc)
    }

    /// Whether `account` has code (a contract, which signs through ERC-1271).
    pub async fn is_contract(&self, account: Address) -> Result<bool, MarketError> {
        let code = self
            .client
            .provider()
            .get_code_at(account)
            .await
            .map_err(|source| rpc(ChainError::Rpc { method: "eth_getCode", source }))?;
        Ok(!code.is_empty())
    }

    /// The hub's own check of a signature (`verifySignature`: ERC-1271 for contracts, ECDSA
    /// for EOAs). A revert (e.g. a malformed signature) counts as invalid.
    pub async fn verify_signature(
        &self,
        account: Address,
        hash: B256,
        sign: Bytes,
    ) -> Result<bool, MarketError> {
        match self
            .call(self.hub, &IPoco::verifySignatureCall { _0: account, _1: hash, _2: sign })
            .await
        {
            Ok(valid) => Ok(valid),
            Err(ChainError::Reverted { .. }) => Ok(false),
            Err(error) => Err(rpc(error)),
        }
    }

    /// Whether category `category` exists.
    pub async fn category_exists(&self, category: U256) -> Result<bool, MarketError> {
        let known = *self.categories.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if category < U256::from(known) {
            return Ok(true);
        }
        let count = self.call(self.hub, &IPoco::countCategoryCall {}).await.map_err(rpc)?;
        *self.categories.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = saturate(count);
        Ok(category < count)
    }

    /// A workerpool's description (set at creation, never changed).
    /// Read once per pool, then kept.
    pub async fn pool_description(&self, pool: Address) -> Result<String, MarketError> {
        let cached = self
            .descriptions
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .get(&pool)
            .cloned();
        if let Some(description) = cached {
            return Ok(description);
        }
        let description =
            self.call(pool, &Workerpool::m_workerpoolDescriptionCall {}).await.map_err(rpc)?;
        self.descriptions
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .insert(pool, description.clone());
        Ok(description)
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Answers of one call, for every caller that asked it.
type Replies = Vec<oneshot::Sender<TransportResult<Bytes>>>;

fn distinct_calls(round: &[PendingCall]) -> u64 {
    let keys: std::collections::HashSet<(Address, &Bytes)> =
        round.iter().map(|call| (call.to, &call.input)).collect();
    keys.len() as u64
}

/// Sends a round of queued calls — one call per distinct contract and input, in batches of at
/// most [`MAX_BATCH`] — and answers every caller.
async fn send_round(
    provider: &DynProvider<Ethereum>,
    round: Vec<PendingCall>,
    requests: &AtomicU64,
) {
    let mut calls: Vec<(Address, Bytes, Replies)> = Vec::with_capacity(round.len());
    let mut seen: HashMap<(Address, Bytes), usize> = HashMap::with_capacity(round.len());
    for call in round {
        match seen.entry((call.to, call.input)) {
            Entry::Occupied(slot) => calls[*slot.get()].2.push(call.reply),
            Entry::Vacant(slot) => {
                let (to, input) = slot.key().clone();
                slot.insert(calls.len());
                calls.push((to, input, vec![call.reply]));
            }
        }
    }
    let mut calls = calls.into_iter().peekable();
    while calls.peek().is_some() {
        let chunk: Vec<(Address, Bytes, Replies)> = calls.by_ref().take(MAX_BATCH).collect();
        requests.fetch_add(1, Ordering::Relaxed);
        crate::metrics::chain_request(chunk.len());
        if chunk.len() == 1 {
            for (to, input, replies) in chunk {
                let request = TransactionRequest::default().with_to(to).with_input(input);
                answer(replies, provider.call(request).await);
            }
            continue;
        }
        let mut batch = BatchRequest::new(provider.client());
        let waiters: Vec<_> = chunk
            .iter()
            .map(|(to, input, _)| {
                let request = TransactionRequest::default().with_to(*to).with_input(input.clone());
                batch.add_call::<_, Bytes>("eth_call", &(request, BlockId::latest()))
            })
            .collect();
        let sent = batch.send().await;
        for ((_, _, replies), waiter) in chunk.into_iter().zip(waiters) {
            let output = match (&sent, waiter) {
                (Err(error), _) => Err(copy(error)),
                (Ok(()), Err(error)) => Err(error),
                (Ok(()), Ok(waiter)) => waiter.await,
            };
            answer(replies, output);
        }
    }
}

/// Gives `output` to every caller of a call.
fn answer(replies: Replies, output: TransportResult<Bytes>) {
    let mut replies = replies.into_iter();
    let first = replies.next();
    for reply in replies {
        // The caller may be gone.
        let _ = reply.send(match &output {
            Ok(bytes) => Ok(bytes.clone()),
            Err(error) => Err(copy(error)),
        });
    }
    if let Some(reply) = first {
        let _ = reply.send(output);
    }
}

/// The same error for another caller: a node's error answer as it is, anything else by its text.
fn copy(error: &alloy::transports::TransportError) -> alloy::transports::TransportError {
    match error {
        RpcError::ErrorResp(payload) => RpcError::ErrorResp(payload.clone()),
        other => TransportErrorKind::custom_str(&other.to_string()),
    }
}

fn saturate(value: U256) -> u64 {
    u64::try_from(value).unwrap_or(u64::MAX)
}
