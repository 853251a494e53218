//! The native API: publish, get, list (filters, order, pages), unpublish, and every refusal.

use crate::{
    APP_OWNER, DATASET_OWNER, Db, Env, POOR, REQUESTER, RLC, SCHEDULER, STRANGER, call,
    on_both_dbs, salt, send,
};
use alloy::primitives::{Address, B256, Bytes, U256};
use axum::http::{Method, StatusCode};
use poco_market::{ApiConfig, Limits, RateLimit};
use poco_market_api::{Book, UnpublishRequest, UnpublishTarget, market_domain};
use poco_primitives::{
    AppOrder, OrderOperation, SignedOrder, Tag, WorkerpoolOrder, poco_domain, sign_order,
};
use serde_json::{Value, json};
use std::time::{SystemTime, UNIX_EPOCH};

on_both_dbs!(
    publish_get_and_list_each_book,
    every_refusal_has_its_code_and_stores_nothing,
    filters_sorting_and_pages,
    pool_metadata_filters,
    unpublish_by_hash_last_and_all,
    presigned_and_cancelled_orders,
    open_order_limit,
    concurrent_publications_share_commits_and_keep_the_limit,
);

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()
}

async fn publish_get_and_list_each_book(db: Db) {
    let env = Env::new(db).await;
    let app = env.sign(APP_OWNER, env.app_order(5 * RLC));
    let dataset = env.sign(DATASET_OWNER, env.dataset_order(3 * RLC));
    let pool = env.sign(SCHEDULER, env.pool_order(20 * RLC));
    let request = env.sign(REQUESTER, env.request_order(REQUESTER));
    for (book, order, hash, signer) in [
        ("app", json!(app), app.hash(&env.domain), env.address(APP_OWNER)),
        ("dataset", json!(dataset), dataset.hash(&env.domain), env.address(DATASET_OWNER)),
        ("workerpool", json!(pool), pool.hash(&env.domain), env.address(SCHEDULER)),
        ("request", json!(request), request.hash(&env.domain), env.address(REQUESTER)),
    ] {
        let (status, record) =
            env.post(&format!("/v1/orders/{book}"), json!({ "order": order })).await;
        assert_eq!(status, StatusCode::CREATED, "{book}: {record}");
        assert_eq!(record["orderHash"], json!(hash), "{book}");
        assert_eq!(record["status"], "open");
        assert_eq!(record["book"], book);
        assert_eq!(record["chainId"], 31337);
        assert_eq!(record["signer"], json!(signer));
        assert_eq!(record["order"], order, "{book}: the order comes back as published");
        let (status, fetched) = env.get(&format!("/v1/orders/{book}/{hash}")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(fetched, record);
        let (status, page) = env.get(&format!("/v1/orders/{book}")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(page["orders"], json!([record]), "{book}");
        assert!(page.get("nextCursor").is_none());
        // Another book does not know the hash.
        let other = if book == "app" { "dataset" } else { "app" };
        let (status, body) = env.get(&format!("/v1/orders/{other}/{hash}")).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (StatusCode::NOT_FOUND, Some("order_not_found"))
        );
    }
    assert_eq!(
        env.get(&format!("/v1/orders/workerpool/{}", pool.hash(&env.domain))).await.1["pool"],
        json!({"region": "eu-west", "energy": "solar", "hardware": "gpu"})
    );
    assert_eq!(
        env.get(&format!("/v1/orders/request/{}", request.hash(&env.domain))).await.1["remaining"],
        "0x2"
    );
}

async fn every_refusal_has_its_code_and_stores_nothing(db: Db) {
    let env = Env::new(db).await;
    let app = env.app_order(5 * RLC);
    let good = env.sign(APP_OWNER, app.clone());
    let mut unknown_inner = json!({ "order": good });
    unknown_inner["order"]["colour"] = json!("blue");
    let foreign = sign_order(&env.keys[APP_OWNER], app.clone(), &poco_domain(1, env.hub)).unwrap();
    let other_hub =
        sign_order(&env.keys[APP_OWNER], app.clone(), &poco_domain(31337, Address::repeat_byte(7)))
            .unwrap();
    let mut high_v = good.clone();
    high_v.sign = {
        let mut sign = good.sign.to_vec();
        sign[64] = 5;
        Bytes::from(sign)
    };
    let by_stranger = env.sign(STRANGER, app.clone());
    let unknown_app = env.sign(APP_OWNER, AppOrder { app: Address::repeat_byte(9), ..app.clone() });
    let zero = env.sign(APP_OWNER, AppOrder { volume: U256::ZERO, ..app.clone() });
    let pricey = env.sign(
        APP_OWNER,
        AppOrder { appprice: U256::from(u64::MAX) + U256::from(1), ..app.clone() },
    );
    let bad_category =
        env.sign(SCHEDULER, WorkerpoolOrder { category: U256::from(99), ..env.pool_order(RLC) });
    let big_stake = env.sign(SCHEDULER, env.pool_order(1_000_000 * RLC));
    let mut trusting = env.request_order(REQUESTER);
    trusting.trust = U256::from(u64::from(u32::MAX) + 1);
    let trusting = env.sign(REQUESTER, trusting);
    let poor = env.sign(POOR, env.request_order(POOR));
    let huge = json!({ "order": good, "signer": "x".repeat(70_000) });

    let cases: Vec<(&str, &str, Value, StatusCode, &str)> = vec![
        (
            "malformed JSON",
            "app",
            Value::String("{not json".into()),
            StatusCode::BAD_REQUEST,
            "invalid_json",
        ),
        (
            "wrong type",
            "app",
            json!({ "order": { "app": 5 } }),
            StatusCode::BAD_REQUEST,
            "invalid_json",
        ),
        (
            "unknown top field",
            "app",
            json!({ "order": good, "x": 1 }),
            StatusCode::BAD_REQUEST,
            "unknown_field",
        ),
        ("unknown order field", "app", unknown_inner, StatusCode::BAD_REQUEST, "unknown_field"),
        (
            "stranger's signature",
            "app",
            json!({ "order": by_stranger }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "bad_signature",
        ),
        (
            "foreign chain",
            "app",
            json!({ "order": foreign }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "bad_signature",
        ),
        (
            "another hub",
            "app",
            json!({ "order": other_hub }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "bad_signature",
        ),
        (
            "v not 27/28",
            "app",
            json!({ "order": high_v }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "malformed_signature",
        ),
        (
            "short signature",
            "app",
            json!({ "order": SignedOrder::new(app.clone(), Bytes::from_static(&[1, 2, 3])) }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "malformed_signature",
        ),
        (
            "not signed nor presigned",
            "app",
            json!({ "order": SignedOrder::presigned(app.clone()) }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "bad_signature",
        ),
        (
            "declared signer not owner",
            "app",
            json!({ "order": by_stranger, "signer": env.address(STRANGER) }),
            StatusCode::FORBIDDEN,
            "not_owner",
        ),
        (
            "unknown app",
            "app",
            json!({ "order": unknown_app }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_asset",
        ),
        (
            "zero volume",
            "app",
            json!({ "order": zero }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "zero_volume",
        ),
        (
            "price above 64 bits",
            "app",
            json!({ "order": pricey }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "price_too_large",
        ),
        (
            "unknown category",
            "workerpool",
            json!({ "order": bad_category }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_category",
        ),
        (
            "stake for one task",
            "workerpool",
            json!({ "order": big_stake }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "insufficient_stake",
        ),
        (
            "trust above 32 bits",
            "request",
            json!({ "order": trusting }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "trust_too_large",
        ),
        (
            "requester without funds",
            "request",
            json!({ "order": poor }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "insufficient_funds",
        ),
        (
            "app order in the pool book",
            "workerpool",
            json!({ "order": good }),
            StatusCode::BAD_REQUEST,
            "unknown_field",
        ),
        ("unknown book", "apples", json!({ "order": good }), StatusCode::NOT_FOUND, "not_found"),
        ("too large", "app", huge, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"),
    ];
    for (name, book, body, status, code) in cases {
        let body = match body {
            Value::String(text) if name == "malformed JSON" => {
                let request = axum::http::Request::builder()
                    .method(Method::POST)
                    .uri(format!("/v1/orders/{book}"))
                    .header("content-type", "application/json")
                    .body(axum::body::Body::from(text))
                    .unwrap();
                let (got, body) = crate::raw(&env.router, request).await;
                assert_eq!((got, body["error"].as_str()), (status, Some(code)), "{name}: {body}");
                continue;
            }
            other => other,
        };
        let (got, answer) = env.post(&format!("/v1/orders/{book}"), body).await;
        assert_eq!((got, answer["error"].as_str()), (status, Some(code)), "{name}: {answer}");
        assert!(answer["message"].as_str().is_some_and(|m| !m.is_empty()), "{name}");
    }
    // Bad queries.
    for (path, code) in [
        ("/v1/orders/app?minTrust=1", "invalid_query"),
        ("/v1/orders/app?color=red", "invalid_query"),
        ("/v1/orders/app?app=0x12", "invalid_query"),
        ("/v1/orders/app?limit=0", "invalid_query"),
        ("/v1/orders/app?limit=1001", "invalid_query"),
        ("/v1/orders/app?cursor=garbage", "invalid_query"),
        (
            "/v1/orders/workerpool?beneficiary=0x0000000000000000000000000000000000000001",
            "invalid_query",
        ),
        ("/v1/orders/app/0x1234", "invalid_query"),
        ("/v1/nothing", "not_found"),
    ] {
        let (status, body) = env.get(path).await;
        assert!(status.is_client_error(), "{path}: {status}");
        assert_eq!(body["error"], code, "{path}: {body}");
    }
    // Nothing was stored.
    for book in Book::ALL {
        for status in ["open", "unpublished", "dead", "filled", "canceled"] {
            let (_, page) = env.get(&format!("/v1/orders/{book}?status={status}")).await;
            assert_eq!(page["orders"], json!([]), "{book} {status}");
        }
    }
    // Already published.
    env.publish("app", &good).await;
    let (status, body) = env.post("/v1/orders/app", json!({ "order": good })).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::CONFLICT, Some("already_published")));
    // The rate limit, on a router that has one.
    let limited = poco_market::api::router(
        env.market.clone(),
        &ApiConfig {
            rate_limit: Some(RateLimit { per_second: 1, burst: 2 }),
            ..ApiConfig::default()
        },
    );
    let mut codes = Vec::new();
    for _ in 0..4 {
        let (status, body) = call(&limited, Method::GET, "/v1/orders/app", None).await;
        codes.push((status, body["error"].as_str().map(str::to_owned)));
    }
    assert_eq!(codes[0].0, StatusCode::OK);
    assert_eq!(codes[3], (StatusCode::TOO_MANY_REQUESTS, Some("rate_limited".to_owned())));
}

async fn filters_sorting_and_pages(db: Db) {
    let env = Env::new(db).await;
    let stranger = env.address(STRANGER);
    let requester = env.address(REQUESTER);
    let mut published = Vec::new();
    // (price, datasetrestrict, workerpoolrestrict, requesterrestrict, tag, volume)
    let specs = [
        (7, Address::ZERO, Address::ZERO, Address::ZERO, Tag::NONE, 10),
        (3, env.dataset, Address::ZERO, Address::ZERO, Tag::TEE_SCONE, 10),
        (5, Address::ZERO, env.pool, Address::ZERO, Tag::GPU, 2),
        (5, Address::ZERO, Address::ZERO, requester, Tag::NONE, 10),
        (1, stranger, Address::ZERO, stranger, Tag::TEE, 1),
        (9, Address::ZERO, env.pool2, Address::ZERO, Tag::TEE_SCONE | Tag::GPU, 10),
    ];
    for (price, dataset, pool, who, tag, volume) in specs {
        let order = AppOrder {
            appprice: U256::from(price),
            datasetrestrict: dataset,
            workerpoolrestrict: pool,
            requesterrestrict: who,
            tag: tag.0,
            volume: U256::from(volume),
            ..env.app_order(0)
        };
        let signed = env.sign(APP_OWNER, order);
        env.publish("app", &signed).await;
        published.push(signed);
    }
    let prices = |page: &Value| -> Vec<u64> {
        page["orders"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| {
                let text = o["order"]["appprice"].as_str().unwrap();
                u64::from_str_radix(text.trim_start_matches("0x"), 16).unwrap()
            })
            .collect()
    };
    let (_, all) = env.get("/v1/orders/app").await;
    assert_eq!(prices(&all), vec![1, 3, 5, 5, 7, 9], "price order");
    // Same price: publication order.
    let fives: Vec<_> =
        all["orders"].as_array().unwrap()[2..4].iter().map(|o| o["orderHash"].clone()).collect();
    assert_eq!(
        fives,
        vec![json!(published[2].hash(&env.domain)), json!(published[3].hash(&env.domain))]
    );

    let cases: Vec<(String, Vec<u64>)> = vec![
        (format!("app={}", env.app), vec![1, 3, 5, 5, 7, 9]),
        (format!("app={}", Address::repeat_byte(1)), vec![]),
        (format!("dataset={}", env.dataset), vec![3, 5, 5, 7, 9]),
        (format!("dataset={}&strict=true", env.dataset), vec![3]),
        (format!("workerpool={}", env.pool), vec![1, 3, 5, 5, 7]),
        (format!("workerpool={}&strict=true", env.pool2), vec![9]),
        (format!("requester={requester}"), vec![3, 5, 5, 7, 9]),
        (format!("requester={stranger}"), vec![1, 3, 5, 7, 9]),
        (format!("owner={}", env.address(APP_OWNER)), vec![1, 3, 5, 5, 7, 9]),
        (format!("owner={stranger}"), vec![]),
        ("minTag=tee".into(), vec![1, 3, 9]),
        ("minTag=tee,scone".into(), vec![3, 9]),
        ("minTag=gpu".into(), vec![5, 9]),
        (
            "minTag=0x0000000000000000000000000000000000000000000000000000000000000100".into(),
            vec![5, 9],
        ),
        ("maxTag=none".into(), vec![5, 7]),
        ("maxTag=tee,scone".into(), vec![1, 3, 5, 7]),
        ("minVolume=2".into(), vec![3, 5, 5, 7, 9]),
        ("minVolume=3".into(), vec![3, 5, 7, 9]),
        ("maxPrice=5".into(), vec![1, 3, 5, 5]),
        ("maxPrice=0".into(), vec![]),
        (format!("dataset={}&maxPrice=6&minTag=tee", env.dataset), vec![3]),
    ];
    for (query, expected) in cases {
        let (status, page) = env.get(&format!("/v1/orders/app?{query}")).await;
        assert_eq!(status, StatusCode::OK, "{query}: {page}");
        assert_eq!(prices(&page), expected, "{query}");
    }
    // Pages of 4, then 2, with nothing lost or repeated.
    let (_, first) = env.get("/v1/orders/app?limit=4").await;
    assert_eq!(prices(&first), vec![1, 3, 5, 5]);
    let cursor = first["nextCursor"].as_str().unwrap().to_owned();
    let (_, second) = env.get(&format!("/v1/orders/app?limit=4&cursor={cursor}")).await;
    assert_eq!(prices(&second), vec![7, 9]);
    assert!(second.get("nextCursor").is_none());
    let mut walked = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/v1/orders/app?limit=1&cursor={c}"),
            None => "/v1/orders/app?limit=1".to_owned(),
        };
        let (_, page) = env.get(&path).await;
        walked.extend(page["orders"].as_array().unwrap().iter().map(|o| o["orderHash"].clone()));
        match page["nextCursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    let hashes: Vec<Value> =
        all["orders"].as_array().unwrap().iter().map(|o| o["orderHash"].clone()).collect();
    assert_eq!(walked, hashes);

    // Request book: workerpool max price descending; its own filters.
    for (max, trust, requester_index) in
        [(10, 0, REQUESTER), (30, 3, REQUESTER), (20, 1, REQUESTER)]
    {
        let mut order = env.request_order(requester_index);
        order.workerpoolmaxprice = U256::from(max);
        order.trust = U256::from(trust);
        env.publish("request", &env.sign(REQUESTER, order)).await;
    }
    let request_prices = |page: &Value| -> Vec<u64> {
        page["orders"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| {
                let text = o["order"]["workerpoolmaxprice"].as_str().unwrap();
                u64::from_str_radix(text.trim_start_matches("0x"), 16).unwrap()
            })
            .collect()
    };
    for (query, expected) in [
        (String::new(), vec![30, 20, 10]),
        ("maxTrust=1".into(), vec![20, 10]),
        ("minPrice=15".into(), vec![30, 20]),
        (format!("requester={requester}&category=0"), vec![30, 20, 10]),
        (format!("beneficiary={stranger}"), vec![]),
        ("category=1".into(), vec![]),
        ("limit=2".into(), vec![30, 20]),
    ] {
        let (status, page) = env.get(&format!("/v1/orders/request?{query}")).await;
        assert_eq!(status, StatusCode::OK, "{query}: {page}");
        assert_eq!(request_prices(&page), expected, "request {query}");
    }
    let (_, page) = env.get("/v1/orders/request?limit=2").await;
    let cursor = page["nextCursor"].as_str().unwrap().to_owned();
    let (_, rest) = env.get(&format!("/v1/orders/request?limit=2&cursor={cursor}")).await;
    assert_eq!(request_prices(&rest), vec![10]);
}

async fn pool_metadata_filters(db: Db) {
    let env = Env::new(db).await;
    let solar =
        env.sign(SCHEDULER, WorkerpoolOrder { trust: U256::from(5), ..env.pool_order(RLC) });
    let hydro = env.sign(
        SCHEDULER,
        WorkerpoolOrder {
            workerpool: env.pool2,
            category: U256::from(2),
            ..env.pool_order(2 * RLC)
        },
    );
    env.publish("workerpool", &solar).await;
    env.publish("workerpool", &hydro).await;
    let hashes = |page: &Value| -> Vec<Value> {
        page["orders"].as_array().unwrap().iter().map(|o| o["orderHash"].clone()).collect()
    };
    let solar_hash = json!(solar.hash(&env.domain));
    let hydro_hash = json!(hydro.hash(&env.domain));
    for (query, expected) in [
        ("", vec![solar_hash.clone(), hydro_hash.clone()]),
        ("region=eu-west", vec![solar_hash.clone()]),
        ("region=EU-West", vec![solar_hash.clone()]),
        ("energy=hydro", vec![hydro_hash.clone()]),
        ("hardware=gpu&energy=solar", vec![solar_hash.clone()]),
        ("hardware=gpu&energy=hydro", vec![]),
        ("region=mars", vec![]),
        ("category=2", vec![hydro_hash.clone()]),
        ("minTrust=2", vec![solar_hash.clone()]),
        ("maxPrice=1000000000", vec![solar_hash.clone()]),
    ] {
        let (status, page) = env.get(&format!("/v1/orders/workerpool?{query}")).await;
        assert_eq!(status, StatusCode::OK, "{query}: {page}");
        assert_eq!(hashes(&page), expected, "{query}");
    }
    let (status, body) = env.get("/v1/orders/app?region=eu-west").await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_query")));
}

fn unpublish_body(
    env: &Env,
    signer: usize,
    book: Book,
    target: UnpublishTarget,
    hash: Option<poco_primitives::OrderHash>,
    resource: Option<Address>,
    issued_at: u64,
) -> Value {
    let request = UnpublishRequest::sign(
        &env.keys[signer],
        env.address(signer),
        book,
        target,
        hash,
        resource,
        issued_at,
        &market_domain(31337, env.hub),
    )
    .unwrap();
    json!(request)
}

async fn unpublish_by_hash_last_and_all(db: Db) {
    let env = Env::new(db).await;
    let orders: Vec<_> = (1..=4).map(|price| env.sign(APP_OWNER, env.app_order(price))).collect();
    for order in &orders {
        env.publish("app", order).await;
    }
    let hash = |i: usize| orders[i].hash(&env.domain);
    // Refusals first: nothing changes.
    let mut wrong_key = unpublish_body(
        &env,
        APP_OWNER,
        Book::App,
        UnpublishTarget::Order,
        Some(hash(0)),
        None,
        now(),
    );
    wrong_key["signer"] = json!(env.address(STRANGER));
    let other_domain = {
        let request = UnpublishRequest::sign(
            &env.keys[APP_OWNER],
            env.address(APP_OWNER),
            Book::App,
            UnpublishTarget::All,
            None,
            None,
            now(),
            &market_domain(1, env.hub),
        )
        .unwrap();
        json!(request)
    };
    let cases = [
        ("another signer", wrong_key, StatusCode::UNAUTHORIZED, "bad_auth_signature"),
        ("another chain", other_domain, StatusCode::UNAUTHORIZED, "bad_auth_signature"),
        (
            "signed for another book",
            unpublish_body(&env, APP_OWNER, Book::Dataset, UnpublishTarget::All, None, None, now()),
            StatusCode::UNAUTHORIZED,
            "bad_auth_signature",
        ),
        (
            "expired",
            unpublish_body(
                &env,
                APP_OWNER,
                Book::App,
                UnpublishTarget::All,
                None,
                None,
                now() - 3600,
            ),
            StatusCode::UNAUTHORIZED,
            "auth_expired",
        ),
        (
            "not the publisher",
            unpublish_body(
                &env,
                STRANGER,
                Book::App,
                UnpublishTarget::Order,
                Some(hash(0)),
                None,
                now(),
            ),
            StatusCode::FORBIDDEN,
            "not_owner",
        ),
        (
            "unknown order",
            unpublish_body(
                &env,
                APP_OWNER,
                Book::App,
                UnpublishTarget::Order,
                Some(poco_primitives::OrderHash::repeat_byte(3)),
                None,
                now(),
            ),
            StatusCode::NOT_FOUND,
            "order_not_found",
        ),
        (
            "unknown field",
            json!({"target": "all", "issuedAt": now(), "signer": env.address(APP_OWNER), "sign": "0x", "extra": 1}),
            StatusCode::BAD_REQUEST,
            "unknown_field",
        ),
    ];
    for (name, body, status, code) in cases {
        let (got, answer) = env.post("/v1/orders/app/unpublish", body).await;
        assert_eq!((got, answer["error"].as_str()), (status, Some(code)), "{name}: {answer}");
    }
    let count = |page: &Value| page["orders"].as_array().unwrap().len();
    assert_eq!(count(&env.get("/v1/orders/app").await.1), 4);
    // By hash.
    let (status, answer) = env
        .post(
            "/v1/orders/app/unpublish",
            unpublish_body(
                &env,
                APP_OWNER,
                Book::App,
                UnpublishTarget::Order,
                Some(hash(1)),
                None,
                now(),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer, json!({"unpublished": [hash(1)]}));
    assert_eq!(env.get(&format!("/v1/orders/app/{}", hash(1))).await.1["status"], "unpublished");
    // Last: the most recent open one.
    let (_, answer) = env
        .post(
            "/v1/orders/app/unpublish",
            unpublish_body(
                &env,
                APP_OWNER,
                Book::App,
                UnpublishTarget::Last,
                None,
                Some(env.app),
                now(),
            ),
        )
        .await;
    assert_eq!(answer, json!({"unpublished": [hash(3)]}));
    // All of another resource: none.
    let (_, answer) = env
        .post(
            "/v1/orders/app/unpublish",
            unpublish_body(
                &env,
                APP_OWNER,
                Book::App,
                UnpublishTarget::All,
                None,
                Some(Address::repeat_byte(5)),
                now(),
            ),
        )
        .await;
    assert_eq!(answer, json!({"unpublished": []}));
    // All.
    let (_, answer) = env
        .post(
            "/v1/orders/app/unpublish",
            unpublish_body(&env, APP_OWNER, Book::App, UnpublishTarget::All, None, None, now()),
        )
        .await;
    let mut got: Vec<String> = answer["unpublished"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h.as_str().unwrap().to_owned())
        .collect();
    got.sort();
    let mut expected = vec![format!("{}", hash(0)), format!("{}", hash(2))];
    expected.sort();
    assert_eq!(got, expected);
    assert_eq!(count(&env.get("/v1/orders/app").await.1), 0);
    assert_eq!(count(&env.get("/v1/orders/app?status=unpublished").await.1), 4);
    // An unpublished order can be published again.
    env.publish("app", &orders[0]).await;
    assert_eq!(count(&env.get("/v1/orders/app").await.1), 1);
}

async fn presigned_and_cancelled_orders(db: Db) {
    let env = Env::new(db).await;
    let hub = env.hub();
    let owner = env.address(APP_OWNER);
    // Presigned on-chain: published without a signature.
    let presigned = env.app_order(2);
    let operation = IPocoOperation::app(&presigned, OrderOperation::Sign);
    send(hub.manageAppOrder(operation).from(owner)).await;
    let record = env.publish("app", &SignedOrder::presigned(presigned.clone())).await;
    assert_eq!(record["status"], "open");
    // Closed on-chain before publication: nothing left (the watcher has not seen it yet).
    let closed = env.app_order(3);
    send(hub.manageAppOrder(IPocoOperation::app(&closed, OrderOperation::Close)).from(owner)).await;
    let (status, body) =
        env.post("/v1/orders/app", json!({"order": env.sign(APP_OWNER, closed.clone())})).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::CONFLICT, Some("order_consumed")),
        "{body}"
    );
    // Once the watcher saw the ClosedAppOrder event, the refusal says "cancelled".
    let mut stream = poco_market::watcher::stream(&env.market, poco_chain::StreamConfig::default());
    let mut watcher = poco_market::watcher::Watcher { market: env.market.clone() };
    stream.catch_up(&mut watcher).await.unwrap();
    let (status, body) =
        env.post("/v1/orders/app", json!({"order": env.sign(APP_OWNER, closed)})).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::CONFLICT, Some("order_cancelled")),
        "{body}"
    );
    let _ = salt();
    let _ = B256::ZERO;
}

async fn open_order_limit(db: Db) {
    let env = Env::with_limits(db, Limits { max_open_orders: 3 }).await;
    for price in 1..=3 {
        env.publish("app", &env.sign(APP_OWNER, env.app_order(price))).await;
    }
    let (status, body) =
        env.post("/v1/orders/app", json!({"order": env.sign(APP_OWNER, env.app_order(4))})).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("too_many_open_orders")),
        "{body}"
    );
    assert_eq!(env.get("/v1/orders/app").await.1["orders"].as_array().unwrap().len(), 3);
    // The limit is per book: the same signer... has no other book; another signer is free.
    env.publish("dataset", &env.sign(DATASET_OWNER, env.dataset_order(1))).await;
}

/// Publications racing each other go through the group commit: every one gets its own answer,
/// the open-order limit holds exactly, a duplicate inside a batch is refused, and the book
/// holds what the answers say.
async fn concurrent_publications_share_commits_and_keep_the_limit(db: Db) {
    let env = Env::with_limits(db, Limits { max_open_orders: 10 }).await;
    let orders: Vec<SignedOrder<AppOrder>> =
        (1..=24).map(|price| env.sign(APP_OWNER, env.app_order(price))).collect();
    // The first order twice more: only one of the three copies can be accepted.
    let mut all = orders.clone();
    all.push(orders[0].clone());
    all.push(orders[0].clone());
    let answers = futures_util::future::join_all(
        all.iter().map(|order| env.post("/v1/orders/app", json!({ "order": order }))),
    )
    .await;
    let mut accepted = std::collections::HashSet::new();
    let mut codes = std::collections::BTreeMap::<String, usize>::new();
    for (status, body) in &answers {
        if *status == StatusCode::CREATED {
            assert!(accepted.insert(body["orderHash"].as_str().unwrap().to_owned()), "{body}");
        } else {
            *codes.entry(body["error"].as_str().unwrap().to_owned()).or_default() += 1;
        }
    }
    assert_eq!(accepted.len(), 10, "{codes:?}");
    let over = codes.get("too_many_open_orders").copied().unwrap_or(0);
    let duplicate = codes.get("already_published").copied().unwrap_or(0);
    assert_eq!(over + duplicate, 16, "{codes:?}");
    assert!(over >= 14, "{codes:?}");
    let (_, page) = env.get("/v1/orders/app?limit=100").await;
    let listed: std::collections::HashSet<String> = page["orders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["orderHash"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(listed, accepted);
}

/// `manage*Order` arguments.
struct IPocoOperation;

impl IPocoOperation {
    fn app(
        order: &AppOrder,
        operation: OrderOperation,
    ) -> poco_contracts::bindings::IPoco::AppOrderOperation {
        poco_contracts::bindings::IPoco::AppOrderOperation {
            order: crate::abi_app(&SignedOrder::presigned(order.clone())),
            operation: operation.into(),
            sign: Bytes::new(),
        }
    }
}

on_both_dbs!(served_over_http_with_feed_metrics_and_openapi);

/// The whole service as the binary runs it: `spawn` on 127.0.0.1, a real HTTP client.
async fn served_over_http_with_feed_metrics_and_openapi(db: Db) {
    use alloy::transports::http::reqwest;
    let env = Env::new(db).await;
    let mut config = poco_market::MarketConfig::new(
        env.db.url.clone(),
        env.devchain.http_endpoint().parse().unwrap(),
        31337,
        env.hub,
    );
    config.listen = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
    config.poll_interval = std::time::Duration::from_millis(20);
    let handle = poco_market::spawn(config).await.unwrap();
    let base = handle.url();
    let http = reqwest::Client::new();
    assert_eq!(
        http.get(format!("{base}/health")).send().await.unwrap().text().await.unwrap(),
        "ok"
    );

    // The feed, then a publication through HTTP.
    let mut feed = http.get(format!("{base}/v1/feed")).send().await.unwrap();
    assert_eq!(feed.headers()["content-type"], "text/event-stream");
    let order = env.sign(APP_OWNER, env.app_order(RLC));
    let response = http
        .post(format!("{base}/v1/orders/app"))
        .json(&json!({"order": order}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 201);
    let mut text = String::new();
    while !text.contains("\n\n") {
        let chunk = tokio::time::timeout(std::time::Duration::from_secs(10), feed.chunk())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        text.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(text.contains("event: published"), "{text}");
    assert!(text.contains(&format!("{}", order.hash(&env.domain))), "{text}");

    // Metrics count it; the OpenAPI document lists the routes.
    let metrics = http.get(format!("{base}/metrics")).send().await.unwrap().text().await.unwrap();
    assert!(metrics.contains("poco_market_publish_total"), "{metrics}");
    let document: Value =
        http.get(format!("{base}/v1/openapi.json")).send().await.unwrap().json().await.unwrap();
    assert_eq!(document["openapi"], "3.1.0");
    for path in [
        "/v1/orders/{book}",
        "/v1/orders/{book}/{orderHash}",
        "/v1/orders/{book}/unpublish",
        "/v1/match",
        "/v1/feed",
        "/metrics",
    ] {
        assert!(document["paths"].get(path).is_some(), "{path}");
    }
    // The default rate limit applies per client IP.
    let mut limited = false;
    for _ in 0..200 {
        if http.get(format!("{base}/v1/orders/app")).send().await.unwrap().status().as_u16() == 429
        {
            limited = true;
            break;
        }
    }
    assert!(limited, "the default rate limit never answered 429");
    drop(feed);
    handle.shutdown().await.unwrap();
}

#[test]
fn binary_help_teaches() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_poco-market"))
        .arg("--help")
        .output()
        .unwrap();
    assert!(output.status.success());
    let help = String::from_utf8(output.stdout).unwrap();
    for flag in [
        "--data-dir",
        "--database-url",
        "--rpc-url",
        "--hub",
        "--chain-id",
        "--listen",
        "--max-open-orders",
        "--rate-limit",
        "--start-block",
        "postgres://",
        "Example",
    ] {
        assert!(help.contains(flag), "--help lacks {flag}:\n{help}");
    }
}
