//! The scheduler's Prometheus metrics (`GET /metrics`).
//!
//! Each scheduler holds its own recorder (not the process-global one), so several schedulers,
//! or a scheduler and a market, can share a process (tests, `poco devnet`) and each `/metrics`
//! answers only its own figures. Gauges of state (workers, slots, tasks per state, transitions)
//! are refreshed from the registry and the database when scraped, so they are right after a
//! restart; request durations are recorded as requests are served.
//!
//! | metric | kind | labels |
//! | --- | --- | --- |
//! | `poco_scheduler_workers_alive` | gauge | |
//! | `poco_scheduler_slots` | gauge | |
//! | `poco_scheduler_busy_slots` | gauge | |
//! | `poco_scheduler_tasks` | gauge | `state` |
//! | `poco_scheduler_transitions_total` | counter | `event` (timeline entries, from the database) |
//! | `poco_scheduler_last_block` | gauge | |
//! | `poco_scheduler_published_volume` | gauge | (open volume of the pool's orders on the market) |
//! | `poco_scheduler_http_request_duration_seconds` | histogram | `method`, `route`, `status` |

use axum::{
    extract::{MatchedPath, Request, State},
    middleware::Next,
    response::Response,
};
use metrics::{Key, Label, Level, Metadata, Recorder, SharedString, Unit};
use metrics_exporter_prometheus::{
    Matcher, PrometheusBuilder, PrometheusHandle, PrometheusRecorder,
};
use poco_scheduler_api::PoolStats;
use std::{fmt, sync::Arc, time::Instant};

const WORKERS_ALIVE: &str = "poco_scheduler_workers_alive";
const SLOTS: &str = "poco_scheduler_slots";
const BUSY_SLOTS: &str = "poco_scheduler_busy_slots";
const TASKS: &str = "poco_scheduler_tasks";
const TRANSITIONS: &str = "poco_scheduler_transitions_total";
const LAST_BLOCK: &str = "poco_scheduler_last_block";
const PUBLISHED_VOLUME: &str = "poco_scheduler_published_volume";
const HTTP_DURATION: &str = "poco_scheduler_http_request_duration_seconds";

/// Buckets of the request-duration histogram (seconds).
const HTTP_BUCKETS: &[f64] =
    &[0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];

static METADATA: Metadata<'static> = Metadata::new("poco_scheduler", Level::INFO, None);

/// One scheduler's metrics.
#[derive(Clone)]
pub struct Metrics {
    recorder: Arc<PrometheusRecorder>,
    handle: PrometheusHandle,
}

impl fmt::Debug for Metrics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

fn key(name: &'static str, labels: Vec<Label>) -> Key {
    Key::from_parts(name, labels)
}

impl Metrics {
    /// A fresh recorder with every metric described.
    pub fn new() -> Self {
        // Only fails on an empty bucket list.
        let builder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Full(HTTP_DURATION.into()), HTTP_BUCKETS)
            .unwrap_or_else(|_| PrometheusBuilder::new());
        let recorder = builder.build_recorder();
        let handle = recorder.handle();
        let describe = |name: &'static str, unit: Option<Unit>, text: &'static str| {
            recorder.describe_gauge(name.into(), unit, SharedString::const_str(text));
        };
        describe(WORKERS_ALIVE, None, "Workers logged in, registered and not lost.");
        describe(SLOTS, None, "Task slots the alive workers declared.");
        describe(BUSY_SLOTS, None, "Slots holding a live replicate.");
        describe(TASKS, None, "Tasks per state.");
        describe(LAST_BLOCK, None, "The last chain block the scheduler saw.");
        describe(PUBLISHED_VOLUME, None, "Open volume of the pool's orders on the market.");
        recorder.describe_counter(
            TRANSITIONS.into(),
            None,
            SharedString::const_str("Timeline entries written, per event."),
        );
        recorder.describe_histogram(
            HTTP_DURATION.into(),
            Some(Unit::Seconds),
            SharedString::const_str("Time to answer an HTTP request."),
        );
        Self { recorder: Arc::new(recorder), handle }
    }

    fn gauge(&self, name: &'static str, labels: Vec<Label>, value: f64) {
        self.recorder.register_gauge(&key(name, labels), &METADATA).set(value);
    }

    /// Records the pool's figures (from `GET /v1/stats`) and the transition counts.
    #[allow(clippy::cast_precision_loss)]
    pub fn record_state(&self, stats: &PoolStats, transitions: &[(String, u64)]) {
        self.gauge(WORKERS_ALIVE, vec![], stats.alive_workers as f64);
        self.gauge(SLOTS, vec![], stats.slots as f64);
        self.gauge(BUSY_SLOTS, vec![], stats.busy_slots as f64);
        self.gauge(LAST_BLOCK, vec![], stats.last_block as f64);
        for (state, n) in &stats.tasks {
            self.gauge(TASKS, vec![Label::new("state", state.as_str())], *n as f64);
        }
        for (event, n) in transitions {
            self.recorder
                .register_counter(
                    &key(TRANSITIONS, vec![Label::new("event", event.clone())]),
                    &METADATA,
                )
                .absolute(*n);
        }
    }

    /// The open volume the publisher keeps on the market.
    #[allow(clippy::cast_precision_loss)]
    pub fn published_volume(&self, volume: u64) {
        self.gauge(PUBLISHED_VOLUME, vec![], volume as f64);
    }

    /// One answered HTTP request.
    pub fn http_request(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let labels = vec![
            Label::new("method", method.to_owned()),
            Label::new("route", route.to_owned()),
            Label::new("status", status.to_string()),
        ];
        self.recorder.register_histogram(&key(HTTP_DURATION, labels), &METADATA).record(seconds);
    }

    /// Everything in Prometheus' text format.
    pub fn render(&self) -> String {
        self.handle.render()
    }
}

/// Middleware timing every request under its route template (`/v1/tasks/{task_id}`, bounded
/// cardinality; unmatched paths count as `unmatched`).
pub async fn track(State(metrics): State<Metrics>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().as_str().to_owned();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |path| path.as_str().to_owned());
    let response = next.run(request).await;
    metrics.http_request(
        &method,
        &route,
        response.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use poco_scheduler_api::TaskState;

    #[test]
    fn two_recorders_keep_their_own_figures() {
        let a = Metrics::new();
        let b = Metrics::new();
        let stats = PoolStats {
            alive_workers: 3,
            slots: 7,
            busy_slots: 2,
            tasks: vec![(TaskState::Received, 4)],
            last_block: 42,
            ..PoolStats::default()
        };
        a.record_state(&stats, &[("CREATED".into(), 4)]);
        a.http_request("GET", "/v1/stats", 200, 0.003);
        let text = a.render();
        assert!(text.contains("poco_scheduler_workers_alive 3"), "{text}");
        assert!(text.contains("poco_scheduler_slots 7"), "{text}");
        assert!(text.contains("poco_scheduler_tasks{state=\"RECEIVED\"} 4"), "{text}");
        assert!(text.contains("poco_scheduler_transitions_total{event=\"CREATED\"} 4"), "{text}");
        assert!(text.contains("poco_scheduler_http_request_duration_seconds_bucket"), "{text}");
        assert!(!b.render().contains("poco_scheduler_workers_alive 3"));
    }
}
