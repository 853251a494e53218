//! EIP-712: the order hashes Rust computes are the hashes both hubs compute on-chain, Rust
//! signatures verify on both hubs, and Rust-signed orders match on both.
//!
//! The on-chain hash of an order is read from the `Signed…Order(bytes32)` event that
//! `manage*Order(SIGN)` emits when the owner sends it. Orders are random (proptest strategies
//! driven by a deterministic runner): prices, volumes, tags, restrictions, params, salts, and
//! the owner among four dev accounts, each owning an app, a dataset and a workerpool.

use crate::{OrPanic, harness};
use alloy::{
    primitives::{Address, B256, Bytes, U256},
    providers::Provider,
    rpc::types::TransactionReceipt,
};
use poco_compat::{
    Driver, Flavor, Role,
    orders::{AbiOrder, MatchOrders},
};
use poco_primitives::{
    AppOrder, DatasetOrder, OrderOperation, RequestOrder, WorkerpoolOrder, order_hash,
    signature::{parse_signature, sign_hash},
};
use proptest::{
    prelude::*,
    strategy::ValueTree,
    test_runner::{Config, RngAlgorithm, TestRng, TestRunner},
};

/// Random orders of each kind.
const ORDERS: usize = 200;
/// Orders of each kind whose signatures are checked with `verifySignature`.
const VERIFIED: usize = 10;
/// Random compatible quadruples matched on each hub.
const MATCHES: usize = 8;

/// The owners of the random orders: each owns an app, a dataset and a workerpool, and signs
/// request orders as requester.
const OWNERS: [Role; 4] = [Role::AppOwner, Role::DatasetOwner, Role::Scheduler, Role::Sponsor];

fn runner() -> TestRunner {
    let seed = [0x5e; 32];
    TestRunner::new_with_rng(Config::default(), TestRng::from_seed(RngAlgorithm::ChaCha, &seed))
}

fn sample<S: Strategy>(runner: &mut TestRunner, strategy: &S) -> S::Value {
    strategy.new_tree(runner).expect("invariant: strategies here never reject").current()
}

fn address() -> impl Strategy<Value = Address> {
    any::<[u8; 20]>().prop_map(Address::from)
}

fn word() -> impl Strategy<Value = B256> {
    any::<[u8; 32]>().prop_map(B256::from)
}

/// Any uint256, often small or at the edges.
fn uint() -> impl Strategy<Value = U256> {
    prop_oneof![
        any::<u64>().prop_map(U256::from),
        any::<[u64; 4]>().prop_map(U256::from_limbs),
        Just(U256::ZERO),
        Just(U256::MAX),
    ]
}

/// A restriction: none, a random address, or one of the owners' addresses.
fn restriction(owners: Vec<Address>) -> impl Strategy<Value = Address> {
    prop_oneof![Just(Address::ZERO), address(), proptest::sample::select(owners)]
}

/// Random params: empty, unicode text, or SDK-like JSON.
fn params() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        ".{0,80}",
        "[a-z ]{0,40}".prop_map(|args| format!(r#"{{"iexec_args":"{args}"}}"#)),
    ]
}

/// Per owner: its app, dataset and workerpool.
#[derive(Clone, Copy)]
struct Assets {
    owner: Role,
    app: Address,
    dataset: Address,
    workerpool: Address,
}

async fn create_assets(d: &mut Driver) -> Vec<Assets> {
    let mut assets = Vec::new();
    for owner in OWNERS {
        let app = d.create_app(owner, &format!("app-{owner}")).await.or_panic("createApp");
        let dataset =
            d.create_dataset(owner, &format!("dataset-{owner}")).await.or_panic("createDataset");
        let workerpool = d
            .create_workerpool(owner, &format!("workerpool-{owner}"))
            .await
            .or_panic("createWorkerpool");
        assets.push(Assets { owner, app, dataset, workerpool });
    }
    assets
}

/// The random orders, each with the role that owns it (same on both hubs: same seed).
struct Orders {
    app: Vec<(Role, AppOrder)>,
    dataset: Vec<(Role, DatasetOrder)>,
    workerpool: Vec<(Role, WorkerpoolOrder)>,
    request: Vec<(Role, RequestOrder)>,
}

fn random_orders(d: &Driver, assets: &[Assets]) -> Orders {
    let mut runner = runner();
    let owners: Vec<Address> = OWNERS.iter().map(|role| d.address(*role)).collect();
    let restrict = restriction(owners);
    let pick = 0..assets.len();
    let mut orders = Orders {
        app: Vec::new(),
        dataset: Vec::new(),
        workerpool: Vec::new(),
        request: Vec::new(),
    };
    for _ in 0..ORDERS {
        let a = assets[sample(&mut runner, &pick)];
        let order = AppOrder {
            app: a.app,
            appprice: sample(&mut runner, &uint()),
            volume: sample(&mut runner, &uint()),
            tag: sample(&mut runner, &word()),
            datasetrestrict: sample(&mut runner, &restrict),
            workerpoolrestrict: sample(&mut runner, &restrict),
            requesterrestrict: sample(&mut runner, &restrict),
            salt: sample(&mut runner, &word()),
        };
        orders.app.push((a.owner, order));

        let a = assets[sample(&mut runner, &pick)];
        let order = DatasetOrder {
            dataset: a.dataset,
            datasetprice: sample(&mut runner, &uint()),
            volume: sample(&mut runner, &uint()),
            tag: sample(&mut runner, &word()),
            apprestrict: sample(&mut runner, &restrict),
            workerpoolrestrict: sample(&mut runner, &restrict),
            requesterrestrict: sample(&mut runner, &restrict),
            salt: sample(&mut runner, &word()),
        };
        orders.dataset.push((a.owner, order));

        let a = assets[sample(&mut runner, &pick)];
        let order = WorkerpoolOrder {
            workerpool: a.workerpool,
            workerpoolprice: sample(&mut runner, &uint()),
            volume: sample(&mut runner, &uint()),
            tag: sample(&mut runner, &word()),
            category: sample(&mut runner, &uint()),
            trust: sample(&mut runner, &uint()),
            apprestrict: sample(&mut runner, &restrict),
            datasetrestrict: sample(&mut runner, &restrict),
            requesterrestrict: sample(&mut runner, &restrict),
            salt: sample(&mut runner, &word()),
        };
        orders.workerpool.push((a.owner, order));

        let requester = assets[sample(&mut runner, &pick)].owner;
        let order = RequestOrder {
            app: sample(&mut runner, &address()),
            appmaxprice: sample(&mut runner, &uint()),
            dataset: sample(&mut runner, &address()),
            datasetmaxprice: sample(&mut runner, &uint()),
            workerpool: sample(&mut runner, &restrict),
            workerpoolmaxprice: sample(&mut runner, &uint()),
            requester: d.address(requester),
            volume: sample(&mut runner, &uint()),
            tag: sample(&mut runner, &word()),
            category: sample(&mut runner, &uint()),
            trust: sample(&mut runner, &uint()),
            beneficiary: sample(&mut runner, &address()),
            callback: sample(&mut runner, &restrict),
            params: sample(&mut runner, &params()),
            salt: sample(&mut runner, &word()),
        };
        orders.request.push((requester, order));
    }
    orders
}

/// Sends `manage*Order(SIGN)` for every order from its owner without waiting, then collects
/// the receipts and compares each event's hash with Rust's. Returns the mismatches.
async fn presign_all<O: AbiOrder>(d: &Driver, orders: &[(Role, O)]) -> Vec<String> {
    let hub = d.hub();
    let mut pending = Vec::with_capacity(orders.len());
    for (owner, order) in orders {
        let call = order.manage_call(OrderOperation::Sign, Bytes::new());
        // An explicit gas limit skips estimation: one round trip per order.
        let sent = hub
            .call_builder(&call)
            .from(d.address(*owner))
            .gas(1_000_000)
            .send()
            .await
            .or_panic(O::MANAGE);
        pending.push(*sent.tx_hash());
    }
    let mut mismatches = Vec::new();
    for (i, ((_, order), tx)) in orders.iter().zip(pending).enumerate() {
        let receipt = receipt(d, tx)
            .await
            .unwrap_or_else(|| panic!("[{}] {} #{i}: no receipt", d.protocol().flavor, O::MANAGE));
        let expected = order_hash(order, d.domain()).0;
        let emitted = receipt
            .inner
            .logs()
            .iter()
            .find_map(|log| log.log_decode::<O::SignedEvent>().ok())
            .map(|log| O::signed_hash(&log.inner.data));
        if !receipt.status() || emitted != Some(expected) {
            mismatches.push(format!(
                "[{}] {} #{i}: status {}, emitted {emitted:?}, Rust {expected}\n    {order:?}",
                d.protocol().flavor,
                O::MANAGE,
                receipt.status(),
            ));
        }
    }
    mismatches
}

/// The receipt of `tx`, waiting a little: anvil may answer `eth_sendRawTransaction` before
/// it has mined the transaction.
async fn receipt(d: &Driver, tx: B256) -> Option<TransactionReceipt> {
    for _ in 0..100 {
        let receipt =
            d.provider().get_transaction_receipt(tx).await.or_panic("eth_getTransactionReceipt");
        if receipt.is_some() {
            return receipt;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    None
}

/// `verifySignature` of the first orders' Rust signatures (65 and 64 bytes) and of a wrong
/// signer. Returns the failures.
async fn verify_signatures<O: AbiOrder>(d: &Driver, orders: &[(Role, O)]) -> Vec<String> {
    let hub = d.hub();
    let mut failures = Vec::new();
    for (i, (owner, order)) in orders.iter().take(VERIFIED).enumerate() {
        let hash = order_hash(order, d.domain()).0;
        let full = sign_hash(d.key(*owner), &hash).or_panic("signing");
        let compact: Bytes =
            parse_signature(&full).or_panic("parsing").as_erc2098().to_vec().into();
        let signer = d.address(*owner);
        let stranger = d.address(Role::Worker(7));
        for (what, account, sign, expected) in [
            ("65-byte", signer, &full, true),
            ("64-byte", signer, &compact, true),
            ("wrong signer", stranger, &full, false),
        ] {
            let valid = hub
                .verifySignature(account, hash, sign.clone())
                .call()
                .await
                .or_panic("verifySignature");
            if valid != expected {
                failures.push(format!(
                    "[{}] {} #{i} {what}: verifySignature = {valid}",
                    d.protocol().flavor,
                    O::KIND
                ));
            }
        }
    }
    failures
}

/// Random but compatible quadruples, Rust-signed against the hub, matched one by one.
async fn random_matches(d: &mut Driver) {
    let mut runner = runner();
    let zero_or = |account: Address| prop_oneof![Just(Address::ZERO), Just(account)];
    for n in 0..MATCHES {
        let (app, dataset, workerpool) = {
            let a = d.assets();
            (a.app.expect("app"), a.dataset.expect("dataset"), a.workerpool.expect("workerpool"))
        };
        let requester = d.address(Role::Requester);
        let with_dataset = sample(&mut runner, &any::<bool>());
        let dataset_address = if with_dataset { dataset } else { Address::ZERO };
        // Tags: no TEE bit (bit 0); the pool offers every bit asked and maybe more.
        let tag_bits = |runner: &mut TestRunner| {
            B256::from(U256::from(sample(runner, &any::<u16>()) & 0xfffe))
        };
        let (app_tag, dataset_tag, request_tag) =
            (tag_bits(&mut runner), tag_bits(&mut runner), tag_bits(&mut runner));
        let extra = tag_bits(&mut runner);
        let dataset_tag = if with_dataset { dataset_tag } else { B256::ZERO };
        let pool_tag = app_tag | dataset_tag | request_tag | extra;
        let price = |runner: &mut TestRunner| U256::from(sample(runner, &(0u64..20_000_000_000)));
        let volume = |runner: &mut TestRunner| U256::from(sample(runner, &(1u64..6)));
        let trust = U256::from(sample(&mut runner, &(0u64..6)));
        let category = U256::from(sample(&mut runner, &(0u64..5)));

        let app_order = AppOrder {
            app,
            appprice: price(&mut runner),
            volume: volume(&mut runner),
            tag: app_tag,
            datasetrestrict: if with_dataset {
                sample(&mut runner, &zero_or(dataset))
            } else {
                Address::ZERO
            },
            workerpoolrestrict: sample(&mut runner, &zero_or(workerpool)),
            requesterrestrict: sample(&mut runner, &zero_or(requester)),
            salt: sample(&mut runner, &word()),
        };
        let dataset_order = DatasetOrder {
            dataset,
            datasetprice: price(&mut runner),
            volume: volume(&mut runner),
            tag: dataset_tag,
            apprestrict: sample(&mut runner, &zero_or(app)),
            workerpoolrestrict: sample(&mut runner, &zero_or(workerpool)),
            requesterrestrict: sample(&mut runner, &zero_or(requester)),
            salt: sample(&mut runner, &word()),
        };
        let workerpool_order = WorkerpoolOrder {
            workerpool,
            workerpoolprice: price(&mut runner),
            volume: volume(&mut runner),
            tag: pool_tag,
            category,
            trust: trust + U256::from(sample(&mut runner, &(0u64..3))),
            apprestrict: sample(&mut runner, &zero_or(app)),
            datasetrestrict: if with_dataset {
                sample(&mut runner, &zero_or(dataset))
            } else {
                Address::ZERO
            },
            requesterrestrict: sample(&mut runner, &zero_or(requester)),
            salt: sample(&mut runner, &word()),
        };
        let request_order = RequestOrder {
            app,
            appmaxprice: app_order.appprice + price(&mut runner),
            dataset: dataset_address,
            datasetmaxprice: if with_dataset { dataset_order.datasetprice } else { U256::ZERO },
            workerpool: sample(&mut runner, &zero_or(workerpool)),
            workerpoolmaxprice: workerpool_order.workerpoolprice,
            requester,
            volume: volume(&mut runner),
            tag: request_tag,
            category,
            trust,
            beneficiary: sample(&mut runner, &address()),
            callback: Address::ZERO,
            params: sample(&mut runner, &params()),
            salt: sample(&mut runner, &word()),
        };
        let expected_volume = [
            app_order.volume,
            if with_dataset { dataset_order.volume } else { U256::MAX },
            workerpool_order.volume,
            request_order.volume,
        ]
        .into_iter()
        .min()
        .expect("four volumes");
        let orders = MatchOrders {
            app: d.sign(Role::AppOwner, app_order).or_panic("sign"),
            dataset: with_dataset
                .then(|| d.sign(Role::DatasetOwner, dataset_order))
                .transpose()
                .or_panic("sign"),
            workerpool: d.sign(Role::Scheduler, workerpool_order).or_panic("sign"),
            request: d.sign(Role::Requester, request_order).or_panic("sign"),
        };
        let deal = d.match_orders(&orders).await.unwrap_or_else(|error| {
            panic!(
                "[{}] random match #{n} refused: {}\n{orders:#?}",
                d.protocol().flavor,
                crate::chain(&error)
            )
        });
        let stored = d.hub().viewDeal(deal.0).call().await.or_panic("viewDeal");
        assert_eq!(stored.botSize, expected_volume, "[{}] match #{n} volume", d.protocol().flavor);
    }
}

#[tokio::test]
async fn rust_hashes_and_signatures_agree_with_both_hubs() {
    let mut harness = harness().await;
    let mut failures = Vec::new();
    for flavor in Flavor::BOTH {
        harness.reset().await.or_panic("reset");
        let mut d = harness.driver(flavor, "eip712");
        d.setup().await.or_panic("setup");
        let assets = create_assets(&mut d).await;
        let orders = random_orders(&d, &assets);
        failures.extend(presign_all(&d, &orders.app).await);
        failures.extend(presign_all(&d, &orders.dataset).await);
        failures.extend(presign_all(&d, &orders.workerpool).await);
        failures.extend(presign_all(&d, &orders.request).await);
        failures.extend(verify_signatures(&d, &orders.app).await);
        failures.extend(verify_signatures(&d, &orders.dataset).await);
        failures.extend(verify_signatures(&d, &orders.workerpool).await);
        failures.extend(verify_signatures(&d, &orders.request).await);
        random_matches(&mut d).await;
        let snapshot = d.snapshot().await.or_panic("snapshot");
        failures.extend(snapshot.failed_checks().iter().map(|c| format!("[{flavor}] {c:?}")));
    }
    assert!(
        failures.is_empty(),
        "{} EIP-712 disagreement(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}
