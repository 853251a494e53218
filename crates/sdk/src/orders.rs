//! Orders: build them with sensible defaults, sign them under the deployment's EIP-712 domain,
//! match them on chain (`matchOrders`, which creates a deal) and cancel them
//! (`manage…Order(CLOSE)`).
//!
//! ```text
//!  app_order(app) ─┐                                  ┌─► publish_order (market)
//!  …               ├─► Poco::sign_app_order(order) ───┤
//!  request_for(..) ┘   (checks the wallet owns it)    └─► Poco::fill(app, dataset, pool, request)
//!                                                          └─► matchOrders ─► OrdersMatched ─► deal
//! ```
//!
//! Defaults: volume 1, tag 0 (no requirement), every restriction zero (open to all), price 0, a
//! random salt (so two otherwise identical orders differ).

use crate::{
    client::{Poco, TxOutcome},
    error::{AssetKind, Error, Funds, Result},
    ids::{AppAddress, DatasetAddress, WorkerpoolAddress},
};
use alloy::{
    primitives::{Address, B256, U256},
    providers::Provider,
    rpc::types::TransactionRequest,
    sol_types::{Eip712Domain, SolCall, SolEvent},
};
use poco_contracts::{
    bindings::IPoco,
    orders::{AbiOrder, MatchOrders},
};
use poco_primitives::{
    AppOrder, DatasetOrder, DealId, Order, OrderHash, OrderOperation, RequestOrder, SignedOrder,
    WorkerpoolOrder, order_hash, poco_domain, sign_order,
};
use serde::Serialize;
use tracing::info;

/// An app order for `app`: free, volume 1, no tag, no restriction, a random salt.
pub fn app_order(app: AppAddress) -> AppOrder {
    AppOrder { app: app.0, volume: U256::from(1u64), salt: B256::random(), ..Default::default() }
}

/// A dataset order for `dataset`: free, volume 1, no tag, no restriction, a random salt.
pub fn dataset_order(dataset: DatasetAddress) -> DatasetOrder {
    DatasetOrder {
        dataset: dataset.0,
        volume: U256::from(1u64),
        salt: B256::random(),
        ..Default::default()
    }
}

/// A workerpool order for `workerpool` in `category`: free, volume 1, trust 0, no tag, no
/// restriction, a random salt.
pub fn workerpool_order(workerpool: WorkerpoolAddress, category: u64) -> WorkerpoolOrder {
    WorkerpoolOrder {
        workerpool: workerpool.0,
        volume: U256::from(1u64),
        category: U256::from(category),
        salt: B256::random(),
        ..Default::default()
    }
}

/// A request order of `requester` (also the beneficiary) for one task of `app` in category 0,
/// trust 0, on any workerpool, paying nothing (raise the max prices to match priced orders), no
/// parameters, a random salt.
pub fn request_order(app: AppAddress, requester: Address) -> RequestOrder {
    RequestOrder {
        app: app.0,
        requester,
        beneficiary: requester,
        volume: U256::from(1u64),
        salt: B256::random(),
        ..Default::default()
    }
}

/// A request order of `requester` that matches these orders: their app, dataset and
/// workerpool, their prices as max prices, the pool's category, the union of the app's and
/// dataset's tags, trust 0, volume 1 (raise it up to what the orders have left).
pub fn request_for(
    app: &AppOrder,
    dataset: Option<&DatasetOrder>,
    workerpool: &WorkerpoolOrder,
    requester: Address,
) -> RequestOrder {
    let tag = dataset.map_or(app.tag, |dataset| app.tag | dataset.tag);
    RequestOrder {
        app: app.app,
        appmaxprice: app.appprice,
        dataset: dataset.map_or(Address::ZERO, |dataset| dataset.dataset),
        datasetmaxprice: dataset.map_or(U256::ZERO, |dataset| dataset.datasetprice),
        workerpool: workerpool.workerpool,
        workerpoolmaxprice: workerpool.workerpoolprice,
        requester,
        beneficiary: requester,
        volume: U256::from(1u64),
        tag,
        category: workerpool.category,
        salt: B256::random(),
        ..Default::default()
    }
}

/// A deal just created by [`Poco::fill`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Filled {
    /// The deal.
    pub deal_id: DealId,
    /// Its tasks.
    #[serde(serialize_with = "crate::amount::serialize_decimal")]
    pub volume: U256,
    /// What one task costs the requester (nRLC): app + dataset + workerpool prices.
    #[serde(serialize_with = "crate::amount::serialize_decimal")]
    pub task_price: U256,
    /// The `matchOrders` transaction.
    pub tx: TxOutcome,
}

/// An order just cancelled on chain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Cancelled {
    /// The order.
    pub order_hash: OrderHash,
    /// The `manage…Order(CLOSE)` transaction.
    pub tx: TxOutcome,
}

/// A `Poco` method signing an order of an asset the wallet must own.
macro_rules! sign_owned {
    ($(#[$doc:meta])* $name:ident, $order:ident, $kind:ident, $asset:ident) => {
        $(#[$doc])*
        pub async fn $name(&self, order: $order) -> Result<SignedOrder<$order>> {
            self.require_owner(AssetKind::$kind, order.$asset).await?;
            self.sign_order(order)
        }
    };
}

// === impl Poco: orders ===

impl Poco {
    /// The hub's EIP-712 domain on this chain: what orders are signed under.
    pub fn domain(&self) -> Eip712Domain {
        poco_domain(self.chain().spec.chain_id, self.contracts().hub)
    }

    /// An order's hash on this deployment.
    pub fn order_hash<O: Order>(&self, order: &O) -> OrderHash {
        order_hash(order, &self.domain())
    }

    /// Signs `order` with the wallet, as it is.
    pub fn sign_order<O: Order>(&self, order: O) -> Result<SignedOrder<O>> {
        sign_order(self.signer()?, order, &self.domain()).map_err(Error::Sign)
    }

    sign_owned!(
        /// Signs an app order; the wallet must own the app (the market and the hub check it too).
        sign_app_order, AppOrder, App, app
    );
    sign_owned!(
        /// Signs a dataset order; the wallet must own the dataset.
        sign_dataset_order, DatasetOrder, Dataset, dataset
    );
    sign_owned!(
        /// Signs a workerpool order; the wallet must own the workerpool.
        sign_workerpool_order, WorkerpoolOrder, Workerpool, workerpool
    );

    /// Signs a request order; the wallet must be its requester (a zero requester becomes the
    /// wallet, and so does a zero beneficiary).
    pub fn sign_request_order(&self, mut order: RequestOrder) -> Result<SignedOrder<RequestOrder>> {
        let me = self.signer()?.address();
        if order.requester.is_zero() {
            order.requester = me;
        }
        if order.beneficiary.is_zero() {
            order.beneficiary = order.requester;
        }
        if order.requester != me {
            return Err(Error::InvalidOrder {
                reason: format!(
                    "the request's requester is {}, not the wallet {me}: only the requester can \
                     sign it",
                    order.requester
                ),
            });
        }
        self.sign_order(order)
    }

    /// [`Error::InvalidOrder`] unless the wallet owns `asset` (which must be registered).
    async fn require_owner(&self, kind: AssetKind, asset: Address) -> Result<()> {
        let owner = match kind {
            AssetKind::App => self.show_app(AppAddress(asset)).await?.owner,
            AssetKind::Dataset => self.show_dataset(DatasetAddress(asset)).await?.owner,
            AssetKind::Workerpool => self.show_workerpool(WorkerpoolAddress(asset)).await?.owner,
        };
        let me = self.signer()?.address();
        if owner != me {
            return Err(Error::InvalidOrder {
                reason: format!(
                    "the wallet {me} does not own {kind} {asset} (its owner is {owner}): only the \
                     owner can sign its orders"
                ),
            });
        }
        Ok(())
    }

    /// How much of the order `hash` the chain consumed (deals, or all of it once cancelled).
    pub async fn consumed(&self, hash: OrderHash) -> Result<U256> {
        let call = IPoco::viewConsumedCall { _id: hash.0 };
        Ok(self.client().call(self.contracts().hub, &call).await?)
    }

    /// What is left of `order` on chain; [`Error::OrderUsedUp`] when nothing is.
    async fn remaining<O: Order>(&self, order: &O) -> Result<U256> {
        let hash = self.order_hash(order);
        let consumed = self.consumed(hash).await?;
        let volume = order.volume();
        if consumed >= volume {
            return Err(Error::OrderUsedUp { kind: O::KIND, hash, volume, consumed });
        }
        Ok(volume - consumed)
    }

    /// Matches the orders on chain (`matchOrders`, sent by the wallet): a deal of as many tasks
    /// as all four orders have left. Before sending, checks that no order is used up
    /// ([`Error::OrderUsedUp`]) and that the requester's free deposit pays price × volume
    /// ([`Error::Insufficient`] with [`Funds::DealPayment`], saying how much is missing).
    /// The deal id is read from the `OrdersMatched` event.
    pub async fn fill(
        &self,
        app: &SignedOrder<AppOrder>,
        dataset: Option<&SignedOrder<DatasetOrder>>,
        workerpool: &SignedOrder<WorkerpoolOrder>,
        request: &SignedOrder<RequestOrder>,
    ) -> Result<Filled> {
        self.tx()?;
        let dataset_remaining = async {
            match dataset {
                Some(dataset) => self.remaining(&dataset.order).await.map(Some),
                None => Ok(None),
            }
        };
        let (app_left, dataset_left, pool_left, request_left) = tokio::try_join!(
            self.remaining(&app.order),
            dataset_remaining,
            self.remaining(&workerpool.order),
            self.remaining(&request.order),
        )?;
        let volume = [Some(app_left), dataset_left, Some(pool_left), Some(request_left)]
            .into_iter()
            .flatten()
            .min()
            .unwrap_or_default();
        let task_price = app
            .appprice
            .saturating_add(dataset.map_or(U256::ZERO, |dataset| dataset.datasetprice))
            .saturating_add(workerpool.workerpoolprice);
        let needed = task_price.saturating_mul(volume);
        let available = self.account(request.requester).await?.deposited;
        if available < needed {
            return Err(Error::Insufficient { funds: Funds::DealPayment, needed, available });
        }
        let orders = MatchOrders {
            app: app.clone(),
            dataset: dataset.cloned(),
            workerpool: workerpool.clone(),
            request: request.clone(),
        };
        let (app_abi, dataset_abi, pool_abi, request_abi) = orders.abi();
        let call = IPoco::matchOrdersCall::new((app_abi, dataset_abi, pool_abi, request_abi));
        let tx = self.send("order fill", hub_call(self.contracts().hub, &call)).await?;
        let matched: IPoco::OrdersMatched = self.hub_event(tx).await?;
        let (deal_id, volume) = (DealId(matched.dealid), matched.volume);
        info!(deal = %deal_id, %volume, tx = %tx.hash, "Orders matched.");
        Ok(Filled { deal_id, volume, task_price, tx })
    }

    /// The first event `E` the hub emitted in transaction `tx`; [`Error::MissingEvent`] if none.
    pub(crate) async fn hub_event<E: SolEvent>(&self, tx: TxOutcome) -> Result<E> {
        let receipt =
            self.client().provider().get_transaction_receipt(tx.hash).await.map_err(|source| {
                poco_chain::ChainError::Rpc { method: "eth_getTransactionReceipt", source }
            })?;
        let hub = self.contracts().hub;
        receipt
            .iter()
            .flat_map(|receipt| receipt.inner.logs())
            .filter(|log| log.address() == hub)
            .find_map(|log| E::decode_log_data(log.data()).ok())
            .ok_or(Error::MissingEvent { event: E::SIGNATURE, tx: tx.hash })
    }

    /// Cancels `order` on chain (`manage…Order(CLOSE)`, sent by the wallet, which must own the
    /// order): its remaining volume is consumed, so it can never be matched again (the market
    /// then marks it cancelled). An order already used up gives [`Error::OrderUsedUp`].
    pub async fn cancel_order<O: AbiOrder>(&self, order: &O) -> Result<Cancelled> {
        self.tx()?;
        self.remaining(order).await?;
        let order_hash = self.order_hash(order);
        let call = order.manage_call(OrderOperation::Close, Default::default());
        let tx = self.send("order cancel", hub_call(self.contracts().hub, &call)).await?;
        info!(kind = %O::KIND, hash = %order_hash, tx = %tx.hash, "Order cancelled.");
        Ok(Cancelled { order_hash, tx })
    }
}

fn hub_call<C: SolCall>(hub: Address, call: &C) -> TransactionRequest {
    TransactionRequest::default().to(hub).input(call.abi_encode().into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy::primitives::address;
    use poco_primitives::Tag;

    #[test]
    fn defaults_and_a_request_matching_the_offers() {
        let app = AppOrder {
            appprice: U256::from(5),
            tag: Tag::TEE.0,
            ..app_order(AppAddress(address!("1111111111111111111111111111111111111111")))
        };
        assert_eq!(app.volume, U256::from(1));
        assert_ne!(app.salt, app_order(AppAddress(app.app)).salt, "salts are random");
        assert!(app.datasetrestrict.is_zero() && app.requesterrestrict.is_zero());
        let dataset = DatasetOrder {
            datasetprice: U256::from(3),
            tag: Tag::GPU.0,
            ..dataset_order(DatasetAddress(address!("2222222222222222222222222222222222222222")))
        };
        let pool = WorkerpoolOrder {
            workerpoolprice: U256::from(100),
            ..workerpool_order(
                WorkerpoolAddress(address!("3333333333333333333333333333333333333333")),
                2,
            )
        };
        let me = address!("4444444444444444444444444444444444444444");
        let request = request_for(&app, Some(&dataset), &pool, me);
        let expected = (app.app, dataset.dataset, pool.workerpool, U256::from(2), me, me);
        let got = (
            request.app,
            request.dataset,
            request.workerpool,
            request.category,
            request.requester,
            request.beneficiary,
        );
        assert_eq!(got, expected);
        let prices = (request.appmaxprice, request.datasetmaxprice, request.workerpoolmaxprice);
        assert_eq!(prices, (U256::from(5), U256::from(3), U256::from(100)));
        assert_eq!(Tag(request.tag), Tag::TEE.union(Tag::GPU));
        let without = request_for(&app, None, &pool, me);
        assert!(without.dataset.is_zero() && without.datasetmaxprice.is_zero());
        assert_eq!(Tag(without.tag), Tag::TEE);
    }
}
