//! Event streams: restarts with a file cursor, confirmations, handler failures, reorgs.

use crate::{Node, OrPanic, connect, fresh_address, manager};
use alloy::{
    primitives::{Address, B256, U256},
    providers::Provider,
    rpc::types::{Filter, Log},
    sol_types::SolEvent,
};
use poco_chain::{
    BlockRef, ChainClient, EventStream, Handler, JsonFileCursorStore, MemoryCursorStore, Progress,
    StreamConfig, StreamError, TxManager,
};
use poco_contracts::bindings::RLC;
use std::{collections::BTreeMap, convert::Infallible};

/// Transfers of one block: (transaction hash, log index, value).
type Transfers = Vec<(B256, u64, U256)>;

/// An idempotent handler: a ledger of transfers keyed by block, rolled back on reorgs.
#[derive(Debug, Default)]
struct Ledger {
    blocks: BTreeMap<u64, (B256, Transfers)>,
    deliveries: Vec<BlockRef>,
    rollbacks: Vec<BlockRef>,
    /// Fail (once) when asked to handle this block.
    fail_at: Option<u64>,
}

#[derive(Debug, thiserror::Error)]
#[error("handler failure injected at block {0}")]
struct Injected(u64);

impl Handler for Ledger {
    type Error = Injected;

    async fn on_logs(&mut self, block: BlockRef, logs: Vec<Log>) -> Result<(), Injected> {
        if self.fail_at.take_if(|at| *at == block.number).is_some() {
            return Err(Injected(block.number));
        }
        let transfers = logs
            .iter()
            .map(|log| {
                let transfer = RLC::Transfer::decode_log(&log.inner).expect("a Transfer log");
                (log.transaction_hash.unwrap(), log.log_index.unwrap(), transfer.value)
            })
            .collect();
        // Keyed by block: a redelivery overwrites, it never adds.
        self.blocks.insert(block.number, (block.hash, transfers));
        self.deliveries.push(block);
        Ok(())
    }

    async fn on_rollback(&mut self, to: BlockRef) -> Result<(), Injected> {
        self.blocks.retain(|&number, _| number <= to.number);
        self.rollbacks.push(to);
        Ok(())
    }
}

impl Ledger {
    fn values(&self) -> Vec<u64> {
        self.blocks.values().flat_map(|(_, t)| t.iter().map(|(_, _, v)| v.to::<u64>())).collect()
    }
}

/// A handler that never fails, for `Infallible`-typed consumers.
#[derive(Default)]
struct Count(usize);

impl Handler for Count {
    type Error = Infallible;

    async fn on_logs(&mut self, _: BlockRef, logs: Vec<Log>) -> Result<(), Infallible> {
        self.0 += logs.len();
        Ok(())
    }

    async fn on_rollback(&mut self, _: BlockRef) -> Result<(), Infallible> {
        Ok(())
    }
}

struct Fixture {
    client: ChainClient,
    deployer: TxManager,
    rlc: Address,
    start: u64,
}

impl Fixture {
    async fn new(node: &Node) -> Self {
        let client = connect(node).await;
        let rlc = *RLC::deploy(node.provider(0)).await.or_panic("deploying RLC").address();
        let start = client.block_number().await.unwrap() + 1;
        let deployer = manager(&client, node, 0);
        Self { client, deployer, rlc, start }
    }

    fn filter(&self) -> Filter {
        Filter::new().address(self.rlc).event_signature(RLC::Transfer::SIGNATURE_HASH)
    }

    /// One RLC transfer of `value`: one block with one Transfer log.
    async fn transfer(&self, value: u64) {
        let call = RLC::transferCall { to: fresh_address(7), value: U256::from(value) };
        self.deployer.send_call(self.rlc, &call).await.or_panic("transfer");
    }

    async fn mine(&self, blocks: u64) {
        for _ in 0..blocks {
            let _: String =
                self.client.provider().raw_request("evm_mine".into(), ()).await.or_panic("mine");
        }
    }

    /// What the chain says now, straight from eth_getLogs.
    async fn chain_values(&self) -> Vec<u64> {
        let head = self.client.block_number().await.unwrap();
        let logs = self.client.logs(&self.filter().from_block(self.start).to_block(head)).await;
        logs.unwrap()
            .iter()
            .map(|log| RLC::Transfer::decode_log(&log.inner).unwrap().value.to::<u64>())
            .collect()
    }

    fn config(&self) -> StreamConfig {
        StreamConfig { start_block: self.start, max_block_range: 2, ..StreamConfig::default() }
    }
}

async fn logs_are_delivered_across_restarts_without_gap_or_duplicate(node: &Node) {
    let chain = Fixture::new(node).await;
    let dir = tempfile::tempdir().unwrap();
    let cursor_file = dir.path().join("cursor.json");
    let mut ledger = Ledger::default();

    for value in 1..=3 {
        chain.transfer(value).await;
    }
    let mut stream = EventStream::new(
        chain.client.clone(),
        chain.filter(),
        chain.config(),
        JsonFileCursorStore::new(&cursor_file),
    );
    let head = stream.catch_up(&mut ledger).await.or_panic("first run");
    assert_eq!(head, chain.client.block_number().await.unwrap());
    assert_eq!(ledger.values(), [1, 2, 3]);
    drop(stream); // the "process" stops

    for value in 4..=6 {
        chain.transfer(value).await;
    }
    chain.mine(3).await;
    let mut stream = EventStream::new(
        chain.client.clone(),
        chain.filter(),
        chain.config(),
        JsonFileCursorStore::new(&cursor_file),
    );
    stream.catch_up(&mut ledger).await.or_panic("second run");
    assert_eq!(ledger.values(), [1, 2, 3, 4, 5, 6]);
    assert_eq!(ledger.values(), chain.chain_values().await);
    // Each block delivered exactly once, in order.
    let delivered: Vec<u64> = ledger.deliveries.iter().map(|block| block.number).collect();
    assert!(delivered.windows(2).all(|pair| pair[0] < pair[1]), "{delivered:?}");
    assert_eq!(delivered.len(), 6);
    assert!(ledger.rollbacks.is_empty());
}

async fn a_failed_handler_gets_the_block_again(node: &Node) {
    let chain = Fixture::new(node).await;
    for value in 1..=3 {
        chain.transfer(value).await;
    }
    let store = MemoryCursorStore::new();
    let mut ledger = Ledger { fail_at: Some(chain.start + 1), ..Ledger::default() };
    let mut stream =
        EventStream::new(chain.client.clone(), chain.filter(), chain.config(), store.clone());
    let error = stream.catch_up(&mut ledger).await.unwrap_err();
    assert!(matches!(error, StreamError::Handler { block, .. } if block == chain.start + 1));
    assert_eq!(store.get().unwrap().head.number, chain.start, "cursor stays before the failure");

    // A new stream (a restart) resumes from the saved cursor and redelivers that block.
    let mut stream = EventStream::new(chain.client.clone(), chain.filter(), chain.config(), store);
    stream.catch_up(&mut ledger).await.or_panic("resume");
    assert_eq!(ledger.values(), [1, 2, 3]);
}

async fn only_confirmed_blocks_are_delivered(node: &Node) {
    let chain = Fixture::new(node).await;
    for value in 1..=3 {
        chain.transfer(value).await;
    }
    let config = StreamConfig { confirmations: Some(2), ..chain.config() };
    let mut stream =
        EventStream::new(chain.client.clone(), chain.filter(), config, MemoryCursorStore::new());
    let mut ledger = Ledger::default();
    let head = chain.client.block_number().await.unwrap();
    assert_eq!(stream.catch_up(&mut ledger).await.unwrap(), head - 2);
    assert_eq!(ledger.values(), [1]);
    chain.mine(2).await;
    stream.catch_up(&mut ledger).await.unwrap();
    assert_eq!(ledger.values(), [1, 2, 3]);

    let mut count = Count::default();
    let mut all = EventStream::new(
        chain.client.clone(),
        chain.filter(),
        StreamConfig::default(),
        MemoryCursorStore::new(),
    );
    all.catch_up(&mut count).await.unwrap();
    assert_eq!(count.0, 4, "from block 0: the mint and the three transfers");
}

async fn a_reorg_rolls_back_to_the_common_ancestor_then_delivers_the_new_logs(node: &Node) {
    let chain = Fixture::new(node).await;
    let provider = chain.client.provider();
    let store = MemoryCursorStore::new();
    let mut stream =
        EventStream::new(chain.client.clone(), chain.filter(), chain.config(), store.clone());
    let mut ledger = Ledger::default();

    let fork = chain.client.block_ref(chain.start - 1).await.unwrap().unwrap();
    let snapshot: U256 = provider.raw_request("evm_snapshot".into(), ()).await.unwrap();
    for value in [1, 2, 3] {
        chain.transfer(value).await;
    }
    stream.catch_up(&mut ledger).await.or_panic("before the reorg");
    assert_eq!(ledger.values(), [1, 2, 3]);
    let old_head = store.get().unwrap().head;

    // The chain reorganises: back to the fork point, then other, longer history.
    let reverted: bool = provider.raw_request("evm_revert".into(), (snapshot,)).await.unwrap();
    assert!(reverted);
    // Shorter than the cursor and agreeing with what it remembers: a lagging node, not a reorg.
    let progress = stream.poll_once(&mut ledger).await.unwrap();
    assert!(matches!(progress, Progress::CaughtUp { .. }), "{progress:?}");
    assert!(ledger.rollbacks.is_empty());
    chain.deployer.resync_nonce().await.or_panic("resync");
    for value in [10, 20] {
        chain.transfer(value).await;
    }
    chain.mine(3).await;
    let replaced = chain.client.block_ref(old_head.number).await.unwrap().unwrap();
    assert_ne!(replaced.hash, old_head.hash, "block {} replaced", old_head.number);

    assert_eq!(stream.poll_once(&mut ledger).await.unwrap(), Progress::RolledBack(fork));
    assert_eq!(ledger.rollbacks, [fork], "rolled back to the common ancestor");
    assert_eq!(store.get().unwrap().head, fork, "the cursor moved back");
    assert!(ledger.values().is_empty());

    stream.catch_up(&mut ledger).await.or_panic("after the reorg");
    assert_eq!(ledger.values(), [10, 20]);
    assert_eq!(ledger.values(), chain.chain_values().await);
    assert_eq!(ledger.rollbacks.len(), 1);
    let head = chain.client.block_number().await.unwrap();
    assert_eq!(store.get().unwrap().head.number, head);
}

async fn a_reorg_after_a_restart_is_found_from_the_saved_hashes(node: &Node) {
    let chain = Fixture::new(node).await;
    let provider = chain.client.provider();
    let dir = tempfile::tempdir().unwrap();
    let cursor_file = dir.path().join("cursor.json");
    let mut ledger = Ledger::default();

    chain.transfer(1).await;
    let fork = chain.client.block_ref(chain.client.block_number().await.unwrap()).await;
    let fork = fork.unwrap().unwrap();
    let snapshot: U256 = provider.raw_request("evm_snapshot".into(), ()).await.unwrap();
    chain.transfer(2).await;
    chain.transfer(3).await;
    let store = JsonFileCursorStore::new(&cursor_file);
    EventStream::new(chain.client.clone(), chain.filter(), chain.config(), store)
        .catch_up(&mut ledger)
        .await
        .or_panic("before");

    let _: bool = provider.raw_request("evm_revert".into(), (snapshot,)).await.unwrap();
    chain.deployer.resync_nonce().await.unwrap();
    chain.transfer(4).await;
    chain.mine(2).await;

    let store = JsonFileCursorStore::new(&cursor_file);
    EventStream::new(chain.client.clone(), chain.filter(), chain.config(), store)
        .catch_up(&mut ledger)
        .await
        .or_panic("after");
    assert_eq!(ledger.rollbacks, [fork]);
    assert_eq!(ledger.values(), [1, 4]);
    assert_eq!(ledger.values(), chain.chain_values().await);
}

/// Forwards delivered values to the test.
struct Forward(tokio::sync::mpsc::Sender<u64>);

impl Handler for Forward {
    type Error = tokio::sync::mpsc::error::SendError<u64>;

    async fn on_logs(&mut self, _: BlockRef, logs: Vec<Log>) -> Result<(), Self::Error> {
        for log in logs {
            let value = RLC::Transfer::decode_log(&log.inner).unwrap().value.to::<u64>();
            self.0.send(value).await?;
        }
        Ok(())
    }

    async fn on_rollback(&mut self, _: BlockRef) -> Result<(), Self::Error> {
        Ok(())
    }
}

async fn run_follows_the_chain_until_shutdown(node: &Node) {
    let chain = Fixture::new(node).await;
    let (values, mut received) = tokio::sync::mpsc::channel(16);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let mut stream = EventStream::new(
        chain.client.clone(),
        chain.filter(),
        chain.config(),
        MemoryCursorStore::new(),
    );
    let running = tokio::spawn(async move {
        let mut handler = Forward(values);
        stream.run(&mut handler, async { stopped.await.unwrap_or(()) }).await
    });
    for value in 1..=3 {
        chain.transfer(value).await;
        assert_eq!(received.recv().await, Some(value));
    }
    stop.send(()).unwrap();
    running.await.unwrap().or_panic("run");
}

crate::on_both!(
    logs_are_delivered_across_restarts_without_gap_or_duplicate,
    a_failed_handler_gets_the_block_again,
    only_confirmed_blocks_are_delivered,
    a_reorg_rolls_back_to_the_common_ancestor_then_delivers_the_new_logs,
    a_reorg_after_a_restart_is_found_from_the_saved_hashes,
    run_follows_the_chain_until_shutdown
);
