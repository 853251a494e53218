//! Whole protocol flows on the devchain, driven through alloy by the compatibility harness's
//! driver (EIP-712 orders signed with `poco-primitives`, `matchOrders`, `initialize`,
//! `contribute`, `reveal`, `finalize`, time travel for deadlines).

use alloy::providers::Provider;
use poco_compat::{Actors, Driver, Protocol, harness::dev_provider, scenarios};
use poco_devchain::DevChainConfig;

use crate::common::TestChain;

/// A devchain with the 14 accounts the scenarios need, and a driver over it.
async fn driver(scenario: &str) -> (TestChain, Driver) {
    let chain = TestChain::start_with(DevChainConfig::test().with_accounts(14)).await;
    let keys: Vec<_> = chain.handle.dev_accounts().iter().map(|a| a.signer.clone()).collect();
    let provider =
        Provider::erased(dev_provider(chain.url.clone(), &keys, chain.handle.chain_id()));
    let protocol = Protocol::poco(chain.handle.deployment().unwrap());
    let driver = Driver::new(provider, protocol, Actors::new(&keys), scenario);
    (chain, driver)
}

async fn assert_checks_hold(driver: &Driver) {
    let snapshot = driver.snapshot().await.unwrap();
    let failed: Vec<_> = snapshot.checks.iter().filter(|check| !check.ok).collect();
    assert!(failed.is_empty(), "failed checks: {failed:#?}");
}

#[tokio::test]
async fn one_task_match_initialize_contribute_reveal_finalize() {
    let (_chain, mut driver) = driver("one worker, trust 1").await;
    scenarios::one_worker_trust1(&mut driver).await.unwrap();
    assert_checks_hold(&driver).await;
}

#[tokio::test]
async fn replication_with_a_loser() {
    let (_chain, mut driver) = driver("replicated with loser").await;
    scenarios::replicated_with_loser(&mut driver).await.unwrap();
    assert_checks_hold(&driver).await;
}

#[tokio::test]
async fn deadlines_reveal_timeout_then_reopen() {
    let (_chain, mut driver) = driver("reveal timeout, reopen").await;
    scenarios::reveal_timeout_reopen(&mut driver).await.unwrap();
    assert_checks_hold(&driver).await;
}

#[tokio::test]
async fn claim_after_the_final_deadline() {
    let (_chain, mut driver) = driver("claim then kitty").await;
    scenarios::claim_then_kitty(&mut driver).await.unwrap();
    assert_checks_hold(&driver).await;
}

/// Fields that hold times: the two chains' clocks differ.
fn is_time(field: &str) -> bool {
    ["startTime", "timeref", "Deadline", "resultsTimestamp"].iter().any(|time| field.contains(time))
}

/// The same flows on anvil and on the devchain end in the same state, field by field (times
/// aside). With no RLC handed out at genesis, both start from `deploy_protocol`'s state.
#[tokio::test]
async fn same_end_state_as_on_anvil() {
    type Scenario = for<'a> fn(
        &'a mut Driver,
    ) -> std::pin::Pin<
        Box<dyn std::future::Future<Output = poco_compat::Result<()>> + Send + 'a>,
    >;
    let flows: [(&str, Scenario); 3] = [
        ("replicated with loser", |d| Box::pin(scenarios::replicated_with_loser(d))),
        ("reveal timeout, reopen", |d| Box::pin(scenarios::reveal_timeout_reopen(d))),
        ("claim then kitty", |d| Box::pin(scenarios::claim_then_kitty(d))),
    ];
    let anvil = poco_reference::Anvil::spawn().await.expect("anvil (npm run setup in contracts/)");
    let anvil_provider = dev_provider(anvil.endpoint().clone(), anvil.keys(), anvil.chain_id());
    let deployment =
        poco_contracts::deploy_protocol(&anvil_provider, poco_contracts::DeployOptions::default())
            .await
            .unwrap();
    let anvil_provider = Provider::erased(anvil_provider);

    for (name, flow) in flows {
        let base: alloy::primitives::U256 =
            anvil_provider.raw_request("evm_snapshot".into(), ()).await.unwrap();
        let mut on_anvil = Driver::new(
            anvil_provider.clone(),
            Protocol::poco(&deployment),
            Actors::new(anvil.keys()),
            name,
        );
        flow(&mut on_anvil).await.unwrap();
        let theirs = on_anvil.snapshot().await.unwrap();
        let _: bool = anvil_provider.raw_request("evm_revert".into(), [base]).await.unwrap();

        let config = DevChainConfig::test()
            .with_accounts(14)
            .with_rlc_per_account(alloy::primitives::U256::ZERO);
        let chain = TestChain::start_with(config).await;
        assert_eq!(chain.handle.deployment().unwrap().hub, deployment.hub);
        let keys: Vec<_> = chain.handle.dev_accounts().iter().map(|a| a.signer.clone()).collect();
        let provider =
            Provider::erased(dev_provider(chain.url.clone(), &keys, chain.handle.chain_id()));
        let protocol = Protocol::poco(chain.handle.deployment().unwrap());
        let mut on_devchain = Driver::new(provider, protocol, Actors::new(&keys), name);
        flow(&mut on_devchain).await.unwrap();
        let ours = on_devchain.snapshot().await.unwrap();

        let diffs: Vec<_> =
            ours.diff(&theirs).into_iter().filter(|diff| !is_time(&diff.field)).collect();
        assert!(diffs.is_empty(), "{name}: devchain (poco) vs anvil (reference):\n{diffs:#?}");
        assert!(ours.fields().len() > 50, "{name}: the comparison covers the state");
    }
}
