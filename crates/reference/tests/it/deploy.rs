//! The reference protocol deployed on anvil, checked through our `IPoco` bindings (same selectors
//! by design) and the reference's own ABIs.

use crate::OrPanic;
use alloy::{
    dyn_abi::DynSolValue,
    network::TransactionBuilder,
    primitives::{Address, B256, Bytes, U256, address, b256},
    providers::Provider,
    rpc::types::TransactionRequest,
    sol_types::eip712_domain,
};
use poco_contracts::bindings::IPoco;
use poco_reference::{
    Anvil, DEFAULT_CATEGORIES, FALLBACK_SELECTOR, POCO_FACETS, RECEIVE_SELECTOR,
    ReferenceDeployment, ReferencePackage, deploy_reference,
};
use std::time::Instant;

async fn deployed() -> (Anvil, ReferenceDeployment) {
    let package = ReferencePackage::locate().or_panic("locating the reference package");
    let anvil = Anvil::spawn().await.or_panic("starting anvil");
    let started = Instant::now();
    let deployment =
        deploy_reference(&anvil.provider(0), &package).await.or_panic("deploying the reference");
    eprintln!(
        "reference deployed in {:?} ({} gas, {} facets)",
        started.elapsed(),
        deployment.gas_used,
        deployment.facets.len()
    );
    (anvil, deployment)
}

#[tokio::test]
async fn hub_is_configured_like_production() {
    let (anvil, deployment) = deployed().await;
    let provider = anvil.provider(0);
    let hub = IPoco::new(deployment.hub, &provider);

    assert_eq!(hub.owner().call().await.or_panic("owner"), anvil.addresses()[0]);
    assert_eq!(deployment.owner, anvil.addresses()[0]);
    assert_eq!(hub.token().call().await.or_panic("token"), deployment.rlc);
    assert_eq!(hub.name().call().await.or_panic("name"), "Staked RLC");
    assert_eq!(hub.symbol().call().await.or_panic("symbol"), "SRLC");
    assert_eq!(hub.decimals().call().await.or_panic("decimals"), 9);
    assert_eq!(hub.callbackgas().call().await.or_panic("callbackgas"), U256::from(100_000));
    assert_eq!(hub.appregistry().call().await.or_panic("appregistry"), deployment.app_registry);
    assert_eq!(
        hub.datasetregistry().call().await.or_panic("datasetregistry"),
        deployment.dataset_registry
    );
    assert_eq!(
        hub.workerpoolregistry().call().await.or_panic("workerpoolregistry"),
        deployment.workerpool_registry
    );

    assert_eq!(hub.countCategory().call().await.or_panic("countCategory"), U256::from(5));
    let m = hub.viewCategory(U256::from(2)).call().await.or_panic("viewCategory(2)");
    assert_eq!(
        (m.name.as_str(), m.description.as_str(), m.workClockTimeRef),
        ("M", "\"\"", U256::from(3600))
    );
    for (id, (name, time_ref)) in DEFAULT_CATEGORIES.into_iter().enumerate() {
        let category = hub.viewCategory(U256::from(id)).call().await.or_panic("viewCategory");
        assert_eq!(
            (category.name.as_str(), category.workClockTimeRef),
            (name, U256::from(time_ref))
        );
    }

    let domain = eip712_domain! {
        name: "iExecODB",
        version: "5.0.0",
        chain_id: 31337,
        verifying_contract: deployment.hub,
    };
    assert_eq!(
        hub.eip712domain_separator().call().await.or_panic("eip712domain_separator"),
        domain.separator()
    );
    // Constants (spec §14), through the legacy-free accessors.
    assert_eq!(
        hub.kitty_address().call().await.or_panic("kitty_address"),
        address!("0x99c2268479b93fDe36232351229815DF80837e23")
    );
}

#[tokio::test]
async fn diamond_routes_every_interface_selector() {
    let (anvil, deployment) = deployed().await;
    let provider = anvil.provider(0);
    let names: Vec<&str> = deployment.facets.iter().map(|facet| facet.name).collect();
    assert_eq!(&names[3..], POCO_FACETS);

    // Every selector of IexecInterfaceToken is routed, except renounceOwnership (spec §1.2).
    let routed: Vec<_> =
        deployment.facets.iter().flat_map(|f| f.selectors.iter().copied()).collect();
    let missing: Vec<String> = deployment
        .hub_abi
        .functions()
        .filter(|f| !routed.contains(&f.selector()))
        .map(|f| f.signature())
        .collect();
    assert_eq!(missing, ["renounceOwnership()"]);
    assert!(routed.contains(&FALLBACK_SELECTOR) && routed.contains(&RECEIVE_SELECTOR));

    // The loupe agrees, facet by facet.
    let loupe = ReferencePackage::locate()
        .or_panic("package")
        .deployment("DiamondLoupeFacet")
        .or_panic("loupe ABI")
        .abi
        .expect("the loupe deployment has an ABI");
    let hub = alloy::contract::ContractInstance::new(
        deployment.hub,
        &provider,
        alloy::contract::Interface::new(loupe),
    );
    for facet in &deployment.facets {
        let out = hub
            .function("facetFunctionSelectors", &[DynSolValue::Address(facet.address)])
            .or_panic("encoding")
            .call()
            .await
            .or_panic("facetFunctionSelectors");
        let selectors: Vec<_> = out[0]
            .as_array()
            .expect("bytes4[]")
            .iter()
            .map(|s| {
                alloy::primitives::Selector::from_slice(&s.as_fixed_bytes().expect("bytes4").0[..4])
            })
            .collect();
        assert_eq!(selectors, facet.selectors, "{}", facet.name);
    }

    // Token mode: plain ether and unknown selectors reach the escrow facet, which refuses them.
    for input in [Bytes::new(), Bytes::from_static(&[0xde, 0xad, 0xbe, 0xef])] {
        let call = TransactionRequest::default()
            .with_to(deployment.hub)
            .with_value(U256::from(1))
            .with_input(input.clone());
        let error = provider.call(call).await.expect_err("must revert");
        let revert = error.as_error_resp().and_then(|e| e.as_revert_data()).expect("revert data");
        let reason = alloy::sol_types::decode_revert_reason(&revert);
        assert_eq!(reason.as_deref(), Some("revert: fallback-disabled"), "input {input}");
    }
}

#[tokio::test]
async fn registries_answer_and_the_hub_reads_them() {
    let (anvil, deployment) = deployed().await;
    let provider = anvil.provider(0);
    let owner = anvil.addresses()[0];
    let [apps, datasets, workerpools] = deployment.registry_contracts(&provider);

    let call = async |contract: &alloy::contract::ContractInstance<_>,
                      name: &str,
                      args: &[DynSolValue]| {
        contract.function(name, args).or_panic(name).call().await.or_panic(name)
    };
    for (registry, name) in [
        (&apps, "iExec Application Registry (V5)"),
        (&datasets, "iExec Dataset Registry (V5)"),
        (&workerpools, "iExec Workerpool Registry (V5)"),
    ] {
        assert_eq!(call(registry, "name", &[]).await[0].as_str(), Some(name));
        assert_eq!(call(registry, "initialized", &[]).await[0].as_bool(), Some(true));
        assert_eq!(call(registry, "previous", &[]).await[0].as_address(), Some(Address::ZERO));
        assert_eq!(call(registry, "owner", &[]).await[0].as_address(), Some(owner));
        let random = DynSolValue::Address(Address::repeat_byte(0x42));
        assert_eq!(call(registry, "isRegistered", &[random]).await[0].as_bool(), Some(false));
    }

    // Create an app; the hub sees it through the registry.
    let args = [
        DynSolValue::Address(owner),
        DynSolValue::String("app".into()),
        DynSolValue::String("DOCKER".into()),
        DynSolValue::Bytes(b"docker.io/app:1.0.0".to_vec()),
        DynSolValue::FixedBytes(
            b256!("0x0000000000000000000000000000000000000000000000000000000000000001"),
            32,
        ),
        DynSolValue::Bytes(Vec::new()),
    ];
    let predicted = call(&apps, "predictApp", &args).await[0].as_address().expect("address");
    let receipt = apps
        .function("createApp", &args)
        .or_panic("createApp")
        .send()
        .await
        .or_panic("createApp")
        .get_receipt()
        .await
        .or_panic("createApp receipt");
    assert!(receipt.status());
    let registered = call(&apps, "isRegistered", &[DynSolValue::Address(predicted)]).await;
    assert_eq!(registered[0].as_bool(), Some(true));
    let hub = IPoco::new(deployment.hub, &provider);
    let app = hub.viewApp(predicted).call().await.or_panic("viewApp");
    assert_eq!(
        (app.owner, app.m_appName.as_str(), app.m_appType.as_str()),
        (owner, "app", "DOCKER")
    );
    let _: B256 = app.m_appChecksum;
}

#[tokio::test]
async fn deposit_turns_rlc_into_staked_rlc() {
    let (anvil, deployment) = deployed().await;
    let owner = anvil.provider(0);
    let user = anvil.addresses()[1];
    let amount = U256::from(1_000_000_000_000u64); // 1000 RLC
    deployment.fund_rlc(&owner, &[user], amount).await.or_panic("funding");
    assert_eq!(deployment.rlc_balance(&owner, user).await.or_panic("balance"), amount);

    let provider = anvil.provider(1);
    let rlc = deployment.rlc_contract(&provider);
    let approve = [DynSolValue::Address(deployment.hub), DynSolValue::Uint(amount, 256)];
    let receipt = rlc
        .function("approve", &approve)
        .or_panic("approve")
        .send()
        .await
        .or_panic("approve")
        .get_receipt()
        .await
        .or_panic("approve receipt");
    assert!(receipt.status());

    let hub = IPoco::new(deployment.hub, &provider);
    let deposit = amount / U256::from(4);
    let receipt = hub
        .deposit(deposit)
        .send()
        .await
        .or_panic("deposit")
        .get_receipt()
        .await
        .or_panic("deposit receipt");
    assert!(receipt.status());
    eprintln!("reference deposit: {} gas", receipt.gas_used);

    assert_eq!(hub.balanceOf(user).call().await.or_panic("balanceOf"), deposit);
    assert_eq!(hub.frozenOf(user).call().await.or_panic("frozenOf"), U256::ZERO);
    assert_eq!(hub.totalSupply().call().await.or_panic("totalSupply"), deposit);
    assert_eq!(
        deployment.rlc_balance(&provider, deployment.hub).await.or_panic("hub RLC"),
        deposit
    );
    assert_eq!(
        deployment.rlc_balance(&provider, user).await.or_panic("user RLC"),
        amount - deposit
    );
}
