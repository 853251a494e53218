//! The server: `POST /` takes a JSON-RPC request or batch over HTTP; `GET /` upgrades to a
//! WebSocket session (see `ws`), on the same port.

use axum::{
    Router,
    body::Bytes,
    extract::State,
    http::{StatusCode, header},
    response::{IntoResponse, Response},
    routing::post,
};
use tower_http::{cors::CorsLayer, trace::TraceLayer};

use super::{SharedContext, error::RpcError};

/// The largest request body accepted (geth's 5 MiB).
const MAX_BODY: usize = 5 * 1024 * 1024;

/// The router of the JSON-RPC server.
pub(crate) fn router(context: SharedContext) -> Router {
    Router::new()
        .route("/", post(rpc).get(super::ws::upgrade))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY))
        .layer(CorsLayer::permissive())
        .layer(TraceLayer::new_for_http())
        .with_state(context)
}

async fn rpc(State(context): State<SharedContext>, body: Bytes) -> Response {
    // Execution is CPU work under a lock: off the async workers.
    let answer = tokio::task::spawn_blocking(move || context.handle_body(&body)).await;
    match answer {
        Ok(Some(answer)) => json(StatusCode::OK, answer.to_string()),
        Ok(None) => StatusCode::NO_CONTENT.into_response(),
        Err(error) => {
            tracing::error!(%error, "A JSON-RPC request panicked.");
            let error = RpcError::internal("internal error");
            let body = serde_json::json!({ "jsonrpc": "2.0", "id": null, "error": error });
            json(StatusCode::INTERNAL_SERVER_ERROR, body.to_string())
        }
    }
}

fn json(status: StatusCode, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}
