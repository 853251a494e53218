//! Authorizations with an enclave challenge: signed by the workerpool owner, or by the TEE
//! broker once the protocol owner sets one (the signer `contribute` would accept).

use alloy_primitives::Address;
use poco_compat::Role;
use poco_primitives::contribution::WorkerpoolAuthorization;
use poco_results_api::ErrorCode;

use crate::common::{Env, Upload, W0, code_of};

#[tokio::test]
async fn enclave_authorizations_follow_the_tee_broker_rule() {
    let mut env = Env::start().await;
    let scheduler = env.key(Role::Scheduler);
    let broker = env.key(Role::Sponsor);
    let worker = env.key(W0);
    let enclave = Address::repeat_byte(0xe1);
    let authorize = |signer, task, enclave| {
        WorkerpoolAuthorization::sign(signer, worker.address(), task, enclave).unwrap().sign
    };

    // No broker: the workerpool owner signs TEE authorizations too.
    let task = env.task().await;
    let base = Upload::new(task, &worker, &scheduler, b"tee result");
    let cases = [
        (
            "enclave in the header, none signed",
            Some(authorize(&scheduler, task, Address::ZERO)),
            ErrorCode::BadAuthorization,
        ),
        (
            "another enclave signed",
            Some(authorize(&scheduler, task, Address::repeat_byte(0xe2))),
            ErrorCode::BadAuthorization,
        ),
    ];
    for (case, authorization, code) in cases {
        let upload = Upload { authorization, enclave: Some(enclave), ..base.clone() };
        let (status, json) = upload.send(&env).await;
        assert_eq!(code_of(status, &json), code, "{case}: {json}");
        env.assert_store_empty(case).await;
    }
    let upload = Upload {
        authorization: Some(authorize(&scheduler, task, enclave)),
        enclave: Some(enclave),
        ..base.clone()
    };
    let (status, json) = upload.send(&env).await;
    assert_eq!(status, 201, "owner-signed TEE authorization: {json}");

    // With a broker: TEE authorizations must be the broker's; others stay the owner's.
    let hub = env.driver.hub();
    let set = hub.setTeeBroker(broker.address()).from(env.driver.address(Role::Owner));
    env.driver.send("setTeeBroker", "setTeeBroker(sponsor)".to_owned(), set).await.unwrap();
    let task = env.task().await;
    let base = Upload::new(task, &worker, &scheduler, b"tee result 2");
    let refused = [
        ("owner-signed TEE authorization", Some(enclave), authorize(&scheduler, task, enclave)),
        (
            "broker-signed authorization without enclave",
            None,
            authorize(&broker, task, Address::ZERO),
        ),
    ];
    for (case, enclave, authorization) in refused {
        let upload = Upload { authorization: Some(authorization), enclave, ..base.clone() };
        let (status, json) = upload.send(&env).await;
        assert_eq!(code_of(status, &json), ErrorCode::BadAuthorization, "{case}: {json}");
    }
    let upload = Upload {
        authorization: Some(authorize(&broker, task, enclave)),
        enclave: Some(enclave),
        ..base
    };
    let (status, json) = upload.send(&env).await;
    assert_eq!(status, 201, "broker-signed TEE authorization: {json}");
    env.shutdown().await;
}
