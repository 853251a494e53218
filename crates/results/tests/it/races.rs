//! Concurrent uploads for one task: exactly one archive is kept.

use poco_compat::Role;
use poco_results_api::{ErrorCode, paths};

use crate::common::{Env, Upload, W0, W1, code_of};

#[tokio::test]
async fn concurrent_uploads_keep_one_archive() {
    let mut env = Env::start().await;
    let scheduler = env.key(Role::Scheduler);
    let (w0, w1) = (env.key(W0), env.key(W1));

    // Two different archives at once (one by PUT, one by POST): one wins, the other is refused,
    // and the loser's bytes are not left behind.
    let task = env.task().await;
    let first = Upload::new(task, &w0, &scheduler, &vec![1; 40_000]);
    let second = Upload { post: true, ..Upload::new(task, &w1, &scheduler, &vec![2; 40_000]) };
    let (a, b) = tokio::join!(first.send_chunked(&env), second.send_chunked(&env));
    let (winner, loser) = if a.0 == 201 { ((a, &first), b) } else { ((b, &second), a) };
    assert_eq!(winner.0.0, 201, "{:?}", winner.0.1);
    assert_eq!(code_of(loser.0, &loser.1), ErrorCode::AlreadyUploaded, "{}", loser.1);
    let (objects, _) = env.stored().await;
    assert_eq!(
        objects,
        vec![
            format!("blobs/sha256/{}", &winner.1.sha256.to_string()[2..]),
            format!("tasks/{task}.json"),
        ]
    );
    let response = env.http.get(env.url(&paths::result(task))).send().await.unwrap();
    assert_eq!(response.bytes().await.unwrap().to_vec(), winner.1.body);

    // The same archive twice at once: one creates, the other is told it was there.
    let task = env.task().await;
    let upload = Upload::new(task, &w0, &scheduler, b"twice");
    let (a, b) = tokio::join!(upload.send(&env), upload.send(&env));
    let mut statuses = [a.0, b.0];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 201], "{a:?} {b:?}");
    let response = env.http.get(env.url(&paths::result(task))).send().await.unwrap();
    assert_eq!(response.bytes().await.unwrap().as_ref(), b"twice");
    env.shutdown().await;
}
