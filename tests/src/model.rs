//! One span model shared by the in-memory and the wire paths, so a test can
//! switch exporters without rewriting its assertions.

/// An attribute value, kept with the type it was recorded with so tests can
/// tell an `i64` from the string of its digits.
#[derive(Debug, Clone, PartialEq)]
pub enum AttrValue {
    /// A string value.
    Str(String),
    /// A boolean value.
    Bool(bool),
    /// A signed integer value; never widened to `F64` or stringified.
    I64(i64),
    /// A floating point value.
    F64(f64),
    /// A list of values; the OpenTelemetry API only produces homogeneous ones.
    Array(Vec<AttrValue>),
    /// Raw bytes; only reachable from the wire, the Rust API cannot record them.
    Bytes(Vec<u8>),
}

/// The role of a span, independent of which source it was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SpanKind {
    /// An operation inside the application.
    Internal,
    /// Handling of an incoming request.
    Server,
    /// An outgoing request.
    Client,
    /// The sending side of an asynchronous message.
    Producer,
    /// The receiving side of an asynchronous message.
    Consumer,
    /// No kind on the wire (proto value 0 or one this crate does not know).
    #[default]
    Unspecified,
}

/// Span status with the error description inline, so a test can match on it
/// in one pattern.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub enum SpanStatus {
    /// Nobody set a status.
    #[default]
    Unset,
    /// Explicitly marked successful.
    Ok,
    /// Failed; carries the description.
    Error(String),
}

/// A timed annotation recorded on a span.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ExportedEvent {
    /// Event name.
    pub name: String,
    /// Event attributes in recording order.
    pub attributes: Vec<(String, AttrValue)>,
}

/// A reference from one span to another, possibly in a different trace.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ExportedLink {
    /// 32 lowercase hex digits.
    pub trace_id: String,
    /// 16 lowercase hex digits.
    pub span_id: String,
    /// Link attributes in recording order.
    pub attributes: Vec<(String, AttrValue)>,
}

/// One finished span in plain owned data, so tests can compare and print it
/// without knowing whether it came from the SDK or from the wire.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ExportedSpan {
    /// 32 lowercase hex digits.
    pub trace_id: String,
    /// 16 lowercase hex digits.
    pub span_id: String,
    /// `None` for a root span (empty or all-zero id on the wire).
    pub parent_span_id: Option<String>,
    /// W3C `tracestate` header value; empty when there is none.
    pub trace_state: String,
    /// OTLP span flags: the W3C trace flags in the low byte plus the
    /// "has is-remote" / "is-remote" bits, computed the same way for both
    /// sources so they compare equal.
    pub flags: u32,
    /// Span name.
    pub name: String,
    /// Span kind.
    pub kind: SpanKind,
    /// Span attributes in recording order.
    pub attributes: Vec<(String, AttrValue)>,
    /// Span status.
    pub status: SpanStatus,
    /// Events in recording order.
    pub events: Vec<ExportedEvent>,
    /// Links in recording order.
    pub links: Vec<ExportedLink>,
    /// Resource attributes; always empty for spans read from `SpanData`,
    /// because the SDK keeps the resource in the exporter, not in the span.
    pub resource: Vec<(String, AttrValue)>,
    /// Name of the instrumentation scope (the tracer name).
    pub scope_name: String,
    /// Start time in nanoseconds since the Unix epoch.
    pub start_unix_nanos: u64,
    /// End time in nanoseconds since the Unix epoch.
    pub end_unix_nanos: u64,
}

fn lookup<'a>(attributes: &'a [(String, AttrValue)], key: &str) -> Option<&'a AttrValue> {
    // The SDK keeps duplicate keys in recording order; the last one is the
    // value the span ended with.
    attributes
        .iter()
        .rev()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v)
}

impl AttrValue {
    /// The string, if this is a `Str`; no conversion from other types so a
    /// type mismatch shows up as `None` in the test.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Self::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The integer, if this is an `I64`.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Self::I64(v) => Some(*v),
            _ => None,
        }
    }

    /// The boolean, if this is a `Bool`.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Self::Bool(v) => Some(*v),
            _ => None,
        }
    }

    /// The float, if this is an `F64`.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Self::F64(v) => Some(*v),
            _ => None,
        }
    }
}

impl ExportedSpan {
    /// The value recorded under `key`.
    pub fn attr(&self, key: &str) -> Option<&AttrValue> {
        lookup(&self.attributes, key)
    }

    /// The value under `key`, only if it was recorded as a string.
    pub fn str_attr(&self, key: &str) -> Option<&str> {
        self.attr(key).and_then(AttrValue::as_str)
    }

    /// The value under `key`, only if it was recorded as an `i64`.
    pub fn i64_attr(&self, key: &str) -> Option<i64> {
        self.attr(key).and_then(AttrValue::as_i64)
    }

    /// The value under `key`, only if it was recorded as a bool.
    pub fn bool_attr(&self, key: &str) -> Option<bool> {
        self.attr(key).and_then(AttrValue::as_bool)
    }

    /// The value under `key`, only if it was recorded as an `f64`.
    pub fn f64_attr(&self, key: &str) -> Option<f64> {
        self.attr(key).and_then(AttrValue::as_f64)
    }

    /// The first event called `name`.
    pub fn event(&self, name: &str) -> Option<&ExportedEvent> {
        self.events.iter().find(|e| e.name == name)
    }

    /// The resource attribute under `key`.
    pub fn resource_attr(&self, key: &str) -> Option<&AttrValue> {
        lookup(&self.resource, key)
    }
}

impl ExportedEvent {
    /// The value recorded under `key`.
    pub fn attr(&self, key: &str) -> Option<&AttrValue> {
        lookup(&self.attributes, key)
    }

    /// The value under `key`, only if it was recorded as a string.
    pub fn str_attr(&self, key: &str) -> Option<&str> {
        self.attr(key).and_then(AttrValue::as_str)
    }
}
