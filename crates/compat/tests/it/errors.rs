//! Refused matches on ours decode into the expected typed custom errors (`hub_error`); the
//! reference refuses the same matches with its documented revert strings.

use crate::{OrPanic, harness};
use alloy::primitives::U256;
use poco_compat::{Driver, Error, Flavor, Role, orders::MatchOrders};
use poco_contracts::bindings::IPoco::{IPocoErrors, InvalidOrderSignature, Overpriced};
use poco_primitives::order_hash;

/// `OrderKind` of the hub's errors (`enum OrderKind { App, Dataset, Workerpool, Request }`).
const APP: u8 = 0;
const REQUEST: u8 = 3;

/// A request whose app max price is below the app's price.
fn overpriced(d: &mut Driver) -> MatchOrders {
    let mut orders = d.market(1, 1).or_panic("market");
    let mut request = orders.request.order.clone();
    request.appmaxprice = orders.app.order.appprice - U256::from(1);
    orders.request = d.sign(Role::Requester, request).or_panic("sign");
    orders
}

/// A request order signed by someone else than its requester.
fn forged(d: &mut Driver) -> MatchOrders {
    let mut orders = d.market(1, 1).or_panic("market");
    orders.request = d.sign(Role::Sponsor, orders.request.order.clone()).or_panic("sign");
    orders
}

async fn refused(d: &mut Driver, orders: &MatchOrders) -> Error {
    let error = d.match_orders(orders).await.expect_err("the match must be refused");
    assert!(error.is_revert(), "a revert, not a transport failure: {error}");
    error
}

#[tokio::test]
async fn refused_matches_decode_into_typed_errors() {
    let mut harness = harness().await;

    harness.reset().await.or_panic("reset");
    let mut d = harness.driver(Flavor::Poco, "errors");
    d.setup().await.or_panic("setup");

    let orders = overpriced(&mut d);
    let error = refused(&mut d, &orders).await;
    match error.hub_error() {
        Some(IPocoErrors::Overpriced(Overpriced { kind, price, maxPrice })) => {
            assert_eq!(kind, APP);
            assert_eq!(price, orders.app.order.appprice);
            assert_eq!(maxPrice, orders.request.order.appmaxprice);
        }
        other => panic!("expected Overpriced, got {other:?} ({error})"),
    }

    let orders = forged(&mut d);
    let error = refused(&mut d, &orders).await;
    let hash = order_hash(&orders.request.order, d.domain()).0;
    match error.hub_error() {
        Some(IPocoErrors::InvalidOrderSignature(InvalidOrderSignature {
            kind,
            orderHash,
            signer,
        })) => {
            assert_eq!(kind, REQUEST);
            assert_eq!(orderHash, hash);
            assert_eq!(signer, d.address(Role::Requester));
        }
        other => panic!("expected InvalidOrderSignature, got {other:?} ({error})"),
    }
    // Nothing was matched.
    assert!(d.snapshot().await.or_panic("snapshot").deals.is_empty());

    // The reference refuses the same matches, with its revert strings.
    harness.reset().await.or_panic("reset");
    let mut d = harness.driver(Flavor::Reference, "errors");
    d.setup().await.or_panic("setup");
    let orders = overpriced(&mut d);
    let error = refused(&mut d, &orders).await;
    assert_eq!(error.revert_reason().as_deref(), Some("iExecV5-matchOrders-0x03"));
    assert!(error.hub_error().is_none());
    let orders = forged(&mut d);
    let error = refused(&mut d, &orders).await;
    assert_eq!(error.revert_reason().as_deref(), Some("iExecV5-matchOrders-0x50"));
}
