//! A good upload round-trips through GET, HEAD describes it, the same upload again is
//! idempotent, and another archive for the same task is refused.

use poco_compat::Role;
use poco_results_api::{ErrorCode, ResultLink, UploadReceipt, headers, paths};

use crate::common::{Env, MAX_SIZE, Upload, W0, W1, answer, code_of};

#[tokio::test]
async fn upload_download_head_and_idempotent_reupload() {
    let mut env = Env::start().await;
    let task = env.task().await;
    let scheduler = env.key(Role::Scheduler);
    let worker = env.key(W0);
    // Streamed in chunks, as big as allowed.
    let body: Vec<u8> = (0..MAX_SIZE).map(|i| (i * 31 % 251) as u8).collect();
    let upload = Upload::new(task, &worker, &scheduler, &body);

    let (status, json) = upload.send_chunked(&env).await;
    assert_eq!(status, 201, "{json}");
    let receipt: UploadReceipt = serde_json::from_value(json).unwrap();
    assert_eq!(
        receipt,
        UploadReceipt {
            task_id: task,
            worker: worker.address(),
            sha256: upload.sha256,
            size: MAX_SIZE,
            created: true,
            link: ResultLink::new(task, upload.sha256),
        }
    );

    // GET: the same bytes, described by the headers.
    let response = env.http.get(env.url(&paths::result(task))).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let sha = upload.sha256.to_string();
    let expected_headers = [
        ("content-type", "application/zip".to_owned()),
        ("content-length", MAX_SIZE.to_string()),
        (headers::ARCHIVE_SHA256, sha.clone()),
        ("etag", format!("\"{sha}\"")),
        (headers::WORKER, worker.address().to_string()),
    ];
    for (name, value) in &expected_headers {
        assert_eq!(response.headers()[*name].to_str().unwrap(), value, "GET {name}");
    }
    assert_eq!(response.bytes().await.unwrap().to_vec(), body);

    // HEAD: the same headers, no body.
    let response = env.http.head(env.url(&paths::result(task))).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    for (name, value) in &expected_headers {
        assert_eq!(response.headers()[*name].to_str().unwrap(), value, "HEAD {name}");
    }
    assert!(response.bytes().await.unwrap().is_empty());

    // The same upload again (even by another authorized worker): 200, nothing new stored.
    let before = env.stored().await;
    let (status, json) = upload.send(&env).await;
    assert_eq!(status, 200, "{json}");
    let again: UploadReceipt = serde_json::from_value(json).unwrap();
    assert_eq!(again, UploadReceipt { created: false, ..receipt.clone() });
    let second_worker = env.key(W1);
    let (status, json) = Upload::new(task, &second_worker, &scheduler, &body).send(&env).await;
    assert_eq!(status, 200, "{json}");
    assert_eq!(env.stored().await, before);

    // Another archive for the task: refused, nothing new stored.
    let (status, json) = Upload::new(task, &worker, &scheduler, b"other").send(&env).await;
    assert_eq!(code_of(status, &json), ErrorCode::AlreadyUploaded, "{json}");
    assert_eq!(env.stored().await, before);
    let (objects, _) = before;
    assert_eq!(objects, vec![format!("blobs/sha256/{}", &sha[2..]), format!("tasks/{task}.json"),]);

    // Unknown and malformed ids.
    let other = env.task().await;
    for (path, code) in [
        (paths::result(other), ErrorCode::ResultNotFound),
        ("/v1/results/nope".to_owned(), ErrorCode::InvalidTaskId),
    ] {
        let (status, json) = answer(env.http.get(env.url(&path)).send().await.unwrap()).await;
        assert_eq!(code_of(status, &json), code, "{path}");
        let response = env.http.head(env.url(&path)).send().await.unwrap();
        assert_eq!(response.status().as_u16(), code.http_status(), "HEAD {path}");
    }

    // The metrics count what happened.
    let metrics = env.http.get(env.url(paths::METRICS)).send().await.unwrap().text().await.unwrap();
    for line in [
        r#"poco_results_uploads_total{outcome="created"} 1"#,
        r#"poco_results_uploads_total{outcome="duplicate"} 2"#,
        r#"poco_results_uploads_total{outcome="ALREADY_UPLOADED"} 1"#,
        r#"poco_results_downloads_total{method="GET",outcome="ok"} 1"#,
        r#"poco_results_downloads_total{method="HEAD",outcome="ok"} 1"#,
        &format!("poco_results_upload_bytes_total {MAX_SIZE}"),
    ] {
        assert!(metrics.lines().any(|l| l == line), "missing {line:?} in\n{metrics}");
    }
    env.shutdown().await;
}
