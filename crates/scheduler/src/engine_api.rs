//! The engine's worker routes (pending: not declared in `lib.rs` yet, see the crate README of
//! the engine work): ask for work (long poll), replicate reports, and the push channel (SSE).
//! They use `api.rs`'s `ApiError`, `bearer` and the `PathRejection` conversion when merged back.

type EngineState = State<Engine>;

/// `GET /v1/work?waitMs=`: the long poll for an assignment (see [`Engine::try_assign`]). Held
/// until a task fits (woken by the engine, no polling) or `min(waitMs, maxWaitMs)` passed (204).
async fn work(
    State(engine): EngineState,
    headers: HeaderMap,
    query: Result<Query<WorkQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let api = engine.api();
    let worker = bearer(api, &headers)?;
    let Query(query) = query?;
    api.registry.heartbeat(worker, (api.clock)())?;
    let info = api
        .registry
        .worker(worker)
        .ok_or_else(|| Refusal::new(ErrorCode::NotRegistered, "register first"))?;
    let wait = Duration::from_millis(query.wait_ms.min(api.config.max_wait_ms));
    let until = tokio::time::Instant::now() + wait;
    loop {
        let notified = engine.inner.work.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        if let Some(assignment) = engine.try_assign(worker, &info).await? {
            return Ok(Json(assignment).into_response());
        }
        tokio::select! {
            () = notified => {}
            () = tokio::time::sleep_until(until) => return Ok(StatusCode::NO_CONTENT.into_response()),
        }
    }
}

/// `POST /v1/replicates/{taskId}/status`.
async fn status(
    State(engine): EngineState,
    headers: HeaderMap,
    task: Result<Path<TaskId>, PathRejection>,
    body: Result<Json<ReplicateReport>, JsonRejection>,
) -> Result<impl IntoResponse, ApiError> {
    let api = engine.api();
    let worker = bearer(api, &headers)?;
    let Path(task_id) = task?;
    let Json(report) = body?;
    api.registry.heartbeat(worker, (api.clock)())?;
    Ok(Json(engine.report(worker, task_id, report).await?))
}

/// `GET /v1/workers/events`: the worker's push messages as server-sent events (`event` is the
/// action, `data` the `PushMessage` JSON).
async fn events(State(engine): EngineState, headers: HeaderMap) -> Result<Response, ApiError> {
    let worker = bearer(engine.api(), &headers)?;
    let receiver = engine.inner.push.subscribe();
    let stream = futures_util::stream::unfold(receiver, move |mut receiver| async move {
        loop {
            match receiver.recv().await {
                Ok((to, message)) if to == worker => {
                    let name = serde_json::to_value(&message.action)
                        .ok()
                        .and_then(|value| {
                            value.get("action").and_then(|a| a.as_str().map(str::to_owned))
                        })
                        .unwrap_or_default();
                    let event = Event::default().event(name).json_data(&message);
                    match event {
                        Ok(event) => {
                            return Some((Ok::<_, std::convert::Infallible>(event), receiver));
                        }
                        Err(error) => warn!(%error, "Push message not encoded."),
                    }
                }
                Ok(_) => {}
                Err(tokio::sync::broadcast::error::RecvError::Lagged(missed)) => {
                    // The worker learns what it missed from its next report's answer.
                    warn!(%worker, missed, "Push stream lagged.");
                }
                Err(tokio::sync::broadcast::error::RecvError::Closed) => return None,
            }
        }
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()).into_response())
}

/// The engine's worker routes: work, replicate status, push events.
pub fn engine_router(engine: Engine) -> Router {
    Router::new()
        .route(paths::WORK, get(work))
        .route(paths::REPLICATE_STATUS, post(status))
        .route(paths::EVENTS, get(events))
        .with_state(engine)
}
