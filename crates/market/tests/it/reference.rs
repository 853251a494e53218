//! The reference marketplace API (`/apporders`… as `iexec@9` speaks it): the challenge login,
//! publish, get, list (filters, pages, counts), unpublish, and every refusal, on both
//! databases. The client side is done as the SDK does it: the challenge's typed data hashed from
//! its JSON (alloy's dynamic EIP-712, not the market's own struct), signed by a dev key.

use crate::{
    APP_OWNER, DATASET_OWNER, Db, Env, REQUESTER, RLC, SCHEDULER, STRANGER, on_both_dbs, raw,
};
use alloy::{
    primitives::{Address, B256, U256},
    signers::SignerSync,
};
use axum::{
    body::Body,
    extract::ConnectInfo,
    http::{Method, Request, StatusCode},
};
use poco_primitives::{Tag, WorkerpoolOrder};
use serde_json::{Value, json};
use std::net::SocketAddr;

on_both_dbs!(
    reference_publish_show_list_unpublish_each_book,
    reference_refusals_have_codes_and_store_nothing,
    reference_filters_pages_and_counts,
    reference_unpublish_last_and_all,
);

const CHAIN: u64 = 31337;

/// A request to the router with an optional `Authorization` header.
async fn send(
    env: &Env,
    method: Method,
    path: &str,
    auth: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut request = Request::builder().method(method).uri(path);
    if let Some(auth) = auth {
        request = request.header("authorization", auth);
    }
    let body = match body {
        Some(body) => {
            request = request.header("content-type", "application/json");
            Body::from(body.to_string())
        }
        None => Body::empty(),
    };
    let mut request = request.body(body).unwrap();
    request.extensions_mut().insert(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 40000))));
    raw(&env.router, request).await
}

/// Gets a challenge for `address` and returns its typed data.
async fn challenge(env: &Env, address: Address) -> Value {
    let (status, body) = send(
        env,
        Method::GET,
        &format!("/challenge?chainId={CHAIN}&address={address}"),
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["ok"], true);
    body["data"].clone()
}

/// The digest of a challenge's typed data, from its JSON (as a client computes it).
fn digest(typed: &Value) -> B256 {
    let typed: alloy_dyn_abi::TypedData = serde_json::from_value(typed.clone()).unwrap();
    typed.eip712_signing_hash().unwrap()
}

/// `<hash>_<signature>_<address>` for a challenge signed by dev key `signer` for `claimed`.
fn header_for(env: &Env, typed: &Value, signer: usize, claimed: Address) -> String {
    let hash = digest(typed);
    let signature = env.keys[signer].sign_hash_sync(&hash).unwrap();
    format!("{hash:#x}_0x{}_{claimed}", alloy::hex::encode(signature.as_bytes()))
}

/// A fresh authorization of dev account `who`.
async fn login(env: &Env, who: usize) -> String {
    let typed = challenge(env, env.address(who)).await;
    header_for(env, &typed, who, env.address(who))
}

/// Publishes through the reference API and expects it accepted; returns the record.
async fn publish(env: &Env, path: &str, who: usize, order: Value) -> Value {
    let auth = login(env, who).await;
    let (status, body) = send(
        env,
        Method::POST,
        &format!("/{path}?chainId={CHAIN}"),
        Some(&auth),
        Some(json!({ "order": order })),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    assert_eq!(body["ok"], true);
    body["published"].clone()
}

async fn get(env: &Env, path: &str) -> (StatusCode, Value) {
    send(env, Method::GET, path, None, None).await
}

/// The number of open orders in a native book.
async fn native_count(env: &Env, book: &str) -> usize {
    let (status, page) = env.get(&format!("/v1/orders/{book}")).await;
    assert_eq!(status, StatusCode::OK);
    page["orders"].as_array().unwrap().len()
}

async fn reference_publish_show_list_unpublish_each_book(db: Db) {
    let env = Env::new(db).await;
    // The SDK's order JSON: numbers as JSON numbers or decimal strings.
    let app = env.sign(APP_OWNER, env.app_order(5 * RLC));
    let dataset = env.sign(DATASET_OWNER, env.dataset_order(3 * RLC));
    let pool = env.sign(SCHEDULER, env.pool_order(20 * RLC));
    let request = env.sign(REQUESTER, env.request_order(REQUESTER));
    let (version_status, version) = get(&env, "/version").await;
    assert_eq!(version_status, StatusCode::OK);
    assert!(version["version"].as_str().unwrap().starts_with("poco-market"));

    let cases = [
        ("apporders", "app", APP_OWNER, json!(app), app.hash(&env.domain), "appprice", 5 * RLC),
        (
            "datasetorders",
            "dataset",
            DATASET_OWNER,
            json!(dataset),
            dataset.hash(&env.domain),
            "datasetprice",
            3 * RLC,
        ),
        (
            "workerpoolorders",
            "workerpool",
            SCHEDULER,
            json!(pool),
            pool.hash(&env.domain),
            "workerpoolprice",
            20 * RLC,
        ),
        (
            "requestorders",
            "request",
            REQUESTER,
            json!(request),
            request.hash(&env.domain),
            "workerpoolmaxprice",
            100 * RLC,
        ),
    ];
    for (path, book, who, order, hash, price_field, price) in cases {
        let record = publish(&env, path, who, order.clone()).await;
        assert_eq!(record["orderHash"], json!(hash), "{path}");
        assert_eq!(record["chainId"], CHAIN);
        assert_eq!(record["status"], "open");
        assert_eq!(record["signer"], json!(env.address(who)));
        assert_eq!(record["order"][price_field], json!(price), "{path}: numbers as numbers");
        assert_eq!(record["order"]["sign"], order["sign"]);
        assert_eq!(record["tagArray"], json!([]));
        let timestamp = record["publicationTimestamp"].as_str().unwrap();
        assert!(timestamp.ends_with('Z') && timestamp.len() == 24, "{timestamp}");

        // The same order, as the native API has it.
        let (status, native) = env.get(&format!("/v1/orders/{book}/{hash}")).await;
        assert_eq!(status, StatusCode::OK, "{native}");
        assert_eq!(native["orderHash"], record["orderHash"]);
        assert_eq!(native["signer"], record["signer"]);
        let native_remaining = U256::from_str_radix(
            native["remaining"].as_str().unwrap().trim_start_matches("0x"),
            16,
        )
        .unwrap();
        assert_eq!(U256::from(record["remaining"].as_u64().unwrap()), native_remaining);

        let (status, shown) = get(&env, &format!("/{path}/{hash}?chainId={CHAIN}")).await;
        assert_eq!(status, StatusCode::OK, "{shown}");
        assert_eq!(shown["ok"], true);
        assert_eq!(shown["orderHash"], record["orderHash"]);
        assert_eq!(shown["order"], record["order"]);
        assert_eq!(shown["remaining"], record["remaining"]);

        // Listed (the request book by app, the others by their asset).
        let filter = match book {
            "app" => format!("app={}", env.app),
            "dataset" => format!("dataset={}", env.dataset),
            "workerpool" => format!("workerpool={}&category=0", env.pool),
            _ => format!("requester={}&category=0", env.address(REQUESTER)),
        };
        let (status, page) =
            get(&env, &format!("/{path}?chainId={CHAIN}&{filter}&pageIndex=0&pageSize=20")).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert_eq!(page["count"], 1, "{path}: {page}");
        assert_eq!(page["orders"][0]["orderHash"], json!(hash));
        assert!(page.get("nextPage").is_none());

        // Unpublished by hash: gone from both APIs' books.
        let auth = login(&env, who).await;
        let (status, body) = send(
            &env,
            Method::PUT,
            &format!("/{path}?chainId={CHAIN}"),
            Some(&auth),
            Some(json!({ "target": "unpublish_orderHash", "orderHash": hash })),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["unpublished"], json!([hash]));
        let (status, body) = get(&env, &format!("/{path}/{hash}?chainId={CHAIN}")).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::NOT_FOUND, Some("order_not_found"))
        );
        assert_eq!(body["ok"], false);
        assert_eq!(native_count(&env, book).await, 0, "{path}");
        let (_, page) = get(&env, &format!("/{path}?chainId={CHAIN}&{filter}")).await;
        assert_eq!(page["count"], 0);
    }
}

async fn reference_refusals_have_codes_and_store_nothing(db: Db) {
    let env = Env::new(db).await;
    let app = env.sign(APP_OWNER, env.app_order(5 * RLC));
    let body = json!({ "order": app });
    let post = |auth: Option<String>, path: String, body: Value| {
        let env = &env;
        async move { send(env, Method::POST, &path, auth.as_deref(), Some(body)).await }
    };
    let apporders = format!("/apporders?chainId={CHAIN}");
    let expect = |(status, body): (StatusCode, Value), code: &str, want: StatusCode| {
        assert_eq!(body["code"], code, "{body}");
        assert_eq!(status, want, "{body}");
        assert_eq!(body["ok"], false);
        assert!(!body["error"].as_str().unwrap().is_empty());
    };

    // Wrong or missing chain id, on every kind of route.
    let owner = env.address(APP_OWNER);
    for path in [
        format!("/challenge?chainId=1&address={owner}"),
        format!("/apporders?chainId=1&app={}", env.app),
        format!("/apporders/{}?chainId=1", app.hash(&env.domain)),
        "/workerpoolorders?chainId=65535&category=0".to_owned(),
        "/requestorders?chainId=abc".to_owned(),
    ] {
        expect(get(&env, &path).await, "unsupported_chain", StatusCode::BAD_REQUEST);
    }
    expect(
        get(&env, &format!("/apporders?app={}", env.app)).await,
        "invalid_query",
        StatusCode::BAD_REQUEST,
    );
    expect(
        post(Some(login(&env, APP_OWNER).await), "/apporders?chainId=1".into(), body.clone()).await,
        "unsupported_chain",
        StatusCode::BAD_REQUEST,
    );

    // No header, a malformed one, a signature by another key, a challenge of someone else.
    expect(
        post(None, apporders.clone(), body.clone()).await,
        "auth_required",
        StatusCode::UNAUTHORIZED,
    );
    for bad in ["nope", "0x12_0x34_0x56", "a_b_c_d"] {
        expect(
            post(Some(bad.into()), apporders.clone(), body.clone()).await,
            "bad_auth_header",
            StatusCode::UNAUTHORIZED,
        );
    }
    let typed = challenge(&env, owner).await;
    let forged = header_for(&env, &typed, STRANGER, owner);
    expect(
        post(Some(forged), apporders.clone(), body.clone()).await,
        "bad_auth_signature",
        StatusCode::UNAUTHORIZED,
    );
    // The refused attempt did not consume the challenge: the owner can still use it.
    let genuine = header_for(&env, &typed, APP_OWNER, owner);
    let stranger_typed = challenge(&env, env.address(STRANGER)).await;
    let borrowed = header_for(&env, &stranger_typed, APP_OWNER, owner);
    expect(
        post(Some(borrowed), apporders.clone(), body.clone()).await,
        "unknown_challenge",
        StatusCode::UNAUTHORIZED,
    );
    assert_eq!(native_count(&env, "app").await, 0);

    // Someone else's order: the stranger, logged in, publishes the owner's signed order.
    expect(
        post(Some(login(&env, STRANGER).await), apporders.clone(), body.clone()).await,
        "not_owner",
        StatusCode::FORBIDDEN,
    );
    // Bad bodies.
    let mut unknown = body.clone();
    unknown["order"]["extra"] = json!(1);
    expect(
        post(Some(login(&env, APP_OWNER).await), apporders.clone(), unknown).await,
        "unknown_field",
        StatusCode::BAD_REQUEST,
    );
    expect(
        post(Some(login(&env, APP_OWNER).await), apporders.clone(), json!({"order": 1})).await,
        "invalid_json",
        StatusCode::BAD_REQUEST,
    );
    let mut tampered = body.clone();
    tampered["order"]["appprice"] = json!(1);
    expect(
        post(Some(login(&env, APP_OWNER).await), apporders.clone(), tampered).await,
        "bad_signature",
        StatusCode::UNPROCESSABLE_ENTITY,
    );
    assert_eq!(native_count(&env, "app").await, 0, "no refusal stored anything");

    // An expired challenge.
    let typed = challenge(&env, owner).await;
    let late = header_for(&env, &typed, APP_OWNER, owner);
    sqlx::query("UPDATE reference_challenges SET expires_at = 0 WHERE hash = $1")
        .bind(format!("{:#x}", digest(&typed)))
        .execute(env.market.store().pool())
        .await
        .unwrap();
    expect(
        post(Some(late), apporders.clone(), body.clone()).await,
        "auth_expired",
        StatusCode::UNAUTHORIZED,
    );
    assert_eq!(native_count(&env, "app").await, 0);

    // The genuine header works once, then its challenge is spent.
    let (status, published) = post(Some(genuine.clone()), apporders.clone(), body.clone()).await;
    assert_eq!(status, StatusCode::OK, "{published}");
    let hash = app.hash(&env.domain);
    expect(
        send(
            &env,
            Method::PUT,
            &apporders,
            Some(&genuine),
            Some(json!({ "target": "unpublish_orderHash", "orderHash": hash })),
        )
        .await,
        "unknown_challenge",
        StatusCode::UNAUTHORIZED,
    );
    // Publishing it again: already published.
    expect(
        post(Some(login(&env, APP_OWNER).await), apporders.clone(), body.clone()).await,
        "already_published",
        StatusCode::CONFLICT,
    );

    // Unpublishing someone else's order, bad targets, an unknown order: refused, still open.
    let put = |who: usize, body: Value| {
        let env = &env;
        let apporders = apporders.clone();
        async move {
            let auth = login(env, who).await;
            send(env, Method::PUT, &apporders, Some(&auth), Some(body)).await
        }
    };
    expect(
        put(STRANGER, json!({ "target": "unpublish_orderHash", "orderHash": hash })).await,
        "not_owner",
        StatusCode::FORBIDDEN,
    );
    expect(
        put(STRANGER, json!({ "target": "unpublish_all", "app": env.app })).await,
        "order_not_found",
        StatusCode::NOT_FOUND,
    );
    expect(
        put(APP_OWNER, json!({ "target": "unpublish_everything", "app": env.app })).await,
        "invalid_json",
        StatusCode::BAD_REQUEST,
    );
    expect(
        put(APP_OWNER, json!({ "target": "unpublish_all", "dataset": env.dataset })).await,
        "invalid_json",
        StatusCode::BAD_REQUEST,
    );
    expect(
        put(APP_OWNER, json!({ "target": "unpublish_orderHash", "orderHash": B256::ZERO })).await,
        "order_not_found",
        StatusCode::NOT_FOUND,
    );
    expect(
        put(APP_OWNER, json!({ "target": "unpublish_orderHash", "orderHash": hash, "x": 1 })).await,
        "unknown_field",
        StatusCode::BAD_REQUEST,
    );
    expect(
        send(&env, Method::PUT, &apporders, None, Some(json!({ "orderHash": hash }))).await,
        "auth_required",
        StatusCode::UNAUTHORIZED,
    );
    let (_, shown) = get(&env, &format!("/apporders/{hash}?chainId={CHAIN}")).await;
    assert_eq!(shown["status"], "open", "refused unpublications changed nothing");
    // The request book: only the requester's own orders.
    let request = env.sign(REQUESTER, env.request_order(REQUESTER));
    publish(&env, "requestorders", REQUESTER, json!(request)).await;
    let auth = login(&env, STRANGER).await;
    expect(
        send(
            &env,
            Method::PUT,
            &format!("/requestorders?chainId={CHAIN}"),
            Some(&auth),
            Some(json!({ "target": "unpublish_all", "requester": env.address(REQUESTER) })),
        )
        .await,
        "not_owner",
        StatusCode::FORBIDDEN,
    );
    assert_eq!(native_count(&env, "request").await, 1);
}

async fn reference_filters_pages_and_counts(db: Db) {
    let env = Env::new(db).await;
    // 23 unrestricted app orders at increasing prices, 1 restricted to the dataset, 1 to a
    // workerpool, 1 with the TEE tag.
    let mut hashes = Vec::new();
    for i in 0..23u64 {
        let order = env.sign(APP_OWNER, env.app_order(i + 1));
        env.publish("app", &order).await;
        hashes.push(order.hash(&env.domain));
    }
    let mut restricted = env.app_order(100);
    restricted.datasetrestrict = env.dataset;
    let restricted = env.sign(APP_OWNER, restricted);
    env.publish("app", &restricted).await;
    let mut pool_only = env.app_order(101);
    pool_only.workerpoolrestrict = env.pool;
    let pool_only = env.sign(APP_OWNER, pool_only);
    env.publish("app", &pool_only).await;
    let mut tee = env.app_order(102);
    tee.tag = Tag::TEE.0;
    tee.volume = U256::from(1);
    let tee = env.sign(APP_OWNER, tee);
    env.publish("app", &tee).await;

    let list = |query: String| {
        let env = &env;
        async move {
            let (status, body) = get(env, &format!("/apporders?chainId={CHAIN}&{query}")).await;
            assert_eq!(status, StatusCode::OK, "{query}: {body}");
            body
        }
    };
    let hashes_of = |page: &Value| -> Vec<Value> {
        page["orders"].as_array().unwrap().iter().map(|o| o["orderHash"].clone()).collect()
    };
    // Without restriction filters: the 23 unrestricted ones and the TEE one, cheapest first.
    let page0 = list(format!("app={}&pageSize=10", env.app)).await;
    assert_eq!(page0["count"], 24);
    assert_eq!(page0["nextPage"], 1);
    assert_eq!(hashes_of(&page0), hashes[..10].iter().map(|h| json!(h)).collect::<Vec<_>>());
    let page2 = list(format!("app={}&pageSize=10&pageIndex=2", env.app)).await;
    assert_eq!(page2["count"], 24);
    assert!(page2.get("nextPage").is_none(), "{page2}");
    let mut last = hashes[20..].iter().map(|h| json!(h)).collect::<Vec<_>>();
    last.push(json!(tee.hash(&env.domain)));
    assert_eq!(hashes_of(&page2), last);
    // Legacy `page` is an offset.
    let skipped = list(format!("app={}&pageSize=10&page=5", env.app)).await;
    assert_eq!(hashes_of(&skipped)[0], json!(hashes[5]));
    // appOwner instead of app; `any` app.
    assert_eq!(list(format!("appOwner={}", env.address(APP_OWNER))).await["count"], 24);
    assert_eq!(list(format!("appOwner={}", env.address(STRANGER))).await["count"], 0);
    assert_eq!(list("app=any".into()).await["count"], 24);
    // The dataset: admitted by unrestricted orders and the one restricted to it; strict: that
    // one only; any: every order.
    assert_eq!(list(format!("app={}&dataset={}", env.app, env.dataset)).await["count"], 25);
    let strict =
        list(format!("app={}&dataset={}&isDatasetStrict=true", env.app, env.dataset)).await;
    assert_eq!(hashes_of(&strict), vec![json!(restricted.hash(&env.domain))]);
    assert_eq!(list(format!("app={}&dataset=any&workerpool=any", env.app)).await["count"], 26);
    assert_eq!(list(format!("app={}&workerpool={}", env.app, env.pool)).await["count"], 25);
    assert_eq!(list(format!("app={}&workerpool={}", env.app, env.pool2)).await["count"], 24);
    // Tags and volumes.
    let tee_hex = format!("{:#x}", Tag::TEE.0);
    let with_tee = list(format!("app={}&minTag={tee_hex}", env.app)).await;
    assert_eq!(hashes_of(&with_tee), vec![json!(tee.hash(&env.domain))]);
    assert_eq!(with_tee["orders"][0]["tagArray"], json!([0]));
    assert_eq!(list(format!("app={}&maxTag={:#x}", env.app, B256::ZERO)).await["count"], 23);
    assert_eq!(list(format!("app={}&minVolume=2", env.app)).await["count"], 23);

    // Bad listings.
    for query in [
        "pageSize=10".to_owned(), // no app nor appOwner
        format!("app={}&pageSize=5", env.app),
        format!("app={}&pageSize=1001", env.app),
        format!("app={}&pageIndex=-1", env.app),
        format!("app={}&pageIndex=1&page=3", env.app),
        format!("app={}&minTrust=1", env.app),
        format!("app={}&datasetOwner={}", env.app, env.address(DATASET_OWNER)),
        format!("app={}&isAppStrict=true", env.app),
        format!("app={}&isDatasetStrict=true", env.app),
        "app=0x12&pageSize=10".to_owned(),
        format!("app={}&minTag=notatag", env.app),
        format!("app={}&color=blue", env.app),
    ] {
        let (status, body) = get(&env, &format!("/apporders?chainId={CHAIN}&{query}")).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalid_query")),
            "{query}: {body}"
        );
    }

    // Workerpool book: category, trust; request book: sorted by workerpool max price, highest
    // first.
    let mut trusted = env.pool_order(7 * RLC);
    trusted.trust = U256::from(5);
    let trusted = env.sign(SCHEDULER, trusted);
    env.publish("workerpool", &trusted).await;
    let cheap = env
        .sign(SCHEDULER, WorkerpoolOrder { workerpoolprice: U256::from(RLC), ..env.pool_order(0) });
    env.publish("workerpool", &cheap).await;
    let (_, pools) = get(&env, &format!("/workerpoolorders?chainId={CHAIN}&category=0")).await;
    assert_eq!(
        hashes_of(&pools),
        vec![json!(cheap.hash(&env.domain)), json!(trusted.hash(&env.domain))]
    );
    let (_, pools) =
        get(&env, &format!("/workerpoolorders?chainId={CHAIN}&category=0&minTrust=2")).await;
    assert_eq!(hashes_of(&pools), vec![json!(trusted.hash(&env.domain))]);
    let (_, pools) = get(&env, &format!("/workerpoolorders?chainId={CHAIN}&category=1")).await;
    assert_eq!(pools["count"], 0);
    let (_, pools) = get(
        &env,
        &format!("/workerpoolorders?chainId={CHAIN}&workerpoolOwner={}", env.address(SCHEDULER)),
    )
    .await;
    assert_eq!(pools["count"], 2);

    let mut low = env.request_order(REQUESTER);
    low.workerpoolmaxprice = U256::from(RLC);
    let low = env.sign(REQUESTER, low);
    let high = env.sign(REQUESTER, env.request_order(REQUESTER));
    env.publish("request", &low).await;
    env.publish("request", &high).await;
    let (_, requests) = get(
        &env,
        &format!(
            "/requestorders?chainId={CHAIN}&requester={}&app={}",
            env.address(REQUESTER),
            env.app
        ),
    )
    .await;
    assert_eq!(
        hashes_of(&requests),
        vec![json!(high.hash(&env.domain)), json!(low.hash(&env.domain))]
    );
    let (_, requests) =
        get(&env, &format!("/requestorders?chainId={CHAIN}&maxTrust=0&category=0")).await;
    assert_eq!(requests["count"], 2);
    let (status, body) = get(&env, &format!("/requestorders?chainId={CHAIN}&minTrust=0")).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_query")));
}

async fn reference_unpublish_last_and_all(db: Db) {
    let env = Env::new(db).await;
    let mut app_hashes = Vec::new();
    for price in [3, 1, 2] {
        let order = env.sign(APP_OWNER, env.app_order(price));
        env.publish("app", &order).await;
        app_hashes.push(order.hash(&env.domain));
    }
    let put = |who: usize, path: &'static str, body: Value| {
        let env = &env;
        async move {
            let auth = login(env, who).await;
            let (status, body) = send(
                env,
                Method::PUT,
                &format!("/{path}?chainId={CHAIN}"),
                Some(&auth),
                Some(body),
            )
            .await;
            assert_eq!(status, StatusCode::OK, "{body}");
            body["unpublished"].clone()
        }
    };
    // Last: the most recently published.
    let last =
        put(APP_OWNER, "apporders", json!({ "target": "unpublish_last", "app": env.app })).await;
    assert_eq!(last, json!([app_hashes[2]]));
    let all =
        put(APP_OWNER, "apporders", json!({ "target": "unpublish_all", "app": env.app })).await;
    let mut all: Vec<String> = serde_json::from_value(all).unwrap();
    all.sort();
    let mut expected: Vec<String> =
        app_hashes[..2].iter().map(|h| json!(h).as_str().unwrap().to_owned()).collect();
    expected.sort();
    assert_eq!(all, expected);
    assert_eq!(native_count(&env, "app").await, 0);

    for _ in 0..2 {
        let request = env.sign(REQUESTER, env.request_order(REQUESTER));
        env.publish("request", &request).await;
    }
    let all = put(
        REQUESTER,
        "requestorders",
        json!({ "target": "unpublish_all", "requester": env.address(REQUESTER) }),
    )
    .await;
    assert_eq!(all.as_array().unwrap().len(), 2);
    assert_eq!(native_count(&env, "request").await, 0);
}
