//! JSON-RPC over WebSocket (`GET /` upgraded, same port as HTTP): every method, plus
//! `eth_subscribe` (`newHeads`, `logs` with a filter, `newPendingTransactions`) and
//! `eth_unsubscribe`, whose notifications are pushed as `eth_subscription` messages.

use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex, PoisonError,
        atomic::{AtomicU64, Ordering},
    },
};

use alloy::{primitives::U128, rpc::types::Filter};
use axum::{
    extract::{
        State,
        ws::{Message, WebSocket, WebSocketUpgrade},
    },
    response::Response,
};
use serde_json::{Value, json};
use tokio::sync::broadcast::error::RecvError;

use super::{ChainEvent, RpcResult, SharedContext, error::RpcError, params::Params};

/// The largest message accepted (as for HTTP bodies).
const MAX_MESSAGE: usize = 5 * 1024 * 1024;

/// Subscription ids, unique in the process.
static NEXT_SUBSCRIPTION: AtomicU64 = AtomicU64::new(1);

#[derive(Clone, Debug)]
enum Subscription {
    NewHeads,
    Logs(Box<Filter>),
    PendingTransactions,
}

type Subscriptions = Arc<Mutex<HashMap<U128, Subscription>>>;

/// `GET /` with an upgrade: a WebSocket session.
pub(crate) async fn upgrade(
    State(context): State<SharedContext>,
    ws: WebSocketUpgrade,
) -> Response {
    ws.max_message_size(MAX_MESSAGE).on_upgrade(move |socket| session(context, socket))
}

async fn session(context: SharedContext, mut socket: WebSocket) {
    let mut events = context.events.subscribe();
    let subscriptions: Subscriptions = Arc::default();
    loop {
        tokio::select! {
            message = socket.recv() => {
                let body = match message {
                    Some(Ok(Message::Text(text))) => text.as_str().as_bytes().to_vec(),
                    Some(Ok(Message::Binary(bytes))) => bytes.to_vec(),
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                    Some(Ok(Message::Close(_)) | Err(_)) | None => break,
                };
                let (context, subscriptions) = (context.clone(), subscriptions.clone());
                let answer = tokio::task::spawn_blocking(move || {
                    let intercept = |method: &str, params: &Params| {
                        subscription_method(&subscriptions, method, params)
                    };
                    context.handle_body_with(&body, &intercept)
                })
                .await;
                let answer = match answer {
                    Ok(Some(answer)) => answer,
                    Ok(None) => continue,
                    Err(error) => {
                        tracing::error!(%error, "A WebSocket request panicked.");
                        json!({ "jsonrpc": "2.0", "id": null, "error": RpcError::internal("internal error") })
                    }
                };
                if socket.send(Message::Text(answer.to_string().into())).await.is_err() {
                    break;
                }
            }
            event = events.recv() => {
                let event = match event {
                    Ok(event) => event,
                    Err(RecvError::Lagged(missed)) => {
                        tracing::warn!(missed, "A WebSocket subscriber fell behind; events dropped.");
                        continue;
                    }
                    Err(RecvError::Closed) => break,
                };
                for notification in notifications(&subscriptions, &event) {
                    if socket.send(Message::Text(notification.to_string().into())).await.is_err() {
                        return;
                    }
                }
            }
        }
    }
}

/// `eth_subscribe` and `eth_unsubscribe`; `None` for any other method.
fn subscription_method(
    subscriptions: &Subscriptions,
    method: &str,
    params: &Params,
) -> Option<RpcResult> {
    let mut subscriptions = subscriptions.lock().unwrap_or_else(PoisonError::into_inner);
    match method {
        "eth_subscribe" => Some((|| {
            let kind: String = params.required(0)?;
            let subscription = match kind.as_str() {
                "newHeads" => Subscription::NewHeads,
                "logs" => Subscription::Logs(Box::new(params.optional(1)?.unwrap_or_default())),
                "newPendingTransactions" => Subscription::PendingTransactions,
                other => {
                    return Err(RpcError::invalid_params(format!(
                        "unsupported subscription: {other}"
                    )));
                }
            };
            let id = U128::from(NEXT_SUBSCRIPTION.fetch_add(1, Ordering::Relaxed));
            subscriptions.insert(id, subscription);
            Ok(json!(id))
        })()),
        "eth_unsubscribe" => Some(params.required::<alloy::primitives::U256>(0).map(|id| {
            let removed = u128::try_from(id)
                .ok()
                .is_some_and(|id| subscriptions.remove(&U128::from(id)).is_some());
            Value::Bool(removed)
        })),
        _ => None,
    }
}

/// The `eth_subscription` messages `event` gives this session's subscriptions.
fn notifications(subscriptions: &Subscriptions, event: &ChainEvent) -> Vec<Value> {
    let subscriptions = subscriptions.lock().unwrap_or_else(PoisonError::into_inner);
    let mut out = Vec::new();
    let mut notify = |id: &U128, result: Value| {
        out.push(json!({
            "jsonrpc": "2.0",
            "method": "eth_subscription",
            "params": { "subscription": id, "result": result },
        }));
    };
    for (id, subscription) in subscriptions.iter() {
        match (subscription, event) {
            (Subscription::NewHeads, ChainEvent::Block(block)) => notify(id, json!(block.0)),
            (Subscription::Logs(filter), ChainEvent::Block(block)) => {
                for log in block.1.iter().filter(|log| filter.matches(&log.inner)) {
                    notify(id, json!(log));
                }
            }
            (Subscription::PendingTransactions, ChainEvent::PendingTransaction(hash)) => {
                notify(id, json!(hash));
            }
            _ => {}
        }
    }
    out
}
