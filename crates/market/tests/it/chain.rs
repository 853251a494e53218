//! The chain reads of the publication checks: concurrent reads leave together in JSON-RPC
//! batches, a read asked twice in one round is sent once, and every caller gets the node's
//! answer to its own call — an output or a revert — as it gets it asking alone.

use crate::{APP_OWNER, Db, Env, REQUESTER};
use alloy::primitives::{Address, Bytes, U256, keccak256};
use futures_util::{FutureExt, future::BoxFuture};
use poco_contracts::bindings::IPoco;
use poco_market_api::Book;
use poco_primitives::signature::sign_hash;

/// What one read of the view answers.
#[derive(Debug, PartialEq)]
enum Read {
    Balance(U256),
    Owner(Option<Address>),
    Valid(bool),
    Description(String),
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_reads_are_batched_and_each_gets_its_own_answer() {
    let env = Env::new(Db::Sqlite).await;
    let chain = env.market.chain().clone();
    let client = chain.client().clone();
    let hash = keccak256("an order");
    let good = sign_hash(&env.keys[APP_OWNER], &hash).unwrap();
    // Not a signature of the owner: the hub answers false (or reverts, which reads as false).
    let bad = sign_hash(&env.keys[REQUESTER], &hash).unwrap();
    let mut malformed = good.to_vec();
    malformed[64] = 30;
    let malformed = Bytes::from(malformed);

    // Each read, with what the node says when asked alone (the plain client, no batching).
    let accounts: Vec<Address> = (0..8).map(|i| env.address(i)).collect();
    let mut reads: Vec<(BoxFuture<'static, Read>, Read)> = Vec::new();
    for _ in 0..3 {
        for account in &accounts {
            let alone = client.call(env.hub, &IPoco::balanceOfCall { account: *account }).await;
            let view = chain.clone();
            let account = *account;
            reads.push((
                async move { Read::Balance(view.balance(account).await.unwrap()) }.boxed(),
                Read::Balance(alone.unwrap()),
            ));
        }
    }
    for (asset, owner) in [(env.app, Some(env.address(APP_OWNER))), (env.dataset, None)] {
        let view = chain.clone();
        reads.push((
            async move { Read::Owner(view.owner(Book::App, asset).await.unwrap()) }.boxed(),
            Read::Owner(owner),
        ));
    }
    let owner = env.address(APP_OWNER);
    for sign in [good, bad, malformed] {
        let alone = match client
            .call(env.hub, &IPoco::verifySignatureCall { _0: owner, _1: hash, _2: sign.clone() })
            .await
        {
            Ok(valid) => valid,
            Err(poco_chain::ChainError::Reverted { .. }) => false,
            Err(error) => panic!("verifySignature: {error}"),
        };
        let view = chain.clone();
        reads.push((
            async move { Read::Valid(view.verify_signature(owner, hash, sign).await.unwrap()) }
                .boxed(),
            Read::Valid(alone),
        ));
    }
    let view = chain.clone();
    let pool = env.pool;
    reads.push((
        async move { Read::Description(view.pool_description(pool).await.unwrap()) }.boxed(),
        Read::Description(crate::pool_metadata().to_description("pool")),
    ));

    let before = chain.call_stats();
    let (futures, expected): (Vec<_>, Vec<_>) = reads.into_iter().unzip();
    let answers = futures_util::future::join_all(futures).await;
    assert_eq!(answers, expected);
    let valid: Vec<&Read> = answers.iter().filter(|read| matches!(read, Read::Valid(_))).collect();
    assert_eq!(valid, [&Read::Valid(true), &Read::Valid(false), &Read::Valid(false)]);
    let after = chain.call_stats();

    let asked = after.asked - before.asked;
    let sent = after.sent - before.sent;
    let requests = after.requests - before.requests;
    // 24 balances (8 distinct), 2 owners (an app: registered + owner; a dataset is not an app:
    // registered only), 3 signature checks, 1 description.
    assert_eq!(asked, 24 + 3 + 3 + 1);
    assert!(sent < asked, "identical reads of one round are sent once: {sent} of {asked}");
    assert!(requests < sent, "reads leave together: {requests} requests for {sent} calls");
}
