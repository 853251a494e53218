//! Prometheus metrics of the market (`GET /metrics`), through the `metrics` facade and its
//! Prometheus exporter. One recorder per process, installed on first use.
//!
//! | metric | kind | labels |
//! | --- | --- | --- |
//! | `poco_market_publish_total` | counter | `book`, `result` (`ok` or the error code) |
//! | `poco_market_publish_seconds` | histogram | `book` |
//! | `poco_market_list_seconds` | histogram | `book` |
//! | `poco_market_match_seconds` | histogram | `found` |
//! | `poco_market_chain_request_calls` | histogram | (calls per request to the node: the size of a batch, 1 for a lone call) |
//! | `poco_market_watcher_block` | gauge | |
//! | `poco_market_watcher_events_total` | counter | `event` |

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use poco_market_api::{Book, ErrorCode};
use std::{sync::OnceLock, time::Duration};

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Installs the process's Prometheus recorder (once); `None` if another recorder was installed
/// first (then `/metrics` answers empty).
pub fn install() -> Option<&'static PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new().build_recorder();
            let handle = recorder.handle();
            metrics::set_global_recorder(recorder).ok().map(|()| handle)
        })
        .as_ref()
}

/// The metrics in Prometheus' text format.
pub fn render() -> String {
    install().map(PrometheusHandle::render).unwrap_or_default()
}

/// A publication, accepted (`error` is `None`) or refused.
pub fn publish(book: Book, error: Option<ErrorCode>, elapsed: Duration) {
    let result = error.map_or("ok", ErrorCode::as_str);
    metrics::counter!("poco_market_publish_total", "book" => book.as_str(), "result" => result)
        .increment(1);
    metrics::histogram!("poco_market_publish_seconds", "book" => book.as_str())
        .record(elapsed.as_secs_f64());
}

/// A listing.
pub fn list(book: Book, elapsed: Duration) {
    metrics::histogram!("poco_market_list_seconds", "book" => book.as_str())
        .record(elapsed.as_secs_f64());
}

/// A best-match query.
pub fn best_match(found: bool, elapsed: Duration) {
    metrics::histogram!("poco_market_match_seconds", "found" => if found { "true" } else { "false" })
        .record(elapsed.as_secs_f64());
}

/// A request of chain reads went to the node with `calls` calls in it.
pub fn chain_request(calls: usize) {
    #[allow(clippy::cast_precision_loss)]
    metrics::histogram!("poco_market_chain_request_calls").record(calls as f64);
}

/// The watcher handled `block`.
pub fn watcher_block(block: u64) {
    #[allow(clippy::cast_precision_loss)]
    metrics::gauge!("poco_market_watcher_block").set(block as f64);
}

/// The watcher handled an event.
pub fn watcher_event(event: &'static str) {
    metrics::counter!("poco_market_watcher_events_total", "event" => event).increment(1);
}
