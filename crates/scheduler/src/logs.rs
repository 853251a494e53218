//! [`JsonLines`]: the `--json` log format of the `poco-scheduler` binary (feature `cli`): one
//! JSON object per event, for log collectors.
//!
//! ```text
//! {"timestampMs":1796000000000,"level":"INFO","target":"poco_scheduler::publisher",
//!  "message":"Workerpool order published.","fields":{"order":"0x…","volume":4},
//!  "spans":[{"name":"reconcile","fields":"workerpool=0x…"}]}
//! ```

use serde_json::{Map, Value, json};
use std::{
    fmt,
    time::{Duration, SystemTime, UNIX_EPOCH},
};
use tracing::{
    Event, Subscriber,
    field::{Field, Visit},
};
use tracing_subscriber::{
    fmt::{FmtContext, FormatEvent, FormatFields, FormattedFields, format::Writer},
    registry::LookupSpan,
};

/// One JSON object per line (see the module docs).
#[derive(Clone, Copy, Debug, Default)]
pub struct JsonLines;

#[derive(Default)]
struct Fields(Map<String, Value>);

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.0.insert(field.name().to_owned(), Value::String(format!("{value:?}")));
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), Value::String(value.to_owned()));
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.0.insert(field.name().to_owned(), json!(value));
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.insert(field.name().to_owned(), json!(value));
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.0.insert(field.name().to_owned(), json!(value));
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        self.0.insert(field.name().to_owned(), json!(value));
    }

    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        self.0.insert(field.name().to_owned(), Value::String(value.to_string()));
    }
}

impl<S, N> FormatEvent<S, N> for JsonLines
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let mut fields = Fields::default();
        event.record(&mut fields);
        let message = fields.0.remove("message").unwrap_or(Value::Null);
        let spans: Vec<Value> = ctx
            .event_scope()
            .map(|scope| {
                scope
                    .from_root()
                    .map(|span| {
                        let extensions = span.extensions();
                        let text = extensions
                            .get::<FormattedFields<N>>()
                            .map(|formatted| formatted.fields.clone())
                            .unwrap_or_default();
                        json!({ "name": span.name(), "fields": text })
                    })
                    .collect()
            })
            .unwrap_or_default();
        let since = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or(Duration::ZERO);
        let line = json!({
            "timestampMs": u64::try_from(since.as_millis()).unwrap_or(u64::MAX),
            "level": event.metadata().level().as_str(),
            "target": event.metadata().target(),
            "message": message,
            "fields": Value::Object(fields.0),
            "spans": spans,
        });
        writeln!(writer, "{line}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Sink(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Sink {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn each_event_is_one_json_object_with_its_fields_and_spans() {
        let sink = Sink::default();
        let writer = sink.clone();
        let subscriber = tracing_subscriber::fmt()
            .event_format(JsonLines)
            .with_writer(move || writer.clone())
            .finish();
        tracing::subscriber::with_default(subscriber, || {
            let span = tracing::info_span!("reconcile", workerpool = "0xabc");
            let _entered = span.enter();
            tracing::info!(volume = 4_u64, order = %"0x01", "Workerpool order published.");
        });
        let text = String::from_utf8(sink.0.lock().unwrap().clone()).unwrap();
        let line: Value = serde_json::from_str(text.trim()).unwrap();
        assert_eq!(line["level"], "INFO");
        assert_eq!(line["message"], "Workerpool order published.");
        assert_eq!(line["fields"]["volume"], 4);
        assert_eq!(line["fields"]["order"], "0x01");
        assert_eq!(line["spans"][0]["name"], "reconcile");
        assert!(line["spans"][0]["fields"].as_str().unwrap().contains("0xabc"));
    }
}
