//! Log lines that carry the `trace_id` and `span_id` of the span they were written in.
//!
//! The log layer has its own filter (`RUST_LOG`, default `info`), so filtering logs never
//! disables the spans the trace layer sees, nor the propagation that depends on them.

use std::fmt;

use opentelemetry::trace::Span as _;
use tracing_core::{Event, Subscriber};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::Layer;
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::fmt::format::{Format, Writer};
use tracing_subscriber::fmt::time::{FormatTime as _, SystemTime};
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;

use crate::layer::OtelSpan;

/// How log lines are written (`TRACED_LOG_FORMAT`: `text`, `json` or `none`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogFormat {
    /// Human-readable lines, with `trace_id=` and `span_id=` at the end (the default).
    #[default]
    Text,
    /// One JSON object per line, with `trace_id` and `span_id` members.
    Json,
    /// No log lines (spans are still exported).
    None,
}

impl LogFormat {
    /// `TRACED_LOG_FORMAT`, or text.
    pub fn from_env() -> Self {
        match std::env::var("TRACED_LOG_FORMAT")
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase()
            .as_str()
        {
            "json" => LogFormat::Json,
            "none" | "off" => LogFormat::None,
            _ => LogFormat::Text,
        }
    }
}

/// The log layer for `format`, filtered by `RUST_LOG` (default `info`), and the most verbose
/// level at which it shows spans (in its lines' span context).
pub(crate) fn layer<S>(format: LogFormat) -> (Option<Box<dyn Layer<S> + Send + Sync>>, LevelFilter)
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let json = match format {
        LogFormat::None => return (None, LevelFilter::OFF),
        LogFormat::Text => false,
        LogFormat::Json => true,
    };
    // Without a hint (span-field directives), any level may be shown.
    let shown = filter.max_level_hint().unwrap_or(LevelFilter::TRACE);
    let layer = tracing_subscriber::fmt::layer()
        .with_ansi(!json && std::io::IsTerminal::is_terminal(&std::io::stdout()))
        .event_format(Correlated { json })
        .with_filter(filter)
        .boxed();
    (Some(layer), shown)
}

/// The trace and span ids of the span an event was written in.
fn ids<S>(
    ctx: &FmtContext<'_, S, impl for<'a> FormatFields<'a> + 'static>,
) -> Option<(String, String)>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    let ids = |sc: &opentelemetry::trace::SpanContext| {
        sc.is_valid()
            .then(|| (sc.trace_id().to_string(), sc.span_id().to_string()))
    };
    match ctx.lookup_current() {
        Some(span) => ids(span.extensions().get::<OtelSpan>()?.span.span_context()),
        // No span here, or one left out because it is not sampled (its context is current).
        None => ids(
            opentelemetry::trace::TraceContextExt::span(&opentelemetry::Context::current())
                .span_context(),
        ),
    }
}

/// The event formatter: tracing-subscriber's own format plus the ids, or JSON.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Correlated {
    json: bool,
}

impl<S, N> FormatEvent<S, N> for Correlated
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
        let ids = ids(ctx);
        if self.json {
            return write_json(ctx, writer, event, ids);
        }
        let mut line = String::new();
        Format::default()
            .with_ansi(writer.has_ansi_escapes())
            .format_event(ctx, Writer::new(&mut line), event)?;
        writer.write_str(line.trim_end_matches('\n'))?;
        if let Some((trace_id, span_id)) = ids {
            write!(writer, " trace_id={trace_id} span_id={span_id}")?;
        }
        writeln!(writer)
    }
}

fn write_json<S, N>(
    ctx: &FmtContext<'_, S, N>,
    mut writer: Writer<'_>,
    event: &Event<'_>,
    ids: Option<(String, String)>,
) -> fmt::Result
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    use serde_json::{Map, Value};
    let mut timestamp = String::new();
    SystemTime.format_time(&mut Writer::new(&mut timestamp))?;
    let mut fields = Map::new();
    event.record(&mut JsonVisitor(&mut fields));
    let mut object = Map::new();
    object.insert("timestamp".into(), Value::String(timestamp));
    object.insert(
        "level".into(),
        Value::String(event.metadata().level().to_string()),
    );
    object.insert(
        "target".into(),
        Value::String(event.metadata().target().to_owned()),
    );
    if let Some(message) = fields.remove("message") {
        object.insert("message".into(), message);
    }
    object.insert("fields".into(), Value::Object(fields));
    if let Some(span) = ctx.lookup_current() {
        object.insert("span".into(), Value::String(span.name().to_owned()));
    }
    if let Some((trace_id, span_id)) = ids {
        object.insert("trace_id".into(), Value::String(trace_id));
        object.insert("span_id".into(), Value::String(span_id));
    }
    let line = serde_json::to_string(&Value::Object(object)).map_err(|_| fmt::Error)?;
    writeln!(writer, "{line}")
}

struct JsonVisitor<'a>(&'a mut serde_json::Map<String, serde_json::Value>);

impl tracing_core::field::Visit for JsonVisitor<'_> {
    fn record_i64(&mut self, field: &tracing_core::Field, value: i64) {
        self.0.insert(field.name().into(), value.into());
    }

    fn record_u64(&mut self, field: &tracing_core::Field, value: u64) {
        self.0.insert(field.name().into(), value.into());
    }

    fn record_f64(&mut self, field: &tracing_core::Field, value: f64) {
        self.0.insert(field.name().into(), value.into());
    }

    fn record_bool(&mut self, field: &tracing_core::Field, value: bool) {
        self.0.insert(field.name().into(), value.into());
    }

    fn record_str(&mut self, field: &tracing_core::Field, value: &str) {
        self.0.insert(field.name().into(), value.into());
    }

    fn record_debug(&mut self, field: &tracing_core::Field, value: &dyn fmt::Debug) {
        self.0
            .insert(field.name().into(), format!("{value:?}").into());
    }
}
