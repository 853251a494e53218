//! The chain watcher: hub and registry events keep the books right, through `poco-chain`'s
//! [`EventStream`] with its cursor in the market's database.
//!
//! | event | effect |
//! | --- | --- |
//! | `OrdersMatched` | each of the four orders in the book gets its remaining volume from `viewConsumed`; an order with nothing left is `filled` |
//! | `ClosedAppOrder` … `ClosedRequestOrder` | the hash is recorded as cancelled (so it can never be published) and the order, if in the book, is `canceled` |
//! | registry `Transfer` (not a mint) | the open orders of that app, dataset or workerpool not signed by the new owner are `dead` |
//!
//! The handler reads consumption from the chain rather than adding volumes up, so delivering a
//! block twice (after a crash between the handler and the cursor save) changes nothing.

use alloy::{
    primitives::{Address, B256},
    rpc::types::{Filter, Log},
    sol_types::SolEvent,
};
use poco_chain::{BlockRef, EventStream, Handler, StreamConfig, StreamError};
use poco_contracts::bindings::{AppRegistry, IPoco};
use poco_market_api::FeedEventKind;
use poco_primitives::OrderHash;
use std::sync::Arc;
use tracing::{debug, warn};

use crate::{
    error::MarketError,
    metrics,
    service::Market,
    store::{DbCursorStore, OrderRow},
};

/// The events the watcher follows, on the hub and the three registries.
pub fn filter(market: &Market) -> Filter {
    let chain = market.chain();
    let registries = chain.registries();
    Filter::new()
        .address(vec![chain.hub(), registries.app, registries.dataset, registries.workerpool])
        .event_signature(vec![
            IPoco::OrdersMatched::SIGNATURE_HASH,
            IPoco::ClosedAppOrder::SIGNATURE_HASH,
            IPoco::ClosedDatasetOrder::SIGNATURE_HASH,
            IPoco::ClosedWorkerpoolOrder::SIGNATURE_HASH,
            IPoco::ClosedRequestOrder::SIGNATURE_HASH,
            AppRegistry::Transfer::SIGNATURE_HASH,
        ])
}

/// The event stream of the watcher, resuming from the cursor saved in the database.
pub fn stream(market: &Market, config: StreamConfig) -> EventStream<DbCursorStore> {
    EventStream::new(
        market.chain().client().clone(),
        filter(market),
        config,
        DbCursorStore(Arc::clone(market.store())),
    )
}

/// Runs the watcher until `shutdown`.
pub async fn run(
    market: Market,
    config: StreamConfig,
    shutdown: impl std::future::Future<Output = ()>,
) -> Result<(), StreamError> {
    let mut stream = stream(&market, config);
    let mut watcher = Watcher { market };
    stream.run(&mut watcher, shutdown).await
}

/// The watcher's [`Handler`] (see the module docs).
#[derive(Debug)]
pub struct Watcher {
    /// The market it updates.
    pub market: Market,
}

impl Watcher {
    async fn refresh(&self, hash: B256) -> Result<(), MarketError> {
        if hash.is_zero() {
            return Ok(());
        }
        let hash = OrderHash(hash);
        if self.market.store().get(hash).await?.is_none() {
            return Ok(());
        }
        let consumed = self.market.chain().consumed(hash).await?;
        if let Some(row) = self.market.store().set_consumed(hash, consumed).await? {
            self.announce(&row);
        }
        Ok(())
    }

    fn announce(&self, row: &OrderRow) {
        self.market.announce(FeedEventKind::Updated, row);
    }

    async fn handle(&self, block: BlockRef, log: &Log) -> Result<(), MarketError> {
        let Some(topic) = log.topic0().copied() else { return Ok(()) };
        let chain = self.market.chain();
        let store = self.market.store();
        if log.address() == chain.hub() {
            let closed = match topic {
                IPoco::OrdersMatched::SIGNATURE_HASH => {
                    let event = decode::<IPoco::OrdersMatched>(log)?;
                    metrics::watcher_event("orders_matched");
                    for hash in
                        [event.appHash, event.datasetHash, event.workerpoolHash, event.requestHash]
                    {
                        self.refresh(hash).await?;
                    }
                    None
                }
                IPoco::ClosedAppOrder::SIGNATURE_HASH => {
                    Some(decode::<IPoco::ClosedAppOrder>(log)?.appHash)
                }
                IPoco::ClosedDatasetOrder::SIGNATURE_HASH => {
                    Some(decode::<IPoco::ClosedDatasetOrder>(log)?.datasetHash)
                }
                IPoco::ClosedWorkerpoolOrder::SIGNATURE_HASH => {
                    Some(decode::<IPoco::ClosedWorkerpoolOrder>(log)?.workerpoolHash)
                }
                IPoco::ClosedRequestOrder::SIGNATURE_HASH => {
                    Some(decode::<IPoco::ClosedRequestOrder>(log)?.requestHash)
                }
                _ => None,
            };
            if let Some(hash) = closed {
                metrics::watcher_event("order_closed");
                if let Some(row) = store.close(OrderHash(hash), block.number).await? {
                    self.announce(&row);
                }
            }
        } else if let Some(book) = chain.registries().book_of(log.address())
            && topic == AppRegistry::Transfer::SIGNATURE_HASH
        {
            let event = decode::<AppRegistry::Transfer>(log)?;
            if event.from.is_zero() {
                return Ok(()); // a creation
            }
            metrics::watcher_event("asset_transfer");
            let asset = Address::from_word(B256::from(event.tokenId));
            chain.forget_owner(book, asset);
            let dead = store.kill_asset(book, asset, event.to).await?;
            debug!(%book, %asset, to = %event.to, dead = dead.len(), "Asset changed hands.");
            for row in &dead {
                self.announce(row);
            }
        }
        Ok(())
    }
}

fn decode<E: SolEvent>(log: &Log) -> Result<E, MarketError> {
    E::decode_log(&log.inner).map(|decoded| decoded.data).map_err(|error| MarketError::Corrupt {
        what: format!("{} log in block {:?}", E::SIGNATURE, log.block_number),
        detail: error.to_string(),
    })
}

impl Handler for Watcher {
    type Error = MarketError;

    async fn on_logs(&mut self, block: BlockRef, logs: Vec<Log>) -> Result<(), MarketError> {
        for log in &logs {
            self.handle(block, log).await?;
        }
        metrics::watcher_block(block.number);
        Ok(())
    }

    async fn on_rollback(&mut self, to: BlockRef) -> Result<(), MarketError> {
        // Consumption is re-read from the chain at the next match of each order; statuses set
        // by dropped blocks stay until then.
        warn!(to = %to, "Chain reorganised under the market's watcher.");
        Ok(())
    }
}
