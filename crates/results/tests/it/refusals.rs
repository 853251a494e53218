//! Every refused upload answers its code and leaves the store empty.

use alloy_primitives::{Address, B256};
use poco_compat::Role;
use poco_primitives::{TaskId, contribution::WorkerpoolAuthorization};
use poco_results_api::{ErrorCode, paths, sign_upload};

use crate::common::{Env, MAX_SIZE, Upload, W0, W1, code_of};

#[tokio::test]
async fn refused_uploads_store_nothing() {
    let mut env = Env::start().await;
    let task = env.task().await;
    let other_task = env.task().await;
    let scheduler = env.key(Role::Scheduler);
    let worker = env.key(W0);
    let other_worker = env.key(W1);
    let body = b"an archive".to_vec();
    let good = Upload::new(task, &worker, &scheduler, &body);

    let mut cases: Vec<(&str, Upload, ErrorCode)> = Vec::new();
    cases.push((
        "no authorization",
        Upload { authorization: None, ..good.clone() },
        ErrorCode::MissingHeader,
    ));
    cases.push((
        "authorization that is not a signature",
        Upload { authorization: Some(vec![1, 2, 3].into()), ..good.clone() },
        ErrorCode::InvalidHeader,
    ));
    let by_worker =
        WorkerpoolAuthorization::sign(&other_worker, worker.address(), task, Address::ZERO)
            .unwrap();
    cases.push((
        "authorization signed by someone else than the workerpool owner",
        Upload { authorization: Some(by_worker.sign), ..good.clone() },
        ErrorCode::BadAuthorization,
    ));
    let for_other_task =
        WorkerpoolAuthorization::sign(&scheduler, worker.address(), other_task, Address::ZERO)
            .unwrap();
    cases.push((
        "authorization for another task",
        Upload { authorization: Some(for_other_task.sign), ..good.clone() },
        ErrorCode::BadAuthorization,
    ));
    // worker0 presents the authorization of worker1, with its own upload signature
    let for_other_worker =
        WorkerpoolAuthorization::sign(&scheduler, other_worker.address(), task, Address::ZERO)
            .unwrap();
    cases.push((
        "authorization for another worker",
        Upload { authorization: Some(for_other_worker.sign), ..good.clone() },
        ErrorCode::BadAuthorization,
    ));
    cases.push((
        "upload signed by another worker",
        Upload {
            worker_signature: sign_upload(&other_worker, task, good.sha256).unwrap(),
            ..good.clone()
        },
        ErrorCode::BadWorkerSignature,
    ));
    cases.push((
        "worker signature over another digest",
        Upload {
            worker_signature: sign_upload(&worker, task, B256::repeat_byte(7)).unwrap(),
            ..good.clone()
        },
        ErrorCode::BadWorkerSignature,
    ));
    cases.push((
        "worker signature for another task",
        Upload {
            worker_signature: sign_upload(&worker, other_task, good.sha256).unwrap(),
            ..good.clone()
        },
        ErrorCode::BadWorkerSignature,
    ));
    cases.push((
        "body that is not the announced archive",
        Upload { body: b"another archive".to_vec(), ..good.clone() },
        ErrorCode::ArchiveDigestMismatch,
    ));
    let big = vec![0x5a; MAX_SIZE as usize + 1];
    cases.push((
        "archive over the size limit (announced length)",
        Upload::new(task, &worker, &scheduler, &big),
        ErrorCode::PayloadTooLarge,
    ));
    let never_initialized = TaskId(B256::repeat_byte(0x42));
    cases.push((
        "task that does not exist on chain",
        Upload::new(never_initialized, &worker, &scheduler, &body),
        ErrorCode::TaskNotFound,
    ));
    cases.push((
        "task id that is not one",
        Upload { task_path: "/v1/results/0x1234".to_owned(), ..good.clone() },
        ErrorCode::InvalidTaskId,
    ));

    for (case, upload, expected) in &cases {
        let (status, json) = upload.send(&env).await;
        assert_eq!(code_of(status, &json), *expected, "{case}: {json}");
        env.assert_store_empty(case).await;
    }

    // Over the limit without a length: counted while streaming, refused past the limit.
    let (status, json) = Upload::new(task, &worker, &scheduler, &big).send_chunked(&env).await;
    assert_eq!(code_of(status, &json), ErrorCode::PayloadTooLarge, "{json}");
    env.assert_store_empty("streamed over the limit").await;
    // Under the limit, streamed, but not the announced bytes.
    let spoiled = Upload { body: vec![1; 10_000], ..good.clone() };
    let (status, json) = spoiled.send_chunked(&env).await;
    assert_eq!(code_of(status, &json), ErrorCode::ArchiveDigestMismatch, "{json}");
    env.assert_store_empty("streamed, wrong digest").await;

    // Nothing to download either.
    let response = env.http.get(env.url(&paths::result(task))).send().await.unwrap();
    let (status, json) = crate::common::answer(response).await;
    assert_eq!(code_of(status, &json), ErrorCode::ResultNotFound);

    // And the good upload still goes through afterwards.
    let (status, json) = good.send(&env).await;
    assert_eq!(status, 201, "{json}");
    env.shutdown().await;
}

#[tokio::test]
async fn stalled_uploads_time_out_and_store_nothing() {
    let mut env = Env::start_inner(None, MAX_SIZE, std::time::Duration::from_millis(300)).await;
    let task = env.task().await;
    let upload = Upload::new(task, &env.key(W0), &env.key(Role::Scheduler), b"never finished");
    // One chunk, then nothing, ever.
    let first: Result<Vec<u8>, std::io::Error> = Ok(b"never".to_vec());
    let stalled = futures_util::StreamExt::chain(
        futures_util::stream::iter([first]),
        futures_util::stream::pending(),
    );
    let response = upload.request(&env).body(reqwest::Body::wrap_stream(stalled)).send().await;
    let (status, json) = crate::common::answer(response.unwrap()).await;
    assert_eq!(code_of(status, &json), ErrorCode::UploadTimeout, "{json}");
    env.assert_store_empty("stalled body").await;
    env.shutdown().await;
}
