//! Conversions from both span sources into [`ExportedSpan`]. The SDK side
//! mirrors what `opentelemetry-proto`'s transform does before sending, so a
//! span read from `SpanData` equals the same span read off the wire (except
//! for `resource`, which the SDK does not store on the span).

use std::fmt::Write as _;
use std::time::{SystemTime, UNIX_EPOCH};

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue, any_value};
use opentelemetry_proto::tonic::trace::v1 as proto;
use opentelemetry_sdk::trace::SpanData;

use crate::model::{AttrValue, ExportedEvent, ExportedLink, ExportedSpan, SpanKind, SpanStatus};

// Values of the proto `SpanFlags` enum; the SDK path has to add them by hand
// because `opentelemetry-proto` keeps its helper crate-private.
const CONTEXT_HAS_IS_REMOTE: u32 = proto::SpanFlags::ContextHasIsRemoteMask as u32;
const CONTEXT_IS_REMOTE: u32 = proto::SpanFlags::ContextIsRemoteMask as u32;

fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        // Writing into a String cannot fail.
        let _ = write!(out, "{b:02x}");
    }
    out
}

fn parent_hex(bytes: &[u8]) -> Option<String> {
    // Some exporters send 8 zero bytes instead of omitting the field.
    (!bytes.iter().all(|&b| b == 0)).then(|| hex(bytes))
}

fn unix_nanos(time: SystemTime) -> u64 {
    // Same saturation as the OTLP transform, so both sources agree.
    time.duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
}

fn span_flags(trace_flags: u8, parent_is_remote: bool) -> u32 {
    let mut flags = u32::from(trace_flags) | CONTEXT_HAS_IS_REMOTE;
    if parent_is_remote {
        flags |= CONTEXT_IS_REMOTE;
    }
    flags
}

// ---------------------------------------------------------------- wire side

impl From<&AnyValue> for AttrValue {
    /// OTLP can carry shapes the model has no variant for; they are mapped
    /// so nothing is silently dropped: a key/value list becomes an array of
    /// `[Str(key), value]` pairs, an absent value an empty string, and a
    /// string-table index (profiles only) its index as `I64`.
    fn from(value: &AnyValue) -> Self {
        match &value.value {
            Some(any_value::Value::StringValue(s)) => Self::Str(s.clone()),
            Some(any_value::Value::BoolValue(b)) => Self::Bool(*b),
            Some(any_value::Value::IntValue(i)) => Self::I64(*i),
            Some(any_value::Value::DoubleValue(d)) => Self::F64(*d),
            Some(any_value::Value::BytesValue(b)) => Self::Bytes(b.clone()),
            Some(any_value::Value::ArrayValue(a)) => {
                Self::Array(a.values.iter().map(Self::from).collect())
            }
            Some(any_value::Value::KvlistValue(kvs)) => Self::Array(
                kvs.values
                    .iter()
                    .map(|kv| {
                        let (k, v) = proto_key_value(kv);
                        Self::Array(vec![Self::Str(k), v])
                    })
                    .collect(),
            ),
            Some(any_value::Value::StringValueStrindex(i)) => Self::I64(i64::from(*i)),
            None => Self::Str(String::new()),
        }
    }
}

fn proto_key_value(kv: &KeyValue) -> (String, AttrValue) {
    let value = kv
        .value
        .as_ref()
        .map_or_else(|| AttrValue::Str(String::new()), AttrValue::from);
    (kv.key.clone(), value)
}

fn proto_attributes(kvs: &[KeyValue]) -> Vec<(String, AttrValue)> {
    kvs.iter().map(proto_key_value).collect()
}

fn proto_kind(kind: i32) -> SpanKind {
    match proto::span::SpanKind::try_from(kind) {
        Ok(proto::span::SpanKind::Internal) => SpanKind::Internal,
        Ok(proto::span::SpanKind::Server) => SpanKind::Server,
        Ok(proto::span::SpanKind::Client) => SpanKind::Client,
        Ok(proto::span::SpanKind::Producer) => SpanKind::Producer,
        Ok(proto::span::SpanKind::Consumer) => SpanKind::Consumer,
        Ok(proto::span::SpanKind::Unspecified) | Err(_) => SpanKind::Unspecified,
    }
}

fn proto_status(status: Option<&proto::Status>) -> SpanStatus {
    let Some(status) = status else {
        return SpanStatus::Unset;
    };
    match proto::status::StatusCode::try_from(status.code) {
        Ok(proto::status::StatusCode::Ok) => SpanStatus::Ok,
        Ok(proto::status::StatusCode::Error) => SpanStatus::Error(status.message.clone()),
        Ok(proto::status::StatusCode::Unset) | Err(_) => SpanStatus::Unset,
    }
}

impl From<&proto::Span> for ExportedSpan {
    /// A bare proto span knows nothing of its resource or scope; use
    /// [`ExportedSpan::from_resource_spans`] to fill those in.
    fn from(span: &proto::Span) -> Self {
        Self {
            trace_id: hex(&span.trace_id),
            span_id: hex(&span.span_id),
            parent_span_id: parent_hex(&span.parent_span_id),
            trace_state: span.trace_state.clone(),
            flags: span.flags,
            name: span.name.clone(),
            kind: proto_kind(span.kind),
            attributes: proto_attributes(&span.attributes),
            status: proto_status(span.status.as_ref()),
            events: span
                .events
                .iter()
                .map(|e| ExportedEvent {
                    name: e.name.clone(),
                    attributes: proto_attributes(&e.attributes),
                })
                .collect(),
            links: span
                .links
                .iter()
                .map(|l| ExportedLink {
                    trace_id: hex(&l.trace_id),
                    span_id: hex(&l.span_id),
                    attributes: proto_attributes(&l.attributes),
                })
                .collect(),
            resource: Vec::new(),
            scope_name: String::new(),
            start_unix_nanos: span.start_time_unix_nano,
            end_unix_nanos: span.end_time_unix_nano,
        }
    }
}

impl ExportedSpan {
    /// All spans of one `ResourceSpans`, each carrying that resource and its
    /// scope's name, in wire order.
    pub fn from_resource_spans(resource_spans: &proto::ResourceSpans) -> Vec<Self> {
        let resource = resource_spans
            .resource
            .as_ref()
            .map(|r| proto_attributes(&r.attributes))
            .unwrap_or_default();
        resource_spans
            .scope_spans
            .iter()
            .flat_map(|scope_spans| {
                let scope_name = scope_spans
                    .scope
                    .as_ref()
                    .map(|s| s.name.clone())
                    .unwrap_or_default();
                let resource = &resource;
                scope_spans.spans.iter().map(move |span| Self {
                    resource: resource.clone(),
                    scope_name: scope_name.clone(),
                    ..Self::from(span)
                })
            })
            .collect()
    }

    /// All spans of one Export call, in wire order.
    pub fn from_export_request(request: &ExportTraceServiceRequest) -> Vec<Self> {
        request
            .resource_spans
            .iter()
            .flat_map(Self::from_resource_spans)
            .collect()
    }
}

// ----------------------------------------------------------------- SDK side

impl From<&opentelemetry::Value> for AttrValue {
    /// `Value` and `Array` are `#[non_exhaustive]`; a variant added by a later
    /// API version falls back to its `Display` form instead of failing to build.
    fn from(value: &opentelemetry::Value) -> Self {
        use opentelemetry::{Array, Value};
        match value {
            Value::Bool(b) => Self::Bool(*b),
            Value::I64(i) => Self::I64(*i),
            Value::F64(f) => Self::F64(*f),
            Value::String(s) => Self::Str(s.as_str().to_owned()),
            Value::Array(Array::Bool(v)) => {
                Self::Array(v.iter().copied().map(Self::Bool).collect())
            }
            Value::Array(Array::I64(v)) => Self::Array(v.iter().copied().map(Self::I64).collect()),
            Value::Array(Array::F64(v)) => Self::Array(v.iter().copied().map(Self::F64).collect()),
            Value::Array(Array::String(v)) => {
                Self::Array(v.iter().map(|s| Self::Str(s.as_str().to_owned())).collect())
            }
            other => Self::Str(other.to_string()),
        }
    }
}

fn sdk_attributes(kvs: &[opentelemetry::KeyValue]) -> Vec<(String, AttrValue)> {
    kvs.iter()
        .map(|kv| (kv.key.as_str().to_owned(), AttrValue::from(&kv.value)))
        .collect()
}

impl From<&SpanData> for ExportedSpan {
    /// `resource` stays empty: the SDK hands the resource to the exporter,
    /// not to each span.
    fn from(span: &SpanData) -> Self {
        use opentelemetry::trace::{SpanId, SpanKind as Kind, Status};
        let ctx = &span.span_context;
        Self {
            trace_id: hex(&ctx.trace_id().to_bytes()),
            span_id: hex(&ctx.span_id().to_bytes()),
            parent_span_id: (span.parent_span_id != SpanId::INVALID)
                .then(|| hex(&span.parent_span_id.to_bytes())),
            trace_state: ctx.trace_state().header(),
            flags: span_flags(ctx.trace_flags().to_u8(), span.parent_span_is_remote),
            name: span.name.to_string(),
            kind: match span.span_kind {
                Kind::Internal => SpanKind::Internal,
                Kind::Server => SpanKind::Server,
                Kind::Client => SpanKind::Client,
                Kind::Producer => SpanKind::Producer,
                Kind::Consumer => SpanKind::Consumer,
            },
            attributes: sdk_attributes(&span.attributes),
            status: match &span.status {
                Status::Unset => SpanStatus::Unset,
                Status::Ok => SpanStatus::Ok,
                Status::Error { description } => SpanStatus::Error(description.to_string()),
            },
            events: span
                .events
                .iter()
                .map(|e| ExportedEvent {
                    name: e.name.to_string(),
                    attributes: sdk_attributes(&e.attributes),
                })
                .collect(),
            links: span
                .links
                .iter()
                .map(|l| ExportedLink {
                    trace_id: hex(&l.span_context.trace_id().to_bytes()),
                    span_id: hex(&l.span_context.span_id().to_bytes()),
                    attributes: sdk_attributes(&l.attributes),
                })
                .collect(),
            resource: Vec::new(),
            scope_name: span.instrumentation_scope.name().to_owned(),
            start_unix_nanos: unix_nanos(span.start_time),
            end_unix_nanos: unix_nanos(span.end_time),
        }
    }
}
