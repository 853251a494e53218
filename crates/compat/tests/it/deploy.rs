//! Our deployment read back through `IPoco`: owner, token, registries, categories, EIP-712
//! domain and separator.

use crate::{OrPanic, harness};
use alloy::primitives::U256;
use poco_compat::{Flavor, Role};
use poco_contracts::bindings::IPoco;
use poco_primitives::{
    categories::DEFAULT_CATEGORIES,
    orders::{DOMAIN_NAME, DOMAIN_VERSION},
    poco_domain,
};

#[tokio::test]
async fn our_deployment_reads_back() {
    let harness = harness().await;
    let protocol = harness.protocol(Flavor::Poco);
    let hub = IPoco::new(protocol.hub, harness.provider());
    let owner = harness.actors().address(Role::Owner);

    assert_eq!(protocol.owner, owner);
    assert_eq!(hub.owner().call().await.or_panic("owner"), owner);
    assert_eq!(hub.token().call().await.or_panic("token"), protocol.rlc);
    assert_eq!(hub.appregistry().call().await.or_panic("appregistry"), protocol.app_registry);
    assert_eq!(
        hub.datasetregistry().call().await.or_panic("datasetregistry"),
        protocol.dataset_registry
    );
    assert_eq!(
        hub.workerpoolregistry().call().await.or_panic("workerpoolregistry"),
        protocol.workerpool_registry
    );
    assert_eq!(hub.name().call().await.or_panic("name"), "Staked RLC");
    assert_eq!(hub.symbol().call().await.or_panic("symbol"), "SRLC");
    assert_eq!(hub.decimals().call().await.or_panic("decimals"), 9);

    assert_eq!(hub.countCategory().call().await.or_panic("countCategory"), U256::from(5));
    for (id, expected) in DEFAULT_CATEGORIES.iter().enumerate() {
        let category = hub.viewCategory(U256::from(id)).call().await.or_panic("viewCategory");
        assert_eq!(
            (category.name.as_str(), category.description.as_str(), category.workClockTimeRef),
            (expected.name, expected.description, expected.time_ref()),
            "category {id}"
        );
    }

    let domain = hub.domain().call().await.or_panic("domain");
    assert_eq!(
        (domain.name.as_str(), domain.version.as_str(), domain.chainId, domain.verifyingContract),
        (DOMAIN_NAME, DOMAIN_VERSION, U256::from(protocol.chain_id), protocol.hub)
    );
    let separator = poco_domain(protocol.chain_id, protocol.hub).separator();
    assert_eq!(
        hub.eip712domain_separator().call().await.or_panic("eip712domain_separator"),
        separator
    );
    assert_eq!(protocol.domain().separator(), separator);
}

/// The same reads on the reference agree with ours where they must (everything but addresses).
#[tokio::test]
async fn reference_deployment_reads_the_same() {
    let harness = harness().await;
    let [ours, theirs] = Flavor::BOTH.map(|flavor| harness.protocol(flavor));
    let (ours, theirs) =
        (IPoco::new(ours.hub, harness.provider()), IPoco::new(theirs.hub, harness.provider()));
    assert_eq!(
        ours.countCategory().call().await.or_panic("countCategory"),
        theirs.countCategory().call().await.or_panic("countCategory")
    );
    for id in 0..5u64 {
        let [a, b] = [&ours, &theirs];
        let a = a.viewCategory(U256::from(id)).call().await.or_panic("viewCategory");
        let b = b.viewCategory(U256::from(id)).call().await.or_panic("viewCategory");
        assert_eq!(a, b, "category {id}");
    }
    let (a, b) = (
        ours.domain().call().await.or_panic("domain"),
        theirs.domain().call().await.or_panic("domain"),
    );
    assert_eq!((a.name, a.version, a.chainId), (b.name, b.version, b.chainId));
    assert_eq!(
        ours.callbackgas().call().await.or_panic("callbackgas"),
        theirs.callbackgas().call().await.or_panic("callbackgas")
    );
}
